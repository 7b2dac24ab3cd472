/*
 * DNS answers: the header, the question and the answer records, each
 * record's data turned into its presentation form, so that a probe can
 * check the answer code, match the answers against expected ones and find
 * their smallest TTL. The grammar, and how hostile input is refused, is in
 * parse_dns.h.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "parse_dns.h"
#include "xmalloc.h"

#define DNS_HDR 12
#define DNS_WIRE_NAME_MAX 255

/* A growing string. */
struct dns_buf {
	char *s;
	size_t len, cap;
};

/* Reading one message: where, and what went wrong. */
struct dns_rd {
	const unsigned char *msg;
	size_t len;
	char why[128];
};

static const struct {
	uint16_t type;
	const char *name;
} dns_types[] = {
	{ 1, "A" },
	{ 2, "NS" },
	{ 5, "CNAME" },
	{ 6, "SOA" },
	{ 12, "PTR" },
	{ 15, "MX" },
	{ 16, "TXT" },
	{ 28, "AAAA" },
	{ 33, "SRV" },
	{ 39, "DNAME" },
	{ 43, "DS" },
	{ 46, "RRSIG" },
	{ 48, "DNSKEY" },
	{ 52, "TLSA" },
	{ 64, "SVCB" },
	{ 65, "HTTPS" },
	{ 255, "ANY" },
	{ 257, "CAA" },
};

static const char *const dns_rcodes[16] = { "NOERROR", "FORMERR", "SERVFAIL",
	"NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET",
	"NOTAUTH", "NOTZONE", NULL, NULL, NULL, NULL, NULL };

static void dns_fail(struct dns_rd *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
dns_fail(struct dns_rd *rd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rd->why, sizeof rd->why, fmt, ap);
	va_end(ap);
}

static void
dns_put(struct dns_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void dns_putf(struct dns_buf *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
dns_putf(struct dns_buf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		dns_put(b, tmp,
		    (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static uint16_t
dns_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
dns_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* One byte of a label (special: a name's specials, else a string's). */
static void
dns_put_char(struct dns_buf *b, unsigned char c, const char *special)
{
	char esc[8];

	if (c < '!' || c > '~') {
		if (c == ' ' && special == NULL)
			dns_put(b, " ", 1);
		else {
			snprintf(esc, sizeof esc, "\\%03u", c);
			dns_put(b, esc, 4);
		}
	} else if (strchr(special != NULL ? special : "\"\\", c) != NULL) {
		esc[0] = '\\';
		esc[1] = (char)c;
		dns_put(b, esc, 2);
	} else
		dns_put(b, (const char *)&c, 1);
}

/*
 * The name at *off, appended to b in presentation form; *off moves past
 * it (past its first pointer, if it has one). 0, or -1 with rd->why.
 */
static int
dns_name(struct dns_rd *rd, size_t *off, struct dns_buf *b)
{
	size_t pos = *off, floor = *off, wire = 1, to, i;
	int jumped = 0;
	unsigned c;

	for (;;) {
		if (pos >= rd->len) {
			dns_fail(rd, "name runs past the end");
			return -1;
		}
		c = rd->msg[pos];
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= rd->len) {
				dns_fail(rd, "name pointer cut short");
				return -1;
			}
			to = (size_t)(c & 0x3f) << 8 | rd->msg[pos + 1];
			/* Only backwards, below every place read so far. */
			if (to >= floor) {
				dns_fail(rd,
				    "name pointer at %zu to %zu loops or points forward",
				    pos, to);
				return -1;
			}
			if (!jumped)
				*off = pos + 2;
			jumped = 1;
			floor = pos = to;
			continue;
		}
		if (c & 0xc0) {
			dns_fail(rd, "label type 0x%02x at %zu refused",
			    c & 0xc0, pos);
			return -1;
		}
		if (c == 0)
			break;
		if ((wire += c + 1) > DNS_WIRE_NAME_MAX) {
			dns_fail(rd, "name longer than 255 bytes");
			return -1;
		}
		if (pos + 1 + c > rd->len) {
			dns_fail(rd, "label runs past the end");
			return -1;
		}
		for (i = 0; i < c; i++)
			dns_put_char(b, rd->msg[pos + 1 + i], ".\\\"();@$");
		dns_put(b, ".", 1);
		pos += 1 + c;
	}
	if (wire == 1)
		dns_put(b, ".", 1);
	if (!jumped)
		*off = pos + 1;
	return 0;
}

/* A name inside data that ends at end: it must not run past it. */
static int
dns_data_name(struct dns_rd *rd, size_t *q, size_t end, struct dns_buf *b)
{
	if (dns_name(rd, q, b) != 0)
		return -1;
	if (*q > end) {
		dns_fail(rd, "name runs past its record's data");
		return -1;
	}
	return 0;
}

/* Character strings (TXT): each quoted, separated by a space. */
static int
dns_strings(struct dns_rd *rd, size_t q, size_t end, struct dns_buf *b)
{
	size_t l, i;

	if (q == end) {
		dns_fail(rd, "TXT data is empty");
		return -1;
	}
	while (q < end) {
		l = rd->msg[q];
		if (q + 1 + l > end) {
			dns_fail(rd, "TXT string runs past its data");
			return -1;
		}
		dns_put(b, b->len > 0 ? " \"" : "\"", b->len > 0 ? 2 : 1);
		for (i = 0; i < l; i++)
			dns_put_char(b, rd->msg[q + 1 + i], NULL);
		dns_put(b, "\"", 1);
		q += 1 + l;
	}
	return 0;
}

/* CAA (RFC 8659): flags, a tag of letters and digits, a value. */
static int
dns_caa(struct dns_rd *rd, size_t q, size_t end, struct dns_buf *b)
{
	size_t tl, i;

	if (end - q < 2 || (tl = rd->msg[q + 1]) == 0 || q + 2 + tl > end) {
		dns_fail(rd, "bad CAA data");
		return -1;
	}
	dns_putf(b, "%u ", rd->msg[q]);
	for (i = 0; i < tl; i++)
		dns_put_char(b, rd->msg[q + 2 + i], ".\\\"();@$");
	dns_put(b, " \"", 2);
	for (i = q + 2 + tl; i < end; i++)
		dns_put_char(b, rd->msg[i], NULL);
	dns_put(b, "\"", 1);
	return 0;
}

/* RFC 3597's form of data of a type without one of its own. */
static void
dns_generic(struct dns_rd *rd, size_t q, size_t end, struct dns_buf *b)
{
	dns_putf(b, "\\# %zu%s", end - q, end > q ? " " : "");
	for (; q < end; q++)
		dns_putf(b, "%02x", rd->msg[q]);
}

/* Data with a name at its end, after `fixed` bytes (MX, SRV). */
static int
dns_fixed_name(struct dns_rd *rd, size_t q, size_t end, size_t fixed,
    struct dns_buf *b)
{
	if (end - q < fixed + 1) {
		dns_fail(rd, "record data too short");
		return -1;
	}
	if (fixed == 2)
		dns_putf(b, "%u ", dns_u16(rd->msg + q));
	else
		dns_putf(b, "%u %u %u ", dns_u16(rd->msg + q),
		    dns_u16(rd->msg + q + 2), dns_u16(rd->msg + q + 4));
	q += fixed;
	if (dns_data_name(rd, &q, end, b) != 0)
		return -1;
	if (q != end) {
		dns_fail(rd, "record data longer than its name");
		return -1;
	}
	return 0;
}

static int
dns_soa(struct dns_rd *rd, size_t q, size_t end, struct dns_buf *b)
{
	const unsigned char *p;

	if (dns_data_name(rd, &q, end, b) != 0)
		return -1;
	dns_put(b, " ", 1);
	if (dns_data_name(rd, &q, end, b) != 0)
		return -1;
	if (end - q != 20) {
		dns_fail(rd, "SOA data of a wrong length");
		return -1;
	}
	p = rd->msg + q;
	dns_putf(b, " %u %u %u %u %u", dns_u32(p), dns_u32(p + 4),
	    dns_u32(p + 8), dns_u32(p + 12), dns_u32(p + 16));
	return 0;
}

static int
dns_addr(struct dns_rd *rd, int af, size_t q, size_t n, struct dns_buf *b)
{
	char text[64];

	if (n != (af == AF_INET ? 4u : 16u)) {
		dns_fail(rd, "address of %zu bytes", n);
		return -1;
	}
	inet_ntop(af, rd->msg + q, text, sizeof text);
	dns_put(b, text, strlen(text));
	return 0;
}

/* The data of a record of type at q, n bytes, in presentation form. */
static int
dns_rdata(struct dns_rd *rd, uint16_t type, size_t q, size_t n,
    struct dns_buf *b)
{
	size_t end = q + n, p = q;

	switch (type) {
	case 1:
		return dns_addr(rd, AF_INET, q, n, b);
	case 28:
		return dns_addr(rd, AF_INET6, q, n, b);
	case 2:
	case 5:
	case 12:
	case 39:
		if (dns_data_name(rd, &p, end, b) != 0)
			return -1;
		if (p != end) {
			dns_fail(rd, "record data longer than its name");
			return -1;
		}
		return 0;
	case 6:
		return dns_soa(rd, q, end, b);
	case 15:
		return dns_fixed_name(rd, q, end, 2, b);
	case 33:
		return dns_fixed_name(rd, q, end, 6, b);
	case 16:
		return dns_strings(rd, q, end, b);
	case 257:
		return dns_caa(rd, q, end, b);
	}
	dns_generic(rd, q, end, b);
	return 0;
}

/* The record at *off; *off moves past it. */
static int
dns_rr(struct dns_rd *rd, size_t *off, struct parse_dns_rr *rr)
{
	struct dns_buf b = { NULL, 0, 0 };
	size_t p, n;

	if (dns_name(rd, off, &b) != 0) {
		free(b.s);
		return -1;
	}
	rr->name = b.s;
	p = *off;
	if (rd->len - p < 10) {
		dns_fail(rd, "record cut short");
		return -1;
	}
	rr->type = dns_u16(rd->msg + p);
	rr->rclass = dns_u16(rd->msg + p + 2);
	rr->ttl = dns_u32(rd->msg + p + 4);
	n = dns_u16(rd->msg + p + 8);
	p += 10;
	if (rd->len - p < n) {
		dns_fail(rd, "record data runs past the end");
		return -1;
	}
	memset(&b, 0, sizeof b);
	if (dns_rdata(rd, rr->type, p, n, &b) != 0) {
		free(b.s);
		return -1;
	}
	rr->data = b.s != NULL ? b.s : xstrdup("");
	*off = p + n;
	return 0;
}

static void
dns_header(const unsigned char *m, struct parse_dns *out)
{
	out->id = dns_u16(m);
	out->qr = (m[2] & 0x80) != 0;
	out->opcode = (m[2] >> 3) & 0x0f;
	out->aa = (m[2] & 0x04) != 0;
	out->tc = (m[2] & 0x02) != 0;
	out->rd = (m[2] & 0x01) != 0;
	out->ra = (m[3] & 0x80) != 0;
	out->rcode = m[3] & 0x0f;
	out->qdcount = dns_u16(m + 4);
	out->ancount = dns_u16(m + 6);
	out->nscount = dns_u16(m + 8);
	out->arcount = dns_u16(m + 10);
}

static int
dns_question(struct dns_rd *rd, size_t *off, struct parse_dns *out)
{
	struct dns_buf b = { NULL, 0, 0 };
	char why[128];

	if (out->qdcount > 1) {
		dns_fail(rd, "%u questions", out->qdcount);
		return -1;
	}
	if (out->qdcount == 0)
		return 0;
	if (dns_name(rd, off, &b) != 0) {
		snprintf(why, sizeof why, "%s", rd->why);
		dns_fail(rd, "question: %.100s", why);
		free(b.s);
		return -1;
	}
	out->qname = b.s;
	if (rd->len - *off < 4) {
		dns_fail(rd, "question cut short");
		return -1;
	}
	out->qtype = dns_u16(rd->msg + *off);
	out->qclass = dns_u16(rd->msg + *off + 2);
	*off += 4;
	return 0;
}

int
parse_dns(const unsigned char *buf, size_t len, struct parse_dns *out,
    char **cause)
{
	struct dns_rd rd;
	size_t off = DNS_HDR, i, cap = 0;
	char why[128];

	memset(out, 0, sizeof *out);
	memset(&rd, 0, sizeof rd);
	rd.msg = buf;
	rd.len = len;
	if (len < DNS_HDR) {
		xasprintf(cause, "message of %zu bytes, shorter than a header",
		    len);
		return -1;
	}
	dns_header(buf, out);
	if (dns_question(&rd, &off, out) != 0) {
		xasprintf(cause, "%s", rd.why);
		return -1;
	}
	for (i = 0; i < out->ancount; i++) {
		if (out->nanswers == cap) {
			cap = cap ? cap * 2 : 8;
			out->answers = xreallocarray(out->answers, cap,
			    sizeof *out->answers);
		}
		memset(&out->answers[i], 0, sizeof out->answers[i]);
		out->nanswers++;
		if (dns_rr(&rd, &off, &out->answers[i]) != 0) {
			snprintf(why, sizeof why, "%s", rd.why);
			xasprintf(cause, "answer %zu: %s", i + 1, why);
			return -1;
		}
	}
	return 0;
}

void
parse_dns_free(struct parse_dns *d)
{
	size_t i;

	for (i = 0; i < d->nanswers; i++) {
		free(d->answers[i].name);
		free(d->answers[i].data);
	}
	free(d->answers);
	free(d->qname);
	memset(d, 0, sizeof *d);
}

const char *
parse_dns_rcode_name(int rcode)
{
	return rcode >= 0 && rcode < 16 ? dns_rcodes[rcode] : NULL;
}

int
parse_dns_rcode(const char *name)
{
	char *end;
	long v;
	int i;

	for (i = 0; i < 16; i++) {
		if (dns_rcodes[i] != NULL &&
		    strcasecmp(name, dns_rcodes[i]) == 0)
			return i;
	}
	if (strncasecmp(name, "RCODE", 5) != 0 || name[5] < '0' ||
	    name[5] > '9')
		return -1;
	v = strtol(name + 5, &end, 10);
	return *end == '\0' && v >= 0 && v < 16 ? (int)v : -1;
}

const char *
parse_dns_type_name(uint16_t type)
{
	size_t i;

	for (i = 0; i < sizeof dns_types / sizeof dns_types[0]; i++) {
		if (dns_types[i].type == type)
			return dns_types[i].name;
	}
	return NULL;
}

int
parse_dns_type(const char *name)
{
	char *end;
	long v;
	size_t i;

	for (i = 0; i < sizeof dns_types / sizeof dns_types[0]; i++) {
		if (strcasecmp(name, dns_types[i].name) == 0)
			return dns_types[i].type;
	}
	if (strncasecmp(name, "TYPE", 4) != 0 || name[4] < '0' || name[4] > '9')
		return -1;
	v = strtol(name + 4, &end, 10);
	return *end == '\0' && v > 0 && v < 65536 ? (int)v : -1;
}
