/* The PostGIS backend as the store sees it: pm_pg_ops (store_backend.h),
 * each op on top of the pg functions (store_pg_conn.c, store_pg_layer.c,
 * store_pg_import.c, store_pg_derived.c). A store is one connection; an
 * import makes its own (its one transaction must not share a session with
 * readers). */
#include "store_pg.h"
#include "store/store_backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- connection ---------------------------------------------------------- */

/* A parkmap database: parkmap_meta with a schema version this parkmap
 * understands (as the SpatiaLite store's pm_sl_check_schema). */
static int check_schema(pm_pg *pg, pm_ctx *ctx)
{
    char *v = NULL, *end = NULL;
    int rc = pm_pg_meta_get(&v, ctx, pg, "", "schema_version");
    if (rc)
        return rc;
    if (!v)
        return pm_err(ctx, PM_EIO, "not a parkmap database", pm_pg_redacted(pg),
                      "no parkmap_meta table or no schema_version in it; create it with "
                      "'parkmap import SRC --db ...'");
    errno = 0;
    long long n = *v >= '0' && *v <= '9' ? strtoll(v, &end, 10) : 0;
    if (!end || *end || n < 1)
        rc = pm_err(ctx, PM_EIO, "not a parkmap database", pm_pg_redacted(pg),
                    "schema_version '%.40s' is not a version number", v);
    else if (errno == ERANGE || n > PM_STORE_SCHEMA_VERSION)
        rc = pm_err(ctx, PM_EIO, "database is newer than this parkmap", pm_pg_redacted(pg),
                    "schema version %.40s, this parkmap understands up to %d", v,
                    PM_STORE_SCHEMA_VERSION);
    free(v);
    return rc;
}

static void pgs_free(pm_pg_store *s)
{
    if (!s)
        return;
    pm_pg_free(s->pg);
    if (s->db) {
        /* It may hold the password: not left lying in freed memory. */
        volatile char *p = s->db;
        while (*p)
            *p++ = 0;
        free(s->db);
    }
    free(s);
}

static int pgs_open(void **out, pm_ctx *ctx, const char *db, int writable)
{
    pm_pg_store *s = calloc(1, sizeof *s);
    PGresult *r = NULL;
    int rc;
    *out = NULL;
    if (!s || !(s->db = strdup(db))) {
        free(s);
        return pm_err(ctx, PM_ENOMEM, "out of memory", "--db", "store");
    }
    if ((rc = pm_pg_connect(&s->pg, ctx, db)) || (rc = check_schema(s->pg, ctx)))
        goto done;
    if (writable) {
        /* Derived tables need CREATE in the schema and a primary server; a
         * read-only role or a standby still answers, without them. */
        if ((rc = pm_pg_query(&r, s->pg, ctx, "cannot open database",
                              "SELECT has_schema_privilege(current_schema(), 'CREATE') AND "
                              "NOT pg_is_in_recovery()",
                              0, NULL)))
            goto done;
        s->writable = PQgetvalue(r, 0, 0)[0] == 't';
    } else if ((rc = pm_pg_exec(s->pg, ctx, "cannot open database",
                                "SET default_transaction_read_only = on"))) {
        /* A reading command cannot write by mistake. */
        goto done;
    }
    *out = s;
    s = NULL;
done:
    PQclear(r);
    pgs_free(s);
    return rc;
}

static int pgs_close(pm_ctx *ctx, void *be)
{
    (void)ctx;
    /* Every write commits (or rolls back) before its call returns: nothing
     * is left to lose at close. */
    pgs_free(be);
    return 0;
}

static int pgs_writable(void *be)
{
    return be && ((pm_pg_store *)be)->writable;
}

static const char *pgs_label(void *be)
{
    return pm_pg_redacted(((pm_pg_store *)be)->pg);
}

/* ---- layers and metadata ------------------------------------------------- */

static int pgs_layers(char ***out, size_t *out_n, pm_ctx *ctx, void *be)
{
    return pm_pg_layers(out, out_n, ctx, ((pm_pg_store *)be)->pg);
}

static int pgs_has_layer(pm_ctx *ctx, void *be, const char *layer)
{
    return pm_pg_has_layer(((pm_pg_store *)be)->pg, ctx, layer);
}

static int pgs_layer_srid(int *out, pm_ctx *ctx, void *be, const char *layer)
{
    return pm_pg_layer_srid(out, ctx, ((pm_pg_store *)be)->pg, layer);
}

static int pgs_geom_kind(pm_geom_kind *out, pm_ctx *ctx, void *be, const char *layer)
{
    return pm_pg_geom_kind(out, ctx, ((pm_pg_store *)be)->pg, layer);
}

static int pgs_stats(long *out_count, double out_bbox[4], pm_ctx *ctx, void *be, const char *layer)
{
    return pm_pg_layer_stats(out_count, out_bbox, ctx, ((pm_pg_store *)be)->pg, layer);
}

static int pgs_meta_get(char **out, pm_ctx *ctx, void *be, const char *layer, const char *key)
{
    return pm_pg_meta_get(out, ctx, ((pm_pg_store *)be)->pg, layer, key);
}

/* ---- cursors ------------------------------------------------------------- */

static int pgs_cursor_open(void **out, pm_ctx *ctx, void *be, const char *layer,
                           const char *const *fields, size_t nfields, const double *bbox)
{
    pm_pg_cursor *c = NULL;
    int rc =
        pm_pg_cursor_open_where(&c, ctx, ((pm_pg_store *)be)->pg, layer, fields, nfields, bbox);
    *out = c;
    return rc;
}

static const pm_schema *pgs_cursor_schema(const void *cur)
{
    return pm_pg_cursor_schema(cur);
}

static int pgs_cursor_next(pm_feature *out, pm_ctx *ctx, void *cur)
{
    return pm_pg_cursor_next(cur, ctx, out);
}

static void pgs_cursor_free(void *cur)
{
    pm_pg_cursor_free(cur);
}

/* ---- import --------------------------------------------------------------- */

typedef struct {
    pm_pg *pg;
    pm_pg_import *imp;
} pgs_import;

static void pgs_import_free(void *be_imp)
{
    pgs_import *i = be_imp;
    if (!i)
        return;
    pm_pg_import_free(i->imp); /* rolls back what was not committed */
    pm_pg_free(i->pg);
    free(i);
}

static int pgs_import_begin(void **out, pm_ctx *ctx, const pm_store_import_opts *opts,
                            const pm_schema *schema)
{
    pgs_import *i = calloc(1, sizeof *i);
    int rc;
    *out = NULL;
    if (!i)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "--db", "import");
    if ((rc = pm_pg_connect(&i->pg, ctx, opts->db_path)) ||
        (rc = pm_pg_import_begin(&i->imp, ctx, i->pg, opts, schema))) {
        pgs_import_free(i);
        return rc;
    }
    *out = i;
    return 0;
}

static int pgs_import_add(pm_ctx *ctx, void *be_imp, const pm_feature *f)
{
    return pm_pg_import_add(((pgs_import *)be_imp)->imp, ctx, f);
}

static int pgs_import_commit(long *out, pm_ctx *ctx, void *be_imp, int allow_invalid)
{
    return pm_pg_import_commit(((pgs_import *)be_imp)->imp, ctx, allow_invalid, out);
}

const pm_store_ops pm_pg_ops = {
    .name = "PostGIS",
    .open = pgs_open,
    .close = pgs_close,
    .writable = pgs_writable,
    .label = pgs_label,
    .layers = pgs_layers,
    .has_layer = pgs_has_layer,
    .layer_srid = pgs_layer_srid,
    .geom_kind = pgs_geom_kind,
    .stats = pgs_stats,
    .meta_get = pgs_meta_get,
    .cursor_open = pgs_cursor_open,
    .cursor_schema = pgs_cursor_schema,
    .cursor_next = pgs_cursor_next,
    .cursor_free = pgs_cursor_free,
    .import_begin = pgs_import_begin,
    .import_add = pgs_import_add,
    .import_commit = pgs_import_commit,
    .import_free = pgs_import_free,
    .writer_begin = pm_pgs_writer_begin,
    .writer_add = pm_pgs_writer_add,
    .writer_commit = pm_pgs_writer_commit,
    .writer_free = pm_pgs_writer_free,
    .update_begin = pm_pgs_update_begin,
    .update_geom = pm_pgs_update_geom,
    .update_commit = pm_pgs_update_commit,
    .update_free = pm_pgs_update_free,
};
