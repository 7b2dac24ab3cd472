/*
 * Availability from the `up` data source: GAUGE 0..1, so a row's AVERAGE
 * is the share of its time the system was up. Known time is the rows
 * that are known (a probe ran); up time is their up times their step;
 * outages are runs of rows below 1.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    struct avail *out)
{
	double up = 0, run = 0, v, step = (double)r->step;
	int ds = series_ds(r, "up");
	time_t t;

	for (t = r->start; t < p->to; t += (time_t)r->step) {
		if (t < p->from)
			continue;
		v = series_at(r, ds, t);
		if (isnan(v))
			v = 1; /* an unknown row ends a run */
		else {
			out->known_s += (long)r->step;
			up += v * step;
		}
		if (v < 1) {
			if (run == 0)
				out->outages++;
			run += (1 - v) * step;
		} else
			run = 0;
		if (lround(run) > out->longest_outage_s)
			out->longest_outage_s = lround(run);
	}
	out->up_s = lround(up);
	out->known_nm_s = out->known_s;
	out->up_nm_s = out->up_s;
	out->down_nm_s = out->known_s - out->up_s;
}

int
rrdavail_system(const struct conf *conf, const char *system,
    const struct period *p, struct avail *out, char *err, size_t errlen)
{
	struct series_rows rows;
	char *series, *path = NULL, *cause = NULL;
	unsigned long want;
	int r;

	availability_zero(out, p);
	out->source = "rrd";
	out->period_s = (long)(p->to - p->from);
	if (conf_find_system(conf, system) == NULL) {
		snprintf(err, errlen, "unknown system \"%s\"", system);
		return -1;
	}
	if ((series = graph_quality_series(conf, system, NULL)) != NULL) {
		path = store_path(conf->data_dir, "quality", system, series);
		free(series);
		want = (unsigned long)(p->to - p->from) / 2000;
		r = series_fetch(path, "AVERAGE", p->from, p->to,
		    want < 60 ? 60 : want, &rows, &cause);
		free(path);
		if (r < 0) {
			snprintf(err, errlen, "%s", cause);
			free(cause);
			return -1;
		}
		if (r == 0) {
			rrdavail_rows(&rows, p, out);
			series_rows_free(&rows);
		}
	}
	availability_finish(out);
	return 0;
}
