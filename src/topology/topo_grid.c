/* Uniform grids in memory: a hash of integer cells, and features by box.
 * The graph is built in memory, so these stand in for the layer's R*Tree:
 * one hash probe per cell instead of one SQL query per feature. */
#include "topo_internal.h"

#include <math.h>
#include <stdlib.h>

struct topo_cellmap {
    int64_t *ix, *iy, *idx; /* idx -1: empty slot */
    size_t cap, n;
};

/* splitmix64's finaliser over both coordinates: cells along a diagonal
 * (ix == iy, a long straight boundary) must not collide in the low bits the
 * table uses (a plain xor of two products did, and probing went linear). */
static uint64_t cell_hash(int64_t ix, int64_t iy)
{
    uint64_t h = (uint64_t)ix * 0x9E3779B97F4A7C15ull + (uint64_t)iy;
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    return h ^ (h >> 31);
}

static int cellmap_alloc(topo_cellmap *m, size_t cap)
{
    m->ix = malloc(cap * sizeof *m->ix);
    m->iy = malloc(cap * sizeof *m->iy);
    m->idx = malloc(cap * sizeof *m->idx);
    if (!m->ix || !m->iy || !m->idx)
        return -1;
    for (size_t i = 0; i < cap; i++)
        m->idx[i] = -1;
    m->cap = cap;
    return 0;
}

topo_cellmap *topo_cellmap_new(size_t expect)
{
    topo_cellmap *m = calloc(1, sizeof *m);
    size_t cap = 1024;
    while (cap < 2 * expect)
        cap *= 2;
    if (m && cellmap_alloc(m, cap)) {
        topo_cellmap_free(m);
        return NULL;
    }
    return m;
}

void topo_cellmap_free(topo_cellmap *m)
{
    if (!m)
        return;
    free(m->ix);
    free(m->iy);
    free(m->idx);
    free(m);
}

size_t topo_cellmap_count(const topo_cellmap *m)
{
    return m->n;
}

static size_t slot_of(const topo_cellmap *m, int64_t ix, int64_t iy)
{
    size_t j = (size_t)cell_hash(ix, iy) & (m->cap - 1);
    while (m->idx[j] >= 0 && (m->ix[j] != ix || m->iy[j] != iy))
        j = (j + 1) & (m->cap - 1);
    return j;
}

static int grow(topo_cellmap *m)
{
    topo_cellmap g = {0};
    if (cellmap_alloc(&g, 2 * m->cap)) {
        free(g.ix);
        free(g.iy);
        free(g.idx);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->idx[i] >= 0) {
            size_t j = slot_of(&g, m->ix[i], m->iy[i]);
            g.ix[j] = m->ix[i];
            g.iy[j] = m->iy[i];
            g.idx[j] = m->idx[i];
        }
    free(m->ix);
    free(m->iy);
    free(m->idx);
    m->ix = g.ix;
    m->iy = g.iy;
    m->idx = g.idx;
    m->cap = g.cap;
    return 0;
}

int64_t topo_cellmap_get(topo_cellmap *m, int64_t ix, int64_t iy, int insert)
{
    size_t j = slot_of(m, ix, iy);
    if (m->idx[j] >= 0)
        return m->idx[j];
    if (!insert)
        return -1;
    if (2 * (m->n + 1) > m->cap) {
        if (grow(m))
            return -2;
        j = slot_of(m, ix, iy);
    }
    m->ix[j] = ix;
    m->iy[j] = iy;
    m->idx[j] = (int64_t)m->n;
    return (int64_t)m->n++;
}

/* ---- features by box ---------------------------------------------------- */

struct topo_fgrid {
    const pm_topology *t;
    double x0, y0, cell;
    topo_cellmap *cells;
    size_t *first; /* CSR: features of cell c are feat[first[c] .. first[c+1]] */
    uint32_t *feat;
};

/* Cells a box covers, clamped so one huge feature cannot make millions. */
static void cell_range(const topo_fgrid *g, const double b[4], int64_t r[4])
{
    r[0] = (int64_t)floor((b[0] - g->x0) / g->cell);
    r[1] = (int64_t)floor((b[1] - g->y0) / g->cell);
    r[2] = (int64_t)floor((b[2] - g->x0) / g->cell);
    r[3] = (int64_t)floor((b[3] - g->y0) / g->cell);
}

int topo_fgrid_new(topo_fgrid **out, const pm_topology *t)
{
    topo_fgrid *g = calloc(1, sizeof *g);
    size_t *count = NULL;
    *out = NULL;
    if (!g)
        return -1;
    g->t = t;
    /* The cell is the mean feature size: most features meet 1-4 cells. */
    double *sz = malloc((t->nf ? t->nf : 1) * sizeof *sz),
           ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    if (!sz)
        goto fail;
    for (size_t i = 0; i < t->nf; i++) {
        const double *b = &t->fbox[4 * i];
        sz[i] = fmax(b[2] - b[0], b[3] - b[1]);
        ext[0] = fmin(ext[0], b[0]);
        ext[1] = fmin(ext[1], b[1]);
        ext[2] = fmax(ext[2], b[2]);
        ext[3] = fmax(ext[3], b[3]);
    }
    double med = 1.0;
    if (t->nf) {
        double sum = 0;
        for (size_t i = 0; i < t->nf; i++)
            sum += sz[i];
        med = sum / (double)t->nf;
    }
    free(sz);
    /* Never so fine that the whole extent needs more than ~4 cells a feature. */
    double span = fmax(ext[2] - ext[0], ext[3] - ext[1]);
    double minc = span / sqrt(4.0 * (double)(t->nf ? t->nf : 1) + 1.0);
    g->cell = fmax(fmax(med, minc), 1e-3);
    g->x0 = t->nf ? ext[0] : 0;
    g->y0 = t->nf ? ext[1] : 0;
    if (!(g->cells = topo_cellmap_new(2 * t->nf + 16)))
        goto fail;
    /* Two passes: count per cell, then fill. */
    size_t cap_count = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < t->nf; i++) {
            int64_t r[4];
            cell_range(g, &t->fbox[4 * i], r);
            for (int64_t cx = r[0]; cx <= r[2]; cx++)
                for (int64_t cy = r[1]; cy <= r[3]; cy++) {
                    int64_t c = topo_cellmap_get(g->cells, cx, cy, pass == 0);
                    if (c == -2)
                        goto fail;
                    if (pass == 0) {
                        if ((size_t)c >= cap_count) {
                            size_t nc = cap_count ? 2 * cap_count : 1024;
                            while (nc <= (size_t)c)
                                nc *= 2;
                            size_t *n2 = realloc(count, nc * sizeof *n2);
                            if (!n2)
                                goto fail;
                            for (size_t z = cap_count; z < nc; z++)
                                n2[z] = 0;
                            count = n2;
                            cap_count = nc;
                        }
                        count[c]++;
                    } else {
                        g->feat[--count[c]] = (uint32_t)i;
                    }
                }
        }
        if (pass == 0) {
            size_t nc = topo_cellmap_count(g->cells);
            if (!(g->first = malloc((nc + 1) * sizeof *g->first)))
                goto fail;
            size_t s = 0;
            for (size_t c = 0; c < nc; c++) {
                g->first[c] = s;
                s += count[c];
                count[c] = s; /* filled backwards from the cell's end */
            }
            g->first[nc] = s;
            if (!(g->feat = malloc((s ? s : 1) * sizeof *g->feat)))
                goto fail;
        }
    }
    free(count);
    *out = g;
    return 0;
fail:
    free(count);
    topo_fgrid_free(g);
    return -1;
}

int topo_fgrid_query(const topo_fgrid *g, const double box[4], int (*fn)(void *, uint32_t),
                     void *user)
{
    int64_t r[4];
    cell_range(g, box, r);
    for (int64_t cx = r[0]; cx <= r[2]; cx++)
        for (int64_t cy = r[1]; cy <= r[3]; cy++) {
            int64_t c = topo_cellmap_get(g->cells, cx, cy, 0);
            if (c < 0)
                continue;
            for (size_t k = g->first[c]; k < g->first[c + 1]; k++) {
                uint32_t f = g->feat[k];
                const double *b = &g->t->fbox[4 * f];
                if (b[0] <= box[2] && b[2] >= box[0] && b[1] <= box[3] && b[3] >= box[1]) {
                    int rc = fn(user, f);
                    if (rc)
                        return rc;
                }
            }
        }
    return 0;
}

void topo_fgrid_free(topo_fgrid *g)
{
    if (!g)
        return;
    topo_cellmap_free(g->cells);
    free(g->first);
    free(g->feat);
    free(g);
}
