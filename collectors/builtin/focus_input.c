/*
 * Delivery files and their bytes. The walk follows symbolic links to
 * files but not to directories (no loops), and goes at most
 * FOCUS_INPUT_DEPTH folders down. The decoder decides plain or gzip by the
 * first two bytes, whatever the file is called, so a compressed body
 * fetched over http is read as well.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "focus_input.h"
#include "xmalloc.h"

#define FOCUS_INPUT_DEPTH 16
#define FOCUS_INPUT_OUT (1024 * 1024)

static int
focus_input_wanted(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' &&
	    ((len > 4 && strcmp(name + len - 4, ".csv") == 0) ||
	        (len > 7 && strcmp(name + len - 7, ".csv.gz") == 0));
}

struct focus_input_list {
	struct focus_input *v;
	size_t n;
};

static void
focus_input_add(struct focus_input_list *l, char *path, char *name,
    long long mtime)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n].path = path;
	l->v[l->n].name = name;
	l->v[l->n].mtime = mtime;
	l->n++;
}

/* Walk dir (rel below the root) for inputs. 0, or -1 with *cause. */
static int
focus_input_walk(const char *dir, const char *rel, int depth,
    struct focus_input_list *out, char **cause)
{
	struct dirent *de;
	struct stat sb;
	char *path, *name;
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		xasprintf(&name, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    depth < FOCUS_INPUT_DEPTH)
			rc =
			    focus_input_walk(path, name, depth + 1, out, cause);
		else if (focus_input_wanted(de->d_name) &&
		    stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			focus_input_add(out, path, name,
			    (long long)sb.st_mtim.tv_sec);
			continue;
		}
		free(path);
		free(name);
	}
	closedir(d);
	return rc;
}

static int
focus_input_cmp(const void *a, const void *b)
{
	return strcmp(((const struct focus_input *)a)->name,
	    ((const struct focus_input *)b)->name);
}

int
focus_inputs(const char *path, struct focus_input **out, size_t *n, int *is_dir,
    char **cause)
{
	struct focus_input_list l = { NULL, 0 };
	struct stat sb;
	const char *base;

	*out = NULL;
	*n = 0;
	*is_dir = 0;
	if (stat(path, &sb) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		base = strrchr(path, '/');
		focus_input_add(&l, xstrdup(path),
		    xstrdup(base != NULL ? base + 1 : path),
		    (long long)sb.st_mtim.tv_sec);
	} else {
		*is_dir = 1;
		if (focus_input_walk(path, "", 0, &l, cause) != 0) {
			focus_inputs_free(l.v, l.n);
			return -1;
		}
		if (l.n == 0) {
			xasprintf(cause, "no *.csv or *.csv.gz file in %s",
			    path);
			return -1;
		}
		qsort(l.v, l.n, sizeof *l.v, focus_input_cmp);
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

void
focus_inputs_free(struct focus_input *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].name);
	}
	free(v);
}

void
focus_decoder_init(struct focus_decoder *d, focus_decoder_cb cb, void *arg)
{
	memset(d, 0, sizeof *d);
	d->cb = cb;
	d->arg = arg;
}

static int
focus_decoder_inflate(struct focus_decoder *d, const unsigned char *buf,
    size_t len, char **cause)
{
	int rc;

	d->z.next_in = (unsigned char *)(uintptr_t)buf;
	d->z.avail_in = (uInt)len;
	while (d->z.avail_in > 0) {
		if (!d->in_member) {
			inflateReset(&d->z); /* a member follows another */
			d->in_member = 1;
		}
		d->z.next_out = d->out;
		d->z.avail_out = FOCUS_INPUT_OUT;
		rc = inflate(&d->z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			xasprintf(cause, "gzip: %s",
			    d->z.msg != NULL ? d->z.msg : "bad data");
			return -1;
		}
		d->cb((const char *)d->out, FOCUS_INPUT_OUT - d->z.avail_out,
		    d->arg);
		if (rc == Z_STREAM_END)
			d->in_member = 0;
		else if (rc == Z_BUF_ERROR && d->z.avail_out > 0)
			break;
	}
	return 0;
}

/* The first two bytes decide: the gzip magic, or plain bytes. */
static int
focus_decoder_decide(struct focus_decoder *d, char **cause)
{
	d->decided = 1;
	d->gzip = d->nmagic == 2 && d->magic[0] == 0x1f && d->magic[1] == 0x8b;
	if (!d->gzip) {
		if (d->nmagic > 0)
			d->cb((const char *)d->magic, d->nmagic, d->arg);
		return 0;
	}
	d->out = xmalloc(FOCUS_INPUT_OUT);
	if (inflateInit2(&d->z, 15 + 16) != Z_OK) {
		d->gzip = 0;
		xasprintf(cause, "gzip: cannot start");
		return -1;
	}
	d->in_member = 1;
	return focus_decoder_inflate(d, d->magic, 2, cause);
}

int
focus_decoder_feed(struct focus_decoder *d, const char *buf, size_t len,
    char **cause)
{
	const unsigned char *p = (const unsigned char *)buf;

	while (!d->decided && len > 0 && d->nmagic < 2) {
		d->magic[d->nmagic++] = *p++;
		len--;
	}
	if (!d->decided) {
		if (d->nmagic < 2)
			return 0;
		if (focus_decoder_decide(d, cause) != 0)
			return -1;
	}
	if (len == 0)
		return 0;
	if (!d->gzip) {
		d->cb((const char *)p, len, d->arg);
		return 0;
	}
	return focus_decoder_inflate(d, p, len, cause);
}

int
focus_decoder_end(struct focus_decoder *d, char **cause)
{
	if (!d->decided && focus_decoder_decide(d, cause) != 0)
		return -1;
	if (d->gzip && d->in_member) {
		xasprintf(cause, "gzip: the data ends early (a cut file?)");
		return -1;
	}
	return 0;
}

void
focus_decoder_free(struct focus_decoder *d)
{
	if (d->gzip)
		inflateEnd(&d->z);
	free(d->out);
	d->out = NULL;
	d->gzip = 0;
}
