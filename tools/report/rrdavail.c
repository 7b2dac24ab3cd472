/*
 * Availability from the `up` data source: GAUGE 0..1, so a row's AVERAGE
 * is the share of its time the system was up. Known time is the rows
 * that are known (a probe ran); up time is their up times their step;
 * outages are runs of rows below 1. Within service hours, a row counts
 * by the part of it inside them (its up share of that part), and an
 * outage when one of its rows below 1 has any.
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
#include "span.h"
#include "store_rrd.h"

static void
rrdavail_rows(const struct series_rows *r, const struct period *p,
    const struct spans *svc, struct avail *out)
{
	double up = 0, run = 0, v, step = (double)r->step, sup = 0, ov;
	int ds = series_ds(r, "up"), counted = 0;
	time_t t;

	for (t = r->start; t < p->to; t += (time_t)r->step) {
		if (t < p->from)
			continue;
		v = series_at(r, ds, t);
		ov = (double)availability_within(svc, t, t + (time_t)r->step);
		if (isnan(v))
			v = 1; /* an unknown row ends a run */
		else {
			out->known_s += (long)r->step;
			up += v * step;
			out->svc_known_s += (long)ov;
			sup += v * ov;
		}
		if (v < 1) {
			if (run == 0)
				out->outages++;
			if ((run == 0 || !counted) && ov > 0)
				out->service_outages++;
			counted = (run != 0 && counted) || ov > 0;
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
	out->svc_known_nm_s = out->svc_known_s;
	out->svc_up_nm_s = lround(sup);
	out->svc_down_nm_s = out->svc_known_s - out->svc_up_nm_s;
}

int
rrdavail_system(const struct conf *conf, const char *system,
    const struct period *p, struct avail *out, char *err, size_t errlen)
{
	struct series_rows rows;
	struct spans svc = { 0 };
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
	conf_service_spans(conf, system, p->from, p->to, &svc);
	out->svc_s = span_total(&svc);
	out->service_hours = availability_service_hours(conf, system);
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
			span_free(&svc);
			return -1;
		}
		if (r == 0) {
			rrdavail_rows(&rows, p, &svc, out);
			series_rows_free(&rows);
		}
	}
	span_free(&svc);
	availability_finish(out);
	return 0;
}
