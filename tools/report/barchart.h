/*
 * Categorical charts (a chart with bars: months, quarters, groups) drawn
 * with cairo and pango, the libraries librrd itself draws with, so the
 * fonts match the time graphs: one bar, or one stack, per row on a
 * category axis, its value written on it with thousands separators, the
 * unit on the value axis, a legend of the columns and the notes under it.
 */
#ifndef BARCHART_H
#define BARCHART_H

#include <stddef.h>

struct chart;

/*
 * Draw c (c->bars set) at width x height pixels (points for PDF) in format
 * ("PNG", "SVG" or "PDF"); *buf (*len bytes) is the caller's. A chart
 * with no known value says "no data". Not thread-safe (pango's font
 * caches): chart_render serialises calls. Returns 0, or -1 with *cause.
 */
int barchart_render(const struct chart *c, const char *format, int width,
    int height, void **buf, size_t *len, char **cause);

#endif
