/*
 * Collector type registry. Built-in collectors are registered through the
 * same struct itf_collector_ops a plugin exports, in one table. A plugin is
 * a shared object exporting ITF_COLLECTOR_ENTRY, a function returning its
 * ops; its ABI version must be 1 to ours. Its ops are copied into a struct
 * of our version, with the fields its version lacks left zero, so the rest
 * of the daemon reads every field without asking. Loaded plugins stay
 * loaded until exit (reloads reuse them); a broken one is remembered too,
 * so it is reported once per load, not once per collector.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ident.h"
#include "plugin.h"
#include "xmalloc.h"

extern const struct itf_collector_ops collector_http_ops;
extern const struct itf_collector_ops collector_tcp_ops;
extern const struct itf_collector_ops collector_exec_ops;
extern const struct itf_collector_ops collector_flexlm_ops;
extern const struct itf_collector_ops collector_rlm_ops;
extern const struct itf_collector_ops collector_m365_ops;
extern const struct itf_collector_ops collector_json_ops;
extern const struct itf_collector_ops collector_csv_ops;
extern const struct itf_collector_ops collector_xapi_ops;
extern const struct itf_collector_ops collector_focus_ops;
extern const struct itf_collector_ops collector_users_ops;
extern const struct itf_collector_ops collector_icmp_ops;
extern const struct itf_collector_ops collector_dns_ops;

static const struct itf_collector_ops *const plugin_builtin[] = {
	&collector_http_ops,
	&collector_tcp_ops,
	&collector_exec_ops,
	&collector_flexlm_ops,
	&collector_rlm_ops,
	&collector_m365_ops,
	&collector_json_ops,
	&collector_csv_ops,
	&collector_xapi_ops,
	&collector_focus_ops,
	&collector_users_ops,
	&collector_icmp_ops,
	&collector_dns_ops,
	NULL,
};

struct plugin {
	struct plugin *next;
	char *type;
	char *file;
	void *handle;
	struct itf_collector_ops ops; /* first, so &ops finds the plugin */
	int broken;
	char *cause;
};

static struct plugin *plugin_list;
static int plugin_deferring;
static unsigned plugin_ndeferred;

void
plugin_defer(int on)
{
	plugin_deferring = on;
	if (on)
		plugin_ndeferred = 0;
}

unsigned
plugin_deferred(void)
{
	return plugin_ndeferred;
}

/* The size of the ops struct of an ABI version. */
static size_t
plugin_ops_size(uint32_t version)
{
	if (version == 1)
		return offsetof(struct itf_collector_ops, flags);
	if (version == 2)
		return offsetof(struct itf_collector_ops, default_interval);
	return sizeof(struct itf_collector_ops);
}

static void
plugin_load(struct plugin *p)
{
	const struct itf_collector_ops *ops;
	itf_collector_entry_fn entry;
	void *sym;

	p->handle = dlopen(p->file, RTLD_NOW | RTLD_LOCAL);
	if (p->handle == NULL) {
		xasprintf(&p->cause, "plugin %s: %s", p->file, dlerror());
		goto broken;
	}
	if ((sym = dlsym(p->handle, ITF_COLLECTOR_ENTRY)) == NULL) {
		xasprintf(&p->cause, "plugin %s: no symbol %s", p->file,
		    ITF_COLLECTOR_ENTRY);
		goto broken;
	}
	memcpy(&entry, &sym, sizeof entry);
	if ((ops = entry()) == NULL) {
		xasprintf(&p->cause, "plugin %s: %s returned NULL", p->file,
		    ITF_COLLECTOR_ENTRY);
		goto broken;
	}
	if (ops->abi_version == 0 ||
	    ops->abi_version > ITF_COLLECTOR_ABI_VERSION) {
		xasprintf(&p->cause,
		    "plugin %s: ABI version %u (this daemon "
		    "supports 1 to %u)",
		    p->file, ops->abi_version, ITF_COLLECTOR_ABI_VERSION);
		goto broken;
	}
	memset(&p->ops, 0, sizeof p->ops);
	memcpy(&p->ops, ops, plugin_ops_size(ops->abi_version));
	if (p->ops.name == NULL || strcmp(p->ops.name, p->type) != 0 ||
	    p->ops.configure == NULL || p->ops.start == NULL ||
	    p->ops.cancel == NULL || p->ops.destroy == NULL) {
		xasprintf(&p->cause,
		    "plugin %s: its ops are incomplete or "
		    "not named \"%s\"",
		    p->file, p->type);
		goto broken;
	}
	if (p->ops.perspective == NULL ||
	    !ident_valid_perspective(p->ops.perspective))
		p->ops.perspective = "quality";
	if (p->ops.template_name == NULL)
		p->ops.template_name = p->type;
	return;
broken:
	p->broken = 1;
	if (p->handle != NULL)
		dlclose(p->handle);
	p->handle = NULL;
}

enum plugin_result
plugin_find(const char *type, const char *plugin_dir,
    const struct itf_collector_ops **ops, char **cause)
{
	struct plugin *p;
	struct stat sb;
	char *file;
	size_t i;

	for (i = 0; plugin_builtin[i] != NULL; i++) {
		if (strcmp(plugin_builtin[i]->name, type) == 0) {
			*ops = plugin_builtin[i];
			return PLUGIN_FOUND;
		}
	}
	/* The type names a file: only a plain id may. */
	if (plugin_dir == NULL || !ident_valid(type)) {
		xasprintf(cause, "unknown collector type \"%s\"", type);
		return PLUGIN_UNKNOWN;
	}
	xasprintf(&file, "%s/%s.so", plugin_dir, type);
	for (p = plugin_list; p != NULL; p = p->next) {
		if (strcmp(p->file, file) == 0)
			break;
	}
	if (p == NULL) {
		if (stat(file, &sb) != 0) {
			xasprintf(cause,
			    "unknown collector type \"%s\" (no "
			    "built-in type and no %s)",
			    type, file);
			free(file);
			return PLUGIN_UNKNOWN;
		}
		if (plugin_deferring) {
			plugin_ndeferred++;
			free(file);
			return PLUGIN_DEFERRED;
		}
		p = xcalloc(1, sizeof *p);
		p->type = xstrdup(type);
		p->file = xstrdup(file);
		plugin_load(p);
		p->next = plugin_list;
		plugin_list = p;
	}
	free(file);
	if (p->broken) {
		*cause = xstrdup(p->cause);
		return PLUGIN_BROKEN;
	}
	*ops = &p->ops;
	return PLUGIN_FOUND;
}

static struct plugin *
plugin_of(const struct itf_collector_ops *ops)
{
	struct plugin *p;

	for (p = plugin_list; p != NULL; p = p->next) {
		if (!p->broken && &p->ops == ops)
			return p;
	}
	return NULL;
}

int
plugin_is_loaded(const struct itf_collector_ops *ops)
{
	return plugin_of(ops) != NULL;
}

const char *
plugin_file(const struct itf_collector_ops *ops)
{
	struct plugin *p = plugin_of(ops);

	return p != NULL ? p->file : NULL;
}

void
plugin_unload_all(void)
{
	struct plugin *p;

	while ((p = plugin_list) != NULL) {
		plugin_list = p->next;
		if (p->handle != NULL)
			dlclose(p->handle);
		free(p->type);
		free(p->file);
		free(p->cause);
		free(p);
	}
}
