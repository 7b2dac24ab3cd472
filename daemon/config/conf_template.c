/*
 * The RRD templates of a configuration: every *.tmpl file of
 * daemon.templates_dir parsed (template.c) and kept sorted by name, and
 * the lookup of one by name. A bad name or an unreadable or bad template
 * is an error naming its file.
 */
#include <dirent.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"
#include "ident.h"
#include "xmalloc.h"

struct tmpl *
conf_template(const struct conf *conf, const char *name)
{
	size_t i;

	for (i = 0; i < conf->ntmpls; i++) {
		if (strcmp(conf->tmpls[i]->name, name) == 0)
			return conf->tmpls[i];
	}
	return NULL;
}

static int
conf_template_cmp(const void *a, const void *b)
{
	const struct tmpl *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

void
conf_template_load(struct conf_ctx *ctx)
{
	struct conf *conf = ctx->conf;
	DIR *d;
	struct dirent *de;
	char *path, *name, *buf, **errs = NULL;
	size_t len, nerrs = 0, i;
	struct tmpl *t;
	FILE *f;

	if ((d = opendir(conf->templates_dir)) == NULL) {
		conf_errors_add(ctx->errs, ctx->file, 0, "templates_dir %s: %s",
		    conf->templates_dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".tmpl") != 0)
			continue;
		name = xstrndup(de->d_name, len - 5);
		xasprintf(&path, "%s/%s", conf->templates_dir, de->d_name);
		if (!ident_valid(name)) {
			conf_errors_add(ctx->errs, path, 0,
			    "bad template name (want [a-z0-9][a-z0-9_-]{0,63}.tmpl)");
		} else if ((f = fopen(path, "r")) == NULL) {
			conf_errors_add(ctx->errs, path, 0, "%s",
			    strerror(errno));
		} else {
			buf = xcalloc(1, 65537);
			len = fread(buf, 1, 65536, f);
			buf[len] = '\0';
			fclose(f);
			t = template_parse(name, buf, path, &errs, &nerrs);
			free(buf);
			if (t != NULL) {
				conf->tmpls = xreallocarray(conf->tmpls,
				    conf->ntmpls + 1, sizeof *conf->tmpls);
				conf->tmpls[conf->ntmpls++] = t;
			}
		}
		free(name);
		free(path);
	}
	closedir(d);
	for (i = 0; i < nerrs; i++) {
		conf_errors_add(ctx->errs, "template", 0, "%s", errs[i]);
		free(errs[i]);
	}
	free(errs);
	if (conf->ntmpls > 1)
		qsort(conf->tmpls, conf->ntmpls, sizeof *conf->tmpls,
		    conf_template_cmp);
}
