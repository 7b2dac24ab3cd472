/*
 * Daemons sharing a PostgreSQL journal: their configuration keys (each
 * error with its file:line), the fingerprint members compare (what the
 * daemon's own settings do not change, and what a collector does), and
 * rendezvous hashing: every collector has exactly one owner, a member that
 * joins takes about its share and only from the others, one that leaves
 * gives only its own, and a zone keeps a collector to its members.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cluster.h"
#include "collect.h"
#include "conf.h"
#include "instance.h"
#include "members.h"

#define PGURL "postgresql://itf@db.example:5432/itfollow"

/* Load text; the errors joined by newlines, or "" when it loads. */
static char *
load(const char *text, struct conf **out)
{
	struct conf_errors errs = { NULL, 0 };
	char *msgs = calloc(1, 1), *tmp;
	size_t i;

	*out = instance_load("c.conf", text, collect_host(), &errs);
	for (i = 0; i < errs.n; i++) {
		if (asprintf(&tmp, "%s%s\n", msgs, errs.msgs[i]) < 0)
			abort();
		free(msgs);
		msgs = tmp;
	}
	conf_errors_clear(&errs);
	return msgs;
}

static const char systems[] =
    "systems = ( { id = \"portal\"; category = \"basic\";\n"
    "  portfolio = \"service\"; collectors = (\n"
    "    { type = \"tcp\"; series = \"smtp\"; host = \"127.0.0.1\";\n"
    "      port = 25; zone = \"dmz\"; },\n"
    "    { type = \"tcp\"; series = \"imap\"; host = \"127.0.0.1\";\n"
    "      port = 143; } ); } );\n";

static void
test_keys(void **unused)
{
	struct conf *c;
	char *text, *e;

	if (asprintf(&text,
	        "daemon = { name = \"probe-1\"; zone = \"dmz\";\n"
	        "  heartbeat = 5; };\n"
	        "store = { journal = \"" PGURL "\";\n"
	        "  journal_password_file = \"/etc/itfollow/pg.secret\"; };\n"
	        "%s",
	        systems) < 0)
		abort();
	e = load(text, &c);
	assert_string_equal(e, "");
	assert_string_equal(c->journal, PGURL);
	assert_string_equal(c->journal_password_file,
	    "/etc/itfollow/pg.secret");
	assert_string_equal(c->member, "probe-1");
	assert_string_equal(c->zone, "dmz");
	assert_int_equal(c->viewer, 0);
	assert_int_equal(c->heartbeat, 5);
	assert_int_equal(c->lease, 10); /* two heartbeats */
	assert_string_equal(c->systems[0]->insts[0]->zone, "dmz");
	assert_null(c->systems[0]->insts[1]->zone);
	conf_free(c);
	free(e);
	free(text);

	e = load("daemon = { role = \"viewer\"; };\n"
	         "store = { journal = \"host=db dbname=itfollow\"; };\n",
	    &c);
	assert_string_equal(e, "");
	assert_int_equal(c->viewer, 1);
	assert_non_null(c->member); /* the host's name */
	conf_free(c);
	free(e);
}

static void
test_bad_keys(void **unused)
{
	struct conf *c;
	char *e;

	e = load("store = {\n journal = \"hots=db dbname=x\"; };\n", &c);
	assert_null(c);
	assert_string_equal(e,
	    "c.conf:2: journal: invalid connection option \"hots\"\n");
	free(e);

	e = load("store = {\n journal = \"postgresql://db/x?sslmod=1\"; };\n",
	    &c);
	assert_null(c);
	assert_string_equal(e,
	    "c.conf:2: journal: invalid URI query parameter: \"sslmod\"\n");
	free(e);

	e = load("store = {\n journal = \"itfollow.db\"; };\n", &c);
	assert_null(c);
	assert_non_null(strstr(e,
	    "c.conf:2: journal \"itfollow.db\" is not "
	    "a PostgreSQL connection string"));
	free(e);

	e = load("store = {\n journal = \"postgresql://itf:pw@db/x\"; };\n",
	    &c);
	assert_null(c);
	assert_string_equal(e,
	    "c.conf:2: journal: it holds a password: put it in "
	    "journal_password_file instead\n");
	free(e);

	e = load("daemon = {\n heartbeat = 10;\n lease = 5; };\n"
	         "store = { journal = \"" PGURL "\"; };\n",
	    &c);
	assert_null(c);
	assert_string_equal(e,
	    "c.conf:3: lease (5 s) is shorter than the heartbeat interval "
	    "(10 s): a member would be taken over between two of its "
	    "heartbeats\n");
	free(e);

	e = load("daemon = {\n zone = \"dmz\";\n role = \"boss\"; };\n", &c);
	assert_null(c);
	assert_string_equal(e,
	    "c.conf:2: daemon.zone needs a PostgreSQL journal "
	    "(store.journal)\n"
	    "c.conf:3: daemon.role needs a PostgreSQL journal "
	    "(store.journal)\n");
	free(e);

	e = load("daemon = {\n shard = \"0/2\"; };\n"
	         "store = { journal = \"" PGURL "\"; };\n",
	    &c);
	assert_null(c);
	assert_non_null(strstr(e,
	    "c.conf:2: daemon.shard with a PostgreSQL "
	    "journal"));
	free(e);

	e = load(systems, &c);
	assert_null(c);
	assert_non_null(strstr(e,
	    "c.conf:4: zone needs a PostgreSQL "
	    "journal"));
	free(e);
}

/* The same systems under two daemons' settings hash the same; a changed
 * collector does not. */
static void
test_hash(void **unused)
{
	struct conf *a, *b, *c;
	char ha[17], hb[17], hc[17], *text, *e;

	if (asprintf(&text,
	        "daemon = { name = \"a\"; status_listen = \"127.0.0.1:1\";\n"
	        "  zone = \"dmz\"; };\n"
	        "store = { journal = \"" PGURL "\"; };\n%s",
	        systems) < 0)
		abort();
	free(load(text, &a));
	free(text);
	if (asprintf(&text,
	        "daemon = { name = \"b\"; status_listen = \"127.0.0.1:2\";\n"
	        "  data_dir = \"/elsewhere\"; role = \"viewer\"; };\n"
	        "store = { journal = \"" PGURL "\"; };\n%s",
	        systems) < 0)
		abort();
	free(load(text, &b));
	free(text);
	e = strdup(systems);
	*strstr(e, "143") = '9';
	if (asprintf(&text, "store = { journal = \"" PGURL "\"; };\n%s", e) < 0)
		abort();
	free(e);
	free(load(text, &c));
	free(text);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	cluster_hash(a, ha);
	cluster_hash(b, hb);
	cluster_hash(c, hc);
	assert_int_equal(strlen(ha), 16);
	assert_string_equal(ha, hb);
	assert_string_not_equal(ha, hc);
	conf_free(a);
	conf_free(b);
	conf_free(c);
}

#define NKEYS 30000

static void
members_of(struct member *v, size_t n, const char *const *names)
{
	size_t i;

	memset(v, 0, n * sizeof *v);
	for (i = 0; i < n; i++)
		v[i].name = (char *)names[i];
}

static void
test_rendezvous(void **unused)
{
	static const char *const names[] = { "d0", "d1", "d2", "d3" };
	struct member v[4];
	size_t *own3, i, moved = 0, count[4] = { 0 }, w;
	char key[32];

	own3 = calloc(NKEYS, sizeof *own3);
	members_of(v, 3, names);
	for (i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof key, "sys%zu/http", i);
		own3[i] = cluster_pick(v, 3, key, NULL);
		assert_true(own3[i] < 3);
		/* The order members are listed in does not matter. */
		assert_int_equal(cluster_pick(v, 3, key, NULL), own3[i]);
	}
	/* d3 joins: keys move only to it, about a quarter of them. */
	members_of(v, 4, names);
	for (i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof key, "sys%zu/http", i);
		w = cluster_pick(v, 4, key, NULL);
		count[w]++;
		if (w != own3[i]) {
			assert_int_equal(w, 3);
			moved++;
		}
	}
	assert_in_range(moved, NKEYS / 4 - NKEYS / 40, NKEYS / 4 + NKEYS / 40);
	for (i = 0; i < 4; i++)
		assert_in_range(count[i], NKEYS / 4 - NKEYS / 40,
		    NKEYS / 4 + NKEYS / 40);
	/* d1 leaves (of the three): only its keys move. */
	v[0].name = "d0";
	v[1].name = "d2";
	for (i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof key, "sys%zu/http", i);
		w = cluster_pick(v, 2, key, NULL);
		if (own3[i] != 1)
			assert_string_equal(v[w].name, names[own3[i]]);
	}
	free(own3);
}

static void
test_zones(void **unused)
{
	static const char *const names[] = { "a", "b", "c" };
	struct member v[3];
	char key[32];
	size_t i, w;

	members_of(v, 3, names);
	v[1].zone = "dmz";
	v[2].viewer = 1;
	v[2].zone = "dmz";
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "sys%zu/smtp", i);
		/* Only b is a collector member of the zone. */
		assert_int_equal(cluster_pick(v, 3, key, "dmz"), 1);
		/* A viewer runs nothing. */
		w = cluster_pick(v, 3, key, NULL);
		assert_true(w == 0 || w == 1);
	}
	assert_int_equal(cluster_pick(v, 3, "sys1/smtp", "lab"), (size_t)-1);
	assert_int_equal(cluster_pick(v, 0, "sys1/smtp", NULL), (size_t)-1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_rendezvous),
		cmocka_unit_test(test_zones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
