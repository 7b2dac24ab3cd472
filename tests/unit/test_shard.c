/*
 * Splitting a configuration over daemons (daemon.shard) and writing
 * through rrdcached (store.rrdcached, store.buffer_max): the keys are
 * checked with file:line errors, n shards together hold every collector
 * exactly once, and file names are what rrdcached expects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cached.h"
#include "confaddr.h"
#include "collect.h"
#include "conf.h"
#include "instance.h"

/* Load text; the errors joined by newlines, or "" when it loads. */
static char *
load(const char *text, struct conf **out)
{
	struct conf_errors errs = { NULL, 0 };
	char *msgs = calloc(1, 1), *tmp;
	size_t i;

	*out = instance_load("s.conf", text, collect_host(), &errs);
	for (i = 0; i < errs.n; i++) {
		if (asprintf(&tmp, "%s%s\n", msgs, errs.msgs[i]) < 0)
			abort();
		free(msgs);
		msgs = tmp;
	}
	conf_errors_clear(&errs);
	return msgs;
}

static void
test_keys(void **unused)
{
	struct conf *conf;
	char *e;

	e = load("daemon = { shard = \"1/3\"; };\n"
	         "store = { rrdcached = \"unix:/run/rrdcached.sock\";\n"
	         "  buffer_max = 500; };\n",
	    &conf);
	assert_string_equal(e, "");
	assert_non_null(conf);
	assert_int_equal(conf->shard_k, 1);
	assert_int_equal(conf->shard_n, 3);
	assert_string_equal(conf->rrdcached, "unix:/run/rrdcached.sock");
	assert_int_equal(conf->buffer_max, 500);
	conf_free(conf);
	free(e);

	e = load("store = { rrdcached = \"10.0.0.5:42217\"; };\n", &conf);
	assert_string_equal(e, "");
	assert_int_equal(conf->shard_n, 0);
	assert_int_equal(conf->buffer_max, 1000000);
	conf_free(conf);
	free(e);
}

static void
test_bad_keys(void **unused)
{
	struct conf *conf;
	char *e;

	e = load("daemon = {\n shard = \"2/2\"; };\n"
	         "store = {\n rrdcached = \"somewhere\";\n"
	         " buffer_max = -1; };\n",
	    &conf);
	assert_null(conf);
	assert_string_equal(e,
	    "s.conf:2: shard \"2/2\" is not \"k/n\" with 0 <= k < n <= 1024\n"
	    "s.conf:4: rrdcached \"somewhere\" is not \"unix:/path\" or "
	    "\"host:port\"\n"
	    "s.conf:5: buffer_max must be 0 to 100000000 values\n");
	free(e);
	for (const char *const *b = (const char *const[]){ "1", "0/0", "-1/2",
	         "1/2x", "a/b", "0/2000", NULL };
	     *b != NULL; b++) {
		char text[128];

		snprintf(text, sizeof text, "daemon = { shard = \"%s\"; };\n",
		    *b);
		e = load(text, &conf);
		assert_null(conf);
		assert_non_null(strstr(e, "is not \"k/n\""));
		free(e);
	}
}

/* n shards: every key in exactly one, and none of them empty. */
static void
test_partition(void **unused)
{
	char key[64];
	unsigned n, k, i, in, count[8];

	for (n = 1; n <= 8; n++) {
		memset(count, 0, sizeof count);
		for (i = 0; i < 1000; i++) {
			snprintf(key, sizeof key, "system%u/series%u", i / 10,
			    i % 10);
			in = 0;
			for (k = 0; k < n; k++) {
				if (collect_in_shard(key, k, n)) {
					in++;
					count[k]++;
				}
			}
			assert_int_equal(in, 1);
		}
		for (k = 0; k < n; k++)
			assert_true(count[k] > 1000 / n / 2);
	}
}

static void
test_cached_names(void **unused)
{
	assert_true(confaddr_rrdcached("unix:/run/rrdcached.sock"));
	assert_true(confaddr_rrdcached("/run/rrdcached.sock"));
	assert_true(confaddr_rrdcached("127.0.0.1:42217"));
	assert_true(confaddr_rrdcached("[::1]:42217"));
	assert_false(confaddr_rrdcached("unix:relative"));
	assert_false(confaddr_rrdcached("host"));
	assert_false(confaddr_rrdcached("host:0"));
	assert_false(confaddr_rrdcached("host:http"));
	/* A unix socket: the path as it is; TCP: below data_dir. */
	assert_string_equal(cached_name("unix:/s", "/var/lib/itf",
	                        "/var/lib/itf/rrd/quality/a/b.rrd"),
	    "/var/lib/itf/rrd/quality/a/b.rrd");
	assert_string_equal(cached_name("h:1", "/var/lib/itf/",
	                        "/var/lib/itf/rrd/quality/a/b.rrd"),
	    "rrd/quality/a/b.rrd");
	assert_null(cached_name("h:1", "/var/lib/itf",
	    "/var/lib/itfx/rrd/quality/a/b.rrd"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_partition),
		cmocka_unit_test(test_cached_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
