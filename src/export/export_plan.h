/* Shared between the files that translate a style for GIS software (the
 * plan, QML, SLD, KML); not API. */
#ifndef PM_EXPORT_PLAN_H
#define PM_EXPORT_PLAN_H

#include "export_internal.h"
#include "util/sbuf.h"

/* Points (style units) to pixels as SLD and KML count them. */
#define PX_PER_PT (96.0 / 72.0)

/* t with XML's special characters escaped. */
void sb_xml(sbuf *b, const char *t);

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

/* The colour layer k shows for category c (c == ncats: the fallback).
 * *none when there is nothing to draw (an unset outline). */
pm_color pm_export_plan_color(const pm_export_plan *p, const pm_style_colormap *cm, int is_driver,
                              size_t c, int *none);
/* A constant number property of style layer i (a data-driven one is warned
 * about and its constant stand-in used). */
double pm_export_style_number(pm_ctx *ctx, const pm_style *s, size_t i, const char *prop);
/* 0..1 -> 0..255. */
int pm_export_c255(double v);
/* "#rrggbb". */
void pm_export_hex(char out[8], pm_color c);
/* The label of category c as a legend shows it. */
void pm_export_cat_label(sbuf *b, const pm_style_colormap *cm, size_t c);

#endif
