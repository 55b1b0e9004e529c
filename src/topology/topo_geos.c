/* The overlays the graph cannot answer alone, through GEOS's C API: the
 * area two overlapping features share, the union, and the closing that
 * turns narrow unclaimed ground into gap pieces. All of them run on the
 * snapped and noded geometry, so shared edges are identical here. */
#include "topo_internal.h"

#include <geos_c.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GEOS's last message, per topology (GEOS reports through a callback). */
typedef struct {
    GEOSContextHandle_t h;
    char msg[256];
} geos_env;

static void on_geos_error(const char *fmt, void *user)
{
    geos_env *env = user;
    snprintf(env->msg, sizeof env->msg, "%s", fmt);
}

static geos_env *env_of(pm_topology *t, pm_ctx *ctx)
{
    if (t->geos)
        return t->geos;
    geos_env *env = calloc(1, sizeof *env);
    if (!env || !(env->h = GEOS_init_r())) {
        free(env);
        if (ctx)
            pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: GEOS");
        return NULL;
    }
    GEOSContext_setErrorMessageHandler_r(env->h, on_geos_error, env);
    t->geos = env;
    return env;
}

static int geos_fail(pm_ctx *ctx, pm_topology *t, geos_env *env, const char *what)
{
    return pm_err(ctx, PM_EINTERNAL, what, t->layer, "GEOS: %s",
                  env->msg[0] ? env->msg : "no reason given");
}

/* One ring of the graph as a closed GEOS ring. */
static GEOSGeometry *ring_geos(GEOSContextHandle_t h, const pm_topology *t, size_t r, double *buf)
{
    size_t n = t->r_first[r + 1] - t->r_first[r];
    for (size_t k = 0; k < n; k++) {
        const double *p = &t->nxy[2 * t->rnode[t->r_first[r] + k]];
        buf[2 * k] = p[0];
        buf[2 * k + 1] = p[1];
    }
    buf[2 * n] = buf[0];
    buf[2 * n + 1] = buf[1];
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(h, buf, (unsigned)(n + 1), 0, 0);
    return cs ? GEOSGeom_createLinearRing_r(h, cs) : NULL;
}

/* Feature f (snapped, noded) as a GEOS MultiPolygon; each exterior ring
 * starts a polygon, the holes after it belong to it. */
static GEOSGeometry *feature_geos(GEOSContextHandle_t h, const pm_topology *t, uint32_t f)
{
    size_t r0 = t->f_ring[f], r1 = t->f_ring[f + 1], maxn = 0;
    for (size_t r = r0; r < r1; r++)
        if (t->r_first[r + 1] - t->r_first[r] > maxn)
            maxn = t->r_first[r + 1] - t->r_first[r];
    double *buf = malloc((2 * maxn + 2) * sizeof *buf);
    GEOSGeometry **polys = calloc(r1 - r0 + 1, sizeof *polys), **holes = NULL;
    size_t npoly = 0;
    int ok = buf && polys;
    for (size_t r = r0; ok && r < r1;) {
        size_t nh = 0;
        while (r + 1 + nh < r1 && t->r_hole[r + 1 + nh])
            nh++;
        GEOSGeometry *shell = ring_geos(h, t, r, buf);
        holes = nh ? calloc(nh, sizeof *holes) : NULL;
        ok = shell && (!nh || holes);
        for (size_t k = 0; ok && k < nh; k++)
            ok = (holes[k] = ring_geos(h, t, r + 1 + k, buf)) != NULL;
        if (ok) {
            /* createPolygon owns the rings from here, even when it fails. */
            ok = (polys[npoly] = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)nh)) != NULL;
            npoly += ok;
        } else {
            if (shell)
                GEOSGeom_destroy_r(h, shell);
            for (size_t k = 0; holes && k < nh; k++)
                if (holes[k])
                    GEOSGeom_destroy_r(h, holes[k]);
        }
        free(holes);
        holes = NULL;
        r += 1 + nh;
    }
    GEOSGeometry *g = NULL;
    if (ok)
        g = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)npoly);
    else
        for (size_t k = 0; k < npoly; k++)
            GEOSGeom_destroy_r(h, polys[k]);
    free(polys);
    free(buf);
    return g;
}

/* The polygons of a GEOS result into a pm_geom (lines and points an
 * overlay may add where areas touch are dropped). */
int topo_add_polygons(GEOSContextHandle_t h, const GEOSGeometry *g, pm_geom *out)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++)
            if (topo_add_polygons(h, GEOSGetGeometryN_r(h, g, i), out))
                return -1;
        return 0;
    }
    if (type != GEOS_POLYGON || GEOSisEmpty_r(h, g))
        return 0;
    int nh = GEOSGetNumInteriorRings_r(h, g);
    if ((out->nparts & (out->nparts - 1)) == 0) { /* capacity doubles at powers of two */
        pm_part *parts = realloc(out->parts, (out->nparts ? 2 * out->nparts : 1) * sizeof *parts);
        if (!parts)
            return -1;
        out->parts = parts;
    }
    pm_part *p = &out->parts[out->nparts++];
    p->nrings = 0;
    if (!(p->rings = calloc((size_t)nh + 1, sizeof *p->rings)))
        return -1;
    for (int k = -1; k < nh; k++) {
        const GEOSGeometry *ring =
            k < 0 ? GEOSGetExteriorRing_r(h, g) : GEOSGetInteriorRingN_r(h, g, k);
        const GEOSCoordSequence *cs = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
        unsigned n = 0;
        if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n))
            return -1;
        pm_ring *r = &p->rings[p->nrings];
        if (!(r->xy = malloc((2 * (size_t)n + 1) * sizeof *r->xy)) ||
            !GEOSCoordSeq_copyToBuffer_r(h, cs, r->xy, 0, 0))
            return -1;
        r->n = n;
        p->nrings++;
    }
    return 0;
}

/* One ring as a closed GEOS ring (closed here if the store's was not),
 * shifted by (dx, dy). */
static GEOSGeometry *pm_ring_geos(GEOSContextHandle_t h, const pm_ring *r, double dx, double dy)
{
    if (r->n < 3)
        return NULL;
    int closed = r->xy[0] == r->xy[2 * r->n - 2] && r->xy[1] == r->xy[2 * r->n - 1];
    size_t n = r->n + !closed;
    double *buf = malloc(2 * n * sizeof *buf);
    GEOSGeometry *g = NULL;
    if (!buf)
        return NULL;
    for (size_t k = 0; k < r->n; k++) {
        buf[2 * k] = r->xy[2 * k] + dx;
        buf[2 * k + 1] = r->xy[2 * k + 1] + dy;
    }
    if (!closed) {
        buf[2 * n - 2] = buf[0];
        buf[2 * n - 1] = buf[1];
    }
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(h, buf, (unsigned)n, 0, 0);
    if (cs)
        g = GEOSGeom_createLinearRing_r(h, cs); /* owns cs, even on failure */
    free(buf);
    return g;
}

/* A polygon pm_geom as a GEOS MultiPolygon, moved by (dx, dy); NULL when
 * GEOS refuses it (a ring of fewer than four points). */
GEOSGeometry *topo_pm_to_geos(GEOSContextHandle_t h, const pm_geom *g, double dx, double dy)
{
    GEOSGeometry **polys = calloc(g->nparts + 1, sizeof *polys), *out = NULL;
    size_t np = 0;
    int ok = polys != NULL;
    for (size_t p = 0; ok && p < g->nparts; p++) {
        const pm_part *part = &g->parts[p];
        if (!part->nrings)
            continue;
        size_t nh = part->nrings - 1;
        GEOSGeometry *shell = pm_ring_geos(h, &part->rings[0], dx, dy);
        GEOSGeometry **holes = nh ? calloc(nh, sizeof *holes) : NULL;
        ok = shell && (!nh || holes);
        for (size_t k = 0; ok && k < nh; k++)
            ok = (holes[k] = pm_ring_geos(h, &part->rings[k + 1], dx, dy)) != NULL;
        if (ok) {
            /* createPolygon owns the rings from here, even when it fails. */
            ok = (polys[np] = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)nh)) != NULL;
            np += ok;
        } else {
            if (shell)
                GEOSGeom_destroy_r(h, shell);
            for (size_t k = 0; holes && k < nh; k++)
                if (holes[k])
                    GEOSGeom_destroy_r(h, holes[k]);
        }
        free(holes);
    }
    if (ok)
        out = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)np);
    else
        for (size_t k = 0; k < np; k++)
            GEOSGeom_destroy_r(h, polys[k]);
    free(polys);
    return out;
}

/* The polygons of a GEOS result as a pm_geom (*out NULL when there are
 * none: an overlay's lines and points where areas touch are dropped, as
 * SpatiaLite's ExtractMultiPolygon and PostGIS's ST_CollectionExtract do). */
int topo_geos_to_pm(pm_geom **out, pm_ctx *ctx, GEOSContextHandle_t h, const GEOSGeometry *g,
                    const char *where)
{
    pm_geom *pg = calloc(1, sizeof *pg);
    *out = NULL;
    if (!pg)
        return pm_err(ctx, PM_ENOMEM, "out of memory", where, "geometry");
    pg->kind = PM_GEOM_POLYGON;
    if (topo_add_polygons(h, g, pg)) {
        pm_geom_free(pg);
        return pm_err(ctx, PM_ENOMEM, "cannot read a GEOS result", where, "geometry");
    }
    if (!pg->nparts)
        pm_geom_free(pg);
    else
        *out = pg;
    return 0;
}

static int to_pm(pm_geom **out, pm_ctx *ctx, pm_topology *t, GEOSContextHandle_t h,
                 const GEOSGeometry *g)
{
    pm_geom *pg = calloc(1, sizeof *pg);
    *out = NULL;
    if (!pg)
        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: geometry");
    pg->kind = PM_GEOM_POLYGON;
    if (topo_add_polygons(h, g, pg)) {
        pm_geom_free(pg);
        return pm_err(ctx, PM_ENOMEM, "cannot read a GEOS result", t->layer, "topology");
    }
    *out = pg;
    return 0;
}

int topo_overlap(double *out_m2, pm_geom **out_geom, pm_ctx *ctx, pm_topology *t, uint32_t f,
                 uint32_t g)
{
    geos_env *env = env_of(t, ctx);
    GEOSGeometry *a = NULL, *b = NULL, *x = NULL;
    pm_geom *pg = NULL;
    int rc = 0;
    *out_m2 = 0;
    if (out_geom)
        *out_geom = NULL;
    if (!env)
        return PM_ENOMEM;
    if (!(a = feature_geos(env->h, t, f)) || !(b = feature_geos(env->h, t, g)) ||
        !(x = GEOSIntersection_r(env->h, a, b))) {
        rc = geos_fail(ctx, t, env, "cannot intersect features");
        goto done;
    }
    if ((rc = to_pm(&pg, ctx, t, env->h, x)))
        goto done;
    if (pg->nparts && (rc = topo_geod_area(out_m2, ctx, t, pg)))
        goto done;
    if (out_geom && pg->nparts) {
        *out_geom = pg;
        pg = NULL;
    }
done:
    pm_geom_free(pg);
    if (a)
        GEOSGeom_destroy_r(env->h, a);
    if (b)
        GEOSGeom_destroy_r(env->h, b);
    if (x)
        GEOSGeom_destroy_r(env->h, x);
    return rc;
}

/* ---- the union -------------------------------------------------------------- */

static int need_union(pm_topology *t, pm_ctx *ctx)
{
    geos_env *env = env_of(t, ctx);
    GEOSGeometry **parts = NULL, *all = NULL, *u = NULL;
    pm_geom *pg = NULL;
    int rc = 0;
    if (!env)
        return PM_ENOMEM;
    if (t->have_union)
        return 0;
    if (!(parts = calloc(t->nf + 1, sizeof *parts))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: union");
        goto done;
    }
    for (size_t f = 0; f < t->nf; f++)
        if (!(parts[f] = feature_geos(env->h, t, (uint32_t)f))) {
            rc = geos_fail(ctx, t, env, "cannot build a feature");
            for (size_t k = 0; k < f; k++)
                GEOSGeom_destroy_r(env->h, parts[k]);
            goto done;
        }
    if (!(all = GEOSGeom_createCollection_r(env->h, GEOS_GEOMETRYCOLLECTION, parts,
                                            (unsigned)t->nf))) {
        rc = geos_fail(ctx, t, env, "cannot collect features");
        goto done;
    }
    /* A clean coverage (no overlap evidence: every shared edge matched)
     * only needs its inner edges dropped: GEOS's coverage union does that
     * in about the time it takes to read the edges. Otherwise the general
     * union. */
    if (t->novl == 0)
        u = GEOSCoverageUnion_r(env->h, all);
    if (!u)
        u = GEOSUnaryUnion_r(env->h, all);
    if (!u) {
        rc = geos_fail(ctx, t, env, "cannot compute the union");
        goto done;
    }
    double a = 0;
    GEOSArea_r(env->h, u, &a);
    if ((rc = to_pm(&pg, ctx, t, env->h, u)) ||
        (pg->nparts && (rc = topo_geod_area(&t->union_ellipsoidal_m2, ctx, t, pg))))
        goto done;
    t->union_planar_m2 = a;
    t->union_geom = u;
    u = NULL;
    t->have_union = 1;
done:
    pm_geom_free(pg);
    if (u)
        GEOSGeom_destroy_r(env->h, u);
    if (all)
        GEOSGeom_destroy_r(env->h, all);
    free(parts);
    return rc;
}

int pm_topology_union_area(double *out_planar_m2, double *out_ellipsoidal_m2, pm_ctx *ctx,
                           pm_topology *t)
{
    int rc = need_union(t, ctx);
    *out_planar_m2 = rc ? 0 : t->union_planar_m2;
    *out_ellipsoidal_m2 = rc ? 0 : t->union_ellipsoidal_m2;
    return rc;
}

int topo_inside_prepared(pm_topology *t, uint32_t f, double x, double y)
{
    geos_env *env = env_of(t, NULL);
    if (!env)
        return -1;
    GEOSContextHandle_t h = env->h;
    /* Four slots a feature: prepared polygon, prepared boundary, and the
     * two geometries they point into (GEOSPrepare keeps no copy). */
    if (!t->prep && !(t->prep = calloc(4 * t->nf + 4, sizeof *t->prep)))
        return -1;
    void **slot = &t->prep[4 * f];
    if (!slot[0]) {
        GEOSGeometry *g = feature_geos(h, t, f), *b = g ? GEOSBoundary_r(h, g) : NULL;
        const GEOSPreparedGeometry *pg = g ? GEOSPrepare_r(h, g) : NULL;
        const GEOSPreparedGeometry *pb = b ? GEOSPrepare_r(h, b) : NULL;
        if (!pg || !pb) {
            if (pg)
                GEOSPreparedGeom_destroy_r(h, pg);
            if (pb)
                GEOSPreparedGeom_destroy_r(h, pb);
            if (g)
                GEOSGeom_destroy_r(h, g);
            if (b)
                GEOSGeom_destroy_r(h, b);
            return -1;
        }
        slot[0] = (void *)pg;
        slot[1] = (void *)pb;
        slot[2] = g;
        slot[3] = b;
    }
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
    if (!pt)
        return -1;
    int in = GEOSPreparedContainsProperly_r(h, slot[0], pt) == 1 &&
             GEOSPreparedDistanceWithin_r(h, slot[1], pt, t->snap_m) != 1;
    GEOSGeom_destroy_r(h, pt);
    return in;
}

void topo_geos_free(pm_topology *t)
{
    geos_env *env = t->geos;
    if (!env)
        return;
    for (size_t f = 0; t->prep && f < t->nf; f++) {
        void **slot = &t->prep[4 * f];
        if (!slot[0])
            continue;
        GEOSPreparedGeom_destroy_r(env->h, slot[0]);
        GEOSPreparedGeom_destroy_r(env->h, slot[1]);
        GEOSGeom_destroy_r(env->h, slot[2]);
        GEOSGeom_destroy_r(env->h, slot[3]);
    }
    free(t->prep);
    t->prep = NULL;
    if (t->union_geom)
        GEOSGeom_destroy_r(env->h, t->union_geom);
    t->union_geom = NULL;
    GEOS_finish_r(env->h);
    free(env);
    t->geos = NULL;
}

/* ---- gaps ------------------------------------------------------------------- */

void pm_topo_gaps_free(pm_topo_gap *g, size_t n)
{
    for (size_t i = 0; g && i < n; i++) {
        free(g[i].fids);
        pm_geom_free(g[i].geom);
    }
    free(g);
}

typedef struct {
    pm_topology *t;
    GEOSContextHandle_t h;
    const GEOSPreparedGeometry *piece;
    double within;
    int64_t *fids;
    size_t n, cap;
    int oom;
} border_run;

static int border_one(void *user, uint32_t f)
{
    border_run *b = user;
    for (size_t i = 0; i < b->n; i++)
        if (b->fids[i] == b->t->fid[f])
            return 0;
    GEOSGeometry *g = feature_geos(b->h, b->t, f);
    if (!g)
        return b->oom = 1;
    int near = GEOSPreparedDistanceWithin_r(b->h, b->piece, g, b->within) == 1;
    GEOSGeom_destroy_r(b->h, g);
    if (!near)
        return 0;
    if (b->n == b->cap) {
        size_t nc = b->cap ? 2 * b->cap : 8;
        int64_t *n = realloc(b->fids, nc * sizeof *n);
        if (!n)
            return b->oom = 1;
        b->fids = n;
        b->cap = nc;
    }
    b->fids[b->n++] = b->t->fid[f];
    return 0;
}

static int by_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Is the piece inside the outline of one of the union's polygons (a hole
 * in the union, ground enclosed by parks)? */
static int enclosed(GEOSContextHandle_t h, const GEOSGeometry *u, const GEOSGeometry *piece)
{
    GEOSGeometry *pt = GEOSPointOnSurface_r(h, piece);
    int in = 0;
    int n = GEOSGetNumGeometries_r(h, u);
    for (int i = 0; pt && !in && i < n; i++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(h, u, i);
        if (GEOSGeomTypeId_r(h, poly) != GEOS_POLYGON)
            continue;
        GEOSGeometry *shell = GEOSGeom_clone_r(h, GEOSGetExteriorRing_r(h, poly));
        GEOSGeometry *sp = shell ? GEOSGeom_createPolygon_r(h, shell, NULL, 0) : NULL;
        in = sp && GEOSContains_r(h, sp, pt) == 1;
        if (sp)
            GEOSGeom_destroy_r(h, sp);
    }
    if (pt)
        GEOSGeom_destroy_r(h, pt);
    return in;
}

/* Pieces of unclaimed ground narrower than gap_m, bordered by two or more
 * features or enclosed by them. Gaps (slivers = 0) drop what is thinner
 * than the tolerance everywhere; clean (slivers = 1) wants exactly those. */
static int gap_pieces(pm_topo_gap **out, size_t *out_n, pm_ctx *ctx, pm_topology *t, double gap_m,
                      int slivers)
{
    GEOSGeometry *grown = NULL, *closed = NULL, *diff = NULL, *thin = NULL, *opened = NULL;
    pm_topo_gap *gaps = NULL;
    topo_fgrid *grid = NULL;
    size_t n = 0;
    int rc;
    *out = NULL;
    *out_n = 0;
    if (!(gap_m > 0) || t->nf == 0)
        return 0;
    if ((rc = need_union(t, ctx)))
        return rc;
    geos_env *env = t->geos;
    GEOSContextHandle_t h = env->h;
    /* Closing by half the gap width, mitred: ground narrower than gap_m
     * between parks fills in, while straight edges and corners come back
     * exactly where they were (a round join would fill every inner corner). */
    double r = gap_m * t->upm / 2;
    if (!(grown = GEOSBufferWithStyle_r(h, t->union_geom, r, 8, GEOSBUF_CAP_FLAT,
                                        GEOSBUF_JOIN_MITRE, 10.0)) ||
        !(closed =
              GEOSBufferWithStyle_r(h, grown, -r, 8, GEOSBUF_CAP_FLAT, GEOSBUF_JOIN_MITRE, 10.0)) ||
        !(diff = GEOSDifference_r(h, closed, t->union_geom)) ||
        /* ...and an opening by half the tolerance: the closing's edges come
         * back within rounding of the parks' own, which leaves slivers and
         * zero-width spikes along them that are no ground at all. (Clean
         * keeps the slivers and drops only what has no area.) */
        !(thin = slivers ? GEOSGeom_clone_r(h, diff)
                         : GEOSBufferWithStyle_r(h, diff, -t->snap_m / 2, 8, GEOSBUF_CAP_FLAT,
                                                 GEOSBUF_JOIN_MITRE, 10.0)) ||
        !(opened = slivers ? GEOSGeom_clone_r(h, thin)
                           : GEOSBufferWithStyle_r(h, thin, t->snap_m / 2, 8, GEOSBUF_CAP_FLAT,
                                                   GEOSBUF_JOIN_MITRE, 10.0))) {
        rc = geos_fail(ctx, t, env, "cannot compute gaps");
        goto done;
    }
    if (topo_fgrid_new(&grid, t)) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: gaps");
        goto done;
    }
    int np = GEOSGetNumGeometries_r(h, opened);
    for (int i = 0; i < np && !rc; i++) {
        const GEOSGeometry *piece = GEOSGetGeometryN_r(h, opened, i);
        if (GEOSGeomTypeId_r(h, piece) != GEOS_POLYGON)
            continue;
        double area = 0, perim = 0;
        GEOSArea_r(h, piece, &area);
        GEOSLength_r(h, piece, &perim);
        /* Thinner than the tolerance everywhere: rounding of the buffers
         * (for clean: no area at all, under 10 cm²). */
        if (slivers ? area < 1e-3 : area <= t->snap_m * perim / 2)
            continue;
        /* The width: twice area over perimeter is a strip's width exactly
         * and within a factor 2 of any piece's; below 5 cm it is taken as
         * is. Wider pieces get GEOS's inscribed circle, to 5 mm or 1 % of
         * the width: a finer tolerance makes GEOS refine its grid over the
         * whole piece (minutes for millimetre slivers along 100 m edges,
         * when --snap-m is set below the noise). */
        double est = perim > 0 ? 2 * area / perim : 0, radius = est / 2;
        if (est >= 0.05 * t->upm) {
            GEOSGeometry *mic = GEOSMaximumInscribedCircle_r(
                h, piece, fmax(fmax(t->snap_m / 4, 0.005 * t->upm), est / 100));
            if (mic) {
                GEOSLength_r(h, mic, &radius);
                GEOSGeom_destroy_r(h, mic);
            }
        }
        if (!slivers && 2 * radius <= t->snap_m)
            continue;
        double box[4];
        if (!GEOSGeom_getXMin_r(h, piece, &box[0]) || !GEOSGeom_getYMin_r(h, piece, &box[1]) ||
            !GEOSGeom_getXMax_r(h, piece, &box[2]) || !GEOSGeom_getYMax_r(h, piece, &box[3])) {
            rc = geos_fail(ctx, t, env, "cannot bound a gap");
            break;
        }
        box[0] -= 2 * t->snap_m;
        box[1] -= 2 * t->snap_m;
        box[2] += 2 * t->snap_m;
        box[3] += 2 * t->snap_m;
        const GEOSPreparedGeometry *prep = GEOSPrepare_r(h, piece);
        border_run b = {t, h, prep, 2 * t->snap_m, NULL, 0, 0, 0};
        if (prep)
            topo_fgrid_query(grid, box, border_one, &b);
        if (prep)
            GEOSPreparedGeom_destroy_r(h, prep);
        if (!prep || b.oom) {
            free(b.fids);
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: gaps");
            break;
        }
        /* Squeezed between parks, or enclosed by them; a notch into one
         * park's own outline is that park's shape, not a gap. */
        if (b.n < 2 && !enclosed(h, t->union_geom, piece)) {
            free(b.fids);
            continue;
        }
        if (b.n > 1)
            qsort(b.fids, b.n, sizeof *b.fids, by_i64);
        pm_topo_gap *ng = realloc(gaps, (n + 1) * sizeof *ng);
        if (!ng) {
            free(b.fids);
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: gaps");
            break;
        }
        gaps = ng;
        pm_topo_gap *gp = &gaps[n++];
        memset(gp, 0, sizeof *gp);
        gp->fids = b.fids;
        gp->nfids = b.n;
        gp->width_m = 2 * radius / t->upm;
        gp->length_m = fmax(perim / 2 - 2 * radius, 2 * radius) / t->upm;
        if ((rc = to_pm(&gp->geom, ctx, t, h, piece)) ||
            (rc = topo_geod_area(&gp->area_m2, ctx, t, gp->geom)))
            break;
    }
done:
    topo_fgrid_free(grid);
    if (grown)
        GEOSGeom_destroy_r(h, grown);
    if (closed)
        GEOSGeom_destroy_r(h, closed);
    if (diff)
        GEOSGeom_destroy_r(h, diff);
    if (thin)
        GEOSGeom_destroy_r(h, thin);
    if (opened)
        GEOSGeom_destroy_r(h, opened);
    if (rc) {
        pm_topo_gaps_free(gaps, n);
        return rc;
    }
    *out = gaps;
    *out_n = n;
    return 0;
}

int pm_topology_gaps(pm_topo_gap **out, size_t *out_n, pm_ctx *ctx, pm_topology *t, double gap_m)
{
    return gap_pieces(out, out_n, ctx, t, gap_m, 0);
}

/* ---- clean -------------------------------------------------------------------- */

void pm_topo_clean_free(pm_topo_clean *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nfeatures; i++)
        pm_geom_free(c->geoms[i]);
    free(c->geoms);
    free(c->fids);
    free(c->reassigned);
    free(c);
}

static int add_reassign(pm_topo_clean *c, pm_ctx *ctx, pm_topo_reassign r)
{
    pm_topo_reassign *n = realloc(c->reassigned, (c->nreassigned + 1) * sizeof *n);
    if (!n)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "clean", "reassignments");
    c->reassigned = n;
    c->reassigned[c->nreassigned++] = r;
    return 0;
}

/* A pm_geom polygon as GEOS (via WKB, the shared currency). */
static GEOSGeometry *pm_to_geos(GEOSContextHandle_t h, pm_ctx *ctx, const pm_geom *g)
{
    unsigned char *wkb = NULL;
    size_t len = 0;
    GEOSGeometry *out = NULL;
    if (pm_geom_to_wkb(&wkb, &len, ctx, g))
        return NULL;
    GEOSWKBReader *r = GEOSWKBReader_create_r(h);
    if (r) {
        out = GEOSWKBReader_read_r(h, r, wkb, len);
        GEOSWKBReader_destroy_r(h, r);
    }
    free(wkb);
    return out;
}

/* Length of piece's boundary lying along feature g (within the tolerance). */
static double border_len(GEOSContextHandle_t h, const pm_topology *t, const GEOSGeometry *piece,
                         const GEOSGeometry *g)
{
    GEOSGeometry *b = GEOSBoundary_r(h, piece), *near = GEOSBuffer_r(h, g, t->snap_m, 2), *x = NULL;
    double len = 0;
    if (b && near && (x = GEOSIntersection_r(h, b, near)))
        GEOSLength_r(h, x, &len);
    if (b)
        GEOSGeom_destroy_r(h, b);
    if (near)
        GEOSGeom_destroy_r(h, near);
    if (x)
        GEOSGeom_destroy_r(h, x);
    return len;
}

/* The polygons of an overlay result as one MultiPolygon (an intersection of
 * areas may also hold the lines and points where they merely touch, and
 * GEOS's inscribed circle of such a collection is degenerate). NULL on
 * failure. */
static GEOSGeometry *polygons_only(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int n = GEOSGetNumGeometries_r(h, g), k = 0, cap = n > 0 ? n : 1, ok = 1;
    GEOSGeometry **parts = calloc((size_t)cap, sizeof *parts);
    if (!parts)
        return NULL;
    for (int i = 0; ok && i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
        int type = GEOSGeomTypeId_r(h, p);
        if (type == GEOS_POLYGON && !GEOSisEmpty_r(h, p)) {
            ok = (parts[k] = GEOSGeom_clone_r(h, p)) != NULL;
            k += ok;
        } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
            GEOSGeometry *sub = polygons_only(h, p);
            int m = sub ? GEOSGetNumGeometries_r(h, sub) : 0;
            GEOSGeometry **grown = sub ? realloc(parts, (size_t)(cap + m) * sizeof *parts) : NULL;
            ok = grown != NULL;
            if (grown) {
                parts = grown;
                cap += m;
            }
            for (int j = 0; ok && j < m; j++) {
                ok = (parts[k] = GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, sub, j))) != NULL;
                k += ok;
            }
            if (sub)
                GEOSGeom_destroy_r(h, sub);
        }
    }
    GEOSGeometry *out =
        ok ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)k) : NULL;
    if (!out)
        for (int i = 0; i < k; i++)
            GEOSGeom_destroy_r(h, parts[i]);
    free(parts);
    return out;
}

/* Take feature f's current shape (built from the graph on first use). */
static GEOSGeometry *shape(GEOSContextHandle_t h, const pm_topology *t, GEOSGeometry **cur,
                           uint32_t f)
{
    if (!cur[f])
        cur[f] = feature_geos(h, t, f);
    return cur[f];
}

int pm_topology_clean(pm_topo_clean **out, pm_ctx *ctx, pm_topology *t)
{
    geos_env *env = env_of(t, ctx);
    GEOSGeometry **cur = NULL;
    pm_topo_gap *sl = NULL;
    size_t nsl = 0;
    pm_topo_clean *c = calloc(1, sizeof *c);
    int rc = 0;
    *out = NULL;
    if (!env || !c || !(cur = calloc(t->nf + 1, sizeof *cur)) ||
        !(c->geoms = calloc(t->nf + 1, sizeof *c->geoms)) ||
        !(c->fids = malloc((t->nf + 1) * sizeof *c->fids))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "clean");
        goto done;
    }
    GEOSContextHandle_t h = env->h;
    c->nfeatures = t->nf;
    /* Overlaps thinner than the tolerance go to the larger park: the
     * smaller one gives up the strip (a thick overlap is a planning
     * question, not noise, and is left for the QA to report). */
    for (size_t k = 0; k < t->novl && !rc; k++) {
        uint32_t f = (uint32_t)(t->ovl[k] >> 32), g = (uint32_t)(t->ovl[k] & 0xffffffffu);
        GEOSGeometry *a = shape(h, t, cur, f), *b = shape(h, t, cur, g), *x = NULL, *mic = NULL;
        GEOSGeometry *raw = a && b ? GEOSIntersection_r(h, a, b) : NULL;
        x = raw ? polygons_only(h, raw) : NULL;
        if (raw)
            GEOSGeom_destroy_r(h, raw);
        if (!x) {
            rc = geos_fail(ctx, t, env, "cannot intersect features");
            break;
        }
        double area = 0, radius = 0, fa = 0, ga = 0;
        GEOSArea_r(h, x, &area);
        if (area >= 1e-3 && (mic = GEOSMaximumInscribedCircle_r(h, x, t->snap_m / 8)))
            GEOSLength_r(h, mic, &radius);
        if (mic)
            GEOSGeom_destroy_r(h, mic);
        if (area < 1e-3 || 2 * radius > t->snap_m) {
            GEOSGeom_destroy_r(h, x);
            continue;
        }
        GEOSArea_r(h, a, &fa);
        GEOSArea_r(h, b, &ga);
        uint32_t loser = fa < ga ? f : g, keeper = fa < ga ? g : f;
        GEOSGeometry *d = GEOSDifference_r(h, cur[loser], x);
        pm_geom *pg = NULL;
        double m2 = 0;
        if (!d || (rc = to_pm(&pg, ctx, t, h, x)) || (rc = topo_geod_area(&m2, ctx, t, pg))) {
            if (!rc)
                rc = geos_fail(ctx, t, env, "cannot cut an overlap");
            if (d)
                GEOSGeom_destroy_r(h, d);
        } else {
            GEOSGeom_destroy_r(h, cur[loser]);
            cur[loser] = d;
            rc = add_reassign(c, ctx,
                              (pm_topo_reassign){"overlap", t->fid[loser], t->fid[keeper], m2});
        }
        pm_geom_free(pg);
        GEOSGeom_destroy_r(h, x);
    }
    /* Slivers of unclaimed ground narrower than the tolerance go to the
     * neighbour that borders them longest. A piece is found by closing
     * with twice the tolerance and taken only when it is narrower than the
     * tolerance everywhere: the narrow end of a wider gap is part of that
     * gap, not a sliver, and stays for the QA. */
    double snap_ground = t->snap_m / t->upm;
    if (!rc && (rc = gap_pieces(&sl, &nsl, ctx, t, 2 * snap_ground, 1)))
        goto done;
    for (size_t i = 0; i < nsl && !rc; i++) {
        if (sl[i].width_m > snap_ground)
            continue;
        GEOSGeometry *piece = pm_to_geos(h, ctx, sl[i].geom);
        int64_t best = -1;
        double best_len = -1;
        for (size_t k = 0; piece && k < sl[i].nfids; k++) {
            int64_t f = topo_index_of(t, sl[i].fids[k]);
            GEOSGeometry *g = f >= 0 ? shape(h, t, cur, (uint32_t)f) : NULL;
            double len = g ? border_len(h, t, piece, g) : -1;
            if (len > best_len) {
                best_len = len;
                best = f;
            }
        }
        GEOSGeometry *u = best >= 0 ? GEOSUnion_r(h, cur[best], piece) : NULL;
        if (!u) {
            rc = piece ? geos_fail(ctx, t, env, "cannot fill a sliver")
                       : pm_err(ctx, PM_EINTERNAL, "cannot read a sliver", t->layer, "clean");
        } else {
            GEOSGeom_destroy_r(h, cur[best]);
            cur[best] = u;
            rc =
                add_reassign(c, ctx, (pm_topo_reassign){"sliver", -1, t->fid[best], sl[i].area_m2});
        }
        if (piece)
            GEOSGeom_destroy_r(h, piece);
    }
    /* Every feature as the graph has it (snapped, noded), or as repaired.
     * Snapping can fold a part thinner than the tolerance onto itself (a
     * spike, a tongue): such a shape is made valid again, keeping its
     * polygons, so the layer written is one check accepts. */
    for (size_t f = 0; f < t->nf && !rc; f++) {
        GEOSGeometry *g = shape(h, t, cur, (uint32_t)f);
        c->fids[f] = t->fid[f];
        if (g && GEOSisValid_r(h, g) != 1) {
            GEOSGeometry *v = GEOSMakeValid_r(h, g);
            if (v) {
                GEOSGeom_destroy_r(h, g);
                g = cur[f] = v;
            }
        }
        if (!g)
            rc = geos_fail(ctx, t, env, "cannot build a feature");
        else if (!(rc = to_pm(&c->geoms[f], ctx, t, h, g)) && c->geoms[f]->nparts == 0) {
            /* Nothing left: the whole park is smaller than the tolerance.
             * The caller keeps it as it was and says so. */
            pm_geom_free(c->geoms[f]);
            c->geoms[f] = NULL;
        }
    }
    if (!rc) {
        *out = c;
        c = NULL;
    }
done:
    for (size_t f = 0; cur && f < t->nf; f++)
        if (cur[f])
            GEOSGeom_destroy_r(env->h, cur[f]);
    free(cur);
    pm_topo_gaps_free(sl, nsl);
    pm_topo_clean_free(c);
    return rc;
}
