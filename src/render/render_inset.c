/* The inset (page.inset): a second panel, at a larger scale, over the
 * densest cluster of parks. The cluster is found from the data, not named
 * by coordinates: it is where the main map has no room for the labels.
 * The labels are placed once without an inset; the parks whose labels
 * found no room are grouped by distance, the largest group (grown to the
 * whole parks it touches) becomes the inset's extent, and the labels are
 * placed again: on the main map around the panel, and in the panel for
 * every park it shows. */
#include "render_internal.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More crowded labels than this and the map is a dense tessellation, not a
 * cluster an inset can show (and grouping them would be quadratic). */
#define PM_INSET_MAX_SEEDS 512
/* Beyond this the inset would show one small park alone: the extent is
 * widened instead, so the panel keeps some context. */
#define PM_INSET_MAX_GAIN 12.0

typedef struct {
    size_t cand;
    double b[4];
    size_t root;
} seed;

static size_t find_root(seed *s, size_t i)
{
    while (s[i].root != i)
        i = s[i].root = s[s[i].root].root;
    return i;
}

/* Distance between two boxes: the larger of the x and y gaps (0 when they
 * overlap). */
static double box_gap(const double *a, const double *b)
{
    double gx = fmax(a[0], b[0]) - fmin(a[2], b[2]);
    double gy = fmax(a[1], b[1]) - fmin(a[3], b[3]);
    return fmax(0, fmax(gx, gy));
}

static int wants_layer(const pm_scene *sc, size_t layer)
{
    const char *want = sc->page->inset_layer;
    return !want || strcmp(pm_style_layer_id(sc->style, layer), want) == 0 ||
           strcmp(pm_style_layer_source(sc->style, layer), want) == 0;
}

/* The labelled features' boxes in page px that r hides. */
static double hidden(const pm_scene *sc, pm_rect r)
{
    double cost = 0;
    for (size_t c = 0; c < sc->ncand; c++) {
        double x0, y0, x1, y1, px0, py0, px1, py1;
        const pm_rcand *cd = &sc->cand[c];
        if (!pm_rsource_bbox(&sc->src[sc->layer_src[cd->layer]], cd->feat, &x0, &y0, &x1, &y1))
            continue;
        pm_scene_to_px(sc, x0, y1, &px0, &py0);
        pm_scene_to_px(sc, x1, y0, &px1, &py1);
        /* a park under the panel is hidden whole, however little it covers */
        if (pm_rect_overlap(r, (pm_rect){px0 - 1, py0 - 1, px1 - px0 + 2, py1 - py0 + 2}) > 0)
            cost += 1 + (px1 - px0) * (py1 - py0);
    }
    return cost;
}

/* A w x h panel in corner, slid along the frame's edge off the furniture
 * already there (occupied[0..occ0)); 0 when it no longer fits. */
static int panel_in(const pm_scene *sc, const char *corner, double w, double h, size_t occ0,
                    pm_rect *out)
{
    const double *fr = sc->info->frame;
    double gap = INSET_PT * sc->fpt;
    pm_rect r = pm_corner_rect(sc, corner, w, h);
    int right = strstr(corner, "right") != NULL;
    for (size_t pass = 0; pass <= occ0; pass++) {
        int moved = 0;
        for (size_t k = 0; k < occ0; k++) {
            pm_rect o = sc->occupied[k];
            if (pm_rect_overlap(r, (pm_rect){o.x - gap / 2, o.y - gap / 2, o.w + gap, o.h + gap}) <=
                0)
                continue;
            r.x = right ? o.x - gap - w : o.x + o.w + gap;
            moved = 1;
        }
        if (!moved)
            break;
    }
    *out = r;
    return r.x >= fr[0] && r.y >= fr[1] && r.x + r.w <= fr[0] + fr[2] && r.y + r.h <= fr[1] + fr[3];
}

/* Find the cluster and the panel; sc->inset = 1 and sc->alt its view when
 * there is one. */
static int find_inset(pm_scene *sc, size_t occ0)
{
    pm_render_info *in = sc->info;
    const pm_page *pg = sc->page;
    seed *s = NULL;
    size_t n = 0;
    for (size_t c = 0; c < sc->ncand; c++)
        n += !sc->cand[c].placed && wants_layer(sc, sc->cand[c].layer);
    if (n == 0 || n > PM_INSET_MAX_SEEDS)
        return 0;
    if (!(s = calloc(n, sizeof *s)))
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "inset");
    n = 0;
    for (size_t c = 0; c < sc->ncand; c++) {
        const pm_rcand *cd = &sc->cand[c];
        if (cd->placed || !wants_layer(sc, cd->layer))
            continue;
        seed *e = &s[n];
        if (pm_rsource_bbox(&sc->src[sc->layer_src[cd->layer]], cd->feat, &e->b[0], &e->b[1],
                            &e->b[2], &e->b[3])) {
            e->cand = c;
            e->root = n++;
        }
    }
    const double *fr = in->frame;
    double side = pg->inset_size * fmin(fr[2], fr[3]); /* the panel's longer side, px */
    /* The widest ground the panel can show min-gain times larger; crowded
     * parks closer than half of it belong together. */
    double reach = side / pg->inset_min_gain / sc->scale;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (box_gap(s[i].b, s[j].b) <= reach / 2) {
                size_t a = find_root(s, i), b = find_root(s, j);
                if (a != b)
                    s[b].root = a;
            }
    /* The group with the most crowded labels. */
    size_t best = 0, best_n = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = find_root(s, i), m = 0;
        for (size_t j = 0; j < n; j++)
            m += find_root(s, j) == r;
        if (m > best_n)
            best_n = m, best = r;
    }
    double e[4] = {DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
    for (size_t i = 0; i < n; i++)
        if (find_root(s, i) == best) {
            e[0] = fmin(e[0], s[i].b[0]), e[1] = fmin(e[1], s[i].b[1]);
            e[2] = fmax(e[2], s[i].b[2]), e[3] = fmax(e[3], s[i].b[3]);
        }
    free(s);
    if (!(e[0] <= e[2]))
        return 0;
    /* Grown by the parks nearest the crowded ones, nearest first, as long
     * as the panel still magnifies min-gain times: the whole cluster, not
     * just the names that did not fit, with each park whole (a park cut in
     * half raises more questions than it answers). */
    double g[4] = {e[0], e[1], e[2], e[3]};
    for (;;) {
        size_t pick = sc->ncand;
        double near = reach / 4, b[4], u[4];
        for (size_t c = 0; c < sc->ncand; c++) {
            const pm_rcand *cd = &sc->cand[c];
            if (!wants_layer(sc, cd->layer) ||
                !pm_rsource_bbox(&sc->src[sc->layer_src[cd->layer]], cd->feat, &b[0], &b[1], &b[2],
                                 &b[3]) ||
                (b[0] >= g[0] && b[1] >= g[1] && b[2] <= g[2] && b[3] <= g[3]))
                continue;
            u[0] = fmin(g[0], b[0]), u[1] = fmin(g[1], b[1]);
            u[2] = fmax(g[2], b[2]), u[3] = fmax(g[3], b[3]);
            double d = box_gap(b, g);
            if (d <= near && 1.24 * fmax(u[2] - u[0], u[3] - u[1]) <= reach)
                near = d, pick = c;
        }
        if (pick == sc->ncand)
            break;
        const pm_rcand *cd = &sc->cand[pick];
        pm_rsource_bbox(&sc->src[sc->layer_src[cd->layer]], cd->feat, &b[0], &b[1], &b[2], &b[3]);
        g[0] = fmin(g[0], b[0]), g[1] = fmin(g[1], b[1]);
        g[2] = fmax(g[2], b[2]), g[3] = fmax(g[3], b[3]);
    }
    double ew = g[2] - g[0], eh = g[3] - g[1];
    double pad = 0.12 * fmax(ew, eh);
    double min_w = side / PM_INSET_MAX_GAIN / sc->scale;
    ew = fmax(ew + 2 * pad, min_w), eh = fmax(eh + 2 * pad, min_w);
    /* No narrower than 3:5 either way: a sliver of a panel holds no labels. */
    if (eh < 0.6 * ew)
        eh = 0.6 * ew;
    if (ew < 0.6 * eh)
        ew = 0.6 * eh;
    double pw = ew >= eh ? side : side * ew / eh, ph = ew >= eh ? side * eh / ew : side;
    double gain = pw / (ew * sc->scale);
    if (gain < pg->inset_min_gain)
        return 0;
    double cx = (g[0] + g[2]) / 2, cy = (g[1] + g[3]) / 2;
    in->inset_extent[0] = cx - ew / 2, in->inset_extent[1] = cy - eh / 2;
    in->inset_extent[2] = cx + ew / 2, in->inset_extent[3] = cy + eh / 2;
    double rx0, ry0, rx1, ry1;
    pm_scene_to_px(sc, in->inset_extent[0], in->inset_extent[3], &rx0, &ry0);
    pm_scene_to_px(sc, in->inset_extent[2], in->inset_extent[1], &rx1, &ry1);
    pm_rect mark = {rx0, ry0, rx1 - rx0, ry1 - ry0};

    /* The corner the style names, or the one that hides fewest parks. */
    const char *corners[4] = {"top-right", "top-left", "bottom-right", "bottom-left"};
    const char *want =
        pg->inset_position && strcmp(pg->inset_position, "auto") != 0 ? pg->inset_position : NULL;
    double best_cost = DBL_MAX;
    pm_rect panel = {0, 0, 0, 0};
    for (int k = 0; k < 4; k++) {
        pm_rect r;
        if (want && strcmp(want, corners[k]) != 0)
            continue;
        if (!panel_in(sc, corners[k], pw, ph, occ0, &r) || pm_rect_overlap(r, mark) > 0)
            continue;
        double cost = hidden(sc, r);
        if (cost < best_cost)
            best_cost = cost, panel = r;
    }
    if (best_cost == DBL_MAX) {
        memset(in->inset_extent, 0, sizeof in->inset_extent);
        pm_warn(sc->ctx,
                "inset: no room for a %.0f x %.0f px panel %s%s off the cluster it shows; "
                "not drawn",
                pw, ph, want ? "at " : "in any corner", want ? want : "");
        return 0;
    }
    in->inset_rect[0] = panel.x, in->inset_rect[1] = panel.y;
    in->inset_rect[2] = panel.w, in->inset_rect[3] = panel.h;
    in->inset_gain = gain;
    memcpy(sc->alt.frame, in->inset_rect, sizeof sc->alt.frame);
    sc->alt.cx = cx, sc->alt.cy = cy, sc->alt.scale = sc->scale * gain;
    sc->inset = 1;
    return 0;
}

/* The inset's scale bar: a quarter of the panel, in its bottom-left. */
static int inset_scale_bar(pm_scene *sc)
{
    pm_render_info *in = sc->info;
    double m_per_px = in->m_per_px / in->inset_gain;
    double m = pm_nice_length(m_per_px * in->inset_rect[2] / 4), lw, lh;
    if (m >= 1000)
        snprintf(sc->inset_bar_label, sizeof sc->inset_bar_label, "%g km", m / 1000);
    else
        snprintf(sc->inset_bar_label, sizeof sc->inset_bar_label, "%g m", m);
    sc->inset_bar_px = m / m_per_px;
    pm_text_size(sc, NULL, PT_SCALE * sc->fpt, 0, sc->inset_bar_label, &lw, &lh);
    double pad = 5 * sc->fpt, gap = 4 * sc->fpt;
    pm_rect r = {0, 0, sc->inset_bar_px + lw + 2 * pad, lh + 5 * sc->fpt + 2 * pad};
    r.x = in->inset_rect[0] + gap;
    r.y = in->inset_rect[1] + in->inset_rect[3] - gap - r.h;
    sc->inset_bar_box = r;
    in->inset_scale_bar_m = m;
    memcpy(in->inset_scale_bar_rect, &r, sizeof in->inset_scale_bar_rect);
    return pm_scene_occupy(sc, r);
}

int pm_inset_layout(pm_scene *sc)
{
    pm_render_info *in = sc->info;
    size_t occ0 = sc->noccupied;
    int rc;
    if ((rc = pm_labels_place(sc, 0, 0)))
        return rc;
    if (sc->page->inset_show && (rc = find_inset(sc, occ0)))
        return rc;
    if (sc->inset) {
        /* Again, around the panel. */
        for (size_t i = 0; i < in->nlabels; i++)
            free(in->labels[i].text);
        in->nlabels = 0;
        sc->noccupied = occ0;
        for (size_t c = 0; c < sc->ncand; c++)
            sc->cand[c].placed = 0;
        double gap = INSET_PT * sc->fpt / 2;
        const double *r = in->inset_rect;
        if ((rc = pm_scene_occupy(
                 sc, (pm_rect){r[0] - gap, r[1] - gap, r[2] + 2 * gap, r[3] + 2 * gap})) ||
            (rc = pm_labels_place(sc, 0, 0)))
            return rc;
        size_t occ1 = sc->noccupied;
        if ((rc = inset_scale_bar(sc)))
            return rc;
        pm_scene_swap_view(sc);
        rc = pm_labels_place(sc, 1, occ1);
        pm_scene_swap_view(sc);
        if (rc)
            return rc;
    }
    in->nlabels_dropped = 0;
    for (size_t c = 0; c < sc->ncand; c++)
        in->nlabels_dropped += !sc->cand[c].placed;
    return 0;
}
