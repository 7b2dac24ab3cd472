/*
 * What the graph presets share (graph.c, graphcost.c, graphavail.c): the
 * request being drawn, the systems' files it reads and the groups they
 * fall in, and the helpers that fetch and combine their rows.
 */
#ifndef GRAPHPRIV_H
#define GRAPHPRIV_H

#include <stddef.h>
#include <time.h>

#include "graph.h"
#include "tz.h"

struct chart;
struct conf_system;
struct series_rows;

/* Rows a time chart aims for: one per pixel or two of a wide graph. */
#define GRAPH_ROWS 600

/* One system's series file, and the group its values go to. */
struct graph_member {
	const char *system; /* a configured id, or "unallocated" */
	char *path;
	size_t group;
};

struct graph_ctx {
	const struct conf *conf;
	const struct graph_req *req;
	struct chart *c;
	char **groups;
	size_t ngroups;
	struct graph_member *m;
	size_t nm;
	char *err;
	size_t errlen;
};

/* The index of a group by name (added when new). */
size_t graph_group(struct graph_ctx *, const char *name);
/*
 * Fetch every member at one step. The first file decides the step; a file
 * that cannot give it is left out with a warning in the chart's notes.
 */
int graph_fetch_all(struct graph_ctx *, const char *cf, unsigned long want,
    int exact, struct series_rows *rows, unsigned long *step);
/* Rows [t, t + step) over the chart's period, labelled with their start
 * in the zone's local time. */
void graph_time_rows(struct chart *, const struct tz *, unsigned long step);
/* The step of a time chart of the request's period: GRAPH_ROWS rows (or
 * the request's rows), at least min. */
unsigned long graph_want_step(const struct graph_req *, unsigned long min);
/* Mean over the row's known values of ds in the group's members, times k. */
double graph_mean(const struct graph_ctx *, const struct series_rows *rows,
    size_t group, const char *ds, time_t t, double k);

/* The cost presets: cost and cost-per-user, by month or quarter. */
int graphcost_build(struct graph_ctx *);
/* The calendar buckets (local months or quarters) that meet the period. */
void graphcost_buckets(struct chart *, const struct tz *, int quarters);

/* Add a system's series of the preset; group: the group it falls in. */
void graphbenefit_members(struct graph_ctx *, const struct conf_system *,
    const char *group);
/* Bars per month or quarter of the members' daily rows. */
int graphbenefit_build(struct graph_ctx *);
/* The availability preset; rows: the members' fetched `up` rows, used
 * when there is no journal. */
int graphavail_build(struct graph_ctx *, struct series_rows *rows,
    unsigned long step);

#endif
