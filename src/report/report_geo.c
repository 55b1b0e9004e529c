/* Geometry for the page's map: WGS 84 lon/lat, quantised to a grid and
 * written as integer differences, so that 100,000 parcels stay a few
 * megabytes. The rule (docs/report.md): a quantum of 1e-6 degrees (about
 * 0.1 m) for layers up to PM_REPORT_LARGE_LAYER features; above that the
 * layer's extent / 16384, which is a sixteenth of a pixel at the full
 * view (the extent spread over about 1000 px) and one pixel after zooming
 * in 16 times, with vertices closer than a quantum to the simplified line
 * dropped. A ring left with fewer than three points (a part smaller than
 * a quantum) is not drawn; its park stays in every table. */
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PM_REPORT_Q_SMALL 1e-6
#define PM_REPORT_Q_DIV 16384.0

int rp_box_lonlat(double out[4], pm_ctx *ctx, int srid, const double bb[4])
{
    char def[32];
    pm_transform *tr = NULL;
    double xy[2 * 4 * 9];
    size_t n = 0;
    int rc;
    snprintf(def, sizeof def, "EPSG:%d", srid);
    if ((rc = pm_transform_new(&tr, ctx, def, "EPSG:4326")))
        return rc;
    for (int k = 0; k <= 8; k++) {
        double t = k / 8.0;
        double ex = bb[0] + t * (bb[2] - bb[0]), ny = bb[1] + t * (bb[3] - bb[1]);
        xy[n++] = ex, xy[n++] = bb[1];
        xy[n++] = ex, xy[n++] = bb[3];
        xy[n++] = bb[0], xy[n++] = ny;
        xy[n++] = bb[2], xy[n++] = ny;
    }
    rc = pm_transform_points(tr, ctx, xy, n / 2);
    pm_transform_free(tr);
    if (rc)
        return rc;
    out[0] = out[1] = INFINITY;
    out[2] = out[3] = -INFINITY;
    for (size_t i = 0; i < n; i += 2) {
        out[0] = fmin(out[0], xy[i]), out[2] = fmax(out[2], xy[i]);
        out[1] = fmin(out[1], xy[i + 1]), out[3] = fmax(out[3], xy[i + 1]);
    }
    return 0;
}

int rp_grid_init(rp_grid *g, pm_ctx *ctx, int srid, const double bb[4], size_t nfeat)
{
    char def[32];
    memset(g, 0, sizeof *g);
    g->ox = floor(bb[0] * 100) / 100;
    g->oy = floor(bb[1] * 100) / 100;
    g->q = PM_REPORT_Q_SMALL;
    if (nfeat > PM_REPORT_LARGE_LAYER) {
        double ext = fmax(bb[2] - bb[0], bb[3] - bb[1]);
        /* rounded to a power of two so the figures in the page stay short */
        double q = ext / PM_REPORT_Q_DIV;
        if (q > PM_REPORT_Q_SMALL)
            g->q = pow(2, floor(log2(q)));
        g->simplify = 1;
    }
    snprintf(def, sizeof def, "EPSG:%d", srid);
    return pm_transform_new(&g->tr, ctx, def, "EPSG:4326");
}

void rp_grid_clear(rp_grid *g)
{
    pm_transform_free(g->tr);
    free(g->pts);
    memset(g, 0, sizeof *g);
}

/* Douglas-Peucker on integer points p[0..n-1] (x, y pairs), keeping the
 * first and last: marks kept points in keep[]. Iterative, so a ring of a
 * million vertices needs no deep stack. */
static int dp_mark(const int64_t *p, size_t n, unsigned char *keep)
{
    size_t *stack = malloc(2 * n * sizeof *stack), top = 0;
    if (!stack)
        return -1;
    memset(keep, 0, n);
    keep[0] = keep[n - 1] = 1;
    stack[top++] = 0, stack[top++] = n - 1;
    while (top) {
        size_t b = stack[--top], a = stack[--top];
        double ax = (double)p[2 * a], ay = (double)p[2 * a + 1];
        double dx = (double)p[2 * b] - ax, dy = (double)p[2 * b + 1] - ay;
        double len = hypot(dx, dy), best = 0;
        size_t at = 0;
        for (size_t i = a + 1; i < b; i++) {
            double px = (double)p[2 * i] - ax, py = (double)p[2 * i + 1] - ay;
            double d = len > 0 ? fabs(px * dy - py * dx) / len : hypot(px, py);
            if (d > best)
                best = d, at = i;
        }
        if (best > 1.0) { /* more than one quantum off the line: kept */
            keep[at] = 1;
            stack[top++] = a, stack[top++] = at;
            stack[top++] = at, stack[top++] = b;
        }
    }
    free(stack);
    return 0;
}

/* One ring or path: quantised, repeated points and (large layers)
 * near-collinear ones dropped. Returns 1 when written, 0 when too little
 * is left of it. */
static int ring_out(sbuf *b, rp_grid *gr, pm_ctx *ctx, const pm_ring *r, int closed, int *first)
{
    size_t n = 0, min = closed ? 3 : 2;
    if (r->n + 1 > gr->cap / 2) { /* one more: the ring's first point again */
        int64_t *p = realloc(gr->pts, 2 * (r->n + 1) * sizeof *p);
        if (!p)
            return pm_err(ctx, PM_ENOMEM, "out of memory", "report", "geometry");
        gr->pts = p, gr->cap = 2 * (r->n + 1);
    }
    int64_t *p = gr->pts;
    for (size_t i = 0; i < r->n; i++) {
        int64_t x = llround((r->xy[2 * i] - gr->ox) / gr->q);
        int64_t y = llround((r->xy[2 * i + 1] - gr->oy) / gr->q);
        if (n && p[2 * n - 2] == x && p[2 * n - 1] == y)
            continue;
        p[2 * n] = x, p[2 * n + 1] = y, n++;
    }
    if (closed && n > 1 && p[0] == p[2 * n - 2] && p[1] == p[2 * n - 1])
        n--; /* the page closes rings itself */
    if (gr->simplify && n > min) {
        unsigned char *keep = malloc(n + 1);
        if (!keep)
            return pm_err(ctx, PM_ENOMEM, "out of memory", "report", "geometry");
        /* a ring is simplified as the path back to its first point */
        if (closed)
            p[2 * n] = p[0], p[2 * n + 1] = p[1];
        size_t m = closed ? n + 1 : n, k = 0;
        if (dp_mark(p, m, keep)) {
            free(keep);
            return pm_err(ctx, PM_ENOMEM, "out of memory", "report", "geometry");
        }
        for (size_t i = 0; i < n; i++)
            if (keep[i])
                p[2 * k] = p[2 * i], p[2 * k + 1] = p[2 * i + 1], k++;
        free(keep);
        n = k;
    }
    if (n < min) {
        gr->dropped++;
        return 0;
    }
    sb_puts(b, *first ? "[" : ",[");
    *first = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t x = p[2 * i], y = p[2 * i + 1];
        if (i)
            x -= p[2 * i - 2], y -= p[2 * i - 1];
        sb_printf(b, i ? ",%lld,%lld" : "%lld,%lld", (long long)x, (long long)y);
    }
    sb_add(b, "]", 1);
    return 1;
}

int rp_geom(sbuf *b, rp_grid *gr, pm_ctx *ctx, pm_geom *g, double bb[4])
{
    if (!g || g->nparts == 0) {
        sb_puts(b, "null");
        return 0;
    }
    int rc;
    if ((rc = pm_transform_geom(gr->tr, ctx, g)))
        return rc;
    int closed = g->kind == PM_GEOM_POLYGON;
    size_t mark = b->len;
    int any = 0;
    sb_add(b, "[", 1);
    for (size_t i = 0; i < g->nparts; i++) {
        const pm_part *pt = &g->parts[i];
        size_t pmark = b->len;
        int first = 1;
        sb_puts(b, any ? ",[" : "[");
        for (size_t k = 0; k < pt->nrings; k++) {
            /* a polygon whose exterior vanished has nothing left to show */
            rc = ring_out(b, gr, ctx, &pt->rings[k], closed, &first);
            if (rc < 0)
                return rc;
            if (rc == 0 && closed && k == 0)
                break;
        }
        if (first) { /* nothing of this part */
            b->len = pmark;
            continue;
        }
        sb_add(b, "]", 1);
        any = 1;
    }
    if (!any) {
        b->len = mark;
        sb_puts(b, "null");
        return 0;
    }
    sb_add(b, "]", 1);
    if (bb) {
        double x0, y0, x1, y1;
        if (pm_geom_bbox(g, &x0, &y0, &x1, &y1)) {
            bb[0] = fmin(bb[0], x0), bb[1] = fmin(bb[1], y0);
            bb[2] = fmax(bb[2], x1), bb[3] = fmax(bb[3], y1);
        }
    }
    return 0;
}
