/*
 * ICMP echo sockets shared by every icmp probe (see pinger.h): opening
 * them (a datagram socket where the ping group range allows, else a raw
 * one), sending echo requests with a sequence number and random bytes of
 * their own, and reading replies and errors on the event loop, handing
 * each to the probe that is waiting for it and dropping the rest.
 */
#include <errno.h>
#include <event2/event.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "parse_icmp.h"
#include "pinger.h"
#include "xmalloc.h"

#define PINGER_SLOTS 65536
#define PINGER_MAX_PACKET 65536
#define PINGER_READS 256 /* datagrams read per wake-up, then yield */
#define PINGER_BUF (1 << 20) /* socket buffers asked for */
#define PINGER_RANGE "/proc/sys/net/ipv4/ping_group_range"
/* setsockopt(SOL_RAW, ICMP_FILTER) of linux/icmp.h, which clashes with
 * the libc headers: a set bit keeps that ICMP type out. */
#define PINGER_ICMP_FILTER 1

struct pinger_slot {
	void *arg; /* NULL: free */
	uint64_t cookie;
	uint32_t idx;
	uint16_t datalen;
};

struct pinger_sock {
	int family;
	int fd; /* -1: closed */
	int raw;
	int kept; /* opened as root: never closed before exit */
	uint16_t id; /* raw: the identifier of our requests */
	unsigned refs;
	struct event *ev;
	pinger_cb cb;
	struct pinger_slot *slots;
	uint16_t next;
	size_t inflight;
};

static struct pinger_sock pinger_socks[2] = {
	{ .family = AF_INET, .fd = -1 },
	{ .family = AF_INET6, .fd = -1 },
};
static uint64_t pinger_rng;
static uint64_t pinger_ndropped;
static unsigned char pinger_buf[PINGER_MAX_PACKET];

static struct pinger_sock *
pinger_sock(int family)
{
	return &pinger_socks[family == AF_INET6];
}

/* xorshift64*: unpredictable enough once seeded from the kernel. */
static uint64_t
pinger_random(void)
{
	while (pinger_rng == 0 &&
	    getrandom(&pinger_rng, sizeof pinger_rng, 0) !=
	        (ssize_t)sizeof pinger_rng)
		;
	pinger_rng ^= pinger_rng >> 12;
	pinger_rng ^= pinger_rng << 25;
	pinger_rng ^= pinger_rng >> 27;
	return pinger_rng * 0x2545f4914f6cdd1dULL;
}

/* Only replies and errors reach a raw socket: not every echo request. */
static void
pinger_filter(int fd, int family)
{
	uint32_t mask;
	struct icmp6_filter f6;

	if (family == AF_INET) {
		mask = ~((1u << 0) | (1u << 3) | (1u << 11));
		setsockopt(fd, SOL_RAW, PINGER_ICMP_FILTER, &mask, sizeof mask);
		return;
	}
	ICMP6_FILTER_SETBLOCKALL(&f6);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f6);
	ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f6);
	ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f6);
	setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f6, sizeof f6);
}

/* A socket of family, raw or datagram; -1 with errno. */
static int
pinger_socket(int family, int raw)
{
	int fd, on = 1, size = PINGER_BUF;

	fd = socket(family,
	    (raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	if (raw)
		pinger_filter(fd, family);
	else if (family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on);
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
	return fd;
}

/*
 * Does the ping group range hold a group the probes will run with: user's
 * (root is about to become user), else the process's own?
 */
static int
pinger_range_allows(const char *user)
{
	unsigned long lo, hi;
	struct passwd *pw;
	gid_t groups[256];
	int i, n = 256, rc = 0;
	FILE *f;

	if ((f = fopen(PINGER_RANGE, "r")) == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &lo, &hi) != 2) {
		fclose(f);
		return 0;
	}
	fclose(f);
	if (user != NULL && geteuid() == 0 && (pw = getpwnam(user)) != NULL) {
		if (getgrouplist(user, pw->pw_gid, groups, &n) == -1) {
			n = 1;
			groups[0] = pw->pw_gid;
		}
	} else {
		groups[0] = getegid();
		n = getgroups(255, groups + 1);
		n = n < 0 ? 1 : n + 1;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned long)groups[i] >= lo &&
		    (unsigned long)groups[i] <= hi)
			rc = 1;
	}
	return rc;
}

/* The capability sets of the process, read or set: 0, or -1. */
static int
pinger_caps(struct __user_cap_data_struct *d, int set)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return (int)syscall(set ? SYS_capset : SYS_capget, &h, d);
}

/* May the process open raw sockets without being root? */
static int
pinger_has_net_raw(void)
{
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof d);
	return pinger_caps(d, 0) == 0 &&
	    (d[CAP_TO_INDEX(CAP_NET_RAW)].effective & CAP_TO_MASK(CAP_NET_RAW));
}

/*
 * Give CAP_NET_RAW up for good (ambient, effective, permitted and
 * inheritable), so that no collector, and no check program the daemon
 * starts, has it: a daemon given it (systemd's AmbientCapabilities)
 * needed it only to open its raw sockets.
 */
static void
pinger_drop_net_raw(void)
{
	struct __user_cap_data_struct d[2];
	uint32_t m = CAP_TO_MASK(CAP_NET_RAW);
	int i = CAP_TO_INDEX(CAP_NET_RAW);

	if (geteuid() == 0)
		return; /* priv_drop gives everything up, or root stays */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(d, 0, sizeof d);
	if (pinger_caps(d, 0) != 0 ||
	    !((d[i].permitted | d[i].effective | d[i].inheritable) & m))
		return;
	d[i].permitted &= ~m;
	d[i].effective &= ~m;
	d[i].inheritable &= ~m;
	if (pinger_caps(d, 1) != 0)
		log_warn("icmp: cannot give CAP_NET_RAW up: %s",
		    strerror(errno));
}

/* Open both families' raw sockets now, to keep. */
static int
pinger_open_raw(const char *when, char **cause)
{
	struct pinger_sock *ps;
	int i, opened = 0;

	for (i = 0; i < 2; i++) {
		ps = &pinger_socks[i];
		if (ps->fd != -1)
			continue;
		if ((ps->fd = pinger_socket(ps->family, 1)) == -1)
			continue; /* no IPv6, say: its probes say so */
		ps->raw = ps->kept = 1;
		ps->id = (uint16_t)pinger_random();
		opened++;
	}
	if (opened == 0) {
		xasprintf(cause, "icmp: cannot open a raw ICMP socket: %s",
		    strerror(errno));
		return -1;
	}
	log_notice(
	    "icmp: raw ICMP sockets opened %s (%s holds none of the daemon's groups)",
	    when, PINGER_RANGE);
	return 0;
}

int
pinger_prepare(const char *user, int wanted, char **cause)
{
	char when[128];
	int rc = 0, root = geteuid() == 0;

	if (wanted && pinger_range_allows(user))
		log_info("icmp: ping sockets allowed (%s)", PINGER_RANGE);
	else if (wanted && root && user != NULL) {
		snprintf(when, sizeof when, "before becoming %s", user);
		rc = pinger_open_raw(when, cause);
	} else if (wanted && !root && pinger_has_net_raw())
		rc =
		    pinger_open_raw("with CAP_NET_RAW, which was then given up",
		        cause);
	pinger_drop_net_raw();
	return rc;
}

static void pinger_read_cb(evutil_socket_t, short, void *);

/* Open the socket of ps: a ping socket, else a raw one. */
static int
pinger_open(struct pinger_sock *ps, char **cause)
{
	int dgram_errno;

	if ((ps->fd = pinger_socket(ps->family, 0)) != -1) {
		ps->raw = 0;
		return 0;
	}
	dgram_errno = errno;
	if ((ps->fd = pinger_socket(ps->family, 1)) != -1) {
		ps->raw = 1;
		ps->id = (uint16_t)pinger_random();
		return 0;
	}
	if (dgram_errno == EACCES)
		xasprintf(cause,
		    "no ICMP%s socket: %s holds none of the daemon's groups and it lacks CAP_NET_RAW (%s)",
		    ps->family == AF_INET6 ? "v6" : "", PINGER_RANGE,
		    strerror(errno));
	else
		xasprintf(cause, "no ICMP%s socket: %s",
		    ps->family == AF_INET6 ? "v6" : "", strerror(dgram_errno));
	return -1;
}

int
pinger_acquire(struct event_base *base, int family, pinger_cb cb, char **cause)
{
	struct pinger_sock *ps = pinger_sock(family);

	if (ps->fd == -1 && pinger_open(ps, cause) != 0)
		return -1;
	if (ps->ev == NULL) {
		ps->ev = event_new(base, ps->fd, EV_READ | EV_PERSIST,
		    pinger_read_cb, ps);
		event_add(ps->ev, NULL);
		ps->slots = xcalloc(PINGER_SLOTS, sizeof *ps->slots);
		ps->next = (uint16_t)pinger_random();
		log_info("icmp: %s ICMP%s socket", ps->raw ? "raw" : "datagram",
		    family == AF_INET6 ? "v6" : "");
	}
	ps->cb = cb;
	ps->refs++;
	return 0;
}

static void
pinger_close(struct pinger_sock *ps, int all)
{
	if (ps->ev != NULL)
		event_free(ps->ev);
	ps->ev = NULL;
	free(ps->slots);
	ps->slots = NULL;
	ps->inflight = 0;
	if (ps->fd != -1 && (all || !ps->kept)) {
		close(ps->fd);
		ps->fd = -1;
		ps->kept = 0;
	}
}

void
pinger_release(int family)
{
	struct pinger_sock *ps = pinger_sock(family);

	if (ps->refs > 0 && --ps->refs == 0)
		pinger_close(ps, 0);
}

void
pinger_shutdown(void)
{
	pinger_close(&pinger_socks[0], 1);
	pinger_close(&pinger_socks[1], 1);
	pinger_socks[0].refs = pinger_socks[1].refs = 0;
}

const char *
pinger_kind(int family)
{
	struct pinger_sock *ps = pinger_sock(family);

	if (ps->fd == -1)
		return "closed";
	return ps->raw ? "raw" : "datagram";
}

uint64_t
pinger_dropped(void)
{
	return pinger_ndropped;
}

/* Build echo request seq of ps in pinger_buf; its length. */
static size_t
pinger_build(const struct pinger_sock *ps, uint16_t seq, uint64_t cookie,
    size_t datalen)
{
	unsigned char *p = pinger_buf;
	size_t i, len = PARSE_ICMP_HDR + datalen;
	uint16_t sum;

	p[0] = ps->family == AF_INET ? 8 : 128;
	p[1] = p[2] = p[3] = 0;
	/* A datagram socket's identifier is the kernel's to fill in. */
	p[4] = (unsigned char)(ps->id >> 8);
	p[5] = (unsigned char)(ps->id & 0xff);
	p[6] = (unsigned char)(seq >> 8);
	p[7] = (unsigned char)(seq & 0xff);
	memcpy(p + PARSE_ICMP_HDR, &cookie, sizeof cookie);
	for (i = sizeof cookie; i < datalen; i++)
		p[PARSE_ICMP_HDR + i] = (unsigned char)i;
	/* The kernel sums ICMPv6 itself (and a ping socket's ICMP). */
	if (ps->family == AF_INET) {
		sum = parse_icmp_checksum(p, len);
		p[2] = (unsigned char)(sum >> 8);
		p[3] = (unsigned char)(sum & 0xff);
	}
	return len;
}

int
pinger_send(int family, const unsigned char *addr, size_t datalen, void *arg,
    unsigned idx, uint16_t *seq, struct timespec *sent)
{
	struct pinger_sock *ps = pinger_sock(family);
	struct pinger_slot *sl;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct sockaddr *sa;
	socklen_t salen;
	size_t len, tries;
	uint16_t s;

	if (ps->slots == NULL || datalen < 8 ||
	    datalen > PINGER_MAX_PACKET - PARSE_ICMP_HDR - 60) {
		errno = EINVAL;
		return -1;
	}
	for (tries = 0; tries < PINGER_SLOTS && ps->slots[ps->next].arg != NULL;
	     tries++)
		ps->next++;
	if (ps->slots[ps->next].arg != NULL) {
		errno = EBUSY;
		return -1;
	}
	s = ps->next++;
	sl = &ps->slots[s];
	sl->cookie = pinger_random();
	len = pinger_build(ps, s, sl->cookie, datalen);
	if (family == AF_INET) {
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, addr, 4);
		sa = (const struct sockaddr *)&sin;
		salen = sizeof sin;
	} else {
		memset(&sin6, 0, sizeof sin6);
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, addr, 16);
		sa = (const struct sockaddr *)&sin6;
		salen = sizeof sin6;
	}
	/*
	 * An error that came back for another probe's request waits on the
	 * shared socket (sk_err) and fails the next send, whoever's it is:
	 * that send clears it, so one more try tells it from our own.
	 */
	for (tries = 0; tries < 2; tries++) {
		clock_gettime(CLOCK_REALTIME, sent);
		if (sendto(ps->fd, pinger_buf, len, 0, sa, salen) != -1)
			break;
		if (tries == 1 || errno == EAGAIN || errno == ENOBUFS)
			return -1;
	}
	sl->arg = arg;
	sl->idx = idx;
	sl->datalen = (uint16_t)datalen;
	ps->inflight++;
	*seq = s;
	return 0;
}

void
pinger_forget(int family, uint16_t seq)
{
	struct pinger_sock *ps = pinger_sock(family);

	if (ps->slots != NULL && ps->slots[seq].arg != NULL) {
		ps->slots[seq].arg = NULL;
		ps->inflight--;
	}
}

/*
 * Hand m to the probe waiting for it, if it is the answer to one of ours:
 * its slot is in use, the identifier is ours (raw), and a reply carries
 * exactly our data length and random bytes (an error, what it quotes).
 */
static void
pinger_deliver(struct pinger_sock *ps, const struct parse_icmp *m,
    const unsigned char *addr, const struct timespec *rx)
{
	struct pinger_slot *sl = &ps->slots[m->seq], saved;
	int unreach = m->kind == PARSE_ICMP_ERROR;

	if (sl->arg == NULL || (ps->raw && m->id != ps->id))
		goto drop;
	if (!unreach && m->datalen != sl->datalen)
		goto drop;
	if ((!unreach || m->datalen >= sizeof sl->cookie) &&
	    memcmp(m->data, &sl->cookie, sizeof sl->cookie) != 0)
		goto drop;
	/* Free before the call: the probe may end and forget the others. */
	saved = *sl;
	sl->arg = NULL;
	ps->inflight--;
	if (ps->cb(saved.arg, saved.idx, unreach, addr, rx))
		return;
	if (sl->arg == NULL) {
		*sl = saved;
		ps->inflight++;
	}
drop:
	pinger_ndropped++;
}

/* Is an error of the queue one that says "unreachable"? */
static int
pinger_ee_unreachable(const struct sock_extended_err *ee)
{
	switch (ee->ee_origin) {
	case SO_EE_ORIGIN_ICMP:
		return ee->ee_type == 3 || ee->ee_type == 11;
	case SO_EE_ORIGIN_ICMP6:
		return ee->ee_type == 1 || ee->ee_type == 3;
	case SO_EE_ORIGIN_LOCAL:
		return ee->ee_errno == EHOSTUNREACH ||
		    ee->ee_errno == ENETUNREACH;
	}
	return 0;
}

/* The kernel's receive time and extended error of msg. */
static const struct sock_extended_err *
pinger_cmsgs(struct msghdr *msg, struct timespec *rx)
{
	const struct sock_extended_err *ee = NULL;
	struct cmsghdr *c;

	clock_gettime(CLOCK_REALTIME, rx);
	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof *rx))
			memcpy(rx, CMSG_DATA(c), sizeof *rx);
		else if (((c->cmsg_level == IPPROTO_IP &&
		              c->cmsg_type == IP_RECVERR) ||
		             (c->cmsg_level == IPPROTO_IPV6 &&
		                 c->cmsg_type == IPV6_RECVERR)) &&
		    c->cmsg_len >= CMSG_LEN(sizeof *ee))
			ee = (const struct sock_extended_err *)CMSG_DATA(c);
	}
	return ee;
}

/* The address in a received sockaddr, 4 or 16 bytes. */
static const unsigned char *
pinger_from(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return (const unsigned char *)&((const struct sockaddr_in6 *)ss)
		    ->sin6_addr;
	return (const unsigned char *)&((const struct sockaddr_in *)ss)
	    ->sin_addr;
}

/*
 * One datagram, or one error of the queue: 0, -1 when none was left, 1
 * when the socket reported an error instead (one came back, and waits in
 * the error queue).
 */
static int
pinger_recv(struct pinger_sock *ps, int flags)
{
	struct sockaddr_storage from;
	union {
		char buf[512];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { pinger_buf, sizeof pinger_buf };
	struct msghdr msg;
	const struct sock_extended_err *ee;
	const unsigned char *addr;
	struct parse_icmp m;
	struct timespec rx;
	const char *why;
	unsigned pf = ps->family == AF_INET6 ? PARSE_ICMP_V6 : 0;
	ssize_t n;

	memset(&msg, 0, sizeof msg);
	memset(&from, 0, sizeof from);
	msg.msg_name = &from;
	msg.msg_namelen = sizeof from;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof ctl.buf;
	if ((n = recvmsg(ps->fd, &msg, flags | MSG_DONTWAIT)) == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : 1;
	ee = pinger_cmsgs(&msg, &rx);
	if (ps->raw && ps->family == AF_INET)
		pf |= PARSE_ICMP_IPHDR;
	/* The queue gives back our request, perhaps only its start. */
	if (flags & MSG_ERRQUEUE)
		pf |= PARSE_ICMP_NOSUM;
	if (parse_icmp(pinger_buf, (size_t)n, pf, &m, &why) != 0) {
		log_debug("icmp: dropped: %s", why);
		pinger_ndropped++;
		return 0;
	}
	if (flags & MSG_ERRQUEUE) {
		if (ee == NULL || m.kind != PARSE_ICMP_ECHO_REQUEST ||
		    !pinger_ee_unreachable(ee))
			goto drop;
		m.kind = PARSE_ICMP_ERROR;
		addr = pinger_from(&from);
	} else if (m.kind == PARSE_ICMP_ECHO_REPLY)
		addr = m.has_src ? m.src : pinger_from(&from);
	else if (m.kind == PARSE_ICMP_ERROR)
		addr = m.dst;
	else
		goto drop;
	pinger_deliver(ps, &m, addr, &rx);
	return 0;
drop:
	pinger_ndropped++;
	return 0;
}

static void
pinger_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pinger_sock *ps = arg;
	int i, r = 0, got = 0, err = 0;

	(void)fd;
	(void)what;
	for (i = 0; i < PINGER_READS && ps->slots != NULL; i++) {
		if ((r = pinger_recv(ps, 0)) == -1)
			break;
		if (r == 1)
			err = 1;
		else
			got++;
	}
	/*
	 * A datagram socket's errors wait in its queue: read it when the
	 * socket said so, or when we woke for no datagram (the queue alone
	 * makes it readable), not after every reply.
	 */
	if (ps->raw || (!err && got > 0))
		return;
	for (i = 0; i < PINGER_READS && ps->slots != NULL; i++) {
		if (pinger_recv(ps, MSG_ERRQUEUE) == -1)
			break;
	}
}
