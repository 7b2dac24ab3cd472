/*
 * Availability arithmetic over a journal built here, in a temporary
 * directory, through the daemon's own journal: known stretches with a
 * gap, a failure too short to be an outage, an outage that starts in a
 * weekly window and overruns it, a planned outage inside a one-off window,
 * and a restart of the journal in the middle of an outage; and 10,000
 * series in its table.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "availability.h"
#include "collect.h"
#include "conf.h"
#include "instance.h"
#include "journal.h"
#include "log.h"
#include "maint.h"
#include "span.h"

/* 2014-04-01T00:00:00Z, a Tuesday: the start of 2014Q2. */
#define T0 1396310400

static char dir[] = "/tmp/itf-avail.XXXXXX";
static int starts, ends, planned_starts;

static void
event_cb(const struct journal_event *ev, void *arg)
{
	if (ev->kind == JOURNAL_OUTAGE_START) {
		starts++;
		planned_starts += ev->planned;
	} else
		ends++;
}

static struct conf *
load(void)
{
	struct conf_errors errs = { NULL, 0 };
	struct conf *c;
	char *text;
	size_t i;

	if (asprintf(&text,
	        "daemon = { data_dir = \"%s\"; };\n"
	        "defaults = { fail_after = 3; };\n"
	        "maintenance = ( { day = \"tue\"; start = \"00:00\"; "
	        "duration = 700; } );\n"
	        "systems = (\n"
	        "  { id = \"portal\"; owner = \"o\"; category = \"basic\";\n"
	        "    portfolio = \"service\";\n"
	        "    maintenance = ( { from = \"@%d\"; to = \"@%d\"; } );\n"
	        "    collectors = ( { type = \"tcp\"; series = \"smtp\";\n"
	        "      host = \"127.0.0.1\"; port = 25; } ); },\n"
	        "  { id = \"idle\"; owner = \"o\"; category = \"basic\";\n"
	        "    portfolio = \"service\"; }\n"
	        ");\n",
	        dir, T0 + 9000, T0 + 10800) < 0)
		abort();
	c = instance_load("t.conf", text, collect_host(), &errs);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	assert_non_null(c);
	conf_errors_clear(&errs);
	free(text);
	return c;
}

static void
run(struct journal *j, struct conf *c, int k, int up)
{
	struct journal_run r;

	memset(&r, 0, sizeof r);
	r.system = "portal";
	r.series = "smtp";
	r.collector = "tcp";
	r.t = T0 + k * 60;
	r.interval = 60;
	r.fail_after = 3;
	r.status = up ? ITF_STATUS_UP : ITF_STATUS_DOWN;
	r.reason = up ? ITF_REASON_OK : ITF_REASON_CONNECT;
	r.message = up ? NULL : "refused";
	journal_run(j, c, &r);
}

static struct journal *
journal_open_here(struct conf *c)
{
	struct journal *j = journal_new(c);
	char *cause = NULL;

	journal_set_event_cb(j, event_cb, NULL);
	assert_int_equal(journal_start(j, &cause), 0);
	assert_null(cause);
	return j;
}

static void
build(struct conf *c)
{
	struct journal *j = journal_open_here(c);
	const char *reason;
	time_t start;
	int k;

	for (k = 0; k < 100; k++) {
		/* 10-14 down: an outage from run 10 (in the weekly window,
		 * which ends at 700 s), ended by run 15. 20-21 down: too
		 * short. The journal restarts after run 12. */
		run(j, c, k, !((k >= 10 && k <= 14) || k == 20 || k == 21));
		if (k == 12) {
			assert_int_equal(journal_open_outage("portal", "smtp",
			                     &start, &reason),
			    1);
			assert_int_equal(start, T0 + 600);
			assert_string_equal(reason, "connect");
			journal_free(j);
			j = journal_open_here(c);
			assert_int_equal(journal_open_outage("portal", "smtp",
			                     &start, &reason),
			    1);
			assert_int_equal(start, T0 + 600);
		}
	}
	assert_int_equal(journal_open_outage("portal", "smtp", &start, &reason),
	    0);
	/* 100-119: the daemon did not run, but for a daily run of a cost
	 * series, up then down: it covers no time and opens no outage. */
	{
		struct journal_run r;

		memset(&r, 0, sizeof r);
		r.system = "portal";
		r.series = "users";
		r.collector = "users";
		r.no_outages = 1;
		r.interval = 86400;
		r.fail_after = 1;
		r.t = T0 + 105 * 60;
		r.status = ITF_STATUS_UP;
		journal_run(j, c, &r);
		r.t += 60;
		r.status = ITF_STATUS_DOWN;
		r.reason = ITF_REASON_PARSE_ERROR;
		journal_run(j, c, &r);
	}
	/* 160-169 down, in the one-off window [9000, 10800). */
	for (k = 120; k < 200; k++)
		run(j, c, k, !(k >= 160 && k <= 169));
	journal_free(j);
}

static void
test_journal_and_availability(void **unused)
{
	struct conf *c = load();
	struct period p;
	struct avail a, g;
	char err[256];

	build(c);
	assert_int_equal(starts, 2);
	assert_int_equal(planned_starts, 2);
	assert_int_equal(ends, 2);

	p.from = T0;
	p.to = T0 + 12000;
	assert_int_equal(availability_system(c, "portal", &p, &a, err,
	                     sizeof err),
	    0);
	assert_int_equal(a.from, T0);
	assert_int_equal(a.to, T0 + 12000);
	/* Known: [0, 6000) and [7200, 12000): 10800 s. */
	assert_int_equal(a.unknown_s, 1200);
	/* Weekly [0, 700) and one-off [9000, 10800). */
	assert_int_equal(a.maintenance_s, 2500);
	/* Down [600, 900) and [9600, 10200): raw up 9900 of 10800. */
	assert_float_equal(a.raw_availability_pct, 100.0 * 9900 / 10800, 1e-9);
	/* Outside maintenance: known 8300, down [700, 900). */
	assert_float_equal(a.availability_pct, 100.0 * 8100 / 8300, 1e-9);
	assert_int_equal(a.outages, 1);
	assert_int_equal(a.longest_outage_s, 200);
	assert_float_equal(a.mttr_s, 200, 1e-9);
	assert_float_equal(a.mtbf_s, 8100, 1e-9);

	/* A group sums its systems: idle has no data at all. */
	assert_int_equal(availability_group(c, "category", "basic", &p, &g, err,
	                     sizeof err),
	    0);
	assert_int_equal(g.unknown_s, 1200 + 12000);
	assert_int_equal(g.maintenance_s, 2500 + 700);
	assert_float_equal(g.availability_pct, a.availability_pct, 1e-9);
	assert_int_equal(g.outages, 1);

	/* Nothing known: undefined, not 0 or 100. */
	assert_int_equal(availability_system(c, "idle", &p, &a, err,
	                     sizeof err),
	    0);
	assert_true(isnan(a.availability_pct));
	assert_true(isnan(a.raw_availability_pct));
	assert_true(isnan(a.mttr_s));
	assert_int_equal(a.outages, 0);

	assert_int_equal(availability_system(c, "nope", &p, &a, err,
	                     sizeof err),
	    -1);
	assert_non_null(strstr(err, "unknown system \"nope\""));
	assert_int_equal(availability_group(c, "owner", "nobody", &p, &a, err,
	                     sizeof err),
	    -1);
	assert_non_null(strstr(err, "no system has owner \"nobody\""));
	conf_free(c);
}

/* Seconds within a stretch, and sums of systems in the same terms. */
static void
test_within_and_sums(void **unused)
{
	struct spans s = { 0 };
	struct period p;
	struct avail a, b, sum;

	span_add(&s, 0, 10);
	span_add(&s, 20, 30);
	span_add(&s, 40, 50);
	span_norm(&s);
	assert_int_equal(availability_within(&s, 5, 25), 10);
	assert_int_equal(availability_within(&s, 10, 20), 0);
	assert_int_equal(availability_within(&s, -100, 100), 30);
	assert_int_equal(availability_within(&s, 45, 46), 1);
	span_free(&s);

	p.from = 0;
	p.to = 100;
	availability_zero(&a, &p);
	a.period_s = 100;
	a.known_s = a.known_nm_s = 80;
	a.up_s = a.up_nm_s = 60;
	a.down_nm_s = 20;
	a.outages = 2;
	availability_zero(&b, &p);
	b.period_s = 100;
	b.known_s = b.known_nm_s = 20;
	b.up_s = b.up_nm_s = 20;
	availability_zero(&sum, &p);
	availability_add(&sum, &a);
	availability_add(&sum, &b);
	availability_finish(&sum);
	/* (60 + 20) / (80 + 20), not the mean of 75 % and 100 %. */
	assert_float_equal(sum.availability_pct, 80.0, 1e-9);
	assert_float_equal(sum.coverage_pct, 50.0, 1e-9);
	assert_int_equal(sum.unknown_s, 100);
	assert_float_equal(sum.mttr_s, 10.0, 1e-9);
	availability_zero(&sum, &p);
	availability_finish(&sum);
	assert_true(isnan(sum.availability_pct));
}

static void
test_spans(void **unused)
{
	struct spans a = { 0 }, b = { 0 }, out = { 0 };

	span_add(&a, 10, 20);
	span_add(&a, 0, 5);
	span_add(&a, 5, 8); /* touches: merged */
	span_add(&a, 30, 30); /* empty: ignored */
	span_norm(&a);
	assert_int_equal(a.n, 2);
	assert_int_equal(span_total(&a), 18);
	span_add(&b, 3, 12);
	span_add(&b, 19, 40);
	span_norm(&b);
	span_intersect(&a, &b, &out);
	assert_int_equal(out.n, 3);
	assert_int_equal(span_total(&out), 5 + 2 + 1);
	span_subtract(&a, &b, &out);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.v[0].start, 0);
	assert_int_equal(out.v[0].end, 3);
	assert_int_equal(out.v[1].start, 12);
	assert_int_equal(out.v[1].end, 19);
	span_free(&a);
	span_free(&b);
	span_free(&out);
}

static void
test_weekly_window(void **unused)
{
	/* Sunday 23:00 for 2 h runs into Monday. */
	struct conf_maint w = { 1, 0, 0, 6, 23 * 3600, 7200, 1 };
	struct spans s = { 0 };
	/* 2014-04-07 is a Monday. */
	time_t mon = T0 + 6 * 86400;

	assert_true(maint_covers(&w, 1, mon - 3600));
	assert_true(maint_covers(&w, 1, mon + 3599));
	assert_false(maint_covers(&w, 1, mon + 3600));
	assert_false(maint_covers(&w, 1, mon - 3601));
	/* Two weeks from Monday 00:00: the end of the window begun the
	 * Sunday before, a whole one, and the start of the last. */
	maint_spans(&w, 1, mon, mon + 14 * 86400, &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(span_total(&s), 3600 + 7200 + 3600);
	span_free(&s);
}

static int
setup(void **unused)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	log_open(1, LOG_ERR);
	return 0;
}

static int
teardown(void **unused)
{
	char *cmd;

	if (asprintf(&cmd, "rm -rf '%s'", dir) < 0)
		return -1;
	if (system(cmd) != 0) {
		free(cmd);
		return -1;
	}
	free(cmd);
	return 0;
}

/* Set the journal's files aside under names ending in .old. */
static void
aside(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char from[512], to[512];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(from, sizeof from, "%s/journal.sqlite%s", dir, sfx[i]);
		snprintf(to, sizeof to, "%s/journal.old%s", dir, sfx[i]);
		if (rename(from, to) != 0)
			assert_int_not_equal(access(from, F_OK), 0);
	}
}

/*
 * The reader keeps its connection between reads, and a journal made
 * again in the file's place (another inode: a corrupt one set aside) is
 * the one read after: all up, where the one set aside had an outage.
 */
static void
test_journal_made_again(void **unused)
{
	struct conf *c = load();
	struct journal *j;
	struct period p;
	struct avail a;
	char err[256];
	int k;

	memset(&p, 0, sizeof p);
	p.from = T0;
	p.to = T0 + 12000;
	assert_int_equal(availability_system(c, "portal", &p, &a, err,
	                     sizeof err),
	    0);
	assert_int_equal(a.outages, 1);
	aside();
	j = journal_open_here(c);
	for (k = 0; k < 200; k++)
		run(j, c, k, 1);
	journal_free(j);
	assert_int_equal(availability_system(c, "portal", &p, &a, err,
	                     sizeof err),
	    0);
	assert_int_equal(a.outages, 0);
	assert_float_equal(a.availability_pct, 100.0, 1e-9);
	assert_int_equal(a.unknown_s, 0);
	conf_free(c);
	(void)unused;
}

/* While the writer cannot write, a series keeps one state and one span
 * waiting, however many runs it has. */
static void
test_queue_bounded(void **unused)
{
	struct conf *c = load();
	struct journal *j = journal_new(c); /* no writer */
	struct journal_stats st;
	int k;

	for (k = 0; k < 5000; k++)
		run(j, c, k, 1);
	journal_get_stats(j, &st);
	/* The first state change and the state (with the open span). */
	assert_int_equal(st.queued, 2);
	run(j, c, 5000, 0); /* down: a failed run and a state change */
	journal_get_stats(j, &st);
	assert_int_equal(st.queued, 4);
	/* After a gap: the ended span, one more state change. */
	run(j, c, 5010, 1);
	journal_get_stats(j, &st);
	assert_int_equal(st.queued, 6);
	journal_free(j);
	conf_free(c);
	(void)unused;
}

/* A run of series s<k> of system idle, n minutes into a Wednesday. */
static void
run_many(struct journal *j, struct conf *c, int k, int n, int up)
{
	struct journal_run r;
	char series[32];

	snprintf(series, sizeof series, "s%d", k);
	memset(&r, 0, sizeof r);
	r.system = "idle";
	r.series = series;
	r.collector = "tcp";
	r.t = T0 + 86400 + n * 60 + k % 60;
	r.interval = 60;
	r.fail_after = 3;
	r.status = up ? ITF_STATUS_UP : ITF_STATUS_DOWN;
	r.reason = up ? ITF_REASON_OK : ITF_REASON_CONNECT;
	r.message = up ? NULL : "refused";
	journal_run(j, c, &r);
}

/*
 * 10,000 series, more than the journal's first 4096 chains: each found
 * again after the table grew (its open outage, or none), and one given up
 * no longer found.
 */
static void
test_many_series(void **unused)
{
	struct conf *c = load();
	struct journal *j = journal_open_here(c);
	const char *reason;
	char series[32];
	time_t start;
	int k, n;

	for (n = 0; n < 3; n++) {
		for (k = 0; k < 10000; k++)
			run_many(j, c, k, n, k % 2 == 0);
	}
	for (k = 0; k < 10000; k += 3) {
		snprintf(series, sizeof series, "s%d", k);
		journal_release(j, "idle", series);
	}
	for (k = 0; k < 10000; k++) {
		snprintf(series, sizeof series, "s%d", k);
		start = 0;
		assert_int_equal(journal_open_outage("idle", series, &start,
		                     &reason),
		    k % 3 != 0 && k % 2 == 1);
		if (k % 3 != 0 && k % 2 == 1)
			assert_int_equal(start, T0 + 86400 + k % 60);
	}
	journal_free(j);
	conf_free(c);
	(void)unused;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_within_and_sums),
		cmocka_unit_test(test_weekly_window),
		cmocka_unit_test(test_journal_and_availability),
		cmocka_unit_test(test_journal_made_again),
		cmocka_unit_test(test_queue_bounded),
		cmocka_unit_test(test_many_series),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
