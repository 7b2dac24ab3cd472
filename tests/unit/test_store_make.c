/*
 * The RRD files the store makes itself (store_make.c) against librrd's
 * create: for every shipped template and the benchmarks' templates, at
 * several steps and start times, the same bytes but for the archives'
 * first rows (both pick them at random); then the same updates to both
 * read back the same from every archive (rrd_fetch_r, and a dump, which
 * orders rows by time). And the errors: a template librrd's format has no
 * plain form for, a path that cannot be a file, a write that fails.
 */
#define RRD_EXPORT_DEPRECATED
#include <rrd.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "store_make.h"
#include "template.h"
#include "xmalloc.h"

#define MAKE_MAX_TMPL 32
#define MAKE_BATCH 200

static char make_dir[] = "/tmp/itf-make.XXXXXX";
static struct tmpl *make_tmpl[MAKE_MAX_TMPL];
static size_t make_ntmpl;

static char *
make_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct tmpl *
make_parse(const char *path, const char *name)
{
	struct tmpl *t;
	char **errs = NULL, *buf;
	size_t nerrs = 0, len;

	buf = make_slurp(path, &len);
	t = template_parse(name, buf, path, &errs, &nerrs);
	free(buf);
	if (t == NULL)
		fail_msg("%s: %s", path, nerrs > 0 ? errs[0] : "?");
	return t;
}

/* The http template cut as a benchmark cuts it: archives, heartbeat. */
static struct tmpl *
make_bench(const struct tmpl *http, const char *name, unsigned hb,
    unsigned nrra, const struct tmpl_rra *rra)
{
	struct tmpl *t = template_extend(http, NULL, 0);
	size_t i;

	t->dynamic = 0;
	free(t->name);
	t->name = xstrdup(name);
	for (i = 0; hb > 0 && i < t->nds; i++)
		t->ds[i].heartbeat = hb;
	t->rra = xreallocarray(t->rra, nrra, sizeof *t->rra);
	memcpy(t->rra, rra, nrra * sizeof *rra);
	t->nrra = nrra;
	return t;
}

/* Every shipped template, and those tests/bench and tests/regress make. */
static int
make_setup(void **unused)
{
	static const struct tmpl_rra day = { "AVERAGE", 0.5, 60, 86400 };
	static const struct tmpl_rra cluster[] = {
		{ "AVERAGE", 0.5, 60, 86400 },
		{ "AVERAGE", 0.5, 3600, 30 * 86400 },
	};
	static const struct tmpl_rra small = { "AVERAGE", 0.5, 2, 600 };
	const char *src = getenv("ITF_SOURCE_DIR");
	char dir[4096], path[4096 + 256], name[256];
	struct dirent *de;
	struct tmpl *http = NULL, *s;
	DIR *d;

	(void)unused;
	assert_non_null(src);
	assert_non_null(mkdtemp(make_dir));
	snprintf(dir, sizeof dir, "%s/rrd-templates", src);
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".tmpl") != 0)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(n - 5), de->d_name);
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		assert_true(make_ntmpl < MAKE_MAX_TMPL - 4);
		make_tmpl[make_ntmpl++] = s = make_parse(path, name);
		if (strcmp(name, "http") == 0)
			http = s;
	}
	closedir(d);
	assert_true(make_ntmpl >= 12);
	assert_non_null(http);
	make_tmpl[make_ntmpl++] = make_bench(http, "scale", 90, 1, &day);
	make_tmpl[make_ntmpl++] = make_bench(http, "cluster", 0, 2, cluster);
	s = make_bench(http, "diskfull", 0, 1, &small);
	s->step = 2;
	make_tmpl[make_ntmpl++] = s;
	return 0;
}

static int
make_teardown(void **unused)
{
	(void)unused;
	while (make_ntmpl > 0)
		template_unref(make_tmpl[--make_ntmpl]);
	rmdir(make_dir);
	return 0;
}

/* Where the archives' first rows are in a file of t at step. */
static void
make_ptr_span(const struct tmpl *t, unsigned step, size_t size, size_t *off,
    size_t *len)
{
	unsigned per, rows;
	size_t i, values = 0;

	for (i = 0; i < t->nrra; i++) {
		template_file_rra(t, step, i, &per, &rows);
		values += (size_t)rows * t->nds;
	}
	*len = t->nrra * sizeof(rra_ptr_t);
	assert_true(size > values * sizeof(rrd_value_t) + *len);
	*off = size - values * sizeof(rrd_value_t) - *len;
}

/* The same bytes, but for the first rows; mine within the archives. */
static void
make_compare_bytes(const struct tmpl *t, unsigned step, const char *a,
    const char *b)
{
	char *x, *y;
	size_t nx, ny, off, len, i;
	unsigned per, rows;
	rra_ptr_t ptr;

	x = make_slurp(a, &nx);
	y = make_slurp(b, &ny);
	assert_int_equal(nx, ny);
	assert_int_equal(ny, store_make_size(t, step));
	make_ptr_span(t, step, nx, &off, &len);
	if (memcmp(x, y, off) != 0 ||
	    memcmp(x + off + len, y + off + len, nx - off - len) != 0) {
		for (i = 0;
		     i < nx && (x[i] == y[i] || (i >= off && i < off + len));
		     i++)
			;
		fail_msg("%s at step %u: byte %zu of %zu differs", t->name,
		    step, i, nx);
	}
	for (i = 0; i < t->nrra; i++) {
		template_file_rra(t, step, i, &per, &rows);
		memcpy(&ptr, y + off + i * sizeof ptr, sizeof ptr);
		assert_true(ptr.cur_row < rows);
	}
	free(x);
	free(y);
}

/* An update's value of a data source of that type at the k-th time. */
static int
make_value(char *p, size_t len, const char *type, unsigned k, size_t d)
{
	if (k % 7 == 3)
		return snprintf(p, len, ":U");
	if (strcmp(type, "GAUGE") == 0)
		return snprintf(p, len, ":%u", (k * (unsigned)(d + 1)) % 3);
	if (strcmp(type, "ABSOLUTE") == 0)
		return snprintf(p, len, ":%u", k % 50);
	/* Counters and derives: growing, by more or less. */
	return snprintf(p, len, ":%u", 1000 + k * 13 + (k % 4) * (unsigned)d);
}

/* The updates in argv to both files, and freed. */
static void
make_update(const struct tmpl *t, const char *a, const char *b, char **argv,
    int *argc)
{
	rrd_clear_error();
	if (rrd_update_r(a, NULL, *argc, (const char **)argv) != 0 ||
	    rrd_update_r(b, NULL, *argc, (const char **)argv) != 0)
		fail_msg("%s: update: %s", t->name, rrd_get_error());
	while (*argc > 0)
		free(argv[--*argc]);
}

/* Values, unknowns, a gap beyond the heartbeat, at times off the step,
 * over several rows of the coarsest archive (or a few thousand steps). */
static void
make_updates(const struct tmpl *t, unsigned step, time_t start, const char *a,
    const char *b)
{
	char **argv = xcalloc(MAKE_BATCH, sizeof *argv), *p, *end;
	unsigned per, rows, maxper = 1, maxhb = 0, minhb = ~0U, k, n, gap, j;
	size_t i, len = 32 + t->nds * 24;
	int argc = 0;

	for (i = 0; i < t->nrra; i++) {
		template_file_rra(t, step, i, &per, &rows);
		if (per > maxper)
			maxper = per;
	}
	for (i = 0; i < t->nds; i++) {
		if (template_file_hb(t, step, i) > maxhb)
			maxhb = template_file_hb(t, step, i);
		if (template_file_hb(t, step, i) < minhb)
			minhb = template_file_hb(t, step, i);
	}
	/* Off the step by up to 2j: never beyond a heartbeat but in gaps. */
	j = minhb > step ? (minhb - step) / 2 : 0;
	if (j > step / 4)
		j = step / 4;
	n = 2 * maxper + 50 < 3000 ? 2 * maxper + 50 : 3000;
	gap = maxhb / step + 2;
	if (n < 3 * gap + 60)
		n = 3 * gap + 60;
	for (k = 0; k < n; k++) {
		if (k >= n / 3 && k < n / 3 + gap)
			continue;
		argv[argc] = p = xmalloc(len);
		end = p + len;
		p += snprintf(p, (size_t)(end - p), "%lld",
		    (long long)(start + 1 + (time_t)k * step +
		        (time_t)(k % 3) * j));
		for (i = 0; i < t->nds; i++)
			p += make_value(p, (size_t)(end - p), t->ds[i].type, k,
			    i);
		if (++argc == MAKE_BATCH || k == n - 1)
			make_update(t, a, b, argv, &argc);
	}
	free(argv);
}

/* What a fetch of file returns: freed by make_fetch_free. */
struct make_fetch {
	time_t start, end;
	unsigned long step, nds;
	char **names;
	rrd_value_t *data;
};

static void
make_fetch(const char *file, const char *cf, unsigned long res, time_t from,
    time_t to, struct make_fetch *f)
{
	f->start = from;
	f->end = to;
	f->step = res;
	rrd_clear_error();
	if (rrd_fetch_r(file, cf, &f->start, &f->end, &f->step, &f->nds,
	        &f->names, &f->data) != 0)
		fail_msg("fetch %s: %s", file, rrd_get_error());
}

static void
make_fetch_free(struct make_fetch *f)
{
	unsigned long i;

	for (i = 0; i < f->nds; i++)
		free(f->names[i]);
	free(f->names);
	free(f->data);
}

/* Every archive reads back the same from both; returns the values known. */
static size_t
make_compare_fetch(const struct tmpl *t, unsigned step, const char *a,
    const char *b)
{
	struct make_fetch x, y;
	unsigned per, rows;
	size_t i, j, n, known = 0;
	time_t last = rrd_last_r(a);

	assert_int_equal(last, rrd_last_r(b));
	for (i = 0; i < t->nrra; i++) {
		template_file_rra(t, step, i, &per, &rows);
		make_fetch(a, t->rra[i].cf, (unsigned long)per * step,
		    last - (time_t)rows * per * step, last, &x);
		make_fetch(b, t->rra[i].cf, (unsigned long)per * step,
		    last - (time_t)rows * per * step, last, &y);
		assert_int_equal(x.start, y.start);
		assert_int_equal(x.end, y.end);
		assert_int_equal(x.step, y.step);
		assert_int_equal(x.nds, y.nds);
		n = (size_t)((x.end - x.start) / (time_t)x.step) * x.nds;
		for (j = 0; j < n; j++) {
			if (isnan(x.data[j]) && isnan(y.data[j]))
				continue;
			if (x.data[j] != y.data[j])
				fail_msg(
				    "%s step %u archive %zu: value %zu: %.17g against %.17g",
				    t->name, step, i, j, x.data[j], y.data[j]);
			known++;
		}
		make_fetch_free(&x);
		make_fetch_free(&y);
	}
	return known;
}

/* Both dumped (rows by time): the same text. */
static void
make_compare_dump(const char *a, const char *b)
{
	char da[512], db[512], *x, *y;
	size_t nx, ny;

	snprintf(da, sizeof da, "%s/a.xml", make_dir);
	snprintf(db, sizeof db, "%s/b.xml", make_dir);
	assert_int_equal(rrd_dump_opt_r(a, da, 1), 0);
	assert_int_equal(rrd_dump_opt_r(b, db, 1), 0);
	x = make_slurp(da, &nx);
	y = make_slurp(db, &ny);
	assert_int_equal(nx, ny);
	assert_memory_equal(x, y, nx);
	free(x);
	free(y);
	unlink(da);
	unlink(db);
}

/* The loaded template of that name. */
static struct tmpl *
make_find(const char *name)
{
	size_t i;

	for (i = 0; i < make_ntmpl; i++) {
		if (strcmp(make_tmpl[i]->name, name) == 0)
			return make_tmpl[i];
	}
	fail_msg("no template %s", name);
	return NULL;
}

/* One template at one step from one start: made both ways, compared. */
static void
make_case(const struct tmpl *t, unsigned step, time_t start, int dump)
{
	char a[512], b[512], **argv, *cause = NULL;
	int argc;

	snprintf(a, sizeof a, "%s/librrd.rrd", make_dir);
	snprintf(b, sizeof b, "%s/made.rrd", make_dir);
	template_create_args(t, step, &argv, &argc);
	rrd_clear_error();
	if (rrd_create_r(a, step, start, argc, (const char **)argv) != 0)
		fail_msg("librrd create %s: %s", t->name, rrd_get_error());
	template_args_free(argv, argc);
	if (store_make(b, t, step, start, 0640, &cause) != 0)
		fail_msg("make %s: %s", t->name, cause);
	make_compare_bytes(t, step, a, b);
	make_updates(t, step, start, a, b);
	if (make_compare_fetch(t, step, a, b) == 0)
		fail_msg("%s at step %u: nothing known read back", t->name,
		    step);
	if (dump)
		make_compare_dump(a, b);
	unlink(a);
	unlink(b);
}

static void
test_make_like_librrd(void **unused)
{
	const time_t base = 1700000123; /* not on any step */
	time_t starts[4];
	unsigned steps[3];
	size_t i, j, k;

	(void)unused;
	for (i = 0; i < make_ntmpl; i++) {
		const struct tmpl *t = make_tmpl[i];

		steps[0] = t->step;
		steps[1] = 5 * t->step;
		steps[2] = t->step + 13; /* archives' rows rounded */
		for (j = 0; j < 3; j++) {
			starts[0] = base;
			starts[1] = base - base % steps[j];
			starts[2] = base - base % 3600;
			starts[3] = base - base % 86400;
			for (k = 0; k < 4; k++)
				make_case(t, steps[j], starts[k],
				    j == 0 && k == 0);
		}
	}
}

/* DCOUNTER and DDERIVE need format version 5: librrd's too. */
static void
test_make_version5(void **unused)
{
	static const char text[] = "step 60\n"
	                           "ds a DCOUNTER 120 0 U\n"
	                           "ds b DDERIVE 120 U U\n"
	                           "ds c COUNTER 120 0 1000000\n"
	                           "rra LAST 0.5 1m 1d\n"
	                           "rra AVERAGE 0.25 5m 2d\n";
	struct tmpl *t;
	char **errs = NULL;
	size_t nerrs = 0;

	(void)unused;
	t = template_parse("v5", text, "v5.tmpl", &errs, &nerrs);
	assert_non_null(t);
	make_case(t, 60, 1700000123, 1);
	make_case(t, 300, 1700000000, 0);
	template_unref(t);
}

/* Refused, naming the template; no file is begun. */
static void
test_make_refused(void **unused)
{
	struct tmpl *t = template_extend(make_tmpl[0], NULL, 0);
	char path[512], *cause = NULL;

	(void)unused;
	snprintf(path, sizeof path, "%s/refused.rrd", make_dir);
	free(t->name);
	t->name = xstrdup("odd");
	strcpy(t->ds[0].type, "COMPUTE");
	assert_int_equal(store_make(path, t, t->step, 1700000000, 0640, &cause),
	    -1);
	assert_non_null(strstr(cause, "template odd: data source"));
	assert_non_null(strstr(cause, "COMPUTE"));
	free(cause);
	cause = NULL;
	strcpy(t->ds[0].type, "GAUGE");
	strcpy(t->rra[0].cf, "HWPRED");
	assert_int_equal(store_make(path, t, t->step, 1700000000, 0640, &cause),
	    -1);
	assert_non_null(strstr(cause, "template odd: archive 1 (HWPRED)"));
	free(cause);
	assert_int_equal(access(path, F_OK), -1);
	template_unref(t);
}

/* A path below a file: the open's error, naming the path. */
static void
test_make_unwritable(void **unused)
{
	char file[512], path[600], *cause = NULL;
	FILE *f;

	(void)unused;
	snprintf(file, sizeof file, "%s/plain", make_dir);
	assert_non_null(f = fopen(file, "w"));
	fclose(f);
	snprintf(path, sizeof path, "%s/x.rrd", file);
	assert_int_equal(store_make(path, make_tmpl[0], make_tmpl[0]->step,
	                     1700000000, 0640, &cause),
	    -1);
	assert_non_null(strstr(cause, path));
	assert_non_null(strstr(cause, strerror(ENOTDIR)));
	free(cause);
	unlink(file);
}

/*
 * A made file is written out and leaves the page cache: the files of
 * thousands of new series must not fill it with dirty pages that every
 * thread needing memory then waits on. Its bytes are still there (read
 * back through a map). On tmpfs the page cache is the file itself: there
 * every page stays, and that is what is checked.
 */
static void
test_make_leaves_page_cache(void **unused)
{
	struct tmpl *http;
	char path[512], *cause = NULL;
	struct statfs sfs;
	size_t len, pages, i, resident = 0;
	long ps = sysconf(_SC_PAGESIZE);
	unsigned char *vec;
	const stat_head_t *head;
	void *map;
	int fd;

	(void)unused;
	http = make_find("http");
	snprintf(path, sizeof path, "%s/cache.rrd", make_dir);
	assert_int_equal(store_make(path, http, 60, 1700000000, 0640, &cause),
	    0);
	len = store_make_size(http, 60);
	pages = (len + (size_t)ps - 1) / (size_t)ps;
	assert_true(pages > 100);
	assert_true((fd = open(path, O_RDONLY)) != -1);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(map != MAP_FAILED);
	vec = xmalloc(pages);
	assert_int_equal(mincore(map, len, vec), 0);
	for (i = 0; i < pages; i++)
		resident += vec[i] & 1;
	assert_int_equal(fstatfs(fd, &sfs), 0);
	if (sfs.f_type == TMPFS_MAGIC)
		assert_int_equal(resident, pages);
	else
		assert_true(resident <= 2);
	/* Read back now (the pages come in again): the file's own header. */
	head = map;
	assert_string_equal(head->cookie, RRD_COOKIE);
	assert_int_equal(head->ds_cnt, http->nds);
	assert_int_equal(head->rra_cnt, http->nrra);
	munmap(map, len);
	close(fd);
	free(vec);
	unlink(path);
}

/* A write that fails halfway (a file size limit): its error alone. */
static void
test_make_write_fails(void **unused)
{
	struct rlimit rl = { 100000, 100000 };
	char path[512], *cause = NULL;
	struct tmpl *http;
	pid_t pid;
	int status;

	(void)unused;
	http = make_find("http");
	assert_true(store_make_size(http, 60) > 10 * rl.rlim_cur);
	snprintf(path, sizeof path, "%s/big.rrd", make_dir);
	if ((pid = fork()) == 0) {
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(2);
		if (store_make(path, http, 60, 1700000000, 0640, &cause) != -1)
			_exit(3);
		_exit(strcmp(cause, strerror(EFBIG)) == 0 ? 0 : 4);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_like_librrd),
		cmocka_unit_test(test_make_version5),
		cmocka_unit_test(test_make_refused),
		cmocka_unit_test(test_make_unwritable),
		cmocka_unit_test(test_make_write_fails),
		cmocka_unit_test(test_make_leaves_page_cache),
	};

	return cmocka_run_group_tests(tests, make_setup, make_teardown);
}
