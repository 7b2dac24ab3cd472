/*
 * Expected HTTP status lists: "2xx", "200-399,401", "200, 204". Pure: a
 * string in, a list of ranges out.
 */
#ifndef PARSE_STATUS_H
#define PARSE_STATUS_H

#define PARSE_STATUS_MAX 32

struct status_ranges {
	int n;
	struct {
		int lo, hi;
	} r[PARSE_STATUS_MAX];
};

/*
 * Parse s into *out. Returns 0, or -1 with a message in *cause (the caller
 * frees it).
 */
int parse_status_ranges(const char *s, struct status_ranges *out, char **cause);
/* 1 if code lies in one of the ranges. */
int parse_status_match(const struct status_ranges *sr, long code);

#endif
