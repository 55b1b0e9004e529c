/* What a layer's geometry column holds, from the type its backend
 * registers: the one mapping both backends use; not API. */
#ifndef PM_STORE_KIND_H
#define PM_STORE_KIND_H

#include "parkmap/error.h"
#include "parkmap/feature.h"

/* The pm_geom_kind of an OGC geometry type, given as SpatiaLite's
 * geometry_columns registers it (the OGC code in decimal, "6" or "1006",
 * its +1000/2000/3000 for Z/M/ZM ignored) or as PostGIS's does (the name,
 * "MULTIPOLYGON", without case, a trailing Z/M/ZM ignored). (MULTI)POLYGON
 * is PM_GEOM_POLYGON, (MULTI)LINESTRING is PM_GEOM_LINE; any other type (or
 * NULL, "") is PM_EIO "unsupported geometry type" with the layer as where. */
int pm_store_ogc_kind(pm_geom_kind *out, pm_ctx *ctx, const char *layer, const char *type);

#endif
