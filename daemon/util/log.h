/*
 * Logging: to stderr in the foreground, else to syslog. Levels are syslog's.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>
#include <time.h>

void log_open(int foreground, int level);
void log_set_level(int level);
int log_get_level(void);
/* "error", "warning", "notice", "info" or "debug": the level, or -1. */
int log_level_parse(const char *name);
/* t as ISO 8601 UTC, "2026-11-27T06:00:00Z" (len >= 21). */
void log_iso(time_t t, char *buf, size_t len);
/* s with control characters escaped (\n, \t, \r, \xNN): allocated. */
char *log_escape(const char *s);
void log_msg(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_vmsg(int level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/*
 * A line that may repeat many times a second (a failing accept, a full
 * disk): logged at most once per LOG_LIMIT_S per limiter, the next one
 * saying how many were left out meanwhile. A limiter starts zeroed; it is
 * for one thread.
 */
#define LOG_LIMIT_S 60
struct log_limit {
	time_t last; /* when one was last logged (0: never) */
	unsigned long long left_out; /* since then */
};
void log_limited(struct log_limit *, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
