/*
 * Licence server feeds: FlexNet (`lmutil lmstat -a`, type "flexlm") and
 * Reprise RLM (`rlmutil rlmstat -a`, type "rlm"), read from a command or a
 * URL. Each feature (product) is a series licence-<name> in the maturity
 * perspective of the system its name maps to (features = ( ("MATLAB",
 * "matlab") );, default: the feed's system), with issued, in_use, queued
 * and reserved taken from the server's own totals. What a server cannot
 * tell (uncounted, an error line, a daemon that is down) is stored as
 * unknown, never 0; when the server is down the run is down and the
 * features the feed knew are stored as unknown.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedsrc.h"
#include "ident.h"
#include "itfollow/collector.h"
#include "types.h"
#include "parse_lmstat.h"
#include "parse_rlmstat.h"
#include "xmalloc.h"

#define LICENCE_MAX_BYTES (16 * 1024 * 1024)

enum licence_kind { LICENCE_FLEXLM, LICENCE_RLM };

/* A feature the feed has seen: written as unknown when the server is down. */
struct licence_known {
	char *system;
	char *series;
};

struct licence {
	const struct itf_host_services *host;
	struct itf_instance *inst;
	enum licence_kind kind;
	struct feedsrc src;
	struct itf_run *run;
	struct fetch *fetch;
	struct licence_known *known;
	size_t nknown;
};

static void licence_destroy(void *);

static int
licence_configure(const struct itf_host_services *host,
    struct itf_instance *inst, void **statep, enum licence_kind kind)
{
	struct licence *l;
	int errors;

	l = xcalloc(1, sizeof *l);
	l->host = host;
	l->inst = inst;
	l->kind = kind;
	errors = feedsrc_configure(&l->src, host, inst, "features", 0);
	if (host->instance_system(inst) == NULL) {
		host->conf_error(inst, NULL,
		    "a licence feed needs a \"system\" (where unmapped features go)");
		errors++;
	}
	if (errors != 0) {
		licence_destroy(l);
		return -1;
	}
	*statep = l;
	return 0;
}

static int
licence_configure_flexlm(const struct itf_host_services *host,
    struct itf_instance *inst, void **statep)
{
	return licence_configure(host, inst, statep, LICENCE_FLEXLM);
}

static int
licence_configure_rlm(const struct itf_host_services *host,
    struct itf_instance *inst, void **statep)
{
	return licence_configure(host, inst, statep, LICENCE_RLM);
}

static void
licence_remember(struct licence *l, const char *system, const char *series)
{
	size_t i;

	for (i = 0; i < l->nknown; i++) {
		if (strcmp(l->known[i].system, system) == 0 &&
		    strcmp(l->known[i].series, series) == 0)
			return;
	}
	l->known = xreallocarray(l->known, l->nknown + 1, sizeof *l->known);
	l->known[l->nknown].system = xstrdup(system);
	l->known[l->nknown++].series = xstrdup(series);
}

/* Store one product's counts (NAN: unknown). */
static void
licence_emit(struct licence *l, const char *name, const char *series,
    double issued, double in_use, double queued, double reserved)
{
	const char *system;

	system = feedsrc_map(&l->src, name, l->host->instance_system(l->inst));
	/* A series the host refuses (a cap reached) is not remembered. */
	if (l->host->emit_series(l->run, system, "maturity", series, "licence",
	        "issued", issued, 0) != 0)
		return;
	l->host->emit_series(l->run, system, "maturity", series, "licence",
	    "in_use", in_use, 0);
	l->host->emit_series(l->run, system, "maturity", series, "licence",
	    "queued", queued, 0);
	l->host->emit_series(l->run, system, "maturity", series, "licence",
	    "reserved", reserved, 0);
	licence_remember(l, system, series);
}

/* The server is down: what the feed knew is unknown now. */
static void
licence_all_unknown(struct licence *l)
{
	size_t i;

	for (i = 0; i < l->nknown; i++)
		l->host->emit_series(l->run, l->known[i].system, "maturity",
		    l->known[i].series, "licence", "issued", NAN, 0);
}

static void
licence_errors(struct licence *l, char **errors, size_t n, size_t skipped)
{
	size_t i;

	for (i = 0; i < n && i < 5; i++)
		l->host->log(l->inst, ITF_LOG_WARNING, "%s", errors[i]);
	if (n > 5)
		l->host->log(l->inst, ITF_LOG_WARNING, "%zu more problems",
		    n - 5);
	if (skipped > 0)
		l->host->log(l->inst, ITF_LOG_INFO, "%zu lines skipped",
		    skipped);
}

static int
licence_vendor_down(const struct parse_lmstat *out, const char *vendor)
{
	size_t i;

	for (i = 0; i < out->nvendors; i++) {
		if (strcmp(out->vendors[i].name, vendor) == 0)
			return !out->vendors[i].up;
	}
	return 0;
}

/*
 * What a worker makes of a server's output (offload): the parse, and each
 * feature's series name. A 16 MiB output may list a few hundred thousand
 * features; nothing of them is looked at twice on the loop.
 */
struct licence_parsed {
	struct parse_lmstat lm;
	struct parse_rlmstat rlm;
	char (*series)[IDENT_MAX + 1]; /* per feature or product */
};

static const struct parse_lmstat *licence_sort_lm;

static int
licence_feature_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return strcmp(licence_sort_lm->features[x].feature,
	    licence_sort_lm->features[y].feature);
}

/*
 * Series names of FlexNet features: a name two vendors share gets its
 * vendor in front. Sorted once (qsort with a comparison on one worker at
 * a time: licence_sort_lm is guarded by the lock).
 */
static void
licence_flexlm_names(struct licence_parsed *p)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	const struct parse_lmstat_feature *f;
	size_t *order, i, n = p->lm.nfeatures;
	char *name, *shared;

	order = xcalloc(n + 1, sizeof *order);
	shared = xcalloc(n + 1, 1);
	for (i = 0; i < n; i++)
		order[i] = i;
	pthread_mutex_lock(&lock);
	licence_sort_lm = &p->lm;
	qsort(order, n, sizeof *order, licence_feature_cmp);
	licence_sort_lm = NULL;
	pthread_mutex_unlock(&lock);
	for (i = 0; i + 1 < n; i++) {
		if (strcmp(p->lm.features[order[i]].feature,
		        p->lm.features[order[i + 1]].feature) == 0)
			shared[order[i]] = shared[order[i + 1]] = 1;
	}
	for (i = 0; i < n; i++) {
		f = &p->lm.features[i];
		if (shared[i])
			xasprintf(&name, "%s-%s", f->vendor, f->feature);
		else
			name = xstrdup(f->feature);
		ident_from_name("licence-", name, p->series[i]);
		free(name);
	}
	free(shared);
	free(order);
}

/* On a worker: parse the output, name the series. */
static void *
licence_parse(const char *buf, size_t len, void *arg)
{
	struct licence_parsed *p = xcalloc(1, sizeof *p);
	size_t i;

	if ((enum licence_kind)(intptr_t)arg == LICENCE_FLEXLM) {
		parse_lmstat(buf, len, &p->lm);
		p->series = xcalloc(p->lm.nfeatures + 1, sizeof *p->series);
		licence_flexlm_names(p);
		return p;
	}
	parse_rlmstat(buf, len, &p->rlm);
	p->series = xcalloc(p->rlm.nproducts + 1, sizeof *p->series);
	for (i = 0; i < p->rlm.nproducts; i++)
		ident_from_name("licence-", p->rlm.products[i].name,
		    p->series[i]);
	return p;
}

static void
licence_parsed_free(void *arg)
{
	struct licence_parsed *p = arg;

	parse_lmstat_free(&p->lm);
	parse_rlmstat_free(&p->rlm);
	free(p->series);
	free(p);
}

static void
licence_flexlm(struct licence *l, const struct licence_parsed *p)
{
	const struct parse_lmstat out = p->lm;
	const struct parse_lmstat_feature *f;
	char msg[300];
	enum itf_status status = ITF_STATUS_UP;
	enum itf_reason reason = ITF_REASON_OK;
	size_t i, down = 0;
	int unknown;

	licence_errors(l, out.errors, out.nerrors, out.skipped);
	msg[0] = '\0';
	if (out.servers_up == 0 && out.servers_down > 0) {
		snprintf(msg, sizeof msg, "%s",
		    out.server_error != NULL ? out.server_error
		                             : "licence server down");
		licence_all_unknown(l);
		l->host->run_done(l->run, ITF_STATUS_DOWN, ITF_REASON_CONNECT,
		    msg);
		return;
	}
	for (i = 0; i < out.nvendors; i++) {
		if (!out.vendors[i].up) {
			down++;
			snprintf(msg, sizeof msg, "vendor daemon %s: %s",
			    out.vendors[i].name,
			    out.vendors[i].error != NULL ? out.vendors[i].error
			                                 : "down");
		}
	}
	for (i = 0; i < out.nfeatures; i++) {
		f = &out.features[i];
		unknown =
		    f->error != NULL || licence_vendor_down(&out, f->vendor);
		licence_emit(l, f->feature, p->series[i],
		    unknown || f->uncounted ? NAN : f->issued,
		    unknown ? NAN : f->in_use, unknown ? NAN : f->queued,
		    unknown ? NAN : f->reserved);
	}
	if (down > 0) {
		status = ITF_STATUS_DOWN;
		reason = ITF_REASON_CONNECT;
	} else if (out.nfeatures == 0 && out.servers_up == 0) {
		status = ITF_STATUS_DOWN;
		reason = ITF_REASON_PARSE_ERROR;
		snprintf(msg, sizeof msg,
		    "no licence server status in the output");
	}
	l->host->run_done(l->run, status, reason, msg[0] ? msg : NULL);
}

static void
licence_rlm(struct licence *l, const struct licence_parsed *parsed)
{
	const struct parse_rlmstat out = parsed->rlm;
	const struct parse_rlmstat_product *p;
	char msg[300];
	size_t i;

	licence_errors(l, out.errors, out.nerrors, out.skipped);
	if (!out.connected) {
		snprintf(msg, sizeof msg, "%s",
		    out.error != NULL ? out.error : "cannot connect");
		licence_all_unknown(l);
		l->host->run_done(l->run, ITF_STATUS_DOWN, ITF_REASON_CONNECT,
		    msg);
		return;
	}
	for (i = 0; i < out.nproducts; i++) {
		p = &out.products[i];
		licence_emit(l, p->name, parsed->series[i], p->count, p->inuse,
		    NAN, p->reserved);
	}
	l->host->run_done(l->run, ITF_STATUS_UP, ITF_REASON_OK, NULL);
}

static void
licence_done_cb(struct fetch *f, const struct fetch_result *r, void *arg)
{
	struct licence *l = arg;

	l->fetch = NULL;
	if (!r->ok) {
		/* Unreachable: nothing is written. */
		l->host->run_done(l->run, ITF_STATUS_DOWN, r->reason, r->msg);
		return;
	}
	if (l->kind == LICENCE_FLEXLM)
		licence_flexlm(l, r->parsed);
	else
		licence_rlm(l, r->parsed);
}

static int
licence_start(void *arg, struct itf_run *run)
{
	struct licence *l = arg;
	struct fetch_opts o;
	char *cause = NULL;

	memset(&o, 0, sizeof o);
	feedsrc_opts(&l->src, &o);
	o.max_bytes = LICENCE_MAX_BYTES;
	o.timeout_ms = l->host->timeout_ms(l->inst);
	o.parse = licence_parse;
	o.parse_free = licence_parsed_free;
	o.parse_arg = (void *)(intptr_t)l->kind;
	l->run = run;
	l->fetch =
	    fetch_start(l->host->event_base(), &o, licence_done_cb, l, &cause);
	if (l->fetch == NULL) {
		l->host->log(l->inst, ITF_LOG_ERR, "%s", cause);
		free(cause);
		l->run = NULL;
		return -1;
	}
	return 0;
}

static void
licence_cancel(void *arg, struct itf_run *run)
{
	struct licence *l = arg;

	if (l->run != run)
		return;
	if (l->fetch != NULL)
		fetch_cancel(l->fetch);
	l->fetch = NULL;
	l->run = NULL;
	l->host->run_done(run, ITF_STATUS_UNKNOWN, ITF_REASON_CANCELLED, NULL);
}

static void
licence_destroy(void *arg)
{
	struct licence *l = arg;
	size_t i;

	if (l == NULL)
		return;
	feedsrc_free(&l->src);
	for (i = 0; i < l->nknown; i++) {
		free(l->known[i].system);
		free(l->known[i].series);
	}
	free(l->known);
	free(l);
}

const struct itf_collector_ops collector_flexlm_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "flexlm",
	.perspective = "maturity",
	.template_name = "licence",
	.keys = licence_type_keys,
	.configure = licence_configure_flexlm,
	.start = licence_start,
	.cancel = licence_cancel,
	.destroy = licence_destroy,
	.default_interval = 300,
};

const struct itf_collector_ops collector_rlm_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "rlm",
	.perspective = "maturity",
	.template_name = "licence",
	.keys = licence_type_keys,
	.configure = licence_configure_rlm,
	.start = licence_start,
	.cancel = licence_cancel,
	.destroy = licence_destroy,
	.default_interval = 300,
};
