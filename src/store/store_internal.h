/* Shared between the store's files; not API. */
#ifndef PM_STORE_INTERNAL_H
#define PM_STORE_INTERNAL_H

#include "parkmap/store.h"
#include <sqlite3.h>

struct pm_store {
    sqlite3 *db;
    void *splite; /* SpatiaLite's per-connection cache */
    char *path;
};

/* Open a SQLite connection with SpatiaLite loaded into st (db and splite). */
int pm_store_connect(pm_store *st, pm_ctx *ctx, const char *path, int flags);
/* Close the connection; returns PM_EIO if SQLite refuses to close. */
int pm_store_disconnect(pm_store *st, pm_ctx *ctx);
/* Execute constant SQL (no values: those are always bound). */
int pm_store_exec(pm_store *st, pm_ctx *ctx, const char *sql);
/* Prepare; on failure records SQLite's message with the path. */
int pm_store_prepare(pm_store *st, pm_ctx *ctx, const char *sql, sqlite3_stmt **out);
/* Record SQLite's last error as a PM_EIO. */
int pm_store_sqlerr(pm_store *st, pm_ctx *ctx, const char *what);
/* Quote an identifier for SQL ("a""b"). Caller frees. NULL on OOM. */
char *pm_store_quote_ident(const char *name);
/* Does table `name` have column `col`? 1/0, <0 on error. */
int pm_store_has_column(pm_store *st, pm_ctx *ctx, const char *table, const char *col);
/* Is this a parkmap database of a version we understand? */
int pm_store_check_schema(pm_store *st, pm_ctx *ctx);

#endif
