/*
 * Fuzz target: check program output (exec collector): the Monitoring
 * Plugins format, Munin config and values, collectd PUTVAL lines, and the
 * data source names made of their labels. The first byte picks the parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse_dsname.h"
#include "parse_munin.h"
#include "parse_nagios.h"
#include "parse_putval.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct parse_nagios n;
	struct parse_munin_config mc;
	struct parse_munin_values mv;
	struct parse_putvals pv;
	char ds[PARSE_DSNAME_SIZE];

	/* Each parser sees every input. */
	parse_nagios(buf, size, &n);
	parse_nagios_free(&n);
	parse_munin_config(buf, size, &mc);
	parse_munin_config_free(&mc);
	parse_munin_values(buf, size, &mv);
	parse_munin_values_free(&mv);
	parse_putval(buf, size, &pv);
	parse_putval_free(&pv);
	parse_dsname(buf, size, ds);
	if (strlen(ds) == 0 || strlen(ds) > PARSE_DSNAME_MAX)
		abort();
	return 0;
}
