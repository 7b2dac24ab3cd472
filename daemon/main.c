/*
 * itfollowd: the itfollow collection daemon.
 */
#include <curl/curl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"
#include "conf.h"
#include "instance.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "tz.h"

#ifdef ITF_JEMALLOC
/*
 * jemalloc's settings, read at its first call (MALLOC_CONF adds to them).
 * One arena for the few threads there are, not four a core: each arena
 * keeps its own partly used slabs and metadata, about 1 MiB of RSS at
 * 10,000 probes (README, "Benchmark"); the threads' caches keep
 * contention on it away.
 */
const char *malloc_conf = "narenas:1";
#endif

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
	    "usage: itfollowd [-fnTV] [-c file]\n  -c file  configuration (default %s, else the embedded one)\n  -f       stay in the foreground, log to stderr\n  -n       check the configuration and exit\n  -T       run every collector once, store, print, exit\n  -V       print the version\n",
	    CONF_DEFAULT_FILE);
	exit(2);
}

/* The command line: 0 to go on, 1 once -V has printed the version. */
static int
main_options(int argc, char **argv, struct loop_opts *opts, int *check,
    int *foreground)
{
	const char *file = NULL;
	int ch;

	while ((ch = getopt(argc, argv, "c:fnTVh")) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'f':
			*foreground = 1;
			break;
		case 'n':
			*check = 1;
			break;
		case 'T':
			opts->test_mode = 1;
			break;
		case 'V':
			printf("itfollowd %s\n", ITF_VERSION);
			return 1;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (file == NULL && access(CONF_DEFAULT_FILE, F_OK) == 0)
		file = CONF_DEFAULT_FILE;
	opts->conf_file = file;
	return 0;
}

/* The configuration of file (NULL: the embedded one), or NULL (printed). */
static struct conf *
main_load(const char *file, int check)
{
	struct conf_errors errs = { NULL, 0 };
	struct conf *conf;
	size_t i;

	/*
	 * As root, no plugin is loaded yet: the daemon binds and drops its
	 * privileges first, then reads the configuration again for them. A
	 * check loads none at all: it runs no collector.
	 */
	if (check || geteuid() == 0)
		plugin_defer(1);
	if (file != NULL)
		conf = instance_load(file, NULL, collect_host(), &errs);
	else
		conf = instance_load("(embedded)", conf_embedded,
		    collect_host(), &errs);
	plugin_defer(0);
	if (conf == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		conf_errors_clear(&errs);
	}
	return conf;
}

int
main(int argc, char **argv)
{
	struct loop_opts opts;
	struct conf *conf;
	int check = 0, foreground = 0, rc;

	setlocale(LC_ALL, "C");
	/* Until the configuration names a zone, the C library's local time
	 * (librrd's graph axes) is UTC, like everything stored. */
	setenv("TZ", "UTC", 1);
	tzset();
	memset(&opts, 0, sizeof opts);
	if (main_options(argc, argv, &opts, &check, &foreground) != 0)
		return 0;
#ifndef ITF_JEMALLOC
	opts.trim_heap = 1; /* jemalloc does so itself */
#endif

	log_open(1, LOG_WARNING);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "itfollowd: curl_global_init failed\n");
		return 1;
	}
	if ((conf = main_load(opts.conf_file, check)) == NULL) {
		curl_global_cleanup();
		return 1;
	}
	if (check) {
		conf_free(conf);
		curl_global_cleanup();
		return 0;
	}

	/* The dashboard's graph axes in daemon.timezone: set before any
	 * thread starts, kept until a restart. */
	tz_setenv(conf->tz);
	signal(SIGPIPE, SIG_IGN);
	if (!foreground && !opts.test_mode) {
		if (daemon(1, 0) != 0) {
			perror("itfollowd: daemon");
			return 1;
		}
		log_open(0, conf->log_level);
	} else
		log_open(1, opts.test_mode ? LOG_WARNING : conf->log_level);
	if (opts.conf_file == NULL)
		log_warn("no %s: running the embedded default configuration",
		    CONF_DEFAULT_FILE);
	rc = loop_run(&opts, conf);
	curl_global_cleanup();
	return rc;
}
