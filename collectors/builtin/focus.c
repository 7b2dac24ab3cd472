/*
 * FinOps FOCUS cost feeds (type "focus"). Each run hands the reading to a
 * worker thread (focus_read.h): a file:// URL names a file or a directory
 * read recursively (every *.csv and *.csv.gz, gzip through zlib), an
 * http(s) URL is fetched by the loop and streamed to the worker. The
 * worker parses the FOCUS rows, routes each to a system (the row's key, a
 * key of its Tags JSON or a column, looked up in `map`, else the key
 * itself when it is a configured system's id, else "unallocated", so the
 * totals always reconcile with the files), sums the cost column exactly
 * per system and UTC day (a charge period spread over its days by the
 * seconds it has in each), and takes for each billing period only its
 * newest delivery (focus_sum.h). Back on the loop, every system the feed
 * has ever written and "unallocated" get a value for every day the
 * deliveries cover (0 when they hold no row of it), written a batch per
 * loop turn; the cost template replaces what the files held for those
 * days (mode replace), so corrections make the series true again. Rows of
 * one feed are in one currency: a row in another fails the run, naming
 * its file and row, and nothing stored changes; so does a file that
 * cannot be read or is not FOCUS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "feedsrc.h"
#include "focus_read.h"
#include "itfollow/collector.h"
#include "types.h"
#include "parse_focus.h"
#include "secret.h"
#include "xmalloc.h"

/* Values emitted per loop turn: the loop stays on time. */
#define FOCUS_EMIT_BATCH 20000

struct focus {
	const struct itf_host_services *host;
	struct itf_instance *inst;
	struct feedsrc src;
	char *cost_column;
	char *system_key;
	char *currency; /* configured, or NULL: the rows' */

	/* The run. */
	struct itf_run *run;
	struct fetch *fetch; /* an http(s) body streamed to the job */
	struct focus_job *job;
	struct event *emit_ev; /* writes the result a batch a turn */
	size_t emit_sys; /* the next system of the result's known list */
};

static void focus_destroy(void *);

static int
focus_configure(const struct itf_host_services *host, struct itf_instance *inst,
    void **statep)
{
	struct focus *fo;
	const char *s;
	size_t i;
	int errors;

	fo = xcalloc(1, sizeof *fo);
	fo->host = host;
	fo->inst = inst;
	errors = feedsrc_configure(&fo->src, host, inst, "map", 0);
	errors += feedsrc_configure_auth(&fo->src, host, inst);
	if (fo->src.argv != NULL) {
		host->conf_error(inst, "command",
		    "a focus feed is read by \"url\" (file://, http://, https://)");
		errors++;
	}
	fo->cost_column = xstrdup(
	    host->conf_string(inst, "cost_column", &s) ? s : "EffectiveCost");
	for (i = 0; parse_focus_cost_columns[i] != NULL; i++) {
		if (strcmp(fo->cost_column, parse_focus_cost_columns[i]) == 0)
			break;
	}
	if (parse_focus_cost_columns[i] == NULL) {
		host->conf_error(inst, "cost_column",
		    "unknown cost_column \"%s\" (EffectiveCost, BilledCost, ListCost, ContractedCost)",
		    fo->cost_column);
		errors++;
	}
	fo->system_key = xstrdup(host->conf_string(inst, "system_key", &s)
	        ? s
	        : "tag:itfollow-system");
	if ((strncmp(fo->system_key, "tag:", 4) != 0 &&
	        strncmp(fo->system_key, "column:", 7) != 0) ||
	    strchr(fo->system_key, ':')[1] == '\0') {
		host->conf_error(inst, "system_key",
		    "system_key must be \"tag:KEY\" or \"column:NAME\"");
		errors++;
	}
	if (host->conf_string(inst, "currency", &s)) {
		fo->currency = xstrdup(s);
		if (*s == '\0' || strlen(s) > 16 ||
		    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(s)) {
			host->conf_error(inst, "currency",
			    "currency \"%s\" is not a currency code (ISO 4217, e.g. SEK)",
			    s);
			errors++;
		}
	}
	if (errors != 0) {
		focus_destroy(fo);
		return -1;
	}
	*statep = fo;
	return 0;
}

static void
focus_end(struct focus *fo, enum itf_status status, enum itf_reason reason,
    const char *msg)
{
	struct itf_run *run = fo->run;

	if (fo->fetch != NULL)
		fetch_cancel(fo->fetch);
	fo->fetch = NULL;
	focus_job_release(fo->job);
	fo->job = NULL;
	if (fo->emit_ev != NULL)
		event_free(fo->emit_ev);
	fo->emit_ev = NULL;
	fo->run = NULL;
	fo->host->run_done(run, status, reason, msg);
}

/*
 * A batch of the result: each system's covered days, system after system.
 * Returns 1 when every system is written.
 */
static int
focus_emit_batch(struct focus *fo, const struct focus_result *r)
{
	long long first, last, d;
	const char *id;
	size_t sys, n = 0;

	if (!focus_sum_range(r->sum, &first, &last))
		return 1;
	for (; fo->emit_sys < r->nknown && n < FOCUS_EMIT_BATCH;
	     fo->emit_sys++) {
		id = r->known[fo->emit_sys];
		if (strcmp(id, "unallocated") != 0 &&
		    !fo->host->system_exists(fo->inst, id))
			continue; /* no longer configured */
		sys = focus_sum_system(r->sum, id);
		for (d = first; d <= last; d++) {
			if (!focus_sum_covered(r->sum, d))
				continue;
			fo->host->emit_series(fo->run, id, "cost", "cost",
			    "cost", "cost",
			    (double)focus_sum_value(r->sum, sys, d) /
			        PARSE_FOCUS_MICROS,
			    (d + 1) * FOCUS_SUM_DAY);
			n++;
		}
	}
	return fo->emit_sys >= r->nknown;
}

static void
focus_emit_cb(evutil_socket_t fd, short what, void *arg)
{
	static const struct timeval now = { 0, 0 };
	struct focus *fo = arg;

	if (!focus_emit_batch(fo, focus_job_result(fo->job))) {
		evtimer_add(fo->emit_ev, &now);
		return;
	}
	focus_end(fo, ITF_STATUS_UP, ITF_REASON_OK, NULL);
}

/* Loop: the worker is done. */
static void
focus_job_done_cb(struct focus_job *j, void *arg)
{
	static const struct timeval now = { 0, 0 };
	struct focus *fo = arg;
	struct focus_result *r = focus_job_result(j);
	size_t i;

	for (i = 0; i < r->nlogs; i++)
		fo->host->log(fo->inst, r->logs[i].level, "%s",
		    r->logs[i].text);
	if (!r->ok) {
		/* Nothing already stored changes. */
		fo->host->log(fo->inst, ITF_LOG_ERR, "%s", r->msg);
		focus_end(fo, ITF_STATUS_DOWN, r->reason, r->msg);
		return;
	}
	fo->host->log(fo->inst, ITF_LOG_INFO,
	    "%zu file(s), %zu rows, %zu rejected%s%s, read in %.2f s; the transfer waited for the parser %zu times",
	    r->files, r->rows, r->rejected, r->currency != NULL ? ", in " : "",
	    r->currency != NULL ? r->currency : "", r->seconds, r->pauses);
	fo->emit_sys = 0;
	fo->emit_ev = evtimer_new(fo->host->event_base(), focus_emit_cb, fo);
	evtimer_add(fo->emit_ev, &now);
}

/* Loop: an http(s) body's chunk, to the worker. */
static int
focus_data_cb(const char *buf, size_t len, void *arg)
{
	struct focus *fo = arg;

	return focus_job_feed(fo->job, buf, len);
}

static void
focus_resume_cb(void *arg)
{
	struct focus *fo = arg;

	if (fo->fetch != NULL)
		fetch_resume(fo->fetch);
}

static void
focus_fetch_done_cb(struct fetch *f, const struct fetch_result *r, void *arg)
{
	struct focus *fo = arg;

	fo->fetch = NULL;
	focus_job_end(fo->job, r->reason, r->ok ? NULL : r->msg);
}

/* The local path of a file:// URL, or NULL. */
static const char *
focus_local_path(const char *url)
{
	const char *path;

	if (strncasecmp(url, "file://", 7) != 0)
		return NULL;
	path = url + 7;
	if (strncasecmp(path, "localhost/", 10) == 0)
		path += 9;
	return path;
}

/* What the worker needs, copied from the instance and the host. */
static struct focus_job *
focus_job_of(struct focus *fo, const char *path, char *state, size_t len,
    char **cause)
{
	struct focus_job_conf jc;
	struct focus_job *j;
	const char **ids;
	size_t n;

	memset(&jc, 0, sizeof jc);
	jc.path = path;
	jc.name = fo->src.url;
	jc.cost_column = fo->cost_column;
	jc.system_key = fo->system_key;
	jc.currency = fo->currency;
	jc.map_from = (const char *const *)fo->src.map_from;
	jc.map_to = (const char *const *)fo->src.map_to;
	jc.nmap = fo->src.nmap;
	ids = fo->host->system_ids(fo->inst, &n);
	jc.systems = ids;
	jc.nsystems = n;
	if (fo->host->state_path(fo->inst, state, len) == 0)
		jc.state_path = state;
	j = focus_job_start(fo->host->event_base(), &jc, focus_job_done_cb, fo,
	    cause);
	free(ids);
	return j;
}

/* An http(s) URL: fetched here, the body streamed to the worker. */
static int
focus_fetch(struct focus *fo, char **cause)
{
	struct fetch_opts o;
	char *secret = NULL;

	memset(&o, 0, sizeof o);
	feedsrc_opts(&fo->src, &o);
	o.timeout_ms = fo->host->timeout_ms(fo->inst);
	o.on_data = focus_data_cb;
	o.on_data_arg = fo;
	if (feedsrc_auth(&fo->src, &o, &secret, cause) != 0)
		return -1;
	focus_job_on_resume(fo->job, focus_resume_cb, fo);
	fo->fetch = fetch_start(fo->host->event_base(), &o, focus_fetch_done_cb,
	    fo, cause);
	secret_free(secret);
	return fo->fetch != NULL ? 0 : -1;
}

static int
focus_start(void *arg, struct itf_run *run)
{
	struct focus *fo = arg;
	const char *path = focus_local_path(fo->src.url);
	char *cause = NULL, state[4096];

	fo->run = run;
	fo->job = focus_job_of(fo, path, state, sizeof state, &cause);
	if (fo->job == NULL || (path == NULL && focus_fetch(fo, &cause) != 0)) {
		fo->host->log(fo->inst, ITF_LOG_ERR, "%s", cause);
		focus_end(fo, ITF_STATUS_DOWN,
		    fo->job == NULL ? ITF_REASON_INTERNAL : ITF_REASON_CONNECT,
		    cause);
		free(cause);
	}
	return 0;
}

static void
focus_cancel(void *arg, struct itf_run *run)
{
	struct focus *fo = arg;

	if (fo->run != run)
		return;
	focus_end(fo, ITF_STATUS_UNKNOWN, ITF_REASON_CANCELLED, NULL);
}

static void
focus_destroy(void *arg)
{
	struct focus *fo = arg;

	if (fo == NULL)
		return;
	feedsrc_free(&fo->src);
	free(fo->cost_column);
	free(fo->system_key);
	free(fo->currency);
	free(fo);
}

const struct itf_collector_ops collector_focus_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "focus",
	.perspective = "cost",
	.template_name = "cost",
	.keys = focus_type_keys,
	.configure = focus_configure,
	.start = focus_start,
	.cancel = focus_cancel,
	.destroy = focus_destroy,
	.default_interval = 86400,
};
