/*
 * The subcommands of itfollow. Each takes argc/argv with argv[0] its own
 * name and returns the exit code.
 */
#ifndef TOOL_H
#define TOOL_H

int tool_check(int argc, char **argv);
int tool_last(int argc, char **argv);
int tool_export(int argc, char **argv);
int tool_graph(int argc, char **argv);
/* itfollow report scorecard: argv[0] is "scorecard". */
int tool_scorecard(int argc, char **argv);
int tool_dashboard(int argc, char **argv);
int tool_report(int argc, char **argv);

struct conf;
/* The configuration as the daemon reads it (file NULL: its default);
 * errors printed. */
struct conf *tool_load_conf(const char *file);
/* The same for a command about system alone: only its collectors are
 * read (conf_read_system), the other systems' ids and tags are. */
struct conf *tool_load_conf_system(const char *file, const char *system);
/*
 * Before reading an RRD file: have the running daemon write what it holds
 * back for path (askflush.c), then, with store.rrdcached configured, have
 * rrdcached write out what it holds. A failure is printed, not fatal (the
 * file is read as it is).
 */
void tool_flush(const struct conf *, const char *path);
/*
 * The perspective of series of system: the configured series', else the
 * one perspective whose directory holds its file (feeds fill series the
 * configuration does not list). 0 and *persp; -1 with the reason printed
 * (no such series, or files in several perspectives: give one).
 */
int tool_perspective(const struct conf *, const char *system,
    const char *series, const char **persp);

#endif
