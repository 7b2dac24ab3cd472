/*
 * What the dashboard says of a system at a glance: its current state (the
 * last `up` its first quality series stored, unknown when older than
 * DASHVALUE_STALE) and its last measured value with the unit: an HTTP
 * probe's total time, a TCP probe's connect time (both in ms), else the
 * first value a check program reported, with its name. A run that could
 * measure nothing says why (its reason). Values of other series are
 * written as people read them: at most six significant digits.
 */
#include <math.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "dashvalue.h"
#include "graph.h"
#include "reason.h"
#include "series.h"
#include "store_rrd.h"

/* A last value older than this is no longer a current state. */
#define DASHVALUE_STALE 600

/* The value a template's series is known by, and its unit. */
static const struct {
	const char *tmpl, *ds, *unit;
	double scale;
} dashvalue_heads[] = {
	{ "http", "total", "ms", 1000 },
	{ "tcp", "connect", "ms", 1000 },
};

void
dashvalue_fmt(const char *raw, char *buf, size_t len)
{
	char *end;
	double v = strtod(raw, &end);

	if (end == raw || *end != '\0' || !isfinite(v))
		snprintf(buf, len, "%s", raw);
	else
		snprintf(buf, len, "%.6g", v);
}

static const char *
dashvalue_template(const struct conf *conf, const char *id, const char *series)
{
	const struct conf_system *s = conf_find_system(conf, id);
	size_t i;

	for (i = 0; s != NULL && i < s->ninsts; i++) {
		if (strcmp(s->insts[i]->series, series) == 0 &&
		    s->insts[i]->tmpl != NULL)
			return s->insts[i]->tmpl->name;
	}
	return "";
}

/* A run that was not up says why after its value ("- (connect)"). */
static void
dashvalue_why(struct dashvalue *v, unsigned long nds, char **names, char **data)
{
	const char *why = NULL;
	unsigned long i;
	size_t len;
	char *end;
	double x;
	int up = 1;

	for (i = 0; i < nds; i++) {
		x = strtod(data[i], &end);
		if (end == data[i] || *end != '\0')
			continue;
		if (strcmp(names[i], "up") == 0)
			up = x == 1;
		else if (strcmp(names[i], "reason") == 0 && x >= 0 && x < 256)
			why = reason_name((enum itf_reason)x);
	}
	len = strlen(v->text);
	if (!up && why != NULL && len < sizeof v->text)
		snprintf(v->text + len, sizeof v->text - len, " (%s)", why);
}

/* The value the series is known by, and what stopped the run if it was
 * not up. */
static void
dashvalue_head(struct dashvalue *v, const char *tmpl, unsigned long nds,
    char **names, char **data)
{
	const char *ds = NULL, *unit = "";
	double scale = 1, x;
	unsigned long i, k = nds;
	char *end;

	for (i = 0; i < sizeof dashvalue_heads / sizeof dashvalue_heads[0];
	     i++) {
		if (strcmp(dashvalue_heads[i].tmpl, tmpl) == 0) {
			ds = dashvalue_heads[i].ds;
			unit = dashvalue_heads[i].unit;
			scale = dashvalue_heads[i].scale;
		}
	}
	for (i = 0; i < nds && k == nds; i++) {
		if (ds != NULL ? strcmp(names[i], ds) == 0
		               : strcmp(names[i], "up") != 0 &&
		            strcmp(names[i], "reason") != 0)
			k = i;
	}
	x = k < nds ? strtod(data[k], &end) : NAN;
	if (k < nds && end != data[k] && *end == '\0' && isfinite(x)) {
		if (ds != NULL)
			snprintf(v->text, sizeof v->text, "%.*f %s",
			    x * scale < 10 ? 1 : 0, x * scale, unit);
		else
			snprintf(v->text, sizeof v->text, "%s %.6g", names[k],
			    x);
	}
	dashvalue_why(v, nds, names, data);
}

const char *
dashvalue_system(const struct conf *conf, const char *id, time_t now,
    struct dashvalue *v)
{
	char *series, *path, **names, **data;
	unsigned long nds, i;
	const char *state = "unknown";

	memset(v, 0, sizeof *v);
	snprintf(v->text, sizeof v->text, "-");
	if ((series = graph_quality_series(conf, id, NULL)) == NULL)
		return state;
	path = store_path(conf->data_dir, "quality", id, series);
	if (path != NULL)
		series_flush_file(path);
	rrd_clear_error();
	if (path != NULL &&
	    rrd_lastupdate_r(path, &v->when, &nds, &names, &data) == 0) {
		for (i = 0; i < nds; i++) {
			if (strcmp(names[i], "up") == 0 &&
			    now - v->when <= DASHVALUE_STALE) {
				if (strcmp(data[i], "1") == 0)
					state = "up";
				else if (strcmp(data[i], "0") == 0)
					state = "down";
			}
		}
		dashvalue_head(v, dashvalue_template(conf, id, series), nds,
		    names, data);
		for (i = 0; i < nds; i++) {
			free(names[i]);
			free(data[i]);
		}
		free(names);
		free(data);
	}
	free(path);
	free(series);
	return state;
}
