/* Matching edges by their node pair, and the overlap evidence the graph
 * gives without any overlay. */
#include "topo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int by_key(const void *a, const void *b)
{
    const topo_hedge *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->f != y->f)
        return x->f < y->f ? -1 : 1;
    return (x->e > y->e) - (x->e < y->e);
}

static int by_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

size_t topo_ring_of(const pm_topology *t, size_t e)
{
    size_t lo = 0, hi = t->nrings; /* r_first[lo] <= e < r_first[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->r_first[mid] <= e)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

size_t topo_next_edge(const pm_topology *t, size_t e)
{
    size_t r = topo_ring_of(t, e);
    return e + 1 < t->r_first[r + 1] ? e + 1 : t->r_first[r];
}

int topo_add_ovl(pm_topology *t, pm_ctx *ctx, uint32_t f, uint32_t g)
{
    if (f == g)
        return 0;
    if (t->novl == t->cap_ovl) {
        size_t nc = t->cap_ovl ? 2 * t->cap_ovl : 64;
        uint64_t *n = realloc(t->ovl, nc * sizeof *n);
        if (!n)
            return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: overlaps");
        t->ovl = n;
        t->cap_ovl = nc;
    }
    uint32_t a = f < g ? f : g, b = f < g ? g : f;
    t->ovl[t->novl++] = (uint64_t)a << 32 | b;
    return 0;
}

/* Sort every edge by its node pair; an edge is matched when another
 * feature runs along it the other way (the two interiors lie on either
 * side). Two features running the same way have their interiors on the
 * same side: that is overlap, found here without an overlay. */
int topo_match(pm_topology *t, pm_ctx *ctx)
{
    free(t->he);
    free(t->he_pos);
    free(t->matched);
    t->he = malloc((t->nedges + 1) * sizeof *t->he);
    t->he_pos = malloc((t->nedges + 1) * sizeof *t->he_pos);
    t->matched = calloc(t->nedges + 1, 1);
    if (!t->he || !t->he_pos || !t->matched)
        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: edges");
    for (size_t r = 0; r < t->nrings; r++)
        for (size_t e = t->r_first[r]; e < t->r_first[r + 1]; e++) {
            uint32_t u = t->rnode[e];
            uint32_t v = t->rnode[e + 1 < t->r_first[r + 1] ? e + 1 : t->r_first[r]];
            topo_hedge *h = &t->he[e];
            h->key = u < v ? (uint64_t)u << 32 | v : (uint64_t)v << 32 | u;
            h->f = t->r_feat[r];
            h->e = (uint32_t)e;
            h->fwd = u < v;
        }
    if (t->nedges > 1)
        qsort(t->he, t->nedges, sizeof *t->he, by_key);
    for (size_t i = 0; i < t->nedges; i++)
        t->he_pos[t->he[i].e] = (uint32_t)i;
    int rc = 0;
    for (size_t i = 0, j; i < t->nedges && !rc; i = j) {
        for (j = i + 1; j < t->nedges && t->he[j].key == t->he[i].key; j++)
            ;
        for (size_t a = i; a < j && !rc; a++)
            for (size_t b = a + 1; b < j && !rc; b++) {
                if (t->he[a].f == t->he[b].f)
                    continue;
                if (t->he[a].fwd != t->he[b].fwd) {
                    t->matched[t->he[a].e] = 1;
                    t->matched[t->he[b].e] = 1;
                } else {
                    rc = topo_add_ovl(t, ctx, t->he[a].f, t->he[b].f);
                }
            }
    }
    return rc;
}

/* ---- point in feature --------------------------------------------------- */

typedef struct {
    pm_topology *t;
    pm_ctx *ctx;
    uint32_t f;  /* the edge's feature */
    double x, y; /* the edge's midpoint */
    int rc;
} pip_run;

/* Is (x, y) inside feature g, farther than the tolerance from its boundary? */
static int strictly_inside(const pm_topology *t, uint32_t g, double x, double y)
{
    int inside = 0;
    double s2 = t->snap_m * t->snap_m;
    for (size_t r = t->f_ring[g]; r < t->f_ring[g + 1]; r++)
        for (size_t e = t->r_first[r]; e < t->r_first[r + 1]; e++) {
            size_t n = e + 1 < t->r_first[r + 1] ? e + 1 : t->r_first[r];
            const double *p = &t->nxy[2 * t->rnode[e]], *q = &t->nxy[2 * t->rnode[n]];
            if ((p[1] > y) != (q[1] > y) && x < p[0] + (y - p[1]) * (q[0] - p[0]) / (q[1] - p[1]))
                inside = !inside;
            double dx = q[0] - p[0], dy = q[1] - p[1], l2 = dx * dx + dy * dy;
            double u = l2 > 0 ? ((x - p[0]) * dx + (y - p[1]) * dy) / l2 : 0;
            u = u < 0 ? 0 : u > 1 ? 1 : u;
            double ex = p[0] + u * dx - x, ey = p[1] + u * dy - y;
            if (ex * ex + ey * ey <= s2)
                return 0;
        }
    return inside;
}

/* Above this many vertices a feature's test goes through GEOS's indexed
 * prepared geometry instead of the plain loop (which would make the test
 * cost edges x vertices on two large interlocking parks). */
#define PIP_PREPARED_MIN 256

static int pip_one(void *user, uint32_t g)
{
    pip_run *p = user;
    if (g == p->f)
        return 0;
    size_t nv = p->t->r_first[p->t->f_ring[g + 1]] - p->t->r_first[p->t->f_ring[g]];
    int in = nv > PIP_PREPARED_MIN ? topo_inside_prepared(p->t, g, p->x, p->y)
                                   : strictly_inside(p->t, g, p->x, p->y);
    if (in < 0)
        return p->rc = pm_err(p->ctx, PM_EINTERNAL, "GEOS failed", p->t->layer, "point in feature");
    if (!in)
        return 0;
    return p->rc = topo_add_ovl(p->t, p->ctx, p->f, g);
}

/* An unmatched edge whose midpoint lies inside another feature is a piece
 * of that feature's interior claimed twice: a park inside another, or a
 * chord through it. Crossings were recorded while noding, same-way edges
 * while matching; after this the evidence is complete and sorted. */
int topo_overlap_evidence(pm_topology *t, pm_ctx *ctx)
{
    topo_fgrid *grid = NULL;
    int rc = 0;
    if (topo_fgrid_new(&grid, t))
        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: grid");
    pip_run run = {t, ctx, 0, 0, 0, 0};
    for (size_t r = 0; r < t->nrings && !rc; r++)
        for (size_t e = t->r_first[r]; e < t->r_first[r + 1] && !rc; e++) {
            if (t->matched[e])
                continue;
            size_t n = e + 1 < t->r_first[r + 1] ? e + 1 : t->r_first[r];
            const double *p = &t->nxy[2 * t->rnode[e]], *q = &t->nxy[2 * t->rnode[n]];
            run.f = t->r_feat[r];
            run.x = (p[0] + q[0]) / 2;
            run.y = (p[1] + q[1]) / 2;
            double box[4] = {run.x, run.y, run.x, run.y};
            topo_fgrid_query(grid, box, pip_one, &run);
            rc = run.rc;
        }
    topo_fgrid_free(grid);
    if (rc)
        return rc;
    if (t->novl > 1)
        qsort(t->ovl, t->novl, sizeof *t->ovl, by_u64);
    size_t w = 0;
    for (size_t i = 0; i < t->novl; i++)
        if (w == 0 || t->ovl[w - 1] != t->ovl[i])
            t->ovl[w++] = t->ovl[i];
    t->novl = w;
    return 0;
}
