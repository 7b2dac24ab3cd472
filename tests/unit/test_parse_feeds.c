/*
 * Parsers of what the feed collectors fetch: FlexNet lmstat and Reprise
 * rlmstat output, Microsoft Graph licence counts, xAPI statement pages,
 * generic JSON and CSV feeds, and the timestamps they hold. Real outputs
 * from tests/samples/ first, with every value worked out from the files by
 * hand, then bad parts, caps and random bytes.
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

#include "parse_csvfeed.h"
#include "parse_jsonfeed.h"
#include "parse_lmstat.h"
#include "parse_m365.h"
#include "parse_rlmstat.h"
#include "parse_time.h"
#include "parse_util.h"
#include "parse_xapi.h"

#define S(x) (x), sizeof(x) - 1 /* a literal and its length, NULs too */
#define NS 1000000000LL

/* Equal within rounding, NAN equal to NAN. */
static int
same_double(double got, double want)
{
	if (isnan(want))
		return isnan(got);
	if (isnan(got))
		return 0;
	return fabs(got - want) <= 1e-12 * fmax(1, fabs(want));
}

#define assert_double(got, want)                                           \
	do {                                                               \
		double g_ = (got), w_ = (want);                            \
		if (!same_double(g_, w_))                                  \
			fail_msg("%s is %.17g, want %.17g", #got, g_, w_); \
	} while (0)

/* Both NULL or equal strings. */
static void
assert_same_string(const char *got, const char *want)
{
	if (got == NULL && want == NULL)
		return;
	if (got == NULL || want == NULL)
		fail_msg("got %s, want %s", got == NULL ? "NULL" : got,
		    want == NULL ? "NULL" : want);
	assert_string_equal(got, want);
}

/* The strings, in order, of a parser's error list. */
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

#define assert_no_errors(errors, n) assert_errors((errors), (n), NULL, 0)

/* A file of tests/samples/, whole, NUL-terminated; *len its size. */
static char *
sample(const char *name, size_t *len)
{
	const char *top = getenv("ITF_SOURCE_DIR");
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "%s/tests/samples/%s",
	    top != NULL ? top : "../..", name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static uint64_t
rnd(uint64_t *s)
{
	/* xorshift64: the same bytes on every run and machine. */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* len random bytes, mostly from the characters the parsers care about. */
static void
rnd_bytes(uint64_t *s, char *buf, size_t len, const char *alphabet)
{
	size_t i, n = strlen(alphabet);

	for (i = 0; i < len; i++) {
		uint64_t r = rnd(s);

		if (r % 8 == 0)
			buf[i] = (char)(r >> 8);
		else
			buf[i] = alphabet[(r >> 8) % n];
	}
}

/* ------------------------------------------------------------------ */
/* parse_time */

static void
test_time(void **unused)
{
	static const struct {
		const char *s;
		int ok;
		long long ns;
	} cases[] = {
		{ "1970-01-01", 1, 0 },
		{ "2015-12-18", 1, 1450396800LL * NS },
		{ "2015-12-18T12:17:00.315Z", 1, 1450441020315000000LL },
		{ "2015-12-18T12:17:00Z", 1, 1450441020LL * NS },
		{ "2015-12-18T12:17Z", 1, 1450441020LL * NS },
		{ "2015-12-18 12:17:00Z", 1, 1450441020LL * NS },
		{ "2015-12-18t12:17:00z", 1, 1450441020LL * NS },
		{ "2015-12-18T14:05:09.48+01:00", 1, 1450443909480000000LL },
		{ "2015-12-18T07:17:00-05:00", 1, 1450441020LL * NS },
		{ "2015-12-18T00:00:00.1234567891Z", 1, 1450396800123456789LL },
		{ "2015-12-18T00:00:00+00:00", 1, 1450396800LL * NS },
		{ "2024-02-29", 1, 1709164800LL * NS },
		{ "2000-02-29", 1, 951782400LL * NS },
		{ "1969-12-31T23:59:59Z", 1, -NS },
		{ "2262-04-11T23:47:16Z", 1, 9223372036LL * NS },
		{ "1677-09-21T00:12:44Z", 1, -9223372036LL * NS },
		{ "@1450396800", 1, 1450396800LL * NS },
		{ "1450396800", 1, 1450396800LL * NS },
		{ "0", 1, 0 },
		{ "-86400", 1, -86400LL * NS },
		{ "@-1", 1, -NS },
		{ "9223372036", 1, 9223372036LL * NS },
		{ "-9223372036", 1, -9223372036LL * NS },
		{ "2262-04-11T23:47:17Z", 0, 0 },
		{ "1677-09-21T00:12:43Z", 0, 0 },
		{ "9223372037", 0, 0 },
		{ "99999999999999999999", 0, 0 },
		{ "9999999999999999999", 0, 0 },
		{ "2023-02-29", 0, 0 },
		{ "1900-02-29", 0, 0 },
		{ "2015-13-01", 0, 0 },
		{ "2015-00-10", 0, 0 },
		{ "2015-04-31", 0, 0 },
		{ "2015-12-00", 0, 0 },
		{ "2015-12-18T24:00Z", 0, 0 },
		{ "2015-12-18T12:60Z", 0, 0 },
		{ "2015-12-18T12:00:60Z", 0, 0 },
		{ "2015-12-18T12:00:00", 0, 0 },
		{ "2015-12-18T12:00", 0, 0 },
		{ "2015-12-18T", 0, 0 },
		{ "2015-12-18T12:00:00.Z", 0, 0 },
		{ "2015-12-18T12:00:00+0100", 0, 0 },
		{ "2015-12-18T12:00:00+01", 0, 0 },
		{ "2015-12-18T12:00:00+24:00", 0, 0 },
		{ "2015-12-18T12:00:00+01:60", 0, 0 },
		{ "2015-12-18T12:00:00ZZ", 0, 0 },
		{ "2015-12-18X12:00:00Z", 0, 0 },
		{ "2015-12-18T1:00:00Z", 0, 0 },
		{ " 2015-12-18", 0, 0 },
		{ "2015-12-18 ", 0, 0 },
		{ "2015-12-1", 0, 0 },
		{ "2015/12/18", 0, 0 },
		{ "15-12-18", 0, 0 },
		{ "4/1/25", 0, 0 },
		{ "@", 0, 0 },
		{ "", 0, 0 },
		{ "-", 0, 0 },
		{ "12a", 0, 0 },
		{ "1.5", 0, 0 },
		{ "+5", 0, 0 },
	};
	long long ns;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ns = 42;
		if (parse_time(cases[i].s, strlen(cases[i].s), &ns) !=
		    (cases[i].ok ? 0 : -1))
			fail_msg("\"%s\" should %s", cases[i].s,
			    cases[i].ok ? "parse" : "not parse");
		if (cases[i].ok && ns != cases[i].ns)
			fail_msg("\"%s\" gave %lld, want %lld", cases[i].s, ns,
			    cases[i].ns);
		if (!cases[i].ok && ns != 42)
			fail_msg("\"%s\" changed *ns on failure", cases[i].s);
	}
	/* Only len bytes are read: no NUL needed, none looked at. */
	assert_int_equal(parse_time("2015-12-18XYZ", 10, &ns), 0);
	assert_int_equal(ns, 1450396800LL * NS);
	assert_int_equal(parse_time(S("2015-12-18\0"), &ns), -1);
	assert_int_equal(parse_time(NULL, 0, &ns), -1);
}

/* ------------------------------------------------------------------ */
/* parse_lmstat */

struct lm_want {
	size_t line;
	const char *vendor, *feature;
	double issued, in_use, queued, reserved;
	int uncounted;
	const char *error;
};

struct lm_vendor_want {
	const char *name;
	int up;
	const char *error;
};

static void
check_lmstat(const struct parse_lmstat *pl, const struct lm_want *want,
    size_t n, const struct lm_vendor_want *vwant, size_t nv)
{
	const struct parse_lmstat_feature *f;
	size_t i;

	for (i = 0; i < pl->nfeatures && i < n; i++) {
		f = &pl->features[i];
		if (strcmp(f->feature, want[i].feature) != 0)
			fail_msg("feature %zu is %s, want %s", i, f->feature,
			    want[i].feature);
		assert_string_equal(f->vendor, want[i].vendor);
		assert_int_equal(f->line, want[i].line);
		assert_double(f->issued, want[i].issued);
		assert_double(f->in_use, want[i].in_use);
		assert_double(f->queued, want[i].queued);
		assert_double(f->reserved, want[i].reserved);
		assert_int_equal(f->uncounted, want[i].uncounted);
		assert_same_string(f->error, want[i].error);
	}
	assert_int_equal(pl->nfeatures, n);
	assert_int_equal(pl->nvendors, nv);
	for (i = 0; i < nv; i++) {
		assert_string_equal(pl->vendors[i].name, vwant[i].name);
		assert_int_equal(pl->vendors[i].up, vwant[i].up);
		assert_same_string(pl->vendors[i].error, vwant[i].error);
	}
}

/*
 * The expected tables: one row per "Users of" line of the file, with the
 * line it is on, the vendor its detail line names (else the only vendor
 * daemon), the counts of the "Users of" line, the "queued for" and
 * "RESERVATION" lines of its block summed, and its error text.
 */
static const struct lm_want lm_app1[] = {
	{ 17, "VENDOR1", "feature1", 1814, 1206, 0, 132, 0, NULL },
	{ 89, "VENDOR1", "feature100", 10, 2, 0, 0, 0, NULL },
	{ 99, "VENDOR1", "feature2", 1814, 0, 0, 0, 0, NULL },
	{ 101, "VENDOR1", "feature3", 10, 0, 0, 0, 0, NULL },
	{ 103, "VENDOR1", "feature4", 10, 0, 0, 0, 0, NULL },
	{ 105, "vendor1", "feature5", 2, 2, 2, 0, 0, NULL },
	{ 115, "VENDOR1", "feature6", 1814, 0, 0, 0, 0, NULL },
	{ 117, "VENDOR1", "feature7", 10, 0, 0, 0, 0, NULL },
	{ 119, "VENDOR1", "feature8", 10, 1, 0, 0, 0, NULL },
	{ 126, "VENDOR1", "feature9", 10, 0, 0, 0, 0, NULL },
	{ 128, "VENDOR1", "feature11", 16384, 80, 0, 0, 0, NULL },
	{ 135, "VENDOR1", "feature12", 1, 0, 0, 0, 0, NULL },
	{ 137, "VENDOR1", "feature13", 13, 0, 0, 0, 0, NULL },
	{ 139, "VENDOR1", "feature14", 1, 0, 0, 0, 0, NULL },
	{ 141, "VENDOR1", "feature15", 1, 0, 0, 0, 0, NULL },
	{ 143, "VENDOR1", "feature16", 1, 0, 0, 0, 0, NULL },
	{ 145, "VENDOR1", "feature17", 1, 0, 0, 0, 0, NULL },
	{ 147, "VENDOR1", "feature18", 1, 0, 0, 0, 0, NULL },
	{ 149, "VENDOR1", "feature19", 1, 0, 0, 0, 0, NULL },
	{ 151, "VENDOR1", "feature20", 1, 0, 0, 0, 0, NULL },
	{ 153, "VENDOR1", "feature21", 1, 0, 0, 0, 0, NULL },
	{ 155, "VENDOR1", "feature22", 21, 1, 0, 0, 0, NULL },
	{ 162, "VENDOR1", "feature23", 2, 0, 0, 0, 0, NULL },
	{ 164, "VENDOR1", "feature24", 3, 0, 0, 0, 0, NULL },
	{ 166, "VENDOR1", "feature25", 3, 0, 0, 0, 0, NULL },
	{ 168, "VENDOR1", "feature26", 1, 0, 0, 0, 0, NULL },
	{ 170, "VENDOR1", "feature27", 20, 5, 0, 0, 0, NULL },
	{ 181, "VENDOR1", "feature28", 1, 0, 0, 0, 0, NULL },
	{ 183, "VENDOR1", "feature29", 1, 0, 0, 0, 0, NULL },
	{ 185, "VENDOR1", "feature30", 1814, 169, 0, 169, 0, NULL },
	{ 204, "VENDOR1", "feature31", 1814, 299, 0, 169, 0, NULL },
	{ 230, "VENDOR1", "feature32", 1814, 169, 0, 169, 0, NULL },
	{ 249, "VENDOR1", "feature33", 1814, 169, 0, 169, 0, NULL },
	{ 268, "VENDOR1", "feature34", 1814, 1076, 0, 121, 0, NULL },
	{ 334, "VENDOR1", "feature35", 1814, 169, 0, 169, 0, NULL },
	{ 353, "VENDOR1", "feature36", 1814, 169, 0, 169, 0, NULL },
	{ 372, "VENDOR1", "feature37", 1814, 169, 0, 169, 0, NULL },
	{ 391, "VENDOR1", "feature38", 1814, 169, 0, 169, 0, NULL },
	{ 410, "VENDOR1", "feature39", 1814, 169, 0, 169, 0, NULL },
	{ 429, "VENDOR1", "feature40", 1814, 169, 0, 169, 0, NULL },
	{ 448, "VENDOR1", "feature41", 1814, 169, 0, 169, 0, NULL },
	{ 467, "VENDOR1", "feature42", 1814, 169, 0, 169, 0, NULL },
	{ 505, "VENDOR1", "feature43", 1814, 169, 0, 169, 0, NULL },
	{ 524, "VENDOR1", "feature44", 1814, 169, 0, 169, 0, NULL },
	{ 543, "VENDOR1", "feature45", 1814, 169, 0, 169, 0, NULL },
	{ 562, "VENDOR1", "feature46", 1814, 169, 0, 169, 0, NULL },
	{ 581, "VENDOR1", "feature47", 1814, 169, 0, 169, 0, NULL },
	{ 600, "VENDOR1", "feature48", 1814, 169, 0, 169, 0, NULL },
	{ 619, "VENDOR1", "feature49", 1814, 169, 0, 169, 0, NULL },
	{ 638, "VENDOR1", "feature10", 1814, 169, 0, 169, 0, NULL },
	{ 657, "VENDOR1", "feature50", 1814, 169, 0, 169, 0, NULL },
	{ 676, "VENDOR1", "feature51", 1814, 169, 0, 169, 0, NULL },
	{ 695, "VENDOR1", "feature52", 1814, 169, 0, 169, 0, NULL },
};

static const struct lm_want lm_app2[] = {
	{ 17, "vendor1", "feature1", 144, 0, 0, 0, 0, NULL },
	{ 19, "vendor1", "feature2", 144, 22, 0, 0, 0, NULL },
	{ 47, "vendor1", "feature3", 144, 0, 0, 0, 0, NULL },
	{ 49, "vendor1", "feature4", 144, 0, 0, 0, 0, NULL },
	{ 51, "vendor1", "feature5", 144, 15, 0, 0, 0, NULL },
	{ 72, "vendor1", "feature6", 144, 0, 0, 0, 0, NULL },
	{ 74, "vendor1", "feature7", 144, 1, 0, 0, 0, NULL },
	{ 81, "vendor1", "feature8", 144, 0, 0, 0, 0, NULL },
	{ 83, "vendor1", "feature9", 144, 0, 0, 0, 0, NULL },
	{ 85, "vendor1", "feature10", 1, 0, 0, 0, 0, NULL },
};

static const struct lm_want lm_app4[] = {
	{ 15, "LMCOMSOL", "SERIAL", NAN, NAN, 0, 0, 1, NULL },
	{ 24, "LMCOMSOL", "ACDC", 2, 1, 0, 0, 0, NULL },
	{ 32, "LMCOMSOL", "ACDCBATCH", 2, 0, 0, 0, 0, NULL },
	{ 34, "LMCOMSOL", "CADIMPORT", 3, 0, 0, 0, 0, NULL },
	{ 36, "LMCOMSOL", "CADIMPORTBATCH", 3, 0, 0, 0, 0, NULL },
	{ 38, "LMCOMSOL", "CFD", 1, 0, 0, 0, 0, NULL },
	{ 40, "LMCOMSOL", "CFDBATCH", 1, 0, 0, 0, 0, NULL },
	{ 42, "LMCOMSOL", "COMSOL", 3, 1, 0, 0, 0, NULL },
	{ 50, "LMCOMSOL", "COMSOLBATCH", 3, 0, 0, 0, 0, NULL },
	{ 52, "LMCOMSOL", "ELECTROCHEMISTRY", 1, 0, 0, 0, 0, NULL },
	{ 54, "LMCOMSOL", "ELECTROCHEMISTRYBATCH", 1, 0, 0, 0, 0, NULL },
	{ 56, "LMCOMSOL", "LLEXCEL", 3, 0, 0, 0, 0, NULL },
	{ 58, "LMCOMSOL", "LLEXCELBATCH", 3, 0, 0, 0, 0, NULL },
	{ 60, "LMCOMSOL", "LLMATLAB", 1, 0, 0, 0, 0, NULL },
	{ 62, "LMCOMSOL", "LLMATLABBATCH", 1, 0, 0, 0, 0, NULL },
	{ 64, "LMCOMSOL", "LLSOLIDWORKS", 1, 0, 0, 0, 0, NULL },
	{ 66, "LMCOMSOL", "MATLIB", 1, 0, 0, 0, 0, NULL },
	{ 68, "LMCOMSOL", "MATLIBBATCH", 1, 0, 0, 0, 0, NULL },
	{ 70, "LMCOMSOL", "MEMS", 1, 0, 0, 0, 0, NULL },
	{ 72, "LMCOMSOL", "MEMSBATCH", 1, 0, 0, 0, 0, NULL },
	{ 74, "LMCOMSOL", "MICROFLUIDICS", 3, 0, 0, 0, 0, NULL },
	{ 76, "LMCOMSOL", "MICROFLUIDICSBATCH", 3, 0, 0, 0, 0, NULL },
	{ 78, "LMCOMSOL", "NONLINEARSTRUCTMATERIALS", 3, 0, 0, 0, 0, NULL },
	{ 80, "LMCOMSOL", "NONLINEARSTRUCTMATERIALSBATCH", 3, 0, 0, 0, 0,
	    NULL },
	{ 82, "LMCOMSOL", "PARTICLETRACING", 3, 0, 0, 0, 0, NULL },
	{ 84, "LMCOMSOL", "PARTICLETRACINGBATCH", 3, 0, 0, 0, 0, NULL },
	{ 86, "LMCOMSOL", "RF", 1, 0, 0, 0, 0, NULL },
	{ 88, "LMCOMSOL", "RFBATCH", 1, 0, 0, 0, 0, NULL },
	{ 90, "LMCOMSOL", "STRUCTURALMECHANICS", 3, 0, 0, 0, 0, NULL },
	{ 92, "LMCOMSOL", "STRUCTURALMECHANICSBATCH", 3, 0, 0, 0, 0, NULL },
	{ 94, "LMCOMSOL", "WAVEOPTICS", 1, 0, 0, 0, 0, NULL },
	{ 96, "LMCOMSOL", "WAVEOPTICSBATCH", 1, 0, 0, 0, 0, NULL },
	{ 98, "LMCOMSOL", "SUBSURFACEFLOW", NAN, NAN, 0, 0, 0,
	    "1 licenses, unsupported by licensed server" },
	{ 100, "LMCOMSOL", "SUBSURFACEFLOWBATCH", NAN, NAN, 0, 0, 0,
	    "1 licenses, unsupported by licensed server" },
	{ 102, "LMCOMSOL", "COMSOLGUI", 3, 1, 0, 0, 0, NULL },
	{ 110, "LMCOMSOL", "CHATBOT", 2, 0, 0, 0, 0, NULL },
	{ 112, "LMCOMSOL", "CLIENTSERVER", 3, 0, 0, 0, 0, NULL },
	{ 114, "LMCOMSOL", "CLUSTERNODE", 3, 0, 0, 0, 0, NULL },
	{ 116, "LMCOMSOL", "COMSOLUSER", 2, 1, 0, 0, 0, NULL },
	{ 124, "LMCOMSOL", "MODELMANAGER", 2, 0, 0, 0, 0, NULL },
	{ 126, "LMCOMSOL", "MODELMANAGERBATCH", 2, 0, 0, 0, 0, NULL },
	{ 128, "LMCOMSOL", "MODELMANAGERSERVER", 2, 0, 0, 0, 0, NULL },
	{ 130, "LMCOMSOL", "MODELMANAGERSERVERBATCH", 2, 0, 0, 0, 0, NULL },
	{ 132, "LMCOMSOL", "CADREADER", 3, 0, 0, 0, 0, NULL },
	{ 134, "LMCOMSOL", "CADREADERBATCH", 3, 0, 0, 0, 0, NULL },
	{ 136, "LMCOMSOL", "CADIMPORTUSER", 2, 0, 0, 0, 0, NULL },
	{ 138, "LMCOMSOL", "CHEM", 1, 0, 0, 0, 0, NULL },
	{ 140, "LMCOMSOL", "CHEMBATCH", 1, 0, 0, 0, 0, NULL },
	{ 142, "LMCOMSOL", "ELECTRODEPOSITION", 1, 0, 0, 0, 0, NULL },
	{ 144, "LMCOMSOL", "ELECTRODEPOSITIONBATCH", 1, 0, 0, 0, 0, NULL },
	{ 146, "LMCOMSOL", "MOLECULARFLOW", 1, 0, 0, 0, 0, NULL },
	{ 148, "LMCOMSOL", "MOLECULARFLOWBATCH", 1, 0, 0, 0, 0, NULL },
	{ 150, "LMCOMSOL", "MULTIBODYDYNAMICS", 2, 0, 0, 0, 0, NULL },
	{ 152, "LMCOMSOL", "MULTIBODYDYNAMICSBATCH", 2, 0, 0, 0, 0, NULL },
	{ 154, "LMCOMSOL", "ECADIMPORT", 3, 0, 0, 0, 0, NULL },
	{ 156, "LMCOMSOL", "ECADIMPORTBATCH", 3, 0, 0, 0, 0, NULL },
	{ 158, "LMCOMSOL", "ACOUSTICS", 1, 0, 0, 0, 0, NULL },
	{ 160, "LMCOMSOL", "ACOUSTICSBATCH", 1, 0, 0, 0, 0, NULL },
	{ 162, "LMCOMSOL", "SME", 1, 0, 0, 0, 0, NULL },
	{ 164, "LMCOMSOL", "ACO", 1, 0, 0, 0, 0, NULL },
};

static const struct lm_want lm_app5[] = {
	{ 14, "MLM", "MATLAB", 10000, 61, 0, 0, 0, NULL },
	{ 59, "MLM", "SIMULINK", 10000, 10, 0, 0, 0, NULL },
	{ 72, "MLM", "MATLAB_5G_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 74, "MLM", "AUTOSAR_Blockset", 10000, 0, 0, 0, 0, NULL },
	{ 76, "MLM", "Aerospace_Blockset", 10000, 1, 0, 0, 0, NULL },
	{ 85, "MLM", "Aerospace_Toolbox", 10000, 1, 0, 0, 0, NULL },
	{ 94, "MLM", "Antenna_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 96, "MLM", "Audio_System_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 98, "MLM", "Automated_Driving_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 100, "MLM", "Bioinformatics_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 102, "MLM", "Bluetooth_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 104, "MLM", "C2000_Blockset", 10000, 0, 0, 0, 0, NULL },
	{ 106, "MLM", "Communication_Toolbox", 10000, 1, 0, 0, 0, NULL },
	{ 115, "MLM", "Video_and_Image_Blockset", 10000, 0, 0, 0, 0, NULL },
	{ 117, "MLM", "Control_Toolbox", 10000, 3, 0, 0, 0, NULL },
	{ 128, "MLM", "Curve_Fitting_Toolbox", 10000, 2, 0, 0, 0, NULL },
	{ 138, "MLM", "DDS_Blockset", 10000, 0, 0, 0, 0, NULL },
	{ 140, "MLM", "DSP_HDL_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 142, "MLM", "Signal_Blocks", 10000, 1, 0, 0, 0, NULL },
	{ 151, "MLM", "Data_Acq_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 153, "MLM", "Database_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 155, "MLM", "Datafeed_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 157, "MLM", "Deep_Learning_HDL_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 159, "MLM", "Neural_Network_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 161, "MLM", "Econometrics_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 163, "MLM", "RTW_Embedded_Coder", 10000, 0, 0, 0, 0, NULL },
	{ 165, "MLM", "Filter_Design_HDL_Coder", 10000, 0, 0, 0, 0, NULL },
	{ 167, "MLM", "Fin_Instruments_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 169, "MLM", "Financial_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 171, "MLM", "Fixed_Point_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 173, "MLM", "Fuzzy_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 175, "MLM", "GPU_Coder", 10000, 0, 0, 0, 0, NULL },
	{ 177, "MLM", "GADS_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 179, "MLM", "Simulink_HDL_Coder", 10000, 0, 0, 0, 0, NULL },
	{ 181, "MLM", "EDA_Simulator_Link", 10000, 0, 0, 0, 0, NULL },
	{ 183, "MLM", "Image_Acquisition_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 185, "MLM", "Image_Toolbox", 10000, 5, 0, 0, 0, NULL },
	{ 198, "MLM", "OPC_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 200, "MLM", "Instr_Control_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 202, "MLM", "LTE_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 204, "MLM", "Lidar_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 206, "MLM", "MATLAB_Coder", 10000, 1, 0, 0, 0, NULL },
	{ 215, "MLM", "MATLAB_Builder_for_Java", 10000, 0, 0, 0, 0, NULL },
	{ 217, "MLM", "Compiler", 10000, 0, 0, 0, 0, NULL },
	{ 219, "MLM", "MATLAB_Report_Gen", 10000, 0, 0, 0, 0, NULL },
	{ 221, "MLM", "MATLAB_Test", 10000, 0, 0, 0, 0, NULL },
	{ 223, "MLM", "MAP_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 225, "MLM", "Medical_Imaging_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 227, "MLM", "Mixed_Signal_Blockset", 10000, 0, 0, 0, 0, NULL },
	{ 229, "MLM", "MPC_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 231, "MLM", "MBC_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 233, "MLM", "Motor_Control_Blockset", 10000, 0, 0, 0, 0, NULL },
	{ 235, "MLM", "Navigation_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 237, "MLM", "Optimization_Toolbox", 10000, 5, 0, 0, 0, NULL },
	{ 250, "MLM", "Distrib_Computing_Toolbox", 10000, 4, 0, 0, 0, NULL },
	{ 260, "MLM", "PDE_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 262, "MLM", "Phased_Array_System_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 264, "MLM", "Powertrain_Blockset", 10000, 0, 0, 0, 0, NULL },
	{ 266, "MLM", "Pred_Maintenance_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 268, "MLM", "RF_Blockset", 10000, 0, 0, 0, 0, NULL },
	{ 270, "MLM", "RF_PCB_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 272, "MLM", "RF_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 274, "MLM", "ROS_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 276, "MLM", "Radar_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 278, "MLM", "Reinforcement_Learn_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 280, "MLM", "Simulink_Requirements", 10000, 0, 0, 0, 0, NULL },
	{ 282, "MLM", "Risk_Management_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 284, "MLM", "Robotics_System_Toolbox", 10000, 1, 0, 0, 0, NULL },
	{ 293, "MLM", "Robust_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 295, "MLM", "Satellite_Comm_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 297, "MLM", "Sensor_Fusion_and_Tracking", 10000, 0, 0, 0, 0, NULL },
	{ 299, "MLM", "SerDes_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 301, "MLM", "Signal_Integrity_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 303, "MLM", "Signal_Toolbox", 10000, 2, 0, 0, 0, NULL },
	{ 313, "MLM", "SimBiology", 10000, 0, 0, 0, 0, NULL },
	{ 315, "MLM", "SimEvents", 10000, 0, 0, 0, 0, NULL },
	{ 317, "MLM", "Simscape_Battery", 10000, 0, 0, 0, 0, NULL },
	{ 319, "MLM", "SimDriveline", 10000, 0, 0, 0, 0, NULL },
	{ 321, "MLM", "Power_System_Blocks", 10000, 1, 0, 0, 0, NULL },
	{ 330, "MLM", "SimHydraulics", 10000, 0, 0, 0, 0, NULL },
	{ 332, "MLM", "SimMechanics", 10000, 2, 0, 0, 0, NULL },
	{ 342, "MLM", "Simscape", 10000, 3, 0, 0, 0, NULL },
	{ 353, "MLM", "Virtual_Reality_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 355, "MLM", "SL_Verification_Validation", 10000, 0, 0, 0, 0, NULL },
	{ 357, "MLM", "Simulink_Code_Inspector", 10000, 0, 0, 0, 0, NULL },
	{ 359, "MLM", "Real-Time_Workshop", 10000, 1, 0, 0, 0, NULL },
	{ 368, "MLM", "Simulink_Compiler", 10000, 0, 0, 0, 0, NULL },
	{ 370, "MLM", "Simulink_Control_Design", 10000, 0, 0, 0, 0, NULL },
	{ 372, "MLM", "Simulink_Coverage", 10000, 0, 0, 0, 0, NULL },
	{ 374, "MLM", "Simulink_Design_Optim", 10000, 0, 0, 0, 0, NULL },
	{ 376, "MLM", "Simulink_Design_Verifier", 10000, 0, 0, 0, 0, NULL },
	{ 378, "MLM", "Real-Time_Win_Target", 10000, 0, 0, 0, 0, NULL },
	{ 380, "MLM", "Simulink_Fault_Analyzer", 10000, 0, 0, 0, 0, NULL },
	{ 382, "MLM", "Simulink_PLC_Coder", 10000, 0, 0, 0, 0, NULL },
	{ 384, "MLM", "XPC_Target", 10000, 0, 0, 0, 0, NULL },
	{ 386, "MLM", "SIMULINK_Report_Gen", 10000, 0, 0, 0, 0, NULL },
	{ 388, "MLM", "Simulink_Test", 10000, 0, 0, 0, 0, NULL },
	{ 390, "MLM", "SoC_Blockset", 10000, 0, 0, 0, 0, NULL },
	{ 392, "MLM", "Excel_Link", 10000, 0, 0, 0, 0, NULL },
	{ 394, "MLM", "Stateflow", 10000, 0, 0, 0, 0, NULL },
	{ 396, "MLM", "Statistics_Toolbox", 10000, 7, 0, 0, 0, NULL },
	{ 411, "MLM", "Symbolic_Toolbox", 10000, 4, 0, 0, 0, NULL },
	{ 423, "MLM", "System_Composer", 10000, 0, 0, 0, 0, NULL },
	{ 425, "MLM", "Identification_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 427, "MLM", "Text_Analytics_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 429, "MLM", "UAV_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 431, "MLM", "Vehicle_Dynamics_Blockset", 10000, 0, 0, 0, 0, NULL },
	{ 433, "MLM", "Vehicle_Network_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 435, "MLM", "Vision_HDL_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 437, "MLM", "WLAN_System_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 439, "MLM", "Wavelet_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 441, "MLM", "LTE_HDL_Toolbox", 10000, 0, 0, 0, 0, NULL },
	{ 443, "MLM", "Wireless_Testbench", 10000, 0, 0, 0, 0, NULL },
	{ 445, "MLM", "PolySpace_Bug_Finder", 110000, 0, 0, 0, 0, NULL },
	{ 447, "MLM", "PolySpace_Bug_Finder_Engine", 110000, 0, 0, 0, 0, NULL },
	{ 449, "MLM", "PolySpace_Server_C_CPP", 110000, 0, 0, 0, 0, NULL },
	{ 451, "MLM", "MATLAB_Distrib_Comp_Engine", 100000, 0, 0, 0, 0, NULL },
	{ 453, "MLM", "MATLAB_Web_App_Server", 1, 0, 0, 0, 0, NULL },
	{ 455, "MLM", "RoadRunner", NAN, NAN, 0, 0, 1, NULL },
	{ 457, "MLM", "RoadRunner_Asset_Library", NAN, NAN, 0, 0, 1, NULL },
	{ 459, "MLM", "RoadRunner_Scenario", NAN, NAN, 0, 0, 1, NULL },
	{ 461, "MLM", "RoadRunner_HD_Scene_Builder", NAN, NAN, 0, 0, 1, NULL },
};

static const struct lm_want lm_app6[] = {
	{ 19, "MLM", "MATLAB", 420, 60, 0, 1, 0, NULL },
	{ 157, "MLM", "SIMULINK", 320, 35, 0, 1, 0, NULL },
	{ 245, "MLM", "Communication_Toolbox", 2, 0, 0, 0, 0, NULL },
	{ 247, "MLM", "Video_and_Image_Blockset", 4, 0, 0, 0, 0, NULL },
	{ 249, "MLM", "Control_Toolbox", 159, 7, 0, 1, 0, NULL },
	{ 281, "MLM", "Qual_Kit_DO", 2, 0, 0, 0, 0, NULL },
	{ 283, "MLM", "Signal_Blocks", 5, 0, 0, 0, 0, NULL },
	{ 285, "MLM", "Database_Toolbox", 4, 0, 0, 0, 0, NULL },
	{ 287, "MLM", "Neural_Network_Toolbox", 12, 0, 0, 0, 0, NULL },
	{ 289, "MLM", "RTW_Embedded_Coder", 17, 0, 0, 0, 0, NULL },
	{ 291, "MLM", "Fixed_Point_Toolbox", 2, 0, 0, 0, 0, NULL },
	{ 293, "MLM", "GADS_Toolbox", 2, 0, 0, 0, 0, NULL },
	{ 295, "MLM", "Image_Toolbox", 13, 0, 0, 0, 0, NULL },
	{ 297, "MLM", "MATLAB_Coder", 19, 0, 0, 0, 0, NULL },
	{ 299, "MLM", "Optimization_Toolbox", 17, 2, 0, 1, 0, NULL },
	{ 315, "MLM", "Distrib_Computing_Toolbox", 22, 0, 0, 0, 0, NULL },
	{ 317, "MLM", "Simulink_Requirements", 24, 0, 0, 0, 0, NULL },
	{ 319, "MLM", "Robust_Toolbox", 10, 0, 0, 0, 0, NULL },
	{ 321, "MLM", "Signal_Toolbox", 21, 2, 0, 0, 0, NULL },
	{ 339, "MLM", "Power_System_Blocks", 5, 1, 0, 1, 0, NULL },
	{ 347, "MLM", "Simscape", 4, 0, 0, 0, 0, NULL },
	{ 349, "MLM", "SL_Verification_Validation", 22, 2, 0, 0, 0, NULL },
	{ 367, "MLM", "Simulink_Code_Inspector", 4, 0, 0, 0, 0, NULL },
	{ 369, "MLM", "Real-Time_Workshop", 19, 0, 0, 0, 0, NULL },
	{ 371, "MLM", "Simulink_Control_Design", 60, 0, 0, 0, 0, NULL },
	{ 373, "MLM", "Simulink_Coverage", 15, 0, 0, 0, 0, NULL },
	{ 375, "MLM", "Simulink_Design_Verifier", 8, 0, 0, 0, 0, NULL },
	{ 377, "MLM", "XPC_Target", 2, 0, 0, 0, 0, NULL },
	{ 379, "MLM", "Simulink_Test", 5, 0, 0, 0, 0, NULL },
	{ 381, "MLM", "Excel_Link", 2, 0, 0, 0, 0, NULL },
	{ 383, "MLM", "Stateflow", 20, 0, 0, 0, 0, NULL },
	{ 385, "MLM", "Statistics_Toolbox", 6, 0, 0, 0, 0, NULL },
	{ 387, "MLM", "Symbolic_Toolbox", 4, 1, 0, 0, 0, NULL },
	{ 397, "MLM", "Identification_Toolbox", 6, 0, 0, 0, 0, NULL },
	{ 399, "MLM", "Wavelet_Toolbox", 2, 0, 0, 0, 0, NULL },
	{ 401, "MLM", "Fuzzy_Toolbox", 8, 0, 0, 0, 0, NULL },
	{ 403, "MLM", "Simulink_Design_Optim", 2, 0, 0, 0, 0, NULL },
	{ 405, "MLM", "Stateflow_Coder", 10, 0, 0, 0, 0, NULL },
	{ 407, "MLM", "Aerospace_Blockset", 1, 0, 0, 0, 0, NULL },
	{ 409, "MLM", "Aerospace_Toolbox", 1, 1, 0, 0, 0, NULL },
	{ 419, "MLM", "Curve_Fitting_Toolbox", 1, 0, 0, 0, 0, NULL },
	{ 421, "MLM", "MATLAB_Builder_for_Java", 1, 0, 0, 0, 0, NULL },
	{ 423, "MLM", "Compiler", 2, 0, 0, 0, 0, NULL },
	{ 425, "MLM", "MATLAB_Report_Gen", 3, 0, 0, 0, 0, NULL },
	{ 427, "MLM", "SIMULINK_Report_Gen", 3, 0, 0, 0, 0, NULL },
	{ 429, "MLM", "PolySpace_Bug_Finder", 1, 0, 0, 0, 0, NULL },
	{ 431, "MLM", "PolySpace_Bug_Finder_Engine", 1, 0, 0, 0, 0, NULL },
	{ 433, "MLM", "PolySpace_Server_C_CPP", 1, 0, 0, 0, 0, NULL },
	{ 435, "MLM", "Polyspace_BF_Server", 1, 0, 0, 0, 0, NULL },
	{ 437, "MLM", "Polyspace_CP_Server", 1, 0, 0, 0, 0, NULL },
	{ 439, "MLM", "Polyspace_BF_Access", 6, 0, 0, 0, 0, NULL },
	{ 441, "MLM", "TMW_Archive", NAN, NAN, 0, 0, 1, NULL },
	{ 443, "MLM", "SIMULINK_Perf_Tools", 1, 1, 0, 1, 0, NULL },
};

static const struct lm_want lm_arcgis[] = {
	{ 16, "ARCGIS", "ACT", 1, 0, 0, 0, 0, NULL },
	{ 18, "ARCGIS", "ARC/INFO", 6, 2, 0, 0, 0, NULL },
	{ 26, "ARCGIS", "ArcStorm", 6, 0, 0, 0, 0, NULL },
	{ 28, "ARCGIS", "ArcStormEnable", 6, 0, 0, 0, 0, NULL },
	{ 30, "ARCGIS", "desktopAdvP", 5, 0, 0, 0, 0, NULL },
	{ 32, "ARCGIS", "Grid", 1, 0, 0, 0, 0, NULL },
	{ 34, "ARCGIS", "MrSID", 6, 0, 0, 0, 0, NULL },
	{ 36, "ARCGIS", "Plotting", 6, 0, 0, 0, 0, NULL },
	{ 38, "ARCGIS", "spatialAnalystP", 1, 0, 0, 0, 0, NULL },
	{ 40, "ARCGIS", "TIFFLZW", 6, 0, 0, 0, 0, NULL },
	{ 42, "ARCGIS", "VBA", 4, 1, 0, 0, 0, NULL },
};

static const struct lm_want lm_server_down[] = {
	{ 16, "daemon", "feature1", 144, 0, 0, 0, 0, NULL },
	{ 18, "feature2", "feature2", 144, 39, 0, 0, 0, NULL },
};

#define LM_CHECK(pl, want, vwant)                                             \
	check_lmstat((pl), (want), sizeof(want) / sizeof((want)[0]), (vwant), \
	    sizeof(vwant) / sizeof((vwant)[0]))

static void
test_lmstat_app1(void **unused)
{
	static const struct lm_vendor_want v[] = { { "VENDOR1", 1, NULL } };
	/* The anonymised file has two oddities, both worth reporting. */
	static const char *const errors[] = {
		"line 19: detail line of \"feature0\" under \"Users of "
		"feature1\"",
		"line 486: feature feature42 of vendor VENDOR1 listed again "
		"(first at line 467), dropped",
	};
	struct parse_lmstat pl;
	size_t len;
	char *buf = sample("flexlm-lmstat/lmstat_app1.txt", &len);

	parse_lmstat(buf, len, &pl);
	LM_CHECK(&pl, lm_app1, v);
	assert_int_equal(pl.servers_up, 3);
	assert_int_equal(pl.servers_down, 0);
	assert_null(pl.server_error);
	assert_errors(pl.errors, pl.nerrors, errors, 2);
	assert_int_equal(pl.skipped, 0);
	/* Reservations count as in use: feature30 is all reserved. */
	assert_double(pl.features[29].reserved, 169);
	assert_double(pl.features[29].in_use, 169);
	parse_lmstat_free(&pl);
	free(buf);
}

static void
test_lmstat_app2(void **unused)
{
	static const struct lm_vendor_want v[] = { { "vendor1", 1, NULL } };
	struct parse_lmstat pl;
	size_t len;
	char *buf = sample("flexlm-lmstat/lmstat_app2.txt", &len);

	parse_lmstat(buf, len, &pl);
	LM_CHECK(&pl, lm_app2, v);
	assert_int_equal(pl.servers_up, 3);
	assert_int_equal(pl.servers_down, 0);
	assert_null(pl.server_error);
	assert_no_errors(pl.errors, pl.nerrors);
	assert_int_equal(pl.skipped, 0);
	parse_lmstat_free(&pl);
	free(buf);
}

static void
test_lmstat_app4(void **unused)
{
	static const struct lm_vendor_want v[] = { { "LMCOMSOL", 1, NULL } };
	struct parse_lmstat pl;
	size_t len;
	char *buf = sample("flexlm-lmstat/lmstat_app4.txt", &len);

	parse_lmstat(buf, len, &pl);
	LM_CHECK(&pl, lm_app4, v);
	assert_int_equal(pl.servers_up, 1);
	assert_int_equal(pl.servers_down, 0);
	assert_no_errors(pl.errors, pl.nerrors);
	assert_int_equal(pl.skipped, 0);
	parse_lmstat_free(&pl);
	free(buf);
}

static void
test_lmstat_app5(void **unused)
{
	static const struct lm_vendor_want v[] = { { "MLM", 1, NULL } };
	struct parse_lmstat pl;
	size_t len;
	char *buf = sample("flexlm-lmstat/lmstat_app5.txt", &len);

	parse_lmstat(buf, len, &pl);
	LM_CHECK(&pl, lm_app5, v);
	assert_int_equal(pl.servers_up, 1);
	assert_int_equal(pl.servers_down, 0);
	assert_no_errors(pl.errors, pl.nerrors);
	assert_int_equal(pl.skipped, 0);
	parse_lmstat_free(&pl);
	free(buf);
}

static void
test_lmstat_app6(void **unused)
{
	static const struct lm_vendor_want v[] = { { "MLM", 1, NULL } };
	struct parse_lmstat pl;
	size_t len;
	char *buf = sample("flexlm-lmstat/lmstat_app6.txt", &len);

	parse_lmstat(buf, len, &pl);
	LM_CHECK(&pl, lm_app6, v);
	assert_int_equal(pl.servers_up, 1);
	assert_int_equal(pl.servers_down, 0);
	assert_no_errors(pl.errors, pl.nerrors);
	assert_int_equal(pl.skipped, 0);
	parse_lmstat_free(&pl);
	free(buf);
}

static void
test_lmstat_windows(void **unused)
{
	static const struct lm_vendor_want v[] = { { "ARCGIS", 1, NULL } };
	static const struct lm_vendor_want vw[] = { { "ptc_d", 1, NULL } };
	struct parse_lmstat pl;
	size_t len;
	char *buf = sample("flexlm-lmstat/arcgis_windows_lmstat.txt", &len);

	/* CRLF, a command echo, "ARC/INFO", display strings of any bytes. */
	parse_lmstat(buf, len, &pl);
	LM_CHECK(&pl, lm_arcgis, v);
	assert_int_equal(pl.servers_up, 1);
	assert_int_equal(pl.servers_down, 0);
	assert_no_errors(pl.errors, pl.nerrors);
	assert_int_equal(pl.skipped, 0);
	parse_lmstat_free(&pl);
	free(buf);

	/* Indented server lines, two of them, and no feature section. */
	buf = sample("flexlm-lmstat/lmstat_server_up_win.txt", &len);
	parse_lmstat(buf, len, &pl);
	assert_int_equal(pl.nfeatures, 0);
	assert_int_equal(pl.nvendors, 1);
	assert_string_equal(pl.vendors[0].name, vw[0].name);
	assert_int_equal(pl.vendors[0].up, 1);
	assert_null(pl.vendors[0].error);
	assert_int_equal(pl.servers_up, 2);
	assert_int_equal(pl.servers_down, 0);
	assert_no_errors(pl.errors, pl.nerrors);
	assert_int_equal(pl.skipped, 0);
	parse_lmstat_free(&pl);
	free(buf);
}

static void
test_lmstat_server_down(void **unused)
{
	static const struct lm_vendor_want v[] = { { "daemon", 1, NULL } };
	struct parse_lmstat pl;
	size_t len;
	char *buf = sample("flexlm-lmstat/lmstat_server_down.txt", &len);

	parse_lmstat(buf, len, &pl);
	/* feature2's detail line names vendor "feature2" (anonymised). */
	LM_CHECK(&pl, lm_server_down, v);
	assert_int_equal(pl.servers_up, 2);
	assert_int_equal(pl.servers_down, 1);
	assert_string_equal(pl.server_error,
	    "host3: Cannot connect to license server system. "
	    "(-15,570:115 \"Operation now in progress\")");
	assert_no_errors(pl.errors, pl.nerrors);
	assert_int_equal(pl.skipped, 0);
	parse_lmstat_free(&pl);
	free(buf);
}

static void
test_lmstat_i_form(void **unused)
{
	struct parse_lmstat pl;
	size_t len;
	char *buf = sample("flexlm-lmstat/lmstat_i_app1.txt", &len);

	/*
	 * lmstat -i is not lmstat -a: its 22 non-blank lines (a note of 3,
	 * the table head of 2 and 17 rows) are all skipped and reported.
	 */
	parse_lmstat(buf, len, &pl);
	assert_int_equal(pl.nfeatures, 0);
	assert_int_equal(pl.nvendors, 0);
	assert_int_equal(pl.servers_up, 0);
	assert_int_equal(pl.servers_down, 0);
	assert_int_equal(pl.skipped, 22);
	assert_int_equal(pl.nerrors, 22);
	assert_string_equal(pl.errors[0],
	    "line 1: line not understood: 'NOTE: lmstat -i does not give "
	    "information from the server,'");
	assert_string_equal(pl.errors[2],
	    "line 3: line not understood: 'lmstat -a is recommended "
	    "instead.'");
	assert_true(strncmp(pl.errors[21],
	                "line 23: line not understood: 'feature16 ", 41) == 0);
	parse_lmstat_free(&pl);
	free(buf);
}

static void
test_lmstat_synthetic(void **unused)
{
	/* CRLF, tabs, trailing blanks, bad numbers, a NUL, a duplicate. */
	static const char text[] =
	    "Vendor daemon status (on h):\r\n"
	    "\tVENDOR1: UP v11.6\r\n"
	    "\tVENDOR2: The desired vendor daemon is down. (-97,121)   \r\n"
	    "Feature usage info:\r\n"
	    "Users of f1:\t(Total of 10 licenses issued;\tTotal of 3 licenses "
	    "in use)   \r\n"
	    "  \"f1\" v1.0, vendor: VENDOR1, expiry: 1-jan-0\r\n"
	    "\t2 RESERVATIONs for GROUP G (h/27000)\r\n"
	    "    u h d 1.0 (v1.0) (h/27000 1) queued for 4 licenses\r\n"
	    "Users of f2:  (Total of 9007199254740993 licenses issued;  Total "
	    "of -1 licenses in use)\n"
	    "Users of f1:  (Total of 1 license issued;  Total of 0 licenses "
	    "in use)\n"
	    "  \"f1\" v1.0, vendor: VENDOR1\n"
	    "Users of f3:  (Total of 5 licen\0ses issued;  Total of 0 "
	    "licenses in use)\n"
	    "    u h d (v1) (h/1 2), start Mon 1/1 1:00, 5 licenses\n"
	    "Cannot get users of f4: No such feature exists. (-5,222)\n"
	    "garbage line\n"
	    "\t 3 RESERVATIONs for HOST x (h/1)   ";
	static const struct lm_want want[] = {
		{ 5, "VENDOR1", "f1", 10, 3, 4, 2, 0, NULL },
		{ 9, "", "f2", NAN, NAN, 0, 0, 0, NULL },
		{ 14, "", "f4", NAN, NAN, 0, 3, 0,
		    "No such feature exists. (-5,222)" },
	};
	static const struct lm_vendor_want v[] = {
		{ "VENDOR1", 1, NULL },
		{ "VENDOR2", 0,
		    "The desired vendor daemon is down. (-97,121)" },
	};
	static const char *const errors[] = {
		"line 9: feature f2: licences issued '9007199254740993': too "
		"large",
		"line 9: feature f2: licences in use '-1': negative",
		"line 12: NUL byte in line: 'Users of f3:  (Total of 5 "
		"licen?ses issued;  Total of 0 licenses...'",
		"line 15: line not understood: 'garbage line'",
		"line 10: feature f1 of vendor VENDOR1 listed again (first at "
		"line 5), dropped",
	};
	struct parse_lmstat pl;

	parse_lmstat(S(text), &pl);
	LM_CHECK(&pl, want, v);
	assert_errors(pl.errors, pl.nerrors, errors, 5);
	assert_int_equal(pl.skipped, 2);
	assert_int_equal(pl.servers_up, 0);
	parse_lmstat_free(&pl);
}

static void
test_lmstat_out_of_place(void **unused)
{
	static const char text[] =
	    "  \"f0\" v1, vendor: V\n"
	    "\t1 RESERVATION for HOST h (s/1)\n"
	    "    u h d (v1) (s/1 2), start Mon 1/1 1:00\n"
	    "  floating license\n"
	    "Users of f1:  (Total of 1 license issued)\n"
	    "  \"f1\" v1, vendor: V\n"
	    "\t1 RESERVATION for HOST h (s/1)\n"
	    "Users of f2:  (Total of 2 licenses issued;  Total of 2 licenses "
	    "in use)\n"
	    "  \"f2\" v1, vendor: V\n"
	    "  \"f2\" v2, vendor: W\n"
	    "    u h d (v1) (s/1 2) queued for many licenses\n"
	    "Users of f3:  (Uncounted, node-locked)\n"
	    "Users of :  (Total of 1 license issued;  Total of 0 licenses in "
	    "use)\n"
	    "Users of f4  (Total of 1 license issued;  Total of 0 licenses in "
	    "use)\n"
	    "Users of f5:  (Total of 2 licenses issued;  Total of 1 license "
	    "in use)\n"
	    "\t10000000000000000000000 RESERVATIONs for GROUP g (s/1)\n"
	    "    u h d 1 (v1) (s/1 3) queued for -2 licenses\n"
	    "h1: license server UP (MASTER) v11.19\n"
	    "h2: license server DOWN\n"
	    "Error getting status: Cannot connect to license server (-15,570:"
	    "111 \"Connection refused\")\n";
	static const struct lm_want want[] = {
		{ 8, "V", "f2", 2, 2, 0, 0, 0, NULL },
		/* No detail line, two vendors seen in details but none
		   listed as a daemon: the vendor stays "". */
		{ 12, "", "f3", NAN, NAN, 0, 0, 1, NULL },
		{ 15, "", "f5", 2, 1, NAN, NAN, 0, NULL },
	};
	static const char *const errors[] = {
		"line 1: feature detail line outside a feature: '\"f0\" v1, "
		"vendor: V'",
		"line 2: reservation line outside a feature: '1 RESERVATION "
		"for HOST h (s/1)'",
		"line 3: user line outside a feature: 'u h d (v1) (s/1 2), "
		"start Mon 1/1 1:00'",
		"line 4: feature detail line outside a feature: 'floating "
		"license'",
		"line 5: bad \"Users of\" line: 'Users of f1:  (Total of 1 "
		"license issued)'",
		"line 10: feature f2: vendor W differs from V given before, "
		"ignored",
		"line 11: bad queued user line: 'u h d (v1) (s/1 2) queued for "
		"many licenses'",
		/* Quotes of input stop at 64 bytes. */
		"line 13: bad \"Users of\" line: 'Users of :  (Total of 1 "
		"license issued;  Total of 0 licenses in ...'",
		"line 14: bad \"Users of\" line: 'Users of f4  (Total of 1 "
		"license issued;  Total of 0 licenses in...'",
		"line 16: feature f5: reservations '10000000000000000000000': "
		"too large",
		"line 17: feature f5: licences queued '-2': negative",
	};
	struct parse_lmstat pl;

	parse_lmstat(S(text), &pl);
	check_lmstat(&pl, want, 3, NULL, 0);
	assert_errors(pl.errors, pl.nerrors, errors,
	    sizeof errors / sizeof errors[0]);
	assert_int_equal(pl.skipped, 8);
	assert_int_equal(pl.servers_up, 1);
	assert_int_equal(pl.servers_down, 2);
	assert_string_equal(pl.server_error, "h2: license server DOWN");
	parse_lmstat_free(&pl);
}

static void
test_lmstat_caps(void **unused)
{
	struct parse_lmstat pl;
	size_t i, len = 0, cap = 1 << 20;
	char *buf = malloc(cap);

	assert_non_null(buf);
	len += (size_t)snprintf(buf + len, cap - len,
	    "Vendor daemon status (on h):\n  V: UP v1\n");
	for (i = 0; i < PARSE_LMSTAT_MAX_FEATURES + 4; i++)
		len += (size_t)snprintf(buf + len, cap - len,
		    "Users of f%zu:  (Total of %zu licenses issued;  Total of "
		    "0 licenses in use)\n",
		    i, i);
	for (i = 0; i < 70; i++)
		len += (size_t)snprintf(buf + len, cap - len, "junk %zu\n", i);
	parse_lmstat(buf, len, &pl);
	assert_int_equal(pl.nfeatures, PARSE_LMSTAT_MAX_FEATURES);
	assert_string_equal(pl.features[4095].feature, "f4095");
	assert_string_equal(pl.features[4095].vendor, "V");
	assert_double(pl.features[4095].issued, 4095);
	assert_int_equal(pl.nerrors, PARSE_LMSTAT_MAX_ERRORS);
	assert_string_equal(pl.errors[0],
	    "line 4099: more than 4096 features, the rest are ignored");
	assert_string_equal(pl.errors[1],
	    "line 4103: line not understood: 'junk 0'");
	assert_string_equal(pl.errors[63],
	    "too many errors, the rest are not reported");
	assert_int_equal(pl.skipped, 70);
	parse_lmstat_free(&pl);
	parse_lmstat_free(&pl); /* zeroed: fine */
	free(buf);

	/* Nothing at all. */
	parse_lmstat(NULL, 0, &pl);
	assert_int_equal(pl.nfeatures + pl.nvendors + pl.nerrors, 0);
	parse_lmstat_free(&pl);
}

/* ------------------------------------------------------------------ */
/* parse_rlmstat */

struct rlm_want {
	const char *isv, *name;
	double count, inuse, reserved;
	int token_based;
	size_t pools;
};

static void
check_rlmstat(const struct parse_rlmstat *pr, const struct rlm_want *want,
    size_t n)
{
	const struct parse_rlmstat_product *p;
	size_t i;

	for (i = 0; i < pr->nproducts && i < n; i++) {
		p = &pr->products[i];
		assert_string_equal(p->isv, want[i].isv);
		assert_string_equal(p->name, want[i].name);
		assert_double(p->count, want[i].count);
		assert_double(p->inuse, want[i].inuse);
		assert_double(p->reserved, want[i].reserved);
		assert_int_equal(p->token_based, want[i].token_based);
		assert_int_equal(p->pools, want[i].pools);
	}
	assert_int_equal(pr->nproducts, n);
}

static void
test_rlmstat_samples(void **unused)
{
	static const struct rlm_want in_use[] = {
		{ "csci", "converge", 1, 0, 0, 0, 1 },
		{ "csci", "converge_gui", 45, 0, 0, 0, 1 },
		{ "csci", "converge_gui_polygonica", 1, 0, 0, 0, 1 },
		{ "csci", "converge_super", 1000, 93, 0, 0, 1 },
		{ "csci", "converge_tecplot", 45, 0, 0, 0, 1 },
	};
	static const struct rlm_want none[] = {
		{ "csci", "converge", 1, 0, 0, 0, 1 },
		{ "csci", "converge_gui", 45, 0, 0, 0, 1 },
		{ "csci", "converge_gui_polygonica", 1, 0, 0, 0, 1 },
		{ "csci", "converge_super", 1000, 0, 0, 0, 1 },
		{ "csci", "converge_tecplot", 45, 0, 0, 0, 1 },
	};
	struct parse_rlmstat pr;
	size_t len;
	char *buf;

	buf = sample("rlm-rlmstat/rlmstat_a_in_use.txt", &len);
	parse_rlmstat(buf, len, &pr);
	assert_int_equal(pr.connected, 1);
	assert_null(pr.error);
	check_rlmstat(&pr, in_use, 5);
	assert_no_errors(pr.errors, pr.nerrors);
	assert_int_equal(pr.skipped, 0);
	parse_rlmstat_free(&pr);
	free(buf);

	buf = sample("rlm-rlmstat/rlmstat_a_none_in_use.txt", &len);
	parse_rlmstat(buf, len, &pr);
	assert_int_equal(pr.connected, 1);
	assert_null(pr.error);
	check_rlmstat(&pr, none, 5);
	assert_no_errors(pr.errors, pr.nerrors);
	assert_int_equal(pr.skipped, 0);
	parse_rlmstat_free(&pr);
	free(buf);

	buf = sample("rlm-rlmstat/rlmstat_error_connecting.txt", &len);
	parse_rlmstat(buf, len, &pr);
	assert_int_equal(pr.connected, 0);
	assert_string_equal(pr.error, "Error connecting to \"rlm\" server");
	assert_int_equal(pr.nproducts, 0);
	assert_no_errors(pr.errors, pr.nerrors);
	assert_int_equal(pr.skipped, 0);
	parse_rlmstat_free(&pr);
	free(buf);
}

static void
test_rlmstat_pools(void **unused)
{
	/* Tabs as real rlmstat writes them, several pools of a product. */
	static const char text[] =
	    "rlmutil v15.2\n"
	    "\trlm status on srv (port 4101), up 5d 14:26:14\n"
	    "\tfoundry license pool status on srv (port 49679)\n"
	    "\n"
	    "\tnuke_i v2024.0331, pool: 3\n"
	    "\t\tcount: 1, # reservations: 0, inuse: 1, exp: permanent\n"
	    "\t\tobsolete: 0, min_remove: 120, total checkouts: 2321\n"
	    "\tnuke_i v2024.0701, pool: 6\n"
	    "\t\tcount: 22, # reservations: 2, inuse: 3, exp: permanent\n"
	    "\ttok v1.0 (token-based)\n"
	    "\t\tcount: 5, # reservations: 0, inuse: 1, exp: permanent\n"
	    "\tbad v1.0\n"
	    "\t\tcount: -3, # reservations: 0, inuse: 99999999999999999999, "
	    "exp: permanent\n"
	    "\tlonely v2.0\n"
	    "\tnuke_i v2025.0118, pool: 11\r\n"
	    "\t\tcount: 5, # reservations: 0, inuse: 0, exp: 20-jan-2025\r\n"
	    "\t------------------------\n"
	    "\tfoundry license usage status on srv (port 49679)\n"
	    "\tnuke_i v2024.0331: user1@host 1/0 at 03/28 21:44  (handle: "
	    "36a5) \n"
	    "\tcount: 3, inuse: 1\n"
	    "\treprise license pool status on srv (port 5053)\n"
	    "\tnuke_i v1.0\n"
	    "\t\tcount: 2, inuse: 2, exp: permanent, inuse: 7\n"
	    "\tsolo v1.0\n"
	    "\t\tcount: 4, # reservations: 1, inuse: 0, tokens: 3\n";
	static const struct rlm_want want[] = {
		{ "foundry", "nuke_i", 28, 4, 2, 0, 3 },
		{ "foundry", "tok", 5, 1, 0, 1, 1 },
		{ "foundry", "bad", NAN, NAN, 0, 0, 1 },
		{ "reprise", "nuke_i", 2, 2, NAN, 0, 1 },
		{ "reprise", "solo", 4, 0, 1, 1, 1 },
	};
	static const char *const errors[] = {
		"line 13: pool of bad: count '-3': negative",
		"line 13: pool of bad: inuse '99999999999999999999': too large",
		"line 14: pool of lonely has no count line",
		"line 20: line not understood: 'count: 3, inuse: 1'",
		"line 23: pool of nuke_i: inuse given twice",
		"line 23: pool of nuke_i: no # reservations",
	};
	struct parse_rlmstat pr;

	parse_rlmstat(S(text), &pr);
	assert_int_equal(pr.connected, 1);
	assert_null(pr.error);
	check_rlmstat(&pr, want, 5);
	assert_errors(pr.errors, pr.nerrors, errors, 6);
	assert_int_equal(pr.skipped, 1);
	parse_rlmstat_free(&pr);

	/* No status at all, a NUL byte. */
	parse_rlmstat(S("hello\n\tworld\0\n"), &pr);
	assert_int_equal(pr.connected, 0);
	assert_string_equal(pr.error, "no rlm status in the output");
	assert_int_equal(pr.skipped, 2);
	assert_string_equal(pr.errors[1], "line 2: NUL byte in line: 'world?'");
	parse_rlmstat_free(&pr);
	parse_rlmstat_free(&pr);
}

static void
test_rlmstat_caps(void **unused)
{
	struct parse_rlmstat pr;
	size_t i, len = 0, cap = 1 << 20;
	char *buf = malloc(cap);

	assert_non_null(buf);
	len += (size_t)snprintf(buf + len, cap - len,
	    "x license pool status on h (port 1)\n");
	for (i = 0; i < PARSE_RLMSTAT_MAX_PRODUCTS + 2; i++)
		len += (size_t)snprintf(buf + len, cap - len,
		    "p%zu v1.0\ncount: %zu, # reservations: 0, inuse: 0\n", i,
		    i);
	parse_rlmstat(buf, len, &pr);
	assert_int_equal(pr.connected, 1);
	assert_int_equal(pr.nproducts, PARSE_RLMSTAT_MAX_PRODUCTS);
	assert_double(pr.products[4095].count, 4095);
	assert_int_equal(pr.nerrors, 1);
	assert_string_equal(pr.errors[0],
	    "line 8195: more than 4096 products, the rest are ignored");
	parse_rlmstat_free(&pr);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* parse_m365 */

struct sku_want {
	const char *id, *part;
	double enabled, warning, suspended, locked_out, consumed;
};

static void
check_m365(const struct parse_m365 *pm, const struct sku_want *want, size_t n)
{
	const struct parse_m365_sku *s;
	size_t i;

	assert_int_equal(pm->ok, 1);
	assert_null(pm->error);
	for (i = 0; i < pm->nskus && i < n; i++) {
		s = &pm->skus[i];
		assert_string_equal(s->sku_id, want[i].id);
		assert_string_equal(s->part_number, want[i].part);
		assert_double(s->enabled, want[i].enabled);
		assert_double(s->warning, want[i].warning);
		assert_double(s->suspended, want[i].suspended);
		assert_double(s->locked_out, want[i].locked_out);
		assert_double(s->consumed, want[i].consumed);
	}
	assert_int_equal(pm->nskus, n);
}

static void
test_m365_samples(void **unused)
{
	static const struct sku_want report[] = {
		{ "eddf428b-da0e-4115-accf-b29eb0b83965", "CDS_DB_CAPACITY_GOV",
		    1, 0, 0, 0, 0 },
		{ "e2be619b-b125-455f-8660-fb503e431a5d", "M365_G5_GCC", 30, 0,
		    0, 0, 28 },
	};
	static const struct sku_want stub[] = {
		{ "f30db892-07e9-47e9-837c-80727f46fd3d", "FLOW_FREE", 10000, 0,
		    0, 0, 3 },
		{ "c42b9cae-ea4f-4ab7-9717-81576235ccac", "DEVELOPERPACK_E5",
		    25, 0, 0, 0, 22 },
	};
	static const struct sku_want rest[] = {
		{ "c7df2760-2c81-4ef7-b578-5b5392b571df", "ENTERPRISEPREMIUM",
		    25, 0, 0, 0, 14 },
		{ "05e9a617-0261-4cee-bb44-138d3ef5d965", "SPE_E3", 1200, 50, 0,
		    0, 1187 },
		{ "f8a1db68-be16-40ed-86d5-cb42ce701560", "POWER_BI_PRO", 0, 0,
		    45, 0, 40 },
		{ "f30db892-07e9-47e9-837c-80727f46fd3d", "FLOW_FREE", 10000, 0,
		    0, 0, 212 },
		{ "c5928f49-12ba-48f7-ada3-0d743a3601d5", "VISIOCLIENT", 0, 0,
		    0, 5, 0 },
	};
	struct parse_m365 pm;
	size_t len;
	char *buf, *bom;

	buf = sample("ms-graph-subscribedskus/"
	             "scubagear_sample_report_license_information.json",
	    &len);
	parse_m365(buf, len, &pm);
	check_m365(&pm, report, 2);
	assert_no_errors(pm.errors, pm.nerrors);
	parse_m365_free(&pm);
	free(buf);

	buf = sample("ms-graph-subscribedskus/"
	             "scubagear_test_stub_license_information.json",
	    &len);
	parse_m365(buf, len, &pm);
	check_m365(&pm, stub, 2);
	assert_no_errors(pm.errors, pm.nerrors);
	parse_m365_free(&pm);

	/* As PowerShell often writes it: with a byte order mark. */
	bom = malloc(len + 3);
	assert_non_null(bom);
	memcpy(bom, "\xef\xbb\xbf", 3);
	memcpy(bom + 3, buf, len);
	parse_m365(bom, len + 3, &pm);
	check_m365(&pm, stub, 2);
	assert_no_errors(pm.errors, pm.nerrors);
	parse_m365_free(&pm);
	free(bom);
	free(buf);

	buf = sample("ms-graph-subscribedskus/graph_rest_subscribedskus.json",
	    &len);
	parse_m365(buf, len, &pm);
	check_m365(&pm, rest, 5);
	assert_no_errors(pm.errors, pm.nerrors);
	parse_m365_free(&pm);

	/* Cut short: not JSON, nothing kept. */
	parse_m365(buf, len / 2, &pm);
	assert_int_equal(pm.ok, 0);
	assert_non_null(pm.error);
	assert_true(strncmp(pm.error, "line ", 5) == 0);
	assert_int_equal(pm.nskus, 0);
	parse_m365_free(&pm);
	free(buf);
}

/* Pages: @odata.nextLink as given, in any case, or an error. */
static void
test_m365_next(void **unused)
{
	static const char page[] =
	    "{\"@odata.context\": \"x\", \"@odata.NextLink\": "
	    "\"https://graph.microsoft.com/v1.0/subscribedSkus?$skiptoken=X1\", "
	    "\"value\": [{\"skuPartNumber\": \"A\", \"skuId\": \"a\", "
	    "\"consumedUnits\": 1, \"prepaidUnits\": {\"enabled\": 2, "
	    "\"warning\": 0, \"suspended\": 0, \"lockedOut\": 0}}]}";
	static const char last[] = "{\"value\": [], \"@odata.nextLink\": null}";
	static const char bad[] = "{\"value\": [], \"@odata.nextLink\": 7}";
	static const char nul[] =
	    "{\"value\": [], \"@odata.nextLink\": \"http://a/\\u0000b\"}";
	struct parse_m365 pm;

	(void)unused;
	parse_m365(S(page), &pm);
	assert_int_equal(pm.ok, 1);
	assert_int_equal(pm.nskus, 1);
	assert_string_equal(pm.next_link,
	    "https://graph.microsoft.com/v1.0/subscribedSkus?$skiptoken=X1");
	assert_int_equal(pm.nerrors, 0);
	parse_m365_free(&pm);
	parse_m365(S(last), &pm);
	assert_int_equal(pm.ok, 1);
	assert_null(pm.next_link);
	assert_int_equal(pm.nerrors, 0);
	parse_m365_free(&pm);
	parse_m365(S(bad), &pm);
	assert_null(pm.next_link);
	assert_int_equal(pm.nerrors, 1);
	assert_string_equal(pm.errors[0],
	    "@odata.nextLink is a number, not a URL");
	parse_m365_free(&pm);
	parse_m365(S(nul), &pm);
	assert_null(pm.next_link);
	assert_string_equal(pm.errors[0],
	    "@odata.nextLink is a string holding a NUL, not a URL");
	parse_m365_free(&pm);
}

static void
test_m365_bad(void **unused)
{
	static const char text[] =
	    "[\n"
	    "{\"SKUPARTNUMBER\": \"A\", \"skuId\": \"id-a\", "
	    "\"consumedUnits\": -1, \"prepaidUnits\": {\"enabled\": \"5\", "
	    "\"warning\": 1.5, "
	    "\"suspended\": 1e300, \"lockedOut\": 18446744073709551616}},\n"
	    "{\"skuPartNumber\": \"B\", \"consumedUnits\": 9007199254740992, "
	    "\"prepaidUnits\": {\"Enabled\": 2, \"enabled\": 3, \"warning\": "
	    "null}},\n"
	    "{\"skuPartNumber\": \"A\", \"skuId\": \"id-a2\", "
	    "\"consumedUnits\": 1, \"prepaidUnits\": {}},\n"
	    "{\"skuId\": \"id-c\"},\n"
	    "42,\n"
	    "{\"skuPartNumber\": \"C\", \"SkuId\": \"id-c\", \"skuid\": "
	    "\"id-x\", \"consumedUnits\": 0, \"prepaidUnits\": [1]},\n"
	    "{\"skuPartNumber\": \"D\\u0000E\"}\n"
	    "]";
	static const struct sku_want want[] = {
		{ "id-a", "A", NAN, NAN, NAN, NAN, NAN },
		{ "", "B", 2, NAN, NAN, NAN, 9007199254740992.0 },
		{ "id-c", "C", NAN, NAN, NAN, NAN, 0 },
	};
	static const char *const errors[] = {
		"[0]: consumedUnits is negative",
		"[0]: prepaidUnits.enabled is a string",
		"[0]: prepaidUnits.warning is not a whole number",
		"[0]: prepaidUnits.suspended is too large",
		"[0]: prepaidUnits.lockedOut is too large",
		"[1]: no skuId",
		"[1]: enabled given 2 times in different cases, the first used",
		"[1]: prepaidUnits.warning is null",
		"[1]: prepaidUnits.suspended is missing",
		"[1]: prepaidUnits.lockedOut is missing",
		"[2]: part number A given again, dropped",
		"[3]: no skuPartNumber",
		"[4]: is a number, not an object",
		"[5]: skuId given 2 times in different cases, the first used",
		"[5]: prepaidUnits is an array",
		"[6]: skuPartNumber is empty or holds a NUL",
	};
	struct parse_m365 pm;

	parse_m365(S(text), &pm);
	check_m365(&pm, want, 3);
	assert_errors(pm.errors, pm.nerrors, errors,
	    sizeof errors / sizeof errors[0]);
	parse_m365_free(&pm);
}

static void
test_m365_documents(void **unused)
{
	struct parse_m365 pm;

	parse_m365(S("42"), &pm);
	assert_int_equal(pm.ok, 0);
	assert_string_equal(pm.error,
	    "the document is a number, not an "
	    "object");
	parse_m365_free(&pm);

	parse_m365(S("{\"foo\": []}"), &pm);
	assert_int_equal(pm.ok, 0);
	assert_string_equal(pm.error,
	    "no \"value\" nor \"license_information\" list in the document");
	parse_m365_free(&pm);

	parse_m365(S("{\"Value\": {}}"), &pm);
	assert_int_equal(pm.ok, 0);
	assert_string_equal(pm.error, "\"value\" is an object, not an array");
	parse_m365_free(&pm);

	parse_m365(S(""), &pm);
	assert_int_equal(pm.ok, 0);
	assert_non_null(pm.error);
	parse_m365_free(&pm);

	/* An empty list is fine. */
	parse_m365(S("{\"value\": []}"), &pm);
	assert_int_equal(pm.ok, 1);
	assert_int_equal(pm.nskus, 0);
	assert_null(pm.error);
	parse_m365_free(&pm);

	/* A key repeated exactly: reported, the last value used. */
	parse_m365(S("{\"value\": [], \"value\": [{\"skuPartNumber\": \"X\","
	             " \"skuId\": \"x\", \"consumedUnits\": 1, "
	             "\"prepaidUnits\": {\"enabled\": 1, \"warning\": 0, "
	             "\"suspended\": 0, \"lockedOut\": 0}}]}"),
	    &pm);
	assert_int_equal(pm.ok, 1);
	assert_int_equal(pm.nskus, 1);
	assert_string_equal(pm.skus[0].part_number, "X");
	assert_int_equal(pm.nerrors, 1);
	assert_true(strncmp(pm.errors[0], "line 1 column ", 14) == 0);
	assert_non_null(strstr(pm.errors[0], "duplicate object key"));
	assert_non_null(strstr(pm.errors[0], "; its last value is used"));
	parse_m365_free(&pm);
	parse_m365_free(&pm);
}

static void
test_m365_caps(void **unused)
{
	struct parse_m365 pm;
	size_t i, len = 0, cap = 1 << 20;
	char *buf = malloc(cap);

	assert_non_null(buf);
	len += (size_t)snprintf(buf + len, cap - len, "{\"value\": [");
	for (i = 0; i < PARSE_M365_MAX_SKUS + 3; i++)
		len += (size_t)snprintf(buf + len, cap - len,
		    "%s{\"skuPartNumber\": \"P%zu\", \"skuId\": \"i\", "
		    "\"consumedUnits\": %zu, \"prepaidUnits\": {\"enabled\": "
		    "1, \"warning\": 0, \"suspended\": 0, \"lockedOut\": 0}}",
		    i == 0 ? "" : ",", i, i);
	len += (size_t)snprintf(buf + len, cap - len, "]}");
	parse_m365(buf, len, &pm);
	assert_int_equal(pm.ok, 1);
	assert_int_equal(pm.nskus, PARSE_M365_MAX_SKUS);
	assert_double(pm.skus[4095].consumed, 4095);
	assert_int_equal(pm.nerrors, 1);
	assert_string_equal(pm.errors[0],
	    "value[4096]: more than 4096 SKUs, the rest are ignored");
	parse_m365_free(&pm);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* parse_xapi */

struct stmt_want {
	const char *id, *verb, *object, *stored;
	long long stored_ns;
};

static void
check_xapi(const struct parse_xapi *px, const struct stmt_want *want, size_t n)
{
	const struct parse_xapi_statement *s;
	size_t i;

	assert_int_equal(px->ok, 1);
	assert_null(px->error);
	for (i = 0; i < px->n && i < n; i++) {
		s = &px->statements[i];
		assert_string_equal(s->id, want[i].id);
		assert_string_equal(s->verb, want[i].verb);
		assert_string_equal(s->object, want[i].object);
		assert_string_equal(s->stored, want[i].stored);
		assert_int_equal(s->stored_ns, want[i].stored_ns);
	}
	assert_int_equal(px->n, n);
}

#define XAPI_VERB "http://adlnet.gov/expapi/verbs/"
#define XAPI_CBT "http://example.adlnet.gov/xapi/example/simpleCBT"
#define XAPI_SEC "http://example.adlnet.gov/xapi/example/securityAwareness"

static void
test_xapi_samples(void **unused)
{
	static const struct stmt_want single[] = {
		{ "7ccd3322-e1a5-411a-a67d-6a735c76f119", XAPI_VERB "attempted",
		    XAPI_CBT, "", 0 },
	};
	/* 2015-12-18T00:00:00Z is 1450396800. */
	static const struct stmt_want page1[] = {
		{ "7ccd3322-e1a5-411a-a67d-6a735c76f119", XAPI_VERB "attempted",
		    XAPI_CBT, "2015-12-18T12:17:00.315Z",
		    1450441020315000000LL },
		{ "3f7c9a8e-2b14-4d56-9a0b-6c1d2e3f4a5b", XAPI_VERB "completed",
		    XAPI_CBT, "2015-12-18T12:37:35.002Z",
		    1450442255002000000LL },
		{ "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", XAPI_VERB "passed",
		    XAPI_SEC, "2015-12-18T14:05:09.48+01:00",
		    1450443909480000000LL },
	};
	static const struct stmt_want page2[] = {
		{ "5e8f1d2c-3b4a-4c5d-8e6f-7a8b9c0d1e2f", XAPI_VERB "attempted",
		    XAPI_SEC, "2015-12-18T15:20:44.000Z",
		    1450452044000000000LL },
		{ "0c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f", XAPI_VERB "voided",
		    "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
		    "2015-12-18T16:00:00Z", 1450454400000000000LL },
	};
	static const char *const single_errors[] = { "statement: no stored" };
	struct parse_xapi px;
	size_t len;
	char *buf;

	/* The real statement, as sent (an LRS adds "stored"). */
	buf = sample("xapi-learning/xapi_statement_attempted_completion.json",
	    &len);
	parse_xapi(buf, len, &px);
	check_xapi(&px, single, 1);
	assert_null(px.more);
	assert_errors(px.errors, px.nerrors, single_errors, 1);
	parse_xapi_free(&px);
	free(buf);

	buf = sample("xapi-learning/xapi_statements_page1.json", &len);
	parse_xapi(buf, len, &px);
	check_xapi(&px, page1, 3);
	assert_string_equal(px.more,
	    "/xapi/statements?more="
	    "eyJzaW5jZSI6IjIwMTUtMTItMThUMTM6MDU6MDkuN"
	    "DgwWiJ9");
	assert_no_errors(px.errors, px.nerrors);
	parse_xapi_free(&px);

	/* Cut short: not JSON. */
	parse_xapi(buf, len - 10, &px);
	assert_int_equal(px.ok, 0);
	assert_non_null(px.error);
	assert_int_equal(px.n, 0);
	parse_xapi_free(&px);
	free(buf);

	buf = sample("xapi-learning/xapi_statements_page2.json", &len);
	parse_xapi(buf, len, &px);
	check_xapi(&px, page2, 2);
	assert_string_equal(px.more, "");
	assert_no_errors(px.errors, px.nerrors);
	parse_xapi_free(&px);
	free(buf);
}

static void
test_xapi_bad(void **unused)
{
	static const char text[] =
	    "\xef\xbb\xbf{\"more\": 5, \"statements\": [\n"
	    "{\"id\": \"s1\", \"verb\": {\"id\": \"v\"}, \"object\": {\"id\": "
	    "\"o\"}, \"stored\": \"2015-12-18T16:00:00\"},\n"
	    "{\"id\": \"s2\", \"verb\": \"v\", \"object\": {\"objectType\": "
	    "\"Agent\", \"mbox\": \"mailto:a@b\"}, \"stored\": "
	    "\"2015-12-18\"},\n"
	    "{\"id\": \"s1\", \"verb\": {\"id\": \"v\"}},\n"
	    "[],\n"
	    "{\"verb\": {}, \"object\": {\"objectType\": \"StatementRef\"}, "
	    "\"stored\": 1450454400},\n"
	    "{\"id\": \"s3\", \"verb\": {\"id\": \"v\"}, \"object\": {\"id\": "
	    "\"o\\u0000\"}, \"stored\": \"2015-12-18T16:00:00+01:00\"}\n"
	    "]}";
	static const struct stmt_want want[] = {
		{ "s1", "v", "o", "2015-12-18T16:00:00", 0 },
		{ "s2", "", "", "2015-12-18", 1450396800LL * NS },
		{ "", "", "", "", 0 },
		{ "s3", "v", "", "2015-12-18T16:00:00+01:00",
		    1450450800LL * NS },
	};
	static const char *const errors[] = {
		"more is a number, not a URL",
		"statements[0]: stored '2015-12-18T16:00:00' is not a "
		"timestamp",
		"statements[1]: verb is a string, not an object",
		"statements[2]: id s1 given again, dropped",
		"statements[3]: is an array, not an object",
		"statements[4]: no id",
		"statements[4]: no verb.id",
		"statements[4]: no object.id",
		"statements[4]: stored is a number, not a string",
		"statements[5]: object.id is empty or holds a NUL",
	};
	struct parse_xapi px;

	parse_xapi(S(text), &px);
	check_xapi(&px, want, 4);
	assert_null(px.more);
	assert_errors(px.errors, px.nerrors, errors,
	    sizeof errors / sizeof errors[0]);
	parse_xapi_free(&px);

	parse_xapi(S("{\"statements\": {}}"), &px);
	assert_int_equal(px.ok, 0);
	assert_string_equal(px.error, "statements is an object, not an array");
	parse_xapi_free(&px);

	parse_xapi(S("{\"foo\": 1}"), &px);
	assert_int_equal(px.ok, 0);
	assert_string_equal(px.error, "no statements in the document");
	parse_xapi_free(&px);

	parse_xapi(S("\"x\""), &px);
	assert_int_equal(px.ok, 0);
	assert_string_equal(px.error,
	    "the document is a string, not an "
	    "object");
	parse_xapi_free(&px);

	/* A bare array of statements, the form a client POSTs. */
	parse_xapi(S("[{\"id\": \"a\", \"verb\": {\"id\": \"v\"}, \"object\": "
	             "{\"id\": \"o\"}, \"stored\": \"@10\"}]"),
	    &px);
	assert_int_equal(px.ok, 1);
	assert_int_equal(px.n, 1);
	assert_int_equal(px.statements[0].stored_ns, 10 * NS);
	assert_no_errors(px.errors, px.nerrors);
	parse_xapi_free(&px);
	parse_xapi_free(&px);
}

/* ------------------------------------------------------------------ */
/* parse_jsonfeed */

/* The number at pointer, which must be there. */
static double
jf_number(const struct parse_jsonfeed *jf, const char *pointer)
{
	char *cause = NULL;
	double d = -1;

	if (parse_jsonfeed_number(jf, pointer, &d, &cause) != 0)
		fail_msg("%s: %s", pointer, cause);
	assert_null(cause);
	return d;
}

/* Why there is no number at pointer. */
static void
jf_no_number(const struct parse_jsonfeed *jf, const char *pointer,
    const char *why)
{
	char *cause = NULL;
	double d = 42;

	if (parse_jsonfeed_number(jf, pointer, &d, &cause) != -1)
		fail_msg("%s: a number, %g", pointer, d);
	assert_double(d, 42);
	assert_non_null(cause);
	assert_string_equal(cause, why);
	free(cause);
	/* Without a cause wanted. */
	assert_int_equal(parse_jsonfeed_number(jf, pointer, &d, NULL), -1);
}

static void
test_jsonfeed_pointers(void **unused)
{
	/* The example document of RFC 6901, section 5. */
	static const char doc[] = "{\n"
	                          "  \"foo\": [\"bar\", \"baz\"],\n"
	                          "  \"\": 0,\n"
	                          "  \"a/b\": 1,\n"
	                          "  \"c%d\": 2,\n"
	                          "  \"e^f\": 3,\n"
	                          "  \"g|h\": 4,\n"
	                          "  \"i\\\\j\": 5,\n"
	                          "  \"k\\\"l\": 6,\n"
	                          "  \" \": 7,\n"
	                          "  \"m~n\": 8,\n"
	                          "  \"o\": {\"~1\": [10, {\"\": 11}]}\n"
	                          "}";
	struct parse_jsonfeed *jf;
	char *cause = NULL;

	jf = parse_jsonfeed_load(S(doc), &cause);
	assert_non_null(jf);
	assert_null(cause);
	assert_double(jf_number(jf, "/"), 0);
	assert_double(jf_number(jf, "/a~1b"), 1);
	assert_double(jf_number(jf, "/c%d"), 2);
	assert_double(jf_number(jf, "/e^f"), 3);
	assert_double(jf_number(jf, "/g|h"), 4);
	assert_double(jf_number(jf, "/i\\j"), 5);
	assert_double(jf_number(jf, "/k\"l"), 6);
	assert_double(jf_number(jf, "/ "), 7);
	assert_double(jf_number(jf, "/m~0n"), 8);
	assert_double(jf_number(jf, "/o/~01/0"), 10);
	assert_double(jf_number(jf, "/o/~01/1/"), 11);
	jf_no_number(jf, "", "an object, not a number");
	jf_no_number(jf, "/foo", "an array, not a number");
	jf_no_number(jf, "/foo/0", "the string \"bar\" is not a number");
	jf_no_number(jf, "/foo/2",
	    "no element 2 in the array at \"/foo\" (2 elements)");
	jf_no_number(jf, "/foo/01",
	    "\"01\" is not an index of the array at \"/foo\"");
	jf_no_number(jf, "/foo/-",
	    "\"-\" is not an index of the array at \"/foo\"");
	jf_no_number(jf, "/foo/99999999999999999999999",
	    "\"99999999999999999999999\" is not an index of the array at "
	    "\"/foo\"");
	jf_no_number(jf, "/a/b", "no member \"a\" in the object at \"\"");
	jf_no_number(jf, "/o/~1", "no member \"/\" in the object at \"/o\"");
	jf_no_number(jf, "/ /x", "\"/ \" is a number, not an object or array");
	jf_no_number(jf, "foo", "bad JSON pointer \"foo\"");
	jf_no_number(jf, "/m~n", "bad JSON pointer \"/m~n\"");
	parse_jsonfeed_free(jf);

	assert_int_equal(parse_jsonfeed_pointer_valid(""), 1);
	assert_int_equal(parse_jsonfeed_pointer_valid("/"), 1);
	assert_int_equal(parse_jsonfeed_pointer_valid("//"), 1);
	assert_int_equal(parse_jsonfeed_pointer_valid("/a~1b/0"), 1);
	assert_int_equal(parse_jsonfeed_pointer_valid("/~0~1"), 1);
	assert_int_equal(parse_jsonfeed_pointer_valid("a"), 0);
	assert_int_equal(parse_jsonfeed_pointer_valid("/~"), 0);
	assert_int_equal(parse_jsonfeed_pointer_valid("/~2"), 0);
	assert_int_equal(parse_jsonfeed_pointer_valid("/a~"), 0);
	assert_int_equal(parse_jsonfeed_pointer_valid(NULL), 0);
}

static void
test_jsonfeed_values(void **unused)
{
	static const char doc[] =
	    "\xef\xbb\xbf{\"a\": \"12.5\", \"b\": \" 12\", \"c\": \"1e3\", "
	    "\"d\": \"nan\", \"e\": \"0x10\", \"f\": \"\", \"g\": \"-7\", "
	    "\"h\": \"1e999\", \"i\": 123456789012345678901234567890, "
	    "\"j\": true, \"k\": null, \"l\": -0.25, \"m\": \"1\\u00002\",\n"
	    "\"t1\": 1700000000, \"t2\": 1700000000.9, \"t3\": -0.5, "
	    "\"t4\": \"2023-11-14T22:13:20Z\", \"t5\": \"@1700000000\", "
	    "\"t6\": \"yesterday\", \"t7\": 1e12, \"t8\": "
	    "\"1969-12-31T23:59:59.5Z\", \"t9\": \"2023-11-14\", "
	    "\"t10\": [1]}";
	struct parse_jsonfeed *jf;
	long long t;
	char *cause = NULL;

	jf = parse_jsonfeed_load(S(doc), &cause);
	assert_non_null(jf);
	assert_double(jf_number(jf, "/a"), 12.5);
	jf_no_number(jf, "/b", "the string \" 12\" is not a number");
	assert_double(jf_number(jf, "/c"), 1000);
	jf_no_number(jf, "/d", "the string \"nan\" is not a number");
	jf_no_number(jf, "/e", "the string \"0x10\" is not a number");
	jf_no_number(jf, "/f", "the string \"\" is not a number");
	assert_double(jf_number(jf, "/g"), -7);
	jf_no_number(jf, "/h", "the number is out of range");
	assert_double(jf_number(jf, "/i"), 1.2345678901234568e29);
	jf_no_number(jf, "/j", "a boolean, not a number");
	jf_no_number(jf, "/k", "null, not a number");
	assert_double(jf_number(jf, "/l"), -0.25);
	jf_no_number(jf, "/m", "the string \"1?2\" is not a number");

	assert_int_equal(parse_jsonfeed_time(jf, "/t1", &t, NULL), 0);
	assert_int_equal(t, 1700000000);
	assert_int_equal(parse_jsonfeed_time(jf, "/t2", &t, NULL), 0);
	assert_int_equal(t, 1700000000);
	assert_int_equal(parse_jsonfeed_time(jf, "/t3", &t, NULL), 0);
	assert_int_equal(t, -1);
	assert_int_equal(parse_jsonfeed_time(jf, "/t4", &t, NULL), 0);
	assert_int_equal(t, 1700000000);
	assert_int_equal(parse_jsonfeed_time(jf, "/t5", &t, NULL), 0);
	assert_int_equal(t, 1700000000);
	assert_int_equal(parse_jsonfeed_time(jf, "/t8", &t, NULL), 0);
	assert_int_equal(t, -1);
	assert_int_equal(parse_jsonfeed_time(jf, "/t9", &t, NULL), 0);
	assert_int_equal(t, 1699920000);
	t = 42;
	assert_int_equal(parse_jsonfeed_time(jf, "/t6", &t, &cause), -1);
	assert_string_equal(cause, "the string \"yesterday\" is not a time");
	free(cause);
	assert_int_equal(parse_jsonfeed_time(jf, "/t7", &t, &cause), -1);
	assert_string_equal(cause, "the epoch time is out of range");
	free(cause);
	assert_int_equal(parse_jsonfeed_time(jf, "/t10", &t, &cause), -1);
	assert_string_equal(cause, "an array, not a time");
	free(cause);
	assert_int_equal(parse_jsonfeed_time(jf, "/t11", &t, &cause), -1);
	assert_string_equal(cause, "no member \"t11\" in the object at \"\"");
	free(cause);
	assert_int_equal(t, 42);
	parse_jsonfeed_free(jf);

	/* A number alone is a document. */
	jf = parse_jsonfeed_load(S(" 42 "), NULL);
	assert_non_null(jf);
	assert_double(jf_number(jf, ""), 42);
	parse_jsonfeed_free(jf);
	parse_jsonfeed_free(NULL);
	assert_int_equal(parse_jsonfeed_number(NULL, "", &(double){ 0 },
	                     &cause),
	    -1);
	assert_string_equal(cause, "no document");
	free(cause);
}

static void
test_jsonfeed_load_errors(void **unused)
{
	char *cause = NULL;

	assert_null(parse_jsonfeed_load(S("{\"a\": [1, 2"), &cause));
	assert_non_null(cause);
	assert_true(strncmp(cause, "line 1 column ", 14) == 0);
	free(cause);
	assert_null(parse_jsonfeed_load(S(""), &cause));
	assert_non_null(cause);
	free(cause);
	assert_null(parse_jsonfeed_load(S("{\"a\": 1, \"a\": 2}"), &cause));
	assert_non_null(strstr(cause, "duplicate object key"));
	free(cause);
	assert_null(parse_jsonfeed_load(S("[1]\0"), &cause));
	free(cause);
	assert_null(parse_jsonfeed_load(S("[\x01\xff]"), &cause));
	/* The message quotes input bytes: they are made printable. */
	for (size_t i = 0; cause[i] != '\0'; i++)
		assert_true(cause[i] >= ' ' && cause[i] <= '~');
	free(cause);
	assert_null(parse_jsonfeed_load(S("{\"a\": 1e400}"), NULL));
}

/*
 * A list of points: rows sorted by time, each element's pointers taken
 * from the element, bad elements reported with their index.
 */
static void
test_jsonfeed_rows(void **unused)
{
	static const char doc[] =
	    "{\"stats\": {\"days\": ["
	    "{\"date\": \"2026-01-03\", \"n\": 30, \"m\": {\"k\": 3}},"
	    "{\"date\": \"2026-01-01\", \"n\": \"10\", \"m\": {\"k\": 1}},"
	    "{\"date\": \"yesterday\", \"n\": 99},"
	    "{\"date\": 1767312000, \"n\": true, \"m\": {\"k\": 2}},"
	    "{\"date\": \"2026-01-01T00:00:00Z\", \"n\": 11},"
	    "7]}, \"one\": 1}";
	static const char *const values[] = { "/n", "/m/k" };
	struct parse_csvfeed out;
	struct parse_jsonfeed *jf;

	jf = parse_jsonfeed_load(S(doc), NULL);
	assert_non_null(jf);
	parse_jsonfeed_rows(jf, "/stats/days", "/date", values, 2, &out);
	assert_int_equal(out.ok, 1);
	assert_int_equal(out.nrows, 3);
	assert_int_equal(out.rows[0].time, 1767225600); /* 2026-01-01 */
	assert_int_equal(out.rows[0].line, 1);
	assert_double(out.rows[0].values[0], 10);
	assert_double(out.rows[0].values[1], 1);
	assert_int_equal(out.rows[1].time, 1767312000);
	assert_true(isnan(out.rows[1].values[0]));
	assert_double(out.rows[1].values[1], 2);
	assert_int_equal(out.rows[2].time, 1767398400);
	assert_double(out.rows[2].values[0], 30);
	assert_int_equal(out.nerrors, 5);
	assert_string_equal(out.errors[0],
	    "row 2: time \"/date\": the string \"yesterday\" is not a time, "
	    "row dropped");
	assert_string_equal(out.errors[1],
	    "row 3: \"/n\": a boolean, not a number");
	assert_string_equal(out.errors[2],
	    "row 4: \"/m/k\": no member \"m\" in the object at \"\"");
	assert_string_equal(out.errors[3],
	    "row 5: time \"/date\": \"\" is a number, not an object or "
	    "array, row dropped");
	assert_string_equal(out.errors[4],
	    "row 4: time 1767225600 given before by row 1, row dropped");
	parse_csvfeed_free(&out);

	/* No list: nothing read, and why. */
	parse_jsonfeed_rows(jf, "/stats/weeks", "/date", values, 2, &out);
	assert_int_equal(out.ok, 0);
	assert_int_equal(out.nrows, 0);
	assert_string_equal(out.error,
	    "rows \"/stats/weeks\": no member \"weeks\" in the object at "
	    "\"/stats\"");
	parse_csvfeed_free(&out);
	parse_jsonfeed_rows(jf, "/one", "/date", values, 2, &out);
	assert_int_equal(out.ok, 0);
	assert_string_equal(out.error,
	    "rows \"/one\" is a number, not an array");
	parse_csvfeed_free(&out);
	parse_jsonfeed_free(jf);
}

/* ------------------------------------------------------------------ */
/* parse_csvfeed */

struct row_want {
	size_t line;
	long long time;
	double v[4];
};

static void
check_csv(const struct parse_csvfeed *pc, const struct row_want *want, size_t n,
    size_t nvalues)
{
	size_t i, j;

	assert_int_equal(pc->ok, 1);
	assert_null(pc->error);
	for (i = 0; i < pc->nrows && i < n; i++) {
		assert_int_equal(pc->rows[i].line, want[i].line);
		assert_int_equal(pc->rows[i].time, want[i].time);
		for (j = 0; j < nvalues; j++)
			assert_double(pc->rows[i].values[j], want[i].v[j]);
	}
	assert_int_equal(pc->nrows, n);
}

static void
test_csvfeed_focus(void **unused)
{
	static const char *const cols[] = { "BilledCost", "EffectiveCost",
		"ConsumedQuantity", "x_CommitmentDiscountUnitPrice" };
	struct parse_csvfeed_opts o = { "ChargePeriodStart", cols, 4 };
	/* 2023-01-01T00:00:00Z is 1672531200. */
	static const struct row_want want[] = {
		{ 2, 1672531200, { 2, 0, NAN, 2 } },
	};
	static const char *const errors[] = {
		"row 1 (line 2): column ConsumedQuantity: bad number 'null'",
		"row 2 (line 4): time 1672531200 given before by row 1 (line "
		"2), row dropped",
		"row 3 (line 6): time 1672531200 given before by row 1 (line "
		"2), row dropped",
	};
	static const char *const vc_errors[] = {
		"row 1 (line 2): bad date '4/1/25'",
		"row 2 (line 3): bad date '4/1/25'",
		"row 3 (line 4): bad date '4/1/25'",
	};
	static const char *const sc_errors[] = {
		"row 1 (line 2): bad date '4/1/25'",
		"row 2 (line 3): bad date '5/1/25'",
		"row 3 (line 4): bad date '6/1/25'",
	};
	static const char *const b2_first[] = { "BilledCost" };
	struct parse_csvfeed pc;
	size_t len;
	char *buf;

	/* ISO times, CRLF, blank lines, "null": three rows, one time. */
	buf = sample("focus-cost-usage/one_hundred_percent_utilization_with_"
	             "commitment_discount_flexibility_with_2_resources.csv",
	    &len);
	parse_csvfeed(buf, len, &o, &pc);
	check_csv(&pc, want, 1, 4);
	assert_errors(pc.errors, pc.nerrors, errors, 3);
	parse_csvfeed_free(&pc);
	free(buf);

	/* A byte order mark before the first name; M/D/YY dates. */
	o.value_columns = b2_first;
	o.nvalues = 1;
	buf = sample("focus-cost-usage/virtual_currency_pricing_model_a2.csv",
	    &len);
	parse_csvfeed(buf, len, &o, &pc);
	check_csv(&pc, NULL, 0, 1);
	assert_errors(pc.errors, pc.nerrors, vc_errors, 3);
	parse_csvfeed_free(&pc);
	free(buf);

	/* Money as "$10,100.00 ": never read, the dates are bad first. */
	buf = sample("focus-cost-usage/simple_saas_agreements_c.csv", &len);
	parse_csvfeed(buf, len, &o, &pc);
	check_csv(&pc, NULL, 0, 1);
	assert_errors(pc.errors, pc.nerrors, sc_errors, 3);
	parse_csvfeed_free(&pc);
	free(buf);

	/* 14 rows, no final newline. */
	buf = sample("focus-cost-usage/saas_spend_agreements_b2.csv", &len);
	parse_csvfeed(buf, len, &o, &pc);
	check_csv(&pc, NULL, 0, 1);
	assert_int_equal(pc.nerrors, 14);
	assert_string_equal(pc.errors[0], "row 1 (line 2): bad date '4/1/25'");
	assert_string_equal(pc.errors[13],
	    "row 14 (line 15): bad date '4/1/25'");
	parse_csvfeed_free(&pc);

	/* A column the header lacks. */
	o.date_column = "ChargePeriodBegin";
	parse_csvfeed(buf, len, &o, &pc);
	assert_int_equal(pc.ok, 0);
	assert_string_equal(pc.error,
	    "line 1: no column \"ChargePeriodBegin\" in the header");
	assert_int_equal(pc.nrows, 0);
	assert_int_equal(pc.nerrors, 0);
	parse_csvfeed_free(&pc);
	free(buf);
}

static void
test_csvfeed_rows(void **unused)
{
	static const char text[] = "\xef\xbb\xbf date , \"a\",b,c\r\n"
	                           "2024-01-03,1,2,3\r\n"
	                           "\r\n"
	                           "2024-01-01,\"1,5\",  7  ,\r\n"
	                           "2024-01-02,\"multi\nline\",8,9\r\n"
	                           "2024-01-01,4,5,6\r\n"
	                           "bad-date,1,2,3\r\n"
	                           "2024-01-05,1e3,-2.5,+4\r\n"
	                           "2024-01-04,1\r\n"
	                           "\"2024-01-06\",\"\"\"q\"\"\",0,0";
	static const char *const cols[] = { "a", "b", "c" };
	struct parse_csvfeed_opts o = { "date", cols, 3 };
	/* 2024-01-01 is 1704067200, a day is 86400. */
	static const struct row_want want[] = {
		{ 4, 1704067200, { NAN, 7, NAN } },
		{ 5, 1704153600, { NAN, 8, 9 } },
		{ 2, 1704240000, { 1, 2, 3 } },
		{ 10, 1704326400, { 1, NAN, NAN } },
		{ 9, 1704412800, { 1000, -2.5, 4 } },
		{ 11, 1704499200, { NAN, 0, 0 } },
	};
	static const char *const errors[] = {
		"row 2 (line 4): column a: bad number '1,5'",
		"row 3 (line 5): column a: bad number 'multi?line'",
		"row 5 (line 8): bad date 'bad-date'",
		"row 7 (line 10): 2 fields, too few for column 4",
		"row 8 (line 11): column a: bad number '\"q\"'",
		"row 4 (line 7): time 1704067200 given before by row 2 (line "
		"4), row dropped",
	};
	struct parse_csvfeed pc;

	parse_csvfeed(S(text), &o, &pc);
	check_csv(&pc, want, 6, 3);
	assert_errors(pc.errors, pc.nerrors, errors, 6);
	parse_csvfeed_free(&pc);
	parse_csvfeed_free(&pc);
}

static void
test_csvfeed_odd(void **unused)
{
	static const char *const cols[] = { "a" };
	struct parse_csvfeed_opts o = { "date", cols, 1 };
	static const char *const dup_errors[] = {
		"line 1: header: column a given again as column 3, the first "
		"(column 2) is used",
	};
	static const char *const nul_errors[] = {
		"row 1 (line 3): column a: bad number '1? 2'",
		"row 2 (line 4): bad date '2024-01-02?'",
	};
	struct parse_csvfeed pc;

	parse_csvfeed(S(""), &o, &pc);
	assert_int_equal(pc.ok, 0);
	assert_string_equal(pc.error, "no header row");
	parse_csvfeed_free(&pc);

	parse_csvfeed(S("\n\n  \n"), &o, &pc);
	assert_int_equal(pc.ok, 0);
	assert_string_equal(pc.error, "no header row");
	parse_csvfeed_free(&pc);

	/* A header only; a name given twice; CR alone ends rows too. */
	parse_csvfeed(S("date,a,a\r2024-01-01T00:00:00+01:00,5,6\r"), &o, &pc);
	assert_int_equal(pc.ok, 1);
	assert_int_equal(pc.nrows, 1);
	assert_int_equal(pc.rows[0].time, 1704063600);
	assert_double(pc.rows[0].values[0], 5);
	assert_errors(pc.errors, pc.nerrors, dup_errors, 1);
	parse_csvfeed_free(&pc);

	/* NUL bytes, a blank line first, epoch times. */
	parse_csvfeed(S("\ndate,a\n2024-01-01,1\0 2\n2024-01-02\0,3\n@5,7"), &o,
	    &pc);
	assert_int_equal(pc.ok, 1);
	assert_int_equal(pc.nrows, 2);
	assert_int_equal(pc.rows[0].time, 5);
	assert_int_equal(pc.rows[0].line, 5);
	assert_double(pc.rows[0].values[0], 7);
	assert_int_equal(pc.rows[1].time, 1704067200);
	assert_int_equal(pc.rows[1].line, 3);
	assert_double(pc.rows[1].values[0], NAN);
	assert_errors(pc.errors, pc.nerrors, nul_errors, 2);
	parse_csvfeed_free(&pc);
}

static void
test_csvfeed_caps(void **unused)
{
	static const char *const cols[] = { "v" };
	struct parse_csvfeed_opts o = { "t", cols, 1 };
	struct parse_csvfeed pc;
	size_t i, len = 0, cap = 1 << 20;
	char *buf = malloc(cap);

	assert_non_null(buf);
	len += (size_t)snprintf(buf + len, cap - len, "t,v\n");
	/* Backwards in time, to be sorted. */
	for (i = 0; i < PARSE_CSVFEED_MAX_ROWS + 5; i++)
		len += (size_t)snprintf(buf + len, cap - len, "@%zu,%zu\n",
		    100000 - i, i);
	for (i = 0; i < 70; i++)
		len += (size_t)snprintf(buf + len, cap - len, "x\n");
	parse_csvfeed(buf, len, &o, &pc);
	assert_int_equal(pc.ok, 1);
	assert_int_equal(pc.nrows, PARSE_CSVFEED_MAX_ROWS);
	assert_int_equal(pc.rows[0].time, 100000 - 4095);
	assert_double(pc.rows[0].values[0], 4095);
	assert_int_equal(pc.rows[0].line, 4097);
	assert_int_equal(pc.rows[4095].time, 100000);
	assert_int_equal(pc.rows[4095].line, 2);
	assert_int_equal(pc.nerrors, PARSE_CSVFEED_MAX_ERRORS);
	assert_string_equal(pc.errors[0],
	    "row 4097 (line 4098): more than 4096 rows, the rest are "
	    "ignored");
	assert_string_equal(pc.errors[63],
	    "too many errors, the rest are not reported");
	parse_csvfeed_free(&pc);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* All of them, on random bytes: filled, freed, no sanitizer reports. */

static void
test_random_inputs(void **unused)
{
	static const char lm_alpha[] =
	    "Users of :()Total licenses issued; in use Uncounted, node-locked"
	    "Error:\"vendor: RESERVATIONs for queued ), start license server UP"
	    "Vendor daemon status Feature usage info:0123456789-\n\r\t ";
	static const char rlm_alpha[] =
	    "license pool status on count: # reservations: inuse: v1.0 token"
	    "-------- ISV servers Error connecting to 0123456789,:\n\r\t ";
	static const char json_alpha[] =
	    "{}[]\":,0123456789.eE-+ \\u00tfnrl value skuPartNumber consumed"
	    "Units prepaidUnits enabled statements verb id object stored more";
	static const char csv_alpha[] = "\",\r\n 0123456789-T:Z.@abdte\xef\xbb";
	static const char *const cols[] = { "a", "b" };
	struct parse_csvfeed_opts o = { "date", cols, 2 };
	struct parse_jsonfeed *jf;
	struct parse_lmstat pl;
	struct parse_rlmstat pr;
	struct parse_m365 pm;
	struct parse_xapi px;
	struct parse_csvfeed pc;
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	char buf[2048], *cause;
	long long ns;
	double d;
	size_t len, i;
	int k;

	for (k = 0; k < 3000; k++) {
		len = rnd(&s) % sizeof buf;
		rnd_bytes(&s, buf, len, lm_alpha);
		parse_lmstat(buf, len, &pl);
		for (i = 0; i < pl.nfeatures; i++)
			assert_non_null(pl.features[i].vendor);
		parse_lmstat_free(&pl);

		rnd_bytes(&s, buf, len, rlm_alpha);
		parse_rlmstat(buf, len, &pr);
		assert_true(pr.connected || pr.error != NULL);
		parse_rlmstat_free(&pr);

		rnd_bytes(&s, buf, len, json_alpha);
		parse_m365(buf, len, &pm);
		assert_true(pm.ok || pm.error != NULL);
		parse_m365_free(&pm);
		parse_xapi(buf, len, &px);
		assert_true(px.ok || px.error != NULL);
		parse_xapi_free(&px);
		cause = NULL;
		if ((jf = parse_jsonfeed_load(buf, len, &cause)) != NULL) {
			(void)parse_jsonfeed_number(jf, "/0", &d, NULL);
			parse_jsonfeed_free(jf);
		} else
			free(cause);

		rnd_bytes(&s, buf, len, csv_alpha);
		parse_csvfeed(buf, len, &o, &pc);
		assert_true(pc.ok || pc.error != NULL);
		for (i = 1; i < pc.nrows; i++)
			assert_true(pc.rows[i - 1].time < pc.rows[i].time);
		parse_csvfeed_free(&pc);
		(void)parse_time(buf, len % 40, &ns);
	}
}

/* A JSON document of more values than may be loaded is refused whole;
 * one at the bound is loaded. */
static void
test_json_values_cap(void **unused)
{
	struct parse_jsonfeed *jf;
	size_t n, i, len;
	char *doc, *cause = NULL;
	double v;

	for (n = PARSE_UTIL_JSON_MAX_VALUES - 1;
	     n <= PARSE_UTIL_JSON_MAX_VALUES; n++) {
		/* [7,0,0,...]: n - 1 commas, one '[': n + 1 values counted
		 * less one for the array itself. */
		len = 2 * n + 2;
		doc = malloc(len + 1);
		assert_non_null(doc);
		doc[0] = '[';
		for (i = 0; i < n; i++) {
			doc[1 + 2 * i] = i == 0 ? '7' : '0';
			doc[2 + 2 * i] = i + 1 < n ? ',' : ']';
		}
		doc[len - 1] = '\0';
		assert_int_equal(parse_util_json_values(doc, len - 1), n + 1);
		jf = parse_jsonfeed_load(doc, len - 1, &cause);
		if (n + 1 <= PARSE_UTIL_JSON_MAX_VALUES) {
			assert_non_null(jf);
			assert_int_equal(parse_jsonfeed_number(jf, "/0", &v,
			                     NULL),
			    0);
			assert_true(v == 7);
		} else {
			assert_null(jf);
			assert_string_equal(cause,
			    "more than 1000000 values: too many to load");
		}
		parse_jsonfeed_free(jf);
		free(cause);
		cause = NULL;
		free(doc);
	}
	/* Commas and brackets in strings are not values. */
	doc = "{\"a,b\\\",[{\":1}";
	assert_int_equal(parse_util_json_values(doc, strlen(doc)), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_json_values_cap),
		cmocka_unit_test(test_lmstat_app1),
		cmocka_unit_test(test_lmstat_app2),
		cmocka_unit_test(test_lmstat_app4),
		cmocka_unit_test(test_lmstat_app5),
		cmocka_unit_test(test_lmstat_app6),
		cmocka_unit_test(test_lmstat_windows),
		cmocka_unit_test(test_lmstat_server_down),
		cmocka_unit_test(test_lmstat_i_form),
		cmocka_unit_test(test_lmstat_synthetic),
		cmocka_unit_test(test_lmstat_out_of_place),
		cmocka_unit_test(test_lmstat_caps),
		cmocka_unit_test(test_rlmstat_samples),
		cmocka_unit_test(test_rlmstat_pools),
		cmocka_unit_test(test_rlmstat_caps),
		cmocka_unit_test(test_m365_samples),
		cmocka_unit_test(test_m365_bad),
		cmocka_unit_test(test_m365_next),
		cmocka_unit_test(test_m365_documents),
		cmocka_unit_test(test_m365_caps),
		cmocka_unit_test(test_xapi_samples),
		cmocka_unit_test(test_xapi_bad),
		cmocka_unit_test(test_jsonfeed_pointers),
		cmocka_unit_test(test_jsonfeed_values),
		cmocka_unit_test(test_jsonfeed_load_errors),
		cmocka_unit_test(test_jsonfeed_rows),
		cmocka_unit_test(test_csvfeed_focus),
		cmocka_unit_test(test_csvfeed_rows),
		cmocka_unit_test(test_csvfeed_odd),
		cmocka_unit_test(test_csvfeed_caps),
		cmocka_unit_test(test_random_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
