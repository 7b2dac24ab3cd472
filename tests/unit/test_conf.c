/*
 * Configuration checking: every kind of error is reported with its file
 * and line, all of them in one pass, and a valid file loads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect.h"
#include "conf.h"
#include "instance.h"

#define SYS_HEAD                                                          \
	"systems = (\n"                                                   \
	"  { id = \"portal\"; name = \"Portal\"; owner = \"norrmalm\";\n" \
	"    category = \"basic\"; portfolio = \"service\";\n"            \
	"    collectors = (\n"

/* Load text; return the errors joined by newlines (or "" when valid). */
static char *
load(const char *text)
{
	struct conf_errors errs = { NULL, 0 };
	struct conf *conf;
	char *out = calloc(1, 1), *tmp;
	size_t i;

	conf = instance_load("t.conf", text, collect_host(), &errs);
	if (conf != NULL) {
		assert_int_equal(errs.n, 0);
		conf_free(conf);
	} else
		assert_true(errs.n > 0);
	for (i = 0; i < errs.n; i++) {
		if (asprintf(&tmp, "%s%s\n", out, errs.msgs[i]) < 0)
			abort();
		free(out);
		out = tmp;
	}
	conf_errors_clear(&errs);
	return out;
}

static void
expect_errors(const char *text, const char *want)
{
	char *got = load(text);

	assert_string_equal(got, want);
	free(got);
}

static void
test_valid(void **unused)
{
	expect_errors("daemon = { data_dir = \"/tmp/x\"; "
	              "status_listen = \"127.0.0.1:9\"; };\n"
	              "defaults = { interval = 30; timeout = 5; };\n" SYS_HEAD
	              "      { type = \"http\"; series = \"start\"; "
	              "url = \"https://portal.example/\"; interval = 60; "
	              "timeout = 10; expect_status = \"2xx\"; },\n"
	              "      { type = \"tcp\"; series = \"smtp\"; "
	              "host = \"mail.example\"; port = 25; }\n"
	              "    ); }\n);\n",
	    "");
}

static void
test_syntax(void **unused)
{
	expect_errors("daemon = {\n  data_dir = \"x\";\n  = 5;\n};\n",
	    "t.conf:3: syntax error\n");
}

static void
test_unknown_keys(void **unused)
{
	expect_errors("daemon = {\n  data_dri = \"x\";\n};\n"
	              "colectors = ();\n" SYS_HEAD
	              "      { type = \"tcp\"; series = \"smtp\";\n"
	              "        host = \"h\"; port = 25; expct = \"220\"; }\n"
	              "    ); }\n);\n",
	    "t.conf:2: unknown key \"data_dri\" in daemon\n"
	    "t.conf:4: unknown key \"colectors\" in the top level\n"
	    "t.conf:10: unknown key \"expct\" in collector\n");
}

static void
test_wrong_types(void **unused)
{
	expect_errors("daemon = { data_dir = 5; };\n"
	              "defaults = {\n  interval = \"60\";\n};\n" SYS_HEAD
	              "      { type = \"tcp\"; series = \"smtp\";\n"
	              "        host = \"h\";\n        port = \"25\"; }\n"
	              "    ); }\n);\n",
	    "t.conf:1: \"data_dir\" must be a string\n"
	    "t.conf:3: \"interval\" must be a number\n"
	    "t.conf:9: tcp collector needs a \"port\"\n"
	    "t.conf:11: \"port\" must be an integer\n");
}

static void
test_bad_ids(void **unused)
{
	expect_errors("systems = (\n"
	              "  { id = \"../etc\"; category = \"basic\";\n"
	              "    portfolio = \"service\"; },\n"
	              "  { id = \"ok\"; category = \"basic\";\n"
	              "    portfolio = \"service\"; collectors = (\n"
	              "      { type = \"tcp\"; series = \"Smtp\"; "
	              "host = \"h\"; port = 1; }\n"
	              "    ); },\n"
	              "  { id = \"-x\"; category = \"basic\"; "
	              "portfolio = \"service\"; }\n"
	              ");\n",
	    "t.conf:2: bad id \"../etc\" (want [a-z0-9][a-z0-9_-]{0,63})\n"
	    "t.conf:6: bad series \"Smtp\" (want [a-z0-9][a-z0-9_-]{0,63})\n"
	    "t.conf:8: bad id \"-x\" (want [a-z0-9][a-z0-9_-]{0,63})\n");
}

static void
test_duplicates(void **unused)
{
	expect_errors(SYS_HEAD "      { type = \"tcp\"; series = \"a\"; "
	                       "host = \"h\"; port = 1; },\n"
	                       "      { type = \"tcp\"; series = \"a\"; "
	                       "host = \"h\"; port = 2; }\n"
	                       "    ); },\n"
	                       "  { id = \"portal\"; category = \"basic\"; "
	                       "portfolio = \"service\"; }\n"
	                       ");\n",
	    "t.conf:6: duplicate series \"a\" in system \"portal\" (first at "
	    "line 5)\n"
	    "t.conf:8: duplicate system id \"portal\" (first at line 2)\n");
}

static void
test_vocabularies(void **unused)
{
	expect_errors("systems = (\n"
	              "  { id = \"a\";\n    category = \"core\";\n"
	              "    portfolio = \"services\";\n"
	              "    collectors = (\n"
	              "      { type = \"ftp\"; series = \"x\"; }\n"
	              "    ); },\n"
	              "  { id = \"b\"; portfolio = \"service\"; }\n"
	              ");\n",
	    "t.conf:3: unknown category \"core\" (want basic | "
	    "differentiating | innovative)\n"
	    "t.conf:4: unknown portfolio \"services\" (want service | "
	    "information | training | cooperation | innovation)\n"
	    "t.conf:6: unknown collector type \"ftp\"\n"
	    "t.conf:8: missing \"category\" (basic | differentiating | "
	    "innovative)\n");
}

static void
test_timeout_interval(void **unused)
{
	expect_errors("defaults = { interval = 10; timeout = 5; };\n" SYS_HEAD
	              "      { type = \"tcp\"; series = \"a\"; host = \"h\"; "
	              "port = 1;\n        timeout = 10; },\n"
	              "      { type = \"tcp\"; series = \"b\"; host = \"h\"; "
	              "port = 1; interval = 4; }\n"
	              "    ); }\n);\n",
	    "t.conf:6: timeout (10s) must be below interval (10s)\n"
	    "t.conf:8: timeout (5s) must be below interval (4s)\n");
}

static void
test_collector_options(void **unused)
{
	expect_errors(SYS_HEAD
	    "      { type = \"http\"; series = \"a\";\n"
	    "        url = \"ftp://x/\"; },\n"
	    "      { type = \"http\"; series = \"b\"; url = \"http://x/\";\n"
	    "        expect_status = \"2xx,abc\";\n"
	    "        body_regex = \"(\";\n"
	    "        auth = \"basic\"; username = \"u\";\n"
	    "        password_file = \"/nonexistent/secret\"; }\n"
	    "    ); }\n);\n",
	    "t.conf:6: url \"ftp://x/\" is not http:// or https://\n"
	    "t.conf:8: bad status list \"2xx,abc\" at \"abc\" (want e.g. "
	    "\"2xx\", \"200-399,401\")\n"
	    "t.conf:9: bad body_regex \"(\": Unmatched ( or \\(\n"
	    "t.conf:11: secret file /nonexistent/secret: No such file or "
	    "directory\n");
}

#define USERS_SYS(id, users)                          \
	"  { id = \"" id "\"; category = \"basic\"; " \
	"portfolio = \"service\";\n    users = " users "; },\n"

/* A system's users: a number, a licence series or a series, checked. */
static void
test_users(void **unused)
{
	expect_errors("systems = (\n" USERS_SYS("a", "1200") USERS_SYS("b",
	                  "{ licence = \"licence-matlab\"; }") USERS_SYS("c",
	                  "{ series = \"internal-benefit/staff\"; "
	                  "ds = \"value\"; }") "  { id = \"d\"; "
	                                       "category = \"basic\"; "
	                                       "portfolio = \"service\";\n"
	                                       "    users = 2.5; }\n);\n",
	    "");
	expect_errors(
	    "systems = (\n" USERS_SYS("a", "-1") USERS_SYS("b",
	        "\"many\"") USERS_SYS("c",
	        "{ licence = \"x\"; series = \"cost/y\"; }") USERS_SYS("d",
	        "{ series = \"nowhere/y\"; }") USERS_SYS("e",
	        "{ series = \"maturity\"; }") USERS_SYS("f",
	        "{ licence = \"Bad Name\"; ds = \"a-b\"; }") USERS_SYS("g",
	        "{ ds = \"in_use\"; }") USERS_SYS("h",
	        "{ licence = \"x\"; colour = 1; }") "  { id = \"i\"; "
	                                            "category = \"basic\"; "
	                                            "portfolio = \"service\";\n"
	                                            "    users = 5; collectors = ( "
	                                            "{ type = \"tcp\"; series = "
	                                            "\"users\"; host = \"h\"; "
	                                            "port = 1; } ); }\n);\n",
	    "t.conf:3: users must be a number of 0 or more\n"
	    "t.conf:5: users must be a number, { licence = \"SERIES\"; } "
	    "or { series = \"PERSPECTIVE/SERIES\"; ds = \"NAME\"; }\n"
	    "t.conf:7: users needs one of licence = \"SERIES\" or series = "
	    "\"PERSPECTIVE/SERIES\"\n"
	    "t.conf:9: users: unknown perspective \"nowhere\"\n"
	    "t.conf:11: users series \"maturity\" must be "
	    "PERSPECTIVE/SERIES\n"
	    "t.conf:13: users: bad series \"Bad Name\" (want "
	    "[a-z0-9][a-z0-9_-]{0,63})\n"
	    "t.conf:13: users: bad ds \"a-b\" (want [a-z0-9_]{1,19})\n"
	    "t.conf:15: users needs one of licence = \"SERIES\" or series = "
	    "\"PERSPECTIVE/SERIES\"\n"
	    "t.conf:17: \"users.colour\" must be a string\n"
	    "t.conf:19: duplicate series \"users\" in system \"i\" (first "
	    "at line 19)\n");
}

static void
test_shipped_files(void **unused)
{
	/* conf/demo.conf is a template: regress/cli.sh checks what the demo
	 * makes of it. */
	static const char *files[] = { "conf/itfollowd.conf" };
	struct conf_errors errs = { NULL, 0 };
	struct conf *conf;
	const char *src = getenv("ITF_SOURCE_DIR");
	char path[4096];
	size_t i, k;

	assert_non_null(src);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", src, files[i]);
		conf = instance_load(path, NULL, collect_host(), &errs);
		for (k = 0; k < errs.n; k++)
			print_error("%s\n", errs.msgs[k]);
		assert_non_null(conf);
		assert_true(conf->nsystems > 0);
		conf_free(conf);
	}
}

static void
test_journal_keys(void **unused)
{
	/* Valid: every form of window, both notifier types. */
	expect_errors("defaults = { fail_after = 2; cert_warn_days = 30; "
	              "notify_interval = 600; };\n"
	              "maintenance = (\n"
	              "  { from = \"2026-01-10\"; to = "
	              "\"2026-01-11T06:00:00Z\"; },\n"
	              "  { day = \"sun\"; start = \"02:00\"; "
	              "duration = \"1h30m\"; },\n"
	              "  { day = \"wed\"; start = \"23:30\"; "
	              "duration = 7200; comment = \"backup\"; }\n"
	              ");\n"
	              "notifiers = (\n"
	              "  { id = \"ops\"; type = \"exec\"; "
	              "command = [\"/bin/true\"]; systems = [\"portal\"]; },\n"
	              "  { id = \"hook\"; type = \"webhook\"; "
	              "url = \"http://127.0.0.1:9/x\"; secret_header = "
	              "\"X-Token\"; secret_file = \"token\"; "
	              "notify_interval = 0; timeout = 5; }\n"
	              ");\n" SYS_HEAD
	              "      { type = \"tcp\"; series = \"smtp\"; "
	              "host = \"h\"; port = 25; fail_after = 5; }\n"
	              "    ); maintenance = ( { from = \"2026-02-01\"; "
	              "to = \"2026-02-02\"; } ); }\n);\n",
	    "");
	expect_errors(
	    "defaults = {\n  fail_after = 0;\n  cert_warn_days = -1;\n};\n"
	    "maintenance = (\n"
	    "  { from = \"2026-01-10\"; to = \"2026-01-09\"; },\n"
	    "  { from = \"2026-13-01\"; to = \"2026-01-09\"; },\n"
	    "  { from = \"2026-01-01\"; },\n"
	    "  { day = \"sunday\"; start = \"2:00\"; duration = \"2x\"; },\n"
	    "  { day = \"mon\"; from = \"2026-01-01\"; },\n"
	    "  { day = \"mon\"; start = \"01:00\"; },\n"
	    "  { day = \"mon\"; start = \"01:00\"; duration = 1; when = 1; }\n"
	    ");\n"
	    "notifiers = (\n"
	    "  { id = \"ops\"; type = \"exec\"; command = [\"notify\"]; },\n"
	    "  { id = \"ops\"; type = \"webhook\"; secret_file = \"x\"; },\n"
	    "  { id = \"web\"; type = \"webhook\"; url = \"ftp://x/\";\n"
	    "    systems = [\"nope\"]; },\n"
	    "  { id = \"sms\"; type = \"sms\"; }\n"
	    ");\n" SYS_HEAD
	    "      { type = \"tcp\"; series = \"smtp\"; host = \"h\"; "
	    "port = 25;\n        fail_after = 2000; }\n"
	    "    ); }\n);\n",
	    "t.conf:2: \"fail_after\" must be 1 to 1000\n"
	    "t.conf:3: \"cert_warn_days\" must be 0 to 3650\n"
	    "t.conf:6: maintenance window ends before it starts\n"
	    "t.conf:7: bad maintenance from \"2026-13-01\" (want YYYY-MM-DD "
	    "or YYYY-MM-DDTHH:MM:SSZ)\n"
	    "t.conf:8: maintenance window needs \"from\" and \"to\"\n"
	    "t.conf:9: bad maintenance day \"sunday\" (want mon | tue | wed | "
	    "thu | fri | sat | sun)\n"
	    "t.conf:9: bad maintenance start \"2:00\" (want \"HH:MM\", UTC)\n"
	    "t.conf:9: bad maintenance duration (want seconds or \"2h\", "
	    "\"90m\", \"1h30m\"; at most 7 days)\n"
	    "t.conf:10: a maintenance window is one-off (from, to) or weekly "
	    "(day, start, duration), not both\n"
	    "t.conf:11: weekly maintenance window needs \"duration\"\n"
	    "t.conf:12: unknown key \"when\" in maintenance window\n"
	    "t.conf:15: notifier command \"notify\" must be an absolute path\n"
	    "t.conf:16: duplicate notifier id \"ops\" (first at line 15)\n"
	    "t.conf:16: webhook notifier \"ops\" needs \"url\"\n"
	    "t.conf:16: \"secret_header\" and \"secret_file\" go together\n"
	    "t.conf:17: webhook url \"ftp://x/\" must be http:// or https://\n"
	    "t.conf:18: notifier \"web\": \"nope\" is not a configured system\n"
	    "t.conf:19: unknown type \"sms\" (want exec | webhook)\n"
	    "t.conf:26: \"fail_after\" must be 1 to 1000\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_bad_ids),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_vocabularies),
		cmocka_unit_test(test_timeout_interval),
		cmocka_unit_test(test_collector_options),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_shipped_files),
		cmocka_unit_test(test_journal_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
