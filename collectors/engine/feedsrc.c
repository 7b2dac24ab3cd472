/*
 * Feed sources and name maps, shared by the feed collectors.
 */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feedsrc.h"
#include "secret.h"
#include "xmalloc.h"

#define FEEDSRC_USER "nobody"
#define FEEDSRC_PATH "PATH=/usr/local/bin:/usr/bin:/bin"

static char **
feedsrc_strv(const char *const *v, size_t n)
{
	char **c;
	size_t i;

	c = xcalloc(n + 1, sizeof *c);
	for (i = 0; i < n; i++)
		c[i] = xstrdup(v[i]);
	return c;
}

static void
feedsrc_strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static int
feedsrc_command(struct feedsrc *fs, const struct itf_host_services *host,
    struct itf_instance *inst, const char *const *list, size_t n)
{
	const char *const *names, *const *values, *user = FEEDSRC_USER;
	struct passwd *pw;
	size_t i, k = 0, nenv = 0;
	int errors = 0, path = 0;

	if (n == 0 || list[0][0] != '/') {
		host->conf_error(inst, "command",
		    "the command must start with the program's absolute path");
		return 1;
	}
	if (access(list[0], X_OK) != 0) {
		host->conf_error(inst, "command", "%s: %s", list[0],
		    strerror(errno));
		errors++;
	}
	fs->argv = feedsrc_strv(list, n);
	if (!host->conf_pairs(inst, "env", &names, &values, &nenv))
		nenv = 0;
	fs->env = xcalloc(nenv + 2, sizeof *fs->env);
	for (i = 0; i < nenv; i++) {
		path |= strcmp(names[i], "PATH") == 0;
		xasprintf(&fs->env[k++], "%s=%s", names[i], values[i]);
	}
	if (!path)
		fs->env[k++] = xstrdup(FEEDSRC_PATH);
	host->conf_string(inst, "user", &user);
	if (geteuid() == 0) {
		if ((pw = getpwnam(user)) == NULL || pw->pw_uid == 0) {
			host->conf_error(inst, "user",
			    "no non-root user \"%s\"", user);
			errors++;
		} else {
			fs->set_user = 1;
			fs->uid = pw->pw_uid;
			fs->gid = pw->pw_gid;
		}
	}
	return errors;
}

int
feedsrc_configure(struct feedsrc *fs, const struct itf_host_services *host,
    struct itf_instance *inst, const char *map_key, int url_optional)
{
	const char *url = NULL, *s, *const * list, *const * from, *const * to;
	size_t n = 0, i;
	int errors = 0, has_cmd, b;

	memset(fs, 0, sizeof *fs);
	fs->map_key = map_key;
	host->conf_string(inst, "url", &url);
	has_cmd = host->conf_strings(inst, "command", &list, &n);
	if (url != NULL && has_cmd) {
		host->conf_error(inst, "command",
		    "give \"url\" or \"command\", not both");
		errors++;
	} else if (url != NULL) {
		if (!fetch_url_valid(url)) {
			host->conf_error(inst, "url",
			    "url \"%s\" is not file://, http:// or https://",
			    url);
			errors++;
		} else
			fs->url = xstrdup(url);
	} else if (has_cmd)
		errors += feedsrc_command(fs, host, inst, list, n);
	else if (!url_optional) {
		host->conf_error(inst, NULL, "give \"url\" or \"command\"");
		errors++;
	}
	if (host->conf_string(inst, "ca_file", &s))
		fs->ca_file = xstrdup(s);
	if (host->conf_bool(inst, "tls_verify", &b))
		fs->no_verify = !b;
	if (map_key != NULL &&
	    host->conf_pair_list(inst, map_key, &from, &to, &n)) {
		fs->map_from = xcalloc(n + 1, sizeof *fs->map_from);
		fs->map_to = xcalloc(n + 1, sizeof *fs->map_to);
		for (i = 0; i < n; i++) {
			if (!host->system_exists(inst, to[i])) {
				host->conf_error(inst, map_key,
				    "\"%s\" maps to \"%s\", which is not a configured system",
				    from[i], to[i]);
				errors++;
				continue;
			}
			fs->map_from[fs->nmap] = xstrdup(from[i]);
			fs->map_to[fs->nmap++] = xstrdup(to[i]);
		}
	}
	return errors;
}

int
feedsrc_configure_auth(struct feedsrc *fs, const struct itf_host_services *host,
    struct itf_instance *inst)
{
	const char *s, *file;
	char *cause = NULL;
	int errors = 0;

	fs->host = host;
	fs->inst = inst;
	if (host->conf_string(inst, "token_file", &s))
		fs->token_file = xstrdup(s);
	if (host->conf_string(inst, "username", &s))
		fs->username = xstrdup(s);
	if (host->conf_string(inst, "password_file", &s))
		fs->password_file = xstrdup(s);
	if ((fs->username == NULL) != (fs->password_file == NULL)) {
		host->conf_error(inst, "username",
		    "basic auth needs \"username\" and \"password_file\"");
		errors++;
	}
	file = fs->token_file != NULL ? fs->token_file : fs->password_file;
	if (file != NULL) {
		/* Only its mode: the secret is read at each use. */
		if (secret_check(file, &cause) != 0) {
			host->conf_error(inst,
			    fs->token_file != NULL ? "token_file"
			                           : "password_file",
			    "%s", cause);
			free(cause);
			errors++;
		}
	}
	return errors;
}

int
feedsrc_auth(const struct feedsrc *fs, struct fetch_opts *o, char **secret,
    char **cause)
{
	*secret = NULL;
	if (fs->token_file == NULL && fs->password_file == NULL)
		return 0;
	*secret = fs->host->secret(fs->inst,
	    fs->token_file != NULL ? fs->token_file : fs->password_file, cause);
	if (*secret == NULL)
		return -1;
	if (fs->token_file != NULL)
		o->bearer = *secret;
	else {
		o->username = fs->username;
		o->password = *secret;
	}
	return 0;
}

void
feedsrc_free(struct feedsrc *fs)
{
	size_t i;

	free(fs->token_file);
	free(fs->username);
	free(fs->password_file);
	free(fs->url);
	feedsrc_strv_free(fs->argv);
	feedsrc_strv_free(fs->env);
	free(fs->ca_file);
	for (i = 0; i < fs->nmap; i++) {
		free(fs->map_from[i]);
		free(fs->map_to[i]);
	}
	free(fs->map_from);
	free(fs->map_to);
	memset(fs, 0, sizeof *fs);
}

void
feedsrc_opts(const struct feedsrc *fs, struct fetch_opts *o)
{
	o->url = fs->url;
	o->argv = (const char *const *)fs->argv;
	o->env = (const char *const *)fs->env;
	o->set_user = fs->set_user;
	o->uid = fs->uid;
	o->gid = fs->gid;
	o->ca_file = fs->ca_file;
	o->no_verify = fs->no_verify;
}

const char *
feedsrc_map(const struct feedsrc *fs, const char *name, const char *dflt)
{
	size_t i;

	for (i = 0; i < fs->nmap; i++) {
		if (strcmp(fs->map_from[i], name) == 0)
			return fs->map_to[i];
	}
	return dflt;
}

char *
feedsrc_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out, *p;

	p = out = xmalloc(strlen(s) * 3 + 1);
	for (; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-._~", *s) != NULL)
			*p++ = *s;
		else {
			*p++ = '%';
			*p++ = hex[(unsigned char)*s >> 4];
			*p++ = hex[(unsigned char)*s & 15];
		}
	}
	*p = '\0';
	return out;
}
