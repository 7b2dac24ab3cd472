/*
 * Blanking the collectors of the systems a one-system command does not
 * read (confcut.h): a scan of the text as libconfig tokenizes it that
 * notes the spans to blank, and blanks them only once the whole text has
 * been followed.
 */
#include <stdlib.h>
#include <string.h>

#include "confcut.h"
#include "xmalloc.h"

enum confcut_kind {
	CONFCUT_END,
	CONFCUT_BAD,
	CONFCUT_WORD,
	CONFCUT_STRING,
	CONFCUT_OPEN,
	CONFCUT_CLOSE,
	CONFCUT_ASSIGN,
	CONFCUT_SEP,
};

struct confcut_tok {
	enum confcut_kind kind;
	const char *s, *e; /* its bytes (a string: between the quotes) */
};

struct confcut_span {
	size_t from, to;
};

struct confcut {
	const char *text, *p, *end;
	char stack[CONFCUT_DEPTH]; /* the open brackets */
	size_t depth;
	struct confcut_tok back; /* a token read ahead */
	int has_back;
	size_t list; /* depth inside the systems list (0: not in it) */
	int seen_list, in_system, has_id, id_plain, has_coll;
	const char *id_s, *id_e;
	struct confcut_span coll, *spans;
	size_t nspans;
};

/* Past blanks and comments; NULL at an unterminated comment. */
static const char *
confcut_blank(const char *p, const char *end)
{
	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' ||
		    *p == '\f')
			p++;
		else if (*p == '#' ||
		    (*p == '/' && p + 1 < end && p[1] == '/')) {
			while (p < end && *p != '\n')
				p++;
		} else if (*p == '/' && p + 1 < end && p[1] == '*') {
			for (p += 2;
			     p + 1 < end && !(p[0] == '*' && p[1] == '/'); p++)
				;
			if (p + 1 >= end)
				return NULL;
			p += 2;
		} else
			break;
	}
	return p;
}

/* Bytes that end a word (and NUL, which libconfig would stop at). */
static const unsigned char confcut_stops[256] = {
	['\0'] = 1,
	[' '] = 1,
	['\t'] = 1,
	['\r'] = 1,
	['\n'] = 1,
	['\f'] = 1,
	['"'] = 1,
	['#'] = 1,
	['='] = 1,
	[':'] = 1,
	[';'] = 1,
	[','] = 1,
	['('] = 1,
	[')'] = 1,
	['['] = 1,
	[']'] = 1,
	['{'] = 1,
	['}'] = 1,
	['@'] = 1,
};

static int
confcut_delim(const char *p, const char *end)
{
	return confcut_stops[(unsigned char)*p] ||
	    (*p == '/' && p + 1 < end && (p[1] == '/' || p[1] == '*'));
}

/* What a byte is alone: a bracket, = or :, ; or , (else a word's). */
static enum confcut_kind
confcut_punct(char ch)
{
	switch (ch) {
	case '(':
	case '[':
	case '{':
		return CONFCUT_OPEN;
	case ')':
	case ']':
	case '}':
		return CONFCUT_CLOSE;
	case '=':
	case ':':
		return CONFCUT_ASSIGN;
	case ';':
	case ',':
		return CONFCUT_SEP;
	default:
		return CONFCUT_WORD;
	}
}

/* The token at c->p. A NUL byte is bad: libconfig would stop there. */
static struct confcut_tok
confcut_scan(struct confcut *c)
{
	struct confcut_tok t = { CONFCUT_END, NULL, NULL };
	const char *p = confcut_blank(c->p, c->end);

	if (p == NULL || (p < c->end && (*p == '\0' || *p == '@'))) {
		t.kind = CONFCUT_BAD;
		return t;
	}
	t.s = t.e = p;
	if (p == c->end)
		return t;
	if (*p == '"') {
		for (p++; p < c->end && *p != '"' && *p != '\0'; p++) {
			if (*p == '\\' && p + 1 < c->end)
				p++;
		}
		if (p >= c->end || *p != '"') {
			t.kind = CONFCUT_BAD;
			return t;
		}
		t.kind = CONFCUT_STRING;
		t.s++;
		t.e = p;
		c->p = p + 1;
		return t;
	}
	if ((t.kind = confcut_punct(*p)) != CONFCUT_WORD) {
		t.e = c->p = p + 1;
		return t;
	}
	while (p < c->end && !confcut_delim(p, c->end))
		p++;
	t.kind = CONFCUT_WORD;
	t.e = c->p = p;
	return t;
}

static struct confcut_tok
confcut_next(struct confcut *c)
{
	if (c->has_back) {
		c->has_back = 0;
		return c->back;
	}
	return confcut_scan(c);
}

static void
confcut_unread(struct confcut *c, struct confcut_tok t)
{
	c->back = t;
	c->has_back = 1;
}

/* An opening or closing bracket: 0, or -1 when they do not match. */
static int
confcut_bracket(struct confcut *c, const struct confcut_tok *t)
{
	char open = t->kind == CONFCUT_CLOSE ? (*t->s == ')'          ? '('
	                                               : *t->s == ']' ? '['
	                                                              : '{')
	                                     : 0;

	if (t->kind == CONFCUT_OPEN) {
		if (c->depth == CONFCUT_DEPTH)
			return -1;
		c->stack[c->depth++] = *t->s;
		return 0;
	}
	if (c->depth == 0 || c->stack[c->depth - 1] != open)
		return -1;
	c->depth--;
	return 0;
}

static int
confcut_is(const struct confcut_tok *t, const char *word)
{
	size_t n = strlen(word);

	return t->kind == CONFCUT_WORD && (size_t)(t->e - t->s) == n &&
	    memcmp(t->s, word, n) == 0;
}

/* id = "..."; plain when one literal without escapes. */
static int
confcut_id(struct confcut *c)
{
	struct confcut_tok v = confcut_next(c), w;

	if (c->has_id)
		return -1;
	c->has_id = 1;
	if (v.kind != CONFCUT_STRING) {
		confcut_unread(c, v);
		return 0;
	}
	w = confcut_next(c);
	confcut_unread(c, w);
	c->id_plain = w.kind != CONFCUT_STRING &&
	    memchr(v.s, '\\', (size_t)(v.e - v.s)) == NULL;
	c->id_s = v.s;
	c->id_e = v.e;
	return 0;
}

/* collectors = ( ... ) and its separator, from the name: noted. */
static int
confcut_collectors(struct confcut *c, const struct confcut_tok *name)
{
	struct confcut_tok t = confcut_next(c);
	size_t depth = c->depth;

	if (c->has_coll)
		return -1;
	c->has_coll = 1;
	if (t.kind != CONFCUT_OPEN) {
		confcut_unread(c, t);
		return 0;
	}
	if (confcut_bracket(c, &t) != 0)
		return -1;
	while (c->depth > depth) {
		t = confcut_next(c);
		if (t.kind == CONFCUT_END || t.kind == CONFCUT_BAD ||
		    ((t.kind == CONFCUT_OPEN || t.kind == CONFCUT_CLOSE) &&
		        confcut_bracket(c, &t) != 0))
			return -1;
	}
	c->coll.from = (size_t)(name->s - c->text);
	c->coll.to = (size_t)(t.e - c->text);
	if ((t = confcut_next(c)).kind == CONFCUT_SEP)
		c->coll.to = (size_t)(t.e - c->text);
	else
		confcut_unread(c, t);
	return 0;
}

/* A setting's name was read: what it is to the scan. */
static int
confcut_setting(struct confcut *c, const struct confcut_tok *name)
{
	struct confcut_tok t;

	if (c->depth == 0 && confcut_is(name, "systems")) {
		t = confcut_next(c);
		if (t.kind != CONFCUT_OPEN || *t.s != '(') {
			confcut_unread(c, t);
			return 0;
		}
		if (c->seen_list)
			return -1;
		c->seen_list = 1;
		confcut_bracket(c, &t);
		c->list = c->depth;
		return 0;
	}
	if (!c->in_system || c->depth != c->list + 1)
		return 0;
	if (confcut_is(name, "id"))
		return confcut_id(c);
	if (confcut_is(name, "collectors"))
		return confcut_collectors(c, name);
	return 0;
}

/* The end of a system's group: its collectors noted to blank, or not. */
static void
confcut_system_end(struct confcut *c, const char *keep)
{
	size_t n = strlen(keep);

	c->in_system = 0;
	if (!c->has_coll || !c->has_id || !c->id_plain ||
	    c->coll.to == c->coll.from ||
	    ((size_t)(c->id_e - c->id_s) == n && memcmp(c->id_s, keep, n) == 0))
		return;
	c->spans = xreallocarray(c->spans, c->nspans + 1, sizeof *c->spans);
	c->spans[c->nspans++] = c->coll;
}

static int
confcut_bracket_tok(struct confcut *c, const struct confcut_tok *t,
    const char *keep)
{
	if (confcut_bracket(c, t) != 0)
		return -1;
	if (t->kind == CONFCUT_OPEN && c->list != 0 &&
	    c->depth == c->list + 1 && *t->s == '{') {
		c->in_system = 1;
		c->has_id = c->id_plain = c->has_coll = 0;
		c->coll.from = c->coll.to = 0;
	} else if (t->kind == CONFCUT_CLOSE && c->in_system &&
	    c->depth == c->list)
		confcut_system_end(c, keep);
	else if (t->kind == CONFCUT_CLOSE && c->list != 0 && c->depth < c->list)
		c->list = 0;
	return 0;
}

/* The whole text followed: 0, or -1. */
static int
confcut_walk(struct confcut *c, const char *keep)
{
	struct confcut_tok t, a;

	for (;;) {
		t = confcut_next(c);
		switch (t.kind) {
		case CONFCUT_END:
			return c->depth == 0 ? 0 : -1;
		case CONFCUT_BAD:
			return -1;
		case CONFCUT_OPEN:
		case CONFCUT_CLOSE:
			if (confcut_bracket_tok(c, &t, keep) != 0)
				return -1;
			break;
		case CONFCUT_WORD:
			if ((a = confcut_next(c)).kind != CONFCUT_ASSIGN)
				confcut_unread(c, a);
			else if (confcut_setting(c, &t) != 0)
				return -1;
			break;
		case CONFCUT_STRING:
		case CONFCUT_ASSIGN:
		case CONFCUT_SEP:
			break;
		}
	}
}

int
confcut_others(char *text, size_t *len, const char *keep)
{
	struct confcut c;
	size_t i, k, to = 0, from = 0;
	int rc;

	memset(&c, 0, sizeof c);
	c.text = c.p = text;
	c.end = text + *len;
	rc = confcut_walk(&c, keep);
	/* Each span's bytes out but its newlines, the rest moved up. */
	for (i = 0; rc == 0 && i < c.nspans; i++) {
		memmove(text + to, text + from, c.spans[i].from - from);
		to += c.spans[i].from - from;
		for (k = c.spans[i].from; k < c.spans[i].to; k++) {
			if (text[k] == '\n')
				text[to++] = '\n';
		}
		from = c.spans[i].to;
	}
	if (rc == 0 && c.nspans > 0) {
		memmove(text + to, text + from, *len - from);
		*len = to + *len - from;
		text[*len] = '\0';
	}
	free(c.spans);
	return rc == 0 ? (int)c.nspans : -1;
}
