/* Translating a parkmap style into the styles GIS software reads: QGIS QML
 * (categorised renderer and simple labelling), OGC SLD 1.1 (Symbology
 * Encoding) and KML styles per category.
 *
 * One plan per exported layer: the visible style layers drawing it, and the
 * "driver", the first fill (else line) layer whose colour is a match on one
 * attribute. The driver's categories become QGIS categories, SLD rules and
 * KML styles; every other style layer is repeated in each category's symbol,
 * its filter turned into a QGIS "enabled" expression or an SLD rule filter.
 * What the target cannot express (a colour computed from data other than by
 * a match) is warned about once and drawn with the fallback colour. */
#include "export_plan.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void pm_export_plan_free(pm_export_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        pm_style_colormap_clear(&p->l[i].cm);
        pm_style_colormap_clear(&p->l[i].out);
        pm_style_filter_free(p->l[i].filter);
    }
    free(p->l);
    for (size_t i = 0; i < p->ntext; i++)
        free(p->text_fields[i]);
    free(p->text_fields);
    free(p->layer);
    free(p);
}

int pm_export_plan_new(pm_export_plan **out, pm_ctx *ctx, const pm_style *s, const char *layer,
                       int is_line, const pm_export_fieldmap *fields)
{
    int rc = 0;
    *out = NULL;
    pm_export_plan *p = calloc(1, sizeof(*p));
    size_t ns = s ? pm_style_nlayers(s) : 0;
    if (!p || !(p->l = calloc(ns ? ns : 1, sizeof(slayer))) || !(p->layer = strdup(layer))) {
        pm_export_plan_free(p);
        return pm_err(ctx, PM_ENOMEM, "out of memory", layer, "style");
    }
    p->s = s;
    p->is_line = is_line;
    p->driver = -1;
    p->label = -1;
    p->fields = fields;
    int warned = 0;
    for (size_t i = 0; i < ns; i++) {
        const char *src = pm_style_layer_source(s, i);
        pm_layer_type t = pm_style_layer_type(s, i);
        if (!src || strcasecmp(src, layer) != 0 || !pm_style_layer_visible(s, i))
            continue;
        if (t == PM_LAYER_SYMBOL) {
            if (p->label < 0) {
                if ((rc = pm_style_text_fields(&p->text_fields, &p->ntext, ctx, s, i)))
                    goto fail;
                if (p->ntext)
                    p->label = (long)i;
                else
                    pm_warn(ctx,
                            "%s: style layer %s: label text is not one attribute or a "
                            "coalesce of attributes; not exported",
                            layer, pm_style_layer_id(s, i));
            }
            continue;
        }
        /* Fill layers cannot draw lines; a line layer on polygons strokes
         * their boundaries, as parkmap draws it. */
        if (t == PM_LAYER_FILL && is_line)
            continue;
        slayer *l = &p->l[p->n++];
        l->idx = i;
        l->type = t;
        if ((rc = pm_style_colormap_get(&l->cm, ctx, s, i,
                                        t == PM_LAYER_FILL ? "fill-color" : "line-color")))
            goto fail;
        if (t == PM_LAYER_FILL &&
            (rc = pm_style_colormap_get(&l->out, ctx, s, i, "fill-outline-color")))
            goto fail;
        if ((rc = pm_style_layer_filter(&l->filter, &l->filter_ok, ctx, s, i)))
            goto fail;
        if (!l->filter_ok)
            pm_warn(ctx,
                    "%s: style layer %s: filter cannot be translated; drawn for every "
                    "feature in the exported styles",
                    layer, pm_style_layer_id(s, i));
        if ((l->cm.kind == PM_STYLE_COLOR_OTHER || l->out.kind == PM_STYLE_COLOR_OTHER) &&
            !warned++)
            pm_warn(ctx,
                    "%s: style layer %s: a colour computed from the data other than by a "
                    "match; the exported styles use its fallback",
                    layer, pm_style_layer_id(s, i));
    }
    /* The driver: a fill match first (the categories a planner reads in the
     * legend), else a line match. */
    for (int pass = 0; pass < 2 && p->driver < 0; pass++)
        for (size_t k = 0; k < p->n && p->driver < 0; k++)
            if (p->l[k].type == (pass ? PM_LAYER_LINE : PM_LAYER_FILL) &&
                p->l[k].cm.kind == PM_STYLE_COLOR_MATCH && p->l[k].filter_ok)
                p->driver = (int)k;
    if (p->n == 0 && p->label < 0) {
        pm_export_plan_free(p);
        return 0; /* the style says nothing about this layer */
    }
    *out = p;
    return 0;
fail:
    pm_export_plan_free(p);
    return rc;
}

size_t pm_export_plan_ncats(const pm_export_plan *p)
{
    if (!p || p->driver < 0)
        return 1;
    const pm_style_colormap *cm = &p->l[p->driver].cm;
    return cm->ncats + 1; /* + the fallback ("other") */
}

pm_color pm_export_plan_color(const pm_export_plan *p, const pm_style_colormap *cm, int is_driver,
                              size_t c, int *none)
{
    *none = 0;
    switch (cm->kind) {
    case PM_STYLE_COLOR_UNSET:
        *none = 1;
        return (pm_color){0, 0, 0, 1};
    case PM_STYLE_COLOR_CONST:
        return cm->fallback;
    case PM_STYLE_COLOR_MATCH:
        if (is_driver && c < cm->ncats)
            return cm->cats[c].color;
        /* fall through */
    default:
        (void)p;
        return cm->has_fallback ? cm->fallback : (pm_color){0, 0, 0, 1};
    }
}

double pm_export_style_number(pm_ctx *ctx, const pm_style *s, size_t i, const char *prop)
{
    double v = 0;
    int is_const = 0;
    if (pm_style_number_const(&v, &is_const, ctx, s, i, prop))
        return 0;
    if (!is_const)
        pm_warn(ctx, "style layer %s: %s depends on the data; the exported styles use %g",
                pm_style_layer_id(s, i), prop, v);
    return v;
}

int pm_export_c255(double v)
{
    return (int)lround((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
}

void pm_export_hex(char out[8], pm_color c)
{
    snprintf(out, 8, "#%02x%02x%02x", pm_export_c255(c.r), pm_export_c255(c.g),
             pm_export_c255(c.b));
}

void pm_export_cat_label(sbuf *b, const pm_style_colormap *cm, size_t c)
{
    if (c >= cm->ncats) {
        sb_puts(b, "other");
        return;
    }
    for (size_t v = 0; v < cm->cats[c].nvalues; v++) {
        if (v)
            sb_puts(b, ", ");
        sb_puts(b, cm->cats[c].values[v].text);
    }
}

int pm_export_plan_category_of(size_t *out, pm_ctx *ctx, const pm_export_plan *p,
                               const pm_feature *f, const pm_schema *schema)
{
    *out = 0;
    if (p->driver < 0)
        return 0;
    const slayer *l = &p->l[p->driver];
    int c = -1;
    int rc = pm_style_class_of(&c, ctx, p->s, l->idx,
                               l->type == PM_LAYER_FILL ? "fill-color" : "line-color", f, schema);
    if (rc)
        return rc;
    /* Every output of the driver's match is a literal, so class indices are
     * category indices; -1 is the fallback. */
    *out = c >= 0 && (size_t)c < l->cm.ncats ? (size_t)c : l->cm.ncats;
    return 0;
}

int pm_export_plan_category_names(char ***out, size_t *out_n, pm_ctx *ctx, const pm_export_plan *p)
{
    size_t n = p->driver >= 0 ? p->l[p->driver].cm.ncats : 0;
    char **v = calloc(n ? n : 1, sizeof(char *));
    *out = NULL;
    *out_n = 0;
    if (!v)
        return pm_err(ctx, PM_ENOMEM, "out of memory", p->layer, "categories");
    for (size_t c = 0; c < n; c++) {
        sbuf t = {0};
        pm_export_cat_label(&t, &p->l[p->driver].cm, c);
        if (!(v[c] = sb_take(&t))) {
            for (size_t k = 0; k < c; k++)
                free(v[k]);
            free(v);
            return pm_err(ctx, PM_ENOMEM, "out of memory", p->layer, "categories");
        }
    }
    *out = v;
    *out_n = n;
    return 0;
}
