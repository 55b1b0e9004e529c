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
#include "export_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Points (style units) to pixels as SLD and KML count them. */
#define PX_PER_PT (96.0 / 72.0)

/* ---- strings ------------------------------------------------------------ */

typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_add(sbuf *b, const char *t, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, t, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *t)
{
    sb_add(b, t, strlen(t));
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof tmp) {
        sb_add(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_add(b, big, (size_t)n);
    free(big);
}

/* Text as XML character data or attribute value. */
static void sb_xml(sbuf *b, const char *t)
{
    for (; t && *t; t++) {
        switch (*t) {
        case '&': sb_puts(b, "&amp;"); break;
        case '<': sb_puts(b, "&lt;"); break;
        case '>': sb_puts(b, "&gt;"); break;
        case '"': sb_puts(b, "&quot;"); break;
        case '\'': sb_puts(b, "&apos;"); break;
        case '\n': sb_puts(b, "&#10;"); break;
        default:
            /* Control characters are not allowed in XML 1.0 at all. */
            if ((unsigned char)*t >= 0x20 || *t == '\t')
                sb_add(b, t, 1);
        }
    }
}

static char *sb_take(sbuf *b)
{
    if (b->oom) {
        free(b->s);
        return NULL;
    }
    if (!b->s)
        return strdup("");
    return b->s;
}

/* ---- field names -------------------------------------------------------- */

const char *pm_export_field_name(const pm_export_fieldmap *m, const char *name)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (strcmp(m->from[i], name) == 0)
            return m->to[i];
    return name;
}

void pm_export_fieldmap_clear(pm_export_fieldmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->from[i]);
        free(m->to[i]);
    }
    free(m->from);
    free(m->to);
    memset(m, 0, sizeof(*m));
}

/* Cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static int name_taken(const pm_export_fieldmap *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcasecmp(m->to[i], name) == 0)
            return 1;
    return 0;
}

int pm_export_fieldmap_dbf(pm_export_fieldmap *out, pm_ctx *ctx, const char *const *names,
                           size_t n)
{
    memset(out, 0, sizeof(*out));
    out->from = calloc(n ? n : 1, sizeof(char *));
    out->to = calloc(n ? n : 1, sizeof(char *));
    if (!out->from || !out->to)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        char buf[32];
        size_t k = utf8_cut(names[i], 10);
        memcpy(buf, names[i], k);
        buf[k] = '\0';
        /* DBF names are compared without case; a clash gets the shortest
         * free numeric suffix, in field order, so the same schema always
         * maps the same way. */
        for (int suffix = 2; name_taken(out, buf) && suffix < 100000; suffix++) {
            char num[16];
            int nl = snprintf(num, sizeof num, "_%d", suffix);
            k = utf8_cut(names[i], 10 - (size_t)nl);
            memcpy(buf, names[i], k);
            memcpy(buf + k, num, (size_t)nl + 1);
        }
        if (!(out->from[i] = strdup(names[i])) || !(out->to[i] = strdup(buf))) {
            free(out->from[i]);
            goto oom;
        }
        out->n = i + 1;
    }
    return 0;
oom:
    pm_export_fieldmap_clear(out);
    return pm_err(ctx, PM_ENOMEM, "out of memory", "export", "field names");
}

/* ---- the plan ----------------------------------------------------------- */

typedef struct {
    size_t idx; /* style layer */
    pm_layer_type type;
    pm_style_colormap cm;  /* fill-color or line-color */
    pm_style_colormap out; /* fill-outline-color */
    pm_style_filter *filter;
    int filter_ok;
} slayer;

struct pm_export_plan {
    const pm_style *s;
    char *layer;
    int is_line;
    slayer *l;
    size_t n;
    int driver; /* index into l, or -1: single symbol */
    long label; /* style layer index of the label layer, or -1 */
    char **text_fields;
    size_t ntext;
    const pm_export_fieldmap *fields;
};

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
                    pm_warn(ctx, "%s: style layer %s: label text is not one attribute or a "
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
            pm_warn(ctx, "%s: style layer %s: filter cannot be translated; drawn for every "
                         "feature in the exported styles",
                    layer, pm_style_layer_id(s, i));
        if ((l->cm.kind == PM_STYLE_COLOR_OTHER || l->out.kind == PM_STYLE_COLOR_OTHER) &&
            !warned++)
            pm_warn(ctx, "%s: style layer %s: a colour computed from the data other than by a "
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

/* The colour layer k shows for category c (c == ncats: the fallback).
 * *none when there is nothing to draw (an unset outline). */
static pm_color color_of(const pm_export_plan *p, const pm_style_colormap *cm, int is_driver,
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

static double num_of(pm_ctx *ctx, const pm_style *s, size_t i, const char *prop)
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

static int c255(double v)
{
    return (int)lround((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
}

static void hex_of(char out[8], pm_color c)
{
    snprintf(out, 8, "#%02x%02x%02x", c255(c.r), c255(c.g), c255(c.b));
}

/* The label of category c as a legend shows it. */
static void cat_label(sbuf *b, const pm_style_colormap *cm, size_t c)
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

/* ---- QGIS expressions ---------------------------------------------------- */

static void q_field(sbuf *b, const pm_export_plan *p, const char *f)
{
    const char *name = pm_export_field_name(p->fields, f);
    sb_puts(b, "\"");
    for (; *name; name++)
        sb_add(b, *name == '"' ? "\"\"" : name, 1 + (*name == '"'));
    sb_puts(b, "\"");
}

static void q_literal(sbuf *b, const pm_style_literal *l)
{
    if (l->is_number) {
        sb_printf(b, "%.15g", l->number);
        return;
    }
    sb_puts(b, "'");
    for (const char *t = l->text; *t; t++)
        sb_add(b, *t == '\'' ? "''" : t, 1 + (*t == '\''));
    sb_puts(b, "'");
}

/* Never NULL-valued: MapLibre's comparisons with null are plain false
 * (== , <, ...) or true (!=), where SQL-style three-valued logic would make
 * NOT and != misbehave. */
static void q_filter(sbuf *b, const pm_export_plan *p, const pm_style_filter *f)
{
    static const char *const ops[] = {"", "=", "<>", "<", "<=", ">", ">="};
    switch (f->op) {
    case PM_STYLE_F_CMP:
        sb_puts(b, "(");
        q_field(b, p, f->field);
        sb_puts(b, f->cmp == PM_STYLE_NE ? " IS NULL OR " : " IS NOT NULL AND ");
        q_field(b, p, f->field);
        sb_printf(b, " %s ", ops[f->cmp]);
        q_literal(b, &f->value);
        sb_puts(b, ")");
        break;
    case PM_STYLE_F_HAS:
        sb_puts(b, "(");
        q_field(b, p, f->field);
        sb_puts(b, " IS NOT NULL)");
        break;
    case PM_STYLE_F_ALL:
    case PM_STYLE_F_ANY:
        if (f->nargs == 0) {
            sb_puts(b, f->op == PM_STYLE_F_ALL ? "true" : "false");
            break;
        }
        sb_puts(b, "(");
        for (size_t i = 0; i < f->nargs; i++) {
            if (i)
                sb_puts(b, f->op == PM_STYLE_F_ALL ? " AND " : " OR ");
            q_filter(b, p, &f->args[i]);
        }
        sb_puts(b, ")");
        break;
    case PM_STYLE_F_NOT:
        sb_puts(b, "(NOT ");
        q_filter(b, p, &f->args[0]);
        sb_puts(b, ")");
        break;
    }
}

/* ---- QML ---------------------------------------------------------------- */

typedef struct {
    const char *k;
    char v[256];
} kv;

/* A symbol layer's properties, in both spellings QGIS 3 reads: the
 * <Option> map (3.26 on) and the older <prop> list. */
static void qml_props(sbuf *b, const kv *p, size_t n, const char *ind)
{
    sb_printf(b, "%s<Option type=\"Map\">\n", ind);
    for (size_t i = 0; i < n; i++) {
        sb_printf(b, "%s  <Option name=\"%s\" type=\"QString\" value=\"", ind, p[i].k);
        sb_xml(b, p[i].v);
        sb_puts(b, "\"/>\n");
    }
    sb_printf(b, "%s</Option>\n", ind);
    for (size_t i = 0; i < n; i++) {
        sb_printf(b, "%s<prop k=\"%s\" v=\"", ind, p[i].k);
        sb_xml(b, p[i].v);
        sb_puts(b, "\"/>\n");
    }
}

static void qml_ddp(sbuf *b, const pm_export_plan *p, const pm_style_filter *f, const char *ind)
{
    sb_printf(b, "%s<data_defined_properties>\n%s  <Option type=\"Map\">\n", ind, ind);
    sb_printf(b, "%s    <Option name=\"name\" type=\"QString\" value=\"\"/>\n", ind);
    if (f) {
        sbuf e = {0};
        q_filter(&e, p, f);
        sb_printf(b, "%s    <Option name=\"properties\" type=\"Map\">\n", ind);
        sb_printf(b, "%s      <Option name=\"enabled\" type=\"Map\">\n", ind);
        sb_printf(b, "%s        <Option name=\"active\" type=\"bool\" value=\"true\"/>\n", ind);
        sb_printf(b, "%s        <Option name=\"expression\" type=\"QString\" value=\"", ind);
        sb_xml(b, e.s ? e.s : "true");
        sb_puts(b, "\"/>\n");
        sb_printf(b, "%s        <Option name=\"type\" type=\"int\" value=\"3\"/>\n", ind);
        sb_printf(b, "%s      </Option>\n%s    </Option>\n", ind, ind);
        b->oom |= e.oom;
        free(e.s);
    } else {
        sb_printf(b, "%s    <Option name=\"properties\"/>\n", ind);
    }
    sb_printf(b, "%s    <Option name=\"type\" type=\"QString\" value=\"collection\"/>\n", ind);
    sb_printf(b, "%s  </Option>\n%s</data_defined_properties>\n", ind, ind);
}

static void qcolor(char *out, pm_color c, double opacity)
{
    snprintf(out, 256, "%d,%d,%d,%d", c255(c.r), c255(c.g), c255(c.b), c255(c.a * opacity));
}

static void qml_symbol(sbuf *b, pm_ctx *ctx, const pm_export_plan *p, size_t cat,
                       const char *name)
{
    const char *ind = "        ";
    sb_printf(b, "      <symbol type=\"%s\" name=\"%s\" alpha=\"1\" clip_to_extent=\"1\" "
                 "force_rhr=\"0\">\n",
              p->is_line ? "line" : "fill", name);
    sb_puts(b, "        <data_defined_properties>\n          <Option type=\"Map\">\n"
               "            <Option name=\"name\" type=\"QString\" value=\"\"/>\n"
               "            <Option name=\"properties\"/>\n"
               "            <Option name=\"type\" type=\"QString\" value=\"collection\"/>\n"
               "          </Option>\n        </data_defined_properties>\n");
    int any = 0;
    for (size_t k = 0; k < p->n; k++) {
        const slayer *l = &p->l[k];
        int none = 0;
        pm_color c = color_of(p, &l->cm, (int)k == p->driver, cat, &none);
        kv pr[16];
        size_t n = 0;
        if (l->type == PM_LAYER_FILL) {
            double op = num_of(ctx, p->s, l->idx, "fill-opacity");
            int no_out = 0;
            pm_color oc = color_of(p, &l->out, 0, cat, &no_out);
            sb_printf(b, "%s<layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n",
                      ind);
            pr[n].k = "border_width_map_unit_scale";
            snprintf(pr[n++].v, 256, "3x:0,0,0,0,0,0");
            pr[n].k = "color";
            qcolor(pr[n++].v, c, op);
            pr[n].k = "joinstyle";
            snprintf(pr[n++].v, 256, "bevel");
            pr[n].k = "offset";
            snprintf(pr[n++].v, 256, "0,0");
            pr[n].k = "offset_unit";
            snprintf(pr[n++].v, 256, "MM");
            pr[n].k = "outline_color";
            qcolor(pr[n++].v, oc, 1);
            pr[n].k = "outline_style";
            snprintf(pr[n++].v, 256, "%s", no_out ? "no" : "solid");
            /* parkmap draws fill-outline-color as a 0.75 pt line */
            pr[n].k = "outline_width";
            snprintf(pr[n++].v, 256, "0.75");
            pr[n].k = "outline_width_unit";
            snprintf(pr[n++].v, 256, "Point");
            pr[n].k = "style";
            snprintf(pr[n++].v, 256, "solid");
        } else {
            double op = num_of(ctx, p->s, l->idx, "line-opacity");
            double w = num_of(ctx, p->s, l->idx, "line-width");
            size_t nd = 0;
            const double *dash = pm_style_layer_dasharray(p->s, l->idx, &nd);
            sb_printf(b, "%s<layer class=\"SimpleLine\" enabled=\"1\" locked=\"0\" pass=\"0\">\n",
                      ind);
            pr[n].k = "capstyle";
            snprintf(pr[n++].v, 256, "flat");
            pr[n].k = "customdash";
            size_t len = 0;
            pr[n].v[0] = '\0';
            /* MapLibre dashes are in line widths; QGIS's in the unit below */
            for (size_t d = 0; d < nd && len < 200; d++)
                len += (size_t)snprintf(pr[n].v + len, 256 - len, "%s%g", d ? ";" : "",
                                        dash[d] * w);
            if (!nd)
                snprintf(pr[n].v, 256, "5;2");
            n++;
            pr[n].k = "customdash_unit";
            snprintf(pr[n++].v, 256, "Point");
            pr[n].k = "joinstyle";
            snprintf(pr[n++].v, 256, "round");
            pr[n].k = "line_color";
            qcolor(pr[n++].v, c, op);
            pr[n].k = "line_style";
            snprintf(pr[n++].v, 256, "solid");
            pr[n].k = "line_width";
            snprintf(pr[n++].v, 256, "%g", w);
            pr[n].k = "line_width_unit";
            snprintf(pr[n++].v, 256, "Point");
            pr[n].k = "offset";
            snprintf(pr[n++].v, 256, "0");
            pr[n].k = "offset_unit";
            snprintf(pr[n++].v, 256, "MM");
            pr[n].k = "use_custom_dash";
            snprintf(pr[n++].v, 256, "%d", nd ? 1 : 0);
        }
        qml_props(b, pr, n, "          ");
        qml_ddp(b, p, l->filter, "          ");
        sb_printf(b, "%s</layer>\n", ind);
        any = 1;
    }
    if (!any) /* labels only: draw nothing but the labels */
        sb_printf(b, "%s<layer class=\"%s\" enabled=\"0\" locked=\"0\" pass=\"0\"/>\n", ind,
                  p->is_line ? "SimpleLine" : "SimpleFill");
    sb_puts(b, "      </symbol>\n");
}

static void qml_labels(sbuf *b, pm_ctx *ctx, const pm_export_plan *p)
{
    size_t i = (size_t)p->label;
    const pm_style *s = p->s;
    sbuf e = {0};
    pm_style_filter *f = NULL;
    int fok = 1, is_expr = p->ntext > 1;
    if (pm_style_layer_filter(&f, &fok, ctx, s, i) == 0 && f) {
        sb_puts(&e, "CASE WHEN ");
        q_filter(&e, p, f);
        sb_puts(&e, " THEN ");
        is_expr = 1;
    }
    if (p->ntext > 1)
        sb_puts(&e, "coalesce(");
    for (size_t k = 0; k < p->ntext; k++) {
        if (k)
            sb_puts(&e, ", ");
        if (is_expr)
            q_field(&e, p, p->text_fields[k]);
        else
            sb_puts(&e, pm_export_field_name(p->fields, p->text_fields[k]));
    }
    if (p->ntext > 1)
        sb_puts(&e, ")");
    if (f)
        sb_puts(&e, " END");
    pm_style_filter_free(f);

    pm_color tc = {0, 0, 0, 1}, hc = {0, 0, 0, 0};
    int k1, k2;
    (void)pm_style_color_const(&tc, &k1, ctx, s, i, "text-color");
    (void)pm_style_color_const(&hc, &k2, ctx, s, i, "text-halo-color");
    double size = num_of(ctx, s, i, "text-size");
    double halo = num_of(ctx, s, i, "text-halo-width");
    const char *fonts = pm_style_layer_font(s, i);
    char family[128] = "Noto Sans CJK SC";
    if (fonts) {
        size_t n = strcspn(fonts, ",");
        if (n >= sizeof family)
            n = sizeof family - 1;
        memcpy(family, fonts, n);
        family[n] = '\0';
    }
    char col[256];
    sb_puts(b, "  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n");
    sb_puts(b, "      <text-style fieldName=\"");
    sb_xml(b, e.s ? e.s : "");
    sb_printf(b, "\" isExpression=\"%d\" fontFamily=\"", is_expr);
    sb_xml(b, family);
    qcolor(col, tc, 1);
    sb_printf(b, "\" fontSize=\"%g\" fontSizeUnit=\"Point\" textColor=\"%s\" textOpacity=\"1\" "
                 "fontWeight=\"50\" fontItalic=\"0\" namedStyle=\"Regular\" "
                 "multilineHeight=\"1\" blendMode=\"0\">\n",
              size, col);
    qcolor(col, hc, 1);
    sb_printf(b, "        <text-buffer bufferDraw=\"%d\" bufferSize=\"%g\" "
                 "bufferSizeUnits=\"Point\" bufferColor=\"%s\" bufferOpacity=\"1\" "
                 "bufferNoFill=\"1\" bufferJoinStyle=\"128\" bufferBlendMode=\"0\"/>\n",
              halo > 0 && hc.a > 0, halo, col);
    sb_puts(b, "      </text-style>\n");
    sb_puts(b, "      <text-format wrapChar=\"\" multilineAlign=\"3\" plussign=\"0\" "
               "formatNumbers=\"0\" decimals=\"3\" reverseDirectionSymbol=\"0\" "
               "placeDirectionSymbol=\"0\" addDirectionSymbol=\"0\"/>\n");
    /* parkmap puts a polygon's label inside it (pole of inaccessibility)
     * and, where labels collide, tries other positions. QGIS's nearest is
     * "around the centroid, forced inside" (0): eight candidates, so in
     * QGIS 3.22 a crowded cluster keeps its names (14 of the 15 Pudong
     * parks, as parkmap's map) where "over the centroid" (1), a single
     * candidate, drops 4 (tests/qgis/check_styles.py counts them). */
    sb_printf(b, "      <placement placement=\"%d\" centroidInside=\"1\" centroidWhole=\"0\" "
                 "fitInPolygonOnly=\"0\" dist=\"0\" offsetType=\"0\" quadOffset=\"4\" "
                 "priority=\"5\" overrunDistance=\"0\"/>\n",
              p->is_line ? 2 : 0);
    sb_puts(b, "      <rendering obstacle=\"1\" displayAll=\"0\" upsidedownLabels=\"0\" "
               "labelPerPart=\"0\" mergeLines=\"0\" scaleVisibility=\"0\" "
               "fontLimitPixelSize=\"0\" limitNumLabels=\"0\" drawLabels=\"1\"/>\n");
    sb_puts(b, "    </settings>\n  </labeling>\n");
    b->oom |= e.oom;
    free(e.s);
}

int pm_export_plan_qml(char **out, pm_ctx *ctx, const pm_export_plan *p)
{
    sbuf b = {0};
    *out = NULL;
    sb_puts(&b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n");
    sb_printf(&b, "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling\" "
                  "labelsEnabled=\"%d\">\n",
              p->label >= 0);
    if (p->driver >= 0) {
        const pm_style_colormap *cm = &p->l[p->driver].cm;
        size_t ncat = pm_export_plan_ncats(p);
        sb_puts(&b, "  <renderer-v2 type=\"categorizedSymbol\" attr=\"");
        sb_xml(&b, pm_export_field_name(p->fields, cm->field));
        sb_puts(&b, "\" symbollevels=\"0\" forceraster=\"0\" enableorderby=\"0\">\n");
        sb_puts(&b, "    <categories>\n");
        for (size_t c = 0; c < ncat; c++) {
            /* A label array is one legend entry in parkmap; QGIS wants one
             * category per value, sharing the symbol. */
            size_t nv = c < cm->ncats ? cm->cats[c].nvalues : 1;
            for (size_t v = 0; v < nv; v++) {
                sb_printf(&b, "      <category render=\"true\" symbol=\"%zu\" value=\"", c);
                if (c < cm->ncats)
                    sb_xml(&b, cm->cats[c].values[v].text);
                sb_puts(&b, "\" label=\"");
                if (c < cm->ncats)
                    sb_xml(&b, cm->cats[c].values[v].text);
                else
                    sb_puts(&b, "other");
                sb_puts(&b, "\"/>\n");
            }
        }
        sb_puts(&b, "    </categories>\n    <symbols>\n");
        for (size_t c = 0; c < ncat; c++) {
            char name[32];
            snprintf(name, sizeof name, "%zu", c);
            qml_symbol(&b, ctx, p, c, name);
        }
        sb_puts(&b, "    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n");
    } else {
        sb_puts(&b, "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" forceraster=\"0\" "
                    "enableorderby=\"0\">\n    <symbols>\n");
        qml_symbol(&b, ctx, p, 0, "0");
        sb_puts(&b, "    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n");
    }
    if (p->label >= 0)
        qml_labels(&b, ctx, p);
    sb_puts(&b, "  <blendMode>0</blendMode>\n  <featureBlendMode>0</featureBlendMode>\n"
                "  <layerOpacity>1</layerOpacity>\n</qgis>\n");
    if (!(*out = sb_take(&b)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", p->layer, "QML");
    return 0;
}

/* ---- SLD ---------------------------------------------------------------- */

static void x_prop(sbuf *b, const pm_export_plan *p, const char *f)
{
    sb_puts(b, "<ogc:PropertyName>");
    sb_xml(b, pm_export_field_name(p->fields, f));
    sb_puts(b, "</ogc:PropertyName>");
}

static void x_filter(sbuf *b, const pm_export_plan *p, const pm_style_filter *f)
{
    static const char *const ops[] = {"",
                                      "PropertyIsEqualTo",
                                      "PropertyIsNotEqualTo",
                                      "PropertyIsLessThan",
                                      "PropertyIsLessThanOrEqualTo",
                                      "PropertyIsGreaterThan",
                                      "PropertyIsGreaterThanOrEqualTo"};
    switch (f->op) {
    case PM_STYLE_F_CMP:
        if (f->cmp == PM_STYLE_NE) { /* true where the attribute is null, as in parkmap */
            sb_puts(b, "<ogc:Or><ogc:PropertyIsNull>");
            x_prop(b, p, f->field);
            sb_puts(b, "</ogc:PropertyIsNull>");
        }
        sb_printf(b, "<ogc:%s>", ops[f->cmp]);
        x_prop(b, p, f->field);
        sb_puts(b, "<ogc:Literal>");
        sb_xml(b, f->value.text);
        sb_printf(b, "</ogc:Literal></ogc:%s>", ops[f->cmp]);
        if (f->cmp == PM_STYLE_NE)
            sb_puts(b, "</ogc:Or>");
        break;
    case PM_STYLE_F_HAS:
        sb_puts(b, "<ogc:Not><ogc:PropertyIsNull>");
        x_prop(b, p, f->field);
        sb_puts(b, "</ogc:PropertyIsNull></ogc:Not>");
        break;
    case PM_STYLE_F_ALL:
    case PM_STYLE_F_ANY: {
        const char *op = f->op == PM_STYLE_F_ALL ? "And" : "Or";
        if (f->nargs == 1) {
            x_filter(b, p, &f->args[0]);
            break;
        }
        if (f->nargs == 0) { /* all() is true, any() false: compare a constant */
            sb_printf(b, "<ogc:PropertyIsEqualTo><ogc:Literal>1</ogc:Literal>"
                         "<ogc:Literal>%d</ogc:Literal></ogc:PropertyIsEqualTo>",
                      f->op == PM_STYLE_F_ALL);
            break;
        }
        sb_printf(b, "<ogc:%s>", op);
        for (size_t i = 0; i < f->nargs; i++)
            x_filter(b, p, &f->args[i]);
        sb_printf(b, "</ogc:%s>", op);
        break;
    }
    case PM_STYLE_F_NOT:
        sb_puts(b, "<ogc:Not>");
        x_filter(b, p, &f->args[0]);
        sb_puts(b, "</ogc:Not>");
        break;
    }
}

/* The filter selecting category c of the driver (c == ncats: none of them). */
static void x_cat(sbuf *b, const pm_export_plan *p, size_t c)
{
    const pm_style_colormap *cm = &p->l[p->driver].cm;
    size_t from = c < cm->ncats ? c : 0, to = c < cm->ncats ? c + 1 : cm->ncats;
    size_t nv = 0;
    for (size_t k = from; k < to; k++)
        nv += cm->cats[k].nvalues;
    if (c >= cm->ncats)
        sb_puts(b, "<ogc:Not>");
    if (nv > 1)
        sb_puts(b, "<ogc:Or>");
    for (size_t k = from; k < to; k++)
        for (size_t v = 0; v < cm->cats[k].nvalues; v++) {
            sb_puts(b, "<ogc:PropertyIsEqualTo>");
            x_prop(b, p, cm->field);
            sb_puts(b, "<ogc:Literal>");
            sb_xml(b, cm->cats[k].values[v].text);
            sb_puts(b, "</ogc:Literal></ogc:PropertyIsEqualTo>");
        }
    if (nv > 1)
        sb_puts(b, "</ogc:Or>");
    if (c >= cm->ncats)
        sb_puts(b, "</ogc:Not>");
}

static void x_param(sbuf *b, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void x_param(sbuf *b, const char *name, const char *fmt, ...)
{
    char v[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    sb_printf(b, "<se:SvgParameter name=\"%s\">", name);
    sb_xml(b, v);
    sb_puts(b, "</se:SvgParameter>");
}

static void x_stroke(sbuf *b, pm_color c, double opacity, double width_pt, const double *dash,
                     size_t nd)
{
    char hex[8];
    hex_of(hex, c);
    sb_puts(b, "<se:Stroke>");
    x_param(b, "stroke", "%s", hex);
    x_param(b, "stroke-opacity", "%g", c.a * opacity);
    x_param(b, "stroke-width", "%g", width_pt * PX_PER_PT);
    x_param(b, "stroke-linejoin", "round");
    if (nd) {
        char d[200];
        size_t len = 0;
        d[0] = '\0';
        for (size_t i = 0; i < nd && len < 180; i++)
            len += (size_t)snprintf(d + len, sizeof d - len, "%s%g", i ? " " : "",
                                    dash[i] * width_pt * PX_PER_PT);
        x_param(b, "stroke-dasharray", "%s", d);
    }
    sb_puts(b, "</se:Stroke>");
}

/* One rule: name, optional filter parts (category and layer filter, ANDed),
 * and the symbolizer of style layer k for category c. */
static void x_rule(sbuf *b, pm_ctx *ctx, const pm_export_plan *p, size_t k, long cat,
                   const char *title)
{
    const slayer *l = &p->l[k];
    int has_cat = cat >= 0, has_f = l->filter != NULL;
    size_t c = has_cat ? (size_t)cat : 0;
    int none = 0;
    pm_color col = color_of(p, &l->cm, (int)k == p->driver, c, &none);
    char hex[8];
    sb_puts(b, "      <se:Rule>\n        <se:Name>");
    sb_xml(b, title);
    sb_puts(b, "</se:Name>\n        <se:Description><se:Title>");
    sb_xml(b, title);
    sb_puts(b, "</se:Title></se:Description>\n");
    if (has_cat || has_f) {
        sb_puts(b, "        <ogc:Filter xmlns:ogc=\"http://www.opengis.net/ogc\">");
        if (has_cat && has_f)
            sb_puts(b, "<ogc:And>");
        if (has_cat)
            x_cat(b, p, c);
        if (has_f)
            x_filter(b, p, l->filter);
        if (has_cat && has_f)
            sb_puts(b, "</ogc:And>");
        sb_puts(b, "</ogc:Filter>\n");
    }
    if (l->type == PM_LAYER_FILL) {
        double op = num_of(ctx, p->s, l->idx, "fill-opacity");
        int no_out = 0;
        pm_color oc = color_of(p, &l->out, 0, c, &no_out);
        hex_of(hex, col);
        sb_puts(b, "        <se:PolygonSymbolizer><se:Fill>");
        x_param(b, "fill", "%s", hex);
        x_param(b, "fill-opacity", "%g", col.a * op);
        sb_puts(b, "</se:Fill>");
        if (!no_out)
            x_stroke(b, oc, 1, 0.75, NULL, 0);
        sb_puts(b, "</se:PolygonSymbolizer>\n");
    } else {
        size_t nd = 0;
        const double *dash = pm_style_layer_dasharray(p->s, l->idx, &nd);
        sb_puts(b, "        <se:LineSymbolizer>");
        x_stroke(b, col, num_of(ctx, p->s, l->idx, "line-opacity"),
                 num_of(ctx, p->s, l->idx, "line-width"), dash, nd);
        sb_puts(b, "</se:LineSymbolizer>\n");
    }
    sb_puts(b, "      </se:Rule>\n");
}

static void x_labels(sbuf *b, pm_ctx *ctx, const pm_export_plan *p)
{
    size_t i = (size_t)p->label;
    const pm_style *s = p->s;
    pm_color tc = {0, 0, 0, 1}, hc = {0, 0, 0, 0};
    int k1, k2;
    (void)pm_style_color_const(&tc, &k1, ctx, s, i, "text-color");
    (void)pm_style_color_const(&hc, &k2, ctx, s, i, "text-halo-color");
    double size = num_of(ctx, s, i, "text-size");
    double halo = num_of(ctx, s, i, "text-halo-width");
    const char *fonts = pm_style_layer_font(s, i);
    pm_style_filter *f = NULL;
    int fok = 1;
    (void)pm_style_layer_filter(&f, &fok, ctx, s, i);
    char hex[8];
    /* coalesce(a, b, ...) as one rule per attribute: the first that is not
     * null is shown. */
    for (size_t k = 0; k < p->ntext; k++) {
        sb_puts(b, "      <se:Rule>\n        <se:Name>");
        sb_xml(b, pm_style_layer_id(s, i));
        if (p->ntext > 1) {
            sb_puts(b, " (");
            sb_xml(b, p->text_fields[k]);
            sb_puts(b, ")");
        }
        sb_puts(b, "</se:Name>\n        <ogc:Filter xmlns:ogc=\"http://www.opengis.net/ogc\">");
        int and = k > 0 || f; /* ogc:And takes two or more operands */
        if (and)
            sb_puts(b, "<ogc:And>");
        for (size_t j = 0; j < k; j++) {
            sb_puts(b, "<ogc:PropertyIsNull>");
            x_prop(b, p, p->text_fields[j]);
            sb_puts(b, "</ogc:PropertyIsNull>");
        }
        sb_puts(b, "<ogc:Not><ogc:PropertyIsNull>");
        x_prop(b, p, p->text_fields[k]);
        sb_puts(b, "</ogc:PropertyIsNull></ogc:Not>");
        if (f)
            x_filter(b, p, f);
        if (and)
            sb_puts(b, "</ogc:And>");
        sb_puts(b, "</ogc:Filter>\n        <se:TextSymbolizer><se:Label>");
        x_prop(b, p, p->text_fields[k]);
        sb_puts(b, "</se:Label><se:Font>");
        if (fonts)
            for (const char *q = fonts; *q;) {
                size_t n = strcspn(q, ",");
                char fam[128];
                snprintf(fam, sizeof fam, "%.*s", (int)(n < 127 ? n : 127), q);
                x_param(b, "font-family", "%s", fam);
                q += n;
                while (*q == ',' || *q == ' ')
                    q++;
            }
        x_param(b, "font-size", "%g", size * PX_PER_PT);
        sb_puts(b, "</se:Font><se:LabelPlacement><se:PointPlacement><se:AnchorPoint>"
                   "<se:AnchorPointX>0.5</se:AnchorPointX><se:AnchorPointY>0.5</se:AnchorPointY>"
                   "</se:AnchorPoint></se:PointPlacement></se:LabelPlacement>");
        if (halo > 0 && hc.a > 0) {
            hex_of(hex, hc);
            sb_printf(b, "<se:Halo><se:Radius>%g</se:Radius><se:Fill>", halo * PX_PER_PT);
            x_param(b, "fill", "%s", hex);
            x_param(b, "fill-opacity", "%g", hc.a);
            sb_puts(b, "</se:Fill></se:Halo>");
        }
        hex_of(hex, tc);
        sb_puts(b, "<se:Fill>");
        x_param(b, "fill", "%s", hex);
        sb_puts(b, "</se:Fill></se:TextSymbolizer>\n      </se:Rule>\n");
    }
    pm_style_filter_free(f);
}

int pm_export_plan_sld(char **out, pm_ctx *ctx, const pm_export_plan *p, const char *abstract)
{
    sbuf b = {0};
    *out = NULL;
    sb_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<StyledLayerDescriptor version=\"1.1.0\" "
                "xmlns=\"http://www.opengis.net/sld\" xmlns:se=\"http://www.opengis.net/se\" "
                "xmlns:ogc=\"http://www.opengis.net/ogc\" "
                "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
                "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                "xsi:schemaLocation=\"http://www.opengis.net/sld "
                "http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd\">\n");
    sb_puts(&b, "  <NamedLayer>\n    <se:Name>");
    sb_xml(&b, p->layer);
    sb_puts(&b, "</se:Name>\n    <UserStyle>\n      <se:Name>");
    sb_xml(&b, p->layer);
    sb_puts(&b, "</se:Name>\n      <se:Description><se:Title>");
    sb_xml(&b, *pm_style_name(p->s) ? pm_style_name(p->s) : "parkmap");
    sb_puts(&b, "</se:Title><se:Abstract>");
    sb_xml(&b, abstract ? abstract : "");
    sb_puts(&b, "</se:Abstract></se:Description>\n      <se:FeatureTypeStyle>\n");
    for (size_t k = 0; k < p->n; k++) {
        const char *id = pm_style_layer_id(p->s, p->l[k].idx);
        if ((int)k == p->driver) {
            const pm_style_colormap *cm = &p->l[k].cm;
            for (size_t c = 0; c < pm_export_plan_ncats(p); c++) {
                sbuf t = {0};
                cat_label(&t, cm, c);
                x_rule(&b, ctx, p, k, (long)c, t.s ? t.s : "");
                b.oom |= t.oom;
                free(t.s);
            }
        } else {
            x_rule(&b, ctx, p, k, -1, id);
        }
    }
    if (p->label >= 0)
        x_labels(&b, ctx, p);
    sb_puts(&b, "      </se:FeatureTypeStyle>\n    </UserStyle>\n  </NamedLayer>\n"
                "</StyledLayerDescriptor>\n");
    if (!(*out = sb_take(&b)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", p->layer, "SLD");
    return 0;
}

/* ---- KML ---------------------------------------------------------------- */

int pm_export_plan_kml_style(char **out_id, char **out_ogr_style, pm_ctx *ctx,
                             const pm_export_plan *p, size_t c)
{
    char id[300], st[300];
    char brush[64] = "", pen[96] = "";
    *out_id = *out_ogr_style = NULL;
    /* KML has one polygon colour and one line style per placemark: the
     * first fill layer's fill, and the first line (or the fill outline). */
    for (size_t k = 0; k < p->n; k++) {
        const slayer *l = &p->l[k];
        int none = 0;
        pm_color col = color_of(p, &l->cm, (int)k == p->driver, c, &none);
        if (l->type == PM_LAYER_FILL && !*brush) {
            double op = num_of(ctx, p->s, l->idx, "fill-opacity");
            snprintf(brush, sizeof brush, "BRUSH(fc:#%02x%02x%02x%02x)", c255(col.r), c255(col.g),
                     c255(col.b), c255(col.a * op));
            int no_out = 0;
            pm_color oc = color_of(p, &l->out, 0, c, &no_out);
            if (!no_out && !*pen)
                snprintf(pen, sizeof pen, "PEN(c:#%02x%02x%02x%02x,w:%gpx)", c255(oc.r),
                         c255(oc.g), c255(oc.b), c255(oc.a), 0.75 * PX_PER_PT);
        } else if (l->type == PM_LAYER_LINE && !*pen) {
            double op = num_of(ctx, p->s, l->idx, "line-opacity");
            double w = num_of(ctx, p->s, l->idx, "line-width");
            snprintf(pen, sizeof pen, "PEN(c:#%02x%02x%02x%02x,w:%.2fpx)", c255(col.r),
                     c255(col.g), c255(col.b), c255(col.a * op), w * PX_PER_PT);
        }
    }
    if (!*brush && !p->is_line) /* lines only: an unfilled polygon */
        snprintf(brush, sizeof brush, "BRUSH(fc:#00000000)");
    snprintf(st, sizeof st, "%s%s%s", brush, *brush && *pen ? ";" : "", pen);
    if (p->driver >= 0 && c >= p->l[p->driver].cm.ncats)
        snprintf(id, sizeof id, "%s-other", p->layer);
    else
        snprintf(id, sizeof id, "%s-%zu", p->layer, c);
    /* An XML id: keep it to ASCII letters, digits, '-', '_' and '.'. */
    for (char *q = id; *q; q++)
        if (!isalnum((unsigned char)*q) && *q != '-' && *q != '_' && *q != '.')
            *q = '_';
    if (!(*out_id = strdup(id)) || !(*out_ogr_style = strdup(st))) {
        free(*out_id);
        *out_id = NULL;
        return pm_err(ctx, PM_ENOMEM, "out of memory", p->layer, "KML style");
    }
    return 0;
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

int pm_export_plan_category_names(char ***out, size_t *out_n, pm_ctx *ctx,
                                  const pm_export_plan *p)
{
    size_t n = p->driver >= 0 ? p->l[p->driver].cm.ncats : 0;
    char **v = calloc(n ? n : 1, sizeof(char *));
    *out = NULL;
    *out_n = 0;
    if (!v)
        return pm_err(ctx, PM_ENOMEM, "out of memory", p->layer, "categories");
    for (size_t c = 0; c < n; c++) {
        sbuf t = {0};
        cat_label(&t, &p->l[p->driver].cm, c);
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
