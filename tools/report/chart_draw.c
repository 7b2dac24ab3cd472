/*
 * Charts drawn: a time chart is graphed by librrd from a temporary RRD file
 * that holds the rows at their own step, so no consolidation of librrd
 * changes a number; a categorical one (bars) is drawn by barchart.c. Only
 * the programs that draw link this (the tool and the dashboard's
 * renderer): the daemon builds charts (chart.c) but never maps librrd's
 * graph code, cairo or pango.
 */
#include <ctype.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pthread.h>
#include <rrd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "barchart.h"
#include "chart.h"
#include "xmalloc.h"

/* librrd's graph is not thread-safe: every rendering takes this. */
static pthread_mutex_t chart_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const chart_colors[] = { "1F77B4", "FF7F0E", "2CA02C",
	"D62728", "9467BD", "8C564B", "E377C2", "7F7F7F", "BCBD22", "17BECF" };
#define CHART_NCOLORS (sizeof chart_colors / sizeof chart_colors[0])
/* A year of minutes and a little more: a finer chart is a mistake. */
#define CHART_MAX_STEPS 600000
#define CHART_NOTE_PX 14 /* a legend line of librrd's default font */

/* Text for a legend or COMMENT: librrd takes ':' as a separator. */
static char *
chart_escape(const char *s)
{
	char *out = xmalloc(strlen(s) * 2 + 1), *p = out;

	for (; *s != '\0'; s++) {
		if (*s == ':' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p = '\0';
	return out;
}

static long
chart_gcd(long a, long b)
{
	while (b != 0) {
		long t = a % b;

		a = b;
		b = t;
	}
	return a < 0 ? -a : a;
}

/* The step of the temporary file: every row starts and ends on it. */
static long
chart_step(const struct chart *c)
{
	long g = 0;
	size_t i;

	for (i = 0; i < c->nrows; i++) {
		g = chart_gcd(g, (long)(c->ends[i] - c->starts[i]));
		g = chart_gcd(g, (long)(c->starts[i] - c->from));
	}
	if (g <= 0)
		g = (c->to - c->from) / 400 > 0 ? (c->to - c->from) / 400 : 1;
	return g;
}

struct chart_args {
	char **v;
	int n;
};

static void chart_arg(struct chart_args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
chart_arg(struct chart_args *a, const char *fmt, ...)
{
	va_list ap;

	a->v = xreallocarray(a->v, a->n + 2, sizeof *a->v);
	va_start(ap, fmt);
	if (vasprintf(&a->v[a->n], fmt, ap) == -1)
		a->v[a->n] = xstrdup("");
	va_end(ap);
	a->v[++a->n] = NULL;
}

static void
chart_args_free(struct chart_args *a)
{
	int i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* The row covering [t, t + step), or -1. Rows are in time order. */
static long
chart_row_at(const struct chart *c, time_t t, size_t *hint)
{
	size_t i;

	for (i = *hint; i < c->nrows; i++) {
		if (c->starts[i] > t)
			return -1;
		if (t < c->ends[i]) {
			*hint = i;
			return (long)i;
		}
	}
	return -1;
}

/* Write the rows to a new RRD file at path, one data source per column. */
static int
chart_write_rrd(const struct chart *c, const char *path, long step,
    size_t ncols, char **cause)
{
	struct chart_args a = { NULL, 0 };
	time_t t, first = c->from - (c->from % step);
	size_t col, hint = 0, len;
	long row, nsteps;
	char num[64], *line;
	int rc = -1;

	if (c->nrows > 0 && c->starts[0] < first)
		first = c->starts[0];
	nsteps = (long)((c->to - first) / step) + 2;
	for (col = 0; col < ncols; col++)
		chart_arg(&a, "DS:c%zu:GAUGE:%ld:U:U", col, 2 * step);
	if (c->bands != NULL)
		chart_arg(&a, "DS:band:GAUGE:%ld:U:U", 2 * step);
	chart_arg(&a, "RRA:AVERAGE:0.5:1:%ld", nsteps);
	rrd_clear_error();
	if (rrd_create_r(path, (unsigned long)step, first - 1, a.n,
	        (const char **)a.v) != 0)
		goto fail;
	chart_args_free(&a);
	for (t = first; t < c->to; t += step) {
		if ((row = chart_row_at(c, t, &hint)) < 0)
			continue;
		xasprintf(&line, "%lld", (long long)(t + step));
		for (col = 0; col < ncols; col++) {
			double v = c->ncols ? chart_get(c, row, col) : NAN;

			if (isnan(v))
				snprintf(num, sizeof num, ":U");
			else
				snprintf(num, sizeof num, ":%.17g", v);
			len = strlen(line);
			line = xrealloc(line, len + strlen(num) + 1);
			memcpy(line + len, num, strlen(num) + 1);
		}
		if (c->bands != NULL) {
			len = strlen(line);
			line = xrealloc(line, len + 3);
			line[len] = ':';
			line[len + 1] = (char)('0' + c->bands[row]);
			line[len + 2] = '\0';
		}
		a.v = xreallocarray(a.v, a.n + 2, sizeof *a.v);
		a.v[a.n++] = line;
		a.v[a.n] = NULL;
	}
	rrd_clear_error();
	if (a.n > 0 && rrd_update_r(path, NULL, a.n, (const char **)a.v) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	xasprintf(cause, "chart: %s", rrd_get_error());
out:
	chart_args_free(&a);
	return rc;
}

/* The journal's bands behind the values: each kind the chart has, in its
 * own colour with its legend. */
static void
chart_band_args(const struct chart *c, struct chart_args *a, const char *path)
{
	static const char *const band[CHART_BAND_N][2] = {
		[CHART_BAND_OUTAGE] = { "FFB0B0", "outage" },
		[CHART_BAND_PLANNED] = { "FFD9A0", "planned outage" },
		[CHART_BAND_MAINT] = { "B8D4F0", "maintenance" },
		[CHART_BAND_UNKNOWN] = { "E4E4E4", "no data" },
	};
	int k, seen[CHART_BAND_N] = { 0 };
	size_t i;

	for (i = 0; i < c->nrows; i++)
		seen[c->bands[i] < CHART_BAND_N ? c->bands[i] : 0] = 1;
	chart_arg(a, "DEF:band=%s:band:AVERAGE", path);
	for (k = CHART_BAND_OUTAGE; k < CHART_BAND_N; k++) {
		/* A sparkline leaves the time nobody measured blank. */
		if (!seen[k] || (c->compact && k == CHART_BAND_UNKNOWN))
			continue;
		chart_arg(a, "CDEF:band%d=band,%d,EQ,INF,UNKN,IF", k, k);
		chart_arg(a, "AREA:band%d#%s:%s", k, band[k][0], band[k][1]);
	}
}

/* Smokeping's colours of loss (of 20 pings: 0, 1, 2, 3, 4-5, 6-9,
 * 10-18, 19-20), as percentages. */
static const struct {
	double hi;
	const char *color, *label;
} chart_loss_colors[] = {
	{ 0, "26FF00", "loss 0" },
	{ 5, "00B8FF", "to 5 %" },
	{ 10, "0059FF", "to 10 %" },
	{ 15, "5E00FF", "to 15 %" },
	{ 25, "7E00FF", "to 25 %" },
	{ 45, "DD00FF", "to 45 %" },
	{ 90, "FF0000", "to 90 %" },
	{ 100, "A00000", "to 100 %" },
};

/* The smoke: each CHART_SMOKE column shaded from the one before it. */
static void
chart_smoke_args(const struct chart *c, struct chart_args *a)
{
	static const char *const greys[] = { "DDDDDD", "BBBBBB", "999999" };
	size_t i, prev = 0, nbands = 0, band = 0, d;
	int have = 0;
	char *e1, *e2;

	for (i = 0; i < c->ncols; i++)
		nbands += c->styles[i] == CHART_SMOKE;
	nbands = nbands > 0 ? nbands - 1 : 0;
	for (i = 0; i < c->ncols; i++) {
		if (c->styles[i] != CHART_SMOKE)
			continue;
		if (have) {
			d = band < nbands - 1 - band ? band : nbands - 1 - band;
			if (d > 2)
				d = 2;
			e1 = chart_escape(c->cols[prev]);
			e2 = chart_escape(c->cols[i]);
			chart_arg(a, "CDEF:s%zu=c%zu,c%zu,-", i, i, prev);
			chart_arg(a, "AREA:c%zu", prev);
			chart_arg(a, "AREA:s%zu#%s:%s%s%s:STACK", i, greys[d],
			    band * 2 < nbands ? e1 : "",
			    band * 2 < nbands ? ".." : "",
			    band * 2 < nbands ? e2 : "");
			free(e1);
			free(e2);
			band++;
		}
		prev = i;
		have = 1;
	}
}

/* The line of column k, coloured by the CHART_LOSS column's value. */
static void
chart_loss_line_args(const struct chart *c, struct chart_args *a, size_t k)
{
	size_t i, loss = c->ncols, b;
	double lo = 0;

	for (i = 0; i < c->ncols; i++) {
		if (c->styles[i] == CHART_LOSS)
			loss = i;
	}
	if (loss == c->ncols) {
		chart_arg(a, "LINE2:c%zu#000000:%s", k, c->cols[k]);
		return;
	}
	for (b = 0; b < sizeof chart_loss_colors / sizeof chart_loss_colors[0];
	     b++) {
		if (b == 0)
			chart_arg(a,
			    "CDEF:l%zu=c%zu,UN,UNKN,c%zu,0,EQ,c%zu,UNKN,IF,IF",
			    b, loss, loss, k);
		else
			chart_arg(a,
			    "CDEF:l%zu=c%zu,UN,UNKN,c%zu,%g,GT,c%zu,%g,LE,*,c%zu,UNKN,IF,IF",
			    b, loss, loss, lo, loss, chart_loss_colors[b].hi,
			    k);
		chart_arg(a, "LINE2:l%zu#%s:%s", b, chart_loss_colors[b].color,
		    chart_loss_colors[b].label);
		lo = chart_loss_colors[b].hi;
	}
}

/* The picture's options: size, time span, title, axis. */
static void
chart_graph_opts(const struct chart *c, struct chart_args *a,
    const char *format, int width, int height, int nodata)
{
	chart_arg(a, "graph");
	chart_arg(a, "-");
	chart_arg(a, "--imgformat=%s", format);
	chart_arg(a, "--full-size-mode");
	chart_arg(a, "--width=%d", width);
	chart_arg(a, "--height=%d", height);
	/* To the end of the last row, which may run past the period's (the
	 * row of now): librrd draws a row only when its end is shown. */
	chart_arg(a, "--start=%lld", (long long)c->from);
	chart_arg(a, "--end=%lld",
	    (long long)(c->nrows > 0 && c->ends[c->nrows - 1] > c->to
	            ? c->ends[c->nrows - 1]
	            : c->to));
	if (c->compact) {
		chart_arg(a, "--no-legend");
		chart_arg(a, "--font=DEFAULT:7:");
		chart_arg(a, "--border=0");
		chart_arg(a, "--disable-rrdtool-tag");
	} else
		chart_arg(a, "--title=%s%s", c->title,
		    nodata ? " (no data)" : "");
	if (c->vlabel[0] != '\0' && !c->compact)
		chart_arg(a, "--vertical-label=%s", c->vlabel);
	chart_arg(a, "--units-exponent=0");
	if (c->percent) {
		chart_arg(a, "--upper-limit=100");
		chart_arg(a, "--rigid");
	}
	chart_arg(a, "--lower-limit=0");
}

/* Column i drawn in its style. */
static void
chart_graph_col(const struct chart *c, struct chart_args *a, size_t i)
{
	char *e = chart_escape(c->cols[i]);

	switch (c->styles[i]) {
	case CHART_LINE:
		chart_arg(a, "LINE2:c%zu#%s:%s", i,
		    chart_colors[i % CHART_NCOLORS], e);
		break;
	case CHART_AREA:
		chart_arg(a, "AREA:c%zu#%s:%s", i,
		    chart_colors[i % CHART_NCOLORS], e);
		break;
	case CHART_STACK:
		chart_arg(a, "AREA:c%zu#%s:%s:STACK", i,
		    chart_colors[i % CHART_NCOLORS], e);
		break;
	case CHART_LOSS_LINE:
		chart_loss_line_args(c, a, i);
		break;
	case CHART_SMOKE: /* chart_smoke_args drew them */
	case CHART_LOSS: /* the colour of the loss line */
		break;
	}
	free(e);
}

/*
 * The notes under the graph, as many as leave the plot three fifths of
 * the picture: past that the plot shrinks (full-size mode) until its axis
 * is empty. Then the last ones (outages come in order of time, the
 * period's figures last), after a line saying how many the table has
 * that the picture leaves out.
 */
static void
chart_note_args(const struct chart *c, struct chart_args *a, int height)
{
	size_t i, from = 0, fit = (size_t)(height * 2 / 5 / CHART_NOTE_PX);
	char *e, text[512];

	fit = fit > 2 ? fit - 1 : 1; /* the columns' legend line */
	if (c->nnotes > fit) {
		from = c->nnotes - (fit - 1);
		chart_arg(a,
		    "COMMENT:%zu earlier notes not drawn (itfollow graph --table lists every note)\\n",
		    from);
	}
	for (i = from; i < c->nnotes; i++) {
		chart_group_text(c->notes[i], text, sizeof text);
		e = chart_escape(text);
		chart_arg(a, "COMMENT:%s\\n", e);
		free(e);
	}
}

static void
chart_graph_args(const struct chart *c, struct chart_args *a, const char *path,
    const char *format, int width, int height, int nodata)
{
	size_t i, ncols = nodata ? 1 : c->ncols;

	chart_graph_opts(c, a, format, width, height, nodata);
	for (i = 0; i < ncols; i++)
		chart_arg(a, "DEF:c%zu=%s:c%zu:AVERAGE", i, path, i);
	if (c->bands != NULL)
		chart_band_args(c, a, path);
	if (nodata) {
		chart_arg(a, "LINE1:c0#000000");
		chart_arg(a, "COMMENT:no data\\c");
	} else if (c->bands == NULL && c->shade >= 0 &&
	    (size_t)c->shade < ncols) {
		chart_arg(a, "CDEF:shade=c%d,100,LT,INF,UNKN,IF", c->shade);
		chart_arg(a, "AREA:shade#FFB0B0:below 100 %%");
	}
	if (!nodata)
		chart_smoke_args(c, a);
	for (i = 0; !nodata && i < ncols; i++)
		chart_graph_col(c, a, i);
	chart_arg(a, "COMMENT:\\n");
	if (!c->compact)
		chart_note_args(c, a, height);
}

static int
chart_image(rrd_info_t *info, void **buf, size_t *len)
{
	rrd_info_t *p;

	for (p = info; p != NULL; p = p->next) {
		if (strcmp(p->key, "image") == 0 && p->type == RD_I_BLO) {
			*len = p->value.u_blo.size;
			*buf = xmalloc(*len + 1);
			memcpy(*buf, p->value.u_blo.ptr, *len);
			return 0;
		}
	}
	return -1;
}

int
chart_render(const struct chart *c, const char *format, int width, int height,
    void **buf, size_t *len, char **cause)
{
	struct chart_args a = { NULL, 0 };
	const char *tmp = getenv("TMPDIR");
	char dir[4096], path[4200];
	rrd_info_t *info;
	int nodata = chart_empty(c) || c->ncols == 0, rc = -1;
	long step = chart_step(c);

	*buf = NULL;
	*len = 0;
	if (c->bars) {
		/* Categories: drawn with cairo and pango, not librrd. */
		pthread_mutex_lock(&chart_lock);
		rc = barchart_render(c, format, width, height, buf, len, cause);
		pthread_mutex_unlock(&chart_lock);
		return rc;
	}
	if (tmp == NULL || *tmp == '\0' || strchr(tmp, ':') != NULL)
		tmp = "/tmp";
	snprintf(dir, sizeof dir, "%s/itfollow-chart.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		xasprintf(cause, "chart: cannot make a directory in %s", tmp);
		return -1;
	}
	snprintf(path, sizeof path, "%s/chart.rrd", dir);
	if ((c->to - c->from) / step > CHART_MAX_STEPS) {
		xasprintf(cause, "chart: rows of %lds over %lds are too many",
		    step, (long)(c->to - c->from));
		rmdir(dir);
		return -1;
	}

	pthread_mutex_lock(&chart_lock);
	if (chart_write_rrd(c, path, step, nodata ? 1 : c->ncols, cause) != 0)
		goto out;
	chart_graph_args(c, &a, path, format, width, height, nodata);
	rrd_clear_error();
	info = rrd_graph_v(a.n, a.v);
	if (info == NULL || chart_image(info, buf, len) != 0) {
		xasprintf(cause, "chart: %s",
		    rrd_test_error() ? rrd_get_error() : "no image");
	} else
		rc = 0;
	if (info != NULL)
		rrd_info_free(info);
out:
	pthread_mutex_unlock(&chart_lock);
	chart_args_free(&a);
	unlink(path);
	rmdir(dir);
	return rc;
}

static pthread_once_t chart_fonts_once = PTHREAD_ONCE_INIT;
static int chart_fonts_started; /* chart_check_fonts_start's thread */

/*
 * The font configuration graphs are drawn with, where Debian puts DejaVu
 * (the text's font: librrd's default, the bar charts'): the system's
 * reads some 70 XML files (every conf.d file and every conf.avail file
 * beside them) and applies all their rules to each font pattern; this one
 * reads the fonts the system has and only the rules that decide how
 * DejaVu is drawn (hinting, antialiasing, the LCD filter, DejaVu's own
 * files, the generic families, no bitmap fonts), the package's files
 * themselves, not conf.d's links, so an administrator's desktop choices
 * do not change the graphs. The pictures are the system
 * configuration's, byte for byte (tests/regress/graph.sh); it saves
 * some 5 ms of CPU of a 1-year graph. A user who names a configuration
 * (FONTCONFIG_FILE, FONTCONFIG_PATH) gets it, and a machine without
 * DejaVu there the system's.
 */
#define CHART_FONT_FILE "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
static const char *const chart_fonts_head[] = {
	"<?xml version=\"1.0\"?>",
	"<fontconfig>",
	"<dir>/usr/share/fonts</dir>",
	"<cachedir>/var/cache/fontconfig</cachedir>",
	"<cachedir prefix=\"xdg\">fontconfig</cachedir>",
};
static const char *const chart_fonts_rules[] = {
	"/usr/share/fontconfig/conf.avail/10-hinting-slight.conf",
	"/usr/share/fontconfig/conf.avail/10-yes-antialias.conf",
	"/usr/share/fontconfig/conf.avail/11-lcdfilter-default.conf",
	"/etc/fonts/conf.avail/20-unhint-small-dejavu-sans-mono.conf",
	"/etc/fonts/conf.avail/20-unhint-small-dejavu-sans.conf",
	"/etc/fonts/conf.avail/57-dejavu-sans-mono.conf",
	"/etc/fonts/conf.avail/57-dejavu-sans.conf",
	"/usr/share/fontconfig/conf.avail/60-latin.conf",
	"/usr/share/fontconfig/conf.avail/70-no-bitmaps.conf",
	"/usr/share/fontconfig/conf.avail/90-synthetic.conf",
};

/* The configuration's text, into buf[len]. */
static void
chart_fonts_xml(char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof chart_fonts_head / sizeof *chart_fonts_head; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s\n",
		    chart_fonts_head[i]);
	for (i = 0; i < sizeof chart_fonts_rules / sizeof *chart_fonts_rules;
	     i++)
		off += (size_t)snprintf(buf + off, len - off,
		    "<include ignore_missing=\"yes\">%s</include>\n",
		    chart_fonts_rules[i]);
	snprintf(buf + off, len - off, "</fontconfig>\n");
}

/* Make chart_fonts_xml fontconfig's configuration, where it applies;
 * else (or when it cannot be read) FcInit reads the system's. */
static void
chart_fonts_setup(void)
{
	char xml[2048];
	FcConfig *cfg;

	if (getenv("FONTCONFIG_FILE") != NULL ||
	    getenv("FONTCONFIG_PATH") != NULL ||
	    access(CHART_FONT_FILE, R_OK) != 0 ||
	    (cfg = FcConfigCreate()) == NULL)
		return;
	chart_fonts_xml(xml, sizeof xml);
	if (FcConfigParseAndLoadFromMemory(cfg, (const FcChar8 *)xml,
	        FcFalse) &&
	    FcConfigBuildFonts(cfg))
		FcConfigSetCurrent(cfg);
	FcConfigDestroy(cfg); /* the current one holds its own reference */
}

/*
 * Is there a font for graph text? Asked of fontconfig's library, not by
 * running fc-match: no shell, no PATH, nothing run (the daemon asks while
 * still root, before it drops its privileges).
 */
static void
chart_fonts_check(void)
{
	FcPattern *pat = NULL, *match = NULL;
	FcConfig *cfg = NULL;
	FcChar8 *file = NULL;
	FcResult res;
	int ok = 0;

	/* The process-wide configuration, the one librrd (pango) draws
	 * with: read once, not once here and again to draw (its XML and
	 * caches cost a one-graph command a few ms). */
	chart_fonts_setup();
	if (FcInit() && (cfg = FcConfigGetCurrent()) != NULL &&
	    (pat = FcNameParse((const FcChar8 *)"sans-serif")) != NULL &&
	    FcConfigSubstitute(cfg, pat, FcMatchPattern)) {
		FcDefaultSubstitute(pat);
		match = FcFontMatch(cfg, pat, &res);
		ok = match != NULL &&
		    FcPatternGetString(match, FC_FILE, 0, &file) ==
		        FcResultMatch &&
		    access((const char *)file, R_OK) == 0;
	}
	if (match != NULL)
		FcPatternDestroy(match);
	if (pat != NULL)
		FcPatternDestroy(pat);
	if (!ok) {
		fprintf(stderr,
		    "itfollow: warning: fontconfig finds no font: graph text will not render (install fonts-dejavu-core and fontconfig)\n");
	}
}

void
chart_check_fonts(void)
{
	pthread_once(&chart_fonts_once, chart_fonts_check);
}

static void *
chart_fonts_thread(void *arg)
{
	(void)arg;
	chart_check_fonts();
	return NULL;
}

void
chart_check_fonts_start(void)
{
	pthread_attr_t attr;
	pthread_t t;

	/* No thread: the check runs when the picture is drawn. */
	if (pthread_attr_init(&attr) != 0)
		return;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, chart_fonts_thread, NULL) == 0)
		chart_fonts_started = 1;
	pthread_attr_destroy(&attr);
}

void
chart_check_fonts_wait(void)
{
	if (chart_fonts_started)
		chart_check_fonts();
}
