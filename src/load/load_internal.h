/* Shared between the load module's files; not API. */
#ifndef PM_LOAD_INTERNAL_H
#define PM_LOAD_INTERNAL_H

#include "parkmap/error.h"

/* Limits (docs/limits.md). GeoJSON polygons nest 4 arrays deep inside a
 * FeatureCollection's 4 levels; 64 leaves room for nested properties and
 * keeps any parser's recursion shallow. */
#define PM_LOAD_MAX_JSON_DEPTH 64
/* Vertices in one feature. Importing a GeoJSON polygon peaks at about
 * 1.05 KB per vertex (GDAL's json-c tree, WKB, our copy, GEOS's validity
 * check; measured, docs/limits.md), so a million vertices is ~1.1 GB;
 * larger is refused before it is built. A park boundary has thousands. PARKMAP_MAX_VERTICES
 * overrides. */
#define PM_LOAD_MAX_VERTICES 1000000L

#include <gdal.h>
#include <ogr_api.h>
#include <stddef.h>

/* Field names to give back on import: from[i] as GDAL reads it, to[i] as
 * parkmap wrote it (load_fields.c). */
typedef struct {
    char **from, **to;
    size_t n;
} pm_load_renames;
/* The renames for the dataset at path: KML's Name/Description, a
 * Shapefile's NAME.fields.csv. PM_ENOMEM only; out is then empty. */
int pm_load_renames_read(pm_load_renames *out, pm_ctx *ctx, const char *path, GDALDatasetH ds);
/* name's original, or name itself (borrowed). */
const char *pm_load_renamed(const pm_load_renames *m, const char *name);
void pm_load_renames_clear(pm_load_renames *m);

/* A MultiPolygon cut at the antimeridian (RFC 7946 section 3.1.9) dissolved
 * back into one polygon whose longitudes run past 180; NULL when gh is not
 * such a geometry. lon_axis is 1 when the data is in lat/lon order. The
 * caller destroys the result. */
OGRGeometryH pm_load_merge_dateline(OGRGeometryH gh, int lon_axis);

/* Strict RFC 8259 syntax check of a JSON file, streaming, in bounded memory;
 * PM_EINPUT naming line and column (and the feature index when inside one).
 * The GeoJSON 2008 "crs" member's properties.name, if any, is copied into
 * crs (truncated to crs_size; "" when absent), and its "type" into crs_type
 * likewise. A feature with more than max_vertices coordinate pairs, and an
 * integer beyond 64 bits, are refused. When ids is not NULL it receives
 * how many elements "features" has and how many of them carry an integer
 * "id" member (GDAL makes such an id the feature's FID, and stores it
 * nowhere else). */
typedef struct {
    long features, int_ids;
} pm_json_ids;
int pm_load_json_check(pm_ctx *ctx, const char *path, char *crs, size_t crs_size, char *crs_type,
                       size_t crs_type_size, long max_vertices, pm_json_ids *ids);

#endif
