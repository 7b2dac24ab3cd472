/*
 * What feeds may create: a feed fills at most its max_series series (those
 * it has filled since the daemon started, whether their files were there
 * or made for it), and all feeds together make at most
 * daemon.max_new_series_per_hour new files in a clock hour. A feed whose
 * names change at every run (a licence server's features) can then not
 * fill the disk: past a cap, nothing new is made.
 */
#ifndef SERIESCAP_H
#define SERIESCAP_H

#include <stdint.h>

struct seriescap; /* one feed's series */

enum seriescap_verdict {
	SERIESCAP_OK, /* known, or admitted now */
	SERIESCAP_FEED, /* refused: the feed has max_series already */
	SERIESCAP_HOUR /* refused: new files this hour are used up */
};

struct seriescap_stats {
	uint64_t admitted; /* series feeds began to fill */
	uint64_t created; /* of them, with no file yet: made for them */
	uint64_t refused; /* values of new series refused */
	uint64_t this_hour; /* new files this clock hour */
};

struct seriescap *seriescap_new(void);
void seriescap_free(struct seriescap *);
/* 1 if the feed fills that series already (no allocation: cheap). */
int seriescap_known(const struct seriescap *, const char *system,
    const char *perspective, const char *series);
/* How many series the feed fills. */
unsigned seriescap_count(const struct seriescap *);
/*
 * May the feed fill the series whose file is path? Known series are
 * always admitted; a new one while the feed has fewer than max_series,
 * and, when its file does not exist yet, while fewer than per_hour new
 * files were admitted this hour (now: seconds since the epoch).
 */
enum seriescap_verdict seriescap_admit(struct seriescap *, const char *system,
    const char *perspective, const char *series, const char *path,
    unsigned max_series, unsigned per_hour, int64_t now);
/* A value of a new series refused. */
void seriescap_refused(void);
void seriescap_get_stats(struct seriescap_stats *);

#endif
