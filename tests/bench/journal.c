/*
 * itf-journal-bench DIR|CONNINFO SERIES ROUNDS: how the journal keeps up.
 * Feeds it SERIES x ROUNDS runs (one series in 20 failing 3 rounds in 5,
 * so outages open and close) as the loop thread would, and prints the loop
 * thread's cost per run and how many runs a second reach the journal: the
 * SQLite file in DIR, or the PostgreSQL database CONNINFO names (its
 * password, if any, in the file $ITF_JOURNAL_PASSWORD_FILE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "confaddr.h"
#include "journal.h"
#include "log.h"
#include "pg.h"

static double
bench_since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int
main(int argc, char **argv)
{
	struct journal *j;
	struct journal_run r;
	struct journal_stats st;
	struct timespec a, b, c;
	struct conf conf;
	char series[32], *cause = NULL;
	int nseries, rounds, i, k, n;
	double loop, all;

	if (argc != 4 || (nseries = atoi(argv[2])) <= 0 ||
	    (rounds = atoi(argv[3])) <= 0) {
		fprintf(stderr, "usage: itf-journal-bench DIR SERIES ROUNDS\n");
		return 2;
	}
	log_open(1, LOG_ERR);
	memset(&conf, 0, sizeof conf);
	if (confaddr_is_pg(argv[1])) {
		conf.journal = argv[1];
		conf.journal_password_file =
		    getenv("ITF_JOURNAL_PASSWORD_FILE");
		conf.member = "bench";
	} else
		conf.data_dir = argv[1];
	j = journal_new(&conf);
	if (journal_start(j, &cause) != 0) {
		fprintf(stderr, "itf-journal-bench: %s\n", cause);
		free(cause);
		journal_free(j);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (k = 0; k < rounds; k++) {
		for (i = 0; i < nseries; i++) {
			memset(&r, 0, sizeof r);
			snprintf(series, sizeof series, "s%d", i);
			r.system = "bench";
			r.series = series;
			r.collector = "http";
			r.t = 1700000000 + k * 60;
			r.interval = 60;
			r.fail_after = 3;
			r.status = i % 20 == 0 && k % 5 < 3 ? ITF_STATUS_DOWN
			                                    : ITF_STATUS_UP;
			r.reason = r.status == ITF_STATUS_UP
			    ? ITF_REASON_OK
			    : ITF_REASON_CONNECT;
			journal_run(j, NULL, &r);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	journal_stop(j);
	clock_gettime(CLOCK_MONOTONIC, &c);
	journal_get_stats(j, &st);
	journal_free(j);
	n = nseries * rounds;
	loop = bench_since(&a, &b);
	all = bench_since(&a, &c);
	printf("runs %d, records %llu: loop thread %.1f us/run; all written "
	       "in %.3f s (%.0f runs/s)\n",
	    n, (unsigned long long)st.written, loop * 1e6 / n, all, n / all);
	return 0;
}
