/*
 * Reading a configuration file and looking over its strings before
 * libconfig does (conftext.h): one pass, as libconfig's scanner would
 * tokenize it, but only telling strings, comments and the rest apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conftext.h"
#include "xmalloc.h"

char *
conftext_read(const char *file, size_t *len, char **cause)
{
	struct stat sb;
	char *text;
	size_t have = 0, cap;
	ssize_t n;
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) != 0) {
		xasprintf(cause, "cannot read: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	if (sb.st_size > CONFTEXT_FILE_MAX) {
		xasprintf(cause,
		    "%lld bytes, more than a configuration may be (%d)",
		    (long long)sb.st_size, CONFTEXT_FILE_MAX);
		close(fd);
		return NULL;
	}
	/* Read up to one byte past the cap: a file may grow meanwhile. */
	cap = (size_t)sb.st_size + 2;
	text = xmalloc(cap);
	while (have <= CONFTEXT_FILE_MAX) {
		if (have + 1 >= cap) {
			cap = cap * 2 < CONFTEXT_FILE_MAX + 2
			    ? cap * 2
			    : CONFTEXT_FILE_MAX + 2;
			text = xrealloc(text, cap);
		}
		if ((n = read(fd, text + have, cap - 1 - have)) == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xasprintf(cause, "cannot read: %s", strerror(errno));
			goto fail;
		}
		have += (size_t)n;
	}
	if (have > CONFTEXT_FILE_MAX) {
		xasprintf(cause, "more than a configuration may be (%d bytes)",
		    CONFTEXT_FILE_MAX);
		goto fail;
	}
	close(fd);
	text[have] = '\0';
	*len = have;
	return text;
fail:
	close(fd);
	free(text);
	return NULL;
}

/* Past a comment starting at p (#, // or / *): where it ends. */
static const char *
conftext_comment(const char *p, const char *end, int *line)
{
	if (*p == '#' || p[1] == '/') {
		while (p < end && *p != '\n')
			p++;
		return p;
	}
	for (p += 2; p + 1 < end && !(p[0] == '*' && p[1] == '/'); p++) {
		if (*p == '\n')
			(*line)++;
	}
	return p + 1 < end ? p + 2 : end;
}

int
conftext_check(const char *text, size_t len, int *line, char **cause)
{
	const char *p = text, *end = text + len;
	size_t run = 0; /* bytes of the string (literals joined) so far */
	int here = 1, start = 0, in_run = 0;

	while (p < end) {
		if (*p == '"') {
			if (!in_run)
				start = here, run = 0, in_run = 1;
			for (p++; p < end && *p != '"'; p++, run++) {
				if (*p == '\\' && p + 1 < end)
					p++;
				if (*p == '\n')
					here++;
			}
			p++;
			if (run > CONFTEXT_STRING_MAX) {
				*line = start;
				xasprintf(cause,
				    "a string of more than %d bytes",
				    CONFTEXT_STRING_MAX);
				return -1;
			}
		} else if (*p == '#' ||
		    (*p == '/' && p + 1 < end && (p[1] == '/' || p[1] == '*')))
			p = conftext_comment(p, end, &here);
		else {
			if (*p == '\n')
				here++;
			else if (*p != ' ' && *p != '\t' && *p != '\r' &&
			    *p != '\f')
				in_run = 0;
			p++;
		}
	}
	return 0;
}
