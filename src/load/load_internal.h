/* Shared between the load module's files; not API. */
#ifndef PM_LOAD_INTERNAL_H
#define PM_LOAD_INTERNAL_H

#include "parkmap/error.h"

/* Limits (docs/limits.md). GeoJSON polygons nest 4 arrays deep inside a
 * FeatureCollection's 4 levels; 64 leaves room for nested properties and
 * keeps any parser's recursion shallow. */
#define PM_LOAD_MAX_JSON_DEPTH 64
/* Vertices in one feature: 10 million is 160 MB as doubles, several times
 * that in GDAL's and GEOS's own copies; larger is refused, not attempted. */
#define PM_LOAD_MAX_VERTICES 10000000L

#include <stddef.h>

/* Strict RFC 8259 syntax check of a JSON file, streaming, in bounded memory;
 * PM_EINPUT naming line and column (and the feature index when inside one).
 * The GeoJSON 2008 "crs" member's properties.name, if any, is copied into
 * crs (truncated to crs_size; "" when absent). */
int pm_load_json_check(pm_ctx *ctx, const char *path, char *crs, size_t crs_size);

#endif
