/*
 * Daily averages read back from an RRD file on an offload worker: the
 * worker fetches and picks the days into the job, the loop hands them to
 * whoever asked. A cancelled read is freed on the loop once its worker is
 * done with it.
 */
#include <math.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "offload.h"
#include "readback.h"
#include "xmalloc.h"

#define READBACK_DAY 86400L

struct readback {
	struct offload *off;
	char *path, *what, *sys, *ds;
	long long span_s;
	struct itf_run *run;
	itf_daily_fn done;
	void *arg;
	/* What the worker found. */
	int status;
	char msg[512];
	struct itf_daily *days;
	size_t n;
};

static void
readback_free(void *arg)
{
	struct readback *rb = arg;

	free(rb->path);
	free(rb->what);
	free(rb->sys);
	free(rb->ds);
	free(rb->days);
	free(rb);
}

/* Pick the days with a value, from the first to the last that is over. */
static void
readback_pick(struct readback *rb, const rrd_value_t *data, unsigned long nds,
    int col, time_t start, unsigned long step, unsigned long rows)
{
	time_t now = time(NULL), te;
	long first = -1, last = -1;
	unsigned long k;
	size_t n = 0;

	for (k = 0; k < rows; k++) {
		te = start + (time_t)((k + 1) * step);
		if (te <= now && !isnan(data[k * nds + (unsigned long)col])) {
			if (first == -1)
				first = (long)k;
			last = (long)k;
		}
	}
	if (first == -1)
		return;
	rb->days =
	    xreallocarray(NULL, (size_t)(last - first + 1), sizeof *rb->days);
	for (k = (unsigned long)first; k <= (unsigned long)last; k++) {
		rb->days[n].end =
		    (long long)start + (long long)((k + 1) * step);
		rb->days[n].value = data[k * nds + (unsigned long)col];
		n++;
	}
	rb->n = n;
}

static void
readback_work(void *arg)
{
	struct readback *rb = arg;
	time_t now = time(NULL), start, end;
	unsigned long step = READBACK_DAY, nds = 0, i, rows;
	char **names = NULL;
	rrd_value_t *data = NULL;
	struct stat sb;
	int col = -1;

	if (stat(rb->path, &sb) != 0) {
		snprintf(rb->msg, sizeof rb->msg, "no series %s of %s yet",
		    rb->what, rb->sys);
		rb->status = -2;
		return;
	}
	end = now - now % READBACK_DAY + READBACK_DAY;
	start = end - (time_t)rb->span_s;
	rrd_clear_error();
	if (rrd_fetch_r(rb->path, "AVERAGE", &start, &end, &step, &nds, &names,
	        &data) != 0) {
		snprintf(rb->msg, sizeof rb->msg, "%s: %s", rb->path,
		    rrd_get_error());
		rb->status = -1;
		return;
	}
	for (i = 0; i < nds; i++) {
		if (strcmp(names[i], rb->ds) == 0)
			col = (int)i;
	}
	rows = step > 0 ? (unsigned long)(end - start) / step : 0;
	rb->status = -1;
	if (col == -1)
		snprintf(rb->msg, sizeof rb->msg,
		    "series %s has no data source %s", rb->what, rb->ds);
	else if (step != READBACK_DAY)
		snprintf(rb->msg, sizeof rb->msg,
		    "series %s keeps no daily averages", rb->what);
	else {
		rb->status = 0;
		readback_pick(rb, data, nds, col, start, step, rows);
	}
	for (i = 0; i < nds; i++)
		free(names[i]);
	free(names);
	free(data);
}

static void
readback_done(void *arg)
{
	struct readback *rb = arg;

	rb->done(rb->run, rb->arg, rb->status, rb->days, rb->n,
	    rb->status != 0 ? rb->msg : NULL);
	readback_free(rb);
}

struct readback *
readback_daily(struct event_base *base, const char *path, const char *what,
    const char *sys, const char *ds, long long span_s, struct itf_run *run,
    itf_daily_fn done, void *arg)
{
	struct readback *rb = xcalloc(1, sizeof *rb);

	rb->path = xstrdup(path);
	rb->what = xstrdup(what);
	rb->sys = xstrdup(sys);
	rb->ds = xstrdup(ds);
	rb->span_s = span_s;
	rb->run = run;
	rb->done = done;
	rb->arg = arg;
	rb->off = offload_start(base, readback_work, readback_done, rb);
	return rb;
}

void
readback_cancel(struct readback *rb)
{
	offload_cancel(rb->off, readback_free);
}
