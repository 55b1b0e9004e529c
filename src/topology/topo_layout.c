/* What layout asks of the graph: perimeters on the ellipsoid, distances
 * between features in the storage CRS, components of features within a
 * distance of one another (all of them, or those of one group), each
 * feature's nearest neighbour of its group, and the dissolve of a set of
 * features. Layout used to ask SQLite all of it (an R*Tree query and a GEOS
 * distance per candidate pair, ST_Union over SQL per cluster: 714 s on 1M
 * parcels); here it runs on the graph's nodes and rings in memory.
 *
 * Layout builds its graph with a snapping tolerance of a micrometre, so the
 * nodes are the stored vertices (copies of a corner that differ in the last
 * bits become one node, which is what lets the coverage union run) and
 * every measure is the one the stored geometry gives. */
#include "topo_internal.h"

#include "parkmap/crs.h"

#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

int64_t pm_topology_fid(const pm_topology *t, size_t i)
{
    return i < t->nf ? t->fid[i] : -1;
}

/* The step after edge e in its ring, without the binary search of
 * topo_next_edge: callers walk rings and know where the ring starts. */
#define RING_NEXT(t, r, e) ((e) + 1 < (t)->r_first[(r) + 1] ? (e) + 1 : (t)->r_first[r])

int pm_topology_perimeters(double *out_m, pm_ctx *ctx, pm_topology *t)
{
    int rc = topo_need_lonlat(t, ctx);
    if (rc)
        return rc;
    for (size_t f = 0; f < t->nf; f++) {
        double sum = 0;
        for (size_t r = t->f_ring[f]; r < t->f_ring[f + 1]; r++)
            for (size_t e = t->r_first[r]; e < t->r_first[r + 1]; e++)
                sum += topo_geod_len(t, t->rnode[e], t->rnode[RING_NEXT(t, r, e)], 0, 1);
        out_m[f] = sum;
    }
    return 0;
}

/* ---- distances ---------------------------------------------------------- */

static double box_dist(const double *a, const double *b)
{
    double dx = fmax(0, fmax(a[0] - b[2], b[0] - a[2]));
    double dy = fmax(0, fmax(a[1] - b[3], b[1] - a[3]));
    return hypot(dx, dy);
}

/* Distance from p to the segment a-b, computed as GEOS does (projection
 * parameter, then the perpendicular or the nearer end); the nearest point
 * of the segment goes to at. */
static double pt_seg(const double *p, const double *a, const double *b, double *at)
{
    double dx = b[0] - a[0], dy = b[1] - a[1], l2 = dx * dx + dy * dy;
    double r = l2 == 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2;
    if (r <= 0) {
        at[0] = a[0], at[1] = a[1];
        return hypot(p[0] - a[0], p[1] - a[1]);
    }
    if (r >= 1) {
        at[0] = b[0], at[1] = b[1];
        return hypot(p[0] - b[0], p[1] - b[1]);
    }
    at[0] = a[0] + r * dx, at[1] = a[1] + r * dy;
    return fabs(((a[1] - p[1]) * dx - (a[0] - p[0]) * dy) / l2) * sqrt(l2);
}

static int orient(const double *a, const double *b, const double *c)
{
    double v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
    return (v > 0) - (v < 0);
}

/* Distance between segments a-b and c-d: 0 when they cross, else the
 * nearest of the four end-to-segment distances; the two nearest points go
 * to p (on a-b) and q (on c-d). */
static double seg_seg(const double *a, const double *b, const double *c, const double *d, double *p,
                      double *q)
{
    int o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
    if (o1 * o2 < 0 && o3 * o4 < 0)
        return 0;
    const double *ends[4] = {a, b, c, d};
    double best = INFINITY, at[2];
    for (int i = 0; i < 4; i++) {
        double dd = i < 2 ? pt_seg(ends[i], c, d, at) : pt_seg(ends[i], a, b, at);
        if (dd < best) {
            best = dd;
            const double *on_ab = i < 2 ? ends[i] : at, *on_cd = i < 2 ? at : ends[i];
            p[0] = on_ab[0], p[1] = on_ab[1], q[0] = on_cd[0], q[1] = on_cd[1];
        }
    }
    return best;
}

/* Overlap evidence for f, g: one interior reaches into the other. */
static int has_ovl(const pm_topology *t, uint32_t f, uint32_t g)
{
    uint64_t key = f < g ? (uint64_t)f << 32 | g : (uint64_t)g << 32 | f;
    size_t lo = 0, hi = t->novl;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->ovl[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->novl && t->ovl[lo] == key;
}

/* Distance between features f and g in the storage CRS, as ST_Distance
 * gives it: 0 when they touch or overlap (a feature inside another is
 * overlap evidence, found when the graph was built), else the smallest
 * distance between their boundaries, whose end points go to p and q. Edges
 * of f farther from g's box than the best so far are passed over. */
static double feat_dist(const pm_topology *t, uint32_t f, uint32_t g, double *p, double *q)
{
    if (t->novl && has_ovl(t, f, g))
        return 0;
    const double *gb = &t->fbox[4 * g];
    double best = INFINITY, pp[2] = {0, 0}, qq[2] = {0, 0};
    for (size_t r = t->f_ring[f]; r < t->f_ring[f + 1]; r++)
        for (size_t e = t->r_first[r]; e < t->r_first[r + 1]; e++) {
            const double *a = &t->nxy[2 * t->rnode[e]];
            const double *b = &t->nxy[2 * t->rnode[RING_NEXT(t, r, e)]];
            double eb[4] = {fmin(a[0], b[0]), fmin(a[1], b[1]), fmax(a[0], b[0]), fmax(a[1], b[1])};
            if (box_dist(eb, gb) >= best)
                continue;
            for (size_t s = t->f_ring[g]; s < t->f_ring[g + 1]; s++)
                for (size_t k = t->r_first[s]; k < t->r_first[s + 1]; k++) {
                    double d = seg_seg(a, b, &t->nxy[2 * t->rnode[k]],
                                       &t->nxy[2 * t->rnode[RING_NEXT(t, s, k)]], pp, qq);
                    if (d < best) {
                        best = d;
                        p[0] = pp[0], p[1] = pp[1], q[0] = qq[0], q[1] = qq[1];
                        if (best == 0)
                            return 0;
                    }
                }
        }
    return best;
}

/* The same in ground metres: the storage distance over units per metre
 * where the CRS's scale is constant over the layer (a zone's own
 * Gauss-Krueger or UTM), else the geodesic distance between the two
 * nearest points (degrees, Web Mercator, a layer wider than any zone:
 * Pudong and Brasilia in one UTM zone were 63,767 m apart for 33,837). */
double topo_feat_m(pm_topology *t, uint32_t f, uint32_t g)
{
    double p[2] = {0, 0}, q[2] = {0, 0};
    double d = feat_dist(t, f, g, p, q);
    if (d == 0 || !isfinite(d))
        return d;
    return t->geod_dist ? topo_geod_between(t, p, q) : d / t->upm;
}

/* ---- a grid over a set of features --------------------------------------- */

/* A dense grid of cells over the set's extent, each feature in every cell
 * its box meets (CSR). Dense, not hashed: a query visits every cell of its
 * box, and a hash probe per cell was the cost. */
typedef struct {
    double x0, y0, cell;
    int64_t nx, ny;
    size_t *first;
    uint32_t *feat;
} lgrid;

static void lgrid_free(lgrid *g)
{
    free(g->first);
    free(g->feat);
    memset(g, 0, sizeof *g);
}

static int has_rings(const pm_topology *t, uint32_t f)
{
    return t->f_ring[f + 1] > t->f_ring[f];
}

static void lgrid_range(const lgrid *g, const double *b, int64_t r[4])
{
    double v[4] = {floor((b[0] - g->x0) / g->cell), floor((b[1] - g->y0) / g->cell),
                   floor((b[2] - g->x0) / g->cell), floor((b[3] - g->y0) / g->cell)};
    r[0] = v[0] < 0 ? 0 : (int64_t)v[0];
    r[1] = v[1] < 0 ? 0 : (int64_t)v[1];
    r[2] = v[2] >= (double)g->nx ? g->nx - 1 : (int64_t)v[2];
    r[3] = v[3] >= (double)g->ny ? g->ny - 1 : (int64_t)v[3];
}

/* The grid of features fs[0..n) with cells at least min_cell wide, and
 * never more cells than about four per feature. */
static int lgrid_build(lgrid *g, const pm_topology *t, const uint32_t *fs, size_t n,
                       double min_cell)
{
    double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}, size = 0;
    size_t m = 0;
    memset(g, 0, sizeof *g);
    for (size_t i = 0; i < n; i++) {
        if (!has_rings(t, fs[i]))
            continue;
        const double *b = &t->fbox[4 * fs[i]];
        ext[0] = fmin(ext[0], b[0]);
        ext[1] = fmin(ext[1], b[1]);
        ext[2] = fmax(ext[2], b[2]);
        ext[3] = fmax(ext[3], b[3]);
        size += fmax(b[2] - b[0], b[3] - b[1]);
        m++;
    }
    if (!m) {
        ext[0] = ext[1] = ext[2] = ext[3] = 0;
        m = 1;
    }
    double w = ext[2] - ext[0], h = ext[3] - ext[1];
    /* At least the mean feature size (a feature in few cells) and the mean
     * spacing (a few features a cell). */
    double cell = fmax(fmax(min_cell, size / (double)m), sqrt(w * h / (double)m));
    cell = fmax(cell, 1e-3);
    while ((floor(w / cell) + 1) * (floor(h / cell) + 1) > 4.0 * (double)m + 64)
        cell *= 1.25;
    g->x0 = ext[0];
    g->y0 = ext[1];
    g->cell = cell;
    g->nx = (int64_t)floor(w / cell) + 1;
    g->ny = (int64_t)floor(h / cell) + 1;
    size_t nc = (size_t)(g->nx * g->ny);
    if (!(g->first = calloc(nc + 1, sizeof *g->first)))
        return -1;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            if (!has_rings(t, fs[i]))
                continue;
            int64_t r[4];
            lgrid_range(g, &t->fbox[4 * fs[i]], r);
            for (int64_t cy = r[1]; cy <= r[3]; cy++)
                for (int64_t cx = r[0]; cx <= r[2]; cx++) {
                    size_t c = (size_t)(cy * g->nx + cx);
                    if (pass == 0)
                        g->first[c + 1]++;
                    else
                        g->feat[g->first[c]++] = fs[i];
                }
        }
        if (pass == 0) {
            for (size_t c = 0; c < nc; c++)
                g->first[c + 1] += g->first[c];
            if (!(g->feat = malloc((g->first[nc] + 1) * sizeof *g->feat)))
                return -1;
        } else {
            /* first[c] now holds the end of cell c: shift back. */
            for (size_t c = nc; c > 0; c--)
                g->first[c] = g->first[c - 1];
            g->first[0] = 0;
        }
    }
    return 0;
}

/* Features by group: members of group k are mem[start[k] .. start[k+1]).
 * Negative groups are left out. */
typedef struct {
    size_t ngroups;
    size_t *start;
    uint32_t *mem;
} groups;

static int groups_make(groups *gs, const pm_topology *t, const int32_t *group)
{
    size_t ng = 0;
    memset(gs, 0, sizeof *gs);
    for (size_t f = 0; f < t->nf; f++)
        if (group[f] >= 0 && (size_t)group[f] + 1 > ng)
            ng = (size_t)group[f] + 1;
    gs->ngroups = ng;
    if (!(gs->start = calloc(ng + 2, sizeof *gs->start)) ||
        !(gs->mem = malloc((t->nf + 1) * sizeof *gs->mem)))
        return -1;
    for (size_t f = 0; f < t->nf; f++)
        if (group[f] >= 0)
            gs->start[group[f] + 2]++;
    for (size_t k = 0; k < ng; k++)
        gs->start[k + 2] += gs->start[k + 1];
    for (size_t f = 0; f < t->nf; f++)
        if (group[f] >= 0)
            gs->mem[gs->start[group[f] + 1]++] = (uint32_t)f;
    return 0;
}

static void groups_free(groups *gs)
{
    free(gs->start);
    free(gs->mem);
}

/* ---- components ------------------------------------------------------------ */

static uint32_t uf_find(uint32_t *parent, uint32_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

/* Join the components of fs[0..n) whose features lie within dist_m. The
 * root of a component is its smallest feature index. Pairs already joined
 * are passed over before anything is measured; then the distance between
 * a vertex of each (an upper bound) settles most pairs on parcel layers,
 * and the exact distance the rest. */
static int join_near(uint32_t *parent, pm_topology *t, const uint32_t *fs, size_t n, double dist_m)
{
    lgrid g;
    /* Storage units within which dist_m may lie anywhere in the layer, and
     * beyond which a vertex pair is surely farther than dist_m. */
    double reach = dist_m * t->upm_hi, sure = dist_m * t->upm_lo;
    if (lgrid_build(&g, t, fs, n, reach)) {
        lgrid_free(&g);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t f = fs[i];
        if (!has_rings(t, f))
            continue;
        const double *fb = &t->fbox[4 * f];
        const double *fp = &t->nxy[2 * t->rnode[t->r_first[t->f_ring[f]]]];
        double q[4] = {fb[0] - reach, fb[1] - reach, fb[2] + reach, fb[3] + reach};
        int64_t r[4];
        lgrid_range(&g, q, r);
        uint32_t rf = uf_find(parent, f);
        for (int64_t cy = r[1]; cy <= r[3]; cy++)
            for (int64_t cx = r[0]; cx <= r[2]; cx++) {
                size_t c = (size_t)(cy * g.nx + cx);
                for (size_t k = g.first[c]; k < g.first[c + 1]; k++) {
                    uint32_t h = g.feat[k];
                    if (h <= f)
                        continue;
                    uint32_t rh = uf_find(parent, h);
                    if (rh == rf)
                        continue;
                    const double *hb = &t->fbox[4 * h];
                    if (box_dist(fb, hb) > reach)
                        continue;
                    const double *hp = &t->nxy[2 * t->rnode[t->r_first[t->f_ring[h]]]];
                    if (hypot(fp[0] - hp[0], fp[1] - hp[1]) > sure && topo_feat_m(t, f, h) > dist_m)
                        continue;
                    if (rh < rf)
                        parent[rf] = rh;
                    else
                        parent[rh] = rf;
                    rf = rf < rh ? rf : rh;
                }
            }
    }
    lgrid_free(&g);
    return 0;
}

int pm_topology_components(uint32_t *out_root, pm_ctx *ctx, pm_topology *t, double dist_m,
                           const int32_t *group)
{
    groups gs = {0, NULL, NULL};
    uint32_t *all = NULL;
    int rc = t->geod_dist ? topo_need_to_ll(t, ctx) : 0;
    if (rc)
        return rc;
    for (size_t f = 0; f < t->nf; f++)
        out_root[f] = (uint32_t)f;
    if (!group) {
        if (!(all = malloc((t->nf + 1) * sizeof *all))) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "layout: clusters");
            goto done;
        }
        for (size_t f = 0; f < t->nf; f++)
            all[f] = (uint32_t)f;
        if (join_near(out_root, t, all, t->nf, dist_m))
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "layout: clusters");
        goto done;
    }
    /* One grid per group: a group's pairs are found among its own
     * features only, so the groups together cost no more than the whole. */
    if (groups_make(&gs, t, group)) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "layout: clusters");
        goto done;
    }
    for (size_t k = 0; k < gs.ngroups && !rc; k++)
        if (join_near(out_root, t, gs.mem + gs.start[k], gs.start[k + 1] - gs.start[k], dist_m))
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "layout: clusters");
done:
    for (size_t f = 0; !rc && f < t->nf; f++)
        out_root[f] = uf_find(out_root, (uint32_t)f);
    groups_free(&gs);
    free(all);
    return rc;
}

/* ---- nearest of the same group --------------------------------------------- */

/* Nearest other member of f's group: boxes within r of f's, r growing x4
 * from the grid's cell. A hit at distance d <= r is final (anything nearer
 * has its box within r); candidates whose box is no nearer than the best
 * so far are not measured. */
static double nearest_in(pm_topology *t, const lgrid *g, uint32_t f, double diag)
{
    const double *fb = &t->fbox[4 * f];
    double best = INFINITY; /* metres; a box distance b units is >= b / upm_hi metres */
    for (double r = g->cell;; r *= 4) {
        double q[4] = {fb[0] - r, fb[1] - r, fb[2] + r, fb[3] + r};
        int64_t rg[4];
        lgrid_range(g, q, rg);
        for (int64_t cy = rg[1]; cy <= rg[3]; cy++)
            for (int64_t cx = rg[0]; cx <= rg[2]; cx++) {
                size_t c = (size_t)(cy * g->nx + cx);
                for (size_t k = g->first[c]; k < g->first[c + 1]; k++) {
                    uint32_t h = g->feat[k];
                    if (h == f || box_dist(fb, &t->fbox[4 * h]) / t->upm_hi >= best)
                        continue;
                    double d = topo_feat_m(t, f, h);
                    if (d < best)
                        best = d;
                    if (best == 0)
                        return 0;
                }
            }
        if (best <= r / t->upm_hi || r >= diag)
            return best;
    }
}

int pm_topology_nearest_same(double *out_m, pm_ctx *ctx, pm_topology *t, const int32_t *group)
{
    groups gs;
    lgrid g = {0};
    int rc = t->geod_dist ? topo_need_to_ll(t, ctx) : 0;
    if (rc)
        return rc;
    for (size_t f = 0; f < t->nf; f++)
        out_m[f] = NAN;
    if (groups_make(&gs, t, group)) {
        groups_free(&gs);
        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "layout: nearest");
    }
    for (size_t k = 0; k < gs.ngroups && !rc; k++) {
        const uint32_t *m = gs.mem + gs.start[k];
        size_t n = gs.start[k + 1] - gs.start[k];
        if (n < 2)
            continue; /* alone in its group: no nearest of its kind */
        if (lgrid_build(&g, t, m, n, 0)) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "layout: nearest");
            break;
        }
        double diag = hypot((double)g.nx * g.cell, (double)g.ny * g.cell) + 1.0;
        for (size_t i = 0; i < n; i++)
            if (has_rings(t, m[i])) {
                double d = nearest_in(t, &g, m[i], diag);
                out_m[m[i]] = isfinite(d) ? d : NAN;
            }
        lgrid_free(&g);
    }
    lgrid_free(&g);
    groups_free(&gs);
    return rc;
}

/* ---- dissolve ------------------------------------------------------------------ */

struct pm_topo_dissolver {
    pm_topology *t;
    GEOSContextHandle_t h;
    pm_transform *ll; /* storage CRS -> lon/lat, for the area of a general union */
    double *buf;
    size_t cap_buf;
    uint8_t *in; /* per feature: a member of the set being dissolved */
    size_t *pos; /* per node: its place on the ring being traced, or SIZE_MAX */
    char msg[256];
};

static void on_error(const char *fmt, void *user)
{
    pm_topo_dissolver *d = user;
    snprintf(d->msg, sizeof d->msg, "%s", fmt);
}

int pm_topology_dissolver_new(pm_topo_dissolver **out, pm_ctx *ctx, pm_topology *t)
{
    char src[32];
    pm_topo_dissolver *d = calloc(1, sizeof *d);
    int rc;
    *out = NULL;
    if (!d || !(d->h = GEOS_init_r())) {
        free(d);
        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "layout: dissolve");
    }
    GEOSContext_setErrorMessageHandler_r(d->h, on_error, d);
    d->t = t;
    if ((d->pos = malloc((t->nnodes + 1) * sizeof *d->pos)))
        for (size_t i = 0; i <= t->nnodes; i++)
            d->pos[i] = SIZE_MAX;
    if (!(d->in = calloc(t->nf + 1, 1)) || !d->pos) {
        pm_topology_dissolver_free(d);
        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "layout: dissolve");
    }
    snprintf(src, sizeof src, "EPSG:%d", t->srid);
    if ((rc = pm_transform_new(&d->ll, ctx, src, "EPSG:4326"))) {
        pm_topology_dissolver_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

void pm_topology_dissolver_free(pm_topo_dissolver *d)
{
    if (!d)
        return;
    pm_transform_free(d->ll);
    if (d->h)
        GEOS_finish_r(d->h);
    free(d->buf);
    free(d->in);
    free(d->pos);
    free(d);
}

static GEOSGeometry *ring_geos(pm_topo_dissolver *d, size_t r)
{
    const pm_topology *t = d->t;
    size_t n = t->r_first[r + 1] - t->r_first[r];
    if (2 * n + 2 > d->cap_buf) {
        double *b = realloc(d->buf, (2 * n + 2) * sizeof *b);
        if (!b)
            return NULL;
        d->buf = b;
        d->cap_buf = 2 * n + 2;
    }
    for (size_t k = 0; k < n; k++)
        memcpy(&d->buf[2 * k], &t->nxy[2 * t->rnode[t->r_first[r] + k]], 2 * sizeof(double));
    d->buf[2 * n] = d->buf[0];
    d->buf[2 * n + 1] = d->buf[1];
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(d->h, d->buf, (unsigned)(n + 1), 0, 0);
    return cs ? GEOSGeom_createLinearRing_r(d->h, cs) : NULL;
}

/* Feature f's polygons appended to polys[*np]: each exterior ring starts a
 * polygon, the holes after it are its own. */
static int add_feature(pm_topo_dissolver *d, uint32_t f, GEOSGeometry **polys, size_t *np)
{
    const pm_topology *t = d->t;
    size_t r1 = t->f_ring[f + 1];
    for (size_t r = t->f_ring[f]; r < r1;) {
        size_t nh = 0;
        while (r + 1 + nh < r1 && t->r_hole[r + 1 + nh])
            nh++;
        GEOSGeometry *shell = ring_geos(d, r), **holes = nh ? calloc(nh, sizeof *holes) : NULL;
        int ok = shell && (!nh || holes);
        for (size_t k = 0; ok && k < nh; k++)
            ok = (holes[k] = ring_geos(d, r + 1 + k)) != NULL;
        GEOSGeometry *poly = ok ? GEOSGeom_createPolygon_r(d->h, shell, holes, (unsigned)nh) : NULL;
        if (!poly) {
            if (shell)
                GEOSGeom_destroy_r(d->h, shell);
            for (size_t k = 0; holes && k < nh; k++)
                if (holes[k])
                    GEOSGeom_destroy_r(d->h, holes[k]);
            free(holes);
            return -1;
        }
        free(holes);
        polys[(*np)++] = poly;
        r += 1 + nh;
    }
    return 0;
}

/* ---- the union of a clean coverage, from the graph ------------------------- */

/* A boundary edge of the union: its nodes, and the edge that follows it. */
typedef struct {
    uint32_t a, b;
    size_t next;
} bedge;

static int by_start(const void *x, const void *y)
{
    const bedge *p = x, *q = y;
    return (p->a > q->a) - (p->a < q->a);
}

/* Is edge e (of a member) shared with a member running the other way? */
static int inner_edge(const pm_topology *t, const uint8_t *in, size_t e)
{
    size_t i = t->he_pos[e];
    const topo_hedge *h = &t->he[i];
    for (size_t j = i; j-- > 0 && t->he[j].key == h->key;)
        if (t->he[j].fwd != h->fwd && in[t->he[j].f])
            return 1;
    for (size_t j = i + 1; j < t->nedges && t->he[j].key == h->key; j++)
        if (t->he[j].fwd != h->fwd && in[t->he[j].f])
            return 1;
    return 0;
}

/* Clockwise angle from direction (rx, ry) to (dx, dy), in (0, 2 pi]. */
static double cw_angle(double rx, double ry, double dx, double dy)
{
    double a = -atan2(rx * dy - ry * dx, rx * dx + ry * dy);
    return a <= 0 ? a + 2 * M_PI : a;
}

typedef struct {
    size_t first, n; /* points in xy (closed: n includes the repeat) */
    double area;     /* signed, storage CRS: > 0 a shell, < 0 a hole */
    double box[4];
} tring;

/* A ring of m nodes into xy (closed) with its signed area and box. */
static void emit_ring(tring *rg, double *xy, size_t *npts, const pm_topology *t,
                      const uint32_t *nodes, size_t m)
{
    rg->first = *npts;
    rg->area = 0;
    rg->box[0] = rg->box[1] = INFINITY;
    rg->box[2] = rg->box[3] = -INFINITY;
    for (size_t k = 0; k < m; k++) {
        const double *p = &t->nxy[2 * nodes[k]], *q = &t->nxy[2 * nodes[(k + 1) % m]];
        xy[2 * *npts] = p[0];
        xy[2 * *npts + 1] = p[1];
        (*npts)++;
        rg->area += (p[0] * q[1] - q[0] * p[1]) / 2;
        rg->box[0] = fmin(rg->box[0], p[0]);
        rg->box[1] = fmin(rg->box[1], p[1]);
        rg->box[2] = fmax(rg->box[2], p[0]);
        rg->box[3] = fmax(rg->box[3], p[1]);
    }
    xy[2 * *npts] = xy[2 * rg->first];
    xy[2 * *npts + 1] = xy[2 * rg->first + 1];
    (*npts)++;
    rg->n = *npts - rg->first;
}

/* The union of members fs[0..n) of a clean coverage, straight from the
 * graph: their edges less those two members share (running opposite
 * ways), chained into rings with the interior on the left. Where several
 * boundary edges leave one node (members touching at a corner) the ring
 * takes the first clockwise from where it came from, so each ring closes
 * around the smallest face and rings touch at points instead of crossing
 * themselves. Shells run counter-clockwise, holes clockwise; a hole goes
 * to the smallest shell holding it. 1 when the edges do not chain (not a
 * coverage after all): the caller falls back to GEOS. */
static int coverage_union(pm_geom **out, pm_ctx *ctx, pm_topo_dissolver *d, const uint32_t *fs,
                          size_t n)
{
    const pm_topology *t = d->t;
    bedge *be = NULL;
    tring *rings = NULL;
    double *xy = NULL;
    size_t *shell_of = NULL;
    uint8_t *seen = NULL;
    uint32_t *stack = NULL;
    pm_geom *g = NULL;
    size_t nbe = 0, cap = 0, nr = 0, npts = 0;
    int rc = 0;
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        d->in[fs[i]] = 1;
    for (size_t i = 0; i < n; i++)
        cap += t->r_first[t->f_ring[fs[i] + 1]] - t->r_first[t->f_ring[fs[i]]];
    if (!(be = malloc((cap + 1) * sizeof *be)))
        goto oom;
    for (size_t i = 0; i < n; i++)
        for (size_t r = t->f_ring[fs[i]]; r < t->f_ring[fs[i] + 1]; r++)
            for (size_t e = t->r_first[r]; e < t->r_first[r + 1]; e++)
                if (!inner_edge(t, d->in, e))
                    be[nbe++] = (bedge){t->rnode[e], t->rnode[RING_NEXT(t, r, e)], 0};
    qsort(be, nbe, sizeof *be, by_start);
    /* Each edge's successor among the edges leaving its end node. */
    for (size_t i = 0; i < nbe; i++) {
        size_t lo = 0, hi = nbe;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (be[mid].a < be[i].b)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == nbe || be[lo].a != be[i].b) {
            rc = 1;
            goto done;
        }
        size_t best = lo;
        if (lo + 1 < nbe && be[lo + 1].a == be[i].b) {
            const double *v = &t->nxy[2 * be[i].b], *u = &t->nxy[2 * be[i].a];
            double bestang = INFINITY;
            for (size_t j = lo; j < nbe && be[j].a == be[i].b; j++) {
                const double *w = &t->nxy[2 * be[j].b];
                double ang = cw_angle(u[0] - v[0], u[1] - v[1], w[0] - v[0], w[1] - v[1]);
                if (ang < bestang) {
                    bestang = ang;
                    best = j;
                }
            }
        }
        be[i].next = best;
    }
    if (!(stack = malloc((nbe + 1) * sizeof *stack)) || !(seen = calloc(nbe + 1, 1)) ||
        !(xy = malloc((2 * (nbe + 2 * nbe / 3 + 2) + 2) * sizeof *xy)) ||
        !(rings = malloc((nbe / 3 + 2) * sizeof *rings)))
        goto oom;
    /* Rings: at most nbe / 3 of them (three edges at least), and each
     * point once plus the closing repeat. */
    for (size_t s = 0; s < nbe; s++) {
        if (seen[s])
            continue;
        /* The chain from s back to s, node by node; where it passes a node
         * twice (a hole meeting the shell at a corner, or two parts of the
         * union touching there) the loop between is a ring of its own. */
        size_t top = 0, e = s;
        do {
            if (seen[e]) {
                rc = 1; /* the chain ran into another ring */
                goto done;
            }
            seen[e] = 1;
            uint32_t v = be[e].a;
            if (d->pos[v] != SIZE_MAX) {
                size_t from = d->pos[v];
                if (top - from < 3 || nr >= nbe / 3 + 2) {
                    rc = 1;
                    goto done;
                }
                emit_ring(&rings[nr++], xy, &npts, t, stack + from, top - from);
                for (size_t k = from + 1; k < top; k++)
                    d->pos[stack[k]] = SIZE_MAX;
                top = from + 1;
            } else {
                d->pos[v] = top;
                stack[top++] = v;
            }
            e = be[e].next;
        } while (e != s);
        for (size_t k = 0; k < top; k++)
            d->pos[stack[k]] = SIZE_MAX;
        if (top < 3 || nr >= nbe / 3 + 2) {
            rc = 1;
            goto done;
        }
        emit_ring(&rings[nr++], xy, &npts, t, stack, top);
    }
    /* Holes into shells: the smallest shell whose box holds the hole and
     * which holds the midpoint of the hole's first edge (never on another
     * ring: an edge is on one ring only). Holes are few on parcel layers. */
    if (!(shell_of = malloc((nr + 1) * sizeof *shell_of)))
        goto oom;
    size_t nshell = 0;
    for (size_t k = 0; k < nr; k++) {
        shell_of[k] = (size_t)-1;
        if (rings[k].area > 0) {
            shell_of[k] = nshell++;
            continue;
        }
        const double *h = &xy[2 * rings[k].first];
        double mx = (h[0] + h[2]) / 2, my = (h[1] + h[3]) / 2, best = INFINITY;
        for (size_t j = 0; j < nr; j++) {
            const tring *sr = &rings[j];
            if (sr->area <= 0 || sr->area >= best || sr->box[0] > rings[k].box[0] ||
                sr->box[1] > rings[k].box[1] || sr->box[2] < rings[k].box[2] ||
                sr->box[3] < rings[k].box[3])
                continue;
            int inside = 0;
            const double *P = &xy[2 * sr->first];
            for (size_t m = 0; m + 1 < sr->n; m++) {
                const double *A = &P[2 * m], *B = &P[2 * m + 2];
                if ((A[1] > my) != (B[1] > my) &&
                    mx < A[0] + (my - A[1]) * (B[0] - A[0]) / (B[1] - A[1]))
                    inside = !inside;
            }
            if (inside) {
                best = sr->area;
                shell_of[k] = j; /* ring index for now */
            }
        }
        if (shell_of[k] == (size_t)-1) {
            rc = 1; /* a hole outside every shell: not a coverage's union */
            goto done;
        }
    }
    if (!(g = calloc(1, sizeof *g)) || !(g->parts = calloc(nshell + 1, sizeof *g->parts)))
        goto oom;
    g->kind = PM_GEOM_POLYGON;
    g->nparts = nshell;
    /* Count the rings of each polygon, then fill: shell first. */
    for (size_t k = 0; k < nr; k++)
        if (rings[k].area <= 0)
            g->parts[shell_of[shell_of[k]]].nrings++;
    for (size_t k = 0; k < nr; k++)
        if (rings[k].area > 0) {
            pm_part *p = &g->parts[shell_of[k]];
            if (!(p->rings = calloc(p->nrings + 1, sizeof *p->rings)))
                goto oom;
            p->nrings = 0;
        }
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < nr; k++) {
            if ((rings[k].area > 0) != (pass == 0))
                continue;
            pm_part *p = &g->parts[pass == 0 ? shell_of[k] : shell_of[shell_of[k]]];
            pm_ring *r = &p->rings[p->nrings];
            if (!(r->xy = malloc(2 * rings[k].n * sizeof *r->xy)))
                goto oom;
            memcpy(r->xy, &xy[2 * rings[k].first], 2 * rings[k].n * sizeof *r->xy);
            r->n = rings[k].n;
            p->nrings++;
        }
    *out = g;
    g = NULL;
    goto done;
oom:
    rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "layout: dissolve");
done:
    for (size_t i = 0; i < n; i++)
        d->in[fs[i]] = 0;
    pm_geom_free(g);
    free(be);
    free(rings);
    free(xy);
    free(shell_of);
    free(seen);
    free(stack);
    return rc;
}

/* The general union, through GEOS: for layers with overlaps, and for sets
 * whose edges did not chain into rings. */
static int geos_union(pm_geom **out, pm_ctx *ctx, pm_topo_dissolver *d, const uint32_t *fs,
                      size_t n)
{
    pm_topology *t = d->t;
    GEOSGeometry **polys = NULL, *all = NULL, *u = NULL;
    pm_geom *pg = NULL;
    size_t np = 0, cap = 0;
    int rc = 0;
    *out = NULL;
    d->msg[0] = '\0';
    for (size_t i = 0; i < n; i++)
        cap += t->f_ring[fs[i] + 1] - t->f_ring[fs[i]];
    if (!(polys = malloc((cap + 1) * sizeof *polys))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "layout: dissolve");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (add_feature(d, fs[i], polys, &np)) {
            rc = pm_err(ctx, PM_EINTERNAL, "cannot build a feature", t->layer, "GEOS: %s",
                        d->msg[0] ? d->msg : "out of memory");
            goto done;
        }
    all = GEOSGeom_createCollection_r(d->h, GEOS_MULTIPOLYGON, polys, (unsigned)np);
    np = 0; /* the collection owns them now (or they are gone) */
    if (!all || !(u = GEOSUnaryUnion_r(d->h, all))) {
        rc = pm_err(ctx, PM_EINTERNAL, "cannot dissolve", t->layer, "GEOS: %s",
                    d->msg[0] ? d->msg : "no reason given");
        goto done;
    }
    if (!(pg = calloc(1, sizeof *pg))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "layout: dissolve");
        goto done;
    }
    pg->kind = PM_GEOM_POLYGON;
    if (topo_add_polygons(d->h, u, pg)) {
        rc = pm_err(ctx, PM_ENOMEM, "cannot read a GEOS result", t->layer, "layout: dissolve");
        goto done;
    }
    *out = pg;
    pg = NULL;
done:
    for (size_t i = 0; i < np; i++)
        GEOSGeom_destroy_r(d->h, polys[i]);
    free(polys);
    if (all)
        GEOSGeom_destroy_r(d->h, all);
    if (u)
        GEOSGeom_destroy_r(d->h, u);
    pm_geom_free(pg);
    return rc;
}

int pm_topology_dissolve(pm_geom **out_geom, double *out_m2, pm_ctx *ctx, pm_topo_dissolver *d,
                         const uint32_t *fs, size_t n)
{
    pm_topology *t = d->t;
    pm_geom *pg = NULL, *ll = NULL;
    int rc = 1;
    *out_geom = NULL;
    *out_m2 = 0;
    /* Features of a clean coverage (no overlap evidence anywhere in the
     * graph) meet along identical edges, whichever subset a cluster takes.
     * (GEOS 3.11's coverage union refuses most such subsets: members
     * touching at corners fail its area check.) */
    if (t->novl == 0 && (rc = coverage_union(&pg, ctx, d, fs, n)) < 0)
        return rc;
    if (rc == 0) {
        /* The union covers each member's ground once: its area is the sum
         * of theirs, measured on the same nodes. */
        double sum = 0, planar, a;
        for (size_t i = 0; i < n && !rc; i++) {
            rc = pm_topology_areas(&planar, &a, ctx, t, t->fid[fs[i]]);
            sum += a;
        }
        *out_m2 = sum;
    } else if (!(rc = geos_union(&pg, ctx, d, fs, n)) && pg->nparts &&
               !(rc = pm_geom_clone(&ll, ctx, pg)) && !(rc = pm_transform_geom(d->ll, ctx, ll))) {
        *out_m2 = pm_geod_area(ll);
    }
    if (!rc) {
        *out_geom = pg;
        pg = NULL;
    }
    pm_geom_free(pg);
    pm_geom_free(ll);
    return rc;
}
