/* SpatiaLite backend: geometries replaced in place (pm_store_update_*), the
 * storage half of check --make-valid (the repair itself is topology's, in
 * C). One savepoint on the writable store, as every write to an existing
 * file: the file is never half-repaired. SpatiaLite's own triggers on the
 * geom column check the type and SRID of what is written and keep the
 * R*Tree in step with each UPDATE. */
#include "store_sl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pm_sl_update {
    pm_sl *st;
    sqlite3_stmt *upd;
    char *layer;
    int srid;
    int open; /* the savepoint is open: free rolls it back */
} pm_sl_update;

int pm_sl_update_begin(void **out, pm_ctx *ctx, void *be, const char *layer)
{
    pm_sl *st = be;
    pm_sl_update *u = NULL;
    char *t = NULL, *sql = NULL;
    int rc;
    *out = NULL;
    if (!pm_sl_writable(st))
        return pm_err(ctx, PM_EIO, "cannot replace geometries", st->path,
                      "the database is open read-only");
    if ((rc = pm_sl_need_layer(st, ctx, layer)))
        return rc;
    if (!(u = calloc(1, sizeof *u)) || !(u->layer = strdup(layer)) ||
        !(t = pm_sl_quote_ident(layer))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "layer %s", layer);
        goto done;
    }
    u->st = st;
    if ((rc = pm_sl_layer_srid(&u->srid, ctx, st, layer)))
        goto done;
    size_t cap = strlen(t) + 96;
    if (!(sql = malloc(cap))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "layer %s", layer);
        goto done;
    }
    snprintf(sql, cap, "UPDATE %s SET geom = GeomFromWKB(?1, ?2) WHERE source_fid = ?3", t);
    if ((rc = pm_sl_exec(st, ctx, "SAVEPOINT pm_update")))
        goto done;
    u->open = 1;
    rc = pm_sl_prepare(st, ctx, sql, &u->upd);
done:
    free(sql);
    free(t);
    if (rc) {
        pm_sl_update_free(u);
        return rc;
    }
    *out = u;
    return 0;
}

int pm_sl_update_geom(pm_ctx *ctx, void *be_u, int64_t fid, const pm_geom *g)
{
    pm_sl_update *u = be_u;
    unsigned char *wkb = NULL;
    size_t n = 0;
    int rc = 0;
    if (g && (rc = pm_geom_to_wkb(&wkb, &n, ctx, g)))
        return rc;
    sqlite3_reset(u->upd);
    if (wkb)
        sqlite3_bind_blob(u->upd, 1, wkb, (int)n, SQLITE_STATIC);
    else
        sqlite3_bind_null(u->upd, 1);
    sqlite3_bind_int(u->upd, 2, u->srid);
    sqlite3_bind_int64(u->upd, 3, fid);
    if (sqlite3_step(u->upd) != SQLITE_DONE)
        rc = pm_sl_sqlerr(u->st, ctx, "cannot replace geometries");
    else if (sqlite3_changes(u->st->db) == 0)
        rc = pm_err(ctx, PM_EINPUT, "cannot replace geometries", u->st->path,
                    "layer %s has no feature %lld", u->layer, (long long)fid);
    sqlite3_reset(u->upd);
    sqlite3_clear_bindings(u->upd);
    free(wkb);
    return rc;
}

int pm_sl_update_commit(pm_ctx *ctx, void *be_u)
{
    pm_sl_update *u = be_u;
    int rc;
    sqlite3_finalize(u->upd);
    u->upd = NULL;
    if ((rc = pm_sl_exec(u->st, ctx, "RELEASE pm_update")))
        return rc;
    u->open = 0;
    return 0;
}

void pm_sl_update_free(void *be_u)
{
    pm_sl_update *u = be_u;
    if (!u)
        return;
    sqlite3_finalize(u->upd);
    if (u->open)
        sqlite3_exec(u->st->db, "ROLLBACK TO pm_update; RELEASE pm_update", NULL, NULL, NULL);
    free(u->layer);
    free(u);
}
