/*
 * Stable RRD data source names from free-form labels (Nagios perfdata labels,
 * Munin field names). The name chosen for a label is stored in RRD files,
 * so the algorithm below is part of the on-disk format: changing it orphans
 * every series already written. Pure: bytes in, a name out.
 *
 * The algorithm, over the label's bytes (any bytes, NUL included):
 *
 *  1. Sanitise: ASCII 'A'-'Z' become 'a'-'z'; 'a'-'z', '0'-'9' and '_' are
 *     kept; every run of other bytes becomes a single '_'. Then leading and
 *     trailing '_' are trimmed. "Response Time (ms)" -> "response_time_ms",
 *     "/var/log" -> "var_log", "a_ b" -> "a__b" (a '_' of the label is kept
 *     as it is; only runs of other bytes are folded).
 *     A label that is a path becomes its path's words this way
 *     ("/var/log" -> "var_log", "/boot/efi" -> "boot_efi"); a label made
 *     of '/' alone, the root of a file system as check_disk names it, is
 *     "root". (Before, "/" was "v_0c9774": a file made then keeps that
 *     name; `rrdtool tune FILE --data-source-rename v_0c9774:root` moves
 *     it over.)
 *  2. If that is 1 to 19 characters long, it is the name.
 *  3. Otherwise let H be the 32-bit FNV-1a hash of the original label bytes
 *     (offset basis 0x811c9dc5, prime 0x01000193) folded to 24 bits as
 *     ((H >> 24) ^ H) & 0xffffff, written as 6 lower-case hex digits:
 *     - empty sanitised form (e.g. "", "%%", "  "): "v_" HEX, e.g. the
 *       empty label gives "v_1c9d44";
 *     - longer than 19: the first 12 characters of the sanitised form, with
 *       trailing '_' dropped, then '_' HEX (at most 19 characters).
 *
 * The result always matches [a-z0-9]([a-z0-9_]*[a-z0-9])? and is 1 to 19
 * characters long, as rrdtool wants. Distinct labels may share a name (e.g.
 * "Response Time (ms)" and "response_time_ms", or "/" and "/root"): callers
 * that need distinct names must check.
 */
#ifndef PARSE_DSNAME_H
#define PARSE_DSNAME_H

#include <stddef.h>

#define PARSE_DSNAME_MAX 19 /* rrdtool's limit */
#define PARSE_DSNAME_SIZE (PARSE_DSNAME_MAX + 1)

/* The name for label[0..len) into out, NUL-terminated. label may be NULL if
 * len is 0. */
void parse_dsname(const char *label, size_t len, char out[PARSE_DSNAME_SIZE]);

#endif
