/*
 * itf-dnsd: a hostile name server for the DNS tests, on 127.0.0.1, UDP
 * and TCP on one port. What it answers depends on the first label of the
 * question's name; the tests ask an ordinary server (knotd) everything
 * else.
 *
 *	trunc     UDP: no answer, TC set; TCP: A 192.0.2.53
 *	huge      UDP: TC set; TCP: 4000 A records (about 64 KB)
 *	loop      an answer whose name is a pointer to itself
 *	pingpong  an answer whose name points at a name that points back
 *	forward   an answer whose name points past itself
 *	longname  an answer whose name is a chain of pointers to 63-byte
 *	          labels, longer than 255 bytes
 *	badlabel  an answer whose name has a label of type 01 (0x40)
 *	cut       an A record whose data runs past the end of the message
 *	badtxt    a TXT record whose string runs past its data
 *	wrongid   a good answer with another id
 *	wrongq    a good answer to another question
 *	garbage   5 bytes
 *	silent    nothing
 *
 * It counts what it was asked per name and transport and prints that on
 * stderr when it gets SIGTERM ("udp trunc 1").
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_MSG 65535
#define NKINDS 14

static const char *const kinds[NKINDS] = { "trunc", "huge", "loop", "pingpong",
	"forward", "longname", "badlabel", "cut", "badtxt", "wrongid", "wrongq",
	"garbage", "silent", "other" };
static unsigned long asked[2][NKINDS]; /* [tcp][kind] */

struct msg {
	unsigned char b[MAX_MSG];
	size_t n;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	if (m->n + n > MAX_MSG)
		return;
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
put16(struct msg *m, unsigned v)
{
	unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	put(m, b, 2);
}

static void
put32(struct msg *m, unsigned long v)
{
	put16(m, (unsigned)(v >> 16));
	put16(m, (unsigned)(v & 0xffff));
}

/* An answer's fixed part after its name: type, class IN, TTL, length. */
static void
rr_tail(struct msg *m, unsigned type, unsigned len)
{
	put16(m, type);
	put16(m, 1);
	put32(m, 300);
	put16(m, len);
}

static void
rr_a(struct msg *m, const unsigned char *name, size_t nlen, int last)
{
	unsigned char a[4] = { 192, 0, 2, (unsigned char)last };

	put(m, name, nlen);
	rr_tail(m, 1, 4);
	put(m, a, 4);
}

/* The kind of a question: its name's first label. */
static int
kind_of(const unsigned char *q, size_t qlen)
{
	char label[64];
	size_t l = q[0], i;
	int k;

	if (l == 0 || l > 63 || l + 1 > qlen)
		return NKINDS - 1;
	for (i = 0; i < l; i++)
		label[i] = (char)tolower(q[1 + i]);
	label[l] = '\0';
	for (k = 0; k < NKINDS - 1; k++) {
		if (strcmp(label, kinds[k]) == 0)
			return k;
	}
	return NKINDS - 1;
}

/* The header and question of the answer to q (qlen bytes, the question
 * ending at qend): flags TC (0x02) and rcode given. */
static void
head(struct msg *m, const unsigned char *q, size_t qend, int tc, int rcode,
    unsigned ancount)
{
	m->n = 0;
	put(m, q, 2);
	put16(m,
	    0x8400u | (q[2] & 0x01u) << 8 | (tc ? 0x0200u : 0) |
	        (unsigned)rcode);
	put16(m, 1);
	put16(m, ancount);
	put16(m, 0);
	put16(m, 0);
	put(m, q + 12, qend - 12);
}

/* Names that loop, point forward, or grow past 255 bytes. */
static void
bad_names(struct msg *m, int kind)
{
	unsigned char x[64];
	size_t at[5];
	int i;

	memset(x, 'x', sizeof x);
	x[0] = 63;
	if (kind == 5) { /* longname: blobs in a first record's data */
		put16(m, 0xc00c);
		rr_tail(m, 65280, 5 * 66 - 1);
		for (i = 0; i < 5; i++) {
			at[i] = m->n;
			put(m, x, 64);
			if (i == 0)
				put(m, "", 1);
			else
				put16(m, 0xc000u | (unsigned)at[i - 1]);
		}
		put16(m, 0xc000u | (unsigned)at[4]);
		rr_tail(m, 1, 4);
		put(m, "\300\000\002\001", 4);
		return;
	}
	at[0] = m->n;
	if (kind == 2) /* loop: a pointer to itself */
		put16(m, 0xc000u | (unsigned)at[0]);
	else if (kind == 3) { /* pingpong: a label, then back to it */
		put(m, "\001a", 2);
		put16(m, 0xc000u | (unsigned)at[0]);
	} else if (kind == 4) /* forward */
		put16(m, 0xc000u | (unsigned)(at[0] + 16));
	else /* badlabel */
		put(m, "\101a", 2);
	rr_tail(m, 1, 4);
	put(m, "\300\000\002\001", 4);
}

/* The answer to query q[0..qlen) over tcp or not; 0 when none. */
static int
answer(const unsigned char *q, size_t qlen, int tcp, struct msg *m)
{
	size_t qend = 12;
	int kind, i;

	if (qlen < 12)
		return 0;
	while (qend < qlen && q[qend] != 0 && q[qend] < 64)
		qend += 1 + q[qend];
	qend += 5;
	if (qend > qlen)
		return 0;
	kind = kind_of(q + 12, qlen - 12);
	asked[tcp][kind]++;
	switch (kind) {
	case 0: /* trunc */
		head(m, q, qend, !tcp, 0, tcp);
		if (tcp)
			rr_a(m, (const unsigned char *)"\300\014", 2, 53);
		return 1;
	case 1: /* huge */
		head(m, q, qend, !tcp, 0, tcp ? 4000 : 0);
		for (i = 0; tcp && i < 4000; i++)
			rr_a(m, (const unsigned char *)"\300\014", 2, i % 250);
		return 1;
	case 2:
	case 3:
	case 4:
	case 5:
	case 6:
		head(m, q, qend, 0, 0, kind == 5 ? 2 : 1);
		bad_names(m, kind);
		return 1;
	case 7: /* cut */
		head(m, q, qend, 0, 0, 1);
		put16(m, 0xc00c);
		rr_tail(m, 1, 100);
		put(m, "\300\000\002\001", 4);
		return 1;
	case 8: /* badtxt */
		head(m, q, qend, 0, 0, 1);
		put16(m, 0xc00c);
		rr_tail(m, 16, 5);
		put(m, "\012abcd", 5);
		return 1;
	case 9: /* wrongid */
		head(m, q, qend, 0, 0, 1);
		rr_a(m, (const unsigned char *)"\300\014", 2, 1);
		m->b[1] ^= 1;
		return 1;
	case 10: /* wrongq */
		head(m, q, qend, 0, 0, 1);
		rr_a(m, (const unsigned char *)"\300\014", 2, 1);
		m->b[13] ^= 0x01; /* another letter, not its case */
		return 1;
	case 11: /* garbage */
		m->n = 5;
		memcpy(m->b, "\001\002\003\004\005", 5);
		return 1;
	case 12: /* silent */
		return 0;
	}
	head(m, q, qend, 0, 5, 0); /* REFUSED */
	return 1;
}

static void
udp_cb(evutil_socket_t fd, short what, void *arg)
{
	static unsigned char q[MAX_MSG];
	static struct msg m;
	struct sockaddr_storage from;
	socklen_t flen = sizeof from;
	ssize_t n;

	while ((n = recvfrom(fd, q, sizeof q, MSG_DONTWAIT,
	            (struct sockaddr *)&from, &flen)) > 0) {
		if (answer(q, (size_t)n, 0, &m))
			sendto(fd, m.b, m.n, 0, (struct sockaddr *)&from, flen);
		flen = sizeof from;
	}
}

static void
tcp_read_cb(struct bufferevent *bev, void *arg)
{
	static unsigned char q[MAX_MSG];
	static struct msg m;
	struct evbuffer *in = bufferevent_get_input(bev);
	unsigned char len[2];
	size_t n;

	while (evbuffer_get_length(in) >= 2) {
		evbuffer_copyout(in, len, 2);
		n = (size_t)(len[0] << 8 | len[1]);
		if (evbuffer_get_length(in) < 2 + n)
			return;
		evbuffer_drain(in, 2);
		evbuffer_remove(in, q, n);
		if (!answer(q, n, 1, &m))
			continue;
		len[0] = (unsigned char)(m.n >> 8);
		len[1] = (unsigned char)m.n;
		bufferevent_write(bev, len, 2);
		bufferevent_write(bev, m.b, m.n);
	}
}

static void
tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		bufferevent_free(bev);
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct bufferevent *bev;

	bev = bufferevent_socket_new(evconnlistener_get_base(l), fd,
	    BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, tcp_read_cb, NULL, tcp_event_cb, NULL);
	bufferevent_enable(bev, EV_READ);
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
	struct event_base *base;
	struct evconnlistener *l;
	struct event *ev, *sig;
	struct sockaddr_in sin;
	const char *pidfile = NULL;
	int fd, port = 0, ch, k, t;
	FILE *f;

	while ((ch = getopt(argc, argv, "p:P:")) != -1) {
		if (ch == 'p')
			port = atoi(optarg);
		else if (ch == 'P')
			pidfile = optarg;
		else {
			fprintf(stderr,
			    "usage: itf-dnsd -p PORT [-P PIDFILE]\n");
			return 2;
		}
	}
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	base = event_base_new();
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (port == 0 || fd == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		fprintf(stderr, "itf-dnsd: udp port %d: %s\n", port,
		    strerror(errno));
		return 1;
	}
	l = evconnlistener_new_bind(base, accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 64,
	    (struct sockaddr *)&sin, sizeof sin);
	if (l == NULL) {
		fprintf(stderr, "itf-dnsd: tcp port %d: %s\n", port,
		    strerror(errno));
		return 1;
	}
	ev = event_new(base, fd, EV_READ | EV_PERSIST, udp_cb, NULL);
	sig = evsignal_new(base, SIGTERM, stop_cb, base);
	event_add(ev, NULL);
	event_add(sig, NULL);
	if (pidfile != NULL && (f = fopen(pidfile, "w")) != NULL) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	event_base_dispatch(base);
	for (t = 0; t < 2; t++) {
		for (k = 0; k < NKINDS; k++) {
			if (asked[t][k] > 0)
				fprintf(stderr, "%s %s %lu\n",
				    t ? "tcp" : "udp", kinds[k], asked[t][k]);
		}
	}
	event_free(ev);
	event_free(sig);
	evconnlistener_free(l);
	event_base_free(base);
	close(fd);
	return 0;
}
