/* A source table's geometry, packed: what the scene keeps of the features
 * it reads, and views of one feature as a pm_geom. */
#include "render_internal.h"

#include <stdlib.h>
#include <string.h>

void pm_rsource_clear(pm_rsource *s)
{
    free(s->name);
    free(s->fe);
    free(s->shape);
    free(s->xy);
    free(s->gof);
}

int pm_grow_array(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * size);
    if (!np)
        return -1;
    *p = np;
    *cap = nc;
    return 0;
}

/* Append a feature's geometry to the source's packed arrays. */
int pm_rsource_pack(pm_rsource *s, pm_ctx *ctx, const pm_geom *g)
{
    size_t ns = 2, np = 0;
    for (size_t p = 0; g && p < g->nparts; p++) {
        ns += 1 + g->parts[p].nrings;
        for (size_t r = 0; r < g->parts[p].nrings; r++)
            np += g->parts[p].rings[r].n;
    }
    if (s->n + 2 > s->capfe) {
        size_t cap = s->capfe;
        int32_t *ng = NULL;
        if (pm_grow_array((void **)&s->fe, &cap, s->n + 2, sizeof *s->fe) ||
            !(ng = realloc(s->gof, (cap * s->ncol + 1) * sizeof *ng)))
            return pm_err(ctx, PM_ENOMEM, "out of memory", s->name, "render");
        s->gof = ng;
        s->capfe = cap;
    }
    if (pm_grow_array((void **)&s->shape, &s->capshape, s->nshape + ns, sizeof *s->shape) ||
        pm_grow_array((void **)&s->xy, &s->capxy, s->nxy + np, 2 * sizeof *s->xy))
        return pm_err(ctx, PM_ENOMEM, "out of memory", s->name, "render");
    uint32_t *sh = s->shape + s->nshape;
    double *xy = s->xy + 2 * s->nxy;
    *sh++ = g ? (uint32_t)g->kind : 0;
    *sh++ = g ? (uint32_t)g->nparts : 0;
    for (size_t p = 0; g && p < g->nparts; p++) {
        *sh++ = (uint32_t)g->parts[p].nrings;
        for (size_t r = 0; r < g->parts[p].nrings; r++) {
            const pm_ring *ring = &g->parts[p].rings[r];
            if (ring->n > UINT32_MAX)
                return pm_err(ctx, PM_EINPUT, "ring too long to draw", s->name,
                              "feature %zu: %zu points", s->n, ring->n);
            *sh++ = (uint32_t)ring->n;
            for (size_t i = 0; i < ring->n; i++) {
                double x = ring->xy[2 * i], y = ring->xy[2 * i + 1];
                s->bbox[0] = x < s->bbox[0] ? x : s->bbox[0];
                s->bbox[1] = y < s->bbox[1] ? y : s->bbox[1];
                s->bbox[2] = x > s->bbox[2] ? x : s->bbox[2];
                s->bbox[3] = y > s->bbox[3] ? y : s->bbox[3];
            }
            memcpy(xy, ring->xy, 2 * ring->n * sizeof(double));
            xy += 2 * ring->n;
        }
    }
    s->fe[s->n] = (pm_rfeat){s->nshape, s->nxy};
    s->nshape += ns;
    s->nxy += np;
    s->n++;
    s->fe[s->n] = (pm_rfeat){s->nshape, s->nxy};
    return 0;
}

int pm_rsource_geom(const pm_geom **out, pm_gview *v, const pm_rsource *s, size_t i)
{
    const uint32_t *sh = s->shape + s->fe[i].shape;
    double *xy = s->xy + 2 * s->fe[i].xy;
    size_t np = sh[1], nr = 0;
    *out = NULL;
    if (sh[0] == 0)
        return 0;
    const uint32_t *p = sh + 2;
    for (size_t k = 0; k < np; k++) {
        nr += *p;
        p += 1 + *p;
    }
    if (pm_grow_array((void **)&v->parts, &v->capp, np ? np : 1, sizeof *v->parts) ||
        pm_grow_array((void **)&v->rings, &v->capr, nr ? nr : 1, sizeof *v->rings))
        return PM_ENOMEM;
    p = sh + 2;
    for (size_t k = 0, r = 0; k < np; k++) {
        v->parts[k].nrings = *p++;
        v->parts[k].rings = v->rings + r;
        for (size_t j = 0; j < v->parts[k].nrings; j++, r++) {
            v->rings[r].n = *p++;
            v->rings[r].xy = xy;
            xy += 2 * v->rings[r].n;
        }
    }
    v->g.kind = (pm_geom_kind)sh[0];
    v->g.nparts = np;
    v->g.parts = v->parts;
    *out = &v->g;
    return 0;
}

void pm_gview_free(pm_gview *v)
{
    if (!v)
        return;
    free(v->parts);
    free(v->rings);
    memset(v, 0, sizeof *v);
}

int pm_rsource_bbox(const pm_rsource *s, size_t i, double *x0, double *y0, double *x1, double *y1)
{
    const double *xy = s->xy + 2 * s->fe[i].xy;
    size_t n = s->fe[i + 1].xy - s->fe[i].xy;
    if (n == 0)
        return 0;
    double a = xy[0], b = xy[1], c = xy[0], d = xy[1];
    for (size_t k = 1; k < n; k++) {
        double x = xy[2 * k], y = xy[2 * k + 1];
        a = x < a ? x : a;
        c = x > c ? x : c;
        b = y < b ? y : b;
        d = y > d ? y : d;
    }
    *x0 = a, *y0 = b, *x1 = c, *y1 = d;
    return 1;
}
