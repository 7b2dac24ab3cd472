/*
 * The updates sent to rrdcached for one file lately, kept as compact rows
 * (store_row.h) so that those an rrdcached that went away lost can be
 * sent again. In blocks: a block's rows were sent at one time with one
 * template, held in one allocation. At 10,000 files written together
 * once a minute, the text lines they used to be kept as took 6 to 8 MiB
 * for the 10 s they are kept; their rows take some 45 bytes each. Each
 * block has when it was sent and where in the stream of everything sent
 * to rrdcached (pos, bytes): what rrdcached loses is both recent and the
 * last part of its journal.
 */
#ifndef STORE_KEPT_H
#define STORE_KEPT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "template.h"

struct store_kept {
	struct store_kept *next;
	struct tmpl *t; /* a reference: the rows' values are its nds */
	time_t at; /* when the rows were sent */
	uint64_t pos; /* bytes sent to rrdcached up to and with them */
	time_t base; /* the rows' times are from it */
	uint32_t n, len, cap; /* rows, bytes used, room */
	unsigned char rows[];
};

/*
 * Keep a row of t's values at time tm, sent at at, up to pos: added to
 * the last block when it has t and at (its pos then pos), else in a new
 * block after it. more: bytes of rows expected after this one in the
 * same block (room made for them at once).
 */
void store_kept_add(struct store_kept **head, struct tmpl *t, time_t at,
    uint64_t pos, time_t tm, const double *v, size_t more);

/*
 * Keep a row already encoded from base (store_row.h), its len bytes,
 * as store_kept_add does, without reading it: rows sent are kept as
 * they were held.
 */
void store_kept_copy(struct store_kept **head, struct tmpl *t, time_t at,
    uint64_t pos, time_t base, const unsigned char *row, size_t len,
    size_t more);

/*
 * Forget the blocks sent before cutoff and before pos_cutoff (they are
 * in sending order).
 */
void store_kept_expire(struct store_kept **head, time_t cutoff,
    uint64_t pos_cutoff);

/* When the last kept row was sent; 0 when none is. */
time_t store_kept_last_at(const struct store_kept *head);

/* Rows kept in all blocks. */
size_t store_kept_count(const struct store_kept *head);

/*
 * Read the row of k at offset off into *tm and v (k->t->nds values); its
 * length, 0 at the end of the block.
 */
size_t store_kept_row(const struct store_kept *k, size_t off, time_t *tm,
    double *v);

/* Forget every block. */
void store_kept_free(struct store_kept **head);

#endif /* STORE_KEPT_H */
