/* Ground measures: lengths and areas on the WGS 84 ellipsoid, from the
 * nodes' positions in the storage CRS. */
#include "topo_internal.h"

#include "parkmap/crs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every node to lon/lat in one batch through PROJ (one call, not one per
 * edge: on 100,000 parcels the nodes are ~3x fewer than the edges). */
int topo_need_lonlat(pm_topology *t, pm_ctx *ctx)
{
    char src[32];
    pm_transform *tr = NULL;
    int rc;
    if (t->nll)
        return 0;
    snprintf(src, sizeof src, "EPSG:%d", t->srid);
    if (!(t->nll = malloc((2 * t->nnodes + 1) * sizeof *t->nll)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", t->layer, "topology: lon/lat");
    if (!t->nnodes)
        return 0;
    memcpy(t->nll, t->nxy, 2 * t->nnodes * sizeof *t->nll);
    if (!(rc = pm_transform_new(&tr, ctx, src, "EPSG:4326")))
        rc = pm_transform_points(tr, ctx, t->nll, t->nnodes);
    pm_transform_free(tr);
    if (rc) {
        free(t->nll);
        t->nll = NULL;
    }
    return rc;
}

double topo_units_per_m(const pm_topology *t, double cx, double cy, double span)
{
    return topo_units_per_m_srid(t->srid, cx, cy, span);
}

double topo_units_per_m_srid(int srid, double cx, double cy, double span)
{
    char src[32];
    pm_transform *tr = NULL;
    pm_ctx *quiet = NULL;
    double upm = 1.0;
    /* A step small against the layer, large against rounding. */
    double d = fmax(span * 1e-4, fmax(fabs(cx), fabs(cy)) * 1e-9);
    double xy[6] = {cx, cy, cx + d, cy, cx, cy + d};
    snprintf(src, sizeof src, "EPSG:%d", srid);
    if (!(d > 0) || pm_ctx_new(&quiet))
        return upm;
    if (!pm_transform_new(&tr, quiet, src, "EPSG:4326") && !pm_transform_points(tr, quiet, xy, 3)) {
        double mx = pm_geod_distance(xy[0], xy[1], xy[2], xy[3]) / d;
        double my = pm_geod_distance(xy[0], xy[1], xy[4], xy[5]) / d;
        if (isfinite(mx) && isfinite(my) && fmax(mx, my) > 0)
            upm = 1.0 / fmax(mx, my);
    }
    /* An SRID PROJ cannot transform keeps 1: units are taken as metres. */
    pm_transform_free(tr);
    pm_ctx_free(quiet);
    return upm;
}

/* WGS 84 */
#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define WGS84_A 6378137.0
#define WGS84_E2 (0.0066943799901413165)

/* Geodesic length of the piece [u0, u1] of the edge from node a to node b.
 * A piece of an edge is taken along the straight grid line, interpolated
 * in lon/lat (the difference is far below a millimetre at edge lengths).
 * Short pieces use the ellipsoid's radii of curvature at their middle
 * (exact to ~(L/R)^2: 1e-8 at 1 km), long ones GeographicLib's inverse. */
void topo_scale_range(pm_topology *t, const double *ext)
{
    enum { N = 5 };
    char src[32];
    pm_transform *tr = NULL;
    pm_ctx *quiet = NULL;
    double xy[N * N * 6], w = ext[2] - ext[0], h = ext[3] - ext[1];
    double d = fmax(fmax(w, h) * 1e-5, fmax(fabs(ext[0]), fabs(ext[1])) * 1e-9);
    t->upm_lo = t->upm_hi = t->upm;
    t->geod_dist = 0;
    if (!(d > 0) || !(w >= 0) || !(h >= 0))
        return;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double *p = &xy[6 * (i * N + j)], x = ext[0] + w * i / (N - 1),
                   y = ext[1] + h * j / (N - 1);
            double dx = x + d <= ext[2] || w == 0 ? d : -d, dy = y + d <= ext[3] || h == 0 ? d : -d;
            p[0] = x, p[1] = y, p[2] = x + dx, p[3] = y, p[4] = x, p[5] = y + dy;
        }
    snprintf(src, sizeof src, "EPSG:%d", t->srid);
    if (pm_ctx_new(&quiet))
        return;
    if (!pm_transform_new(&tr, quiet, src, "EPSG:4326") &&
        !pm_transform_points(tr, quiet, xy, N * N * 3)) {
        double lo = INFINITY, hi = 0;
        for (int k = 0; k < N * N; k++) {
            const double *p = &xy[6 * k];
            /* metres per unit along x and y at the sample */
            double mx = pm_geod_distance(p[0], p[1], p[2], p[3]) / d;
            double my = pm_geod_distance(p[0], p[1], p[4], p[5]) / d;
            if (!(mx > 0) || !(my > 0) || !isfinite(mx) || !isfinite(my))
                continue;
            lo = fmin(lo, 1.0 / fmax(mx, my));
            hi = fmax(hi, 1.0 / fmin(mx, my));
        }
        if (hi > 0 && isfinite(lo)) {
            /* The samples bound the scale between them only roughly
             * (a layer across the equator peaks between two rows). */
            t->upm_lo = fmin(lo, t->upm) * 0.99;
            t->upm_hi = fmax(hi, t->upm) * 1.01;
            t->geod_dist = hi / lo > 1.005;
        }
    }
    pm_transform_free(tr);
    pm_ctx_free(quiet);
}

double topo_geod_between(pm_topology *t, const double *p, const double *q)
{
    double xy[4] = {p[0], p[1], q[0], q[1]};
    if (t->to_ll && !pm_transform_points(t->to_ll, NULL, xy, 2))
        return pm_geod_distance(xy[0], xy[1], xy[2], xy[3]);
    return hypot(p[0] - q[0], p[1] - q[1]) / t->upm;
}

int topo_need_to_ll(pm_topology *t, pm_ctx *ctx)
{
    char src[32];
    snprintf(src, sizeof src, "EPSG:%d", t->srid);
    return t->to_ll ? 0 : pm_transform_new(&t->to_ll, ctx, src, "EPSG:4326");
}

double topo_geod_len(const pm_topology *t, uint32_t a, uint32_t b, double u0, double u1)
{
    const double *p = &t->nll[2 * a], *q = &t->nll[2 * b];
    double lon0 = p[0] + u0 * (q[0] - p[0]), lat0 = p[1] + u0 * (q[1] - p[1]);
    double lon1 = p[0] + u1 * (q[0] - p[0]), lat1 = p[1] + u1 * (q[1] - p[1]);
    double dlat = (lat1 - lat0) * M_PI / 180, dlon = (lon1 - lon0) * M_PI / 180;
    if (fabs(dlat) + fabs(dlon) > 0.01 * M_PI / 180) /* ~1 km */
        return pm_geod_distance(lon0, lat0, lon1, lat1);
    double phi = (lat0 + lat1) / 2 * M_PI / 180, s = sin(phi);
    double w = 1 - WGS84_E2 * s * s;
    double N = WGS84_A / sqrt(w), M = WGS84_A * (1 - WGS84_E2) / (w * sqrt(w));
    return hypot(M * dlat, N * cos(phi) * dlon);
}

/* Ellipsoidal area of a storage-CRS polygon geometry. The transform is
 * made once per graph: PROJ looks each one up in its database, which cost
 * more than the areas on a layer with a few hundred findings. */
int topo_geod_area(double *out, pm_ctx *ctx, pm_topology *t, const pm_geom *g)
{
    char src[32];
    pm_geom *c = NULL;
    int rc = 0;
    *out = 0;
    snprintf(src, sizeof src, "EPSG:%d", t->srid);
    if (!t->to_ll && (rc = pm_transform_new(&t->to_ll, ctx, src, "EPSG:4326")))
        return rc;
    if (!(rc = pm_geom_clone(&c, ctx, g)) && !(rc = pm_transform_geom(t->to_ll, ctx, c)))
        *out = pm_geod_area(c);
    pm_geom_free(c);
    return rc;
}
