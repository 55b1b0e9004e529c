/* parkmap/load.h: reading vector sources (the only module that reads
 * through GDAL/OGR). */
#ifndef PARKMAP_LOAD_H
#define PARKMAP_LOAD_H

#include "parkmap/error.h"
#include "parkmap/feature.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pm_source pm_source;

/** Open a vector source and its first layer (or the layer named `layer`).
 * Caller owns *out. Missing file, directory, unreadable or unrecognised
 * source fail with PM_EINPUT naming the path. */
int pm_source_open(pm_source **out, pm_ctx *ctx, const char *path, const char *layer);
/** Close. NULL-safe. */
void pm_source_free(pm_source *src);

/** The attribute schema (borrowed from src). */
const pm_schema *pm_source_schema(const pm_source *src);
/** The source CRS as WKT, or NULL when the source declares none (borrowed). */
const char *pm_source_crs_wkt(const pm_source *src);
/** Why the CRS the source declares cannot be used (e.g. a GeoJSON "crs"
 * GDAL cannot resolve, which it would silently replace by WGS 84), or NULL.
 * When set, pm_source_crs_wkt returns NULL. Borrowed. */
const char *pm_source_crs_problem(const pm_source *src);
/** A CRS the source declares in a form GDAL ignores (a GeoJSON "crs" of type
 * "link"), so the layer was read as WGS 84; NULL when none. Borrowed. */
const char *pm_source_crs_note(const pm_source *src);
/** Feature count if cheap to know, else -1. */
long pm_source_count(const pm_source *src);
/** Layer extent in source coordinates (GIS order); 0 on success. */
int pm_source_extent(const pm_source *src, pm_ctx *ctx, double *minx, double *miny, double *maxx,
                     double *maxy);

/** Make pm_source_next refuse a geometry that is not OGC-valid as read
 * (GEOS through GDAL), with PM_EINPUT naming the feature and GEOS's
 * reason; off by default. */
void pm_source_require_valid(pm_source *src, int on);

/** Read the next feature into *out (caller clears it with pm_feature_clear).
 * Returns 1 when a feature was read, 0 at the end, <0 on error. Geometries
 * are converted to MultiPolygon; a non-polygonal, empty, non-finite or
 * malformed geometry fails with PM_EINPUT naming the feature index, or, with
 * skip_invalid, is skipped and counted in *skipped. */
int pm_source_next(pm_source *src, pm_ctx *ctx, pm_feature *out, int skip_invalid, long *skipped);

/** GDAL's messages routed into a pm_ctx, the one place for every module
 * that calls GDAL. One rule: a failure's message is kept
 * (pm_ctx_lib_msg) for the error the caller raises; a warning becomes a
 * pm_ctx warning, "GDAL: ...", the first 10 of an operation and then one
 * "further warnings not shown" (GDAL can repeat one per feature), except
 * while quiet is set: for warnings the caller reports better itself. */
typedef struct {
    pm_ctx *ctx;
    int nwarn;
    int quiet;
} pm_gdal_errors;

/** Route GDAL's messages into ctx until pm_load_gdal_errors_pop; e (the
 * caller's) must live until then. Clears ctx's library message. */
void pm_load_gdal_errors_push(pm_gdal_errors *e, pm_ctx *ctx, int quiet);
/** Restore the handler in force before the matching push. */
void pm_load_gdal_errors_pop(void);

/** GDAL's release name (borrowed). */
const char *pm_load_gdal_version(void);

#ifdef __cplusplus
}
#endif
#endif
