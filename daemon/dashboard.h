/*
 * The live dashboard on the status server: `/`, `/system/<id>`,
 * `/perspective/<p>` and the graphs they show, `/graph/...png`. Pages and
 * graphs are made by one worker thread, never on the loop thread.
 */
#ifndef DASHBOARD_H
#define DASHBOARD_H

struct event_base;
struct status;
struct dashboard;

/*
 * Serve the dashboard's paths on the status server (status_route). NULL
 * if the worker cannot start.
 */
struct dashboard *dashboard_start(struct status *, struct event_base *);
/* Stop the worker; before the status server's httpd is freed. */
void dashboard_free(struct dashboard *);

#endif
