/*
 * What a command about one system needs of a configuration's text: every
 * system, but only that system's collectors. At a city's scale the
 * collectors are most of the file (7,500 of them in 600 KB), and libconfig
 * reading them all costs a one-system graph more than drawing it.
 *
 * The text is scanned as libconfig's scanner tokenizes it (strings with
 * their escapes, comments #, // and / * * /, names, brackets), and in
 * the top-level list
 *
 *     systems = ( { id = "ID"; ... collectors = ( ... ); ... }, ... );
 *
 * the `collectors` setting (up to its `;` or `,`) of each system whose id
 * is a plain string other than the one kept is cut out but for its
 * newlines, so that lines, and so error messages' line numbers, stay as
 * in the file. A system whose id is not one string
 * literal keeps its collectors. Anything the scan does not follow (an
 * @include, a NUL byte, unbalanced or mismatched brackets, an unterminated
 * string or comment, `id` or `collectors` twice in a system, `systems`
 * twice, nesting deeper than CONFCUT_DEPTH) cuts nothing: the caller
 * reads the whole file.
 */
#ifndef CONFCUT_H
#define CONFCUT_H

#include <stddef.h>

#define CONFCUT_DEPTH 64

/*
 * Cut out of text[0..*len) (in place, NUL-terminated at the new *len) the
 * collectors of every system but keep. Returns how many collector lists
 * were cut (0: text is as it was), or -1 when the scan cannot follow the
 * text (text unchanged). Pure.
 */
int confcut_others(char *text, size_t *len, const char *keep);

#endif
