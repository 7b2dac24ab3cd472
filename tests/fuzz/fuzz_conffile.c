/*
 * Fuzz target: a whole configuration file as text, through libconfig and
 * every check of instance_load (daemon, defaults, store, systems and their
 * collectors, maintenance windows, notifiers, feeds). Inputs that name a
 * plugin directory are left alone: loading plugins runs their code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "conf.h"
#include "instance.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int logged;
	struct conf_errors errs = { NULL, 0 };
	struct conf *conf;
	char *text;

	if (!logged) {
		log_open(1, LOG_CRIT); /* what a load warns of is noise */
		logged = 1;
	}
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (strstr(text, "plugin") != NULL ||
	    strstr(text, "@include") != NULL) {
		free(text);
		return 0;
	}
	conf = instance_load("fuzz.conf", text, collect_host(), &errs);
	if (conf == NULL && errs.n == 0)
		abort(); /* a refused file always says why */
	conf_free(conf);
	conf_errors_clear(&errs);
	free(text);
	return 0;
}
