/*
 * Replays fuzz corpora as an ordinary test: every file of every directory
 * (or file) named on the command line goes through the target's
 * LLVMFuzzerTestOneInput once. Linked instead of libFuzzer in the normal
 * build, so the corpora (the real samples and every input a fuzzer ever
 * crashed on) run under ASan+UBSan with the rest of the tests.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
replay_file(const char *path)
{
	FILE *f;
	uint8_t *buf;
	long len;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(len > 0 ? (size_t)len : 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		fprintf(stderr, "%s: short read\n", path);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	struct dirent *de;
	struct stat sb;
	char path[4096];
	int i, n = 0, errors = 0;
	DIR *d;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) != 0) {
			perror(argv[i]);
			errors++;
			continue;
		}
		if (!S_ISDIR(sb.st_mode)) {
			errors += replay_file(argv[i]) != 0;
			n++;
			continue;
		}
		if ((d = opendir(argv[i])) == NULL) {
			perror(argv[i]);
			errors++;
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", argv[i],
			    de->d_name);
			if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
				continue;
			errors += replay_file(path) != 0;
			n++;
		}
		closedir(d);
	}
	/* Also the empty input, which every parser must take. */
	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	printf("%d inputs replayed, %d errors\n", n + 1, errors);
	return errors != 0 || n == 0;
}
