/*
 * The system's time zone files, parsed pure (buffer in, struct tz out, no
 * I/O), so the fuzzer can give them anything.
 *
 * A TZif file (RFC 8536, versions 1 to 4):
 *
 *   header   "TZif" version(1: 0, '2', '3', '4') 15 unused bytes
 *            isutcnt isstdcnt leapcnt timecnt typecnt charcnt (be32 each)
 *   data     timecnt transition times (be32 in version 1, be64 after),
 *            timecnt type indices (1 byte), typecnt ttinfo (be32 utoff,
 *            isdst byte, abbreviation index byte), charcnt abbreviation
 *            bytes (NUL-terminated strings), leapcnt leap records,
 *            isstdcnt and isutcnt indicator bytes
 *   version 2+: the version 1 header and data, skipped, then a second
 *            header and data with 64-bit times, then the footer
 *            "\n" POSIX-TZ-string "\n" (empty: no rule)
 *
 * Refused: a short or long file, counts that do not add up, no type,
 * an index past the types or an abbreviation past the bytes, transitions
 * out of order, an offset outside -24:59:59..+25:59:59, leap seconds (a
 * right/ zone: times there are not POSIX times), a footer that does not
 * parse.
 *
 * A POSIX TZ string (the footer's grammar, with version 3's extensions):
 *
 *   std offset [dst [offset] [, start[/time], end[/time]]]
 *
 *   std, dst   3 or more letters, or <...> of letters, digits, + and -
 *   offset     [+-]hh[:mm[:ss]], hours 0..24, west of UTC positive
 *              (dst's default: std's plus one hour)
 *   start, end Jn (1..365, Feb 29 never counted), n (0..365), or
 *              Mm.w.d (month 1..12, week 1..5 where 5 is the last,
 *              weekday 0..6 from Sunday)
 *   time       [+-]hhh[:mm[:ss]], hours -167..167, default 02:00:00,
 *              local time before the change
 *
 * A dst without a rule takes "M3.2.0,M11.1.0", as the reference code does.
 */
#ifndef PARSE_TZIF_H
#define PARSE_TZIF_H

#include <stddef.h>

#include "tz.h"

/* The TZif bytes as the zone name. 0 and *out, or -1 with *cause. */
int parse_tzif(const char *name, const unsigned char *buf, size_t len,
    struct tz **out, char **cause);
/* A POSIX TZ string, whole. 0, or -1. */
int parse_tzif_rule(const char *s, struct tz_rule *out);

#endif
