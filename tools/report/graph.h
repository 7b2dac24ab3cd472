/*
 * The graphs of itfollow: presets that turn stored series into a chart
 * (chart.h). Shared by `itfollow graph`, the scorecard, the static
 * dashboard and the daemon's live dashboard.
 */
#ifndef GRAPH_H
#define GRAPH_H

#include <stddef.h>

#include "period.h"

struct conf;
struct chart;

struct graph_req {
	const char *preset; /* availability, response, licence, cost,
	                       cost-per-user, smoke, external-benefit,
	                       internal-benefit, learning */
	const char *system; /* one system, or NULL with by */
	const char *by; /* category, portfolio, owner, perspective */
	const char *series; /* NULL: the preset's series */
	const char *per; /* cost: month (default) or quarter */
	struct period period;
	unsigned rows; /* a time chart's rows at most, 0: as fine as a
	                  graph of 600 pixels shows */
};

/* Exit codes of graph_build and the tool. */
#define GRAPH_OK 0
#define GRAPH_FAIL 1 /* a file could not be read */
#define GRAPH_BADREQ 2 /* unknown system, series, preset, grouping */

/*
 * The chart of a request, numbers computed from the stored rows (missing
 * or empty files give a chart with no values: "no data"). Returns
 * GRAPH_OK with *out set, or GRAPH_FAIL / GRAPH_BADREQ with a message in
 * err.
 */
int graph_build(const struct conf *, const struct graph_req *,
    struct chart **out, char *err, size_t errlen);

/* 1 if name is a preset. */
int graph_preset_valid(const char *name);
/* 1 if the preset draws bars per calendar month or quarter (cost,
 * cost-per-user and the benefit presets). */
int graph_preset_bars(const char *name);

/*
 * A system's availability series: req->series if given, else its first
 * configured quality series. NULL when it has none (caller frees).
 */
char *graph_quality_series(const struct conf *, const char *system,
    const char *want_tmpl);

#endif
