/*
 * ICMP echo sockets, one per address family, shared by every icmp probe
 * and read on the event loop: no child process, no ping program.
 *
 * A socket is an unprivileged ICMP datagram socket when
 * net.ipv4.ping_group_range holds one of the process's groups (the
 * kernel then fills in the identifier and hands back only replies to it;
 * errors come through the error queue), else a raw socket, which needs
 * CAP_NET_RAW: opened by pinger_prepare() while the daemon is still root
 * and kept after it becomes its user, or by a daemon given the capability
 * (systemd's AmbientCapabilities), which then gives it up.
 *
 * Each echo request gets a sequence number of its family's socket (a
 * slot, until the reply, an error or pinger_forget) and 8 random bytes at
 * the start of its data; a reply is delivered only when its number,
 * identifier (raw sockets), data length and those bytes match, and the
 * probe accepts its source. Anything else is dropped and counted.
 */
#ifndef PINGER_H
#define PINGER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct event_base;

/*
 * What came back for echo request idx of arg: a reply (unreachable 0),
 * received at *rx (CLOCK_REALTIME, the kernel's time when it has one), or
 * an error saying the destination is unreachable. addr is the reply's
 * source or the address the request went to (4 or 16 bytes). Returns 1
 * to take it (the slot is freed), 0 to refuse it (not from the target).
 */
typedef int (*pinger_cb)(void *arg, unsigned idx, int unreachable,
    const unsigned char *addr, const struct timespec *rx);

/*
 * Called by the daemon once, before it becomes user (daemon.user, NULL
 * for none) and before any collector runs. When icmp probes are wanted
 * and the ping group range holds none of the groups they will run with,
 * open raw sockets now and keep them: as root about to become user, or
 * as a process given CAP_NET_RAW. Then, not being root, give CAP_NET_RAW
 * up for good. Returns 0, or -1 with *cause (the caller frees) when raw
 * sockets were needed and could not be opened.
 */
int pinger_prepare(const char *user, int wanted, char **cause);

/*
 * Take (a reference to) the socket of family (AF_INET, AF_INET6),
 * opening it if needed; replies go to cb. Returns 0, or -1 with *cause
 * (the caller frees).
 */
int pinger_acquire(struct event_base *, int family, pinger_cb cb, char **cause);
/* Give the reference back; the last one closes a socket not kept. */
void pinger_release(int family);

/*
 * Send echo request idx of arg to addr (4 or 16 bytes) with datalen bytes
 * of data (at least 8). *seq is its sequence number (hold it for
 * pinger_forget) and *sent when it left (CLOCK_REALTIME). Returns 0, or
 * -1 with errno set (EHOSTUNREACH and ENETUNREACH: no route; EBUSY: every
 * sequence number in flight).
 */
int pinger_send(int family, const unsigned char *addr, size_t datalen,
    void *arg, unsigned idx, uint16_t *seq, struct timespec *sent);

/* The request of seq is over: a late reply to it is dropped. */
void pinger_forget(int family, uint16_t seq);

/* "datagram", "raw" or "closed": the socket of family. */
const char *pinger_kind(int family);

/* Datagrams dropped as not ours (bad, foreign, late), since start. */
uint64_t pinger_dropped(void);

/* Close every socket (at exit). */
void pinger_shutdown(void);

#endif
