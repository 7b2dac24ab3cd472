/*
 * itf-plainloop: the yardstick for the daemon's CPU use.
 *
 * It does what itfollowd's HTTP probes do on the wire and nothing else: a
 * bare libcurl-multi loop driven by libevent in the manner of curl's
 * hiperfifo example (CURLMOPT_SOCKETFUNCTION, CURLMOPT_TIMERFUNCTION, one
 * event per socket), probing each URL of a file every INTERVAL seconds at a
 * stable per-URL offset, on a fresh connection each time, and keeping the
 * figures a probe would record in memory only.  probes.sh runs both on the
 * same URLs; the ratio of their CPU seconds per 1000 probes is the cost of
 * everything the daemon does beyond probing (scheduling, storage, status).
 *
 * A line "tcp://HOST:PORT" or "tcp://HOST:PORT/EXPECT" is a TCP probe done
 * as the daemon's tcp collector does it: a bufferevent connected through
 * evdns (numeric hosts resolve at once), deferred callbacks, one timer per
 * run; with EXPECT it reads until EXPECT comes or the peer closes.
 * scale.sh gives it half tcp, half http targets.
 *
 * usage: itf-plainloop -i INTERVAL_S -t TIMEOUT_S -d DURATION_S -w WARMUP_S
 *        URLFILE
 *
 * It runs WARMUP + DURATION seconds, lets the probes of the measured window
 * finish, and prints on stdout, one "key value" a line:
 *   scheduled   slots inside the window (after the warm-up)
 *   completed   probes of those slots that finished, whatever the result
 *   ontime      of those, how many started within 1 s of their slot
 *   cpu_s       user + system CPU seconds spent inside the window
 *   maxrss_kib  peak resident set size
 * A breakdown of the results goes to stderr.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/resource.h>
#include <sys/time.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/event_struct.h>

#define BODY_CAP (64 * 1024)
#define ONTIME_MS 1000
/* Past the window, how often to look whether its probes are all done. */
#define DRAIN_POLL_MS 100
/* ... and how long to wait at most beyond the probe timeout. */
#define DRAIN_GRACE_MS 2000

/* What a real probe would keep of its run. */
struct result {
	CURLcode code;
	long status;
	curl_off_t total_us;
	curl_off_t connect_us;
	curl_off_t ttfb_us;
	size_t bytes;
};

/* A TCP target's address and what a run of it holds. */
struct tcp {
	char *host;
	int port;
	char *expect; /* NULL: connecting is all */
	struct bufferevent *bev;
	struct event *timer;
	int connected;
	int64_t t0_ms;
};

struct target {
	char *url;
	struct tcp *tcp; /* NULL for an http target */
	int64_t offset_ms;
	int64_t slot_ms; /* the slot the timer is armed for */
	struct event timer;
	CURL *easy; /* while a probe runs */
	int64_t run_slot_ms;
	int run_in_window;
	int run_ontime;
	size_t body;
	struct result last;
};

/* Our side of a socket libcurl asked us to watch. */
struct sock {
	struct event ev;
};

static struct {
	struct event_base *base;
	CURLM *multi;
	struct evdns_base *dns;
	struct event *mtimer;
	struct event *win_start_ev;
	struct event *win_end_ev;
	struct event *drain_ev;
	struct target *targets;
	size_t ntargets;
	int64_t interval_ms;
	int64_t timeout_ms;
	int64_t win_start_ms;
	int64_t win_end_ms;
	int64_t drain_deadline_ms;
	int ended;
	/* Running probes whose slot is inside the window. */
	unsigned long inflight;
	unsigned long scheduled, completed, ontime, overrun;
	unsigned long n_ok, n_http_error, n_timeout, n_connect, n_other;
	struct rusage ru_start, ru_end;
} pl;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: itf-plainloop -i INTERVAL_S -t TIMEOUT_S "
	    "-d DURATION_S -w WARMUP_S URLFILE\n");
	exit(2);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timeval
ms_tv(int64_t ms)
{
	struct timeval tv;

	if (ms < 0)
		ms = 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	return tv;
}

static uint32_t
fnv1a32(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/* The first slot at or after t: (slot - offset) % interval == 0. */
static int64_t
next_slot(int64_t t, int64_t offset, int64_t interval)
{
	return t + ((offset - t) % interval + interval) % interval;
}

static long
parse_seconds(const char *s, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > 86400)
		usage();
	return v;
}

static double
cpu_seconds(const struct rusage *a, const struct rusage *b)
{
	return (double)(b->ru_utime.tv_sec - a->ru_utime.tv_sec) +
	    (double)(b->ru_utime.tv_usec - a->ru_utime.tv_usec) / 1e6 +
	    (double)(b->ru_stime.tv_sec - a->ru_stime.tv_sec) +
	    (double)(b->ru_stime.tv_usec - a->ru_stime.tv_usec) / 1e6;
}

static size_t
body_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct target *t = arg;
	size_t n = size * nmemb;

	(void)ptr;
	/* A probe reads a bounded body; past the cap it gives up. */
	if (t->body + n > BODY_CAP)
		return 0;
	t->body += n;
	return n;
}

static void
tally(const struct result *r)
{
	if (r->code == CURLE_OK && r->status < 400)
		pl.n_ok++;
	else if (r->code == CURLE_OK)
		pl.n_http_error++;
	else if (r->code == CURLE_OPERATION_TIMEDOUT)
		pl.n_timeout++;
	else if (r->code == CURLE_COULDNT_CONNECT)
		pl.n_connect++;
	else
		pl.n_other++;
}

static void
probe_done(CURL *easy, CURLcode code)
{
	struct target *t;
	struct result *r;
	char *priv = NULL;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
	t = (struct target *)(void *)priv;
	r = &t->last;
	r->code = code;
	r->status = 0;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &r->total_us);
	curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &r->connect_us);
	curl_easy_getinfo(easy, CURLINFO_STARTTRANSFER_TIME_T, &r->ttfb_us);
	r->bytes = t->body;
	curl_multi_remove_handle(pl.multi, easy);
	curl_easy_cleanup(easy);
	t->easy = NULL;
	if (t->run_in_window) {
		pl.completed++;
		pl.ontime += (unsigned long)t->run_ontime;
		pl.inflight--;
		tally(r);
	}
}

static void
check_multi_info(void)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(pl.multi, &left)) != NULL) {
		if (msg->msg == CURLMSG_DONE)
			probe_done(msg->easy_handle, msg->data.result);
	}
}

static void
sock_event(evutil_socket_t fd, short what, void *arg)
{
	int action = 0, running;

	(void)arg;
	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(pl.multi, fd, action, &running);
	check_multi_info();
	if (running <= 0)
		evtimer_del(pl.mtimer);
}

static int
sock_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct sock *sk = sockp;
	short kind;

	(void)easy;
	(void)userp;
	if (what == CURL_POLL_REMOVE) {
		if (sk != NULL) {
			event_del(&sk->ev);
			free(sk);
		}
		return 0;
	}
	if (sk == NULL) {
		if ((sk = calloc(1, sizeof(*sk))) == NULL)
			return -1;
		curl_multi_assign(pl.multi, s, sk);
	} else {
		event_del(&sk->ev);
	}
	kind = EV_PERSIST;
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	event_assign(&sk->ev, pl.base, s, kind, sock_event, NULL);
	event_add(&sk->ev, NULL);
	return 0;
}

static void
mtimer_fire(evutil_socket_t fd, short what, void *arg)
{
	int running;

	(void)fd;
	(void)what;
	(void)arg;
	curl_multi_socket_action(pl.multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_multi_info();
}

static int
mtimer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct timeval tv;

	(void)multi;
	(void)userp;
	if (timeout_ms < 0) {
		evtimer_del(pl.mtimer);
		return 0;
	}
	tv = ms_tv(timeout_ms);
	evtimer_add(pl.mtimer, &tv);
	return 0;
}

/* The end of a TCP run: what the daemon's tcp collector would record. */
static void
tcp_done(struct target *t, int outcome)
{
	struct tcp *c = t->tcp;

	if (c->bev != NULL)
		bufferevent_free(c->bev);
	if (c->timer != NULL)
		event_free(c->timer);
	c->bev = NULL;
	c->timer = NULL;
	t->last.code = (CURLcode)outcome;
	t->last.connect_us = c->connected ? (now_ms() - c->t0_ms) * 1000 : -1;
	if (!t->run_in_window)
		return;
	pl.completed++;
	pl.ontime += (unsigned long)t->run_ontime;
	pl.inflight--;
	switch (outcome) {
	case CURLE_OK:
		pl.n_ok++;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		pl.n_timeout++;
		break;
	case CURLE_COULDNT_CONNECT:
		pl.n_connect++;
		break;
	default:
		pl.n_other++;
	}
}

static void
tcp_read_cb(struct bufferevent *bev, void *arg)
{
	struct target *t = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr p;

	p = evbuffer_search(in, t->tcp->expect, strlen(t->tcp->expect), NULL);
	if (p.pos != -1)
		tcp_done(t, CURLE_OK);
	else if (evbuffer_get_length(in) > BODY_CAP)
		tcp_done(t, CURLE_RECV_ERROR);
}

static void
tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct target *t = arg;
	struct tcp *c = t->tcp;

	if (what & BEV_EVENT_CONNECTED) {
		c->connected = 1;
		t->last.connect_us = (now_ms() - c->t0_ms) * 1000;
		if (c->expect == NULL) {
			tcp_done(t, CURLE_OK);
			return;
		}
		bufferevent_enable(bev, EV_READ);
		return;
	}
	if (what & BEV_EVENT_EOF)
		tcp_done(t, CURLE_RECV_ERROR);
	else if (what & BEV_EVENT_ERROR)
		tcp_done(t,
		    c->connected ? CURLE_RECV_ERROR : CURLE_COULDNT_CONNECT);
}

static void
tcp_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	tcp_done(arg, CURLE_OPERATION_TIMEDOUT);
}

static void
tcp_start(struct target *t)
{
	struct tcp *c = t->tcp;
	struct timeval tv = ms_tv(pl.timeout_ms);

	c->connected = 0;
	c->t0_ms = now_ms();
	c->bev = bufferevent_socket_new(pl.base, -1,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (c->bev == NULL) {
		fprintf(stderr,
		    "itf-plainloop: bufferevent_socket_new failed\n");
		return;
	}
	bufferevent_setcb(c->bev, c->expect != NULL ? tcp_read_cb : NULL, NULL,
	    tcp_event_cb, t);
	c->timer = evtimer_new(pl.base, tcp_timeout_cb, t);
	evtimer_add(c->timer, &tv);
	if (t->run_in_window)
		pl.inflight++;
	/* May report failure through tcp_event_cb before it returns. */
	if (bufferevent_socket_connect_hostname(c->bev, pl.dns, AF_UNSPEC,
	        c->host, c->port) != 0 &&
	    c->bev != NULL)
		tcp_done(t, CURLE_COULDNT_CONNECT);
}

/*
 * "tcp://HOST:PORT[/EXPECT][#TAG]" into t->tcp (the tag only makes the line,
 * and so its offset, unique); -1 when it is not one, -2 out of memory.
 */
static int
tcp_parse(struct target *t, const char *line)
{
	const char *h = line + strlen("tcp://"), *colon, *tag;
	size_t hlen;
	char *end;
	long port;

	tag = strchr(h, '#');
	hlen = tag != NULL ? (size_t)(tag - h) : strlen(h);
	end = memchr(h, '/', hlen);
	colon = memrchr(h, ':', end != NULL ? (size_t)(end - h) : hlen);
	if (colon == NULL || colon == h)
		return -1;
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || port < 1 || port > 65535 ||
	    (end != h + hlen && *end != '/'))
		return -1;
	if ((t->tcp = calloc(1, sizeof(*t->tcp))) == NULL ||
	    (t->tcp->host = strndup(h, (size_t)(colon - h))) == NULL)
		return -2;
	t->tcp->port = (int)port;
	if (end != h + hlen && end + 1 != h + hlen &&
	    (t->tcp->expect = strndup(end + 1, (size_t)(h + hlen - end - 1))) ==
	        NULL)
		return -2;
	return 0;
}

static void
probe_start(struct target *t, int64_t slot, int in_window, int64_t now)
{
	CURL *e;

	t->run_slot_ms = slot;
	t->run_in_window = in_window;
	t->run_ontime = now - slot <= ONTIME_MS;
	if (t->tcp != NULL) {
		tcp_start(t);
		return;
	}
	if ((e = curl_easy_init()) == NULL) {
		fprintf(stderr, "itf-plainloop: curl_easy_init failed\n");
		return;
	}
	curl_easy_setopt(e, CURLOPT_URL, t->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)(void *)t);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)pl.timeout_ms);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	t->body = 0;
	if (curl_multi_add_handle(pl.multi, e) != CURLM_OK) {
		fprintf(stderr,
		    "itf-plainloop: curl_multi_add_handle failed\n");
		curl_easy_cleanup(e);
		return;
	}
	t->easy = e;
	if (in_window)
		pl.inflight++;
}

static void
target_arm(struct target *t)
{
	struct timeval tv = ms_tv(t->slot_ms - now_ms());

	evtimer_add(&t->timer, &tv);
}

static void
target_fire(evutil_socket_t fd, short what, void *arg)
{
	struct target *t = arg;
	int64_t slot = t->slot_ms, now = now_ms();
	int in_window;

	(void)fd;
	(void)what;
	if (slot >= pl.win_end_ms)
		return;
	in_window = slot >= pl.win_start_ms;
	if (in_window)
		pl.scheduled++;
	t->slot_ms += pl.interval_ms;
	if (t->slot_ms < pl.win_end_ms)
		target_arm(t);
	/* The previous probe still runs: the slot is lost (an overrun). */
	if (t->easy != NULL || (t->tcp != NULL && t->tcp->bev != NULL)) {
		if (in_window)
			pl.overrun++;
		return;
	}
	probe_start(t, slot, in_window, now);
}

static void
win_start(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	getrusage(RUSAGE_SELF, &pl.ru_start);
}

/* Stop once the window's probes are all done, or their time is up. */
static void
drain_check(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = ms_tv(DRAIN_POLL_MS);

	(void)fd;
	(void)what;
	(void)arg;
	if (pl.inflight == 0 || now_ms() >= pl.drain_deadline_ms) {
		event_base_loopbreak(pl.base);
		return;
	}
	evtimer_add(pl.drain_ev, &tv);
}

static void
win_end(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = ms_tv(DRAIN_POLL_MS);

	(void)fd;
	(void)what;
	(void)arg;
	getrusage(RUSAGE_SELF, &pl.ru_end);
	pl.ended = 1;
	pl.drain_deadline_ms = now_ms() + pl.timeout_ms + DRAIN_GRACE_MS;
	/* Not at once: slots due before the end may still be waiting. */
	evtimer_add(pl.drain_ev, &tv);
}

static int
load_urls(const char *path)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t len;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "itf-plainloop: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		while (
		    len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (pl.ntargets == alloc) {
			size_t n = alloc ? alloc * 2 : 1024;
			struct target *nt;

			nt = realloc(pl.targets, n * sizeof(*nt));
			if (nt == NULL)
				goto nomem;
			memset(nt + alloc, 0, (n - alloc) * sizeof(*nt));
			pl.targets = nt;
			alloc = n;
		}
		if ((pl.targets[pl.ntargets].url = strdup(line)) == NULL)
			goto nomem;
		if (strncmp(line, "tcp://", 6) == 0) {
			int rc = tcp_parse(&pl.targets[pl.ntargets], line);

			if (rc == -2)
				goto nomem;
			if (rc == -1) {
				fprintf(stderr,
				    "itf-plainloop: %s: bad tcp target \"%s\"\n",
				    path, line);
				free(line);
				fclose(f);
				return -1;
			}
		}
		pl.ntargets++;
	}
	free(line);
	fclose(f);
	if (pl.ntargets == 0) {
		fprintf(stderr, "itf-plainloop: %s: no URLs\n", path);
		return -1;
	}
	return 0;
nomem:
	fprintf(stderr, "itf-plainloop: out of memory\n");
	free(line);
	fclose(f);
	return -1;
}

/* One socket per running probe: take all the descriptors we may. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
cleanup(void)
{
	size_t i;

	for (i = 0; i < pl.ntargets; i++) {
		struct target *t = &pl.targets[i];

		if (event_initialized(&t->timer))
			event_del(&t->timer);
		if (t->easy != NULL) {
			curl_multi_remove_handle(pl.multi, t->easy);
			curl_easy_cleanup(t->easy);
		}
		if (t->tcp != NULL) {
			if (t->tcp->bev != NULL)
				bufferevent_free(t->tcp->bev);
			if (t->tcp->timer != NULL)
				event_free(t->tcp->timer);
			free(t->tcp->host);
			free(t->tcp->expect);
			free(t->tcp);
		}
		free(t->url);
	}
	free(pl.targets);
	if (pl.multi != NULL)
		curl_multi_cleanup(pl.multi);
	if (pl.dns != NULL)
		evdns_base_free(pl.dns, 1);
	if (pl.mtimer != NULL)
		event_free(pl.mtimer);
	if (pl.win_start_ev != NULL)
		event_free(pl.win_start_ev);
	if (pl.win_end_ev != NULL)
		event_free(pl.win_end_ev);
	if (pl.drain_ev != NULL)
		event_free(pl.drain_ev);
	if (pl.base != NULL)
		event_base_free(pl.base);
	curl_global_cleanup();
	libevent_global_shutdown();
}

int
main(int argc, char **argv)
{
	long interval = -1, timeout = -1, duration = -1, warmup = -1;
	struct timeval tv;
	struct rusage ru;
	int64_t t0;
	size_t i;
	int ch;

	while ((ch = getopt(argc, argv, "i:t:d:w:")) != -1) {
		switch (ch) {
		case 'i':
			interval = parse_seconds(optarg, 1);
			break;
		case 't':
			timeout = parse_seconds(optarg, 1);
			break;
		case 'd':
			duration = parse_seconds(optarg, 1);
			break;
		case 'w':
			warmup = parse_seconds(optarg, 0);
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || interval < 0 || timeout < 0 || duration < 0 ||
	    warmup < 0)
		usage();
	pl.interval_ms = interval * 1000;
	pl.timeout_ms = timeout * 1000;

	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "itf-plainloop: curl_global_init failed\n");
		return 1;
	}
	if (load_urls(argv[optind]) == -1)
		goto fail;
	if ((pl.base = event_base_new()) == NULL ||
	    (pl.multi = curl_multi_init()) == NULL ||
	    (pl.dns = evdns_base_new(pl.base,
	         EVDNS_BASE_INITIALIZE_NAMESERVERS |
	             EVDNS_BASE_NAMESERVERS_NO_DEFAULT)) == NULL ||
	    (pl.mtimer = evtimer_new(pl.base, mtimer_fire, NULL)) == NULL ||
	    (pl.win_start_ev = evtimer_new(pl.base, win_start, NULL)) == NULL ||
	    (pl.win_end_ev = evtimer_new(pl.base, win_end, NULL)) == NULL ||
	    (pl.drain_ev = evtimer_new(pl.base, drain_check, NULL)) == NULL) {
		fprintf(stderr, "itf-plainloop: out of memory\n");
		goto fail;
	}
	curl_multi_setopt(pl.multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(pl.multi, CURLMOPT_TIMERFUNCTION, mtimer_cb);

	t0 = now_ms();
	pl.win_start_ms = t0 + warmup * 1000;
	pl.win_end_ms = pl.win_start_ms + duration * 1000;
	for (i = 0; i < pl.ntargets; i++) {
		struct target *t = &pl.targets[i];

		t->offset_ms = fnv1a32(t->url) % (uint32_t)pl.interval_ms;
		t->slot_ms = next_slot(t0, t->offset_ms, pl.interval_ms);
		evtimer_assign(&t->timer, pl.base, target_fire, t);
		target_arm(t);
	}
	/* With no warm-up the window starts now, before any probe. */
	if (warmup == 0)
		getrusage(RUSAGE_SELF, &pl.ru_start);
	else {
		tv = ms_tv(pl.win_start_ms - now_ms());
		evtimer_add(pl.win_start_ev, &tv);
	}
	tv = ms_tv(pl.win_end_ms - now_ms());
	evtimer_add(pl.win_end_ev, &tv);

	if (event_base_dispatch(pl.base) == -1) {
		fprintf(stderr, "itf-plainloop: event loop failed\n");
		goto fail;
	}
	if (!pl.ended) {
		fprintf(stderr, "itf-plainloop: loop ended early\n");
		goto fail;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("scheduled %lu\n", pl.scheduled);
	printf("completed %lu\n", pl.completed);
	printf("ontime %lu\n", pl.ontime);
	printf("cpu_s %.3f\n", cpu_seconds(&pl.ru_start, &pl.ru_end));
	printf("maxrss_kib %ld\n", ru.ru_maxrss);
	fprintf(stderr,
	    "itf-plainloop: urls %zu ok %lu http_error %lu timeout %lu "
	    "connect_error %lu other %lu overrun %lu unfinished %lu\n",
	    pl.ntargets, pl.n_ok, pl.n_http_error, pl.n_timeout, pl.n_connect,
	    pl.n_other, pl.overrun, pl.inflight);
	cleanup();
	return fflush(stdout) == 0 ? 0 : 1;
fail:
	cleanup();
	return 1;
}
