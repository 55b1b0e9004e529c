/* The scene: everything a map's drawing depends on, computed before any
 * ink goes down, so pm_render_layout can report exactly what pm_render_map
 * draws. */
#include "render_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void pm_page_size(const pm_page *pg, const pm_render_opts *opts, int *w, int *h, double *dpi)
{
    *dpi = opts && opts->dpi > 0 ? opts->dpi : pg->dpi;
    *w = opts && opts->width_px > 0 ? opts->width_px
         : pg->width_mm > 0         ? (int)lround(pg->width_mm / 25.4 * *dpi)
                                    : pg->width_px;
    *h = opts && opts->height_px > 0 ? opts->height_px
         : pg->height_mm > 0         ? (int)lround(pg->height_mm / 25.4 * *dpi)
                                     : pg->height_px;
}

void pm_scene_to_px(const pm_scene *sc, double x, double y, double *px, double *py)
{
    const double *fr = sc->info->frame;
    *px = fr[0] + fr[2] / 2 + (x - sc->cx) * sc->scale;
    *py = fr[1] + fr[3] / 2 - (y - sc->cy) * sc->scale;
}

/* ---- extent ------------------------------------------------------------- */

static void grow(double b[4], const pm_rsource *s)
{
    if (s->bbox[0] <= s->bbox[2]) {
        b[0] = fmin(b[0], s->bbox[0]), b[1] = fmin(b[1], s->bbox[1]);
        b[2] = fmax(b[2], s->bbox[2]), b[3] = fmax(b[3], s->bbox[3]);
    }
}

/* (The district outline would make the parks tiny: "parks" comes first.) */
int pm_scene_extent_sources(pm_scene *sc, int *use)
{
    size_t nl = pm_style_nlayers(sc->style);
    const char *want = sc->page->extent_layer;
    int any = 0;
    memset(use, 0, sc->nsrc * sizeof(int));
    for (int pass = 0; pass < 2 && !any; pass++)
        for (size_t i = 0; i < nl; i++) {
            int k = sc->layer_src[i];
            if (k < 0)
                continue;
            int hit = want        ? (strcmp(pm_style_layer_id(sc->style, i), want) == 0 ||
                              strcmp(sc->src[k].name, want) == 0)
                      : pass == 0 ? strcmp(sc->src[k].name, PM_LAYER_PARKS) == 0
                                  : 1;
            if (hit && sc->src[k].n > 0) {
                use[k] = 1;
                any = 1;
                if (want || pass == 0)
                    break;
            }
        }
    if (!any && want)
        pm_warn(sc->ctx, "extent-layer '%s' has nothing to draw; fitting to every layer", want);
    if (!any)
        for (size_t k = 0; k < sc->nsrc; k++)
            use[k] = 1;
    return 0;
}

void pm_scene_swap_view(pm_scene *sc)
{
    pm_view cur;
    memcpy(cur.frame, sc->info->frame, sizeof cur.frame);
    cur.cx = sc->cx, cur.cy = sc->cy, cur.scale = sc->scale;
    memcpy(sc->info->frame, sc->alt.frame, sizeof cur.frame);
    sc->cx = sc->alt.cx, sc->cy = sc->alt.cy, sc->scale = sc->alt.scale;
    sc->alt = cur;
}

/* ---- what the page already holds ---------------------------------------- */

int pm_scene_occupy(pm_scene *sc, pm_rect r)
{
    pm_rect *n = realloc(sc->occupied, (sc->noccupied + 1) * sizeof(*n));
    if (!n)
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "layout");
    sc->occupied = n;
    n[sc->noccupied++] = r;
    return 0;
}

double pm_rect_overlap(pm_rect a, pm_rect b)
{
    double w = fmin(a.x + a.w, b.x + b.w) - fmax(a.x, b.x);
    double h = fmin(a.y + a.h, b.y + b.h) - fmax(a.y, b.y);
    return w > 0 && h > 0 ? w * h : 0;
}

/* ---- the whole layout --------------------------------------------------- */

int pm_render_tick(pm_ctx *ctx, const pm_render_opts *opts, double frac, const char *msg)
{
    if (!opts || !opts->progress || opts->progress(frac, msg, opts->progress_user))
        return 0;
    return pm_err(ctx, PM_EIO, "render cancelled", opts->out_path ? opts->out_path : "render",
                  "stopped by the progress callback; nothing was written");
}

int pm_scene_build(pm_scene *sc, pm_ctx *ctx, pm_store *st, const pm_style *style,
                   const pm_render_opts *opts, pm_render_info *info, cairo_t *cr, int drawing)
{
    int rc;
    memset(sc, 0, sizeof(*sc));
    memset(info, 0, sizeof(*info));
    sc->ctx = ctx;
    sc->opts = opts;
    sc->drawing = drawing;
    sc->style = style;
    sc->page = pm_style_page(style);
    sc->info = info;
    sc->legend_layer = -1;
    sc->font = PM_RENDER_DEFAULT_FONT;
    if (!style || !st)
        return pm_err(ctx, PM_EUSAGE, "cannot render", "render", "no style or no database");
    pm_page_size(sc->page, opts, &sc->w, &sc->h, &sc->dpi);
    if (sc->w < 16 || sc->h < 16 || sc->w > 20000 || sc->h > 20000 || sc->dpi < 10 ||
        sc->dpi > 2400)
        return pm_err(ctx, PM_EUSAGE, "bad page size", "render",
                      "%d x %d px at %g dpi (16..20000 px, 10..2400 dpi)", sc->w, sc->h, sc->dpi);
    sc->px_per_pt = sc->dpi / 72;
    /* Titles, legend and scale bar are sized for a print page; on a
     * thumbnail they would crowd out the map, so they shrink with it
     * (down to half size). Style sizes (lines, labels) do not. */
    double shrink = fmin(sc->w / 1100.0, sc->h / 800.0);
    sc->fpt = sc->px_per_pt * (shrink < 0.5 ? 0.5 : shrink > 1 ? 1 : shrink);
    info->width_px = sc->w;
    info->height_px = sc->h;
    info->dpi = sc->dpi;
    if (!(sc->pango = pm_pango_context(cr)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", "render", "pango");
    if ((rc = pm_sources_load(sc, st)))
        return rc;

    /* Frame: the page less margins, title block and credits line. */
    const pm_page *pg = sc->page;
    double margin = pg->margin_mm > 0 ? pg->margin_mm / 25.4 * sc->dpi : pg->margin_px;
    double m = sc->margin = margin * sc->fpt / sc->px_per_pt, tw, th;
    sc->header_h = 0;
    if (pg->title) {
        pm_text_size(sc, pg->title_font, PT_TITLE * sc->fpt, 1, pg->title, &tw, &th);
        sc->header_h += th;
    }
    if (pg->subtitle) {
        pm_text_size(sc, pg->title_font, PT_SUBTITLE * sc->fpt, 0, pg->subtitle, &tw, &th);
        sc->header_h += th;
    }
    if (sc->header_h > 0)
        sc->header_h += 6 * sc->fpt;
    sc->footer_h = 0;
    if (pg->credits) {
        PangoLayout *l = pm_text_layout(sc, NULL, PT_CREDITS * sc->fpt, 0, pg->credits);
        pango_layout_set_width(l, (int)((sc->w - 2 * m) * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
        PangoRectangle lr;
        pango_layout_get_extents(l, NULL, &lr);
        sc->footer_h = (double)lr.height / PANGO_SCALE + 4 * sc->fpt;
        g_object_unref(l);
    }
    info->frame[0] = m;
    info->frame[1] = m + sc->header_h;
    info->frame[2] = sc->w - 2 * m;
    info->frame[3] = sc->h - 2 * m - sc->header_h - sc->footer_h;
    if (info->frame[2] < 8 || info->frame[3] < 8)
        return pm_err(ctx, PM_EUSAGE, "page too small", "render",
                      "%d x %d px leaves no room for the map after margins and titles", sc->w,
                      sc->h);

    /* Extent: fitted to the chosen layers with 4 % padding, same scale in x
     * and y, centred in the frame. */
    int use[64];
    double b[4] = {DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
    if (sc->nsrc > 64)
        return pm_err(ctx, PM_EUSAGE, "too many layers", "render", "at most 64 sources");
    pm_scene_extent_sources(sc, use);
    for (size_t k = 0; k < sc->nsrc; k++)
        if (use[k])
            grow(b, &sc->src[k]);
    if (!(b[0] <= b[2]))
        for (size_t k = 0; k < sc->nsrc; k++)
            grow(b, &sc->src[k]);
    if (!(b[0] <= b[2]))
        return pm_err(ctx, PM_EINPUT, "nothing to draw", pm_store_path(st),
                      "the style's layers have no features");
    double ew = b[2] - b[0], eh = b[3] - b[1];
    if (ew <= 0 && eh <= 0)
        ew = eh = 100; /* a single point: 100 m around it */
    double pad = 0.04 * fmax(ew, eh);
    ew += 2 * pad, eh += 2 * pad;
    sc->cx = (b[0] + b[2]) / 2;
    sc->cy = (b[1] + b[3]) / 2;
    sc->scale = fmin(info->frame[2] / ew, info->frame[3] / eh);
    info->grid_m_per_px = 1 / sc->scale;
    info->extent[0] = sc->cx - info->frame[2] / 2 / sc->scale;
    info->extent[1] = sc->cy - info->frame[3] / 2 / sc->scale;
    info->extent[2] = sc->cx + info->frame[2] / 2 / sc->scale;
    info->extent[3] = sc->cy + info->frame[3] / 2 / sc->scale;
    for (size_t k = 0; k < sc->nsrc; k++)
        info->nfeatures += sc->src[k].n;

    if ((rc = pm_scene_geodesy(sc)) || (rc = pm_legend_rows(sc)) ||
        (rc = pm_furniture_layout(sc)) || (rc = pm_grid_layout(sc)) || (rc = pm_inset_layout(sc)))
        return rc;
    if (info->nlegend)
        memcpy(info->legend_rect, &sc->legend_box, sizeof info->legend_rect);
    if (sc->page->scale_bar_show)
        memcpy(info->scale_bar_rect, &sc->scale_box, sizeof info->scale_bar_rect);
    if (sc->page->north_arrow_show)
        memcpy(info->north_arrow_rect, &sc->north_box, sizeof info->north_arrow_rect);
    return 0;
}

void pm_scene_free(pm_scene *sc)
{
    if (!sc)
        return;
    for (size_t k = 0; k < sc->nsrc; k++)
        pm_rsource_clear(&sc->src[k]);
    free(sc->src);
    for (size_t i = 0; sc->rlayer && i < pm_style_nlayers(sc->style); i++)
        free(sc->rlayer[i].gs);
    free(sc->rlayer);
    for (size_t i = 0; i < sc->ncand; i++)
        free(sc->cand[i].text);
    free(sc->cand);
    for (size_t i = 0; i < sc->nleg; i++)
        pm_legend_clear(&sc->leg[i]);
    free(sc->leg);
    free(sc->layer_src);
    free(sc->occupied);
    free(sc->rlabels);
    free(sc->swatch);
    for (size_t i = 0; i < sc->ngrid_lines; i++)
        free(sc->grid_lines[i].xy);
    free(sc->grid_lines);
    if (sc->pango)
        g_object_unref(sc->pango);
    memset(sc, 0, sizeof(*sc));
}

void pm_render_info_clear(pm_render_info *info)
{
    if (!info)
        return;
    for (size_t i = 0; i < info->nlegend; i++)
        free(info->legend[i].label);
    free(info->legend);
    for (size_t i = 0; i < info->nlabels; i++)
        free(info->labels[i].text);
    free(info->labels);
    for (size_t i = 0; i < info->ngrid_labels; i++)
        free(info->grid_labels[i].text);
    free(info->grid_labels);
    memset(info, 0, sizeof(*info));
}
