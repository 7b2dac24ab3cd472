/*
 * Cost figures: daily rows read with librrd's fetch at their own step and
 * added as millionths (what the feed stored, exactly), never through a
 * consolidation of librrd. The currency and basis come from the state of
 * every focus feed of the configuration.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "costs.h"
#include "focus_state.h"
#include "period.h"
#include "series.h"
#include "store_rrd.h"

#define COSTS_DAY 86400

/* Sum of the known daily values of ds in [from, to), as millionths. */
static int
costs_days(const char *path, const char *ds, const struct period *p,
    long long *micros, double *sum, size_t *n, char *err, size_t errlen)
{
	struct series_rows r;
	char *cause = NULL;
	time_t t;
	double v;
	int rc, idx;

	*micros = 0;
	*sum = 0;
	*n = 0;
	rc = series_fetch(path, "AVERAGE", p->from, p->to, COSTS_DAY, &r,
	    &cause);
	if (rc < 0) {
		snprintf(err, errlen, "%s", cause);
		free(cause);
		return -1;
	}
	if (rc == 1)
		return 0;
	if (r.step == COSTS_DAY) {
		idx = series_ds(&r, ds);
		for (t = p->from - p->from % COSTS_DAY; t < p->to;
		     t += COSTS_DAY) {
			if (t < p->from || isnan(v = series_at(&r, idx, t)))
				continue;
			*micros += llround(v * 1e6);
			*sum += v;
			(*n)++;
		}
	}
	series_rows_free(&r);
	return 0;
}

int
costs_system(const struct conf *conf, const char *system,
    const struct period *period, struct cost_fig *out, char *err, size_t errlen)
{
	struct period days, *p = &days;
	long long m;
	double sum;
	char *path;
	int rc;

	memset(out, 0, sizeof *out);
	/* Billing days are UTC days: a period takes those of its dates. */
	period_days(period, conf->tz, &days);
	if (days.to <= days.from)
		return 0;
	path = store_path(conf->data_dir, "cost", system, "cost");
	rc = path == NULL ? 0
	                  : costs_days(path, "cost", p, &out->micros, &sum,
	                        &out->days, err, errlen);
	free(path);
	if (rc != 0)
		return -1;
	path = store_path(conf->data_dir, "cost", system, "users");
	rc = path == NULL ? 0
	                  : costs_days(path, "users", p, &m, &sum,
	                        &out->user_days, err, errlen);
	free(path);
	if (rc != 0)
		return -1;
	if (out->user_days > 0)
		out->users = sum / (double)out->user_days;
	return 0;
}

int
costs_has_users(const struct cost_fig *f)
{
	return f->user_days > 0 && f->users > 0;
}

static void
costs_note(char *field, size_t len, const char *v, int *mixed)
{
	if (v == NULL)
		return;
	if (*field == '\0')
		snprintf(field, len, "%s", v);
	else if (strcmp(field, v) != 0)
		*mixed = 1;
}

void
costs_basis(const struct conf *conf, struct cost_basis *b)
{
	struct focus_state st;
	char path[4096];
	size_t i;

	memset(b, 0, sizeof *b);
	for (i = 0; i < conf->nfeeds; i++) {
		if (strcmp(conf->feeds[i]->ops->name, "focus") != 0)
			continue;
		focus_state_path(conf->data_dir, conf->feeds[i]->series, path,
		    sizeof path);
		focus_state_load(path, &st);
		costs_note(b->currency, sizeof b->currency, st.currency,
		    &b->mixed);
		costs_note(b->basis, sizeof b->basis, st.basis, &b->mixed);
		focus_state_free(&st);
	}
}

void
costs_unit(const struct cost_basis *b, char *buf, size_t len)
{
	if (b->mixed)
		snprintf(buf, len, "mixed currencies or bases");
	else if (b->currency[0] != '\0' && b->basis[0] != '\0')
		snprintf(buf, len, "%s (%s)", b->currency, b->basis);
	else if (b->currency[0] != '\0')
		snprintf(buf, len, "%s", b->currency);
	else
		snprintf(buf, len, "currency unknown");
}

int
costs_is_system(const struct conf *conf, const char *id)
{
	return strcmp(id, "unallocated") == 0 ||
	    conf_find_system(conf, id) != NULL;
}
