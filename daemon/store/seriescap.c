/*
 * The caps of seriescap.h. A feed's series are kept as
 * "system/perspective/series" in a hash set (FNV-1a over the three parts,
 * chained through indexes, doubled as it fills), looked up without
 * joining the parts; the hourly count of new files is shared by every
 * feed. Loop thread only.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "seriescap.h"
#include "xmalloc.h"

struct seriescap {
	char **keys; /* "system/perspective/series" */
	uint32_t *next; /* index + 1 of the next in its bucket, 0: none */
	uint32_t *buckets;
	size_t n, nbuckets;
};

static struct {
	int64_t hour; /* the clock hour counted, in seconds */
	struct seriescap_stats st;
} seriescap_all;

/* The hash of "a/b/c", of the parts or of the joined string alike. */
static uint32_t
seriescap_hash(const char *a, const char *b, const char *c)
{
	const char *parts[3] = { a, b, c };
	uint32_t h = 2166136261u;
	const char *p;
	size_t i;

	for (i = 0; i < 3 && parts[i] != NULL; i++) {
		if (i > 0)
			h = (h ^ '/') * 16777619u;
		for (p = parts[i]; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
	}
	return h;
}

/* 1 if key is "a/b/c". */
static int
seriescap_is(const char *key, const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b);

	return strncmp(key, a, la) == 0 && key[la] == '/' &&
	    strncmp(key + la + 1, b, lb) == 0 && key[la + 1 + lb] == '/' &&
	    strcmp(key + la + lb + 2, c) == 0;
}

struct seriescap *
seriescap_new(void)
{
	return xcalloc(1, sizeof(struct seriescap));
}

void
seriescap_free(struct seriescap *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		free(c->keys[i]);
	free(c->keys);
	free(c->next);
	free(c->buckets);
	free(c);
}

int
seriescap_known(const struct seriescap *c, const char *system,
    const char *perspective, const char *series)
{
	uint32_t i;

	if (c->nbuckets == 0)
		return 0;
	for (i = c->buckets[seriescap_hash(system, perspective, series) %
	         c->nbuckets];
	     i != 0; i = c->next[i - 1]) {
		if (seriescap_is(c->keys[i - 1], system, perspective, series))
			return 1;
	}
	return 0;
}

static void
seriescap_add(struct seriescap *c, const char *key)
{
	uint32_t b;
	size_t i;

	if (c->n >= c->nbuckets) {
		c->nbuckets = c->nbuckets == 0 ? 64 : c->nbuckets * 2;
		free(c->buckets);
		c->buckets = xcalloc(c->nbuckets, sizeof *c->buckets);
		c->keys = xreallocarray(c->keys, c->nbuckets, sizeof *c->keys);
		c->next = xreallocarray(c->next, c->nbuckets, sizeof *c->next);
		for (i = 0; i < c->n; i++) {
			b = seriescap_hash(c->keys[i], NULL, NULL) %
			    c->nbuckets;
			c->next[i] = c->buckets[b];
			c->buckets[b] = (uint32_t)i + 1;
		}
	}
	b = seriescap_hash(key, NULL, NULL) % c->nbuckets;
	c->keys[c->n] = xstrdup(key);
	c->next[c->n] = c->buckets[b];
	c->buckets[b] = (uint32_t)++c->n;
}

enum seriescap_verdict
seriescap_admit(struct seriescap *c, const char *system,
    const char *perspective, const char *series, const char *path,
    unsigned max_series, unsigned per_hour, int64_t now)
{
	struct stat sb;
	int64_t hour = now - now % 3600;
	char *key;

	if (seriescap_known(c, system, perspective, series))
		return SERIESCAP_OK;
	if (c->n >= max_series)
		return SERIESCAP_FEED;
	if (hour != seriescap_all.hour) {
		seriescap_all.hour = hour;
		seriescap_all.st.this_hour = 0;
	}
	if (stat(path, &sb) != 0) {
		if (seriescap_all.st.this_hour >= per_hour)
			return SERIESCAP_HOUR;
		seriescap_all.st.this_hour++;
		seriescap_all.st.created++;
	}
	seriescap_all.st.admitted++;
	xasprintf(&key, "%s/%s/%s", system, perspective, series);
	seriescap_add(c, key);
	free(key);
	return SERIESCAP_OK;
}

unsigned
seriescap_count(const struct seriescap *c)
{
	return (unsigned)c->n;
}

void
seriescap_refused(void)
{
	seriescap_all.st.refused++;
}

void
seriescap_get_stats(struct seriescap_stats *out)
{
	*out = seriescap_all.st;
}
