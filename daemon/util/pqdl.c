/*
 * libpq loaded on first use (see pqdl.h): dlopen of libpq.so.5 and each
 * function the project calls looked up by name. Until then the frees
 * are no-ops (they only ever see NULL then) and nothing else is called.
 */
#define PQDL_NO_MACROS
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

#include "pqdl.h"
#include "xmalloc.h"

static void
pqdl_nofree(void *p)
{
	(void)p;
}

static void
pqdl_nofinish(PGconn *conn)
{
	(void)conn;
}

static void
pqdl_noclear(PGresult *res)
{
	(void)res;
}

static void
pqdl_noconninfo_free(PQconninfoOption *opts)
{
	(void)opts;
}

struct pqdl pqdl_fn = {
	.clear = pqdl_noclear,
	.conninfo_free = pqdl_noconninfo_free,
	.finish = pqdl_nofinish,
	.freemem = pqdl_nofree,
};

static pthread_mutex_t pqdl_lock = PTHREAD_MUTEX_INITIALIZER;
static int pqdl_state; /* 0 not tried, 1 loaded, -1 failed */
static char *pqdl_cause;

/* Each function by its name, where it is stored in pqdl_fn. */
#define PQDL_SYM(f, name)                         \
	{                                         \
		(void **)(void *)&pqdl_fn.f, name \
	}
static const struct {
	void **slot;
	const char *name;
} pqdl_syms[] = {
	PQDL_SYM(clear, "PQclear"),
	PQDL_SYM(cmd_tuples, "PQcmdTuples"),
	PQDL_SYM(connectdb_params, "PQconnectdbParams"),
	PQDL_SYM(conninfo_free, "PQconninfoFree"),
	PQDL_SYM(conninfo_parse, "PQconninfoParse"),
	PQDL_SYM(error_message, "PQerrorMessage"),
	PQDL_SYM(exec, "PQexec"),
	PQDL_SYM(exec_params, "PQexecParams"),
	PQDL_SYM(exec_prepared, "PQexecPrepared"),
	PQDL_SYM(finish, "PQfinish"),
	PQDL_SYM(freemem, "PQfreemem"),
	PQDL_SYM(getisnull, "PQgetisnull"),
	PQDL_SYM(getvalue, "PQgetvalue"),
	PQDL_SYM(ntuples, "PQntuples"),
	PQDL_SYM(prepare, "PQprepare"),
	PQDL_SYM(result_error_message, "PQresultErrorMessage"),
	PQDL_SYM(result_status, "PQresultStatus"),
	PQDL_SYM(set_notice_processor, "PQsetNoticeProcessor"),
	PQDL_SYM(status, "PQstatus"),
};
#define PQDL_NSYMS (sizeof pqdl_syms / sizeof pqdl_syms[0])

/* dlopen and look every function up: 1, or -1 with pqdl_cause. */
static int
pqdl_open(void)
{
	void *h, *f[PQDL_NSYMS];
	size_t i;

	if ((h = dlopen(PQDL_LIBRARY, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		xasprintf(&pqdl_cause,
		    "cannot load %s, PostgreSQL's client library (Debian package libpq5), which a PostgreSQL journal needs: %s",
		    PQDL_LIBRARY, dlerror());
		return -1;
	}
	for (i = 0; i < PQDL_NSYMS; i++) {
		if ((f[i] = dlsym(h, pqdl_syms[i].name)) == NULL) {
			xasprintf(&pqdl_cause, "%s has no %s: %s", PQDL_LIBRARY,
			    pqdl_syms[i].name, dlerror());
			return -1; /* h stays open: harmless, and dlerror's */
		}
	}
	/* All or nothing: the frees stay no-ops if one is missing. */
	for (i = 0; i < PQDL_NSYMS; i++)
		*pqdl_syms[i].slot = f[i];
	return 1;
}

int
pqdl_load(char **cause)
{
	pthread_mutex_lock(&pqdl_lock);
	if (pqdl_state == 0)
		pqdl_state = pqdl_open();
	pthread_mutex_unlock(&pqdl_lock);
	if (pqdl_state == 1)
		return 0;
	if (cause != NULL)
		*cause = xstrdup(pqdl_cause);
	return -1;
}
