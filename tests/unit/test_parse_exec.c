/*
 * Parsers of what exec'd programs print: RRD data source names from labels,
 * Monitoring Plugins output, Munin plugin output and collectd PUTVAL lines.
 * Real outputs where there are some, then bad parts, caps and random bytes.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ident.h"
#include "parse_dsname.h"
#include "parse_munin.h"
#include "parse_nagios.h"
#include "parse_putval.h"

#define MiB (1024.0 * 1024)

/* Equal within rounding, NAN equal to NAN. */
static int
same_double(double got, double want)
{
	if (isnan(want))
		return isnan(got);
	if (isnan(got))
		return 0;
	return fabs(got - want) <= 1e-12 * fmax(1, fabs(want));
}

#define assert_double(got, want)                                           \
	do {                                                               \
		double g_ = (got), w_ = (want);                            \
		if (!same_double(g_, w_))                                  \
			fail_msg("%s is %.17g, want %.17g", #got, g_, w_); \
	} while (0)

/* The strings, in order, of a parser's error list. */
static void
assert_errors(char **errors, size_t nerrors, const char *const *want,
    size_t nwant)
{
	size_t i;

	for (i = 0; i < nerrors && i < nwant; i++)
		assert_string_equal(errors[i], want[i]);
	if (nerrors != nwant) {
		for (i = 0; i < nerrors; i++)
			print_message("error: %s\n", errors[i]);
		fail_msg("%zu errors, want %zu", nerrors, nwant);
	}
}

/* A name rrdtool takes, and more: no '_' at either end. */
static int
valid_ds(const char *ds)
{
	size_t i, n = strlen(ds);

	if (n < 1 || n > 19 || ds[0] == '_' || ds[n - 1] == '_')
		return 0;
	for (i = 0; i < n; i++) {
		if (!((ds[i] >= 'a' && ds[i] <= 'z') ||
		        (ds[i] >= '0' && ds[i] <= '9') || ds[i] == '_'))
			return 0;
	}
	return ident_valid_ds(ds);
}

static uint64_t
rnd(uint64_t *s)
{
	/* xorshift64: the same bytes on every run and machine. */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* len random bytes, mostly from the characters the parsers care about. */
static void
rnd_bytes(uint64_t *s, char *buf, size_t len)
{
	static const char alphabet[] = "|=;:'\"\n\r\t .-_aZz09U%BKMGTcsmuN@~#/"
	                               "\\eE+xlabelvaluePUTVAL";
	size_t i;

	for (i = 0; i < len; i++) {
		uint64_t r = rnd(s);

		if (r % 8 == 0)
			buf[i] = (char)(r >> 8);
		else
			buf[i] = alphabet[(r >> 8) % (sizeof alphabet - 1)];
	}
}

static void
test_dsname_stable(void **unused)
{
	static const struct {
		const char *label;
		size_t len;
		const char *ds;
	} cases[] = {
		{ "", 0, "v_1c9d44" },
		{ "load", 4, "load" },
		{ "if_octets", 9, "if_octets" },
		{ "Response Time (ms)", 18, "response_time_ms" },
		{ "response_time_ms", 16, "response_time_ms" },
		{ "/", 1, "root" },
		{ "//", 2, "root" },
		{ "%%", 2, "v_b956a7" },
		{ "\0", 1, "v_0c5d1a" },
		{ "/var/log", 8, "var_log" },
		{ "/boot", 5, "boot" },
		{ "/root", 5, "root" },
		{ "/ ", 2, "v_d27bf5" },
		{ "a_ b", 4, "a__b" },
		{ "__x__", 5, "x" },
		{ "it's", 4, "it_s" },
		{ "Temp\xc3\xa9rature CPU", 16, "temp_rature_cpu" },
		{ "ABCDEFGHIJKLMNOPQRS", 19, "abcdefghijklmnopqrs" },
		{ "ABCDEFGHIJKLMNOPQRST", 20, "abcdefghijkl_9df59d" },
		{ "abcdefghijk_lmnopqrstuvw", 24, "abcdefghijk_9a021f" },
		{ "interface_eth0_bytes_received_total", 35,
		    "interface_et_5dc794" },
		{ "interface_eth0_bytes_received_totals", 36,
		    "interface_et_a1abdc" },
		{ "Disk Usage /var/lib/postgresql", 30, "disk_usage_v_62f3e0" },
		{ "Disk Usage /var/lib/postgresql2", 31,
		    "disk_usage_v_c513b9" },
	};
	char ds[PARSE_DSNAME_SIZE], big[100000];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(strlen(cases[i].label) + (i == 8),
		    cases[i].len);
		parse_dsname(cases[i].label, cases[i].len, ds);
		if (strcmp(ds, cases[i].ds) != 0)
			fail_msg("\"%s\" gave \"%s\", want \"%s\"",
			    cases[i].label, ds, cases[i].ds);
	}
	parse_dsname(NULL, 0, ds);
	assert_string_equal(ds, "v_1c9d44");
	memset(big, 'x', sizeof big);
	parse_dsname(big, sizeof big, ds);
	assert_string_equal(ds, "xxxxxxxxxxxx_a3ee48");
}

static void
test_dsname_random(void **unused)
{
	char buf[64], ds[PARSE_DSNAME_SIZE], again[PARSE_DSNAME_SIZE];
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	size_t len;
	int i;

	for (i = 0; i < 200000; i++) {
		len = rnd(&s) % sizeof buf;
		if (i % 2 == 0)
			rnd_bytes(&s, buf, len);
		else {
			size_t j;

			for (j = 0; j < len; j++)
				buf[j] = (char)rnd(&s);
		}
		memset(ds, 'X', sizeof ds);
		parse_dsname(buf, len, ds);
		if (!valid_ds(ds))
			fail_msg("bad name \"%s\" for %zu bytes", ds, len);
		parse_dsname(buf, len, again);
		assert_string_equal(ds, again);
	}
}

static const struct parse_perf *
perf(const struct parse_nagios *pn, size_t i)
{
	assert_true(i < pn->nperf);
	return &pn->perf[i];
}

static void
test_nagios_real(void **unused)
{
	static const char http[] =
	    "HTTP OK: HTTP/1.1 200 OK - 453 bytes in 0.002 second response "
	    "time |time=0.002076s;;;0.000000;10.000000 size=453B;;;0\n";
	static const char tcp[] = "TCP OK - 0.000 second response time on "
	                          "127.0.0.1 port 22|time=0.000123s;;;0.000000;"
	                          "10.000000\n";
	static const char ping[] = "PING OK - Packet loss = 0%, RTA = 0.05 "
	                           "ms|rta=0.050000ms;100.000000;500.000000;"
	                           "0.000000 pl=0%;20;60;0\n";
	struct parse_nagios pn;

	parse_nagios(http, sizeof http - 1, &pn);
	assert_string_equal(pn.message,
	    "HTTP OK: HTTP/1.1 200 OK - 453 bytes "
	    "in 0.002 second response time");
	assert_string_equal(pn.long_text, "");
	assert_int_equal(pn.nerrors, 0);
	assert_int_equal(pn.nperf, 2);
	assert_string_equal(perf(&pn, 0)->label, "time");
	assert_string_equal(perf(&pn, 0)->ds, "time");
	assert_string_equal(perf(&pn, 0)->uom, "s");
	assert_double(perf(&pn, 0)->value, 0.002076);
	assert_double(perf(&pn, 0)->warn, NAN);
	assert_double(perf(&pn, 0)->crit, NAN);
	assert_double(perf(&pn, 0)->min, 0);
	assert_double(perf(&pn, 0)->max, 10);
	assert_int_equal(perf(&pn, 0)->counter, 0);
	assert_string_equal(perf(&pn, 1)->label, "size");
	assert_string_equal(perf(&pn, 1)->uom, "B");
	assert_double(perf(&pn, 1)->value, 453);
	assert_double(perf(&pn, 1)->min, 0);
	assert_double(perf(&pn, 1)->max, NAN);
	parse_nagios_free(&pn);
	assert_null(pn.perf);

	parse_nagios(tcp, sizeof tcp - 1, &pn);
	assert_string_equal(pn.message,
	    "TCP OK - 0.000 second response time on 127.0.0.1 port 22");
	assert_int_equal(pn.nerrors, 0);
	assert_int_equal(pn.nperf, 1);
	assert_double(perf(&pn, 0)->value, 0.000123);
	assert_double(perf(&pn, 0)->max, 10);
	parse_nagios_free(&pn);

	parse_nagios(ping, sizeof ping - 1, &pn);
	assert_string_equal(pn.message,
	    "PING OK - Packet loss = 0%, RTA = "
	    "0.05 ms");
	assert_int_equal(pn.nerrors, 0);
	assert_int_equal(pn.nperf, 2);
	assert_string_equal(perf(&pn, 0)->uom, "ms");
	assert_double(perf(&pn, 0)->value, 0.00005);
	assert_double(perf(&pn, 0)->warn, 0.1);
	assert_double(perf(&pn, 0)->crit, 0.5);
	assert_double(perf(&pn, 0)->min, 0);
	assert_double(perf(&pn, 0)->max, NAN);
	assert_string_equal(perf(&pn, 1)->label, "pl");
	assert_string_equal(perf(&pn, 1)->uom, "%");
	assert_double(perf(&pn, 1)->value, 0);
	assert_double(perf(&pn, 1)->warn, 20);
	assert_double(perf(&pn, 1)->crit, 60);
	assert_double(perf(&pn, 1)->min, 0);
	assert_double(perf(&pn, 1)->max, 100);
	parse_nagios_free(&pn);
}

/* The example of the plugin guidelines: perfdata on first and later lines. */
static void
test_nagios_multiline(void **unused)
{
	static const char disk[] =
	    "DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;"
	    "5968\n"
	    "/ 15272 MB (77%);\n"
	    "/boot 68 MB (69%);\n"
	    "/home 69357 MB (27%);\n"
	    "/var/log 819 MB (84%); | /boot=68MB;88;93;0;98\n"
	    "/home=69357MB;253404;253409;0;253414 \n"
	    "/var/log=818MB;970;975;0;980\n";
	struct parse_nagios pn;

	parse_nagios(disk, sizeof disk - 1, &pn);
	assert_string_equal(pn.message,
	    "DISK OK - free space: / 3326 MB "
	    "(56%);");
	assert_string_equal(pn.long_text,
	    "/ 15272 MB (77%);\n"
	    "/boot 68 MB (69%);\n"
	    "/home 69357 MB (27%);\n"
	    "/var/log 819 MB (84%);");
	assert_int_equal(pn.nerrors, 0);
	assert_int_equal(pn.nperf, 4);
	assert_string_equal(perf(&pn, 0)->label, "/");
	assert_string_equal(perf(&pn, 0)->ds, "root");
	assert_string_equal(perf(&pn, 0)->uom, "MB");
	assert_double(perf(&pn, 0)->value, 2643 * MiB);
	assert_double(perf(&pn, 0)->warn, 5948 * MiB);
	assert_double(perf(&pn, 0)->crit, 5958 * MiB);
	assert_double(perf(&pn, 0)->min, 0);
	assert_double(perf(&pn, 0)->max, 5968 * MiB);
	assert_string_equal(perf(&pn, 1)->ds, "boot");
	assert_double(perf(&pn, 1)->value, 68 * MiB);
	assert_string_equal(perf(&pn, 2)->label, "/home");
	assert_double(perf(&pn, 2)->max, 253414 * MiB);
	assert_string_equal(perf(&pn, 3)->label, "/var/log");
	assert_string_equal(perf(&pn, 3)->ds, "var_log");
	assert_double(perf(&pn, 3)->value, 818 * MiB);
	parse_nagios_free(&pn);
}

static void
test_nagios_units(void **unused)
{
	static const char out[] = "OK | a=1 b=2s c=3ms d=4us e=5% f=6B g=7KB "
	                          "h=8MB i=9GB j=10TB k=11c l=-1.5e2 "
	                          "m=+.5;1:2;@3;;";
	static const struct {
		const char *uom;
		double value;
	} want[] = {
		{ "", 1 },
		{ "s", 2 },
		{ "ms", 0.003 },
		{ "us", 0.000004 },
		{ "%", 5 },
		{ "B", 6 },
		{ "KB", 7 * 1024.0 },
		{ "MB", 8 * MiB },
		{ "GB", 9 * MiB * 1024 },
		{ "TB", 10 * MiB * MiB },
		{ "c", 11 },
		{ "", -150 },
		{ "", 0.5 },
	};
	struct parse_nagios pn;
	size_t i;

	parse_nagios(out, sizeof out - 1, &pn);
	assert_int_equal(pn.nerrors, 0);
	assert_int_equal(pn.nperf, sizeof want / sizeof want[0]);
	for (i = 0; i < pn.nperf; i++) {
		assert_string_equal(pn.perf[i].uom, want[i].uom);
		assert_double(pn.perf[i].value, want[i].value);
		assert_int_equal(pn.perf[i].counter, i == 10);
	}
	assert_double(pn.perf[10].value, 11);
	assert_double(pn.perf[4].min, 0);
	assert_double(pn.perf[4].max, 100);
	assert_double(pn.perf[0].min, NAN);
	assert_double(pn.perf[12].warn, NAN);
	assert_double(pn.perf[12].crit, NAN);
	assert_double(pn.perf[12].min, NAN);
	parse_nagios_free(&pn);
}

static void
test_nagios_labels(void **unused)
{
	static const char out[] = "OK | 'Response Time (ms)'=5ms;;;0 "
	                          "'it''s'=1 'a=b c'=2 ''''=3\ttab=4 "
	                          "a=U b=Uc;;;0 c=U;1;2;0;10 d=1;;;; e=2;;;;;";
	struct parse_nagios pn;

	parse_nagios(out, sizeof out - 1, &pn);
	assert_int_equal(pn.nerrors, 0);
	assert_int_equal(pn.nperf, 10);
	assert_string_equal(perf(&pn, 0)->label, "Response Time (ms)");
	assert_string_equal(perf(&pn, 0)->ds, "response_time_ms");
	assert_double(perf(&pn, 0)->value, 0.005);
	assert_string_equal(perf(&pn, 1)->label, "it's");
	assert_string_equal(perf(&pn, 1)->ds, "it_s");
	assert_string_equal(perf(&pn, 2)->label, "a=b c");
	assert_string_equal(perf(&pn, 2)->ds, "a_b_c");
	assert_string_equal(perf(&pn, 3)->label, "'");
	assert_string_equal(perf(&pn, 3)->ds, "v_0c8ae4");
	assert_string_equal(perf(&pn, 4)->label, "tab");
	/* Unknown values keep their unit, thresholds and limits. */
	assert_double(perf(&pn, 5)->value, NAN);
	assert_double(perf(&pn, 6)->value, NAN);
	assert_int_equal(perf(&pn, 6)->counter, 1);
	assert_double(perf(&pn, 6)->min, 0);
	assert_double(perf(&pn, 7)->value, NAN);
	assert_double(perf(&pn, 7)->warn, 1);
	assert_double(perf(&pn, 7)->crit, 2);
	assert_double(perf(&pn, 7)->max, 10);
	assert_double(perf(&pn, 8)->value, 1);
	assert_double(perf(&pn, 9)->value, 2);
	parse_nagios_free(&pn);
}

static void
test_nagios_bad(void **unused)
{
	static const char out[] =
	    "WARNING - stuff | good=1 bad=abc x=1zz noeq 'q'x=1 =5 "
	    "ok2=2;@10:20;~:5;0;100 thr=3;abc;;0 lim=4;;;zz many=1;2;3;4;5;6 "
	    "nan=nan inf=inf hex=0x10 big=1e999 d=Unknown 'open\n"
	    "more text | late=5\n"
	    "bad line\n"
	    "good=2 'a b'=1 a=1 A=2 a_b=3\n";
	static const char *const want[] = {
		"line 1: bad perfdata item 'bad=abc': bad value",
		"line 1: bad perfdata item 'x=1zz': unknown unit 'zz'",
		"line 1: bad perfdata item 'noeq': no '='",
		"line 1: bad perfdata item ''q'x=1': no '='",
		"line 1: bad perfdata item '=5': empty label",
		"line 1: perfdata item 'thr=3;abc;;0': bad warn 'abc', ignored",
		"line 1: perfdata item 'lim=4;;;zz': bad min 'zz', ignored",
		"line 1: bad perfdata item 'many=1;2;3;4;5;6': more than 5 "
		"fields",
		"line 1: bad perfdata item 'nan=nan': bad value",
		"line 1: bad perfdata item 'inf=inf': bad value",
		"line 1: bad perfdata item 'hex=0x10': unknown unit 'x10'",
		"line 1: bad perfdata item 'big=1e999': bad value",
		"line 1: bad perfdata item 'd=Unknown': bad value",
		"line 1: bad perfdata item ''open': unterminated quote",
		"line 3: bad perfdata item 'bad': no '='",
		"line 3: bad perfdata item 'line': no '='",
		"line 4: bad perfdata item 'good=2': duplicate label",
		"line 4: bad perfdata item 'A=2': data source name already "
		"used by an earlier label",
		"line 4: bad perfdata item 'a_b=3': data source name already "
		"used by an earlier label",
	};
	struct parse_nagios pn;

	parse_nagios(out, sizeof out - 1, &pn);
	assert_errors(pn.errors, pn.nerrors, want, sizeof want / sizeof *want);
	assert_string_equal(pn.message, "WARNING - stuff");
	assert_string_equal(pn.long_text, "more text");
	assert_int_equal(pn.nperf, 7);
	assert_string_equal(perf(&pn, 0)->label, "good");
	assert_double(perf(&pn, 0)->value, 1);
	assert_string_equal(perf(&pn, 1)->label, "ok2");
	assert_double(perf(&pn, 1)->warn, NAN);
	assert_double(perf(&pn, 1)->crit, NAN);
	assert_double(perf(&pn, 1)->max, 100);
	assert_string_equal(perf(&pn, 2)->label, "thr");
	assert_double(perf(&pn, 2)->value, 3);
	assert_double(perf(&pn, 2)->warn, NAN);
	assert_double(perf(&pn, 2)->min, 0);
	assert_string_equal(perf(&pn, 3)->label, "lim");
	assert_double(perf(&pn, 3)->min, NAN);
	assert_string_equal(perf(&pn, 4)->label, "late");
	assert_string_equal(perf(&pn, 5)->label, "a b");
	assert_string_equal(perf(&pn, 6)->label, "a");
	parse_nagios_free(&pn);
}

static void
test_nagios_bytes(void **unused)
{
	/* CRLF line ends. */
	static const char crlf[] = "OK | a=1\r\nfirst\r\n\r\n  second | "
	                           "b=2ms\r\nc=3\r\n\r\n";
	/* NUL bytes in texts, labels and values. */
	static const char nul[] = "OK\0x | a=1 'n\0l'=2 b=3\0 c=4\nx\0y\n";
	static const char *const want_nul[] = {
		"line 1: bad perfdata item ''n?l'=2': NUL byte in label",
		"line 1: bad perfdata item 'b=3?': unknown unit '?'",
	};
	struct parse_nagios pn;

	parse_nagios(crlf, sizeof crlf - 1, &pn);
	assert_int_equal(pn.nerrors, 0);
	assert_string_equal(pn.message, "OK");
	assert_string_equal(pn.long_text, "first\n\n  second");
	assert_int_equal(pn.nperf, 3);
	assert_double(perf(&pn, 1)->value, 0.002);
	assert_string_equal(perf(&pn, 2)->label, "c");
	assert_string_equal(perf(&pn, 2)->uom, "");
	parse_nagios_free(&pn);

	parse_nagios(nul, sizeof nul - 1, &pn);
	assert_errors(pn.errors, pn.nerrors, want_nul,
	    sizeof want_nul / sizeof *want_nul);
	assert_string_equal(pn.message, "OK?x");
	assert_string_equal(pn.long_text, "x?y");
	assert_int_equal(pn.nperf, 2);
	assert_string_equal(perf(&pn, 1)->label, "c");
	parse_nagios_free(&pn);

	/* Nothing at all, or nothing but line ends. */
	parse_nagios(NULL, 0, &pn);
	assert_string_equal(pn.message, "");
	assert_string_equal(pn.long_text, "");
	assert_int_equal(pn.nperf, 0);
	assert_int_equal(pn.nerrors, 0);
	parse_nagios_free(&pn);
	parse_nagios("\n\r\n\n", 4, &pn);
	assert_string_equal(pn.message, "");
	assert_string_equal(pn.long_text, "");
	assert_int_equal(pn.nperf + pn.nerrors, 0);
	parse_nagios_free(&pn);
	parse_nagios("CRITICAL - down", 15, &pn);
	assert_string_equal(pn.message, "CRITICAL - down");
	assert_int_equal(pn.nperf + pn.nerrors, 0);
	parse_nagios_free(&pn);
}

static void
test_nagios_caps(void **unused)
{
	enum { N = 300, BIG = 100000 };
	struct parse_nagios pn;
	char *out, *p;
	int i;

	/* 300 items: 256 are kept. */
	out = p = malloc(16 * N + 8);
	p += sprintf(p, "OK |");
	for (i = 0; i < N; i++)
		p += sprintf(p, " l%d=%d", i, i);
	parse_nagios(out, (size_t)(p - out), &pn);
	assert_int_equal(pn.nperf, PARSE_NAGIOS_MAX_PERF);
	assert_string_equal(perf(&pn, 255)->label, "l255");
	assert_double(perf(&pn, 255)->value, 255);
	assert_int_equal(pn.nerrors, 1);
	assert_string_equal(pn.errors[0],
	    "line 1: more than 256 perfdata "
	    "items, the rest are ignored");
	parse_nagios_free(&pn);
	free(out);

	/* A huge label is kept whole; errors quote only the start. */
	out = malloc(8 + BIG + BIG / 2);
	memcpy(out, "OK | ", 5);
	memset(out + 5, 'x', BIG);
	memcpy(out + 5 + BIG, "=1 ", 3);
	memset(out + 8 + BIG, 'y', BIG / 2);
	parse_nagios(out, 8 + BIG + BIG / 2, &pn);
	assert_int_equal(pn.nperf, 1);
	assert_int_equal(strlen(perf(&pn, 0)->label), BIG);
	assert_string_equal(perf(&pn, 0)->ds, "xxxxxxxxxxxx_a3ee48");
	assert_int_equal(pn.nerrors, 1);
	assert_true(strlen(pn.errors[0]) < 120);
	assert_non_null(strstr(pn.errors[0], "yyy...': no '='"));
	parse_nagios_free(&pn);
	free(out);

	/* Many errors: the list is capped, the last one says so. */
	out = malloc(4 * 1000 + 8);
	memcpy(out, "OK |", 4);
	for (i = 0; i < 1000; i++)
		memcpy(out + 4 + 4 * i, " bad", 4);
	parse_nagios(out, 4 + 4 * 1000, &pn);
	assert_int_equal(pn.nerrors, PARSE_NAGIOS_MAX_ERRORS);
	assert_string_equal(pn.errors[0],
	    "line 1: bad perfdata item 'bad': "
	    "no '='");
	assert_string_equal(pn.errors[PARSE_NAGIOS_MAX_ERRORS - 1],
	    "too many errors, the rest are not reported");
	parse_nagios_free(&pn);
	free(out);
}

static void
test_munin_config(void **unused)
{
	static const char load[] =
	    "graph_title Load average\n"
	    "graph_args --base 1000 -l 0\n"
	    "graph_vlabel load\n"
	    "graph_scale no\n"
	    "graph_category system\n"
	    "load.label load\n"
	    "load.warning 10\n"
	    "load.critical 120\n"
	    "graph_info The load average of the machine describes how many "
	    "processes are in the run-queue (scheduled to run "
	    "\"immediately\").\n"
	    "load.info 5 minute load average\n";
	static const char iface[] =
	    "graph_order down up\r\n"
	    "graph_title eth0 traffic\r\n"
	    "graph_args --base 1000\r\n"
	    "graph_vlabel bits in (-) / out (+) per ${graph_period}\r\n"
	    "graph_category network\r\n"
	    "down.label received\r\n"
	    "down.type DERIVE\r\n"
	    "down.graph no\r\n"
	    "down.cdef down,8,*\r\n"
	    "down.min 0\r\n"
	    "down.max 1000000000\r\n"
	    "up.label bps\r\n"
	    "up.type COUNTER\r\n"
	    "up.negative down\r\n"
	    "up.cdef up,8,*\r\n"
	    "up.min 0\r\n"
	    "up.max 1e9\r\n"
	    "  # a comment\r\n"
	    "\r\n"
	    "abs.type absolute\r\n";
	struct parse_munin_config mc;

	parse_munin_config(load, sizeof load - 1, &mc);
	assert_int_equal(mc.nerrors, 0);
	assert_string_equal(mc.title, "Load average");
	assert_string_equal(mc.vlabel, "load");
	assert_int_equal(mc.nfields, 1);
	assert_string_equal(mc.fields[0].name, "load");
	assert_string_equal(mc.fields[0].ds, "load");
	assert_string_equal(mc.fields[0].label, "load");
	assert_string_equal(mc.fields[0].type, "GAUGE");
	assert_double(mc.fields[0].min, NAN);
	assert_double(mc.fields[0].max, NAN);
	parse_munin_config_free(&mc);
	assert_null(mc.fields);

	parse_munin_config(iface, sizeof iface - 1, &mc);
	assert_int_equal(mc.nerrors, 0);
	assert_string_equal(mc.title, "eth0 traffic");
	assert_string_equal(mc.vlabel,
	    "bits in (-) / out (+) per ${graph_period}");
	assert_int_equal(mc.nfields, 3);
	assert_string_equal(mc.fields[0].name, "down");
	assert_string_equal(mc.fields[0].label, "received");
	assert_string_equal(mc.fields[0].type, "DERIVE");
	assert_double(mc.fields[0].min, 0);
	assert_double(mc.fields[0].max, 1e9);
	assert_string_equal(mc.fields[1].name, "up");
	assert_string_equal(mc.fields[1].type, "COUNTER");
	assert_double(mc.fields[1].max, 1e9);
	assert_string_equal(mc.fields[2].name, "abs");
	assert_null(mc.fields[2].label);
	assert_string_equal(mc.fields[2].type, "ABSOLUTE");
	parse_munin_config_free(&mc);

	parse_munin_config(NULL, 0, &mc);
	assert_null(mc.title);
	assert_null(mc.vlabel);
	assert_int_equal(mc.nfields + mc.nerrors, 0);
	parse_munin_config_free(&mc);
}

static void
test_munin_config_bad(void **unused)
{
	static const char out[] = "graph_title First\n"
	                          "graph_title Second\n"
	                          "load.label x\n"
	                          "load.type FLOAT\n"
	                          "load.min abc\n"
	                          "load.max U\n"
	                          "9bad.label nope\n"
	                          ".label empty\n"
	                          "load. x\n"
	                          "junk here\n"
	                          "host_name foo\n"
	                          "Load.label dup\n"
	                          "counter.type counter\n"
	                          "multigraph other\n"
	                          "after.label ignored\n";
	static const char *const want[] = {
		"line 4: field 'load': unknown type 'FLOAT'",
		"line 5: field 'load': bad min 'abc'",
		"line 7: bad field name '9bad.label'",
		"line 8: bad field name '.label'",
		"line 9: bad field name 'load.'",
		"line 10: unexpected line 'junk here'",
		"field 'Load': data source name 'load' already used by field "
		"'load', ignored",
	};
	struct parse_munin_config mc;

	parse_munin_config(out, sizeof out - 1, &mc);
	assert_errors(mc.errors, mc.nerrors, want, sizeof want / sizeof *want);
	assert_string_equal(mc.title, "Second");
	assert_null(mc.vlabel);
	assert_int_equal(mc.nfields, 2);
	assert_string_equal(mc.fields[0].name, "load");
	assert_string_equal(mc.fields[0].label, "x");
	assert_string_equal(mc.fields[0].type, "GAUGE");
	assert_double(mc.fields[0].min, NAN);
	assert_double(mc.fields[0].max, NAN);
	assert_string_equal(mc.fields[1].name, "counter");
	assert_string_equal(mc.fields[1].type, "COUNTER");
	/* What follows a multigraph line is that section's. */
	assert_int_equal(mc.ngraphs, 1);
	assert_string_equal(mc.graphs[0].name, "other");
	assert_int_equal(mc.graphs[0].nfields, 1);
	assert_string_equal(mc.graphs[0].fields[0].name, "after");
	parse_munin_config_free(&mc);
}

static void
test_munin_values(void **unused)
{
	static const char out[] = "load.value 0.12\n"
	                          "a.value 1700000000:5\n"
	                          "b.value U\r\n"
	                          "c.value\t12:U\n"
	                          "# comment\n"
	                          "\n"
	                          "d.value abc\n"
	                          "e.vlaue 1\n"
	                          "junk\n"
	                          "f.value 1:2:3\n"
	                          "a.value 2\n"
	                          "A.value 3\n"
	                          "g.extinfo something\n"
	                          "h.value -1.5e3\n"
	                          "i.value 1e999\n"
	                          "j-k.value 1\n"
	                          "l.value 99999999999999999999:1\n"
	                          "m.value";
	static const char *const want[] = {
		"line 7: field 'd': bad value 'abc'",
		"line 8: unexpected line 'e.vlaue 1'",
		"line 9: unexpected line 'junk'",
		"line 10: field 'f': bad value '1:2:3'",
		"line 11: field 'a': value repeated, ignored",
		"line 12: field 'A': data source name already has a value, "
		"ignored",
		"line 15: field 'i': bad value '1e999'",
		"line 16: unexpected line 'j-k.value 1'",
		"line 17: field 'l': bad value '99999999999999999999:1'",
		"line 18: field 'm': bad value ''",
	};
	struct parse_munin_values mv;

	parse_munin_values(out, sizeof out - 1, &mv);
	assert_errors(mv.errors, mv.nerrors, want, sizeof want / sizeof *want);
	assert_int_equal(mv.nvalues, 5);
	assert_string_equal(mv.values[0].name, "load");
	assert_string_equal(mv.values[0].ds, "load");
	assert_double(mv.values[0].value, 0.12);
	assert_int_equal(mv.values[0].epoch, 0);
	assert_string_equal(mv.values[1].name, "a");
	assert_double(mv.values[1].value, 5);
	assert_int_equal(mv.values[1].epoch, 1700000000);
	assert_double(mv.values[2].value, NAN);
	assert_int_equal(mv.values[3].epoch, 12);
	assert_double(mv.values[3].value, NAN);
	assert_string_equal(mv.values[4].name, "h");
	assert_double(mv.values[4].value, -1500);
	parse_munin_values_free(&mv);
	assert_null(mv.values);

	parse_munin_values("multigraph x\nload.value 1\n", 26, &mv);
	assert_int_equal(mv.nvalues, 1);
	assert_int_equal(mv.nerrors, 0);
	assert_string_equal(mv.values[0].graph, "x");
	parse_munin_values_free(&mv);
}

static void
test_munin_caps(void **unused)
{
	enum { N = 300 };
	struct parse_munin_config mc;
	struct parse_munin_values mv;
	char *out, *p;
	int i;

	out = p = malloc(32 * N);
	for (i = 0; i < N; i++)
		p += sprintf(p, "f%d.label F%d\n", i, i);
	parse_munin_config(out, (size_t)(p - out), &mc);
	assert_int_equal(mc.nfields, PARSE_MUNIN_MAX_FIELDS);
	assert_string_equal(mc.fields[255].label, "F255");
	assert_int_equal(mc.nerrors, 1);
	assert_string_equal(mc.errors[0],
	    "line 257: more than 256 fields, "
	    "the rest are ignored");
	parse_munin_config_free(&mc);

	p = out;
	for (i = 0; i < N; i++)
		p += sprintf(p, "f%d.value %d\n", i, i);
	parse_munin_values(out, (size_t)(p - out), &mv);
	assert_int_equal(mv.nvalues, PARSE_MUNIN_MAX_FIELDS);
	assert_double(mv.values[255].value, 255);
	assert_int_equal(mv.nerrors, 1);
	assert_string_equal(mv.errors[0],
	    "line 257: more than 256 values, "
	    "the rest are ignored");
	parse_munin_values_free(&mv);
	free(out);
}

static void
test_putval(void **unused)
{
	static const char out[] =
	    "PUTVAL \"myhost/exec-magic/gauge-magic_level\" interval=10 N:42\n"
	    "PUTVAL myhost/cpu-0/cpu-idle 1700000000:12.5\n"
	    "putval h/if-eth0/if_octets interval=60 1700000000.75:123:456\r\n"
	    "PUTNOTIF severity=okay time=1700000000 message=hi\n"
	    "PUTVAL h/p/t N:U:5 N:1:2\n"
	    "\t\n"
	    "PUTVAL \"my host/exec-a\\\"b/gauge\" interval=\"5\" N:1";
	struct parse_putvals pv;
	const struct parse_putval *e;

	parse_putval(out, sizeof out - 1, &pv);
	assert_int_equal(pv.nerrors, 0);
	assert_int_equal(pv.n, 6);
	e = &pv.vals[0];
	assert_string_equal(e->identifier,
	    "myhost/exec-magic/gauge-magic_level");
	assert_string_equal(e->host, "myhost");
	assert_string_equal(e->plugin, "exec-magic");
	assert_string_equal(e->type, "gauge-magic_level");
	assert_double(e->interval, 10);
	assert_int_equal(e->time, 0);
	assert_int_equal(e->nvalues, 1);
	assert_double(e->values[0], 42);
	e = &pv.vals[1];
	assert_string_equal(e->plugin, "cpu-0");
	assert_string_equal(e->type, "cpu-idle");
	assert_double(e->interval, 0);
	assert_int_equal(e->time, 1700000000);
	assert_double(e->values[0], 12.5);
	e = &pv.vals[2];
	assert_string_equal(e->identifier, "h/if-eth0/if_octets");
	assert_double(e->interval, 60);
	assert_int_equal(e->time, 1700000000);
	assert_int_equal(e->nvalues, 2);
	assert_double(e->values[0], 123);
	assert_double(e->values[1], 456);
	e = &pv.vals[3];
	assert_int_equal(e->nvalues, 2);
	assert_double(e->values[0], NAN);
	assert_double(e->values[1], 5);
	e = &pv.vals[4];
	assert_string_equal(e->identifier, "h/p/t");
	assert_double(e->values[0], 1);
	assert_double(e->values[1], 2);
	e = &pv.vals[5];
	assert_string_equal(e->identifier, "my host/exec-a\"b/gauge");
	assert_string_equal(e->host, "my host");
	assert_string_equal(e->plugin, "exec-a\"b");
	assert_double(e->interval, 5);
	parse_putval_free(&pv);
	assert_null(pv.vals);

	parse_putval(NULL, 0, &pv);
	assert_int_equal(pv.n + pv.nerrors, 0);
	parse_putval_free(&pv);
}

static void
test_putval_bad(void **unused)
{
	static const char out[] = "GETVAL h/p/t\n"
	                          "PUTVAL\n"
	                          "PUTVAL h/p N:1\n"
	                          "PUTVAL h//t N:1\n"
	                          "PUTVAL h/p/t/x N:1\n"
	                          "PUTVAL h/p/t interval=10\n"
	                          "PUTVAL h/p/t x:1\n"
	                          "PUTVAL h/p/t -5:1\n"
	                          "PUTVAL h/p/t N\n"
	                          "PUTVAL h/p/t N:1:zz:3\n"
	                          "PUTVAL \"h/p/t N:1\n"
	                          "PUTVAL h/p/t interval=abc N:7\n"
	                          "PUTVAL h/p/t N:inf\n"
	                          "PUTVAL h/p/t \"N:1\"x\n"
	                          "PUTVAL h/p\0/t N:1\n"
	                          "PUTVAL h/p/t 1e20:1\n";
	static const char *const want[] = {
		"line 1: not a PUTVAL line 'GETVAL h/p/t'",
		"line 2: no identifier",
		"line 3: bad identifier 'h/p': identifier is not "
		"host/plugin/type",
		"line 4: bad identifier 'h//t': identifier is not "
		"host/plugin/type",
		"line 5: bad identifier 'h/p/t/x': identifier has more than 3 "
		"parts",
		"line 6: no value list",
		"line 7: bad time 'x'",
		"line 8: bad time '-5'",
		"line 9: value list 'N' has no values",
		"line 10: bad value 'zz' (number 2 of 'N:1:zz:3'), stored as U",
		"line 11: bad quoting",
		"line 12: bad interval 'abc', ignored",
		"line 13: bad value 'inf' (number 1 of 'N:inf'), stored as U",
		"line 14: bad quoting",
		"line 15: bad identifier 'h/p?/t': control byte in identifier",
		"line 16: bad time '1e20'",
	};
	struct parse_putvals pv;

	parse_putval(out, sizeof out - 1, &pv);
	assert_errors(pv.errors, pv.nerrors, want, sizeof want / sizeof *want);
	assert_int_equal(pv.n, 3);
	assert_int_equal(pv.vals[0].nvalues, 3);
	assert_double(pv.vals[0].values[0], 1);
	assert_double(pv.vals[0].values[1], NAN);
	assert_double(pv.vals[0].values[2], 3);
	assert_double(pv.vals[1].interval, 0);
	assert_double(pv.vals[1].values[0], 7);
	assert_double(pv.vals[2].values[0], NAN);
	parse_putval_free(&pv);
}

static void
test_putval_caps(void **unused)
{
	enum { N = 300 };
	struct parse_putvals pv;
	char *out, *p;
	int i;

	out = p = malloc(32 * N);
	for (i = 0; i < N; i++)
		p += sprintf(p, "PUTVAL h/p/t N:%d\n", i);
	parse_putval(out, (size_t)(p - out), &pv);
	assert_int_equal(pv.n, PARSE_PUTVAL_MAX);
	assert_double(pv.vals[255].values[0], 255);
	assert_int_equal(pv.nerrors, 1);
	assert_string_equal(pv.errors[0],
	    "line 257: more than 256 value "
	    "lists, the rest are ignored");
	parse_putval_free(&pv);

	/* 256 values in a list are fine, 257 are not. */
	p = out + sprintf(out, "PUTVAL h/p/t N");
	for (i = 0; i < PARSE_PUTVAL_MAX_VALUES; i++)
		p += sprintf(p, ":%d", i);
	parse_putval(out, (size_t)(p - out), &pv);
	assert_int_equal(pv.nerrors, 0);
	assert_int_equal(pv.n, 1);
	assert_int_equal(pv.vals[0].nvalues, PARSE_PUTVAL_MAX_VALUES);
	assert_double(pv.vals[0].values[255], 255);
	parse_putval_free(&pv);
	p += sprintf(p, ":1");
	parse_putval(out, (size_t)(p - out), &pv);
	assert_int_equal(pv.n, 0);
	assert_int_equal(pv.nerrors, 1);
	assert_string_equal(pv.errors[0],
	    "line 1: more than 256 values in a "
	    "list");
	parse_putval_free(&pv);
	free(out);
}

/* Random bytes through every parser: what comes out is still well formed. */
static void
test_random_inputs(void **unused)
{
	struct parse_nagios pn;
	struct parse_munin_config mc;
	struct parse_munin_values mv;
	struct parse_putvals pv;
	uint64_t s = 0x2545f4914f6cdd1dULL;
	char buf[512];
	size_t len, i, j;
	int n;

	for (n = 0; n < 20000; n++) {
		len = rnd(&s) % sizeof buf;
		rnd_bytes(&s, buf, len);
		if (n % 3 == 0 && len > 7)
			memcpy(buf, n % 2 ? "PUTVAL " : "OK |'a'", 7);

		parse_nagios(buf, len, &pn);
		assert_non_null(pn.message);
		assert_non_null(pn.long_text);
		assert_true(pn.nperf <= PARSE_NAGIOS_MAX_PERF);
		assert_true(pn.nerrors <= PARSE_NAGIOS_MAX_ERRORS);
		for (i = 0; i < pn.nperf; i++) {
			assert_true(valid_ds(pn.perf[i].ds));
			for (j = 0; j < i; j++)
				assert_string_not_equal(pn.perf[i].ds,
				    pn.perf[j].ds);
		}
		parse_nagios_free(&pn);

		parse_munin_config(buf, len, &mc);
		for (i = 0; i < mc.nfields; i++) {
			assert_true(valid_ds(mc.fields[i].ds));
			for (j = 0; j < i; j++)
				assert_string_not_equal(mc.fields[i].ds,
				    mc.fields[j].ds);
		}
		assert_true(mc.nerrors <= PARSE_MUNIN_MAX_ERRORS);
		parse_munin_config_free(&mc);

		parse_munin_values(buf, len, &mv);
		for (i = 0; i < mv.nvalues; i++)
			assert_true(valid_ds(mv.values[i].ds));
		parse_munin_values_free(&mv);

		parse_putval(buf, len, &pv);
		for (i = 0; i < pv.n; i++) {
			assert_true(pv.vals[i].nvalues >= 1);
			assert_true(pv.vals[i].time >= 0);
		}
		assert_true(pv.nerrors <= PARSE_PUTVAL_MAX_ERRORS);
		parse_putval_free(&pv);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dsname_stable),
		cmocka_unit_test(test_dsname_random),
		cmocka_unit_test(test_nagios_real),
		cmocka_unit_test(test_nagios_multiline),
		cmocka_unit_test(test_nagios_units),
		cmocka_unit_test(test_nagios_labels),
		cmocka_unit_test(test_nagios_bad),
		cmocka_unit_test(test_nagios_bytes),
		cmocka_unit_test(test_nagios_caps),
		cmocka_unit_test(test_munin_config),
		cmocka_unit_test(test_munin_config_bad),
		cmocka_unit_test(test_munin_values),
		cmocka_unit_test(test_munin_caps),
		cmocka_unit_test(test_putval),
		cmocka_unit_test(test_putval_bad),
		cmocka_unit_test(test_putval_caps),
		cmocka_unit_test(test_random_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
