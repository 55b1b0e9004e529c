/* Furniture: true scale and north at the map centre, and where the scale
 * bar, the north arrow and the legend go on the map. */
#include "render_internal.h"

#include "parkmap/crs.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define PM_PI 3.14159265358979323846

/* True scale and north at the map centre. The storage CRS's grid is neither
 * true to scale (Gauss-Krüger: k = 1 + x^2/2R^2 away from the central
 * meridian) nor aligned with true north (grid convergence), so both are
 * measured: metres per pixel as the geodesic length of a baseline through
 * the centre, north by projecting a point a little north of the centre. */
int pm_scene_geodesy(pm_scene *sc)
{
    pm_render_info *in = sc->info;
    pm_transform *to_ll = NULL, *from_ll = NULL;
    char crs[32];
    int rc;
    snprintf(crs, sizeof crs, "EPSG:%d", in->srid);
    if ((rc = pm_transform_new(&to_ll, sc->ctx, crs, "EPSG:4326")) ||
        (rc = pm_transform_new(&from_ll, sc->ctx, "EPSG:4326", crs)))
        goto done;
    double half = in->frame[2] / 4 / sc->scale; /* a baseline half the frame wide */
    double xy[6] = {sc->cx - half, sc->cy, sc->cx + half, sc->cy, sc->cx, sc->cy};
    if ((rc = pm_transform_points(to_ll, sc->ctx, xy, 3)))
        goto done;
    double d = pm_geod_distance(xy[0], xy[1], xy[2], xy[3]);
    in->m_per_px = d / (2 * half * sc->scale);
    double n[2] = {xy[4], xy[5] + 0.01};
    if (n[1] > 90)
        n[1] = xy[5] - 0.01; /* (never at Shanghai, but the pole has no north) */
    if ((rc = pm_transform_points(from_ll, sc->ctx, n, 1)))
        goto done;
    double dx = n[0] - sc->cx, dy = n[1] - sc->cy;
    if (xy[5] + 0.01 > 90)
        dx = -dx, dy = -dy;
    in->north_deg = atan2(dx, dy) * 180 / PM_PI;
done:
    pm_transform_free(to_ll);
    pm_transform_free(from_ll);
    return rc;
}

/* 1, 2 or 5 x 10^n metres, the largest not above target. */
double pm_nice_length(double target)
{
    double p = pow(10, floor(log10(target)));
    double m = target / p;
    return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
}

pm_rect pm_corner_rect(const pm_scene *sc, const char *corner, double w, double h)
{
    const double *fr = sc->info->frame;
    double in = INSET_PT * sc->fpt;
    pm_rect r = {0, 0, w, h};
    r.x = strstr(corner, "left") ? fr[0] + in : fr[0] + fr[2] - in - w;
    r.y = strstr(corner, "top") ? fr[1] + in : fr[1] + fr[3] - in - h;
    return r;
}

int pm_furniture_layout(pm_scene *sc)
{
    pm_render_info *in = sc->info;
    const pm_page *pg = sc->page;
    int rc;
    const char *corners[4] = {"bottom-right", "top-left", "bottom-left", "top-right"};
    const char *scorner = pg->scale_bar_position ? pg->scale_bar_position : "bottom-left";
    snprintf(sc->scale_corner, sizeof sc->scale_corner, "%s", scorner);
    if (pg->scale_bar_show) {
        double target = in->m_per_px * in->frame[2] / 5;
        in->scale_bar_m = pm_nice_length(target);
        in->scale_bar_px = in->scale_bar_m / in->m_per_px;
        if (in->scale_bar_m >= 1000)
            snprintf(in->scale_bar_label, sizeof in->scale_bar_label, "%g km",
                     in->scale_bar_m / 1000);
        else
            snprintf(in->scale_bar_label, sizeof in->scale_bar_label, "%g m", in->scale_bar_m);
        double lw, lh;
        pm_text_size(sc, NULL, PT_SCALE * sc->fpt, 0, in->scale_bar_label, &lw, &lh);
        double pad = 5 * sc->fpt;
        sc->scale_box = pm_corner_rect(sc, scorner, in->scale_bar_px + lw + 2 * pad,
                                       lh + 5 * sc->fpt + 2 * pad);
        if ((rc = pm_scene_occupy(sc, sc->scale_box)))
            return rc;
    }
    const char *ncorner = strcmp(scorner, "top-right") == 0 ? "top-left" : "top-right";
    if (pg->north_arrow_show) {
        double s = 34 * sc->fpt;
        sc->north_box = pm_corner_rect(sc, ncorner, s * 0.8, s * 1.3);
        if ((rc = pm_scene_occupy(sc, sc->north_box)))
            return rc;
    }
    double lw = 0, lh = 0;
    if (in->nlegend > 0)
        pm_legend_size(sc, &lw, &lh);
    if (in->nlegend > 0 && (lw > in->frame[2] / 2 || lh > in->frame[3] - 2 * INSET_PT * sc->fpt)) {
        pm_warn(sc->ctx, "legend (%.0f x %.0f px) does not fit the %.0f x %.0f px map; not drawn",
                lw, lh, in->frame[2], in->frame[3]);
        for (size_t i = 0; i < in->nlegend; i++)
            free(in->legend[i].label);
        free(in->legend);
        in->legend = NULL;
        in->nlegend = 0;
    }
    if (in->nlegend > 0) {
        double w = lw, h = lh, best = DBL_MAX;
        /* The corner that hides the least of the fitted layer. */
        int use[64] = {0};
        if (sc->nsrc <= 64)
            pm_scene_extent_sources(sc, use);
        for (int c = 0; c < 4; c++) {
            if (strcmp(corners[c], scorner) == 0 ||
                (pg->north_arrow_show && strcmp(corners[c], ncorner) == 0))
                continue;
            pm_rect r = pm_corner_rect(sc, corners[c], w, h);
            double cost = 0;
            for (size_t k = 0; k < sc->nsrc && k < 64; k++)
                for (size_t i = 0; use[k] && i < sc->src[k].n; i++) {
                    double x0, y0, x1, y1, px0, py0, px1, py1;
                    if (!pm_rsource_bbox(&sc->src[k], i, &x0, &y0, &x1, &y1))
                        continue;
                    pm_scene_to_px(sc, x0, y1, &px0, &py0);
                    pm_scene_to_px(sc, x1, y0, &px1, &py1);
                    cost += pm_rect_overlap(r, (pm_rect){px0, py0, px1 - px0, py1 - py0});
                }
            if (cost < best) {
                best = cost;
                sc->legend_box = r;
            }
        }
        if ((rc = pm_scene_occupy(sc, sc->legend_box)))
            return rc;
    }
    return 0;
}
