/*
 * Fuzz target: time zone files (parse_tzif) and what local time is made
 * of in the configuration. The input is tried as a TZif file; a zone it
 * yields is asked offsets, local times and local times back to UTC
 * around its transitions and far out, and the service hours of a week
 * in it. The input's first line is also tried as a POSIX TZ rule, a
 * service_hours days field, a clock time and a holiday date.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hours.h"
#include "parse_tzif.h"
#include "span.h"
#include "tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A zone from the bytes: every answer in range, local times that come
 * back to within the zone's offsets of where they were. */
static void
fuzz_tz_zone(const struct tz *z)
{
	static const struct hours_window wd = { 0x1f, 7 * 3600, 18 * 3600 };
	struct hours h = { 1, (struct hours_window *)&wd, 1, 0, NULL, 0 };
	struct spans s = { NULL, 0, 0 };
	time_t probe[8] = { 0, -2208988800, 4102444800, 1774746000,
		253402300799, -62135596800, 1, -1 };
	struct tm tm;
	char iso[40];
	size_t i, n = 6;
	time_t t;

	if (z->ntrans > 0) {
		probe[n++] = z->trans[0];
		probe[n++] = z->trans[z->ntrans - 1];
	}
	for (i = 0; i < n; i++) {
		if (labs(tz_offset(z, probe[i], NULL)) > 26 * 3600L)
			abort();
		tz_local(z, probe[i], &tm);
		tz_iso(z, probe[i], iso, sizeof iso);
		if (memchr(iso, '\0', sizeof iso) == NULL)
			abort();
		t = tz_utc(z, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		    tm.tm_hour * 3600L + tm.tm_min * 60 + tm.tm_sec);
		/* Times past +-2^48 s are worked on as that (tz.c). */
		if (probe[i] > -((time_t)1 << 47) &&
		    probe[i] < ((time_t)1 << 47) &&
		    (t - probe[i] > 2 * 26 * 3600L ||
		        probe[i] - t > 2 * 26 * 3600L))
			abort();
		(void)tz_midnight(z, probe[i]);
	}
	hours_spans(&h, NULL, z, 1774051200, 1774051200 + 14 * 86400, &s);
	if (span_total(&s) > 14 * 86400)
		abort();
	span_free(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tz *z = NULL;
	struct tz_rule r;
	char *line, *cause = NULL, *nl;
	unsigned days;
	long v;

	if (parse_tzif("fuzz", data, size, &z, &cause) == 0) {
		fuzz_tz_zone(z);
		tz_free(z);
	} else
		free(cause);
	line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';
	if ((nl = strchr(line, '\n')) != NULL)
		*nl = '\0';
	if (parse_tzif_rule(line, &r) == 0 && r.has_dst &&
	    (r.start.kind == 0 || r.end.kind == 0))
		abort();
	if (hours_parse_days(line, &days) == 0 && (days == 0 || days > 0x7f))
		abort();
	if (hours_parse_clock(line, 1, &v) == 0 && (v < 0 || v > 86400))
		abort();
	(void)hours_parse_date(line, &v);
	free(line);
	return 0;
}
