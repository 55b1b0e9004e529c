/* A park across the antimeridian, as RFC 7946 writers (GDAL among them,
 * hence our own GeoJSON export) store it: a MultiPolygon cut at 180°, one
 * half ending at lon 180 and the other starting at -180. Reprojected to a
 * local CRS the halves share an edge, which is not a valid MultiPolygon,
 * so export -> import would fail. Here the halves become one polygon again
 * (the western half moved by +360°, then dissolved), which PROJ
 * reprojects like any other: the cut was an artefact of the format, not
 * two parks. */
#include "load_internal.h"

#include <ogr_api.h>

/* Longitude of point k of a ring; lon_axis 1 for lat/lon-ordered data. */
static double lon_at(OGRGeometryH ring, int k, int lon_axis)
{
    return lon_axis ? OGR_G_GetY(ring, k) : OGR_G_GetX(ring, k);
}

/* Does the exterior ring of part p have a vertex at longitude lon, and
 * do all its vertices lie on that side of 0? */
static int half_at(OGRGeometryH part, double lon, int lon_axis)
{
    OGRGeometryH ring = OGR_G_GetGeometryRef(part, 0);
    int n = ring ? OGR_G_GetPointCount(ring) : 0, at = 0;
    for (int k = 0; k < n; k++) {
        double x = lon_at(ring, k, lon_axis);
        if (x == lon)
            at = 1;
        else if ((lon > 0) != (x > 0))
            return 0;
    }
    return at;
}

/* The cut left a vertex at exactly 180 on every edge that crossed it;
 * the writer interpolated it on the straight segment, so dropping it gives
 * back the edge as it was (and a later RFC 7946 export cuts it cleanly
 * again, which GDAL does not do for a polygon with vertices on 180). */
static OGRGeometryH drop_cut_vertices(OGRGeometryH ring, int lon_axis)
{
    int n = OGR_G_GetPointCount(ring);
    OGRGeometryH out = OGR_G_CreateGeometry(wkbLinearRing);
    for (int k = 0; out && k < n; k++) {
        int prev = k > 0 ? k - 1 : n - 2, next = k < n - 1 ? k + 1 : 1;
        double x = lon_at(ring, k, lon_axis);
        if (n > 4 && k < n - 1 && x == 180.0 &&
            (lon_at(ring, prev, lon_axis) - 180.0) * (lon_at(ring, next, lon_axis) - 180.0) < 0)
            continue;
        OGR_G_AddPoint_2D(out, OGR_G_GetX(ring, k), OGR_G_GetY(ring, k));
    }
    if (out) /* the first point may have been dropped: close the ring again */
        OGR_G_CloseRings(out);
    return out;
}

static OGRGeometryH without_cut(OGRGeometryH merged, int lon_axis)
{
    OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
    for (int r = 0; poly && r < OGR_G_GetGeometryCount(merged); r++) {
        OGRGeometryH ring = drop_cut_vertices(OGR_G_GetGeometryRef(merged, r), lon_axis);
        if (!ring || OGR_G_AddGeometryDirectly(poly, ring) != OGRERR_NONE) {
            OGR_G_DestroyGeometry(ring);
            OGR_G_DestroyGeometry(poly);
            return NULL;
        }
    }
    return poly;
}

OGRGeometryH pm_load_merge_dateline(OGRGeometryH gh, int lon_axis)
{
    if (wkbFlatten(OGR_G_GetGeometryType(gh)) != wkbMultiPolygon)
        return NULL;
    int n = OGR_G_GetGeometryCount(gh), east = 0, west = 0;
    for (int i = 0; i < n; i++) {
        OGRGeometryH part = OGR_G_GetGeometryRef(gh, i);
        east += half_at(part, 180.0, lon_axis);
        west += half_at(part, -180.0, lon_axis);
    }
    if (!east || !west)
        return NULL;
    OGRGeometryH moved = OGR_G_Clone(gh), merged = NULL;
    if (!moved)
        return NULL;
    for (int i = 0; i < n; i++) {
        OGRGeometryH part = OGR_G_GetGeometryRef(moved, i);
        if (!half_at(part, -180.0, lon_axis))
            continue;
        for (int r = 0; r < OGR_G_GetGeometryCount(part); r++) {
            OGRGeometryH ring = OGR_G_GetGeometryRef(part, r);
            for (int k = 0; k < OGR_G_GetPointCount(ring); k++) {
                double x = OGR_G_GetX(ring, k), y = OGR_G_GetY(ring, k);
                if (lon_axis)
                    y += 360.0;
                else
                    x += 360.0;
                OGR_G_SetPoint_2D(ring, k, x, y);
            }
        }
    }
    merged = OGR_G_UnionCascaded(moved);
    OGR_G_DestroyGeometry(moved);
    if (merged && wkbFlatten(OGR_G_GetGeometryType(merged)) == wkbPolygon) {
        OGRGeometryH clean = without_cut(merged, lon_axis);
        OGR_G_DestroyGeometry(merged);
        return clean;
    }
    /* Still several parts (a park cut into more than two, or halves that
     * do not meet): left as it came and judged as such. */
    OGR_G_DestroyGeometry(merged);
    return NULL;
}
