/* The topology module's entry points: building the graph, and the pairs
 * it answers for adjacency and the QA. */
#include "topo_internal.h"

#include "parkmap/crs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void phase(const pm_topology_opts *o, double frac, const char *msg)
{
    if (o->progress)
        o->progress(frac, msg, o->progress_user);
}

void pm_topology_free(pm_topology *t)
{
    if (!t)
        return;
    topo_geos_free(t);
    pm_transform_free(t->to_ll);
    for (size_t i = 0; t->name && i < t->nf; i++)
        free(t->name[i]);
    free(t->name);
    free(t->fid);
    free(t->fbox);
    free(t->f_ring);
    free(t->r_first);
    free(t->r_hole);
    free(t->r_feat);
    free(t->rnode);
    free(t->nxy);
    free(t->nll);
    free(t->r_m2);
    free(t->r_planar);
    free(t->he);
    free(t->he_pos);
    free(t->matched);
    free(t->ovl);
    free(t->near);
    free(t->moves);
    free(t->layer);
    free(t);
}

const pm_topo_move *pm_topology_moves(const pm_topology *t, size_t *out_n)
{
    *out_n = t->nmoves;
    return t->moves;
}

double pm_topology_units_per_m(const pm_topology *t)
{
    return t->upm;
}

int pm_topology_srid(const pm_topology *t)
{
    return t->srid;
}

size_t pm_topology_nfeatures(const pm_topology *t)
{
    return t->nf;
}

void pm_topology_stats(const pm_topology *t, pm_topo_stats *out)
{
    memset(out, 0, sizeof *out);
    out->nodes = t->nnodes;
    out->edges = t->nedges;
    for (size_t e = 0; e < t->nedges; e++)
        out->matched_edges += t->matched[e];
    out->split_vertices = t->split_vertices;
    out->crossings = t->crossings;
    out->clean_coverage = t->novl == 0;
}

/* Noding can only add nodes where something was unmatched, and each round
 * matches what it split; two rounds settle what a crossing adds. */
#define NODING_ROUNDS 3

int pm_topology_build(pm_topology **out, pm_ctx *ctx, pm_store *st, const pm_topology_opts *o)
{
    pm_topology *t = calloc(1, sizeof *t);
    int rc = 0;
    *out = NULL;
    if (!t || !(t->layer = strdup(o->layer))) {
        free(t);
        return pm_err(ctx, PM_ENOMEM, "out of memory", o->layer, "topology");
    }
    if (!(o->snap_m > 0) || !isfinite(o->snap_m) || !(o->near_m >= 0) || !isfinite(o->near_m)) {
        rc = pm_err(ctx, PM_EUSAGE, "bad tolerance", "--snap-m",
                    "the snapping tolerance must be > 0 and distances >= 0");
        goto done;
    }
    t->snap_m = o->snap_m;
    t->near_m = o->near_m;
    t->record_moves = o->record_moves;
    phase(o, 0.0, "topology: reading");
    if ((rc = pm_store_layer_srid(&t->srid, ctx, st, o->layer)) ||
        (rc = topo_read(t, ctx, st, o->layer)))
        goto done;
    phase(o, 0.4, "topology: matching edges");
    if ((rc = topo_match(t, ctx)))
        goto done;
    for (int round = 0; round < NODING_ROUNDS; round++) {
        int changed = 0;
        phase(o, 0.5, "topology: noding");
        if ((rc = topo_node(t, ctx, &changed)))
            goto done;
        if (!changed)
            break;
        if ((rc = topo_match(t, ctx)))
            goto done;
    }
    phase(o, 0.7, "topology: near boundaries");
    if ((rc = topo_find_near(t, ctx)))
        goto done;
    phase(o, 0.8, "topology: overlap evidence");
    if ((rc = topo_overlap_evidence(t, ctx)) || (rc = topo_need_lonlat(t, ctx)))
        goto done;
    *out = t;
    t = NULL;
done:
    pm_topology_free(t);
    return rc;
}

/* ---- pairs -------------------------------------------------------------- */

enum { EV_SHARED, EV_TOUCH, EV_NEAR };

typedef struct {
    uint32_t g;
    uint8_t kind;
    uint32_t e;
    double len, dmin, dmax, u0, u1;
} pair_ev;

typedef struct {
    pair_ev *ev;
    size_t n, cap;
    /* node -> features, built once: a CSR over node ids */
    size_t *nf_first;
    uint32_t *nf_feat;
} pair_run;

static int push(pair_run *r, pair_ev ev)
{
    if (r->n == r->cap) {
        size_t nc = r->cap ? 2 * r->cap : 64;
        pair_ev *n = realloc(r->ev, nc * sizeof *n);
        if (!n)
            return -1;
        r->ev = n;
        r->cap = nc;
    }
    r->ev[r->n++] = ev;
    return 0;
}

static int by_ev(const void *a, const void *b)
{
    const pair_ev *x = a, *y = b;
    if (x->g != y->g)
        return x->g < y->g ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    return (x->e > y->e) - (x->e < y->e);
}

/* Which features pass through each node (for corner contacts). */
static int node_features(pair_run *r, const pm_topology *t)
{
    size_t *cnt = calloc(t->nnodes + 2, sizeof *cnt);
    uint32_t *feat = malloc((t->nedges + 1) * sizeof *feat);
    if (!cnt || !feat) {
        free(cnt);
        free(feat);
        return -1;
    }
    for (size_t e = 0; e < t->nedges; e++)
        cnt[t->rnode[e] + 2]++;
    for (size_t i = 2; i < t->nnodes + 2; i++)
        cnt[i] += cnt[i - 1];
    for (size_t ring = 0; ring < t->nrings; ring++)
        for (size_t e = t->r_first[ring]; e < t->r_first[ring + 1]; e++)
            feat[cnt[t->rnode[e] + 1]++] = t->r_feat[ring];
    r->nf_first = cnt;
    r->nf_feat = feat;
    return 0;
}

/* A path of points as one more part of a line geometry. */
static int add_path(pm_geom **g, const double *xy, size_t n)
{
    if (!*g) {
        if (!(*g = calloc(1, sizeof **g)))
            return -1;
        (*g)->kind = PM_GEOM_LINE;
    }
    pm_part *parts = realloc((*g)->parts, ((*g)->nparts + 1) * sizeof *parts);
    if (!parts)
        return -1;
    (*g)->parts = parts;
    pm_part *p = &parts[(*g)->nparts];
    if (!(p->rings = calloc(1, sizeof *p->rings)))
        return -1;
    p->nrings = 1;
    (*g)->nparts++;
    if (!(p->rings[0].xy = malloc(2 * n * sizeof(double))))
        return -1;
    memcpy(p->rings[0].xy, xy, 2 * n * sizeof(double));
    p->rings[0].n = n;
    return 0;
}

/* The shared edges of one partner, consecutive edges of a ring chained. */
static int shared_lines(pm_geom **out, const pm_topology *t, const pair_ev *ev, size_t n)
{
    double *xy = malloc(2 * (n + 1) * sizeof *xy);
    size_t k = 0;
    int rc = xy ? 0 : -1;
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t e = ev[i].e;
        if (i && ev[i - 1].e == e)
            continue; /* the partner runs along it twice */
        size_t nx = topo_next_edge(t, e);
        if (k && (ev[i - 1].e + 1 != e || topo_ring_of(t, e) != topo_ring_of(t, ev[i - 1].e))) {
            rc = add_path(out, xy, k);
            k = 0;
        }
        if (!k) {
            xy[0] = t->nxy[2 * t->rnode[e]];
            xy[1] = t->nxy[2 * t->rnode[e] + 1];
            k = 1;
        }
        xy[2 * k] = t->nxy[2 * t->rnode[nx]];
        xy[2 * k + 1] = t->nxy[2 * t->rnode[nx] + 1];
        k++;
    }
    if (!rc && k)
        rc = add_path(out, xy, k);
    free(xy);
    return rc;
}

static int near_lines(pm_geom **out, const pm_topology *t, const pair_ev *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const double *p = &t->nxy[2 * t->rnode[ev[i].e]];
        const double *q = &t->nxy[2 * t->rnode[topo_next_edge(t, ev[i].e)]];
        double xy[4] = {p[0] + ev[i].u0 * (q[0] - p[0]), p[1] + ev[i].u0 * (q[1] - p[1]),
                        p[0] + ev[i].u1 * (q[0] - p[0]), p[1] + ev[i].u1 * (q[1] - p[1])};
        if (add_path(out, xy, 2))
            return -1;
    }
    return 0;
}

/* Events of feature f with partners g > f. */
static int collect(pair_run *r, const pm_topology *t, uint32_t f)
{
    r->n = 0;
    for (size_t ring = t->f_ring[f]; ring < t->f_ring[f + 1]; ring++)
        for (size_t e = t->r_first[ring]; e < t->r_first[ring + 1]; e++) {
            size_t h = t->he_pos[e], lo = h, hi = h + 1;
            while (lo > 0 && t->he[lo - 1].key == t->he[h].key)
                lo--;
            while (hi < t->nedges && t->he[hi].key == t->he[h].key)
                hi++;
            for (size_t k = lo; k < hi; k++) {
                const topo_hedge *o = &t->he[k];
                if (o->f <= f || o->fwd == t->he[h].fwd)
                    continue;
                uint32_t a = t->rnode[e], b = t->rnode[topo_next_edge(t, e)];
                if (push(r, (pair_ev){o->f, EV_SHARED, (uint32_t)e, topo_geod_len(t, a, b, 0, 1), 0,
                                      0, 0, 1}))
                    return -1;
            }
            uint32_t node = t->rnode[e];
            for (size_t k = r->nf_first[node]; k < r->nf_first[node + 1]; k++)
                if (r->nf_feat[k] > f &&
                    push(r, (pair_ev){r->nf_feat[k], EV_TOUCH, (uint32_t)e, 0, 0, 0, 0, 0}))
                    return -1;
        }
    /* Near stretches of f's own edges (sorted by f, g, e). */
    size_t lo = 0, hi = t->nnear;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->near[mid].f < f)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < t->nnear && t->near[k].f == f; k++) {
        const topo_near *nr = &t->near[k];
        if (nr->g <= f)
            continue;
        uint32_t a = t->rnode[nr->e], b = t->rnode[topo_next_edge(t, nr->e)];
        if (push(r, (pair_ev){nr->g, EV_NEAR, nr->e, topo_geod_len(t, a, b, nr->u0, nr->u1),
                              nr->dmin, nr->dmax, nr->u0, nr->u1}))
            return -1;
    }
    /* Overlapping partners with no contact in the graph (one inside the
     * other); ovl is sorted, f's pairs start at f << 32. */
    lo = 0, hi = t->novl;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->ovl[mid] < (uint64_t)f << 32)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < t->novl && (uint32_t)(t->ovl[k] >> 32) == f; k++)
        if (push(r, (pair_ev){(uint32_t)(t->ovl[k] & 0xffffffffu), EV_TOUCH, 0, -1, 0, 0, 0, 0}))
            return -1;
    if (r->n > 1)
        qsort(r->ev, r->n, sizeof *r->ev, by_ev);
    return 0;
}

static int is_overlap(const pm_topology *t, uint32_t f, uint32_t g)
{
    uint64_t key = (uint64_t)f << 32 | g;
    size_t lo = 0, hi = t->novl;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->ovl[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->novl && t->ovl[lo] == key;
}

static void pair_clear(pm_topo_pair *p)
{
    pm_geom_free(p->shared);
    pm_geom_free(p->near);
    pm_geom_free(p->overlap);
    memset(p, 0, sizeof *p);
}

int pm_topology_pairs(pm_topology *t, pm_ctx *ctx, int want_geom, pm_topo_pair_fn fn, void *user)
{
    pair_run r = {0};
    pm_topo_pair p;
    int rc = 0;
    memset(&p, 0, sizeof p);
    if (node_features(&r, t))
        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: pairs");
    for (uint32_t f = 0; f < t->nf && !rc; f++) {
        if (collect(&r, t, f)) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: pairs");
            break;
        }
        for (size_t i = 0, j; i < r.n && !rc; i = j) {
            uint32_t g = r.ev[i].g;
            size_t s0 = i, s1, n1;
            for (j = i; j < r.n && r.ev[j].g == g; j++)
                ;
            p.a_fid = t->fid[f];
            p.b_fid = t->fid[g];
            p.a_name = t->name[f];
            p.b_name = t->name[g];
            p.near_min_m = INFINITY;
            for (s1 = s0; s1 < j && r.ev[s1].kind == EV_SHARED; s1++)
                p.shared_m += r.ev[s1].len;
            for (n1 = s1; n1 < j; n1++) {
                if (r.ev[n1].kind == EV_TOUCH)
                    p.touches |= r.ev[n1].len == 0;
                if (r.ev[n1].kind != EV_NEAR)
                    continue;
                p.near_m += r.ev[n1].len;
                p.near_max_m = fmax(p.near_max_m, r.ev[n1].dmax / t->upm);
                p.near_min_m = fmin(p.near_min_m, r.ev[n1].dmin / t->upm);
            }
            p.touches |= s1 > s0;
            if (p.touches || !isfinite(p.near_min_m))
                p.near_min_m = p.touches ? 0 : p.near_min_m;
            if (!isfinite(p.near_min_m))
                p.near_min_m = 0;
            if (is_overlap(t, f, g) &&
                (rc = topo_overlap(&p.overlap_m2, want_geom ? &p.overlap : NULL, ctx, t, f, g)))
                break;
            if (want_geom) {
                size_t nn = 0;
                pair_ev *near_ev = NULL;
                for (size_t k = s1; k < j; k++)
                    if (r.ev[k].kind == EV_NEAR) {
                        if (!near_ev)
                            near_ev = &r.ev[k];
                        nn++;
                    }
                if ((s1 > s0 && shared_lines(&p.shared, t, &r.ev[s0], s1 - s0)) ||
                    (nn && near_lines(&p.near, t, near_ev, nn))) {
                    rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: lines");
                    break;
                }
            }
            rc = fn(user, ctx, &p);
            pair_clear(&p);
        }
    }
    pair_clear(&p);
    free(r.ev);
    free(r.nf_first);
    free(r.nf_feat);
    return rc;
}

/* ---- features by fid ------------------------------------------------------ */

int64_t topo_index_of(const pm_topology *t, int64_t fid)
{
    size_t lo = 0, hi = t->nf; /* features are sorted by fid */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->fid[mid] < fid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->nf && t->fid[lo] == fid ? (int64_t)lo : -1;
}

const char *pm_topology_name(const pm_topology *t, int64_t fid)
{
    int64_t i = topo_index_of(t, fid);
    return i < 0 ? NULL : t->name[i];
}

/* Every ring's area, planar and ellipsoidal (holes negative), once: the
 * check's per-park areas, the duplicate test and small parts all read it. */
static int need_areas(pm_topology *t, pm_ctx *ctx)
{
    if (t->r_m2)
        return 0;
    size_t maxn = 0;
    for (size_t r = 0; r < t->nrings; r++)
        if (t->r_first[r + 1] - t->r_first[r] > maxn)
            maxn = t->r_first[r + 1] - t->r_first[r];
    double *xy = malloc((2 * maxn + 2) * sizeof *xy);
    t->r_m2 = malloc((t->nrings + 1) * sizeof *t->r_m2);
    t->r_planar = malloc((t->nrings + 1) * sizeof *t->r_planar);
    if (!xy || !t->r_m2 || !t->r_planar) {
        free(xy);
        free(t->r_m2);
        free(t->r_planar);
        t->r_m2 = t->r_planar = NULL;
        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: areas");
    }
    for (size_t r = 0; r < t->nrings; r++) {
        size_t n = t->r_first[r + 1] - t->r_first[r];
        pm_ring ring = {n, xy};
        pm_part part = {1, &ring};
        pm_geom one = {PM_GEOM_POLYGON, 1, &part};
        double planar = 0;
        for (size_t k = 0; k < n; k++) {
            const double *p = &t->nxy[2 * t->rnode[t->r_first[r] + k]];
            const double *q = &t->nxy[2 * t->rnode[t->r_first[r] + (k + 1) % n]];
            planar += p[0] * q[1] - q[0] * p[1];
            memcpy(&xy[2 * k], &t->nll[2 * t->rnode[t->r_first[r] + k]], 2 * sizeof(double));
        }
        double sign = t->r_hole[r] ? -1 : 1;
        t->r_m2[r] = sign * pm_geod_area(&one);
        t->r_planar[r] = sign * fabs(planar) / 2;
    }
    free(xy);
    return 0;
}

int pm_topology_areas(double *out_planar_m2, double *out_m2, pm_ctx *ctx, pm_topology *t,
                      int64_t fid)
{
    int64_t f = topo_index_of(t, fid);
    int rc;
    *out_planar_m2 = *out_m2 = NAN;
    if (f < 0)
        return pm_err(ctx, PM_EINTERNAL, "no such feature", t->layer, "fid %lld", (long long)fid);
    if ((rc = need_areas(t, ctx)))
        return rc;
    double a = 0, p = 0;
    for (size_t r = t->f_ring[f]; r < t->f_ring[f + 1]; r++) {
        a += t->r_m2[r];
        p += t->r_planar[r];
    }
    *out_planar_m2 = p;
    *out_m2 = a;
    return 0;
}

int pm_topology_feature_area(double *out_m2, pm_ctx *ctx, pm_topology *t, int64_t fid)
{
    double planar;
    return pm_topology_areas(&planar, out_m2, ctx, t, fid);
}

void pm_topo_parts_free(pm_topo_part *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++)
        pm_geom_free(p[i].geom);
    free(p);
}

/* One part (an exterior ring and the holes after it) in the storage CRS. */
static int part_geom(pm_geom **out, const pm_topology *t, size_t r0, size_t r1)
{
    pm_geom *g = calloc(1, sizeof *g);
    pm_part *p = g ? calloc(1, sizeof *p) : NULL;
    pm_ring *rings = p ? calloc(r1 - r0, sizeof *rings) : NULL;
    *out = NULL;
    if (!rings) {
        free(p);
        free(g);
        return -1;
    }
    g->kind = PM_GEOM_POLYGON;
    g->nparts = 1;
    g->parts = p;
    p->rings = rings;
    for (size_t r = r0; r < r1; r++) {
        size_t n = t->r_first[r + 1] - t->r_first[r];
        pm_ring *ring = &rings[p->nrings++];
        if (!(ring->xy = malloc(2 * (n + 1) * sizeof *ring->xy))) {
            pm_geom_free(g);
            return -1;
        }
        for (size_t k = 0; k <= n; k++)
            memcpy(&ring->xy[2 * k], &t->nxy[2 * t->rnode[t->r_first[r] + k % n]],
                   2 * sizeof(double));
        ring->n = n + 1;
    }
    *out = g;
    return 0;
}

int pm_topology_small_parts(pm_topo_part **out, size_t *out_n, pm_ctx *ctx, pm_topology *t,
                            double max_m2)
{
    pm_topo_part *parts = NULL;
    size_t n = 0, cap = 0;
    int rc;
    *out = NULL;
    *out_n = 0;
    if ((rc = need_areas(t, ctx)))
        return rc;
    for (size_t f = 0; f < t->nf && !rc; f++) {
        int part = 0;
        for (size_t r = t->f_ring[f]; r < t->f_ring[f + 1] && !rc;) {
            size_t r1 = r + 1;
            double a = t->r_m2[r];
            while (r1 < t->f_ring[f + 1] && t->r_hole[r1])
                a += t->r_m2[r1++];
            part++;
            if (a < max_m2) {
                if (n == cap) {
                    size_t nc = cap ? 2 * cap : 16;
                    pm_topo_part *np = realloc(parts, nc * sizeof *np);
                    if (!np) {
                        rc = -1;
                        break;
                    }
                    parts = np;
                    cap = nc;
                }
                pm_topo_part *p = &parts[n++];
                p->fid = t->fid[f];
                p->part = part;
                p->area_m2 = a;
                if (part_geom(&p->geom, t, r, r1))
                    rc = -1;
            }
            r = r1;
        }
    }
    if (rc) {
        pm_topo_parts_free(parts, n);
        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: parts");
    }
    *out = parts;
    *out_n = n;
    return 0;
}
