/*
 * Periods as every itfollow command takes them, in the local time of the
 * configuration's daemon.timezone (a NULL zone: UTC):
 *
 *   --last Nh                          the N hours ending now
 *   --last Nd|Nw|Ny                    ending now, from the local
 *                                      midnight N days (7N, 365N) before
 *                                      today's: 7d is the 7 days before
 *                                      today, and today so far
 *   --quarter 2014Q2                   calendar quarter, local midnights
 *   --month 2014-05                    calendar month, local midnights
 *   --year 2015                        calendar year, local midnights
 *   --from T --to T                    T: YYYY-MM-DD (local midnight),
 *                                      YYYY-MM-DDTHH:MM:SSZ (any RFC 3339
 *                                      zone) or @EPOCH
 *
 * A period is [from, to): to is exclusive. Its times are UTC instants;
 * only where it begins and ends is local.
 */
#ifndef PERIOD_H
#define PERIOD_H

#include <getopt.h>
#include <stddef.h>
#include <time.h>

#include "tz.h"

struct period {
	time_t from;
	time_t to;
	char label
	    [64]; /* "2014Q2", "2014-05", "2015", "last 7d", or the range */
};

/* The option values as given on the command line; NULL where absent. */
struct period_opts {
	const char *last;
	const char *quarter;
	const char *month;
	const char *year;
	const char *from;
	const char *to;
};

/* The getopt_long entries of the period options (short codes l q m y f t)
 * and, for what getopt_long returns, storing one: 1 if ch was one. */
/* clang-format off */
#define PERIOD_LONGOPTS						\
	{ "last", required_argument, NULL, 'l' },		\
	{ "quarter", required_argument, NULL, 'q' },		\
	{ "month", required_argument, NULL, 'm' },		\
	{ "year", required_argument, NULL, 'y' },		\
	{ "from", required_argument, NULL, 'f' },		\
	{ "to", required_argument, NULL, 't' }
/* clang-format on */
int period_opt(struct period_opts *o, int ch, const char *arg);

/* One point in time (a date: its local midnight). Returns 0, or -1. */
int period_time(const char *s, const struct tz *, time_t *out);

int period_quarter(const char *s, const struct tz *, struct period *p);
int period_month(const char *s, const struct tz *, struct period *p);
int period_year(const char *s, const struct tz *, struct period *p);
int period_last(const char *s, const struct tz *, time_t now, struct period *p);
int period_range(const char *from, const char *to, const struct tz *,
    struct period *p);

/*
 * The period the options name: exactly one of last, quarter, month, year
 * or the pair from/to. With none given, def (a --last value, or NULL to
 * make a period required). Returns 0, or -1 with a message in err ("bad
 * quarter \"2014Q5\": want YYYYQ1-4").
 */
int period_from_opts(const struct period_opts *o, const char *def,
    const struct tz *, time_t now, struct period *p, char *err, size_t errlen);

/* Calendar helpers, UTC. */
time_t period_days_from_civil(int y, int m, int d);
void period_iso(time_t t, char *buf, size_t len);
/*
 * A period as a title says it, in the zone: "2026 Q1", "2026 Q1–Q2",
 * "2025 Q4–2026 Q1", "2026-01–2026-03", "2026", "2026-01-01–2026-01-14"
 * (whole days, the last included), else "2026-02-10 06:00–18:00 UTC"
 * with times and the zone's name. UTF-8.
 */
void period_title(const struct period *p, const struct tz *, char *buf,
    size_t len);
/* "2026 Q1" for the quarter of t, local. */
void period_quarter_name(time_t t, const struct tz *, char *buf, size_t len);
/*
 * The UTC days a period's dates name, as [days->from, days->to) at UTC
 * midnights: a daily row (a FOCUS billing day, a day of events) is in
 * the period when the local midnight of its date is. A local quarter
 * holds the days of its dates, 2026-01-01 to 2026-03-31, whatever the
 * offset; in UTC, the days that begin in the period.
 */
void period_days(const struct period *p, const struct tz *,
    struct period *days);
/* The period widened to whole local days: from the local midnight at or
 * before its start to the one at or after its end. */
void period_whole_days(const struct period *p, const struct tz *,
    struct period *out);

#endif
