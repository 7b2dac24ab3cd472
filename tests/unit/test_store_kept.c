/*
 * The rows kept of what was sent to rrdcached: rows sent at one time with
 * one template share a block, another time or template starts a block,
 * every value reads back, blocks sent before a cutoff are let go of (and
 * their template references with them), a block grows past the room it
 * was given, seven http updates take a few hundred bytes, not the
 * text lines and their pointers, and rows copied as encoded read back.
 * The store lets go of each file's rows STORE_REPLAY_S after rrdcached
 * took later ones, whenever each file was sent again.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store_kept.h"
#include "store_priv.h"
#include "store_row.h"
#include "store_rrd.h"
#include "template.h"

static struct tmpl *
tmpl_of(const char *name, const char *text)
{
	char **errors = NULL;
	size_t nerrors = 0;
	struct tmpl *t = template_parse(name, text, name, &errors, &nerrors);

	assert_non_null(t);
	assert_int_equal(nerrors, 0);
	free(errors);
	return t;
}

static struct tmpl *
tmpl_http(void)
{
	return tmpl_of("http",
	    "step 60\n"
	    "ds up GAUGE 120 0 1\nds total GAUGE 120 0 U\n"
	    "ds dns GAUGE 120 0 U\nds connect GAUGE 120 0 U\n"
	    "ds tls GAUGE 120 0 U\nds ttfb GAUGE 120 0 U\n"
	    "ds code GAUGE 120 0 999\nds cert_days GAUGE 120 U U\n"
	    "ds reason GAUGE 120 0 255\n"
	    "rra AVERAGE 0.5 1m 2h\n");
}

/* An http update at second k of a run. */
static void
http_values(double *v, size_t k)
{
	const double base[] = { 1, 0.0123456, 0.000211, 0.000302, NAN, 0.010991,
		200, NAN, 0 };

	memcpy(v, base, sizeof base);
	v[1] += (double)k / 1000;
}

/* Every row of k reads back as http_values(from + i), 10 s apart. */
static void
check_rows(const struct store_kept *k, time_t t0, size_t from)
{
	double v[9], want[9];
	size_t off = 0, len, i = 0, j;
	time_t tm;

	while ((len = store_kept_row(k, off, &tm, v)) > 0) {
		http_values(want, from + i);
		assert_int_equal(tm, t0 + 10 * (time_t)(from + i));
		for (j = 0; j < 9; j++) {
			if (isnan(want[j]))
				assert_true(isnan(v[j]));
			else
				assert_memory_equal(&v[j], &want[j],
				    sizeof v[j]);
		}
		off += len;
		i++;
	}
	assert_int_equal(i, k->n);
	assert_int_equal(off, k->len);
}

static void
test_store_kept_blocks(void **unused)
{
	struct tmpl *t = tmpl_http(), *u;
	struct store_kept *head = NULL;
	time_t t0 = 1700000000;
	double v[9];
	size_t i;

	(void)unused;
	u = tmpl_of("tcp",
	    "step 60\nds up GAUGE 120 0 1\n"
	    "rra AVERAGE 0.5 1m 2h\n");
	for (i = 0; i < 7; i++) {
		http_values(v, i);
		store_kept_add(&head, t, t0 + 100, 0, t0 + 10 * (time_t)i, v,
		    (6 - i) * 40);
	}
	assert_non_null(head);
	assert_null(head->next);
	assert_int_equal(store_kept_count(head), 7);
	assert_int_equal(store_kept_last_at(head), t0 + 100);
	check_rows(head, t0, 0);
	/* Seven http updates in one block: rows of under 48 bytes. */
	assert_true(head->len <= 7 * 48);
	assert_int_equal(t->refs, 2);

	/* Sent later: a block more; another template: one more again. */
	http_values(v, 7);
	store_kept_add(&head, t, t0 + 105, 0, t0 + 70, v, 0);
	v[0] = 1;
	store_kept_add(&head, u, t0 + 105, 0, t0 + 70, v, 0);
	assert_non_null(head->next);
	assert_non_null(head->next->next);
	assert_null(head->next->next->next);
	assert_int_equal(store_kept_count(head), 9);
	assert_int_equal(store_kept_last_at(head), t0 + 105);
	check_rows(head->next, t0, 7);
	assert_int_equal(t->refs, 3);
	assert_int_equal(u->refs, 2);

	/* Those sent before the cutoff go, with their references. */
	store_kept_expire(&head, t0 + 101, 1);
	assert_int_equal(store_kept_count(head), 2);
	assert_int_equal(t->refs, 2);
	store_kept_expire(&head, t0 + 105, 1);
	assert_int_equal(store_kept_count(head), 2);
	store_kept_expire(&head, t0 + 106, 1);
	assert_null(head);
	assert_int_equal(store_kept_last_at(head), 0);
	assert_int_equal(t->refs, 1);
	assert_int_equal(u->refs, 1);
	template_unref(t);
	template_unref(u);
}

/* Rows beyond the room given: the block grows, every row reads back. */
static void
test_store_kept_grow(void **unused)
{
	struct tmpl *t = tmpl_http();
	struct store_kept *head = NULL;
	time_t t0 = 1700000000;
	double v[9];
	size_t i;

	(void)unused;
	for (i = 0; i < 200; i++) {
		http_values(v, i);
		store_kept_add(&head, t, t0 + 2000, 0, t0 + 10 * (time_t)i, v,
		    0);
	}
	assert_null(head->next);
	assert_int_equal(head->n, 200);
	assert_true(head->len <= head->cap);
	check_rows(head, t0, 0);
	store_kept_free(&head);
	assert_null(head);
	assert_int_equal(t->refs, 1);
	template_unref(t);
}

/*
 * Rows copied as they are encoded: those of one base share a block and
 * read back as the rows they were; another base starts a block.
 */
static void
test_store_kept_copy(void **unused)
{
	struct tmpl *t = tmpl_http();
	struct store_kept *src = NULL, *head = NULL;
	time_t t0 = 1700000000;
	double v[9];
	size_t i, len, off = 0;

	(void)unused;
	for (i = 0; i < 7; i++) {
		http_values(v, i);
		store_kept_add(&src, t, t0 + 100, 0, t0 + 10 * (time_t)i, v, 0);
	}
	for (i = 0; i < 7; i++, off += len) {
		len = store_kept_row(src, off, &(time_t){ 0 }, v);
		assert_true(len > 0);
		store_kept_copy(&head, t, t0 + 200, 0, src->base,
		    src->rows + off, len, 0);
	}
	assert_null(head->next);
	assert_int_equal(head->n, 7);
	assert_int_equal(head->len, src->len);
	assert_memory_equal(head->rows, src->rows, src->len);
	check_rows(head, t0, 0);
	/* The same time and template from another base: a block more. */
	store_kept_copy(&head, t, t0 + 200, 0, src->base + 1, src->rows, 1, 0);
	assert_non_null(head->next);
	assert_int_equal(head->next->base, src->base + 1);
	assert_int_equal(store_kept_count(head), 8);
	assert_int_equal(t->refs, 4);
	store_kept_free(&head);
	store_kept_free(&src);
	assert_int_equal(t->refs, 1);
	template_unref(t);
}

/* f sent at, bytes of it: a row kept, as store_keep_sent does. */
static void
sent_bytes(struct store *st, struct store_file *f, struct tmpl *t, time_t at,
    size_t bytes)
{
	double v[9];

	http_values(v, 0);
	store_sent_note(st, f, at, bytes);
	store_kept_add(&f->kept, t, at, st->sent_bytes, at - 5, v, 0);
}

/* f sent at, as if a city's worth of others were sent with it. */
static void
sent(struct store *st, struct store_file *f, struct tmpl *t, time_t at)
{
	sent_bytes(st, f, t, at, STORE_REPLAY_BYTES);
}

/* The age of the oldest row kept by any of files[0..n), at now. */
static time_t
oldest_kept(struct store_file **files, size_t n, time_t now)
{
	time_t worst = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (files[i]->kept != NULL && now - files[i]->kept->at > worst)
			worst = now - files[i]->kept->at;
	}
	return worst;
}

#define SENT_FILES 600

static void
test_store_sent_expire(void **unused)
{
	struct store *st = store_new("/nonexistent/data");
	struct store_file *a, *b, *c, *files[SENT_FILES];
	struct tmpl *t = tmpl_http();
	time_t t0 = 1700000000, now, next[SENT_FILES];
	char path[64];
	unsigned seed = 1;
	size_t i;

	(void)unused;
	a = store_file_get(st, "/nonexistent/data/rrd/a.rrd");
	b = store_file_get(st, "/nonexistent/data/rrd/b.rrd");
	c = store_file_get(st, "/nonexistent/data/rrd/c.rrd");
	/*
	 * a sent, b a second later; a sent again just after its rows
	 * would have gone: b's go when they are due all the same.
	 */
	sent(st, a, t, t0);
	sent(st, b, t, t0 + 1);
	sent(st, a, t, t0 + STORE_REPLAY_S + 1);
	assert_int_equal(store_kept_count(a->kept), 1);
	store_sent_expire(st);
	assert_non_null(b->kept);
	sent(st, c, t, t0 + STORE_REPLAY_S + 5);
	store_sent_expire(st);
	assert_null(b->kept);
	assert_non_null(a->kept);
	assert_int_equal(a->kept->at, t0 + STORE_REPLAY_S + 1);
	/* a's latest rows go once rrdcached took others long enough after. */
	sent(st, c, t, t0 + 3 * STORE_REPLAY_S + 5);
	store_sent_expire(st);
	assert_null(a->kept);
	assert_null(b->kept);
	assert_non_null(c->kept);
	/* Nothing taken since: nothing more let go of (a replay needs it). */
	store_sent_expire(st);
	assert_non_null(c->kept);

	/*
	 * A few files' updates: the end of rrdcached's journal still in
	 * its buffer is minutes of them. Kept until STORE_REPLAY_BYTES more
	 * were sent, however long ago.
	 */
	t0 += 1000;
	sent_bytes(st, a, t, t0, 200);
	sent_bytes(st, b, t, t0 + 60, 200);
	sent_bytes(st, c, t, t0 + 120, 200);
	store_sent_expire(st);
	assert_non_null(a->kept);
	assert_non_null(b->kept);
	sent_bytes(st, c, t, t0 + 180, STORE_REPLAY_BYTES - 400);
	store_sent_expire(st);
	assert_null(a->kept);
	assert_non_null(b->kept);

	/*
	 * A file to be sent again after a restart of rrdcached keeps its
	 * rows until it is written, however long the others' writes take.
	 */
	t0 += 1000;
	sent(st, a, t, t0);
	sent(st, b, t, t0);
	store_replay_mark(st);
	assert_true(a->replay);
	assert_true(b->replay);
	b->replay = 0; /* b written at once */
	sent(st, c, t, t0 + 60);
	store_sent_expire(st);
	sent(st, c, t, t0 + 120);
	store_sent_expire(st);
	assert_non_null(a->kept);
	assert_int_equal(a->kept->at, t0);
	assert_null(b->kept);
	a->replay = 0; /* a written: its rows go as others' do */
	sent(st, c, t, t0 + 180);
	store_sent_expire(st);
	assert_null(a->kept);

	/*
	 * Many files, each sent again 1 to 70 s after its last time, the
	 * writer letting go after each second's sends: no row is kept much
	 * beyond STORE_REPLAY_S, and most files keep none.
	 */
	t0 += 1000;
	for (i = 0; i < SENT_FILES; i++) {
		snprintf(path, sizeof path, "/nonexistent/data/rrd/f%zu.rrd",
		    i);
		files[i] = store_file_get(st, path);
		next[i] = t0 + 100 + (time_t)(i % 60);
	}
	for (now = t0 + 100; now < t0 + 1000; now++) {
		for (i = 0; i < SENT_FILES; i++) {
			if (next[i] != now)
				continue;
			sent(st, files[i], t, now);
			seed = seed * 1103515245 + 12345;
			next[i] = now + 1 + (time_t)((seed >> 16) % 70);
		}
		store_sent_expire(st);
		assert_true(oldest_kept(files, SENT_FILES, now) <=
		    2 * STORE_REPLAY_S + 1);
	}
	store_free(st);
	assert_int_equal(t->refs, 1);
	template_unref(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_kept_blocks),
		cmocka_unit_test(test_store_kept_grow),
		cmocka_unit_test(test_store_kept_copy),
		cmocka_unit_test(test_store_sent_expire),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
