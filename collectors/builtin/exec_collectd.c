/*
 * collectd programs for the exec collector, run as collectd's exec plugin
 * runs them (collectd-exec(5)): started at a slot when not running, with
 * COLLECTD_INTERVAL and COLLECTD_HOSTNAME, their stdout read line by line
 * on the loop as it comes (proc.c's stream mode: lines capped, a bounded
 * rate), stderr logged with the program's name. A program that ends by
 * itself ends the run that started it (a one-shot program); one still
 * running at that run's timeout runs on, and every later run takes the
 * values that came since. A program that fails is started again at a later
 * slot, after a pause that doubles with each failure in a row. PUTVAL
 * values are stored at their own times (N: when the line came), typed by
 * types.db; PUTNOTIF lines go to the journal.
 */
#include <errno.h>
#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "parse_dsname.h"
#include "parse_putval.h"
#include "xmalloc.h"

#define EXEC_CD_TYPESDB "/usr/share/collectd/types.db"
#define EXEC_CD_TYPESDB_MAX (16 * 1024 * 1024)
#define EXEC_CD_MAX_LINE 4096 /* a longer line is dropped */
#define EXEC_CD_MAX_VALUES 10000 /* held between runs; more are dropped */
#define EXEC_CD_LOGGED 3 /* errors, stderr lines... logged a minute */
#define EXEC_CD_REPORT 60 /* seconds between counts of the rest */
#define EXEC_CD_BACKOFF_MAX 3600 /* seconds between starts at most */
#define EXEC_CD_GRACE_MS 2000 /* from SIGTERM to SIGKILL */
#define EXEC_CD_LABELS 1024 /* type labels whose plugins are followed */
#define EXEC_CD_WARNED 32 /* unknown types remembered as logged */

/* Without a types.db, the four base types (as Debian's file has them). */
static const char exec_cd_base[] =
    "absolute value:ABSOLUTE:0:U\ncounter value:COUNTER:U:U\nderive value:DERIVE:0:U\ngauge value:GAUGE:U:U\n";

/* A value waiting for the next run. */
struct exec_cd_val {
	long long time;
	char *plugin; /* "cpu-0" */
	char *type; /* "cpu-idle" */
	char ds[PARSE_TYPESDB_NAME + 1]; /* of a type of several, else "" */
	double value;
	struct itf_ds_spec spec;
};

/* A type label and the plugin first seen with it. */
struct exec_cd_label {
	char *type;
	char *plugin;
	int shared; /* seen with another plugin too: prefixed from then on */
};

struct exec_cd {
	struct parse_typesdb types;
	const char *types_from; /* for messages */
	struct proc *proc; /* the program, while it runs */
	int by_run; /* the run in flight started it and waits for it */
	int ran_on; /* it ran past a run's timeout */
	time_t started, last_value;
	unsigned long long lineno; /* lines of stdout since it started */
	struct event *wait; /* that run's timeout */
	struct exec_cd_val *vals;
	size_t nvals, cap;
	/* Troubles since the last report, beyond the first few logged. */
	size_t dropped, errors, stderr_lines, cut;
	time_t report_at; /* when the counts are logged and reset */
	/* How the program last ended, for the runs until it starts again. */
	enum itf_reason why;
	char msg[160];
	unsigned fails; /* failures in a row */
	time_t next_start;
	struct exec_cd_label *labels;
	size_t nlabels;
	char *warned[EXEC_CD_WARNED];
	size_t nwarned;
	int warned_value;
};

static char *
exec_cd_read(const char *path, size_t *len, char **cause)
{
	FILE *f;
	char *buf;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = xmalloc(EXEC_CD_TYPESDB_MAX + 1);
	n = fread(buf, 1, EXEC_CD_TYPESDB_MAX + 1, f);
	fclose(f);
	if (n > EXEC_CD_TYPESDB_MAX) {
		free(buf);
		xasprintf(cause, "%s: larger than %d bytes", path,
		    EXEC_CD_TYPESDB_MAX);
		return NULL;
	}
	*len = n;
	return buf;
}

/* types_db, or Debian's file, or the four base types. */
static int
exec_cd_types(struct exec_state *st, struct exec_cd *cd)
{
	const char *path = NULL;
	char *buf, *cause = NULL;
	size_t len, i;
	int given;

	given = st->host->conf_string(st->inst, "types_db", &path);
	if (!given && access(EXEC_CD_TYPESDB, R_OK) == 0)
		path = EXEC_CD_TYPESDB;
	if (given && path[0] == '\0')
		path = NULL; /* types_db = "": none */
	if (path == NULL) {
		cd->types_from = "the four base types (no types.db)";
		parse_typesdb(exec_cd_base, sizeof exec_cd_base - 1,
		    &cd->types);
		return 0;
	}
	if ((buf = exec_cd_read(path, &len, &cause)) == NULL) {
		st->host->conf_error(st->inst, "types_db", "%s", cause);
		free(cause);
		return -1;
	}
	parse_typesdb(buf, len, &cd->types);
	free(buf);
	/* As collectd does: a bad line is reported, the others are used. */
	for (i = 0; i < cd->types.nerrors; i++)
		st->host->log(st->inst, ITF_LOG_WARNING, "%s: %s", path,
		    cd->types.errors[i]);
	cd->types_from = given ? "types_db" : EXEC_CD_TYPESDB;
	return 0;
}

int
exec_collectd_configure(struct exec_state *st, char ***env, size_t *n)
{
	char host[256], *var;

	st->cd = xcalloc(1, sizeof *st->cd);
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	xasprintf(&var, "COLLECTD_HOSTNAME=%s", host);
	exec_env_add(env, n, var);
	free(var);
	xasprintf(&var, "COLLECTD_INTERVAL=%.3f",
	    (double)st->host->interval_ms(st->inst) / 1000);
	exec_env_add(env, n, var);
	free(var);
	return exec_cd_types(st, st->cd);
}

/* Logged at most EXEC_CD_LOGGED times a minute; the rest counted. */
static int
exec_cd_quota(size_t *count)
{
	return (*count)++ < EXEC_CD_LOGGED;
}

/* A type not in types.db: logged once (for the first few types). */
static void
exec_cd_unknown_type(struct exec_state *st, const char *type)
{
	struct exec_cd *cd = st->cd;
	size_t i;

	for (i = 0; i < cd->nwarned; i++) {
		if (strcmp(cd->warned[i], type) == 0)
			return;
	}
	if (cd->nwarned < EXEC_CD_WARNED)
		cd->warned[cd->nwarned++] = xstrdup(type);
	st->host->log(st->inst, ITF_LOG_WARNING,
	    "type \"%s\" is not in %s; its values are not stored (logged once)",
	    type, cd->types_from);
}

/*
 * Follow which plugins use a type label: a label printed by two plugins
 * (cpu-0/cpu-idle, cpu-1/cpu-idle) is named with its plugin from then on.
 */
static void
exec_cd_label(struct exec_cd *cd, const char *type, const char *plugin)
{
	struct exec_cd_label *l;
	size_t i;

	for (i = 0; i < cd->nlabels; i++) {
		l = &cd->labels[i];
		if (strcmp(l->type, type) != 0)
			continue;
		if (strcmp(l->plugin, plugin) != 0)
			l->shared = 1;
		return;
	}
	if (cd->nlabels == EXEC_CD_LABELS)
		return;
	cd->labels =
	    xreallocarray(cd->labels, cd->nlabels + 1, sizeof *cd->labels);
	l = &cd->labels[cd->nlabels++];
	l->type = xstrdup(type);
	l->plugin = xstrdup(plugin);
	l->shared = 0;
}

static int
exec_cd_shared(const struct exec_cd *cd, const char *type)
{
	size_t i;

	for (i = 0; i < cd->nlabels; i++) {
		if (strcmp(cd->labels[i].type, type) == 0)
			return cd->labels[i].shared;
	}
	return 0;
}

/*
 * A value as collectd reads it for its kind: a gauge as it is, a derive
 * (signed) or a counter or absolute (unsigned) as its integer part.
 */
static double
exec_cd_value(struct exec_state *st, enum parse_typesdb_kind kind, double v)
{
	if (isnan(v) || kind == PARSE_TYPESDB_GAUGE)
		return v;
	if (kind != PARSE_TYPESDB_DERIVE && v < 0) {
		if (!st->cd->warned_value)
			st->host->log(st->inst, ITF_LOG_WARNING,
			    "a negative value of an unsigned (counter or absolute) data source is stored as unknown (logged once)");
		st->cd->warned_value = 1;
		return NAN;
	}
	return trunc(v);
}

static const enum itf_ds_type exec_cd_kinds[] = { ITF_DS_GAUGE, ITF_DS_DERIVE,
	ITF_DS_COUNTER, ITF_DS_ABSOLUTE };

/* A value list of a line, held for the next run. */
static void
exec_cd_take(struct exec_state *st, const struct parse_putval *v, time_t now)
{
	struct exec_cd *cd = st->cd;
	const struct parse_typesdb_type *t;
	struct exec_cd_val *e;
	char base[PARSE_TYPESDB_TYPE + 1];
	size_t k;

	snprintf(base, sizeof base, "%.*s", (int)strcspn(v->type, "-"),
	    v->type);
	if ((t = parse_typesdb_find(&cd->types, base)) == NULL) {
		exec_cd_unknown_type(st, base);
		return;
	}
	if (v->nvalues != t->nds) {
		if (exec_cd_quota(&cd->errors))
			st->host->log(st->inst, ITF_LOG_WARNING,
			    "output: line %llu: %s: type %s has %zu values, the line %zu; not stored",
			    cd->lineno, v->identifier, base, t->nds,
			    v->nvalues);
		return;
	}
	cd->last_value = now;
	exec_cd_label(cd, v->type, v->plugin);
	for (k = 0; k < t->nds; k++) {
		if (cd->nvals == EXEC_CD_MAX_VALUES) {
			cd->dropped++;
			continue;
		}
		if (cd->nvals == cd->cap) {
			cd->cap = cd->cap == 0 ? 64 : cd->cap * 2;
			cd->vals =
			    xreallocarray(cd->vals, cd->cap, sizeof *cd->vals);
		}
		e = &cd->vals[cd->nvals++];
		e->time = v->time != 0 ? v->time : (long long)now;
		e->plugin = xstrdup(v->plugin);
		e->type = xstrdup(v->type);
		snprintf(e->ds, sizeof e->ds, "%s",
		    t->nds > 1 ? t->ds[k].name : "");
		e->value = exec_cd_value(st, t->ds[k].kind, v->values[k]);
		e->spec.type = exec_cd_kinds[t->ds[k].kind];
		e->spec.min = t->ds[k].min;
		e->spec.max = t->ds[k].max;
	}
}

/* A PUTNOTIF line: an event of the instance. */
static void
exec_cd_notif(struct exec_state *st, const struct parse_putnotif *n)
{
	char src[512];

	snprintf(src, sizeof src, "%s%s%s%s%s%s%s",
	    n->plugin != NULL ? n->plugin : "",
	    n->plugin_instance != NULL ? "-" : "",
	    n->plugin_instance != NULL ? n->plugin_instance : "",
	    n->type != NULL ? "/" : "", n->type != NULL ? n->type : "",
	    n->type_instance != NULL ? "-" : "",
	    n->type_instance != NULL ? n->type_instance : "");
	st->host->event(st->inst, n->severity, n->time,
	    src[0] != '\0' ? src : NULL, n->message);
}

static void
exec_cd_line_cb(struct proc *p, int fd, const char *line, size_t len, int cut,
    void *arg)
{
	struct exec_state *st = arg;
	struct exec_cd *cd = st->cd;
	struct parse_putvals pv;
	time_t now = time(NULL);
	const char *msg;
	size_t i;

	(void)p;
	if (fd == 2) {
		if (exec_cd_quota(&cd->stderr_lines))
			st->host->log(st->inst, ITF_LOG_WARNING,
			    "%s: stderr: %.*s", st->argv[0], (int)len, line);
		return;
	}
	cd->lineno++;
	if (cut) {
		if (exec_cd_quota(&cd->cut))
			st->host->log(st->inst, ITF_LOG_WARNING,
			    "%s: a line longer than %d bytes; dropped",
			    st->argv[0], EXEC_CD_MAX_LINE);
		return;
	}
	parse_putval(line, len, &pv);
	for (i = 0; i < pv.nerrors; i++) {
		/* The parser saw one line: say which of the output it is. */
		msg = strncmp(pv.errors[i], "line 1: ", 8) == 0
		    ? pv.errors[i] + 8
		    : pv.errors[i];
		if (exec_cd_quota(&cd->errors))
			st->host->log(st->inst, ITF_LOG_WARNING,
			    "output: line %llu: %s", cd->lineno, msg);
	}
	for (i = 0; i < pv.n; i++)
		exec_cd_take(st, &pv.vals[i], now);
	for (i = 0; i < pv.nnotifs; i++)
		exec_cd_notif(st, &pv.notifs[i]);
	parse_putval_free(&pv);
}

/* The data source of a held value, by the documented rule. */
static const char *
exec_cd_name(struct exec_state *st, const struct exec_cd_val *e,
    char ds[PARSE_DSNAME_SIZE])
{
	char label[1024];
	int n;

	if (exec_cd_shared(st->cd, e->type))
		n = snprintf(label, sizeof label, "%s_%s", e->plugin, e->type);
	else
		n = snprintf(label, sizeof label, "%s", e->type);
	if (e->ds[0] != '\0' && n >= 0 && (size_t)n < sizeof label)
		snprintf(label + n, sizeof label - (size_t)n, "_%s", e->ds);
	parse_dsname(label, strlen(label), ds);
	return exec_ds(st, label, ds);
}

/*
 * Hand the held values to the run as rows: all of them, or (while the
 * program runs on) those of seconds that are over, so that one second's
 * lines are never split between two runs. Returns how many were given.
 */
static size_t
exec_cd_deliver(struct exec_state *st, int all)
{
	struct exec_cd *cd = st->cd;
	struct exec_cd_val *e;
	char ds[PARSE_DSNAME_SIZE];
	long long now = (long long)time(NULL);
	const char *name;
	size_t i, kept = 0, given = 0;

	for (i = 0; i < cd->nvals; i++) {
		e = &cd->vals[i];
		if (!all && e->time == now) {
			cd->vals[kept++] = *e;
			continue;
		}
		name = exec_cd_name(st, e, ds);
		if (st->host->emit_row(st->run, NULL, e->time, &name, &e->value,
		        &e->spec, 1) == 0)
			given++;
		free(e->plugin);
		free(e->type);
	}
	cd->nvals = kept;
	return given;
}

/*
 * What could not be logged, in one line each, once a minute: a program
 * that prints garbage without end fills no log.
 */
static void
exec_cd_counts(struct exec_state *st)
{
	struct exec_cd *cd = st->cd;
	time_t now = time(NULL);

	if (cd->report_at == 0)
		cd->report_at = now + EXEC_CD_REPORT;
	if (now < cd->report_at)
		return;
	cd->report_at = now + EXEC_CD_REPORT;
	if (cd->errors > EXEC_CD_LOGGED)
		st->host->log(st->inst, ITF_LOG_WARNING,
		    "output: %zu errors in the last minute", cd->errors);
	if (cd->stderr_lines > EXEC_CD_LOGGED)
		st->host->log(st->inst, ITF_LOG_WARNING,
		    "%s: %zu lines on stderr in the last minute", st->argv[0],
		    cd->stderr_lines);
	if (cd->cut > EXEC_CD_LOGGED)
		st->host->log(st->inst, ITF_LOG_WARNING,
		    "%s: %zu lines too long in the last minute", st->argv[0],
		    cd->cut);
	if (cd->dropped > 0)
		st->host->log(st->inst, ITF_LOG_WARNING,
		    "%s: %zu values over %d held between runs dropped in the last minute",
		    st->argv[0], cd->dropped, EXEC_CD_MAX_VALUES);
	cd->errors = cd->stderr_lines = cd->cut = cd->dropped = 0;
}

/* End the run in flight with the values held. */
static void
exec_cd_end(struct exec_state *st, enum itf_status status,
    enum itf_reason reason, const char *msg, int all)
{
	struct exec_cd *cd = st->cd;
	size_t given;

	if (cd->wait != NULL)
		evtimer_del(cd->wait);
	cd->by_run = 0;
	given = exec_cd_deliver(st, all);
	/* Up with nothing new: nothing to store (its values come later). */
	if (given == 0 && status == ITF_STATUS_UP)
		st->host->emit_row(st->run, NULL, 0, NULL, NULL, NULL, 0);
	exec_cd_counts(st);
	exec_finish(st, status, reason, msg);
}

/* Seconds to wait before starting a program that failed f times in a row:
 * none the first time (the next slot, as collectd), then doubling. */
static time_t
exec_cd_backoff(struct exec_state *st, unsigned f)
{
	uint64_t s = (st->host->interval_ms(st->inst) + 999) / 1000;

	if (f <= 1)
		return 0;
	if (f > 13)
		return EXEC_CD_BACKOFF_MAX;
	s <<= f - 2;
	return (time_t)(s < EXEC_CD_BACKOFF_MAX ? s : EXEC_CD_BACKOFF_MAX);
}

/* How the program ended: the reason and message for the runs. */
static enum itf_reason
exec_cd_why(struct exec_state *st, const struct proc_result *r, char *msg,
    size_t len)
{
	struct exec_cd *cd = st->cd;

	if (r->exec_errno != 0) {
		snprintf(msg, len, "cannot run %s: %s", st->argv[0],
		    strerror(r->exec_errno));
		return ITF_REASON_EXEC_FAILED;
	}
	if (!r->exited) {
		snprintf(msg, len, "%s killed by signal %d", st->argv[0],
		    r->signal);
		return ITF_REASON_KILLED;
	}
	if (r->code != 0) {
		snprintf(msg, len, "%s exited with %d", st->argv[0], r->code);
		return ITF_REASON_CHECK_UNKNOWN;
	}
	if (cd->last_value < cd->started) {
		snprintf(msg, len, "%s printed no value", st->argv[0]);
		return ITF_REASON_PARSE_ERROR;
	}
	msg[0] = '\0';
	return ITF_REASON_OK;
}

static void
exec_cd_done_cb(struct proc *p, const struct proc_result *r, void *arg)
{
	struct exec_state *st = arg;
	struct exec_cd *cd = st->cd;
	time_t now = time(NULL);

	(void)p;
	cd->proc = NULL;
	cd->why = exec_cd_why(st, r, cd->msg, sizeof cd->msg);
	if (cd->why == ITF_REASON_OK) {
		cd->fails = 0;
		cd->next_start = 0;
	} else {
		cd->fails++;
		cd->next_start = now + exec_cd_backoff(st, cd->fails);
		st->host->log(st->inst, ITF_LOG_WARNING,
		    "%s after %lld s (%u time(s) in a row); started again at a slot in %lld s or later",
		    cd->msg, (long long)(now - cd->started), cd->fails,
		    (long long)(cd->next_start - now));
	}
	if (cd->ran_on && cd->why == ITF_REASON_OK)
		st->host->log(st->inst, ITF_LOG_NOTICE,
		    "%s exited; started again at the next slot", st->argv[0]);
	if (cd->by_run && st->run != NULL)
		exec_cd_end(st,
		    cd->why == ITF_REASON_OK ? ITF_STATUS_UP
		                             : ITF_STATUS_UNKNOWN,
		    cd->why, cd->msg[0] != '\0' ? cd->msg : NULL, 1);
}

/* The run that started the program reached its timeout: it runs on. */
static void
exec_cd_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	struct exec_state *st = arg;
	struct exec_cd *cd = st->cd;

	(void)fd;
	(void)what;
	if (!cd->by_run || st->run == NULL)
		return;
	if (proc_pid(cd->proc) == 0) {
		/* Still waiting for room among max_children. */
		proc_cancel(cd->proc);
		cd->proc = NULL;
		exec_cd_end(st, ITF_STATUS_UNKNOWN, ITF_REASON_TIMEOUT,
		    "no room to start it before its timeout (max_children)", 1);
		return;
	}
	proc_runs_on(cd->proc);
	if (!cd->ran_on)
		st->host->log(st->inst, ITF_LOG_INFO,
		    "%s runs on, as collectd's exec plugin lets it; its values are read as they come",
		    st->argv[0]);
	cd->ran_on = 1;
	exec_cd_end(st, ITF_STATUS_UP, ITF_REASON_OK, NULL, 0);
}

/* A run while the program runs on: the values since the last one. */
static void
exec_cd_running(struct exec_state *st)
{
	struct exec_cd *cd = st->cd;
	time_t now = time(NULL), since;
	uint64_t iv = (st->host->interval_ms(st->inst) + 999) / 1000;
	char msg[128];

	since = cd->last_value > cd->started ? cd->last_value : cd->started;
	if ((uint64_t)(now - since) <= 2 * iv) {
		exec_cd_end(st, ITF_STATUS_UP, ITF_REASON_OK, NULL, 0);
		return;
	}
	snprintf(msg, sizeof msg, "%s runs but printed no value for %lld s",
	    st->argv[0], (long long)(now - since));
	exec_cd_end(st, ITF_STATUS_UNKNOWN, ITF_REASON_TIMEOUT, msg, 0);
}

static int
exec_cd_spawn(struct exec_state *st)
{
	struct exec_cd *cd = st->cd;
	struct proc_opts o;
	struct timeval tv;
	char *cause = NULL;
	uint64_t ms = st->host->timeout_ms(st->inst);

	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)st->argv;
	o.env = (const char *const *)st->env;
	o.set_user = st->set_user;
	o.uid = st->uid;
	o.gid = st->gid;
	o.line = exec_cd_line_cb;
	o.max_line = EXEC_CD_MAX_LINE;
	o.max_rate = st->max_output;
	cd->proc =
	    proc_start(st->host->event_base(), &o, exec_cd_done_cb, st, &cause);
	if (cd->proc == NULL) {
		st->host->log(st->inst, ITF_LOG_ERR, "%s", cause);
		free(cause);
		return -1;
	}
	cd->by_run = 1;
	cd->started = time(NULL);
	cd->lineno = 0;
	if (cd->wait == NULL)
		cd->wait =
		    evtimer_new(st->host->event_base(), exec_cd_wait_cb, st);
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	evtimer_add(cd->wait, &tv);
	return 0;
}

int
exec_collectd_start(struct exec_state *st)
{
	struct exec_cd *cd = st->cd;
	time_t now = time(NULL);
	char msg[256];

	if (cd->proc != NULL) {
		exec_cd_running(st);
		return 0;
	}
	if (now < cd->next_start) {
		snprintf(msg, sizeof msg, "%s; started again in %lld s",
		    cd->msg, (long long)(cd->next_start - now));
		exec_cd_end(st, ITF_STATUS_UNKNOWN, cd->why, msg, 1);
		return 0;
	}
	if (exec_cd_spawn(st) != 0) {
		st->run = NULL;
		return -1;
	}
	return 0;
}

void
exec_collectd_cancel(struct exec_state *st)
{
	struct exec_cd *cd = st->cd;

	if (cd->wait != NULL)
		evtimer_del(cd->wait);
	cd->by_run = 0;
}

void
exec_collectd_destroy(struct exec_state *st)
{
	struct exec_cd *cd = st->cd;
	size_t i;

	if (cd == NULL)
		return;
	if (cd->proc != NULL)
		proc_stop(cd->proc, EXEC_CD_GRACE_MS);
	if (cd->wait != NULL)
		event_free(cd->wait);
	for (i = 0; i < cd->nvals; i++) {
		free(cd->vals[i].plugin);
		free(cd->vals[i].type);
	}
	free(cd->vals);
	for (i = 0; i < cd->nlabels; i++) {
		free(cd->labels[i].type);
		free(cd->labels[i].plugin);
	}
	free(cd->labels);
	for (i = 0; i < cd->nwarned; i++)
		free(cd->warned[i]);
	parse_typesdb_free(&cd->types);
	free(cd);
	st->cd = NULL;
}
