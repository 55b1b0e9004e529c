/* A plan as a QGIS QML document: a categorised renderer (or a single
 * symbol) and simple labelling; filters as QGIS "enabled" expressions. */
#include "export_plan.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
    snprintf(out, 256, "%d,%d,%d,%d", pm_export_c255(c.r), pm_export_c255(c.g), pm_export_c255(c.b),
             pm_export_c255(c.a * opacity));
}

static void qml_symbol(sbuf *b, pm_ctx *ctx, const pm_export_plan *p, size_t cat, const char *name)
{
    const char *ind = "        ";
    sb_printf(b,
              "      <symbol type=\"%s\" name=\"%s\" alpha=\"1\" clip_to_extent=\"1\" "
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
        pm_color c = pm_export_plan_color(p, &l->cm, (int)k == p->driver, cat, &none);
        kv pr[16];
        size_t n = 0;
        if (l->type == PM_LAYER_FILL) {
            double op = pm_export_style_number(ctx, p->s, l->idx, "fill-opacity");
            int no_out = 0;
            pm_color oc = pm_export_plan_color(p, &l->out, 0, cat, &no_out);
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
            double op = pm_export_style_number(ctx, p->s, l->idx, "line-opacity");
            double w = pm_export_style_number(ctx, p->s, l->idx, "line-width");
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
                len +=
                    (size_t)snprintf(pr[n].v + len, 256 - len, "%s%g", d ? ";" : "", dash[d] * w);
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
    double size = pm_export_style_number(ctx, s, i, "text-size");
    double halo = pm_export_style_number(ctx, s, i, "text-halo-width");
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
    sb_printf(b,
              "\" fontSize=\"%g\" fontSizeUnit=\"Point\" textColor=\"%s\" textOpacity=\"1\" "
              "fontWeight=\"50\" fontItalic=\"0\" namedStyle=\"Regular\" "
              "multilineHeight=\"1\" blendMode=\"0\">\n",
              size, col);
    qcolor(col, hc, 1);
    sb_printf(b,
              "        <text-buffer bufferDraw=\"%d\" bufferSize=\"%g\" "
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
    sb_printf(b,
              "      <placement placement=\"%d\" centroidInside=\"1\" centroidWhole=\"0\" "
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
    sb_printf(&b,
              "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling\" "
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
