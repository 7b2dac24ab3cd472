/*
 * The tool's side of /api/v1/flush: before it reads an RRD file it asks
 * the daemon on status_listen to write what it holds back for it
 * (store.write_delay), so that a graph, a report or an export shows every
 * value the daemon has received. The first ASKFLUSH_FILES files are asked
 * for one by one (`itfollow last` costs the daemon one file); a command
 * that reads more asks once for every file, and no more. A daemon that
 * does not answer (not running) holds nothing; one that answers late or
 * with an error is reported once and the files are read as they are.
 */
#include <sys/socket.h>

#include <curl/curl.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "askflush.h"
#include "conf.h"
#include "xmalloc.h"

#define ASKFLUSH_FILES 8
#define ASKFLUSH_TIMEOUT_MS 15000L
#define ASKFLUSH_CONNECT_MS 1000L
#define ASKFLUSH_REFUSED_MS 100

static unsigned askflush_asked;
static int askflush_done; /* every file asked for, or no daemon */

static size_t
askflush_discard_cb(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* The status server's base URL, wildcards turned into the loopback. */
static char *
askflush_base(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	char *host, *url;

	if (colon == NULL)
		return NULL;
	host = xstrndup(listen, (size_t)(colon - listen));
	if (host[0] == '\0' || strcmp(host, "*") == 0 ||
	    strcmp(host, "0.0.0.0") == 0) {
		free(host);
		host = xstrdup("127.0.0.1");
	} else if (strcmp(host, "[::]") == 0 || strcmp(host, "::") == 0) {
		free(host);
		host = xstrdup("[::1]");
	}
	xasprintf(&url, "http://%s%s", host, colon);
	free(host);
	return url;
}

/* What follows /api/v1/flush for path: "" (every file) or "/p/s/x". */
static char *
askflush_what(const struct conf *conf, const char *path)
{
	size_t dlen = strlen(conf->data_dir), plen = strlen(path);
	char *rel;

	if (askflush_asked >= ASKFLUSH_FILES ||
	    strncmp(path, conf->data_dir, dlen) != 0 ||
	    strncmp(path + dlen, "/rrd/", 5) != 0 || plen < dlen + 5 + 4 ||
	    strcmp(path + plen - 4, ".rrd") != 0) {
		askflush_done = 1;
		return xstrdup("");
	}
	askflush_asked++;
	rel = xstrndup(path + dlen + 4, plen - dlen - 4 - 4);
	return rel;
}

/*
 * 1 when nobody listens on the status address (a numeric one): the
 * connect is refused at once, and libcurl, whose start costs a one-graph
 * command more than the graph's data, is not started. 0 when unsure.
 */
/* 1 if the connect on fd (non-blocking) is refused within a moment. */
static int
askflush_connect(int fd, const struct addrinfo *ai)
{
	struct pollfd pfd = { fd, POLLOUT, 0 };
	socklen_t len = sizeof(int);
	int err = 0;

	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno == ECONNREFUSED)
		return 1;
	if (errno != EINPROGRESS || poll(&pfd, 1, ASKFLUSH_REFUSED_MS) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return 0;
	return err == ECONNREFUSED;
}

static int
askflush_refused(const char *listen)
{
	struct addrinfo hints, *ai = NULL;
	const char *colon = strrchr(listen, ':'), *h;
	char *host;
	size_t n;
	int fd, refused = 0;

	if (colon == NULL)
		return 0;
	h = host = xstrndup(listen, (size_t)(colon - listen));
	if ((n = strlen(host)) >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		h = host + 1;
	}
	if (h[0] == '\0' || strcmp(h, "*") == 0 || strcmp(h, "0.0.0.0") == 0)
		h = "127.0.0.1";
	else if (strcmp(h, "::") == 0)
		h = "::1";
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(h, colon + 1, &hints, &ai) == 0 &&
	    (fd = socket(ai->ai_family,
	         SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) != -1) {
		refused = askflush_connect(fd, ai);
		close(fd);
	}
	if (ai != NULL)
		freeaddrinfo(ai);
	free(host);
	return refused;
}

void
askflush_file(const struct conf *conf, const char *path)
{
	char *base, *what, *url, err[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURLcode rc;
	CURL *h;

	if (askflush_done || conf->status_listen == NULL)
		return;
	if (askflush_refused(conf->status_listen)) {
		askflush_done = 1; /* no daemon, nothing held */
		return;
	}
	if ((base = askflush_base(conf->status_listen)) == NULL)
		return;
	what = askflush_what(conf, path);
	xasprintf(&url, "%s/api/v1/flush%s", base, what);
	if ((h = curl_easy_init()) == NULL)
		goto out;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ASKFLUSH_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ASKFLUSH_CONNECT_MS);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, askflush_discard_cb);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	/* Nobody listening: no daemon, nothing held. */
	if (rc == CURLE_COULDNT_CONNECT)
		askflush_done = 1;
	else if (rc != CURLE_OK || code != 200) {
		fprintf(stderr,
		    "itfollow: %s: %s (reading the files as they are; values the daemon holds back may be missing)\n",
		    url,
		    rc != CURLE_OK    ? (err[0] ? err : curl_easy_strerror(rc))
		        : code == 404 ? "not served"
		                      : "refused");
		askflush_done = 1;
	}
out:
	free(url);
	free(what);
	free(base);
}
