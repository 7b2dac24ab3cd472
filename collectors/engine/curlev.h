/*
 * The libcurl engine: one curl multi handle driven by the daemon's libevent
 * base (socket and timer callbacks, as in curl's hiperfifo example). HTTP
 * probes and feed fetches add easy handles here; the loop never blocks.
 */
#ifndef CURLEV_H
#define CURLEV_H

#include <curl/curl.h>

struct event_base;

/* Called when a transfer ends; the easy handle is the callee's again. */
typedef void (*curlev_done_cb)(CURL *easy, CURLcode rc, void *arg);

/*
 * A handle for one transfer, reset, from the engine's idle ones or new, with
 * its error buffer (CURLOPT_ERRORBUFFER, emptied) in *errbuf; NULL when curl
 * could not make one. Give it back with curlev_easy_release once its
 * transfer has ended or been removed: probes start a thousand transfers a
 * second, and a handle kept for the next saves curl building one anew.
 */
CURL *curlev_easy(char **errbuf);
void curlev_easy_release(CURL *easy);

/*
 * A transfer that carries a secret (basic or bearer credentials, a token
 * request's body) stays on the origin of its URL: a redirect to another
 * scheme, host or port is refused before anything is sent there, and the
 * transfer ends in CURLE_ABORTED_BY_CALLBACK with pin->refused set and
 * pin->to naming where it was sent. pin is the caller's and must outlive
 * the transfer; it is set up by curlev_pin (with the transfer's URL) and
 * needs no freeing.
 */
struct curlev_pin {
	CURL *easy;
	char url[1024]; /* the origin's URL, as given */
	int refused;
	char to[256]; /* the other origin, when refused */
};
void curlev_pin(CURL *easy, struct curlev_pin *pin, const char *url);
/* 1 if the URLs have one origin: scheme, host and port (default ports
 * filled in, names compared without case); 0 if not or unparsable. */
int curlev_same_origin(const char *a, const char *b);

/* Start a transfer. Returns 0, or -1 when curl refused it. */
int curlev_add(struct event_base *, CURL *easy, curlev_done_cb, void *arg);
/* Abandon a transfer without calling its callback. */
void curlev_remove(CURL *easy);
/* Transfers in flight. */
unsigned curlev_running(void);
/* Free the engine (no transfer may be in flight). */
void curlev_shutdown(void);

#endif
