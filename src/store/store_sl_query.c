/* SpatiaLite backend: reading layers back (metadata, feature cursors). */
#include "store_sl.h"
#include "store_kind.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pm_sl_layers(char ***out, size_t *out_n, pm_ctx *ctx, void *be)
{
    pm_sl *st = be;
    sqlite3_stmt *s = NULL;
    char **v = NULL;
    size_t n = 0;
    int rc = pm_sl_prepare(st, ctx,
                           "SELECT f_table_name FROM geometry_columns ORDER BY f_table_name", &s);
    if (rc)
        return rc;
    while (sqlite3_step(s) == SQLITE_ROW) {
        char **nv = realloc(v, (n + 1) * sizeof(*v));
        if (!nv) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "layers");
            break;
        }
        v = nv;
        v[n] = strdup((const char *)sqlite3_column_text(s, 0));
        if (!v[n]) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "layers");
            break;
        }
        n++;
    }
    sqlite3_finalize(s);
    if (rc) {
        pm_strv_free(v, n);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

int pm_sl_has_layer(pm_ctx *ctx, void *be, const char *layer)
{
    pm_sl *st = be;
    sqlite3_stmt *s = NULL;
    int rc = pm_sl_prepare(
        st, ctx, "SELECT 1 FROM geometry_columns WHERE lower(f_table_name) = lower(?)", &s);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, layer, -1, SQLITE_TRANSIENT);
    int found = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return found;
}

int pm_sl_need_layer(pm_sl *st, pm_ctx *ctx, const char *layer)
{
    int has = pm_sl_has_layer(ctx, st, layer);
    if (has < 0)
        return has;
    if (!has) {
        char where[600];
        snprintf(where, sizeof where, "%s layer %s", st->path, layer);
        return pm_err(ctx, PM_EUSAGE, "no such layer", where, "import it first");
    }
    return 0;
}

char *pm_sl_name_or_fid(sqlite3_stmt *s, int col, int64_t fid)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL) {
        char buf[32];
        snprintf(buf, sizeof buf, "#%lld", (long long)fid);
        return strdup(buf);
    }
    return strdup((const char *)sqlite3_column_text(s, col));
}

char *pm_sl_optional_column(pm_sl *st, pm_ctx *ctx, const char *layer, const char *col)
{
    if (col && pm_sl_has_column(st, ctx, layer, col) == 1)
        return pm_sl_quote_ident(col);
    return strdup("NULL");
}

int pm_sl_rtree(char **out, pm_ctx *ctx, pm_sl *st, const char *layer)
{
    sqlite3_stmt *s = NULL;
    int rc = pm_sl_prepare(st, ctx,
                           "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                           "lower(name) = lower('idx_' || ? || '_geom')",
                           &s);
    *out = NULL;
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, layer, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW) {
        if (!(*out = pm_sl_quote_ident((const char *)sqlite3_column_text(s, 0))))
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "index");
    } else {
        char where[600];
        snprintf(where, sizeof where, "%s layer %s", st->path, layer);
        rc = pm_err(ctx, PM_EIO, "layer has no spatial index", where,
                    "re-import it with parkmap import");
    }
    sqlite3_finalize(s);
    return rc;
}

int pm_sl_geom_kind(pm_geom_kind *out, pm_ctx *ctx, void *be, const char *layer)
{
    pm_sl *st = be;
    sqlite3_stmt *s = NULL;
    int rc = pm_sl_need_layer(st, ctx, layer);
    if (rc)
        return rc;
    /* SpatiaLite 4+ stores OGC type codes: 2/5 (multi)linestring, 3/6
     * (multi)polygon, +1000/2000/3000 for Z/M/ZM. */
    if ((rc = pm_sl_prepare(st, ctx,
                            "SELECT geometry_type % 1000 FROM geometry_columns WHERE "
                            "lower(f_table_name) = lower(?)",
                            &s)))
        return rc;
    sqlite3_bind_text(s, 1, layer, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW) {
        rc = pm_store_ogc_kind(out, ctx, layer, (const char *)sqlite3_column_text(s, 0));
    } else {
        rc = pm_sl_sqlerr(st, ctx, "cannot read layer");
    }
    sqlite3_finalize(s);
    return rc;
}

int pm_sl_layer_srid(int *out, pm_ctx *ctx, void *be, const char *layer)
{
    pm_sl *st = be;
    sqlite3_stmt *s = NULL;
    int rc = pm_sl_need_layer(st, ctx, layer);
    if (rc)
        return rc;
    if ((rc = pm_sl_prepare(st, ctx,
                            "SELECT srid FROM geometry_columns WHERE lower(f_table_name) = "
                            "lower(?)",
                            &s)))
        return rc;
    sqlite3_bind_text(s, 1, layer, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW)
        *out = sqlite3_column_int(s, 0);
    else
        rc = pm_sl_sqlerr(st, ctx, "cannot read layer");
    sqlite3_finalize(s);
    return rc;
}

int pm_sl_stats(long *out_count, double out_bbox[4], pm_ctx *ctx, void *be, const char *layer)
{
    pm_sl *st = be;
    sqlite3_stmt *s = NULL;
    char sql[512];
    int rc = pm_sl_need_layer(st, ctx, layer);
    char *t = pm_sl_quote_ident(layer);
    if (rc || !t) {
        free(t);
        return rc ? rc : pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "stats");
    }
    snprintf(sql, sizeof sql,
             "SELECT count(*), min(MbrMinX(geom)), min(MbrMinY(geom)), max(MbrMaxX(geom)), "
             "max(MbrMaxY(geom)) FROM %s",
             t);
    free(t);
    if ((rc = pm_sl_prepare(st, ctx, sql, &s)))
        return rc;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *out_count = (long)sqlite3_column_int64(s, 0);
        for (int i = 0; i < 4; i++)
            out_bbox[i] = sqlite3_column_type(s, i + 1) == SQLITE_NULL
                              ? NAN
                              : sqlite3_column_double(s, i + 1);
    } else {
        rc = pm_sl_sqlerr(st, ctx, "cannot read layer");
    }
    sqlite3_finalize(s);
    return rc;
}

int pm_sl_meta_get(char **out, pm_ctx *ctx, void *be, const char *layer, const char *key)
{
    pm_sl *st = be;
    sqlite3_stmt *s = NULL;
    int rc = pm_sl_prepare(
        st, ctx, "SELECT value FROM parkmap_meta WHERE lower(layer) = lower(?) AND key = ?", &s);
    *out = NULL;
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, layer ? layer : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        *out = strdup((const char *)sqlite3_column_text(s, 0));
        if (!*out)
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "meta");
    }
    sqlite3_finalize(s);
    return rc;
}

/* ---- cursors ------------------------------------------------------------ */

typedef struct pm_sl_cursor {
    pm_sl *st;
    sqlite3_stmt *stmt;
    sqlite3_stmt *as_wkb; /* AsBinary(?) for BLOBs store_sl_blob.c leaves alone */
    unsigned char *wkb;   /* scratch: the current row's geometry as WKB */
    size_t wkb_cap;
    pm_schema schema;
    char *layer;
    int srid; /* the layer's column SRID: every row must be in it */
} pm_sl_cursor;

int pm_sl_cursor_open(void **out, pm_ctx *ctx, void *be, const char *layer,
                      const char *const *fields, size_t nfields, const double *bbox)
{
    pm_sl *st = be;
    int rc = pm_sl_need_layer(st, ctx, layer);
    sqlite3_stmt *info = NULL;
    char *t = NULL, *sql = NULL, *idx = NULL;
    size_t cap = 512, n;
    pm_sl_cursor *c = NULL;
    *out = NULL;
    if (rc)
        return rc;
    c = calloc(1, sizeof(*c));
    t = pm_sl_quote_ident(layer);
    if (!c || !t) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "cursor");
        goto done;
    }
    c->st = st;
    if (!(c->layer = strdup(layer))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "cursor");
        goto done;
    }
    if ((rc = pm_sl_layer_srid(&c->srid, ctx, st, layer)))
        goto done;
    /* Attribute columns are every column but our own and the geometry's. */
    if ((rc = pm_sl_prepare(st, ctx,
                            "SELECT name, upper(type) FROM pragma_table_info(?) WHERE name "
                            "NOT IN ('pk', 'source_fid', 'geom') ORDER BY cid",
                            &info)))
        goto done;
    sqlite3_bind_text(info, 1, layer, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(info) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(info, 0);
        const char *type = (const char *)sqlite3_column_text(info, 1);
        int wanted = !fields;
        for (size_t i = 0; fields && i < nfields && !wanted; i++)
            wanted = strcmp(fields[i], name) == 0;
        if (!wanted)
            continue;
        pm_field_type ft = PM_FIELD_TEXT;
        if (type && strstr(type, "INT"))
            ft = PM_FIELD_INTEGER;
        else if (type && (strstr(type, "REAL") || strstr(type, "FLOA") || strstr(type, "DOUB")))
            ft = PM_FIELD_REAL;
        if ((rc = pm_schema_add(&c->schema, ctx, name, ft)))
            goto done;
        cap += 2 * strlen(name) + 8;
    }
    cap += strlen(t) * 2;
    sql = malloc(cap);
    if (!sql) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "cursor");
        goto done;
    }
    n = (size_t)snprintf(sql, cap, "SELECT source_fid, geom");
    for (size_t i = 0; i < c->schema.nfields; i++) {
        char *q = pm_sl_quote_ident(c->schema.fields[i].name);
        if (!q) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "cursor");
            goto done;
        }
        n += (size_t)snprintf(sql + n, cap - n, ", %s", q);
        free(q);
    }
    n += (size_t)snprintf(sql + n, cap - n, " FROM %s", t);
    if (bbox) {
        /* The R*Tree finds the candidates (its float boxes are rounded
         * outward, so it never misses one); the geometry's own box, kept
         * in the BLOB's header, decides exactly. */
        if ((rc = pm_sl_rtree(&idx, ctx, st, layer)))
            goto done;
        char *nsql = realloc(sql, cap + strlen(idx) + 512);
        if (!nsql) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "cursor");
            goto done;
        }
        sql = nsql;
        cap += strlen(idx) + 512;
        n += (size_t)snprintf(sql + n, cap - n,
                              " WHERE pk IN (SELECT pkid FROM %s WHERE xmin <= ?3 AND xmax >= ?1"
                              " AND ymin <= ?4 AND ymax >= ?2) AND MbrMaxX(geom) >= ?1 AND"
                              " MbrMinX(geom) <= ?3 AND MbrMaxY(geom) >= ?2 AND"
                              " MbrMinY(geom) <= ?4",
                              idx);
    }
    /* Rowid order is the table's own order: no sort of every row (which
     * "ORDER BY source_fid" was, source_fid having no index). */
    snprintf(sql + n, cap - n, " ORDER BY pk");
    if ((rc = pm_sl_prepare(st, ctx, sql, &c->stmt)))
        goto done;
    for (int i = 0; bbox && i < 4; i++)
        sqlite3_bind_double(c->stmt, i + 1, bbox[i]);
    *out = c;
    c = NULL;
done:
    sqlite3_finalize(info);
    free(sql);
    free(idx);
    free(t);
    pm_sl_cursor_free(c);
    return rc;
}

const pm_schema *pm_sl_cursor_schema(const void *cur)
{
    return &((const pm_sl_cursor *)cur)->schema;
}

/* The row's geometry BLOB into out->geom: rewritten to WKB in C when it
 * is the plain kind, through SpatiaLite's AsBinary otherwise. */
static int read_geom(pm_sl_cursor *cur, pm_ctx *ctx, pm_feature *out)
{
    sqlite3_stmt *s = cur->stmt;
    const unsigned char *blob = sqlite3_column_blob(s, 1);
    size_t len = (size_t)sqlite3_column_bytes(s, 1), n = 0;
    /* A row in another SRID than its column's (written by another tool,
     * triggers off) would be read as if it were in the layer's: refuse it
     * rather than measure it wrongly. The SRID is in the BLOB's header. */
    if (len >= 6 && blob[0] == 0x00 && (blob[1] == 0 || blob[1] == 1)) {
        uint32_t v = blob[1] ? (uint32_t)blob[2] | (uint32_t)blob[3] << 8 |
                                   (uint32_t)blob[4] << 16 | (uint32_t)blob[5] << 24
                             : (uint32_t)blob[5] | (uint32_t)blob[4] << 8 |
                                   (uint32_t)blob[3] << 16 | (uint32_t)blob[2] << 24;
        if ((int)v != cur->srid)
            return pm_sl_srid_mismatch(cur->st, ctx, cur->layer, out->fid, (int)v, cur->srid);
    }
    int r = pm_sl_blob_to_wkb(&cur->wkb, &cur->wkb_cap, &n, blob, len);
    if (r < 0)
        return pm_err(ctx, PM_ENOMEM, "out of memory", cur->st->path, "geometry");
    if (r == 0)
        return pm_geom_from_wkb(&out->geom, ctx, cur->wkb, n);
    int rc = 0;
    if (!cur->as_wkb && (rc = pm_sl_prepare(cur->st, ctx, "SELECT AsBinary(?)", &cur->as_wkb)))
        return rc;
    sqlite3_reset(cur->as_wkb);
    sqlite3_bind_blob(cur->as_wkb, 1, blob, (int)len, SQLITE_STATIC);
    if (sqlite3_step(cur->as_wkb) == SQLITE_ROW &&
        sqlite3_column_type(cur->as_wkb, 0) == SQLITE_BLOB)
        rc = pm_geom_from_wkb(&out->geom, ctx, sqlite3_column_blob(cur->as_wkb, 0),
                              (size_t)sqlite3_column_bytes(cur->as_wkb, 0));
    else
        rc = pm_err(ctx, PM_EINPUT, "malformed geometry", cur->st->path, "feature %lld",
                    (long long)out->fid);
    sqlite3_reset(cur->as_wkb);
    return rc;
}

int pm_sl_cursor_next(pm_feature *out, pm_ctx *ctx, void *be_cur)
{
    pm_sl_cursor *cur = be_cur;
    sqlite3_stmt *s = cur->stmt;
    int rc = 0;
    memset(out, 0, sizeof(*out));
    int step = sqlite3_step(s);
    if (step == SQLITE_DONE)
        return 0;
    if (step != SQLITE_ROW)
        return pm_sl_sqlerr(cur->st, ctx, "cannot read features");
    out->fid = sqlite3_column_int64(s, 0);
    if (sqlite3_column_type(s, 1) == SQLITE_BLOB && (rc = read_geom(cur, ctx, out)))
        goto fail;
    out->nvalues = cur->schema.nfields;
    out->values = out->nvalues ? calloc(out->nvalues, sizeof(pm_value)) : NULL;
    if (out->nvalues && !out->values) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", cur->st->path, "feature");
        goto fail;
    }
    for (size_t i = 0; i < out->nvalues; i++) {
        int col = (int)i + 2;
        pm_value *v = &out->values[i];
        v->type = cur->schema.fields[i].type;
        switch (sqlite3_column_type(s, col)) {
        case SQLITE_NULL:
            v->is_null = 1;
            break;
        case SQLITE_INTEGER:
            v->i = sqlite3_column_int64(s, col);
            v->d = (double)v->i;
            if (v->type == PM_FIELD_TEXT)
                v->type = PM_FIELD_INTEGER;
            break;
        case SQLITE_FLOAT:
            v->d = sqlite3_column_double(s, col);
            v->i = (int64_t)v->d;
            if (v->type != PM_FIELD_REAL)
                v->type = PM_FIELD_REAL;
            break;
        default:
            v->type = PM_FIELD_TEXT;
            v->s = strdup((const char *)sqlite3_column_text(s, col));
            if (!v->s) {
                rc = pm_err(ctx, PM_ENOMEM, "out of memory", cur->st->path, "feature");
                goto fail;
            }
        }
    }
    return 1;
fail:
    pm_feature_clear(out);
    return rc;
}

void pm_sl_cursor_free(void *be_cur)
{
    pm_sl_cursor *cur = be_cur;
    if (!cur)
        return;
    sqlite3_finalize(cur->stmt);
    sqlite3_finalize(cur->as_wkb);
    free(cur->wkb);
    free(cur->layer);
    pm_schema_clear(&cur->schema);
    free(cur);
}

int pm_sl_srid_mismatch(pm_sl *st, pm_ctx *ctx, const char *layer, int64_t fid, int row_srid,
                        int layer_srid)
{
    char where[600];
    snprintf(where, sizeof where, "%s layer %s feature %lld", st->path, layer, (long long)fid);
    return pm_err(ctx, PM_EINPUT, "mixed SRIDs", where,
                  "stored in SRID %d, the layer's geometry column is SRID %d: reproject it "
                  "(ST_Transform) or import the layer again",
                  row_srid, layer_srid);
}

int pm_sl_check_srids(pm_sl *st, pm_ctx *ctx, const char *layer, int srid)
{
    char *t = pm_sl_quote_ident(layer), *sql = NULL;
    sqlite3_stmt *s = NULL;
    int rc = 0;
    size_t cap = t ? strlen(t) + 128 : 0;
    if (!t || !(sql = malloc(cap))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "SRIDs");
        goto done;
    }
    snprintf(sql, cap,
             "SELECT source_fid, ST_SRID(geom) FROM %s WHERE geom IS NOT NULL AND "
             "ST_SRID(geom) <> ?1 LIMIT 1",
             t);
    if ((rc = pm_sl_prepare(st, ctx, sql, &s)))
        goto done;
    sqlite3_bind_int(s, 1, srid);
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW)
        rc = pm_sl_srid_mismatch(st, ctx, layer, sqlite3_column_int64(s, 0),
                                 sqlite3_column_int(s, 1), srid);
    else if (step != SQLITE_DONE)
        rc = pm_sl_sqlerr(st, ctx, "cannot read SRIDs");
done:
    sqlite3_finalize(s);
    free(sql);
    free(t);
    return rc;
}
