/*
 * Reading a configuration for one system (confcut.c, conf_read_system):
 * the other systems' collectors are cut out, their lines kept, what the
 * scan cannot follow is left whole, and a file is read whole when what is
 * left of it has an error.
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

#include "conf.h"
#include "confcut.h"

#define TCP(port)                                                               \
	"{ type = \"tcp\"; series = \"t\"; host = \"127.0.0.1\"; port = " #port \
	"; }"

/* Three systems: a's collectors before its id, b's in a comment too. */
static const char three[] =
    "# collectors = ( { ) in a comment\n"
    "systems = (\n"
    "  { collectors = ( " TCP(
        1) ",\n"
           "      " TCP(
               2) " );\n"
                  "    id = \"a\"; name = \"A ) \\\" (\"; category = \"basic\";\n"
                  "    portfolio = \"service\"; },\n"
                  "  { id = \"keep\"; category = \"basic\"; portfolio = \"service\";\n"
                  "    collectors = ( " TCP(
                      3) " ); },\n"
                         "  { id = \"b\"; category = \"basic\"; portfolio = \"service\";\n"
                         "    /* ( [ { */ collectors : ( " TCP(4) " ) }\n"
                                                                  ");\n";

static const char three_cut[] =
    "# collectors = ( { ) in a comment\n"
    "systems = (\n"
    "  { \n"
    "\n"
    "    id = \"a\"; name = \"A ) \\\" (\"; category = \"basic\";\n"
    "    portfolio = \"service\"; },\n"
    "  { id = \"keep\"; category = \"basic\"; portfolio = \"service\";\n"
    "    collectors = ( " TCP(
        3) " ); },\n"
           "  { id = \"b\"; category = \"basic\"; portfolio = \"service\";\n"
           "    /* ( [ { */  }\n"
           ");\n";

/* confcut_others on a copy of text: its result, the copy in *out. */
static int
cut(const char *text, const char *keep, char **out)
{
	size_t len = strlen(text);
	int rc;

	*out = strdup(text);
	rc = confcut_others(*out, &len, keep);
	assert_int_equal(strlen(*out), len);
	return rc;
}

static void
test_cut(void **unused)
{
	struct conf_errors errs = { NULL, 0 };
	struct conf *conf;
	char *out;

	(void)unused;
	assert_int_equal(cut(three, "keep", &out), 2);
	assert_string_equal(out, three_cut);
	conf = conf_read("t.conf", out, 0, &errs);
	assert_non_null(conf);
	assert_int_equal(conf->nsystems, 3);
	assert_string_equal(conf->systems[0]->name, "A ) \" (");
	assert_int_equal(conf->systems[0]->ninsts, 0);
	assert_int_equal(conf->systems[1]->ninsts, 1);
	assert_string_equal(conf->systems[1]->insts[0]->series, "t");
	assert_int_equal(conf->systems[2]->ninsts, 0);
	conf_free(conf);
	free(out);
	/* A system nobody keeps: every list cut. */
	assert_int_equal(cut(three, "nobody", &out), 3);
	free(out);
}

/* What the scan cannot follow is left as it is. */
static void
test_refused(void **unused)
{
	static const char *const bad[] = {
		"@include \"other.conf\"\nsystems = ( { id = \"a\"; collectors = ( ); } );\n",
		"systems = ( { id = \"a\"; collectors = ( " TCP(
		    1) " ] ; } );\n",
		"systems = ( { id = \"a\"; collectors = ( " TCP(1) " ); }\n",
		"systems = ( { id = \"a\"; collectors = ( \"open ); } );\n",
		"systems = ( { id = \"a\"; collectors = ( ); } ); /* open\n",
		"systems = ( { id = \"a\"; collectors = ( ); collectors = ( ); } );\n",
		"systems = ( { id = \"a\"; id = \"b\"; collectors = ( ); } );\n",
		"systems = ( );\nsystems = ( { id = \"a\"; collectors = ( ); } );\n",
	};
	size_t i;
	char *out;

	(void)unused;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(cut(bad[i], "keep", &out), -1);
		assert_string_equal(out, bad[i]);
		free(out);
	}
}

/* An id that is not one plain literal keeps its collectors. */
static void
test_unsure_id(void **unused)
{
	static const char text[] =
	    "systems = ( { id = \"ke\" \"ep\"; collectors = ( " TCP(
	        1) " ); },\n"
	           "  { id = \"x\\x79\"; collectors = ( " TCP(
	               2) " ); },\n"
	                  "  { id = 7; collectors = ( " TCP(
	                      3) " ); },\n"
	                         "  { id = \"z\"; collectors = ( " TCP(
	                             4) " ); } );\n";
	char *out;

	(void)unused;
	assert_int_equal(cut(text, "keep", &out), 1);
	assert_non_null(strstr(out, "port = 3;"));
	assert_null(strstr(out, "port = 4;"));
	free(out);
}

/* A file: the kept system's error is reported at its line, from the
 * whole file; another system's collectors are not read. */
static void
test_read_system(void **unused)
{
	static const char text[] =
	    "systems = (\n"
	    "  { id = \"a\"; category = \"basic\"; portfolio = \"service\";\n"
	    "    collectors = ( { type = \"tcp\"; series = \"t\"; nokey = 1;\n"
	    "      host = \"127.0.0.1\"; port = 1; } ); },\n"
	    "  { id = \"b\"; category = \"basic\"; portfolio = \"service\";\n"
	    "    collectors = ( { type = \"tcp\"; series = \"t\";\n"
	    "      host = \"127.0.0.1\"; port = 1; } ); }\n"
	    ");\n";
	struct conf_errors errs = { NULL, 0 };
	char path[] = "/tmp/test_confcut.XXXXXX";
	struct conf *conf;
	int fd = mkstemp(path);

	(void)unused;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof text - 1),
	    (ssize_t)(sizeof text - 1));
	close(fd);
	conf = conf_read_system(path, "b", &errs);
	assert_non_null(conf);
	assert_int_equal(errs.n, 0);
	assert_int_equal(conf->systems[0]->ninsts, 0);
	assert_int_equal(conf->systems[1]->ninsts, 1);
	conf_free(conf);
	assert_null(conf_read_system(path, "a", &errs));
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msgs[0], ":3: "));
	assert_non_null(strstr(errs.msgs[0], "nokey"));
	conf_errors_clear(&errs);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_unsure_id),
		cmocka_unit_test(test_read_system),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
