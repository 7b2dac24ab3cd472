/*
 * Test plugins, kept forever: one source, built several times with
 * TESTPLUG_KIND selecting what the plugin is:
 *   current   ABI ITF_COLLECTOR_ABI_VERSION, emits "value" (config), the
 *             run count and "conf_uid", the user its configure ran as,
 *             with emit_ds;
 *   old       ABI 1: only the version 1 fields, status only;
 *   badver    an ABI version above the daemon's;
 *   zerover   ABI version 0;
 *   nosym     no entry symbol;
 *   failinit  configure fails;
 *   hostile   emits series and data sources whose names try to leave
 *             data_dir (../, absolute, '/', over-long), and one good one;
 *   ctor      as current, and a constructor that appends "loaded uid=N"
 *             to the file $ITF_TP_MARK: when and as whom it was loaded;
 *   v4        ABI 4, as current, its key table as ABI 1 to 4 have it
 *             (names and types only), with a second key "colour".
 * current and ctor also take "level" (1 to 5) and "mode" (fast | slow),
 * checked by the host from their key table (ABI 5).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <itfollow/collector.h>

#define TP_CURRENT 1
#define TP_OLD 2
#define TP_BADVER 3
#define TP_ZEROVER 4
#define TP_NOSYM 5
#define TP_FAILINIT 6
#define TP_HOSTILE 7
#define TP_CTOR 8
#define TP_V4 9

#if TESTPLUG_KIND == TP_CTOR
/* Runs at dlopen, before the daemon sees the plugin: says who loaded it. */
static void __attribute__((constructor)) tp_ctor(void)
{
	const char *mark = getenv("ITF_TP_MARK");
	FILE *f;

	if (mark != NULL && (f = fopen(mark, "a")) != NULL) {
		fprintf(f, "loaded uid=%u\n", (unsigned)geteuid());
		fclose(f);
	}
}
#endif

/* system, perspective, series: what a hostile plugin names. */
static const char *const tp_hostile[][3] = {
	{ "../../../escape", "quality", "up" },
	{ "plug", "quality", "../../../../escape" },
	{ "plug", "quality", "/tmp/itf-hostile-abs" },
	{ "plug", "../quality", "rel" },
	{ "plug", "quality", "a/b" },
	{ "plug", "quality", ".hidden" },
	{ "plug", "quality", "UPPER" },
	{ "plug", "quality", "new\nline" },
	{ "/tmp", "quality", "abs-system" },
	{ "plug", "quality",
	    "long-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
};

#if TESTPLUG_KIND == TP_OLD || TESTPLUG_KIND == TP_V4
/* A key table as a plugin built for ABI 1 to 4 has it. */
struct tp_key_v4 {
	const char *name;
	enum itf_key_type type;
};
static const struct tp_key_v4 tp_keys_v4[] = {
	{ "value", ITF_KEY_FLOAT },
#if TESTPLUG_KIND == TP_V4
	{ "colour", ITF_KEY_STRING },
#endif
	{ NULL, (enum itf_key_type)0 },
};
#define TP_KEYS ((const struct itf_key *)(const void *)tp_keys_v4)
#else
static const char *const tp_modes[] = { "fast", "slow", NULL };
static const struct itf_key tp_keys[] = {
	ITF_KEY("value", ITF_KEY_FLOAT),
	ITF_KEY_RANGE("level", ITF_KEY_INT, 1, 5, NULL),
	ITF_KEY_VALUES("mode", tp_modes, NULL),
	ITF_KEY_END,
};
#define TP_KEYS tp_keys
#endif

struct tp {
	const struct itf_host_services *host;
	double value;
	double runs;
	double conf_uid;
};

static int
tp_configure(const struct itf_host_services *host, struct itf_instance *inst,
    void **state)
{
	struct tp *tp;

	if (TESTPLUG_KIND == TP_FAILINIT) {
		host->conf_error(inst, NULL, "failinit always fails");
		return -1;
	}
	if ((tp = calloc(1, sizeof *tp)) == NULL)
		return -1;
	tp->host = host;
	tp->conf_uid = (double)geteuid();
	host->conf_float(inst, "value", &tp->value);
	*state = tp;
	return 0;
}

static int
tp_start(void *state, struct itf_run *run)
{
	struct tp *tp = state;
	struct itf_ds_spec spec = { ITF_DS_GAUGE, NAN, NAN };

	tp->runs++;
	if (TESTPLUG_KIND == TP_CURRENT || TESTPLUG_KIND == TP_CTOR ||
	    TESTPLUG_KIND == TP_V4) {
		tp->host->emit_ds(run, "value", tp->value, &spec);
		tp->host->emit_ds(run, "runs", tp->runs, &spec);
		tp->host->emit_ds(run, "conf_uid", tp->conf_uid, &spec);
	}
	if (TESTPLUG_KIND == TP_HOSTILE) {
		size_t i;

		for (i = 0; i < sizeof tp_hostile / sizeof tp_hostile[0]; i++)
			tp->host->emit_series(run, tp_hostile[i][0],
			    tp_hostile[i][1], tp_hostile[i][2], "events",
			    "count", 1, 0);
		tp->host->emit_series(run, "plug", "quality", "fine", "events",
		    "count", 7, 0);
		tp->host->emit_ds(run, "../x", 1, &spec);
		tp->host->emit_ds(run, "value", tp->value, &spec);
	}
	tp->host->run_done(run, ITF_STATUS_UP, ITF_REASON_OK, NULL);
	return 0;
}

static void
tp_cancel(void *state, struct itf_run *run)
{
	(void)state;
	(void)run;
}

static void
tp_destroy(void *state)
{
	free(state);
}

static const struct itf_collector_ops tp_ops = {
	.abi_version = TESTPLUG_KIND == TP_OLD ? 1
	    : TESTPLUG_KIND == TP_V4           ? 4
	    : TESTPLUG_KIND == TP_BADVER       ? ITF_COLLECTOR_ABI_VERSION + 1
	    : TESTPLUG_KIND == TP_ZEROVER      ? 0
	                                       : ITF_COLLECTOR_ABI_VERSION,
	.name = TESTPLUG_NAME,
	.perspective = "quality",
	.template_name = "dynamic",
	.keys = TP_KEYS,
	.configure = tp_configure,
	.start = tp_start,
	.cancel = tp_cancel,
	.destroy = tp_destroy,
	/* An old plugin's struct ends before flags: the host must not care
	 * what lies there. */
	.flags = ITF_COLLECTOR_DYNAMIC,
};

#if TESTPLUG_KIND != TP_NOSYM
const struct itf_collector_ops *itf_collector_entry(void);

const struct itf_collector_ops *
itf_collector_entry(void)
{
	return &tp_ops;
}
#else
/* The entry under another name: dlsym must not find it. */
const struct itf_collector_ops *itf_collector_entry_typo(void);

const struct itf_collector_ops *
itf_collector_entry_typo(void)
{
	return &tp_ops;
}
#endif
