/*
 * Logging to stderr (foreground, tests, tools) or syslog (daemon).
 * Messages below the configured level are dropped before formatting;
 * control characters in a message are escaped, so one message is one
 * line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "xmalloc.h"

static int log_foreground = 1;
static int log_level = LOG_INFO;

static const char *const log_names[] = {
	[LOG_EMERG] = "emerg",
	[LOG_ALERT] = "alert",
	[LOG_CRIT] = "crit",
	[LOG_ERR] = "error",
	[LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void
log_open(int foreground, int level)
{
	log_foreground = foreground;
	log_level = level;
	if (!foreground)
		openlog("itfollowd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(int level)
{
	log_level = level;
}

int
log_get_level(void)
{
	return log_level;
}

int
log_level_parse(const char *name)
{
	int i;

	for (i = LOG_ERR; i <= LOG_DEBUG; i++) {
		if (strcmp(name, log_names[i]) == 0)
			return i;
	}
	if (strcmp(name, "err") == 0)
		return LOG_ERR;
	if (strcmp(name, "warn") == 0)
		return LOG_WARNING;
	return -1;
}

char *
log_escape(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;
	char *out, *o;

	o = out = xmalloc(strlen(s) * 4 + 1);
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c >= 0x20 && c != 0x7f) {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		if (c == '\n')
			*o++ = 'n';
		else if (c == '\t')
			*o++ = 't';
		else if (c == '\r')
			*o++ = 'r';
		else {
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

void
log_vmsg(int level, const char *fmt, va_list ap)
{
	char ts[32], *msg, *safe;
	struct timespec now;

	if (level > log_level)
		return;
	/* One line per message, whatever a name in it holds. */
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	safe = log_escape(msg);
	free(msg);
	if (!log_foreground) {
		syslog(level, "%s", safe);
		free(safe);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	log_iso(now.tv_sec, ts, sizeof ts);
	fprintf(stderr, "%s itfollowd[%s]: %s\n", ts, log_names[level], safe);
	free(safe);
}

void
log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void
log_limited(struct log_limit *l, int level, const char *fmt, ...)
{
	char buf[1024];
	struct timespec now;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (l->last != 0 && now.tv_sec - l->last < LOG_LIMIT_S) {
		l->left_out++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (l->left_out > 0)
		log_msg(level, "%s (and %llu more like it in the last %lld s)",
		    buf, l->left_out, (long long)(now.tv_sec - l->last));
	else
		log_msg(level, "%s", buf);
	/* A clock at 0 must not read as "never". */
	l->last = now.tv_sec != 0 ? now.tv_sec : 1;
	l->left_out = 0;
}

void
log_iso(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
