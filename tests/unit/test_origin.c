/*
 * Origins of the URLs feeds page through (fetch_origin, fetch_same_origin,
 * fetch_resolve): what counts as one origin once scheme, host and port are
 * normalised, and how paging links resolve, so that credentials never go
 * to a link of another origin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fetch.h"

static void
expect_origin(const char *url, const char *want)
{
	char *got = fetch_origin(url);

	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
	free(got);
}

static void
test_origin(void **state)
{
	(void)state;
	expect_origin("http://lrs.example/xapi/statements",
	    "http://lrs.example:80");
	expect_origin("HTTPS://LRS.Example/x", "https://lrs.example:443");
	expect_origin("https://lrs.example:8443/x?a=1#f",
	    "https://lrs.example:8443");
	expect_origin("http://user:secret@127.0.0.1:8080/",
	    "http://127.0.0.1:8080");
	expect_origin("http://[::1]:81/x", "http://[::1]:81");
	expect_origin("file:///etc/passwd", NULL);
	expect_origin("ftp://lrs.example/", NULL);
	expect_origin("/relative/path", NULL);
	expect_origin("", NULL);
}

static void
test_same_origin(void **state)
{
	(void)state;
	/* Default ports and case do not make another origin. */
	assert_int_equal(fetch_same_origin("http://a.example/x",
	                     "HTTP://A.EXAMPLE:80/y?z"),
	    1);
	assert_int_equal(fetch_same_origin("https://a.example/",
	                     "https://a.example:443/next"),
	    1);
	assert_int_equal(fetch_same_origin("http://u:p@a.example/",
	                     "http://a.example/"),
	    1);
	/* Another port, scheme or host does. */
	assert_int_equal(fetch_same_origin("http://127.0.0.1:8080/",
	                     "http://127.0.0.1:8081/"),
	    0);
	assert_int_equal(fetch_same_origin("https://a.example/",
	                     "http://a.example:443/"),
	    0);
	assert_int_equal(fetch_same_origin("http://a.example/",
	                     "http://a.example.evil/"),
	    0);
	assert_int_equal(fetch_same_origin("http://a.example/",
	                     "http://evil@b.example/"),
	    0);
	assert_int_equal(fetch_same_origin("http://localhost/",
	                     "http://127.0.0.1/"),
	    0);
	/* Not http(s) is never the same. */
	assert_int_equal(fetch_same_origin("file:///a", "file:///a"), 0);
	assert_int_equal(fetch_same_origin("http://a.example/", "x"), 0);
}

static void
expect_resolve(const char *base, const char *ref, const char *want)
{
	char *got = fetch_resolve(base, ref);

	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
	free(got);
}

static void
test_resolve(void **state)
{
	const char *b = "http://127.0.0.1:8080/xapi/statements?verb=v";

	(void)state;
	expect_resolve(b, "/xapi/statements?more=2",
	    "http://127.0.0.1:8080/xapi/statements?more=2");
	expect_resolve(b, "statements?more=3",
	    "http://127.0.0.1:8080/xapi/statements?more=3");
	expect_resolve(b, "?more=4",
	    "http://127.0.0.1:8080/xapi/statements?more=4");
	expect_resolve(b, "http://127.0.0.1:9090/steal",
	    "http://127.0.0.1:9090/steal");
	/* A link may not bring its own credentials along. */
	expect_resolve(b, "http://x:y@127.0.0.1:8080/more",
	    "http://127.0.0.1:8080/more");
	expect_resolve("not a url", "/x", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_same_origin),
		cmocka_unit_test(test_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
