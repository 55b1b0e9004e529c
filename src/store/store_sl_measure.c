/* SpatiaLite backend: the areas computed in the database, per feature and
 * of a layer's union (planar in the storage CRS, ellipsoidal on WGS 84). */
#include "store_sl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Import refuses a planned area that is not a plain number, but a database
 * edited since (or imported by an older parkmap) may hold "x" or "1,2",
 * which SQLite reads as 0 or 1: such a value is missing, not a number. */
static double planned_value(sqlite3_stmt *s, int col)
{
    int t = sqlite3_column_type(s, col);
    double d = NAN;
    if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {
        d = sqlite3_column_double(s, col);
    } else if (t == SQLITE_TEXT) {
        const char *p = (const char *)sqlite3_column_text(s, col);
        char *end = NULL;
        d = p ? strtod(p, &end) : NAN;
        if (!p || end == p || *(end + strspn(end, " \t")))
            d = NAN;
    }
    return isfinite(d) && d >= 0 ? d : NAN;
}

int pm_sl_area_rows(pm_area_row **out, size_t *out_n, pm_ctx *ctx, void *be, const char *layer,
                    const char *group_by, int measure)
{
    pm_sl *st = be;
    int rc = pm_sl_need_layer(st, ctx, layer);
    char *t = NULL, *name = NULL, *planned = NULL, *group = NULL, *sql = NULL;
    sqlite3_stmt *s = NULL;
    pm_area_row *rows = NULL;
    size_t n = 0;
    *out = NULL;
    *out_n = 0;
    if (rc)
        return rc;
    if (group_by && pm_sl_has_column(st, ctx, layer, group_by) != 1) {
        char where[600];
        snprintf(where, sizeof where, "%s layer %s", st->path, layer);
        return pm_err(ctx, PM_EUSAGE, "no such field", where, "field '%s'", group_by);
    }
    t = pm_sl_quote_ident(layer);
    name = pm_sl_optional_column(st, ctx, layer, "name");
    planned = pm_sl_optional_column(st, ctx, layer, "planned_area_km2");
    group = group_by ? pm_sl_quote_ident(group_by) : strdup("NULL");
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
    snprintf(sql, cap, "SELECT source_fid, %s, %s, %s, %s, pk FROM %s ORDER BY source_fid, pk",
             name, group, planned,
             measure ? "ST_Area(geom), PM_GeodArea(AsBinary(Transform(geom, 4326)))" : "NULL, NULL",
             t);
    if ((rc = pm_sl_prepare(st, ctx, sql, &s)))
        goto done;
    int step;
    size_t cap_rows = 0;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == cap_rows) {
            size_t nc = cap_rows ? 2 * cap_rows : 64;
            pm_area_row *nr = realloc(rows, nc * sizeof(*rows));
            if (!nr) {
                rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "areas");
                goto done;
            }
            rows = nr;
            cap_rows = nc;
        }
        pm_area_row *r = &rows[n++];
        memset(r, 0, sizeof(*r));
        r->fid = sqlite3_column_int64(s, 0);
        r->pk = sqlite3_column_int64(s, 6);
        r->name = pm_sl_name_or_fid(s, 1, r->fid);
        r->group = sqlite3_column_type(s, 2) == SQLITE_NULL
                       ? strdup("")
                       : strdup((const char *)sqlite3_column_text(s, 2));
        r->planned_km2 = planned_value(s, 3);
        r->planar_m2 = sqlite3_column_type(s, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 4);
        r->ellipsoidal_m2 =
            sqlite3_column_type(s, 5) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 5);
        if (!r->name || !r->group) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "areas");
            goto done;
        }
    }
    if (step != SQLITE_DONE) {
        rc = pm_sl_sqlerr(st, ctx, "cannot measure areas");
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

/* Features per tile of a tiled union: enough that tiles are few, few
 * enough that one tile's union stays a few MB. */
#define UNION_TILE_FEATURES 4000

/* Union area of the features whose boxes meet tile (x0, y0, x1, y1), clipped
 * to the tile, added to *planar and *ellipsoidal. */
static int union_tile(double *planar, double *ellipsoidal, pm_ctx *ctx, pm_sl *st, sqlite3_stmt *s,
                      const double box[4])
{
    sqlite3_reset(s);
    for (int i = 0; i < 4; i++)
        sqlite3_bind_double(s, i + 1, box[i]);
    if (sqlite3_step(s) != SQLITE_ROW)
        return pm_sl_sqlerr(st, ctx, "cannot compute union");
    *planar += sqlite3_column_double(s, 0);
    *ellipsoidal += sqlite3_column_double(s, 1);
    return 0;
}

int pm_sl_union_area(double *out_planar_m2, double *out_ellipsoidal_m2, pm_ctx *ctx, void *be,
                     const char *layer)
{
    pm_sl *st = be;
    int rc = pm_sl_need_layer(st, ctx, layer), srid = 0;
    char *sql = NULL, *t = NULL, *idx = NULL;
    sqlite3_stmt *s = NULL;
    double ext[4] = {0, 0, 0, 0}, planar = 0, ellipsoidal = 0;
    sqlite3_int64 count = 0;
    *out_planar_m2 = *out_ellipsoidal_m2 = 0;
    if (rc)
        return rc;
    if ((rc = pm_sl_layer_srid(&srid, ctx, st, layer)) ||
        (rc = pm_sl_check_srids(st, ctx, layer, srid)) || (rc = pm_sl_rtree(&idx, ctx, st, layer)))
        goto done;
    t = pm_sl_quote_ident(layer);
    size_t cap = 2 * strlen(idx) + strlen(t) + 1024;
    if (!t || !(sql = malloc(cap))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "union");
        goto done;
    }
    snprintf(sql, cap, "SELECT count(*), min(xmin), min(ymin), max(xmax), max(ymax) FROM %s", idx);
    if ((rc = pm_sl_prepare(st, ctx, sql, &s)))
        goto done;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 1) != SQLITE_NULL) {
        count = sqlite3_column_int64(s, 0);
        for (int i = 0; i < 4; i++)
            ext[i] = sqlite3_column_double(s, i + 1);
    }
    sqlite3_finalize(s);
    s = NULL;
    /* The union of a large layer is taken tile by tile: the tiles cover the
     * extent without overlapping, so the areas of the clipped tile unions
     * add up to the area of the whole union, while GEOS only ever holds one
     * tile's features (the whole union of 100,000 parcels took 80 MB and
     * grew with the layer). Clipping adds vertices only along tile edges,
     * shared by the pieces on either side, so the ellipsoidal sum agrees too.
     * A small layer is one tile and is not clipped at all. */
    int nt = (int)ceil(sqrt((double)count / UNION_TILE_FEATURES));
    if (nt <= 1) {
        snprintf(sql, cap,
                 "SELECT ST_Area(u), PM_GeodArea(AsBinary(Transform(u, 4326))) FROM "
                 "(SELECT ST_Union(geom) AS u FROM %s)",
                 t);
        if ((rc = pm_sl_prepare(st, ctx, sql, &s)))
            goto done;
        if (sqlite3_step(s) == SQLITE_ROW) {
            planar = sqlite3_column_double(s, 0); /* NULL (empty layer): 0 */
            ellipsoidal = sqlite3_column_double(s, 1);
        } else {
            rc = pm_sl_sqlerr(st, ctx, "cannot compute union");
        }
        goto done;
    }
    snprintf(sql, cap,
             "SELECT total(ST_Area(c)), total(PM_GeodArea(AsBinary(Transform(c, 4326)))) FROM"
             " (SELECT ST_Intersection(ST_Union(geom), BuildMbr(?1, ?2, ?3, ?4, %d)) AS c"
             "  FROM %s WHERE pk IN (SELECT pkid FROM %s"
             "   WHERE xmin <= ?3 AND xmax >= ?1 AND ymin <= ?4 AND ymax >= ?2))",
             srid, t, idx);
    if ((rc = pm_sl_prepare(st, ctx, sql, &s)))
        goto done;
    double w = (ext[2] - ext[0]) / nt, h = (ext[3] - ext[1]) / nt;
    for (int i = 0; i < nt && !rc; i++)
        for (int j = 0; j < nt && !rc; j++) {
            /* Shared tile edges are computed once, so neighbours meet exactly. */
            double box[4] = {ext[0] + i * w, ext[1] + j * h,
                             i == nt - 1 ? ext[2] : ext[0] + (i + 1) * w,
                             j == nt - 1 ? ext[3] : ext[1] + (j + 1) * h};
            rc = union_tile(&planar, &ellipsoidal, ctx, st, s, box);
        }
done:
    if (!rc) {
        *out_planar_m2 = planar;
        *out_ellipsoidal_m2 = ellipsoidal;
    }
    sqlite3_finalize(s);
    free(sql);
    free(t);
    free(idx);
    return rc;
}
