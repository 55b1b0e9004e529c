/* The PostGIS store backend (issue 14): the only code that calls libpq.
 * Not API: the store's backend interface (vtable) calls these, with the
 * same shapes as the SpatiaLite functions of parkmap/store.h. See
 * docs/postgis.md for the table layout and the transaction and lock design.
 *
 * Every identifier that reaches SQL is quoted with PQescapeIdentifier, every
 * value is a bound parameter (PQexecParams); SQL text is otherwise constant.
 * No message, error or stored value ever carries the connection's password:
 * targets are named by pm_pg_redacted. */
#ifndef PM_STORE_PG_H
#define PM_STORE_PG_H

#include <stddef.h>
#include <stdint.h>
#include <libpq-fe.h>

#include "parkmap/error.h"
#include "parkmap/feature.h"
#include "parkmap/store.h"
#include "util/sbuf.h"

/* ---- connection (store_pg_conn.c) -------------------------------------- */

typedef struct pm_pg pm_pg;

/** Does `db` name a PostGIS server rather than a SpatiaLite file: a
 * postgresql:// or postgres:// URI, GDAL's PG:... form, or a libpq keyword
 * string (a `key=value` pair with a libpq keyword, e.g. "host=... dbname=...").
 * 1/0. */
int pm_pg_is_target(const char *db);

/** Connect to a PostGIS database. `db` is a libpq URI (postgresql://,
 * postgres://), a libpq keyword string, or GDAL's "PG:<keyword string>" (the
 * prefix and an enclosing pair of double quotes stripped). Sets
 * application_name=parkmap, client_encoding UTF8 and the timeout policy (see
 * store_pg_conn.c). An unreachable server, a wrong or missing password, a
 * missing database and a database without the postgis extension each fail
 * with PM_EIO and one line naming the redacted target; a malformed `db` with
 * PM_EUSAGE. Caller owns *out (pm_pg_free). */
int pm_pg_connect(pm_pg **out, pm_ctx *ctx, const char *db);
/** Close and release. NULL-safe. */
void pm_pg_free(pm_pg *pg);
/** The target as "postgresql://user@host:port/dbname", never with a password
 * (borrowed from pg). */
const char *pm_pg_redacted(const pm_pg *pg);
/** What pm_pg_redacted would say of `db` without connecting:
 * "postgresql://user@host:port/dbname" from the string, the environment
 * and libpq's defaults; never a password ("PostgreSQL server" when the
 * string does not parse). Caller frees; NULL when out of memory. */
char *pm_pg_redact_string(const char *db);
/** The server's PostGIS extension version, e.g. "3.3.2" (borrowed). */
const char *pm_pg_postgis_version(const pm_pg *pg);
/** The libpq connection (borrowed), for the backend's files and tests. */
PGconn *pm_pg_conn(pm_pg *pg);

/** A number new on every call, for names of the session's own objects
 * (cursors). */
unsigned pm_pg_serial(pm_pg *pg);
/** Run constant SQL that returns no rows (several statements allowed).
 * `what` names the failure; libpq's message becomes the why. */
int pm_pg_exec(pm_pg *pg, pm_ctx *ctx, const char *what, const char *sql);
/** PQexecParams with text parameters (NULL entries are SQL NULL) and text
 * results; *out is the PGresult on success (caller PQclear()s it), NULL on
 * failure with the error in ctx. */
int pm_pg_query(PGresult **out, pm_pg *pg, pm_ctx *ctx, const char *what, const char *sql,
                int nparams, const char *const *params);
/** Record a failed result's message (or the connection's) as PM_EIO with
 * the redacted target as where. Returns PM_EIO. */
int pm_pg_fail(pm_pg *pg, pm_ctx *ctx, const char *what, const PGresult *res);
/** PQescapeIdentifier into a malloc()ed string (caller free()s); NULL with
 * the error in ctx. */
char *pm_pg_ident(pm_pg *pg, pm_ctx *ctx, const char *name);

/* ---- COPY FROM STDIN, text format (store_pg_conn.c) ---------------------
 *
 * The import and the derived-layer writer stream rows with one COPY instead
 * of one INSERT per row. Rows are built by the caller (pm_pg_copy_text,
 * pm_pg_copy_double, pm_pg_copy_ewkb; "\N" for NULL; a tab between
 * columns, a newline at the end) and buffered here. Any other statement on
 * the connection meanwhile (a cursor, a lock) ends the running COPY first
 * and the next row starts a new one, so rows and statements may interleave
 * as with INSERTs; everything stays inside the caller's transaction. */

/** Start streaming rows with `sql` ("COPY t (cols) FROM STDIN"; constant
 * text and quoted identifiers). One per connection at a time. */
int pm_pg_copy_begin(pm_pg *pg, pm_ctx *ctx, const char *sql);
/** Queue one row (`len` bytes, ending in a newline). A failure the server
 * reported so far is returned here (PM_EIO, `what` as the message). */
int pm_pg_copy_put(pm_pg *pg, pm_ctx *ctx, const char *what, const char *row, size_t len);
/** Names the row-th row (1-based) sent for an error's "where"; 0, or
 * nonzero to fall back to the server's name. */
typedef int (*pm_pg_row_name)(char *buf, size_t cap, void *user, long row);
/** Send what is left and end the COPY. A failure is PM_EIO with `what` as
 * the message, the server's words as the why, and as the where the row the
 * server named through name_row (may be NULL: the server's name). */
int pm_pg_copy_end(pm_pg *pg, pm_ctx *ctx, const char *what, pm_pg_row_name name_row, void *user);
/** Abandon a COPY (the server discards the running segment; the caller
 * rolls back). NULL-safe; a no-op without a COPY. */
void pm_pg_copy_abort(pm_pg *pg);
/** Append s as a COPY text value: backslash, tab, newline and carriage
 * return escaped. */
void pm_pg_copy_text(sbuf *b, const char *s);
/** Append d as float8 text that reads back bit for bit (NaN, ±Infinity). */
void pm_pg_copy_double(sbuf *b, double d);
/** Append NDR WKB from pm_geom_to_wkb as hex EWKB carrying srid (what a
 * geometry(type, srid) column's text input takes). */
int pm_pg_copy_ewkb(sbuf *b, pm_ctx *ctx, const unsigned char *wkb, size_t len, int srid);

/* ---- layers, metadata, cursors (store_pg_layer.c) ----------------------- */

/** Names of the layers (tables with a geometry column in the current
 * schema, parkmap_meta aside), sorted. Caller owns *out (pm_strv_free). */
int pm_pg_layers(char ***out, size_t *out_n, pm_ctx *ctx, pm_pg *pg);
/** The table's real name (caller frees; may be NULL) and SRID (may be
 * NULL) of a layer: 1 found, 0 not, <0 error. */
int pm_pg_find_layer(char **out_name, int *out_srid, pm_ctx *ctx, pm_pg *pg, const char *layer);
/** Does a layer of this name exist (compared case-insensitively, as the
 * SpatiaLite store does)? 1/0, <0 on error. */
int pm_pg_has_layer(pm_pg *pg, pm_ctx *ctx, const char *layer);
/** The SRID of a layer's geometry column; PM_EUSAGE when there is no such
 * layer. */
int pm_pg_layer_srid(int *out, pm_ctx *ctx, pm_pg *pg, const char *layer);
/** A parkmap_meta value (layer "" for the database's own keys). Caller owns
 * *out (free()); *out is NULL when absent (also when there is no
 * parkmap_meta table yet). */
int pm_pg_meta_get(char **out, pm_ctx *ctx, pm_pg *pg, const char *layer, const char *key);

typedef struct pm_pg_cursor pm_pg_cursor;
/** Stream a layer's features in stored (pk, i.e. source) order through a
 * server-side cursor, 1000 rows per fetch. Opens a read transaction when the
 * connection is idle (closed by pm_pg_cursor_free); inside a caller's
 * transaction it reads in that one. Caller owns *out. */
int pm_pg_cursor_open(pm_pg_cursor **out, pm_ctx *ctx, pm_pg *pg, const char *layer);
/** The same, reading only the attributes named in fields (exact names, in
 * the layer's column order; fields NULL: every one) and, with bbox (xmin,
 * ymin, xmax, ymax in the storage CRS), only the features whose own
 * extents meet it, found through the GiST index (geom && box). */
int pm_pg_cursor_open_where(pm_pg_cursor **out, pm_ctx *ctx, pm_pg *pg, const char *layer,
                            const char *const *fields, size_t nfields, const double *bbox);
/** The layer's attribute schema (borrowed from the cursor). */
const pm_schema *pm_pg_cursor_schema(const pm_pg_cursor *cur);
/** Next feature into *out (caller clears it). 1 read, 0 end, <0 error. */
int pm_pg_cursor_next(pm_pg_cursor *cur, pm_ctx *ctx, pm_feature *out);
/** Close the cursor (and its transaction) and release. NULL-safe. */
void pm_pg_cursor_free(pm_pg_cursor *cur);

/** A layer's table quoted for SQL, its name column quoted or the text NULL
 * (for a SELECT list; cast it ::text), and its SRID (may be NULL); the
 * error of a missing layer. Caller frees both strings. */
int pm_pg_layer_sql(char **out_table, char **out_name, int *out_srid, pm_ctx *ctx, pm_pg *pg,
                    const char *layer);
/** What the layer's geometry column holds, as geometry_columns says. */
int pm_pg_geom_kind(pm_geom_kind *out, pm_ctx *ctx, pm_pg *pg, const char *layer);
/** Feature count and exact extent (NAN when empty) in the storage CRS. */
int pm_pg_layer_stats(long *out_count, double out_bbox[4], pm_ctx *ctx, pm_pg *pg,
                      const char *layer);

/* ---- import (store_pg_import.c) ----------------------------------------- */

typedef struct pm_pg_import pm_pg_import;
/** Start an import into pg (opts->db_path is ignored: pg is the target).
 * Opens ONE transaction, takes a transaction-level advisory lock keyed on
 * the layer's lower-cased name (a second import into the same layer waits
 * for this one, or fails cleanly after lock_timeout) and creates a staging
 * table; nothing is visible to others before pm_pg_import_commit. An
 * existing layer without opts->overwrite fails with PM_EEXIST. Caller owns
 * *out (pm_pg_import_free). */
int pm_pg_import_begin(pm_pg_import **out, pm_ctx *ctx, pm_pg *pg, const pm_store_import_opts *opts,
                       const pm_schema *schema);
/** Queue one feature (values in schema order, geometry in the storage
 * CRS) as a row of the import's COPY; a row the server refuses fails
 * pm_pg_import_commit, naming the feature. Rings must be closed with at
 * least 4 points (PM_EINPUT otherwise). */
int pm_pg_import_add(pm_pg_import *imp, pm_ctx *ctx, const pm_feature *f);
/** Check validity (unless allow_invalid), drop the replaced layer and the
 * tables derived from it, rename the staging table into place, build the
 * GiST index, write parkmap_meta and COMMIT. Any failure rolls back: the
 * server is as it was. */
int pm_pg_import_commit(pm_pg_import *imp, pm_ctx *ctx, int allow_invalid, long *out_count);
/** Roll back (if not committed) and release. NULL-safe. The connection
 * stays open and idle. */
void pm_pg_import_free(pm_pg_import *imp);

/* ---- the backend behind pm_store (store_pg_ops.c, store_pg_derived.c);
 * the ops of store_backend.h, `be` being a pm_pg_store ----------------- */

typedef struct pm_pg_store {
    pm_pg *pg;
    int writable; /* opened so, the role may create tables, not a standby */
    char *db;     /* the --db string, for a second connection (scrubbed on free) */
} pm_pg_store;

int pm_pgs_writer_begin(void **out, pm_ctx *ctx, void *be, const char *name,
                        const pm_schema *schema, pm_geom_kind kind, int srid);
int pm_pgs_writer_add(pm_ctx *ctx, void *w, const pm_feature *f);
int pm_pgs_writer_commit(pm_ctx *ctx, void *w, const char *derived_from);
void pm_pgs_writer_free(void *w);
/* In-place geometry replacement (store_pg_update.c). */
int pm_pgs_update_begin(void **out, pm_ctx *ctx, void *be, const char *layer);
int pm_pgs_update_geom(pm_ctx *ctx, void *u, int64_t fid, const pm_geom *g);
int pm_pgs_update_commit(pm_ctx *ctx, void *u);
void pm_pgs_update_free(void *u);

#endif
