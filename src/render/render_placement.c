/* Label placement: candidates in priority order, each placed on its anchor
 * or beside its feature where it collides with nothing already on the page,
 * or dropped. */
#include "render_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    size_t layer, feat;
    double key, area;
    size_t idx; /* into sc->cand */
} cand;

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->layer != y->layer)
        return x->layer < y->layer ? -1 : 1;
    if (x->key != y->key) /* symbol-sort-key: lower first, as in MapLibre */
        return x->key < y->key ? -1 : 1;
    if (x->area != y->area)
        return x->area > y->area ? -1 : 1;
    return x->feat < y->feat ? -1 : x->feat > y->feat;
}

/* Boxes already on the page, filed by 64 px bin, so a label is checked against
 * its neighbours only (the same answer as checking every box: a box is
 * listed in every bin it touches). With 100,000 parcels to label, checking
 * every placed box was a fifth of the render. */
#define BIN_PX 64.0

typedef struct {
    size_t *idx;
    size_t n, cap;
} bin;

typedef struct {
    bin *b;
    long nx, ny;
} bin_index;

static void bin_range(const bin_index *ix, pm_rect r, long *x0, long *y0, long *x1, long *y1)
{
    double a = floor(r.x / BIN_PX), b = floor(r.y / BIN_PX);
    double c = floor((r.x + r.w) / BIN_PX), d = floor((r.y + r.h) / BIN_PX);
    *x0 = a < 0 ? 0 : a >= ix->nx ? ix->nx - 1 : (long)a;
    *y0 = b < 0 ? 0 : b >= ix->ny ? ix->ny - 1 : (long)b;
    *x1 = c < 0 ? 0 : c >= ix->nx ? ix->nx - 1 : (long)c;
    *y1 = d < 0 ? 0 : d >= ix->ny ? ix->ny - 1 : (long)d;
}

static int bins_add(bin_index *ix, const pm_scene *sc, size_t k)
{
    long x0, y0, x1, y1;
    bin_range(ix, sc->occupied[k], &x0, &y0, &x1, &y1);
    for (long y = y0; y <= y1; y++)
        for (long x = x0; x <= x1; x++) {
            bin *c = &ix->b[y * ix->nx + x];
            if (c->n == c->cap) {
                size_t nc = c->cap ? 2 * c->cap : 8;
                size_t *ni = realloc(c->idx, nc * sizeof *ni);
                if (!ni)
                    return -1;
                c->idx = ni;
                c->cap = nc;
            }
            c->idx[c->n++] = k;
        }
    return 0;
}

static int bins_clear_of(const bin_index *ix, const pm_scene *sc, pm_rect r)
{
    long x0, y0, x1, y1;
    bin_range(ix, r, &x0, &y0, &x1, &y1);
    for (long y = y0; y <= y1; y++)
        for (long x = x0; x <= x1; x++) {
            const bin *c = &ix->b[y * ix->nx + x];
            for (size_t i = 0; i < c->n; i++)
                if (pm_rect_overlap(r, sc->occupied[c->idx[i]]) > 0)
                    return 0;
        }
    return 1;
}

static void bins_free(bin_index *ix)
{
    for (long i = 0; ix->b && i < ix->nx * ix->ny; i++)
        free(ix->b[i].idx);
    free(ix->b);
}

/* Does candidate c belong in the inset: its feature's box is centred in
 * the inset's extent (a park the panel cuts at its edge is labelled on the
 * main map), and its layer is the one page.inset.layer names (if any)? */
static int in_inset(const pm_scene *sc, const pm_rcand *c)
{
    const char *want = sc->page->inset_layer;
    const double *e = sc->info->inset_extent;
    double x0, y0, x1, y1;
    if (want && strcmp(pm_style_layer_id(sc->style, c->layer), want) != 0 &&
        strcmp(pm_style_layer_source(sc->style, c->layer), want) != 0)
        return 0;
    if (!pm_rsource_bbox(&sc->src[sc->layer_src[c->layer]], c->feat, &x0, &y0, &x1, &y1))
        return 0;
    double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    return cx >= e[0] && cx <= e[2] && cy >= e[1] && cy <= e[3];
}

int pm_labels_place(pm_scene *sc, int inset, size_t occ_from)
{
    pm_render_info *in = sc->info;
    size_t nc = sc->ncand, cap = in->nlabels + nc + 1;
    cand *cs = NULL;
    pm_gview v;
    bin_index bi = {NULL, (long)ceil(sc->w / BIN_PX), (long)ceil(sc->h / BIN_PX)};
    int rc = 0;
    memset(&v, 0, sizeof v);
    if (!(cs = malloc((nc ? nc : 1) * sizeof *cs)) ||
        !(bi.b = calloc((size_t)(bi.nx * bi.ny), sizeof *bi.b))) {
        free(cs);
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "labels");
    }
    for (size_t k = occ_from; k < sc->noccupied; k++)
        if (bins_add(&bi, sc, k)) {
            rc = pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "labels");
            goto done;
        }
    size_t n = 0;
    for (size_t c = 0; c < nc; c++)
        if (!inset || in_inset(sc, &sc->cand[c]))
            cs[n++] =
                (cand){sc->cand[c].layer, sc->cand[c].feat, sc->cand[c].key, sc->cand[c].area, c};
    /* Bigger parks first: when labels collide, the one dropped is the one
     * on the smaller park, whose name a reader is least likely to need. */
    if (n)
        qsort(cs, n, sizeof *cs, cmp_cand);
    {
        pm_label_box *nl = realloc(in->labels, cap * sizeof *nl);
        if (nl)
            in->labels = nl;
        pm_rlabel *nr = nl ? realloc(sc->rlabels, cap * sizeof *nr) : NULL;
        if (nr)
            sc->rlabels = nr;
        if (!nl || !nr) {
            rc = pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "labels");
            goto done;
        }
    }
    const double *fr = in->frame;
    for (size_t c = 0; c < n; c++) {
        size_t li = cs[c].layer;
        pm_rcand *cd = &sc->cand[cs[c].idx];
        pm_rlabel rl = {li, 0, cs[c].idx, inset, cd->color, cd->halo, 0, 0, NULL};
        const pm_geom *g;
        if (pm_rsource_geom(&g, &v, &sc->src[sc->layer_src[li]], cd->feat)) {
            rc = pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "labels");
            goto done;
        }
        rl.size_px = cd->size_pt * sc->px_per_pt;
        rl.halo_px = cd->halo_pt * sc->px_per_pt;
        rl.font = pm_style_layer_font(sc->style, li);
        /* Anchor: the pole of the feature's largest part. */
        size_t big = 0;
        double best = -1;
        int line = g->kind == PM_GEOM_LINE;
        for (size_t p = 0; p < g->nparts; p++) {
            double a = line ? pm_path_length(&g->parts[p], NULL, NULL) : pm_part_area(&g->parts[p]);
            if (a > best)
                best = a, big = p;
        }
        double ax, ay, px, py;
        /* A line (a shared boundary) is labelled at its middle. */
        if (line)
            pm_path_length(&g->parts[big], &ax, &ay);
        else
            pm_polylabel(&g->parts[big], 0.5 / sc->scale, &ax, &ay);
        pm_scene_to_px(sc, ax, ay, &px, &py);
        double w, h, gx0, gy0, gx1, gy1, bx0, by0, bx1, by1;
        pm_label_size(sc, rl.font, rl.size_px, cd->text, &w, &h);
        w += 2 * rl.halo_px;
        h += 2 * rl.halo_px;
        pm_geom_bbox(g, &gx0, &gy0, &gx1, &gy1);
        pm_scene_to_px(sc, gx0, gy1, &bx0, &by0);
        pm_scene_to_px(sc, gx1, gy0, &bx1, &by1);
        /* Centred on the pole first; a park too small or too crowded for
         * that is labelled just above, below, right or left of it instead
         * (MapLibre's variable anchors, in a fixed order). */
        double gap = 2 * sc->px_per_pt;
        pm_rect tries[5] = {
            {px - w / 2, py - h / 2, w, h},    {px - w / 2, by0 - gap - h, w, h},
            {px - w / 2, by1 + gap, w, h},     {bx1 + gap, py - h / 2, w, h},
            {bx0 - gap - w, py - h / 2, w, h},
        };
        pm_rect box = tries[0];
        int ok = 0;
        for (int t = 0; t < 5 && !ok; t++) {
            box = tries[t];
            ok = box.x >= fr[0] && box.y >= fr[1] && box.x + box.w <= fr[0] + fr[2] &&
                 box.y + box.h <= fr[1] + fr[3];
            ok = ok && bins_clear_of(&bi, sc, box);
        }
        if (!ok)
            continue;
        if ((rc = pm_scene_occupy(sc, box)))
            goto done;
        if (bins_add(&bi, sc, sc->noccupied - 1)) {
            rc = pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "labels");
            goto done;
        }
        char *text = strdup(cd->text); /* the inset may label the park too */
        if (!text) {
            rc = pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "labels");
            goto done;
        }
        rl.label = in->nlabels;
        sc->rlabels[in->nlabels] = rl;
        in->labels[in->nlabels++] = (pm_label_box){text, box.x, box.y, box.w, box.h, px, py, inset};
        cd->placed |= inset ? 2 : 1;
    }
done:
    free(cs);
    bins_free(&bi);
    pm_gview_free(&v);
    return rc;
}
