/*
 * Small pieces of HTML output shared by the scorecard and the dashboard
 * pages: escaping text and embedding images.
 */
#ifndef HTML_H
#define HTML_H

#include <stddef.h>
#include <stdio.h>

/* Text with &, <, >, " and ' escaped. */
void html_text(FILE *, const char *);
/* An <img> whose source is the image itself, as a data: URI. */
void html_img_data(FILE *, const char *mime, const void *buf, size_t len,
    const char *alt);
/* The start of a page: doctype, title, the shared style sheet. */
void html_head(FILE *, const char *title, int refresh);
void html_foot(FILE *);

#endif
