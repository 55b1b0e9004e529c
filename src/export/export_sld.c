/* A plan as an OGC SLD 1.1 document (Symbology Encoding): one rule per
 * category and style layer, filters as rule filters. */
#include "export_plan.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
            sb_printf(b,
                      "<ogc:PropertyIsEqualTo><ogc:Literal>1</ogc:Literal>"
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
    pm_export_hex(hex, c);
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
    pm_color col = pm_export_plan_color(p, &l->cm, (int)k == p->driver, c, &none);
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
        double op = pm_export_style_number(ctx, p->s, l->idx, "fill-opacity");
        int no_out = 0;
        pm_color oc = pm_export_plan_color(p, &l->out, 0, c, &no_out);
        pm_export_hex(hex, col);
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
        x_stroke(b, col, pm_export_style_number(ctx, p->s, l->idx, "line-opacity"),
                 pm_export_style_number(ctx, p->s, l->idx, "line-width"), dash, nd);
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
    double size = pm_export_style_number(ctx, s, i, "text-size");
    double halo = pm_export_style_number(ctx, s, i, "text-halo-width");
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
            pm_export_hex(hex, hc);
            sb_printf(b, "<se:Halo><se:Radius>%g</se:Radius><se:Fill>", halo * PX_PER_PT);
            x_param(b, "fill", "%s", hex);
            x_param(b, "fill-opacity", "%g", hc.a);
            sb_puts(b, "</se:Fill></se:Halo>");
        }
        pm_export_hex(hex, tc);
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
                pm_export_cat_label(&t, cm, c);
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
