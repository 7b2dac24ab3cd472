/*
 * libpq loaded on first use (pqdl.h): the frees are safe before it, a
 * load gives the functions the journal and the configuration check call,
 * and the check of a connection string reads it as libpq does. With
 * PQDL_MISSING (the same file built against pqdl.c made to load a library
 * that is not there), the load fails with a cause naming the library, and
 * so does the check, while the frees stay safe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "confaddr.h"
#include "pqdl.h"

static void
test_pqdl_before(void **state)
{
	(void)state;
	/* What cleanup paths may call with nothing loaded yet. */
	PQfinish(NULL);
	PQclear(NULL);
	PQfreemem(NULL);
	PQconninfoFree(NULL);
}

#ifndef PQDL_MISSING
static void
test_pqdl_load(void **state)
{
	PQconninfoOption *opts;
	char *cause = NULL;

	(void)state;
	assert_int_equal(pqdl_load(&cause), 0);
	assert_null(cause);
	assert_int_equal(pqdl_load(NULL), 0);
	opts = PQconninfoParse("host=db.example dbname=itf", &cause);
	assert_non_null(opts);
	PQconninfoFree(opts);
	assert_int_equal(confaddr_pg_check("postgresql://itf@db/itf", &cause),
	    0);
	assert_int_equal(confaddr_pg_check("host=db nosuch=1", &cause), -1);
	assert_string_equal(cause, "invalid connection option \"nosuch\"");
	free(cause);
	cause = NULL;
	assert_int_equal(confaddr_pg_check("host=db password=x", &cause), -1);
	assert_string_equal(cause,
	    "it holds a password: put it in journal_password_file instead");
	free(cause);
}
#else
static void
test_pqdl_missing(void **state)
{
	const char *want =
	    "cannot load " PQDL_LIBRARY
	    ", PostgreSQL's client library (Debian package libpq5), which a PostgreSQL journal needs: ";
	char *cause = NULL;

	(void)state;
	assert_int_equal(pqdl_load(&cause), -1);
	assert_non_null(cause);
	assert_memory_equal(cause, want, strlen(want));
	assert_non_null(strstr(cause, PQDL_LIBRARY ": cannot open"));
	free(cause);
	cause = NULL;
	assert_int_equal(pqdl_load(NULL), -1);
	assert_int_equal(confaddr_pg_check("host=db dbname=itf", &cause), -1);
	assert_memory_equal(cause, want, strlen(want));
	free(cause);
	test_pqdl_before(state);
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pqdl_before),
#ifndef PQDL_MISSING
		cmocka_unit_test(test_pqdl_load),
#else
		cmocka_unit_test(test_pqdl_missing),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
