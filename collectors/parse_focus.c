/*
 * FOCUS CSV, streamed through libcsv. The header row names the columns;
 * each data row keeps only the fields this reader needs (charge period,
 * cost, currency, system key), so a row costs a few small copies and the
 * memory in use does not grow with the file.
 */
#include <csv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_focus.h"
#include "parse_time.h"
#include "parse_util.h"
#include "xmalloc.h"

enum {
	FOCUS_START,
	FOCUS_END,
	FOCUS_COST,
	FOCUS_CURRENCY,
	FOCUS_KEY,
	FOCUS_NFIELDS
};

static const char *const focus_required[] = { "ChargePeriodStart",
	"ChargePeriodEnd" };

struct parse_focus {
	struct csv_parser csv;
	parse_focus_cb cb;
	void *arg;
	char *cost_column;
	char *key_column; /* column:NAME, or "Tags" */
	char *tag; /* tag:KEY */
	int header_done;
	int col[FOCUS_NFIELDS]; /* header index of each, -1 if absent */
	size_t ncols;
	size_t field; /* index in the current row */
	char *val[FOCUS_NFIELDS];
	size_t len[FOCUS_NFIELDS];
	size_t cap[FOCUS_NFIELDS];
	int have[FOCUS_NFIELDS];
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
parse_focus_field_name(int f, const struct parse_focus *p)
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
	default:
		return p->key_column;
	}
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
		if (p->col[f] == -1 &&
		    strlen(parse_focus_field_name(f, p)) == len &&
		    memcmp(parse_focus_field_name(f, p), s, len) == 0)
			p->col[f] = (int)p->ncols;
	}
	p->ncols++;
}

static void
parse_focus_field_cb(void *s, size_t len, void *arg)
{
	struct parse_focus *p = arg;
	int f;

	if (p->fatal != NULL)
		return;
	if (!p->header_done) {
		parse_focus_header_field(p, s, len);
		return;
	}
	for (f = 0; f < FOCUS_NFIELDS; f++) {
		if (p->col[f] != (int)p->field)
			continue;
		if (len + 1 > p->cap[f]) {
			p->cap[f] = len + 1 > 64 ? len + 1 : 64;
			p->val[f] = xrealloc(p->val[f], p->cap[f]);
		}
		memcpy(p->val[f], s, len);
		p->val[f][len] = '\0';
		p->len[f] = len;
		p->have[f] = 1;
	}
	p->field++;
}

/* The system key of the row: a column, or a key of the Tags object. */
static const char *
parse_focus_key(struct parse_focus *p, char **owned)
{
	json_t *root, *v;
	json_error_t err;
	const char *s;

	*owned = NULL;
	if (!p->have[FOCUS_KEY] || p->len[FOCUS_KEY] == 0)
		return NULL;
	if (p->tag == NULL)
		return strcmp(p->val[FOCUS_KEY], "null") == 0
		    ? NULL
		    : p->val[FOCUS_KEY];
	if (strcmp(p->val[FOCUS_KEY], "null") == 0)
		return NULL;
	root = json_loadb(p->val[FOCUS_KEY], p->len[FOCUS_KEY], 0, &err);
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

static void
parse_focus_row_cb(int c, void *arg)
{
	struct parse_focus *p = arg;
	struct parse_focus_row r;
	char *owned = NULL;
	int f;

	(void)c;
	if (p->fatal != NULL)
		return;
	if (!p->header_done) {
		p->header_done = 1;
		for (f = 0; f < 2 && p->fatal == NULL; f++) {
			if (p->col[f] == -1)
				xasprintf(&p->fatal,
				    "the header has no %s column",
				    focus_required[f]);
		}
		if (p->fatal == NULL && p->col[FOCUS_COST] == -1)
			xasprintf(&p->fatal, "the header has no %s column",
			    p->cost_column);
		if (p->fatal == NULL && p->col[FOCUS_KEY] == -1)
			xasprintf(&p->fatal, "the header has no %s column",
			    p->key_column);
		return;
	}
	p->row++;
	p->field = 0;
	memset(&r, 0, sizeof r);
	r.row = p->row;
	if (!p->have[FOCUS_START] ||
	    parse_focus_time(p->val[FOCUS_START], p->len[FOCUS_START],
	        &r.start) != 0) {
		parse_focus_error(p,
		    "row %zu, column ChargePeriodStart: bad "
		    "date",
		    p->row);
		goto reject;
	}
	if (!p->have[FOCUS_END] ||
	    parse_focus_time(p->val[FOCUS_END], p->len[FOCUS_END], &r.end) !=
	        0) {
		parse_focus_error(p,
		    "row %zu, column ChargePeriodEnd: bad date", p->row);
		goto reject;
	}
	if (r.end <= r.start) {
		parse_focus_error(p,
		    "row %zu, column ChargePeriodEnd: not after "
		    "ChargePeriodStart",
		    p->row);
		goto reject;
	}
	if (!p->have[FOCUS_COST] ||
	    parse_focus_amount(p->val[FOCUS_COST], p->len[FOCUS_COST],
	        &r.micros) != 0) {
		parse_focus_error(p, "row %zu, column %s: bad amount", p->row,
		    p->cost_column);
		goto reject;
	}
	r.currency = p->have[FOCUS_CURRENCY] ? p->val[FOCUS_CURRENCY] : "";
	r.key = parse_focus_key(p, &owned);
	p->rows++;
	p->cb(&r, p->arg);
	free(owned);
	goto out;
reject:
	p->rejected++;
out:
	for (f = 0; f < FOCUS_NFIELDS; f++)
		p->have[f] = 0;
}

struct parse_focus *
parse_focus_new(const char *cost_column, const char *system_key,
    parse_focus_cb cb, void *arg)
{
	struct parse_focus *p;
	int f;

	p = xcalloc(1, sizeof *p);
	csv_init(&p->csv, CSV_APPEND_NULL);
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
	if (p->fatal != NULL)
		return;
	if (csv_parse(&p->csv, buf, len, parse_focus_field_cb,
	        parse_focus_row_cb, p) != len &&
	    p->fatal == NULL)
		xasprintf(&p->fatal, "CSV: %s",
		    csv_strerror(csv_error(&p->csv)));
}

int
parse_focus_finish(struct parse_focus *p, char **cause)
{
	if (p->fatal == NULL)
		csv_fini(&p->csv, parse_focus_field_cb, parse_focus_row_cb, p);
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
	csv_free(&p->csv);
	for (f = 0; f < FOCUS_NFIELDS; f++)
		free(p->val[f]);
	parse_util_errors_free(p->errors, p->nerrors);
	free(p->cost_column);
	free(p->key_column);
	free(p->tag);
	free(p->fatal);
	free(p);
}
