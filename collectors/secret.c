/*
 * Secret files. The content is kept in memory only as long as needed and
 * wiped when freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "secret.h"
#include "xmalloc.h"

#define SECRET_MAX 4096

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
	if (fstat(fd, &sb) == 0 && (sb.st_mode & S_IROTH))
		log_warn("secret file %s is readable by others", path);
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
