/*
 * What the files of the RRD writer share (store_rrd.c is the writer
 * thread and its queue, store_files.c makes and inspects files,
 * store_held.c writes held updates directly or through rrdcached,
 * store_batch.c sends the due files to rrdcached in batches,
 * store_rebuild.c rebuilds a file whose rows are replaced): the store and
 * what it knows of each file. Nothing else includes this.
 */
#ifndef STORE_PRIV_H
#define STORE_PRIV_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "store_kept.h"
#include "store_rrd.h"

/* A reader's request: write what is held for path (NULL: every file). */
struct store_flushreq {
	struct store_flushreq *next;
	char *path;
};

/* What the writer knows of one file. */
struct store_file {
	struct store_file *next;
	char *path;
	time_t last;
	int bad; /* differs from its template: left alone */
	int failing; /* last write failed: logged once */
	int warned_old; /* an old update was logged */
	int warned_extra; /* a data source not in the file was logged */
	int resync; /* rrdcached: what is at or before last has arrived */
	/* The ints together, without padding: the state fits 192 bytes. */
	uint32_t sent_at; /* put in the sent list then (0: not in it) */
	int replay; /* look at the file's last update and send again */
	unsigned hstep; /* of the held updates, below */
	unsigned char due; /* in store_due.c's: STORE_DUE_HELD or _FRESH */
	unsigned char spread; /* next held period: to the file's own point */
	uint32_t hash; /* of path: chains are walked and grown by it */
	/*
	 * rrdcached: the updates sent in the last STORE_REPLAY_S seconds.
	 * An rrdcached that is stopping may acknowledge an update and then
	 * lose it; after a reconnection, those it lost are sent again.
	 */
	struct store_kept *kept; /* store_kept.h */
	struct store_file *snext;
	char *const *ds; /* the file's data sources (store_ds_intern) */
	size_t nds;
	/*
	 * Updates held back to be written together (write_delay), compact:
	 * hn rows of one template (store_row.h), times from hbase, no item
	 * kept.
	 */
	struct tmpl *htmpl; /* a reference while n > 0 */
	size_t hn, hcap; /* hcap: of hres */
	unsigned char *hb; /* hblen bytes of rows, room for hbcap */
	size_t hblen, hbcap;
	time_t hbase;
	int **hres; /* NULL, or hn result cells (test mode) */
	time_t pending_since; /* the first held update came */
	time_t due_at; /* the held ones are written (STORE_DUE_HELD) */
	uint32_t hidx, pidx; /* places in the heaps by due_at, pending_since */
	struct store_file *dnext; /* in the fresh list */
};

/*
 * A list of data source names as files have them: files of one template
 * share one, instead of a copy of every name in each of thousands.
 */
struct store_dslist {
	struct store_dslist *next;
	size_t n;
	char *names[]; /* n copies */
};

/*
 * Files ordered by when they are due (by_due) or by their first held
 * update (store_due.c).
 */
struct store_heap {
	struct store_file **v;
	size_t n, cap;
	int by_due;
};

/* Where a file with held updates waits (store_file.due). */
#define STORE_DUE_HELD 1
#define STORE_DUE_FRESH 2

/* The files' hash table starts with this many chains and doubles when
 * there are more files than chains. */
#define STORE_BUCKETS_MIN 1024
/* RRD files are the daemon's user's and its group's. */
#define STORE_FILE_MODE 0640
/* A file's held updates grow by this many at first. */
#define STORE_HELD_STEP 4
/* A file's held rows grow by this many bytes beyond the new row. */
#define STORE_HELD_SLACK 32
/* With write_delay, wake the writer for every this many updates. */
#define STORE_SIGNAL_BATCH 4096

struct store {
	char *data_dir;
	pthread_t thread;
	int running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct store_item *head, *tail;
	int stopping;
	size_t unsignalled; /* queued since the writer was last woken */

	struct store_file **files; /* nbuckets chains, writer thread only */
	size_t nbuckets, nfiles;
	struct store_dslist *dslists; /* writer thread only */

	uint64_t updates, errors, rejected, created, queued;
	time_t beat;
	time_t work_since; /* when the queue last went from empty to not */
	time_t oldest; /* pending_since of the oldest held file (0: none) */

	/* Writer thread only: files with held updates, by when they are
	 * due and by their oldest, and those not opened yet (store_due.c). */
	unsigned delay;
	struct store_heap due, age;
	struct store_file *fresh_head, *fresh_tail;

	/*
	 * rrdcached: every write goes through it. While it is unreachable
	 * the files' updates stay held, up to buffer_max values; beyond,
	 * new ones are dropped and counted.
	 */
	char *cached; /* its address, NULL: write the files directly */
	size_t buffer_max;
	int cached_up;
	time_t retry_at;
	unsigned backoff;
	int warned_drop;
	uint64_t held; /* values held in files */
	uint64_t dropped, reconnects, replayed;
	time_t last_sent; /* when rrdcached last took an update */
	uint64_t sent_bytes; /* of the updates it took, since the start */
	/*
	 * Writer thread only: the files with kept updates, in the order
	 * they were put in the list (sent_at), so that those no longer
	 * needed are let go of. A file sent again while in the list keeps
	 * its place: its rows sent before are let go of at its turn, the
	 * latest ones when it comes round again.
	 */
	struct store_file *sent_head, *sent_tail;

	/*
	 * rrdcached's count of update requests at the last look (a second
	 * at most before a write), and ours acknowledged then: a count lower
	 * than that plus ours since is a new rrdcached (store_cached_check).
	 */
	time_t stats_at;
	uint64_t stats_seen, stats_acked;
	int stats_known;

	/*
	 * Readers' flush requests, numbered: freq_gen is the last asked,
	 * fdone the last served (under lock; flushed is signalled). The
	 * writer takes them with the items queued before them, into wreqs
	 * (writer thread only), and serves them once those are held.
	 */
	struct store_flushreq *fhead;
	uint64_t freq_gen, fdone;
	pthread_cond_t flushed;
	struct store_flushreq *wreqs;
	uint64_t wgen;
	int serving;
	/* Called (under lock) when requests were served; NULL: nobody. */
	void (*fnotify)(void *);
	void *fnotify_arg;

	/*
	 * rrdcached batches (store_batch.c, writer thread only): data_dir
	 * made absolute once, the files named from it on a unix socket;
	 * whether rrdcached refused BATCH at the last batch (logged when
	 * that changes).
	 */
	char *cached_dir;
	int cached_nobatch;
};

/* Reconnection attempts back off from 1 s to this. */
#define STORE_BACKOFF_MAX 30
/*
 * Updates sent this long before rrdcached went away, or in its last
 * STORE_REPLAY_BYTES, are sent again: a stopping rrdcached may take an
 * update and then lose it, and one killed loses the end of its journal
 * still in its stdio buffer (a file system block, 4 KiB here: at a few
 * files' rate, minutes of updates). 256 KiB covers blocks that large; at
 * 10,000 files a minute 1 MiB was 14 s of rows, 0.8 MiB more peak RSS.
 */
#define STORE_REPLAY_S 10
#define STORE_REPLAY_BYTES (256 * 1024)

/* Between the writer's files, each defined in the file of its job. */
int store_create(const char *path, const struct tmpl *t, unsigned step,
    time_t first, char **cause);
void store_file_set_ds(struct store *st, struct store_file *f,
    char *const *names, size_t n);
void store_file_tmpl_ds(struct store *st, struct store_file *f,
    const struct tmpl *t);
void store_file_clear_ds(struct store_file *f);
void store_ds_free(struct store *st);
struct store_file *store_file_find(struct store *st, const char *path);
struct store_file *store_file_get(struct store *st, const char *path);
int store_flush_file(struct store *st, struct store_file *f);
char *store_fmt_ds(char *p, char *end, double v, const char *type);
int store_inspect(struct store *st, struct store_file *f, const struct tmpl *t,
    char **cause);
void store_replay_mark(struct store *st);
void store_cached_check(struct store *st, time_t now);
void store_sent_clear(struct store_file *f);
void store_sent_expire(struct store *st);
void store_sent_note(struct store *st, struct store_file *f, time_t now,
    size_t bytes);
char *store_update_names(struct store_file *f, const struct tmpl *t, char *use);

void store_cached_lost(struct store *st, const char *cause);
void store_count(struct store *st, uint64_t *counter, uint64_t n);
uint32_t store_hash(const char *s);
int store_replace_file(struct store *st, struct store_file *f,
    struct store_item *it, char **cause);

int store_cached_flush(struct store *st, struct store_file *f, char **cause);
int store_cached_full(struct store *st);
void store_held_clear(struct store *st, struct store_file *f);
void store_held_add(struct store_file *f, time_t t, const double *v);
time_t store_held_first(const struct store_file *f);

/* store_due.c: the files with held updates. */
void store_due_add(struct store *st, struct store_file *f, time_t now);
/*
 * How long a file's first held period after it is opened lasts: its own
 * point in [0, delay), from its path below data_dir.
 */
time_t store_due_phase(const struct store *st, const struct store_file *f);
/* The next file to write, taken out of its list; NULL: none now. */
struct store_file *store_due_next(struct store *st, time_t now, int all);
int store_due_any(const struct store *st, time_t now, int all);
/* 1: no file holds updates. */
int store_due_empty(const struct store *st);
/* Every held file's next period ends at its own point again. */
void store_due_respread(struct store *st);
void store_due_free(struct store *st);
/* Back among the first (its write was put off). */
void store_due_requeue(struct store *st, struct store_file *f);
void store_due_unlink(struct store *st, struct store_file *f);
/* When the oldest held update came (0: none). */
time_t store_due_oldest(const struct store *st);
/* at, or earlier when a file must be written before. */
time_t store_due_wake_at(const struct store *st, time_t at);
int store_write_held(struct store *st, struct store_file *f, char **cause);

/*
 * rrdcached batches: store_held.c makes a file's held updates into a
 * store_batch and takes the outcome, store_batch.c sends many files'.
 */
struct store_src {
	struct tmpl *t;
	time_t base; /* the row's time is from it */
	const unsigned char *row, *end; /* the row's bytes */
};

/* The updates of one write of a file's held values, as librrd takes them. */
struct store_batch {
	const char **argv;
	char **values;
	size_t *from; /* the held update each came from, + 1 (0: a replay) */
	struct store_src *src; /* rrdcached: the row each came from */
	size_t k; /* updates */
	time_t prev; /* the time of the last */
	size_t arrived; /* held ones that rrdcached wrote before it went */
	struct store_kept *old; /* rrdcached: the kept rows sent again */
	char *names; /* direct writes: librrd's template of the sources */
	char *use; /* which of the template's sources those are */
};

/* 1 with b to send, or the result of writing f (0, -1 with *cause, -2). */
int store_held_prepare(struct store *st, struct store_file *f,
    struct store_batch *b, char **cause);
void store_batch_free(struct store_batch *b);
/* The name rrdcached knows f by: *dir (NULL: none) then the name. */
const char *store_cached_name(struct store *st, struct store_file *f,
    const char **dir, char **cause);
/* After b was sent: how many, -1 (refused) or -2 (lost, rest held). */
int store_cached_done(struct store *st, struct store_file *f,
    struct store_batch *b, int rc, size_t sent);
/* Report and count rc, the result of writing f (cause is freed). */
int store_flush_outcome(struct store *st, struct store_file *f, int rc,
    char *cause);
/* Send b alone. */
int store_send_cached(struct store *st, struct store_file *f,
    struct store_batch *b, char **cause);
/* rrdcached: write the due files in batches; -1 when it went away. */
int store_flush_batches(struct store *st, time_t now, int all);

#endif /* STORE_PRIV_H */
