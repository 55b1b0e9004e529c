/* Parsing argv against a command's option table (cli_opts.h). */
#include "cli_opts.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The options every command shares, each present when the command needs
 * what it stands for. */
static const struct {
    int need;
    int before; /* listed before the command's own options */
    cli_opt opt;
} common[] = {
    {CLI_DB_READ | CLI_DB_WRITE,
     1,
     {"db", 0, CLI_STRING, CLI_AT(cli_run, db, const char *), "DB",
      "the database (a SpatiaLite file)", CLI_REQUIRED, 0, 0, NULL, NULL}},
    {CLI_STYLE, 0,
     CLI_STR(cli_run, style_path, "style", "FILE",
             "the map style (default: the shipped styles/default.json)")},
    {CLI_TABLES, 0,
     CLI_SET(cli_run, no_tables, "no-tables", "leave the database as it is: no result tables")},
    {CLI_PROGRESS,
     0,
     {"quiet", 'q', CLI_FLAG, CLI_AT(cli_run, quiet, int), NULL,
      "no progress line (there is none either when stderr is not a terminal)", 0, 0, 0, NULL,
      NULL}},
    {CLI_JSON, 0, CLI_SET(cli_run, json, "json", "one JSON document on stdout")},
    {CLI_CSV, 0, CLI_SET(cli_run, csv, "csv", "CSV on stdout")},
};

size_t cli_slots(cli_slot out[CLI_MAX_OPTS], const cli_cmd *cmd)
{
    size_t n = 0;
    for (int pass = 0; pass < 3; pass++) {
        if (pass == 1) {
            for (const cli_opt *o = cmd->opts; o && o->name && n < CLI_MAX_OPTS; o++)
                out[n++] = (cli_slot){o, 0};
            continue;
        }
        for (size_t i = 0; i < sizeof common / sizeof *common && n < CLI_MAX_OPTS; i++)
            if ((cmd->needs & common[i].need) && common[i].before == (pass == 0))
                out[n++] = (cli_slot){&common[i].opt, 1};
    }
    return n;
}

/* "--dpi", or "-o" for an option people know by its short form. */
static const char *display_name(const cli_opt *o, char *buf, size_t size)
{
    if (o->letter && o->flags & CLI_REQUIRED)
        snprintf(buf, size, "-%c", o->letter);
    else
        snprintf(buf, size, "--%s", o->name);
    return buf;
}

static int bad_number(const char *cmd, const cli_opt *o, const char *s)
{
    char msg[160];
    if (o->min < o->max)
        snprintf(msg, sizeof msg, "--%s must be %g..%g%s%s", o->name, o->min, o->max,
                 o->unit ? " " : "", o->unit ? o->unit : "");
    else
        snprintf(msg, sizeof msg, "--%s needs %s", o->name,
                 o->type == CLI_INT ? "a whole number" : "a number");
    return cli_usage(cmd, msg, s);
}

static int bad_choice(const char *cmd, const cli_opt *o, const char *s)
{
    char msg[512];
    size_t len = (size_t)snprintf(msg, sizeof msg, "--%s must be one of", o->name);
    for (const cli_choice *c = o->choices; c->word && len < sizeof msg; c++)
        len += (size_t)snprintf(msg + len, sizeof msg - len, "%s %s", c == o->choices ? "" : ",",
                                c->word);
    return cli_usage(cmd, msg, s);
}

/* Store s (NULL for a flag) in the option's field; 0, or 2 after printing
 * the usage error. */
static int set_value(const char *cmd, const cli_opt *o, char *field, const char *s)
{
    double v;
    switch (o->type) {
    case CLI_FLAG:
        *(int *)field = 1;
        return 0;
    case CLI_STRING:
        if (o->flags & CLI_LAYER_NAME) {
            const char *why = pm_store_check_layer_name(s, PM_LAYER_NAME_READ);
            if (why) {
                fprintf(stderr, "parkmap: bad layer name: %s (%s)\n", s, why);
                return 2;
            }
        }
        *(const char **)field = s;
        return 0;
    case CLI_INT:
    case CLI_DOUBLE:
        /* The whole word must be the number: "10x" and "abc" are mistakes,
         * not 10 and 0. */
        if (cli_parse_number(s, &v) || (o->min < o->max && (v < o->min || v > o->max)) ||
            (o->type == CLI_INT && (v != floor(v) || fabs(v) > 1e9)))
            return bad_number(cmd, o, s);
        if (o->type == CLI_INT)
            *(int *)field = (int)v;
        else
            *(double *)field = v;
        return 0;
    case CLI_CHOICE:
        for (const cli_choice *c = o->choices; c->word; c++)
            if (strcasecmp(s, c->word) == 0) {
                *(const char **)field = c->value;
                return 0;
            }
        return bad_choice(cmd, o, s);
    }
    return 2; /* not reached: every type is handled above */
}

/* After parsing: the positional arguments, required options and the
 * switches that exclude each other. */
static int validate(cli_run *r, const cli_slot *slots, size_t n, void *opts, int argc, char **argv)
{
    const cli_cmd *cmd = r->cmd;
    if (cmd->needs & CLI_SOURCE) {
        if (optind != argc - 1)
            return cli_usage(cmd->name, "exactly one source file is needed", NULL);
        r->src = argv[optind];
    } else if (optind != argc) {
        return cli_usage(cmd->name, "takes no other arguments", argv[optind]);
    }
    char missing[128] = "", name[64];
    int nmissing = 0;
    for (size_t i = 0; i < n; i++) {
        const cli_opt *o = slots[i].opt;
        char *base = slots[i].common ? (char *)r : opts;
        if (!(o->flags & CLI_REQUIRED) || *(const char **)(base + o->offset))
            continue;
        size_t len = strlen(missing);
        snprintf(missing + len, sizeof missing - len, "%s%s", nmissing ? " and " : "",
                 display_name(o, name, sizeof name));
        nmissing++;
    }
    if (nmissing) {
        size_t len = strlen(missing);
        snprintf(missing + len, sizeof missing - len, " %s required", nmissing > 1 ? "are" : "is");
        return cli_usage(cmd->name, missing, NULL);
    }
    if (r->json && r->csv)
        return cli_usage(cmd->name, "--json and --csv exclude each other", NULL);
    return CLI_GO;
}

int cli_parse(cli_run *r, const cli_cmd *cmd, void *opts, int argc, char **argv)
{
    cli_slot slots[CLI_MAX_OPTS];
    size_t n = cli_slots(slots, cmd);
    if (n == CLI_MAX_OPTS) {
        /* A table that fills every slot may have lost options: refuse to
         * run it rather than ignore some silently. */
        fprintf(stderr, "parkmap: %s: more than %d options (raise CLI_MAX_OPTS)\n", cmd->name,
                CLI_MAX_OPTS - 1);
        return 2;
    }
    struct option longs[CLI_MAX_OPTS + 2];
    char shorts[2 * CLI_MAX_OPTS + 2] = "h";
    size_t ns = 1;
    for (size_t i = 0; i < n; i++) {
        const cli_opt *o = slots[i].opt;
        longs[i] = (struct option){o->name, o->type == CLI_FLAG ? no_argument : required_argument,
                                   NULL, 256 + (int)i};
        if (o->letter) {
            shorts[ns++] = o->letter;
            if (o->type != CLI_FLAG)
                shorts[ns++] = ':';
        }
    }
    shorts[ns] = '\0';
    longs[n] = (struct option){"help", no_argument, NULL, 'h'};
    longs[n + 1] = (struct option){NULL, 0, NULL, 0};
    memset(r, 0, sizeof *r);
    r->cmd = cmd;
    optind = 1;
    opterr = 0; /* the message below names the option; getopt's would be a second line */
    int c;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        if (c == 'h') {
            cli_help(cmd);
            return 0;
        }
        size_t i = n;
        if (c >= 256)
            i = (size_t)c - 256;
        else
            for (i = 0; i < n && slots[i].opt->letter != c; i++)
                ;
        if (c == '?' || i >= n)
            return cli_usage(cmd->name, "unknown or incomplete option", argv[optind - 1]);
        const cli_opt *o = slots[i].opt;
        char *base = slots[i].common ? (char *)r : opts;
        if (set_value(cmd->name, o, base + o->offset, optarg))
            return 2;
    }
    return validate(r, slots, n, opts, argc, argv);
}

int cli_output_path(const char **path, char **alloc, const char *cmd, const char *ext,
                    const cli_choice *formats)
{
    *alloc = NULL;
    if (!ext || !*path)
        return CLI_GO;
    const char *slash = strrchr(*path, '/');
    const char *dot = strrchr(slash ? slash + 1 : *path, '.');
    if (dot && strcasecmp(dot, ext) == 0)
        return CLI_GO;
    for (const cli_choice *f = formats; dot && f->word; f++)
        if (strcasecmp(dot, f->value) == 0)
            return cli_usage(cmd, "-f names another format than the output's extension", *path);
    /* The library picks the format by the extension, so a name that says
     * nothing gets the format's. */
    size_t len = strlen(*path) + strlen(ext) + 1;
    if (!(*alloc = malloc(len))) {
        fprintf(stderr, "parkmap: %s: out of memory\n", cmd);
        return 4;
    }
    snprintf(*alloc, len, "%s%s", *path, ext);
    *path = *alloc;
    return CLI_GO;
}
