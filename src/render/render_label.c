/* Where a label goes: the pole of inaccessibility of a polygon. The centroid
 * of an L-shaped or crescent park can lie outside it, and a label outside
 * its park misleads; the pole is always inside and as far from the edges as
 * possible, which is also where a label has the most room. */
#include "render_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

double pm_part_area(const pm_part *part)
{
    double total = 0;
    for (size_t r = 0; r < part->nrings; r++) {
        const pm_ring *ring = &part->rings[r];
        double a = 0;
        for (size_t i = 0, j = ring->n ? ring->n - 1 : 0; i < ring->n; j = i++)
            a += ring->xy[2 * j] * ring->xy[2 * i + 1] - ring->xy[2 * i] * ring->xy[2 * j + 1];
        total += r == 0 ? fabs(a) / 2 : -fabs(a) / 2;
    }
    return total;
}

static double seg_dist2(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, t = 0;
    double l2 = dx * dx + dy * dy;
    if (l2 > 0) {
        t = ((px - ax) * dx + (py - ay) * dy) / l2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
    }
    double ex = ax + t * dx - px, ey = ay + t * dy - py;
    return ex * ex + ey * ey;
}

/* Signed distance to the part's boundary: positive inside (even-odd over
 * all rings, so a point in a hole is outside). */
static double signed_dist(const pm_part *part, double x, double y)
{
    int inside = 0;
    double best = DBL_MAX;
    for (size_t r = 0; r < part->nrings; r++) {
        const pm_ring *ring = &part->rings[r];
        for (size_t i = 0, j = ring->n ? ring->n - 1 : 0; i < ring->n; j = i++) {
            double ax = ring->xy[2 * i], ay = ring->xy[2 * i + 1];
            double bx = ring->xy[2 * j], by = ring->xy[2 * j + 1];
            if ((ay > y) != (by > y) && x < (bx - ax) * (y - ay) / (by - ay) + ax)
                inside = !inside;
            double d = seg_dist2(x, y, ax, ay, bx, by);
            if (d < best)
                best = d;
        }
    }
    return (inside ? 1 : -1) * sqrt(best);
}

typedef struct {
    double x, y, h, d, max;
} cell;

static cell mk(const pm_part *p, double x, double y, double h)
{
    cell c = {x, y, h, signed_dist(p, x, y), 0};
    c.max = c.d + h * 1.4142135623730951;
    return c;
}

/* A binary max-heap on cell.max. */
typedef struct {
    cell *v;
    size_t n, cap;
} heap;

static int push(heap *hp, cell c)
{
    if (hp->n == hp->cap) {
        size_t nc = hp->cap ? hp->cap * 2 : 64;
        cell *nv = realloc(hp->v, nc * sizeof(cell));
        if (!nv)
            return -1;
        hp->v = nv;
        hp->cap = nc;
    }
    size_t i = hp->n++;
    hp->v[i] = c;
    while (i > 0 && hp->v[(i - 1) / 2].max < hp->v[i].max) {
        cell t = hp->v[i];
        hp->v[i] = hp->v[(i - 1) / 2];
        hp->v[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
    return 0;
}

static cell pop(heap *hp)
{
    cell top = hp->v[0];
    hp->v[0] = hp->v[--hp->n];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < hp->n && hp->v[l].max > hp->v[m].max)
            m = l;
        if (r < hp->n && hp->v[r].max > hp->v[m].max)
            m = r;
        if (m == i)
            break;
        cell t = hp->v[i];
        hp->v[i] = hp->v[m];
        hp->v[m] = t;
        i = m;
    }
    return top;
}

void pm_polylabel(const pm_part *part, double precision, double *x, double *y)
{
    const pm_ring *outer = part->nrings ? &part->rings[0] : NULL;
    if (!outer || outer->n == 0) {
        *x = *y = 0;
        return;
    }
    double minx = DBL_MAX, miny = DBL_MAX, maxx = -DBL_MAX, maxy = -DBL_MAX;
    for (size_t i = 0; i < outer->n; i++) {
        minx = fmin(minx, outer->xy[2 * i]), maxx = fmax(maxx, outer->xy[2 * i]);
        miny = fmin(miny, outer->xy[2 * i + 1]), maxy = fmax(maxy, outer->xy[2 * i + 1]);
    }
    double size = fmin(maxx - minx, maxy - miny);
    *x = outer->xy[0];
    *y = outer->xy[1];
    if (!(size > 0))
        return;
    if (!(precision > 0))
        precision = size / 100;
    /* Start from the area centroid: when it is inside it is often the answer. */
    double a = 0, gx = 0, gy = 0;
    for (size_t i = 0, j = outer->n - 1; i < outer->n; j = i++) {
        double f =
            outer->xy[2 * j] * outer->xy[2 * i + 1] - outer->xy[2 * i] * outer->xy[2 * j + 1];
        gx += (outer->xy[2 * j] + outer->xy[2 * i]) * f;
        gy += (outer->xy[2 * j + 1] + outer->xy[2 * i + 1]) * f;
        a += 3 * f;
    }
    cell best = a != 0 ? mk(part, gx / a, gy / a, 0) : mk(part, outer->xy[0], outer->xy[1], 0);
    cell bb = mk(part, (minx + maxx) / 2, (miny + maxy) / 2, 0);
    if (bb.d > best.d)
        best = bb;
    heap hp = {0};
    double h = size / 2;
    for (double cx = minx; cx < maxx; cx += size)
        for (double cy = miny; cy < maxy; cy += size)
            if (push(&hp, mk(part, cx + h, cy + h, h)))
                goto done;
    /* The cell budget bounds the work on pathological rings; the best cell
     * found so far is still inside. */
    for (size_t budget = 20000; hp.n > 0 && budget > 0; budget--) {
        cell c = pop(&hp);
        if (c.d > best.d)
            best = c;
        if (c.max - best.d <= precision)
            continue;
        double q = c.h / 2;
        if (push(&hp, mk(part, c.x - q, c.y - q, q)) || push(&hp, mk(part, c.x + q, c.y - q, q)) ||
            push(&hp, mk(part, c.x - q, c.y + q, q)) || push(&hp, mk(part, c.x + q, c.y + q, q)))
            break;
    }
done:
    free(hp.v);
    if (best.d > 0) {
        *x = best.x;
        *y = best.y;
    } else {
        /* Degenerate (zero-width) part: a vertex is on it, at least. */
        *x = outer->xy[0];
        *y = outer->xy[1];
    }
}

/* Length of a path part; with x, y, the point halfway along it. */
double pm_path_length(const pm_part *part, double *x, double *y)
{
    double len = 0;
    const pm_ring *r = part->nrings ? &part->rings[0] : NULL;
    for (size_t i = 1; r && i < r->n; i++)
        len += hypot(r->xy[2 * i] - r->xy[2 * i - 2], r->xy[2 * i + 1] - r->xy[2 * i - 1]);
    if (x && r && r->n) {
        double half = len / 2, run = 0;
        *x = r->xy[0], *y = r->xy[1];
        for (size_t i = 1; i < r->n; i++) {
            double sl = hypot(r->xy[2 * i] - r->xy[2 * i - 2], r->xy[2 * i + 1] - r->xy[2 * i - 1]);
            if (run + sl >= half && sl > 0) {
                double t = (half - run) / sl;
                *x = r->xy[2 * i - 2] + t * (r->xy[2 * i] - r->xy[2 * i - 2]);
                *y = r->xy[2 * i - 1] + t * (r->xy[2 * i + 1] - r->xy[2 * i - 1]);
                break;
            }
            run += sl;
        }
    }
    return len;
}
