/*
 * rrdcached through librrd's client, for all but updates and STATS (those
 * go on a connection of our own: cached_batch.c). librrd 1.7.2 keeps one connection per
 * process behind its own lock, builds each request in a 4 KiB buffer, and
 * closes the connection when it breaks: after a failed call, "still
 * connected" means rrdcached refused the request, "not connected" means
 * the connection was lost and nothing of that request can be trusted.
 */
#include <rrd.h>
#include <rrd_client.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cached.h"
#include "xmalloc.h"

int
cached_is_unix(const char *addr)
{
	return strncmp(addr, "unix:", 5) == 0 || addr[0] == '/';
}

/* The result of a failed call, with librrd's message. */
static int
cached_fail(const char *what, char **cause)
{
	const char *err = rrd_test_error() ? rrd_get_error() : "failed";

	if (!rrdc_is_any_connected()) {
		xasprintf(cause, "rrdcached: %s: connection lost: %s", what,
		    err);
		return CACHED_LOST;
	}
	xasprintf(cause, "%s", err);
	return CACHED_REFUSED;
}

int
cached_connect(const char *addr, char **cause)
{
	rrd_clear_error();
	if (rrdc_connect(addr) != 0 || !rrdc_is_any_connected()) {
		xasprintf(cause, "rrdcached %s: %s", addr,
		    rrd_test_error() ? rrd_get_error() : "cannot connect");
		return CACHED_LOST;
	}
	return CACHED_OK;
}

void
cached_disconnect(void)
{
	rrdc_disconnect();
	cached_batch_close();
}

const char *
cached_name(const char *addr, const char *data_dir, const char *path)
{
	size_t len = strlen(data_dir);

	if (cached_is_unix(addr))
		return path;
	while (len > 1 && data_dir[len - 1] == '/')
		len--;
	if (strncmp(path, data_dir, len) != 0 || path[len] != '/')
		return NULL;
	return path + len + 1;
}

int
cached_flush(const char *name, char **cause)
{
	rrd_clear_error();
	if (rrdc_flush(name) != 0)
		return cached_fail("flush", cause);
	return CACHED_OK;
}

int
cached_forget(const char *name, char **cause)
{
	rrd_clear_error();
	if (rrdc_forget(name) != 0)
		return cached_fail("forget", cause);
	return CACHED_OK;
}

rrd_info_t *
cached_info(const char *name, int *rc, char **cause)
{
	rrd_info_t *info;

	/* INFO reads the file: what rrdcached holds must be in it first. */
	if ((*rc = cached_flush(name, cause)) == CACHED_LOST)
		return NULL;
	free(*cause);
	*cause = NULL;
	rrd_clear_error();
	if ((info = rrdc_info(name)) == NULL) {
		*rc = cached_fail("info", cause);
		return NULL;
	}
	*rc = CACHED_OK;
	return info;
}

int
cached_create(const char *name, unsigned long step, time_t start, int argc,
    const char **argv, char **cause)
{
	rrd_clear_error();
	if (rrdc_create(name, step, start, 1, argc, argv) != 0)
		return cached_fail("create", cause);
	return CACHED_OK;
}

int
cached_flush_path(const char *addr, const char *data_dir, const char *path,
    char **cause)
{
	const char *name;

	/* A dead rrdcached must not kill a reader by SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if ((name = cached_name(addr, data_dir, path)) == NULL) {
		xasprintf(cause, "%s is not below data_dir %s", path, data_dir);
		return -1;
	}
	if (cached_connect(addr, cause) != CACHED_OK)
		return -1;
	return cached_flush(name, cause) == CACHED_OK ? 0 : -1;
}
