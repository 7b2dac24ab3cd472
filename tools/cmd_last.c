/*
 * itfollow last: the last values stored for a series, read back with
 * librrd after the daemon has written what it holds.
 */
#include <math.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "series.h"
#include "store_rrd.h"
#include "tool.h"

static void
cmd_last_usage(void)
{
	fprintf(stderr,
	    "usage: itfollow last [-c file] [-p perspective] SYSTEM SERIES\n");
}

/* Print the last update of path: time= and DS=VALUE lines. */
static int
cmd_last_print(const struct conf *conf, const char *path)
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
			cmd_last_usage();
			return 2;
		}
	}
	if (argc - optind != 2) {
		cmd_last_usage();
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
	if (cmd_last_print(conf, path) == 0)
		rc = 0;
	free(path);
out:
	conf_free(conf);
	return rc;
}
