/*
 * Parser of xAPI statement result pages, on jansson. A page is decoded whole
 * (an LRS sends a bounded number of statements per page), with integers
 * read as doubles so that an out-of-range number somewhere in a statement
 * does not fail the page. Statement ids are found again through a hash
 * index, so that work stays linear in the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parse_time.h"
#include "parse_util.h"
#include "parse_xapi.h"
#include "xmalloc.h"

#define PARSE_XAPI_QUOTE 64 /* bytes of input quoted in an error */
#define PARSE_XAPI_SLOTS (2 * PARSE_XAPI_MAX_STATEMENTS) /* never full */

struct parse_xapi_state {
	struct parse_xapi *out;
	size_t cap; /* entries allocated in out->statements */
	/* Open addressing on non-empty ids: index + 1, 0 if free. */
	unsigned short slots[PARSE_XAPI_SLOTS];
};

/* Errors go to out's list, PARSE_XAPI_MAX_ERRORS at most. */
#define parse_xapi_error(out, ...)                        \
	parse_util_error(&(out)->errors, &(out)->nerrors, \
	    PARSE_XAPI_MAX_ERRORS, __VA_ARGS__)

/*
 * The string obj.key[.key2] copied; "" and an error when it is missing,
 * not a non-empty string, or holds a NUL. With quiet, a missing one is not
 * reported.
 */
static char *
parse_xapi_string(struct parse_xapi *out, const char *where, json_t *obj,
    const char *key, const char *key2, int quiet)
{
	json_t *v = json_object_get(obj, key);
	const char *name = key;
	char path[64], *s;

	if (key2 != NULL) {
		snprintf(path, sizeof path, "%s.%s", key, key2);
		name = path;
		if (v != NULL && !json_is_object(v)) {
			parse_xapi_error(out, "%s: %s is %s, not an object",
			    where, key, parse_util_json_type(v));
			return xstrdup("");
		}
		v = v != NULL ? json_object_get(v, key2) : NULL;
	}
	s = parse_util_json_string(&out->errors, &out->nerrors,
	    PARSE_XAPI_MAX_ERRORS, where, name, v, quiet);
	return s != NULL ? s : xstrdup("");
}

static void
parse_xapi_statement_free(struct parse_xapi_statement *s)
{
	free(s->id);
	free(s->verb);
	free(s->object);
	free(s->stored);
}

/* One statement, kept unless it is not an object or its id was seen. */
static void
parse_xapi_statement(struct parse_xapi_state *st, const char *where, json_t *v)
{
	struct parse_xapi *out = st->out;
	struct parse_xapi_statement s;
	unsigned short *slot = NULL;
	const char *type;
	json_t *obj;
	char q[PARSE_XAPI_QUOTE + 4];
	uint32_t h;
	int quiet;

	if (!json_is_object(v)) {
		parse_xapi_error(out, "%s: is %s, not an object", where,
		    parse_util_json_type(v));
		return;
	}
	memset(&s, 0, sizeof s);
	s.id = parse_xapi_string(out, where, v, "id", NULL, 0);
	if (s.id[0] != '\0') {
		h = parse_util_hash(PARSE_UTIL_HASH, s.id, strlen(s.id));
		for (h %= PARSE_XAPI_SLOTS;; h = (h + 1) % PARSE_XAPI_SLOTS) {
			slot = &st->slots[h];
			if (*slot == 0 ||
			    strcmp(out->statements[*slot - 1].id, s.id) == 0)
				break;
		}
		if (*slot != 0) {
			parse_xapi_error(out, "%s: id %s given again, dropped",
			    where, parse_util_quote_str(s.id, q, sizeof q));
			free(s.id);
			return;
		}
	}
	s.verb = parse_xapi_string(out, where, v, "verb", "id", 0);

	/* Agents, groups and sub-statements as objects have no id. */
	obj = json_object_get(v, "object");
	type = obj != NULL
	    ? json_string_value(json_object_get(obj, "objectType"))
	    : NULL;
	quiet = type != NULL &&
	    (strcmp(type, "Agent") == 0 || strcmp(type, "Group") == 0 ||
	        strcmp(type, "SubStatement") == 0);
	s.object = parse_xapi_string(out, where, v, "object", "id", quiet);

	s.stored = parse_xapi_string(out, where, v, "stored", NULL, 0);
	if (s.stored[0] != '\0' &&
	    parse_time(s.stored, strlen(s.stored), &s.stored_ns) != 0) {
		parse_xapi_error(out, "%s: stored '%s' is not a timestamp",
		    where, parse_util_quote_str(s.stored, q, sizeof q));
		s.stored_ns = 0;
	}

	if (out->n == st->cap) {
		st->cap = st->cap == 0 ? 16 : st->cap * 2;
		out->statements =
		    xreallocarray(out->statements, st->cap, sizeof s);
	}
	out->statements[out->n++] = s;
	if (slot != NULL)
		*slot = (unsigned short)out->n;
}

static void
parse_xapi_list(struct parse_xapi_state *st, const char *name, json_t *list)
{
	char where[64];
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		snprintf(where, sizeof where, "%s[%zu]", name, i);
		if (st->out->n == PARSE_XAPI_MAX_STATEMENTS) {
			parse_xapi_error(st->out,
			    "%s: more than %d statements, the rest are ignored",
			    where, PARSE_XAPI_MAX_STATEMENTS);
			return;
		}
		parse_xapi_statement(st, where, v);
	}
}

/* A page: {"statements": [...], "more": "..."}; 0, or -1 if it is not. */
static int
parse_xapi_page(struct parse_xapi_state *st, json_t *root)
{
	struct parse_xapi *out = st->out;
	json_t *list, *more;

	if ((list = json_object_get(root, "statements")) == NULL)
		return -1;
	if (!json_is_array(list)) {
		xasprintf(&out->error, "statements is %s, not an array",
		    parse_util_json_type(list));
		return 0;
	}
	out->ok = 1;
	more = json_object_get(root, "more");
	if (more != NULL && json_is_string(more) &&
	    strlen(json_string_value(more)) == json_string_length(more))
		out->more = xstrdup(json_string_value(more));
	else if (more != NULL && !json_is_null(more))
		parse_xapi_error(out, "more is %s, not a URL",
		    json_is_string(more) ? "a string holding a NUL"
		                         : parse_util_json_type(more));
	parse_xapi_list(st, "statements", list);
	return 0;
}

void
parse_xapi(const char *buf, size_t len, struct parse_xapi *out)
{
	struct parse_xapi_state *st;
	json_t *root;

	memset(out, 0, sizeof *out);
	if ((root = parse_util_json_load(buf, len, &out->errors, &out->nerrors,
	         PARSE_XAPI_MAX_ERRORS, &out->error)) == NULL)
		return;
	st = xcalloc(1, sizeof *st);
	st->out = out;
	if (json_is_array(root)) {
		out->ok = 1;
		parse_xapi_list(st, "", root);
	} else if (json_is_object(root)) {
		if (parse_xapi_page(st, root) != 0) {
			if (json_object_get(root, "verb") != NULL) {
				out->ok = 1;
				parse_xapi_statement(st, "statement", root);
			} else
				out->error =
				    xstrdup("no statements in the document");
		}
	} else
		xasprintf(&out->error, "the document is %s, not an object",
		    parse_util_json_type(root));
	free(st);
	json_decref(root);
}

void
parse_xapi_free(struct parse_xapi *px)
{
	size_t i;

	if (px == NULL)
		return;
	for (i = 0; i < px->n; i++)
		parse_xapi_statement_free(&px->statements[i]);
	free(px->statements);
	free(px->more);
	parse_util_errors_free(px->errors, px->nerrors);
	free(px->error);
	memset(px, 0, sizeof *px);
}
