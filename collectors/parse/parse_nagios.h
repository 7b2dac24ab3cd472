/*
 * Output of Monitoring Plugins (Nagios plugins): the status text, the long
 * text and the performance data, per the plugin guidelines
 * (https://www.monitoring-plugins.org/doc/guidelines.html#AEN200):
 *
 *	TEXT | PERFDATA
 *	LONGTEXT...
 *	LONGTEXT... | PERFDATA
 *	PERFDATA...
 *
 * PERFDATA is whitespace-separated 'label'=value[UOM];[warn];[crit];[min];[max]
 * items. Pure: a buffer (any bytes) in, a struct out; a bad item is reported
 * in the error list and the others are kept.
 *
 * Values, min and max are normalised to base units:
 *	""	as is
 *	s, ms, us	seconds (x1, x1e-3, x1e-6)
 *	B, KB, MB, GB, TB	bytes, 1024-based: KB = 1024 B, MB = 1024^2 B...
 *	%	as is; min 0 and max 100 when not given
 *	c	as is, a continuous counter (counter is set)
 * Any other UOM makes the item bad. Numbers are decimal, with an optional
 * exponent ("1.5e3"), finite; "nan", "inf" and hex are refused. They are read
 * with strtod, so LC_NUMERIC must be "C" (the default). The value may be "U",
 * unknown, stored as NAN. warn and crit are kept only when they are plain
 * numbers (normalised like the value); ranges ("10:20", "@~:5") give NAN.
 */
#ifndef PARSE_NAGIOS_H
#define PARSE_NAGIOS_H

#include <stddef.h>

#include "parse_dsname.h"

#define PARSE_NAGIOS_MAX_PERF 256 /* further items are ignored, one error */
#define PARSE_NAGIOS_MAX_ERRORS 64 /* the last says more were dropped */

struct parse_perf {
	char *label; /* as given, quotes removed, '' unescaped */
	char ds[PARSE_DSNAME_SIZE]; /* parse_dsname(label) */
	double value; /* normalised; NAN for "U" */
	char uom[4]; /* as given: "", "s", "ms", "us", "%", "B", "KB"... */
	int counter; /* uom "c": a continuous counter */
	double warn, crit; /* plain numbers, normalised; NAN for ranges, "" */
	double min, max; /* normalised; NAN when absent (0, 100 for "%") */
};

struct parse_nagios {
	char *message; /* first line's text before '|', trimmed ("" if none) */
	char *long_text; /* later lines' text before any '|', '\n'-joined */
	struct parse_perf *perf;
	size_t nperf;
	char **errors; /* "line 3: bad perfdata item 'x=abc': ..." */
	size_t nerrors;
};

/*
 * Parse buf[0..len) into *out, which is always filled (message and long_text
 * are never NULL) and is released with parse_nagios_free. No item is kept
 * twice: a later item with a label already seen, or with a label that maps
 * to a data source name already used, is an error. NUL bytes in the texts
 * are replaced by '?'; a label containing one is an error.
 */
void parse_nagios(const char *buf, size_t len, struct parse_nagios *out);
void parse_nagios_free(struct parse_nagios *);

#endif
