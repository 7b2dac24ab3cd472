/*
 * An index of ids: a string -> pointer hash map that only grows, for
 * finding a configured system among tens of thousands without walking
 * them all (a configuration is checked in time linear in its size).
 */
#ifndef IDINDEX_H
#define IDINDEX_H

struct idindex;

struct idindex *idindex_new(void);
void idindex_free(struct idindex *);
/* Add key (copied) -> value; a key already there keeps its first value. */
void idindex_put(struct idindex *, const char *key, void *value);
/* The value of key, or NULL. */
void *idindex_get(const struct idindex *, const char *key);

#endif
