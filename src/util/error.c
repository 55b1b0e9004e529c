/* The error context: first error wins, warnings accumulate. */
#include "parkmap/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PM_MSG 512

struct pm_ctx {
    int code;
    char what[PM_MSG];
    char where[PM_MSG];
    char why[PM_MSG];
    char lib[PM_MSG];
    char **warnings;
    size_t nwarnings;
};

int pm_ctx_new(pm_ctx **out)
{
    *out = calloc(1, sizeof(**out));
    return *out ? PM_OK : PM_ENOMEM;
}

void pm_ctx_free(pm_ctx *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->nwarnings; i++)
        free(ctx->warnings[i]);
    free(ctx->warnings);
    free(ctx);
}

/* Messages are one line: embedded newlines from lower libraries would break
 * the "parkmap: what: where (why)" contract scripts rely on. */
static void one_line(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
}

int pm_err(pm_ctx *ctx, int code, const char *what, const char *where, const char *why_fmt, ...)
{
    if (!ctx || ctx->code != PM_OK)
        return code;
    ctx->code = code;
    snprintf(ctx->what, sizeof ctx->what, "%s", what ? what : "error");
    snprintf(ctx->where, sizeof ctx->where, "%s", where ? where : "");
    ctx->why[0] = '\0';
    if (why_fmt) {
        va_list ap;
        va_start(ap, why_fmt);
        vsnprintf(ctx->why, sizeof ctx->why, why_fmt, ap);
        va_end(ap);
    }
    one_line(ctx->what);
    one_line(ctx->where);
    one_line(ctx->why);
    return code;
}

void pm_err_clear(pm_ctx *ctx)
{
    if (!ctx)
        return;
    ctx->code = PM_OK;
    ctx->what[0] = ctx->where[0] = ctx->why[0] = '\0';
}

int pm_ctx_code(const pm_ctx *ctx)
{
    return ctx ? ctx->code : PM_OK;
}
const char *pm_ctx_what(const pm_ctx *ctx)
{
    return ctx ? ctx->what : "";
}
const char *pm_ctx_where(const pm_ctx *ctx)
{
    return ctx ? ctx->where : "";
}
const char *pm_ctx_why(const pm_ctx *ctx)
{
    return ctx ? ctx->why : "";
}

void pm_ctx_set_lib_msg(pm_ctx *ctx, const char *msg)
{
    if (!ctx)
        return;
    snprintf(ctx->lib, sizeof ctx->lib, "%s", msg ? msg : "");
    one_line(ctx->lib);
}

const char *pm_ctx_lib_msg(const pm_ctx *ctx)
{
    return ctx ? ctx->lib : "";
}

void pm_warn(pm_ctx *ctx, const char *fmt, ...)
{
    if (!ctx)
        return;
    char buf[PM_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    one_line(buf);
    char **w = realloc(ctx->warnings, (ctx->nwarnings + 1) * sizeof(*w));
    if (!w)
        return;
    ctx->warnings = w;
    w[ctx->nwarnings] = strdup(buf);
    if (w[ctx->nwarnings])
        ctx->nwarnings++;
}

size_t pm_ctx_nwarnings(const pm_ctx *ctx)
{
    return ctx ? ctx->nwarnings : 0;
}

const char *pm_ctx_warning(const pm_ctx *ctx, size_t i)
{
    return (ctx && i < ctx->nwarnings) ? ctx->warnings[i] : "";
}

int pm_exit_status(int code)
{
    switch (code) {
    case PM_OK:
        return 0;
    case PM_EUSAGE:
    case PM_EEXIST:
        return 2;
    case PM_EINPUT:
        return 3;
    default:
        return 4;
    }
}
