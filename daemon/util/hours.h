/*
 * Service hours: the weekly local clock times a system is promised to
 * be available ("weekdays 07-18"), and the holidays (local dates) it is
 * not, as the configuration gives them:
 *
 *   service_hours = ( ("mon-fri", "07:00", "18:00"), ("sat", "10:00", "14:00") );
 *   holidays = ( "2026-12-24", "2026-12-25" );
 *
 *   days    day names mon tue wed thu fri sat sun (any case), ranges of
 *           them ("mon-fri"; "fri-mon" wraps past Sunday), joined by ","
 *   start   "HH:MM", 00:00 to 23:59, local time
 *   end     "HH:MM" after start, up to "24:00" (the next midnight); a
 *           stretch over midnight is two lines
 *   holiday "YYYY-MM-DD", a local date: none of its service hours count
 *
 * A system's own service_hours (holidays) replace the top level's; with
 * none anywhere every hour is a service hour. Parsing is pure, and so is
 * working out where the hours fall: the zone is given.
 */
#ifndef HOURS_H
#define HOURS_H

#include <stddef.h>
#include <time.h>

#include "span.h"
#include "tz.h"

struct hours_window {
	unsigned days; /* bit 0 Monday .. bit 6 Sunday */
	long start,
	    end; /* seconds after local midnight, start < end <= 86400 */
};

struct hours {
	int has_windows; /* service_hours given (at least one line) */
	struct hours_window *w;
	size_t nw;
	int has_holidays; /* holidays given (it may be empty) */
	long *holidays; /* local dates, days since 1970-01-01, sorted */
	size_t nholidays;
};

/* "mon-fri", "sat,sun": the day bits. 0, or -1. */
int hours_parse_days(const char *s, unsigned *days);
/* "07:00" (end: also "24:00") as seconds after midnight. 0, or -1. */
int hours_parse_clock(const char *s, int end, long *out);
/* "2026-12-24", a real date, as days since 1970-01-01. 0, or -1. */
int hours_parse_date(const char *s, long *day);

/* Add a window, or a holiday (kept sorted, each once). */
void hours_add_window(struct hours *, unsigned days, long start, long end);
void hours_add_holiday(struct hours *, long day);
void hours_free(struct hours *);
/* to = a copy of from (to's old contents are not freed). */
void hours_copy(struct hours *to, const struct hours *from);

/*
 * The service hours in force: own's windows if it has any, else all's
 * (each may be NULL); the same for holidays. 1 when they leave any hour
 * out (windows or holidays given), 0 when every hour counts.
 */
int hours_effective(const struct hours *own, const struct hours *all,
    const struct hours **windows, const struct hours **holidays);
/* Add the service hours in [from, to) to out (normalised). */
void hours_spans(const struct hours *own, const struct hours *all,
    const struct tz *, time_t from, time_t to, struct spans *out);
/* "mon-fri 07:00-18:00, sat 10:00-14:00; 3 holidays" or "all hours". */
void hours_describe(const struct hours *own, const struct hours *all, char *buf,
    size_t len);

#endif
