/*
 * What feeds share: where the input comes from (a URL or a command) and
 * the mapping of names in it to configured systems. Read in a feed's
 * configure(), used in its runs.
 */
#ifndef FEEDSRC_H
#define FEEDSRC_H

#include <stddef.h>
#include <sys/types.h>

#include "fetch.h"
#include "itfollow/collector.h"

struct feedsrc {
	char *url;
	char **argv;
	char **env;
	int set_user;
	uid_t uid;
	gid_t gid;
	char *ca_file;
	int no_verify;
	/* name in the input -> system id */
	char **map_from;
	char **map_to;
	size_t nmap;
	const char *map_key; /* the configuration key of the map */
	/* Auth, when the feed takes it: a bearer token or basic auth. */
	char *token_file;
	char *username;
	char *password_file;
	/* Whose secrets, read through host->secret at each use. */
	const struct itf_host_services *host;
	const struct itf_instance *inst;
};

/* The keys feedsrc_configure reads (for a feed's key table). */
#define FEEDSRC_KEYS                                                        \
	ITF_KEY("url", ITF_KEY_STRING),                                     \
	    ITF_KEY("command", ITF_KEY_STRING_LIST),                        \
	    ITF_KEY("env", ITF_KEY_GROUP), ITF_KEY("user", ITF_KEY_STRING), \
	    ITF_KEY("ca_file", ITF_KEY_STRING),                             \
	    ITF_KEY("tls_verify", ITF_KEY_BOOL)

/* The auth keys feedsrc_configure_auth reads. */
#define FEEDSRC_AUTH_KEYS                        \
	ITF_KEY("token_file", ITF_KEY_STRING),   \
	    ITF_KEY("username", ITF_KEY_STRING), \
	    ITF_KEY("password_file", ITF_KEY_STRING)

/*
 * Read token_file, or username and password_file (each secret file's mode
 * is checked; the secret is read at each use). Returns the number of
 * errors.
 */
int feedsrc_configure_auth(struct feedsrc *, const struct itf_host_services *,
    struct itf_instance *);
/*
 * Put the auth in a fetch's options, the secret read now through the
 * host's secret service (whoever renews the file need not tell us). *secret is the caller's to secret_free()
 * after fetch_start. Returns 0, or -1 with *cause.
 */
int feedsrc_auth(const struct feedsrc *, struct fetch_opts *, char **secret,
    char **cause);

/*
 * Read url or command (exactly one unless optional), env, user, ca_file,
 * tls_verify, and the map of names to systems under map_key (NULL: none);
 * each mapped system must be configured. Returns the number of errors.
 */
int feedsrc_configure(struct feedsrc *, const struct itf_host_services *,
    struct itf_instance *, const char *map_key, int url_optional);
void feedsrc_free(struct feedsrc *);
/* Fill the fetch options of a run (timeout, cap and extras are the
 * caller's). */
void feedsrc_opts(const struct feedsrc *, struct fetch_opts *);
/* s percent-encoded for a URL query or form (RFC 3986 unreserved kept). */
char *feedsrc_escape(const char *s);
/* The system name maps to, or dflt. */
const char *feedsrc_map(const struct feedsrc *, const char *name,
    const char *dflt);

#endif
