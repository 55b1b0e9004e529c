/* Areas per feature, per group and in total. */
#include "parkmap/analysis.h"
#include "parkmap/crs.h"

#include <stdio.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

void pm_area_report_free(pm_area_report *r)
{
    if (!r)
        return;
    pm_area_rows_free(r->rows, r->nrows);
    for (size_t i = 0; i < r->ngroups; i++)
        free(r->groups[i].key);
    free(r->groups);
    free(r->layer);
    free(r);
}

static int add_to_group(pm_area_report *r, pm_ctx *ctx, const pm_area_row *row)
{
    pm_area_group *g = NULL;
    for (size_t i = 0; i < r->ngroups; i++)
        if (strcmp(r->groups[i].key, row->group) == 0)
            g = &r->groups[i];
    if (!g) {
        pm_area_group *ng = realloc(r->groups, (r->ngroups + 1) * sizeof(*ng));
        if (!ng)
            return pm_err(ctx, PM_ENOMEM, "out of memory", r->layer, "groups");
        r->groups = ng;
        g = &ng[r->ngroups];
        memset(g, 0, sizeof(*g));
        g->planned_km2 = NAN;
        if (!(g->key = strdup(row->group)))
            return pm_err(ctx, PM_ENOMEM, "out of memory", r->layer, "groups");
        r->ngroups++;
    }
    g->count++;
    g->planar_m2 += row->planar_m2;
    g->ellipsoidal_m2 += row->ellipsoidal_m2;
    if (!isnan(row->planned_km2))
        g->planned_km2 = (isnan(g->planned_km2) ? 0 : g->planned_km2) + row->planned_km2;
    return 0;
}

int pm_analysis_area(pm_area_report **out, pm_ctx *ctx, pm_store *st, const pm_area_opts *opts)
{
    int rc = 0;
    pm_area_report *r = calloc(1, sizeof(*r));
    *out = NULL;
    if (!r || !(r->layer = strdup(opts->layer))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", opts->layer, "area");
        goto done;
    }
    if ((rc = pm_store_layer_need_polygons(ctx, st, opts->layer, "area")) ||
        (rc = pm_store_layer_srid(&r->srid, ctx, st, opts->layer)) ||
        (rc = (opts->topology ? pm_analysis_feature_rows : pm_analysis_area_rows)(
             &r->rows, &r->nrows, ctx, st, opts->layer, opts->group_by)) ||
        (rc = opts->topology
                  ? pm_topology_union_area(&r->union_planar_m2, &r->union_ellipsoidal_m2, ctx,
                                           opts->topology)
                  : pm_topology_layer_union_area(&r->union_planar_m2, &r->union_ellipsoidal_m2, ctx,
                                                 st, opts->layer)))
        goto done;
    /* Planar areas in degrees or Web Mercator are meaningless; say so next
     * to the figures (the ellipsoidal ones stay the reference). */
    char def[32];
    pm_crs_info info;
    snprintf(def, sizeof def, "EPSG:%d", r->srid);
    if (pm_crs_describe(&info, ctx, def) != 0)
        pm_err_clear(ctx); /* an SRID PROJ does not know only costs the warning */
    else if (info.unfit_for_area)
        pm_warn(ctx,
                "layer %s is stored in %s (%s), unfit for measuring area: its planar "
                "areas are wrong; use the ellipsoidal ones",
                opts->layer, def, info.name);
    r->planned_km2 = NAN;
    /* With a boundary graph, every park is measured on it: one read of
     * the layer serves areas, union, QA and adjacency. */
    for (size_t i = 0; opts->topology && i < r->nrows; i++)
        if ((rc = pm_topology_areas(&r->rows[i].planar_m2, &r->rows[i].ellipsoidal_m2, ctx,
                                    opts->topology, r->rows[i].fid)))
            goto done;
    for (size_t i = 0; i < r->nrows; i++) {
        const pm_area_row *row = &r->rows[i];
        r->sum_planar_m2 += row->planar_m2;
        r->sum_ellipsoidal_m2 += row->ellipsoidal_m2;
        if (!isnan(row->planned_km2))
            r->planned_km2 = (isnan(r->planned_km2) ? 0 : r->planned_km2) + row->planned_km2;
        if (opts->group_by && (rc = add_to_group(r, ctx, row)))
            goto done;
    }
    *out = r;
    r = NULL;
done:
    pm_area_report_free(r);
    return rc;
}
