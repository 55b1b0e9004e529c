/* The seam between the public store API (store.c, which dispatches) and a
 * database backend (store_sl_*.c: SpatiaLite; a PostGIS one plugs in the
 * same way). Not API.
 *
 * A backend fills one pm_store_ops with its functions. Each receives its
 * own handle as `void *` (the `be` of the store, the cursor, the import or
 * the writer it made) and follows DESIGN.md's rules: out-parameters first,
 * then ctx, then the handle; 0 or a negative PM_E* with the error recorded
 * in ctx; what comes back through **out is the caller's. store.c checks
 * arguments common to every backend (layer names of written tables, NULL
 * handles) before it calls in; a backend checks everything it alone knows
 * (that the layer exists, its SRID, ...). */
#ifndef PM_STORE_BACKEND_H
#define PM_STORE_BACKEND_H

#include "parkmap/store.h"

typedef struct pm_store_ops {
    /** The backend's name in messages ("SpatiaLite"). */
    const char *name;

    /* ---- connection ---------------------------------------------------- */
    /** Open the parkmap database `db` names (checking it is one, and of a
     * schema version this parkmap understands). *out is the backend
     * handle, released by close. */
    int (*open)(void **out, pm_ctx *ctx, const char *db, int writable);
    /** Close and release `be` whatever happens; PM_EIO when the database
     * refuses to close (the caller may have lost writes). NULL-safe. */
    int (*close)(pm_ctx *ctx, void *be);
    /** 1 if derived layers can be written, else 0. */
    int (*writable)(void *be);
    /** The database as messages name it (borrowed), or NULL for the --db
     * string itself. A server's never holds its password. May be NULL. */
    const char *(*label)(void *be);

    /* ---- layers and metadata ------------------------------------------ */
    int (*layers)(char ***out, size_t *out_n, pm_ctx *ctx, void *be);
    /** 1/0, <0 on error. Names compare case-insensitively. */
    int (*has_layer)(pm_ctx *ctx, void *be, const char *layer);
    /** The layer's geometry column SRID; PM_EUSAGE for a missing layer. */
    int (*layer_srid)(int *out, pm_ctx *ctx, void *be, const char *layer);
    /** As registered for the column (known for an empty layer too). */
    int (*geom_kind)(pm_geom_kind *out, pm_ctx *ctx, void *be, const char *layer);
    /** Feature count and extent (NAN when empty), storage CRS. */
    int (*stats)(long *out_count, double out_bbox[4], pm_ctx *ctx, void *be, const char *layer);
    /** parkmap_meta value (NULL when absent); layer NULL = the database's. */
    int (*meta_get)(char **out, pm_ctx *ctx, void *be, const char *layer, const char *key);

    /* ---- streaming cursors -------------------------------------------- */
    /** Features in stored (source) order. fields NULL: every attribute;
     * else only those named (nfields may be 0). bbox NULL: every feature;
     * else (xmin, ymin, xmax, ymax) in the storage CRS, and exactly the
     * features whose own boxes meet it, found through the spatial index
     * (SpatiaLite's R*Tree; PostGIS's GiST with &&). */
    int (*cursor_open)(void **out, pm_ctx *ctx, void *be, const char *layer,
                       const char *const *fields, size_t nfields, const double *bbox);
    const pm_schema *(*cursor_schema)(const void *cur);
    /** 1 read, 0 end, <0 error; *out cleared by the caller. */
    int (*cursor_next)(pm_feature *out, pm_ctx *ctx, void *cur);
    void (*cursor_free)(void *cur);

    /* ---- import: all or nothing ---------------------------------------- */
    int (*import_begin)(void **out, pm_ctx *ctx, const pm_store_import_opts *opts,
                        const pm_schema *schema);
    int (*import_add)(pm_ctx *ctx, void *imp, const pm_feature *f);
    int (*import_commit)(long *out, pm_ctx *ctx, void *imp, int allow_invalid);
    void (*import_free)(void *imp);

    /* ---- derived-layer writer ------------------------------------------ */
    /** Replace table `name` (already checked as a derived name) inside a
     * savepoint/transaction of its own; free without commit rolls back. */
    int (*writer_begin)(void **out, pm_ctx *ctx, void *be, const char *name,
                        const pm_schema *schema, pm_geom_kind kind, int srid);
    int (*writer_add)(pm_ctx *ctx, void *w, const pm_feature *f);
    int (*writer_commit)(pm_ctx *ctx, void *w, const char *derived_from);
    void (*writer_free)(void *w);

    /* ---- geometries replaced in place (pm_store_update_*) ------------- */
    /** One transaction (SpatiaLite: a savepoint) replacing geometries of
     * `layer` by source_fid; free without commit rolls back. The store
     * must be writable. */
    int (*update_begin)(void **out, pm_ctx *ctx, void *be, const char *layer);
    /** g NULL stores no geometry; a fid the layer lacks is PM_EINPUT. */
    int (*update_geom)(pm_ctx *ctx, void *u, int64_t fid, const pm_geom *g);
    int (*update_commit)(pm_ctx *ctx, void *u);
    void (*update_free)(void *u);
} pm_store_ops;

/** The SpatiaLite backend (store_sl_db.c). */
extern const pm_store_ops pm_sl_ops;
#ifdef PM_HAVE_POSTGIS
/** The PostGIS backend (pg/store_pg_ops.c). */
extern const pm_store_ops pm_pg_ops;
#endif

#endif
