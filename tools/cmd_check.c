/*
 * itfollow check: read the configuration as the daemon does (itfollowd -n
 * without the collectors' own checks) and print its errors.
 */
#include <stdio.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "tool.h"

/* Parse "-c FILE" and return the index of the first operand. */
static int
cmd_check_opts(int argc, char **argv, const char **file)
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
	if (cmd_check_opts(argc, argv, &file) != argc) {
		fprintf(stderr, "usage: itfollow check [-c file]\n");
		return 2;
	}
	if ((conf = tool_load_conf(file)) == NULL)
		return 1;
	conf_free(conf);
	return 0;
}
