/*
 * itfollow dashboard -o DIR: the dashboard's pages as static files for any
 * web server: index.html, system-<id>.html, perspective-<p>.html,
 * portfolio-<p>.html, and
 * every graph they show under graph/ (the live dashboard's paths).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "conf.h"
#include "dashpage.h"
#include "chart.h"
#include "ident.h"
#include "log.h"
#include "tool.h"
#include "xmalloc.h"

/* mkdir -p of the directories of path (below dir, which exists). */
static int
dashstatic_mkdirs(char *path, size_t from)
{
	char *p;

	for (p = path + from; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static FILE *
dashstatic_open(const char *dir, const char *name, char **path)
{
	FILE *f;

	xasprintf(path, "%s/%s", dir, name);
	if (dashstatic_mkdirs(*path, strlen(dir) + 1) != 0 ||
	    (f = fopen(*path, "w")) == NULL) {
		fprintf(stderr, "itfollow: cannot write %s: %s\n", *path,
		    strerror(errno));
		free(*path);
		return NULL;
	}
	return f;
}

static int
dashstatic_close(FILE *f, char *path)
{
	int rc = 0;

	if (fclose(f) != 0) {
		fprintf(stderr, "itfollow: cannot write %s\n", path);
		rc = -1;
	}
	free(path);
	return rc;
}

static int
dashstatic_pages(struct dashpage *d, const char *dir)
{
	char name[128], *path;
	size_t i;
	FILE *f;
	int rc = 0;

	if ((f = dashstatic_open(dir, "index.html", &path)) == NULL)
		return -1;
	dashpage_index(d, f);
	rc |= dashstatic_close(f, path);
	for (i = 0; i < d->conf->nsystems; i++) {
		snprintf(name, sizeof name, "system-%s.html",
		    d->conf->systems[i]->id);
		if ((f = dashstatic_open(dir, name, &path)) == NULL)
			return -1;
		dashpage_system(d, f, d->conf->systems[i]->id);
		rc |= dashstatic_close(f, path);
	}
	for (i = 0; ident_perspectives[i] != NULL; i++) {
		snprintf(name, sizeof name, "perspective-%s.html",
		    ident_perspectives[i]);
		if ((f = dashstatic_open(dir, name, &path)) == NULL)
			return -1;
		dashpage_perspective(d, f, ident_perspectives[i]);
		rc |= dashstatic_close(f, path);
	}
	for (i = 0; ident_portfolios[i] != NULL; i++) {
		snprintf(name, sizeof name, "portfolio-%s.html",
		    ident_portfolios[i]);
		if ((f = dashstatic_open(dir, name, &path)) == NULL)
			return -1;
		dashpage_portfolio(d, f, ident_portfolios[i]);
		rc |= dashstatic_close(f, path);
	}
	return rc;
}

static int
dashstatic_graphs(struct dashpage *d, const char *dir)
{
	char name[256], err[512], *path;
	void *buf;
	size_t i, len;
	FILE *f;
	int rc = 0;

	for (i = 0; i < d->ngraphs; i++) {
		if (dashpage_render(d->conf, &d->graphs[i], d->now, &buf, &len,
		        err, sizeof err) != 0) {
			fprintf(stderr, "itfollow: %s\n", err);
			rc = -1;
			continue;
		}
		dashpage_graph_path(&d->graphs[i], 0, name, sizeof name);
		if ((f = dashstatic_open(dir, name, &path)) == NULL) {
			free(buf);
			return -1;
		}
		if (fwrite(buf, 1, len, f) != len)
			rc = -1;
		rc |= dashstatic_close(f, path);
		free(buf);
	}
	return rc;
}

int
tool_dashboard(int argc, char **argv)
{
	struct dashpage d;
	struct conf *conf;
	const char *file = NULL, *dir = NULL;
	int ch, rc;

	log_open(1, LOG_WARNING);
	optind = 1;
	while ((ch = getopt(argc, argv, "c:o:")) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'o':
			dir = optarg;
			break;
		default:
			fprintf(stderr,
			    "usage: itfollow dashboard [-c file] -o DIR\n");
			return 2;
		}
	}
	if (dir == NULL || optind != argc) {
		fprintf(stderr, "usage: itfollow dashboard [-c file] -o DIR\n");
		return 2;
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "itfollow: cannot make %s: %s\n", dir,
		    strerror(errno));
		return 1;
	}
	if ((conf = tool_load_conf(file)) == NULL)
		return 1;
	chart_check_fonts();
	memset(&d, 0, sizeof d);
	d.conf = conf;
	d.now = time(NULL);
	rc = dashstatic_pages(&d, dir) != 0 || dashstatic_graphs(&d, dir) != 0;
	dashpage_free(&d);
	conf_free(conf);
	return rc;
}
