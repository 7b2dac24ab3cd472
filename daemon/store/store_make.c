/*
 * Making an RRD file without holding it. librrd's create fills a buffer
 * the size of the whole file before writing it (some 3 MB for an http
 * series), and the writer makes thousands of files at start. Here the
 * headers (<rrd_format.h>) are set field for field as librrd's create sets
 * them for the same arguments (rrd_create.c of rrdtool 1.7: the version,
 * the data sources' heartbeat and limits, the archives' xff, the scratch
 * of the primary and consolidated data points, a random first row), and
 * written through a small buffer; then every row's unknown values come out
 * of one reused 64 KiB block of NaN. Memory does not grow with the file.
 *
 * Only what the format holds plainly: data sources GAUGE, COUNTER,
 * DERIVE, ABSOLUTE (and DCOUNTER, DDERIVE, format version 5) and archives
 * AVERAGE, MIN, MAX, LAST; anything else is refused, naming the template.
 * Limits and xff are stored as the template holds them (librrd parses the
 * text of its arguments with its own reader, which can differ in the last
 * bit for fractions; the shipped templates have none).
 */

/* The file format's structures (rrd_format.h) come with this. */
#define RRD_EXPORT_DEPRECATED
#include <rrd.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_make.h"
#include "xmalloc.h"

/* Unknown values written at once: 64 KiB. */
#define STORE_MAKE_CHUNK 8192

/* The headers go out through this much. */
#define STORE_MAKE_BUF 8192

struct store_make_out {
	int fd;
	int err; /* errno of the first failed write, 0 */
	size_t len;
	unsigned char buf[STORE_MAKE_BUF];
};

static double store_make_nan[STORE_MAKE_CHUNK];
static pthread_once_t store_make_once = PTHREAD_ONCE_INIT;

/* librrd's unknown (its own NaN, whose bits differ from NAN's). */
static void
store_make_nan_init(void)
{
	size_t i;
	double u = DNAN;

	for (i = 0; i < STORE_MAKE_CHUNK; i++)
		store_make_nan[i] = u;
}

/* Write all of p, or remember why not. */
static void
store_make_write(struct store_make_out *o, const void *p, size_t n)
{
	const unsigned char *c = p;
	ssize_t w;

	while (n > 0 && o->err == 0) {
		if ((w = write(o->fd, c, n)) < 0) {
			if (errno != EINTR)
				o->err = errno;
			continue;
		}
		c += w;
		n -= (size_t)w;
	}
}

static void
store_make_flush(struct store_make_out *o)
{
	store_make_write(o, o->buf, o->len);
	o->len = 0;
}

/* One header structure, through the buffer. */
static void
store_make_put(struct store_make_out *o, const void *p, size_t n)
{
	if (o->len + n > sizeof o->buf)
		store_make_flush(o);
	if (n > sizeof o->buf) {
		store_make_write(o, p, n);
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

/* Whether librrd's format has a plain form of type: 0, 1, or 5 (one
 * that needs format version 5). */
static int
store_make_dst(const char *type)
{
	static const char *const plain[] = { "GAUGE", "COUNTER", "DERIVE",
		"ABSOLUTE" };
	size_t i;

	for (i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		if (strcmp(type, plain[i]) == 0)
			return 1;
	}
	if (strcmp(type, "DCOUNTER") == 0 || strcmp(type, "DDERIVE") == 0)
		return 5;
	return 0;
}

static int
store_make_cf(const char *cf)
{
	return strcmp(cf, "AVERAGE") == 0 || strcmp(cf, "MIN") == 0 ||
	    strcmp(cf, "MAX") == 0 || strcmp(cf, "LAST") == 0;
}

/* The template's file can be made: its format version (3 or 5), or 0. */
static int
store_make_check(const struct tmpl *t, char **cause)
{
	int version = 3;
	size_t i;

	for (i = 0; i < t->nds; i++) {
		if (store_make_dst(t->ds[i].type) == 0 ||
		    strlen(t->ds[i].name) >= DS_NAM_SIZE) {
			xasprintf(cause,
			    "template %s: data source %s (%s): no RRD file is made of this type (GAUGE, COUNTER, DERIVE, ABSOLUTE, DCOUNTER, DDERIVE) or name",
			    t->name, t->ds[i].name, t->ds[i].type);
			return 0;
		}
		if (store_make_dst(t->ds[i].type) == 5)
			version = 5;
	}
	for (i = 0; i < t->nrra; i++) {
		if (!store_make_cf(t->rra[i].cf)) {
			xasprintf(cause,
			    "template %s: archive %zu (%s): no RRD file is made with this consolidation (AVERAGE, MIN, MAX, LAST)",
			    t->name, i + 1, t->rra[i].cf);
			return 0;
		}
	}
	if (t->nds == 0 || t->nrra == 0) {
		xasprintf(cause, "template %s: no data source or no archive",
		    t->name);
		return 0;
	}
	return version;
}

static double
store_make_limit(double v)
{
	return isnan(v) ? DNAN : v;
}

/* The static header and the definitions of data sources and archives. */
static void
store_make_defs(struct store_make_out *o, const struct tmpl *t, unsigned step,
    int version)
{
	stat_head_t sh;
	ds_def_t ds;
	rra_def_t rra;
	unsigned per, rows;
	size_t i;

	memset(&sh, 0, sizeof sh);
	strcpy(sh.cookie, RRD_COOKIE);
	strcpy(sh.version, version == 5 ? RRD_VERSION5 : RRD_VERSION3);
	sh.float_cookie = FLOAT_COOKIE;
	sh.ds_cnt = t->nds;
	sh.rra_cnt = t->nrra;
	sh.pdp_step = step;
	store_make_put(o, &sh, sizeof sh);
	for (i = 0; i < t->nds; i++) {
		memset(&ds, 0, sizeof ds);
		strcpy(ds.ds_nam, t->ds[i].name);
		strcpy(ds.dst, t->ds[i].type);
		ds.par[DS_mrhb_cnt].u_cnt = template_file_hb(t, step, i);
		ds.par[DS_min_val].u_val = store_make_limit(t->ds[i].min);
		ds.par[DS_max_val].u_val = store_make_limit(t->ds[i].max);
		store_make_put(o, &ds, sizeof ds);
	}
	for (i = 0; i < t->nrra; i++) {
		memset(&rra, 0, sizeof rra);
		strcpy(rra.cf_nam, t->rra[i].cf);
		template_file_rra(t, step, i, &per, &rows);
		rra.row_cnt = rows;
		rra.pdp_cnt = per;
		rra.par[RRA_cdp_xff_val].u_val = t->rra[i].xff;
		store_make_put(o, &rra, sizeof rra);
	}
}

/*
 * The live header and the scratch of data points, as librrd starts them:
 * nothing known yet, the seconds of the current step before start unknown,
 * and each archive's primary points before start unknown too.
 */
static void
store_make_live(struct store_make_out *o, const struct tmpl *t, unsigned step,
    time_t start)
{
	live_head_t lh;
	pdp_prep_t pdp;
	cdp_prep_t cdp;
	rra_ptr_t ptr;
	unsigned long unkn_sec;
	unsigned per, rows;
	size_t i, j;

	memset(&lh, 0, sizeof lh);
	lh.last_up = start > 0 ? start : time(NULL) - 10;
	store_make_put(o, &lh, sizeof lh);
	unkn_sec = (unsigned long)lh.last_up % step;
	memset(&pdp, 0, sizeof pdp);
	strcpy(pdp.last_ds, "U");
	pdp.scratch[PDP_val].u_val = DNAN;
	pdp.scratch[PDP_unkn_sec_cnt].u_cnt = unkn_sec;
	for (i = 0; i < t->nds; i++)
		store_make_put(o, &pdp, sizeof pdp);
	for (i = 0; i < t->nrra; i++) {
		template_file_rra(t, step, i, &per, &rows);
		memset(&cdp, 0, sizeof cdp);
		cdp.scratch[CDP_val].u_val = DNAN;
		cdp.scratch[CDP_unkn_pdp_cnt].u_cnt =
		    (((unsigned long)lh.last_up - unkn_sec) %
		        ((unsigned long)step * per)) /
		    step;
		for (j = 0; j < t->nds; j++)
			store_make_put(o, &cdp, sizeof cdp);
	}
	for (i = 0; i < t->nrra; i++) {
		template_file_rra(t, step, i, &per, &rows);
		memset(&ptr, 0, sizeof ptr);
		/* As librrd: archives do not all wrap at once. */
		ptr.cur_row = (unsigned long)rrd_random() % rows;
		store_make_put(o, &ptr, sizeof ptr);
	}
}

/* The values of every row: all unknown. */
static void
store_make_rows(struct store_make_out *o, const struct tmpl *t, unsigned step)
{
	unsigned per, rows;
	size_t i, n = 0, k;

	pthread_once(&store_make_once, store_make_nan_init);
	for (i = 0; i < t->nrra; i++) {
		template_file_rra(t, step, i, &per, &rows);
		n += (size_t)rows * t->nds;
	}
	while (n > 0 && o->err == 0) {
		k = n < STORE_MAKE_CHUNK ? n : STORE_MAKE_CHUNK;
		store_make_write(o, store_make_nan, k * sizeof(double));
		n -= k;
	}
}

size_t
store_make_size(const struct tmpl *t, unsigned step)
{
	unsigned per, rows;
	size_t i, n = 0;

	if (step < t->step)
		step = t->step;
	for (i = 0; i < t->nrra; i++) {
		template_file_rra(t, step, i, &per, &rows);
		n += (size_t)rows * t->nds;
	}
	return sizeof(stat_head_t) + t->nds * sizeof(ds_def_t) +
	    t->nrra * sizeof(rra_def_t) + sizeof(live_head_t) +
	    t->nds * sizeof(pdp_prep_t) +
	    t->nrra * t->nds * sizeof(cdp_prep_t) +
	    t->nrra * sizeof(rra_ptr_t) + n * sizeof(rrd_value_t);
}

/*
 * The file written out now, and its pages then dropped from the page
 * cache. The files of thousands of new series (some 3 MB each, more than
 * the memory of a small machine together) otherwise fill it with dirty
 * pages, and any thread that needs memory meanwhile, the loop's sockets
 * among them, is made to reclaim and wait on their writeback: the loop
 * then started hundreds of probes late and at once. The writer waits
 * instead; a file's first update reads back the few pages it touches.
 */
static void
store_make_drop(int fd)
{
	(void)sync_file_range(fd, 0, 0,
	    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
	        SYNC_FILE_RANGE_WAIT_AFTER);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
}

int
store_make(const char *path, const struct tmpl *t, unsigned step, time_t start,
    unsigned mode, char **cause)
{
	struct store_make_out *o;
	int version, err;

	if (step < t->step)
		step = t->step;
	if ((version = store_make_check(t, cause)) == 0)
		return -1;
	o = xmalloc(sizeof *o);
	o->err = 0;
	o->len = 0;
	o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (o->fd == -1) {
		xasprintf(cause, "open %s: %s", path, strerror(errno));
		free(o);
		return -1;
	}
	store_make_defs(o, t, step, version);
	store_make_live(o, t, step, start);
	store_make_flush(o);
	store_make_rows(o, t, step);
	if (o->err == 0 && fchmod(o->fd, mode) != 0)
		o->err = errno;
	if (o->err == 0)
		store_make_drop(o->fd);
	if (close(o->fd) != 0 && o->err == 0)
		o->err = errno;
	err = o->err;
	free(o);
	if (err != 0) {
		xasprintf(cause, "%s", strerror(err));
		return -1;
	}
	return 0;
}
