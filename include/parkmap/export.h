/* parkmap/export.h: writing layers for GIS software (the only module that
 * writes through GDAL/OGR). */
#ifndef PARKMAP_EXPORT_H
#define PARKMAP_EXPORT_H

#include "parkmap/error.h"
#include "parkmap/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *out_path;     /**< extension picks the driver: .gpkg .shp .geojson .kml .fgb .csv */
    const char *const *layers; /**< NULL-terminated list, or NULL for "parks" */
    int overwrite;            /**< replace an existing output */
} pm_export_opts;
#define PM_EXPORT_OPTS_INIT {NULL, NULL, 0}

/** Export layers from the database. GeoJSON and KML are written in WGS 84
 * (RFC 7946, KML 2.2); the other formats keep the storage CRS. Written
 * beside and moved into place: a failure leaves an existing output intact. */
int pm_export_layers(pm_ctx *ctx, pm_store *st, const pm_export_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
