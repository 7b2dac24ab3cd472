/*
 * Fuzz target: the periods the tool reads from its command line (times,
 * quarters, months, years, "last N", ranges). The input's first line is
 * one argument, the second another; each is tried as every form, and a
 * period it yields runs forward.
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct period_opts o;
	struct period p;
	char *a, *b, err[256], iso[64];
	time_t t, now = 1767225600; /* 2026-01-01 */

	a = malloc(size + 1);
	memcpy(a, data, size);
	a[size] = '\0';
	if ((b = strchr(a, '\n')) != NULL)
		*b++ = '\0';
	else
		b = a;
	if (period_time(a, &t) == 0)
		period_iso(t, iso, sizeof iso);
	if (period_quarter(a, &p) == 0)
		fuzz_period_check(&p);
	if (period_month(a, &p) == 0)
		fuzz_period_check(&p);
	if (period_year(a, &p) == 0)
		fuzz_period_check(&p);
	if (period_last(a, now, &p) == 0)
		fuzz_period_check(&p);
	if (period_range(a, b, &p) == 0)
		fuzz_period_check(&p);
	memset(&o, 0, sizeof o);
	o.from = a;
	o.to = b;
	if (period_from_opts(&o, "7d", now, &p, err, sizeof err) == 0)
		fuzz_period_check(&p);
	memset(&o, 0, sizeof o);
	o.quarter = a;
	o.last = b;
	period_from_opts(&o, "7d", now, &p, err, sizeof err);
	memset(&o, 0, sizeof o);
	if (period_from_opts(&o, a, now, &p, err, sizeof err) == 0)
		fuzz_period_check(&p);
	free(a);
	return 0;
}
