/*
 * Local time of an IANA time zone ("Europe/Stockholm"), read from the
 * system's tzdata (TZif files, RFC 8536) by our own code, so that any
 * thread may ask without touching the process's TZ: offsets, local dates
 * and clock times, and local times back to UTC. Stored times stay UTC;
 * this is only how periods, service hours and printed times are reckoned.
 *
 * A NULL zone is UTC everywhere. A zone is immutable once made.
 *
 * Local time to UTC (tz_utc) follows PEP 495's fold = 0, as python3's
 * zoneinfo does within the zone's transition table: a clock time a
 * change skips (02:30 on the last Sunday of March in Stockholm) is read
 * with the offset before the change (01:30 UTC), and one that happens
 * twice (02:30 on the last Sunday of October) is its first occurrence.
 * Past the table, the file's POSIX TZ rule (its footer,
 * "CET-1CEST,M3.5.0,M10.5.0/3") gives the changes of each year.
 */
#ifndef TZ_H
#define TZ_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* A POSIX TZ rule date: Jn (1..365, no Feb 29), n (0..365) or Mm.w.d. */
struct tz_rdate {
	char kind; /* 'J', 'N' or 'M' */
	int n; /* J and N */
	int m, w, d; /* M: month 1..12, week 1..5 (5: last), weekday 0..6 */
	long time; /* seconds after local midnight, -167h..167h */
};

/* A POSIX TZ string, offsets as seconds east of UTC. */
struct tz_rule {
	long std_off, dst_off;
	int has_dst;
	char std_abbr[16], dst_abbr[16];
	struct tz_rdate start, end; /* into and out of DST */
};

struct tz_type {
	long off; /* seconds east of UTC */
	int isdst;
	char abbr[16];
};

struct tz {
	char *name;
	size_t ntrans;
	int64_t *trans; /* UTC, ascending */
	unsigned char *idx; /* the type each transition starts */
	size_t ntypes;
	struct tz_type *types;
	int has_rule; /* the footer: times after the last transition */
	struct tz_rule rule;
};

/* 1 when name may name a file under the zone directory: components of
 * [A-Za-z0-9_+.-] split by '/', none "." or "..", at most 255 bytes. */
int tz_name_valid(const char *name);
/*
 * The zone name from $TZDIR, else /usr/share/zoneinfo. "UTC" is NULL
 * (no file read). The bytes are read by parse_tzif (parse_tzif.h).
 * Returns 0 and *out, or -1 with *cause ("unknown time zone
 * \"Europe/Stokholm\" (...)").
 */
int tz_load(const char *name, struct tz **out, char **cause);
void tz_free(struct tz *);
/* A copy (NULL for NULL). */
struct tz *tz_dup(const struct tz *);

/* "Europe/Stockholm", or "UTC" for NULL. */
const char *tz_name(const struct tz *);
/* The offset east of UTC at t, in seconds; its abbreviation in *abbr
 * when abbr is not NULL ("CEST", "UTC"). */
long tz_offset(const struct tz *, time_t t, const char **abbr);
/* t as local broken-down time (tm_gmtoff and tm_zone set). */
void tz_local(const struct tz *, time_t t, struct tm *out);
/* The local clock time sec (0..86400) of the date y-m-d as UTC (fold 0). */
time_t tz_utc(const struct tz *, int y, int m, int d, long sec);
/* The local midnight that begins the day of t. */
time_t tz_midnight(const struct tz *, time_t t);
/*
 * t as RFC 3339: "2026-03-29T03:00:00+02:00", or "...Z" for UTC (a NULL
 * zone); an offset of whole seconds (local mean times before 1900s'
 * standard time) with them, "+00:53:28". At least 29 bytes.
 */
void tz_iso(const struct tz *, time_t t, char *buf, size_t len);
/* Make the process's TZ the zone's, for the C library's localtime (which
 * librrd's graph axes use). Call before any thread starts. */
void tz_setenv(const struct tz *);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
long tz_days_from_civil(int y, int m, int d);
void tz_civil_from_days(long days, int *y, int *m, int *d);

#endif
