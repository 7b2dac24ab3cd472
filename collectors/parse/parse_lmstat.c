/*
 * Parser of "lmstat -a" output. The buffer is cut into lines (LF or CRLF),
 * each trimmed and recognised on its own by its leading words, so that a bad
 * line costs only itself. The parser remembers the section it is in (servers,
 * vendor daemons, features) and the feature being described, to which
 * detail, queue and reservation lines belong.
 *
 * The vendor of a feature is known only after its detail lines, or at the
 * end (when there is only one vendor daemon), so duplicate features are
 * looked for at the end, through a hash index of (vendor, feature): work
 * stays linear in the input.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse_lmstat.h"
#include "parse_util.h"
#include "xmalloc.h"

#define PARSE_LMSTAT_QUOTE 64 /* bytes of input quoted in an error */
#define PARSE_LMSTAT_MAX_COUNT 9007199254740992.0 /* 2^53 */
#define PARSE_LMSTAT_FSLOTS (2 * PARSE_LMSTAT_MAX_FEATURES) /* never full */
#define PARSE_LMSTAT_VSLOTS (2 * PARSE_LMSTAT_MAX_VENDORS)

/* The feature that detail, queue and reservation lines belong to. */
#define PARSE_LMSTAT_CUR_NONE ((size_t)-1) /* none yet: such lines are bad */
#define PARSE_LMSTAT_CUR_DROPPED ((size_t)-2) /* a bad one: lines ignored */

enum parse_lmstat_section {
	PARSE_LMSTAT_SEC_NONE,
	PARSE_LMSTAT_SEC_SERVERS,
	PARSE_LMSTAT_SEC_VENDORS,
	PARSE_LMSTAT_SEC_FEATURES,
};

struct parse_lmstat_state {
	struct parse_lmstat *out;
	size_t fcap, vcap; /* entries allocated */
	size_t cur; /* index into out->features, or a CUR_ value */
	size_t lineno;
	enum parse_lmstat_section section;
	int ffull, vfull; /* caps reached, reported */
	/* Open addressing on vendor names: index + 1, 0 if free. */
	unsigned short vslots[PARSE_LMSTAT_VSLOTS];
};

/* Errors go to out's list, PARSE_LMSTAT_MAX_ERRORS at most. */
#define parse_lmstat_error(out, ...)                      \
	parse_util_error(&(out)->errors, &(out)->nerrors, \
	    PARSE_LMSTAT_MAX_ERRORS, __VA_ARGS__)

/* A line not understood: reported and counted. */
static void
parse_lmstat_skip(struct parse_lmstat_state *st, const char *why, const char *p,
    const char *end)
{
	char q[PARSE_LMSTAT_QUOTE + 4];

	st->out->skipped++;
	parse_lmstat_error(st->out, "line %zu: %s: '%s'", st->lineno, why,
	    parse_util_quote(p, (size_t)(end - p), q, sizeof q));
}

/* Last occurrence of needle in p[0..end), NULL if none. */
static const char *
parse_lmstat_rfind(const char *p, const char *end, const char *needle)
{
	const char *q, *last = NULL;

	while ((q = parse_util_find(p, end, needle)) != NULL) {
		last = q;
		p = q + 1;
	}
	return last;
}

static int
parse_lmstat_word_is(const char **pp, const char *end, const char *s)
{
	struct parse_util_span w;

	return parse_util_word(pp, end, &w) && parse_util_equal(w.p, w.end, s);
}

/*
 * A count, p[0..end) all of it: 0 and *v, or -1 for no number at all, or
 * the reason it is not a count (and *v = NAN).
 */
static int
parse_lmstat_count(const char *p, const char *end, double *v, const char **why)
{
	uint64_t n = 0;
	int neg = 0;

	*v = NAN;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == end)
		return -1;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (n <= (uint64_t)PARSE_LMSTAT_MAX_COUNT)
			n = n * 10 + (uint64_t)(*p - '0');
	}
	if (neg && n != 0) {
		*why = "negative";
		return 1;
	}
	if (n > (uint64_t)PARSE_LMSTAT_MAX_COUNT) {
		*why = "too large";
		return 1;
	}
	*v = (double)n;
	return 0;
}

/*
 * A new feature named name[0..nend), made current; NULL (and the current
 * feature dropped) when the cap is reached.
 */
static struct parse_lmstat_feature *
parse_lmstat_new_feature(struct parse_lmstat_state *st, const char *name,
    const char *nend)
{
	struct parse_lmstat *out = st->out;
	struct parse_lmstat_feature *f;

	if (out->nfeatures == PARSE_LMSTAT_MAX_FEATURES) {
		if (!st->ffull)
			parse_lmstat_error(out,
			    "line %zu: more than %d features, the rest are ignored",
			    st->lineno, PARSE_LMSTAT_MAX_FEATURES);
		st->ffull = 1;
		st->cur = PARSE_LMSTAT_CUR_DROPPED;
		return NULL;
	}
	if (out->nfeatures == st->fcap) {
		st->fcap = st->fcap == 0 ? 16 : st->fcap * 2;
		out->features =
		    xreallocarray(out->features, st->fcap, sizeof *f);
	}
	f = &out->features[out->nfeatures];
	memset(f, 0, sizeof *f);
	f->feature = xstrndup(name, (size_t)(nend - name));
	f->issued = f->in_use = NAN;
	f->line = st->lineno;
	st->cur = out->nfeatures++;
	return f;
}

/*
 * "Users of F:  (...)", q just after "Users of ". The name runs to the first
 * ':' that blanks and a '(' follow; the '(' opens what the line ends with.
 */
static void
parse_lmstat_users(struct parse_lmstat_state *st, struct parse_util_span t,
    const char *q)
{
	struct parse_lmstat_feature *f;
	struct parse_util_span n1, n2, w;
	const char *c, *open = NULL, *in, *ine, *why = NULL;
	char qf[PARSE_LMSTAT_QUOTE + 4], qn[PARSE_LMSTAT_QUOTE + 4];
	int r1, r2;

	for (c = q; (c = memchr(c, ':', (size_t)(t.end - c))) != NULL; c++) {
		open = parse_util_skip_blanks(c + 1, t.end);
		if (open < t.end && *open == '(')
			break;
	}
	if (c == NULL || c == q || t.end[-1] != ')') {
		st->cur = PARSE_LMSTAT_CUR_DROPPED;
		parse_lmstat_skip(st, "bad \"Users of\" line", t.p, t.end);
		return;
	}
	in = open + 1;
	ine = t.end - 1;

	if (parse_util_equal(in, ine, "Uncounted, node-locked")) {
		if ((f = parse_lmstat_new_feature(st, q, c)) != NULL)
			f->uncounted = 1;
		return;
	}
	if (ine - in >= 6 && memcmp(in, "Error:", 6) == 0) {
		in = parse_util_skip_blanks(in + 6, ine);
		if ((f = parse_lmstat_new_feature(st, q, c)) != NULL)
			f->error = xstrndup(in, (size_t)(ine - in));
		return;
	}

	/* Total of N license[s] issued;  Total of M license[s] in use */
	if (!parse_lmstat_word_is(&in, ine, "Total") ||
	    !parse_lmstat_word_is(&in, ine, "of") ||
	    !parse_util_word(&in, ine, &n1) || !parse_util_word(&in, ine, &w) ||
	    !(parse_util_equal(w.p, w.end, "license") ||
	        parse_util_equal(w.p, w.end, "licenses")) ||
	    !parse_lmstat_word_is(&in, ine, "issued;") ||
	    !parse_lmstat_word_is(&in, ine, "Total") ||
	    !parse_lmstat_word_is(&in, ine, "of") ||
	    !parse_util_word(&in, ine, &n2) || !parse_util_word(&in, ine, &w) ||
	    !(parse_util_equal(w.p, w.end, "license") ||
	        parse_util_equal(w.p, w.end, "licenses")) ||
	    !parse_lmstat_word_is(&in, ine, "in") ||
	    !parse_lmstat_word_is(&in, ine, "use") ||
	    parse_util_word(&in, ine, &w)) {
		st->cur = PARSE_LMSTAT_CUR_DROPPED;
		parse_lmstat_skip(st, "bad \"Users of\" line", t.p, t.end);
		return;
	}
	if ((f = parse_lmstat_new_feature(st, q, c)) == NULL)
		return;
	parse_util_quote(q, (size_t)(c - q), qf, sizeof qf);
	r1 = parse_lmstat_count(n1.p, n1.end, &f->issued, &why);
	if (r1 != 0)
		parse_lmstat_error(st->out,
		    "line %zu: feature %s: licences issued '%s': %s",
		    st->lineno, qf,
		    parse_util_quote(n1.p, (size_t)(n1.end - n1.p), qn,
		        sizeof qn),
		    r1 < 0 ? "not a number" : why);
	r2 = parse_lmstat_count(n2.p, n2.end, &f->in_use, &why);
	if (r2 != 0)
		parse_lmstat_error(st->out,
		    "line %zu: feature %s: licences in use '%s': %s",
		    st->lineno, qf,
		    parse_util_quote(n2.p, (size_t)(n2.end - n2.p), qn,
		        sizeof qn),
		    r2 < 0 ? "not a number" : why);
}

/* "Cannot get users of F: TEXT", q just after "Cannot get users of ". */
static void
parse_lmstat_cannot(struct parse_lmstat_state *st, struct parse_util_span t,
    const char *q)
{
	struct parse_lmstat_feature *f;
	const char *c = parse_util_find(q, t.end, ":");

	if (c == NULL || c == q) {
		st->cur = PARSE_LMSTAT_CUR_DROPPED;
		parse_lmstat_skip(st, "bad \"Cannot get users\" line", t.p,
		    t.end);
		return;
	}
	if ((f = parse_lmstat_new_feature(st, q, c)) == NULL)
		return;
	q = parse_util_skip_blanks(c + 1, t.end);
	f->error = xstrndup(q, (size_t)(t.end - q));
}

/*
 * The current feature for a line that belongs to one: NULL when it is to be
 * ignored, or is out of place (reported).
 */
static struct parse_lmstat_feature *
parse_lmstat_current(struct parse_lmstat_state *st, const char *what,
    struct parse_util_span t)
{
	char why[64];

	if (st->cur == PARSE_LMSTAT_CUR_DROPPED)
		return NULL;
	if (st->cur == PARSE_LMSTAT_CUR_NONE) {
		snprintf(why, sizeof why, "%s outside a feature", what);
		parse_lmstat_skip(st, why, t.p, t.end);
		return NULL;
	}
	return &st->out->features[st->cur];
}

/* "F" v61.9, vendor: VENDOR[, expiry: ...] */
static void
parse_lmstat_detail(struct parse_lmstat_state *st, struct parse_util_span t)
{
	struct parse_lmstat_feature *f;
	const char *qe, *v, *ve;
	char q1[PARSE_LMSTAT_QUOTE + 4], q2[PARSE_LMSTAT_QUOTE + 4];
	char q3[PARSE_LMSTAT_QUOTE + 4];

	qe = memchr(t.p + 1, '"', (size_t)(t.end - t.p - 1));
	v = qe != NULL ? parse_util_find(qe, t.end, ", vendor:") : NULL;
	if (qe == NULL || v == NULL) {
		parse_lmstat_skip(st, "bad feature detail line", t.p, t.end);
		return;
	}
	v = parse_util_skip_blanks(v + 9, t.end);
	for (ve = v; ve < t.end && *ve != ',' && !parse_util_blank(*ve); ve++)
		;
	if ((f = parse_lmstat_current(st, "feature detail line", t)) == NULL)
		return;
	if (!parse_util_equal(t.p + 1, qe, f->feature))
		parse_lmstat_error(st->out,
		    "line %zu: detail line of \"%s\" under \"Users of %s\"",
		    st->lineno,
		    parse_util_quote(t.p + 1, (size_t)(qe - t.p - 1), q1,
		        sizeof q1),
		    parse_util_quote_str(f->feature, q2, sizeof q2));
	if (v == ve)
		return;
	if (f->vendor == NULL)
		f->vendor = xstrndup(v, (size_t)(ve - v));
	else if (!parse_util_equal(v, ve, f->vendor))
		parse_lmstat_error(st->out,
		    "line %zu: feature %s: vendor %s differs from %s given before, ignored",
		    st->lineno, parse_util_quote_str(f->feature, q1, sizeof q1),
		    parse_util_quote(v, (size_t)(ve - v), q2, sizeof q2),
		    parse_util_quote_str(f->vendor, q3, sizeof q3));
}

/*
 * "N RESERVATION[s] for ...": 1 if it is one (handled), 0 if the line is
 * something else.
 */
static int
parse_lmstat_reservation(struct parse_lmstat_state *st,
    struct parse_util_span t)
{
	struct parse_lmstat_feature *f;
	struct parse_util_span n, w;
	const char *p = t.p, *why = NULL;
	char q[PARSE_LMSTAT_QUOTE + 4], qf[PARSE_LMSTAT_QUOTE + 4];
	double v;
	int r;

	if (!parse_util_word(&p, t.end, &n) ||
	    !parse_util_word(&p, t.end, &w) ||
	    !(parse_util_equal(w.p, w.end, "RESERVATION") ||
	        parse_util_equal(w.p, w.end, "RESERVATIONs")) ||
	    !parse_lmstat_word_is(&p, t.end, "for"))
		return 0;
	r = parse_lmstat_count(n.p, n.end, &v, &why);
	if (r < 0)
		return 0;
	if ((f = parse_lmstat_current(st, "reservation line", t)) == NULL)
		return 1;
	if (r > 0)
		parse_lmstat_error(st->out,
		    "line %zu: feature %s: reservations '%s': %s", st->lineno,
		    parse_util_quote_str(f->feature, qf, sizeof qf),
		    parse_util_quote(n.p, (size_t)(n.end - n.p), q, sizeof q),
		    why);
	f->reserved += v;
	return 1;
}

/*
 * A user line, "... (server/port handle), start ..." or "... (server/port
 * handle) queued for N licenses": 1 if it is one (handled), 0 if not.
 */
static int
parse_lmstat_user(struct parse_lmstat_state *st, struct parse_util_span t)
{
	struct parse_lmstat_feature *f;
	struct parse_util_span n, w;
	const char *p, *why = NULL;
	char q[PARSE_LMSTAT_QUOTE + 4], qf[PARSE_LMSTAT_QUOTE + 4];
	double v;
	int r;

	if (parse_util_find(t.p, t.end, "), start ") != NULL) {
		parse_lmstat_current(st, "user line", t);
		return 1;
	}
	if ((p = parse_lmstat_rfind(t.p, t.end, ") queued for ")) == NULL)
		return 0;
	p += 13;
	if (!parse_util_word(&p, t.end, &n) ||
	    !parse_util_word(&p, t.end, &w) ||
	    !(parse_util_equal(w.p, w.end, "license") ||
	        parse_util_equal(w.p, w.end, "licenses")) ||
	    parse_util_word(&p, t.end, &w) ||
	    (r = parse_lmstat_count(n.p, n.end, &v, &why)) < 0) {
		parse_lmstat_skip(st, "bad queued user line", t.p, t.end);
		return 1;
	}
	if ((f = parse_lmstat_current(st, "queued user line", t)) == NULL)
		return 1;
	if (r > 0)
		parse_lmstat_error(st->out,
		    "line %zu: feature %s: licences queued '%s': %s",
		    st->lineno, parse_util_quote_str(f->feature, qf, sizeof qf),
		    parse_util_quote(n.p, (size_t)(n.end - n.p), q, sizeof q),
		    why);
	f->queued += v;
	return 1;
}

/* Lines under a detail line that say nothing counted. */
static int
parse_lmstat_detail_more(struct parse_util_span t)
{
	static const char *const first[] = { "floating", "nodelocked",
		"uncounted" };
	size_t i;

	if (parse_util_prefix(t.p, t.end, "vendor_string:") != NULL)
		return 1;
	for (i = 0; i < sizeof first / sizeof first[0]; i++) {
		if (parse_util_prefix(t.p, t.end, first[i]) != NULL &&
		    parse_util_find(t.p, t.end, " license") != NULL)
			return 1;
	}
	return 0;
}

/* "VENDOR: UP v11.6" or "VENDOR: why it is down": 1 if it is one. */
static int
parse_lmstat_vendor(struct parse_lmstat_state *st, struct parse_util_span t)
{
	struct parse_lmstat *out = st->out;
	struct parse_lmstat_vendor *v;
	const char *c, *r, *p;
	unsigned short *slot;
	char *name;
	char q[PARSE_LMSTAT_QUOTE + 4];
	uint32_t h;

	for (c = t.p; c < t.end && *c != ':' && !parse_util_blank(*c); c++)
		;
	if (c == t.p || c + 1 >= t.end || *c != ':' || !parse_util_blank(c[1]))
		return 0;
	r = parse_util_skip_blanks(c + 1, t.end);
	if (out->nvendors == PARSE_LMSTAT_MAX_VENDORS) {
		if (!st->vfull)
			parse_lmstat_error(out,
			    "line %zu: more than %d vendor daemons, the rest are ignored",
			    st->lineno, PARSE_LMSTAT_MAX_VENDORS);
		st->vfull = 1;
		return 1;
	}
	name = xstrndup(t.p, (size_t)(c - t.p));
	h = parse_util_hash(PARSE_UTIL_HASH, name, strlen(name)) %
	    PARSE_LMSTAT_VSLOTS;
	for (;; h = (h + 1) % PARSE_LMSTAT_VSLOTS) {
		slot = &st->vslots[h];
		if (*slot == 0 ||
		    strcmp(out->vendors[*slot - 1].name, name) == 0)
			break;
	}
	if (*slot != 0) {
		parse_lmstat_error(out,
		    "line %zu: vendor daemon %s listed again, ignored",
		    st->lineno,
		    parse_util_quote(t.p, (size_t)(c - t.p), q, sizeof q));
		free(name);
		return 1;
	}
	if (out->nvendors == st->vcap) {
		st->vcap = st->vcap == 0 ? 4 : st->vcap * 2;
		out->vendors = xreallocarray(out->vendors, st->vcap, sizeof *v);
	}
	v = &out->vendors[out->nvendors++];
	v->name = name;
	v->error = NULL;
	p = r;
	v->up = parse_lmstat_word_is(&p, t.end, "UP");
	if (!v->up)
		v->error = xstrndup(r, (size_t)(t.end - r));
	*slot = (unsigned short)out->nvendors;
	return 1;
}

/* A line saying a licence server is down. */
static int
parse_lmstat_server_down(struct parse_util_span t)
{
	return parse_util_find(t.p, t.end,
	           "Cannot connect to license server") != NULL ||
	    parse_util_find(t.p, t.end, "License server machine is down") !=
	    NULL ||
	    parse_util_prefix(t.p, t.end, "Error getting status:") != NULL ||
	    parse_util_prefix(t.p, t.end, "lmgrd is not running") != NULL;
}

/* A command line echoed before the output: "./lmutil lmstat -a ...". */
static int
parse_lmstat_command(struct parse_util_span t)
{
	struct parse_util_span w0, w1;
	const char *p = t.p, *b;

	if (!parse_util_word(&p, t.end, &w0) ||
	    !parse_util_word(&p, t.end, &w1) ||
	    !parse_util_equal(w1.p, w1.end, "lmstat"))
		return 0;
	for (b = w0.end; b > w0.p && b[-1] != '/' && b[-1] != '\\'; b--)
		;
	return (w0.end - b == 6 && strncasecmp(b, "lmutil", 6) == 0) ||
	    (w0.end - b == 10 && strncasecmp(b, "lmutil.exe", 10) == 0);
}

/* Lines before the status proper. */
static int
parse_lmstat_header(struct parse_util_span t)
{
	const char *q;

	if (parse_util_prefix(t.p, t.end, "lmutil - Copyright") != NULL ||
	    parse_util_prefix(t.p, t.end, "lmstat - Copyright") != NULL ||
	    parse_util_prefix(t.p, t.end,
	        "Flexible License Manager status on ") != NULL ||
	    parse_util_equal(t.p, t.end, "[Detecting lmgrd processes...]"))
		return 1;
	if (((q = parse_util_prefix(t.p, t.end, "lmstat v")) != NULL ||
	        (q = parse_util_prefix(t.p, t.end, "lmutil v")) != NULL) &&
	    q < t.end && *q >= '0' && *q <= '9')
		return 1;
	return parse_lmstat_command(t);
}

static void
parse_lmstat_line(struct parse_lmstat_state *st, struct parse_util_span t)
{
	struct parse_lmstat *out = st->out;
	const char *q;

	if (parse_lmstat_header(t))
		return;
	if (parse_util_prefix(t.p, t.end, "License server status:") != NULL) {
		st->section = PARSE_LMSTAT_SEC_SERVERS;
		st->cur = PARSE_LMSTAT_CUR_NONE;
		return;
	}
	if (parse_util_prefix(t.p, t.end, "License file(s) on ") != NULL)
		return;
	if (parse_util_prefix(t.p, t.end, "Vendor daemon status") != NULL) {
		st->section = PARSE_LMSTAT_SEC_VENDORS;
		st->cur = PARSE_LMSTAT_CUR_NONE;
		return;
	}
	if (parse_util_equal(t.p, t.end, "Feature usage info:")) {
		st->section = PARSE_LMSTAT_SEC_FEATURES;
		st->cur = PARSE_LMSTAT_CUR_NONE;
		return;
	}
	if ((q = parse_util_prefix(t.p, t.end, "Users of ")) != NULL) {
		parse_lmstat_users(st, t, q);
		return;
	}
	if ((q = parse_util_prefix(t.p, t.end, "Cannot get users of ")) !=
	    NULL) {
		parse_lmstat_cannot(st, t, q);
		return;
	}
	if (*t.p == '"') {
		parse_lmstat_detail(st, t);
		return;
	}
	if (parse_lmstat_reservation(st, t) || parse_lmstat_user(st, t))
		return;
	if (parse_lmstat_detail_more(t)) {
		parse_lmstat_current(st, "feature detail line", t);
		return;
	}
	if ((q = parse_util_find(t.p, t.end, ": license server ")) != NULL &&
	    q != t.p) {
		q += 17;
		if (parse_lmstat_word_is(&q, t.end, "UP"))
			out->servers_up++;
		else {
			out->servers_down++;
			if (out->server_error == NULL)
				out->server_error =
				    xstrndup(t.p, (size_t)(t.end - t.p));
		}
		return;
	}
	if (st->section == PARSE_LMSTAT_SEC_VENDORS &&
	    parse_lmstat_vendor(st, t))
		return;
	if (parse_lmstat_server_down(t)) {
		out->servers_down++;
		if (out->server_error == NULL)
			out->server_error =
			    xstrndup(t.p, (size_t)(t.end - t.p));
		return;
	}
	parse_lmstat_skip(st, "line not understood", t.p, t.end);
}

/*
 * The end: vendors of features that never said theirs, then features of a
 * key seen before dropped.
 */
static void
parse_lmstat_finish(struct parse_lmstat *out)
{
	unsigned short *slots, *slot;
	struct parse_lmstat_feature *f, *g;
	const char *only = out->nvendors == 1 ? out->vendors[0].name : "";
	char q[PARSE_LMSTAT_QUOTE + 4], qv[PARSE_LMSTAT_QUOTE + 4];
	size_t i, n = 0;
	uint32_t h;

	slots = xcalloc(PARSE_LMSTAT_FSLOTS, sizeof *slots);
	for (i = 0; i < out->nfeatures; i++) {
		f = &out->features[i];
		if (f->vendor == NULL)
			f->vendor = xstrdup(only);
		h = parse_util_hash(PARSE_UTIL_HASH, f->vendor,
		    strlen(f->vendor));
		h = parse_util_hash(h ^ 0xff, f->feature, strlen(f->feature)) %
		    PARSE_LMSTAT_FSLOTS;
		for (;; h = (h + 1) % PARSE_LMSTAT_FSLOTS) {
			slot = &slots[h];
			if (*slot == 0)
				break;
			g = &out->features[*slot - 1];
			if (strcmp(g->vendor, f->vendor) == 0 &&
			    strcmp(g->feature, f->feature) == 0)
				break;
		}
		if (*slot != 0) {
			g = &out->features[*slot - 1];
			parse_lmstat_error(out,
			    "line %zu: feature %s of vendor %s listed again (first at line %zu), dropped",
			    f->line,
			    parse_util_quote_str(f->feature, q, sizeof q),
			    f->vendor[0] != '\0'
			        ? parse_util_quote_str(f->vendor, qv, sizeof qv)
			        : "\"\"",
			    g->line);
			free(f->vendor);
			free(f->feature);
			free(f->error);
			continue;
		}
		out->features[n] = *f;
		*slot = (unsigned short)++n;
	}
	out->nfeatures = n;
	free(slots);
}

void
parse_lmstat(const char *buf, size_t len, struct parse_lmstat *out)
{
	struct parse_lmstat_state *st;
	struct parse_util_span t;
	const char *p, *end, *next;

	memset(out, 0, sizeof *out);
	st = xcalloc(1, sizeof *st);
	st->out = out;
	st->cur = PARSE_LMSTAT_CUR_NONE;
	if (len == 0)
		buf = "";
	for (p = buf, end = buf + len; p < end; p = next) {
		st->lineno++;
		t = parse_util_trim(p, parse_util_line(p, end, &next));
		if (t.p == t.end)
			continue;
		if (memchr(t.p, '\0', (size_t)(t.end - t.p)) != NULL) {
			parse_lmstat_skip(st, "NUL byte in line", t.p, t.end);
			continue;
		}
		parse_lmstat_line(st, t);
	}
	parse_lmstat_finish(out);
	free(st);
}

void
parse_lmstat_free(struct parse_lmstat *pl)
{
	size_t i;

	if (pl == NULL)
		return;
	for (i = 0; i < pl->nfeatures; i++) {
		free(pl->features[i].vendor);
		free(pl->features[i].feature);
		free(pl->features[i].error);
	}
	free(pl->features);
	for (i = 0; i < pl->nvendors; i++) {
		free(pl->vendors[i].name);
		free(pl->vendors[i].error);
	}
	free(pl->vendors);
	parse_util_errors_free(pl->errors, pl->nerrors);
	free(pl->server_error);
	memset(pl, 0, sizeof *pl);
}
