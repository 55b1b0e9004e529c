/* parkmap/store.h: the SpatiaLite database (the only module that speaks
 * SQL). Every identifier that reaches SQL is quoted; every value is bound. */
#ifndef PARKMAP_STORE_H
#define PARKMAP_STORE_H

#include "parkmap/error.h"
#include "parkmap/feature.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pm_store pm_store;
typedef struct pm_store_import pm_store_import;
typedef struct pm_cursor pm_cursor;

/** The schema version parkmap writes into parkmap_meta; a database with a
 * newer one is refused. */
#define PM_STORE_SCHEMA_VERSION 1

/** Open an existing parkmap database. Caller owns *out. A missing, locked,
 * corrupt or non-parkmap file fails with PM_EIO naming the path. */
int pm_store_open(pm_store **out, pm_ctx *ctx, const char *path, int writable);
/** Close (the close status is checked). NULL-safe. */
void pm_store_free(pm_store *st);
/** The database path (borrowed). */
const char *pm_store_path(const pm_store *st);

/* ---- import: all or nothing ------------------------------------------- */

typedef struct {
    const char *db_path;
    const char *layer;       /**< table name, e.g. "parks" */
    int srid;                /**< storage CRS EPSG code */
    const char *source_path; /**< recorded in parkmap_meta */
    const char *source_sha256;
    const char *source_crs;  /**< as declared or given (WKT or EPSG:n) */
    const char *storage_crs; /**< "EPSG:n" */
    int overwrite;           /**< replace an existing layer of that name */
} pm_store_import_opts;
#define PM_STORE_IMPORT_OPTS_INIT {NULL, "parks", 0, NULL, NULL, NULL, NULL, 0}

/** Start an import. The work happens in a temporary copy of db_path beside
 * it, inside one transaction; only pm_store_import_commit moves it into
 * place, so any failure or kill leaves db_path byte-for-byte as it was.
 * An existing layer without overwrite fails with PM_EEXIST. */
int pm_store_import_begin(pm_store_import **out, pm_ctx *ctx, const pm_store_import_opts *opts,
                          const pm_schema *schema);
/** Insert one feature (values in schema order, geometry in the storage CRS). */
int pm_store_import_add(pm_store_import *imp, pm_ctx *ctx, const pm_feature *f);
/** Check every geometry's validity (unless allow_invalid), build the spatial
 * index, record metadata, commit and move the database into place. On an
 * invalid geometry fails with PM_EINPUT naming the source feature and the
 * reason. */
int pm_store_import_commit(pm_store_import *imp, pm_ctx *ctx, int allow_invalid, long *out_count);
/** Abandon (if not committed) and release; removes the temporary copy. NULL-safe. */
void pm_store_import_free(pm_store_import *imp);

/* ---- layers and metadata ----------------------------------------------- */

/** Names of the geometry tables. Caller owns *out (pm_strv_free). */
int pm_store_layers(char ***out, size_t *out_n, pm_ctx *ctx, pm_store *st);
/** Does a geometry table of this name exist? (1/0, <0 on error) */
int pm_store_has_layer(pm_store *st, pm_ctx *ctx, const char *layer);
/** SRID of a layer's geometry column. */
int pm_store_layer_srid(int *out, pm_ctx *ctx, pm_store *st, const char *layer);
/** Feature count and extent (storage CRS) of a layer. */
int pm_store_layer_stats(long *out_count, double out_bbox[4], pm_ctx *ctx, pm_store *st,
                         const char *layer);
/** A parkmap_meta value for a layer (key such as "source_path"). Caller owns
 * *out (free()); *out is NULL when absent. */
int pm_store_meta_get(char **out, pm_ctx *ctx, pm_store *st, const char *layer, const char *key);
/** SpatiaLite and SQLite versions (borrowed). */
const char *pm_store_spatialite_version(void);
const char *pm_store_sqlite_version(void);

/** Release a string vector from pm_store_layers. NULL-safe. */
void pm_strv_free(char **v, size_t n);

/* ---- reading features ------------------------------------------------- */

/** Iterate a layer's features (all attribute columns, geometry in the
 * storage CRS), ordered by source_fid. Caller owns *out. */
int pm_store_cursor_open(pm_cursor **out, pm_ctx *ctx, pm_store *st, const char *layer);
/** The layer's attribute schema (borrowed from the cursor). */
const pm_schema *pm_cursor_schema(const pm_cursor *cur);
/** Next feature into *out (caller clears it). 1 read, 0 end, <0 error. */
int pm_cursor_next(pm_cursor *cur, pm_ctx *ctx, pm_feature *out);
/** Release. NULL-safe. */
void pm_cursor_free(pm_cursor *cur);

/* ---- measures computed in SQL ------------------------------------------ */

/** One feature's areas. */
typedef struct {
    int64_t fid;
    char *name;         /* name attribute, or "#fid" */
    char *group;        /* value of the --by field as text ("" if null) */
    double planned_km2; /* NAN when the layer has no planned_area_km2 */
    double planar_m2;   /* in the storage CRS */
    double ellipsoidal_m2;
} pm_area_row;

/** Areas of every feature of a layer, ordered by fid. group_by may be NULL.
 * Caller owns *out (pm_area_rows_free). */
int pm_store_area_rows(pm_area_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st,
                       const char *layer, const char *group_by);
void pm_area_rows_free(pm_area_row *rows, size_t n);

/** Area of the union of all features, planar and ellipsoidal, in m². */
int pm_store_union_area(double *out_planar_m2, double *out_ellipsoidal_m2, pm_ctx *ctx,
                        pm_store *st, const char *layer);

/** Raw measures for a pair of features whose boxes meet (spatial index). */
typedef struct {
    int64_t a_fid, b_fid; /* a_fid < b_fid */
    char *a_name, *b_name;
    double distance_m;    /* 0 when they touch or overlap (storage CRS metres) */
    double overlap_m2;    /* ellipsoidal area of the interiors' intersection */
    double shared_m;      /* geodesic length of boundary shared (within tolerance) */
    int touches_point;    /* boundaries meet in at least one point */
    pm_geom *shared;      /* shared boundary as lines (storage CRS), or NULL */
} pm_pair_row;

/** Every pair of features within tolerance_m of each other, found through
 * the R*Tree index. Caller owns *out (pm_pair_rows_free). */
int pm_store_pairs(pm_pair_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st,
                   const char *layer, double tolerance_m);
void pm_pair_rows_free(pm_pair_row *rows, size_t n);

#ifdef __cplusplus
}
#endif
#endif
