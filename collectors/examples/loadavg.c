/*
 * An example collector plugin: the load averages of the machine the daemon
 * runs on, from /proc/loadavg. Build it against the installed header:
 *
 *	cc -shared -fPIC $(pkg-config --cflags itfollow-collector) \
 *	    -o loadavg.so loadavg.c
 *
 * put loadavg.so in daemon.plugin_dir and configure it as
 *
 *	{ type = "loadavg"; series = "load"; scale = 1.0; }
 *
 * It stores load1, load5 and load15 next to up and reason (the "dynamic"
 * template): data sources a plugin declares with emit_ds.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <itfollow/collector.h>

static const struct itf_key loadavg_keys[] = {
	ITF_KEY("scale", ITF_KEY_FLOAT),
	ITF_KEY_END,
};

struct loadavg {
	const struct itf_host_services *host;
	double scale;
};

static int
loadavg_configure(const struct itf_host_services *host,
    struct itf_instance *inst, void **state)
{
	struct loadavg *la;

	if (host->abi_version < 2) {
		host->conf_error(inst, NULL, "loadavg needs a host of ABI 2");
		return -1;
	}
	if ((la = calloc(1, sizeof *la)) == NULL)
		return -1;
	la->host = host;
	la->scale = 1.0;
	if (host->conf_float(inst, "scale", &la->scale) && la->scale <= 0) {
		host->conf_error(inst, "scale", "scale must be above 0");
		free(la);
		return -1;
	}
	*state = la;
	return 0;
}

/* /proc is not a disk: this read does not block the loop. */
static int
loadavg_start(void *state, struct itf_run *run)
{
	struct loadavg *la = state;
	struct itf_ds_spec spec = { ITF_DS_GAUGE, 0, NAN };
	double l1, l5, l15;
	char buf[128];
	ssize_t n;
	int fd;

	fd = open("/proc/loadavg", O_RDONLY);
	n = fd == -1 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd != -1)
		close(fd);
	if (n <= 0) {
		la->host->run_done(run, ITF_STATUS_UNKNOWN, ITF_REASON_INTERNAL,
		    "cannot read /proc/loadavg");
		return 0;
	}
	buf[n] = '\0';
	if (sscanf(buf, "%lf %lf %lf", &l1, &l5, &l15) != 3) {
		la->host->run_done(run, ITF_STATUS_UNKNOWN,
		    ITF_REASON_PARSE_ERROR, "unexpected /proc/loadavg");
		return 0;
	}
	la->host->emit_ds(run, "load1", l1 * la->scale, &spec);
	la->host->emit_ds(run, "load5", l5 * la->scale, &spec);
	la->host->emit_ds(run, "load15", l15 * la->scale, &spec);
	la->host->run_done(run, ITF_STATUS_UP, ITF_REASON_OK, NULL);
	return 0;
}

/* Runs end inside start(): there is never one to cancel. */
static void
loadavg_cancel(void *state, struct itf_run *run)
{
	(void)state;
	(void)run;
}

static void
loadavg_destroy(void *state)
{
	free(state);
}

static const struct itf_collector_ops loadavg_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "loadavg",
	.perspective = "quality",
	.template_name = "dynamic",
	.keys = loadavg_keys,
	.configure = loadavg_configure,
	.start = loadavg_start,
	.cancel = loadavg_cancel,
	.destroy = loadavg_destroy,
	.flags = ITF_COLLECTOR_DYNAMIC,
};

const struct itf_collector_ops *itf_collector_entry(void);

const struct itf_collector_ops *
itf_collector_entry(void)
{
	return &loadavg_ops;
}
