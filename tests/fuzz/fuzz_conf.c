/*
 * Fuzz target: what the configuration hands to parsers: expected-status
 * lists, JSON pointers, RRD templates.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse_jsonfeed.h"
#include "parse_status.h"
#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct status_ranges sr;
	struct tmpl *t;
	char *s, *cause = NULL, **errs = NULL, **argv;
	size_t nerrs = 0, i;
	int argc;

	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if (parse_status_ranges(s, &sr, &cause) == 0) {
		for (i = 0; i < 1000; i += 37)
			parse_status_match(&sr, (long)i);
	}
	free(cause);
	parse_jsonfeed_pointer_valid(s);
	t = template_parse("fuzz", s, "fuzz.tmpl", &errs, &nerrs);
	if (t != NULL) {
		template_create_args(t, 300, &argv, &argc);
		template_args_free(argv, argc);
		template_unref(t);
	}
	for (i = 0; i < nerrs; i++)
		free(errs[i]);
	free(errs);
	free(s);
	return 0;
}
