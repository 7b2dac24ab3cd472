/*
 * itf-tz: the daemon's time zone code (daemon/util/tz.c) on the command line,
 * for tests that hold it against python3's zoneinfo. Reads lines from
 * stdin and prints one line for each:
 *
 *   off ZONE EPOCH           -> OFFSET ABBR LOCAL-ISO
 *   utc ZONE Y M D SECONDS   -> EPOCH (the local clock time as UTC, fold 0)
 *
 * A zone that does not load prints "error: ..." for that line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tz.h"

/* The zone name, loaded once and kept for the next lines. */
static struct tz *
itf_tz_zone(const char *name, char **cause)
{
	static struct tz *z;
	static char last[256];

	if (strcmp(name, last) == 0 && (z != NULL || strcmp(last, "UTC") == 0))
		return z;
	tz_free(z);
	z = NULL;
	last[0] = '\0';
	if (tz_load(name, &z, cause) != 0)
		return NULL;
	snprintf(last, sizeof last, "%s", name);
	return z;
}

int
main(void)
{
	char line[512], op[8], name[256], iso[40], *cause = NULL;
	const char *abbr;
	const struct tz *z;
	long long t, sec;
	int y, m, d;

	while (fgets(line, sizeof line, stdin) != NULL) {
		if (sscanf(line, "%7s %255s", op, name) != 2)
			continue;
		z = itf_tz_zone(name, &cause);
		if (z == NULL && strcmp(name, "UTC") != 0) {
			printf("error: %s\n", cause);
			free(cause);
			cause = NULL;
			continue;
		}
		if (strcmp(op, "off") == 0 &&
		    sscanf(line, "%*s %*s %lld", &t) == 1) {
			long off = tz_offset(z, (time_t)t, &abbr);

			tz_iso(z, (time_t)t, iso, sizeof iso);
			printf("%ld %s %s\n", off, abbr, iso);
		} else if (strcmp(op, "utc") == 0 &&
		    sscanf(line, "%*s %*s %d %d %d %lld", &y, &m, &d, &sec) ==
		        4)
			printf("%lld\n",
			    (long long)tz_utc(z, y, m, d, (long)sec));
		else
			printf("error: bad line\n");
		fflush(stdout);
	}
	itf_tz_zone("UTC", &cause);
	return 0;
}
