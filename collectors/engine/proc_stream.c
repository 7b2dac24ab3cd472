/*
 * Child processes in stream mode: what a child that runs on prints is cut
 * into lines on each of its pipes and handed to its owner as it comes,
 * a line longer than max_line cut and the rest of it dropped. At most
 * max_rate bytes a second are read; beyond, reading pauses until the next
 * second, so the child blocks on its full pipe rather than the loop.
 */
#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "procpriv.h"
#include "xmalloc.h"

#define PROC_STREAM_CHUNK 65536 /* bytes read from a stream a wakeup */

/* Stream mode: line buffers for a new handle. */
void
proc_stream_init(struct proc *p)
{
	int k;

	if (p->opts.max_line == 0)
		p->opts.max_line = 4096;
	for (k = 0; k < 2; k++)
		p->lines[k].buf = xmalloc(p->opts.max_line + 1);
}

/* Hand a line over (unless nobody listens any more). */
static void
proc_stream_emit(struct proc *p, int k, int cut)
{
	struct proc_lines *l = &p->lines[k];

	l->buf[l->len] = '\0';
	if (!p->cancelled)
		p->opts.line(p, k + 1, l->buf, l->len, cut, p->arg);
	l->len = 0;
}

/* What is left of both streams' last lines, handed over. */
void
proc_stream_flush(struct proc *p)
{
	int k;

	for (k = 0; k < 2; k++) {
		if (p->lines[k].len > 0 && !p->lines[k].dropping)
			proc_stream_emit(p, k, 0);
	}
}

/* Cut buf[0..n) into lines for stream k (0 stdout, 1 stderr). */
static void
proc_stream_split(struct proc *p, int k, const char *buf, size_t n)
{
	struct proc_lines *l = &p->lines[k];
	const char *nl, *end = buf + n;
	size_t take;

	while (buf < end) {
		nl = memchr(buf, '\n', (size_t)(end - buf));
		take = (size_t)((nl != NULL ? nl : end) - buf);
		if (!l->dropping) {
			if (take > p->opts.max_line - l->len) {
				take = p->opts.max_line - l->len;
				memcpy(l->buf + l->len, buf, take);
				l->len += take;
				proc_stream_emit(p, k, 1);
				l->dropping = 1;
			} else {
				memcpy(l->buf + l->len, buf, take);
				l->len += take;
			}
		}
		if (nl == NULL)
			return;
		if (!l->dropping)
			proc_stream_emit(p, k, 0);
		l->dropping = 0;
		buf = nl + 1;
	}
}

static void
proc_stream_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;

	if (p->out_ev != NULL)
		event_add(p->out_ev, NULL);
	if (p->err_ev != NULL)
		event_add(p->err_ev, NULL);
}

/* Over its rate: stop reading until the next second. */
static void
proc_stream_pause(struct proc *p)
{
	struct timeval tv = { 1, 0 };

	if (p->out_ev != NULL)
		event_del(p->out_ev);
	if (p->err_ev != NULL)
		event_del(p->err_ev);
	if (p->resume == NULL)
		p->resume = evtimer_new(p->base, proc_stream_resume_cb, p);
	evtimer_add(p->resume, &tv);
	if (!p->warned_rate)
		log_warn(
		    "%s: writes more than %zu bytes a second; reading it pauses, so it waits (logged once)",
		    p->argv[0], p->opts.max_rate);
	p->warned_rate = 1;
}

/* A stream's pipe: a bounded amount each time; 1 at EOF or error. */
int
proc_stream_read(struct proc *p, int fd, int is_out)
{
	char buf[16384];
	size_t budget = PROC_STREAM_CHUNK, want;
	time_t now = time(NULL);
	ssize_t n;

	if (now != p->rate_sec) {
		p->rate_sec = now;
		p->rate_bytes = 0;
	}
	while (budget > 0) {
		if (p->opts.max_rate > 0 && p->rate_bytes >= p->opts.max_rate) {
			proc_stream_pause(p);
			return 0;
		}
		want = budget < sizeof buf ? budget : sizeof buf;
		if (p->opts.max_rate > 0 &&
		    want > p->opts.max_rate - p->rate_bytes)
			want = p->opts.max_rate - p->rate_bytes;
		n = read(fd, buf, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			if (p->lines[!is_out].len > 0 &&
			    !p->lines[!is_out].dropping)
				proc_stream_emit(p, !is_out, 0);
			return 1;
		}
		p->rate_bytes += (size_t)n;
		budget -= (size_t)n;
		proc_stream_split(p, !is_out, buf, (size_t)n);
	}
	return 0; /* more may wait: the event fires again */
}
