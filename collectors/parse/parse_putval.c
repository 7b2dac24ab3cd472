/*
 * Parser of collectd PUTVAL lines. A line is cut into words (collectd's
 * quoting rules), the identifier is checked and split, and each value list
 * becomes one entry. A bad line, or a bad list, costs only itself. Work is
 * linear in the input.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse_putval.h"
#include "parse_util.h"
#include "xmalloc.h"

#define PARSE_PUTVAL_QUOTE 64 /* bytes of input quoted in an error */
#define PARSE_PUTVAL_TIME_MAX 1e15 /* epoch seconds: far off, fits */

struct parse_putval_state {
	struct parse_putvals *out;
	size_t cap; /* entries allocated in out->vals */
	unsigned line;
	int full; /* PARSE_PUTVAL_MAX entries kept: stop */
	int notifs_full; /* PARSE_PUTVAL_MAX_NOTIFS kept: reported */
};

/* Errors go to out's list, PARSE_PUTVAL_MAX_ERRORS at most. */
#define parse_putval_error(out, ...)                      \
	parse_util_error(&(out)->errors, &(out)->nerrors, \
	    PARSE_PUTVAL_MAX_ERRORS, __VA_ARGS__)

/*
 * The next word at *pp (before end) into a new string *w of *wlen bytes (it
 * may hold NUL bytes). As collectd's parse_string and parse_option do, a
 * word starting with '"', or the part after the first '=' of a word when it
 * starts with '"', is a quoted string: \c is c, and it ends at the next
 * unescaped '"', which must end the word. 1, 0 at the end of the line, or -1
 * for bad quoting.
 */
static int
parse_putval_word(const char **pp, const char *end, char **w, size_t *wlen)
{
	const char *p = *pp;
	size_t n = 0, after_eq = SIZE_MAX;
	int quoted = 0;
	char *s;

	p = parse_util_skip_blanks(p, end);
	if (p == end) {
		*pp = p;
		return 0;
	}
	s = xmalloc((size_t)(end - p) + 1);
	while (p < end) {
		if (quoted) {
			if (*p == '\\' && p + 1 < end) {
				s[n++] = p[1];
				p += 2;
			} else if (*p == '"') {
				quoted = -1; /* closed */
				p++;
				break;
			} else
				s[n++] = *p++;
			continue;
		}
		if (parse_util_blank(*p))
			break;
		if (*p == '"' && (n == 0 || n == after_eq)) {
			quoted = 1;
			p++;
			continue;
		}
		if (*p == '=' && after_eq == SIZE_MAX)
			after_eq = n + 1;
		s[n++] = *p++;
	}
	if (quoted == 1 || (quoted == -1 && p < end && !parse_util_blank(*p))) {
		free(s);
		*pp = end;
		return -1;
	}
	s[n] = '\0';
	*w = s;
	*wlen = n;
	*pp = p;
	return 1;
}

/* Split host/plugin/type into e's fields; 0, or -1 with why in *why. */
static int
parse_putval_identifier(const char *s, size_t n, struct parse_putval *e,
    const char **why)
{
	const char *slash[2];
	size_t i, nslash = 0;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f) {
			*why = "control byte in identifier";
			return -1;
		}
		if (s[i] != '/')
			continue;
		if (nslash == 2) {
			*why = "identifier has more than 3 parts";
			return -1;
		}
		slash[nslash++] = s + i;
	}
	if (nslash != 2 || slash[0] == s || slash[1] == slash[0] + 1 ||
	    slash[1] == s + n - 1) {
		*why = "identifier is not host/plugin/type";
		return -1;
	}
	e->identifier = xstrndup(s, n);
	e->host = xstrndup(s, (size_t)(slash[0] - s));
	e->plugin = xstrndup(slash[0] + 1, (size_t)(slash[1] - slash[0] - 1));
	e->type = xstrndup(slash[1] + 1, (size_t)(s + n - slash[1] - 1));
	return 0;
}

/* A time: "N" (0) or epoch seconds, the fraction dropped; 0 or -1. */
static int
parse_putval_time(const char *p, const char *end, long long *t)
{
	double v;

	if (end - p == 1 && *p == 'N') {
		*t = 0;
		return 0;
	}
	if (parse_util_number(p, end, &v) != 0 || v < 0 ||
	    v >= PARSE_PUTVAL_TIME_MAX)
		return -1;
	*t = (long long)v;
	return 0;
}

/* The value list w[0..n) for the identifier in *id, with its interval. */
static void
parse_putval_list(struct parse_putval_state *st, const struct parse_putval *id,
    const char *w, size_t n)
{
	char quote[PARSE_PUTVAL_QUOTE + 4], vq[PARSE_PUTVAL_QUOTE + 4];
	const char *p = w, *end = w + n, *f, *fe;
	struct parse_putval e;
	size_t nv = 0;
	long long t;

	/* The time. */
	if ((fe = memchr(p, ':', n)) == NULL) {
		parse_putval_error(st->out,
		    "line %u: value list '%s' has no values", st->line,
		    parse_util_quote(w, n, quote, sizeof quote));
		return;
	}
	if (parse_putval_time(p, fe, &t) != 0) {
		parse_putval_error(st->out, "line %u: bad time '%s'", st->line,
		    parse_util_quote(p, (size_t)(fe - p), vq, sizeof vq));
		return;
	}
	/* Count before allocating, so a huge list costs nothing. */
	for (f = fe; f != NULL; f = memchr(f + 1, ':', (size_t)(end - f - 1))) {
		if (++nv > PARSE_PUTVAL_MAX_VALUES) {
			parse_putval_error(st->out,
			    "line %u: more than %d values in a list", st->line,
			    PARSE_PUTVAL_MAX_VALUES);
			return;
		}
	}
	if (st->out->n == PARSE_PUTVAL_MAX) {
		parse_putval_error(st->out,
		    "line %u: more than %d value lists, the rest are ignored",
		    st->line, PARSE_PUTVAL_MAX);
		st->full = 1;
		return;
	}

	memset(&e, 0, sizeof e);
	e.time = t;
	e.interval = id->interval;
	e.values = xreallocarray(NULL, nv, sizeof *e.values);
	for (f = fe + 1; e.nvalues < nv; f = fe + 1) {
		if ((fe = memchr(f, ':', (size_t)(end - f))) == NULL)
			fe = end;
		if (fe - f == 1 && *f == 'U')
			e.values[e.nvalues] = NAN;
		else if (parse_util_number(f, fe, &e.values[e.nvalues]) != 0) {
			e.values[e.nvalues] = NAN;
			parse_putval_error(st->out,
			    "line %u: bad value '%s' (number %zu of '%s'), stored as U",
			    st->line,
			    parse_util_quote(f, (size_t)(fe - f), vq,
			        sizeof vq),
			    e.nvalues + 1,
			    parse_util_quote(w, n, quote, sizeof quote));
		}
		e.nvalues++;
	}
	e.identifier = xstrdup(id->identifier);
	e.host = xstrdup(id->host);
	e.plugin = xstrdup(id->plugin);
	e.type = xstrdup(id->type);
	if (st->out->n == st->cap) {
		st->cap = st->cap == 0 ? 8 : st->cap * 2;
		st->out->vals = xreallocarray(st->out->vals, st->cap,
		    sizeof *st->out->vals);
	}
	st->out->vals[st->out->n++] = e;
}

static void
parse_putval_entry_free(struct parse_putval *e)
{
	free(e->identifier);
	free(e->host);
	free(e->plugin);
	free(e->type);
	free(e->values);
}

/* A copy of w[0..n) as a string, control bytes (NUL too) made '?'. */
static char *
parse_putval_text(const char *w, size_t n)
{
	char *s = xmalloc(n + 1);
	size_t i;

	memcpy(s, w, n);
	s[n] = '\0';
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
			s[i] = '?';
	}
	return s;
}

static void
parse_putnotif_free(struct parse_putnotif *n)
{
	free(n->message);
	free(n->host);
	free(n->plugin);
	free(n->plugin_instance);
	free(n->type);
	free(n->type_instance);
}

/* One option of a PUTNOTIF line: k[0..kn) = v[0..vn). 0, or -1 with why. */
static int
parse_putnotif_option(struct parse_putnotif *n, const char *k, size_t kn,
    const char *v, size_t vn, const char **why)
{
	static const char *const sev[] = { "failure", "warning", "okay" };
	static const char *const names[] = { "host", "plugin",
		"plugin_instance", "type", "type_instance" };
	char **texts[] = { &n->host, &n->plugin, &n->plugin_instance, &n->type,
		&n->type_instance };
	size_t i;

	if (kn == 8 && strncasecmp(k, "severity", 8) == 0) {
		for (i = 0; i < 3; i++) {
			if (strlen(sev[i]) == vn &&
			    strncasecmp(sev[i], v, vn) == 0) {
				strcpy(n->severity, sev[i]);
				return 0;
			}
		}
		*why = "severity is not failure, warning or okay";
		return -1;
	}
	if (kn == 4 && strncasecmp(k, "time", 4) == 0) {
		if (parse_putval_time(v, v + vn, &n->time) == 0)
			return 0;
		*why = "bad time";
		return -1;
	}
	for (i = 0; i < sizeof names / sizeof *names; i++) {
		if (strlen(names[i]) == kn &&
		    strncasecmp(names[i], k, kn) == 0) {
			free(*texts[i]);
			*texts[i] = parse_putval_text(v, vn);
		}
	}
	return 0; /* others are ignored, as collectd does */
}

/* The message: the rest of the line, a quoted string or the text. */
static int
parse_putnotif_message(struct parse_putnotif *n, const char *p, const char *end,
    const char **why)
{
	struct parse_util_span t;
	char *w;
	size_t wn;

	p += 8; /* "message=" */
	if (p < end && *p == '"') {
		if (parse_putval_word(&p, end, &w, &wn) != 1) {
			*why = "bad quoting of message";
			return -1;
		}
		if (parse_util_skip_blanks(p, end) != end) {
			free(w);
			*why = "bad quoting of message";
			return -1;
		}
		n->message = parse_putval_text(w, wn);
		free(w);
	} else {
		t = parse_util_trim(p, end);
		n->message = parse_putval_text(t.p, (size_t)(t.end - t.p));
	}
	if (n->message[0] == '\0') {
		*why = "empty message";
		return -1;
	}
	return 0;
}

/* A line after the PUTNOTIF word: options, then message=. */
static void
parse_putnotif_line(struct parse_putval_state *st, const char *p,
    const char *end)
{
	struct parse_putnotif n;
	const char *why = NULL;
	char *w, *eq;
	size_t wn;
	int r;

	memset(&n, 0, sizeof n);
	for (;;) {
		p = parse_util_skip_blanks(p, end);
		if (p == end)
			break;
		if (end - p >= 8 && strncasecmp(p, "message=", 8) == 0) {
			if (parse_putnotif_message(&n, p, end, &why) != 0)
				goto bad;
			break;
		}
		if ((r = parse_putval_word(&p, end, &w, &wn)) != 1) {
			why = "bad quoting";
			goto bad;
		}
		if ((eq = memchr(w, '=', wn)) == NULL) {
			why = "an option without '='";
			free(w);
			goto bad;
		}
		r = parse_putnotif_option(&n, w, (size_t)(eq - w), eq + 1,
		    (size_t)(w + wn - eq - 1), &why);
		free(w);
		if (r != 0)
			goto bad;
	}
	if (n.message == NULL)
		why = "no message";
	else if (n.severity[0] == '\0')
		why = "no severity";
	if (why != NULL)
		goto bad;
	if (st->out->nnotifs == PARSE_PUTVAL_MAX_NOTIFS) {
		if (!st->notifs_full)
			parse_putval_error(st->out,
			    "line %u: more than %d notifications, the rest are ignored",
			    st->line, PARSE_PUTVAL_MAX_NOTIFS);
		st->notifs_full = 1;
		parse_putnotif_free(&n);
		return;
	}
	st->out->notifs = xreallocarray(st->out->notifs, st->out->nnotifs + 1,
	    sizeof *st->out->notifs);
	st->out->notifs[st->out->nnotifs++] = n;
	return;
bad:
	parse_putval_error(st->out, "line %u: bad PUTNOTIF: %s", st->line, why);
	parse_putnotif_free(&n);
}

/* A line after the PUTVAL word: identifier, options and value lists. */
static void
parse_putval_line(struct parse_putval_state *st, const char *p, const char *end)
{
	char quote[PARSE_PUTVAL_QUOTE + 4];
	struct parse_putval id;
	const char *why;
	char *w, *eq;
	size_t n;
	int r, lists = 0;
	double iv;

	memset(&id, 0, sizeof id);
	if ((r = parse_putval_word(&p, end, &w, &n)) != 1) {
		parse_putval_error(st->out, "line %u: %s", st->line,
		    r == 0 ? "no identifier" : "bad quoting");
		return;
	}
	r = parse_putval_identifier(w, n, &id, &why);
	if (r != 0) {
		parse_putval_error(st->out, "line %u: bad identifier '%s': %s",
		    st->line, parse_util_quote(w, n, quote, sizeof quote), why);
		free(w);
		return;
	}
	free(w);
	while (!st->full && (r = parse_putval_word(&p, end, &w, &n)) == 1) {
		if ((eq = memchr(w, '=', n)) == NULL) {
			parse_putval_list(st, &id, w, n);
			lists++;
		} else if (eq - w == 8 && strncasecmp(w, "interval", 8) == 0) {
			if (parse_util_number(eq + 1, w + n, &iv) != 0 ||
			    iv <= 0) {
				parse_putval_error(st->out,
				    "line %u: bad interval '%s', ignored",
				    st->line,
				    parse_util_quote(eq + 1,
				        (size_t)(w + n - eq - 1), quote,
				        sizeof quote));
			} else
				id.interval = iv;
		}
		free(w);
	}
	if (r == -1)
		parse_putval_error(st->out, "line %u: bad quoting", st->line);
	else if (lists == 0 && !st->full)
		parse_putval_error(st->out, "line %u: no value list", st->line);
	parse_putval_entry_free(&id);
}

void
parse_putval(const char *buf, size_t len, struct parse_putvals *out)
{
	struct parse_putval_state st = { out, 0, 0, 0, 0 };
	char quote[PARSE_PUTVAL_QUOTE + 4];
	const char *p, *end, *next, *q;
	struct parse_util_span t;

	memset(out, 0, sizeof *out);
	if (len == 0)
		buf = "";
	for (p = buf, end = buf + len; p < end && !st.full; p = next) {
		st.line++;
		t = parse_util_trim(p, parse_util_line(p, end, &next));
		if (t.p == t.end || *t.p == '#')
			continue;
		for (q = t.p; q < t.end && !parse_util_blank(*q); q++)
			;
		if (q - t.p == 6 && strncasecmp(t.p, "PUTVAL", 6) == 0)
			parse_putval_line(&st, q, t.end);
		else if (q - t.p == 8 && strncasecmp(t.p, "PUTNOTIF", 8) == 0)
			parse_putnotif_line(&st, q, t.end);
		else
			parse_putval_error(out,
			    "line %u: not a PUTVAL line '%s'", st.line,
			    parse_util_quote(t.p, (size_t)(t.end - t.p), quote,
			        sizeof quote));
	}
}

void
parse_putval_free(struct parse_putvals *pv)
{
	size_t i;

	if (pv == NULL)
		return;
	for (i = 0; i < pv->n; i++)
		parse_putval_entry_free(&pv->vals[i]);
	free(pv->vals);
	for (i = 0; i < pv->nnotifs; i++)
		parse_putnotif_free(&pv->notifs[i]);
	free(pv->notifs);
	parse_util_errors_free(pv->errors, pv->nerrors);
	memset(pv, 0, sizeof *pv);
}
