/* SpatiaLite backend: opening and closing databases, the SQL plumbing the
 * other store_sl_*.c files share, and the backend's ops table. */
#include "store_sl.h"
#include "store_path.h"

#include "parkmap/crs.h"

#include <errno.h>
#include <spatialite.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int pm_sl_sqlerr(pm_sl *st, pm_ctx *ctx, const char *what)
{
    if (!st->db)
        return pm_err(ctx, PM_EIO, what, st->path, "no db");
    struct stat now;
    /* SQLite says "attempt to write a readonly database" (often wrapped in a
     * SpatiaLite function's exception) when the file was renamed over: say
     * what happened instead. */
    const char *file = st->have_ino ? sqlite3_db_filename(st->db, "main") : NULL;
    if (file && *file && (stat(file, &now) != 0 || now.st_dev != st->dev || now.st_ino != st->ino))
        return pm_err(ctx, PM_EIO, what, st->path,
                      "the file was replaced by another program while this command ran, "
                      "an import --overwrite perhaps; nothing was written to it: run the "
                      "command again");
    int code = sqlite3_errcode(st->db) & 0xff, sys = sqlite3_system_errno(st->db);
    /* "disk I/O error" alone does not tell a full disk from a bad one: add
     * the operating system's reason (ENOSPC, EFBIG, EACCES, ...). */
    if ((code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN ||
         code == SQLITE_READONLY) &&
        sys != 0)
        return pm_err(ctx, PM_EIO, what, st->path, "%s: %s", sqlite3_errmsg(st->db), strerror(sys));
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return pm_err(ctx, PM_EIO, what, st->path,
                      "%s: another program is writing it; try again when it is done",
                      sqlite3_errmsg(st->db));
    return pm_err(ctx, PM_EIO, what, st->path, "%s", sqlite3_errmsg(st->db));
}

int pm_sl_connect(pm_sl *st, pm_ctx *ctx, const char *path, int flags)
{
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        int rc = pm_sl_sqlerr(st, ctx, "cannot open database");
        sqlite3_close(st->db);
        st->db = NULL;
        return rc;
    }
    sqlite3_extended_result_codes(st->db, 1);
    struct stat sb;
    if (stat(path, &sb) == 0) {
        st->dev = sb.st_dev;
        st->ino = sb.st_ino;
        st->have_ino = 1;
    }
    /* A database another process is writing is waited for briefly, then
     * reported as locked rather than hanging forever. */
    sqlite3_busy_timeout(st->db, 2000);
    st->splite = spatialite_alloc_connection();
    spatialite_init_ex(st->db, st->splite, 0);
    /* The library never prints: GEOS notices reach the user through our
     * errors (ST_IsValidReason), not as stray stderr lines. */
    spatialite_set_silent_mode(st->splite);
    return 0;
}

int pm_sl_disconnect(pm_sl *st, pm_ctx *ctx)
{
    int rc = 0;
    if (st->db) {
        /* Every statement is finalized where it was prepared; a BUSY here
         * is a leak to fix, not to paper over (virtual tables such as
         * SpatiaLite's own statements must not be finalized by us). */
        if (sqlite3_close(st->db) != SQLITE_OK)
            rc = pm_sl_sqlerr(st, ctx, "cannot close database");
        st->db = NULL;
    }
    if (st->splite) {
        spatialite_cleanup_ex(st->splite);
        st->splite = NULL;
    }
    return rc;
}

int pm_sl_bind_feature(sqlite3_stmt *s, int first, const pm_feature *f)
{
    sqlite3_bind_int64(s, first, f->fid);
    for (size_t i = 0; i < f->nvalues; i++) {
        const pm_value *v = &f->values[i];
        int col = first + 1 + (int)i;
        if (v->is_null)
            sqlite3_bind_null(s, col);
        else if (v->type == PM_FIELD_INTEGER)
            sqlite3_bind_int64(s, col, v->i);
        else if (v->type == PM_FIELD_REAL)
            sqlite3_bind_double(s, col, v->d);
        else
            sqlite3_bind_text(s, col, v->s, -1, SQLITE_STATIC);
    }
    return first + 1 + (int)f->nvalues;
}

int pm_sl_exec(pm_sl *st, pm_ctx *ctx, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        sqlite3_free(msg);
        return pm_sl_sqlerr(st, ctx, "database error");
    }
    return 0;
}

int pm_sl_prepare(pm_sl *st, pm_ctx *ctx, const char *sql, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK)
        return pm_sl_sqlerr(st, ctx, "database error");
    return 0;
}

char *pm_sl_quote_ident(const char *name)
{
    size_t n = strlen(name), q = 0;
    for (size_t i = 0; i < n; i++)
        q += name[i] == '"';
    char *out = malloc(n + q + 3), *p = out;
    if (!out)
        return NULL;
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (name[i] == '"')
            *p++ = '"';
        *p++ = name[i];
    }
    *p++ = '"';
    *p = '\0';
    return out;
}

int pm_sl_has_column(pm_sl *st, pm_ctx *ctx, const char *table, const char *col)
{
    sqlite3_stmt *s = NULL;
    int found = 0, rc;
    /* pragma_table_info takes the table name as a bound value. */
    if ((rc = pm_sl_prepare(st, ctx, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?", &s)))
        return rc;
    sqlite3_bind_text(s, 1, table, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, col, -1, SQLITE_TRANSIENT);
    found = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return found;
}

int pm_sl_check_schema(pm_sl *st, pm_ctx *ctx)
{
    sqlite3_stmt *s = NULL;
    int rc = 0, step;
    step = sqlite3_prepare_v2(st->db,
                              "SELECT value FROM parkmap_meta WHERE layer = '' AND key = "
                              "'schema_version'",
                              -1, &s, NULL);
    if (step != SQLITE_OK) {
        int code = sqlite3_errcode(st->db);
        if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
            rc =
                pm_err(ctx, PM_EIO, "cannot read database", st->path, "%s", sqlite3_errmsg(st->db));
        else if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
            rc = pm_err(ctx, PM_EIO, "database is locked", st->path,
                        "another program is writing it; try again when it is done");
        else
            rc = pm_err(ctx, PM_EIO, "not a parkmap database", st->path,
                        "no parkmap_meta table; create it with 'parkmap import'");
        goto done;
    }
    step = sqlite3_step(s);
    if (step != SQLITE_ROW) {
        rc = pm_err(ctx, PM_EIO, "not a parkmap database", st->path, "no schema_version");
        goto done;
    }
    /* Read as text and parse strictly: sqlite3_column_int() makes '' and
     * 'x' 0, wraps 4294967297 to 1 and clamps 1e20, which would let a
     * damaged or far newer database pass as version 1 (and be rewritten). */
    const unsigned char *txt = sqlite3_column_text(s, 0);
    const char *vs = txt ? (const char *)txt : "";
    char *end = NULL;
    errno = 0;
    long long v = *vs >= '0' && *vs <= '9' ? strtoll(vs, &end, 10) : 0;
    if (!end || *end || v < 1) {
        rc = pm_err(ctx, PM_EIO, "not a parkmap database", st->path,
                    "schema_version '%.40s' is not a version number", vs);
        goto done;
    }
    if (errno == ERANGE || v > PM_STORE_SCHEMA_VERSION)
        rc = pm_err(ctx, PM_EIO, "database is newer than this parkmap", st->path,
                    "schema version %.40s, this parkmap understands up to %d", vs,
                    PM_STORE_SCHEMA_VERSION);
done:
    sqlite3_finalize(s);
    return rc;
}

int pm_sl_open(void **out, pm_ctx *ctx, const char *path, int writable)
{
    int rc = 0;
    struct stat sb;
    pm_sl *st = calloc(1, sizeof(*st));
    *out = NULL;
    if (!st || !(st->path = strdup(path))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", path, "store");
        goto done;
    }
    /* SQLite would happily create an empty database for a mistyped path. */
    if (stat(path, &sb) != 0) {
        rc = pm_err(ctx, PM_EIO, "cannot open database", path, "%s", strerror(errno));
        goto done;
    }
    if (!S_ISREG(sb.st_mode)) {
        rc = pm_err(ctx, PM_EIO, "cannot open database", path, "not a regular file");
        goto done;
    }
    if ((rc = pm_store_path_fits(ctx, path, 0)))
        goto done;
    if ((rc =
             pm_sl_connect(st, ctx, path, writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY)))
        goto done;
    if ((rc = pm_sl_check_schema(st, ctx)))
        goto done;
    *out = st;
    st = NULL;
done:
    pm_sl_close(NULL, st);
    return rc;
}

int pm_sl_close(pm_ctx *ctx, void *be)
{
    pm_sl *st = be;
    if (!st)
        return 0;
    int rc = pm_sl_disconnect(st, ctx);
    free(st->path);
    free(st);
    return rc;
}

const char *pm_store_spatialite_version(void)
{
    return spatialite_version();
}

const char *pm_store_geos_version(void)
{
    /* GEOS is reached only through SpatiaLite, so ask it, on a throwaway
     * in-memory connection. */
    static char version[64] = "";
    if (!*version) {
        pm_sl st = {0};
        sqlite3_stmt *s = NULL;
        snprintf(version, sizeof version, "unknown");
        if (pm_sl_connect(&st, NULL, ":memory:", SQLITE_OPEN_READWRITE) == 0 &&
            sqlite3_prepare_v2(st.db, "SELECT geos_version()", -1, &s, NULL) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
            snprintf(version, sizeof version, "%s", (const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        pm_sl_disconnect(&st, NULL);
    }
    return version;
}

const char *pm_store_sqlite_version(void)
{
    return sqlite3_libversion();
}

const pm_store_ops pm_sl_ops = {
    .name = "SpatiaLite",
    .open = pm_sl_open,
    .close = pm_sl_close,
    .writable = pm_sl_writable,
    .layers = pm_sl_layers,
    .has_layer = pm_sl_has_layer,
    .layer_srid = pm_sl_layer_srid,
    .geom_kind = pm_sl_geom_kind,
    .stats = pm_sl_stats,
    .meta_get = pm_sl_meta_get,
    .cursor_open = pm_sl_cursor_open,
    .cursor_schema = pm_sl_cursor_schema,
    .cursor_next = pm_sl_cursor_next,
    .cursor_free = pm_sl_cursor_free,
    .import_begin = pm_sl_import_begin,
    .import_add = pm_sl_import_add,
    .import_commit = pm_sl_import_commit,
    .import_free = pm_sl_import_free,
    .writer_begin = pm_sl_writer_begin,
    .writer_add = pm_sl_writer_add,
    .writer_commit = pm_sl_writer_commit,
    .writer_free = pm_sl_writer_free,
    .update_begin = pm_sl_update_begin,
    .update_geom = pm_sl_update_geom,
    .update_commit = pm_sl_update_commit,
    .update_free = pm_sl_update_free,
};
