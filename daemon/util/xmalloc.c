/*
 * Allocation wrappers: abort with a message instead of returning NULL.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static void
xmalloc_fatal(const char *what, size_t size)
{
	fprintf(stderr, "fatal: %s: out of memory allocating %zu bytes\n", what,
	    size);
	abort();
}

void *
xmalloc(size_t size)
{
	void *p;

	p = malloc(size ? size : 1);
	if (p == NULL)
		xmalloc_fatal(__func__, size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		xmalloc_fatal(__func__, n * size);
	return p;
}

void *
xrealloc(void *old, size_t size)
{
	void *p;

	p = realloc(old, size ? size : 1);
	if (p == NULL)
		xmalloc_fatal(__func__, size);
	return p;
}

void *
xreallocarray(void *old, size_t n, size_t size)
{
	if (size != 0 && n > (size_t)-1 / size)
		xmalloc_fatal(__func__, (size_t)-1);
	return xrealloc(old, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;
	size_t len;

	len = strnlen(s, n);
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

int
xasprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(out, fmt, ap);
	va_end(ap);
	if (n < 0)
		xmalloc_fatal(__func__, 0);
	return n;
}
