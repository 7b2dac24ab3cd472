/*
 * libpq, loaded when it is first needed (dlopen of libpq.so.5), not
 * linked: only a PostgreSQL journal needs it, and loading it with the
 * libraries it pulls in (Kerberos, LDAP, ...) at every start cost the
 * tool a good part of a one-graph command. A file that includes this
 * header calls PQ* as always: each name below is a macro for the
 * function loaded. pqdl_load must have succeeded before any call but the
 * frees (PQfinish, PQclear, PQfreemem, PQconninfoFree), which are safe
 * on NULL before it. The daemon links libpq as well (the package depends
 * on it); dlopen then finds it loaded.
 */
#ifndef PQDL_H
#define PQDL_H

#include <libpq-fe.h>

/* Which library (a test builds pqdl.c with a name that is not there). */
#ifndef PQDL_LIBRARY
#define PQDL_LIBRARY "libpq.so.5"
#endif

/* The libpq functions the project uses, loaded by pqdl_load. */
struct pqdl {
	__typeof__(PQclear) *clear;
	__typeof__(PQcmdTuples) *cmd_tuples;
	__typeof__(PQconnectdbParams) *connectdb_params;
	__typeof__(PQconninfoFree) *conninfo_free;
	__typeof__(PQconninfoParse) *conninfo_parse;
	__typeof__(PQerrorMessage) *error_message;
	__typeof__(PQexec) *exec;
	__typeof__(PQexecParams) *exec_params;
	__typeof__(PQexecPrepared) *exec_prepared;
	__typeof__(PQfinish) *finish;
	__typeof__(PQfreemem) *freemem;
	__typeof__(PQgetisnull) *getisnull;
	__typeof__(PQgetvalue) *getvalue;
	__typeof__(PQntuples) *ntuples;
	__typeof__(PQprepare) *prepare;
	__typeof__(PQresultErrorMessage) *result_error_message;
	__typeof__(PQresultStatus) *result_status;
	__typeof__(PQsetNoticeProcessor) *set_notice_processor;
	__typeof__(PQstatus) *status;
};
extern struct pqdl pqdl_fn;

/*
 * Load libpq once (later calls return what the first found): 0, or -1
 * with *cause (when cause is not NULL; caller frees) naming the library
 * and why it could not be loaded.
 */
int pqdl_load(char **cause);

#ifndef PQDL_NO_MACROS
#define PQclear (pqdl_fn.clear)
#define PQcmdTuples (pqdl_fn.cmd_tuples)
#define PQconnectdbParams (pqdl_fn.connectdb_params)
#define PQconninfoFree (pqdl_fn.conninfo_free)
#define PQconninfoParse (pqdl_fn.conninfo_parse)
#define PQerrorMessage (pqdl_fn.error_message)
#define PQexec (pqdl_fn.exec)
#define PQexecParams (pqdl_fn.exec_params)
#define PQexecPrepared (pqdl_fn.exec_prepared)
#define PQfinish (pqdl_fn.finish)
#define PQfreemem (pqdl_fn.freemem)
#define PQgetisnull (pqdl_fn.getisnull)
#define PQgetvalue (pqdl_fn.getvalue)
#define PQntuples (pqdl_fn.ntuples)
#define PQprepare (pqdl_fn.prepare)
#define PQresultErrorMessage (pqdl_fn.result_error_message)
#define PQresultStatus (pqdl_fn.result_status)
#define PQsetNoticeProcessor (pqdl_fn.set_notice_processor)
#define PQstatus (pqdl_fn.status)
#endif

#endif
