/*
 * Rows of dynamic series at their own times (the emit_row host service):
 * what one run gave, and what the runtime learns of each series an
 * instance fills (its own, and the sub-series "<series>-<sub>" a Munin
 * multigraph plugin makes). At the end of a run the rows become store
 * items, one per series and time, in time order, each with the run's up
 * and reason; a row at or before its series' last stored time is skipped,
 * and a value outside a bound its data source has is counted and logged.
 * The same checks guard the values a dynamic collector gives at its slot
 * (emit_ds). Thread: loop.
 */
#ifndef COLLECT_ROWS_H
#define COLLECT_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "ident.h"
#include "itfollow/collector.h"

struct store;
struct store_item;

/* The rows of one run. */
struct collect_rows;
/* What the runtime keeps of an instance's dynamic series across runs. */
struct collect_rows_state;

/* How a run's rows are stored. */
struct collect_rows_ctx {
	struct itf_instance *inst;
	struct collect_rows_state **state; /* made on first use */
	struct store *store;
	struct tmpl **dyn; /* the own series' learned template (shared) */
	unsigned step; /* of files made */
	double up, reason; /* every row gets these (NAN: unknown) */
	uint64_t *skipped; /* rows at or before their series' last time */
	uint64_t *out_of_bounds; /* values outside their bounds */
	/* Called with the last item of each series (NULL when not wanted):
	 * test mode prints it, and the own series' values are kept. */
	void (*last)(void *arg, const char *series, struct store_item *it);
	void *arg;
};

/*
 * A data source name that the instance's template already has (its own
 * `up` and `reason`) is the daemon's: what a collector calls so is stored
 * as NAME_value (cut to fit 19 characters). 1 and the name in out when ds
 * had to be renamed, else 0 (out untouched).
 */
int collect_rows_reserved(const struct tmpl *t, const char *ds,
    char out[IDENT_DS_MAX + 1]);

/*
 * Add a row to *rows (made on first use); time 0 is slot. 0, or -1 with
 * the row dropped (logged: a bad sub-series or data source name, too many
 * values).
 */
int collect_rows_add(struct collect_rows **rows, struct itf_instance *inst,
    struct collect_rows_state **state, time_t slot, const char *sub,
    long long time, const char *const *names, const double *values,
    const struct itf_ds_spec *specs, size_t n);
/* Store the rows as ctx says. */
void collect_rows_submit(struct collect_rows *,
    const struct collect_rows_ctx *);
void collect_rows_free(struct collect_rows *);

/*
 * The checks of a row of the instance's own series made at its slot
 * (emit_ds): its values against their bounds, in *state (made on use);
 * its time is the series' last.
 */
void collect_rows_check_own(struct collect_rows_state **state,
    const struct itf_instance *inst, const struct tmpl *t, time_t when,
    const double *vals, uint64_t *out_of_bounds);
void collect_rows_state_free(struct collect_rows_state *);

#endif
