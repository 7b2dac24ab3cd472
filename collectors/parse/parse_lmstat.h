/*
 * Output of FlexNet Publisher (FlexLM) "lmutil lmstat -a": licence servers,
 * vendor daemons and, per feature, licences issued, in use, queued and
 * reserved. Pure: a buffer (any bytes) in, a struct out; a line that is not
 * understood is reported in the error list and the others are kept.
 *
 * The lines, after their indentation (spaces or tabs) and trailing blanks
 * are removed; CRLF is read as LF. Ignored: blank lines, the headers
 * ("lmutil - Copyright ...", "Flexible License Manager status on ...",
 * "lmstat v11.16.2 build ...", "[Detecting lmgrd processes...]", a command
 * line echoed before the output: "./lmutil lmstat -a -c 27000@host"),
 * "License file(s) on a: /path:". The others:
 *
 *   License server status: 27000@a,...
 *	starts a server block
 *   a: license server UP (MASTER) v11.13
 *	a server up (any text after UP); any other word after "license
 *	server" is a server down
 *   a: Cannot connect to license server system. (-15,570:115 "...")
 *   Error getting status: ...
 *   lmgrd is not running: License server machine is down ...
 *	a server down, as is any line saying "Cannot connect to license
 *	server" or "License server machine is down"; the first server down
 *	line, whole, is server_error
 *   Vendor daemon status (on a):
 *	starts the vendor list, of lines "VENDOR: UP v11.6" (up) or
 *	"VENDOR: The desired vendor daemon is down. (-97,121)" (down, the
 *	text after the name is its error)
 *   Feature usage info:
 *	starts the features, each of one of
 *   Users of F:  (Total of N licenses issued;  Total of M licenses in use)
 *   Users of F:  (Uncounted, node-locked)
 *   Users of F:  (Error: TEXT)
 *   Cannot get users of F: TEXT
 *	and the lines that follow it:
 *   "F" v61.9, vendor: VENDOR[, expiry: ...]
 *	the feature's vendor; several version blocks may follow one
 *	"Users of"; under it "vendor_string: ...", "floating license",
 *	"nodelocked license, locked to ...", "uncounted nodelocked license
 *	..." are ignored
 *   N RESERVATION[s] for GROUP G (a/27000)
 *	N licences reserved, summed
 *   USER HOST DISPLAY (v1) (a/27000 12), start Fri 10/20 16:44[, N
 *   licenses][  (linger: a / b)][, PID: n]
 *	a user: ignored, in_use comes from the "Users of" line
 *   USER HOST DISPLAY 2017.06 (v2017.06) (a/27000 15) queued for N licenses
 *	N licences queued, summed
 *
 * Counts are whole numbers of at most 2^53; a negative or larger one is an
 * error and its value NAN. In FlexNet the licences in use include the
 * reserved ones; both are given as the server says. Detail, user and
 * reservation lines outside a feature are errors, and counted in skipped;
 * those under a bad "Users of" line are ignored. A vendor daemon listed
 * again is reported and ignored.
 *
 * Features are keyed by (vendor, feature); the vendor is the one the detail
 * line names, else the only vendor daemon listed if there is exactly one,
 * else "". A key seen again is an error and the later feature dropped. A
 * detail line naming another feature than the "Users of" line above it is
 * reported, and its vendor still used.
 *
 * Lines holding a NUL byte, and lines of no form above, are errors and
 * counted in skipped: "lmstat -i" output (a table of the licence file) gives
 * no features, only skipped lines.
 */
#ifndef PARSE_LMSTAT_H
#define PARSE_LMSTAT_H

#include <stddef.h>

#define PARSE_LMSTAT_MAX_FEATURES 4096 /* the rest: one error */
#define PARSE_LMSTAT_MAX_VENDORS 256 /* the rest: one error */
#define PARSE_LMSTAT_MAX_ERRORS 64 /* the last says more were dropped */

struct parse_lmstat_feature {
	char *vendor; /* vendor daemon ("" when the output never says) */
	char *feature; /* as given */
	double issued; /* licences issued; NAN when uncounted or error */
	double in_use; /* as the "Users of" line says; NAN when none */
	double queued; /* "queued for N licenses" lines, summed; 0 if none */
	double reserved; /* "N RESERVATIONs for" lines, summed; 0 if none */
	int uncounted; /* "(Uncounted, node-locked)" */
	char *error; /* "(Error: TEXT)" or "Cannot get users": TEXT; or NULL */
	size_t line; /* line of its "Users of" line */
};

struct parse_lmstat_vendor {
	char *name;
	int up;
	char *error; /* when down: "The desired vendor daemon is down. ..." */
};

struct parse_lmstat {
	size_t servers_up; /* "host: license server UP" lines */
	size_t servers_down; /* server down lines */
	char *server_error; /* the first server down line, NULL if none */
	struct parse_lmstat_vendor *vendors; /* in order of appearance */
	size_t nvendors;
	struct parse_lmstat_feature *features; /* in order of appearance */
	size_t nfeatures;
	char **errors; /* "line 12: ..." */
	size_t nerrors;
	size_t skipped; /* lines not understood */
};

/*
 * Parse buf[0..len) into *out, which is always filled; release it with
 * parse_lmstat_free (which also accepts a zeroed struct).
 */
void parse_lmstat(const char *buf, size_t len, struct parse_lmstat *out);
void parse_lmstat_free(struct parse_lmstat *);

#endif
