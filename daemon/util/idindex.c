/*
 * The id index of idindex.h: FNV-1a, chains through indexes into one
 * array of entries, the buckets doubled when there are as many entries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idindex.h"
#include "xmalloc.h"

struct idindex_entry {
	char *key;
	void *value;
	uint32_t next; /* index + 1 of the next in its bucket, 0: none */
};

struct idindex {
	struct idindex_entry *e;
	size_t n;
	uint32_t *buckets;
	size_t nbuckets;
};

static uint32_t
idindex_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

struct idindex *
idindex_new(void)
{
	return xcalloc(1, sizeof(struct idindex));
}

void
idindex_free(struct idindex *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->n; i++)
		free(x->e[i].key);
	free(x->e);
	free(x->buckets);
	free(x);
}

static void
idindex_grow(struct idindex *x)
{
	size_t i;
	uint32_t b;

	x->nbuckets = x->nbuckets == 0 ? 64 : x->nbuckets * 2;
	free(x->buckets);
	x->buckets = xcalloc(x->nbuckets, sizeof *x->buckets);
	x->e = xreallocarray(x->e, x->nbuckets, sizeof *x->e);
	for (i = 0; i < x->n; i++) {
		b = idindex_hash(x->e[i].key) % x->nbuckets;
		x->e[i].next = x->buckets[b];
		x->buckets[b] = (uint32_t)i + 1;
	}
}

void *
idindex_get(const struct idindex *x, const char *key)
{
	uint32_t i;

	if (x == NULL || x->nbuckets == 0)
		return NULL;
	for (i = x->buckets[idindex_hash(key) % x->nbuckets]; i != 0;
	     i = x->e[i - 1].next) {
		if (strcmp(x->e[i - 1].key, key) == 0)
			return x->e[i - 1].value;
	}
	return NULL;
}

void
idindex_put(struct idindex *x, const char *key, void *value)
{
	uint32_t b;

	if (idindex_get(x, key) != NULL)
		return;
	if (x->n >= x->nbuckets)
		idindex_grow(x);
	b = idindex_hash(key) % x->nbuckets;
	x->e[x->n].key = xstrdup(key);
	x->e[x->n].value = value;
	x->e[x->n].next = x->buckets[b];
	x->buckets[b] = (uint32_t)++x->n;
}
