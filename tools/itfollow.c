/*
 * itfollow: the command-line tool over the daemon's configuration and data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: itfollow COMMAND [-c file] [args] | -V\n"
	    "commands:\n"
	    "  check   check the configuration (as itfollowd -n)\n"
	    "  last    print the last stored values of a series:\n"
	    "          itfollow last [-c file] [-p perspective] SYSTEM "
	    "SERIES\n"
	    "  export  a series over a period at a step, CSV or JSON:\n"
	    "          itfollow export [-c file] --system ID [--perspective P]\n"
	    "          [--series S] --from T --to T [--step 1d] "
	    "[--format csv|json]\n"
	    "  graph   a preset graph (PNG, SVG, PDF) or its table:\n"
	    "          itfollow graph [-c file] PRESET --system ID|--by G "
	    "[period] -o FILE\n"
	    "  report  scorecard: a quarter's key figures per system or "
	    "group:\n"
	    "          itfollow report scorecard [-c file] --quarter 2026Q1 "
	    "[--by G]\n"
	    "          [--format text|csv|json] [--html FILE]\n"
	    "  dashboard  the dashboard as static pages: itfollow dashboard "
	    "[-c file] -o DIR\n"
	    "  report  availability of a system or of groups over a period:\n"
	    "          itfollow report availability [-c file] (--system ID |\n"
	    "          --by category|portfolio|owner) --quarter 2014Q2 |\n"
	    "          --month 2014-05 | --from T --to T [--format "
	    "text|csv|json]\n");
}

int
main(int argc, char **argv)
{
	/* Graph axes and dates are UTC, like everything stored, until a
	 * configuration names its zone (tool_load_conf). */
	setenv("TZ", "UTC", 1);
	tzset();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "check") == 0)
		return tool_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "last") == 0)
		return tool_last(argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return tool_export(argc - 1, argv + 1);
	if (strcmp(argv[1], "graph") == 0)
		return tool_graph(argc - 1, argv + 1);
	if (strcmp(argv[1], "dashboard") == 0)
		return tool_dashboard(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0 && argc > 2 &&
	    strcmp(argv[2], "scorecard") == 0)
		return tool_scorecard(argc - 2, argv + 2);
	if (strcmp(argv[1], "report") == 0)
		return tool_report(argc - 1, argv + 1);
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
