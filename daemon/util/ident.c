/*
 * Identifier checks. They are deliberately strict: an id is part of a path
 * (<data_dir>/rrd/<perspective>/<system>/<series>.rrd), so nothing but a
 * short run of lower-case letters, digits, '_' and '-' passes, and never a
 * leading '-' or '.'.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ident.h"

const char *const ident_categories[] = { "basic", "differentiating",
	"innovative", NULL };
const char *const ident_portfolios[] = { "service", "information", "training",
	"cooperation", "innovation", NULL };
const char *const ident_perspectives[] = { "external-benefit",
	"internal-benefit", "maturity", "cost", "quality", NULL };

static int
ident_lower_digit(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int
ident_valid(const char *s)
{
	size_t i;

	if (s == NULL || !ident_lower_digit(s[0]))
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= IDENT_MAX)
			return 0;
		if (!ident_lower_digit(s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	}
	return 1;
}

int
ident_valid_ds(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= IDENT_DS_MAX)
			return 0;
		if (!ident_lower_digit(s[i]) && s[i] != '_')
			return 0;
	}
	return 1;
}

static int
ident_in(const char *s, const char *const *list)
{
	for (; s != NULL && *list != NULL; list++) {
		if (strcmp(s, *list) == 0)
			return 1;
	}
	return 0;
}

int
ident_valid_perspective(const char *s)
{
	return ident_in(s, ident_perspectives);
}

int
ident_valid_category(const char *s)
{
	return ident_in(s, ident_categories);
}

int
ident_valid_portfolio(const char *s)
{
	return ident_in(s, ident_portfolios);
}

void
ident_from_name(const char *prefix, const char *name, char *out)
{
	uint32_t h = 2166136261u;
	size_t n = 0, plen = strlen(prefix), i;
	int lossy = 0;
	char c;

	for (i = 0; name[i] != '\0'; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	memcpy(out, prefix, plen);
	n = plen;
	for (i = 0; name[i] != '\0'; i++) {
		c = name[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (!ident_lower_digit(c) && c != '_' && c != '-') {
			c = '_';
			lossy = 1;
		}
		if (n < IDENT_MAX - 7)
			out[n++] = c;
		else
			lossy = 1;
	}
	if (n == plen) {
		out[n++] = '_';
		lossy = 1;
	}
	if (lossy)
		n += (size_t)snprintf(out + n, IDENT_MAX + 1 - n, "-%06x",
		    (unsigned)(((h >> 24) ^ h) & 0xffffff));
	out[n] = '\0';
	/* The first character must be [a-z0-9]. */
	if (!ident_lower_digit(out[0]))
		out[0] = 'x';
}

const char *
ident_show(const char *s, char *out)
{
	size_t i, n = 0;
	unsigned char c;

	if (s == NULL)
		return "(none)";
	for (i = 0; s[i] != '\0'; i++) {
		if (i == 64) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, 5, "\\x%02x", c);
	}
	out[n] = '\0';
	return out;
}
