/*
 * The exec collector's own parts, shared by its files: exec.c (settings,
 * running a program once, the Monitoring Plugins format), exec_munin.c
 * (Munin plugins, multigraph ones too) and exec_collectd.c (collectd
 * programs, which may run on, and their types.db).
 */
#ifndef EXEC_H
#define EXEC_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "itfollow/collector.h"
#include "parse_munin.h"
#include "parse_typesdb.h"
#include "proc.h"

enum exec_format { EXEC_NAGIOS, EXEC_MUNIN, EXEC_COLLECTD };

struct event;
struct exec_cd; /* a collectd program's state (exec_collectd.c) */

struct exec_state {
	const struct itf_host_services *host;
	struct itf_instance *inst;
	char **argv;
	char **config_argv; /* munin: argv + "config" */
	char **env;
	enum exec_format format;
	int warning_is_up;
	size_t max_output;
	int set_user;
	uid_t uid;
	gid_t gid;
	char **rename_from; /* datasources: label -> ds name */
	char **rename_to;
	size_t nrename;

	/* Munin: fields learned from `config`. */
	struct parse_munin_config munin;
	int munin_known;

	struct itf_run *run;
	struct proc *proc;
	int in_config; /* munin: the config run is going */
	int relearn; /* munin: ask for config again (a reload) */
	int munin_state; /* munin: its state file is in env */

	struct exec_cd *cd; /* collectd format only */
};

/* Add NAME=value to env (NULL-terminated, *n entries) unless NAME is set. */
void exec_env_add(char ***env, size_t *n, const char *var);
/* The data source of a label: the configured name, else derived. */
const char *exec_ds(struct exec_state *, const char *label,
    const char *derived);
/* A parser's errors, logged: the first three and how many more. */
void exec_errors(struct exec_state *, char **errors, size_t n);
/* End the run in flight. */
void exec_finish(struct exec_state *, enum itf_status, enum itf_reason,
    const char *msg);
/* A run that did not produce a verdict: 1 when it was ended so. */
int exec_failed(struct exec_state *, const struct proc_result *);

/* Munin: the values of a plain run, stored as rows. */
void exec_munin(struct exec_state *, const struct proc_result *);
/* Munin: the environment a plugin gets beyond the configured one, and at
 * its first run where it keeps its state. */
void exec_munin_env(struct exec_state *, char ***env, size_t *n);
void exec_munin_state_env(struct exec_state *);

/*
 * collectd: settings (types_db, the COLLECTD_* environment), 0 or -1 with
 * errors reported; a run's start; a run cancelled; the end.
 */
int exec_collectd_configure(struct exec_state *, char ***env, size_t *n);
int exec_collectd_start(struct exec_state *);
void exec_collectd_cancel(struct exec_state *);
void exec_collectd_destroy(struct exec_state *);

#endif
