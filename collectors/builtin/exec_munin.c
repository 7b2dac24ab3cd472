/*
 * Munin plugins for the exec collector. A plugin gets what munin-node
 * gives it (MUNIN_CAP_MULTIGRAPH=1, MUNIN_LIBDIR, a state file), is run
 * with `config` to learn its fields (exec.c), then plainly: each value is
 * stored as a row at its own time (FIELD.value EPOCH:N) or the run's, of
 * the series itself or, for a multigraph section NAME, of the series
 * "<series>-<NAME>" (lower case, '.' made '-'), with the type and bounds
 * its config section declares. An output that yields no value is not up.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "parse_util.h"
#include "xmalloc.h"

#define EXEC_MUNIN_LIBDIR "MUNIN_LIBDIR=/usr/share/munin"
#define EXEC_MUNIN_SUB 57 /* longest sub-series name before a hash */
#define EXEC_MUNIN_LOGGED 3 /* unknown fields logged per run */

void
exec_munin_env(struct exec_state *st, char ***env, size_t *n)
{
	(void)st;
	exec_env_add(env, n, "MUNIN_CAP_MULTIGRAPH=1");
	exec_env_add(env, n, EXEC_MUNIN_LIBDIR);
}

/* The value of NAME in env, or NULL. */
static const char *
exec_munin_getenv(char **env, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; env[i] != NULL; i++) {
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	}
	return NULL;
}

/*
 * Where a plugin keeps its state between runs (diskstats does), as
 * munin-node tells it: MUNIN_PLUGSTATE, the configuration's or the
 * daemon's state directory in data_dir, and MUNIN_STATEFILE in it, named
 * after the instance. Asked at the first run, as that makes the directory.
 */
void
exec_munin_state_env(struct exec_state *st)
{
	char path[PATH_MAX], *var, *slash;
	const char *dir;
	size_t n = 0;

	while (st->env[n] != NULL)
		n++;
	if (st->host->state_path(st->inst, path, sizeof path) != 0 ||
	    (slash = strrchr(path, '/')) == NULL)
		return;
	*slash = '\0';
	dir = exec_munin_getenv(st->env, "MUNIN_PLUGSTATE");
	xasprintf(&var, "MUNIN_STATEFILE=%s/%s.munin", dir != NULL ? dir : path,
	    slash + 1);
	exec_env_add(&st->env, &n, var);
	free(var);
	xasprintf(&var, "MUNIN_PLUGSTATE=%s", path);
	exec_env_add(&st->env, &n, var);
	free(var);
}

/*
 * The sub-series of a multigraph section: its name in lower case with '.'
 * made '-' ("diskstats_latency.sda" -> "diskstats_latency-sda"); a name
 * too long for a series id keeps its first characters and gets '-' and
 * six hex digits of its hash.
 */
static void
exec_munin_sub(const char *graph, char out[EXEC_MUNIN_SUB + 8])
{
	size_t i, n = strlen(graph);
	uint32_t h;

	for (i = 0; i < n && i < EXEC_MUNIN_SUB; i++) {
		out[i] = graph[i] >= 'A' && graph[i] <= 'Z'
		    ? (char)(graph[i] - 'A' + 'a')
		    : graph[i] == '.' ? '-'
		                      : graph[i];
	}
	out[i] = '\0';
	if (n <= EXEC_MUNIN_SUB)
		return;
	h = parse_util_hash(PARSE_UTIL_HASH, graph, n);
	snprintf(out + EXEC_MUNIN_SUB - 7, 8, "-%06x",
	    (unsigned)(((h >> 24) ^ h) & 0xffffff));
}

/* The config field of a value, in its section; NULL if none. */
static const struct parse_munin_field *
exec_munin_field(const struct exec_state *st, const struct parse_munin_value *v)
{
	const struct parse_munin_graph *g = NULL;
	const struct parse_munin_field *fields = st->munin.fields;
	size_t i, n = st->munin.nfields;

	if (v->graph != NULL) {
		if ((g = parse_munin_graph_find(&st->munin, v->graph)) == NULL)
			return NULL;
		fields = g->fields;
		n = g->nfields;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(fields[i].name, v->name) == 0)
			return &fields[i];
	}
	return NULL;
}

static enum itf_ds_type
exec_munin_type(const char *type)
{
	if (strcmp(type, "COUNTER") == 0)
		return ITF_DS_COUNTER;
	if (strcmp(type, "DERIVE") == 0)
		return ITF_DS_DERIVE;
	if (strcmp(type, "ABSOLUTE") == 0)
		return ITF_DS_ABSOLUTE;
	return ITF_DS_GAUGE;
}

/* One value as a row; 1 when it was kept. */
static int
exec_munin_value(struct exec_state *st, const struct parse_munin_value *v,
    size_t *unknown)
{
	const struct parse_munin_field *f;
	struct itf_ds_spec spec;
	char sub[EXEC_MUNIN_SUB + 8];
	const char *name;

	if ((f = exec_munin_field(st, v)) == NULL) {
		if ((*unknown)++ < EXEC_MUNIN_LOGGED)
			st->host->log(st->inst, ITF_LOG_WARNING,
			    "field \"%s\"%s%s is not in the plugin's config; not stored",
			    v->name, v->graph != NULL ? " of multigraph " : "",
			    v->graph != NULL ? v->graph : "");
		return 0;
	}
	spec.type = exec_munin_type(f->type);
	spec.min = f->min;
	spec.max = f->max;
	name = exec_ds(st, v->name, v->ds);
	if (v->graph != NULL)
		exec_munin_sub(v->graph, sub);
	return st->host->emit_row(st->run, v->graph != NULL ? sub : NULL,
	           v->epoch, &name, &v->value, &spec, 1) == 0;
}

void
exec_munin(struct exec_state *st, const struct proc_result *r)
{
	struct parse_munin_values out;
	size_t i, stored = 0, unknown = 0;

	parse_munin_values(r->out, r->outlen, &out);
	exec_errors(st, out.errors, out.nerrors);
	for (i = 0; i < out.nvalues; i++)
		stored +=
		    (size_t)exec_munin_value(st, &out.values[i], &unknown);
	if (unknown > EXEC_MUNIN_LOGGED)
		st->host->log(st->inst, ITF_LOG_WARNING,
		    "%zu fields not in the plugin's config in all", unknown);
	parse_munin_values_free(&out);
	if (r->code != 0) {
		exec_finish(st, ITF_STATUS_UNKNOWN, ITF_REASON_CHECK_UNKNOWN,
		    "plugin exited non-zero");
		return;
	}
	if (stored == 0) {
		exec_finish(st, ITF_STATUS_UNKNOWN, ITF_REASON_PARSE_ERROR,
		    "no value in the plugin's output");
		return;
	}
	exec_finish(st, ITF_STATUS_UP, ITF_REASON_OK, NULL);
}
