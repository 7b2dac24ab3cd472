/*
 * rrdcached's answers (parse_cached_feed): BATCH's go ahead and the error
 * lines after the dot, fed whole and in pieces of every size; a refused
 * BATCH told apart from garbage; STATS' UpdatesReceived; the answers to
 * commands sent without BATCH; lines over the bound, counts out of range
 * and error lines naming no command sent refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse_cached.h"

/* What the refused callback saw: "cmd:message;" each. */
static char seen[1024];

static void
note(void *arg, size_t cmd, const char *msg, size_t len)
{
	size_t off = strlen(seen);

	(void)arg;
	snprintf(seen + off, sizeof seen - off, "%zu:%.*s;", cmd, (int)len,
	    msg);
}

/*
 * Feed buf in pieces of step bytes, keeping what was not read, as a
 * reader of a socket does: the bytes read in all, or -1.
 */
static long
feed(struct parse_cached *p, const char *buf, size_t step)
{
	char kept[8192];
	size_t len = strlen(buf), off = 0, nk = 0, n;
	long used, total = 0;

	while (off < len) {
		n = len - off < step ? len - off : step;
		memcpy(kept + nk, buf + off, n);
		nk += n;
		off += n;
		do {
			if ((used = parse_cached_feed(p, kept, nk, note,
			         NULL)) < 0)
				return -1;
			memmove(kept, kept + used, nk - (size_t)used);
			nk -= (size_t)used;
			total += used;
		} while (used > 0 && nk > 0 && p->state != PARSE_CACHED_DONE);
	}
	return total;
}

static void
test_cached_batch(void **state)
{
	const char *go = "0 Go ahead.  End with dot '.' on its own line.\n";
	const char *errs =
	    "2 errors\n2 illegal attempt to update using time 1 when last update time is 5 (minimum one second step)\n7 No such file: /srv/x y.rrd\n";
	struct parse_cached p;
	size_t step;

	(void)state;
	for (step = 1; step <= strlen(errs); step++) {
		parse_cached_init(&p, PARSE_CACHED_BATCH, 7);
		seen[0] = '\0';
		assert_int_equal(feed(&p, go, step), (long)strlen(go));
		assert_int_equal(p.state, PARSE_CACHED_COUNT);
		assert_int_equal(feed(&p, errs, step), (long)strlen(errs));
		assert_int_equal(p.state, PARSE_CACHED_DONE);
		assert_string_equal(seen,
		    "2:illegal attempt to update using time 1 when last update time is 5 (minimum one second step);7:No such file: /srv/x y.rrd;");
	}
	/* The go ahead is read alone: the commands go before the rest. */
	parse_cached_init(&p, PARSE_CACHED_BATCH, 1);
	assert_int_equal(parse_cached_feed(&p, "0 Go\n0 errors\n", 14, note,
	                     NULL),
	    5);
	assert_int_equal(p.state, PARSE_CACHED_COUNT);
	assert_int_equal(parse_cached_feed(&p, "0 errors\n", 9, note, NULL), 9);
	assert_int_equal(p.state, PARSE_CACHED_DONE);
	/* Part of a line: nothing read yet. */
	parse_cached_init(&p, PARSE_CACHED_BATCH, 1);
	assert_int_equal(parse_cached_feed(&p, "0 Go ah", 7, note, NULL), 0);
	assert_int_equal(p.state, PARSE_CACHED_GO);
}

static void
test_cached_refused(void **state)
{
	struct parse_cached p;

	(void)state;
	parse_cached_init(&p, PARSE_CACHED_BATCH, 3);
	assert_int_equal(feed(&p, "-1 Permission denied.\n", 4), -1);
	assert_int_equal(p.refused, 1);
	assert_string_equal(p.why, "BATCH refused: \"Permission denied.\"");
	parse_cached_init(&p, PARSE_CACHED_BATCH, 3);
	assert_int_equal(feed(&p, "1 Go ahead\n", 64), -1);
	assert_int_equal(p.refused, 0);
}

/* Each is not rrdcached's answer to a batch of 3 commands. */
static void
expect_garbage(const char *answer, const char *why)
{
	struct parse_cached p;

	parse_cached_init(&p, PARSE_CACHED_BATCH, 3);
	p.state = PARSE_CACHED_COUNT;
	assert_int_equal(feed(&p, answer, 3), -1);
	assert_int_equal(p.refused, 0);
	assert_string_equal(p.why, why);
}

static void
test_cached_garbage(void **state)
{
	(void)state;
	expect_garbage("HTTP/1.1 400 Bad Request\n",
	    "not a count of lines: \"HTTP/1.1 400 Bad Request\"");
	expect_garbage("-1 errors\n", "not a count of lines: \"-1 errors\"");
	expect_garbage("1000001 errors\n",
	    "not a count of lines: \"1000001 errors\"");
	expect_garbage("1234567890 errors\n",
	    "not a count of lines: \"1234567890 errors\"");
	expect_garbage("1errors\n", "not a count of lines: \"1errors\"");
	expect_garbage("1 errors\n4 no such command\n",
	    "not an error of a command sent: \"4 no such command\"");
	expect_garbage("1 errors\n0 no such command\n",
	    "not an error of a command sent: \"0 no such command\"");
	expect_garbage("1 errors\nx\x01y\n",
	    "not an error of a command sent: \"x?y\"");
}

static void
test_cached_long(void **state)
{
	struct parse_cached p;
	size_t n = PARSE_CACHED_LINE_MAX;
	char *buf = malloc(n + 16);

	(void)state;
	assert_non_null(buf);
	/* A line of the bound, LF included, is read. */
	memcpy(buf, "1 errors\n1 ", 11);
	memset(buf + 11, 'm', n - 3);
	buf[9 + n - 1] = '\n';
	buf[9 + n] = '\0';
	parse_cached_init(&p, PARSE_CACHED_BATCH, 1);
	p.state = PARSE_CACHED_COUNT;
	seen[0] = '\0';
	assert_int_equal(parse_cached_feed(&p, buf, 9 + n, NULL, NULL),
	    (long)(9 + n));
	assert_int_equal(p.state, PARSE_CACHED_DONE);
	/* One byte more, with or without its LF come: too long. */
	memset(buf + 11, 'm', n - 2);
	parse_cached_init(&p, PARSE_CACHED_BATCH, 1);
	p.state = PARSE_CACHED_COUNT;
	assert_int_equal(parse_cached_feed(&p, buf, 9 + n, NULL, NULL), -1);
	assert_non_null(strstr(p.why, "line too long"));
	free(buf);
}

static void
test_cached_stats(void **state)
{
	const char *stats =
	    "9 Statistics follow\nQueueLength: 0\nUpdatesReceived: 18446744073709551615\nFlushesReceived: 2\nUpdatesWritten: 3\nDataSetsWritten: 4\nTreeNodesNumber: 5\nTreeDepth: 6\nJournalBytes: 7\nJournalRotate: 8\n";
	struct parse_cached p;
	size_t step;

	(void)state;
	for (step = 1; step < 40; step++) {
		parse_cached_init(&p, PARSE_CACHED_STATS, 0);
		assert_int_equal(feed(&p, stats, step), (long)strlen(stats));
		assert_int_equal(p.state, PARSE_CACHED_DONE);
		assert_int_equal(p.has_received, 1);
		assert_true(p.received == UINT64_MAX);
	}
	parse_cached_init(&p, PARSE_CACHED_STATS, 0);
	assert_int_equal(feed(&p, "1 Statistics follow\nUpdatesReceived: x\n",
	                     8),
	    39);
	assert_int_equal(p.has_received, 0);
}

static void
test_cached_each(void **state)
{
	const char *answers =
	    "0 errors, enqueued 1 value(s).\n-1 No such file: /a\n0 errors, enqueued 2 value(s).\n";
	struct parse_cached p;

	(void)state;
	parse_cached_init(&p, PARSE_CACHED_EACH, 3);
	seen[0] = '\0';
	assert_int_equal(feed(&p, answers, 5), (long)strlen(answers));
	assert_int_equal(p.state, PARSE_CACHED_DONE);
	assert_string_equal(seen, "2:No such file: /a;");
	parse_cached_init(&p, PARSE_CACHED_EACH, 0);
	assert_int_equal(p.state, PARSE_CACHED_DONE);
	parse_cached_init(&p, PARSE_CACHED_EACH, 2);
	assert_int_equal(feed(&p, "0 ok\nbusy\n", 64), -1);
	assert_string_equal(p.why, "not an answer to UPDATE: \"busy\"");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cached_batch),
		cmocka_unit_test(test_cached_refused),
		cmocka_unit_test(test_cached_garbage),
		cmocka_unit_test(test_cached_long),
		cmocka_unit_test(test_cached_stats),
		cmocka_unit_test(test_cached_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
