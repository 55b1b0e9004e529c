/* Measures of a whole layer without a boundary graph, read through the
 * store's cursors so that every backend runs this same C: the union's area
 * (tiled through the spatial index for large layers) and the ground of a
 * layer outside another layer's union. GEOS does the overlays; the areas
 * are planar in the storage CRS and ellipsoidal on WGS 84 (GeographicLib,
 * pm_geod_area). A GEOS failure on invalid input leaves the piece out, as
 * the databases' SQL did (SpatiaLite answers NULL there): check reports
 * the invalid geometries themselves. */
#include "topo_internal.h"

#include "parkmap/crs.h"

#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Features per tile of a tiled union: enough that tiles are few, few
 * enough that one tile's union stays a few MB. */
#define UNION_TILE_FEATURES 4000

static void on_geos_msg(const char *fmt, void *user)
{
    (void)fmt;
    (void)user;
}

/* A GEOS context whose messages go nowhere: a failure is an answer here
 * (the piece is left out), not an error. */
static GEOSContextHandle_t geos_open(pm_ctx *ctx, const char *where)
{
    GEOSContextHandle_t h = GEOS_init_r();
    if (!h) {
        pm_err(ctx, PM_ENOMEM, "out of memory", where, "GEOS");
        return NULL;
    }
    GEOSContext_setErrorMessageHandler_r(h, on_geos_msg, NULL);
    GEOSContext_setNoticeMessageHandler_r(h, on_geos_msg, NULL);
    return h;
}

static double ring_area(const pm_ring *r)
{
    double s = 0;
    if (r->n < 3)
        return 0;
    /* Relative to the first point: the shoelace keeps its digits far from
     * the origin of a projected CRS. */
    double x0 = r->xy[0], y0 = r->xy[1];
    for (size_t k = 1; k + 1 < r->n; k++)
        s += (r->xy[2 * k] - x0) * (r->xy[2 * k + 3] - y0) -
             (r->xy[2 * k + 2] - x0) * (r->xy[2 * k + 1] - y0);
    return fabs(s) / 2;
}

double pm_topology_planar_area(const pm_geom *g)
{
    double a = 0;
    for (size_t p = 0; g && g->kind == PM_GEOM_POLYGON && p < g->nparts; p++)
        for (size_t r = 0; r < g->parts[p].nrings; r++)
            a += (r ? -1 : 1) * ring_area(&g->parts[p].rings[r]);
    return a;
}

int pm_topology_ellipsoidal_area(double *out_m2, pm_ctx *ctx, pm_transform *to_ll, const pm_geom *g)
{
    pm_geom *c = NULL;
    int rc = 0;
    *out_m2 = 0;
    if (!g || !g->nparts)
        return 0;
    if (!(rc = pm_geom_clone(&c, ctx, g)) && !(rc = pm_transform_geom(to_ll, ctx, c)))
        *out_m2 = pm_geod_area(c);
    pm_geom_free(c);
    return rc;
}

int pm_topology_to_lonlat(pm_transform **out, pm_ctx *ctx, int srid)
{
    char src[32];
    snprintf(src, sizeof src, "EPSG:%d", srid);
    return pm_transform_new(out, ctx, src, "EPSG:4326");
}

char *pm_topology_value_text(const pm_value *v)
{
    char buf[64];
    if (v->is_null)
        return NULL;
    if (v->type == PM_FIELD_TEXT)
        return strdup(v->s ? v->s : "");
    if (v->type == PM_FIELD_INTEGER) {
        snprintf(buf, sizeof buf, "%lld", (long long)v->i);
        return strdup(buf);
    }
    /* A REAL as SQLite writes it as text ("%!.15g": 15 digits, and a
     * point always). */
    if (!isfinite(v->d))
        return strdup(isnan(v->d) ? "NaN" : v->d > 0 ? "Inf" : "-Inf");
    snprintf(buf, sizeof buf, "%.15g", v->d);
    if (!strpbrk(buf, ".e")) {
        strcat(buf, ".0");
    } else if (!strchr(buf, '.')) {
        char *e = strchr(buf, 'e');
        memmove(e + 2, e, strlen(e) + 1);
        memcpy(e, ".0", 2);
    }
    return strdup(buf);
}

/* ---- the union ---------------------------------------------------------- */

/* Union of what the cursor reads, clipped to box unless box is NULL, its
 * areas added to *planar and *ellipsoidal. A GEOS failure adds nothing. */
static int union_piece(double *planar, double *ellipsoidal, pm_ctx *ctx, GEOSContextHandle_t h,
                       pm_transform *to_ll, pm_cursor *cur, const double *box, const char *where)
{
    pm_feature f = {0};
    GEOSGeometry **parts = NULL, *all = NULL, *u = NULL, *clip = NULL, *c = NULL;
    pm_geom *pg = NULL;
    size_t n = 0, cap = 0;
    int rc = 0, got, failed = 0;
    while ((got = pm_cursor_next(&f, ctx, cur)) == 1) {
        if (f.geom && f.geom->kind == PM_GEOM_POLYGON && f.geom->nparts) {
            if (n == cap) {
                size_t nc = cap ? 2 * cap : 256;
                GEOSGeometry **np = realloc(parts, nc * sizeof *np);
                if (!np) {
                    pm_feature_clear(&f);
                    rc = pm_err(ctx, PM_ENOMEM, "out of memory", where, "union");
                    goto done;
                }
                parts = np;
                cap = nc;
            }
            if (!(parts[n] = topo_pm_to_geos(h, f.geom, 0, 0)))
                failed = 1;
            else
                n++;
        }
        pm_feature_clear(&f);
    }
    if ((rc = got) < 0)
        goto done;
    if (failed || !n)
        goto done;
    all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
    if (!all) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", where, "union");
        goto done;
    }
    n = 0; /* the collection owns them */
    if (!(u = GEOSUnaryUnion_r(h, all)))
        goto done;
    if (box) {
        clip = GEOSGeom_createRectangle_r(h, box[0], box[1], box[2], box[3]);
        if (!clip || !(c = GEOSIntersection_r(h, u, clip)))
            goto done;
    }
    double a = 0;
    if (!GEOSArea_r(h, c ? c : u, &a))
        goto done;
    if ((rc = topo_geos_to_pm(&pg, ctx, h, c ? c : u, where)))
        goto done;
    double e = 0;
    if (pg && (rc = pm_topology_ellipsoidal_area(&e, ctx, to_ll, pg)))
        goto done;
    *planar += a;
    *ellipsoidal += e;
done:
    pm_geom_free(pg);
    for (size_t k = 0; k < n; k++)
        GEOSGeom_destroy_r(h, parts[k]);
    free(parts);
    if (all)
        GEOSGeom_destroy_r(h, all);
    if (u)
        GEOSGeom_destroy_r(h, u);
    if (clip)
        GEOSGeom_destroy_r(h, clip);
    if (c)
        GEOSGeom_destroy_r(h, c);
    return rc;
}

int pm_topology_layer_union_area(double *out_planar_m2, double *out_ellipsoidal_m2, pm_ctx *ctx,
                                 pm_store *st, const char *layer)
{
    GEOSContextHandle_t h = NULL;
    pm_transform *to_ll = NULL;
    pm_cursor *cur = NULL;
    double ext[4], planar = 0, ellipsoidal = 0;
    long count = 0;
    int srid = 0, rc;
    const char *where = pm_store_path(st);
    *out_planar_m2 = *out_ellipsoidal_m2 = 0;
    if ((rc = pm_store_layer_srid(&srid, ctx, st, layer)) ||
        (rc = pm_store_layer_stats(&count, ext, ctx, st, layer)))
        return rc;
    if (count == 0 || !isfinite(ext[0]))
        return 0;
    if ((rc = pm_topology_to_lonlat(&to_ll, ctx, srid)))
        return rc;
    if (!(h = geos_open(ctx, where))) {
        rc = PM_ENOMEM;
        goto done;
    }
    /* The union of a large layer is taken tile by tile: the tiles cover the
     * extent without overlapping, so the areas of the clipped tile unions
     * add up to the area of the whole union, while GEOS only ever holds one
     * tile's features (the whole union of 100,000 parcels took 80 MB and
     * grew with the layer). Clipping adds vertices only along tile edges,
     * shared by the pieces on either side, so the ellipsoidal sum agrees
     * too. A small layer is one tile and is not clipped at all. */
    int nt = (int)ceil(sqrt((double)count / UNION_TILE_FEATURES));
    if (nt <= 1) {
        if (!(rc = pm_store_cursor_open_fields(&cur, ctx, st, layer, NULL, 0)))
            rc = union_piece(&planar, &ellipsoidal, ctx, h, to_ll, cur, NULL, where);
        goto done;
    }
    double w = (ext[2] - ext[0]) / nt, ht = (ext[3] - ext[1]) / nt;
    for (int i = 0; i < nt && !rc; i++)
        for (int j = 0; j < nt && !rc; j++) {
            /* Shared tile edges are computed once, so neighbours meet exactly. */
            double box[4] = {ext[0] + i * w, ext[1] + j * ht,
                             i == nt - 1 ? ext[2] : ext[0] + (i + 1) * w,
                             j == nt - 1 ? ext[3] : ext[1] + (j + 1) * ht};
            pm_cursor_free(cur);
            cur = NULL;
            if (!(rc = pm_store_cursor_open_bbox(&cur, ctx, st, layer, NULL, 0, box)))
                rc = union_piece(&planar, &ellipsoidal, ctx, h, to_ll, cur, box, where);
        }
done:
    pm_cursor_free(cur);
    if (h)
        GEOS_finish_r(h);
    pm_transform_free(to_ll);
    if (!rc) {
        *out_planar_m2 = planar;
        *out_ellipsoidal_m2 = ellipsoidal;
    }
    return rc;
}

/* ---- ground outside a layer --------------------------------------------- */

void pm_pair_area_rows_free(pm_pair_area_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].a_name);
        free(rows[i].b_name);
        pm_geom_free(rows[i].geom);
    }
    free(rows);
}

/* The union of layer `within`, in srid (transformed when its own differs),
 * prepared; *out NULL when the layer holds nothing or GEOS cannot union it
 * (then nothing lies outside it, as the databases' NULL union said). */
static int bound_union(GEOSGeometry **out, const GEOSPreparedGeometry **out_prep, pm_ctx *ctx,
                       GEOSContextHandle_t h, pm_store *st, const char *within, int srid)
{
    pm_cursor *cur = NULL;
    pm_transform *tr = NULL;
    pm_feature f = {0};
    GEOSGeometry **parts = NULL, *all = NULL;
    size_t n = 0, cap = 0;
    int wsrid = 0, rc, got, failed = 0;
    *out = NULL;
    *out_prep = NULL;
    if ((rc = pm_store_layer_srid(&wsrid, ctx, st, within)))
        return rc;
    if (wsrid != srid) {
        char a[32], b[32];
        snprintf(a, sizeof a, "EPSG:%d", wsrid);
        snprintf(b, sizeof b, "EPSG:%d", srid);
        if ((rc = pm_transform_new(&tr, ctx, a, b)))
            return rc;
    }
    if ((rc = pm_store_cursor_open_fields(&cur, ctx, st, within, NULL, 0)))
        goto done;
    while ((got = pm_cursor_next(&f, ctx, cur)) == 1) {
        if (f.geom && f.geom->kind == PM_GEOM_POLYGON && f.geom->nparts) {
            if (tr && (rc = pm_transform_geom(tr, ctx, f.geom))) {
                pm_feature_clear(&f);
                goto done;
            }
            if (n == cap) {
                size_t nc = cap ? 2 * cap : 16;
                GEOSGeometry **np = realloc(parts, nc * sizeof *np);
                if (!np) {
                    pm_feature_clear(&f);
                    rc = pm_err(ctx, PM_ENOMEM, "out of memory", within, "union");
                    goto done;
                }
                parts = np;
                cap = nc;
            }
            if (!(parts[n] = topo_pm_to_geos(h, f.geom, 0, 0)))
                failed = 1;
            else
                n++;
        }
        pm_feature_clear(&f);
    }
    if ((rc = got) < 0 || failed || !n)
        goto done;
    all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
    if (!all) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", within, "union");
        goto done;
    }
    n = 0;
    if ((*out = GEOSUnaryUnion_r(h, all)) && !(*out_prep = GEOSPrepare_r(h, *out))) {
        GEOSGeom_destroy_r(h, *out);
        *out = NULL;
    }
done:
    for (size_t k = 0; k < n; k++)
        GEOSGeom_destroy_r(h, parts[k]);
    free(parts);
    if (all)
        GEOSGeom_destroy_r(h, all);
    pm_cursor_free(cur);
    pm_transform_free(tr);
    return rc;
}

/* Each feature's part outside `within`, moved by (dx, dy) first; fn gets
 * the feature and the part (polygons only) with its ellipsoidal area. A
 * feature GEOS fails on is left out. */
typedef int (*outside_fn)(void *user, pm_ctx *ctx, pm_feature *f, pm_geom **part, double m2);

static int each_outside(pm_ctx *ctx, pm_store *st, const char *layer, const char *within, double dx,
                        double dy, const char *const *fields, size_t nfields, outside_fn fn,
                        void *user)
{
    GEOSContextHandle_t h = NULL;
    GEOSGeometry *u = NULL;
    const GEOSPreparedGeometry *prep = NULL;
    pm_transform *to_ll = NULL;
    pm_cursor *cur = NULL;
    pm_feature f = {0};
    int srid = 0, rc, got = 0;
    const char *where = pm_store_path(st);
    if ((rc = pm_store_layer_srid(&srid, ctx, st, layer)))
        return rc;
    if (!(h = geos_open(ctx, where)))
        return PM_ENOMEM;
    if ((rc = bound_union(&u, &prep, ctx, h, st, within, srid)) || !u)
        goto done;
    if ((rc = pm_topology_to_lonlat(&to_ll, ctx, srid)) ||
        (rc = pm_store_cursor_open_fields(&cur, ctx, st, layer, fields, nfields)))
        goto done;
    while ((got = pm_cursor_next(&f, ctx, cur)) == 1) {
        GEOSGeometry *g = NULL, *d = NULL;
        pm_geom *part = NULL;
        double m2 = 0;
        if (f.geom && f.geom->kind == PM_GEOM_POLYGON && f.geom->nparts &&
            (g = topo_pm_to_geos(h, f.geom, dx, dy)) &&
            /* Inside the bound: nothing outside (the difference would be
             * empty or only lines); skipping the overlay is what keeps
             * 100,000 parcels in an outline fast. */
            GEOSPreparedContains_r(h, prep, g) != 1 && (d = GEOSDifference_r(h, g, u)) &&
            !(rc = topo_geos_to_pm(&part, ctx, h, d, where)) && part &&
            !(rc = pm_topology_ellipsoidal_area(&m2, ctx, to_ll, part)))
            rc = fn(user, ctx, &f, &part, m2);
        pm_geom_free(part);
        if (g)
            GEOSGeom_destroy_r(h, g);
        if (d)
            GEOSGeom_destroy_r(h, d);
        pm_feature_clear(&f);
        if (rc)
            goto done;
    }
    rc = got < 0 ? got : 0;
done:
    pm_cursor_free(cur);
    pm_transform_free(to_ll);
    if (prep)
        GEOSPreparedGeom_destroy_r(h, prep);
    if (u)
        GEOSGeom_destroy_r(h, u);
    if (h)
        GEOS_finish_r(h);
    return rc;
}

typedef struct {
    pm_pair_area_row *rows;
    size_t n, cap;
    double min_m2;
    const char *where;
} outside_rows;

static char *name_text(const pm_feature *f, int col)
{
    char buf[40];
    if (col < 0 || f->values[col].is_null) {
        snprintf(buf, sizeof buf, "#%lld", (long long)f->fid);
        return strdup(buf);
    }
    return pm_topology_value_text(&f->values[col]);
}

static int add_outside(void *user, pm_ctx *ctx, pm_feature *f, pm_geom **part, double m2)
{
    outside_rows *o = user;
    if (!(m2 > o->min_m2))
        return 0;
    if (o->n == o->cap) {
        size_t nc = o->cap ? 2 * o->cap : 16;
        pm_pair_area_row *nr = realloc(o->rows, nc * sizeof *nr);
        if (!nr)
            return pm_err(ctx, PM_ENOMEM, "out of memory", o->where, "qa");
        o->rows = nr;
        o->cap = nc;
    }
    pm_pair_area_row *r = &o->rows[o->n++];
    memset(r, 0, sizeof *r);
    r->a_fid = r->b_fid = f->fid;
    r->area_m2 = m2;
    r->a_name = name_text(f, f->nvalues ? 0 : -1);
    r->b_name = r->a_name ? strdup(r->a_name) : NULL;
    r->geom = *part;
    *part = NULL;
    if (!r->a_name || !r->b_name)
        return pm_err(ctx, PM_ENOMEM, "out of memory", o->where, "qa");
    return 0;
}

/* fid order, stored order among equal fids (the databases' ORDER BY fid,
 * pk): a stable sort, by the index it was read at. */
static int by_fid(const void *a, const void *b)
{
    const pm_pair_area_row *x = a, *y = b;
    if (x->a_fid != y->a_fid)
        return x->a_fid < y->a_fid ? -1 : 1;
    return x->distance_m < y->distance_m ? -1 : x->distance_m > y->distance_m;
}

int pm_topology_outside(pm_pair_area_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st,
                        const char *layer, const char *within, double min_m2)
{
    static const char *const fields[] = {"name"};
    outside_rows o = {NULL, 0, 0, min_m2, pm_store_path(st)};
    int rc = each_outside(ctx, st, layer, within, 0, 0, fields, 1, add_outside, &o);
    *out = NULL;
    *out_n = 0;
    if (rc) {
        pm_pair_area_rows_free(o.rows, o.n);
        return rc;
    }
    /* distance_m (0 in the result) carries the read index for the sort. */
    for (size_t i = 0; i < o.n; i++)
        o.rows[i].distance_m = (double)i;
    if (o.n > 1)
        qsort(o.rows, o.n, sizeof *o.rows, by_fid);
    for (size_t i = 0; i < o.n; i++)
        o.rows[i].distance_m = 0;
    *out = o.rows;
    *out_n = o.n;
    return 0;
}

static int add_shifted(void *user, pm_ctx *ctx, pm_feature *f, pm_geom **part, double m2)
{
    (void)ctx;
    (void)f;
    (void)part;
    *(double *)user += m2;
    return 0;
}

int pm_topology_outside_shifted(double *out_m2, pm_ctx *ctx, pm_store *st, const char *layer,
                                const char *within, double dx, double dy)
{
    double sum = 0;
    int rc = each_outside(ctx, st, layer, within, dx, dy, NULL, 0, add_shifted, &sum);
    *out_m2 = rc ? 0 : sum;
    return rc;
}
