/*
 * itfollow check and itfollow last: the configuration as the daemon reads
 * it, and the last values stored for a series, read back with librrd.
 */
#include <math.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cached.h"
#include "collect.h"
#include "conf.h"
#include "log.h"
#include "plugin.h"
#include "series.h"
#include "store_rrd.h"
#include "tool.h"

static void
tool_flush_cb(const char *path, void *arg)
{
	tool_flush(arg, path);
}

struct conf *
tool_load_conf(const char *file)
{
	struct conf_errors errs = { NULL, 0 };
	struct conf *conf;
	size_t i;

	if (file == NULL && access(CONF_DEFAULT_FILE, F_OK) == 0)
		file = CONF_DEFAULT_FILE;
	/* The tool runs no collector: no plugin is loaded, whoever runs it. */
	plugin_defer(1);
	if (file != NULL)
		conf = conf_load(file, NULL, collect_host(), &errs);
	else
		conf = conf_load("(embedded)", conf_embedded, collect_host(),
		    &errs);
	plugin_defer(0);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	conf_errors_clear(&errs);
	/* Graphs, reports and the dashboard read through rrdcached too. */
	if (conf != NULL && conf->rrdcached != NULL)
		series_set_flush(tool_flush_cb, conf);
	return conf;
}

void
tool_flush(const struct conf *conf, const char *path)
{
	char *cause = NULL;

	if (conf->rrdcached == NULL)
		return;
	if (cached_flush_path(conf->rrdcached, conf->data_dir, path, &cause) !=
	    0)
		fprintf(stderr,
		    "itfollow: %s: %s (reading the file as it is; values "
		    "rrdcached holds may be missing)\n",
		    path, cause);
	free(cause);
}

/* Parse "-c FILE" and return the index of the first operand. */
static int
tool_opts(int argc, char **argv, const char **file)
{
	int ch;

	optind = 1;
	*file = NULL;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c')
			return -1;
		*file = optarg;
	}
	return optind;
}

int
tool_check(int argc, char **argv)
{
	struct conf *conf;
	const char *file;

	log_open(1, LOG_WARNING);
	if (tool_opts(argc, argv, &file) != argc) {
		fprintf(stderr, "usage: itfollow check [-c file]\n");
		return 2;
	}
	if ((conf = tool_load_conf(file)) == NULL)
		return 1;
	conf_free(conf);
	return 0;
}

int
tool_last(int argc, char **argv)
{
	struct conf *conf;
	struct itf_instance *inst = NULL;
	const char *file;
	char *path, **names, **data;
	unsigned long nds, i, k;
	time_t last;
	int idx, rc = 1;

	log_open(1, LOG_WARNING);
	idx = tool_opts(argc, argv, &file);
	if (idx < 0 || argc - idx != 2) {
		fprintf(stderr,
		    "usage: itfollow last [-c file] SYSTEM "
		    "SERIES\n");
		return 2;
	}
	if ((conf = tool_load_conf(file)) == NULL)
		return 1;
	for (i = 0; i < conf->nsystems && inst == NULL; i++) {
		if (strcmp(conf->systems[i]->id, argv[idx]) != 0)
			continue;
		for (k = 0; k < conf->systems[i]->ninsts; k++) {
			if (strcmp(conf->systems[i]->insts[k]->series,
			        argv[idx + 1]) == 0)
				inst = conf->systems[i]->insts[k];
		}
	}
	if (inst == NULL) {
		fprintf(stderr, "itfollow: no series %s of system %s in %s\n",
		    argv[idx + 1], argv[idx], conf->file);
		goto out;
	}
	path = store_path(conf->data_dir, inst->perspective, argv[idx],
	    argv[idx + 1]);
	tool_flush(conf, path);
	rrd_clear_error();
	if (rrd_lastupdate_r(path, &last, &nds, &names, &data) != 0) {
		fprintf(stderr, "itfollow: %s: %s\n", path, rrd_get_error());
		free(path);
		goto out;
	}
	printf("time=%lld\n", (long long)last);
	for (i = 0; i < nds; i++) {
		printf("%s=%s\n", names[i], data[i]);
		free(names[i]);
		free(data[i]);
	}
	free(names);
	free(data);
	free(path);
	rc = 0;
out:
	conf_free(conf);
	return rc;
}
