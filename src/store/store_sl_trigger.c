/* SpatiaLite keeps a layer's R*Tree and bookkeeping in sync with per-row
 * triggers: gii_ runs RTreeAlign, which formats, parses and executes SQL for
 * every inserted row, and tmi_ updates geometry_columns_time; ggi_ checks
 * type and SRID, which BLOBs encoded by pm_sl_blob_encode for the
 * column's own type and SRID cannot violate. Together they were two thirds
 * of an import. While a layer is bulk loaded (import, derived layers) they
 * are dropped inside the transaction, the rows' boxes go into the R*Tree at
 * once (store_sl_rtree.c), and the triggers are re-created from their own SQL,
 * so the layer ends exactly as SpatiaLite would have left it. */
#include "store_sl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const parked[] = {"ggi_%s_geom", "gii_%s_geom", "tmi_%s_geom"};

int pm_sl_triggers_park(pm_sl *st, pm_ctx *ctx, const char *layer, char ***sqls, size_t *n)
{
    sqlite3_stmt *s = NULL;
    int rc = pm_sl_prepare(st, ctx,
                           "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                           "lower(tbl_name) = lower(?1) AND lower(name) IN (lower(?2), "
                           "lower(?3), lower(?4))",
                           &s);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, layer, -1, SQLITE_TRANSIENT);
    for (int i = 0; i < 3; i++) {
        /* Sized to the name: a fixed buffer cut long names short, and the
         * triggers were then not found. */
        char *name = sqlite3_mprintf(parked[i], layer);
        if (!name) {
            sqlite3_finalize(s);
            return pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "triggers");
        }
        sqlite3_bind_text(s, i + 2, name, -1, sqlite3_free);
    }
    char **drop = NULL;
    size_t ndrop = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        char **nt = realloc(*sqls, (*n + 1) * sizeof(char *));
        char **nd = realloc(drop, (ndrop + 1) * sizeof(char *));
        if (nt)
            *sqls = nt;
        if (nd)
            drop = nd;
        if (!nt || !nd || !((*sqls)[*n] = strdup((const char *)sqlite3_column_text(s, 1))) ||
            !(drop[ndrop] = pm_sl_quote_ident((const char *)sqlite3_column_text(s, 0)))) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "triggers");
            break;
        }
        (*n)++;
        ndrop++;
    }
    sqlite3_finalize(s);
    for (size_t i = 0; i < ndrop && !rc; i++) {
        char *sql = sqlite3_mprintf("DROP TRIGGER %s", drop[i]);
        rc = sql ? pm_sl_exec(st, ctx, sql)
                 : pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "triggers");
        sqlite3_free(sql);
    }
    pm_strv_free(drop, ndrop);
    return rc;
}

int pm_sl_triggers_restore(pm_sl *st, pm_ctx *ctx, const char *layer, char **sqls, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = pm_sl_exec(st, ctx, sqls[i]);
    if (!rc) {
        sqlite3_stmt *s = NULL;
        if ((rc = pm_sl_prepare(st, ctx,
                                "UPDATE geometry_columns_time SET last_insert = "
                                "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE "
                                "lower(f_table_name) = lower(?) AND f_geometry_column = 'geom'",
                                &s)))
            goto done;
        sqlite3_bind_text(s, 1, layer, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = pm_sl_sqlerr(st, ctx, "cannot write database");
        sqlite3_finalize(s);
    }
done:
    return rc;
}
