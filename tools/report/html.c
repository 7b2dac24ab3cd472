/*
 * HTML output helpers: escaping, base64 data: URIs, and one page head
 * with a small style sheet, so every page the tool and the daemon write
 * looks the same.
 */
#include <stdio.h>

#include "html.h"

void
html_text(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

void
html_img_data(FILE *f, const char *mime, const void *buf, size_t len,
    const char *alt)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = buf;
	unsigned v;
	size_t i;

	fprintf(f, "<img alt=\"");
	html_text(f, alt);
	fprintf(f, "\" src=\"data:%s;base64,", mime);
	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		fprintf(f, "%c%c%c%c", b64[v >> 18], b64[(v >> 12) & 63],
		    b64[(v >> 6) & 63], b64[v & 63]);
	}
	if (len - i == 1) {
		v = (unsigned)p[i] << 16;
		fprintf(f, "%c%c==", b64[v >> 18], b64[(v >> 12) & 63]);
	} else if (len - i == 2) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		fprintf(f, "%c%c%c=", b64[v >> 18], b64[(v >> 12) & 63],
		    b64[(v >> 6) & 63]);
	}
	fprintf(f, "\">\n");
}

void
html_head(FILE *f, const char *title, int refresh)
{
	fprintf(f,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
	if (refresh > 0)
		fprintf(f, "<meta http-equiv=\"refresh\" content=\"%d\">\n",
		    refresh);
	fprintf(f, "<title>");
	html_text(f, title);
	fprintf(f,
	    "</title>\n<style>\nbody{font-family:sans-serif;margin:1em 2em;color:#222}\ntable{border-collapse:collapse;margin:1em 0}\nth,td{border:1px solid #ccc;padding:.2em .6em;text-align:right}\nth:first-child,td:first-child{text-align:left}\n.up{background:#d8f5d8}.down{background:#f8d0d0}.unknown{background:#eee}\nimg{display:block;margin:.5em 0}\ntr.total td{font-weight:bold;border-top:2px solid #888}\n</style>\n</head>\n<body>\n<h1>");
	html_text(f, title);
	fprintf(f, "</h1>\n");
}

void
html_foot(FILE *f)
{
	fprintf(f, "</body>\n</html>\n");
}
