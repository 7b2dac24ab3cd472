/*
 * The bytes of FOCUS deliveries: which files a file:// URL names (the file
 * itself, or every *.csv and *.csv.gz below a directory, in every folder,
 * dot files left out, in name order), and a decoder that hands on a
 * file's or a stream's bytes as they are, or inflated when they start
 * with the gzip magic (members one after another, as gzip writes them).
 * Used by the focus worker thread; nothing here touches the daemon.
 */
#ifndef FOCUS_INPUT_H
#define FOCUS_INPUT_H

#include <stddef.h>
#include <zlib.h>

/* One delivery file. */
struct focus_input {
	char *path; /* to open */
	char *name; /* below the feed's directory (or the file's own name) */
	long long mtime;
};

/*
 * The inputs of path: the file itself (*is_dir 0), or the files below the
 * directory (*is_dir 1, none is an error). Returns 0, or -1 with *cause.
 */
int focus_inputs(const char *path, struct focus_input **out, size_t *n,
    int *is_dir, char **cause);
void focus_inputs_free(struct focus_input *, size_t n);

typedef void (*focus_decoder_cb)(const char *buf, size_t len, void *arg);

struct focus_decoder {
	focus_decoder_cb cb;
	void *arg;
	int decided, gzip, in_member;
	unsigned char magic[2];
	size_t nmagic;
	z_stream z;
	unsigned char *out;
};

void focus_decoder_init(struct focus_decoder *, focus_decoder_cb, void *arg);
/* More bytes. 0, or -1 with *cause (gzip data that is not). */
int focus_decoder_feed(struct focus_decoder *, const char *buf, size_t len,
    char **cause);
/* The end of the bytes. 0, or -1 with *cause (gzip data cut short). */
int focus_decoder_end(struct focus_decoder *, char **cause);
void focus_decoder_free(struct focus_decoder *);

#endif
