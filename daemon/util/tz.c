/*
 * Local time in one zone: the offset at a UTC time from the zone's
 * transitions (or, past the last one, from its POSIX rule worked out for
 * the years around), and a local clock time back to UTC by walking the
 * changes near it. Nothing here touches the C library's time zone state
 * except tz_setenv, which the daemon and the tool call once at start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse_tzif.h"
#include "tz.h"
#include "xmalloc.h"

#define TZ_DIR "/usr/share/zoneinfo"
#define TZ_MAX_FILE (1024 * 1024)
#define TZ_DAY 86400L
/* Times are worked on within +-2^48 s (some 8.9 million years), so no
 * sum of a time, an offset and a few days overflows, whatever a file or
 * a caller gives. */
#define TZ_T_MAX ((time_t)1 << 48)

static time_t
tz_clamp(time_t t)
{
	return t > TZ_T_MAX ? TZ_T_MAX : t < -TZ_T_MAX ? -TZ_T_MAX : t;
}

long
tz_days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (long)(era * 146097 + doe - 719468);
}

void
tz_civil_from_days(long days, int *y, int *m, int *d)
{
	long long z = (long long)days + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Floor division of t by a day. */
static long
tz_day_of(time_t t)
{
	return (long)(t >= 0 ? t / TZ_DAY : -((-t + TZ_DAY - 1) / TZ_DAY));
}

static int
tz_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The local wall time (as if UTC) a rule date falls on in year y. */
static time_t
tz_rdate_wall(const struct tz_rdate *r, int y)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	long day = tz_days_from_civil(y, 1, 1), first;
	int wd, dom, len;

	switch (r->kind) {
	case 'J':
		day += r->n - 1 + (tz_leap(y) && r->n >= 60);
		break;
	case 'N':
		day += r->n;
		break;
	default:
		first = tz_days_from_civil(y, r->m, 1);
		wd =
		    (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01: Thursday */
		len = mdays[r->m - 1] + (r->m == 2 && tz_leap(y));
		dom = 1 + (r->d - wd + 7) % 7 + (r->w - 1) * 7;
		while (dom > len)
			dom -= 7;
		day = first + dom - 1;
		break;
	}
	return (time_t)day * TZ_DAY + r->time;
}

/* The rule's changes of years y-1..y+1, in order: UTC time, 1 into DST. */
struct tz_change {
	time_t at;
	int dst;
};

static void
tz_rule_changes(const struct tz_rule *r, int y, struct tz_change ch[6])
{
	struct tz_change tmp;
	int i, k;

	for (i = 0; i < 3; i++) {
		ch[2 * i].at = tz_rdate_wall(&r->start, y - 1 + i) - r->std_off;
		ch[2 * i].dst = 1;
		ch[2 * i + 1].at =
		    tz_rdate_wall(&r->end, y - 1 + i) - r->dst_off;
		ch[2 * i + 1].dst = 0;
	}
	/* Insertion sort; at a tie the end comes first (DST all year). */
	for (i = 1; i < 6; i++) {
		for (k = i; k > 0 &&
		     (ch[k].at < ch[k - 1].at ||
		         (ch[k].at == ch[k - 1].at &&
		             ch[k].dst < ch[k - 1].dst));
		     k--) {
			tmp = ch[k];
			ch[k] = ch[k - 1];
			ch[k - 1] = tmp;
		}
	}
}

static int
tz_year_of(time_t t)
{
	int y, m, d;

	tz_civil_from_days(tz_day_of(t), &y, &m, &d);
	return y;
}

static long
tz_rule_offset(const struct tz_rule *r, time_t t, const char **abbr)
{
	struct tz_change ch[6];
	int i, dst;

	if (!r->has_dst) {
		if (abbr != NULL)
			*abbr = r->std_abbr;
		return r->std_off;
	}
	tz_rule_changes(r, tz_year_of(t), ch);
	dst = !ch[0].dst;
	for (i = 0; i < 6 && ch[i].at <= t; i++)
		dst = ch[i].dst;
	if (abbr != NULL)
		*abbr = dst ? r->dst_abbr : r->std_abbr;
	return dst ? r->dst_off : r->std_off;
}

const char *
tz_name(const struct tz *z)
{
	return z != NULL ? z->name : "UTC";
}

long
tz_offset(const struct tz *z, time_t t, const char **abbr)
{
	const struct tz_type *ty;
	size_t lo, hi, mid;

	if (z == NULL) {
		if (abbr != NULL)
			*abbr = "UTC";
		return 0;
	}
	t = tz_clamp(t);
	if (z->has_rule && (z->ntrans == 0 || t >= z->trans[z->ntrans - 1]))
		return tz_rule_offset(&z->rule, t, abbr);
	if (z->ntrans == 0 || t < z->trans[0])
		ty = &z->types[0];
	else {
		lo = 0;
		hi = z->ntrans; /* the last transition at or before t */
		while (hi - lo > 1) {
			mid = (lo + hi) / 2;
			if (z->trans[mid] <= t)
				lo = mid;
			else
				hi = mid;
		}
		ty = &z->types[z->idx[lo]];
	}
	if (abbr != NULL)
		*abbr = ty->abbr;
	return ty->off;
}

/* The first instant after t at which the offset may change; 0 if none
 * (the table is over and there is no rule with DST). */
static int
tz_next_change(const struct tz *z, time_t t, time_t *next)
{
	struct tz_change ch[6];
	size_t lo = 0, hi = z->ntrans, mid;
	int i;

	t = tz_clamp(t);
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (z->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < z->ntrans) {
		*next = z->trans[lo];
		return 1;
	}
	if (!z->has_rule || !z->rule.has_dst)
		return 0;
	tz_rule_changes(&z->rule, tz_year_of(t), ch);
	for (i = 0; i < 6; i++) {
		if (ch[i].at > t) {
			*next = ch[i].at;
			return 1;
		}
	}
	return 0;
}

time_t
tz_utc(const struct tz *z, int y, int m, int d, long sec)
{
	time_t wall = tz_clamp(
	    (time_t)tz_days_from_civil(y, m, d) * TZ_DAY + tz_clamp(sec));
	time_t t = wall - 2 * TZ_DAY, next;
	long off, before, after;

	if (z == NULL)
		return wall;
	/*
	 * The offset of two days before, then each change up to two days
	 * after: a change applies to the clock times from the later of its
	 * two readings on (fold 0: before it, the earlier offset holds).
	 */
	off = tz_offset(z, t, NULL);
	while (tz_next_change(z, t, &next) && next <= wall + 2 * TZ_DAY) {
		before = tz_offset(z, next - 1, NULL);
		after = tz_offset(z, next, NULL);
		if (next + (before > after ? before : after) > wall)
			break;
		off = after;
		t = next;
	}
	return wall - off;
}

void
tz_local(const struct tz *z, time_t t, struct tm *tm)
{
	const char *abbr;
	long off = tz_offset(z, t, &abbr);
	time_t w = tz_clamp(t) + off;
	long day = tz_day_of(w), s = (long)(w - (time_t)day * TZ_DAY);
	int y, m, d;

	memset(tm, 0, sizeof *tm);
	tz_civil_from_days(day, &y, &m, &d);
	tm->tm_year = y - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	tm->tm_hour = (int)(s / 3600);
	tm->tm_min = (int)(s % 3600 / 60);
	tm->tm_sec = (int)(s % 60);
	tm->tm_wday = (int)(((day + 4) % 7 + 7) % 7);
	tm->tm_yday = (int)(day - tz_days_from_civil(y, 1, 1));
	tm->tm_gmtoff = off;
	tm->tm_zone = abbr;
}

time_t
tz_midnight(const struct tz *z, time_t t)
{
	struct tm tm;

	tz_local(z, t, &tm);
	return tz_utc(z, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, 0);
}

void
tz_iso(const struct tz *z, time_t t, char *buf, size_t len)
{
	struct tm tm;
	long off;
	int n;

	tz_local(z, t, &tm);
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	if (n < 0 || (size_t)n >= len)
		return;
	off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
	if (z == NULL)
		snprintf(buf + n, len - (size_t)n, "Z");
	else if (off % 60 == 0)
		snprintf(buf + n, len - (size_t)n, "%c%02ld:%02ld",
		    tm.tm_gmtoff < 0 ? '-' : '+', off / 3600, off % 3600 / 60);
	else /* a local mean time of old: its seconds, as ISO 8601 has them */
		snprintf(buf + n, len - (size_t)n, "%c%02ld:%02ld:%02ld",
		    tm.tm_gmtoff < 0 ? '-' : '+', off / 3600, off % 3600 / 60,
		    off % 60);
}

int
tz_name_valid(const char *name)
{
	const char *p, *c = name;
	size_t n = strlen(name);

	if (n == 0 || n > 255 || name[0] == '/')
		return 0;
	for (p = name;; p++) {
		if (*p == '/' || *p == '\0') {
			if (p == c || (p - c == 1 && c[0] == '.') ||
			    (p - c == 2 && c[0] == '.' && c[1] == '.'))
				return 0;
			if (*p == '\0')
				return 1;
			c = p + 1;
		} else if (!((*p >= 'a' && *p <= 'z') ||
		               (*p >= 'A' && *p <= 'Z') ||
		               (*p >= '0' && *p <= '9') || *p == '_' ||
		               *p == '+' || *p == '-' || *p == '.'))
			return 0;
	}
}

/* The file's bytes: a regular file of at most TZ_MAX_FILE. */
static int
tz_read(const char *path, unsigned char **buf, size_t *len)
{
	struct stat sb;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > TZ_MAX_FILE) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*buf = xmalloc((size_t)sb.st_size + 1);
	for (*len = 0; *len < (size_t)sb.st_size; *len += (size_t)r) {
		r = read(fd, *buf + *len, (size_t)sb.st_size - *len);
		if (r == -1 && errno == EINTR)
			r = 0;
		else if (r <= 0)
			break;
	}
	close(fd);
	return 0;
}

int
tz_load(const char *name, struct tz **out, char **cause)
{
	const char *dir = getenv("TZDIR");
	unsigned char *buf = NULL;
	char *path, *why = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (strcmp(name, "UTC") == 0)
		return 0;
	if (!tz_name_valid(name)) {
		xasprintf(cause,
		    "unknown time zone \"%s\" (want an IANA name such as \"Europe/Stockholm\")",
		    name);
		return -1;
	}
	xasprintf(&path, "%s/%s", dir != NULL && *dir != '\0' ? dir : TZ_DIR,
	    name);
	if (tz_read(path, &buf, &len) != 0) {
		xasprintf(cause,
		    "unknown time zone \"%s\" (%s: %s; the names are those of \"timedatectl list-timezones\", from tzdata)",
		    name, path, strerror(errno));
		free(path);
		return -1;
	}
	if ((rc = parse_tzif(name, buf, len, out, &why)) != 0) {
		xasprintf(cause, "time zone \"%s\": %s: %s", name, path, why);
		free(why);
	}
	free(buf);
	free(path);
	return rc;
}

void
tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->name);
	free(z->trans);
	free(z->idx);
	free(z->types);
	free(z);
}

struct tz *
tz_dup(const struct tz *z)
{
	struct tz *n;

	if (z == NULL)
		return NULL;
	n = xcalloc(1, sizeof *n);
	*n = *z;
	n->name = xstrdup(z->name);
	n->trans = xcalloc(z->ntrans + 1, sizeof *n->trans);
	memcpy(n->trans, z->trans, z->ntrans * sizeof *n->trans);
	n->idx = xcalloc(z->ntrans + 1, 1);
	memcpy(n->idx, z->idx, z->ntrans);
	n->types = xcalloc(z->ntypes, sizeof *n->types);
	memcpy(n->types, z->types, z->ntypes * sizeof *n->types);
	return n;
}

void
tz_setenv(const struct tz *z)
{
	setenv("TZ", tz_name(z), 1);
	tzset();
}
