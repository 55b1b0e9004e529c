/* GeoJSON (RFC 7946): one layer per file, WGS 84. */
#include "export_internal.h"

static const char *const geojson_lco[] = {"RFC7946=YES", "COORDINATE_PRECISION=7", NULL};

const pm_export_format pm_export_geojson = {
    .ext = ".geojson",
    .driver = "GeoJSON",
    .wgs84 = 1,
    .lco = geojson_lco,
    .reread = 1,
};
