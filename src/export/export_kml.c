/* A plan as KML styles: one shared <Style> per category, as the OGR style
 * string (BRUSH/PEN) GDAL's LIBKML driver turns into <Style>. */
#include "export_plan.h"
#include "parkmap/parkmap.h"

#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>

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
            snprintf(brush, sizeof brush, "BRUSH(fc:#%02x%02x%02x%02x)", pm_export_c255(col.r),
                     pm_export_c255(col.g), pm_export_c255(col.b), pm_export_c255(col.a * op));
            int no_out = 0;
            pm_color oc = pm_export_plan_color(p, &l->out, 0, c, &no_out);
            if (!no_out && !*pen)
                snprintf(pen, sizeof pen, "PEN(c:#%02x%02x%02x%02x,w:%gpx)", pm_export_c255(oc.r),
                         pm_export_c255(oc.g), pm_export_c255(oc.b), pm_export_c255(oc.a),
                         0.75 * PX_PER_PT);
        } else if (l->type == PM_LAYER_LINE && !*pen) {
            double op = pm_export_style_number(ctx, p->s, l->idx, "line-opacity");
            double w = pm_export_style_number(ctx, p->s, l->idx, "line-width");
            snprintf(pen, sizeof pen, "PEN(c:#%02x%02x%02x%02x,w:%.2fpx)", pm_export_c255(col.r),
                     pm_export_c255(col.g), pm_export_c255(col.b), pm_export_c255(col.a * op),
                     w * PX_PER_PT);
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

/* ---- the KML format ------------------------------------------------------ */

/* Only for GDAL's older KML driver, used when LIBKML is missing (LIBKML
 * takes the "name" field by default and alone writes shared styles). */
static const char *const kml_dsco[] = {"NameField=name", NULL};

/* Without LIBKML: GDAL's older KML driver, which writes no shared styles. */
static const pm_export_format kml_plain = {
    .ext = ".kml",
    .driver = "KML",
    .one_file = 1,
    .wgs84 = 1,
    .dsco = kml_dsco,
    .reread = 1,
};

/* The KML document's own name and description: what and whence. */
static void kml_dataset_options(char ***dsco, pm_export_job *j, const pm_export_unit *u)
{
    char note[1200];
    char *name = pm_export_basename(u->final), *stem = name ? pm_export_strip_ext(name) : NULL;
    snprintf(note, sizeof note, "Exported by parkmap %s from %s", pm_version(),
             pm_store_path(j->st));
    *dsco = CSLSetNameValue(*dsco, "NAME", stem ? stem : "parkmap");
    *dsco = CSLSetNameValue(*dsco, "DESCRIPTION", note);
    free(name);
    free(stem);
}

/* One shared <Style> per category of every layer in the file. */
static int set_kml_styles(pm_export_job *j, GDALDatasetH ds, const pm_export_unit *u)
{
    int rc = 0;
    OGRStyleTableH st = OGR_STBL_Create();
    if (!st)
        return pm_err(j->ctx, PM_ENOMEM, "out of memory", u->final, "styles");
    for (size_t i = 0; i < u->n && !rc; i++) {
        const pm_export_plan *p = j->plans[u->first + i];
        for (size_t c = 0; p && c < pm_export_plan_ncats(p) && !rc; c++) {
            char *id = NULL, *s = NULL;
            if (!(rc = pm_export_plan_kml_style(&id, &s, j->ctx, p, c)))
                OGR_STBL_AddStyle(st, id, s);
            free(id);
            free(s);
        }
    }
    if (!rc)
        GDALDatasetSetStyleTable(ds, st);
    OGR_STBL_Destroy(st);
    return rc;
}

/* KML placemarks point at the shared style of their category: "@id" per
 * category of layer li's plan. */
static int kml_feature_styles(char ***out, size_t *out_n, pm_export_job *j, size_t li,
                              const char *where)
{
    const pm_export_plan *plan = j->plans[li];
    size_t nrefs = pm_export_plan_ncats(plan);
    char **style_refs = calloc(nrefs, sizeof(char *));
    int rc = 0;
    if (!style_refs)
        return pm_err(j->ctx, PM_ENOMEM, "out of memory", where, "styles");
    for (size_t c = 0; c < nrefs && !rc; c++) {
        char *id = NULL, *st = NULL;
        if (!(rc = pm_export_plan_kml_style(&id, &st, j->ctx, plan, c))) {
            size_t n = strlen(id) + 2;
            if ((style_refs[c] = malloc(n)))
                snprintf(style_refs[c], n, "@%s", id);
            else
                rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", where, "styles");
        }
        free(id);
        free(st);
    }
    /* (on failure too: the caller frees what was made) */
    *out = style_refs;
    *out_n = nrefs;
    return rc;
}

/* KML 2.2 through GDAL's LIBKML driver: every layer in one file, WGS 84,
 * one shared <Style> per category. */
const pm_export_format pm_export_kml = {
    .ext = ".kml",
    .driver = "LIBKML",
    .one_file = 1,
    .wgs84 = 1,
    .reread = 1,
    .fallback = &kml_plain,
    .fallback_loses = "KML styles",
    .dataset_options = kml_dataset_options,
    .begin = set_kml_styles,
    .feature_styles = kml_feature_styles,
};
