/*
 * The exec collector: runs a check program by argv and reads its output in
 * the Monitoring Plugins format (default), Munin's or collectd's PUTVAL.
 * Exit codes make the status (Monitoring Plugins: 0 OK and 1 WARNING up,
 * 2 CRITICAL down, 3 UNKNOWN and anything else unknown); the values the
 * output carries become the series' data sources (ITF_COLLECTOR_DYNAMIC),
 * named by parse_dsname() or by the configuration's `datasources` pairs.
 * A Munin plugin is run with `config` at its first run to learn its fields
 * (exec_munin.c); a collectd program may run on (exec_collectd.c). This
 * file holds the settings, one run of a program and the Monitoring
 * Plugins format.
 */
#include <errno.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "itfollow/collector.h"
#include "types.h"
#include "parse_dsname.h"
#include "parse_nagios.h"
#include "xmalloc.h"

#define EXEC_MAX_OUTPUT_DEFAULT (64 * 1024)
#define EXEC_DEFAULT_USER "nobody"
#define EXEC_DEFAULT_PATH "PATH=/usr/local/bin:/usr/bin:/bin"

static void exec_destroy(void *);

static char **
exec_strv(const char *const *v, size_t n, const char *extra)
{
	char **c;
	size_t i;

	c = xcalloc(n + 2, sizeof *c);
	for (i = 0; i < n; i++)
		c[i] = xstrdup(v[i]);
	if (extra != NULL)
		c[n] = xstrdup(extra);
	return c;
}

static void
exec_strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void
exec_env_add(char ***env, size_t *n, const char *var)
{
	size_t i, len = strcspn(var, "=");

	for (i = 0; i < *n; i++) {
		if (strncmp((*env)[i], var, len + 1) == 0)
			return; /* the configuration's own wins */
	}
	*env = xreallocarray(*env, *n + 2, sizeof **env);
	(*env)[(*n)++] = xstrdup(var);
	(*env)[*n] = NULL;
}

static int
exec_conf_user(struct exec_state *st, const struct itf_host_services *host,
    struct itf_instance *inst)
{
	const char *name = EXEC_DEFAULT_USER;
	struct passwd *pw;

	host->conf_string(inst, "user", &name);
	if (geteuid() != 0)
		return 0; /* not root: children run as we do */
	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		host->conf_error(inst, "user", "no user \"%s\"", name);
		return -1;
	}
	if (pw->pw_uid == 0) {
		host->conf_error(inst, "user",
		    "check programs never run as root (user \"%s\")", name);
		return -1;
	}
	st->set_user = 1;
	st->uid = pw->pw_uid;
	st->gid = pw->pw_gid;
	return 0;
}

/* command: an absolute path that can be run, and its arguments. */
static int
exec_conf_command(struct exec_state *st)
{
	const struct itf_host_services *host = st->host;
	const char *const *list;
	size_t n;

	if (!host->conf_strings(st->inst, "command", &list, &n) || n == 0) {
		host->conf_error(st->inst, "command",
		    "exec collector needs a \"command\": [\"/path/to/program\", \"arg\", ...]");
		return -1;
	}
	if (list[0][0] != '/') {
		host->conf_error(st->inst, "command",
		    "the program \"%s\" must be an absolute path (no shell, no PATH search)",
		    list[0]);
		return -1;
	}
	if (access(list[0], X_OK) != 0) {
		host->conf_error(st->inst, "command", "%s: %s", list[0],
		    strerror(errno));
		return -1;
	}
	st->argv = exec_strv(list, n, NULL);
	st->config_argv = exec_strv(list, n, "config");
	return 0;
}

static int
exec_conf_format(struct exec_state *st)
{
	const char *s;

	/* One of exec_type_formats: its key says so. */
	if (!st->host->conf_string(st->inst, "format", &s))
		return 0;
	if (strcmp(s, "munin") == 0)
		st->format = EXEC_MUNIN;
	else if (strcmp(s, "collectd") == 0)
		st->format = EXEC_COLLECTD;
	return 0;
}

/*
 * An explicit environment: what the configuration says, PATH, and what
 * the format offers (Munin's and collectd's variables) where the
 * configuration does not set them.
 */
static int
exec_conf_env(struct exec_state *st)
{
	const char *const *names, *const *values;
	char **env = NULL;
	size_t n = 0, k, i;

	if (st->host->conf_pairs(st->inst, "env", &names, &values, &k)) {
		env = xcalloc(k + 1, sizeof *env);
		for (i = 0; i < k; i++)
			xasprintf(&env[n++], "%s=%s", names[i], values[i]);
	}
	exec_env_add(&env, &n, EXEC_DEFAULT_PATH);
	if (st->format == EXEC_MUNIN)
		exec_munin_env(st, &env, &n);
	st->env = env;
	if (st->format == EXEC_COLLECTD)
		return exec_collectd_configure(st, &st->env, &n);
	return 0;
}

static int
exec_conf_datasources(struct exec_state *st)
{
	const struct itf_host_services *host = st->host;
	const char *const *names, *const *values;
	char ds[PARSE_DSNAME_SIZE];
	size_t n, i;
	int errors = 0;

	if (!host->conf_pair_list(st->inst, "datasources", &names, &values, &n))
		return 0;
	st->rename_from = xcalloc(n + 1, sizeof *st->rename_from);
	st->rename_to = xcalloc(n + 1, sizeof *st->rename_to);
	for (i = 0; i < n; i++) {
		parse_dsname(values[i], strlen(values[i]), ds);
		if (strcmp(ds, values[i]) != 0) {
			host->conf_error(st->inst, "datasources",
			    "bad data source name \"%s\" (want [a-z0-9_]{1,19})",
			    values[i]);
			errors++;
			continue;
		}
		st->rename_from[st->nrename] = xstrdup(names[i]);
		st->rename_to[st->nrename++] = xstrdup(values[i]);
	}
	return errors != 0 ? -1 : 0;
}

static int
exec_configure(const struct itf_host_services *host, struct itf_instance *inst,
    void **statep)
{
	struct exec_state *st;
	long long ll;
	int b, errors = 0;

	st = xcalloc(1, sizeof *st);
	st->host = host;
	st->inst = inst;
	st->warning_is_up = 1;
	st->max_output = EXEC_MAX_OUTPUT_DEFAULT;
	errors += exec_conf_command(st) != 0;
	errors += exec_conf_format(st) != 0;
	errors += exec_conf_env(st) != 0;
	if (host->conf_bool(inst, "warning_is_up", &b))
		st->warning_is_up = b;
	if (host->conf_int(inst, "max_output", &ll)) {
		if (ll < 256 || ll > 16 * 1024 * 1024) {
			host->conf_error(inst, "max_output",
			    "max_output must be 256 to 16777216 bytes");
			errors++;
		} else
			st->max_output = (size_t)ll;
	}
	errors += exec_conf_datasources(st) != 0;
	if (exec_conf_user(st, host, inst) != 0)
		errors++;
	if (errors != 0) {
		exec_destroy(st);
		return -1;
	}
	*statep = st;
	return 0;
}

/* The data source of a label: the configured name, else parse_dsname's. */
const char *
exec_ds(struct exec_state *st, const char *label, const char *derived)
{
	size_t i;

	for (i = 0; i < st->nrename; i++) {
		if (strcmp(st->rename_from[i], label) == 0)
			return st->rename_to[i];
	}
	return derived;
}

void
exec_errors(struct exec_state *st, char **errors, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 3; i++)
		st->host->log(st->inst, ITF_LOG_WARNING, "output: %s",
		    errors[i]);
	if (n > 3)
		st->host->log(st->inst, ITF_LOG_WARNING,
		    "output: %zu more errors", n - 3);
}

/* The end of a run; status and reason from the exit, as the format says. */
void
exec_finish(struct exec_state *st, enum itf_status status,
    enum itf_reason reason, const char *msg)
{
	struct itf_run *run = st->run;

	st->run = NULL;
	st->proc = NULL;
	st->host->run_done(run, status, reason, msg);
}

/* A run that did not produce a verdict: unknown, with why. */
int
exec_failed(struct exec_state *st, const struct proc_result *r)
{
	char msg[256];

	if (r->exec_errno != 0) {
		snprintf(msg, sizeof msg, "cannot run %s: %s", st->argv[0],
		    strerror(r->exec_errno));
		exec_finish(st, ITF_STATUS_UNKNOWN, ITF_REASON_EXEC_FAILED,
		    msg);
		return 1;
	}
	if (r->timed_out) {
		exec_finish(st, ITF_STATUS_UNKNOWN, ITF_REASON_TIMEOUT,
		    "killed at its timeout");
		return 1;
	}
	if (!r->exited) {
		snprintf(msg, sizeof msg, "killed by signal %d", r->signal);
		exec_finish(st, ITF_STATUS_UNKNOWN, ITF_REASON_KILLED, msg);
		return 1;
	}
	return 0;
}

static void
exec_nagios(struct exec_state *st, const struct proc_result *r)
{
	struct parse_nagios out;
	struct itf_ds_spec spec;
	enum itf_status status;
	enum itf_reason reason;
	size_t i;
	int pct;

	parse_nagios(r->out, r->outlen, &out);
	exec_errors(st, out.errors, out.nerrors);
	for (i = 0; i < out.nperf; i++) {
		/*
		 * A perfdata min or max describes the value (check_disk gives
		 * the file system's size); it is no bound on what may be
		 * stored, or a grown file system is stored as unknown. A
		 * percentage is 0 to 100, a counter does not go back.
		 */
		pct = strcmp(out.perf[i].uom, "%") == 0;
		spec.type = out.perf[i].counter ? ITF_DS_DERIVE : ITF_DS_GAUGE;
		spec.min = out.perf[i].counter || pct ? 0 : NAN;
		spec.max = pct ? 100 : NAN;
		st->host->emit_ds(st->run,
		    exec_ds(st, out.perf[i].label, out.perf[i].ds),
		    out.perf[i].value, &spec);
	}
	switch (r->code) {
	case 0:
		status = ITF_STATUS_UP;
		reason = ITF_REASON_OK;
		break;
	case 1:
		status = st->warning_is_up ? ITF_STATUS_UP : ITF_STATUS_DOWN;
		reason = ITF_REASON_CHECK_WARNING;
		break;
	case 2:
		status = ITF_STATUS_DOWN;
		reason = ITF_REASON_CHECK_CRITICAL;
		break;
	case 126:
	case 127:
		status = ITF_STATUS_UNKNOWN;
		reason = ITF_REASON_EXEC_FAILED;
		break;
	default:
		status = ITF_STATUS_UNKNOWN;
		reason = ITF_REASON_CHECK_UNKNOWN;
		break;
	}
	exec_finish(st, status, reason,
	    out.message[0] != '\0' ? out.message : NULL);
	parse_nagios_free(&out);
}

static int exec_spawn(struct exec_state *, char **argv);

static void
exec_done_cb(struct proc *p, const struct proc_result *r, void *arg)
{
	struct exec_state *st = arg;

	st->proc = NULL;
	if (r->truncated)
		st->host->log(st->inst, ITF_LOG_WARNING,
		    "output over %zu bytes; the rest was dropped",
		    st->max_output);
	if (r->errlen > 0)
		st->host->log(st->inst, ITF_LOG_DEBUG, "stderr: %.200s",
		    r->err);
	if (exec_failed(st, r))
		return;
	if (st->in_config) {
		st->in_config = 0;
		if (r->code != 0) {
			exec_finish(st, ITF_STATUS_UNKNOWN,
			    ITF_REASON_CHECK_UNKNOWN,
			    "plugin config exited non-zero");
			return;
		}
		parse_munin_config(r->out, r->outlen, &st->munin);
		exec_errors(st, st->munin.errors, st->munin.nerrors);
		st->munin_known = 1;
		if (exec_spawn(st, st->argv) != 0)
			exec_finish(st, ITF_STATUS_UNKNOWN, ITF_REASON_INTERNAL,
			    "cannot start the plugin");
		return;
	}
	switch (st->format) {
	case EXEC_NAGIOS:
		exec_nagios(st, r);
		break;
	case EXEC_MUNIN:
		exec_munin(st, r);
		break;
	case EXEC_COLLECTD:
		break; /* exec_collectd.c runs its programs itself */
	}
}

static int
exec_spawn(struct exec_state *st, char **argv)
{
	struct proc_opts o;
	char *cause = NULL;

	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)argv;
	o.env = (const char *const *)st->env;
	o.set_user = st->set_user;
	o.uid = st->uid;
	o.gid = st->gid;
	o.max_output = st->max_output;
	o.timeout_ms = st->host->timeout_ms(st->inst);
	st->proc =
	    proc_start(st->host->event_base(), &o, exec_done_cb, st, &cause);
	if (st->proc == NULL) {
		st->host->log(st->inst, ITF_LOG_ERR, "%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static int
exec_start(void *arg, struct itf_run *run)
{
	struct exec_state *st = arg;

	st->run = run;
	if (st->relearn && st->munin_known) {
		parse_munin_config_free(&st->munin);
		st->munin_known = 0;
	}
	st->relearn = 0;
	if (st->format == EXEC_COLLECTD)
		return exec_collectd_start(st);
	if (st->format == EXEC_MUNIN && !st->munin_state) {
		exec_munin_state_env(st);
		st->munin_state = 1;
	}
	st->in_config = st->format == EXEC_MUNIN && !st->munin_known;
	if (exec_spawn(st, st->in_config ? st->config_argv : st->argv) != 0) {
		st->run = NULL;
		return -1;
	}
	return 0;
}

static void
exec_cancel(void *arg, struct itf_run *run)
{
	struct exec_state *st = arg;

	if (st->run != run)
		return;
	if (st->format == EXEC_COLLECTD)
		exec_collectd_cancel(st);
	if (st->proc != NULL)
		proc_cancel(st->proc);
	exec_finish(st, ITF_STATUS_UNKNOWN, ITF_REASON_CANCELLED, NULL);
}

/* A reload: a Munin plugin's fields are learned again at the next run. */
static void
exec_reloaded(void *arg)
{
	struct exec_state *st = arg;

	st->relearn = 1;
}

static void
exec_destroy(void *arg)
{
	struct exec_state *st = arg;
	size_t i;

	if (st == NULL)
		return;
	exec_strv_free(st->argv);
	exec_strv_free(st->config_argv);
	exec_strv_free(st->env);
	for (i = 0; i < st->nrename; i++) {
		free(st->rename_from[i]);
		free(st->rename_to[i]);
	}
	free(st->rename_from);
	free(st->rename_to);
	if (st->munin_known)
		parse_munin_config_free(&st->munin);
	exec_collectd_destroy(st);
	free(st);
}

const struct itf_collector_ops collector_exec_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "exec",
	.perspective = "quality",
	.template_name = "dynamic",
	.keys = exec_type_keys,
	.configure = exec_configure,
	.start = exec_start,
	.cancel = exec_cancel,
	.destroy = exec_destroy,
	.flags = ITF_COLLECTOR_DYNAMIC,
	.reloaded = exec_reloaded,
};
