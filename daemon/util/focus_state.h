/*
 * What a FOCUS feed keeps between runs, in its state file
 * (<data_dir>/state/feed-<id>): the currency of its rows, the cost column
 * it sums (its basis), and every system it has written, so that a
 * delivery that no longer holds a system still replaces that system's
 * days (with 0). The tool reads the currency and basis to say what its
 * amounts are. A text file of "KEY VALUE" lines:
 *
 *   currency SEK
 *   basis EffectiveCost
 *   system portal
 */
#ifndef FOCUS_STATE_H
#define FOCUS_STATE_H

#include <stddef.h>

struct focus_state {
	char *currency; /* NULL: not known */
	char *basis; /* NULL: not known */
	char **systems; /* sorted */
	size_t nsystems;
};

/* The state file of feed id under data_dir (the daemon's state_path). */
void focus_state_path(const char *data_dir, const char *id, char *buf,
    size_t len);
/* Read path (NULL, or a file not there: an empty state). */
void focus_state_load(const char *path, struct focus_state *);
/* Add a system (kept sorted, once). */
void focus_state_add(struct focus_state *, const char *system);
/* Write path whole (a temporary, then renamed). 0, or -1 with *cause. */
int focus_state_save(const char *path, const struct focus_state *,
    char **cause);
void focus_state_free(struct focus_state *);

#endif
