/*
 * Fuzz target: cutting other systems' collectors out of a configuration
 * (confcut.c). Whatever the text, a refused cut leaves it as it was and a
 * cut keeps its lines; when the whole text reads without error, the cut
 * one does too, with the same systems (ids, names, owners, tags) and the
 * kept system's collectors unchanged (their fingerprints hold every
 * setting). Inputs that name a plugin or include a file are left alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "confcut.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t
fuzz_confcut_lines(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

static void
fuzz_confcut_same_system(const struct conf_system *a,
    const struct conf_system *b, int kept)
{
	size_t k;

	if (strcmp(a->id, b->id) != 0 || strcmp(a->name, b->name) != 0 ||
	    strcmp(a->owner, b->owner) != 0 ||
	    strcmp(a->category, b->category) != 0 ||
	    strcmp(a->portfolio, b->portfolio) != 0)
		abort();
	if (!kept)
		return;
	if (a->ninsts != b->ninsts)
		abort();
	for (k = 0; k < a->ninsts; k++) {
		if (strcmp(a->insts[k]->fingerprint, b->insts[k]->fingerprint))
			abort();
	}
}

/* The whole text read, then the cut one: the same where it must be. */
static void
fuzz_confcut_compare(const char *text, char *cut, size_t len)
{
	struct conf_errors errs = { NULL, 0 };
	struct conf *whole, *part;
	const char *keep;
	size_t i;

	whole = conf_read("fuzz.conf", text, 0, &errs);
	conf_errors_clear(&errs);
	if (whole == NULL || whole->nsystems == 0) {
		conf_free(whole);
		return;
	}
	keep = whole->systems[whole->nsystems / 2]->id;
	if (confcut_others(cut, &len, keep) < 0)
		abort(); /* the whole text read: the scan follows it */
	if ((part = conf_read("fuzz.conf", cut, 0, &errs)) == NULL ||
	    part->nsystems != whole->nsystems || part->nfeeds != whole->nfeeds)
		abort();
	for (i = 0; i < whole->nsystems; i++)
		fuzz_confcut_same_system(whole->systems[i], part->systems[i],
		    strcmp(whole->systems[i]->id, keep) == 0);
	conf_free(part);
	conf_free(whole);
	conf_errors_clear(&errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int logged;
	char *text, *cut;
	size_t len = size;
	int rc;

	if (!logged) {
		log_open(1, LOG_CRIT);
		logged = 1;
	}
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	cut = malloc(size + 1);
	memcpy(cut, text, size + 1);
	rc = confcut_others(cut, &len, "keep");
	if ((rc < 0 && memcmp(cut, text, size + 1) != 0) ||
	    (rc == 0 && len != size) || len > size ||
	    fuzz_confcut_lines(cut, len) != fuzz_confcut_lines(text, size))
		abort();
	if (strlen(text) == size && strstr(text, "plugin") == NULL &&
	    strstr(text, "@include") == NULL) {
		memcpy(cut, text, size + 1);
		fuzz_confcut_compare(text, cut, size);
	}
	free(cut);
	free(text);
	return 0;
}
