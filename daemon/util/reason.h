/*
 * Names of reasons and run states: see reason.c.
 */
#ifndef REASON_H
#define REASON_H

#include <itfollow/collector.h>

/* "ok", "timeout", ...; "invalid" for a value outside the enum. */
const char *reason_name(enum itf_reason);
/* "up", "down", "unknown"; "invalid" outside the enum. */
const char *reason_status_name(enum itf_status);

#endif
