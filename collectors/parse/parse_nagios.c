/*
 * Parser of Monitoring Plugins output. The buffer is cut into lines (LF or
 * CRLF); the first '|' of the first line and the first '|' of the later lines
 * start performance data, which then runs to the end of the output. Items are
 * parsed one at a time and a bad one costs only itself. Work is linear in the
 * input: kept items are found again by a hash of their data source name, so
 * that a flood of duplicates costs no more than other items.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse_nagios.h"
#include "parse_util.h"
#include "xmalloc.h"

#define PARSE_NAGIOS_QUOTE 64 /* bytes of input quoted in an error */
#define PARSE_NAGIOS_SLOTS (2 * PARSE_NAGIOS_MAX_PERF) /* never full */

struct parse_nagios_state {
	struct parse_nagios *out;
	size_t cap; /* entries allocated in out->perf */
	int full; /* PARSE_NAGIOS_MAX_PERF items kept: stop */
	/* Open addressing on ds: index + 1 into out->perf, 0 if free. */
	unsigned short slots[PARSE_NAGIOS_SLOTS];
};

/*
 * A unit and how a value in it becomes base units: times mult, divided by
 * div (a division, as 0.017 ms is 0.017 / 1000 = 1.7e-05 s exactly as a
 * double can say it, where 0.017 * 1e-3 is 1.7000000000000003e-05).
 */
struct parse_nagios_unit {
	const char *uom;
	double mult;
	double div;
};

static const struct parse_nagios_unit parse_nagios_units[] = {
	{ "", 1, 1 },
	{ "s", 1, 1 },
	{ "ms", 1, 1e3 },
	{ "us", 1, 1e6 },
	{ "%", 1, 1 },
	{ "B", 1, 1 },
	{ "KB", 1024.0, 1 },
	{ "MB", 1024.0 * 1024, 1 },
	{ "GB", 1024.0 * 1024 * 1024, 1 },
	{ "TB", 1024.0 * 1024 * 1024 * 1024, 1 },
	{ "c", 1, 1 },
};

/* x in base units. */
static double
parse_nagios_scale(double x, const struct parse_nagios_unit *u)
{
	return u->div != 1 ? x * u->mult / u->div : x * u->mult;
}

/* Errors go to out's list, PARSE_NAGIOS_MAX_ERRORS at most. */
#define parse_nagios_error(out, ...)                      \
	parse_util_error(&(out)->errors, &(out)->nerrors, \
	    PARSE_NAGIOS_MAX_ERRORS, __VA_ARGS__)

/*
 * A warn or crit field: empty, a plain number (kept, normalised) or a range
 * ([@][start:][end], start a number or '~') which gives NAN. -1 for anything
 * else.
 */
static int
parse_nagios_threshold(const char *p, const char *end,
    const struct parse_nagios_unit *u, double *v)
{
	const char *colon;
	double x;

	*v = NAN;
	if (p == end)
		return 0;
	if (parse_util_number(p, end, &x) == 0) {
		if (isfinite(parse_nagios_scale(x, u)))
			*v = parse_nagios_scale(x, u);
		return 0;
	}
	if (*p == '@')
		p++;
	if ((colon = memchr(p, ':', (size_t)(end - p))) == NULL)
		return parse_util_number(p, end, &x) == 0 ? 0 : -1; /* "@10" */
	if (colon != p && !(colon - p == 1 && *p == '~') &&
	    parse_util_number(p, colon, &x) != 0)
		return -1;
	if (colon + 1 != end && parse_util_number(colon + 1, end, &x) != 0)
		return -1;
	return 0;
}

/* min or max: empty (NAN) or a number, normalised; 0 or -1. */
static int
parse_nagios_limit(const char *p, const char *end,
    const struct parse_nagios_unit *u, double *v)
{
	*v = NAN;
	if (p == end)
		return 0;
	if (parse_util_number(p, end, v) != 0) {
		*v = NAN;
		return -1;
	}
	*v = parse_nagios_scale(*v, u);
	if (!isfinite(*v)) {
		*v = NAN;
		return -1;
	}
	return 0;
}

/* The label p[0..end), '' made ' if quoted; NULL if it holds a NUL byte. */
static char *
parse_nagios_label(const char *p, const char *end, int quoted)
{
	char *s;
	size_t n = 0;

	if (memchr(p, '\0', (size_t)(end - p)) != NULL)
		return NULL;
	s = xmalloc((size_t)(end - p) + 1);
	while (p < end) {
		if (quoted && p[0] == '\'' && p + 1 < end && p[1] == '\'')
			p++;
		s[n++] = *p++;
	}
	s[n] = '\0';
	return s;
}

/*
 * The slot of ds in the index: the one holding the kept item of that name,
 * or the free one where it goes.
 */
static unsigned short *
parse_nagios_slot(struct parse_nagios_state *st, const char *ds)
{
	uint32_t h = parse_util_hash(PARSE_UTIL_HASH, ds, strlen(ds));
	unsigned short *slot;

	for (h %= PARSE_NAGIOS_SLOTS;; h = (h + 1) % PARSE_NAGIOS_SLOTS) {
		slot = &st->slots[h];
		if (*slot == 0 || strcmp(st->out->perf[*slot - 1].ds, ds) == 0)
			return slot;
	}
}

/* Five ';'-separated fields of d[0..dend); more are allowed only if empty.
 * 0, or -1 when a sixth has text. */
static int
parse_nagios_fields(const char *d, const char *dend, const char *f[5],
    const char *fend[5])
{
	const char *q;
	size_t nf, i;

	for (nf = 0, q = d;; nf++) {
		const char *semi = memchr(q, ';', (size_t)(dend - q));
		const char *fe = semi != NULL ? semi : dend;

		if (nf < 5) {
			f[nf] = q;
			fend[nf] = fe;
		} else if (fe != q)
			return -1;
		if (semi == NULL)
			break;
		q = semi + 1;
	}
	for (i = nf + 1; i < 5; i++)
		f[i] = fend[i] = dend;
	return 0;
}

/*
 * The value in s[0..e): a number or U, then the unit of measurement, into
 * pf (value, uom) and *unit. NULL, or why it is bad; *unit NULL and *uom
 * at its text when the unit is unknown.
 */
static const char *
parse_nagios_value(const char *s, const char *e, struct parse_perf *pf,
    const struct parse_nagios_unit **unit, const char **uom)
{
	const char *q;
	size_t i, n;

	*unit = NULL;
	if (s < e && *s == 'U') {
		q = s + 1;
		pf->value = NAN;
	} else {
		q = parse_util_scan_number(s, e);
		if (q == s || parse_util_number(s, q, &pf->value) != 0)
			return "bad value";
	}
	n = (size_t)(e - q);
	for (i = 0; i < sizeof parse_nagios_units / sizeof *parse_nagios_units;
	     i++) {
		if (strlen(parse_nagios_units[i].uom) == n &&
		    memcmp(parse_nagios_units[i].uom, q, n) == 0) {
			memcpy(pf->uom, q, n);
			*unit = &parse_nagios_units[i];
			break;
		}
	}
	*uom = q;
	if (*unit == NULL)
		return isnan(pf->value) ? "bad value" : NULL;
	pf->value = parse_nagios_scale(pf->value, *unit);
	if (!isnan(pf->value) && !isfinite(pf->value))
		return "value out of range";
	pf->counter = strcmp(pf->uom, "c") == 0;
	return NULL;
}

/* Thresholds and limits are extras: a bad one is noted, not fatal. */
static void
parse_nagios_extras(struct parse_nagios *out, unsigned line, const char *item,
    const char *iend, const char *const f[5], const char *const fend[5],
    const struct parse_nagios_unit *unit, struct parse_perf *pf)
{
	static const char *const extra_names[] = { "warn", "crit", "min",
		"max" };
	char quote[PARSE_NAGIOS_QUOTE + 4], uq[PARSE_NAGIOS_QUOTE + 4];
	double *extra[4];
	size_t i;
	int r;

	extra[0] = &pf->warn;
	extra[1] = &pf->crit;
	extra[2] = &pf->min;
	extra[3] = &pf->max;
	for (i = 1; i < 5; i++) {
		if (i < 3)
			r = parse_nagios_threshold(f[i], fend[i], unit,
			    extra[i - 1]);
		else
			r = parse_nagios_limit(f[i], fend[i], unit,
			    extra[i - 1]);
		if (r == 0)
			continue;
		parse_nagios_error(out,
		    "line %u: perfdata item '%s': bad %s '%s', ignored", line,
		    parse_util_quote(item, (size_t)(iend - item), quote,
		        sizeof quote),
		    extra_names[i - 1],
		    parse_util_quote(f[i], (size_t)(fend[i] - f[i]), uq,
		        sizeof uq));
	}
	if (strcmp(pf->uom, "%") == 0) {
		if (isnan(pf->min))
			pf->min = 0;
		if (isnan(pf->max))
			pf->max = 100;
	}
}

/* Keep pf, found again by its data source name through slot. */
static void
parse_nagios_keep(struct parse_nagios_state *st, const struct parse_perf *pf,
    unsigned short *slot)
{
	struct parse_nagios *out = st->out;

	if (out->nperf == st->cap) {
		st->cap = st->cap == 0 ? 8 : st->cap * 2;
		out->perf =
		    xreallocarray(out->perf, st->cap, sizeof *out->perf);
	}
	out->perf[out->nperf++] = *pf;
	*slot = (unsigned short)out->nperf;
}

/*
 * One item: label[0..lend) (quoted or not) and the data d[0..dend), i.e.
 * value[UOM];warn;crit;min;max. item[0..iend) is the whole, for errors.
 */
static void
parse_nagios_item(struct parse_nagios_state *st, unsigned line,
    const char *item, const char *iend, const char *label, const char *lend,
    int quoted, const char *d, const char *dend)
{
	struct parse_nagios *out = st->out;
	struct parse_perf pf;
	const char *f[5], *fend[5], *q, *why = NULL;
	unsigned short *slot;
	char quote[PARSE_NAGIOS_QUOTE + 4], uq[PARSE_NAGIOS_QUOTE + 4];
	const struct parse_nagios_unit *unit;

	memset(&pf, 0, sizeof pf);
	pf.warn = pf.crit = pf.min = pf.max = NAN;

	if (parse_nagios_fields(d, dend, f, fend) != 0) {
		why = "more than 5 fields";
		goto bad;
	}
	if (label == lend) {
		why = "empty label";
		goto bad;
	}
	if ((why = parse_nagios_value(f[0], fend[0], &pf, &unit, &q)) != NULL)
		goto bad;
	if (unit == NULL) {
		parse_nagios_error(out,
		    "line %u: bad perfdata item '%s': unknown unit '%s'", line,
		    parse_util_quote(item, (size_t)(iend - item), quote,
		        sizeof quote),
		    parse_util_quote(q, (size_t)(fend[0] - q), uq, sizeof uq));
		return;
	}

	if ((pf.label = parse_nagios_label(label, lend, quoted)) == NULL) {
		why = "NUL byte in label";
		goto bad;
	}
	parse_dsname(pf.label, strlen(pf.label), pf.ds);
	slot = parse_nagios_slot(st, pf.ds);
	if (*slot != 0) {
		/* One label, one name: both cases are a clash of names. */
		why = strcmp(out->perf[*slot - 1].label, pf.label) == 0
		    ? "duplicate label"
		    : "data source name already used by an earlier label";
		free(pf.label);
		goto bad;
	}
	parse_nagios_extras(out, line, item, iend, f, fend, unit, &pf);
	parse_nagios_keep(st, &pf, slot);
	return;

bad:
	parse_nagios_error(out, "line %u: bad perfdata item '%s': %s", line,
	    parse_util_quote(item, (size_t)(iend - item), quote, sizeof quote),
	    why);
}

/* The performance data in p[0..end), one line of it. */
static void
parse_nagios_perfdata(struct parse_nagios_state *st, unsigned line,
    const char *p, const char *end)
{
	const char *item, *label, *lend, *q;
	char quote[PARSE_NAGIOS_QUOTE + 4];
	int quoted;

	for (;;) {
		p = parse_util_skip_blanks(p, end);
		if (p == end || st->full)
			return;
		if (st->out->nperf == PARSE_NAGIOS_MAX_PERF) {
			parse_nagios_error(st->out,
			    "line %u: more than %d perfdata items, the rest are ignored",
			    line, PARSE_NAGIOS_MAX_PERF);
			st->full = 1;
			return;
		}
		item = p;
		quoted = *p == '\'';
		if (quoted) {
			/* Up to a quote that is not doubled. */
			for (q = p + 1; q < end; q++) {
				if (*q != '\'')
					continue;
				if (q + 1 < end && q[1] == '\'')
					q++;
				else
					break;
			}
			if (q == end) {
				parse_nagios_error(st->out,
				    "line %u: bad perfdata item '%s': unterminated quote",
				    line,
				    parse_util_quote(item, (size_t)(end - item),
				        quote, sizeof quote));
				return;
			}
			label = p + 1;
			lend = q;
			p = q + 1;
		} else {
			for (q = p;
			     q < end && *q != '=' && !parse_util_blank(*q); q++)
				;
			label = p;
			lend = p = q;
		}
		if (p == end || *p != '=') {
			while (p < end && !parse_util_blank(*p))
				p++;
			parse_nagios_error(st->out,
			    "line %u: bad perfdata item '%s': no '='", line,
			    parse_util_quote(item, (size_t)(p - item), quote,
			        sizeof quote));
			continue;
		}
		for (q = ++p; p < end && !parse_util_blank(*p); p++)
			;
		parse_nagios_item(st, line, item, p, label, lend, quoted, q, p);
	}
}

void
parse_nagios(const char *buf, size_t len, struct parse_nagios *out)
{
	struct parse_nagios_state st = { out, 0, 0, { 0 } };
	const char *p, *end, *eol, *next, *bar;
	struct parse_util_span t;
	size_t n, ltlen = 0;
	unsigned line = 0;
	int in_perf = 0;

	memset(out, 0, sizeof *out);
	if (len == 0)
		buf = "";
	/* Never longer than the input: each line adds at most itself. */
	out->long_text = xmalloc(len + 1);

	for (p = buf, end = buf + len; p < end; p = next) {
		line++;
		eol = parse_util_line(p, end, &next);
		if (eol > p && eol[-1] == '\r')
			eol--;
		if (in_perf) {
			parse_nagios_perfdata(&st, line, p, eol);
			continue;
		}
		bar = memchr(p, '|', (size_t)(eol - p));
		t = parse_util_trim(p, bar != NULL ? bar : eol);
		if (line == 1)
			out->message =
			    parse_util_text(t.p, (size_t)(t.end - t.p));
		else {
			/* Keep indentation, not blank lines at the start. */
			if (ltlen > 0)
				out->long_text[ltlen++] = '\n';
			if (t.end > t.p) {
				memcpy(out->long_text + ltlen, p,
				    (size_t)(t.end - p));
				ltlen += (size_t)(t.end - p);
			}
		}
		if (bar != NULL) {
			in_perf = line > 1;
			parse_nagios_perfdata(&st, line, bar + 1, eol);
		}
	}
	while (ltlen > 0 && out->long_text[ltlen - 1] == '\n')
		ltlen--;
	for (n = 0; n < ltlen; n++) {
		if (out->long_text[n] == '\0')
			out->long_text[n] = '?';
	}
	out->long_text[ltlen] = '\0';
	if (out->message == NULL)
		out->message = xstrdup("");
}

void
parse_nagios_free(struct parse_nagios *pn)
{
	size_t i;

	if (pn == NULL)
		return;
	for (i = 0; i < pn->nperf; i++)
		free(pn->perf[i].label);
	free(pn->perf);
	parse_util_errors_free(pn->errors, pn->nerrors);
	free(pn->message);
	free(pn->long_text);
	memset(pn, 0, sizeof *pn);
}
