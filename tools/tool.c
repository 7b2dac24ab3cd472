/*
 * What the tool's commands share: the configuration as the daemon reads
 * it (the model only: nothing runs), asking the daemon and rrdcached to
 * write what they hold before a file is read, and the perspective of a
 * series.
 */
#include <math.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "askflush.h"
#include "cached.h"
#include "chart.h"
#include "conf.h"
#include "log.h"
#include "series.h"
#include "store_rrd.h"
#include "tool.h"
#include "tz.h"

static void
tool_flush_cb(const char *path, void *arg)
{
	tool_flush(arg, path);
}

struct conf *
tool_load_conf(const char *file)
{
	return tool_load_conf_system(file, NULL);
}

struct conf *
tool_load_conf_system(const char *file, const char *system)
{
	struct conf_errors errs = { NULL, 0 };
	struct conf *conf;
	size_t i;

	if (file == NULL && access(CONF_DEFAULT_FILE, F_OK) == 0)
		file = CONF_DEFAULT_FILE;
	/* The model alone: the tool runs no collector code (no plugin is
	 * loaded, no configure called, no secret read), whoever runs it. */
	if (file != NULL && system != NULL)
		conf = conf_read_system(file, system, &errs);
	else if (file != NULL)
		conf = conf_read(file, NULL, 0, &errs);
	else
		conf = conf_read("(embedded)", conf_embedded, 0, &errs);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	conf_errors_clear(&errs);
	/* Graphs, reports and the dashboard see what the daemon holds back
	 * (write_delay) and what rrdcached holds. */
	if (conf != NULL)
		series_set_flush(tool_flush_cb, conf);
	/* librrd draws graph axes in the C library's local time. Not while
	 * fontconfig reads the environment on a thread of its own. */
	chart_check_fonts_wait();
	if (conf != NULL)
		tz_setenv(conf->tz);
	return conf;
}

void
tool_flush(const struct conf *conf, const char *path)
{
	char *cause = NULL;

	askflush_file(conf, path);
	/* A file rrdcached cannot know yet: nothing to flush there. */
	if (conf->rrdcached == NULL || access(path, F_OK) != 0)
		return;
	if (cached_flush_path(conf->rrdcached, conf->data_dir, path, &cause) !=
	    0)
		fprintf(stderr,
		    "itfollow: %s: %s (reading the file as it is; values rrdcached holds may be missing)\n",
		    path, cause);
	free(cause);
}

int
tool_perspective(const struct conf *conf, const char *system,
    const char *series, const char **persp)
{
	struct conf_system *s = conf_find_system(conf, system);
	const char *found[8];
	size_t i, n;

	for (i = 0; s != NULL && i < s->ninsts; i++) {
		if (strcmp(s->insts[i]->series, series) == 0) {
			*persp = s->insts[i]->perspective;
			return 0;
		}
	}
	if (s == NULL && strcmp(system, "unallocated") != 0) {
		fprintf(stderr, "itfollow: no system %s in %s\n", system,
		    conf->file);
		return -1;
	}
	n = series_perspectives(conf->data_dir, system, series, found, 8);
	if (n == 1) {
		*persp = found[0];
		return 0;
	}
	if (n == 0)
		fprintf(stderr, "itfollow: no series %s of system %s in %s\n",
		    series, system, conf->file);
	else
		fprintf(stderr,
		    "itfollow: system %s has a series %s in %zu perspectives (%s, %s%s): give the perspective\n",
		    system, series, n, found[0], found[1],
		    n > 2 ? ", ..." : "");
	return -1;
}
