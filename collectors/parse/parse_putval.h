/*
 * PUTVAL lines of collectd's plain text protocol, as programs run by
 * collectd's exec plugin print them
 * (https://collectd.org/wiki/index.php/Plain_text_protocol/PUTVAL):
 *
 *	PUTVAL Identifier [OptionList] Valuelist...
 *	PUTVAL "myhost/exec-magic/gauge-magic_level" interval=10 N:42
 *	PUTVAL myhost/cpu-0/cpu-idle 1700000000:12.5
 *
 * Pure: a buffer (any bytes) in, a list out; a bad line is reported in the
 * error list and the others are kept.
 *
 * As in collectd: the command word is matched without regard to case; a
 * word that starts with '"' is a quoted string in which \c stands for c, and
 * so is the value of an option written key="value"; a word holding '=' is an
 * option (interval=SECONDS is used, the others are ignored) and applies to
 * the value lists after it; each value list of a line is one entry. Blank
 * lines and lines starting with '#' are ignored; lines with another command
 * are errors. Stricter than collectd: the identifier must be exactly
 * host/plugin/type, no part empty nor holding '/' or control bytes.
 *
 * Notifications (collectd-exec(5)):
 *
 *	PUTNOTIF [OptionList] message=Message
 *	PUTNOTIF severity=failure time=1700000000 plugin=raid message="disk gone"
 *
 * Options as above: severity (failure, warning or okay, any case) and
 * message are required; time (epoch seconds, "N" or absent: now, stored as
 * 0), host, plugin, plugin_instance, type and type_instance are kept, the
 * others ignored. message consumes the rest of the line: a quoted string,
 * or the text as it stands. Control bytes in texts become '?'.
 *
 * A value list is TIME:V1[:V2...], TIME "N" (now, stored as 0) or epoch
 * seconds, possibly fractional (the fraction is dropped); each V a decimal
 * number or "U" (NAN). A bad value is reported and stored as NAN so that the
 * others keep their place; a bad time makes the whole list bad. Counters are
 * read as doubles: exact up to 2^53. Numbers are read with strtod, so
 * LC_NUMERIC must be "C" (the default).
 */
#ifndef PARSE_PUTVAL_H
#define PARSE_PUTVAL_H

#include <stddef.h>

#define PARSE_PUTVAL_MAX 256 /* value lists kept; the rest: one error */
#define PARSE_PUTVAL_MAX_VALUES 256 /* values in one list, or it is bad */
#define PARSE_PUTVAL_MAX_ERRORS 64 /* the last says more were dropped */
#define PARSE_PUTVAL_MAX_NOTIFS 64 /* notifications kept; the rest: one error */

struct parse_putval {
	char *identifier; /* host/plugin[-instance]/type[-instance], unquoted */
	char *host; /* the split parts */
	char *plugin; /* plugin with instance: "cpu-0" */
	char *type; /* type with instance: "cpu-idle" */
	double interval; /* seconds; 0 when not given */
	long long time; /* epoch seconds; 0 for "N" */
	double *values; /* NAN for U */
	size_t nvalues; /* at least 1 */
};

struct parse_putnotif {
	char severity[8]; /* "failure", "warning" or "okay" */
	long long time; /* epoch seconds; 0 for now */
	char *message; /* never empty */
	char *host, *plugin, *plugin_instance, *type,
	    *type_instance; /* or NULL */
};

struct parse_putvals {
	struct parse_putval *vals; /* in order of appearance */
	size_t n;
	struct parse_putnotif *notifs; /* in order of appearance */
	size_t nnotifs;
	char **errors; /* "line 3: ..." */
	size_t nerrors;
};

/* Parse buf[0..len) into *out, always filled; free with parse_putval_free. */
void parse_putval(const char *buf, size_t len, struct parse_putvals *out);
void parse_putval_free(struct parse_putvals *);

#endif
