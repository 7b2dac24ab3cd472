/*
 * ICMP and ICMPv6 messages as an echo socket receives them. Pure: bytes
 * in, a struct out, no I/O; any bytes are safe to give it.
 *
 * What comes in, by socket (RFC 792, RFC 4443):
 *
 *	raw IPv4 socket        IPv4 header (IHL x 4 bytes), ICMP message
 *	datagram IPv4 socket   ICMP message
 *	IPv6 socket (either)   ICMPv6 message
 *	error queue (datagram) the echo request as it was sent
 *
 * An ICMP message starts with type, code, checksum (1, 1, 2 bytes). An
 * echo (request 8 / 128, reply 0 / 129) goes on with identifier and
 * sequence number (2 bytes each, network order) and its data. An error
 * (IPv4: 3 destination unreachable, 11 time exceeded; IPv6: 1 and 3)
 * goes on with 4 unused bytes and the start of the packet it is about:
 * that packet's IP header (IPv4: IHL x 4 bytes; IPv6: 40 bytes, the next
 * header ICMPv6 directly) and at least the first 8 bytes of its ICMP
 * message, which must be an echo request.
 *
 * Stricter than the kernel: an IPv4 header must be version 4, IHL at
 * least 5, protocol 1 and a total length that the bytes hold; an IPv4
 * ICMP message's checksum must be right unless PARSE_ICMP_NOSUM (the
 * kernel checks ICMPv6's).
 * Anything else well formed is PARSE_ICMP_OTHER.
 */
#ifndef PARSE_ICMP_H
#define PARSE_ICMP_H

#include <stddef.h>
#include <stdint.h>

/* Flags: what the bytes are. */
#define PARSE_ICMP_V6 0x1u /* ICMPv6, else ICMP */
#define PARSE_ICMP_IPHDR 0x2u /* an IPv4 header comes first */
#define PARSE_ICMP_NOSUM \
	0x4u /* do not check the checksum (a request the
                                 error queue gives back, perhaps cut) */

#define PARSE_ICMP_HDR 8 /* bytes of an echo's header */

enum parse_icmp_kind {
	PARSE_ICMP_OTHER, /* well formed, of no interest to a pinger */
	PARSE_ICMP_ECHO_REQUEST, /* id, seq, data */
	PARSE_ICMP_ECHO_REPLY, /* id, seq, data; src when IPHDR */
	PARSE_ICMP_ERROR /* about an echo request: its id, seq, dst */
};

struct parse_icmp {
	enum parse_icmp_kind kind;
	uint8_t type, code;
	uint16_t id, seq;
	const unsigned char *data; /* an echo's data, or what an error quotes
	                              of its request's, inside the buffer */
	size_t datalen;
	int has_src; /* IPHDR: the IPv4 header's source is in src */
	unsigned char src[4];
	unsigned char dst[16]; /* an error's: where the request went (4 or
	                          16 bytes) */
};

/*
 * Parse buf[0..len) into *out. Returns 0, or -1 with a constant message
 * in *why (malformed: short, a bad header, a bad checksum).
 */
int parse_icmp(const unsigned char *buf, size_t len, unsigned flags,
    struct parse_icmp *out, const char **why);

/* The Internet checksum (RFC 1071) of buf[0..len), in network order. */
uint16_t parse_icmp_checksum(const unsigned char *buf, size_t len);

#endif
