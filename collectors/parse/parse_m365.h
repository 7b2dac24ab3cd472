/*
 * Microsoft 365 licence counts: Microsoft Graph subscribedSku objects
 * (https://learn.microsoft.com/graph/api/resources/subscribedsku), one per
 * product (SKU) the tenant subscribes to. Pure: a buffer (any bytes) in, a
 * struct out; a bad SKU is reported in the error list and the others kept.
 *
 * The list of SKUs is found in any of:
 *
 *   {"@odata.context": ..., "value": [SKU, ...]}   the REST API answer
 *   {"license_information": [SKU, ...], ...}       ScubaGear's export of
 *                                                  Get-MgSubscribedSku
 *   [SKU, ...]                                     a bare array
 *
 * and in a SKU, keys are matched without regard to case (the REST API
 * writes camelCase, PowerShell PascalCase):
 *
 *   skuPartNumber  "M365_G5_GCC"   required: a SKU without it is dropped
 *   skuId          "e2be619b-..."  "" (and an error) when missing
 *   consumedUnits  28
 *   prepaidUnits   {"enabled": 30, "warning": 0, "suspended": 0,
 *                   "lockedOut": 0}
 *
 * Counts must be whole numbers from 0 to 2^53; another value (a string,
 * null, negative, fractional, larger) or a missing one is an error and
 * becomes NAN. A part number seen again is an error and the later SKU
 * dropped. A key given twice in one object under different cases is an
 * error and the first one is used; a key repeated exactly is reported too
 * (only the first such, a limit of the JSON library) and its last value
 * used. The document may start with a UTF-8 byte order mark. A document
 * that is not JSON (e.g. truncated), or has no SKU list, sets ok to 0 and
 * error.
 *
 * A page of a longer list names the next page as the REST API does,
 *
 *   {"value": [SKU, ...], "@odata.nextLink": "https://graph.../...?$skiptoken=..."}
 *
 * which is kept as given in next_link (any case of the key, as the
 * others); another type than a string is an error.
 */
#ifndef PARSE_M365_H
#define PARSE_M365_H

#include <stddef.h>

#define PARSE_M365_MAX_SKUS 4096 /* the rest: one error */
#define PARSE_M365_MAX_ERRORS 64 /* the last says more were dropped */

struct parse_m365_sku {
	char *sku_id; /* "" when missing */
	char *part_number; /* skuPartNumber, never empty */
	double enabled, warning, suspended, locked_out; /* prepaidUnits */
	double consumed; /* consumedUnits */
};

struct parse_m365 {
	struct parse_m365_sku *skus; /* in document order */
	size_t nskus;
	char **errors; /* "value[3]: prepaidUnits.enabled is negative" */
	size_t nerrors;
	int ok; /* 0 when not JSON or no SKU list at all */
	char *error; /* why ok is 0; NULL when ok */
	char *next_link; /* @odata.nextLink; NULL on the last page */
};

/*
 * Parse buf[0..len) into *out, which is always filled; release it with
 * parse_m365_free (which also accepts a zeroed struct).
 */
void parse_m365(const char *buf, size_t len, struct parse_m365 *out);
void parse_m365_free(struct parse_m365 *);

#endif
