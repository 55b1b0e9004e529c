/* SpatiaLite backend: the derived-layer writer (adjacency, qa_issues,
 * clusters, clean's layers) and the QA measure kept in the database:
 * parts outside a boundary. */
#include "store_sl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- helpers ------------------------------------------------------------- */

/* The quoted table and its name expression ("name" or NULL). */
static int table_and_name(pm_sl *st, pm_ctx *ctx, const char *layer, char **t, char **name)
{
    int rc = pm_sl_need_layer(st, ctx, layer);
    if (rc)
        return rc;
    *t = pm_sl_quote_ident(layer);
    *name = pm_sl_optional_column(st, ctx, layer, "name");
    if (!*t || !*name) {
        free(*t);
        free(*name);
        return pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "query");
    }
    return 0;
}

static int col_geom(pm_geom **out, pm_ctx *ctx, sqlite3_stmt *s, int col)
{
    *out = NULL;
    if (sqlite3_column_type(s, col) != SQLITE_BLOB)
        return 0;
    return pm_geom_from_wkb(out, ctx, sqlite3_column_blob(s, col),
                            (size_t)sqlite3_column_bytes(s, col));
}

/* Grow an array by one zeroed element; NULL on OOM. The capacity doubles
 * whenever the count reaches a power of two, so n appends cost O(n). */
static void *grow(void **arr, size_t *n, size_t size)
{
    char *p = *arr;
    if ((*n & (*n - 1)) == 0) {
        if (!(p = realloc(*arr, (*n ? 2 * *n : 1) * size)))
            return NULL;
        *arr = p;
    }
    memset(p + *n * size, 0, size);
    return p + (*n)++ * size;
}

/* ---- writing derived layers -------------------------------------------- */

static int exec_bound_text(pm_sl *st, pm_ctx *ctx, const char *sql, const char *a, const char *b,
                           const char *c)
{
    sqlite3_stmt *s = NULL;
    int rc = pm_sl_prepare(st, ctx, sql, &s);
    if (rc)
        return rc;
    const char *v[3] = {a, b, c};
    for (int i = 0; i < 3; i++)
        if (v[i])
            sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(s);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = pm_sl_sqlerr(st, ctx, "cannot write derived layer");
    else if (step == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_INTEGER &&
             sqlite3_column_int(s, 0) != 1)
        rc = pm_sl_sqlerr(st, ctx, "cannot write derived layer");
    sqlite3_finalize(s);
    return rc;
}

int pm_sl_writable(void *be)
{
    pm_sl *st = be;
    return st && st->db && sqlite3_db_readonly(st->db, "main") == 0;
}

/* The table is written through pm_sl_table (bulk loaded, as import
 * does), inside a savepoint of its own. */
typedef struct pm_sl_writer {
    pm_sl *st;
    pm_sl_table *tab;
    char *name;
    int srid;
    int open; /* the savepoint is open: free rolls it back */
} pm_sl_writer;

int pm_sl_writer_begin(void **out, pm_ctx *ctx, void *be, const char *name, const pm_schema *schema,
                       pm_geom_kind kind, int srid)
{
    pm_sl *st = be;
    sqlite3_stmt *s = NULL;
    int rc;
    *out = NULL;
    /* The name was checked by pm_store_layer_begin (store.c). */
    if (sqlite3_db_readonly(st->db, "main") == 1)
        return pm_err(ctx, PM_EIO, "cannot write derived layer", st->path,
                      "the database is open read-only");
    pm_sl_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->name = strdup(name))) {
        free(w);
        return pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "layer %s", name);
    }
    w->st = st;
    w->srid = srid;
    if ((rc = pm_sl_exec(st, ctx, "SAVEPOINT pm_derived")))
        goto fail;
    w->open = 1;
    if ((rc = pm_sl_prepare(st, ctx,
                            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                            "lower(name) = lower(?)",
                            &s)))
        goto fail;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    int exists = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    if (exists && (rc = exec_bound_text(st, ctx, "SELECT DropTable(NULL, ?)", name, NULL, NULL)))
        goto fail;
    if ((rc = pm_sl_table_create(&w->tab, st, ctx, name, schema, NULL, kind, srid,
                                 "cannot write derived layer")))
        goto fail;
    *out = w;
    return 0;
fail:
    pm_sl_writer_free(w);
    return rc;
}

int pm_sl_writer_add(pm_ctx *ctx, void *be_w, const pm_feature *f)
{
    pm_sl_writer *w = be_w;
    return pm_sl_table_add(w->tab, ctx, f);
}

int pm_sl_writer_commit(pm_ctx *ctx, void *be_w, const char *derived_from)
{
    pm_sl_writer *w = be_w;
    pm_sl *st = w->st;
    const char *name = w->name;
    int rc;
    if ((rc = pm_sl_table_finish(w->tab, ctx)))
        return rc;
    char now[32], crs[32];
    time_t tnow = time(NULL);
    struct tm tmv;
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tnow, &tmv));
    snprintf(crs, sizeof crs, "EPSG:%d", w->srid);
    const char *put = "INSERT OR REPLACE INTO parkmap_meta (layer, key, value) VALUES (?, ?, ?)";
    if ((rc = exec_bound_text(st, ctx, put, name, "derived_from", derived_from)) ||
        (rc = exec_bound_text(st, ctx, put, name, "created_at", now)) ||
        (rc = exec_bound_text(st, ctx, put, name, "storage_crs", crs)) ||
        (rc = pm_sl_exec(st, ctx, "RELEASE pm_derived")))
        return rc;
    w->open = 0;
    return 0;
}

void pm_sl_writer_free(void *be_w)
{
    pm_sl_writer *w = be_w;
    if (!w)
        return;
    pm_sl_table_free(w->tab);
    if (w->open)
        sqlite3_exec(w->st->db, "ROLLBACK TO pm_derived; RELEASE pm_derived", NULL, NULL, NULL);
    free(w->name);
    free(w);
}

/* ---- QA measures ---------------------------------------------------------- */

/* Run a query whose columns are: af, bf, an, bn, area_m2, distance_m, wkb. */
static int pair_area_query(pm_pair_area_row **out, size_t *out_n, pm_ctx *ctx, pm_sl *st,
                           const char *sql, const char *layer, double param)
{
    sqlite3_stmt *s = NULL;
    pm_pair_area_row *rows = NULL;
    size_t n = 0;
    int rc = pm_sl_prepare(st, ctx, sql, &s), step;
    *out = NULL;
    *out_n = 0;
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, layer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(s, 2, param);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        pm_pair_area_row *r = grow((void **)&rows, &n, sizeof(*rows));
        if (!r) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "qa");
            goto done;
        }
        r->a_fid = sqlite3_column_int64(s, 0);
        r->b_fid = sqlite3_column_int64(s, 1);
        r->a_name = pm_sl_name_or_fid(s, 2, r->a_fid);
        r->b_name = pm_sl_name_or_fid(s, 3, r->b_fid);
        r->area_m2 = sqlite3_column_double(s, 4);
        r->distance_m = sqlite3_column_double(s, 5);
        if (!r->a_name || !r->b_name) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "qa");
            goto done;
        }
        if ((rc = col_geom(&r->geom, ctx, s, 6)))
            goto done;
    }
    if (step != SQLITE_DONE)
        rc = pm_sl_sqlerr(st, ctx, "cannot measure pairs");
done:
    sqlite3_finalize(s);
    if (rc) {
        pm_pair_area_rows_free(rows, n);
        return rc;
    }
    *out = rows;
    *out_n = n;
    return 0;
}

int pm_sl_outside_shifted(double *out_m2, pm_ctx *ctx, void *be, const char *layer,
                          const char *within, double dx, double dy)
{
    pm_sl *st = be;
    char *t = NULL, *w = NULL, *sql = NULL;
    sqlite3_stmt *s = NULL;
    int srid = 0, rc;
    *out_m2 = 0;
    if ((rc = pm_sl_need_layer(st, ctx, layer)) || (rc = pm_sl_need_layer(st, ctx, within)) ||
        (rc = pm_sl_layer_srid(&srid, ctx, st, layer)))
        return rc;
    t = pm_sl_quote_ident(layer);
    w = pm_sl_quote_ident(within);
    size_t cap = 1024 + strlen(layer) * 2 + strlen(within) * 2;
    if (!t || !w || !(sql = malloc(cap))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "qa");
        goto done;
    }
    snprintf(sql, cap,
             "WITH bound AS (SELECT ST_Union(Transform(geom, %d)) AS u FROM %s)"
             " SELECT total(PM_GeodArea(AsBinary(Transform(ExtractMultiPolygon(ST_Difference("
             "ShiftCoords(geom, ?1, ?2), (SELECT u FROM bound))), 4326)))) FROM %s",
             srid, w, t);
    if ((rc = pm_sl_prepare(st, ctx, sql, &s)))
        goto done;
    sqlite3_bind_double(s, 1, dx);
    sqlite3_bind_double(s, 2, dy);
    if (sqlite3_step(s) != SQLITE_ROW) {
        rc = pm_sl_sqlerr(st, ctx, "cannot measure a shifted layer");
        goto done;
    }
    *out_m2 = sqlite3_column_double(s, 0);
done:
    sqlite3_finalize(s);
    free(sql);
    free(w);
    free(t);
    return rc;
}

int pm_sl_outside(pm_pair_area_row **out, size_t *out_n, pm_ctx *ctx, void *be, const char *layer,
                  const char *within, double min_m2)
{
    pm_sl *st = be;
    char *t = NULL, *name = NULL, *w = NULL, *sql = NULL;
    int srid = 0;
    int rc = table_and_name(st, ctx, layer, &t, &name);
    if (rc)
        return rc;
    if ((rc = pm_sl_need_layer(st, ctx, within)) || (rc = pm_sl_layer_srid(&srid, ctx, st, layer)))
        goto done;
    w = pm_sl_quote_ident(within);
    size_t cap = 2048 + 2 * strlen(t) + 2 * strlen(name) + 2 * strlen(within);
    if (!w || !(sql = malloc(cap))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "qa");
        goto done;
    }
    /* ?1 (the layer name) is bound by pair_area_query but unused here. */
    snprintf(sql, cap,
             "WITH bound AS (SELECT ST_Union(Transform(geom, %d)) AS u FROM %s),"
             " o AS (SELECT source_fid AS fid, pk, %s AS nm, ExtractMultiPolygon(ST_Difference("
             "geom, (SELECT u FROM bound))) AS g FROM %s),"
             " m AS (SELECT fid, pk, nm, g, PM_GeodArea(AsBinary(Transform(g, 4326))) AS m2 FROM o"
             " WHERE g IS NOT NULL)"
             " SELECT fid, fid, nm, nm, m2, 0, AsBinary(g) FROM m WHERE m2 > ?2 ORDER BY fid, pk",
             srid, w, name, t);
    rc = pair_area_query(out, out_n, ctx, st, sql, layer, min_m2);
done:
    free(sql);
    free(w);
    free(t);
    free(name);
    return rc;
}
