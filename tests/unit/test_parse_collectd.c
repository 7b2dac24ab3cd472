/*
 * The parsers behind faithful collectd and Munin programs: collectd's
 * types.db (Debian's own file when it is installed), PUTNOTIF lines, and
 * Munin multigraph output (what Debian's diskstats plugin printed here),
 * each checked against a plain line-by-line reading of the same text; and
 * perfdata units made base units without a rounding error.
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

#include "parse_munin.h"
#include "parse_nagios.h"
#include "parse_putval.h"
#include "parse_typesdb.h"

#define DEBIAN_TYPESDB "/usr/share/collectd/types.db"

static void
assert_errors(char **errors, size_t nerrors, const char *const *want,
    size_t nwant)
{
	size_t i;

	for (i = 0; i < nerrors && i < nwant; i++)
		assert_string_equal(errors[i], want[i]);
	if (nerrors != nwant) {
		for (i = 0; i < nerrors; i++)
			print_message("error: %s\n", errors[i]);
		fail_msg("%zu errors, want %zu", nerrors, nwant);
	}
}

/* A whole file, NUL-terminated; NULL if it cannot be read. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A corpus file of the exec fuzzer: real output of Debian's programs. */
static char *
corpus(const char *name, size_t *len)
{
	const char *src = getenv("ITF_SOURCE_DIR");
	char path[4096];
	char *buf;

	snprintf(path, sizeof path, "%s/tests/fuzz/corpus/exec/%s",
	    src != NULL ? src : "../..", name);
	buf = slurp(path, len);
	if (buf == NULL)
		fail_msg("cannot read %s", path);
	return buf;
}

static void
test_typesdb_small(void **unused)
{
	static const char db[] =
	    "# comment\n"
	    "\n"
	    "if_octets\t\trx:DERIVE:0:U, tx:DERIVE:0:U\n"
	    "derive value:derive:0:U\r\n"
	    "load shortterm:GAUGE:0:5000,midterm:GAUGE:0:5000 , "
	    "longterm:GAUGE:0:5000\n"
	    "bad-name value:GAUGE:U:U\n"
	    "nods\n"
	    "kind value:FLOAT:U:U\n"
	    "bounds value:GAUGE:5:1\n"
	    "parts value:GAUGE:U\n"
	    "twice a:GAUGE:U:U, a:GAUGE:U:U\n"
	    "derive value:GAUGE:U:U\n"
	    "big value:GAUGE:0:18446744073709551615\n";
	static const char *const want[] = {
		"line 6: bad type name 'bad-name'",
		"line 7: type 'nods': no data sources",
		"line 8: type 'kind': unknown kind (want GAUGE, DERIVE, "
		"COUNTER or ABSOLUTE)",
		"line 9: type 'bounds': minimum above maximum",
		"line 10: type 'parts': not NAME:KIND:MIN:MAX",
		"line 11: type 'twice': a data source name repeated",
		"line 12: type 'derive' defined again (first at line 4); the "
		"later one is used",
	};
	const struct parse_typesdb_type *t;
	struct parse_typesdb db_;

	parse_typesdb(db, sizeof db - 1, &db_);
	assert_errors(db_.errors, db_.nerrors, want,
	    sizeof want / sizeof *want);
	assert_int_equal(db_.ntypes, 4);
	t = parse_typesdb_find(&db_, "if_octets");
	assert_non_null(t);
	assert_int_equal(t->nds, 2);
	assert_string_equal(t->ds[0].name, "rx");
	assert_string_equal(t->ds[1].name, "tx");
	assert_int_equal(t->ds[1].kind, PARSE_TYPESDB_DERIVE);
	assert_true(t->ds[1].min == 0);
	assert_true(isnan(t->ds[1].max));
	t = parse_typesdb_find(&db_, "derive");
	assert_int_equal(t->ds[0].kind, PARSE_TYPESDB_GAUGE); /* the later */
	t = parse_typesdb_find(&db_, "load");
	assert_int_equal(t->nds, 3);
	assert_string_equal(t->ds[2].name, "longterm");
	assert_true(t->ds[2].max == 5000);
	t = parse_typesdb_find(&db_, "big");
	assert_true(t->ds[0].max == 18446744073709551615.0);
	assert_null(parse_typesdb_find(&db_, "If_octets"));
	assert_null(parse_typesdb_find(&db_, "nods"));
	parse_typesdb_free(&db_);
	assert_null(db_.types);

	parse_typesdb(NULL, 0, &db_);
	assert_int_equal(db_.ntypes + db_.nerrors, 0);
	assert_null(parse_typesdb_find(&db_, "gauge"));
	parse_typesdb_free(&db_);
}

/*
 * Debian's types.db read whole, every line checked against a plain
 * reading: its type, the number of its data sources and each one's kind.
 */
static void
test_typesdb_debian(void **unused)
{
	const struct parse_typesdb_type *t;
	struct parse_typesdb db;
	char *buf, *line, *save, *f, *save2, name[128], kind[16];
	size_t len, lines = 0, n;

	/* scripts/bootstrap installs it (collectd-core). */
	if ((buf = slurp(DEBIAN_TYPESDB, &len)) == NULL)
		fail_msg("cannot read %s", DEBIAN_TYPESDB);
	parse_typesdb(buf, len, &db);
	assert_int_equal(db.nerrors, 0);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
			continue;
		lines++;
		f = strtok_r(line, " \t", &save2);
		t = parse_typesdb_find(&db, f);
		if (t == NULL)
			fail_msg("type %s not found", f);
		for (n = 0; (f = strtok_r(NULL, " \t,", &save2)) != NULL; n++) {
			assert_int_equal(sscanf(f, "%127[^:]:%15[^:]", name,
			                     kind),
			    2);
			assert_true(n < t->nds);
			assert_string_equal(t->ds[n].name, name);
			assert_int_equal(t->ds[n].kind,
			    strcmp(kind, "GAUGE") == 0         ? 0
			        : strcmp(kind, "DERIVE") == 0  ? 1
			        : strcmp(kind, "COUNTER") == 0 ? 2
			                                       : 3);
		}
		assert_int_equal(n, t->nds);
	}
	assert_int_equal(db.ntypes, lines);
	t = parse_typesdb_find(&db, "if_octets");
	assert_non_null(t);
	assert_string_equal(t->ds[0].name, "rx");
	assert_int_equal(t->ds[0].kind, PARSE_TYPESDB_DERIVE);
	parse_typesdb_free(&db);
	free(buf);
}

static void
test_putnotif(void **unused)
{
	static const char out[] =
	    "# a comment line\n"
	    "PUTNOTIF severity=failure time=1700000000 plugin=raid "
	    "type_instance=\"md 0\" message=\"disk \\\"sdb\\\" gone\"\n"
	    "putnotif SEVERITY=Okay message=all is well again  \n"
	    "PUTNOTIF message=no severity\n"
	    "PUTNOTIF severity=warning time=N foo=bar message=x\n"
	    "PUTNOTIF severity=bad message=x\n"
	    "PUTNOTIF severity=okay time=yesterday message=x\n"
	    "PUTNOTIF severity=okay\n"
	    "PUTNOTIF severity=okay message=\n"
	    "PUTNOTIF severity=okay message=\"open\n"
	    "PUTNOTIF severity=okay plain message=x\n"
	    "PUTNOTIF severity=okay message=\"a\" b\n"
	    "PUTNOTIF severity=okay message=bell\a\n";
	static const char *const want[] = {
		"line 4: bad PUTNOTIF: no severity",
		"line 6: bad PUTNOTIF: severity is not failure, warning or "
		"okay",
		"line 7: bad PUTNOTIF: bad time",
		"line 8: bad PUTNOTIF: no message",
		"line 9: bad PUTNOTIF: empty message",
		"line 10: bad PUTNOTIF: bad quoting of message",
		"line 11: bad PUTNOTIF: an option without '='",
		"line 12: bad PUTNOTIF: bad quoting of message",
	};
	struct parse_putvals pv;

	parse_putval(out, sizeof out - 1, &pv);
	assert_errors(pv.errors, pv.nerrors, want, sizeof want / sizeof *want);
	assert_int_equal(pv.n, 0);
	assert_int_equal(pv.nnotifs, 4);
	assert_string_equal(pv.notifs[0].severity, "failure");
	assert_int_equal(pv.notifs[0].time, 1700000000);
	assert_string_equal(pv.notifs[0].plugin, "raid");
	assert_string_equal(pv.notifs[0].type_instance, "md 0");
	assert_null(pv.notifs[0].host);
	assert_string_equal(pv.notifs[0].message, "disk \"sdb\" gone");
	assert_string_equal(pv.notifs[1].severity, "okay");
	assert_int_equal(pv.notifs[1].time, 0);
	assert_string_equal(pv.notifs[1].message, "all is well again");
	assert_string_equal(pv.notifs[2].severity, "warning");
	assert_string_equal(pv.notifs[2].message, "x");
	assert_string_equal(pv.notifs[3].message, "bell?");
	parse_putval_free(&pv);
	assert_null(pv.notifs);
}

static void
test_putnotif_cap(void **unused)
{
	enum { N = 100 };
	struct parse_putvals pv;
	char *out, *p;
	int i;

	out = p = malloc(64 * N);
	assert_non_null(out);
	for (i = 0; i < N; i++)
		p += sprintf(p, "PUTNOTIF severity=okay message=n%d\n", i);
	parse_putval(out, (size_t)(p - out), &pv);
	assert_int_equal(pv.nnotifs, PARSE_PUTVAL_MAX_NOTIFS);
	assert_string_equal(pv.notifs[63].message, "n63");
	assert_int_equal(pv.nerrors, 1);
	assert_string_equal(pv.errors[0],
	    "line 65: more than 64 notifications, the rest are ignored");
	parse_putval_free(&pv);
	free(out);
}

/*
 * Debian's diskstats plugin: every multigraph section of its config with
 * its fields, every value in its section, as a plain reading finds them.
 */
static void
test_munin_multigraph_real(void **unused)
{
	struct parse_munin_config mc;
	struct parse_munin_values mv;
	const struct parse_munin_graph *g = NULL;
	char *conf, *vals, *line, *save, *dot, section[200] = "";
	size_t clen, vlen, ngraphs = 0, nvalues = 0, i;
	double v;

	conf = corpus("munin_diskstats_config", &clen);
	vals = corpus("munin_diskstats_values", &vlen);
	parse_munin_config(conf, clen, &mc);
	parse_munin_values(vals, vlen, &mv);
	assert_int_equal(mc.nerrors, 0);
	assert_int_equal(mv.nerrors, 0);
	assert_int_equal(mc.nfields, 0); /* everything is in sections */
	for (line = strtok_r(conf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "multigraph ", 11) == 0) {
			g = parse_munin_graph_find(&mc, line + 11);
			assert_non_null(g);
			assert_ptr_equal(g, &mc.graphs[ngraphs]);
			ngraphs++;
		} else if ((dot = strstr(line, ".type ")) != NULL) {
			*dot = '\0';
			for (i = 0; i < g->nfields; i++) {
				if (strcmp(g->fields[i].name, line) == 0)
					break;
			}
			assert_true(i < g->nfields);
			assert_string_equal(g->fields[i].type, dot + 6);
		}
	}
	assert_int_equal(mc.ngraphs, ngraphs);
	assert_true(ngraphs >= 8);
	for (line = strtok_r(vals, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "multigraph ", 11) == 0) {
			snprintf(section, sizeof section, "%s", line + 11);
			continue;
		}
		assert_true(nvalues < mv.nvalues);
		dot = strstr(line, ".value ");
		assert_non_null(dot);
		*dot = '\0';
		assert_string_equal(mv.values[nvalues].name, line);
		assert_string_equal(mv.values[nvalues].graph, section);
		v = strtod(dot + 7, NULL);
		assert_true(mv.values[nvalues].value == v);
		nvalues++;
	}
	assert_int_equal(mv.nvalues, nvalues);
	parse_munin_config_free(&mc);
	parse_munin_values_free(&mv);
	free(conf);
	free(vals);
}

static void
test_munin_multigraph_bad(void **unused)
{
	static const char conf[] = "load.label load\n"
	                           "multigraph a\n"
	                           "graph_title A\n"
	                           "x.label X\n"
	                           "x.type DERIVE\n"
	                           "multigraph bad/name\n"
	                           "y.label lost\n"
	                           "multigraph a\n"
	                           "z.label lost too\n"
	                           "multigraph b.sda\n"
	                           "x.min 0\n"
	                           "X.label same ds\n";
	static const char *const want[] = {
		"line 6: bad multigraph name 'bad/name'; its section is "
		"ignored",
		"line 8: multigraph 'a' again; its section is ignored",
		"field 'X': data source name 'x' already used by field 'x', "
		"ignored",
	};
	static const char vals[] = "load.value 1\n"
	                           "multigraph a\n"
	                           "x.value 5\n"
	                           "x.value 6\n"
	                           "multigraph b.sda\n"
	                           "x.value 7\n"
	                           "multigraph \n"
	                           "y.value 8\n";
	struct parse_munin_config mc;
	struct parse_munin_values mv;

	parse_munin_config(conf, sizeof conf - 1, &mc);
	assert_errors(mc.errors, mc.nerrors, want, sizeof want / sizeof *want);
	assert_int_equal(mc.nfields, 1);
	assert_int_equal(mc.ngraphs, 2);
	assert_string_equal(mc.graphs[0].title, "A");
	assert_string_equal(mc.graphs[0].fields[0].type, "DERIVE");
	assert_int_equal(mc.graphs[1].nfields, 1);
	assert_true(mc.graphs[1].fields[0].min == 0);
	assert_null(parse_munin_graph_find(&mc, "bad/name"));
	parse_munin_config_free(&mc);

	parse_munin_values(vals, sizeof vals - 1, &mv);
	assert_int_equal(mv.nvalues, 3);
	assert_null(mv.values[0].graph);
	assert_string_equal(mv.values[1].graph, "a");
	assert_true(mv.values[1].value == 5);
	assert_string_equal(mv.values[2].graph, "b.sda");
	assert_true(mv.values[2].value == 7);
	assert_int_equal(mv.nerrors, 2);
	assert_string_equal(mv.errors[0],
	    "line 4: field 'x': value repeated, ignored");
	assert_string_equal(mv.errors[1],
	    "line 7: bad multigraph name ''; its section is ignored");
	parse_munin_values_free(&mv);
}

/* 300 sections of 20 values: the section and total caps. */
static void
test_munin_multigraph_caps(void **unused)
{
	struct parse_munin_values mv;
	char *out, *p;
	int i, k;

	out = p = malloc(300 * 20 * 24 + 300 * 24);
	assert_non_null(out);
	for (i = 0; i < 300; i++) {
		p += sprintf(p, "multigraph g%d\n", i);
		for (k = 0; k < 20; k++)
			p += sprintf(p, "f%d.value %d\n", k, i);
	}
	parse_munin_values(out, (size_t)(p - out), &mv);
	assert_int_equal(mv.nvalues, PARSE_MUNIN_MAX_VALUES);
	assert_string_equal(mv.values[4095].graph, "g204");
	assert_int_equal(mv.nerrors, 1);
	parse_munin_values_free(&mv);
	free(out);
}

/*
 * Times and sizes in base units, exactly the double the decimal value in
 * base units is (check_ping prints rta=0.017ms: 1.7e-05 s, not
 * 1.7000000000000003e-05).
 */
static void
test_nagios_exact_units(void **unused)
{
	static const char out[] = "PING OK | rta=0.017ms;100;200;0 t2=1.5us "
	                          "t3=250ms t4=0.3s size=1.5GB k=0.1KB";
	static const char *const want[] = { "1.7e-05", "1.5e-06", "0.25", "0.3",
		"1610612736", "102.4" };
	struct parse_nagios pn;
	size_t i;

	parse_nagios(out, sizeof out - 1, &pn);
	assert_int_equal(pn.nerrors, 0);
	assert_int_equal(pn.nperf, 6);
	for (i = 0; i < 6; i++) {
		if (pn.perf[i].value != strtod(want[i], NULL))
			fail_msg("%s is %.17g, want %s", pn.perf[i].label,
			    pn.perf[i].value, want[i]);
	}
	assert_true(pn.perf[0].warn == strtod("0.1", NULL));
	assert_true(pn.perf[0].crit == strtod("0.2", NULL));
	parse_nagios_free(&pn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typesdb_small),
		cmocka_unit_test(test_typesdb_debian),
		cmocka_unit_test(test_putnotif),
		cmocka_unit_test(test_putnotif_cap),
		cmocka_unit_test(test_munin_multigraph_real),
		cmocka_unit_test(test_munin_multigraph_bad),
		cmocka_unit_test(test_munin_multigraph_caps),
		cmocka_unit_test(test_nagios_exact_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
