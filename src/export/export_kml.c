/* A plan as KML styles: one shared <Style> per category, as the OGR style
 * string (BRUSH/PEN) GDAL's LIBKML driver turns into <Style>. */
#include "export_plan.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
        pm_color col = pm_export_plan_color(p, &l->cm, (int)k == p->driver, c, &none);
        if (l->type == PM_LAYER_FILL && !*brush) {
            double op = pm_export_style_number(ctx, p->s, l->idx, "fill-opacity");
            snprintf(brush, sizeof brush, "BRUSH(fc:#%02x%02x%02x%02x)", pm_export_c255(col.r), pm_export_c255(col.g),
                     pm_export_c255(col.b), pm_export_c255(col.a * op));
            int no_out = 0;
            pm_color oc = pm_export_plan_color(p, &l->out, 0, c, &no_out);
            if (!no_out && !*pen)
                snprintf(pen, sizeof pen, "PEN(c:#%02x%02x%02x%02x,w:%gpx)", pm_export_c255(oc.r),
                         pm_export_c255(oc.g), pm_export_c255(oc.b), pm_export_c255(oc.a), 0.75 * PX_PER_PT);
        } else if (l->type == PM_LAYER_LINE && !*pen) {
            double op = pm_export_style_number(ctx, p->s, l->idx, "line-opacity");
            double w = pm_export_style_number(ctx, p->s, l->idx, "line-width");
            snprintf(pen, sizeof pen, "PEN(c:#%02x%02x%02x%02x,w:%.2fpx)", pm_export_c255(col.r),
                     pm_export_c255(col.g), pm_export_c255(col.b), pm_export_c255(col.a * op), w * PX_PER_PT);
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
