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

#include "askflush.h"
#include "cached.h"
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
	struct conf_errors errs = { NULL, 0 };
	struct conf *conf;
	size_t i;

	if (file == NULL && access(CONF_DEFAULT_FILE, F_OK) == 0)
		file = CONF_DEFAULT_FILE;
	/* The model alone: the tool runs no collector code (no plugin is
	 * loaded, no configure called, no secret read), whoever runs it. */
	if (file != NULL)
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
	/* librrd draws graph axes in the C library's local time. */
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

static void
tool_last_usage(void)
{
	fprintf(stderr,
	    "usage: itfollow last [-c file] [-p perspective] SYSTEM SERIES\n");
}

/* Print the last update of path: time= and DS=VALUE lines. */
static int
tool_last_print(const struct conf *conf, const char *path)
{
	char **names, **data;
	unsigned long nds, i;
	time_t last;

	tool_flush(conf, path);
	rrd_clear_error();
	if (rrd_lastupdate_r(path, &last, &nds, &names, &data) != 0) {
		fprintf(stderr, "itfollow: %s: %s\n", path, rrd_get_error());
		return -1;
	}
	printf("time=%lld\n", (long long)last);
	for (i = 0; i < nds; i++) {
		printf("%s=%s\n", names[i], data[i]);
		free(names[i]);
		free(data[i]);
	}
	free(names);
	free(data);
	return 0;
}

int
tool_last(int argc, char **argv)
{
	struct conf *conf;
	const char *file = NULL, *persp = NULL;
	char *path;
	int ch, rc = 1;

	log_open(1, LOG_WARNING);
	optind = 1;
	while ((ch = getopt(argc, argv, "c:p:")) != -1) {
		if (ch == 'c')
			file = optarg;
		else if (ch == 'p')
			persp = optarg;
		else {
			tool_last_usage();
			return 2;
		}
	}
	if (argc - optind != 2) {
		tool_last_usage();
		return 2;
	}
	argv += optind;
	if ((conf = tool_load_conf(file)) == NULL)
		return 1;
	if (persp == NULL &&
	    tool_perspective(conf, argv[0], argv[1], &persp) != 0)
		goto out;
	if ((path = store_path(conf->data_dir, persp, argv[0], argv[1])) ==
	    NULL) {
		fprintf(stderr,
		    "itfollow: bad system, perspective or series\n");
		rc = 2;
		goto out;
	}
	if (tool_last_print(conf, path) == 0)
		rc = 0;
	free(path);
out:
	conf_free(conf);
	return rc;
}
