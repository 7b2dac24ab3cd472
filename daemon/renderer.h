/*
 * The dashboard's renderer: the daemon builds a graph's chart and has it
 * drawn by itfollow-render, a program of its own, so that librrd's graph
 * code, cairo, pango and fontconfig are never mapped in the daemon. The
 * program is found next to the daemon's executable (the build tree) or
 * where the installation puts it, relative to the daemon (never through
 * $PATH), and is run only while neither it nor its folder can be written
 * by anyone but root or the daemon's user.
 */
#ifndef RENDERER_H
#define RENDERER_H

#include <stddef.h>

struct chart;

/* How long one picture may take before its renderer is killed. */
#define RENDERER_TIMEOUT_MS 10000

/*
 * The renderer's path in *path (the caller frees), from /proc/self/exe,
 * NULL when there is none. Returns 0, or -1 with a message in *cause:
 * none found, or found but refused now (*path set: renderer_draw checks
 * it again). The dashboard's graphs answer 503 with that message.
 */
int renderer_find(char **path, char **cause);
/*
 * Draw the chart as a PNG of width x height pixels with the renderer at
 * path (checked again first): *png (the caller frees), *len. Blocks up to
 * RENDERER_TIMEOUT_MS; for a worker thread. Returns 0, or -1 with a
 * message in *cause.
 */
int renderer_draw(const char *path, const struct chart *, int width, int height,
    void **png, size_t *len, char **cause);

#endif
