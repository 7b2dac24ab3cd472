/*
 * Secret files. The content is kept in memory only as long as needed and
 * wiped when freed. A file others may read or write is refused: its
 * secret may not be one any more.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"
#include "xmalloc.h"

#define SECRET_MAX 4096

/* 0 if a secret file's mode keeps it secret; -1 with *cause if not. */
static int
secret_mode(const char *path, const struct stat *sb, char **cause)
{
	if ((sb->st_mode & (S_IROTH | S_IWOTH)) == 0)
		return 0;
	xasprintf(cause,
	    "secret file %s is %s by others (mode %04o): not used; keep it 0600 or 0640",
	    path, sb->st_mode & S_IROTH ? "readable" : "writable",
	    (unsigned)(sb->st_mode & 07777));
	return -1;
}

int
secret_check(const char *path, char **cause)
{
	struct stat sb;

	if (stat(path, &sb) != 0) {
		xasprintf(cause, "secret file %s: %s", path, strerror(errno));
		return -1;
	}
	return secret_mode(path, &sb, cause);
}

char *
secret_read(const char *path, char **cause)
{
	char buf[SECRET_MAX + 1], *nl;
	struct stat sb;
	ssize_t n;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "secret file %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) != 0) {
		xasprintf(cause, "secret file %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (secret_mode(path, &sb, cause) != 0) {
		close(fd);
		return NULL;
	}
	while (
	    len < SECRET_MAX && (n = read(fd, buf + len, SECRET_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	if ((nl = strpbrk(buf, "\r\n")) != NULL)
		*nl = '\0';
	if (buf[0] == '\0') {
		xasprintf(cause, "secret file %s is empty", path);
		return NULL;
	}
	nl = xstrdup(buf);
	explicit_bzero(buf, sizeof buf);
	return nl;
}

void
secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
