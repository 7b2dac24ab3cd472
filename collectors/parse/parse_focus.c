/*
 * FOCUS CSV, streamed through a scanner of its own: a record is split in
 * place (quoted fields with "" escapes, embedded newlines, CRLF or CR
 * line ends, a BOM, blank lines skipped, spaces around unquoted fields
 * dropped, as libcsv does), and only the fields this reader needs (charge
 * period, cost, currency, system key) are copied out. A record cut by the
 * end of a chunk is carried to the next, so memory stays at one record
 * whatever the file's size. The Tags JSON is read by a small scanner for
 * the plain objects exports hold; anything else (escapes, nesting,
 * non-ASCII) goes to jansson, which has the last word.
 */
#include <jansson.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_focus.h"
#include "parse_time.h"
#include "parse_util.h"
#include "xmalloc.h"

/* A record longer than this is not a cost row: the file is refused. */
#define PARSE_FOCUS_MAX_RECORD (4 * 1024 * 1024)

enum parse_focus_field_id {
	FOCUS_START,
	FOCUS_END,
	FOCUS_COST,
	FOCUS_CURRENCY,
	FOCUS_KEY,
	FOCUS_BP_START,
	FOCUS_BP_END,
	FOCUS_NFIELDS
};

const char *const parse_focus_cost_columns[] = { "EffectiveCost", "BilledCost",
	"ListCost", "ContractedCost", NULL };

/* A billing period's time as last read: rows come in runs of one period,
 * so its text is parsed once per run. */
struct parse_focus_memo {
	char text[64];
	size_t len;
	long long t;
};

static const char *const focus_required[] = { "ChargePeriodStart",
	"ChargePeriodEnd" };

struct parse_focus {
	parse_focus_cb cb;
	void *arg;
	char *cost_column;
	char *key_column; /* column:NAME, or "Tags" */
	char *tag; /* tag:KEY */
	int header_done;
	int col[FOCUS_NFIELDS]; /* header index of each, -1 if absent */
	size_t ncols;
	/* By column: a bit per field it is (a column may be two). */
	uint8_t *want;
	/* A field as it lies in the record (valid while its row is made),
	 * or in val when it had to be copied; esc: it still holds "". */
	const char *raw[FOCUS_NFIELDS];
	int esc[FOCUS_NFIELDS];
	char *val[FOCUS_NFIELDS];
	size_t len[FOCUS_NFIELDS];
	size_t cap[FOCUS_NFIELDS];
	int have[FOCUS_NFIELDS];
	char *name; /* a header name, unescaped */
	size_t name_cap;
	char *keybuf; /* the Tags key's value */
	size_t keybuf_cap;
	struct parse_focus_memo memo[2]; /* BillingPeriodStart, End */
	/* A record the last chunk ended in. */
	char *carry;
	size_t carry_len, carry_cap;
	size_t row;
	size_t rows;
	size_t rejected;
	char **errors;
	size_t nerrors;
	char *fatal;
};

#define parse_focus_error(p, ...)                                             \
	parse_util_error(&(p)->errors, &(p)->nerrors, PARSE_FOCUS_MAX_ERRORS, \
	    __VA_ARGS__)

/* The bytes that end an unquoted field. */
static const uint8_t
    parse_focus_stop[256] = { [','] = 1, ['\n'] = 1, ['\r'] = 1 };

int
parse_focus_amount(const char *s, size_t len, long long *micros)
{
	const char *end = s + len;
	unsigned long long mant = 0;
	int neg = 0, digits = 0, frac = 0, exp = 0, eneg = 0, any = 0;
	int shift;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (s < end && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	for (; s < end && *s >= '0' && *s <= '9'; s++, any = 1) {
		if (digits < 18) {
			mant = mant * 10 + (unsigned)(*s - '0');
			if (mant != 0)
				digits++;
		} else
			exp++; /* digits past 18: scale instead */
	}
	if (s < end && *s == '.') {
		for (s++; s < end && *s >= '0' && *s <= '9'; s++, any = 1) {
			if (digits < 18) {
				mant = mant * 10 + (unsigned)(*s - '0');
				if (mant != 0)
					digits++;
				frac++;
			} /* past 18 significant digits: dropped */
		}
	}
	if (!any)
		return -1;
	if (s < end && (*s == 'e' || *s == 'E')) {
		int e = 0, edig = 0;

		s++;
		if (s < end && (*s == '-' || *s == '+'))
			eneg = *s++ == '-';
		for (; s < end && *s >= '0' && *s <= '9'; s++, edig++) {
			if (e < 10000)
				e = e * 10 + (*s - '0');
		}
		if (edig == 0)
			return -1;
		exp += eneg ? -e : e;
	}
	if (s != end)
		return -1;
	/* value = mant * 10^(exp - frac); micros = value * 10^6. */
	shift = exp - frac + 6;
	if (shift >= 0) {
		for (; shift > 0; shift--) {
			if (mant > 922337203685477580ULL)
				return -1;
			mant *= 10;
		}
	} else {
		int last = 0;

		for (; shift < 0; shift++) {
			last = (int)(mant % 10);
			mant /= 10;
			if (mant == 0 && shift < -20)
				break;
		}
		if (last >= 5)
			mant++; /* half away from zero */
	}
	if (mant > 9223372036854775807ULL)
		return -1;
	*micros = neg ? -(long long)mant : (long long)mant;
	return 0;
}

static int
parse_focus_time(const char *s, size_t len, long long *t)
{
	long long ns;

	if (parse_time(s, len, &ns) != 0)
		return -1;
	*t =
	    ns >= 0 ? ns / 1000000000LL : -((-ns + 999999999LL) / 1000000000LL);
	return 0;
}

static const char *
parse_focus_field_name(enum parse_focus_field_id f, const struct parse_focus *p)
{
	switch (f) {
	case FOCUS_START:
		return "ChargePeriodStart";
	case FOCUS_END:
		return "ChargePeriodEnd";
	case FOCUS_COST:
		return p->cost_column;
	case FOCUS_CURRENCY:
		return "BillingCurrency";
	case FOCUS_KEY:
		return p->key_column;
	case FOCUS_BP_START:
		return "BillingPeriodStart";
	case FOCUS_BP_END:
		return "BillingPeriodEnd";
	case FOCUS_NFIELDS:
		break;
	}
	return "";
}

/* A billing period time, parsed once for a run of equal texts. */
static int
parse_focus_memo_time(struct parse_focus_memo *m, const char *s, size_t len,
    long long *t)
{
	if (m->len != 0 && len == m->len && memcmp(m->text, s, len) == 0) {
		*t = m->t;
		return 0;
	}
	if (parse_focus_time(s, len, t) != 0)
		return -1;
	if (len < sizeof m->text) {
		memcpy(m->text, s, len);
		m->len = len;
		m->t = *t;
	}
	return 0;
}

/* Copy a field to *buf, its "" made ", NUL-terminated. Returns its length. */
static size_t
parse_focus_copy(char **buf, size_t *cap, const char *s, size_t len, int esc)
{
	size_t i, n = 0;

	if (len + 1 > *cap) {
		*cap = len + 1 > 64 ? len + 1 : 64;
		*buf = xrealloc(*buf, *cap);
	}
	if (!esc) {
		memcpy(*buf, s, len);
		n = len;
	} else {
		for (i = 0; i < len; i++) {
			(*buf)[n++] = s[i];
			if (s[i] == '"' && i + 1 < len && s[i + 1] == '"')
				i++;
		}
	}
	(*buf)[n] = '\0';
	return n;
}

static void
parse_focus_header_field(struct parse_focus *p, const char *s, size_t len)
{
	int f;

	/* A byte order mark before the first name. */
	if (p->ncols == 0 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		len -= 3;
	}
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	for (f = 0; f < FOCUS_NFIELDS; f++) {
		const char *name =
		    parse_focus_field_name((enum parse_focus_field_id)f, p);

		if (p->col[f] == -1 && strlen(name) == len &&
		    memcmp(name, s, len) == 0)
			p->col[f] = (int)p->ncols;
	}
	p->ncols++;
}

/* Field i of the current record (esc: it holds "" escapes). */
static void
parse_focus_field(struct parse_focus *p, size_t i, const char *s, size_t len,
    int esc)
{
	unsigned bits;
	int f;

	if (!p->header_done) {
		len = parse_focus_copy(&p->name, &p->name_cap, s, len, esc);
		parse_focus_header_field(p, p->name, len);
		return;
	}
	if (i >= p->ncols || (bits = p->want[i]) == 0)
		return;
	for (f = 0; f < FOCUS_NFIELDS; f++) {
		if ((bits & (1u << f)) == 0)
			continue;
		p->have[f] = 1;
		p->esc[f] = 0;
		if ((f == FOCUS_KEY && p->tag != NULL) ||
		    (!esc && f != FOCUS_CURRENCY && f != FOCUS_KEY)) {
			/* Read where it lies: Tags, times and amounts. */
			p->raw[f] = s;
			p->len[f] = len;
			p->esc[f] = esc;
			continue;
		}
		p->len[f] =
		    parse_focus_copy(&p->val[f], &p->cap[f], s, len, esc);
		p->raw[f] = p->val[f];
	}
}

/* The system key of the row: a column, or a key of the Tags object. */
static const char *
parse_focus_key(struct parse_focus *p, char **owned)
{
	json_t *root, *v;
	json_error_t err;
	const char *s;
	size_t len;

	*owned = NULL;
	if (!p->have[FOCUS_KEY] || p->len[FOCUS_KEY] == 0)
		return NULL;
	if (p->len[FOCUS_KEY] == 4 && memcmp(p->raw[FOCUS_KEY], "null", 4) == 0)
		return NULL;
	if (p->tag == NULL)
		return p->val[FOCUS_KEY];
	/* Tags as it lies, its quotes still doubled when it was quoted. */
	switch (parse_focus_tag_quoted(p->raw[FOCUS_KEY], p->len[FOCUS_KEY],
	    p->tag, &s, &len, p->esc[FOCUS_KEY] ? 2 : 1)) {
	case 1:
		parse_focus_copy(&p->keybuf, &p->keybuf_cap, s, len, 0);
		return p->keybuf;
	case 0:
		return NULL;
	}
	len = parse_focus_copy(&p->val[FOCUS_KEY], &p->cap[FOCUS_KEY],
	    p->raw[FOCUS_KEY], p->len[FOCUS_KEY], p->esc[FOCUS_KEY]);
	root = json_loadb(p->val[FOCUS_KEY], len, 0, &err);
	if (root == NULL || !json_is_object(root)) {
		parse_focus_error(p, "row %zu, column Tags: not a JSON object",
		    p->row);
		json_decref(root);
		return NULL;
	}
	v = json_object_get(root, p->tag);
	s = json_is_string(v) ? json_string_value(v) : NULL;
	if (s != NULL)
		*owned = xstrdup(s);
	json_decref(root);
	return *owned;
}

/* The header is read: every column needed must be there. */
static void
parse_focus_header_end(struct parse_focus *p)
{
	int f;

	p->header_done = 1;
	for (f = 0; f < 2 && p->fatal == NULL; f++) {
		if (p->col[f] == -1)
			xasprintf(&p->fatal, "the header has no %s column",
			    focus_required[f]);
	}
	if (p->fatal == NULL && p->col[FOCUS_COST] == -1)
		xasprintf(&p->fatal, "the header has no %s column",
		    p->cost_column);
	if (p->fatal == NULL && p->col[FOCUS_KEY] == -1)
		xasprintf(&p->fatal, "the header has no %s column",
		    p->key_column);
	p->want = xcalloc(p->ncols + 1, sizeof *p->want);
	for (f = 0; f < FOCUS_NFIELDS; f++) {
		if (p->col[f] != -1)
			p->want[p->col[f]] |= (uint8_t)(1u << f);
	}
}

/* The row's billing period, when the header has one. 0, or -1 (reported). */
static int
parse_focus_billing(struct parse_focus *p, struct parse_focus_row *r)
{
	if (p->col[FOCUS_BP_START] == -1)
		return 0;
	if (!p->have[FOCUS_BP_START] ||
	    parse_focus_memo_time(&p->memo[0], p->raw[FOCUS_BP_START],
	        p->len[FOCUS_BP_START], &r->bp_start) != 0) {
		parse_focus_error(p,
		    "row %zu, column BillingPeriodStart: bad date", p->row);
		return -1;
	}
	r->has_bp = 1;
	r->bp_end = r->bp_start;
	if (p->col[FOCUS_BP_END] == -1)
		return 0;
	if (!p->have[FOCUS_BP_END] ||
	    parse_focus_memo_time(&p->memo[1], p->raw[FOCUS_BP_END],
	        p->len[FOCUS_BP_END], &r->bp_end) != 0) {
		parse_focus_error(p,
		    "row %zu, column BillingPeriodEnd: bad date", p->row);
		return -1;
	}
	if (r->bp_end <= r->bp_start) {
		parse_focus_error(p,
		    "row %zu, column BillingPeriodEnd: not after BillingPeriodStart",
		    p->row);
		return -1;
	}
	return 0;
}

static void
parse_focus_row(struct parse_focus *p)
{
	struct parse_focus_row r;
	char *owned = NULL;

	p->row++;
	memset(&r, 0, sizeof r);
	r.row = p->row;
	if (!p->have[FOCUS_START] ||
	    parse_focus_time(p->raw[FOCUS_START], p->len[FOCUS_START],
	        &r.start) != 0) {
		parse_focus_error(p,
		    "row %zu, column ChargePeriodStart: bad date", p->row);
		goto reject;
	}
	if (!p->have[FOCUS_END] ||
	    parse_focus_time(p->raw[FOCUS_END], p->len[FOCUS_END], &r.end) !=
	        0) {
		parse_focus_error(p,
		    "row %zu, column ChargePeriodEnd: bad date", p->row);
		goto reject;
	}
	if (r.end <= r.start) {
		parse_focus_error(p,
		    "row %zu, column ChargePeriodEnd: not after ChargePeriodStart",
		    p->row);
		goto reject;
	}
	if (!p->have[FOCUS_COST] ||
	    parse_focus_amount(p->raw[FOCUS_COST], p->len[FOCUS_COST],
	        &r.micros) != 0) {
		parse_focus_error(p, "row %zu, column %s: bad amount", p->row,
		    p->cost_column);
		goto reject;
	}
	if (parse_focus_billing(p, &r) != 0)
		goto reject;
	r.currency = p->have[FOCUS_CURRENCY] ? p->val[FOCUS_CURRENCY] : "";
	r.key = parse_focus_key(p, &owned);
	p->rows++;
	p->cb(&r, p->arg);
	free(owned);
	return;
reject:
	p->rejected++;
}

/*
 * The first , \r or \n at or after s, or e: where an unquoted field ends.
 * Sixteen bytes at a time where SSE2 is there (every x86-64): fields
 * are short, so one look usually finds it.
 */
static inline const char *
parse_focus_delimiter(const char *s, const char *e)
{
#ifdef __SSE2__
	const __m128i comma = _mm_set1_epi8(','), cr = _mm_set1_epi8('\r');
	const __m128i nl = _mm_set1_epi8('\n');
	__m128i v, m;
	int bits;

	while (e - s >= 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)s);
		m = _mm_or_si128(_mm_cmpeq_epi8(v, comma),
		    _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, nl)));
		if ((bits = _mm_movemask_epi8(m)) != 0)
			return s + __builtin_ctz((unsigned)bits);
		s += 16;
	}
#endif
	while (s < e && !parse_focus_stop[(unsigned char)*s])
		s++;
	return s;
}

/*
 * A blank line (spaces only, too) at s makes no row: 1 with *n the bytes
 * it takes (0 when it goes on past e), or 0 when s starts a record.
 */
static int
parse_focus_blank(const char *s, const char *e, int eof, size_t *n)
{
	const char *q = s;

	while (q < e && (*q == ' ' || *q == '\t'))
		q++;
	if (q == e)
		*n = eof ? (size_t)(e - s) : 0;
	else if (*q == '\n')
		*n = (size_t)(q - s) + 1;
	else if (*q == '\r') {
		if (q + 1 == e && !eof)
			*n = 0;
		else
			*n = (size_t)(q - s) +
			    (q + 1 < e && q[1] == '\n' ? 2 : 1);
	} else
		return 0;
	return 1;
}

/*
 * A quoted field whose text starts at x (after its opening quote): *fe
 * its end, *next where the scan goes on, *esc set when it holds ""
 * escapes. -1 when it goes on past e (never at eof).
 */
static int
parse_focus_quoted(const char *x, const char *e, int eof, const char **fe,
    const char **next, int *esc)
{
	const char *y = e;

	for (;;) {
		x = memchr(x, '"', (size_t)(e - x));
		if (x == NULL) {
			if (!eof)
				return -1;
			x = e; /* unterminated: to the end */
			break;
		}
		if (x + 1 == e && !eof)
			return -1;
		if (x + 1 < e && x[1] == '"') {
			*esc = 1;
			x += 2;
			continue;
		}
		/* It closes the field when a delimiter follows (spaces
		 * between); else it is a quote in the field, as libcsv has
		 * it. */
		for (y = x + 1; y < e && (*y == ' ' || *y == '\t'); y++)
			;
		if (y == e && !eof)
			return -1;
		if (y == e || parse_focus_stop[(unsigned char)*y])
			break;
		x = y;
	}
	*fe = x;
	*next = x < e ? y : e;
	return 0;
}

/*
 * One record at s (e its end so far): its fields, then its row. Returns
 * the bytes it took, its line end included, or 0 when the record goes on
 * past e (never at the end of the input, eof, unless s == e).
 */
static size_t
parse_focus_record(struct parse_focus *p, const char *s, const char *e, int eof)
{
	const char *q = s, *fs, *fe;
	size_t i = 0, n;
	int esc, f;

	if (parse_focus_blank(s, e, eof, &n))
		return n;
	if (!p->header_done) {
		/* A record may be tried again: start the header afresh. */
		p->ncols = 0;
		for (f = 0; f < FOCUS_NFIELDS; f++)
			p->col[f] = -1;
		if (e - q < 3 && !eof &&
		    memcmp(q, "\xef\xbb\xbf", (size_t)(e - q)) == 0)
			return 0;
		if (e - q >= 3 && memcmp(q, "\xef\xbb\xbf", 3) == 0)
			q += 3;
	}
	for (f = 0; f < FOCUS_NFIELDS; f++)
		p->have[f] = 0;
	for (;; i++) {
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		esc = 0;
		if (q < e && *q == '"') {
			fs = q + 1;
			if (parse_focus_quoted(fs, e, eof, &fe, &q, &esc) != 0)
				return 0;
		} else {
			fs = q;
			q = parse_focus_delimiter(q, e);
			fe = q;
		}
		if (q == e && !eof)
			return 0;
		/* Most columns are not needed: only walked over. */
		if (p->header_done && (i >= p->ncols || p->want[i] == 0))
			;
		else {
			if (!esc)
				while (fe > fs &&
				    (fe[-1] == ' ' || fe[-1] == '\t'))
					fe--;
			parse_focus_field(p, i, fs, (size_t)(fe - fs), esc);
		}
		if (q < e && *q == ',') {
			q++;
			continue;
		}
		break;
	}
	if (q < e && *q == '\r') {
		if (q + 1 == e && !eof)
			return 0;
		q += q + 1 < e && q[1] == '\n' ? 2 : 1;
	} else if (q < e)
		q++; /* \n */
	if (!p->header_done)
		parse_focus_header_end(p);
	else
		parse_focus_row(p);
	return (size_t)(q - s);
}

static void
parse_focus_carry(struct parse_focus *p, const char *buf, size_t len)
{
	if (p->carry_len + len > PARSE_FOCUS_MAX_RECORD) {
		xasprintf(&p->fatal, "row %zu: a record of more than %d bytes",
		    p->row + 1, PARSE_FOCUS_MAX_RECORD);
		return;
	}
	if (p->carry_len + len > p->carry_cap) {
		p->carry_cap = (p->carry_len + len) * 2;
		p->carry = xrealloc(p->carry, p->carry_cap);
	}
	memcpy(p->carry + p->carry_len, buf, len);
	p->carry_len += len;
}

static void
parse_focus_input(struct parse_focus *p, const char *buf, size_t len, int eof)
{
	const char *nl;
	size_t n, take, off;

	/* First the record an earlier chunk ended in, and what follows it. */
	while (p->carry_len > 0 && p->fatal == NULL) {
		n = parse_focus_record(p, p->carry, p->carry + p->carry_len,
		    eof && len == 0);
		if (n > 0) {
			memmove(p->carry, p->carry + n, p->carry_len - n);
			p->carry_len -= n;
			continue;
		}
		if (len == 0)
			return;
		/* At least as much again as the carry holds (to a line's
		 * end): a record of many lines is not read again per line. */
		off = p->carry_len < len ? p->carry_len : len;
		nl = memchr(buf + off, '\n', len - off);
		take = nl != NULL ? (size_t)(nl - buf) + 1 : len;
		parse_focus_carry(p, buf, take);
		buf += take;
		len -= take;
	}
	while (len > 0 && p->fatal == NULL) {
		if ((n = parse_focus_record(p, buf, buf + len, eof)) == 0) {
			parse_focus_carry(p, buf, len);
			return;
		}
		buf += n;
		len -= n;
	}
}

struct parse_focus *
parse_focus_new(const char *cost_column, const char *system_key,
    parse_focus_cb cb, void *arg)
{
	struct parse_focus *p;
	int f;

	p = xcalloc(1, sizeof *p);
	p->cb = cb;
	p->arg = arg;
	p->cost_column = xstrdup(cost_column);
	if (strncmp(system_key, "tag:", 4) == 0) {
		p->tag = xstrdup(system_key + 4);
		p->key_column = xstrdup("Tags");
	} else if (strncmp(system_key, "column:", 7) == 0)
		p->key_column = xstrdup(system_key + 7);
	else
		p->key_column = xstrdup(system_key);
	for (f = 0; f < FOCUS_NFIELDS; f++)
		p->col[f] = -1;
	return p;
}

void
parse_focus_feed(struct parse_focus *p, const char *buf, size_t len)
{
	if (p->fatal == NULL)
		parse_focus_input(p, buf, len, 0);
}

int
parse_focus_finish(struct parse_focus *p, char **cause)
{
	if (p->fatal == NULL)
		parse_focus_input(p, NULL, 0, 1);
	if (p->fatal == NULL && !p->header_done)
		p->fatal = xstrdup("no header row");
	if (p->fatal != NULL) {
		*cause = xstrdup(p->fatal);
		return -1;
	}
	return 0;
}

size_t
parse_focus_rows(const struct parse_focus *p)
{
	return p->rows;
}

size_t
parse_focus_rejected(const struct parse_focus *p)
{
	return p->rejected;
}

char *const *
parse_focus_errors(const struct parse_focus *p, size_t *n)
{
	*n = p->nerrors;
	return p->errors;
}

void
parse_focus_free(struct parse_focus *p)
{
	int f;

	if (p == NULL)
		return;
	for (f = 0; f < FOCUS_NFIELDS; f++)
		free(p->val[f]);
	free(p->want);
	free(p->name);
	free(p->keybuf);
	free(p->carry);
	parse_util_errors_free(p->errors, p->nerrors);
	free(p->cost_column);
	free(p->key_column);
	free(p->tag);
	free(p->fatal);
	free(p);
}
