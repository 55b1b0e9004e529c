/* Reading a layer into the graph: features sorted by fid, rings oriented
 * with the interior on the left, every vertex snapped to a node. */
#include "topo_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t fid;
    char *name;
    pm_geom *geom;
} raw_feat;

static int by_fid(const void *a, const void *b)
{
    const raw_feat *x = a, *y = b;
    return (x->fid > y->fid) - (x->fid < y->fid);
}

/* Snapping: a node per cluster of vertices within snap_m. Each vertex joins
 * the nearest existing node within the tolerance (looked up in the 3x3
 * cells of a grid of that size) or becomes a node itself, so copies of one
 * corner that differ by rounding or digitising noise become one node, while
 * no vertex moves by more than the tolerance. */
typedef struct {
    topo_cellmap *cells;
    int64_t *head; /* per cell: first node, -1 none */
    size_t cap_head;
    int64_t *next; /* per node: next node in its cell */
} snapper;

/* Note a vertex moved onto node n (for clean's report). */
static int note_move(pm_topology *t, uint32_t f, double x, double y, int64_t n, double d2)
{
    if (t->nmoves == t->cap_moves) {
        size_t nc = t->cap_moves ? 2 * t->cap_moves : 256;
        pm_topo_move *m = realloc(t->moves, nc * sizeof *m);
        if (!m)
            return -1;
        t->moves = m;
        t->cap_moves = nc;
    }
    t->moves[t->nmoves++] =
        (pm_topo_move){t->fid[f], x, y, t->nxy[2 * n], t->nxy[2 * n + 1], sqrt(d2) / t->upm};
    return 0;
}

static int64_t snap_point(pm_topology *t, snapper *sn, uint32_t f, double x, double y)
{
    double s = t->snap_m;
    int64_t cx = (int64_t)floor(x / s), cy = (int64_t)floor(y / s);
    int64_t best = -1;
    double bd = s * s;
    for (int64_t i = cx - 1; i <= cx + 1; i++)
        for (int64_t j = cy - 1; j <= cy + 1; j++) {
            int64_t c = topo_cellmap_get(sn->cells, i, j, 0);
            if (c < 0)
                continue;
            for (int64_t n = sn->head[c]; n >= 0; n = sn->next[n]) {
                double dx = t->nxy[2 * n] - x, dy = t->nxy[2 * n + 1] - y;
                double d = dx * dx + dy * dy;
                if (d <= bd) {
                    bd = d;
                    best = n;
                }
            }
        }
    if (best >= 0) {
        if (t->record_moves && bd > 0 && note_move(t, f, x, y, best, bd))
            return -1;
        return best;
    }
    if (t->nnodes >= UINT32_MAX - 1)
        return -1; /* node ids are 32-bit: over 4e9 vertices (~100 GB) */
    if (t->nnodes == t->cap_nodes) {
        size_t nc = t->cap_nodes ? 2 * t->cap_nodes : 4096;
        double *nx = realloc(t->nxy, 2 * nc * sizeof *nx);
        if (!nx)
            return -1;
        t->nxy = nx;
        int64_t *nn = realloc(sn->next, nc * sizeof *nn);
        if (!nn)
            return -1;
        sn->next = nn;
        t->cap_nodes = nc;
    }
    int64_t c = topo_cellmap_get(sn->cells, cx, cy, 1);
    if (c < 0)
        return -1;
    if ((size_t)c >= sn->cap_head) {
        size_t nc = sn->cap_head ? 2 * sn->cap_head : 4096;
        int64_t *nh = realloc(sn->head, nc * sizeof *nh);
        if (!nh)
            return -1;
        for (size_t z = sn->cap_head; z < nc; z++)
            nh[z] = -1;
        sn->head = nh;
        sn->cap_head = nc;
    }
    int64_t n = (int64_t)t->nnodes++;
    t->nxy[2 * n] = x;
    t->nxy[2 * n + 1] = y;
    sn->next[n] = sn->head[c];
    sn->head[c] = n;
    return n;
}

static double ring_signed_area(const pm_ring *r)
{
    double a = 0;
    for (size_t i = 0; i + 1 < r->n; i++)
        a += r->xy[2 * i] * r->xy[2 * i + 3] - r->xy[2 * i + 2] * r->xy[2 * i + 1];
    if (r->n > 1) /* closing segment, when the ring is not closed explicitly */
        a += r->xy[2 * (r->n - 1)] * r->xy[1] - r->xy[0] * r->xy[2 * (r->n - 1) + 1];
    return a / 2;
}

/* Grow an array of elements of size sz to hold at least need. */
static int reserve(void **p, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 1024;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * sz);
    if (!np)
        return -1;
    *p = np;
    *cap = nc;
    return 0;
}

/* The three per-ring arrays grow together (one capacity). */
static int grow_rings(pm_topology *t, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? 2 * *cap : 1024;
    while (nc < need)
        nc *= 2;
    size_t *rf = realloc(t->r_first, nc * sizeof *rf);
    if (rf)
        t->r_first = rf;
    uint8_t *rh = realloc(t->r_hole, nc * sizeof *rh);
    if (rh)
        t->r_hole = rh;
    uint32_t *rt = realloc(t->r_feat, nc * sizeof *rt);
    if (rt)
        t->r_feat = rt;
    if (!rf || !rh || !rt)
        return -1;
    *cap = nc;
    return 0;
}

/* Append one ring's nodes, dropping repeats (vertices snapped together)
 * and the closing vertex; a ring left with fewer than three nodes has
 * collapsed below the tolerance and is dropped. */
static int add_ring(pm_topology *t, snapper *sn, const pm_ring *r, int hole, uint32_t f,
                    size_t *cap_nodes_arr, size_t *cap_rings)
{
    double a = ring_signed_area(r);
    int reverse = hole ? a > 0 : a < 0;
    size_t start = t->nedges;
    /* The closing vertex repeats the first: snap (and report) it once. */
    size_t npts = r->n;
    if (npts > 1 && r->xy[0] == r->xy[2 * (npts - 1)] && r->xy[1] == r->xy[2 * npts - 1])
        npts--;
    if (reserve((void **)&t->rnode, cap_nodes_arr, t->nedges + r->n, sizeof *t->rnode))
        return -1;
    for (size_t k = 0; k < npts; k++) {
        size_t i = reverse ? npts - 1 - k : k;
        int64_t n = snap_point(t, sn, f, r->xy[2 * i], r->xy[2 * i + 1]);
        if (n < 0)
            return -1;
        if (t->nedges > start && t->rnode[t->nedges - 1] == (uint32_t)n)
            continue;
        t->rnode[t->nedges++] = (uint32_t)n;
    }
    while (t->nedges - start > 1 && t->rnode[t->nedges - 1] == t->rnode[start])
        t->nedges--;
    if (t->nedges - start < 3) {
        t->nedges = start;
        return 0;
    }
    if (grow_rings(t, cap_rings, t->nrings + 2))
        return -1;
    t->r_first[t->nrings] = start;
    t->r_hole[t->nrings] = (uint8_t)(hole != 0);
    t->r_feat[t->nrings] = f;
    t->nrings++;
    t->r_first[t->nrings] = t->nedges;
    return 0;
}

static size_t npts_of(const raw_feat *raw, size_t n)
{
    size_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += raw[i].geom ? pm_geom_npoints(raw[i].geom) : 0;
    return s;
}

int topo_read(pm_topology *t, pm_ctx *ctx, pm_store *st, const char *layer)
{
    static const char *const fields[] = {"name"};
    pm_cursor *cur = NULL;
    pm_feature f;
    raw_feat *raw = NULL;
    size_t nraw = 0, cap_raw = 0, cap_nodes_arr = 0, cap_rings = 0;
    snapper sn = {0};
    int rc = 0, step;
    memset(&f, 0, sizeof f);
    if ((rc = pm_store_cursor_open_fields(&cur, ctx, st, layer, fields, 1)))
        return rc;
    int name_col = pm_schema_find(pm_cursor_schema(cur), "name");
    while ((step = pm_cursor_next(&f, ctx, cur)) == 1) {
        if (reserve((void **)&raw, &cap_raw, nraw + 1, sizeof *raw))
            goto oom;
        raw_feat *r = &raw[nraw++];
        r->fid = f.fid;
        r->geom = f.geom;
        f.geom = NULL;
        const pm_value *v = name_col >= 0 ? &f.values[name_col] : NULL;
        if (v && !v->is_null && v->s) {
            r->name = v->s;
            f.values[name_col].s = NULL;
        } else {
            char buf[32];
            snprintf(buf, sizeof buf, "#%lld", (long long)f.fid);
            r->name = strdup(buf);
        }
        pm_feature_clear(&f);
        memset(&f, 0, sizeof f);
        if (!r->name)
            goto oom;
    }
    if (step < 0) {
        rc = step;
        goto done;
    }
    if (nraw > 1)
        qsort(raw, nraw, sizeof *raw, by_fid);
    if (nraw >= UINT32_MAX || npts_of(raw, nraw) >= UINT32_MAX / 2) {
        rc = pm_err(ctx, PM_EINPUT, "layer too large for the boundary graph", layer,
                    "%zu features: feature, node and edge numbers are 32-bit", nraw);
        goto done;
    }
    t->nf = nraw;
    /* The tolerances in the CRS's units, measured at the layer's centre. */
    double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < nraw; i++) {
        double b[4];
        if (raw[i].geom && pm_geom_bbox(raw[i].geom, &b[0], &b[1], &b[2], &b[3])) {
            ext[0] = fmin(ext[0], b[0]);
            ext[1] = fmin(ext[1], b[1]);
            ext[2] = fmax(ext[2], b[2]);
            ext[3] = fmax(ext[3], b[3]);
        }
    }
    t->upm = 1.0;
    if (ext[0] <= ext[2])
        t->upm = topo_units_per_m(t, (ext[0] + ext[2]) / 2, (ext[1] + ext[3]) / 2,
                                  fmax(ext[2] - ext[0], ext[3] - ext[1]));
    if (ext[0] <= ext[2])
        topo_scale_range(t, ext);
    else
        t->upm_lo = t->upm_hi = t->upm;
    t->snap_m *= t->upm;
    t->near_m *= t->upm;
    size_t npts = 0;
    for (size_t i = 0; i < nraw; i++)
        npts += raw[i].geom ? pm_geom_npoints(raw[i].geom) : 0;
    t->fid = malloc((nraw + 1) * sizeof *t->fid);
    t->name = calloc(nraw + 1, sizeof *t->name);
    t->fbox = malloc((4 * nraw + 1) * sizeof *t->fbox);
    t->f_ring = malloc((nraw + 1) * sizeof *t->f_ring);
    sn.cells = topo_cellmap_new(npts);
    if (!t->fid || !t->name || !t->fbox || !t->f_ring || !sn.cells ||
        reserve((void **)&t->rnode, &cap_nodes_arr, npts + 1, sizeof *t->rnode) ||
        grow_rings(t, &cap_rings, 2))
        goto oom;
    t->r_first[0] = 0;
    for (size_t i = 0; i < nraw; i++) {
        const pm_geom *g = raw[i].geom;
        t->fid[i] = raw[i].fid;
        t->name[i] = raw[i].name;
        raw[i].name = NULL;
        t->f_ring[i] = t->nrings;
        double *b = &t->fbox[4 * i];
        b[0] = b[1] = INFINITY;
        b[2] = b[3] = -INFINITY;
        if (g)
            pm_geom_bbox(g, &b[0], &b[1], &b[2], &b[3]);
        /* The box grows by the tolerance: what snaps to a feature is near it. */
        b[0] -= t->snap_m;
        b[1] -= t->snap_m;
        b[2] += t->snap_m;
        b[3] += t->snap_m;
        for (size_t p = 0; g && p < g->nparts; p++)
            for (size_t r = 0; r < g->parts[p].nrings; r++) {
                size_t before = t->nrings;
                if (add_ring(t, &sn, &g->parts[p].rings[r], r > 0, (uint32_t)i, &cap_nodes_arr,
                             &cap_rings))
                    goto oom;
                /* An exterior collapsed below the tolerance takes its holes along. */
                if (r == 0 && t->nrings == before)
                    break;
            }
        pm_geom_free(raw[i].geom);
        raw[i].geom = NULL;
    }
    t->f_ring[nraw] = t->nrings;
    goto done;
oom:
    rc = pm_err(ctx, PM_ENOMEM, "out of memory", layer, "topology: reading features");
done:
    for (size_t i = 0; i < nraw; i++) {
        free(raw[i].name);
        pm_geom_free(raw[i].geom);
    }
    free(raw);
    pm_feature_clear(&f);
    pm_cursor_free(cur);
    topo_cellmap_free(sn.cells);
    free(sn.head);
    free(sn.next);
    return rc;
}
