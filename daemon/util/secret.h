/*
 * Secrets (passwords, tokens) are read from files named in the
 * configuration, never written in it, and never logged.
 */
#ifndef SECRET_H
#define SECRET_H

/*
 * Read the secret in path: the first line, without its newline. Returns it
 * (caller frees with secret_free), or NULL with a message in *cause that
 * names the file but never its content. A file others may read or write
 * is refused.
 */
char *secret_read(const char *path, char **cause);
/* Whether secret_read would take path (its mode), without reading it: 0,
 * or -1 with *cause. */
int secret_check(const char *path, char **cause);
/* Wipe and free a secret. */
void secret_free(char *);

#endif
