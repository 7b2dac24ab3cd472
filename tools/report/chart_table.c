/*
 * A chart's numbers as a table, CSV or JSON: a row per time (or period),
 * a column per series, each number formatted as the chart shows it, the
 * notes after the rows.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"

static void
chart_table_string(FILE *f, const char *s)
{
	json_t *j = json_string(s);
	char *out = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

	fputs(out ? out : "\"\"", f);
	free(out);
	json_decref(j);
}

void
chart_table(const struct chart *c, const char *format, FILE *f)
{
	size_t r, k;
	char num[64];
	int json = strcmp(format, "json") == 0;

	if (!json) {
		fprintf(f, "%s", c->bars ? "period" : "time");
		for (k = 0; k < c->ncols; k++)
			fprintf(f, ",%s", c->cols[k]);
		fprintf(f, "\n");
		for (r = 0; r < c->nrows; r++) {
			fprintf(f, "%s", c->labels[r]);
			for (k = 0; k < c->ncols; k++) {
				chart_fmt(c, chart_get(c, r, k), num,
				    sizeof num);
				fprintf(f, ",%s", num);
			}
			fprintf(f, "\n");
		}
		for (k = 0; k < c->nnotes; k++)
			fprintf(f, "# %s\n", c->notes[k]);
		return;
	}
	fprintf(f, "{\"title\": ");
	chart_table_string(f, c->title);
	fprintf(f, ",\n \"columns\": [");
	for (k = 0; k < c->ncols; k++) {
		fprintf(f, "%s", k ? ", " : "");
		chart_table_string(f, c->cols[k]);
	}
	fprintf(f, "],\n \"rows\": [");
	for (r = 0; r < c->nrows; r++) {
		fprintf(f, "%s\n  {\"%s\": ", r ? "," : "",
		    c->bars ? "period" : "time");
		chart_table_string(f, c->labels[r]);
		for (k = 0; k < c->ncols; k++) {
			chart_fmt(c, chart_get(c, r, k), num, sizeof num);
			fprintf(f, ", ");
			chart_table_string(f, c->cols[k]);
			fprintf(f, ": %s", num[0] ? num : "null");
		}
		fprintf(f, "}");
	}
	fprintf(f, "\n ],\n \"notes\": [");
	for (k = 0; k < c->nnotes; k++) {
		fprintf(f, "%s", k ? ", " : "");
		chart_table_string(f, c->notes[k]);
	}
	fprintf(f, "]}\n");
}
