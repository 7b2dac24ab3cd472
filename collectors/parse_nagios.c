/*
 * Parser of Monitoring Plugins output. The buffer is cut into lines (LF or
 * CRLF); the first '|' of the first line and the first '|' of the later lines
 * start performance data, which then runs to the end of the output. Items are
 * parsed one at a time and a bad one costs only itself. Work is linear in the
 * input: kept items are found again by a hash of their data source name, so
 * that a flood of duplicates costs no more than other items.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_nagios.h"
#include "xmalloc.h"

#define PARSE_NAGIOS_QUOTE 64 /* bytes of input quoted in an error */
#define PARSE_NAGIOS_NUMBER 512 /* longest number text that is read */
#define PARSE_NAGIOS_SLOTS (2 * PARSE_NAGIOS_MAX_PERF) /* never full */

struct parse_nagios_state {
	struct parse_nagios *out;
	size_t cap; /* entries allocated in out->perf */
	int full; /* PARSE_NAGIOS_MAX_PERF items kept: stop */
	/* Open addressing on ds: index + 1 into out->perf, 0 if free. */
	unsigned short slots[PARSE_NAGIOS_SLOTS];
};

static const struct {
	const char *uom;
	double mult;
} parse_nagios_units[] = {
	{ "", 1 },
	{ "s", 1 },
	{ "ms", 1e-3 },
	{ "us", 1e-6 },
	{ "%", 1 },
	{ "B", 1 },
	{ "KB", 1024.0 },
	{ "MB", 1024.0 * 1024 },
	{ "GB", 1024.0 * 1024 * 1024 },
	{ "TB", 1024.0 * 1024 * 1024 * 1024 },
	{ "c", 1 },
};

static void __attribute__((format(printf, 2, 3)))
parse_nagios_error(struct parse_nagios *out, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (out->nerrors >= PARSE_NAGIOS_MAX_ERRORS)
		return;
	if (out->nerrors == PARSE_NAGIOS_MAX_ERRORS - 1)
		strcpy(msg, "too many errors, the rest are not reported");
	else {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
	}
	out->errors =
	    xreallocarray(out->errors, out->nerrors + 1, sizeof *out->errors);
	out->errors[out->nerrors++] = xstrdup(msg);
}

/*
 * p[0..end) made fit for an error message: at most PARSE_NAGIOS_QUOTE bytes,
 * anything but printable ASCII as '?', so that the message is one short,
 * printable line whatever the input.
 */
static const char *
parse_nagios_quote(const char *p, const char *end,
    char buf[PARSE_NAGIOS_QUOTE + 4])
{
	size_t i, n = (size_t)(end - p);

	if (n > PARSE_NAGIOS_QUOTE)
		n = PARSE_NAGIOS_QUOTE;
	for (i = 0; i < n; i++)
		buf[i] = (p[i] >= ' ' && p[i] <= '~') ? p[i] : '?';
	if ((size_t)(end - p) > n) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

static int
parse_nagios_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* A copy of p[0..n) as a string, NUL bytes turned into '?'. */
static char *
parse_nagios_text(const char *p, size_t n)
{
	char *s = xmalloc(n + 1);
	size_t i;

	for (i = 0; i < n; i++)
		s[i] = p[i] == '\0' ? '?' : p[i];
	s[n] = '\0';
	return s;
}

/* End of the decimal number that starts at p; p itself if there is none. */
static const char *
parse_nagios_scan_number(const char *p, const char *end)
{
	const char *q = p, *e;
	int digits = 0;

	if (q < end && (*q == '+' || *q == '-'))
		q++;
	for (; q < end && *q >= '0' && *q <= '9'; q++)
		digits = 1;
	if (q < end && *q == '.') {
		for (q++; q < end && *q >= '0' && *q <= '9'; q++)
			digits = 1;
	}
	if (!digits)
		return p;
	if (q < end && (*q == 'e' || *q == 'E')) {
		e = q + 1;
		if (e < end && (*e == '+' || *e == '-'))
			e++;
		if (e < end && *e >= '0' && *e <= '9') {
			while (e < end && *e >= '0' && *e <= '9')
				e++;
			q = e;
		}
	}
	return q;
}

/*
 * p[0..end) as a finite decimal number, all of it; 0 or -1. The syntax is
 * checked first, so strtod never sees "nan", "inf", hex or blanks.
 */
static int
parse_nagios_number(const char *p, const char *end, double *v)
{
	char buf[PARSE_NAGIOS_NUMBER];
	size_t n = (size_t)(end - p);

	if (n == 0 || n >= sizeof buf ||
	    parse_nagios_scan_number(p, end) != end)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*v = strtod(buf, NULL);
	return isfinite(*v) ? 0 : -1;
}

/*
 * A warn or crit field: empty, a plain number (kept, normalised) or a range
 * ([@][start:][end], start a number or '~') which gives NAN. -1 for anything
 * else.
 */
static int
parse_nagios_threshold(const char *p, const char *end, double mult, double *v)
{
	const char *colon;
	double x;

	*v = NAN;
	if (p == end)
		return 0;
	if (parse_nagios_number(p, end, &x) == 0) {
		if (isfinite(x * mult))
			*v = x * mult;
		return 0;
	}
	if (*p == '@')
		p++;
	if ((colon = memchr(p, ':', (size_t)(end - p))) == NULL)
		return parse_nagios_number(p, end, &x); /* "@10" */
	if (colon != p && !(colon - p == 1 && *p == '~') &&
	    parse_nagios_number(p, colon, &x) != 0)
		return -1;
	if (colon + 1 != end && parse_nagios_number(colon + 1, end, &x) != 0)
		return -1;
	return 0;
}

/* min or max: empty (NAN) or a number, normalised; 0 or -1. */
static int
parse_nagios_limit(const char *p, const char *end, double mult, double *v)
{
	*v = NAN;
	if (p == end)
		return 0;
	if (parse_nagios_number(p, end, v) != 0) {
		*v = NAN;
		return -1;
	}
	*v *= mult;
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
	const unsigned char *p = (const unsigned char *)ds;
	uint32_t h = 0x811c9dc5;
	unsigned short *slot;

	for (; *p != '\0'; p++) {
		h ^= *p;
		h *= 0x01000193;
	}
	for (h %= PARSE_NAGIOS_SLOTS;; h = (h + 1) % PARSE_NAGIOS_SLOTS) {
		slot = &st->slots[h];
		if (*slot == 0 || strcmp(st->out->perf[*slot - 1].ds, ds) == 0)
			return slot;
	}
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
	static const char *const extra_names[] = { "warn", "crit", "min",
		"max" };
	const char *f[5], *fend[5], *q, *why = NULL;
	double *extra[4];
	unsigned short *slot;
	char quote[PARSE_NAGIOS_QUOTE + 4], uq[PARSE_NAGIOS_QUOTE + 4];
	double mult = 0;
	size_t nf, i, n;
	int r;

	memset(&pf, 0, sizeof pf);
	pf.warn = pf.crit = pf.min = pf.max = NAN;

	/* Five ';'-separated fields; more are allowed only if empty. */
	for (nf = 0, q = d;; nf++) {
		const char *semi = memchr(q, ';', (size_t)(dend - q));
		const char *fe = semi != NULL ? semi : dend;

		if (nf < 5) {
			f[nf] = q;
			fend[nf] = fe;
		} else if (fe != q) {
			why = "more than 5 fields";
			goto bad;
		}
		if (semi == NULL)
			break;
		q = semi + 1;
	}
	for (i = nf + 1; i < 5; i++)
		f[i] = fend[i] = dend;

	if (label == lend) {
		why = "empty label";
		goto bad;
	}

	/* The value: a number or U, then the unit of measurement. */
	if (f[0] < fend[0] && *f[0] == 'U') {
		q = f[0] + 1;
		pf.value = NAN;
	} else {
		q = parse_nagios_scan_number(f[0], fend[0]);
		if (q == f[0] || parse_nagios_number(f[0], q, &pf.value) != 0) {
			why = "bad value";
			goto bad;
		}
	}
	n = (size_t)(fend[0] - q);
	for (i = 0; i < sizeof parse_nagios_units / sizeof *parse_nagios_units;
	     i++) {
		if (strlen(parse_nagios_units[i].uom) == n &&
		    memcmp(parse_nagios_units[i].uom, q, n) == 0) {
			memcpy(pf.uom, q, n);
			mult = parse_nagios_units[i].mult;
			break;
		}
	}
	if (mult == 0) {
		if (isnan(pf.value)) {
			why = "bad value";
			goto bad;
		}
		parse_nagios_error(out,
		    "line %u: bad perfdata item '%s': unknown unit '%s'", line,
		    parse_nagios_quote(item, iend, quote),
		    parse_nagios_quote(q, fend[0], uq));
		return;
	}
	pf.value *= mult;
	if (!isnan(pf.value) && !isfinite(pf.value)) {
		why = "value out of range";
		goto bad;
	}
	pf.counter = strcmp(pf.uom, "c") == 0;

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

	/* Thresholds and limits are extras: a bad one is noted, not fatal. */
	extra[0] = &pf.warn;
	extra[1] = &pf.crit;
	extra[2] = &pf.min;
	extra[3] = &pf.max;
	for (i = 1; i < 5; i++) {
		if (i < 3)
			r = parse_nagios_threshold(f[i], fend[i], mult,
			    extra[i - 1]);
		else
			r = parse_nagios_limit(f[i], fend[i], mult,
			    extra[i - 1]);
		if (r == 0)
			continue;
		parse_nagios_error(out,
		    "line %u: perfdata item '%s': bad %s '%s', ignored", line,
		    parse_nagios_quote(item, iend, quote), extra_names[i - 1],
		    parse_nagios_quote(f[i], fend[i], uq));
	}
	if (strcmp(pf.uom, "%") == 0) {
		if (isnan(pf.min))
			pf.min = 0;
		if (isnan(pf.max))
			pf.max = 100;
	}

	if (out->nperf == st->cap) {
		st->cap = st->cap == 0 ? 8 : st->cap * 2;
		out->perf =
		    xreallocarray(out->perf, st->cap, sizeof *out->perf);
	}
	out->perf[out->nperf++] = pf;
	*slot = (unsigned short)out->nperf;
	return;

bad:
	parse_nagios_error(out, "line %u: bad perfdata item '%s': %s", line,
	    parse_nagios_quote(item, iend, quote), why);
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
		while (p < end && parse_nagios_space(*p))
			p++;
		if (p == end || st->full)
			return;
		if (st->out->nperf == PARSE_NAGIOS_MAX_PERF) {
			parse_nagios_error(st->out,
			    "line %u: more than %d perfdata items, the rest "
			    "are ignored",
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
				    "line %u: bad perfdata item '%s': "
				    "unterminated quote",
				    line, parse_nagios_quote(item, end, quote));
				return;
			}
			label = p + 1;
			lend = q;
			p = q + 1;
		} else {
			for (q = p;
			     q < end && *q != '=' && !parse_nagios_space(*q);
			     q++)
				;
			label = p;
			lend = p = q;
		}
		if (p == end || *p != '=') {
			while (p < end && !parse_nagios_space(*p))
				p++;
			parse_nagios_error(st->out,
			    "line %u: bad perfdata item '%s': no '='", line,
			    parse_nagios_quote(item, p, quote));
			continue;
		}
		for (q = ++p; p < end && !parse_nagios_space(*p); p++)
			;
		parse_nagios_item(st, line, item, p, label, lend, quoted, q, p);
	}
}

/* s[0..n) without blanks at its ends (NUL bytes are not blanks). */
static size_t
parse_nagios_trim(const char **s, size_t n)
{
	while (n > 0 && parse_nagios_space(**s)) {
		(*s)++;
		n--;
	}
	while (n > 0 && parse_nagios_space((*s)[n - 1]))
		n--;
	return n;
}

void
parse_nagios(const char *buf, size_t len, struct parse_nagios *out)
{
	struct parse_nagios_state st = { out, 0, 0, { 0 } };
	const char *p, *end, *eol, *next, *bar, *t;
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
		if ((eol = memchr(p, '\n', (size_t)(end - p))) != NULL)
			next = eol + 1;
		else
			next = eol = end;
		if (eol > p && eol[-1] == '\r')
			eol--;
		if (in_perf) {
			parse_nagios_perfdata(&st, line, p, eol);
			continue;
		}
		bar = memchr(p, '|', (size_t)(eol - p));
		t = p;
		n = parse_nagios_trim(&t,
		    (size_t)((bar != NULL ? bar : eol) - p));
		if (line == 1)
			out->message = parse_nagios_text(t, n);
		else {
			/* Keep indentation, not blank lines at the start. */
			if (ltlen > 0)
				out->long_text[ltlen++] = '\n';
			if (n > 0) {
				memcpy(out->long_text + ltlen, p,
				    (size_t)(t - p) + n);
				ltlen += (size_t)(t - p) + n;
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
	for (i = 0; i < pn->nerrors; i++)
		free(pn->errors[i]);
	free(pn->errors);
	free(pn->message);
	free(pn->long_text);
	memset(pn, 0, sizeof *pn);
}
