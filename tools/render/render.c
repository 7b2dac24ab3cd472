/*
 * itfollow-render: the daemon's drawing, in a process of its own. It reads
 * one chart from its standard input (chart_wire.h), the numbers the daemon
 * computed from its running configuration, draws it with chart_render, the
 * code `itfollow graph` draws with, and answers on its standard output
 * "ok LEN\n" and the PNG, or "error MESSAGE\n". It reads no configuration
 * and no file but the fonts and its own temporary RRD file, so the
 * daemon never maps librrd's graph code, cairo, pango or fontconfig
 * (README, "Memory"). Not a command for people: the daemon runs it.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "chart_wire.h"

static int
render_fail(const char *what, char *cause)
{
	size_t i;

	/* One line: the daemon reads the answer up to the first newline. */
	for (i = 0; cause[i] != '\0'; i++)
		if (cause[i] == '\n')
			cause[i] = ' ';
	printf("error %s%s\n", what, cause);
	free(cause);
	return fflush(stdout) == 0 ? 1 : 2;
}

int
main(int argc, char **argv)
{
	struct chart *c;
	char *cause = NULL;
	void *png;
	size_t len;
	int width, height, rc;

	if (argc != 1) {
		fprintf(stderr,
		    "usage: itfollow-render < chart (run by itfollowd)\n");
		return 2;
	}
	setlocale(LC_ALL, "C");
	if (chart_wire_read(stdin, &c, &width, &height, &cause) != 0)
		return render_fail("bad chart: ", cause);
	chart_check_fonts();
	rc = chart_render(c, "PNG", width, height, &png, &len, &cause);
	chart_free(c);
	if (rc != 0)
		return render_fail("", cause);
	printf("ok %zu\n", len);
	rc = fwrite(png, 1, len, stdout) == len && fflush(stdout) == 0;
	free(png);
	return rc ? 0 : 2;
}
