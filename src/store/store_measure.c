/* Measures computed in SpatiaLite: areas (planar in the storage CRS and
 * ellipsoidal on WGS 84) and pairwise relations found through the R*Tree. */
#include "store_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pm_store_area_rows(pm_area_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st,
                       const char *layer, const char *group_by)
{
    int rc = pm_store_need_layer(st, ctx, layer);
    char *t = NULL, *name = NULL, *planned = NULL, *group = NULL, *sql = NULL;
    sqlite3_stmt *s = NULL;
    pm_area_row *rows = NULL;
    size_t n = 0;
    *out = NULL;
    *out_n = 0;
    if (rc)
        return rc;
    if (group_by && pm_store_has_column(st, ctx, layer, group_by) != 1) {
        char where[600];
        snprintf(where, sizeof where, "%s layer %s", st->path, layer);
        return pm_err(ctx, PM_EUSAGE, "no such field", where, "field '%s'", group_by);
    }
    t = pm_store_quote_ident(layer);
    name = pm_store_optional_column(st, ctx, layer, "name");
    planned = pm_store_optional_column(st, ctx, layer, "planned_area_km2");
    group = group_by ? pm_store_quote_ident(group_by) : strdup("NULL");
    if (!t || !name || !planned || !group) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "areas");
        goto done;
    }
    size_t cap = strlen(t) + strlen(name) + strlen(planned) + strlen(group) + 256;
    sql = malloc(cap);
    if (!sql) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "areas");
        goto done;
    }
    /* The ellipsoidal area is the reference, computed on lon/lat by
     * GeographicLib's algorithm (PM_GeodArea, see store_db.c). */
    snprintf(sql, cap,
             "SELECT source_fid, %s, %s, %s, ST_Area(geom), "
             "PM_GeodArea(AsBinary(Transform(geom, 4326))) FROM %s ORDER BY source_fid, pk",
             name, group, planned, t);
    if ((rc = pm_store_prepare(st, ctx, sql, &s)))
        goto done;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        pm_area_row *nr = realloc(rows, (n + 1) * sizeof(*rows));
        if (!nr) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "areas");
            goto done;
        }
        rows = nr;
        pm_area_row *r = &rows[n++];
        memset(r, 0, sizeof(*r));
        r->fid = sqlite3_column_int64(s, 0);
        r->name = pm_store_name_or_fid(s, 1, r->fid);
        r->group = sqlite3_column_type(s, 2) == SQLITE_NULL
                       ? strdup("")
                       : strdup((const char *)sqlite3_column_text(s, 2));
        r->planned_km2 = sqlite3_column_type(s, 3) == SQLITE_NULL ? NAN
                                                                  : sqlite3_column_double(s, 3);
        r->planar_m2 = sqlite3_column_double(s, 4);
        r->ellipsoidal_m2 = sqlite3_column_type(s, 5) == SQLITE_NULL
                                ? NAN
                                : sqlite3_column_double(s, 5);
        if (!r->name || !r->group) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "areas");
            goto done;
        }
    }
    if (step != SQLITE_DONE) {
        rc = pm_store_sqlerr(st, ctx, "cannot measure areas");
        goto done;
    }
    *out = rows;
    *out_n = n;
    rows = NULL;
done:
    pm_area_rows_free(rows, n);
    sqlite3_finalize(s);
    free(sql);
    free(t);
    free(name);
    free(planned);
    free(group);
    return rc;
}

void pm_area_rows_free(pm_area_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].name);
        free(rows[i].group);
    }
    free(rows);
}

int pm_store_union_area(double *out_planar_m2, double *out_ellipsoidal_m2, pm_ctx *ctx,
                        pm_store *st, const char *layer)
{
    int rc = pm_store_need_layer(st, ctx, layer);
    char sql[512];
    sqlite3_stmt *s = NULL;
    char *t;
    if (rc)
        return rc;
    if (!(t = pm_store_quote_ident(layer)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "union");
    snprintf(sql, sizeof sql,
             "SELECT ST_Area(u), PM_GeodArea(AsBinary(Transform(u, 4326))) FROM "
             "(SELECT ST_Union(geom) AS u FROM %s)",
             t);
    free(t);
    if ((rc = pm_store_prepare(st, ctx, sql, &s)))
        return rc;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *out_planar_m2 = sqlite3_column_type(s, 0) == SQLITE_NULL ? 0 : sqlite3_column_double(s, 0);
        *out_ellipsoidal_m2 =
            sqlite3_column_type(s, 1) == SQLITE_NULL ? 0 : sqlite3_column_double(s, 1);
    } else {
        rc = pm_store_sqlerr(st, ctx, "cannot compute union");
    }
    sqlite3_finalize(s);
    return rc;
}

int pm_store_pairs(pm_pair_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st,
                   const char *layer, double tolerance_m, int want_geom)
{
    int rc = pm_store_need_layer(st, ctx, layer);
    char *t = NULL, *name = NULL, *idx = NULL, *sql = NULL;
    sqlite3_stmt *s = NULL;
    pm_pair_row *rows = NULL;
    size_t n = 0;
    *out = NULL;
    *out_n = 0;
    if (rc)
        return rc;
    if ((rc = pm_store_rtree(&idx, ctx, st, layer)))
        return rc;
    t = pm_store_quote_ident(layer);
    name = pm_store_optional_column(st, ctx, layer, "name");
    if (!t || !name) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "pairs");
        goto done;
    }
    size_t cap = 6 * strlen(t) + 4 * strlen(name) + 2 * strlen(idx) + 4096;
    if (!(sql = malloc(cap))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "pairs");
        goto done;
    }
    /* Candidates come from the R*Tree (boxes grown by the tolerance). One
     * GEOS relate per pair classifies it (DE-9IM: interiors meet in 2D =
     * overlap; boundaries meet in 1D = shared edge), so the costly overlays
     * run only where they yield a figure: the overlap polygon for overlaps,
     * the common boundary for edges. With a tolerance, "shared" is the
     * stretch of a's boundary within the tolerance of b's boundary, so
     * near-misses from reprojection or digitising still count. Lengths and
     * areas are on the ellipsoid (ground metres, not grid metres:
     * Gauss-Krüger grid lengths run ~0.02 % long in Pudong). */
    snprintf(sql, cap,
             PM_CAND_CTE
             /* MATERIALIZED: otherwise SQLite inlines the CTE and runs
              * ST_Relate once per reference to im. */
             ", r AS MATERIALIZED (SELECT ak, bk, af, bf, an, bn, ST_Relate(ag, bg) AS im,"
             "  CASE WHEN ?2 > 0 THEN ST_Distance(ag, bg) ELSE 0 END AS d FROM cand),"
             " near AS (SELECT r.*, a.geom AS ag, b.geom AS bg FROM r"
             "  JOIN %s AS a ON a.pk = r.ak JOIN %s AS b ON b.pk = r.bk"
             "  WHERE CASE WHEN ?2 > 0 THEN d <= ?2"
             "   ELSE substr(im, 1, 2) || substr(im, 4, 2) <> 'FFFF' END),"
             " m AS MATERIALIZED (SELECT af, bf, an, bn, d, im,"
             "  CASE WHEN substr(im, 1, 1) = '2' THEN PM_GeodArea(AsBinary(Transform("
             "   ExtractMultiPolygon(ST_Intersection(ag, bg)), 4326))) ELSE 0 END AS ov,"
             "  CASE WHEN ?2 > 0 THEN ExtractMultiLinestring(ST_Intersection(ST_Boundary(ag),"
             "    ST_Buffer(ST_Boundary(bg), ?2)))"
             "   WHEN substr(im, 5, 1) = '1' THEN ExtractMultiLinestring(ST_Intersection("
             "    ST_Boundary(ag), ST_Boundary(bg)))"
             "  END AS sh FROM near)"
             " SELECT af, bf, an, bn, d, ov, ST_Length(Transform(sh, 4326), 1),"
             "  CASE WHEN ?3 THEN AsBinary(sh) END,"
             "  substr(im, 1, 2) || substr(im, 4, 2) <> 'FFFF' FROM m ORDER BY af, bf",
             name, name, t, t, idx, t, t);
    if ((rc = pm_store_prepare(st, ctx, sql, &s)))
        goto done;
    sqlite3_bind_double(s, 2, tolerance_m);
    sqlite3_bind_int(s, 3, want_geom != 0);
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        pm_pair_row *nr = realloc(rows, (n + 1) * sizeof(*rows));
        if (!nr) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "pairs");
            goto done;
        }
        rows = nr;
        pm_pair_row *r = &rows[n++];
        memset(r, 0, sizeof(*r));
        r->a_fid = sqlite3_column_int64(s, 0);
        r->b_fid = sqlite3_column_int64(s, 1);
        r->a_name = pm_store_name_or_fid(s, 2, r->a_fid);
        r->b_name = pm_store_name_or_fid(s, 3, r->b_fid);
        r->distance_m = sqlite3_column_double(s, 4);
        r->overlap_m2 = sqlite3_column_type(s, 5) == SQLITE_NULL ? 0 : sqlite3_column_double(s, 5);
        r->shared_m = sqlite3_column_type(s, 6) == SQLITE_NULL ? 0 : sqlite3_column_double(s, 6);
        r->touches_point = sqlite3_column_int(s, 8);
        if (!r->a_name || !r->b_name) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "pairs");
            goto done;
        }
        if (want_geom && sqlite3_column_type(s, 7) == SQLITE_BLOB &&
            (rc = pm_geom_from_wkb(&r->shared, ctx, sqlite3_column_blob(s, 7),
                                   (size_t)sqlite3_column_bytes(s, 7))))
            goto done;
    }
    if (step != SQLITE_DONE) {
        rc = pm_store_sqlerr(st, ctx, "cannot compute adjacency");
        goto done;
    }
    *out = rows;
    *out_n = n;
    rows = NULL;
done:
    pm_pair_rows_free(rows, n);
    sqlite3_finalize(s);
    free(sql);
    free(t);
    free(idx);
    free(name);
    return rc;
}

void pm_pair_rows_free(pm_pair_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].a_name);
        free(rows[i].b_name);
        pm_geom_free(rows[i].shared);
    }
    free(rows);
}
