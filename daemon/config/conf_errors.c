/*
 * The errors of one configuration load: each "file:line: message" kept as
 * one escaped line, sorted by file and line once the load is done, so that
 * every error is reported, in the order of the files, before anything
 * starts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "xmalloc.h"

void
conf_errors_add(struct conf_errors *e, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;
	char *msg, *full, *safe;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (line > 0)
		xasprintf(&full, "%s:%d: %s", file, line, msg);
	else
		xasprintf(&full, "%s: %s", file, msg);
	free(msg);
	/* An error is one line, whatever the file holds. */
	safe = log_escape(full);
	free(full);
	full = safe;
	e->msgs = xreallocarray(e->msgs, e->n + 1, sizeof *e->msgs);
	e->msgs[e->n++] = full;
}

/* "file:line: ..." -> the length of file and the line (0 when none). */
static size_t
conf_errors_key(const char *msg, long *line)
{
	const char *colon = strchr(msg, ':');
	char *end;

	*line = 0;
	if (colon == NULL)
		return strlen(msg);
	*line = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end != ':')
		*line = 0;
	return (size_t)(colon - msg);
}

static int
conf_errors_before(const char *a, const char *b)
{
	size_t la, lb;
	long na, nb;
	int c;

	la = conf_errors_key(a, &na);
	lb = conf_errors_key(b, &nb);
	c = strncmp(a, b, la < lb ? la : lb);
	if (c != 0 || la != lb)
		return c < 0 || (c == 0 && la < lb);
	return na < nb;
}

void
conf_errors_sort(struct conf_errors *e)
{
	size_t i, k;
	char *m;

	/* Insertion sort: stable, and error lists are short. */
	for (i = 1; i < e->n; i++) {
		m = e->msgs[i];
		for (k = i; k > 0 && conf_errors_before(m, e->msgs[k - 1]); k--)
			e->msgs[k] = e->msgs[k - 1];
		e->msgs[k] = m;
	}
}

void
conf_errors_clear(struct conf_errors *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->msgs[i]);
	free(e->msgs);
	e->msgs = NULL;
	e->n = 0;
}
