/*
 * itf-pingd: an echo responder for the ICMP tests, run inside a network
 * namespace whose kernel answers no echo request itself
 * (net.ipv4.icmp_echo_ignore_all, net.ipv6.icmp.echo_ignore_all).
 *
 * It reads echo requests from raw ICMP and ICMPv6 sockets and answers
 * each after a delay and with a loss that follow a fixed pattern, so that
 * a test knows exactly which round trips and losses a prober must see,
 * and so does fping on the same path. Requests are counted per flow
 * (family, identifier, destination): the k-th request of a flow (from 0)
 * is dropped when k % drop_every == drop_every - 1, else answered after
 * delay + (k % cycle) x step milliseconds, from the address it was sent
 * to. Requests to an --unreach address get "destination unreachable"
 * quoting them instead, requests to a --silent address nothing. With --forge no true reply is sent: each request
 * gets replies that only look like its own (other data, cut short, a bad
 * checksum, another identifier or sequence number, an error quoting other
 * data, truncated junk), which a prober must all refuse. Independent of
 * the daemon's code on purpose: nothing of collectors/ is linked.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PKT 65536
#define MAX_UNREACH 8

struct flow {
	struct flow *next;
	int fam;
	uint16_t id;
	unsigned char dst[16];
	unsigned long k;
};

/* A reply waiting for its time. */
struct pending {
	struct pending *next, *prev;
	int fam;
	unsigned char src[16], dst[16]; /* of the request */
	unsigned char *icmp; /* the reply's ICMP message */
	size_t len;
	struct event *ev;
};

static struct event_base *base;
static int fd4 = -1, fd6 = -1;
static struct flow *flows;
static struct pending *pendings;
static long delay_ms, step_ms, cycle = 1, drop_every;
static int forge;
static unsigned char unreach[MAX_UNREACH][16];
static int unreach_fam[MAX_UNREACH], unreach_silent[MAX_UNREACH], nunreach;
static unsigned long nreq, nsent;

static uint16_t
cksum(const unsigned char *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void
set_sum(unsigned char *icmp, size_t len, int fam)
{
	uint16_t s;

	if (fam == AF_INET6)
		return; /* the kernel sums ICMPv6 */
	icmp[2] = icmp[3] = 0;
	s = cksum(icmp, len);
	icmp[2] = (unsigned char)(s >> 8);
	icmp[3] = (unsigned char)s;
}

/* Send icmp from src (the request's destination) to dst. */
static void
send_from(int fam, const unsigned char *src, const unsigned char *dst,
    const unsigned char *icmp, size_t len)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)icmp, len };
	struct msghdr msg;
	struct cmsghdr *c;

	memset(&msg, 0, sizeof msg);
	memset(&ctl, 0, sizeof ctl);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	c = (struct cmsghdr *)ctl.buf;
	if (fam == AF_INET) {
		struct in_pktinfo pi;

		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, dst, 4);
		msg.msg_name = &sin;
		msg.msg_namelen = sizeof sin;
		memset(&pi, 0, sizeof pi);
		memcpy(&pi.ipi_spec_dst, src, 4);
		msg.msg_controllen = CMSG_SPACE(sizeof pi);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
	} else {
		struct in6_pktinfo pi;

		memset(&sin6, 0, sizeof sin6);
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, dst, 16);
		msg.msg_name = &sin6;
		msg.msg_namelen = sizeof sin6;
		memset(&pi, 0, sizeof pi);
		memcpy(&pi.ipi6_addr, src, 16);
		msg.msg_controllen = CMSG_SPACE(sizeof pi);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
	}
	if (sendmsg(fam == AF_INET ? fd4 : fd6, &msg, 0) == -1)
		fprintf(stderr, "itf-pingd: sendmsg: %s\n", strerror(errno));
	else
		nsent++;
}

static unsigned long
flow_next(int fam, uint16_t id, const unsigned char *dst)
{
	struct flow *f;
	size_t n = fam == AF_INET ? 4 : 16;

	for (f = flows; f != NULL; f = f->next) {
		if (f->fam == fam && f->id == id && memcmp(f->dst, dst, n) == 0)
			return f->k++;
	}
	f = calloc(1, sizeof *f);
	if (f == NULL)
		abort();
	f->fam = fam;
	f->id = id;
	memcpy(f->dst, dst, n);
	f->next = flows;
	flows = f;
	return f->k++;
}

static void
pending_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pending *p = arg;

	send_from(p->fam, p->dst, p->src, p->icmp, p->len);
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		pendings = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	event_free(p->ev);
	free(p->icmp);
	free(p);
}

/* Answer the echo request icmp[0..len) after ms. */
static void
reply_later(int fam, const unsigned char *src, const unsigned char *dst,
    const unsigned char *icmp, size_t len, long ms)
{
	struct pending *p = calloc(1, sizeof *p);
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (p == NULL || (p->icmp = malloc(len)) == NULL)
		abort();
	p->fam = fam;
	memcpy(p->src, src, 16);
	memcpy(p->dst, dst, 16);
	memcpy(p->icmp, icmp, len);
	p->len = len;
	p->icmp[0] = fam == AF_INET ? 0 : 129;
	set_sum(p->icmp, len, fam);
	p->ev = evtimer_new(base, pending_cb, p);
	evtimer_add(p->ev, &tv);
	p->next = pendings;
	if (pendings != NULL)
		pendings->prev = p;
	pendings = p;
}

/* "Destination unreachable" about the request, quoting its start. */
static void
send_unreach(int fam, const unsigned char *src, const unsigned char *dst,
    const unsigned char *ip, size_t iplen, const unsigned char *icmp,
    size_t len)
{
	unsigned char out[1280];
	size_t q;

	memset(out, 0, sizeof out);
	out[0] = fam == AF_INET ? 3 : 1;
	out[1] = fam == AF_INET ? 1 : 3; /* host / address unreachable */
	if (fam == AF_INET) {
		q = iplen < 548 ? iplen : 548;
		memcpy(out + 8, ip, q);
	} else {
		/* The request's IPv6 header, as the kernel keeps none. */
		q = len < 1000 ? len : 1000;
		out[8] = 0x60;
		out[12] = (unsigned char)(len >> 8);
		out[13] = (unsigned char)len;
		out[14] = 58;
		out[15] = 64;
		memcpy(out + 16, src, 16);
		memcpy(out + 32, dst, 16);
		memcpy(out + 48, icmp, q);
		q += 40;
	}
	set_sum(out, 8 + q, fam);
	send_from(fam, dst, src, out, 8 + q);
}

/* A copy of the request as a reply, altered by how; sent at once. */
static void
forge_one(int fam, const unsigned char *src, const unsigned char *dst,
    const unsigned char *icmp, size_t len, int how)
{
	static unsigned char b[MAX_PKT];
	size_t n = len;

	memcpy(b, icmp, len);
	b[0] = fam == AF_INET ? 0 : 129;
	switch (how) {
	case 0: /* other data */
		b[8] ^= 0xff;
		break;
	case 1: /* cut short by a byte */
		n--;
		break;
	case 2: /* another identifier */
		b[4] ^= 0x5a;
		break;
	case 3: /* another sequence number */
		b[7] ^= 0x01;
		break;
	case 4: /* junk shorter than an echo header */
		n = fam == AF_INET ? 3 : 4;
		break;
	}
	set_sum(b, n, fam);
	if (how == 5) /* a bad checksum (the kernel sums ICMPv6 itself) */
		b[2] ^= 0x55;
	send_from(fam, dst, src, b, n);
}

static void
forge_all(int fam, const unsigned char *src, const unsigned char *dst,
    const unsigned char *ip, size_t iplen, const unsigned char *icmp,
    size_t len)
{
	static unsigned char b[MAX_PKT], p[MAX_PKT];
	int how;

	for (how = 0; how <= (fam == AF_INET ? 5 : 4); how++)
		forge_one(fam, src, dst, icmp, len, how);
	/* An error quoting the request with other data. */
	memcpy(b, icmp, len);
	b[8] ^= 0xff;
	set_sum(b, len, fam);
	if (fam == AF_INET) {
		memcpy(p, ip, iplen - len);
		memcpy(p + iplen - len, b, len);
	}
	send_unreach(fam, src, dst, p, iplen, b, len);
}

/* 1: unreachable, 2: silent, 0: answered. */
static int
is_unreach(int fam, const unsigned char *dst)
{
	int i;

	for (i = 0; i < nunreach; i++) {
		if (unreach_fam[i] == fam &&
		    memcmp(unreach[i], dst, fam == AF_INET ? 4 : 16) == 0)
			return unreach_silent[i] ? 2 : 1;
	}
	return 0;
}

static int dup_replies;

static void
handle_request(int fam, const unsigned char *src, const unsigned char *dst,
    const unsigned char *ip, size_t iplen, const unsigned char *icmp,
    size_t len)
{
	uint16_t id = (uint16_t)(icmp[4] << 8 | icmp[5]);
	unsigned long k;
	long ms;

	nreq++;
	switch (is_unreach(fam, dst)) {
	case 1:
		send_unreach(fam, src, dst, ip, iplen, icmp, len);
		return;
	case 2:
		return;
	}
	if (forge) {
		forge_all(fam, src, dst, ip, iplen, icmp, len);
		return;
	}
	k = flow_next(fam, id, dst);
	if (drop_every > 0 &&
	    k % (unsigned long)drop_every == (unsigned long)drop_every - 1)
		return;
	ms = delay_ms + (long)(k % (unsigned long)cycle) * step_ms;
	reply_later(fam, src, dst, icmp, len, ms);
	if (dup_replies)
		reply_later(fam, src, dst, icmp, len, ms + 1);
}

static void
read4_cb(evutil_socket_t fd, short what, void *arg)
{
	static unsigned char buf[MAX_PKT], src[16], dst[16];
	ssize_t n;
	size_t hl;

	while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
		hl = (size_t)(buf[0] & 0x0f) * 4;
		if (n < 20 || (size_t)n < hl + 8 || buf[9] != 1 || buf[hl] != 8)
			continue;
		memset(src, 0, sizeof src);
		memset(dst, 0, sizeof dst);
		memcpy(src, buf + 12, 4);
		memcpy(dst, buf + 16, 4);
		handle_request(AF_INET, src, dst, buf, (size_t)n, buf + hl,
		    (size_t)n - hl);
	}
}

static void
read6_cb(evutil_socket_t fd, short what, void *arg)
{
	static unsigned char buf[MAX_PKT], dst[16];
	union {
		char b[256];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_in6 from;
	struct iovec iov = { buf, sizeof buf };
	struct msghdr msg;
	struct cmsghdr *c;
	ssize_t n;

	for (;;) {
		memset(&msg, 0, sizeof msg);
		msg.msg_name = &from;
		msg.msg_namelen = sizeof from;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl.b;
		msg.msg_controllen = sizeof ctl.b;
		if ((n = recvmsg(fd, &msg, MSG_DONTWAIT)) <= 0)
			return;
		if (n < 8 || buf[0] != 128)
			continue;
		memset(dst, 0, sizeof dst);
		for (c = CMSG_FIRSTHDR(&msg); c != NULL;
		     c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == IPPROTO_IPV6 &&
			    c->cmsg_type == IPV6_PKTINFO)
				memcpy(dst,
				    &((struct in6_pktinfo *)(void *)CMSG_DATA(
				          c))
				         ->ipi6_addr,
				    16);
		}
		handle_request(AF_INET6, (unsigned char *)&from.sin6_addr, dst,
		    NULL, 0, buf, (size_t)n);
	}
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopbreak(base);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: itf-pingd [--delay MS] [--step MS] [--cycle N] "
	    "[--drop-every N]\n"
	    "    [--unreach ADDRESS]... [--silent ADDRESS]... [--forge] [--dup]\n"
	    "    [--pidfile FILE]\n");
	exit(2);
}

static void
add_unreach(const char *s, int silent)
{
	if (nunreach == MAX_UNREACH)
		usage();
	unreach_silent[nunreach] = silent;
	if (inet_pton(AF_INET, s, unreach[nunreach]) == 1)
		unreach_fam[nunreach++] = AF_INET;
	else if (inet_pton(AF_INET6, s, unreach[nunreach]) == 1)
		unreach_fam[nunreach++] = AF_INET6;
	else
		usage();
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "step", required_argument, NULL, 's' },
		{ "cycle", required_argument, NULL, 'c' },
		{ "drop-every", required_argument, NULL, 'x' },
		{ "unreach", required_argument, NULL, 'u' },
		{ "silent", required_argument, NULL, 'S' },
		{ "forge", no_argument, NULL, 'f' },
		{ "dup", no_argument, NULL, 'D' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct event *ev4, *ev6, *sig;
	struct event_config *cfg;
	const char *pidfile = NULL;
	int ch, on = 1;
	FILE *f;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			delay_ms = atol(optarg);
			break;
		case 's':
			step_ms = atol(optarg);
			break;
		case 'c':
			if ((cycle = atol(optarg)) < 1)
				usage();
			break;
		case 'x':
			drop_every = atol(optarg);
			break;
		case 'u':
		case 'S':
			add_unreach(optarg, ch == 'S');
			break;
		case 'f':
			forge = 1;
			break;
		case 'D':
			dup_replies = 1;
			break;
		case 'p':
			pidfile = optarg;
			break;
		default:
			usage();
		}
	}
	fd4 = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ICMP);
	fd6 = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ICMPV6);
	if (fd4 == -1 || fd6 == -1) {
		fprintf(stderr, "itf-pingd: raw sockets: %s\n",
		    strerror(errno));
		return 1;
	}
	setsockopt(fd6, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
	/*
	 * The kernel stamps arriving packets only while some socket wants
	 * it, and turns that on a little after the first one asks: asked
	 * here, the prober's first replies get their arrival time too.
	 */
	setsockopt(fd4, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
	setsockopt(fd6, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
	/* Replies leave at their time, not a cached one: a timerfd. */
	cfg = event_config_new();
	event_config_set_flag(cfg,
	    EVENT_BASE_FLAG_PRECISE_TIMER | EVENT_BASE_FLAG_NO_CACHE_TIME);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	ev4 = event_new(base, fd4, EV_READ | EV_PERSIST, read4_cb, NULL);
	ev6 = event_new(base, fd6, EV_READ | EV_PERSIST, read6_cb, NULL);
	sig = evsignal_new(base, SIGTERM, stop_cb, NULL);
	event_add(ev4, NULL);
	event_add(ev6, NULL);
	event_add(sig, NULL);
	if (pidfile != NULL && (f = fopen(pidfile, "w")) != NULL) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	event_base_dispatch(base);
	fprintf(stderr, "itf-pingd: %lu requests, %lu sent\n", nreq, nsent);
	while (pendings != NULL) {
		struct pending *p = pendings;

		pendings = p->next;
		event_free(p->ev);
		free(p->icmp);
		free(p);
	}
	while (flows != NULL) {
		struct flow *fl = flows;

		flows = fl->next;
		free(fl);
	}
	event_free(ev4);
	event_free(ev6);
	event_free(sig);
	event_base_free(base);
	return 0;
}
