/*
 * The dashboard's pages, written the same way for the daemon's live
 * dashboard and for `itfollow dashboard -o DIR`: an overview of every
 * system grouped by portfolio and category, a page per portfolio, per
 * system and per perspective. Graphs are <img> elements whose URLs
 * (live) or file names (static) name a graph by its parts only, each an
 * id checked against its pattern before it is used.
 */
#ifndef DASHPAGE_H
#define DASHPAGE_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

struct chart;
struct conf;

/* One graph of a page. */
struct dashpage_graph {
	char preset[24]; /* availability, response, licence, cost, ... */
	char scope[8]; /* "system" or "by" */
	char id[65]; /* a system id or a grouping */
	char last[8]; /* 24h, 7d, 30d, 1y */
	int width, height;
};

struct dashpage {
	const struct conf *conf;
	int live; /* links and images as the daemon serves them */
	int refresh; /* seconds between reloads of a live page, 0: none */
	time_t now;
	/* A system's open outage as text ("since ... (reason)"), NULL for
	 * none; not set: open outages are unknown (static pages). */
	const char *(*outage)(const struct dashpage *, const char *system);
	void *arg; /* the outage function's */
	struct dashpage_graph *graphs; /* every graph the pages showed */
	size_t ngraphs;
};

void dashpage_index(struct dashpage *, FILE *);
/* 0, or -1 when id is not a configured system. */
int dashpage_system(struct dashpage *, FILE *, const char *id);
/* 0, or -1 when p is not a perspective. */
int dashpage_perspective(struct dashpage *, FILE *, const char *p);
/* 0, or -1 when p is not a portfolio. */
int dashpage_portfolio(struct dashpage *, FILE *, const char *p);

/*
 * A graph from a path, live ("/graph/availability/system/portal/24h/
 * 400x150.png") or static ("graph-availability-system-portal-24h-
 * 400x150.png"); every part checked. Returns 0, or -1.
 */
int dashpage_parse_graph(const char *path, int live,
    struct dashpage_graph *out);
/* The path of a graph, as dashpage_parse_graph reads it. */
void dashpage_graph_path(const struct dashpage_graph *, int live, char *buf,
    size_t len);
/*
 * The chart of a graph (the caller frees *out with chart_free). Cost and
 * benefit graphs start at the first quarter the period meets, so their
 * bars are whole quarters; a graph less than DASHPAGE_COMPACT_H pixels
 * high is a sparkline (no title, legend or notes). Draws nothing: the
 * daemon builds the chart and its renderer draws it. Returns 0, or -1
 * with a message in err (unknown system: the graph does not exist).
 */
#define DASHPAGE_COMPACT_H 150
int dashpage_chart(const struct conf *, const struct dashpage_graph *,
    time_t now, struct chart **out, char *err, size_t errlen);
/*
 * The same chart drawn as PNG in this process (dashpage_draw.c; the
 * caller frees *buf): `itfollow dashboard -o DIR`. Returns 0, or -1 with
 * a message in err.
 */
int dashpage_render(const struct conf *, const struct dashpage_graph *,
    time_t now, void **buf, size_t *len, char *err, size_t errlen);

void dashpage_free(struct dashpage *);

/*
 * /api/v1/availability: every system's availability over the 24 hours
 * and the 30 days before now, as the pages show it (availability_of),
 * with each period and its coverage. JSON.
 */
void dashpage_api_availability(const struct conf *, time_t now, FILE *);

#endif
