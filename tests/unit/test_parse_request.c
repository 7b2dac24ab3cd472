/*
 * The status server's request parser (collectors/parse/parse_request.c): where a
 * request head ends, and what RFC 9112 makes of it, case by case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parse_request.h"

/* Parse text as one whole request head; its code. */
static int
code_of(const char *text, struct parse_request *out)
{
	struct parse_request_scan scan;
	long end;

	memset(&scan, 0, sizeof scan);
	end = parse_request_end(text, strlen(text), &scan);
	if (end < 0)
		return -1;
	assert_int_equal(end, (long)strlen(text));
	parse_request(text, (size_t)end, out);
	return out->code;
}

static void
test_request_ok(void **unused)
{
	struct parse_request r;

	assert_int_equal(code_of("GET /health HTTP/1.1\r\nHost: a\r\n\r\n", &r),
	    0);
	assert_int_equal(r.method, PARSE_REQUEST_GET);
	assert_string_equal(r.path, "/health");
	assert_int_equal(r.keep_alive, 1);
	assert_int_equal(code_of("\r\nHEAD /m?x=1 HTTP/1.1\r\nHost: a\r\n"
	                         "Connection: close\r\n\r\n",
	                     &r),
	    0);
	assert_int_equal(r.method, PARSE_REQUEST_HEAD);
	assert_string_equal(r.path, "/m");
	assert_int_equal(r.keep_alive, 0);
	assert_int_equal(code_of("GET http://h:1/api/v1/systems?q HTTP/1.0\r\n"
	                         "\r\n",
	                     &r),
	    0);
	assert_string_equal(r.path, "/api/v1/systems");
	assert_int_equal(r.keep_alive, 0);
	assert_int_equal(code_of("GET / HTTP/1.0\r\nConnection: keep-alive\r\n"
	                         "Content-Length: 0\r\n\r\n",
	                     &r),
	    0);
	assert_int_equal(r.keep_alive, 1);
	/* The same Content-Length twice, or as a list, is one value. */
	assert_int_equal(code_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length:"
	                         " 0\r\nContent-Length: 0, 0\r\n\r\n",
	                     &r),
	    0);
}

static void
test_request_refused(void **unused)
{
	static const struct {
		const char *text;
		int code;
	} cases[] = {
		{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n"
		  "Content-Length: 5\r\n\r\n",
		    400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n",
		    400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
		    400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
		  "Content-Length: 0\r\n\r\n",
		    400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
		  "\r\n",
		    413 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n",
		    413 },
		{ "GET / HTTP/1.1\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n folded\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n", 400 },
		{ "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
		{ "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
		{ "GET a HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
		{ "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505 },
		{ "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: a\r\n\r\n", 405 },
		{ "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	};
	struct parse_request r;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (code_of(cases[i].text, &r) != cases[i].code)
			fail_msg("case %zu: code %d (%s), want %d", i, r.code,
			    r.error != NULL ? r.error : "-", cases[i].code);
		assert_non_null(r.error);
		assert_int_equal(r.keep_alive, 0);
	}
}

static void
test_request_long(void **unused)
{
	char text[PARSE_REQUEST_PATH_MAX + 64];
	struct parse_request r;

	memcpy(text, "GET /", 5);
	memset(text + 5, 'a', PARSE_REQUEST_PATH_MAX);
	strcpy(text + 5 + PARSE_REQUEST_PATH_MAX,
	    " HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(code_of(text, &r), 414);
}

/* Bare LF and bare CR end the scan at once; a head a byte at a time is
 * found where it ends. */
static void
test_request_end(void **unused)
{
	static const char whole[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET";
	struct parse_request_scan scan;
	size_t i;
	long end = 0;

	memset(&scan, 0, sizeof scan);
	assert_int_equal(parse_request_end("GET / HTTP/1.1\nHost: a\n\n", 24,
	                     &scan),
	    -1);
	memset(&scan, 0, sizeof scan);
	assert_int_equal(parse_request_end("GET / HTTP/1.1\r\nHost: a\r\n\n",
	                     26, &scan),
	    -1);
	memset(&scan, 0, sizeof scan);
	assert_int_equal(parse_request_end("GET / HTTP/1.1\rHost: a\r\n\r\n",
	                     26, &scan),
	    -1);
	memset(&scan, 0, sizeof scan);
	for (i = 1; i <= sizeof whole - 1 && end == 0; i++)
		end = parse_request_end(whole, i, &scan);
	assert_int_equal(end, 27);
	/* Empty lines before the request line are skipped. */
	memset(&scan, 0, sizeof scan);
	assert_int_equal(parse_request_end("\r\n\r\n", 4, &scan), 0);
	assert_int_equal(parse_request_end("\r\n\r\nGET / HTTP/1.0\r\n\r\n", 22,
	                     &scan),
	    22);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_ok),
		cmocka_unit_test(test_request_refused),
		cmocka_unit_test(test_request_long),
		cmocka_unit_test(test_request_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
