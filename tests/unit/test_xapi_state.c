/*
 * What an xAPI feed remembers (xapi_state.h): the key of a statement, the
 * set of keys and how it forgets (at the floor, and the oldest beyond a
 * cap, raising the floor), and the state file: written and read back,
 * the first format read as floors, damaged lines left out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "xapi_state.h"

static void
test_key(void **state)
{
	char a[XAPI_STATE_KEY_MAX + 2], b[XAPI_STATE_KEY_MAX + 2];
	char long_id[200];

	(void)state;
	xapi_state_key("7ccd3322-e1a5-411a-a67d-6a735c76f119", "", "", "", a,
	    sizeof a);
	assert_string_equal(a, "7ccd3322-e1a5-411a-a67d-6a735c76f119");
	/* Anything else is hashed into one word. */
	xapi_state_key("an id\nwith spaces", "", "", "", a, sizeof a);
	assert_int_equal(a[0], '#');
	assert_int_equal(strlen(a), 17);
	memset(long_id, 'x', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	xapi_state_key(long_id, "", "", "", b, sizeof b);
	assert_int_equal(b[0], '#');
	/* No id: stored time, verb and object make the key. */
	xapi_state_key("", "2026-07-01T00:00:00Z", "v", "o", a, sizeof a);
	xapi_state_key("", "2026-07-01T00:00:00Z", "v", "p", b, sizeof b);
	assert_string_not_equal(a, b);
	xapi_state_key("", "2026-07-01T00:00:00Z", "v", "o", b, sizeof b);
	assert_string_equal(a, b);
}

static void
test_prune(void **state)
{
	struct xapi_ids *ids = xapi_ids_new();
	char key[32];
	long long floor = 100;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "id-%d", i);
		xapi_ids_add(ids, key, 100 + i / 2);
	}
	xapi_ids_add(ids, "id-0", 5000); /* once: its time stays */
	assert_int_equal(xapi_ids_count(ids), 1000);
	assert_true(xapi_ids_has(ids, "id-999"));
	assert_false(xapi_ids_has(ids, "id-1000"));
	/* At the floor: id-0 and id-1 (time 100) go. */
	xapi_ids_prune(ids, &floor, 10000);
	assert_int_equal(floor, 100);
	assert_int_equal(xapi_ids_count(ids), 998);
	assert_false(xapi_ids_has(ids, "id-1"));
	assert_true(xapi_ids_has(ids, "id-2"));
	/* Over the cap: the oldest go, pairs of one time together, and
	 * the floor rises to the newest gone. */
	xapi_ids_prune(ids, &floor, 99);
	assert_int_equal(xapi_ids_count(ids), 98);
	assert_int_equal(floor, 100 + 900 / 2);
	assert_false(xapi_ids_has(ids, "id-901"));
	assert_true(xapi_ids_has(ids, "id-902"));
	assert_true(xapi_ids_has(ids, "id-999"));
	xapi_ids_free(ids);
}

static void
test_file(void **state)
{
	char path[] = "/tmp/itf-xapi-state.XXXXXX";
	struct xapi_state_verb v[2], w[2];
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	v[0] = (struct xapi_state_verb){ "completed", 1000, xapi_ids_new() };
	v[1] = (struct xapi_state_verb){ "attempted", 2000, xapi_ids_new() };
	xapi_ids_add(v[0].ids, "a-1", 1500);
	xapi_ids_add(v[0].ids, "#0123456789abcdef", 1600);
	xapi_ids_add(v[1].ids, "b-1", 2500);
	assert_int_equal(xapi_state_save(path, v, 2), 0);

	/* Read back; a verb no longer configured is left out. */
	w[0] = (struct xapi_state_verb){ "completed", 0, xapi_ids_new() };
	w[1] = (struct xapi_state_verb){ "passed", 7, xapi_ids_new() };
	assert_int_equal(xapi_state_load(path, w, 2), 0);
	assert_int_equal(w[0].floor, 1000);
	assert_int_equal(xapi_ids_count(w[0].ids), 2);
	assert_true(xapi_ids_has(w[0].ids, "#0123456789abcdef"));
	assert_int_equal(w[1].floor, 7);
	assert_int_equal(xapi_ids_count(w[1].ids), 0);

	/* The first format, a damaged line and a line too long. */
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "completed 1450440000000000000 2015-12-18T12:00:00Z\n");
	fprintf(f, "id completed notanumber x\n");
	fprintf(f, "id completed 1450440000000000001 bad/key\n");
	fprintf(f, "id passed 99 %01500d\n", 0);
	fprintf(f, "passed 1450440000000000009 x\n");
	fclose(f);
	xapi_ids_free(w[0].ids);
	w[0].ids = xapi_ids_new();
	assert_int_equal(xapi_state_load(path, w, 2), 0);
	assert_int_equal(w[0].floor, 1450440000000000000LL);
	assert_int_equal(xapi_ids_count(w[0].ids), 0);
	assert_int_equal(w[1].floor, 1450440000000000009LL);
	assert_int_equal(xapi_ids_count(w[1].ids), 0);

	unlink(path);
	assert_int_equal(xapi_state_load(path, w, 2), 0); /* none: as is */
	xapi_ids_free(v[0].ids);
	xapi_ids_free(v[1].ids);
	xapi_ids_free(w[0].ids);
	xapi_ids_free(w[1].ids);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
