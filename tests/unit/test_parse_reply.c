/*
 * The head of an HTTP/1.x answer (parse_reply_head): a whole head gives
 * its status and where it ends, every shorter prefix asks for more, and
 * what is not an answer is refused with a reason, never misread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse_reply.h"

/* head is a whole head (then body): its code, its end, and each prefix
 * asking for more. */
static void
expect_head(const char *head, const char *body, int code, int minor)
{
	struct parse_reply r;
	char *all;
	size_t n = strlen(head), i;

	for (i = 0; i < n; i++)
		assert_int_equal(parse_reply_head(head, i, &r), 0);
	if (asprintf(&all, "%s%s", head, body) < 0)
		fail();
	assert_int_equal(parse_reply_head(all, strlen(all), &r), (long)n);
	assert_int_equal(r.code, code);
	assert_int_equal(r.minor, minor);
	free(all);
}

static void
expect_bad(const char *buf, const char *error)
{
	struct parse_reply r;

	assert_int_equal(parse_reply_head(buf, strlen(buf), &r), -1);
	assert_string_equal(r.error, error);
}

static void
test_reply_good(void **state)
{
	(void)state;
	expect_head("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n", "flushed\n",
	    200, 1);
	expect_head("HTTP/1.0 404 Not Found\r\n\r\n", "", 404, 0);
	expect_head("HTTP/1.1 504\r\n\r\n", "", 504, 1);
	expect_head("HTTP/1.1 200 \r\nX-A:\r\nX-B:\t v \t\r\n\r\n", "", 200, 1);
	expect_head("HTTP/1.1 599 caf\xc3\xa9\r\n\r\n", "", 599, 1);
}

static void
test_reply_bad(void **state)
{
	char *big;
	size_t n;

	(void)state;
	expect_bad("SSH-2.0-OpenSSH_9.2\r\n", "not an HTTP/1.x status line");
	expect_bad("HTTP/2 200 OK\r\n\r\n", "not an HTTP/1.x status line");
	expect_bad("HTTP/1.1 20 OK\r\n\r\n", "not an HTTP/1.x status line");
	expect_bad("HTTP/1.1 2000 OK\r\n\r\n", "not an HTTP/1.x status line");
	expect_bad("HTTP/1.1 099 x\r\n\r\n", "a status code out of 100 to 599");
	expect_bad("HTTP/1.1 600 x\r\n\r\n", "a status code out of 100 to 599");
	expect_bad("HTTP/1.1 200 OK\n\n",
	    "a control character in the status line");
	expect_bad("HTTP/1.1 200 OK\rX", "a bare CR in the head");
	expect_bad("HTTP/1.1 200 OK\r\nA: b\rX", "a bare CR in the head");
	expect_bad("HTTP/1.1 200 OK\r\nA: b\n\r\n",
	    "a control character in a field line");
	expect_bad("HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n",
	    "a folded field line");
	expect_bad("HTTP/1.1 200 OK\r\nA : b\r\n\r\n",
	    "a field line without a name and a colon");
	expect_bad("HTTP/1.1 200 OK\r\n: b\r\n\r\n",
	    "a field line without a name and a colon");
	expect_bad("HTTP/1.1 200 OK\r\n\rX", "a bare CR in the head");
	/* A head that never ends within the bound. */
	n = PARSE_REPLY_HEAD_MAX + 64;
	big = malloc(n + 1);
	assert_non_null(big);
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(big + 20, 'a', n - 20);
	big[n] = '\0';
	expect_bad(big, "a head over 8192 bytes");
	free(big);
}

/* A head of exactly the bound is read; one byte more is not. */
static void
test_reply_bound(void **state)
{
	struct parse_reply r;
	size_t n = PARSE_REPLY_HEAD_MAX;
	char *buf = malloc(n + 2);

	(void)state;
	assert_non_null(buf);
	memcpy(buf, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(buf + 20, 'a', n - 24);
	memcpy(buf + n - 4, "\r\n\r\n", 4);
	assert_int_equal(parse_reply_head(buf, n, &r), (long)n);
	memmove(buf + 21, buf + 20, n - 20);
	buf[20] = 'a';
	assert_int_equal(parse_reply_head(buf, n + 1, &r), -1);
	assert_string_equal(r.error, "a head over 8192 bytes");
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_good),
		cmocka_unit_test(test_reply_bad),
		cmocka_unit_test(test_reply_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
