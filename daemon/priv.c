/*
 * Privileges. Started as root with daemon.user set, the daemon does what
 * needs root (the status server is bound, data_dir is created and given to
 * the user) and then becomes that user for good, before any collector runs:
 * supplementary groups, group and user all switched, and checked that root
 * cannot be regained. Started as that user (systemd's User=), it only checks
 * it is the one named; started as root without daemon.user, it warns.
 * Check programs started after the drop run as the daemon's user (proc.c
 * switches users only while the daemon is root).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"
#include "xmalloc.h"

/* The user (and group) the configuration names. */
static int
priv_lookup(const struct conf *conf, uid_t *uid, gid_t *gid, char **cause)
{
	struct passwd *pw;
	struct group *gr;

	if ((pw = getpwnam(conf->user)) == NULL) {
		xasprintf(cause, "%s:%d: no user \"%s\" (daemon.user)",
		    conf->file, conf->user_line, conf->user);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (conf->group != NULL) {
		if ((gr = getgrnam(conf->group)) == NULL) {
			xasprintf(cause, "%s: no group \"%s\" (daemon.group)",
			    conf->file, conf->group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	if (*uid == 0) {
		xasprintf(cause, "%s:%d: daemon.user \"%s\" is root",
		    conf->file, conf->user_line, conf->user);
		return -1;
	}
	return 0;
}

/*
 * The next component of a path, opened (and made with mode when missing)
 * below fd without following a symbolic link: the descriptor, or -1 with
 * *cause.
 */
static int
priv_step(int fd, const char *dir, const char *name, mode_t mode, char **cause)
{
	int next, made = 0;

	next =
	    openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (next == -1 && errno == ENOENT &&
	    ((made = mkdirat(fd, name, mode) == 0) || errno == EEXIST))
		next = openat(fd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* The mode asked for, whatever the umask (the daemon's is 027). */
	if (next != -1 && made)
		fchmod(next, mode);
	if (next != -1)
		return next;
	if (errno == ELOOP || errno == ENOTDIR)
		xasprintf(cause,
		    "data_dir %s: \"%s\" is a symbolic link or not a directory: refused",
		    dir, name);
	else
		xasprintf(cause, "data_dir %s: %s: %s", dir, name,
		    strerror(errno));
	return -1;
}

/*
 * Create dir (and its parents) and give dir itself to uid:gid. The path
 * is walked a component at a time, each opened below the last without
 * following a symbolic link, so that no link anyone planted on the way
 * makes root give away another directory; a parent that others may
 * write is refused unless root owns it (as /tmp, sticky). What is inside
 * dir is left alone: files another user wrote are reported by the store
 * when it cannot write them.
 */
static int
priv_data_dir(const char *dir, uid_t uid, gid_t gid, char **cause)
{
	struct stat sb;
	char *p, *name, *save = NULL;
	const char *rest;
	int fd, next, rc = -1;

	fd =
	    open(dir[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1) {
		xasprintf(cause, "data_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	p = xstrdup(dir);
	for (name = strtok_r(p, "/", &save); name != NULL;
	     name = strtok_r(NULL, "/", &save)) {
		if (fstat(fd, &sb) != 0 ||
		    ((sb.st_mode & S_IWOTH) && sb.st_uid != 0)) {
			xasprintf(cause,
			    "data_dir %s: a parent of \"%s\" is writable by others and not root's: refused",
			    dir, name);
			goto out;
		}
		/* Parents as before (0755); data_dir itself 0750. */
		rest = save != NULL ? save + strspn(save, "/") : "";
		if ((next = priv_step(fd, dir, name,
		         *rest == '\0' ? 0750 : 0755, cause)) == -1)
			goto out;
		close(fd);
		fd = next;
	}
	if (fstat(fd, &sb) != 0 ||
	    ((sb.st_uid != uid || sb.st_gid != gid) &&
	        fchown(fd, uid, gid) != 0)) {
		xasprintf(cause, "data_dir %s: %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(fd);
	free(p);
	return rc;
}

/* Become uid:gid with the user's groups; then make sure it holds. */
static int
priv_switch(const char *user, uid_t uid, gid_t gid, char **cause)
{
	if (initgroups(user, gid) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0) {
		xasprintf(cause, "cannot become user %s: %s", user,
		    strerror(errno));
		return -1;
	}
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1 ||
	    getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid) {
		xasprintf(cause,
		    "privileges of root still held after becoming user %s",
		    user);
		return -1;
	}
	return 0;
}

int
priv_drop(const struct conf *conf, char **cause)
{
	uid_t uid;
	gid_t gid;
	char *user;
	int rc;

	if (conf->user == NULL) {
		/* Check and notifier programs switch to their user
		 * themselves (proc.c); everything in-process stays root. */
		if (geteuid() == 0)
			log_warn(
			    "running as root without daemon.user: check and notifier programs run as nobody (or their user), but the daemon itself (probes, feeds, files) and its C plugins run as root; set daemon.user");
		return 0;
	}
	if (priv_lookup(conf, &uid, &gid, cause) != 0)
		return -1;
	if (geteuid() != 0) {
		if (geteuid() == uid)
			return 0;
		xasprintf(cause,
		    "%s:%d: daemon.user is \"%s\" but itfollowd runs as uid %u: start it as root or as %s",
		    conf->file, conf->user_line, conf->user,
		    (unsigned)geteuid(), conf->user);
		return -1;
	}
	if (priv_data_dir(conf->data_dir, uid, gid, cause) != 0)
		return -1;
	user = xstrdup(conf->user);
	rc = priv_switch(user, uid, gid, cause);
	free(user);
	if (rc != 0)
		return -1;
	if (access(conf->data_dir, W_OK | X_OK) != 0) {
		xasprintf(cause, "data_dir %s: not writable by user %s: %s",
		    conf->data_dir, conf->user, strerror(errno));
		return -1;
	}
	log_notice("running as user %s (uid %u, gid %u)", conf->user,
	    (unsigned)uid, (unsigned)gid);
	return 0;
}
