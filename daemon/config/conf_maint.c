/*
 * Maintenance windows of the configuration (top level and per system):
 * one-off (from, to) or weekly (day, start, duration), each checked with
 * file:line errors. Outages inside one are planned (maint.c decides).
 */
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"
#include "hours.h"
#include "parse_time.h"
#include "xmalloc.h"

static const struct conf_key conf_maint_keys[] = {
	{ "from", ITF_KEY_STRING },
	{ "to", ITF_KEY_STRING },
	{ "day", ITF_KEY_STRING },
	{ "start", ITF_KEY_STRING },
	{ "duration", ITF_KEY_STRING }, /* or an integer: checked below */
	{ "comment", ITF_KEY_STRING },
	{ NULL, 0 },
};

/* "7200", "2h", "90m", "1h30m", "1d": seconds; -1 if not one of these. */
static long
conf_maint_text_duration(const char *s)
{
	long total = 0, v, unit;
	char *end;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return -1;
		v = strtol(s, &end, 10);
		switch (*end) {
		case 'd':
			unit = 86400;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'm':
			unit = 60;
			break;
		case 's':
		case '\0':
			unit = 1;
			break;
		default:
			return -1;
		}
		if (v > 366L * 86400 / unit)
			return -1;
		total += v * unit;
		s = *end == '\0' ? end : end + 1;
	}
	return total;
}

static int
conf_maint_weekday(const char *s)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri",
		"sat", "sun" };
	int i;

	for (i = 0; i < 7; i++) {
		if (strcmp(days[i], s) == 0)
			return i;
	}
	return -1;
}

/* "HH:MM" (00:00 to 23:59) as seconds after midnight; -1 if not. */
static long
conf_maint_clock(const char *s)
{
	long v;

	return hours_parse_clock(s, 0, &v) == 0 ? v : -1;
}

static int
conf_maint_time(struct conf_ctx *ctx, const config_setting_t *g,
    const char *name, time_t *out)
{
	const char *v = conf_get_str(g, name);
	long long ns;

	if (v == NULL) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(g),
		    "maintenance window needs \"from\" and \"to\"");
		return -1;
	}
	if (parse_time(v, strlen(v), &ns) != 0) {
		conf_errors_add(ctx->errs, ctx->file,
		    conf_line(config_setting_get_member(g, name)),
		    "bad maintenance %s \"%s\" (want YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
		    name, v);
		return -1;
	}
	*out = (time_t)(ns / 1000000000LL);
	return 0;
}

static long
conf_maint_duration(struct conf_ctx *ctx, const config_setting_t *g)
{
	const config_setting_t *s = config_setting_get_member(g, "duration");
	long d = -1;

	if (s == NULL) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(g),
		    "weekly maintenance window needs \"duration\"");
		return -1;
	}
	if (conf_type_ok(s, ITF_KEY_INT) && config_setting_get_int64(s) > 0 &&
	    config_setting_get_int64(s) <= 7 * 86400)
		d = (long)config_setting_get_int64(s);
	else if (config_setting_type(s) == CONFIG_TYPE_STRING)
		d = conf_maint_text_duration(config_setting_get_string(s));
	if (d <= 0 || d > 7 * 86400) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(s),
		    "bad maintenance duration (want seconds or \"2h\", \"90m\", \"1h30m\"; at most 7 days)");
		return -1;
	}
	return d;
}

static int
conf_maint_one(struct conf_ctx *ctx, const config_setting_t *g,
    struct conf_maint *m)
{
	const config_setting_t *s;
	const char *v;
	int i, n, errs = 0;

	memset(m, 0, sizeof *m);
	m->line = conf_line(g);
	/* duration may be an integer: leave its type to conf_maint_duration */
	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(g, i);
		if (strcmp(config_setting_name(s), "duration") == 0)
			continue;
		if (conf_check_one_key(ctx, s, "maintenance window",
		        conf_maint_keys) != 0)
			errs++;
	}
	if (config_setting_get_member(g, "day") != NULL) {
		m->weekly = 1;
		if (config_setting_get_member(g, "from") != NULL ||
		    config_setting_get_member(g, "to") != NULL) {
			conf_errors_add(ctx->errs, ctx->file, m->line,
			    "a maintenance window is one-off (from, to) or weekly (day, start, duration), not both");
			return -1;
		}
		v = conf_get_str(g, "day");
		if (v != NULL && (m->day = conf_maint_weekday(v)) == -1) {
			conf_errors_add(ctx->errs, ctx->file,
			    conf_line(config_setting_get_member(g, "day")),
			    "bad maintenance day \"%s\" (want mon | tue | wed | thu | fri | sat | sun)",
			    v);
			errs++;
		}
		if ((v = conf_get_str(g, "start")) == NULL) {
			conf_errors_add(ctx->errs, ctx->file, m->line,
			    "weekly maintenance window needs \"start\" (\"HH:MM\", UTC)");
			errs++;
		} else if ((m->start = conf_maint_clock(v)) == -1) {
			conf_errors_add(ctx->errs, ctx->file,
			    conf_line(config_setting_get_member(g, "start")),
			    "bad maintenance start \"%s\" (want \"HH:MM\", UTC)",
			    v);
			errs++;
		}
		if ((m->duration = conf_maint_duration(ctx, g)) == -1)
			errs++;
		return errs == 0 ? 0 : -1;
	}
	if (conf_maint_time(ctx, g, "from", &m->from) != 0 ||
	    conf_maint_time(ctx, g, "to", &m->to) != 0)
		return -1;
	if (m->to <= m->from) {
		conf_errors_add(ctx->errs, ctx->file, m->line,
		    "maintenance window ends before it starts");
		return -1;
	}
	return errs == 0 ? 0 : -1;
}

/* maintenance = ( { from; to; } | { day; start; duration; }, ... ) */
void
conf_maint_list(struct conf_ctx *ctx, const config_setting_t *list,
    struct conf_maint **out, size_t *nout)
{
	const config_setting_t *g;
	struct conf_maint m;
	int i, n;

	if (list == NULL || !conf_type_ok(list, ITF_KEY_STRING_LIST))
		return;
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(list, i);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			conf_errors_add(ctx->errs, ctx->file, conf_line(g),
			    "a maintenance window must be a group { from = ...; to = ...; }");
			continue;
		}
		if (conf_maint_one(ctx, g, &m) != 0)
			continue;
		*out = xreallocarray(*out, *nout + 1, sizeof **out);
		(*out)[(*nout)++] = m;
	}
}
