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

/* How a preset draws. */
enum graph_kind {
	GRAPH_AVAILABILITY, /* `up` as percent per row (graphavail.c) */
	GRAPH_RESPONSE, /* a probe's times, stacked; groups: mean total */
	GRAPH_LICENCE, /* in use and issued; groups: utilisation */
	GRAPH_COST, /* daily amounts per month or quarter (graphcost.c) */
	GRAPH_SMOKE, /* an icmp series' spread and median */
	GRAPH_BENEFIT, /* a perspective's series per month or quarter
	                  (graphbenefit.c) */
};

struct graph_preset {
	const char *name; /* as the tool and the dashboard's URLs say it */
	const char *title; /* "Availability of portal, 2026 Q1" */
	const char *perspective; /* where its series are */
	enum graph_kind kind;
	int bars; /* bars per calendar month or quarter, of whole days */
	int one_system; /* --system only, no --by */
};

/* The preset called name, or NULL. */
const struct graph_preset *graph_preset_find(const char *name);
/* "availability, response, ...": the presets' names, for messages. */
void graph_preset_names(char *buf, size_t len);
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
