/* Data traced on Amap/Tencent (GCJ-02) or Baidu (BD-09) and imported as if
 * it were WGS 84 sits ~476 m (GCJ-02) or ~1 km (BD-09) off in Pudong:
 * parks on the district's edge then poke out of it. The check cannot know
 * the truth, but it can try the offset: when the parks fit the district
 * once it is undone (or once it is applied to the outline instead), the
 * likeliest story is web-map coordinates read as WGS 84, and the user is
 * told how to import them. A warning, never a silent fix (issue 12). */
#include "analysis_internal.h"
#include "parkmap/analysis.h"
#include "parkmap/crs.h"

#include <stdio.h>

/* The shift, in storage units at the layer's centre (cx, cy), that undoes
 * (sign +1) or applies (sign -1) the offset of `sys`. */
static int offset_at(double *dx, double *dy, int srid, const char *sys, double cx, double cy,
                     int sign)
{
    char storage[32];
    pm_transform *to_ll = NULL, *back = NULL;
    double p[2] = {cx, cy};
    int rc = -1;
    snprintf(storage, sizeof storage, "EPSG:%d", srid);
    /* Stored lon/lat read as `sys` -> WGS 84 -> storage (undo), or stored
     * lon/lat -> `sys` -> read as WGS 84 -> storage (apply). */
    if (pm_transform_new(&to_ll, NULL, storage, sign > 0 ? "EPSG:4326" : sys) ||
        pm_transform_points(to_ll, NULL, p, 1) ||
        pm_transform_new(&back, NULL, sign > 0 ? sys : "EPSG:4326", storage) ||
        pm_transform_points(back, NULL, p, 1))
        goto done;
    *dx = p[0] - cx;
    *dy = p[1] - cy;
    rc = 0;
done:
    pm_transform_free(to_ll);
    pm_transform_free(back);
    return rc;
}

void pm_qa_webmap_hint(pm_ctx *ctx, pm_store *st, const char *layer, const char *within,
                       double outside_m2)
{
    static const char *const systems[] = {"GCJ-02", "BD-09"};
    long n = 0;
    double box[4];
    int srid = 0;
    if (!(outside_m2 > 0) || pm_store_layer_stats(&n, box, NULL, st, layer) || n == 0 ||
        pm_store_layer_srid(&srid, NULL, st, layer))
        return;
    double cx = (box[0] + box[2]) / 2, cy = (box[1] + box[3]) / 2;
    for (int k = 0; k < 2; k++)
        for (int sign = 1; sign >= -1; sign -= 2) {
            double dx, dy, shifted = 0;
            if (offset_at(&dx, &dy, srid, systems[k], cx, cy, sign) ||
                pm_topology_outside_shifted(&shifted, NULL, st, layer, within, dx, dy))
                continue;
            /* Nine tenths of the overhang gone: the offset explains it (a
             * real overhang stays)... */
            if (shifted > 0.1 * outside_m2)
                continue;
            /* ...and half the offset does not: the overhang is as deep as
             * the offset (a few hundred metres), not a sliver along the
             * edge that any small shift inward would remove. */
            double half = 0;
            if (pm_topology_outside_shifted(&half, NULL, st, layer, within, dx / 2, dy / 2) ||
                half < 0.1 * outside_m2)
                continue;
            if (sign > 0)
                pm_warn(ctx,
                        "%.0f m² of %s lie outside %s, %.0f m² once read as %s: its coordinates "
                        "look like %s (from Amap, Tencent or Baidu maps) imported as WGS 84; "
                        "import it again with --s-srs %s",
                        outside_m2, layer, within, shifted, systems[k], systems[k], systems[k]);
            else
                pm_warn(ctx,
                        "%.0f m² of %s lie outside %s, %.0f m² if %s is read as %s: the "
                        "outline's coordinates look like %s imported as WGS 84; import it "
                        "again with --s-srs %s",
                        outside_m2, layer, within, shifted, within, systems[k], systems[k],
                        systems[k]);
            return;
        }
}

/* A layer larger than this is left to check --within: the difference with
 * the outline is one GEOS operation per feature. */
#define PM_HINT_MAX_FEATURES 20000

void pm_analysis_webmap_hint(pm_ctx *ctx, pm_store *st, const char *layer, const char *within)
{
    pm_pair_area_row *outs = NULL;
    size_t nouts = 0;
    long n = 0;
    double box[4], outside_m2 = 0;
    if (pm_store_has_layer(NULL, st, layer) != 1 || pm_store_has_layer(NULL, st, within) != 1 ||
        pm_store_layer_need_polygons(NULL, st, layer, "import") ||
        pm_store_layer_need_polygons(NULL, st, within, "import") ||
        pm_store_layer_stats(&n, box, NULL, st, layer) || n > PM_HINT_MAX_FEATURES ||
        pm_topology_outside(&outs, &nouts, NULL, st, layer, within, 1.0))
        goto done;
    for (size_t i = 0; i < nouts; i++)
        outside_m2 += outs[i].area_m2;
    if (nouts)
        pm_qa_webmap_hint(ctx, st, layer, within, outside_m2);
done:
    pm_pair_area_rows_free(outs, nouts);
}
