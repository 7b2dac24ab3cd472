/*
 * A dashboard graph drawn in the calling process, for the static pages of
 * `itfollow dashboard -o DIR`. The daemon's live dashboard builds the same
 * chart (dashpage_chart) and has its renderer draw it, so the two show the
 * same picture for the same data. Apart from dashpage.c so that the
 * daemon, which links the pages, does not link the drawing.
 */
#include <stdio.h>
#include <stdlib.h>

#include "chart.h"
#include "dashpage.h"

int
dashpage_render(const struct conf *conf, const struct dashpage_graph *g,
    time_t now, void **buf, size_t *len, char *err, size_t errlen)
{
	struct chart *c;
	char *cause = NULL;
	int rc;

	*buf = NULL;
	if (dashpage_chart(conf, g, now, &c, err, errlen) != 0)
		return -1;
	rc = chart_render(c, "PNG", g->width, g->height, buf, len, &cause);
	if (rc != 0) {
		snprintf(err, errlen, "%s", cause);
		free(cause);
	}
	chart_free(c);
	return rc;
}
