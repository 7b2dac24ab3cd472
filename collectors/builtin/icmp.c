/*
 * ICMP echo probe, as Smokeping measures a link: count echo requests per
 * run, ping_interval apart, each answered within ping_timeout or lost,
 * sent and read on the event loop through the shared echo sockets of
 * pinger.c (no child process). Names are resolved with libevent's evdns.
 *
 * It stores the loss (% of the requests sent), and of the round trips
 * that came back the minimum, the 10th, 25th, 50th (median), 75th and
 * 90th percentiles and the maximum, in seconds. A percentile p of n
 * sorted round trips x[0..n-1] is x[h] + (h - floor h)(x[h+1] - x[h]) at
 * h = (n - 1) p / 100 (linear between the closest ranks: Hyndman and
 * Fan's type 7, numpy's default), so the median of an even n is the mean
 * of the middle two. What it could not measure stays unknown.
 *
 * Down when nothing came back (timeout; unreachable when an error said
 * so), when the name did not resolve (dns), or when more than max_loss %
 * was lost (loss).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "itfollow/collector.h"
#include "types.h"
#include "pinger.h"
#include "xmalloc.h"

#define ICMP_COUNT_MAX 100
#define ICMP_SIZE_MAX 8192

/* The percentiles stored besides min and max, and their data sources. */
static const struct {
	double p;
	const char *ds;
} icmp_pcts[] = {
	{ 10, "p10" },
	{ 25, "p25" },
	{ 50, "median" },
	{ 75, "p75" },
	{ 90, "p90" },
};

/* One resolver for every icmp instance, freed with the last of them. */
static struct evdns_base *icmp_dns;
static unsigned icmp_dns_refs;

/* One echo request of a run. */
struct icmp_ping {
	struct timespec sent; /* CLOCK_REALTIME */
	struct timespec sent_mono;
	double rtt; /* seconds; NAN: no reply (yet) */
	uint16_t seq;
	unsigned char state; /* ICMP_* below */
};
#define ICMP_WAITING 1
#define ICMP_ANSWERED 2
#define ICMP_UNREACHED 3
#define ICMP_LOST 4 /* could not be sent, or answered too late */

struct icmp_state {
	const struct itf_host_services *host;
	struct itf_instance *inst;
	char *hostname;
	int family; /* AF_UNSPEC: either */
	int numeric; /* hostname is an address: addr, addr_family */
	unsigned char addr[16];
	int addr_family;
	unsigned count;
	uint64_t interval_ns, ping_timeout_ns;
	size_t size;
	double max_loss;
	int dns_ref;
	int held[2]; /* pinger references, IPv4 and IPv6 */

	/* The run in flight. */
	struct itf_run *run;
	struct evdns_getaddrinfo_request *req;
	struct event *timer;
	struct timespec start, deadline, first; /* CLOCK_MONOTONIC */
	int fam;
	unsigned char target[16];
	unsigned sent, answered, unreached, lost;
	struct icmp_ping *pings;
	char why[96]; /* what a failed send or an error said */
};

static void icmp_destroy(void *);

/* A host that is a URL or a path is a mistake worth its own message. */
static int
icmp_host_ok(const char *s, char *msg, size_t len)
{
	if (*s == '\0') {
		snprintf(msg, len, "host is empty");
		return 0;
	}
	if (strstr(s, "://") != NULL || strchr(s, '/') != NULL) {
		snprintf(msg, len,
		    "host \"%s\" is a URL or a path: give a name or an address",
		    s);
		return 0;
	}
	if (strspn(s,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:_") !=
	    strlen(s)) {
		snprintf(msg, len, "host \"%s\" is not a name or an address",
		    s);
		return 0;
	}
	return 1;
}

static int
icmp_conf_host(struct icmp_state *st)
{
	const struct itf_host_services *host = st->host;
	const char *s;
	char msg[256];

	if (!host->conf_string(st->inst, "host", &s)) {
		host->conf_error(st->inst, NULL,
		    "icmp collector needs a \"host\"");
		return -1;
	}
	if (!icmp_host_ok(s, msg, sizeof msg)) {
		host->conf_error(st->inst, "host", "%s", msg);
		return -1;
	}
	st->hostname = xstrdup(s);
	if (inet_pton(AF_INET, s, st->addr) == 1)
		st->addr_family = AF_INET;
	else if (inet_pton(AF_INET6, s, st->addr) == 1)
		st->addr_family = AF_INET6;
	else if (strchr(s, ':') != NULL) {
		host->conf_error(st->inst, "host",
		    "host \"%s\" is not an IPv6 address", s);
		return -1;
	}
	st->numeric = st->addr_family != 0;
	return 0;
}

/* A number key in [lo, hi]: 0 (absent: *out unchanged), or -1. */
static int
icmp_conf_num(struct icmp_state *st, const char *key, double lo, double hi,
    double *out)
{
	double v;

	if (!st->host->conf_float(st->inst, key, &v))
		return 0;
	if (!(v >= lo && v <= hi)) {
		st->host->conf_error(st->inst, key, "%s must be %g to %g", key,
		    lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int
icmp_conf_numbers(struct icmp_state *st)
{
	double count = 20, interval = 0.25, timeout = 1, size = 56, ipv = 0,
	       loss = 20, run;
	int errors = 0;

	errors += icmp_conf_num(st, "count", 1, ICMP_COUNT_MAX, &count) != 0;
	errors += icmp_conf_num(st, "ping_interval", 0.001, 60, &interval) != 0;
	errors += icmp_conf_num(st, "ping_timeout", 0.001, 60, &timeout) != 0;
	errors += icmp_conf_num(st, "size", 8, ICMP_SIZE_MAX, &size) != 0;
	errors += icmp_conf_num(st, "max_loss", 0, 100, &loss) != 0;
	errors += icmp_conf_num(st, "ip_version", 0, 6, &ipv) != 0;
	if (ipv != 0 && ipv != 4 && ipv != 6) {
		st->host->conf_error(st->inst, "ip_version",
		    "ip_version must be 4, 6 or 0 (either)");
		errors++;
	}
	run = (count - 1) * interval + timeout;
	if (errors == 0 &&
	    run * 1000 > (double)st->host->timeout_ms(st->inst)) {
		st->host->conf_error(st->inst, "count",
		    "(count - 1) x ping_interval + ping_timeout is %.3f s, more than the timeout (%.3f s)",
		    run, (double)st->host->timeout_ms(st->inst) / 1000);
		errors++;
	}
	st->family = ipv == 4 ? AF_INET : ipv == 6 ? AF_INET6 : AF_UNSPEC;
	st->count = (unsigned)count;
	st->interval_ns = (uint64_t)llround(interval * 1e9);
	st->ping_timeout_ns = (uint64_t)llround(timeout * 1e9);
	st->size = (size_t)size;
	st->max_loss = loss;
	return errors ? -1 : 0;
}

static int
icmp_configure(const struct itf_host_services *host, struct itf_instance *inst,
    void **statep)
{
	struct icmp_state *st;
	int errors = 0;

	st = xcalloc(1, sizeof *st);
	st->host = host;
	st->inst = inst;
	errors += icmp_conf_host(st) != 0;
	errors += icmp_conf_numbers(st) != 0;
	if (errors == 0 && st->numeric && st->family != AF_UNSPEC &&
	    st->family != st->addr_family) {
		host->conf_error(inst, "ip_version",
		    "host %s is not an IPv%d address", st->hostname,
		    st->family == AF_INET ? 4 : 6);
		errors++;
	}
	if (errors != 0) {
		icmp_destroy(st);
		return -1;
	}
	st->pings = xcalloc(st->count, sizeof *st->pings);
	*statep = st;
	return 0;
}

static double
icmp_secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) +
	    (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

static void
icmp_add_ns(struct timespec *t, uint64_t ns)
{
	ns += (uint64_t)t->tv_nsec;
	t->tv_sec += (time_t)(ns / 1000000000u);
	t->tv_nsec = (long)(ns % 1000000000u);
}

static int
icmp_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Percentile p of x[0..n-1], sorted, n > 0 (see the top of the file). */
static double
icmp_percentile(const double *x, unsigned n, double p)
{
	double h = (double)(n - 1) * p / 100, lo = floor(h);
	unsigned i = (unsigned)lo;

	if (i + 1 >= n)
		return x[n - 1];
	return x[i] + (h - lo) * (x[i + 1] - x[i]);
}

/* Emit what the run measured; the number of round trips kept. */
static unsigned
icmp_emit(struct icmp_state *st)
{
	double x[ICMP_COUNT_MAX];
	unsigned i, n = 0;
	size_t k;

	for (i = 0; i < st->sent; i++) {
		if (st->pings[i].state == ICMP_ANSWERED)
			x[n++] = st->pings[i].rtt;
	}
	if (st->sent > 0)
		st->host->emit(st->run, "loss",
		    (double)(st->sent - n) * 100 / (double)st->sent);
	if (n == 0)
		return 0;
	qsort(x, n, sizeof *x, icmp_cmp_double);
	st->host->emit(st->run, "min", x[0]);
	st->host->emit(st->run, "max", x[n - 1]);
	for (k = 0; k < sizeof icmp_pcts / sizeof icmp_pcts[0]; k++)
		st->host->emit(st->run, icmp_pcts[k].ds,
		    icmp_percentile(x, n, icmp_pcts[k].p));
	return n;
}

/* End the run: stop everything, then say how it went. */
static void
icmp_end(struct icmp_state *st, enum itf_status status, enum itf_reason reason,
    const char *msg)
{
	struct itf_run *run = st->run;
	unsigned i;

	for (i = 0; i < st->sent; i++) {
		if (st->pings[i].state == ICMP_WAITING)
			pinger_forget(st->fam, st->pings[i].seq);
	}
	if (st->req != NULL)
		evdns_getaddrinfo_cancel(st->req);
	st->req = NULL;
	if (st->timer != NULL)
		event_free(st->timer);
	st->timer = NULL;
	st->run = NULL;
	st->host->run_done(run, status, reason, msg);
}

/* All requests sent, and each answered, refused or lost: the verdict. */
static void
icmp_finish(struct icmp_state *st)
{
	char msg[160];
	unsigned n = icmp_emit(st);
	double loss;

	if (n == 0 && st->unreached > 0) {
		snprintf(msg, sizeof msg, "%s: %s", st->hostname,
		    st->why[0] ? st->why : "unreachable");
		icmp_end(st, ITF_STATUS_DOWN, ITF_REASON_UNREACHABLE, msg);
		return;
	}
	if (n == 0) {
		snprintf(msg, sizeof msg,
		    "%s: none of %u echo requests answered%s%s", st->hostname,
		    st->sent, st->why[0] ? "; " : "", st->why);
		icmp_end(st, ITF_STATUS_DOWN, ITF_REASON_TIMEOUT, msg);
		return;
	}
	loss = (double)(st->sent - n) * 100 / (double)st->sent;
	if (loss > st->max_loss) {
		snprintf(msg, sizeof msg,
		    "%s: %.1f %% lost (%u of %u), above max_loss %g %%",
		    st->hostname, loss, st->sent - n, st->sent, st->max_loss);
		icmp_end(st, ITF_STATUS_DOWN, ITF_REASON_LOSS, msg);
		return;
	}
	icmp_end(st, ITF_STATUS_UP, ITF_REASON_OK, NULL);
}

static int
icmp_open(const struct icmp_ping *p)
{
	return p->state == ICMP_WAITING;
}

/* Are all requests sent and none waiting? */
static int
icmp_settled(const struct icmp_state *st)
{
	return st->sent == st->count &&
	    st->answered + st->unreached + st->lost == st->sent;
}

static int
icmp_reply_cb(void *arg, unsigned idx, int unreachable,
    const unsigned char *addr, const struct timespec *rx)
{
	struct icmp_state *st = arg;
	struct icmp_ping *p;
	struct timespec now;
	double rtt, limit;

	if (st->run == NULL || idx >= st->sent || !icmp_open(&st->pings[idx]))
		return 0;
	/* Unreachable errors come from routers: the quoted destination. */
	if (memcmp(addr, st->target, st->fam == AF_INET ? 4 : 16) != 0)
		return 0;
	p = &st->pings[idx];
	limit = (double)st->ping_timeout_ns / 1e9;
	if (unreachable) {
		p->state = ICMP_UNREACHED;
		st->unreached++;
	} else {
		rtt = icmp_secs(rx, &p->sent);
		/* The wall clock stepped: the loop's monotonic time. */
		if (rtt < 0 || rtt > 2 * limit) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			rtt = icmp_secs(&now, &p->sent_mono);
		}
		if (rtt > limit) {
			p->state = ICMP_LOST;
			st->lost++;
		} else {
			p->rtt = rtt;
			p->state = ICMP_ANSWERED;
			st->answered++;
		}
	}
	if (icmp_settled(st))
		icmp_finish(st);
	return 1;
}

/* Send request st->sent. */
static void
icmp_send_one(struct icmp_state *st)
{
	struct icmp_ping *p = &st->pings[st->sent];
	unsigned idx = st->sent++;

	clock_gettime(CLOCK_MONOTONIC, &p->sent_mono);
	p->rtt = NAN;
	if (pinger_send(st->fam, st->target, st->size, st, idx, &p->seq,
	        &p->sent) == 0) {
		p->state = ICMP_WAITING;
		return;
	}
	if (errno == EHOSTUNREACH || errno == ENETUNREACH || errno == EACCES ||
	    errno == EPERM || errno == EADDRNOTAVAIL) {
		p->state = ICMP_UNREACHED;
		st->unreached++;
	} else {
		p->state = ICMP_LOST;
		st->lost++;
	}
	snprintf(st->why, sizeof st->why, "sending: %s", strerror(errno));
}

static void
icmp_arm(struct icmp_state *st, const struct timespec *at)
{
	struct timespec now;
	struct timeval tv = { 0, 0 };
	double s;

	clock_gettime(CLOCK_MONOTONIC, &now);
	s = icmp_secs(at, &now);
	if (s > 0) {
		tv.tv_sec = (time_t)s;
		tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
	}
	evtimer_add(st->timer, &tv);
}

static int
icmp_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/*
 * The run's clock: send the requests that are due, then wait for the next
 * one, or after the last for its replies, never past the run's deadline.
 */
static void
icmp_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct icmp_state *st = arg;
	struct timespec now, next;

	if (st->fam == 0) {
		icmp_end(st, ITF_STATUS_DOWN, ITF_REASON_DNS,
		    "name not resolved in time");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (st->sent < st->count && icmp_before(&now, &st->deadline))
		icmp_send_one(st);
	if (icmp_settled(st) || !icmp_before(&now, &st->deadline)) {
		icmp_finish(st);
		return;
	}
	next = st->first;
	if (st->sent < st->count)
		icmp_add_ns(&next, st->interval_ns * st->sent);
	else
		icmp_add_ns(&next,
		    st->interval_ns * (st->count - 1) + st->ping_timeout_ns);
	if (st->sent == st->count && !icmp_before(&now, &next)) {
		icmp_finish(st); /* the last request's time is up */
		return;
	}
	if (!icmp_before(&next, &st->deadline))
		next = st->deadline;
	icmp_arm(st, &next);
}

/* The target is known: start sending. */
static void
icmp_begin(struct icmp_state *st)
{
	char *cause = NULL;
	int h = st->fam == AF_INET6;

	if (!st->held[h]) {
		if (pinger_acquire(st->host->event_base(), st->fam,
		        icmp_reply_cb, &cause) != 0) {
			icmp_end(st, ITF_STATUS_UNKNOWN, ITF_REASON_INTERNAL,
			    cause);
			free(cause);
			return;
		}
		st->held[h] = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &st->first);
	icmp_tick_cb(-1, 0, st);
}

static void
icmp_resolved_cb(int err, struct evutil_addrinfo *res, void *arg)
{
	struct icmp_state *st = arg;
	struct evutil_addrinfo *ai;
	char msg[160];

	/* Cancelled by icmp_end: st may be gone, or on its next run. */
	if (err == EVUTIL_EAI_CANCEL) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		return;
	}
	st->req = NULL;
	for (ai = err == 0 ? res : NULL; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
			break;
	}
	if (ai == NULL) {
		snprintf(msg, sizeof msg, "%s: %s", st->hostname,
		    err != 0 ? evutil_gai_strerror(err) : "no address");
		if (res != NULL)
			evutil_freeaddrinfo(res);
		icmp_end(st, ITF_STATUS_DOWN, ITF_REASON_DNS, msg);
		return;
	}
	st->fam = ai->ai_family;
	if (st->fam == AF_INET)
		memcpy(st->target,
		    &((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr, 4);
	else
		memcpy(st->target,
		    &((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_addr,
		    16);
	evutil_freeaddrinfo(res);
	icmp_begin(st);
}

static int
icmp_resolve(struct icmp_state *st)
{
	struct evutil_addrinfo hints;
	struct evdns_getaddrinfo_request *req;

	if (!st->dns_ref) {
		if (icmp_dns == NULL)
			icmp_dns = evdns_base_new(st->host->event_base(),
			    EVDNS_BASE_INITIALIZE_NAMESERVERS |
			        EVDNS_BASE_NAMESERVERS_NO_DEFAULT);
		if (icmp_dns == NULL)
			return -1;
		icmp_dns_refs++;
		st->dns_ref = 1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = st->family;
	hints.ai_socktype = SOCK_DGRAM;
	/* May answer (icmp_resolved_cb) before it returns. */
	req = evdns_getaddrinfo(icmp_dns, st->hostname, NULL, &hints,
	    icmp_resolved_cb, st);
	if (st->run != NULL && st->fam == 0)
		st->req = req;
	return 0;
}

static int
icmp_start(void *arg, struct itf_run *run)
{
	struct icmp_state *st = arg;

	st->run = run;
	st->sent = st->answered = st->unreached = st->lost = 0;
	st->why[0] = '\0';
	st->fam = 0;
	memset(st->pings, 0, st->count * sizeof *st->pings);
	clock_gettime(CLOCK_MONOTONIC, &st->start);
	st->deadline = st->start;
	icmp_add_ns(&st->deadline, st->host->timeout_ms(st->inst) * 1000000u);
	st->timer = evtimer_new(st->host->event_base(), icmp_tick_cb, st);
	if (st->timer == NULL) {
		st->run = NULL;
		return -1;
	}
	if (st->numeric) {
		st->fam = st->addr_family;
		memcpy(st->target, st->addr, sizeof st->target);
		icmp_begin(st);
		return 0;
	}
	if (icmp_resolve(st) != 0) {
		event_free(st->timer);
		st->timer = NULL;
		st->run = NULL;
		return -1;
	}
	/* The name's deadline: the run's. */
	if (st->run == run && st->fam == 0)
		icmp_arm(st, &st->deadline);
	return 0;
}

static void
icmp_cancel(void *arg, struct itf_run *run)
{
	struct icmp_state *st = arg;

	if (st->run != run)
		return;
	icmp_end(st, ITF_STATUS_UNKNOWN, ITF_REASON_CANCELLED, NULL);
}

static void
icmp_destroy(void *arg)
{
	struct icmp_state *st = arg;

	if (st == NULL)
		return;
	if (st->held[0])
		pinger_release(AF_INET);
	if (st->held[1])
		pinger_release(AF_INET6);
	if (st->dns_ref && --icmp_dns_refs == 0) {
		/* Lookups still pending end (their callbacks free them). */
		evdns_base_free(icmp_dns, 1);
		icmp_dns = NULL;
	}
	free(st->hostname);
	free(st->pings);
	free(st);
}

const struct itf_collector_ops collector_icmp_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "icmp",
	.perspective = "quality",
	.template_name = "icmp",
	.keys = icmp_type_keys,
	.configure = icmp_configure,
	.start = icmp_start,
	.cancel = icmp_cancel,
	.destroy = icmp_destroy,
};
