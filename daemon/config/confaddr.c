/*
 * The addresses the configuration names, checked as they are read and
 * without connecting (for -n and the tool): rrdcached's (store.rrdcached)
 * and PostgreSQL's connection string (store.journal), as libpq parses it
 * (loaded then, pqdl.h: a configuration without one never loads it).
 */
#include <stdlib.h>
#include <string.h>

#include "confaddr.h"
#include "pqdl.h"
#include "xmalloc.h"

int
confaddr_rrdcached(const char *addr)
{
	const char *colon;
	char *end;
	long port;

	if (strncmp(addr, "unix:", 5) == 0)
		return addr[5] == '/';
	if (addr[0] == '/')
		return 1;
	if ((colon = strrchr(addr, ':')) == NULL || colon == addr)
		return 0;
	port = strtol(colon + 1, &end, 10);
	return *end == '\0' && port >= 1 && port <= 65535;
}

int
confaddr_is_pg(const char *s)
{
	return strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0 || strchr(s, '=') != NULL;
}

int
confaddr_pg_check(const char *s, char **cause)
{
	PQconninfoOption *opts, *o;
	char *err = NULL;
	int rc = 0;

	if (pqdl_load(cause) != 0)
		return -1;
	if ((opts = PQconninfoParse(s, &err)) == NULL) {
		if (err != NULL)
			xasprintf(cause, "%.*s", (int)strcspn(err, "\n"), err);
		else
			xasprintf(cause, "out of memory");
		PQfreemem(err);
		return -1;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    o->val[0] != '\0') {
			xasprintf(cause,
			    "it holds a password: put it in journal_password_file instead");
			rc = -1;
		}
	}
	PQconninfoFree(opts);
	return rc;
}
