/*
 * The parsers of the network probes' input: DNS answers (parse_dns.c),
 * their presentation forms and hostile names, and ICMP messages
 * (parse_icmp.c) as raw, datagram and error-queue sockets give them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse_dns.h"
#include "parse_icmp.h"

/* A DNS message under construction. */
struct msg {
	unsigned char b[2048];
	size_t n;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
put16(struct msg *m, unsigned v)
{
	unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	put(m, b, 2);
}

/* Header (ancount answers, rcode) and the question www.example.test A. */
static void
start(struct msg *m, unsigned ancount, unsigned rcode)
{
	m->n = 0;
	put16(m, 0xbeef);
	put16(m, 0x8180 | rcode);
	put16(m, 1);
	put16(m, ancount);
	put16(m, 0);
	put16(m, 0);
	put(m, "\003www\007example\004test\000", 18);
	put16(m, 1);
	put16(m, 1);
}

/* An answer's name (a pointer to the question), type, TTL and data. */
static void
rr(struct msg *m, unsigned type, unsigned ttl, const void *data, size_t n)
{
	put16(m, 0xc00c);
	put16(m, type);
	put16(m, 1);
	put16(m, ttl >> 16);
	put16(m, ttl & 0xffff);
	put16(m, (unsigned)n);
	put(m, data, n);
}

static char *
parse_fails(struct msg *m)
{
	struct parse_dns d;
	char *cause = NULL;

	assert_int_equal(parse_dns(m->b, m->n, &d, &cause), -1);
	assert_non_null(cause);
	parse_dns_free(&d);
	return cause;
}

static void
test_dns_answers(void **unused)
{
	struct parse_dns d;
	struct msg m;
	char *cause = NULL;

	start(&m, 6, 0);
	rr(&m, 1, 300, "\300\000\002\012", 4);
	rr(&m, 28, 120, "\040\001\015\270\0\0\0\0\0\0\0\0\0\0\0\020", 16);
	rr(&m, 15, 60, "\000\012\003mx1\300\020", 8);
	rr(&m, 16, 300, "\013v=spf1 -all\003a\"b\002\001\\", 19);
	rr(&m, 33, 300, "\000\012\000\074\023\304\003sip\300\020", 12);
	rr(&m, 257, 300, "\000\005issueexample.org", 18);
	assert_int_equal(parse_dns(m.b, m.n, &d, &cause), 0);
	assert_int_equal(d.id, 0xbeef);
	assert_int_equal(d.rcode, 0);
	assert_true(d.qr);
	assert_string_equal(d.qname, "www.example.test.");
	assert_int_equal(d.nanswers, 6);
	assert_string_equal(d.answers[0].name, "www.example.test.");
	assert_string_equal(d.answers[0].data, "192.0.2.10");
	assert_int_equal(d.answers[0].ttl, 300);
	assert_string_equal(d.answers[1].data, "2001:db8::10");
	assert_int_equal(d.answers[1].ttl, 120);
	assert_string_equal(d.answers[2].data, "10 mx1.example.test.");
	assert_string_equal(d.answers[3].data,
	    "\"v=spf1 -all\" \"a\\\"b\" \"\\001\\\\\"");
	assert_string_equal(d.answers[4].data, "10 60 5060 sip.example.test.");
	assert_string_equal(d.answers[5].data, "0 issue \"example.org\"");
	parse_dns_free(&d);
}

static void
test_dns_forms(void **unused)
{
	struct parse_dns d;
	struct msg m;
	char *cause = NULL;

	/* SOA, a name with specials in a label, an unknown type, the root. */
	start(&m, 4, 3);
	rr(&m, 6, 60,
	    "\003ns1\300\020\012hostmaster\300\020"
	    "\000\000\000\001\000\000\016\020\000\000\002\130"
	    "\000\001\121\200\000\000\000\074",
	    39);
	rr(&m, 12, 60, "\004a.b \300\020", 7);
	rr(&m, 65280, 60, "\001\377", 2);
	rr(&m, 2, 60, "\000", 1);
	assert_int_equal(parse_dns(m.b, m.n, &d, &cause), 0);
	assert_int_equal(d.rcode, 3);
	assert_string_equal(parse_dns_rcode_name(d.rcode), "NXDOMAIN");
	assert_string_equal(d.answers[0].data,
	    "ns1.example.test. hostmaster.example.test. 1 3600 600 86400 60");
	assert_string_equal(d.answers[1].data, "a\\.b\\032.example.test.");
	assert_string_equal(d.answers[2].data, "\\# 2 01ff");
	assert_string_equal(d.answers[3].data, ".");
	parse_dns_free(&d);
}

static void
test_dns_hostile(void **unused)
{
	unsigned char x[64];
	struct msg m;
	size_t at[5], here;
	char *cause;
	int i;

	/* A pointer to itself. */
	start(&m, 1, 0);
	here = m.n;
	put16(&m, 0xc000 | (unsigned)here);
	put(&m, "\000\001\000\001\000\000\000\001\000\000", 10);
	cause = parse_fails(&m);
	assert_non_null(strstr(cause, "answer 1: name pointer"));
	free(cause);

	/* Backwards, but back to a label that leads to it again. */
	start(&m, 1, 0);
	here = m.n;
	put(&m, "\001a", 2);
	put16(&m, 0xc000 | (unsigned)here);
	put(&m, "\000\001\000\001\000\000\000\001\000\000", 10);
	free(parse_fails(&m));

	/* A chain of pointers to 63-byte labels: past 255 bytes. */
	memset(x, 'x', sizeof x);
	x[0] = 63;
	start(&m, 2, 0);
	put16(&m, 0xc00c);
	put(&m, "\377\000\000\001\000\000\000\001\001\111", 10);
	for (i = 0; i < 5; i++) {
		at[i] = m.n;
		put(&m, x, 64);
		if (i == 0)
			put(&m, "", 1);
		else
			put16(&m, 0xc000 | (unsigned)at[i - 1]);
	}
	put16(&m, 0xc000 | (unsigned)at[4]);
	put(&m, "\000\001\000\001\000\000\000\001\000\000", 10);
	cause = parse_fails(&m);
	assert_non_null(strstr(cause, "answer 2: name longer than 255"));
	free(cause);

	/* Label type 01, data past the end, a cut TXT, a short A. */
	start(&m, 1, 0);
	put(&m, "\101a\000\000\001\000\001\000\000\000\001\000\000", 13);
	free(parse_fails(&m));
	start(&m, 1, 0);
	rr(&m, 1, 1, "\300\000\002\001", 4);
	m.b[m.n - 5] = 100;
	free(parse_fails(&m));
	start(&m, 1, 0);
	rr(&m, 16, 1, "\012abcd", 5);
	free(parse_fails(&m));
	start(&m, 1, 0);
	rr(&m, 1, 1, "\300\000\002", 3);
	free(parse_fails(&m));
	/* Fewer answers than the header counts; no header at all. */
	start(&m, 3, 0);
	rr(&m, 1, 1, "\300\000\002\001", 4);
	cause = parse_fails(&m);
	assert_non_null(strstr(cause, "answer 2:"));
	free(cause);
	m.n = 11;
	free(parse_fails(&m));
}

static void
test_dns_names(void **unused)
{
	assert_int_equal(parse_dns_rcode("noerror"), 0);
	assert_int_equal(parse_dns_rcode("SERVFAIL"), 2);
	assert_int_equal(parse_dns_rcode("RCODE15"), 15);
	assert_int_equal(parse_dns_rcode("RCODE16"), -1);
	assert_int_equal(parse_dns_rcode("OK"), -1);
	assert_int_equal(parse_dns_type("aaaa"), 28);
	assert_int_equal(parse_dns_type("CAA"), 257);
	assert_int_equal(parse_dns_type("TYPE65280"), 65280);
	assert_int_equal(parse_dns_type("TYPE0"), -1);
	assert_int_equal(parse_dns_type("TYPE65536"), -1);
	assert_int_equal(parse_dns_type("BOGUS"), -1);
	assert_string_equal(parse_dns_type_name(15), "MX");
	assert_null(parse_dns_type_name(65280));
}

/* An IPv4 header of an ICMP packet of len bytes, src and dst. */
static void
ip4(unsigned char *p, size_t len, const char *src, const char *dst)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (unsigned char)(len >> 8);
	p[3] = (unsigned char)len;
	p[8] = 64;
	p[9] = 1;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
}

/* An echo (type) with id, seq and 16 bytes of data; its checksum. */
static void
echo(unsigned char *p, int type, unsigned id, unsigned seq)
{
	uint16_t s;
	int i;

	memset(p, 0, 24);
	p[0] = (unsigned char)type;
	p[4] = (unsigned char)(id >> 8);
	p[5] = (unsigned char)id;
	p[6] = (unsigned char)(seq >> 8);
	p[7] = (unsigned char)seq;
	for (i = 0; i < 16; i++)
		p[8 + i] = (unsigned char)i;
	s = parse_icmp_checksum(p, 24);
	p[2] = (unsigned char)(s >> 8);
	p[3] = (unsigned char)s;
}

static void
test_icmp_replies(void **unused)
{
	unsigned char b[128];
	struct parse_icmp m;
	const char *why;

	/* Raw IPv4: header, then the reply. */
	ip4(b, 44, "\177\000\000\002", "\177\000\000\001");
	echo(b + 20, 0, 0x1234, 7);
	assert_int_equal(parse_icmp(b, 44, PARSE_ICMP_IPHDR, &m, &why), 0);
	assert_int_equal(m.kind, PARSE_ICMP_ECHO_REPLY);
	assert_int_equal(m.id, 0x1234);
	assert_int_equal(m.seq, 7);
	assert_int_equal(m.datalen, 16);
	assert_true(m.has_src);
	assert_memory_equal(m.src, "\177\000\000\002", 4);

	/* A bad checksum; a total length past what came; IHL below 5. */
	b[30] ^= 1;
	assert_int_equal(parse_icmp(b, 44, PARSE_ICMP_IPHDR, &m, &why), -1);
	assert_string_equal(why, "bad ICMP checksum");
	b[30] ^= 1;
	assert_int_equal(parse_icmp(b, 43, PARSE_ICMP_IPHDR, &m, &why), -1);
	b[0] = 0x44;
	assert_int_equal(parse_icmp(b, 44, PARSE_ICMP_IPHDR, &m, &why), -1);

	/* Datagram socket and ICMPv6: the message alone; too short. */
	echo(b, 129, 1, 2);
	assert_int_equal(parse_icmp(b, 24, PARSE_ICMP_V6, &m, &why), 0);
	assert_int_equal(m.kind, PARSE_ICMP_ECHO_REPLY);
	assert_int_equal(parse_icmp(b, 7, PARSE_ICMP_V6, &m, &why), -1);
	echo(b, 8, 1, 2);
	assert_int_equal(parse_icmp(b, 24, 0, &m, &why), 0);
	assert_int_equal(m.kind, PARSE_ICMP_ECHO_REQUEST);
	/* The error queue may give a request cut short: NOSUM. */
	assert_int_equal(parse_icmp(b, 12, 0, &m, &why), -1);
	assert_int_equal(parse_icmp(b, 12, PARSE_ICMP_NOSUM, &m, &why), 0);
	assert_int_equal(m.seq, 2);
}

static void
test_icmp_errors(void **unused)
{
	unsigned char b[256];
	struct parse_icmp m;
	const char *why;
	uint16_t s;

	/* IPv4 unreachable quoting our request to 192.0.2.9. */
	memset(b, 0, sizeof b);
	b[0] = 3;
	b[1] = 1;
	ip4(b + 8, 44, "\177\000\000\001", "\300\000\002\011");
	echo(b + 28, 8, 0x4321, 99);
	s = parse_icmp_checksum(b, 52);
	b[2] = (unsigned char)(s >> 8);
	b[3] = (unsigned char)s;
	assert_int_equal(parse_icmp(b, 52, 0, &m, &why), 0);
	assert_int_equal(m.kind, PARSE_ICMP_ERROR);
	assert_int_equal(m.id, 0x4321);
	assert_int_equal(m.seq, 99);
	assert_memory_equal(m.dst, "\300\000\002\011", 4);
	assert_int_equal(m.datalen, 16);
	/* Quoting only 4 bytes of the request: malformed. */
	assert_int_equal(parse_icmp(b, 32, PARSE_ICMP_NOSUM, &m, &why), -1);
	/* About a UDP packet: not ours, and no error. */
	b[8 + 9] = 17;
	s = 0;
	b[2] = b[3] = 0;
	s = parse_icmp_checksum(b, 52);
	b[2] = (unsigned char)(s >> 8);
	b[3] = (unsigned char)s;
	assert_int_equal(parse_icmp(b, 52, 0, &m, &why), 0);
	assert_int_equal(m.kind, PARSE_ICMP_OTHER);

	/* ICMPv6 unreachable quoting an IPv6 header and our request. */
	memset(b, 0, sizeof b);
	b[0] = 1;
	b[1] = 3;
	b[8] = 0x60;
	b[8 + 6] = 58;
	b[8 + 24 + 15] = 9;
	echo(b + 48, 128, 5, 6);
	assert_int_equal(parse_icmp(b, 72, PARSE_ICMP_V6, &m, &why), 0);
	assert_int_equal(m.kind, PARSE_ICMP_ERROR);
	assert_int_equal(m.seq, 6);
	assert_int_equal(m.dst[15], 9);
	assert_int_equal(parse_icmp(b, 50, PARSE_ICMP_V6, &m, &why), -1);
	/* A redirect: well formed, of no interest. */
	b[0] = 137;
	assert_int_equal(parse_icmp(b, 72, PARSE_ICMP_V6, &m, &why), 0);
	assert_int_equal(m.kind, PARSE_ICMP_OTHER);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_answers),
		cmocka_unit_test(test_dns_forms),
		cmocka_unit_test(test_dns_hostile),
		cmocka_unit_test(test_dns_names),
		cmocka_unit_test(test_icmp_replies),
		cmocka_unit_test(test_icmp_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
