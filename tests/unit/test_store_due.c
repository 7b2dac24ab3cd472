/*
 * Which held file the writer writes when: a city's worth of files made
 * together have their first held period end spread evenly over the
 * delay, every later period lasts exactly the delay, files come out when
 * due and in the order they are due, the oldest held update is the
 * oldest of all, a due file goes before a fresh one, a file taken out or
 * put back stays in order, and after rrdcached comes back the files
 * spread again; a file's point is the same wherever data_dir is. With
 * 100,000 files, for what it costs. The file record
 * keeps to its allocator's size class.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "store_priv.h"
#include "store_rrd.h"

#define TEST_FILES 100000
#define TEST_DELAY 60
#define TEST_T0 1700000000

/* jemalloc's size class of the file record: a field more stays in it. */
_Static_assert(sizeof(struct store_file) <= 192, "store_file over 192 bytes");

static struct store *
test_store_due_make(struct store_file ***files)
{
	struct store *st = store_new("/nonexistent/data");
	char path[128];
	size_t i;

	store_set_delay(st, TEST_DELAY);
	*files = calloc(TEST_FILES, sizeof **files);
	assert_non_null(*files);
	for (i = 0; i < TEST_FILES; i++) {
		snprintf(path, sizeof path,
		    "/nonexistent/data/rrd/quality/system%zu/p%zu.rrd", i / 100,
		    i % 100);
		(*files)[i] = store_file_get(st, path);
	}
	return st;
}

/*
 * Every file's first value at t0: all fresh, made at once in the order
 * they came, before any held file, then opened.
 */
static void
test_store_due_open(struct store *st, struct store_file **files)
{
	struct store_file *f;
	size_t i;

	for (i = 0; i < TEST_FILES; i++)
		store_due_add(st, files[i], TEST_T0);
	assert_int_equal(store_due_oldest(st), TEST_T0);
	assert_int_equal(store_due_wake_at(st, TEST_T0 + 1), TEST_T0);
	for (i = 0; i < TEST_FILES; i++) {
		f = store_due_next(st, TEST_T0, 0);
		assert_ptr_equal(f, files[i]);
		f->last = TEST_T0;
	}
	assert_null(store_due_next(st, TEST_T0, 0));
	assert_true(store_due_empty(st));
}

/* The oldest held update, counted one by one. */
static time_t
test_store_due_oldest(struct store_file **files)
{
	time_t oldest = 0;
	size_t i;

	for (i = 0; i < TEST_FILES; i++) {
		if (files[i]->due != 0 &&
		    (oldest == 0 || files[i]->pending_since < oldest))
			oldest = files[i]->pending_since;
	}
	return oldest;
}

/*
 * The writer second by second from `from` for span seconds: every due
 * file comes out at its due time, in order, and its next held update
 * comes at once. A period shorter than the delay is a file's first, at
 * its own point; each is counted.
 */
static size_t
test_store_due_run(struct store *st, struct store_file **files, time_t from,
    time_t span)
{
	struct store_file *f;
	size_t firsts = 0;
	time_t t;

	for (t = from; t < from + span; t++) {
		while ((f = store_due_next(st, t, 0)) != NULL) {
			assert_int_equal(f->due, 0);
			/* Not a second late, nor early: in order. */
			assert_int_equal(f->due_at, t);
			if (f->due_at - f->pending_since != TEST_DELAY) {
				assert_int_equal(f->due_at - f->pending_since,
				    store_due_phase(st, f));
				firsts++;
			}
			store_due_add(st, f, t);
			assert_int_equal(f->due_at, t + TEST_DELAY);
		}
		assert_true(store_due_wake_at(st, t + 100) > t);
		if (t % 10 == 0)
			assert_int_equal(store_due_oldest(st),
			    test_store_due_oldest(files));
	}
	return firsts;
}

static void
test_store_due_spread(void **unused)
{
	struct store_file **files;
	struct store *st = test_store_due_make(&files);
	size_t i, count[TEST_DELAY] = { 0 };
	clock_t c0 = clock();
	double secs;

	(void)unused;
	test_store_due_open(st, files);
	/* The next value of each, a second later: its first held period. */
	for (i = 0; i < TEST_FILES; i++) {
		store_due_add(st, files[i], TEST_T0 + 1);
		assert_int_equal(files[i]->due, STORE_DUE_HELD);
		assert_true(files[i]->due_at >= TEST_T0 + 1);
		assert_true(files[i]->due_at < TEST_T0 + 1 + TEST_DELAY);
		count[files[i]->due_at - TEST_T0 - 1]++;
	}
	/* Evenly: each second of the delay has its share within 15 %. */
	for (i = 0; i < TEST_DELAY; i++) {
		assert_true(count[i] > TEST_FILES / TEST_DELAY * 85 / 100);
		assert_true(count[i] < TEST_FILES / TEST_DELAY * 115 / 100);
	}
	assert_int_equal(store_due_oldest(st), TEST_T0 + 1);
	/* Each file's first period once, then the delay, for 200 s. */
	assert_int_equal(test_store_due_run(st, files, TEST_T0 + 1, 200),
	    TEST_FILES);
	/* A reader's flush takes files out; written, they wait a delay. */
	for (i = 0; i < TEST_FILES; i += 7) {
		store_due_unlink(st, files[i]);
		assert_int_equal(files[i]->due, 0);
		store_due_add(st, files[i], TEST_T0 + 201);
	}
	assert_int_equal(test_store_due_run(st, files, TEST_T0 + 201, 130), 0);
	secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
	printf("# %d files, 330 s of writes: %.3f s\n", TEST_FILES, secs);
	/* Linear steps would take minutes. */
	assert_true(secs < 20);
	free(files);
	store_free(st);
}

/*
 * A due file goes before a fresh one; one put back comes out first;
 * with rrdcached back, each file's next period is its own point again;
 * with no delay, files are due at once.
 */
static void
test_store_due_order(void **unused)
{
	struct store *st = store_new("/nonexistent/data");
	struct store_file *a = store_file_get(st, "/nonexistent/a.rrd");
	struct store_file *b = store_file_get(st, "/nonexistent/d.rrd");
	struct store_file *c = store_file_get(st, "/nonexistent/c.rrd");
	time_t t = TEST_T0;

	(void)unused;
	store_set_delay(st, TEST_DELAY);
	/* Made, then their first held period: to their own points. */
	store_due_add(st, a, t);
	store_due_add(st, b, t);
	assert_ptr_equal(store_due_next(st, t, 0), a);
	assert_ptr_equal(store_due_next(st, t, 0), b);
	a->last = b->last = t;
	store_due_add(st, a, t);
	store_due_add(st, b, t);
	assert_int_equal(a->due_at, t + store_due_phase(st, a));
	assert_int_equal(b->due_at, t + store_due_phase(st, b));
	assert_true(a->due_at != b->due_at);
	/* c is not opened yet: fresh, made at once. */
	store_due_add(st, c, t + 1);
	assert_int_equal(c->due, STORE_DUE_FRESH);
	assert_ptr_equal(store_due_next(st, t + 1, 0), c);
	c->last = t + 1;
	store_due_add(st, c, t + 2);
	assert_int_equal(c->due_at, t + 2 + store_due_phase(st, c));
	/* All due (stopping): by due time, each once. */
	assert_ptr_equal(store_due_next(st, t, 1),
	    a->due_at <= b->due_at ? a : b);
	/* A write put off: it comes out first again. */
	store_due_requeue(st, a->due == 0 ? a : b);
	assert_ptr_equal(store_due_next(st, t, 1),
	    a->due_at <= b->due_at ? a : b);
	assert_non_null(store_due_next(st, t, 1));
	assert_non_null(store_due_next(st, t, 1));
	assert_null(store_due_next(st, t, 1));
	/* Written: a whole delay; after a reconnection, the own point. */
	store_due_add(st, a, t + 3);
	assert_int_equal(a->due_at, t + 3 + TEST_DELAY);
	store_due_respread(st);
	assert_ptr_equal(store_due_next(st, t + 3, 1), a);
	store_due_add(st, a, t + 4);
	assert_int_equal(a->due_at, t + 4 + store_due_phase(st, a));
	store_due_unlink(st, a);
	assert_true(store_due_empty(st));
	/* No delay: due at once, no phase. */
	store_set_delay(st, 0);
	store_due_add(st, b, t + 5);
	assert_int_equal(b->due, STORE_DUE_HELD);
	assert_ptr_equal(store_due_next(st, t + 5, 0), b);
	store_free(st);
}

/*
 * A file's own point, from its path below data_dir wherever that is: as
 * worked out apart (FNV-1a of the path, times 2654435761 modulo 2^32,
 * times the delay, over 2^32), in python3.
 */
static void
test_store_due_point(void **unused)
{
	struct store *st = store_new("/nonexistent/data");
	struct store *other = store_new("/elsewhere/d/");
	struct store_file *f, *g;

	(void)unused;
	f = store_file_get(st, "/nonexistent/data/rrd/quality/w/self.rrd");
	g = store_file_get(other, "/elsewhere/d/rrd/quality/w/self.rrd");
	store_set_delay(st, 5);
	assert_int_equal(store_due_phase(st, f), 2);
	store_set_delay(st, 60);
	assert_int_equal(store_due_phase(st, f), 31);
	store_set_delay(other, 60);
	assert_int_equal(store_due_phase(other, g), 31);
	f = store_file_get(st, "/nonexistent/data/rrd/quality/system0/p0.rrd");
	assert_int_equal(store_due_phase(st, f), 4);
	store_free(st);
	store_free(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_due_spread),
		cmocka_unit_test(test_store_due_order),
		cmocka_unit_test(test_store_due_point),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
