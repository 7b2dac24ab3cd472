/*
 * Fuzz target: the periods the tool reads from its command line (times,
 * quarters, months, years, "last N", ranges), in UTC and in a zone with
 * DST. The input's first line is one argument, the second another; each
 * is tried as every form, and a period it yields runs forward.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_period_check(const struct period *p)
{
	if (p->to < p->from)
		abort();
	if (memchr(p->label, '\0', sizeof p->label) == NULL)
		abort();
}

/* Each form in one zone (NULL: UTC). */
static void
fuzz_period_zone(const char *a, const char *b, const struct tz *z, time_t now)
{
	struct period_opts o;
	struct period p, d;
	char err[256];

	if (period_quarter(a, z, &p) == 0)
		fuzz_period_check(&p);
	if (period_month(a, z, &p) == 0)
		fuzz_period_check(&p);
	if (period_year(a, z, &p) == 0)
		fuzz_period_check(&p);
	if (period_last(a, z, now, &p) == 0)
		fuzz_period_check(&p);
	if (period_range(a, b, z, &p) == 0) {
		fuzz_period_check(&p);
		period_days(&p, z, &d);
		if (d.to < d.from || d.from % 86400 != 0 || d.to % 86400 != 0)
			abort();
		period_whole_days(&p, z, &d);
		if (d.from > p.from || d.to < p.to)
			abort();
	}
	memset(&o, 0, sizeof o);
	o.from = a;
	o.to = b;
	if (period_from_opts(&o, "7d", z, now, &p, err, sizeof err) == 0)
		fuzz_period_check(&p);
	memset(&o, 0, sizeof o);
	o.quarter = a;
	o.last = b;
	period_from_opts(&o, "7d", z, now, &p, err, sizeof err);
	memset(&o, 0, sizeof o);
	if (period_from_opts(&o, a, z, now, &p, err, sizeof err) == 0)
		fuzz_period_check(&p);
}

/* Stockholm, loaded once (NULL when the system has no tzdata). */
static const struct tz *
fuzz_period_tz(void)
{
	static struct tz *z;
	static int tried;
	char *cause = NULL;

	if (!tried && tz_load("Europe/Stockholm", &z, &cause) != 0)
		free(cause);
	tried = 1;
	return z;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a, *b, iso[64];
	time_t t, now = 1767225600; /* 2026-01-01 */

	a = malloc(size + 1);
	memcpy(a, data, size);
	a[size] = '\0';
	if ((b = strchr(a, '\n')) != NULL)
		*b++ = '\0';
	else
		b = a;
	if (period_time(a, NULL, &t) == 0)
		period_iso(t, iso, sizeof iso);
	fuzz_period_zone(a, b, NULL, now);
	fuzz_period_zone(a, b, fuzz_period_tz(), now);
	free(a);
	return 0;
}
