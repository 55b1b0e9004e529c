/* parkmap/feature.h: the neutral currency between modules.
 *
 * load produces features, store keeps and returns them, render and export
 * consume them. None of these types belongs to a dependency, so no module
 * leaks GDAL, SQLite or cairo types into another. */
#ifndef PARKMAP_FEATURE_H
#define PARKMAP_FEATURE_H

#include <stddef.h>
#include <stdint.h>
#include "parkmap/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- geometry ---------------------------------------------------------- */

/** What a pm_geom holds: polygons (a MultiPolygon) or paths (a MultiLineString). */
typedef enum { PM_GEOM_POLYGON = 1, PM_GEOM_LINE = 2 } pm_geom_kind;

/** A ring (polygon) or a path (line): n points as x0,y0,x1,y1,... */
typedef struct {
    size_t n;
    double *xy;
} pm_ring;

/** A polygon (ring 0 exterior, the rest holes) or a group of one path. */
typedef struct {
    size_t nrings;
    pm_ring *rings;
} pm_part;

/** A MultiPolygon or MultiLineString in x=east, y=north order. */
typedef struct {
    pm_geom_kind kind;
    size_t nparts;
    pm_part *parts;
} pm_geom;

/** Parse WKB (2D, or 3D/M with the extra ordinates dropped) of a Polygon,
 * MultiPolygon, LineString or MultiLineString. Caller owns *out.
 * Malformed WKB or another type fails with PM_EINPUT and the reason in ctx. */
int pm_geom_from_wkb(pm_geom **out, pm_ctx *ctx, const unsigned char *wkb, size_t len);
/** Write little-endian 2D WKB, always Multi*. Caller owns *out (free()). */
int pm_geom_to_wkb(unsigned char **out, size_t *out_len, pm_ctx *ctx, const pm_geom *g);
/** Deep copy. Caller owns *out. */
int pm_geom_clone(pm_geom **out, pm_ctx *ctx, const pm_geom *g);
/** Release. NULL-safe. */
void pm_geom_free(pm_geom *g);
/** Total number of points. */
size_t pm_geom_npoints(const pm_geom *g);
/** Bounding box; returns 0 for an empty geometry (box untouched), 1 otherwise. */
int pm_geom_bbox(const pm_geom *g, double *minx, double *miny, double *maxx, double *maxy);

/* ---- attributes -------------------------------------------------------- */

typedef enum { PM_FIELD_INTEGER = 1, PM_FIELD_REAL = 2, PM_FIELD_TEXT = 3 } pm_field_type;

/** One attribute column. */
typedef struct {
    char *name;
    pm_field_type type;
} pm_field;

/** A schema: the ordered attribute columns of a layer. */
typedef struct {
    size_t nfields;
    pm_field *fields;
} pm_schema;

/** One attribute value; is_null wins over the other members. */
typedef struct {
    int is_null;
    pm_field_type type;
    int64_t i;
    double d;
    char *s; /* owned, UTF-8 */
} pm_value;

/** A feature: source_fid, one value per schema field, and a geometry. */
typedef struct {
    int64_t fid;
    size_t nvalues;
    pm_value *values;
    pm_geom *geom; /* owned; may be NULL */
} pm_feature;

/** Add a field to a schema (name copied). */
int pm_schema_add(pm_schema *s, pm_ctx *ctx, const char *name, pm_field_type type);
/** Index of a field by exact name, or -1. */
int pm_schema_find(const pm_schema *s, const char *name);
/** Release a schema's contents (not the struct). NULL-safe. */
void pm_schema_clear(pm_schema *s);

/** Release a feature's contents (not the struct). NULL-safe. */
void pm_feature_clear(pm_feature *f);
/** Value as a double (integers converted, text parsed); returns 0 if null or not numeric. */
int pm_value_as_double(const pm_value *v, double *out);

#ifdef __cplusplus
}
#endif
#endif
