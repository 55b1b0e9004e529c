/* Noding: splitting edges where another feature's node lies on them
 * (T-junctions, different vertex density) or where they cross, and
 * finding unmatched boundaries that run near each other.
 *
 * Only edges that are not already matched need looking at: in a clean
 * coverage that is the outer boundary, so the work follows the problems,
 * not the layer. Candidate pairs come from a uniform grid of segment
 * boxes, each pair tested once (in the cell holding the lower-left corner
 * of the two boxes' intersection). */
#include "topo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint32_t a, b;   /* nodes */
    uint32_t f1, f2; /* features along it (f2 == f1 when one) */
    uint32_t id;     /* noding: index into he of the group's first edge; near: edge */
    uint8_t dirty;   /* not a clean matched edge: must be tested */
    double box[4];   /* grown by the pass's distance */
} seg_item;

typedef int (*seg_test_fn)(void *user, const seg_item *i, const seg_item *j);

typedef struct {
    int64_t cell;
    uint32_t item;
} cell_entry;

static void item_box(const pm_topology *t, seg_item *it, double grow)
{
    const double *p = &t->nxy[2 * it->a], *q = &t->nxy[2 * it->b];
    it->box[0] = fmin(p[0], q[0]) - grow;
    it->box[1] = fmin(p[1], q[1]) - grow;
    it->box[2] = fmax(p[0], q[0]) + grow;
    it->box[3] = fmax(p[1], q[1]) + grow;
}

static int share_feature(const seg_item *i, const seg_item *j)
{
    return i->f1 == j->f1 || i->f1 == j->f2 || i->f2 == j->f1 || i->f2 == j->f2;
}

static int add_entry(cell_entry **ent, size_t *n, size_t *cap, int64_t cell, size_t item)
{
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 4096;
        cell_entry *ne = realloc(*ent, nc * sizeof *ne);
        if (!ne)
            return -1;
        *ent = ne;
        *cap = nc;
    }
    (*ent)[(*n)++] = (cell_entry){cell, (uint32_t)item};
    return 0;
}

/* Run test on every pair of items whose grown boxes meet, at least one
 * dirty, no feature in common. */
static int seg_pass(pm_topology *t, pm_ctx *ctx, seg_item *it, size_t n, double grow,
                    seg_test_fn test, void *user)
{
    topo_cellmap *cells = NULL;
    cell_entry *ent = NULL;
    size_t nent = 0, cap_ent = 0, *first = NULL, cap_occ = 0;
    int64_t *occ = NULL; /* the occupied cells' coordinates, by index */
    uint32_t *list = NULL;
    int rc = 0;
    double sum = 0;
    size_t ndirty = 0;
    for (size_t i = 0; i < n; i++) {
        item_box(t, &it[i], grow);
        if (it[i].dirty) {
            sum += fmax(it[i].box[2] - it[i].box[0], it[i].box[3] - it[i].box[1]);
            ndirty++;
        }
    }
    if (!ndirty)
        return 0;
    double cell = fmax(sum / (double)ndirty, 1e-3);
    /* Coarser cells when long segments would make too many entries. */
    for (;;) {
        double cells_total = 0;
        for (size_t i = 0; i < n; i++)
            if (it[i].dirty)
                cells_total += (floor(it[i].box[2] / cell) - floor(it[i].box[0] / cell) + 1) *
                               (floor(it[i].box[3] / cell) - floor(it[i].box[1] / cell) + 1);
        if (cells_total <= 16.0 * (double)ndirty + 1e6)
            break;
        cell *= 2;
    }
    if (!(cells = topo_cellmap_new(2 * ndirty)))
        goto oom;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            if ((pass == 0) != (it[i].dirty != 0))
                continue;
            const double *b = it[i].box;
            int64_t r[4] = {(int64_t)floor(b[0] / cell), (int64_t)floor(b[1] / cell),
                            (int64_t)floor(b[2] / cell), (int64_t)floor(b[3] / cell)};
            double span = (double)(r[2] - r[0] + 1) * (double)(r[3] - r[1] + 1);
            size_t nocc = topo_cellmap_count(cells);
            /* Clean edges join only cells a dirty one is in. A long clean
             * edge (a park's straight side across a fabric of small ones)
             * would visit far more cells than there are: it looks through
             * the occupied cells instead. */
            if (pass == 1 && span > 4.0 * (double)nocc) {
                for (size_t c = 0; c < nocc; c++)
                    if (occ[2 * c] >= r[0] && occ[2 * c] <= r[2] && occ[2 * c + 1] >= r[1] &&
                        occ[2 * c + 1] <= r[3] && add_entry(&ent, &nent, &cap_ent, (int64_t)c, i))
                        goto oom;
                continue;
            }
            for (int64_t cx = r[0]; cx <= r[2]; cx++)
                for (int64_t cy = r[1]; cy <= r[3]; cy++) {
                    int64_t c = topo_cellmap_get(cells, cx, cy, pass == 0);
                    if (c == -2)
                        goto oom;
                    if (c < 0)
                        continue;
                    if (pass == 0 && (size_t)c == nocc) { /* a new cell: note where */
                        if (nocc == cap_occ) {
                            size_t nc2 = cap_occ ? 2 * cap_occ : 4096;
                            int64_t *no = realloc(occ, 2 * nc2 * sizeof *no);
                            if (!no)
                                goto oom;
                            occ = no;
                            cap_occ = nc2;
                        }
                        occ[2 * c] = cx;
                        occ[2 * c + 1] = cy;
                        nocc++;
                    }
                    if (add_entry(&ent, &nent, &cap_ent, c, i))
                        goto oom;
                }
        }
    /* Counting sort by cell. */
    size_t nc = topo_cellmap_count(cells);
    if (!(first = calloc(nc + 2, sizeof *first)) || !(list = malloc((nent + 1) * sizeof *list)))
        goto oom;
    for (size_t k = 0; k < nent; k++)
        first[ent[k].cell + 2]++;
    for (size_t c = 2; c < nc + 2; c++)
        first[c] += first[c - 1];
    for (size_t k = 0; k < nent; k++)
        list[first[ent[k].cell + 1]++] = ent[k].item;
    free(ent);
    ent = NULL;
    for (size_t c = 0; c < nc && !rc; c++) {
        size_t lo = first[c], hi = first[c + 1];
        for (size_t x = lo; x < hi && !rc; x++)
            for (size_t y = x + 1; y < hi && !rc; y++) {
                const seg_item *i = &it[list[x]], *j = &it[list[y]];
                if ((!i->dirty && !j->dirty) || share_feature(i, j))
                    continue;
                if (i->box[0] > j->box[2] || j->box[0] > i->box[2] || i->box[1] > j->box[3] ||
                    j->box[1] > i->box[3])
                    continue;
                /* Once per pair: in the cell of the boxes' common lower-left corner. */
                int64_t ox = (int64_t)floor(fmax(i->box[0], j->box[0]) / cell);
                int64_t oy = (int64_t)floor(fmax(i->box[1], j->box[1]) / cell);
                if (topo_cellmap_get(cells, ox, oy, 0) != (int64_t)c)
                    continue;
                rc = test(user, i, j);
            }
    }
    goto done;
oom:
    rc = pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: segment grid");
done:
    topo_cellmap_free(cells);
    free(ent);
    free(occ);
    free(first);
    free(list);
    return rc;
}

/* ---- noding --------------------------------------------------------------- */

typedef struct {
    uint64_t key; /* the group's node pair */
    double u;     /* along the group from its lower node to its higher */
    uint32_t node;
} split_rec;

typedef struct {
    pm_topology *t;
    pm_ctx *ctx;
    split_rec *sp;
    size_t nsp, cap_sp;
} node_run;

static int add_split(node_run *r, uint64_t key, double u, uint32_t node)
{
    if (r->nsp == r->cap_sp) {
        size_t nc = r->cap_sp ? 2 * r->cap_sp : 256;
        split_rec *n = realloc(r->sp, nc * sizeof *n);
        if (!n)
            return pm_err(r->ctx, PM_ENOMEM, "out of memory", r->t->layer, "topology: splits");
        r->sp = n;
        r->cap_sp = nc;
    }
    r->sp[r->nsp++] = (split_rec){key, u, node};
    return 0;
}

/* Parameter of q's foot on segment p0-p1, and q's squared distance to it. */
static double foot(const double *p0, const double *p1, const double *q, double *d2)
{
    double dx = p1[0] - p0[0], dy = p1[1] - p0[1], l2 = dx * dx + dy * dy;
    double u = l2 > 0 ? ((q[0] - p0[0]) * dx + (q[1] - p0[1]) * dy) / l2 : 0;
    double ex = p0[0] + u * dx - q[0], ey = p0[1] + u * dy - q[1];
    *d2 = ex * ex + ey * ey;
    return u;
}

/* Node q (of another feature) on segment i's interior: split i there. */
static int node_on(node_run *r, const seg_item *i, uint32_t q)
{
    const pm_topology *t = r->t;
    if (q == i->a || q == i->b)
        return 0;
    double d2, u = foot(&t->nxy[2 * i->a], &t->nxy[2 * i->b], &t->nxy[2 * q], &d2);
    double len =
        hypot(t->nxy[2 * i->b] - t->nxy[2 * i->a], t->nxy[2 * i->b + 1] - t->nxy[2 * i->a + 1]);
    if (d2 > t->snap_m * t->snap_m || u * len <= t->snap_m || (1 - u) * len <= t->snap_m)
        return 0;
    return add_split(r, t->he[i->id].key, u, q);
}

static double orient(const double *a, const double *b, const double *c)
{
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

static int new_node(pm_topology *t, pm_ctx *ctx, double x, double y, uint32_t *out)
{
    if (t->nnodes == t->cap_nodes) {
        size_t nc = t->cap_nodes ? 2 * t->cap_nodes : 4096;
        double *n = realloc(t->nxy, 2 * nc * sizeof *n);
        if (!n)
            return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: nodes");
        t->nxy = n;
        t->cap_nodes = nc;
    }
    t->nxy[2 * t->nnodes] = x;
    t->nxy[2 * t->nnodes + 1] = y;
    *out = (uint32_t)t->nnodes++;
    return 0;
}

static int node_test(void *user, const seg_item *i, const seg_item *j)
{
    node_run *r = user;
    pm_topology *t = r->t;
    int rc;
    if ((rc = node_on(r, i, j->a)) || (rc = node_on(r, i, j->b)) || (rc = node_on(r, j, i->a)) ||
        (rc = node_on(r, j, i->b)))
        return rc;
    if (i->a == j->a || i->a == j->b || i->b == j->a || i->b == j->b)
        return 0;
    const double *p0 = &t->nxy[2 * i->a], *p1 = &t->nxy[2 * i->b];
    const double *q0 = &t->nxy[2 * j->a], *q1 = &t->nxy[2 * j->b];
    double o1 = orient(p0, p1, q0), o2 = orient(p0, p1, q1);
    double o3 = orient(q0, q1, p0), o4 = orient(q0, q1, p1);
    if (!((o1 > 0) != (o2 > 0) && o1 != 0 && o2 != 0 && (o3 > 0) != (o4 > 0) && o3 != 0 && o4 != 0))
        return 0;
    /* A proper crossing: the interiors overlap there. Split both edges at
     * the crossing unless it lies within the tolerance of an end (then the
     * end's own test above has split or will split it). */
    double u = o3 / (o3 - o4);
    double x = p0[0] + u * (p1[0] - p0[0]), y = p0[1] + u * (p1[1] - p0[1]);
    double ends[4][2] = {{p0[0], p0[1]}, {p1[0], p1[1]}, {q0[0], q0[1]}, {q1[0], q1[1]}};
    int near_end = 0;
    for (int k = 0; k < 4; k++)
        near_end |= hypot(ends[k][0] - x, ends[k][1] - y) <= t->snap_m;
    uint32_t fi[2] = {i->f1, i->f2}, fj[2] = {j->f1, j->f2};
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++)
            if ((rc = topo_add_ovl(t, r->ctx, fi[a], fj[b])))
                return rc;
    if (near_end)
        return 0;
    t->crossings++;
    uint32_t nn = 0;
    double dummy, v = foot(q0, q1, (double[]){x, y}, &dummy);
    if ((rc = new_node(t, r->ctx, x, y, &nn)))
        return rc;
    /* Parameters along each group's lower-to-higher direction. */
    double ui = i->a < i->b ? u : 1 - u, vj = j->a < j->b ? v : 1 - v;
    if ((rc = add_split(r, t->he[i->id].key, ui, nn)))
        return rc;
    return add_split(r, t->he[j->id].key, vj, nn);
}

static int by_split(const void *a, const void *b)
{
    const split_rec *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->u > y->u) - (x->u < y->u);
}

/* Rewrite every ring with the split nodes inserted along its edges. */
static int apply_splits(pm_topology *t, pm_ctx *ctx, split_rec *sp, size_t nsp)
{
    size_t cap = t->nedges + nsp * 2 + 1, n = 0;
    uint32_t *rn = malloc(cap * sizeof *rn);
    size_t *rf = malloc((t->nrings + 1) * sizeof *rf);
    if (!rn || !rf) {
        free(rn);
        free(rf);
        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: splits");
    }
    for (size_t r = 0; r < t->nrings; r++) {
        rf[r] = n;
        for (size_t e = t->r_first[r]; e < t->r_first[r + 1]; e++) {
            uint32_t u = t->rnode[e];
            uint32_t v = t->rnode[e + 1 < t->r_first[r + 1] ? e + 1 : t->r_first[r]];
            uint64_t key = u < v ? (uint64_t)u << 32 | v : (uint64_t)v << 32 | u;
            if (n == cap) {
                cap *= 2;
                uint32_t *g = realloc(rn, cap * sizeof *g);
                if (!g) {
                    free(rn);
                    free(rf);
                    return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: splits");
                }
                rn = g;
            }
            rn[n++] = u;
            /* The splits of this group: a binary search for the first. */
            size_t lo = 0, hi = nsp;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (sp[mid].key < key)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            size_t end = lo;
            while (end < nsp && sp[end].key == key)
                end++;
            for (size_t k = 0; k < end - lo; k++) {
                const split_rec *s = &sp[u < v ? lo + k : end - 1 - k];
                if (s->node == u || s->node == v || s->node == rn[n - 1])
                    continue;
                if (n == cap) {
                    cap *= 2;
                    uint32_t *g = realloc(rn, cap * sizeof *g);
                    if (!g) {
                        free(rn);
                        free(rf);
                        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer,
                                      "topology: splits");
                    }
                    rn = g;
                }
                rn[n++] = s->node;
                t->split_vertices++;
            }
        }
    }
    rf[t->nrings] = n;
    free(t->rnode);
    free(t->r_first);
    t->rnode = rn;
    t->r_first = rf;
    t->nedges = n;
    return 0;
}

int topo_node(pm_topology *t, pm_ctx *ctx, int *out_changed)
{
    seg_item *it = NULL;
    size_t n = 0;
    node_run run = {t, ctx, NULL, 0, 0};
    int rc = 0;
    *out_changed = 0;
    if (!(it = malloc((t->nedges + 1) * sizeof *it)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: noding");
    for (size_t i = 0, j; i < t->nedges; i = j) {
        for (j = i + 1; j < t->nedges && t->he[j].key == t->he[i].key; j++)
            ;
        seg_item *s = &it[n++];
        s->a = (uint32_t)(t->he[i].key >> 32);
        s->b = (uint32_t)(t->he[i].key & 0xffffffffu);
        s->f1 = t->he[i].f;
        s->f2 = t->he[j - 1].f;
        s->id = (uint32_t)i;
        /* Clean: exactly two features, one on either side. */
        s->dirty =
            !(j - i == 2 && t->he[i].f != t->he[i + 1].f && t->he[i].fwd != t->he[i + 1].fwd);
        if (j - i > 2)
            s->f2 = s->f1; /* features beyond two: tested against all (rare) */
    }
    if ((rc = seg_pass(t, ctx, it, n, t->snap_m, node_test, &run)))
        goto done;
    if (run.nsp) {
        qsort(run.sp, run.nsp, sizeof *run.sp, by_split);
        if ((rc = apply_splits(t, ctx, run.sp, run.nsp)))
            goto done;
        *out_changed = 1;
    }
done:
    free(it);
    free(run.sp);
    return rc;
}

/* ---- near stretches -------------------------------------------------------- */

typedef struct {
    pm_topology *t;
    pm_ctx *ctx;
} near_run;

/* Narrow [lo, hi] to the u where a + b*u lies in [vmin, vmax]. */
static void clamp_linear(double *lo, double *hi, double a, double b, double vmin, double vmax)
{
    if (fabs(b) < 1e-300) {
        if (a < vmin || a > vmax)
            *hi = *lo - 1;
        return;
    }
    double u1 = (vmin - a) / b, u2 = (vmax - a) / b;
    if (u1 > u2) {
        double x = u1;
        u1 = u2;
        u2 = x;
    }
    *lo = fmax(*lo, u1);
    *hi = fmin(*hi, u2);
}

/* Boundaries run "along" each other only when nearly parallel: two edges
 * leaving one corner at a right angle are not a near-miss. */
#define NEAR_MAX_SIN 0.35 /* about 20 degrees */

/* The stretch of edge i (as its feature's) within near_m of edge j. */
static int near_side(near_run *r, const seg_item *i, const seg_item *j)
{
    pm_topology *t = r->t;
    const double *p0 = &t->nxy[2 * i->a], *p1 = &t->nxy[2 * i->b];
    const double *q0 = &t->nxy[2 * j->a], *q1 = &t->nxy[2 * j->b];
    double wx = q1[0] - q0[0], wy = q1[1] - q0[1], L = hypot(wx, wy);
    double dx = p1[0] - p0[0], dy = p1[1] - p0[1], ls = hypot(dx, dy);
    if (L <= 0 || ls <= 0 || fabs(wx * dy - wy * dx) > NEAR_MAX_SIN * L * ls)
        return 0;
    /* Signed distance to j's line and foot parameter on j, both linear in u. */
    double D0 = (wx * (p0[1] - q0[1]) - wy * (p0[0] - q0[0])) / L;
    double D1 = (wx * (p1[1] - q0[1]) - wy * (p1[0] - q0[0])) / L;
    double l0 = (wx * (p0[0] - q0[0]) + wy * (p0[1] - q0[1])) / (L * L);
    double l1 = (wx * (p1[0] - q0[0]) + wy * (p1[1] - q0[1])) / (L * L);
    double lo = 0, hi = 1;
    clamp_linear(&lo, &hi, l0, l1 - l0, 0, 1);
    clamp_linear(&lo, &hi, D0, D1 - D0, -t->near_m, t->near_m);
    if ((hi - lo) * ls <= t->snap_m)
        return 0;
    double da = D0 + lo * (D1 - D0), db = D0 + hi * (D1 - D0);
    topo_near nr = {
        i->f1, j->f1, i->id, lo, hi, fmin(fabs(da), fabs(db)), fmax(fabs(da), fabs(db))};
    if ((da > 0) != (db > 0))
        nr.dmin = 0;
    if (t->nnear == t->cap_near) {
        size_t nc = t->cap_near ? 2 * t->cap_near : 256;
        topo_near *n = realloc(t->near, nc * sizeof *n);
        if (!n)
            return pm_err(r->ctx, PM_ENOMEM, "out of memory", t->layer, "topology: near");
        t->near = n;
        t->cap_near = nc;
    }
    t->near[t->nnear++] = nr;
    return 0;
}

static int near_test(void *user, const seg_item *i, const seg_item *j)
{
    int rc = near_side(user, i, j);
    return rc ? rc : near_side(user, j, i);
}

static int by_near(const void *a, const void *b)
{
    const topo_near *x = a, *y = b;
    if (x->f != y->f)
        return x->f < y->f ? -1 : 1;
    if (x->g != y->g)
        return x->g < y->g ? -1 : 1;
    if (x->e != y->e)
        return x->e < y->e ? -1 : 1;
    return (x->u0 > y->u0) - (x->u0 < y->u0);
}

int topo_find_near(pm_topology *t, pm_ctx *ctx)
{
    t->nnear = 0;
    if (!(t->near_m > 0))
        return 0;
    seg_item *it = malloc((t->nedges + 1) * sizeof *it);
    size_t n = 0;
    near_run run = {t, ctx};
    if (!it)
        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: near");
    for (size_t r = 0; r < t->nrings; r++)
        for (size_t e = t->r_first[r]; e < t->r_first[r + 1]; e++) {
            if (t->matched[e])
                continue;
            seg_item *s = &it[n++];
            s->a = t->rnode[e];
            s->b = t->rnode[e + 1 < t->r_first[r + 1] ? e + 1 : t->r_first[r]];
            s->f1 = s->f2 = t->r_feat[r];
            s->id = (uint32_t)e;
            s->dirty = 1;
        }
    int rc = seg_pass(t, ctx, it, n, t->near_m, near_test, &run);
    free(it);
    if (rc)
        return rc;
    /* Merge overlapping stretches of one edge near one feature. */
    if (t->nnear > 1)
        qsort(t->near, t->nnear, sizeof *t->near, by_near);
    size_t w = 0;
    for (size_t i = 0; i < t->nnear; i++) {
        topo_near *p = w ? &t->near[w - 1] : NULL, *c = &t->near[i];
        if (p && p->f == c->f && p->g == c->g && p->e == c->e && c->u0 <= p->u1) {
            p->u1 = fmax(p->u1, c->u1);
            p->dmin = fmin(p->dmin, c->dmin);
            p->dmax = fmax(p->dmax, c->dmax);
        } else {
            t->near[w++] = *c;
        }
    }
    t->nnear = w;
    return 0;
}
