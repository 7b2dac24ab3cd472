/*
 * Availability from the `up` data source: GAUGE 0..1, so a row's AVERAGE
 * is the share of its time the system was up. Known time excludes rows
 * that are unknown (no probe ran); outages are runs of rows below 1.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "availability.h"
#include "conf.h"
#include "graph.h"
#include "journal.h"
#include "period.h"
#include "rrdavail.h"
#include "series.h"
#include "store_rrd.h"

static void
rrdavail_rows(const struct series_rows *r, const struct period *p,
    struct rrdavail *out)
{
	double up = 0, down = 0, run = 0, v, step = (double)r->step;
	long long known = 0;
	int ds = series_ds(r, "up");
	time_t t;

	for (t = r->start; t < p->to; t += (time_t)r->step) {
		if (t < p->from)
			continue;
		v = series_at(r, ds, t);
		if (isnan(v)) {
			out->unknown_s += (long long)step;
			v = 1; /* an unknown row ends a run */
		} else {
			known += (long long)step;
			up += v * step;
			down += (1 - v) * step;
		}
		if (v < 1) {
			if (run == 0)
				out->outages++;
			run += (1 - v) * step;
		} else
			run = 0;
		if ((long long)llround(run) > out->longest_outage_s)
			out->longest_outage_s = llround(run);
	}
	if (known > 0) {
		out->availability_pct = up / (double)known * 100;
		out->raw_availability_pct =
		    up / (double)(p->to - p->from) * 100;
	}
	if (out->outages > 0) {
		out->mttr_s = llround(down / out->outages);
		out->mtbf_s = llround(up / out->outages);
	}
}

int
rrdavail_system(const struct conf *conf, const char *system,
    const struct period *p, struct rrdavail *out, char *err, size_t errlen)
{
	struct series_rows rows;
	char *series, *path = NULL, *cause = NULL;
	unsigned long want;
	int r;

	memset(out, 0, sizeof *out);
	out->availability_pct = NAN;
	out->raw_availability_pct = NAN;
	if (conf_find_system(conf, system) == NULL) {
		snprintf(err, errlen, "unknown system \"%s\"", system);
		return -1;
	}
	if ((series = graph_quality_series(conf, system, NULL)) == NULL)
		return 0;
	path = store_path(conf->data_dir, "quality", system, series);
	free(series);
	want = (unsigned long)(p->to - p->from) / 2000;
	r = series_fetch(path, "AVERAGE", p->from, p->to, want < 60 ? 60 : want,
	    &rows, &cause);
	free(path);
	if (r < 0) {
		snprintf(err, errlen, "%s", cause);
		free(cause);
		return -1;
	}
	if (r == 1)
		out->unknown_s = (long long)(p->to - p->from);
	if (r == 0) {
		out->step = rows.step;
		rrdavail_rows(&rows, p, out);
		series_rows_free(&rows);
	}
	return 0;
}

int
rrdavail_any(const struct conf *conf, const char *system,
    const struct period *p, struct rrdavail *out, const char **source,
    char *err, size_t errlen)
{
	struct avail a;

	if (!journal_exists(conf)) {
		*source = "rrd";
		return rrdavail_system(conf, system, p, out, err, errlen);
	}
	*source = "journal";
	memset(out, 0, sizeof *out);
	if (availability_system(conf, system, p, &a, err, errlen) != 0)
		return -1;
	out->availability_pct = a.availability_pct;
	out->raw_availability_pct = a.raw_availability_pct;
	out->unknown_s = a.unknown_s;
	out->maintenance_s = a.maintenance_s;
	out->outages = a.outages > 0 ? (unsigned)a.outages : 0;
	out->longest_outage_s = a.longest_outage_s;
	out->mttr_s = isnan(a.mttr_s) ? 0 : llround(a.mttr_s);
	out->mtbf_s = isnan(a.mtbf_s) ? 0 : llround(a.mtbf_s);
	return 0;
}
