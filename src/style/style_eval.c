/* Reading a parsed style: layer lookups, evaluating properties for a
 * feature, and the classes a legend shows. */
#include "style_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- accessors ---------------------------------------------------------- */

size_t pm_style_nlayers(const pm_style *s)
{
    return s ? s->nlayers : 0;
}

const char *pm_style_layer_source(const pm_style *s, size_t i)
{
    return s && i < s->nlayers ? s->layers[i].source : NULL;
}

const char *pm_style_name(const pm_style *s)
{
    return s && s->name ? s->name : "";
}

const char *pm_style_layer_id(const pm_style *s, size_t i)
{
    return s && i < s->nlayers ? s->layers[i].id : NULL;
}

pm_layer_type pm_style_layer_type(const pm_style *s, size_t i)
{
    return s && i < s->nlayers ? s->layers[i].type : (pm_layer_type)0;
}

int pm_style_layer_visible(const pm_style *s, size_t i)
{
    return s && i < s->nlayers ? s->layers[i].visible : 0;
}

int pm_style_find_layer(const pm_style *s, const char *id)
{
    for (size_t i = 0; s && id && i < s->nlayers; i++)
        if (strcmp(s->layers[i].id, id) == 0)
            return (int)i;
    return -1;
}

const char *pm_style_layer_font(const pm_style *s, size_t i)
{
    return s && i < s->nlayers ? s->layers[i].font : NULL;
}

const double *pm_style_layer_dasharray(const pm_style *s, size_t i, size_t *out_n)
{
    *out_n = s && i < s->nlayers ? s->layers[i].ndash : 0;
    return *out_n ? s->layers[i].dash : NULL;
}

const pm_page *pm_style_page(const pm_style *s)
{
    return s ? &s->page : NULL;
}

static int find_prop(pm_ctx *ctx, const pm_style *s, size_t layer, const char *prop)
{
    if (!s || layer >= s->nlayers)
        return pm_err(ctx, PM_EUSAGE, "no such style layer", prop, "index %zu", layer);
    int p = pm_style_prop_find(prop);
    if (p < 0)
        return pm_err(ctx, PM_EUSAGE, "unknown style property", prop, "see styles/README.md");
    if (pm_style_props[p].type && pm_style_props[p].type != s->layers[layer].type)
        return pm_err(ctx, PM_EUSAGE, "property does not apply", prop, "layer %s is a %s layer",
                      s->layers[layer].id, pm_style_type_name(s->layers[layer].type));
    return p;
}

int pm_style_layer_has(const pm_style *s, size_t i, const char *prop)
{
    int p = pm_style_prop_find(prop);
    if (!s || i >= s->nlayers || p < 0)
        return 0;
    return s->layers[i].prop[p] != NULL || (p == PM_P_LINE_DASHARRAY && s->layers[i].ndash) ||
           (p == PM_P_TEXT_FONT && s->layers[i].font);
}

/* ---- evaluation --------------------------------------------------------- */

int pm_style_eval_filter(int *out, pm_ctx *ctx, const pm_style *s, size_t layer,
                         const pm_feature *f, const pm_schema *schema)
{
    pm_sval v;
    *out = 1;
    if (!s || layer >= s->nlayers)
        return pm_err(ctx, PM_EUSAGE, "no such style layer", "filter", "index %zu", layer);
    if (!s->layers[layer].filter)
        return 0;
    if (pm_expr_eval(&v, s->layers[layer].filter, f, schema))
        return pm_err(ctx, PM_ENOMEM, "out of memory", s->layers[layer].id, "filter");
    *out = v.t == PM_V_BOOL && v.b;
    pm_sval_clear(&v);
    return 0;
}

/* Evaluate property p of a layer; v is null when unset. */
static int eval_prop(pm_sval *v, pm_ctx *ctx, const pm_style *s, size_t layer, int p,
                     const pm_feature *f, const pm_schema *schema)
{
    memset(v, 0, sizeof(*v));
    const pm_expr *e = s->layers[layer].prop[p];
    if (e && pm_expr_eval(v, e, f, schema))
        return pm_err(ctx, PM_ENOMEM, "out of memory", s->layers[layer].id, "%s",
                      pm_style_props[p].name);
    return 0;
}

int pm_style_eval_color(pm_color *out, pm_ctx *ctx, const pm_style *s, size_t layer,
                        const char *prop, const pm_feature *f, const pm_schema *schema)
{
    pm_sval v;
    int p = find_prop(ctx, s, layer, prop), rc;
    if (p < 0)
        return p;
    if (pm_style_props[p].kind != PM_K_COLOR)
        return pm_err(ctx, PM_EUSAGE, "not a colour property", prop, "layer %s",
                      s->layers[layer].id);
    if ((rc = eval_prop(&v, ctx, s, layer, p, f, schema)))
        return rc;
    *out = pm_style_props[p].color;
    if (v.t == PM_V_COLOR)
        *out = v.c;
    else if (v.t == PM_V_STR) /* a colour read from an attribute */
        (void)pm_style_color_parse(out, NULL, v.s);
    pm_sval_clear(&v);
    return 0;
}

int pm_style_eval_number(double *out, pm_ctx *ctx, const pm_style *s, size_t layer,
                         const char *prop, const pm_feature *f, const pm_schema *schema)
{
    pm_sval v;
    int p = find_prop(ctx, s, layer, prop), rc;
    if (p < 0)
        return p;
    if (pm_style_props[p].kind != PM_K_NUM || p == PM_P_LINE_DASHARRAY)
        return pm_err(ctx, PM_EUSAGE, "not a number property", prop, "layer %s",
                      s->layers[layer].id);
    if ((rc = eval_prop(&v, ctx, s, layer, p, f, schema)))
        return rc;
    *out = pm_style_props[p].dflt;
    if (v.t == PM_V_NUM && isfinite(v.n))
        *out = v.n;
    pm_sval_clear(&v);
    double lo = pm_style_props[p].lo, hi = pm_style_props[p].hi;
    *out = *out < lo ? lo : *out > hi ? hi : *out;
    return 0;
}

int pm_style_eval_string(char **out, pm_ctx *ctx, const pm_style *s, size_t layer, const char *prop,
                         const pm_feature *f, const pm_schema *schema)
{
    pm_sval v;
    int p = find_prop(ctx, s, layer, prop), rc;
    *out = NULL;
    if (p < 0)
        return p;
    if (p != PM_P_TEXT_FIELD && p != PM_P_FILL_PATTERN)
        return pm_err(ctx, PM_EUSAGE, "not a string property", prop, "layer %s",
                      s->layers[layer].id);
    if ((rc = eval_prop(&v, ctx, s, layer, p, f, schema)))
        return rc;
    if (p == PM_P_FILL_PATTERN && (v.t != PM_V_STR || !pm_style_pattern_known(v.s)))
        pm_sval_clear(&v); /* an unknown name from an attribute: a plain fill */
    *out = pm_sval_to_string(&v);
    pm_sval_clear(&v);
    return *out ? 0 : pm_err(ctx, PM_ENOMEM, "out of memory", prop, "text");
}

int pm_style_eval_bool(int *out, pm_ctx *ctx, const pm_style *s, size_t layer, const char *prop,
                       const pm_feature *f, const pm_schema *schema)
{
    pm_sval v;
    int p = find_prop(ctx, s, layer, prop), rc;
    if (p < 0)
        return p;
    if (pm_style_props[p].kind != PM_K_BOOL)
        return pm_err(ctx, PM_EUSAGE, "not a boolean property", prop, "layer %s",
                      s->layers[layer].id);
    if ((rc = eval_prop(&v, ctx, s, layer, p, f, schema)))
        return rc;
    *out = v.t == PM_V_BOOL ? v.b : (int)pm_style_props[p].dflt;
    pm_sval_clear(&v);
    return 0;
}

/* ---- classes ------------------------------------------------------------ */

void pm_style_classes_free(pm_style_class *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++)
        free(c[i].label);
    free(c);
}

int pm_style_classes(pm_style_class **out, size_t *out_n, pm_ctx *ctx, const pm_style *s,
                     size_t layer, const char *prop)
{
    int p = find_prop(ctx, s, layer, prop);
    *out = NULL;
    *out_n = 0;
    if (p < 0)
        return p;
    const pm_expr *e = s->layers[layer].prop[p];
    if (!e)
        return 0;
    if (e->op == PM_X_LIT && e->lit.t == PM_V_COLOR) {
        pm_style_class *c = calloc(1, sizeof(*c));
        if (!c || !(c->label = strdup(s->layers[layer].id))) {
            free(c);
            return pm_err(ctx, PM_ENOMEM, "out of memory", prop, "legend");
        }
        c->color = e->lit.c;
        *out = c;
        *out_n = 1;
        return 0;
    }
    if (e->op != PM_X_MATCH)
        return 0;
    pm_style_class *c = calloc(e->nbranch ? e->nbranch : 1, sizeof(*c));
    size_t n = 0;
    if (!c)
        return pm_err(ctx, PM_ENOMEM, "out of memory", prop, "legend");
    for (size_t b = 0; b < e->nbranch; b++) {
        const pm_expr *o = e->args[b + 1];
        size_t len = 1;
        char *parts[64];
        size_t np = e->nlabels[b] < 64 ? e->nlabels[b] : 64;
        if (o->op != PM_X_LIT || o->lit.t != PM_V_COLOR)
            continue; /* a computed colour has no single swatch */
        for (size_t l = 0; l < np; l++) {
            parts[l] = pm_sval_to_string(&e->labels[b][l]);
            len += (parts[l] ? strlen(parts[l]) : 0) + 2;
        }
        c[n].label = malloc(len);
        if (c[n].label) {
            c[n].label[0] = '\0';
            for (size_t l = 0; l < np; l++) {
                if (l)
                    strcat(c[n].label, ", ");
                if (parts[l])
                    strcat(c[n].label, parts[l]);
            }
        }
        for (size_t l = 0; l < np; l++)
            free(parts[l]);
        if (!c[n].label) {
            pm_style_classes_free(c, n);
            return pm_err(ctx, PM_ENOMEM, "out of memory", prop, "legend");
        }
        c[n].color = o->lit.c;
        n++;
    }
    *out = c;
    *out_n = n;
    return 0;
}

int pm_style_class_of(int *out, pm_ctx *ctx, const pm_style *s, size_t layer, const char *prop,
                      const pm_feature *f, const pm_schema *schema)
{
    int p = find_prop(ctx, s, layer, prop);
    *out = -1;
    if (p < 0)
        return p;
    const pm_expr *e = s->layers[layer].prop[p];
    if (!e)
        return 0;
    if (e->op == PM_X_LIT && e->lit.t == PM_V_COLOR) {
        *out = 0;
        return 0;
    }
    if (e->op != PM_X_MATCH)
        return 0;
    int br;
    if (pm_expr_match_branch(&br, e, f, schema))
        return pm_err(ctx, PM_ENOMEM, "out of memory", prop, "legend");
    if (br < 0)
        return 0;
    /* Number the branch as pm_style_classes does: skipping computed outputs. */
    int idx = 0;
    for (int b = 0; b < br; b++)
        idx += e->args[b + 1]->op == PM_X_LIT && e->args[b + 1]->lit.t == PM_V_COLOR;
    if (e->args[br + 1]->op == PM_X_LIT && e->args[br + 1]->lit.t == PM_V_COLOR)
        *out = idx;
    return 0;
}
