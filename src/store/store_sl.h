/* The SpatiaLite backend, shared between its files (store_sl_*.c); not
 * API. The public store functions reach it through pm_sl_ops
 * (store_backend.h). */
#ifndef PM_STORE_SL_H
#define PM_STORE_SL_H

#include <sys/types.h>
#include "parkmap/store.h"
#include "store_backend.h"
#include <sqlite3.h>

/* One open SpatiaLite database: the backend handle behind a pm_store. */
typedef struct pm_sl pm_sl;
struct pm_sl {
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
int pm_sl_connect(pm_sl *st, pm_ctx *ctx, const char *path, int flags);
/* Close the connection; returns PM_EIO if SQLite refuses to close. */
int pm_sl_disconnect(pm_sl *st, pm_ctx *ctx);
/* Execute constant SQL (no values: those are always bound). */
int pm_sl_exec(pm_sl *st, pm_ctx *ctx, const char *sql);
/* Prepare; on failure records SQLite's message with the path. */
int pm_sl_prepare(pm_sl *st, pm_ctx *ctx, const char *sql, sqlite3_stmt **out);
/* Record SQLite's last error as a PM_EIO. */
int pm_sl_sqlerr(pm_sl *st, pm_ctx *ctx, const char *what);
/* Quote an identifier for SQL ("a""b"). Caller frees. NULL on OOM. */
char *pm_sl_quote_ident(const char *name);
/* Does table `name` have column `col`? 1/0, <0 on error. */
int pm_sl_has_column(pm_sl *st, pm_ctx *ctx, const char *table, const char *col);
/* PM_EUSAGE naming the layer when it is not a geometry table. */
int pm_sl_need_layer(pm_sl *st, pm_ctx *ctx, const char *layer);
/* A text column, or "#fid" when NULL (features without a name still need
 * one in messages). Caller frees; NULL on OOM. */
char *pm_sl_name_or_fid(sqlite3_stmt *s, int col, int64_t fid);
/* The quoted column when the layer has it, else the SQL text NULL, so an
 * optional attribute can sit in a SELECT list. Caller frees. */
char *pm_sl_optional_column(pm_sl *st, pm_ctx *ctx, const char *layer, const char *col);
/* A SpatiaLite geometry BLOB as WKB, written into *buf (grown as needed):
 * 0 and the length in *out_len; 1 when the BLOB is not the plain kind
 * (compressed, or unexpected: ask SpatiaLite); -1 when out of memory. */
int pm_sl_blob_to_wkb(unsigned char **buf, size_t *cap, size_t *out_len, const unsigned char *blob,
                      size_t len);
/* One R*Tree entry: a row id and its box (xmin, xmax, ymin, ymax, as
 * pm_rtree_box_of rounds them). */
typedef struct {
    int64_t id;
    float box[4];
} pm_rtree_entry;
/* Fill the empty 2-D R*Tree `idx` (unquoted name) with n rows at once,
 * sorting rows[] in place. See store_sl_rtree.c. */
int pm_sl_rtree_bulk(pm_sl *st, pm_ctx *ctx, const char *idx, pm_rtree_entry *rows, size_t n);
/* The float32 box SQLite's R*Tree stores for a double box (outward). */
void pm_rtree_box_of(float out[4], double x0, double x1, double y0, double y1);
/* The quoted name of a layer's R*Tree table. Caller frees. */
int pm_sl_rtree(char **out, pm_ctx *ctx, pm_sl *st, const char *layer);

/* Park (drop, keeping their SQL in *sqls) SpatiaLite's per-row triggers of
 * a layer's geom column while it is bulk loaded, and put them back. The
 * caller frees *sqls with pm_strv_free. See store_sl_trigger.c. */
int pm_sl_triggers_park(pm_sl *st, pm_ctx *ctx, const char *layer, char ***sqls, size_t *n);
int pm_sl_triggers_restore(pm_sl *st, pm_ctx *ctx, const char *layer, char **sqls, size_t n);
/* SpatiaLite's BLOB of a MULTIPOLYGON or MULTILINESTRING XY, byte for byte
 * what GeomFromWKB(wkb, srid) stores, into *buf (grown as needed), with its
 * MBR in box (minx, miny, maxx, maxy). 0 done; 1 when the geometry cannot
 * be written so (empty parts, a big-endian host: use GeomFromWKB); -1 out
 * of memory. See store_sl_blob.c. */
int pm_sl_blob_encode(unsigned char **buf, size_t *cap, size_t *out_len, double box[4],
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
int pm_sl_table_create(pm_sl_table **out, pm_sl *st, pm_ctx *ctx, const char *layer,
                       const pm_schema *schema, const char *const *columns, pm_geom_kind kind,
                       int srid, const char *what);
int pm_sl_table_add(pm_sl_table *t, pm_ctx *ctx, const pm_feature *f);
int pm_sl_table_finish(pm_sl_table *t, pm_ctx *ctx);
void pm_sl_table_free(pm_sl_table *t);

/* PM_EINPUT naming a row stored in another SRID than its layer's column. */
int pm_sl_srid_mismatch(pm_sl *st, pm_ctx *ctx, const char *layer, int64_t fid, int row_srid,
                        int layer_srid);
/* The same, found by a scan of the layer (for measures taken in SQL). */
int pm_sl_check_srids(pm_sl *st, pm_ctx *ctx, const char *layer, int srid);

/* Bind a feature's source_fid at column `first` and its values at the
 * columns after it, in schema order (text is bound SQLITE_STATIC: the
 * feature must outlive the step). Returns the next free column. */
int pm_sl_bind_feature(sqlite3_stmt *s, int first, const pm_feature *f);

/* Is this a parkmap database of a version we understand? */
int pm_sl_check_schema(pm_sl *st, pm_ctx *ctx);

/* ---- the backend's ops (pm_sl_ops, store_sl_db.c); `be` is a pm_sl --- */
int pm_sl_open(void **out, pm_ctx *ctx, const char *db, int writable);
int pm_sl_close(pm_ctx *ctx, void *be);
int pm_sl_writable(void *be);
int pm_sl_layers(char ***out, size_t *out_n, pm_ctx *ctx, void *be);
int pm_sl_has_layer(pm_ctx *ctx, void *be, const char *layer);
int pm_sl_layer_srid(int *out, pm_ctx *ctx, void *be, const char *layer);
int pm_sl_geom_kind(pm_geom_kind *out, pm_ctx *ctx, void *be, const char *layer);
int pm_sl_stats(long *out_count, double out_bbox[4], pm_ctx *ctx, void *be, const char *layer);
int pm_sl_meta_get(char **out, pm_ctx *ctx, void *be, const char *layer, const char *key);
int pm_sl_cursor_open(void **out, pm_ctx *ctx, void *be, const char *layer,
                      const char *const *fields, size_t nfields, const double *bbox);
const pm_schema *pm_sl_cursor_schema(const void *cur);
int pm_sl_cursor_next(pm_feature *out, pm_ctx *ctx, void *cur);
void pm_sl_cursor_free(void *cur);
int pm_sl_import_begin(void **out, pm_ctx *ctx, const pm_store_import_opts *opts,
                       const pm_schema *schema);
int pm_sl_import_add(pm_ctx *ctx, void *imp, const pm_feature *f);
int pm_sl_import_commit(long *out, pm_ctx *ctx, void *imp, int allow_invalid);
void pm_sl_import_free(void *imp);
int pm_sl_writer_begin(void **out, pm_ctx *ctx, void *be, const char *name, const pm_schema *schema,
                       pm_geom_kind kind, int srid);
int pm_sl_writer_add(pm_ctx *ctx, void *w, const pm_feature *f);
int pm_sl_writer_commit(pm_ctx *ctx, void *w, const char *derived_from);
void pm_sl_writer_free(void *w);
int pm_sl_update_begin(void **out, pm_ctx *ctx, void *be, const char *layer);
int pm_sl_update_geom(pm_ctx *ctx, void *u, int64_t fid, const pm_geom *g);
int pm_sl_update_commit(pm_ctx *ctx, void *u);
void pm_sl_update_free(void *u);

#endif
