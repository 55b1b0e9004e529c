/* parkmap/export.h: writing layers for GIS software (the only module that
 * writes through GDAL/OGR). */
#ifndef PARKMAP_EXPORT_H
#define PARKMAP_EXPORT_H

#include "parkmap/error.h"
#include "parkmap/store.h"
#include "parkmap/style.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *out_path; /**< extension picks the driver: .gpkg .shp .geojson .kml .fgb .csv */
    const char *const *layers; /**< NULL-terminated list, or NULL for "parks" */
    int overwrite;             /**< replace an existing output */
    /** Output CRS (EPSG:n, WKT or PROJ string) for .gpkg .shp .fgb .csv,
     * reprojected with PROJ; NULL keeps the storage CRS. GeoJSON and KML are
     * WGS 84 by their specifications, so there it must be NULL or WGS 84. */
    const char *t_srs;
    pm_progress_fn progress; /**< called per feature; returning 0 cancels (PM_EIO) */
    void *progress_user;
    /** The style the map was rendered with (borrowed), translated for GIS
     * software: QGIS QML + OGC SLD 1.1 in the GeoPackage's layer_styles
     * table and as .qml/.sld beside Shapefiles, KML <Style>s per category.
     * Layers it does not draw (and all layers when NULL) get parkmap's
     * built-in styles for the analysis layers (adjacency, qa_issues,
     * clusters), or none. */
    const pm_style *style;
} pm_export_opts;
#define PM_EXPORT_OPTS_INIT                                                                        \
    {                                                                                              \
        NULL, NULL, 0, NULL, NULL, NULL, NULL                                                      \
    }

/** Export layers from the database.
 *
 * Formats by the extension of out_path (case-insensitive):
 *   .gpkg     GeoPackage, every layer in the one file, provenance (source
 *             path, SHA-256, import time, storage CRS) in the layer
 *             description and metadata, styles in layer_styles;
 *   .shp      ESRI Shapefile, UTF-8 with a .cpg and a .prj; field names
 *             longer than 10 bytes mapped deterministically (each renaming
 *             is a warning) and the mapping written as <name>.fields.csv;
 *             styles as <name>.qml and <name>.sld;
 *   .geojson  RFC 7946, WGS 84, 7 decimals, provenance as "description";
 *   .kml      KML 2.2 (GDAL's LIBKML driver), WGS 84, the "name" field as
 *             the placemark name, attributes in ExtendedData, one shared
 *             <Style> per category, provenance as the document description;
 *   .fgb      FlatGeobuf, provenance as the layer description;
 *   .csv      geometry as WKT, types in a .csvt.
 * Docs: docs/exports.md.
 * Formats that hold one layer per file write several layers as
 * <dir>/<layer>.<ext>, dir being out_path without its extension (created if
 * missing). Every attribute column is written with its type, plus
 * source_fid.
 *
 * Everything is written into a temporary directory beside the output and
 * moved into place only once GDAL has closed every file without error, so
 * a failure leaves no partial output and an existing output intact. An
 * existing output (or any of its sidecar files) fails with PM_EEXIST unless
 * opts->overwrite. A missing layer or an unsupported extension fails with
 * PM_EUSAGE; GDAL failures with PM_EIO quoting GDAL. The store is only
 * read. Warnings (renamed fields, GDAL warnings) go to pm_ctx. */
int pm_export_layers(pm_ctx *ctx, pm_store *st, const pm_export_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
