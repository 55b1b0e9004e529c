/* Text: pango layouts measured the same on every surface, for furniture
 * and for map labels. */
#include "render_internal.h"

PangoContext *pm_pango_context(cairo_t *cr)
{
    PangoContext *pc = pango_cairo_create_context(cr);
    cairo_font_options_t *fo = cairo_font_options_create();
    if (!pc || !fo) {
        cairo_font_options_destroy(fo);
        if (pc)
            g_object_unref(pc);
        return NULL;
    }
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(pc, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_round_glyph_positions(pc, FALSE);
    return pc;
}

PangoLayout *pm_text_layout(pm_scene *sc, const char *family, double size_px, int bold,
                            const char *text)
{
    PangoLayout *l = pango_layout_new(sc->pango);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, family ? family : sc->font);
    pango_font_description_set_absolute_size(fd, size_px * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(l, text ? text : "", -1);
    return l;
}

void pm_text_size(pm_scene *sc, const char *family, double size_px, int bold, const char *text,
                  double *w, double *h)
{
    PangoLayout *l = pm_text_layout(sc, family, size_px, bold, text);
    PangoRectangle logical;
    pango_layout_get_extents(l, NULL, &logical);
    *w = (double)logical.width / PANGO_SCALE;
    *h = (double)logical.height / PANGO_SCALE;
    g_object_unref(l);
}

PangoLayout *pm_label_layout(pm_scene *sc, const char *family, double size_px, const char *text)
{
    PangoLayout *l = pm_text_layout(sc, family, size_px, 0, text);
    /* Bilingual labels ("Zhangjiang\n张江") are centred line by line, and
     * the lines sit a little closer than the fonts' own line gap. */
    pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
    pango_layout_set_spacing(l, (int)(-0.15 * size_px * PANGO_SCALE));
    return l;
}

void pm_label_size(pm_scene *sc, const char *family, double size_px, const char *text, double *w,
                   double *h)
{
    PangoLayout *l = pm_label_layout(sc, family, size_px, text);
    PangoRectangle logical;
    pango_layout_get_extents(l, NULL, &logical);
    *w = (double)logical.width / PANGO_SCALE;
    *h = (double)logical.height / PANGO_SCALE;
    g_object_unref(l);
}
