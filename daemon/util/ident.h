/*
 * Identifiers that become parts of file names, and the fixed vocabularies of
 * the follow-up (categories, portfolios, perspectives). Anything that reaches
 * a path is checked here first.
 */
#ifndef IDENT_H
#define IDENT_H

#define IDENT_MAX 64
#define IDENT_DS_MAX 19

/* A system or series id: [a-z0-9][a-z0-9_-]{0,63}. 1 if valid. */
int ident_valid(const char *s);
/* An RRD data source name: [a-z0-9_]{1,19}. 1 if valid. */
int ident_valid_ds(const char *s);
/* One of the five perspectives. 1 if valid. */
int ident_valid_perspective(const char *s);
/* basic | differentiating | innovative. 1 if valid. */
int ident_valid_category(const char *s);
/* service | information | training | cooperation | innovation. */
int ident_valid_portfolio(const char *s);

/*
 * A series id from a name given by a feed (a licence feature, an SKU):
 * prefix, then the name lower-cased with every character outside
 * [a-z0-9_-] made '_'. When a character had to be replaced, "-" and six hex
 * digits of a hash of the name follow, so "ARC/INFO" and "ARC_INFO" stay
 * distinct; a name too long is cut and hashed the same way. Stable: the
 * series' file name depends on it. out holds IDENT_MAX + 1 bytes.
 */
void ident_from_name(const char *prefix, const char *name, char *out);

/*
 * An id that failed its check, fit for a log line: printable ASCII as it
 * is, anything else as \xNN, cut after 64 characters with "...". out
 * holds IDENT_SHOW_SIZE bytes.
 */
#define IDENT_SHOW_SIZE (4 * 64 + 4)
const char *ident_show(const char *s, char *out);

/* A comma-separated list of the names of a vocabulary, for messages. */
extern const char *const ident_categories[];
extern const char *const ident_portfolios[];
extern const char *const ident_perspectives[];

#endif
