/*
 * The memory of an xAPI feed: statement keys in an open-addressing hash
 * set (looked up once per statement of every page), and the state file
 * that keeps them, with each verb's floor, across restarts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xapi_state.h"
#include "xmalloc.h"

struct xapi_id {
	char *key; /* NULL: a free slot */
	long long ns;
};

struct xapi_ids {
	struct xapi_id *slot;
	size_t cap; /* a power of two, at least twice n */
	size_t n;
};

static uint64_t
xapi_state_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

struct xapi_ids *
xapi_ids_new(void)
{
	struct xapi_ids *ids = xcalloc(1, sizeof *ids);

	ids->cap = 64;
	ids->slot = xcalloc(ids->cap, sizeof *ids->slot);
	return ids;
}

void
xapi_ids_free(struct xapi_ids *ids)
{
	size_t i;

	if (ids == NULL)
		return;
	for (i = 0; i < ids->cap; i++)
		free(ids->slot[i].key);
	free(ids->slot);
	free(ids);
}

/* The slot of key, or the free slot where it would go. */
static struct xapi_id *
xapi_ids_find(const struct xapi_ids *ids, const char *key)
{
	size_t i = (size_t)xapi_state_hash(key) & (ids->cap - 1);

	while (ids->slot[i].key != NULL && strcmp(ids->slot[i].key, key) != 0)
		i = (i + 1) & (ids->cap - 1);
	return &ids->slot[i];
}

int
xapi_ids_has(const struct xapi_ids *ids, const char *key)
{
	return xapi_ids_find(ids, key)->key != NULL;
}

/* Put an entry whose key is owned already (the set grows as needed). */
static void
xapi_ids_put(struct xapi_ids *ids, char *key, long long ns)
{
	struct xapi_id *old, *s;
	size_t i, oldcap;

	if (2 * (ids->n + 1) > ids->cap) {
		old = ids->slot;
		oldcap = ids->cap;
		ids->cap *= 2;
		ids->slot = xcalloc(ids->cap, sizeof *ids->slot);
		for (i = 0; i < oldcap; i++) {
			if (old[i].key != NULL)
				*xapi_ids_find(ids, old[i].key) = old[i];
		}
		free(old);
	}
	s = xapi_ids_find(ids, key);
	s->key = key;
	s->ns = ns;
	ids->n++;
}

void
xapi_ids_add(struct xapi_ids *ids, const char *key, long long stored_ns)
{
	if (!xapi_ids_has(ids, key))
		xapi_ids_put(ids, xstrdup(key), stored_ns);
}

size_t
xapi_ids_count(const struct xapi_ids *ids)
{
	return ids->n;
}

static int
xapi_id_cmp(const void *a, const void *b)
{
	const struct xapi_id *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	return strcmp(x->key, y->key);
}

void
xapi_ids_prune(struct xapi_ids *ids, long long *floor, size_t max)
{
	struct xapi_id *keep;
	size_t i, n = 0, from = 0;

	keep = xcalloc(ids->n + 1, sizeof *keep);
	for (i = 0; i < ids->cap; i++) {
		if (ids->slot[i].key == NULL)
			continue;
		if (ids->slot[i].ns <= *floor)
			free(ids->slot[i].key);
		else
			keep[n++] = ids->slot[i];
	}
	if (n > max) {
		qsort(keep, n, sizeof *keep, xapi_id_cmp);
		from = n - max;
		/* Equal times go together: none of them is fetched again. */
		while (from < n && keep[from].ns == keep[from - 1].ns)
			from++;
		*floor = keep[from - 1].ns;
		for (i = 0; i < from; i++)
			free(keep[i].key);
	}
	memset(ids->slot, 0, ids->cap * sizeof *ids->slot);
	ids->n = 0;
	for (i = from; i < n; i++)
		xapi_ids_put(ids, keep[i].key, keep[i].ns);
	free(keep);
}

static int
xapi_state_safe(const char *s)
{
	size_t n = strspn(s,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-");

	return n > 0 && s[n] == '\0' && n <= XAPI_STATE_KEY_MAX;
}

void
xapi_state_key(const char *id, const char *stored, const char *verb,
    const char *object, char *buf, size_t len)
{
	uint64_t h;

	if (id[0] != '\0' && xapi_state_safe(id)) {
		snprintf(buf, len, "%s", id);
		return;
	}
	if (id[0] != '\0')
		h = xapi_state_hash(id);
	else
		h = xapi_state_hash(stored) ^ (xapi_state_hash(verb) * 31) ^
		    (xapi_state_hash(object) * 961);
	snprintf(buf, len, "#%016llx", (unsigned long long)h);
}

/* The verb named name, or NULL. */
static struct xapi_state_verb *
xapi_state_verb(struct xapi_state_verb *verbs, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	}
	return NULL;
}

/* One line of either format. */
static void
xapi_state_line(const char *line, struct xapi_state_verb *verbs, size_t n)
{
	char word[16], name[128], key[XAPI_STATE_KEY_MAX + 2];
	struct xapi_state_verb *v;
	long long ns;

	if (sscanf(line, "%15s %127s %lld %129s", word, name, &ns, key) == 4 &&
	    strcmp(word, "id") == 0) {
		if ((v = xapi_state_verb(verbs, n, name)) != NULL &&
		    xapi_state_safe(key + (key[0] == '#')) && ns > v->floor)
			xapi_ids_add(v->ids, key, ns);
		return;
	}
	if (sscanf(line, "%15s %127s %lld", word, name, &ns) == 3 &&
	    strcmp(word, "verb") == 0) {
		if ((v = xapi_state_verb(verbs, n, name)) != NULL)
			v->floor = ns;
		return;
	}
	/* The first format: NAME NS STORED. */
	if (sscanf(line, "%127s %lld %129s", name, &ns, key) == 3 &&
	    (v = xapi_state_verb(verbs, n, name)) != NULL)
		v->floor = ns;
}

int
xapi_state_load(const char *path, struct xapi_state_verb *verbs, size_t n)
{
	char line[1024];
	size_t len;
	FILE *f;
	int skip = 0, whole;

	if ((f = fopen(path, "r")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof line, f) != NULL) {
		len = strlen(line);
		whole = len > 0 && line[len - 1] == '\n';
		/* No part of a line too long to be ours is read. */
		if (!skip && (whole || feof(f)))
			xapi_state_line(line, verbs, n);
		skip = !whole;
	}
	fclose(f);
	return 0;
}

int
xapi_state_save(const char *path, const struct xapi_state_verb *verbs, size_t n)
{
	const struct xapi_ids *ids;
	char *tmp;
	size_t i, k;
	FILE *f;
	int saved;

	xasprintf(&tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL) {
		free(tmp);
		return -1;
	}
	fprintf(f, "itfollow-xapi 2\n");
	for (i = 0; i < n; i++) {
		fprintf(f, "verb %s %lld\n", verbs[i].name, verbs[i].floor);
		ids = verbs[i].ids;
		for (k = 0; k < ids->cap; k++) {
			if (ids->slot[k].key != NULL)
				fprintf(f, "id %s %lld %s\n", verbs[i].name,
				    ids->slot[k].ns, ids->slot[k].key);
		}
	}
	if (fflush(f) != 0 || ferror(f)) {
		saved = errno;
		fclose(f);
		unlink(tmp);
		free(tmp);
		errno = saved;
		return -1;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		free(tmp);
		errno = saved;
		return -1;
	}
	free(tmp);
	return 0;
}
