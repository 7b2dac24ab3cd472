/*
 * A FOCUS feed's state file: read line by line, unknown keys ignored (a
 * later version may add some), written whole beside and renamed over.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "focus_state.h"
#include "ident.h"
#include "xmalloc.h"

void
focus_state_path(const char *data_dir, const char *id, char *buf, size_t len)
{
	snprintf(buf, len, "%s/state/feed-%s", data_dir, id);
}

static void
focus_state_set(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

void
focus_state_load(const char *path, struct focus_state *st)
{
	char line[512], *v;
	size_t len;
	FILE *f;

	memset(st, 0, sizeof *st);
	if (path == NULL || (f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		len = strlen(line);
		while (
		    len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if ((v = strchr(line, ' ')) == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(line, "currency") == 0 && *v != '\0')
			focus_state_set(&st->currency, v);
		else if (strcmp(line, "basis") == 0 && *v != '\0')
			focus_state_set(&st->basis, v);
		else if (strcmp(line, "system") == 0 &&
		    (ident_valid(v) || strcmp(v, "unallocated") == 0))
			focus_state_add(st, v);
	}
	fclose(f);
}

void
focus_state_add(struct focus_state *st, const char *system)
{
	size_t i, k;
	int c = 1;

	for (i = 0; i < st->nsystems; i++) {
		if ((c = strcmp(st->systems[i], system)) >= 0)
			break;
	}
	if (i < st->nsystems && c == 0)
		return;
	st->systems =
	    xreallocarray(st->systems, st->nsystems + 1, sizeof *st->systems);
	for (k = st->nsystems; k > i; k--)
		st->systems[k] = st->systems[k - 1];
	st->systems[i] = xstrdup(system);
	st->nsystems++;
}

int
focus_state_save(const char *path, const struct focus_state *st, char **cause)
{
	char *tmp;
	size_t i;
	FILE *f;
	int ok;

	xasprintf(&tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (st->currency != NULL)
		fprintf(f, "currency %s\n", st->currency);
	if (st->basis != NULL)
		fprintf(f, "basis %s\n", st->basis);
	for (i = 0; i < st->nsystems; i++)
		fprintf(f, "system %s\n", st->systems[i]);
	ok = !ferror(f);
	if (fclose(f) != 0 || !ok || rename(tmp, path) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

void
focus_state_free(struct focus_state *st)
{
	size_t i;

	for (i = 0; i < st->nsystems; i++)
		free(st->systems[i]);
	free(st->systems);
	free(st->currency);
	free(st->basis);
	memset(st, 0, sizeof *st);
}
