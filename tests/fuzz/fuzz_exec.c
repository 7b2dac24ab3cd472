/*
 * Fuzz target: check program output (exec collector): the Monitoring
 * Plugins format, Munin config and values (multigraph sections too),
 * collectd PUTVAL and PUTNOTIF lines, collectd's types.db, and the data
 * source names made of their labels. Each parser sees every input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse_dsname.h"
#include "parse_munin.h"
#include "parse_nagios.h"
#include "parse_putval.h"
#include "parse_typesdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct parse_nagios n;
	struct parse_munin_config mc;
	struct parse_munin_values mv;
	struct parse_putvals pv;
	struct parse_typesdb db;
	char ds[PARSE_DSNAME_SIZE];
	size_t i;

	/* Each parser sees every input. */
	parse_nagios(buf, size, &n);
	parse_nagios_free(&n);
	parse_munin_config(buf, size, &mc);
	for (i = 0; i < mc.ngraphs; i++) {
		if (parse_munin_graph_find(&mc, mc.graphs[i].name) !=
		    &mc.graphs[i])
			abort();
	}
	parse_munin_config_free(&mc);
	parse_munin_values(buf, size, &mv);
	parse_munin_values_free(&mv);
	parse_putval(buf, size, &pv);
	for (i = 0; i < pv.nnotifs; i++) {
		if (pv.notifs[i].message[0] == '\0')
			abort();
	}
	parse_putval_free(&pv);
	parse_typesdb(buf, size, &db);
	for (i = 0; i < db.ntypes; i++) {
		if (db.types[i].nds == 0 ||
		    parse_typesdb_find(&db, db.types[i].name) != &db.types[i])
			abort();
	}
	parse_typesdb_free(&db);
	parse_dsname(buf, size, ds);
	if (strlen(ds) == 0 || strlen(ds) > PARSE_DSNAME_MAX)
		abort();
	return 0;
}
