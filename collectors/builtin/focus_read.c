/*
 * The worker of a FOCUS feed run. The loop makes a job (a copy of what
 * the run needs), a pipe and a detached thread; the thread reads, parses
 * and sums, then writes 'd' to the pipe and the loop calls done. A stream
 * (an http(s) body) comes through a queue the loop fills: over
 * FOCUS_QUEUE_HIGH bytes the loop is told to pause the transfer, and the
 * worker writes 'r' when it has drained to FOCUS_QUEUE_LOW. The job is
 * freed by whichever of the two lets go of it last; a released job's
 * worker stops at its next chunk.
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "focus_input.h"
#include "focus_read.h"
#include "focus_state.h"
#include "ident.h"
#include "parse_focus.h"
#include "xmalloc.h"

#define FOCUS_CHUNK (1024 * 1024)
#define FOCUS_QUEUE_HIGH (8 * 1024 * 1024)
#define FOCUS_QUEUE_LOW (2 * 1024 * 1024)
/* Messages of one kind kept per file. */
#define FOCUS_MAX_LOGGED 10

struct focus_chunk {
	struct focus_chunk *next;
	size_t len;
	char data[];
};

struct focus_job {
	/* The run's settings (copies). */
	char *path, *name, *cost_column, *system_key, *currency;
	char **map_from, **map_to, **systems, *state_path;
	size_t nmap, nsystems;

	struct event *ev;
	int fds[2];
	int refs; /* loop and worker */
	int released; /* the loop let go: stop */
	focus_job_cb done;
	void *arg;
	void (*resume)(void *);
	void *resume_arg;

	/* The stream: chunks from the loop. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct focus_chunk *head, **tail;
	size_t queued;
	int paused, ended;
	enum itf_reason end_reason;
	char *end_error;

	/* The worker's. */
	struct focus_result res;
	struct parse_focus *parser;
	const char *file; /* the name of the file being read */
	char prefix[300]; /* "NAME: " in a directory's messages, else "" */
	size_t file_index;
	size_t logged; /* messages of the file so far */
	int said_no_bp;
	char *currency_from; /* "FILE row N" that set the currency */
	struct focus_route {
		char *key;
		size_t sys;
	} * routes;
	size_t nroutes, routes_cap;
	size_t unallocated;
};

static void focus_job_unref(struct focus_job *);

static void focus_job_log(struct focus_job *, enum itf_log_level, const char *,
    ...) __attribute__((format(printf, 3, 4)));

static void
focus_job_log(struct focus_job *j, enum itf_log_level level, const char *fmt,
    ...)
{
	struct focus_result *r = &j->res;
	va_list ap;

	r->logs = xreallocarray(r->logs, r->nlogs + 1, sizeof *r->logs);
	r->logs[r->nlogs].level = level;
	va_start(ap, fmt);
	if (vasprintf(&r->logs[r->nlogs].text, fmt, ap) == -1)
		r->logs[r->nlogs].text = xstrdup("");
	va_end(ap);
	r->nlogs++;
}

/* The run fails: nothing is stored. The first failure is the one told. */
static void focus_job_fail(struct focus_job *, enum itf_reason, const char *,
    ...) __attribute__((format(printf, 3, 4)));

static void
focus_job_fail(struct focus_job *j, enum itf_reason reason, const char *fmt,
    ...)
{
	va_list ap;

	if (j->res.msg != NULL)
		return;
	j->res.ok = 0;
	j->res.reason = reason;
	va_start(ap, fmt);
	if (vasprintf(&j->res.msg, fmt, ap) == -1)
		j->res.msg = xstrdup("failed");
	va_end(ap);
}

static int
focus_job_stopped(struct focus_job *j)
{
	return j->res.msg != NULL ||
	    __atomic_load_n(&j->released, __ATOMIC_ACQUIRE);
}

static uint32_t
focus_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
focus_routes_grow(struct focus_job *j)
{
	struct focus_route *old = j->routes;
	size_t oldcap = j->routes_cap, i, b;

	j->routes_cap = oldcap ? oldcap * 2 : 1024;
	j->routes = xcalloc(j->routes_cap, sizeof *j->routes);
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		b = focus_hash(old[i].key) & (j->routes_cap - 1);
		while (j->routes[b].key != NULL)
			b = (b + 1) & (j->routes_cap - 1);
		j->routes[b] = old[i];
	}
	free(old);
}

static int
focus_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The system a key names: map, a configured system, or unallocated. */
static const char *
focus_system_of(const struct focus_job *j, const char *key)
{
	size_t i;

	for (i = 0; i < j->nmap; i++) {
		if (strcmp(j->map_from[i], key) == 0)
			return j->map_to[i];
	}
	if (ident_valid(key) &&
	    bsearch(&key, j->systems, j->nsystems, sizeof *j->systems,
	        focus_cmp_str) != NULL)
		return key;
	return "unallocated";
}

/* Where a row's key goes; each distinct key is worked out once a run. */
static size_t
focus_route(struct focus_job *j, const char *key)
{
	size_t b;

	if (key == NULL || *key == '\0')
		return j->unallocated;
	if (j->nroutes * 2 >= j->routes_cap)
		focus_routes_grow(j);
	b = focus_hash(key) & (j->routes_cap - 1);
	for (; j->routes[b].key != NULL; b = (b + 1) & (j->routes_cap - 1)) {
		if (strcmp(j->routes[b].key, key) == 0)
			return j->routes[b].sys;
	}
	j->routes[b].key = xstrdup(key);
	j->routes[b].sys =
	    focus_sum_system(j->res.sum, focus_system_of(j, key));
	j->nroutes++;
	return j->routes[b].sys;
}

/* One currency for the whole feed: 0, or -1 (the run fails). */
static int
focus_currency(struct focus_job *j, const struct parse_focus_row *r)
{
	if (r->currency[0] == '\0')
		return 0;
	if (strlen(r->currency) > 16 ||
	    strspn(r->currency,
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
	        strlen(r->currency)) {
		focus_job_fail(j, ITF_REASON_PARSE_ERROR,
		    "%srow %zu: BillingCurrency is not a currency code",
		    j->prefix, r->row);
		return -1;
	}
	if (j->res.currency == NULL) {
		if (j->currency != NULL && strcmp(j->currency, r->currency)) {
			focus_job_fail(j, ITF_REASON_PARSE_ERROR,
			    "%srow %zu: BillingCurrency %s, not %s as configured (currency)",
			    j->prefix, r->row, r->currency, j->currency);
			return -1;
		}
		j->res.currency = xstrdup(r->currency);
		xasprintf(&j->currency_from, "%s%srow %zu",
		    *j->prefix ? j->file : "", *j->prefix ? " " : "", r->row);
		return 0;
	}
	if (strcmp(j->res.currency, r->currency) == 0)
		return 0;
	if (j->currency != NULL)
		focus_job_fail(j, ITF_REASON_PARSE_ERROR,
		    "%srow %zu: BillingCurrency %s, not %s as configured (currency)",
		    j->prefix, r->row, r->currency, j->currency);
	else
		focus_job_fail(j, ITF_REASON_PARSE_ERROR,
		    "%srow %zu: BillingCurrency %s, not %s as in %s: a feed's rows must be in one currency",
		    j->prefix, r->row, r->currency, j->res.currency,
		    j->currency_from);
	return -1;
}

static void
focus_row_cb(const struct parse_focus_row *r, void *arg)
{
	struct focus_job *j = arg;
	struct focus_sum_row sr;
	long long days;
	int rc;

	if (j->res.msg != NULL || focus_currency(j, r) != 0)
		return;
	if (!r->has_bp && !j->said_no_bp) {
		j->said_no_bp = 1;
		focus_job_log(j, *j->prefix ? ITF_LOG_WARNING : ITF_LOG_INFO,
		    "%sno BillingPeriodStart column: its rows are a delivery of their own, which no other file replaces",
		    j->prefix);
	}
	memset(&sr, 0, sizeof sr);
	sr.file = j->file_index;
	sr.sys = focus_route(j, r->key);
	sr.has_bp = r->has_bp;
	sr.bp_start = r->bp_start;
	sr.bp_end = r->bp_end;
	sr.start = r->start;
	sr.end = r->end;
	sr.micros = r->micros;
	if ((rc = focus_sum_add(j->res.sum, &sr, &days)) != 0) {
		j->res.rejected++;
		if (j->logged++ < FOCUS_MAX_LOGGED)
			focus_job_log(j, ITF_LOG_WARNING,
			    "%srow %zu: a %s period of %lld days: rejected",
			    j->prefix, r->row, rc == -2 ? "billing" : "charge",
			    days);
		return;
	}
	j->res.rows++;
}

/* Bytes of the current file, after any gzip (the decoder's callback). */
static void
focus_parse_cb(const char *buf, size_t len, void *arg)
{
	struct focus_job *j = arg;

	if (j->res.msg == NULL)
		parse_focus_feed(j->parser, buf, len);
}

/* A decoder's failure (rc -1, *cause set) fails the run, naming the file. */
static int
focus_decoded(struct focus_job *j, int rc, char **cause)
{
	if (rc != 0) {
		focus_job_fail(j, ITF_REASON_PARSE_ERROR, "%s: %s", j->file,
		    *cause);
		free(*cause);
		*cause = NULL;
	}
	return rc;
}

/* Start a file: a parser of its own. in_dir: name it in messages. */
static void
focus_file_begin(struct focus_job *j, const char *name, long long mtime,
    int in_dir)
{
	j->file = name;
	snprintf(j->prefix, sizeof j->prefix, "%s%s", in_dir ? name : "",
	    in_dir ? ": " : "");
	j->file_index = focus_sum_file(j->res.sum, name, mtime);
	j->logged = 0;
	j->said_no_bp = 0;
	j->parser =
	    parse_focus_new(j->cost_column, j->system_key, focus_row_cb, j);
}

/* A file's end: its header problems fail the run; its row errors are
 * told. */
static void
focus_file_end(struct focus_job *j)
{
	char *cause = NULL, *const * errors;
	size_t n, i;

	if (j->res.msg == NULL && parse_focus_finish(j->parser, &cause) != 0) {
		focus_job_fail(j, ITF_REASON_PARSE_ERROR, "%snot FOCUS: %s",
		    j->prefix, cause);
		free(cause);
	}
	errors = parse_focus_errors(j->parser, &n);
	for (i = 0; i < n && i < FOCUS_MAX_LOGGED; i++)
		focus_job_log(j, ITF_LOG_WARNING, "%s%s", j->prefix, errors[i]);
	j->res.rejected += parse_focus_rejected(j->parser);
	if (j->res.msg == NULL)
		focus_job_log(j, ITF_LOG_INFO, "%s%zu rows, %zu rejected",
		    j->prefix, parse_focus_rows(j->parser),
		    parse_focus_rejected(j->parser));
	j->res.files++;
	parse_focus_free(j->parser);
	j->parser = NULL;
}

static void
focus_read_file(struct focus_job *j, const struct focus_input *f, int in_dir)
{
	struct focus_decoder d;
	char *buf, *cause = NULL;
	ssize_t n;
	int fd;

	if ((fd = open(f->path, O_RDONLY | O_CLOEXEC)) == -1) {
		focus_job_fail(j, ITF_REASON_CONNECT, "%s: %s", f->name,
		    strerror(errno));
		return;
	}
	focus_file_begin(j, f->name, f->mtime, in_dir);
	focus_decoder_init(&d, focus_parse_cb, j);
	buf = xmalloc(FOCUS_CHUNK);
	while (!focus_job_stopped(j)) {
		if ((n = read(fd, buf, FOCUS_CHUNK)) < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			focus_job_fail(j, ITF_REASON_RECV, "%s: %s", f->name,
			    strerror(errno));
			break;
		}
		if (n == 0 ||
		    focus_decoded(j,
		        focus_decoder_feed(&d, buf, (size_t)n, &cause),
		        &cause) != 0)
			break;
	}
	free(buf);
	close(fd);
	if (!focus_job_stopped(j))
		focus_decoded(j, focus_decoder_end(&d, &cause), &cause);
	focus_decoder_free(&d);
	focus_file_end(j);
}

/* A local file, or every input below a directory, by name. */
static void
focus_read_local(struct focus_job *j)
{
	struct focus_input *v;
	char *cause = NULL;
	size_t n, i;
	int is_dir;

	if (focus_inputs(j->path, &v, &n, &is_dir, &cause) != 0) {
		focus_job_fail(j, ITF_REASON_CONNECT, "%s", cause);
		free(cause);
		return;
	}
	for (i = 0; i < n && !focus_job_stopped(j); i++)
		focus_read_file(j, &v[i], is_dir);
	focus_inputs_free(v, n);
}

/* Worker: wake the loop (c 'd': done, 'r': feed me again). */
static void
focus_job_poke(struct focus_job *j, char c)
{
	while (write(j->fds[1], &c, 1) != 1 && errno == EINTR)
		;
}

/* The stream's next chunk, waited for; NULL at its end. */
static struct focus_chunk *
focus_job_next(struct focus_job *j)
{
	struct focus_chunk *c;
	int poke = 0;

	pthread_mutex_lock(&j->lock);
	while (j->head == NULL && !j->ended &&
	    !__atomic_load_n(&j->released, __ATOMIC_ACQUIRE))
		pthread_cond_wait(&j->cond, &j->lock);
	if ((c = j->head) != NULL) {
		if ((j->head = c->next) == NULL)
			j->tail = &j->head;
		j->queued -= c->len;
		if (j->paused && j->queued <= FOCUS_QUEUE_LOW) {
			j->paused = 0;
			poke = 1;
		}
	}
	pthread_mutex_unlock(&j->lock);
	if (poke)
		focus_job_poke(j, 'r');
	return c;
}

static void
focus_read_stream(struct focus_job *j)
{
	struct focus_decoder d;
	struct focus_chunk *c;
	char *cause = NULL;

	focus_file_begin(j, j->name, 0, 0);
	focus_decoder_init(&d, focus_parse_cb, j);
	while (!focus_job_stopped(j) && (c = focus_job_next(j)) != NULL) {
		focus_decoded(j,
		    focus_decoder_feed(&d, c->data, c->len, &cause), &cause);
		free(c);
	}
	pthread_mutex_lock(&j->lock);
	if (j->end_error != NULL)
		focus_job_fail(j, j->end_reason, "%s: %s", j->name,
		    j->end_error);
	pthread_mutex_unlock(&j->lock);
	if (!focus_job_stopped(j))
		focus_decoded(j, focus_decoder_end(&d, &cause), &cause);
	focus_decoder_free(&d);
	focus_file_end(j);
}

static void
focus_note_cb(long long bp, const char *taken, const char *left, void *arg)
{
	struct focus_job *j = arg;
	char day[16];
	time_t t = (time_t)bp;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(day, sizeof day, "%Y-%m-%d", &tm);
	focus_job_log(j, ITF_LOG_NOTICE,
	    "billing period from %s: %s replaces %s", day, taken, left);
}

static void
focus_job_finish(struct focus_job *j)
{
	struct focus_state st;
	char *cause = NULL;
	size_t i;

	if (focus_sum_select(j->res.sum, focus_note_cb, j, &cause) != 0) {
		focus_job_fail(j, ITF_REASON_PARSE_ERROR, "%s", cause);
		free(cause);
		return;
	}
	focus_state_load(j->state_path, &st);
	for (i = 0; i < focus_sum_nsystems(j->res.sum); i++)
		focus_state_add(&st, focus_sum_system_id(j->res.sum, i));
	if (j->res.currency == NULL && st.currency != NULL)
		j->res.currency = xstrdup(st.currency);
	if (j->res.currency == NULL && j->currency != NULL)
		j->res.currency = xstrdup(j->currency);
	free(st.currency);
	st.currency = j->res.currency ? xstrdup(j->res.currency) : NULL;
	free(st.basis);
	st.basis = xstrdup(j->cost_column);
	if (j->state_path != NULL &&
	    focus_state_save(j->state_path, &st, &cause) != 0) {
		focus_job_log(j, ITF_LOG_WARNING, "%s", cause);
		free(cause);
	}
	j->res.known = st.systems;
	j->res.nknown = st.nsystems;
	st.systems = NULL;
	st.nsystems = 0;
	focus_state_free(&st);
}

static void *
focus_job_thread(void *arg)
{
	struct focus_job *j = arg;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	j->res.ok = 1;
	j->res.sum = focus_sum_new();
	j->unallocated = focus_sum_system(j->res.sum, "unallocated");
	if (j->path != NULL)
		focus_read_local(j);
	else
		focus_read_stream(j);
	if (!focus_job_stopped(j) && j->res.rows > 0)
		focus_job_finish(j);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	j->res.seconds = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (!__atomic_load_n(&j->released, __ATOMIC_ACQUIRE))
		focus_job_poke(j, 'd');
	focus_job_unref(j);
	return NULL;
}

/* Loop: the worker poked. */
static void
focus_job_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct focus_job *j = arg;
	char c[16];
	ssize_t n, i;

	while ((n = read(fd, c, sizeof c)) > 0) {
		for (i = 0; i < n; i++) {
			if (c[i] == 'r' && j->resume != NULL)
				j->resume(j->resume_arg);
			else if (c[i] == 'd') {
				j->done(j, j->arg); /* may release j */
				return;
			}
		}
	}
}

static char **
focus_copy_strings(const char *const *v, size_t n)
{
	char **out = xcalloc(n + 1, sizeof *out);
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static char *
focus_strdup_opt(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
focus_job_copy(struct focus_job *j, const struct focus_job_conf *c)
{
	j->path = focus_strdup_opt(c->path);
	j->name = xstrdup(c->name != NULL ? c->name : "");
	j->cost_column = xstrdup(c->cost_column);
	j->system_key = xstrdup(c->system_key);
	j->currency = focus_strdup_opt(c->currency);
	j->state_path = focus_strdup_opt(c->state_path);
	j->map_from = focus_copy_strings(c->map_from, c->nmap);
	j->map_to = focus_copy_strings(c->map_to, c->nmap);
	j->nmap = c->nmap;
	j->systems = focus_copy_strings(c->systems, c->nsystems);
	j->nsystems = c->nsystems;
	qsort(j->systems, j->nsystems, sizeof *j->systems, focus_cmp_str);
}

static void
focus_strings_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

static void
focus_job_free(struct focus_job *j)
{
	struct focus_chunk *c;
	size_t i;

	while ((c = j->head) != NULL) {
		j->head = c->next;
		free(c);
	}
	free(j->path);
	free(j->name);
	free(j->cost_column);
	free(j->system_key);
	free(j->currency);
	free(j->state_path);
	focus_strings_free(j->map_from, j->nmap);
	focus_strings_free(j->map_to, j->nmap);
	focus_strings_free(j->systems, j->nsystems);
	free(j->end_error);
	free(j->currency_from);
	for (i = 0; i < j->routes_cap; i++)
		free(j->routes[i].key);
	free(j->routes);
	parse_focus_free(j->parser);
	focus_sum_free(j->res.sum);
	free(j->res.msg);
	free(j->res.currency);
	focus_strings_free(j->res.known, j->res.nknown);
	for (i = 0; i < j->res.nlogs; i++)
		free(j->res.logs[i].text);
	free(j->res.logs);
	close(j->fds[0]);
	close(j->fds[1]);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j);
}

static void
focus_job_unref(struct focus_job *j)
{
	if (__atomic_sub_fetch(&j->refs, 1, __ATOMIC_ACQ_REL) == 0)
		focus_job_free(j);
}

struct focus_job *
focus_job_start(struct event_base *base, const struct focus_job_conf *c,
    focus_job_cb done, void *arg, char **cause)
{
	struct focus_job *j = xcalloc(1, sizeof *j);
	pthread_attr_t attr;
	pthread_t t;

	j->done = done;
	j->arg = arg;
	j->tail = &j->head;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	focus_job_copy(j, c);
	if (pipe2(j->fds, O_CLOEXEC | O_NONBLOCK) != 0) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		j->fds[0] = j->fds[1] = -1;
		focus_job_free(j);
		return NULL;
	}
	j->ev = event_new(base, j->fds[0], EV_READ | EV_PERSIST,
	    focus_job_read_cb, j);
	event_add(j->ev, NULL);
	j->refs = 2;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, focus_job_thread, j) != 0) {
		pthread_attr_destroy(&attr);
		xasprintf(cause, "cannot start a thread");
		event_free(j->ev);
		focus_job_free(j);
		return NULL;
	}
	pthread_attr_destroy(&attr);
	return j;
}

int
focus_job_feed(struct focus_job *j, const char *buf, size_t len)
{
	struct focus_chunk *c;
	int full;

	pthread_mutex_lock(&j->lock);
	full = j->queued >= FOCUS_QUEUE_HIGH;
	if (full && !j->paused) {
		j->paused = 1;
		j->res.pauses++;
	}
	pthread_mutex_unlock(&j->lock);
	if (full)
		return 1;
	c = xmalloc(sizeof *c + len);
	c->next = NULL;
	c->len = len;
	memcpy(c->data, buf, len);
	pthread_mutex_lock(&j->lock);
	*j->tail = c;
	j->tail = &c->next;
	j->queued += len;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	return 0;
}

void
focus_job_on_resume(struct focus_job *j, void (*resume)(void *), void *arg)
{
	j->resume = resume;
	j->resume_arg = arg;
}

void
focus_job_end(struct focus_job *j, enum itf_reason reason, const char *error)
{
	pthread_mutex_lock(&j->lock);
	j->ended = 1;
	j->end_reason = reason;
	if (error != NULL)
		j->end_error = xstrdup(error);
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

struct focus_result *
focus_job_result(struct focus_job *j)
{
	return &j->res;
}

void
focus_job_release(struct focus_job *j)
{
	if (j == NULL)
		return;
	event_free(j->ev);
	j->ev = NULL;
	pthread_mutex_lock(&j->lock);
	__atomic_store_n(&j->released, 1, __ATOMIC_RELEASE);
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	focus_job_unref(j);
}
