/* Read-only introspection of a parsed style for the export module, which
 * translates styles into QGIS QML, OGC SLD and KML. Only what those can say
 * faithfully is reported; the rest is flagged as not expressible so the
 * caller can warn instead of guessing. */
#include "style_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The property p names, if it is a `kind` property of that layer's type;
 * <0 with the error recorded if not. */
static int qprop(pm_ctx *ctx, const pm_style *s, size_t layer, const char *prop, pm_kind kind)
{
    if (!s || layer >= s->nlayers)
        return pm_err(ctx, PM_EUSAGE, "no such style layer", prop, "index %zu", layer);
    int p = pm_style_prop_find(prop);
    if (p < 0)
        return pm_err(ctx, PM_EUSAGE, "unknown style property", prop, "see styles/README.md");
    if (pm_style_props[p].type != s->layers[layer].type || pm_style_props[p].kind != kind)
        return pm_err(ctx, PM_EUSAGE, "property does not apply", prop, "layer %s",
                      s->layers[layer].id);
    return p;
}

/* Does the expression read the feature? */
static int reads_data(const pm_expr *e)
{
    if (!e)
        return 0;
    if (e->op == PM_X_GET || e->op == PM_X_HAS)
        return 1;
    for (size_t i = 0; i < e->nargs; i++)
        if (reads_data(e->args[i]))
            return 1;
    return 0;
}

static int literal_from(pm_style_literal *out, const pm_sval *v)
{
    memset(out, 0, sizeof(*out));
    if (v->t != PM_V_STR && v->t != PM_V_NUM && v->t != PM_V_BOOL)
        return 1; /* not a comparable literal */
    out->is_number = v->t == PM_V_NUM;
    out->number = v->n;
    out->text = pm_sval_to_string(v);
    return out->text ? 0 : PM_ENOMEM;
}

static void literal_clear(pm_style_literal *l)
{
    free(l->text);
    memset(l, 0, sizeof(*l));
}

/* ---- colours ------------------------------------------------------------ */

void pm_style_colormap_clear(pm_style_colormap *m)
{
    if (!m)
        return;
    for (size_t c = 0; c < m->ncats; c++) {
        for (size_t v = 0; v < m->cats[c].nvalues; v++)
            literal_clear(&m->cats[c].values[v]);
        free(m->cats[c].values);
    }
    free(m->cats);
    free(m->field);
    memset(m, 0, sizeof(*m));
}

int pm_style_colormap_get(pm_style_colormap *out, pm_ctx *ctx, const pm_style *s, size_t layer,
                          const char *prop)
{
    memset(out, 0, sizeof(*out));
    int q = qprop(ctx, s, layer, prop, PM_K_COLOR);
    if (q < 0)
        return q;
    const pm_expr *e = s->layers[layer].prop[q];
    if (!e)
        return 0;
    if (e->op == PM_X_LIT && e->lit.t == PM_V_COLOR) {
        out->kind = PM_STYLE_COLOR_CONST;
        out->fallback = e->lit.c;
        out->has_fallback = 1;
        return 0;
    }
    out->kind = PM_STYLE_COLOR_OTHER;
    if (e->op != PM_X_MATCH || e->args[0]->op != PM_X_GET)
        return 0;
    for (size_t b = 0; b < e->nbranch; b++) {
        const pm_expr *o = e->args[b + 1];
        if (o->op != PM_X_LIT || o->lit.t != PM_V_COLOR)
            return 0;
    }
    out->cats = calloc(e->nbranch ? e->nbranch : 1, sizeof(*out->cats));
    out->field = strdup(e->args[0]->field);
    if (!out->cats || !out->field)
        goto oom;
    for (size_t b = 0; b < e->nbranch; b++) {
        pm_style_category *c = &out->cats[b];
        c->color = e->args[b + 1]->lit.c;
        c->values = calloc(e->nlabels[b] ? e->nlabels[b] : 1, sizeof(*c->values));
        out->ncats = b + 1;
        if (!c->values)
            goto oom;
        for (size_t l = 0; l < e->nlabels[b]; l++) {
            int r = literal_from(&c->values[l], &e->labels[b][l]);
            c->nvalues = l + (r == 0);
            if (r == PM_ENOMEM)
                goto oom;
        }
    }
    const pm_expr *fb = e->args[e->nbranch + 1];
    if (fb->op == PM_X_LIT && fb->lit.t == PM_V_COLOR) {
        out->fallback = fb->lit.c;
        out->has_fallback = 1;
    }
    out->kind = PM_STYLE_COLOR_MATCH;
    return 0;
oom:
    pm_style_colormap_clear(out);
    return pm_err(ctx, PM_ENOMEM, "out of memory", prop, "style categories");
}

/* ---- constants ---------------------------------------------------------- */

int pm_style_number_const(double *out, int *out_const, pm_ctx *ctx, const pm_style *s, size_t layer,
                          const char *prop)
{
    int q = qprop(ctx, s, layer, prop, PM_K_NUM);
    *out_const = 0;
    if (q < 0)
        return q;
    *out = pm_style_props[q].dflt;
    if (reads_data(s->layers[layer].prop[q]))
        return 0;
    *out_const = 1;
    /* Constant: evaluating for an empty feature gives the value, with the
     * defaults and clamping of the renderer's own evaluation. */
    pm_feature f = {0};
    pm_schema sc = {0};
    return pm_style_eval_number(out, ctx, s, layer, prop, &f, &sc);
}

int pm_style_color_const(pm_color *out, int *out_const, pm_ctx *ctx, const pm_style *s,
                         size_t layer, const char *prop)
{
    int q = qprop(ctx, s, layer, prop, PM_K_COLOR);
    *out_const = 0;
    if (q < 0)
        return q;
    *out = pm_style_props[q].color;
    if (reads_data(s->layers[layer].prop[q]))
        return 0;
    *out_const = 1;
    pm_feature f = {0};
    pm_schema sc = {0};
    return pm_style_eval_color(out, ctx, s, layer, prop, &f, &sc);
}

/* ---- filters ------------------------------------------------------------ */

static void filter_clear(pm_style_filter *f)
{
    for (size_t i = 0; i < f->nargs; i++)
        filter_clear(&f->args[i]);
    free(f->args);
    free(f->field);
    literal_clear(&f->value);
}

void pm_style_filter_free(pm_style_filter *f)
{
    if (!f)
        return;
    filter_clear(f);
    free(f);
}

/* 0 done, 1 not expressible, PM_ENOMEM */
static int filter_from(pm_style_filter *out, const pm_expr *e)
{
    static const struct {
        pm_xop x;
        pm_style_cmp c, swapped;
    } cmps[] = {{PM_X_EQ, PM_STYLE_EQ, PM_STYLE_EQ}, {PM_X_NE, PM_STYLE_NE, PM_STYLE_NE},
                {PM_X_LT, PM_STYLE_LT, PM_STYLE_GT}, {PM_X_LE, PM_STYLE_LE, PM_STYLE_GE},
                {PM_X_GT, PM_STYLE_GT, PM_STYLE_LT}, {PM_X_GE, PM_STYLE_GE, PM_STYLE_LE}};
    memset(out, 0, sizeof(*out));
    switch (e->op) {
    case PM_X_HAS:
        out->op = PM_STYLE_F_HAS;
        return (out->field = strdup(e->field)) ? 0 : PM_ENOMEM;
    case PM_X_ALL:
    case PM_X_ANY:
    case PM_X_NOT:
        out->op = e->op == PM_X_ALL   ? PM_STYLE_F_ALL
                  : e->op == PM_X_ANY ? PM_STYLE_F_ANY
                                      : PM_STYLE_F_NOT;
        if (!(out->args = calloc(e->nargs ? e->nargs : 1, sizeof(*out->args))))
            return PM_ENOMEM;
        for (size_t i = 0; i < e->nargs; i++) {
            int r = filter_from(&out->args[i], e->args[i]);
            out->nargs = i + 1;
            if (r)
                return r;
        }
        return 0;
    default:
        break;
    }
    for (size_t k = 0; k < sizeof cmps / sizeof *cmps; k++) {
        if (cmps[k].x != e->op || e->nargs != 2)
            continue;
        const pm_expr *a = e->args[0], *b = e->args[1];
        int swap = a->op == PM_X_LIT && b->op == PM_X_GET;
        if (swap) {
            const pm_expr *t = a;
            a = b;
            b = t;
        }
        if (a->op != PM_X_GET || b->op != PM_X_LIT)
            return 1;
        out->op = PM_STYLE_F_CMP;
        out->cmp = swap ? cmps[k].swapped : cmps[k].c;
        int r = literal_from(&out->value, &b->lit);
        if (r)
            return r;
        return (out->field = strdup(a->field)) ? 0 : PM_ENOMEM;
    }
    return 1;
}

int pm_style_layer_filter(pm_style_filter **out, int *out_expressible, pm_ctx *ctx,
                          const pm_style *s, size_t layer)
{
    *out = NULL;
    *out_expressible = 1;
    if (!s || layer >= s->nlayers)
        return pm_err(ctx, PM_EUSAGE, "no such style layer", "filter", "index %zu", layer);
    const pm_expr *e = s->layers[layer].filter;
    if (!e)
        return 0;
    pm_style_filter *f = calloc(1, sizeof(*f));
    int r = f ? filter_from(f, e) : PM_ENOMEM;
    if (r == 0) {
        *out = f;
        return 0;
    }
    pm_style_filter_free(f);
    if (r == 1) {
        *out_expressible = 0;
        return 0;
    }
    return pm_err(ctx, PM_ENOMEM, "out of memory", s->layers[layer].id, "filter");
}

/* ---- labels ------------------------------------------------------------- */

static const char *plain_get(const pm_expr *e)
{
    if (e->op == PM_X_TOSTRING && e->nargs == 1)
        e = e->args[0];
    return e->op == PM_X_GET ? e->field : NULL;
}

int pm_style_text_fields(char ***out, size_t *out_n, pm_ctx *ctx, const pm_style *s, size_t layer)
{
    *out = NULL;
    *out_n = 0;
    if (!s || layer >= s->nlayers)
        return pm_err(ctx, PM_EUSAGE, "no such style layer", "text-field", "index %zu", layer);
    const pm_expr *e = s->layers[layer].prop[PM_P_TEXT_FIELD];
    if (!e)
        return 0;
    const pm_expr *const *items = &e;
    size_t n = 1;
    if (e->op == PM_X_COALESCE) {
        items = (const pm_expr *const *)e->args;
        n = e->nargs;
    }
    for (size_t i = 0; i < n; i++)
        if (!plain_get(items[i]))
            return 0;
    char **v = calloc(n ? n : 1, sizeof(char *));
    if (!v)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "text-field", "fields");
    for (size_t i = 0; i < n; i++)
        if (!(v[i] = strdup(plain_get(items[i])))) {
            for (size_t k = 0; k < i; k++)
                free(v[k]);
            free(v);
            return pm_err(ctx, PM_ENOMEM, "out of memory", "text-field", "fields");
        }
    *out = v;
    *out_n = n;
    return 0;
}
