/*
 * Parser of Microsoft Graph subscribedSku lists, on jansson. The document is
 * decoded whole (the lists are small: one entry per product of a tenant),
 * with integers read as doubles so that a number too large for a long long
 * is still a number and can be reported on its own rather than failing the
 * document. Part numbers are found again through a hash index, so that
 * work stays linear in the input.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "parse_m365.h"
#include "parse_util.h"
#include "xmalloc.h"

#define PARSE_M365_QUOTE 64 /* bytes of input quoted in an error */
#define PARSE_M365_MAX_COUNT 9007199254740992.0 /* 2^53 */
#define PARSE_M365_SLOTS (2 * PARSE_M365_MAX_SKUS) /* never full */

/* Errors go to out's list, PARSE_M365_MAX_ERRORS at most. */
#define parse_m365_error(out, ...)                        \
	parse_util_error(&(out)->errors, &(out)->nerrors, \
	    PARSE_M365_MAX_ERRORS, __VA_ARGS__)

/*
 * The member of obj named name in any case, the first if several; *n is
 * set to their number and *key to the first one's name.
 */
static json_t *
parse_m365_member(json_t *obj, const char *name, size_t *n, const char **key)
{
	json_t *found = NULL, *v;
	const char *k;
	size_t klen, len = strlen(name);

	*n = 0;
	json_object_keylen_foreach(obj, k, klen, v)
	{
		if (klen != len || strncasecmp(k, name, len) != 0)
			continue;
		if ((*n)++ == 0) {
			found = v;
			*key = k;
		}
	}
	return found;
}

/*
 * A member that is reported when given twice (the first is used); NULL
 * when missing.
 */
static json_t *
parse_m365_get(struct parse_m365 *out, const char *where, json_t *obj,
    const char *name)
{
	const char *key;
	json_t *v;
	size_t n;

	v = parse_m365_member(obj, name, &n, &key);
	if (n > 1)
		parse_m365_error(out,
		    "%s: %s given %zu times in different cases, the first used",
		    where, name, n);
	return v;
}

/* A count at v: NULL and *x, or why it is not one (*x NAN). */
static const char *
parse_m365_number(const json_t *v, double *x)
{
	double d;

	*x = NAN;
	if (v == NULL)
		return "missing";
	if (!json_is_number(v))
		return parse_util_json_type(v);
	d = json_number_value(v);
	if (!isfinite(d))
		return "not finite";
	if (d < 0)
		return "negative";
	if (d != floor(d))
		return "not a whole number";
	if (d > PARSE_M365_MAX_COUNT)
		return "too large";
	*x = d;
	return NULL;
}

static void
parse_m365_count(struct parse_m365 *out, const char *where, json_t *obj,
    const char *name, const char *label, double *x)
{
	const char *why;

	if (obj == NULL) {
		*x = NAN;
		return;
	}
	why = parse_m365_number(parse_m365_get(out, where, obj, name), x);
	if (why != NULL)
		parse_m365_error(out, "%s: %s is %s", where, label, why);
}

/* A string member copied, or NULL (reported) if missing or not a string. */
static char *
parse_m365_string(struct parse_m365 *out, const char *where, json_t *obj,
    const char *name)
{
	return parse_util_json_string(&out->errors, &out->nerrors,
	    PARSE_M365_MAX_ERRORS, where, name,
	    parse_m365_get(out, where, obj, name), 0);
}

/* One SKU object, kept unless bad or a duplicate. */
static void
parse_m365_sku(struct parse_m365 *out, unsigned short *slots, size_t *cap,
    const char *where, json_t *v)
{
	struct parse_m365_sku sku;
	unsigned short *slot;
	json_t *pre;
	char q[PARSE_M365_QUOTE + 4];
	uint32_t h;

	if (!json_is_object(v)) {
		parse_m365_error(out, "%s: is %s, not an object", where,
		    parse_util_json_type(v));
		return;
	}
	memset(&sku, 0, sizeof sku);
	if ((sku.part_number =
	            parse_m365_string(out, where, v, "skuPartNumber")) == NULL)
		return;
	h = parse_util_hash(PARSE_UTIL_HASH, sku.part_number,
	    strlen(sku.part_number));
	for (h %= PARSE_M365_SLOTS;; h = (h + 1) % PARSE_M365_SLOTS) {
		slot = &slots[h];
		if (*slot == 0 ||
		    strcmp(out->skus[*slot - 1].part_number, sku.part_number) ==
		        0)
			break;
	}
	if (*slot != 0) {
		parse_m365_error(out, "%s: part number %s given again, dropped",
		    where, parse_util_quote_str(sku.part_number, q, sizeof q));
		free(sku.part_number);
		return;
	}
	if ((sku.sku_id = parse_m365_string(out, where, v, "skuId")) == NULL)
		sku.sku_id = xstrdup("");
	parse_m365_count(out, where, v, "consumedUnits", "consumedUnits",
	    &sku.consumed);
	pre = parse_m365_get(out, where, v, "prepaidUnits");
	if (pre == NULL || !json_is_object(pre)) {
		parse_m365_error(out, "%s: prepaidUnits is %s", where,
		    pre == NULL ? "missing" : parse_util_json_type(pre));
		pre = NULL;
	}
	parse_m365_count(out, where, pre, "enabled", "prepaidUnits.enabled",
	    &sku.enabled);
	parse_m365_count(out, where, pre, "warning", "prepaidUnits.warning",
	    &sku.warning);
	parse_m365_count(out, where, pre, "suspended", "prepaidUnits.suspended",
	    &sku.suspended);
	parse_m365_count(out, where, pre, "lockedOut", "prepaidUnits.lockedOut",
	    &sku.locked_out);

	if (out->nskus == *cap) {
		*cap = *cap == 0 ? 16 : *cap * 2;
		out->skus = xreallocarray(out->skus, *cap, sizeof sku);
	}
	out->skus[out->nskus++] = sku;
	*slot = (unsigned short)out->nskus;
}

/* The SKU array of the document, and the name errors give it. */
static json_t *
parse_m365_list(struct parse_m365 *out, json_t *root, char *name)
{
	static const char *const keys[] = { "value", "license_information" };
	const char *key = NULL;
	json_t *list = NULL;
	size_t i, n;

	name[0] = '\0';
	if (json_is_array(root))
		return root;
	if (!json_is_object(root)) {
		xasprintf(&out->error, "the document is %s, not an object",
		    parse_util_json_type(root));
		return NULL;
	}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if ((list = parse_m365_member(root, keys[i], &n, &key)) != NULL)
			break;
	}
	if (list == NULL) {
		out->error = xstrdup(
		    "no \"value\" nor \"license_information\" list in the document");
		return NULL;
	}
	if (n > 1)
		parse_m365_error(out,
		    "%s given %zu times in different cases, the first used",
		    keys[i], n);
	if (!json_is_array(list)) {
		xasprintf(&out->error, "\"%s\" is %s, not an array", keys[i],
		    parse_util_json_type(list));
		return NULL;
	}
	parse_util_quote_str(key, name, PARSE_M365_QUOTE + 4);
	return list;
}

/* The next page's link of a REST answer, if it names one. */
static void
parse_m365_next(struct parse_m365 *out, json_t *root)
{
	json_t *v;

	if (!json_is_object(root) ||
	    (v = parse_m365_get(out, "the document", root,
	         "@odata.nextLink")) == NULL ||
	    json_is_null(v))
		return;
	if (!json_is_string(v) ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		parse_m365_error(out, "@odata.nextLink is %s, not a URL",
		    json_is_string(v) ? "a string holding a NUL"
		                      : parse_util_json_type(v));
		return;
	}
	out->next_link = xstrdup(json_string_value(v));
}

void
parse_m365(const char *buf, size_t len, struct parse_m365 *out)
{
	unsigned short *slots;
	json_t *root, *list, *v;
	char name[PARSE_M365_QUOTE + 4], where[PARSE_M365_QUOTE + 32];
	size_t i, cap = 0;

	memset(out, 0, sizeof *out);
	if ((root = parse_util_json_load(buf, len, &out->errors, &out->nerrors,
	         PARSE_M365_MAX_ERRORS, &out->error)) == NULL)
		return;
	if ((list = parse_m365_list(out, root, name)) == NULL) {
		json_decref(root);
		return;
	}
	out->ok = 1;
	parse_m365_next(out, root);
	slots = xcalloc(PARSE_M365_SLOTS, sizeof *slots);
	json_array_foreach(list, i, v)
	{
		snprintf(where, sizeof where, "%s[%zu]", name, i);
		if (out->nskus == PARSE_M365_MAX_SKUS) {
			parse_m365_error(out,
			    "%s: more than %d SKUs, the rest are ignored",
			    where, PARSE_M365_MAX_SKUS);
			break;
		}
		parse_m365_sku(out, slots, &cap, where, v);
	}
	free(slots);
	json_decref(root);
}

void
parse_m365_free(struct parse_m365 *pm)
{
	size_t i;

	if (pm == NULL)
		return;
	for (i = 0; i < pm->nskus; i++) {
		free(pm->skus[i].sku_id);
		free(pm->skus[i].part_number);
	}
	free(pm->skus);
	parse_util_errors_free(pm->errors, pm->nerrors);
	free(pm->error);
	free(pm->next_link);
	memset(pm, 0, sizeof *pm);
}
