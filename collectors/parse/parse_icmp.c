/*
 * ICMP and ICMPv6 messages as an echo socket receives them: echo replies,
 * the errors that come back about echo requests, and the requests the
 * error queue hands back. The grammar is in parse_icmp.h.
 */
#include <string.h>

#include "parse_icmp.h"

#define ICMP4_ECHO_REPLY 0
#define ICMP4_UNREACH 3
#define ICMP4_ECHO 8
#define ICMP4_TIME_EXCEEDED 11
#define ICMP6_UNREACH 1
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_ECHO 128
#define ICMP6_ECHO_REPLY 129
#define IP6_HDR 40
#define PROTO_ICMP 1
#define PROTO_ICMP6 58

uint16_t
parse_icmp_checksum(const unsigned char *buf, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)buf[i] << 8 | buf[i + 1];
	if (len & 1)
		sum += (uint32_t)buf[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t
parse_icmp_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * An IPv4 header at buf: its length in *hlen and the bytes it says the
 * packet has (at most len) in *total. -1 when it is not a sound header of
 * an ICMP packet.
 */
static int
parse_icmp_ip4(const unsigned char *buf, size_t len, size_t *hlen,
    size_t *total, const char **why)
{
	size_t tot;

	if (len < 20 || buf[0] >> 4 != 4) {
		*why = "not an IPv4 header";
		return -1;
	}
	*hlen = (size_t)(buf[0] & 0x0f) * 4;
	tot = parse_icmp_u16(buf + 2);
	if (*hlen < 20 || *hlen > len) {
		*why = "bad IPv4 header length";
		return -1;
	}
	if (buf[9] != PROTO_ICMP) {
		*why = "IPv4 packet not of ICMP";
		return -1;
	}
	/* Inside an error the packet is cut short: its length is what came. */
	*total = tot < len ? tot : len;
	if (*total < *hlen) {
		*why = "IPv4 total length below its header";
		return -1;
	}
	return 0;
}

/* The echo request quoted inside an error message (after its 8 bytes). */
static int
parse_icmp_inner(const unsigned char *p, size_t len, unsigned flags,
    struct parse_icmp *out, const char **why)
{
	size_t hlen, total;

	if (flags & PARSE_ICMP_V6) {
		if (len < IP6_HDR + PARSE_ICMP_HDR || p[0] >> 4 != 6) {
			*why = "error quotes no IPv6 packet";
			return -1;
		}
		if (p[6] != PROTO_ICMP6 || p[IP6_HDR] != ICMP6_ECHO)
			return 0; /* about something else: OTHER */
		memcpy(out->dst, p + 24, 16);
		p += IP6_HDR;
		len -= IP6_HDR;
	} else {
		/* About a packet of another protocol (UDP, say): OTHER. */
		if (len >= 20 && p[0] >> 4 == 4 && p[9] != PROTO_ICMP)
			return 0;
		if (parse_icmp_ip4(p, len, &hlen, &total, why) != 0)
			return -1;
		if (total < hlen + PARSE_ICMP_HDR) {
			*why = "error quotes too little of the packet";
			return -1;
		}
		if (p[hlen] != ICMP4_ECHO)
			return 0;
		memcpy(out->dst, p + 16, 4);
		p += hlen;
		len = total - hlen;
	}
	out->kind = PARSE_ICMP_ERROR;
	out->id = parse_icmp_u16(p + 4);
	out->seq = parse_icmp_u16(p + 6);
	out->data = p + PARSE_ICMP_HDR;
	out->datalen = len - PARSE_ICMP_HDR;
	return 0;
}

/* The ICMP message itself, buf[0..len). */
static int
parse_icmp_message(const unsigned char *buf, size_t len, unsigned flags,
    struct parse_icmp *out, const char **why)
{
	int v6 = (flags & PARSE_ICMP_V6) != 0;

	if (len < PARSE_ICMP_HDR) {
		*why = "ICMP message shorter than 8 bytes";
		return -1;
	}
	if (!v6 && !(flags & PARSE_ICMP_NOSUM) &&
	    parse_icmp_checksum(buf, len) != 0) {
		*why = "bad ICMP checksum";
		return -1;
	}
	out->type = buf[0];
	out->code = buf[1];
	if (out->type == (v6 ? ICMP6_ECHO_REPLY : ICMP4_ECHO_REPLY) ||
	    out->type == (v6 ? ICMP6_ECHO : ICMP4_ECHO)) {
		out->kind = out->type == (v6 ? ICMP6_ECHO : ICMP4_ECHO)
		    ? PARSE_ICMP_ECHO_REQUEST
		    : PARSE_ICMP_ECHO_REPLY;
		out->id = parse_icmp_u16(buf + 4);
		out->seq = parse_icmp_u16(buf + 6);
		out->data = buf + PARSE_ICMP_HDR;
		out->datalen = len - PARSE_ICMP_HDR;
		return 0;
	}
	if (out->type == (v6 ? ICMP6_UNREACH : ICMP4_UNREACH) ||
	    out->type == (v6 ? ICMP6_TIME_EXCEEDED : ICMP4_TIME_EXCEEDED))
		return parse_icmp_inner(buf + PARSE_ICMP_HDR,
		    len - PARSE_ICMP_HDR, flags, out, why);
	return 0;
}

int
parse_icmp(const unsigned char *buf, size_t len, unsigned flags,
    struct parse_icmp *out, const char **why)
{
	size_t hlen, total;

	memset(out, 0, sizeof *out);
	out->kind = PARSE_ICMP_OTHER;
	*why = NULL;
	if ((flags & PARSE_ICMP_IPHDR) && !(flags & PARSE_ICMP_V6)) {
		if (parse_icmp_ip4(buf, len, &hlen, &total, why) != 0)
			return -1;
		if (parse_icmp_u16(buf + 2) > len) {
			*why = "IPv4 packet cut short";
			return -1;
		}
		out->has_src = 1;
		memcpy(out->src, buf + 12, 4);
		buf += hlen;
		len = total - hlen;
	}
	return parse_icmp_message(buf, len, flags, out, why);
}
