/* Ink: layers in style order, then labels and furniture, from a built
 * scene. Nothing here decides where anything goes. */
#include "render_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PM_PI 3.14159265358979323846

static void set_color(cairo_t *cr, pm_color c, double opacity)
{
    cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a * opacity);
}

static void geom_path(const pm_scene *sc, cairo_t *cr, const pm_geom *g)
{
    for (size_t p = 0; p < g->nparts; p++)
        for (size_t r = 0; r < g->parts[p].nrings; r++) {
            const pm_ring *ring = &g->parts[p].rings[r];
            for (size_t i = 0; i < ring->n; i++) {
                double x, y;
                pm_scene_to_px(sc, ring->xy[2 * i], ring->xy[2 * i + 1], &x, &y);
                if (i == 0)
                    cairo_move_to(cr, x, y);
                else
                    cairo_line_to(cr, x, y);
            }
            if (g->kind == PM_GEOM_POLYGON)
                cairo_close_path(cr);
        }
}

static int draw_layer(pm_scene *sc, cairo_t *cr, size_t li)
{
    const pm_style *st = sc->style;
    const pm_rsource *s = &sc->src[sc->layer_src[li]];
    pm_layer_type type = pm_style_layer_type(st, li);
    int rc = 0;
    for (size_t i = 0; i < s->n; i++) {
        const pm_feature *f = &s->feats[i];
        int keep = 0;
        if (!f->geom)
            continue;
        if ((rc = pm_style_eval_filter(&keep, sc->ctx, st, li, f, &s->schema)))
            return rc;
        if (!keep)
            continue;
        cairo_new_path(cr);
        if (type == PM_LAYER_FILL) {
            pm_color c, oc;
            double op;
            if ((rc = pm_style_eval_color(&c, sc->ctx, st, li, "fill-color", f, &s->schema)) ||
                (rc = pm_style_eval_number(&op, sc->ctx, st, li, "fill-opacity", f,
                                           &s->schema)))
                return rc;
            geom_path(sc, cr, f->geom);
            /* Even-odd: a hole is a hole whatever the ring orientation the
             * source used. */
            cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
            set_color(cr, c, op);
            if (pm_style_layer_has(st, li, "fill-outline-color")) {
                if ((rc = pm_style_eval_color(&oc, sc->ctx, st, li, "fill-outline-color", f,
                                              &s->schema)))
                    return rc;
                cairo_fill_preserve(cr);
                set_color(cr, oc, op);
                cairo_set_line_width(cr, 0.75 * sc->px_per_pt);
                cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
                cairo_set_dash(cr, NULL, 0, 0);
                cairo_stroke(cr);
            } else {
                cairo_fill(cr);
            }
        } else if (type == PM_LAYER_LINE) {
            pm_color c;
            double w, op, dash[16];
            size_t nd;
            const double *da = pm_style_layer_dasharray(st, li, &nd);
            if ((rc = pm_style_eval_color(&c, sc->ctx, st, li, "line-color", f, &s->schema)) ||
                (rc = pm_style_eval_number(&w, sc->ctx, st, li, "line-width", f, &s->schema)) ||
                (rc = pm_style_eval_number(&op, sc->ctx, st, li, "line-opacity", f,
                                           &s->schema)))
                return rc;
            double wpx = w * sc->px_per_pt;
            if (wpx <= 0)
                continue;
            geom_path(sc, cr, f->geom);
            set_color(cr, c, op);
            cairo_set_line_width(cr, wpx);
            cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
            cairo_set_line_cap(cr, da ? CAIRO_LINE_CAP_BUTT : CAIRO_LINE_CAP_ROUND);
            /* MapLibre measures dashes in line widths. */
            nd = nd > 16 ? 16 : nd;
            for (size_t k = 0; k < nd; k++)
                dash[k] = da[k] * wpx;
            cairo_set_dash(cr, nd ? dash : NULL, (int)nd, 0);
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0);
        }
    }
    return 0;
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

static void draw_labels(pm_scene *sc, cairo_t *cr, size_t li)
{
    for (size_t i = 0; i < sc->info->nlabels; i++) {
        const pm_rlabel *rl = &sc->rlabels[i];
        const pm_label_box *b = &sc->info->labels[i];
        if (rl->layer != li)
            continue;
        PangoLayout *l = pm_text_layout(sc, rl->font, rl->size_px, 0, b->text);
        halo_text(cr, l, b->x + rl->halo_px, b->y + rl->halo_px, rl->color, rl->halo, rl->halo_px);
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

static void draw_scale_bar(pm_scene *sc, cairo_t *cr)
{
    const pm_render_info *in = sc->info;
    double pt = sc->fpt, pad = 5 * pt, bar_h = 5 * pt;
    pm_rect r = sc->scale_box;
    pm_color black = {0, 0, 0, 1};
    backing(cr, r, 0.5 * pt);
    /* Four alternating segments of a 1/2/5 length, labelled at 0, half and
     * the whole, with the unit on the last. */
    double x0 = r.x + pad, y0 = r.y + r.h - pad - bar_h;
    int nseg = 4;
    for (int i = 0; i < nseg; i++) {
        cairo_rectangle(cr, x0 + in->scale_bar_px * i / nseg, y0, in->scale_bar_px / nseg, bar_h);
        if (i % 2 == 0)
            cairo_set_source_rgb(cr, 0, 0, 0);
        else
            cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill(cr);
    }
    cairo_rectangle(cr, x0, y0, in->scale_bar_px, bar_h);
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
    double hm = in->scale_bar_m / 2;
    if (in->scale_bar_m >= 1000)
        snprintf(half, sizeof half, "%g", hm / 1000);
    else
        snprintf(half, sizeof half, "%g", hm);
    text_at(sc, cr, NULL, size, 0, "0", x0, ty, 0.5, black);
    if (in->scale_bar_px > 70 * pt) /* else the middle figure would touch the others */
        text_at(sc, cr, NULL, size, 0, half, x0 + in->scale_bar_px / 2, ty, 0.5, black);
    text_at(sc, cr, NULL, size, 0, in->scale_bar_label, x0 + in->scale_bar_px, ty, 0.5, black);
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
        PangoLayout *l =
            pm_text_layout(sc, sc->page->title_font, PT_LEGEND_TITLE * pt, 1, sc->page->legend_title);
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
        cairo_rectangle(cr, r.x + pad, y + (rh - sw * 0.7) / 2, sw, sw * 0.7);
        set_color(cr, in->legend[i].color, 1);
        cairo_fill_preserve(cr);
        cairo_set_source_rgba(cr, 0.3, 0.3, 0.3, 1);
        cairo_set_line_width(cr, 0.5 * pt);
        cairo_stroke(cr);
        cairo_move_to(cr, r.x + 2 * pad + sw, y + (rh - eh) / 2);
        set_color(cr, ink, 1);
        pango_cairo_show_layout(cr, l);
        cairo_new_path(cr);
        g_object_unref(l);
        y += rh + rowgap;
    }
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

    cairo_save(cr);
    cairo_rectangle(cr, fr[0], fr[1], fr[2], fr[3]);
    cairo_clip(cr);
    for (size_t li = 0; li < pm_style_nlayers(sc->style); li++) {
        if (sc->layer_src[li] < 0)
            continue;
        if (pm_style_layer_type(sc->style, li) == PM_LAYER_SYMBOL)
            draw_labels(sc, cr, li);
        else if ((rc = draw_layer(sc, cr, li)))
            break;
    }
    cairo_restore(cr);
    if (rc)
        return rc;
    cairo_rectangle(cr, fr[0], fr[1], fr[2], fr[3]);
    cairo_set_source_rgba(cr, 0.45, 0.45, 0.45, 1);
    cairo_set_line_width(cr, 0.75 * pt);
    cairo_stroke(cr);

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
        draw_scale_bar(sc, cr);
    if (pg->north_arrow_show)
        draw_north(sc, cr);
    return 0;
}
