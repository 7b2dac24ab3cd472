/*
 * A configuration file's text, read whole and looked over before libconfig
 * sees it: at most CONFTEXT_FILE_MAX bytes, and no string over
 * CONFTEXT_STRING_MAX bytes (adjacent literals count as one: libconfig
 * joins them). libconfig 1.5's scanner takes time that grows with the
 * square of a string's length: a 4 MiB string held `itfollowd -n` for
 * 11 s. No path, URL, regex or name needs 64 KiB.
 */
#ifndef CONFTEXT_H
#define CONFTEXT_H

#include <stddef.h>

#define CONFTEXT_FILE_MAX (16 * 1024 * 1024)
#define CONFTEXT_STRING_MAX 65536

/* The file's text, NUL-terminated, in *len bytes; NULL with *cause. */
char *conftext_read(const char *file, size_t *len, char **cause);
/*
 * 0 if text[0..len) has no string over CONFTEXT_STRING_MAX bytes; else -1
 * with *line (where the string starts) and *cause. Comments (#, //, / * * /)
 * are skipped as libconfig skips them. Pure.
 */
int conftext_check(const char *text, size_t len, int *line, char **cause);

#endif
