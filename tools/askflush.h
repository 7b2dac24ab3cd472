/*
 * Before the tool reads an RRD file: ask the running daemon to write what
 * it holds back for it (see askflush.c).
 */
#ifndef ASKFLUSH_H
#define ASKFLUSH_H

struct conf;

void askflush_file(const struct conf *, const char *path);

#endif
