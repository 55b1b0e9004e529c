/* The command-line front end's shared helpers (not part of the library). */
#ifndef PM_CLI_H
#define PM_CLI_H

#include "parkmap/parkmap.h"
#include <json-c/json.h>
#include <stdio.h>

/* Every subcommand: parse argv into an options struct, call one library
 * function, print the result. Returns the process exit status. */
int cmd_import(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_area(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_adjacency(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_layout(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Print ctx's error as "parkmap: what: where (why)" and any warnings; return
 * the exit status for its code. */
int cli_fail(pm_ctx *ctx);
/* Print warnings collected in ctx. */
void cli_warnings(pm_ctx *ctx);
/* A usage error: print "parkmap <cmd>: <msg>" and a hint; return 2. */
int cli_usage(const char *cmd, const char *msg, const char *arg);
/* SIGINT/SIGTERM/SIGHUP/SIGQUIT set a flag instead of killing the
 * process (SIGPIPE is ignored: writes fail with EPIPE); the progress
 * callback then returns 0, so the library cancels and removes its temporary
 * files. cli_end_interrupted(status) re-raises a caught signal (never
 * returning then), else returns status. */
void cli_catch_interrupts(void);
int cli_end_interrupted(int status);
/* Parse a whole, finite number; prints nothing. 0 or -1. */
int cli_parse_number(const char *s, double *out);
/* The progress callback for terminals; user is a cli_progress. */
typedef struct {
    int enabled;
    const char *label;
    double last;     /* fraction last drawn */
    double start;    /* monotonic seconds at init */
    double drawn_at; /* when the line was last drawn, 0: never */
    int shown;       /* something is on the line */
    double after;    /* seconds of silence before the first draw */
} cli_progress;
int cli_progress_fn(double frac, const char *msg, void *user);
void cli_progress_init(cli_progress *p, int quiet, const char *label);
void cli_progress_end(cli_progress *p);
/* Print a JSON document to stdout. Takes ownership of obj. */
void cli_print_json(json_object *obj);
/* s for a text table on a terminal: s itself when it holds no control
 * characters, else a copy in buf (cut to size) with newline, tab and CR
 * as \n, \t, \r and other C0/C1 controls (ESC, BEL, U+009B) as \xNN, so
 * a name can neither break the table nor recolour the terminal. */
const char *cli_text(const char *s, char *buf, size_t size);
/* Write a CSV field with RFC 4180 quoting. */
void cli_csv_field(FILE *f, const char *s);
/* A finite double as JSON, or null. */
json_object *cli_json_num(double v);
/* The shipped default style's path (cli_run.c). */
const char *cli_default_style(void);

#endif
