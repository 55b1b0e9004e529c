/* parkmap/store.h: parkmap's storage API (the only module that speaks SQL):
 * open/close a database, list its layers, stream their features, import a
 * layer, write derived layers (and, for now, the database's own validity
 * verdict). Measures (areas, the union, ground outside a layer) are not
 * here: analysis and topology take them in C over the cursors, the same code
 * on every backend. One interface with a backend behind it: SpatiaLite (a
 * file path, the default) and PostGIS (a PostgreSQL connection
 * string); see docs/architecture.md, "The store". Every identifier that
 * reaches SQL is quoted; every value is bound. */
#ifndef PARKMAP_STORE_H
#define PARKMAP_STORE_H

#include "parkmap/error.h"
#include "parkmap/feature.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The layer commands read when none is named, and import writes. */
#define PM_LAYER_PARKS "parks"
/** The district outline build imports beside the parks (--outline). */
#define PM_LAYER_OUTLINE "outline"
/** The derived tables analysis writes, replacing them on every run:
 * `adjacency` (check, adjacency), `qa_issues` (check, build), `clusters`
 * (layout, build), `changes` (compare, in the later database). Import
 * refuses them as layer names, so imported data is never silently replaced
 * by an analysis. */
#define PM_LAYER_ADJACENCY "adjacency"
#define PM_LAYER_QA_ISSUES "qa_issues"
#define PM_LAYER_CLUSTERS "clusters"
#define PM_LAYER_CHANGES "changes"

/** The longest layer name parkmap takes, in bytes: PostgreSQL's identifier
 * limit (NAMEDATALEN - 1), so that a layer keeps its name in the
 * PostGIS backend; SpatiaLite's names derived from it (idx_<layer>_geom and
 * its triggers) stay short too. */
#define PM_LAYER_NAME_MAX 63

/** What a layer name is for, from the loosest rules to the strictest. */
typedef enum {
    PM_LAYER_NAME_READ,    /**< an existing layer to read (--layer) */
    PM_LAYER_NAME_DERIVED, /**< a table analysis writes (adjacency, ...) */
    PM_LAYER_NAME_WRITE    /**< a layer the user names and parkmap creates
                                (import --layer, clean --to) */
} pm_layer_name_use;

/** Why `name` cannot name a layer used as `use` says, or NULL if it can.
 * Every name: not empty, at most PM_LAYER_NAME_MAX bytes, no quotes or
 * control characters, no space at either end. A table parkmap writes also:
 * not SQLite's or SpatiaLite's (sqlite_*, idx_*, the metadata tables) nor
 * parkmap_meta; a layer the user names also not a derived table. The reason
 * is a static string. The one place these rules live. */
const char *pm_store_check_layer_name(const char *name, pm_layer_name_use use);

typedef struct pm_store pm_store;
typedef struct pm_store_import pm_store_import;
typedef struct pm_cursor pm_cursor;

/** The schema version parkmap writes into parkmap_meta; a database with a
 * newer one is refused. */
#define PM_STORE_SCHEMA_VERSION 1

/** The database backends a --db string can name. */
typedef enum {
    PM_STORE_SPATIALITE = 1, /**< a file path: a SpatiaLite database */
    PM_STORE_POSTGIS = 2     /**< postgresql://, postgres://, PG:... or a libpq
                                  keyword string ("host=... dbname=...") */
} pm_store_backend;

/** Which backend `db` names (never fails: anything that is not a
 * PostgreSQL connection string is a path). */
pm_store_backend pm_store_backend_of(const char *db);

/** `db` as messages and output may name it: a path as given; a PostgreSQL
 * connection string as "postgresql://user@host:port/dbname", never with a
 * password. Caller frees; NULL when out of memory. */
char *pm_store_db_label(const char *db);

/** Open an existing parkmap database: a file path (SpatiaLite) or a
 * PostgreSQL connection string (PostGIS; when built with -DPM_POSTGIS=OFF,
 * PM_EUSAGE with a message that never repeats the string, which may hold
 * a password). Caller owns *out (pm_store_close or pm_store_free). A
 * missing, locked, corrupt or non-parkmap file fails with PM_EIO naming
 * the path; an unreachable server, a wrong password, a database without
 * PostGIS or without parkmap's tables with PM_EIO naming the server
 * (redacted, see pm_store_path). */
int pm_store_open(pm_store **out, pm_ctx *ctx, const char *db, int writable);
/** Close and release. Returns 0, or PM_EIO when the database refuses to
 * close (SQLite: a statement left unfinalized); the store is released
 * either way. Callers that wrote through the store close it so and check
 * the result. NULL-safe (0). */
int pm_store_close(pm_ctx *ctx, pm_store *st);
/** Close and release without asking how the close went: for error paths
 * and read-only use, where nothing is left to lose. NULL-safe. */
void pm_store_free(pm_store *st);
/** The database as messages name it (borrowed): the path for SpatiaLite,
 * postgresql://user@host:port/dbname for PostGIS (never a password). */
const char *pm_store_path(const pm_store *st);
/** Which backend holds the store. */
pm_store_backend pm_store_backend_kind(const pm_store *st);
/** 1 if derived layers can be written (opened writable, file not
 * write-protected), else 0. */
int pm_store_writable(pm_store *st);

/* ---- import: all or nothing ------------------------------------------- */

typedef struct {
    const char *db_path;
    const char *layer;       /**< table name, e.g. "parks" */
    int srid;                /**< storage CRS EPSG code */
    const char *source_path; /**< recorded in parkmap_meta */
    const char *source_sha256;
    const char *source_crs;        /**< as declared or given (WKT or EPSG:n) */
    const char *storage_crs;       /**< "EPSG:n" */
    int overwrite;                 /**< replace an existing layer of that name */
    const char *storage_crs_proj4; /**< definitions to register the SRID with when */
    const char *storage_crs_wkt;   /**< SpatiaLite's own EPSG table lacks it (it has */
    const char *storage_crs_name;  /**< no EPSG:32760, for one), or NULL */
    int rederive;                  /**< the caller writes the tables derived from the layer anew
                                        (build): their removal with the replaced layer is not
                                        warned about */
} pm_store_import_opts;
#define PM_STORE_IMPORT_OPTS_INIT                                                                  \
    {                                                                                              \
        NULL, PM_LAYER_PARKS, 0, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, 0                    \
    }

/** Start an import into opts->db_path (its backend chosen as
 * pm_store_backend_of says). SpatiaLite: the work happens in a temporary
 * copy of db_path beside it, inside one transaction; only
 * pm_store_import_commit moves it into place, so any failure or kill leaves
 * db_path byte-for-byte as it was. A layer name pm_store_check_layer_name
 * refuses for writing fails with PM_EUSAGE; an existing layer without
 * overwrite with PM_EEXIST. Caller owns *out (pm_store_import_free). */
int pm_store_import_begin(pm_store_import **out, pm_ctx *ctx, const pm_store_import_opts *opts,
                          const pm_schema *schema);
/** Insert one feature (values in schema order, geometry in the storage
 * CRS; borrowed for the call). */
int pm_store_import_add(pm_ctx *ctx, pm_store_import *imp, const pm_feature *f);
/** Check every geometry's validity (unless allow_invalid), build the spatial
 * index, record metadata, commit and move the database into place; *out
 * (may be NULL) is the number of features imported. On an invalid geometry
 * fails with PM_EINPUT naming the source feature and the reason. imp is
 * still the caller's to free. */
int pm_store_import_commit(long *out, pm_ctx *ctx, pm_store_import *imp, int allow_invalid);
/** Abandon (if not committed) and release; removes the temporary copy. NULL-safe. */
void pm_store_import_free(pm_store_import *imp);

/* ---- layers and metadata ----------------------------------------------- */

/** Names of the geometry tables. Caller owns *out (pm_strv_free). */
int pm_store_layers(char ***out, size_t *out_n, pm_ctx *ctx, pm_store *st);
/** Does a geometry table of this name exist? (1/0, <0 on error; names
 * compare case-insensitively) */
int pm_store_has_layer(pm_ctx *ctx, pm_store *st, const char *layer);
/** SRID of a layer's geometry column; PM_EUSAGE for a missing layer. */
int pm_store_layer_srid(int *out, pm_ctx *ctx, pm_store *st, const char *layer);
/** What a layer's geometry column holds: PM_GEOM_LINE for (MULTI)LINESTRING
 * columns, PM_GEOM_POLYGON for (MULTI)POLYGON ones (as registered in
 * geometry_columns, so it is known for an empty layer too). */
int pm_store_layer_geom_kind(pm_geom_kind *out, pm_ctx *ctx, pm_store *st, const char *layer);
/** 0 if the layer holds polygons; else PM_EUSAGE "not a polygon layer"
 * naming the layer, its geometry type and cmd (the command that needs
 * polygons), or the error of a missing layer. */
int pm_store_layer_need_polygons(pm_ctx *ctx, pm_store *st, const char *layer, const char *cmd);
/** Feature count and extent (xmin, ymin, xmax, ymax, storage CRS; NAN for
 * an empty layer) of a layer. */
int pm_store_layer_stats(long *out_count, double out_bbox[4], pm_ctx *ctx, pm_store *st,
                         const char *layer);
/** A parkmap_meta value for a layer (key such as "source_path"). Caller owns
 * *out (free()); *out is NULL when absent. */
int pm_store_meta_get(char **out, pm_ctx *ctx, pm_store *st, const char *layer, const char *key);
/** SpatiaLite and SQLite versions as linked (borrowed). */
const char *pm_store_spatialite_version(void);
const char *pm_store_sqlite_version(void);
/** GEOS's version as SpatiaLite links it (borrowed; "unknown" if it cannot
 * be asked). */
const char *pm_store_geos_version(void);

/** Release a string vector from pm_store_layers. NULL-safe. */
void pm_strv_free(char **v, size_t n);

/* ---- reading features ------------------------------------------------- */

/** Iterate a layer's features (all attribute columns, geometry in the
 * storage CRS) in stored order, which is the source's order: maps draw and
 * exports write features as the source file lists them. Caller owns *out. */
int pm_store_cursor_open(pm_cursor **out, pm_ctx *ctx, pm_store *st, const char *layer);
/** Like pm_store_cursor_open, reading only the named attribute columns (in
 * the layer's column order; names the layer lacks are left out of the
 * schema; fields NULL reads none). */
int pm_store_cursor_open_fields(pm_cursor **out, pm_ctx *ctx, pm_store *st, const char *layer,
                                const char *const *fields, size_t nfields);
/** Like pm_store_cursor_open_fields (fields NULL reads every attribute),
 * reading only the features whose bounding boxes meet bbox (xmin, ymin,
 * xmax, ymax in the storage CRS; touching counts), exactly, found through
 * the layer's spatial index: SpatiaLite's R*Tree (PostGIS: its GiST
 * index). Stored order as ever. Caller owns *out. */
int pm_store_cursor_open_bbox(pm_cursor **out, pm_ctx *ctx, pm_store *st, const char *layer,
                              const char *const *fields, size_t nfields, const double bbox[4]);
/** The layer's attribute schema (borrowed from the cursor). */
const pm_schema *pm_cursor_schema(const pm_cursor *cur);
/** Next feature into *out (caller clears it with pm_feature_clear and owns
 * what it holds). 1 read, 0 end, <0 error. */
int pm_cursor_next(pm_feature *out, pm_ctx *ctx, pm_cursor *cur);
/** Release. NULL-safe. */
void pm_cursor_free(pm_cursor *cur);

/* ---- derived layers --------------------------------------------------- */

/** Replace (or create) table `name` with the given features (borrowed), in
 * one transaction: a registered MULTIPOLYGON or MULTILINESTRING column in
 * `srid`, a spatial index, and a parkmap_meta note of what it was derived
 * from. Used for the analysis layers (adjacency, qa_issues, clusters) so
 * they can be queried, rendered and exported like any layer. The store
 * must have been opened writable. */
int pm_store_write_layer(pm_ctx *ctx, pm_store *st, const char *name, const pm_schema *schema,
                         pm_geom_kind kind, int srid, const pm_feature *feats, size_t n,
                         const char *derived_from);

/** The same, feature by feature, for results too large to hold: begin
 * replaces the table inside a savepoint, add inserts one feature, commit
 * builds the index and releases the savepoint. Freeing a writer that was
 * not committed rolls everything back (the old table is kept). Other
 * statements may read the store between the calls. Caller owns *out
 * (pm_layer_writer_free, after commit too). */
typedef struct pm_layer_writer pm_layer_writer;
int pm_store_layer_begin(pm_layer_writer **out, pm_ctx *ctx, pm_store *st, const char *name,
                         const pm_schema *schema, pm_geom_kind kind, int srid);
/** Insert one feature (borrowed for the call). */
int pm_store_layer_add(pm_ctx *ctx, pm_layer_writer *w, const pm_feature *f);
/** Build the index, note derived_from in parkmap_meta, release the
 * savepoint. */
int pm_store_layer_commit(pm_ctx *ctx, pm_layer_writer *w, const char *derived_from);
/** Roll back what was not committed and release. NULL-safe. */
void pm_layer_writer_free(pm_layer_writer *w);

/* ---- geometries replaced in place ---------------------------------------- */

/** Replace the geometries of some features of a layer in place, in one
 * transaction: begin opens it (SpatiaLite: a savepoint on the writable
 * store, SpatiaLite's triggers keeping the R*Tree in step; PostGIS: a
 * transaction, or a savepoint inside the caller's), geom replaces one
 * feature's, commit makes them all visible at once; freeing an update that
 * was not committed rolls every replacement back. Analysis computes the
 * geometries (check --make-valid's repair, docs/architecture.md "What runs
 * where"); the store only writes them. The store must be writable (PM_EIO
 * otherwise); a missing layer is PM_EUSAGE. Caller owns *out
 * (pm_store_update_free, after commit too). */
typedef struct pm_store_update pm_store_update;
int pm_store_update_begin(pm_store_update **out, pm_ctx *ctx, pm_store *st, const char *layer);
/** Set the geometry of the feature whose source_fid is fid (unique in a
 * layer, as import makes it) to g: storage CRS, of the layer's kind
 * (written as its Multi* type), borrowed for the call; NULL stores no
 * geometry. A fid the layer lacks is PM_EINPUT. */
int pm_store_update_geom(pm_ctx *ctx, pm_store_update *u, int64_t fid, const pm_geom *g);
/** Commit every replacement. */
int pm_store_update_commit(pm_ctx *ctx, pm_store_update *u);
/** Roll back what was not committed and release. NULL-safe. */
void pm_store_update_free(pm_store_update *u);

#ifdef __cplusplus
}
#endif
#endif
