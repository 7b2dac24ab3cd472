/*
 * Views of the members: sorted copies the thread hands the loop, and the
 * little the two do with them.
 */
#include <stdlib.h>
#include <string.h>

#include "members_priv.h"
#include "xmalloc.h"

void
members_member_free(struct member *e)
{
	free(e->name);
	free(e->zone);
	free(e->config_hash);
	free(e->config_file);
	free(e->host);
}

static void
members_member_copy(struct member *d, const struct member *s)
{
	*d = *s;
	d->name = xstrdup(s->name);
	d->zone = s->zone != NULL ? xstrdup(s->zone) : NULL;
	d->config_hash = xstrdup(s->config_hash);
	d->config_file = xstrdup(s->config_file);
	d->host = xstrdup(s->host);
}

void
members_view_free(struct members_view *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		members_member_free(&v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

void
members_view_copy(struct members_view *dst, const struct members_view *src)
{
	size_t i;

	dst->v = xcalloc(src->n + 1, sizeof *dst->v);
	for (i = 0; i < src->n; i++)
		members_member_copy(&dst->v[i], &src->v[i]);
	dst->n = src->n;
	dst->offset_ms = src->offset_ms;
}

const struct member *
members_find(const struct members_view *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		if (strcmp(v->v[i].name, name) == 0)
			return &v->v[i];
	}
	return NULL;
}

void
members_view_put(struct members_view *v, const struct member *e)
{
	size_t i;
	int c = 1;

	for (i = 0; i < v->n && (c = strcmp(v->v[i].name, e->name)) < 0; i++)
		;
	if (i < v->n && c == 0) {
		members_member_free(&v->v[i]);
		members_member_copy(&v->v[i], e);
		return;
	}
	v->v = xreallocarray(v->v, v->n + 2, sizeof *v->v);
	memmove(&v->v[i + 1], &v->v[i], (v->n - i) * sizeof *v->v);
	members_member_copy(&v->v[i], e);
	v->n++;
}

int
members_view_same(const struct members_view *a, const struct members_view *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		if (strcmp(a->v[i].name, b->v[i].name) != 0 ||
		    (a->v[i].zone == NULL) != (b->v[i].zone == NULL) ||
		    (a->v[i].zone != NULL &&
		        strcmp(a->v[i].zone, b->v[i].zone) != 0) ||
		    a->v[i].viewer != b->v[i].viewer ||
		    a->v[i].joined != b->v[i].joined)
			return 0;
	}
	return 1;
}

void
members_view_drop(struct members_view *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		if (strcmp(v->v[i].name, name) != 0)
			continue;
		members_member_free(&v->v[i]);
		memmove(&v->v[i], &v->v[i + 1], (v->n - i - 1) * sizeof *v->v);
		v->n--;
		return;
	}
}
