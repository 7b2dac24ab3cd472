/*
 * /api/v1/flush on the status server: readers on the loopback ask the
 * daemon to write what it holds back for the files they are about to read.
 */
#ifndef FLUSHREQ_H
#define FLUSHREQ_H

struct event_base;
struct status;
struct flushreq;

/* Serve /api/v1/flush[/<perspective>/<system>/<series>] on st. */
struct flushreq *flushreq_start(struct status *, struct event_base *);
/* Answer what waits (503) and free. Before the status server goes. */
void flushreq_free(struct flushreq *);

#endif
