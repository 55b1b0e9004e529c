/* Ink: layers in style order, then labels and furniture, from a built
 * scene. Nothing here decides where anything goes. */
#include "render_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define PM_PI 3.14159265358979323846
#define PM_DENSE_LAYER 20000 /* features */

static void set_color(cairo_t *cr, pm_color c, double opacity)
{
    cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a * opacity);
}

/* ---- geometry in device space ------------------------------------------ *
 *
 * Layers are drawn with cairo's identity matrix, in device units (px for
 * PNG, pt for SVG/PDF), from coordinates we transform, snap and thin
 * ourselves: snapped to a grid that cairo's 24.8 fixed point and its SVG
 * and PDF writers print exactly (1/8 pt: "123.125", never "123.1015625"),
 * consecutive vertices that snap together merged. Snapping is a function
 * of the vertex alone, so the two parks sharing an edge still share it
 * exactly after generalisation: no slivers and no seams. */

typedef struct {
    double ax, bx, ay, by; /* storage CRS -> device: X = ax * x + bx */
    double snap, inv_snap;
    double px;      /* one page px in device units */
    int vector;     /* SVG or PDF */
    double clip[4]; /* frame in device units: x0, y0, x1, y1 */
    double *xy;     /* scratch for one ring */
    size_t cap;
    /* undirected segments already stroked in this group (edge dedup) */
    uint64_t *set;
    size_t nset, capset;
} dev;

static int dev_init(dev *d, const pm_scene *sc, cairo_t *cr)
{
    cairo_matrix_t m;
    cairo_get_matrix(cr, &m);
    const double *fr = sc->info->frame;
    double k = m.xx; /* 1 on PNG; 72/dpi on SVG and PDF */
    memset(d, 0, sizeof *d);
    d->ax = k * sc->scale;
    d->bx = k * (fr[0] + fr[2] / 2 - sc->cx * sc->scale);
    d->ay = -k * sc->scale;
    d->by = k * (fr[1] + fr[3] / 2 + sc->cy * sc->scale);
    int vector = cairo_surface_get_type(cairo_get_target(cr)) != CAIRO_SURFACE_TYPE_IMAGE;
    d->vector = vector;
    d->snap = vector ? 0.125 : 0.25;
    d->inv_snap = 1 / d->snap;
    d->px = k;
    d->clip[0] = k * fr[0], d->clip[1] = k * fr[1];
    d->clip[2] = k * (fr[0] + fr[2]), d->clip[3] = k * (fr[1] + fr[3]);
    return 0;
}

static void dev_free(dev *d)
{
    free(d->xy);
    free(d->set);
}

/* Transform, snap and thin one ring into d->xy; returns the point count
 * (a closed ring's repeated last point dropped), or (size_t)-1 on OOM. */
static size_t dev_ring(dev *d, const pm_ring *r, int closed)
{
    if (r->n * 2 > d->cap) {
        size_t nc = r->n * 2 + 64;
        double *nx = realloc(d->xy, nc * sizeof(double));
        if (!nx)
            return (size_t)-1;
        d->xy = nx;
        d->cap = nc;
    }
    size_t m = 0;
    for (size_t i = 0; i < r->n; i++) {
        double x = nearbyint((d->ax * r->xy[2 * i] + d->bx) * d->inv_snap) * d->snap;
        double y = nearbyint((d->ay * r->xy[2 * i + 1] + d->by) * d->inv_snap) * d->snap;
        if (m > 0 && d->xy[2 * m - 2] == x && d->xy[2 * m - 1] == y)
            continue;
        /* Drop the middle of three collinear points (exact, on the grid). */
        if (m >= 2) {
            double x0 = d->xy[2 * m - 4], y0 = d->xy[2 * m - 3];
            double x1 = d->xy[2 * m - 2], y1 = d->xy[2 * m - 1];
            if ((x1 - x0) * (y - y0) == (y1 - y0) * (x - x0) &&
                (x1 - x0) * (x - x1) + (y1 - y0) * (y - y1) > 0)
                m--;
        }
        d->xy[2 * m] = x;
        d->xy[2 * m + 1] = y;
        m++;
    }
    if (closed)
        while (m > 1 && d->xy[0] == d->xy[2 * m - 2] && d->xy[1] == d->xy[2 * m - 1])
            m--;
    return m;
}

static double ring_area2(const double *xy, size_t n)
{
    double a = 0;
    for (size_t i = 0, j = n - 1; i < n; j = i++)
        a += xy[2 * j] * xy[2 * i + 1] - xy[2 * i] * xy[2 * j + 1];
    return a;
}

/* Is a feature's box (storage CRS) on the frame, allowing `grow` device
 * units for line widths? */
static int on_frame(const dev *d, double x0, double y0, double x1, double y1, double grow)
{
    double X0 = d->ax * x0 + d->bx, X1 = d->ax * x1 + d->bx;
    double Y0 = d->ay * y1 + d->by, Y1 = d->ay * y0 + d->by;
    return X1 >= d->clip[0] - grow && X0 <= d->clip[2] + grow && Y1 >= d->clip[1] - grow &&
           Y0 <= d->clip[3] + grow;
}

/* Append a polygon geometry for filling with the non-zero rule: exteriors
 * one way round, holes the other, so a hole stays a hole whatever the
 * source's orientation, and the same-coloured parks of a group fill as one
 * shape (their shared edges are inside it: nothing to anti-alias, no
 * seam). A part that thins to less than a pixel becomes a one-pixel dot, so
 * a dense tessellation does not fade into holes. */
static int fill_path(dev *d, cairo_t *cr, const pm_geom *g)
{
    for (size_t p = 0; p < g->nparts; p++)
        for (size_t r = 0; r < g->parts[p].nrings; r++) {
            size_t n = dev_ring(d, &g->parts[p].rings[r], 1);
            if (n == (size_t)-1)
                return PM_ENOMEM;
            double a = n >= 3 ? ring_area2(d->xy, n) : 0;
            if (r == 0 && fabs(a) < 2 * d->px * d->px) {
                double x0 = d->xy[0], x1 = x0, y0 = d->xy[1], y1 = y0;
                for (size_t i = 1; i < n; i++) {
                    x0 = fmin(x0, d->xy[2 * i]), x1 = fmax(x1, d->xy[2 * i]);
                    y0 = fmin(y0, d->xy[2 * i + 1]), y1 = fmax(y1, d->xy[2 * i + 1]);
                }
                if (x1 - x0 < d->px && y1 - y0 < d->px) {
                    double cx = nearbyint((x0 + x1) / 2 * d->inv_snap) * d->snap;
                    double cy = nearbyint((y0 + y1) / 2 * d->inv_snap) * d->snap;
                    double h = nearbyint(d->px / 2 * d->inv_snap) * d->snap;
                    cairo_move_to(cr, cx - h, cy - h);
                    cairo_line_to(cr, cx + h, cy - h);
                    cairo_line_to(cr, cx + h, cy + h);
                    cairo_line_to(cr, cx - h, cy + h);
                    cairo_close_path(cr);
                    break; /* its holes are smaller still */
                }
            }
            if (n < 3 || a == 0)
                continue;
            int fwd = (a > 0) == (r == 0);
            for (size_t i = 0; i < n; i++) {
                size_t k = fwd ? i : n - 1 - i;
                if (i == 0)
                    cairo_move_to(cr, d->xy[2 * k], d->xy[2 * k + 1]);
                else
                    cairo_line_to(cr, d->xy[2 * k], d->xy[2 * k + 1]);
            }
            cairo_close_path(cr);
        }
    return 0;
}

/* ---- stroked edges, each once ------------------------------------------ */

static uint64_t pt_key(const dev *d, double x, double y)
{
    uint32_t xi = (uint32_t)(int32_t)lrint(x * d->inv_snap);
    uint32_t yi = (uint32_t)(int32_t)lrint(y * d->inv_snap);
    return (uint64_t)xi << 32 | yi;
}

static uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    return (h ^ (h >> 29)) | 1; /* never 0: 0 marks an empty slot */
}

/* Insert segment (p, q) regardless of direction; 1 if it was new. The
 * table holds hashes, so a (vanishingly rare) collision only leaves a
 * segment unstroked where another was. */
static int seg_insert(dev *d, uint64_t p, uint64_t q)
{
    if (2 * (d->nset + 1) > d->capset) {
        size_t nc = d->capset ? d->capset * 2 : 4096;
        uint64_t *ns = calloc(nc, sizeof(uint64_t));
        if (!ns)
            return -1;
        for (size_t i = 0; i < d->capset; i++)
            if (d->set[i]) {
                size_t j = d->set[i] & (nc - 1);
                while (ns[j])
                    j = (j + 1) & (nc - 1);
                ns[j] = d->set[i];
            }
        free(d->set);
        d->set = ns;
        d->capset = nc;
    }
    uint64_t h = p < q ? mix(p, q) : mix(q, p);
    size_t j = h & (d->capset - 1);
    while (d->set[j]) {
        if (d->set[j] == h)
            return 0;
        j = (j + 1) & (d->capset - 1);
    }
    d->set[j] = h;
    d->nset++;
    return 1;
}

/* Append the edges of a geometry not stroked yet in this group: two parks
 * sharing a boundary get it drawn once (half the ink, half the SVG, and no
 * double-darkened edge under a translucent line). Runs of new edges stay
 * one polyline, so joins are kept. */
static int stroke_path(dev *d, cairo_t *cr, const pm_geom *g)
{
    int closed = g->kind == PM_GEOM_POLYGON;
    for (size_t p = 0; p < g->nparts; p++)
        for (size_t r = 0; r < g->parts[p].nrings; r++) {
            size_t n = dev_ring(d, &g->parts[p].rings[r], closed);
            if (n == (size_t)-1)
                return PM_ENOMEM;
            if (n < 2)
                continue;
            size_t ne = closed ? n : n - 1, fresh = 0;
            unsigned char stackbuf[256], *isnew = ne <= sizeof stackbuf ? stackbuf : malloc(ne);
            if (!isnew)
                return PM_ENOMEM;
            for (size_t e = 0; e < ne; e++) {
                size_t a = e, b = (e + 1) % n;
                int rc = seg_insert(d, pt_key(d, d->xy[2 * a], d->xy[2 * a + 1]),
                                    pt_key(d, d->xy[2 * b], d->xy[2 * b + 1]));
                if (rc < 0) {
                    if (isnew != stackbuf)
                        free(isnew);
                    return PM_ENOMEM;
                }
                isnew[e] = (unsigned char)rc;
                fresh += (size_t)rc;
            }
            if (fresh == ne && closed) {
                for (size_t i = 0; i < n; i++)
                    if (i == 0)
                        cairo_move_to(cr, d->xy[0], d->xy[1]);
                    else
                        cairo_line_to(cr, d->xy[2 * i], d->xy[2 * i + 1]);
                cairo_close_path(cr);
            } else if (fresh > 0) {
                /* A closed ring is walked from just after an old edge, so
                 * no run wraps round its start. */
                size_t s0 = 0;
                if (closed)
                    for (size_t e = 0; e < ne; e++)
                        if (!isnew[e]) {
                            s0 = e + 1;
                            break;
                        }
                int in_run = 0;
                for (size_t k = 0; k < ne; k++) {
                    size_t e = (s0 + k) % ne, a = e, b = (e + 1) % n;
                    if (!isnew[e]) {
                        in_run = 0;
                        continue;
                    }
                    if (!in_run)
                        cairo_move_to(cr, d->xy[2 * a], d->xy[2 * a + 1]);
                    cairo_line_to(cr, d->xy[2 * b], d->xy[2 * b + 1]);
                    in_run = 1;
                }
            }
            if (isnew != stackbuf)
                free(isnew);
        }
    return 0;
}

/* ---- patterns ----------------------------------------------------------- */

/* Hatching over the current path (device units), as vector lines anchored
 * to the page, so neighbouring parks' hatches line up. */
static void draw_pattern(cairo_t *cr, const char *name, pm_color c, double op, double pt)
{
    double x0, y0, x1, y1, s = 5 * pt;
    cairo_save(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    cairo_clip(cr);
    cairo_clip_extents(cr, &x0, &y0, &x1, &y1);
    set_color(cr, c, op);
    if (strcmp(name, "dots") == 0) {
        for (double y = floor(y0 / s) * s; y <= y1 + s; y += s)
            for (double x = floor(x0 / s) * s; x <= x1 + s; x += s) {
                double ox = fmod(y / s, 2) != 0 ? s / 2 : 0; /* staggered rows */
                cairo_move_to(cr, x + ox + 0.8 * pt, y);
                cairo_arc(cr, x + ox, y, 0.8 * pt, 0, 2 * PM_PI);
                cairo_close_path(cr);
            }
        cairo_fill(cr);
        cairo_restore(cr);
        return;
    }
    int diag = strcmp(name, "hatch") == 0 || strcmp(name, "crosshatch") == 0;
    int back = strcmp(name, "backhatch") == 0 || strcmp(name, "crosshatch") == 0;
    int hor = strcmp(name, "horizontal") == 0 || strcmp(name, "grid") == 0;
    int ver = strcmp(name, "vertical") == 0 || strcmp(name, "grid") == 0;
    double d = s * 1.41421356237, h = y1 - y0;
    if (diag) /* "/": x + y = const */
        for (double k = floor((x0 + y0) / d) * d; k <= x1 + y1 + d; k += d) {
            cairo_move_to(cr, k - y0, y0);
            cairo_line_to(cr, k - y1, y1);
        }
    if (back) /* "\": x - y = const */
        for (double k = floor((x0 - y1) / d) * d; k <= x1 - y0 + d; k += d) {
            cairo_move_to(cr, k + y0, y0);
            cairo_line_to(cr, k + y1, y1);
        }
    if (hor)
        for (double y = floor(y0 / s) * s; y <= y1 + s; y += s) {
            cairo_move_to(cr, x0, y);
            cairo_line_to(cr, x1, y);
        }
    if (ver)
        for (double x = floor(x0 / s) * s; x <= x1 + s; x += s) {
            cairo_move_to(cr, x, y0);
            cairo_line_to(cr, x, y0 + h);
        }
    cairo_set_line_width(cr, 0.6 * pt);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* ---- layers ------------------------------------------------------------- */

/* Features that look alike are drawn as one path (pm_rgroup, decided as
 * the source is read): one fill (or stroke) per colour instead of one per
 * park, which is what keeps a 100,000-parcel layer fast, its SVG small and
 * its same-coloured neighbours seamless. A layer's groups are drawn in
 * order of their first feature on the frame; within a fill layer every fill
 * goes down before any outline. */

/* cairo turns a stroked path into a polygon, and that into its scan
 * converter's edges, all at once: some 300 bytes a segment, so the outline
 * of 100,000 parcels as one stroke took 105 MB. On a raster a large
 * group is stroked in pieces of this many new segments instead, split
 * between sub-paths (joins and dashes belong to a sub-path, so each piece
 * is drawn exactly as it was within the whole). An opaque stroke is the
 * same ink in pieces; a translucent one is stroked opaque into a group that
 * is then painted with its alpha, so crossings are not inked twice. Vector
 * output writes the path as it is and is not split. */
#define PM_STROKE_PIECE 16384 /* segments */

/* SVG readers built on libxml2 (librsvg, hence rsvg-convert and GNOME's
 * viewers) refuse an attribute of more than a few MB ("Huge input
 * lookup"): the outline of 100,000 parcels as one path was a 5 MB "d".
 * Vector output therefore ends a path every PM_VECTOR_PIECE segments
 * (under 1 MB of path data). Strokes split this way look the same; a fill
 * split between two paths can show an anti-aliasing hairline where
 * same-coloured features meet across the cut, so only groups this large
 * are split at all. PARKMAP_VECTOR_PIECE overrides it (tests). */
#define PM_VECTOR_PIECE 40000 /* segments */

static size_t vector_piece(void)
{
    const char *e = getenv("PARKMAP_VECTOR_PIECE");
    char *end;
    long v = e ? strtol(e, &end, 10) : 0;
    return e && *end == '\0' && v > 0 ? (size_t)v : PM_VECTOR_PIECE;
}

static void stroke_style(cairo_t *cr, double wdev, double px, const double *da, size_t nd)
{
    double dash[16];
    cairo_set_line_width(cr, wdev);
    /* Round joins cost an arc per vertex and look like bevels below a
     * couple of pixels. */
    cairo_set_line_join(cr, wdev > 2.5 * px ? CAIRO_LINE_JOIN_ROUND : CAIRO_LINE_JOIN_BEVEL);
    cairo_set_line_cap(cr, da || wdev <= 2.5 * px ? CAIRO_LINE_CAP_BUTT : CAIRO_LINE_CAP_ROUND);
    nd = nd > 16 ? 16 : nd;
    for (size_t k = 0; k < nd; k++)
        dash[k] = da[k] * wdev; /* MapLibre measures dashes in line widths */
    cairo_set_dash(cr, nd ? dash : NULL, (int)nd, 0);
}

/* Fill the current path in the group's colour (and clear it). */
static void fill_group(cairo_t *cr, const pm_rgroup *g)
{
    cairo_save(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    if (!g->aa)
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    set_color(cr, g->c, g->op);
    cairo_fill(cr);
    cairo_restore(cr);
}

static int draw_layer(pm_scene *sc, cairo_t *cr, size_t li)
{
    const pm_style *st = sc->style;
    const pm_rsource *s = &sc->src[sc->layer_src[li]];
    const pm_rlayer *rl = &sc->rlayer[li];
    pm_layer_type type = pm_style_layer_type(st, li);
    int rc = 0;
    size_t ng = rl->ng, nord = 0, nd = 0;
    int32_t *gof = malloc((s->n ? s->n : 1) * sizeof *gof);
    size_t *first = malloc((ng ? ng : 1) * sizeof *first);
    size_t *npts = calloc(ng ? ng : 1, sizeof *npts);
    size_t *order = malloc((ng ? ng : 1) * sizeof *order);
    const double *da = pm_style_layer_dasharray(st, li, &nd);
    double pt = sc->px_per_pt; /* page px per pt */
    pm_gview v;
    dev d;
    memset(&v, 0, sizeof v);
    dev_init(&d, sc, cr);
    cairo_save(cr);
    if (!gof || !first || !npts || !order) {
        rc = pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "layer");
        goto done;
    }
    cairo_identity_matrix(cr); /* device units: see dev */
    /* A dense layer (a parcel fabric: edges a few px apart) is rasterised
     * with cairo's 4 x 4 supersampling instead of its exact coverage:
     * indistinguishable at that density, and twice as fast. Vector output
     * is untouched. */
    if (s->n > PM_DENSE_LAYER && !d.vector)
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_FAST);
    /* The features on the frame, and the order of their groups. */
    for (size_t k = 0; k < ng; k++)
        first[k] = SIZE_MAX;
    for (size_t i = 0; i < s->n; i++) {
        int32_t k = s->gof[i * s->ncol + rl->col];
        double x0, y0, x1, y1;
        gof[i] = -1;
        if (k < 0 || !pm_rsource_bbox(s, i, &x0, &y0, &x1, &y1) ||
            !on_frame(&d, x0, y0, x1, y1, rl->gs[k].w * d.px))
            continue;
        gof[i] = k;
        npts[k] += s->fe[i + 1].xy - s->fe[i].xy;
        if (first[k] == SIZE_MAX) {
            first[k] = i;
            order[nord++] = (size_t)k; /* first seen first */
        }
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t o = 0; o < nord; o++) {
            size_t k = order[o];
            const pm_rgroup *g = &rl->gs[k];
            double wdev = g->w * d.px;
            int outline = type == PM_LAYER_LINE || pass == 1;
            if ((type == PM_LAYER_LINE && pass == 0) ||
                (outline && type == PM_LAYER_FILL && !g->outline))
                continue;
            pm_color col = type == PM_LAYER_FILL && outline ? g->oc : g->c;
            /* Vector pieces: opaque strokes and plain fills (a translucent
             * stroke or a pattern stays one path: pieces would overlap). */
            size_t vpiece = vector_piece();
            int vpieces =
                d.vector && npts[k] > vpiece && !g->pattern[0] && (!outline || col.a * g->op >= 1);
            int pieces = outline && !d.vector && npts[k] > PM_STROKE_PIECE;
            int grouped = pieces && col.a * g->op < 1;
            size_t piece = d.vector ? vpiece : PM_STROKE_PIECE;
            size_t drawn = 0; /* segments (fills: points) in the path so far */
            cairo_new_path(cr);
            d.nset = 0;
            if (d.set)
                memset(d.set, 0, d.capset * sizeof(uint64_t));
            if (outline) {
                if (grouped) {
                    cairo_push_group(cr);
                    cairo_set_source_rgb(cr, col.r, col.g, col.b);
                } else {
                    set_color(cr, col, g->op);
                }
                stroke_style(cr, wdev, d.px, type == PM_LAYER_LINE ? da : NULL,
                             type == PM_LAYER_LINE ? nd : 0);
            }
            size_t stroked = 0;
            for (size_t i = first[k]; i < s->n; i++) {
                const pm_geom *geom;
                if (gof[i] != (int32_t)k)
                    continue;
                if (i % PM_RENDER_TICK_EVERY == 0 &&
                    (rc = pm_render_tick(sc->ctx, sc->opts, 0.5, "render: drawing"))) {
                    if (grouped)
                        cairo_pattern_destroy(cairo_pop_group(cr));
                    goto done;
                }
                if (pm_rsource_geom(&geom, &v, s, i) ||
                    (outline ? stroke_path(&d, cr, geom) : fill_path(&d, cr, geom))) {
                    rc = pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "paths");
                    if (grouped)
                        cairo_pattern_destroy(cairo_pop_group(cr));
                    goto done;
                }
                if ((pieces || (vpieces && outline)) && d.nset - stroked >= piece) {
                    cairo_stroke(cr);
                    stroked = d.nset;
                }
                if (vpieces && !outline) {
                    drawn += (size_t)(s->fe[i + 1].xy - s->fe[i].xy);
                    if (drawn >= piece) {
                        fill_group(cr, g);
                        drawn = 0;
                    }
                }
            }
            if (outline) {
                cairo_stroke(cr);
                if (grouped) {
                    cairo_pop_group_to_source(cr);
                    cairo_paint_with_alpha(cr, col.a * g->op);
                }
                cairo_set_dash(cr, NULL, 0, 0);
            } else if (g->pattern[0]) {
                draw_pattern(cr, g->pattern, g->c, g->op, pt * d.px);
                cairo_new_path(cr);
            } else {
                fill_group(cr, g);
            }
        }
done:
    cairo_restore(cr);
    dev_free(&d);
    pm_gview_free(&v);
    free(gof);
    free(first);
    free(npts);
    free(order);
    return rc;
}

/* Text with a halo: the layout's outline stroked wide in the halo colour,
 * then the glyphs filled on top. */
static void halo_text(cairo_t *cr, PangoLayout *l, double x, double y, pm_color fg, pm_color halo,
                      double halo_px)
{
    if (halo_px > 0 && halo.a > 0) {
        cairo_new_path(cr);
        cairo_move_to(cr, x, y);
        pango_cairo_layout_path(cr, l);
        set_color(cr, halo, 1);
        cairo_set_line_width(cr, 2 * halo_px);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
    }
    cairo_move_to(cr, x, y);
    set_color(cr, fg, 1);
    pango_cairo_show_layout(cr, l);
    cairo_new_path(cr);
}

static void draw_labels(pm_scene *sc, cairo_t *cr, size_t li, int inset)
{
    for (size_t i = 0; i < sc->info->nlabels; i++) {
        const pm_rlabel *rl = &sc->rlabels[i];
        const pm_label_box *b = &sc->info->labels[i];
        if (rl->layer != li || rl->inset != inset)
            continue;
        PangoLayout *l = pm_label_layout(sc, rl->font, rl->size_px, b->text);
        halo_text(cr, l, b->x + rl->halo_px, b->y + rl->halo_px, rl->color, rl->halo, rl->halo_px);
        g_object_unref(l);
    }
}

static void draw_grid(pm_scene *sc, cairo_t *cr)
{
    const pm_page *pg = sc->page;
    if (!sc->ngrid_lines)
        return;
    cairo_new_path(cr);
    for (size_t i = 0; i < sc->ngrid_lines; i++)
        for (size_t k = 0; k < sc->grid_lines[i].n; k++)
            (k ? cairo_line_to : cairo_move_to)(cr, sc->grid_lines[i].xy[2 * k],
                                                sc->grid_lines[i].xy[2 * k + 1]);
    set_color(cr, pg->grid_color, 1);
    cairo_set_line_width(cr, pg->grid_width_pt * sc->px_per_pt);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_BEVEL);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_stroke(cr);
}

static void draw_grid_labels(pm_scene *sc, cairo_t *cr)
{
    pm_color ink = {0.2, 0.2, 0.2, 1}, halo = {1, 1, 1, 0.9};
    double hp = 1.2 * sc->fpt;
    for (size_t i = 0; i < sc->info->ngrid_labels; i++) {
        const pm_label_box *b = &sc->info->grid_labels[i];
        PangoLayout *l = pm_text_layout(sc, NULL, sc->grid_label_px, 0, b->text);
        halo_text(cr, l, b->x + hp, b->y + hp, ink, halo, hp);
        g_object_unref(l);
    }
}

static void text_at(pm_scene *sc, cairo_t *cr, const char *family, double size_px, int bold,
                    const char *text, double x, double y, double align, pm_color c)
{
    PangoLayout *l = pm_text_layout(sc, family, size_px, bold, text);
    PangoRectangle lr;
    pango_layout_get_extents(l, NULL, &lr);
    cairo_move_to(cr, x - align * lr.width / PANGO_SCALE, y);
    set_color(cr, c, 1);
    pango_cairo_show_layout(cr, l);
    cairo_new_path(cr);
    g_object_unref(l);
}

static void backing(cairo_t *cr, pm_rect r, double line_px)
{
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
    cairo_fill_preserve(cr);
    cairo_set_source_rgba(cr, 0.55, 0.55, 0.55, 1);
    cairo_set_line_width(cr, line_px);
    cairo_stroke(cr);
}

/* A scale bar of bar_px for bar_m metres in box r. */
static void draw_scale_bar(pm_scene *sc, cairo_t *cr, pm_rect r, double bar_px, double bar_m,
                           const char *label)
{
    double pt = sc->fpt, pad = 5 * pt, bar_h = 5 * pt;
    pm_color black = {0, 0, 0, 1};
    backing(cr, r, 0.5 * pt);
    /* Four alternating segments of a 1/2/5 length, labelled at 0, half and
     * the whole, with the unit on the last. */
    double x0 = r.x + pad, y0 = r.y + r.h - pad - bar_h;
    int nseg = 4;
    for (int i = 0; i < nseg; i++) {
        cairo_rectangle(cr, x0 + bar_px * i / nseg, y0, bar_px / nseg, bar_h);
        if (i % 2 == 0)
            cairo_set_source_rgb(cr, 0, 0, 0);
        else
            cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill(cr);
    }
    cairo_rectangle(cr, x0, y0, bar_px, bar_h);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.6 * pt);
    cairo_stroke(cr);
    double size = PT_SCALE * pt;
    PangoLayout *l = pm_text_layout(sc, NULL, size, 0, "0");
    PangoRectangle lr;
    pango_layout_get_extents(l, NULL, &lr);
    double ty = y0 - 1.5 * pt - (double)lr.height / PANGO_SCALE;
    g_object_unref(l);
    char half[32];
    double hm = bar_m / 2;
    if (bar_m >= 1000)
        snprintf(half, sizeof half, "%g", hm / 1000);
    else
        snprintf(half, sizeof half, "%g", hm);
    text_at(sc, cr, NULL, size, 0, "0", x0, ty, 0.5, black);
    if (bar_px > 70 * pt) /* else the middle figure would touch the others */
        text_at(sc, cr, NULL, size, 0, half, x0 + bar_px / 2, ty, 0.5, black);
    text_at(sc, cr, NULL, size, 0, label, x0 + bar_px, ty, 0.5, black);
}

static void draw_north(pm_scene *sc, cairo_t *cr)
{
    pm_rect r = sc->north_box;
    double pt = sc->fpt, cx = r.x + r.w / 2, s = r.w;
    pm_color black = {0, 0, 0, 1};
    PangoLayout *l = pm_text_layout(sc, NULL, 11 * pt, 1, "N");
    PangoRectangle lr;
    pango_layout_get_extents(l, NULL, &lr);
    double th = (double)lr.height / PANGO_SCALE;
    g_object_unref(l);
    double cy = r.y + th + (r.h - th) / 2;
    cairo_save(cr);
    cairo_translate(cr, cx, cy);
    /* cairo's y points down, so a positive angle turns clockwise on the
     * page: the same sense as north_deg. */
    cairo_rotate(cr, sc->info->north_deg * PM_PI / 180);
    double hl = (r.h - th) / 2 - 2 * pt, hw = s * 0.3;
    cairo_move_to(cr, 0, -hl);
    cairo_line_to(cr, hw, hl);
    cairo_line_to(cr, 0, hl * 0.45);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_fill(cr);
    cairo_move_to(cr, 0, -hl);
    cairo_line_to(cr, -hw, hl);
    cairo_line_to(cr, 0, hl * 0.45);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_set_line_width(cr, 0.8 * pt);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
    cairo_restore(cr);
    text_at(sc, cr, NULL, 11 * pt, 1, "N", cx, r.y, 0.5, black);
}

static void draw_legend(pm_scene *sc, cairo_t *cr)
{
    const pm_render_info *in = sc->info;
    double pt = sc->fpt, pad = 6 * pt, sw = 14 * pt, rowgap = 3 * pt;
    pm_rect r = sc->legend_box;
    pm_color ink = {0.1, 0.1, 0.1, 1};
    backing(cr, r, 0.5 * pt);
    double y = r.y + pad;
    if (sc->page->legend_title) {
        PangoLayout *l = pm_text_layout(sc, sc->page->title_font, PT_LEGEND_TITLE * pt, 1,
                                        sc->page->legend_title);
        PangoRectangle lr;
        pango_layout_get_extents(l, NULL, &lr);
        cairo_move_to(cr, r.x + pad, y);
        set_color(cr, ink, 1);
        pango_cairo_show_layout(cr, l);
        cairo_new_path(cr);
        y += (double)lr.height / PANGO_SCALE + rowgap;
        g_object_unref(l);
    }
    for (size_t i = 0; i < in->nlegend; i++) {
        PangoLayout *l = pm_text_layout(sc, NULL, PT_LEGEND * pt, 0, in->legend[i].label);
        PangoRectangle lr;
        pango_layout_get_extents(l, NULL, &lr);
        double eh = (double)lr.height / PANGO_SCALE, rh = fmax(eh, sw * 0.7);
        const pm_swatch *w = sc->swatch ? &sc->swatch[i] : NULL;
        double sy = y + (rh - sw * 0.7) / 2;
        if (w && w->type == PM_LAYER_LINE) {
            /* A line class: a stroke as drawn on the map. */
            double lw = fmax(w->line_px, 0.5 * pt), dash[16];
            size_t nd = w->ndash > 16 ? 16 : w->ndash;
            for (size_t k = 0; k < nd; k++)
                dash[k] = w->dash[k] * lw;
            cairo_move_to(cr, r.x + pad, sy + sw * 0.35);
            cairo_line_to(cr, r.x + pad + sw, sy + sw * 0.35);
            set_color(cr, in->legend[i].color, 1);
            cairo_set_line_width(cr, lw);
            cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
            cairo_set_dash(cr, nd ? dash : NULL, (int)nd, 0);
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0);
        } else {
            cairo_rectangle(cr, r.x + pad, sy, sw, sw * 0.7);
            if (w && w->pattern[0]) {
                draw_pattern(cr, w->pattern, in->legend[i].color, 1, sc->px_per_pt);
                cairo_rectangle(cr, r.x + pad, sy, sw, sw * 0.7);
            } else {
                set_color(cr, in->legend[i].color, 1);
                cairo_fill_preserve(cr);
            }
            cairo_set_source_rgba(cr, 0.3, 0.3, 0.3, 1);
            cairo_set_line_width(cr, 0.5 * pt);
            cairo_stroke(cr);
        }
        cairo_move_to(cr, r.x + 2 * pad + sw, y + (rh - eh) / 2);
        set_color(cr, ink, 1);
        pango_cairo_show_layout(cr, l);
        cairo_new_path(cr);
        g_object_unref(l);
        y += rh + rowgap;
    }
}

/* The layers and their labels, clipped to the view's frame: the main map
 * (with the grid) or the inset's panel. */
static int draw_map(pm_scene *sc, cairo_t *cr, int inset)
{
    const double *fr = sc->info->frame;
    int rc = 0;
    cairo_save(cr);
    cairo_rectangle(cr, fr[0], fr[1], fr[2], fr[3]);
    cairo_clip(cr);
    int grid_done = inset; /* the grid is the main map's */
    for (size_t li = 0; li < pm_style_nlayers(sc->style) && !rc; li++) {
        if (sc->layer_src[li] < 0)
            continue;
        if ((rc = pm_render_tick(sc->ctx, sc->opts, 0.5, "render: drawing")))
            break;
        if (pm_style_layer_type(sc->style, li) == PM_LAYER_SYMBOL) {
            /* The grid goes over the map's colours and under its names. */
            if (!grid_done++)
                draw_grid(sc, cr);
            draw_labels(sc, cr, li, inset);
        } else if ((rc = draw_layer(sc, cr, li))) {
            break;
        }
    }
    if (!grid_done)
        draw_grid(sc, cr);
    cairo_restore(cr);
    return rc;
}

/* The inset: its extent marked on the main map and tied to the panel by a
 * leader line, then the panel (the page's background, the layers at the
 * inset's scale, its labels, a frame and its own scale bar). */
static int draw_inset(pm_scene *sc, cairo_t *cr)
{
    const pm_render_info *in = sc->info;
    const double *e = in->inset_extent, *p = in->inset_rect;
    double pt = sc->fpt, x0, y0, x1, y1;
    int rc;
    pm_color ink = {0.2, 0.2, 0.2, 1};
    pm_scene_to_px(sc, e[0], e[3], &x0, &y0);
    pm_scene_to_px(sc, e[2], e[1], &x1, &y1);
    /* The leader joins the nearest corners of the mark and the panel. */
    double mc[4][2] = {{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}};
    double pc[4][2] = {
        {p[0], p[1]}, {p[0] + p[2], p[1]}, {p[0], p[1] + p[3]}, {p[0] + p[2], p[1] + p[3]}};
    double best = INFINITY;
    int bi = 0, bj = 0;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            double d = hypot(mc[i][0] - pc[j][0], mc[i][1] - pc[j][1]);
            if (d < best)
                best = d, bi = i, bj = j;
        }
    cairo_save(cr);
    cairo_rectangle(cr, in->frame[0], in->frame[1], in->frame[2], in->frame[3]);
    cairo_clip(cr);
    cairo_move_to(cr, mc[bi][0], mc[bi][1]);
    cairo_line_to(cr, pc[bj][0], pc[bj][1]);
    set_color(cr, ink, 0.6);
    cairo_set_line_width(cr, 0.6 * pt);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_stroke(cr);
    cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
    set_color(cr, ink, 1);
    cairo_set_line_width(cr, 1.2 * pt);
    cairo_stroke(cr);
    cairo_restore(cr);

    cairo_rectangle(cr, p[0], p[1], p[2], p[3]);
    set_color(cr, sc->page->background.a > 0 ? sc->page->background : (pm_color){1, 1, 1, 1}, 1);
    cairo_fill(cr);
    pm_scene_swap_view(sc);
    rc = draw_map(sc, cr, 1);
    pm_scene_swap_view(sc);
    if (rc)
        return rc;
    cairo_rectangle(cr, p[0], p[1], p[2], p[3]);
    set_color(cr, ink, 1);
    cairo_set_line_width(cr, 1.2 * pt);
    cairo_stroke(cr);
    draw_scale_bar(sc, cr, sc->inset_bar_box, sc->inset_bar_px, in->inset_scale_bar_m,
                   sc->inset_bar_label);
    return 0;
}

int pm_scene_draw(pm_scene *sc, cairo_t *cr)
{
    const pm_page *pg = sc->page;
    const double *fr = sc->info->frame;
    double pt = sc->fpt;
    int rc = 0;
    pm_color ink = {0.12, 0.12, 0.12, 1}, grey = {0.35, 0.35, 0.35, 1};
    /* The pango context was made on the measuring surface; tie it to this
     * one so glyphs are emitted for this surface's font backend. */
    pango_cairo_update_context(cr, sc->pango);
    cairo_rectangle(cr, 0, 0, sc->w, sc->h);
    set_color(cr, pg->background, 1);
    cairo_fill(cr);

    rc = draw_map(sc, cr, 0);
    draw_grid_labels(sc, cr);
    if (rc)
        return rc;
    cairo_rectangle(cr, fr[0], fr[1], fr[2], fr[3]);
    cairo_set_source_rgba(cr, 0.45, 0.45, 0.45, 1);
    cairo_set_line_width(cr, 0.75 * pt);
    cairo_stroke(cr);
    if (sc->inset && (rc = draw_inset(sc, cr)))
        return rc;

    double y = sc->margin;
    if (pg->title) {
        PangoLayout *l = pm_text_layout(sc, pg->title_font, PT_TITLE * pt, 1, pg->title);
        PangoRectangle lr;
        pango_layout_get_extents(l, NULL, &lr);
        cairo_move_to(cr, fr[0], y);
        set_color(cr, ink, 1);
        pango_cairo_show_layout(cr, l);
        cairo_new_path(cr);
        y += (double)lr.height / PANGO_SCALE;
        g_object_unref(l);
    }
    if (pg->subtitle)
        text_at(sc, cr, pg->title_font, PT_SUBTITLE * pt, 0, pg->subtitle, fr[0], y, 0, grey);
    if (pg->credits) {
        PangoLayout *l = pm_text_layout(sc, NULL, PT_CREDITS * pt, 0, pg->credits);
        pango_layout_set_width(l, (int)(fr[2] * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
        cairo_move_to(cr, fr[0], fr[1] + fr[3] + 4 * pt);
        set_color(cr, grey, 1);
        pango_cairo_show_layout(cr, l);
        cairo_new_path(cr);
        g_object_unref(l);
    }
    if (sc->info->nlegend > 0)
        draw_legend(sc, cr);
    if (pg->scale_bar_show && sc->info->scale_bar_px > 0)
        draw_scale_bar(sc, cr, sc->scale_box, sc->info->scale_bar_px, sc->info->scale_bar_m,
                       sc->info->scale_bar_label);
    if (pg->north_arrow_show)
        draw_north(sc, cr);
    return 0;
}
