/*
 * Plugin loading. Built-in collectors are registered through the same
 * struct itf_collector_ops a plugin exports, in one table
 * (daemon/config/conftype.c, which the configuration model reads). A plugin is
 * a shared object exporting ITF_COLLECTOR_ENTRY, a function returning its
 * ops; its ABI version must be 1 to ours. Its ops are copied into a struct
 * of our version, with the fields its version lacks left zero, so the rest
 * of the daemon reads every field without asking. Loaded plugins stay
 * loaded until exit (reloads reuse them); a broken one is remembered too,
 * so it is reported once per load, not once per collector. Only a plugin
 * that root or the daemon's own user owns and nobody else may write, in a
 * directory the same holds for, is loaded: another user's code never runs
 * in the daemon. It is loaded through the descriptor its checks were
 * made on, so it cannot be swapped in between.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conftype.h"
#include "ident.h"
#include "plugin.h"
#include "xmalloc.h"

struct plugin {
	struct plugin *next;
	char *type;
	char *file;
	void *handle;
	/* Loaded through /proc/self/fd/N: kept open while loaded, so that no
	 * other plugin has that name (dlopen would take it for this one). */
	int fd;
	struct itf_collector_ops ops; /* first, so &ops finds the plugin */
	int broken;
	char *cause;
	struct itf_key *keys; /* an older ABI's key table, as ours */
};

/* A key of a plugin built for ABI 1 to 4: a name and a type. */
struct plugin_key_v4 {
	const char *name;
	enum itf_key_type type;
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

/* Whose a plugin or its directory may be; NULL, or why not. */
static const char *
plugin_untrusted(const struct stat *sb, char *why, size_t len)
{
	uid_t me = geteuid();

	if (sb->st_uid != 0 && sb->st_uid != me)
		snprintf(why, len,
		    "owned by uid %u, not by root or the daemon's user (uid %u)",
		    (unsigned)sb->st_uid, (unsigned)me);
	else if (sb->st_mode & S_IWOTH)
		snprintf(why, len, "writable by others (mode %04o)",
		    (unsigned)(sb->st_mode & 07777));
	else if ((sb->st_mode & S_IWGRP) && sb->st_gid != 0 &&
	    sb->st_gid != getegid())
		snprintf(why, len, "writable by group %u (mode %04o)",
		    (unsigned)sb->st_gid, (unsigned)(sb->st_mode & 07777));
	else
		return NULL;
	return why;
}

/*
 * Open the plugin's file if it and its directory may be trusted: the
 * descriptor, or -1 with p->cause.
 */
static int
plugin_open(struct plugin *p, const char *dir, const char *name)
{
	struct stat sb;
	char why[128];
	int dfd, fd = -1;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fstat(dfd, &sb) != 0) {
		xasprintf(&p->cause, "plugin %s: %s: %s", p->file, dir,
		    strerror(errno));
		goto out;
	}
	if (plugin_untrusted(&sb, why, sizeof why) != NULL) {
		xasprintf(&p->cause,
		    "plugin %s: its directory is %s; not loaded", p->file, why);
		goto out;
	}
	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		xasprintf(&p->cause, "plugin %s: %s", p->file,
		    fd == -1 ? strerror(errno) : "not a regular file");
		goto fail;
	}
	if (plugin_untrusted(&sb, why, sizeof why) != NULL) {
		xasprintf(&p->cause, "plugin %s: %s; not loaded", p->file, why);
		goto fail;
	}
	goto out;
fail:
	if (fd != -1)
		close(fd);
	fd = -1;
out:
	if (dfd != -1)
		close(dfd);
	return fd;
}

static void plugin_keys_v4(struct plugin *);

static void
plugin_load(struct plugin *p, const char *dir, const char *name)
{
	const struct itf_collector_ops *ops;
	itf_collector_entry_fn entry;
	char path[64];
	void *sym;

	if ((p->fd = plugin_open(p, dir, name)) == -1)
		goto broken;
	snprintf(path, sizeof path, "/proc/self/fd/%d", p->fd);
	p->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
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
		    "plugin %s: ABI version %u (this daemon supports 1 to %u)",
		    p->file, ops->abi_version, ITF_COLLECTOR_ABI_VERSION);
		goto broken;
	}
	memset(&p->ops, 0, sizeof p->ops);
	memcpy(&p->ops, ops, plugin_ops_size(ops->abi_version));
	if (p->ops.name == NULL || strcmp(p->ops.name, p->type) != 0 ||
	    p->ops.configure == NULL || p->ops.start == NULL ||
	    p->ops.cancel == NULL || p->ops.destroy == NULL) {
		xasprintf(&p->cause,
		    "plugin %s: its ops are incomplete or not named \"%s\"",
		    p->file, p->type);
		goto broken;
	}
	if (p->ops.perspective == NULL ||
	    !ident_valid_perspective(p->ops.perspective))
		p->ops.perspective = "quality";
	if (p->ops.template_name == NULL)
		p->ops.template_name = p->type;
	if (ops->abi_version < 5)
		plugin_keys_v4(p);
	return;
broken:
	p->broken = 1;
	if (p->handle != NULL)
		dlclose(p->handle);
	p->handle = NULL;
	if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
}

/*
 * The key table of a plugin built before version 5 has entries of a name
 * and a type only: copied into ours (no checks), so that the rest of the
 * daemon reads every key the same way.
 */
static void
plugin_keys_v4(struct plugin *p)
{
	const struct plugin_key_v4 *old =
	    (const struct plugin_key_v4 *)(const void *)p->ops.keys;
	size_t n = 0, i;

	if (old == NULL)
		return;
	while (old[n].name != NULL)
		n++;
	p->keys = xcalloc(n + 1, sizeof *p->keys);
	for (i = 0; i < n; i++) {
		p->keys[i].name = old[i].name;
		p->keys[i].type = old[i].type;
	}
	p->ops.keys = p->keys;
}

/* A plugin loaded (or found broken) from file, or NULL. */
static struct plugin *
plugin_known(const char *file)
{
	struct plugin *p;

	for (p = plugin_list; p != NULL; p = p->next) {
		if (strcmp(p->file, file) == 0)
			return p;
	}
	return NULL;
}

/* 1 if file is a plugin loaded (or found broken): what conftype asks. */
static int
plugin_known_cb(const char *file)
{
	return plugin_known(file) != NULL;
}

/* The file of a plugin type, known or existing (caller frees), or NULL
 * with *cause. */
static char *
plugin_path(const char *type, const char *plugin_dir, char **cause)
{
	conftype_set_known(plugin_known_cb);
	return conftype_plugin_file(type, plugin_dir, cause);
}

enum plugin_result
plugin_find(const char *type, const char *plugin_dir,
    const struct itf_collector_ops **ops, char **cause)
{
	struct plugin *p;
	char *file, *name;

	if ((*ops = conftype_builtin(type)) != NULL)
		return PLUGIN_FOUND;
	if ((file = plugin_path(type, plugin_dir, cause)) == NULL)
		return PLUGIN_UNKNOWN;
	if ((p = plugin_known(file)) == NULL) {
		if (plugin_deferring) {
			plugin_ndeferred++;
			free(file);
			return PLUGIN_DEFERRED;
		}
		p = xcalloc(1, sizeof *p);
		p->fd = -1;
		p->type = xstrdup(type);
		p->file = xstrdup(file);
		xasprintf(&name, "%s.so", type);
		plugin_load(p, plugin_dir, name);
		free(name);
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
		if (p->fd != -1)
			close(p->fd);
		free(p->type);
		free(p->file);
		free(p->cause);
		free(p->keys);
		free(p);
	}
}
