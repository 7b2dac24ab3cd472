/*
 * itf-make-bench: the cost of making RRD files of a template, by librrd's
 * create or by the store's own maker (store_make.c), as the daemon makes
 * them at start: N files in a directory, removed again as it goes.
 * Prints wall and CPU seconds and the process's peak RSS.
 *
 *	itf-make-bench librrd|stream TEMPLATE.tmpl DIR N
 */
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "store_make.h"
#include "template.h"
#include "xmalloc.h"

static struct tmpl *
makefiles_load(const char *path)
{
	char buf[65536], **errs = NULL;
	size_t n, nerrs = 0;
	struct tmpl *t;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	t = template_parse("bench", buf, path, &errs, &nerrs);
	if (t == NULL) {
		fprintf(stderr, "%s\n", nerrs > 0 ? errs[0] : path);
		exit(1);
	}
	return t;
}

/* One file at path, made the one way or the other. */
static int
makefiles_one(int librrd, const struct tmpl *t, const char *path, time_t start)
{
	char **argv, *cause = NULL;
	int argc, rc;

	if (!librrd) {
		rc = store_make(path, t, t->step, start, 0640, &cause);
		if (rc != 0)
			fprintf(stderr, "%s: %s\n", path, cause);
		free(cause);
		return rc;
	}
	template_create_args(t, t->step, &argv, &argc);
	rrd_clear_error();
	rc = rrd_create_r(path, t->step, start, argc, (const char **)argv);
	template_args_free(argv, argc);
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", path, rrd_get_error());
	return rc;
}

static double
makefiles_secs(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct rusage ru;
	struct tmpl *t;
	double w0, c0;
	char *path;
	long i, n;
	int librrd;

	if (argc != 5 ||
	    (strcmp(argv[1], "librrd") != 0 &&
	        strcmp(argv[1], "stream") != 0)) {
		fprintf(stderr,
		    "usage: itf-make-bench librrd|stream TEMPLATE DIR N\n");
		return 2;
	}
	librrd = strcmp(argv[1], "librrd") == 0;
	t = makefiles_load(argv[2]);
	n = atol(argv[4]);
	w0 = makefiles_secs(CLOCK_MONOTONIC);
	c0 = makefiles_secs(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/f%ld.rrd", argv[3], i);
		if (makefiles_one(librrd, t, path, 1700000000 + i) != 0)
			return 1;
		unlink(path);
		free(path);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf(
	    "%s: %ld files of %zu bytes: %.3f s wall, %.3f s CPU (%.2f ms per file), peak RSS %ld KiB\n",
	    argv[1], n, store_make_size(t, t->step),
	    makefiles_secs(CLOCK_MONOTONIC) - w0,
	    makefiles_secs(CLOCK_PROCESS_CPUTIME_ID) - c0,
	    1000 * (makefiles_secs(CLOCK_MONOTONIC) - w0) / (double)n,
	    ru.ru_maxrss);
	template_unref(t);
	return 0;
}
