/* The legend: which layers' classes it lists, their rows counted while the
 * sources are read, each with a swatch drawn as the class is drawn, and the
 * box they need. */
#include "render_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The swatch of a legend class: how its first feature is drawn (or, for a
 * class with none, the layer's defaults). */
static int legend_swatch(pm_scene *sc, const pm_rlegend *lg, const pm_feature *f,
                         const pm_schema *sch, pm_swatch *w)
{
    size_t li = (size_t)lg->layer;
    int rc = 0;
    memset(w, 0, sizeof *w);
    w->type = lg->type;
    if (lg->type == PM_LAYER_FILL && pm_style_layer_has(sc->style, li, "fill-pattern")) {
        char *pat = NULL;
        if ((rc = pm_style_eval_string(&pat, sc->ctx, sc->style, li, "fill-pattern", f, sch)))
            return rc;
        snprintf(w->pattern, sizeof w->pattern, "%s", pat);
        free(pat);
    } else if (lg->type == PM_LAYER_LINE) {
        double lw;
        if ((rc = pm_style_eval_number(&lw, sc->ctx, sc->style, li, "line-width", f, sch)))
            return rc;
        w->line_px = lw * sc->px_per_pt;
        w->dash = pm_style_layer_dasharray(sc->style, li, &w->ndash);
    }
    return 0;
}

/* A legend layer: count the feature in its class. */
int pm_legend_count(pm_scene *sc, pm_rlegend *lg, const pm_feature *f, const pm_schema *sch,
                    int32_t *out)
{
    int keep, k, rc;
    *out = -1;
    if ((rc = pm_style_eval_filter(&keep, sc->ctx, sc->style, (size_t)lg->layer, f, sch)) ||
        (rc = pm_style_class_of(&k, sc->ctx, sc->style, (size_t)lg->layer, lg->prop, f, sch)))
        return rc;
    if (!keep || k < 0 || (size_t)k >= lg->n)
        return 0;
    *out = k;
    if (lg->count[k]++ == 0)
        return legend_swatch(sc, lg, f, sch, &lg->sw[k]);
    return 0;
}

static int legend_layer(const pm_scene *sc)
{
    size_t nl = pm_style_nlayers(sc->style);
    if (sc->page->legend_layer)
        return pm_style_find_layer(sc->style, sc->page->legend_layer);
    /* Default: the first fill layer whose colour is classified. */
    for (size_t i = 0; i < nl; i++)
        if (pm_style_layer_type(sc->style, i) == PM_LAYER_FILL && sc->layer_src[i] >= 0) {
            pm_style_class *c = NULL;
            size_t n = 0;
            if (pm_style_classes(&c, &n, NULL, sc->style, i, "fill-color") == 0 && n > 1) {
                pm_style_classes_free(c, n);
                return (int)i;
            }
            pm_style_classes_free(c, n);
        }
    return -1;
}

/* Legend rows of one layer: the classes of its colour property, counted
 * over the features its filter keeps (while the source is read), each with
 * a swatch drawn the way the first feature of the class is drawn (pattern,
 * line width). */
static int begin_layer(pm_scene *sc, int li)
{
    pm_rlegend *lg = &sc->leg[sc->nleg];
    int rc;
    if (li < 0 || sc->layer_src[li] < 0)
        return 0;
    lg->layer = li;
    lg->type = pm_style_layer_type(sc->style, (size_t)li);
    lg->prop = lg->type == PM_LAYER_FILL   ? "fill-color"
               : lg->type == PM_LAYER_LINE ? "line-color"
                                           : "text-color";
    if ((rc = pm_style_classes(&lg->cls, &lg->n, sc->ctx, sc->style, (size_t)li, lg->prop)))
        return rc;
    sc->nleg++;
    if (lg->n == 0)
        return 0;
    lg->count = calloc(lg->n, sizeof(size_t));
    lg->sw = calloc(lg->n, sizeof(pm_swatch));
    if (!lg->count || !lg->sw)
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "legend");
    return 0;
}

int pm_legend_begin(pm_scene *sc)
{
    const pm_page *pg = sc->page;
    int rc;
    sc->legend_layer = legend_layer(sc);
    if (!pg->legend_show)
        return 0;
    size_t nj = pg->legend_nlayers ? pg->legend_nlayers : 1;
    if (!(sc->leg = calloc(nj, sizeof *sc->leg)))
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "legend");
    for (size_t j = 0; j < nj; j++)
        if ((rc = begin_layer(sc, pg->legend_nlayers
                                      ? pm_style_find_layer(sc->style, pg->legend_layers[j])
                                      : sc->legend_layer)))
            return rc;
    return 0;
}

void pm_legend_clear(pm_rlegend *lg)
{
    pm_style_classes_free(lg->cls, lg->n);
    free(lg->count);
    free(lg->sw);
}

static int layer_rows(pm_scene *sc, pm_rlegend *lg)
{
    pm_render_info *in = sc->info;
    size_t n = lg->n;
    if (n == 0)
        return 0;
    pm_legend_entry *ne = realloc(in->legend, (in->nlegend + n) * sizeof(*ne));
    if (ne)
        in->legend = ne;
    pm_swatch *nw = realloc(sc->swatch, (in->nlegend + n) * sizeof(*nw));
    if (nw)
        sc->swatch = nw;
    if (!ne || !nw)
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "legend");
    for (size_t k = 0; k < n; k++) {
        int rc;
        if (sc->page->legend_present_only && lg->count[k] == 0)
            continue;
        pm_legend_entry *e = &in->legend[in->nlegend];
        pm_swatch *w = &sc->swatch[in->nlegend];
        *w = lg->sw[k];
        if (lg->count[k] == 0) {
            /* the class is listed but absent: the layer's defaults */
            pm_feature none = {0};
            pm_schema nosch = {0};
            if ((rc = legend_swatch(sc, lg, &none, &nosch, w)))
                return rc;
        }
        e->label = lg->cls[k].label;
        lg->cls[k].label = NULL;
        e->color = lg->cls[k].color;
        e->count = lg->count[k];
        in->nlegend++;
    }
    return 0;
}

int pm_legend_rows(pm_scene *sc)
{
    int rc = 0;
    for (size_t j = 0; j < sc->nleg && !rc; j++)
        rc = layer_rows(sc, &sc->leg[j]);
    return rc;
}

/* Legend box size for the entries. */
void pm_legend_size(pm_scene *sc, double *w, double *h)
{
    double pad = 6 * sc->fpt, sw = 14 * sc->fpt, rowgap = 3 * sc->fpt;
    double tw = 0, th = 0, maxw = 0, rows = 0;
    if (sc->page->legend_title)
        pm_text_size(sc, sc->page->title_font, PT_LEGEND_TITLE * sc->fpt, 1, sc->page->legend_title,
                     &tw, &th);
    for (size_t i = 0; i < sc->info->nlegend; i++) {
        double ew, eh;
        pm_text_size(sc, NULL, PT_LEGEND * sc->fpt, 0, sc->info->legend[i].label, &ew, &eh);
        maxw = fmax(maxw, ew);
        rows += fmax(eh, sw * 0.7) + rowgap;
    }
    *w = fmax(tw, sw + pad + maxw) + 2 * pad;
    *h = (th ? th + rowgap : 0) + rows + 2 * pad - rowgap;
}
