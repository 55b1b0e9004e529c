/* The declarative command line: each cmd_*.c describes its options in a
 * table (cli_cmd); cli_opts.c parses and validates argv against it,
 * cli_help.c prints --help from it, cli_run.c opens what the command needs.
 * The table is the one place an option is named, typed and documented. */
#ifndef PM_CLI_OPTS_H
#define PM_CLI_OPTS_H

#include "cli.h"

#include <stddef.h>

typedef enum {
    CLI_FLAG,   /* no value; sets an int to 1 */
    CLI_STRING, /* const char *, borrowed from argv */
    CLI_INT,    /* int, a whole number */
    CLI_DOUBLE, /* double, finite */
    CLI_CHOICE, /* const char *: the value of the word given, from choices */
} cli_type;

/* A word accepted by a CLI_CHOICE option and what it stores. Several words
 * may store the same value (GDAL's driver name and the extension). */
typedef struct {
    const char *word; /* matched case-insensitively */
    const char *value;
} cli_choice;

/* CLI_REQUIRED: a CLI_STRING option that must be given (checked as non-NULL).
 * CLI_LAYER_NAME: a CLI_STRING naming a layer, refused at once (exit 2) when
 * no layer could have that name (pm_store_check_layer_name). */
enum { CLI_REQUIRED = 1, CLI_LAYER_NAME = 2 };

typedef struct {
    const char *name; /* long form, without the dashes */
    char letter;      /* short form, 0: none */
    cli_type type;
    size_t offset;   /* of the field it fills; use CLI_AT for the type check */
    const char *arg; /* the value's name in --help; NULL for a flag */
    const char *help;
    int flags;                 /* CLI_REQUIRED */
    double min, max;           /* CLI_INT/CLI_DOUBLE: the accepted range, when min < max */
    const char *unit;          /* said after the range in its usage error */
    const cli_choice *choices; /* CLI_CHOICE: ends with {NULL, NULL} */
} cli_opt;

/* offsetof(T, field), refused at compile time unless the field has type C:
 * the parser writes through the offset, so a table entry naming a double
 * field CLI_INT would otherwise corrupt it silently. */
#define CLI_AT(T, field, C) _Generic(((T *)0)->field, C : offsetof(T, field))

/* The common cases, so that a table reads as a list of options. */
// clang-format off
#define CLI_STR(T, field, name, arg, help)                                                         \
    {name, 0, CLI_STRING, CLI_AT(T, field, const char *), arg, help, 0, 0, 0, NULL, NULL}
#define CLI_NUM(T, field, name, arg, help)                                                         \
    {name, 0, CLI_DOUBLE, CLI_AT(T, field, double), arg, help, 0, 0, 0, NULL, NULL}
#define CLI_SET(T, field, name, help)                                                              \
    {name, 0, CLI_FLAG, CLI_AT(T, field, int), NULL, help, 0, 0, 0, NULL, NULL}
#define CLI_LAYER_STR(T, field, name, arg, help)                                                        \
    {name, 0, CLI_STRING, CLI_AT(T, field, const char *), arg, help, CLI_LAYER_NAME, 0, 0, NULL, NULL}
#define CLI_LAYER(T, help) CLI_LAYER_STR(T, layer, "layer", "NAME", help)
#define CLI_END {NULL, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL}
// clang-format on

/* What a command needs besides its own options; cli_start adds the options
 * these imply (--db, --json, --csv, --no-tables, -q) and opens the rest. */
enum {
    CLI_DB_READ = 1 << 0,   /* --db DB, opened read-only */
    CLI_DB_WRITE = 1 << 1,  /* --db DB, opened read-write: result tables are
                               written where the file allows (else a warning) */
    CLI_TABLES = 1 << 2,    /* --no-tables: write no result tables */
    CLI_JSON = 1 << 3,      /* --json */
    CLI_CSV = 1 << 4,       /* --csv, excluding --json */
    CLI_PROGRESS = 1 << 5,  /* a progress line on a terminal; -q, --quiet */
    CLI_SOURCE = 1 << 6,    /* exactly one positional SRC */
    CLI_STYLE = 1 << 7,     /* --style FILE, loaded (default: the shipped one)
                               before the database is opened */
    CLI_INTERRUPTS = 1 << 8 /* SIGINT/SIGTERM cancel through the normal cleanup */
};

typedef struct {
    const char *name;
    const char *about;   /* the prose of --help, after the synopsis */
    int needs;           /* CLI_DB_READ | ... */
    const cli_opt *opts; /* the command's own options, ending with CLI_END */
} cli_cmd;

/* A command's run: what the common options said, and what cli_start opened
 * for it. cli_end releases everything. */
typedef struct {
    const cli_cmd *cmd;
    const char *db;
    const char *src;
    const char *style_path;
    int json, csv, quiet, no_tables;
    int write; /* result tables may be written (CLI_DB_WRITE, no --no-tables) */
    pm_ctx *ctx;
    pm_store *st;
    pm_style *style;
    cli_progress prog;
} cli_run;

/* cli_start's "go on": any other value is the exit status to end with. */
#define CLI_GO (-1)

/* Parse argv into opts (the command's options struct) and r, as cmd's
 * table says; print --help; validate; then open the context, the style, the
 * store and the progress line the command needs. Returns CLI_GO, or an exit
 * status (0 after --help, 2 after a usage error, the error's status after a
 * failure, which it has printed). Call cli_end(r, ...) in every case. */
int cli_start(cli_run *r, const cli_cmd *cmd, void *opts, int argc, char **argv);
/* The library call's result: ends the progress line and prints the error
 * (returning its exit status) or the warnings (returning 0). */
int cli_result(cli_run *r, int rc);
/* Release what cli_start opened; returns status, or dies of a signal caught
 * with CLI_INTERRUPTS as the shell expects. */
int cli_end(cli_run *r, int status);

/* cli_start's two steps, for a command that checks more between them:
 * parse argv (printing --help or a usage error), then open what cmd needs.
 * Each returns CLI_GO or an exit status. */
int cli_parse(cli_run *r, const cli_cmd *cmd, void *opts, int argc, char **argv);
int cli_open(cli_run *r);
/* Print cmd's --help, generated from its table, to stdout. */
void cli_help(const cli_cmd *cmd);

/* Every option of a command in --help order: the ones cmd->needs implies
 * (--db first, the output switches last) around the command's own. */
typedef struct {
    const cli_opt *opt;
    int common; /* its offset is into cli_run, else into the command's struct */
} cli_slot;
#define CLI_MAX_OPTS 32
size_t cli_slots(cli_slot out[CLI_MAX_OPTS], const cli_cmd *cmd);

/* For -f FORMAT: the file to write. With no format (ext NULL), or when
 * *path ends in ext already, *path itself; when its extension is none of
 * formats' values, *path + ext, allocated in *alloc (caller frees); when it
 * is another format's, a usage error. CLI_GO, or the exit status after
 * printing the error. */
int cli_output_path(const char **path, char **alloc, const char *cmd, const char *ext,
                    const cli_choice *formats);

#endif
