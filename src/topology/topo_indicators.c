/* What layout's planning indicators ask of the graph (issue 13): each
 * feature's centroid and the nearest centroid of its group (Clark-Evans),
 * the convex hulls of features and of the whole layer (hull ratio, the
 * study area without an outline), and the pairs of features within a
 * distance (co-location). Hulls are taken in the storage CRS on the graph's
 * nodes and measured on the ellipsoid like every other area; distances are
 * ground metres by the rule the other layout distances follow (topo_feat_m).
 * No GEOS here: a monotone chain does the hulls. */
#include "topo_internal.h"

#include "parkmap/crs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A node in a hull computation: its position and its id. */
typedef struct {
    double x, y;
    uint32_t n;
} hpt;

static int cmp_hpt(const void *a, const void *b)
{
    const hpt *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->y > q->y) - (p->y < q->y);
}

static double cross(const hpt *o, const hpt *a, const hpt *b)
{
    return (a->x - o->x) * (b->y - o->y) - (a->y - o->y) * (b->x - o->x);
}

/* Andrew's monotone chain over pts[0..n) (sorted here): the hull's
 * vertices counter-clockwise into out (room for n + 1), collinear points
 * dropped; out has room for 2 n. Returns their number (fewer than 3: no
 * area). */
static size_t monotone_chain(hpt *pts, size_t n, hpt *out)
{
    size_t k = 0, m = 0;
    qsort(pts, n, sizeof *pts, cmp_hpt);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || pts[i].x != pts[m - 1].x || pts[i].y != pts[m - 1].y)
            pts[m++] = pts[i];
    if (m < 3)
        return 0;
    for (size_t i = 0; i < m; i++) {
        while (k >= 2 && cross(&out[k - 2], &out[k - 1], &pts[i]) <= 0)
            k--;
        out[k++] = pts[i];
    }
    for (size_t i = m - 1, lo = k + 1; i-- > 0;) {
        while (k >= lo && cross(&out[k - 2], &out[k - 1], &pts[i]) <= 0)
            k--;
        out[k++] = pts[i];
    }
    return k - 1; /* the last is the first again */
}

/* Ellipsoidal area of the hull of pts[0..n): its nodes' lon/lat (the same
 * positions the features' own areas are measured from). ll has room for
 * 2 (n + 1) doubles, hull for 2 n + 2 points. */
static double hull_m2(const pm_topology *t, hpt *pts, size_t n, hpt *hull, double *ll)
{
    size_t m = monotone_chain(pts, n, hull);
    if (m < 3)
        return 0;
    for (size_t k = 0; k < m; k++)
        memcpy(&ll[2 * k], &t->nll[2 * hull[k].n], 2 * sizeof *ll);
    pm_ring ring = {m, ll};
    pm_part part = {1, &ring};
    pm_geom g = {PM_GEOM_POLYGON, 1, &part};
    return pm_geod_area(&g);
}

static void put_node(hpt *p, const pm_topology *t, uint32_t n)
{
    p->x = t->nxy[2 * n];
    p->y = t->nxy[2 * n + 1];
    p->n = n;
}

int pm_topology_hull_areas(double *out_m2, double *out_all_m2, pm_ctx *ctx, pm_topology *t)
{
    hpt *pts = NULL, *hull = NULL;
    double *ll = NULL;
    uint8_t *used = NULL;
    size_t maxn = 0;
    int rc = topo_need_lonlat(t, ctx);
    if (rc)
        return rc;
    for (size_t f = 0; f < t->nf; f++) {
        size_t n = t->r_first[t->f_ring[f + 1]] - t->r_first[t->f_ring[f]];
        maxn = n > maxn ? n : maxn;
    }
    if (out_all_m2)
        maxn = t->nnodes > maxn ? t->nnodes : maxn;
    pts = malloc((maxn + 1) * sizeof *pts);
    hull = malloc((2 * maxn + 2) * sizeof *hull);
    ll = malloc((2 * maxn + 2) * sizeof *ll);
    used = out_all_m2 ? calloc(t->nnodes + 1, 1) : NULL;
    if (!pts || !hull || !ll || (out_all_m2 && !used)) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "layout: convex hulls");
        goto done;
    }
    for (size_t f = 0; f < t->nf; f++) {
        size_t n = 0;
        /* Holes lie inside their exterior: the exteriors' nodes would do,
         * and the holes' change nothing. */
        for (size_t e = t->r_first[t->f_ring[f]]; e < t->r_first[t->f_ring[f + 1]]; e++) {
            put_node(&pts[n++], t, t->rnode[e]);
            if (used)
                used[t->rnode[e]] = 1;
        }
        out_m2[f] = hull_m2(t, pts, n, hull, ll);
    }
    if (out_all_m2) {
        size_t n = 0;
        for (uint32_t v = 0; v < t->nnodes; v++)
            if (used[v])
                put_node(&pts[n++], t, v);
        *out_all_m2 = hull_m2(t, pts, n, hull, ll);
    }
done:
    free(pts);
    free(hull);
    free(ll);
    free(used);
    return rc;
}

int pm_topology_centroids(double *out_xy, pm_ctx *ctx, pm_topology *t)
{
    (void)ctx;
    for (size_t f = 0; f < t->nf; f++) {
        /* Moments about the feature's box corner: the shoelace terms of
         * coordinates in the millions lose digits otherwise. Holes run
         * clockwise, so their area and moments come in negative. */
        double x0 = t->fbox[4 * f], y0 = t->fbox[4 * f + 1], a = 0, mx = 0, my = 0;
        for (size_t r = t->f_ring[f]; r < t->f_ring[f + 1]; r++) {
            size_t first = t->r_first[r], n = t->r_first[r + 1] - first;
            for (size_t k = 0; k < n; k++) {
                const double *p = &t->nxy[2 * t->rnode[first + k]];
                const double *q = &t->nxy[2 * t->rnode[first + (k + 1) % n]];
                double px = p[0] - x0, py = p[1] - y0, qx = q[0] - x0, qy = q[1] - y0;
                double c = px * qy - qx * py;
                a += c;
                mx += (px + qx) * c;
                my += (py + qy) * c;
            }
        }
        if (a != 0 && isfinite(a)) {
            out_xy[2 * f] = x0 + mx / (3 * a);
            out_xy[2 * f + 1] = y0 + my / (3 * a);
        } else {
            out_xy[2 * f] = out_xy[2 * f + 1] = NAN;
        }
    }
    return 0;
}

/* Ground metres between two storage-CRS points, as topo_feat_m converts. */
static double ground_m(pm_topology *t, const double *p, const double *q)
{
    return t->geod_dist ? topo_geod_between(t, p, q) : hypot(p[0] - q[0], p[1] - q[1]) / t->upm;
}

/* Points of one group, by x. */
typedef struct {
    int32_t group;
    double x;
    uint32_t f;
} gpt;

static int cmp_gpt(const void *a, const void *b)
{
    const gpt *p = a, *q = b;
    if (p->group != q->group)
        return p->group < q->group ? -1 : 1;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->f > q->f) - (p->f < q->f);
}

int pm_topology_nearest_point(double *out_m, pm_ctx *ctx, pm_topology *t, const double *xy,
                              const int32_t *group)
{
    size_t n = 0;
    int rc = t->geod_dist ? topo_need_to_ll(t, ctx) : 0;
    if (rc)
        return rc;
    gpt *p = malloc((t->nf + 1) * sizeof *p);
    if (!p)
        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "layout: nearest centroid");
    for (size_t f = 0; f < t->nf; f++) {
        out_m[f] = NAN;
        if (group[f] >= 0 && isfinite(xy[2 * f]) && isfinite(xy[2 * f + 1]))
            p[n++] = (gpt){group[f], xy[2 * f], (uint32_t)f};
    }
    qsort(p, n, sizeof *p, cmp_gpt);
    /* A sweep along x: a point dx units away in x is at least dx / upm_hi
     * metres away, so each side stops once that passes the best so far. */
    for (size_t i = 0; i < n; i++) {
        const double *a = &xy[2 * p[i].f];
        double best = INFINITY;
        for (size_t j = i + 1; j < n && p[j].group == p[i].group; j++) {
            if ((p[j].x - p[i].x) / t->upm_hi >= best)
                break;
            best = fmin(best, ground_m(t, a, &xy[2 * p[j].f]));
        }
        for (size_t j = i; j-- > 0 && p[j].group == p[i].group;) {
            if ((p[i].x - p[j].x) / t->upm_hi >= best)
                break;
            best = fmin(best, ground_m(t, a, &xy[2 * p[j].f]));
        }
        if (isfinite(best))
            out_m[p[i].f] = best;
    }
    free(p);
    return 0;
}

/* ---- pairs within a distance ----------------------------------------------- */

typedef struct {
    uint32_t f;
    uint32_t *mark; /* per feature: 1 + the last f it was offered for */
    uint32_t *cand;
    size_t ncand, cap;
    int oom;
} near_query;

static int take_candidate(void *user, uint32_t g)
{
    near_query *q = user;
    if (g == q->f || q->mark[g] == q->f + 1)
        return 0;
    q->mark[g] = q->f + 1; /* the grid offers a feature once per cell it is in */
    if (q->ncand == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 64;
        uint32_t *c = realloc(q->cand, cap * sizeof *c);
        if (!c) {
            q->oom = 1;
            return 1;
        }
        q->cand = c;
        q->cap = cap;
    }
    q->cand[q->ncand++] = g;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int pm_topology_neighbours(uint32_t **out_pairs, size_t *out_n, size_t *out_nfocal, pm_ctx *ctx,
                           pm_topology *t, double dist_m, const uint32_t *focal, size_t nfocal,
                           size_t max_links)
{
    topo_fgrid *grid = NULL;
    near_query q = {0, NULL, NULL, 0, 0, 0};
    uint32_t *pairs = NULL;
    size_t n = 0, cap = 0;
    /* Storage units within which dist_m may lie anywhere in the layer, and
     * within which a vertex pair is surely no farther than dist_m. */
    double reach = dist_m * t->upm_hi, sure = dist_m * t->upm_lo;
    int rc = t->geod_dist ? topo_need_to_ll(t, ctx) : 0;
    size_t taken = 0;
    *out_pairs = NULL;
    *out_n = 0;
    *out_nfocal = 0;
    if (rc)
        return rc;
    if (topo_fgrid_new(&grid, t) || !(q.mark = calloc(t->nf + 1, sizeof *q.mark)))
        goto oom;
    for (; taken < nfocal && n < max_links; taken++) {
        size_t f = focal[taken];
        if (t->f_ring[f + 1] == t->f_ring[f])
            continue;
        const double *fb = &t->fbox[4 * f];
        double box[4] = {fb[0] - reach, fb[1] - reach, fb[2] + reach, fb[3] + reach};
        q.f = (uint32_t)f;
        q.ncand = 0;
        if (topo_fgrid_query(grid, box, take_candidate, &q) || q.oom)
            goto oom;
        if (q.ncand > 1) /* q.cand is NULL until a first candidate */
            qsort(q.cand, q.ncand, sizeof *q.cand, cmp_u32);
        const double *fp = &t->nxy[2 * t->rnode[t->r_first[t->f_ring[f]]]];
        for (size_t k = 0; k < q.ncand; k++) {
            uint32_t g = q.cand[k];
            if (t->f_ring[g + 1] == t->f_ring[g])
                continue;
            const double *gb = &t->fbox[4 * g];
            double dx = fmax(0, fmax(fb[0] - gb[2], gb[0] - fb[2]));
            double dy = fmax(0, fmax(fb[1] - gb[3], gb[1] - fb[3]));
            if (hypot(dx, dy) > reach)
                continue;
            const double *gp = &t->nxy[2 * t->rnode[t->r_first[t->f_ring[g]]]];
            if (hypot(fp[0] - gp[0], fp[1] - gp[1]) > sure &&
                topo_feat_m(t, (uint32_t)f, g) > dist_m)
                continue;
            if (n == cap) {
                size_t nc = cap ? 2 * cap : 256;
                uint32_t *p2 = realloc(pairs, 2 * nc * sizeof *p2);
                if (!p2)
                    goto oom;
                pairs = p2;
                cap = nc;
            }
            pairs[2 * n] = (uint32_t)f;
            pairs[2 * n + 1] = g;
            n++;
        }
    }
    *out_pairs = pairs;
    *out_n = n;
    *out_nfocal = taken;
    pairs = NULL;
    goto done;
oom:
    rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "layout: neighbours");
done:
    topo_fgrid_free(grid);
    free(q.mark);
    free(q.cand);
    free(pairs);
    return rc;
}
