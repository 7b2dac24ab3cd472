/*
 * The live dashboard on the status server: `/`, `/system/<id>`,
 * `/perspective/<p>` and the graphs they show, `/graph/...png`. Pages and
 * graphs are made by one worker thread, never on the loop thread.
 */
#ifndef DASHBOARD_H
#define DASHBOARD_H

struct event_base;
struct evhttp;
struct collect;
struct dashboard;

/*
 * Serve the dashboard on http (it takes the generic callback and answers
 * 404 for what it does not know). NULL if the worker cannot start.
 */
struct dashboard *dashboard_start(struct event_base *, struct evhttp *,
    struct collect *);
/* Stop the worker; before the evhttp it serves on is freed. */
void dashboard_free(struct dashboard *);

#endif
