/* Helpers shared by the subcommands: errors, numbers, progress, output. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void cli_warnings(pm_ctx *ctx)
{
    for (size_t i = 0; i < pm_ctx_nwarnings(ctx); i++)
        fprintf(stderr, "parkmap: warning: %s\n", pm_ctx_warning(ctx, i));
}

int cli_fail(pm_ctx *ctx)
{
    cli_warnings(ctx);
    const char *where = pm_ctx_where(ctx), *why = pm_ctx_why(ctx);
    fprintf(stderr, "parkmap: %s", pm_ctx_what(ctx));
    if (*where)
        fprintf(stderr, ": %s", where);
    if (*why)
        fprintf(stderr, " (%s)", why);
    fputc('\n', stderr);
    return pm_exit_status(pm_ctx_code(ctx));
}

int cli_usage(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "parkmap: %s: %s%s%s (see 'parkmap %s --help')\n", cmd, msg, arg ? ": " : "",
            arg ? arg : "", cmd);
    return 2;
}

int cli_parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_init(cli_progress *p, int quiet, const char *label)
{
    /* Only a person watching a terminal wants a bar; logs and pipes don't. */
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->label = label;
    p->last = -1;
    p->start = now_s();
    p->drawn_at = 0;
    p->shown = 0;
    /* PARKMAP_PROGRESS_AFTER (seconds) lets tests see the bar on a quick run. */
    const char *after = getenv("PARKMAP_PROGRESS_AFTER");
    p->after = after ? atof(after) : 1.0;
}

/* The library reports (fraction, message); messages carry counts as
 * "<what>: <done>/<total> <unit>" when it knows them, from which the bar
 * shows the rate. Nothing is drawn during the first second: quick steps
 * stay silent. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    interrupted = sig;
}

void cli_catch_interrupts(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    /* A closed terminal (SIGHUP) and Ctrl-\ (SIGQUIT) end a command as
     * Ctrl-C does: through the normal cleanup, never with a working file
     * left behind. A signal ignored when we started (a background job,
     * nohup) stays ignored. */
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
    }
    /* A write to a closed pipe (`| head`, a dropped ssh) then fails with
     * EPIPE, an error handled like any other, instead of killing the
     * process in the middle of its work. */
    signal(SIGPIPE, SIG_IGN);
}

int cli_end_interrupted(int status)
{
    int sig = interrupted;
    if (!sig)
        return status;
    /* The library has cleaned up; now die of the signal as the shell
     * expects (exit status 128 + n). */
    signal(sig, SIG_DFL);
    raise(sig);
    return 128 + sig;
}

int cli_progress_fn(double frac, const char *msg, void *user)
{
    cli_progress *p = user;
    if (interrupted)
        return 0; /* the library stops and removes its temporary files */
    if (!p || !p->enabled)
        return 1;
    double t = now_s(), elapsed = t - p->start;
    if (elapsed < p->after || (t - p->drawn_at < 0.1 && frac < 1.0 && frac - p->last < 0.05))
        return 1;
    p->last = frac;
    p->drawn_at = t;
    const char *text = msg ? msg : p->label;
    long done = 0, total = 0;
    const char *counts = strstr(text, ": ");
    char rate[48] = "";
    if (counts && sscanf(counts + 2, "%ld/%ld", &done, &total) == 2 && elapsed > 0)
        snprintf(rate, sizeof rate, "  %.1fk/s", (double)done / elapsed / 1000.0);
    int w = 24, fill = frac < 0 ? 0 : frac > 1 ? w : (int)(frac * w);
    fprintf(stderr, "\r\033[K[%.*s%*s] %3.0f%%  %s%s  %.1fs", fill, "########################",
            w - fill, "", frac * 100, text, rate, elapsed);
    p->shown = 1;
    return 1;
}

void cli_progress_end(cli_progress *p)
{
    if (p->enabled && p->shown)
        fputs("\r\033[K", stderr); /* leave the terminal as it was */
    p->shown = 0;
}

void cli_print_json(json_object *obj)
{
    puts(json_object_to_json_string_ext(obj,
                                        JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(obj);
}

/* A C0 control, DEL, or (as the two bytes of its UTF-8 form) a C1 control
 * such as U+009B, which some terminals take as the start of an escape. */
static size_t control_len(const unsigned char *p)
{
    if (*p < 0x20 || *p == 0x7f)
        return 1;
    if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
        return 2;
    return 0;
}

const char *cli_text(const char *s, char *buf, size_t size)
{
    const unsigned char *p = (const unsigned char *)s;
    for (; *p && !control_len(p); p++)
        ;
    if (!*p)
        return s;
    size_t n = 0;
    for (p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        size_t c = control_len(p);
        if (!c) {
            esc[0] = (char)*p;
            esc[1] = '\0';
        } else if (*p == '\n' || *p == '\t' || *p == '\r') {
            snprintf(esc, sizeof esc, "\\%c", *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r');
        } else {
            snprintf(esc, sizeof esc, "\\x%02x", c == 2 ? p[1] : *p);
            p += c - 1;
        }
        size_t len = strlen(esc);
        if (n + len + 1 > size)
            break;
        memcpy(buf + n, esc, len);
        n += len;
    }
    buf[n] = '\0';
    return buf;
}

void cli_csv_field(FILE *f, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

json_object *cli_json_num(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}
