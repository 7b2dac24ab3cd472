/*
 * A chart on the wire: how the daemon hands the chart of a dashboard graph
 * to its renderer (itfollow-render), which draws it with chart_render. The
 * numbers are the daemon's, computed from its running configuration, so a
 * changed configuration file on disk cannot change what is drawn, and the
 * doubles travel as their bytes, so the picture is the one the daemon
 * would have drawn itself. Both ends are the same build on one machine:
 * integers and doubles are in the machine's own order.
 *
 * Grammar (every integer little or big as the machine is):
 *   header  "ITFCHRT1" u32 width u32 height
 *   chart   str title, str vlabel, i64 from, i64 to, i32 decimals,
 *           i32 percent, i32 bars, i32 stack, i32 shade, i32 compact,
 *           u32 ncols, ncols x (str name, u32 style),
 *           u32 nrows, u8 has_bands, u8 has_display,
 *           nrows x (str label, [str display], i64 start, i64 end,
 *                    [u8 band], ncols x f64),
 *           u32 nnotes, nnotes x str
 *   str     u32 length, that many bytes (no NUL)
 * Lengths and counts are bounded (CHART_WIRE_MAX_*); anything else is
 * refused with its cause.
 */
#ifndef CHART_WIRE_H
#define CHART_WIRE_H

#include <stdio.h>

struct chart;

#define CHART_WIRE_MAX_STR 65536
#define CHART_WIRE_MAX_COLS 4096
#define CHART_WIRE_MAX_ROWS 2000000
#define CHART_WIRE_MAX_NOTES 4096
#define CHART_WIRE_MAX_PX 8192

/* Write the chart and the picture's size. Returns 0, or -1 (errno). */
int chart_wire_write(FILE *, const struct chart *, int width, int height);
/*
 * Read what chart_wire_write wrote. Returns 0 with *out (chart_free) and
 * the size set, or -1 with a message in *cause.
 */
int chart_wire_read(FILE *, struct chart **out, int *width, int *height,
    char **cause);

#endif
