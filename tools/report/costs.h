/*
 * Cost figures as every command shows them (scorecard, cost graphs,
 * export): a system's daily `cost` rows summed exactly, as integers of
 * millionths, over a period; the mean of its daily `users`; and what the
 * amounts are: the currency of the focus feeds' rows and the cost column
 * they sum (their basis), read from each feed's state file. "unallocated"
 * (what the feeds could not map to a system) is a system here too.
 */
#ifndef COSTS_H
#define COSTS_H

#include <stddef.h>

struct conf;
struct period;

/* One system's cost over a period. */
struct cost_fig {
	long long micros; /* the known days summed */
	size_t days; /* known days; 0: no data */
	double users; /* the mean of the known daily users */
	size_t user_days; /* 0: no users figure */
};

/*
 * The days of system's cost and users series that the period's dates
 * name (period_days: the FOCUS billing days, UTC days, whose date's
 * local midnight lies in the period; in UTC the days starting in it). A
 * missing file is no data. Returns 0, or -1 with a message in err (a
 * file that cannot be read).
 */
int costs_system(const struct conf *, const char *system, const struct period *,
    struct cost_fig *out, char *err, size_t errlen);
/* 1 when the figure has users to divide by (a mean above 0). */
int costs_has_users(const struct cost_fig *);

/* What the amounts are. */
struct cost_basis {
	char currency[64]; /* "SEK", or "" when no feed has said */
	char basis[64]; /* "EffectiveCost", or "" */
	int mixed; /* feeds disagree: sums over them are meaningless */
};
void costs_basis(const struct conf *, struct cost_basis *);
/* "SEK (EffectiveCost)", "SEK", or "currency unknown". */
void costs_unit(const struct cost_basis *, char *buf, size_t len);

/* 1 when id is a configured system or "unallocated". */
int costs_is_system(const struct conf *, const char *id);

#endif
