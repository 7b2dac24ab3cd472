/*
 * Service hours and holidays of the configuration (top level and per
 * system): ("days", "HH:MM", "HH:MM") lines and local dates, read into
 * struct hours (hours.c), each bad line an error with its file:line.
 */
#include <libconfig.h>

#include "conf.h"
#include "conf_priv.h"
#include "hours.h"

/* A service_hours line: three strings. 1 and v, or 0. */
static int
conf_hours_line(const config_setting_t *e, const char *v[3])
{
	int i;

	if ((config_setting_type(e) != CONFIG_TYPE_LIST &&
	        config_setting_type(e) != CONFIG_TYPE_ARRAY) ||
	    config_setting_length(e) != 3)
		return 0;
	for (i = 0; i < 3; i++) {
		if (config_setting_type(config_setting_get_elem(e, i)) !=
		    CONFIG_TYPE_STRING)
			return 0;
		v[i] = config_setting_get_string(config_setting_get_elem(e, i));
	}
	return 1;
}

/* One ("days", "start", "end") line into h; -1 if it does not parse. */
static int
conf_hours_one(struct conf_ctx *ctx, const config_setting_t *e, struct hours *h)
{
	const char *v[3];
	unsigned days;
	long start, end;
	int line = conf_line(e), errs = 0;

	if (!conf_hours_line(e, v)) {
		conf_errors_add(ctx->errs, ctx->file, line,
		    "a service_hours line is (\"DAYS\", \"HH:MM\", \"HH:MM\"), e.g. (\"mon-fri\", \"07:00\", \"18:00\")");
		return -1;
	}
	if (hours_parse_days(v[0], &days) != 0) {
		conf_errors_add(ctx->errs, ctx->file, line,
		    "bad service_hours days \"%s\" (want mon | tue | wed | thu | fri | sat | sun, ranges such as \"mon-fri\", joined by \",\")",
		    v[0]);
		errs++;
	}
	if (hours_parse_clock(v[1], 0, &start) != 0) {
		conf_errors_add(ctx->errs, ctx->file, line,
		    "bad service_hours start \"%s\" (want \"HH:MM\", local time)",
		    v[1]);
		errs++;
	}
	if (hours_parse_clock(v[2], 1, &end) != 0) {
		conf_errors_add(ctx->errs, ctx->file, line,
		    "bad service_hours end \"%s\" (want \"HH:MM\" up to \"24:00\", local time)",
		    v[2]);
		errs++;
	}
	if (errs == 0 && end <= start) {
		conf_errors_add(ctx->errs, ctx->file, line,
		    "service hours end (\"%s\") before they start (\"%s\"): a stretch over midnight is two lines",
		    v[2], v[1]);
		errs++;
	}
	if (errs == 0)
		hours_add_window(h, days, start, end);
	return errs == 0 ? 0 : -1;
}

/* service_hours = ( ("mon-fri", "07:00", "18:00"), ... ) */
void
conf_hours_list(struct conf_ctx *ctx, const config_setting_t *list,
    struct hours *h)
{
	int i, n;

	if (list == NULL || !conf_type_ok(list, ITF_KEY_STRING_LIST))
		return;
	if ((n = config_setting_length(list)) == 0)
		conf_errors_add(ctx->errs, ctx->file, conf_line(list),
		    "service_hours is empty: leave it out, and every hour is a service hour");
	for (i = 0; i < n; i++)
		conf_hours_one(ctx, config_setting_get_elem(list, i), h);
}

/* holidays = ( "2026-12-24", ... ): local dates; () for none. */
void
conf_hours_holidays(struct conf_ctx *ctx, const config_setting_t *list,
    struct hours *h)
{
	const config_setting_t *e;
	long day;
	int i, n;

	if (list == NULL || !conf_type_ok(list, ITF_KEY_STRING_LIST))
		return;
	h->has_holidays = 1;
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(list, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			conf_errors_add(ctx->errs, ctx->file, conf_line(e),
			    "a holiday is a date string \"YYYY-MM-DD\"");
		else if (hours_parse_date(config_setting_get_string(e), &day) !=
		    0)
			conf_errors_add(ctx->errs, ctx->file, conf_line(e),
			    "holiday \"%s\" is not a date (want YYYY-MM-DD)",
			    config_setting_get_string(e));
		else
			hours_add_holiday(h, day);
	}
}
