/*
 * What an xAPI feed remembers across runs and restarts, per verb: its
 * floor, the stored time at or before which every statement has been
 * counted or never will be (the next query's exclusive `since`), and the
 * keys of the statements counted after the floor, which the next query's
 * overlap brings again and which must not be counted twice.
 *
 * The state file is written whole (a temporary, then renamed over):
 *
 *	itfollow-xapi 2
 *	verb NAME FLOOR_NS
 *	id NAME STORED_NS KEY
 *
 * A file of the first format ("NAME NS STORED" lines, the last stored
 * time counted per verb) is read as floors without keys: its statements
 * are never counted again, and the overlap starts from there. Lines that
 * cannot be read, and verbs no longer configured, are left out.
 */
#ifndef XAPI_STATE_H
#define XAPI_STATE_H

#include <stddef.h>

#define XAPI_STATE_KEY_MAX 128 /* a key's length at most */

/* A set of statement keys, each with its stored time (ns). */
struct xapi_ids;

struct xapi_ids *xapi_ids_new(void);
void xapi_ids_free(struct xapi_ids *);
/* 1 if key is in the set. */
int xapi_ids_has(const struct xapi_ids *, const char *key);
/* Add key (once: a key already there keeps its time). */
void xapi_ids_add(struct xapi_ids *, const char *key, long long stored_ns);
size_t xapi_ids_count(const struct xapi_ids *);
/*
 * Forget the keys stored at or before floor; then, while more than max
 * are left, the oldest, raising *floor to the newest forgotten one's time
 * (what is not remembered must not be fetched again).
 */
void xapi_ids_prune(struct xapi_ids *, long long *floor, size_t max);

/*
 * The key of a statement: its id when that is [A-Za-z0-9._:-], at most
 * XAPI_STATE_KEY_MAX long (a UUID, as xAPI says ids are), else "#" and a
 * hash of the id (or, when it has none, of its stored time, verb and
 * object), so any key fits one word of the state file.
 */
void xapi_state_key(const char *id, const char *stored, const char *verb,
    const char *object, char *buf, size_t len);

/* One verb's state: the caller's, filled by xapi_state_load. */
struct xapi_state_verb {
	const char *name;
	long long floor;
	struct xapi_ids *ids;
};

/*
 * Read path into verbs[0..n) (floors and keys of the verbs named there).
 * Returns 0, or -1 when the file cannot be read (a missing one is 0 and
 * leaves the verbs as they are).
 */
int xapi_state_load(const char *path, struct xapi_state_verb *verbs, size_t n);
/* Write verbs[0..n) to path whole. Returns 0, or -1 with errno set. */
int xapi_state_save(const char *path, const struct xapi_state_verb *verbs,
    size_t n);

#endif
