/* Shared between the store's files; not API. */
#ifndef PM_STORE_INTERNAL_H
#define PM_STORE_INTERNAL_H

#include <sys/types.h>
#include "parkmap/store.h"
#include <sqlite3.h>

struct pm_store {
    sqlite3 *db;
    void *splite; /* SpatiaLite's per-connection cache */
    char *path;
    /* The file opened, to tell when another program (an import
     * --overwrite) renames a new database over it while we run. */
    dev_t dev;
    ino_t ino;
    int have_ino;
};

/* Open a SQLite connection with SpatiaLite loaded into st (db and splite). */
int pm_store_connect(pm_store *st, pm_ctx *ctx, const char *path, int flags);
/* Close the connection; returns PM_EIO if SQLite refuses to close. */
int pm_store_disconnect(pm_store *st, pm_ctx *ctx);
/* Execute constant SQL (no values: those are always bound). */
int pm_store_exec(pm_store *st, pm_ctx *ctx, const char *sql);
/* Prepare; on failure records SQLite's message with the path. */
int pm_store_prepare(pm_store *st, pm_ctx *ctx, const char *sql, sqlite3_stmt **out);
/* Record SQLite's last error as a PM_EIO. */
int pm_store_sqlerr(pm_store *st, pm_ctx *ctx, const char *what);
/* Quote an identifier for SQL ("a""b"). Caller frees. NULL on OOM. */
char *pm_store_quote_ident(const char *name);
/* Does table `name` have column `col`? 1/0, <0 on error. */
int pm_store_has_column(pm_store *st, pm_ctx *ctx, const char *table, const char *col);
/* PM_EUSAGE naming the layer when it is not a geometry table. */
int pm_store_need_layer(pm_store *st, pm_ctx *ctx, const char *layer);
/* A text column, or "#fid" when NULL (features without a name still need
 * one in messages). Caller frees; NULL on OOM. */
char *pm_store_name_or_fid(sqlite3_stmt *s, int col, int64_t fid);
/* The quoted column when the layer has it, else the SQL text NULL, so an
 * optional attribute can sit in a SELECT list. Caller frees. */
char *pm_store_optional_column(pm_store *st, pm_ctx *ctx, const char *layer, const char *col);
/* A SpatiaLite geometry BLOB as WKB, written into *buf (grown as needed):
 * 0 and the length in *out_len; 1 when the BLOB is not the plain kind
 * (compressed, or unexpected: ask SpatiaLite); -1 when out of memory. */
int pm_store_blob_to_wkb(unsigned char **buf, size_t *cap, size_t *out_len,
                         const unsigned char *blob, size_t len);
/* One R*Tree entry: a row id and its box (xmin, xmax, ymin, ymax, as
 * pm_rtree_box_of rounds them). */
typedef struct {
    int64_t id;
    float box[4];
} pm_rtree_entry;
/* Fill the empty 2-D R*Tree `idx` (unquoted name) with n rows at once,
 * sorting rows[] in place. See store_sl_rtree.c. */
int pm_store_rtree_bulk(pm_store *st, pm_ctx *ctx, const char *idx, pm_rtree_entry *rows, size_t n);
/* The float32 box SQLite's R*Tree stores for a double box (outward). */
void pm_rtree_box_of(float out[4], double x0, double x1, double y0, double y1);
/* The quoted name of a layer's R*Tree table. Caller frees. */
int pm_store_rtree(char **out, pm_ctx *ctx, pm_store *st, const char *layer);

/* Park (drop, keeping their SQL in *sqls) SpatiaLite's per-row triggers of
 * a layer's geom column while it is bulk loaded, and put them back. The
 * caller frees *sqls with pm_strv_free. See store_sl_trigger.c. */
int pm_store_triggers_park(pm_store *st, pm_ctx *ctx, const char *layer, char ***sqls, size_t *n);
int pm_store_triggers_restore(pm_store *st, pm_ctx *ctx, const char *layer, char **sqls, size_t n);
/* SpatiaLite's BLOB of a MULTIPOLYGON or MULTILINESTRING XY, byte for byte
 * what GeomFromWKB(wkb, srid) stores, into *buf (grown as needed), with its
 * MBR in box (minx, miny, maxx, maxy). 0 done; 1 when the geometry cannot
 * be written so (empty parts, a big-endian host: use GeomFromWKB); -1 out
 * of memory. See store_sl_blob.c. */
int pm_store_blob_encode(unsigned char **buf, size_t *cap, size_t *out_len, double box[4],
                         const pm_geom *g, int srid);

/* A SpatiaLite geometry table created and bulk loaded: import and the
 * derived-layer writer make every layer through it (store_sl_table.c).
 * create: CREATE TABLE (pk, source_fid, the schema's fields under
 * `columns`, or under their own names when NULL), a registered `kind`
 * column in `srid`, an empty R*Tree, SpatiaLite's per-row triggers
 * parked. add: one row (`what` names a failed insert in errors). finish:
 * pack the R*Tree, put the triggers back. free: NULL-safe; call it before
 * the connection closes (it holds statements). Transactions are the
 * caller's. */
typedef struct pm_sl_table pm_sl_table;
int pm_sl_table_create(pm_sl_table **out, pm_store *st, pm_ctx *ctx, const char *layer,
                       const pm_schema *schema, const char *const *columns, pm_geom_kind kind,
                       int srid, const char *what);
int pm_sl_table_add(pm_sl_table *t, pm_ctx *ctx, const pm_feature *f);
int pm_sl_table_finish(pm_sl_table *t, pm_ctx *ctx);
void pm_sl_table_free(pm_sl_table *t);

/* PM_EINPUT naming a row stored in another SRID than its layer's column. */
int pm_store_srid_mismatch(pm_store *st, pm_ctx *ctx, const char *layer, int64_t fid, int row_srid,
                           int layer_srid);
/* The same, found by a scan of the layer (for measures taken in SQL). */
int pm_store_check_srids(pm_store *st, pm_ctx *ctx, const char *layer, int srid);

/* Bind a feature's source_fid at column `first` and its values at the
 * columns after it, in schema order (text is bound SQLITE_STATIC: the
 * feature must outlive the step). Returns the next free column. */
int pm_store_bind_feature(sqlite3_stmt *s, int first, const pm_feature *f);

/* Is this a parkmap database of a version we understand? */
int pm_store_check_schema(pm_store *st, pm_ctx *ctx);

#endif
