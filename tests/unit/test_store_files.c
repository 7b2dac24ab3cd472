/*
 * The writer's table of files: every path made comes back as the same
 * file, across the table's growth from its first chains to more than a
 * city's worth; a path never made is not found; paths that differ in
 * their last character only are told apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store_priv.h"
#include "store_rrd.h"

#define TEST_FILES 20000

static void
test_store_files_grow(void **unused)
{
	struct store *st = store_new("/nonexistent/data");
	struct store_file **made = calloc(TEST_FILES, sizeof *made);
	char path[128];
	size_t i;

	(void)unused;
	assert_non_null(made);
	assert_null(store_file_find(st, "/nonexistent/data/rrd/a.rrd"));
	for (i = 0; i < TEST_FILES; i++) {
		snprintf(path, sizeof path,
		    "/nonexistent/data/rrd/quality/system%zu/p%zu.rrd", i / 100,
		    i % 100);
		made[i] = store_file_get(st, path);
		assert_non_null(made[i]);
		assert_string_equal(made[i]->path, path);
		/* Asked again at once: the same one, not a second. */
		assert_ptr_equal(store_file_get(st, path), made[i]);
	}
	assert_int_equal(st->nfiles, TEST_FILES);
	assert_true(st->nbuckets >= TEST_FILES);
	for (i = 0; i < TEST_FILES; i++) {
		snprintf(path, sizeof path,
		    "/nonexistent/data/rrd/quality/system%zu/p%zu.rrd", i / 100,
		    i % 100);
		assert_ptr_equal(store_file_find(st, path), made[i]);
		assert_ptr_equal(store_file_get(st, path), made[i]);
	}
	assert_int_equal(st->nfiles, TEST_FILES);
	assert_null(store_file_find(st,
	    "/nonexistent/data/rrd/quality/system0/p100.rrd"));
	assert_null(
	    store_file_find(st, "/nonexistent/data/rrd/quality/system0/p0.rr"));
	free(made);
	store_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_files_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
