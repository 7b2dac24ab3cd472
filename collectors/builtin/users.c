/*
 * The users of a system (type "users"): the denominator of its cost per
 * user, stored as a daily series "users" (data source "users") in the cost
 * perspective, so a chart can divide cost by users over any quarter. A
 * system's `users = ...;` makes one; its value comes from
 *   users = 1200;                              a constant: it holds for
 *                                              every day the series keeps
 *                                              (7 years), past quarters
 *                                              included, to today;
 *   users = { licence = "licence-matlab"; };   the system's licence series
 *                                              (in_use, or ds = "...");
 *   users = { series = "internal-benefit/staff"; ds = "value"; };
 *                                              any series of the system,
 *                                              a generic feed's, say.
 * A series is copied by its daily averages, each day once it is over (the
 * source's own times kept), all of them at every run: the days copied
 * replace what was stored (template "users", mode replace), so a source
 * that was corrected is copied again. The host reads the source back
 * (host->read_daily, off the event loop): this collector sees nothing but
 * the public interface. With users_from =
 * "YYYY-MM-DD" the figure holds from that day on; the days before it are
 * written unknown.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ident.h"
#include "itfollow/collector.h"
#include "types.h"
#include "parse_time.h"
#include "xmalloc.h"

#define USERS_DAY 86400L
/* How far back a copy reaches: the 7 years the series keeps. */
#define USERS_KEEP (7L * 366 * USERS_DAY)

struct users {
	const struct itf_host_services *host;
	struct itf_instance *inst;
	int constant;
	double value;
	char *perspective; /* the source's, when copied */
	char *series;
	char *ds;
	long long from; /* users_from, or 0: from the first day kept */
};

static void users_destroy(void *);

/* users = { licence = "..."; } or { series = "P/S"; }, with ds. */
static int
users_configure_copy(struct users *u, const struct itf_host_services *host,
    struct itf_instance *inst)
{
	const char *const *names, *const *values;
	const char *licence = NULL, *series = NULL, *ds = NULL, *slash;
	size_t n, i;
	int errors = 0;

	if (!host->conf_pairs(inst, "users", &names, &values, &n)) {
		host->conf_error(inst, "users",
		    "users must be a number, { licence = \"SERIES\"; } or { series = \"PERSPECTIVE/SERIES\"; ds = \"NAME\"; }");
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], "licence") == 0)
			licence = values[i];
		else if (strcmp(names[i], "series") == 0)
			series = values[i];
		else if (strcmp(names[i], "ds") == 0)
			ds = values[i];
		else {
			host->conf_error(inst, "users",
			    "unknown key \"%s\" in users (licence, series, ds)",
			    names[i]);
			errors++;
		}
	}
	if ((licence == NULL) == (series == NULL)) {
		host->conf_error(inst, "users",
		    "users needs one of licence = \"SERIES\" or series = \"PERSPECTIVE/SERIES\"");
		return errors + 1;
	}
	if (licence != NULL) {
		u->perspective = xstrdup("maturity");
		u->series = xstrdup(licence);
	} else if ((slash = strchr(series, '/')) != NULL) {
		u->perspective = xstrndup(series, (size_t)(slash - series));
		u->series = xstrdup(slash + 1);
	} else {
		host->conf_error(inst, "users",
		    "users series \"%s\" must be PERSPECTIVE/SERIES", series);
		return errors + 1;
	}
	u->ds = xstrdup(ds != NULL ? ds : licence != NULL ? "in_use" : "value");
	if (!ident_valid_perspective(u->perspective)) {
		host->conf_error(inst, "users",
		    "users: unknown perspective \"%s\"", u->perspective);
		errors++;
	}
	if (!ident_valid(u->series)) {
		host->conf_error(inst, "users",
		    "users: bad series \"%s\" (want [a-z0-9][a-z0-9_-]{0,63})",
		    u->series);
		errors++;
	}
	if (!ident_valid_ds(u->ds)) {
		host->conf_error(inst, "users",
		    "users: bad ds \"%s\" (want [a-z0-9_]{1,19})", u->ds);
		errors++;
	}
	if (errors == 0 && strcmp(u->perspective, "cost") == 0 &&
	    strcmp(u->series, host->instance_series(inst)) == 0) {
		host->conf_error(inst, "users",
		    "users cannot be copied from itself");
		errors++;
	}
	return errors;
}

/* users_from = "YYYY-MM-DD": the first day the figure holds. */
static int
users_configure_from(struct users *u, const struct itf_host_services *host,
    struct itf_instance *inst)
{
	const char *s;
	long long ns;

	if (!host->conf_string(inst, "users_from", &s))
		return 0;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    parse_time(s, 10, &ns) != 0) {
		host->conf_error(inst, "users_from",
		    "users_from \"%s\" is not a date (YYYY-MM-DD)", s);
		return 1;
	}
	u->from = ns / 1000000000LL;
	return 0;
}

static int
users_configure(const struct itf_host_services *host, struct itf_instance *inst,
    void **statep)
{
	struct users *u;
	int errors = 0;

	u = xcalloc(1, sizeof *u);
	u->host = host;
	u->inst = inst;
	if (host->conf_float(inst, "users", &u->value)) {
		u->constant = 1;
		if (!isfinite(u->value) || u->value < 0) {
			host->conf_error(inst, "users",
			    "users must be a number of 0 or more");
			errors++;
		}
	} else
		errors = users_configure_copy(u, host, inst);
	errors += users_configure_from(u, host, inst);
	if (errors != 0) {
		users_destroy(u);
		return -1;
	}
	*statep = u;
	return 0;
}

static void
users_emit(struct users *u, struct itf_run *run, double v, long long t)
{
	u->host->emit_series(run, u->host->instance_system(u->inst), "cost",
	    u->host->instance_series(u->inst), "users", "users", v, t);
}

/*
 * The source's daily averages, read back by the host: each day copied
 * (unknown before users_from), and the run ended.
 */
static void
users_copied_cb(struct itf_run *run, void *arg, int status,
    const struct itf_daily *days, size_t n, const char *error)
{
	struct users *u = arg;
	char msg[512];
	size_t i;

	if (status == -1) {
		u->host->log(u->inst, ITF_LOG_ERR, "%s", error);
		u->host->run_done(run, ITF_STATUS_DOWN, ITF_REASON_PARSE_ERROR,
		    error);
		return;
	}
	if (status == 0 && n == 0) {
		snprintf(msg, sizeof msg, "series %s/%s has no whole day yet",
		    u->perspective, u->series);
		error = msg;
	}
	if (status != 0 || n == 0) {
		/* Nothing to copy yet: nothing stored changes. */
		u->host->log(u->inst, ITF_LOG_WARNING, "%s", error);
		u->host->run_done(run, ITF_STATUS_UNKNOWN, ITF_REASON_OK,
		    error);
		return;
	}
	for (i = 0; i < n; i++)
		users_emit(u, run,
		    days[i].end - USERS_DAY >= u->from ? days[i].value : NAN,
		    days[i].end);
	u->host->run_done(run, ITF_STATUS_UP, ITF_REASON_OK, NULL);
}

/*
 * The constant for every day the series keeps, to today's row (it ends
 * tomorrow); unknown before users_from.
 */
static void
users_constant(struct users *u, struct itf_run *run, time_t now)
{
	long long end = (long long)(now - now % USERS_DAY + USERS_DAY);
	long long t;

	for (t = end - USERS_KEEP + USERS_DAY; t <= end; t += USERS_DAY)
		users_emit(u, run, t - USERS_DAY >= u->from ? u->value : NAN,
		    t);
}

static int
users_start(void *arg, struct itf_run *run)
{
	struct users *u = arg;

	if (u->constant) {
		users_constant(u, run, time(NULL));
		u->host->run_done(run, ITF_STATUS_UP, ITF_REASON_OK, NULL);
		return 0;
	}
	if (u->host->abi_version < 5 ||
	    u->host->read_daily(run, u->perspective, u->series, u->ds,
	        USERS_KEEP, users_copied_cb, u) != 0)
		return -1;
	return 0;
}

static void
users_cancel(void *arg, struct itf_run *run)
{
	struct users *u = arg;

	/* A copy in flight: the host drops its read with the run. */
	u->host->run_done(run, ITF_STATUS_UNKNOWN, ITF_REASON_CANCELLED, NULL);
}

static void
users_destroy(void *arg)
{
	struct users *u = arg;

	if (u == NULL)
		return;
	free(u->perspective);
	free(u->series);
	free(u->ds);
	free(u);
}

const struct itf_collector_ops collector_users_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "users",
	.perspective = "cost",
	.template_name = "users",
	.keys = users_type_keys,
	.configure = users_configure,
	.start = users_start,
	.cancel = users_cancel,
	.destroy = users_destroy,
	.default_interval = 86400,
};
