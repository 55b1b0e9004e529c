/* parkmap/error.h: the error context every fallible call reports into.
 *
 * A pm_ctx carries the last error as three parts, printed by the CLI as
 * "parkmap: <what>: <where> (<why>)": what failed, where (file, feature
 * index, line, table) and why (usually the lower library's own words).
 * The first error set wins: lower layers' messages are kept, so a caller
 * that merely propagates a failure returns the code without setting it. */
#ifndef PARKMAP_ERROR_H
#define PARKMAP_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Error codes. Fallible functions return 0 or one of these (negative). */
enum {
    PM_OK = 0,
    PM_EUSAGE = -2,    /**< bad arguments or options (CLI exit 2) */
    PM_EINPUT = -3,    /**< bad input data (CLI exit 3) */
    PM_EIO = -4,       /**< I/O or database failure (CLI exit 4) */
    PM_ENOMEM = -5,    /**< out of memory (CLI exit 4) */
    PM_EEXIST = -6,    /**< output exists and overwrite was not asked (CLI exit 2) */
    PM_EINTERNAL = -7, /**< a bug or an unexpected library state (CLI exit 4) */
};

typedef struct pm_ctx pm_ctx;

/** Create a context. Caller owns *out; release with pm_ctx_free. */
int pm_ctx_new(pm_ctx **out);
/** Release a context. NULL-safe. */
void pm_ctx_free(pm_ctx *ctx);

/** Record an error unless one is already recorded; returns code so callers
 * can write `return pm_err(...)`. what/where are copied; why is printf-style. */
int pm_err(pm_ctx *ctx, int code, const char *what, const char *where, const char *why_fmt, ...)
    __attribute__((format(printf, 5, 6)));
/** Forget the recorded error (for callers that handled it). */
void pm_err_clear(pm_ctx *ctx);

/** The recorded error's code (0 when none) and parts (borrowed, never NULL). */
int pm_ctx_code(const pm_ctx *ctx);
const char *pm_ctx_what(const pm_ctx *ctx);
const char *pm_ctx_where(const pm_ctx *ctx);
const char *pm_ctx_why(const pm_ctx *ctx);

/** Remember the latest message from a lower library (GDAL, PROJ, SQLite),
 * so the module that notices the failure can quote it as the "why". */
void pm_ctx_set_lib_msg(pm_ctx *ctx, const char *msg);
/** The latest lower-library message (borrowed; "" when none). */
const char *pm_ctx_lib_msg(const pm_ctx *ctx);

/** Add a warning (printf-style). Warnings never change the result. */
void pm_warn(pm_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t pm_ctx_nwarnings(const pm_ctx *ctx);
/** The i-th warning (borrowed). */
const char *pm_ctx_warning(const pm_ctx *ctx, size_t i);

/** Progress callback, GDAL's convention: frac in [0,1]; return 0 to cancel. */
typedef int (*pm_progress_fn)(double frac, const char *msg, void *user);

/** Map an error code to the CLI exit status documented in the README. */
int pm_exit_status(int code);

#ifdef __cplusplus
}
#endif
#endif
