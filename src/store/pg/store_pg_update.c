/* The PostGIS store's geometries replaced in place (pm_store_update_*), the
 * storage half of check --make-valid (the repair itself is topology's, in
 * C, the same code as on SpatiaLite). One transaction, or a savepoint
 * inside the caller's; each geometry goes as a bound binary WKB parameter,
 * the fid and SRID as text ones; the GiST index follows the UPDATE. */
#include "store_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UPDATE_SAVEPOINT "pm_update"

typedef struct pm_pgs_update {
    pm_pg *pg;
    char *sql; /* the UPDATE, with the quoted table */
    char *layer;
    char srid[16];
    int own;  /* the transaction is ours (else a savepoint in the caller's) */
    int open; /* not yet committed: free rolls back */
} pm_pgs_update;

int pm_pgs_update_begin(void **out, pm_ctx *ctx, void *be, const char *layer)
{
    pm_pg_store *s = be;
    pm_pg *pg = s->pg;
    pm_pgs_update *u = NULL;
    char *t = NULL, *name = NULL;
    int rc, srid = 0;
    *out = NULL;
    if (!s->writable)
        return pm_err(ctx, PM_EIO, "cannot replace geometries", pm_pg_redacted(pg),
                      "the database is open read-only");
    if ((rc = pm_pg_layer_sql(&t, &name, &srid, ctx, pg, layer)))
        return rc;
    size_t cap = strlen(t) + 128;
    if (!(u = calloc(1, sizeof *u)) || !(u->layer = strdup(layer)) || !(u->sql = malloc(cap))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "layer %s", layer);
        goto done;
    }
    u->pg = pg;
    snprintf(u->srid, sizeof u->srid, "%d", srid);
    snprintf(u->sql, cap,
             "UPDATE %s SET geom = ST_GeomFromWKB($1::bytea, $2::int) WHERE source_fid = $3::int8",
             t);
    switch (PQtransactionStatus(pm_pg_conn(pg))) {
    case PQTRANS_IDLE:
        u->own = 1;
        rc = pm_pg_exec(pg, ctx, "cannot replace geometries", "BEGIN");
        break;
    case PQTRANS_INTRANS:
        rc = pm_pg_exec(pg, ctx, "cannot replace geometries", "SAVEPOINT " UPDATE_SAVEPOINT);
        break;
    default:
        rc = pm_err(ctx, PM_EIO, "cannot replace geometries", pm_pg_redacted(pg),
                    "the connection is inside a failed transaction");
    }
    u->open = rc == 0;
done:
    free(name);
    free(t);
    if (rc) {
        pm_pgs_update_free(u);
        return rc;
    }
    *out = u;
    return 0;
}

int pm_pgs_update_geom(pm_ctx *ctx, void *be_u, int64_t fid, const pm_geom *g)
{
    pm_pgs_update *u = be_u;
    unsigned char *wkb = NULL;
    size_t n = 0;
    char sfid[32];
    PGresult *r = NULL;
    int rc = 0;
    if (g && (rc = pm_geom_to_wkb(&wkb, &n, ctx, g)))
        return rc;
    snprintf(sfid, sizeof sfid, "%lld", (long long)fid);
    const char *vals[3] = {(const char *)wkb, u->srid, sfid};
    int lens[3] = {(int)n, 0, 0}, fmts[3] = {1, 0, 0};
    r = PQexecParams(pm_pg_conn(u->pg), u->sql, 3, NULL, vals, lens, fmts, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pm_pg_fail(u->pg, ctx, "cannot replace geometries", r);
    else if (strcmp(PQcmdTuples(r), "0") == 0)
        rc = pm_err(ctx, PM_EINPUT, "cannot replace geometries", pm_pg_redacted(u->pg),
                    "layer %s has no feature %lld", u->layer, (long long)fid);
    PQclear(r);
    free(wkb);
    return rc;
}

int pm_pgs_update_commit(pm_ctx *ctx, void *be_u)
{
    pm_pgs_update *u = be_u;
    int rc = pm_pg_exec(u->pg, ctx, "cannot replace geometries",
                        u->own ? "COMMIT" : "RELEASE SAVEPOINT " UPDATE_SAVEPOINT);
    if (rc == 0)
        u->open = 0;
    return rc;
}

void pm_pgs_update_free(void *be_u)
{
    pm_pgs_update *u = be_u;
    if (!u)
        return;
    if (u->open)
        PQclear(PQexec(pm_pg_conn(u->pg), u->own ? "ROLLBACK"
                                                 : "ROLLBACK TO SAVEPOINT " UPDATE_SAVEPOINT
                                                   "; RELEASE SAVEPOINT " UPDATE_SAVEPOINT));
    free(u->sql);
    free(u->layer);
    free(u);
}
