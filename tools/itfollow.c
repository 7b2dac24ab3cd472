/*
 * itfollow: the command-line tool over the daemon's configuration and data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool.h"

/*
 * The commands, in the order usage lists them. A command with sub is
 * "itfollow NAME SUB ...", called with argv[0] SUB; without, argv[0] is
 * NAME.
 */
static const struct itfollow_cmd {
	const char *name;
	const char *sub;
	int (*exec)(int, char **);
	const char *usage;
} itfollow_cmds[] = {
	{ "check", NULL, tool_check,
	    "  check   check the configuration (as itfollowd -n)\n" },
	{ "last", NULL, tool_last,
	    "  last    print the last stored values of a series:\n          itfollow last [-c file] [-p perspective] SYSTEM SERIES\n" },
	{ "export", NULL, tool_export,
	    "  export  a series over a period at a step, CSV or JSON:\n          itfollow export [-c file] --system ID [--perspective P]\n          [--series S] --from T --to T [--step 1d] [--format csv|json]\n" },
	{ "graph", NULL, tool_graph,
	    "  graph   a preset graph (PNG, SVG, PDF) or its table:\n          itfollow graph [-c file] PRESET --system ID|--by G [period] -o FILE\n" },
	{ "report", "scorecard", tool_scorecard,
	    "  report  scorecard: a quarter's key figures per system or group:\n          itfollow report scorecard [-c file] --quarter 2026Q1 [--by G]\n          [--format text|csv|json] [--html FILE]\n" },
	{ "dashboard", NULL, tool_dashboard,
	    "  dashboard  the dashboard as static pages: itfollow dashboard [-c file] -o DIR\n" },
	{ "report", NULL, tool_report,
	    "  report  availability of a system or of groups over a period:\n          itfollow report availability [-c file] (--system ID |\n          --by category|portfolio|owner) --quarter 2014Q2 |\n          --month 2014-05 | --from T --to T [--format text|csv|json]\n" },
};
#define ITFOLLOW_NCMDS (sizeof itfollow_cmds / sizeof itfollow_cmds[0])

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: itfollow COMMAND [-c file] [args] | -V\ncommands:\n");
	for (i = 0; i < ITFOLLOW_NCMDS; i++)
		fputs(itfollow_cmds[i].usage, f);
}

/* The command argv names, or NULL; *skip: how many words name it. */
static const struct itfollow_cmd *
itfollow_find(int argc, char **argv, int *skip)
{
	const struct itfollow_cmd *cmd;
	size_t i;

	for (i = 0; i < ITFOLLOW_NCMDS; i++) {
		cmd = &itfollow_cmds[i];
		if (strcmp(argv[1], cmd->name) != 0)
			continue;
		if (cmd->sub == NULL) {
			*skip = 1;
			return cmd;
		}
		if (argc > 2 && strcmp(argv[2], cmd->sub) == 0) {
			*skip = 2;
			return cmd;
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct itfollow_cmd *cmd;
	int skip;

	/* Graph axes and dates are UTC, like everything stored, until a
	 * configuration names its zone (tool_load_conf). */
	setenv("TZ", "UTC", 1);
	tzset();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if ((cmd = itfollow_find(argc, argv, &skip)) != NULL)
		return cmd->exec(argc - skip, argv + skip);
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "version") == 0) {
		printf("itfollow %s\n", ITF_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "itfollow: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
