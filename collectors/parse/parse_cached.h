/*
 * rrdcached's answers to the two requests the store sends on a
 * connection of its own, pure: bytes in as they come, a verdict out; no
 * I/O. Every answer is lines ending in LF, at most PARSE_CACHED_LINE_MAX
 * bytes each (rrdcached formats them in a buffer of that size):
 *
 *	status  = [ "-" ] 1*DIGIT SP message LF
 *	batch   = status            ; to BATCH: 0 to go ahead, < 0 refused
 *	          count *error      ; after the commands and "."
 *	count   = 1*DIGIT SP message LF ; "errors", "Statistics follow"
 *	error   = 1*DIGIT SP message LF         ; the refused command's
 *	                                        ; number (1: the first)
 *	stats   = count *( name ": " 1*DIGIT LF ) ; to STATS
 *	each    = *status           ; commands sent without BATCH: one
 *	                            ; each, >= 0 taken, < 0 refused
 *
 * A refused BATCH (rrdcached's -P does not allow it) is told apart from
 * an answer that is not rrdcached's; an error line naming no command of
 * the batch, a count below zero or over 1,000,000, or a line longer than
 * PARSE_CACHED_LINE_MAX is not rrdcached's answer.
 */
#ifndef PARSE_CACHED_H
#define PARSE_CACHED_H

#include <stddef.h>
#include <stdint.h>

#define PARSE_CACHED_LINE_MAX 4096
/* More lines than this in one answer: not rrdcached's. */
#define PARSE_CACHED_COUNT_MAX 1000000

/* Which answer is read. */
enum parse_cached_what {
	PARSE_CACHED_BATCH, /* BATCH's "go ahead", then the error lines */
	PARSE_CACHED_STATS, /* STATS */
	PARSE_CACHED_EACH /* ncmd commands sent without BATCH */
};

/* Where in the answer the reading is. */
enum parse_cached_state {
	PARSE_CACHED_GO, /* BATCH: waiting for its go ahead */
	PARSE_CACHED_COUNT, /* the count line */
	PARSE_CACHED_LINES, /* the lines the count announced */
	PARSE_CACHED_DONE /* the whole answer was read */
};

struct parse_cached {
	enum parse_cached_what what;
	enum parse_cached_state state;
	size_t ncmd; /* BATCH: the commands sent */
	long left; /* lines still to come */
	int refused; /* BATCH refused by rrdcached: why says its message */
	int has_received; /* STATS: UpdatesReceived was among the lines */
	uint64_t received; /* its value */
	char why[160]; /* what is wrong with the answer (-1) */
};

/* For each refused command of a batch: its number (1..ncmd), message. */
typedef void (*parse_cached_refused_fn)(void *arg, size_t cmd, const char *msg,
    size_t len);

/* Start reading the answer to a request (ncmd: the commands sent). */
void parse_cached_init(struct parse_cached *p, enum parse_cached_what what,
    size_t ncmd);

/*
 * Read the whole lines of buf[0..len): the bytes read (the caller drops
 * them; what follows is kept for the next call), calling refused for each
 * refused command. Stops after BATCH's go ahead (state COUNT: the commands
 * are to be sent now) and at the end of the answer (DONE). -1 with p->why
 * (and p->refused when rrdcached refused BATCH) when it is not an answer.
 */
long parse_cached_feed(struct parse_cached *p, const char *buf, size_t len,
    parse_cached_refused_fn refused, void *arg);

#endif
