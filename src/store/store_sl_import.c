/* SpatiaLite backend, import: one layer written into a temporary copy of
 * the database inside a single transaction, then renamed over the original.
 * rename(2) is atomic, so a crash, a kill or a failed feature leaves the
 * original untouched. */
#include "store_sl.h"
#include "store_path.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct pm_sl_import {
    pm_sl st;
    char *final_path;
    char *tmp_path;
    char *table; /* quoted */
    char *layer;
    int srid;
    pm_sl_table *tab; /* the layer, bulk loaded (store_sl_table.c) */
    sqlite3 *orig;    /* read transaction on the original until the rename */
    size_t nfields;
    long count;
    int committed;
    char *dropped; /* derived tables removed with the replaced layer, or NULL */
    int rederive;  /* the caller writes them anew: no warning */
    const pm_store_import_opts *opts;
} pm_sl_import;

static const char *const reserved[] = {"pk", "source_fid", "geom"};

/* Copy the existing database into the (empty) temporary file through
 * SQLite's backup API, under a read transaction on the original that stays
 * open until the copy has been renamed over it (pm_sl_import_commit):
 * - a writer in the middle of a transaction is waited for (busy timeout),
 *   then reported as a lock, so its half-written pages are never copied;
 * - a hot journal is rolled back first, WAL content is included;
 * - no other writer can commit between our copy and our rename, so no
 *   update is silently lost. */
static int snapshot_copy(pm_sl_import *imp, pm_ctx *ctx, const char *from, const char *to)
{
    sqlite3 *dst = NULL;
    sqlite3_backup *b = NULL;
    int rc = 0, e;
    pm_sl orig = {.path = (char *)from};
    if (sqlite3_open_v2(from, &imp->orig, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        orig.db = imp->orig;
        rc = pm_sl_sqlerr(&orig, ctx, "cannot open database");
        goto done;
    }
    orig.db = imp->orig;
    sqlite3_extended_result_codes(imp->orig, 1);
    sqlite3_busy_timeout(imp->orig, 2000);
    if (sqlite3_exec(imp->orig, "BEGIN; SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
        SQLITE_OK) {
        e = sqlite3_errcode(imp->orig) & 0xff;
        rc = e == SQLITE_BUSY || e == SQLITE_LOCKED
                 ? pm_err(ctx, PM_EIO, "database is locked", from,
                          "another program is writing it; try again when it is done")
                 : pm_sl_sqlerr(&orig, ctx, "cannot read database");
        goto done;
    }
    if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        pm_sl tmp = {.db = dst, .path = (char *)to};
        rc = pm_sl_sqlerr(&tmp, ctx, "cannot write database");
        goto done;
    }
    b = sqlite3_backup_init(dst, "main", imp->orig, "main");
    e = b ? sqlite3_backup_step(b, -1) : sqlite3_errcode(dst);
    if (b)
        sqlite3_backup_finish(b);
    if (e != SQLITE_DONE) {
        /* The error is the destination's (disk full) or the source's (corrupt). */
        int de = sqlite3_errcode(dst) & 0xff;
        pm_sl tmp = {.db = dst, .path = (char *)from};
        if (de != SQLITE_OK && de != SQLITE_DONE)
            rc = pm_sl_sqlerr(&tmp, ctx, "cannot write database");
        else
            rc = pm_err(ctx, PM_EIO, "cannot read database", from, "%s", sqlite3_errstr(e));
        goto done;
    }
done:
    if (dst && sqlite3_close(dst) != SQLITE_OK && !rc)
        rc = pm_err(ctx, PM_EIO, "cannot write database", to, "cannot close the working copy");
    return rc;
}

/* The attributes parkmap reads by name (DESIGN.md's data model, plus the
 * GeoJSON-style id). When a source has case variants of one of them
 * ("name" and "NAME"), the exact name keeps it and the variant is renamed:
 * renaming "name" made every park unnamed. */
static const char *const well_known[] = {
    "name",        "name_zh", "industry",    "planned_area_km2",
    "enterprises", "status",  "area_source", "id"};

static int is_well_known(const char *name)
{
    for (size_t i = 0; i < sizeof well_known / sizeof *well_known; i++)
        if (strcmp(name, well_known[i]) == 0)
            return 1;
    return 0;
}

/* Column names for the table: the schema's, with collisions against our own
 * columns or each other (SQLite compares names case-insensitively) renamed;
 * a well-known attribute's exact name is given out first. */
static char **column_names(pm_ctx *ctx, const pm_schema *schema)
{
    char **names = calloc(schema->nfields + 1, sizeof(char *));
    if (!names)
        return NULL;
    for (size_t i = 0; i < schema->nfields; i++) {
        const char *base = schema->fields[i].name;
        int taken = 0;
        for (size_t j = 0; j < i && !taken; j++)
            taken = names[j] && strcmp(names[j], base) == 0;
        if (is_well_known(base) && !taken && !(names[i] = strdup(base))) {
            pm_strv_free(names, schema->nfields);
            return NULL;
        }
    }
    for (size_t i = 0; i < schema->nfields; i++) {
        if (names[i])
            continue;
        const char *base = schema->fields[i].name;
        /* Names are kept whole however long (SQLite has no limit short of
         * its statement size); only a clash renames. */
        size_t cap = strlen(base) + 32;
        char *cand = malloc(cap);
        if (!cand) {
            pm_strv_free(names, schema->nfields);
            return NULL;
        }
        snprintf(cand, cap, "%s", *base ? base : "field");
        for (int k = 2;; k++) {
            int clash = 0;
            for (size_t r = 0; r < sizeof reserved / sizeof *reserved; r++)
                clash |= strcasecmp(cand, reserved[r]) == 0;
            for (size_t j = 0; j < schema->nfields; j++)
                clash |= j != i && names[j] && strcasecmp(cand, names[j]) == 0;
            if (!clash)
                break;
            snprintf(cand, cap, "%s_%d", *base ? base : "field", k);
        }
        if (strcmp(cand, base) != 0)
            pm_warn(ctx, "field '%s' stored as '%s' (name taken)", base, cand);
        names[i] = cand;
    }
    return names;
}

static int drop_layer(pm_sl *st, pm_ctx *ctx, const char *layer)
{
    sqlite3_stmt *s = NULL;
    int rc = pm_sl_prepare(st, ctx, "SELECT DropTable(NULL, ?)", &s);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, layer, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_ROW || sqlite3_column_int(s, 0) != 1)
        rc = pm_sl_sqlerr(st, ctx, "cannot replace layer");
    sqlite3_finalize(s);
    return rc;
}

/* Tables analysis derived from a layer (parkmap_meta: derived_from) hold
 * findings about the data they were computed on; once that data is
 * replaced they are untrue (issue 16: the old qa_issues drawn in red on the
 * new parks). They go with it, in the import's transaction, so a failed
 * import keeps them; the next check, adjacency or layout writes them again. */
static int drop_derived(pm_sl_import *imp, pm_ctx *ctx)
{
    pm_sl *st = &imp->st;
    const char *layer = imp->layer;
    sqlite3_stmt *s = NULL;
    char **names = NULL;
    size_t n = 0;
    int rc = pm_sl_prepare(st, ctx,
                           "SELECT DISTINCT layer FROM parkmap_meta WHERE key = 'derived_from' "
                           "AND lower(value) = lower(?1) AND lower(layer) <> lower(?1)",
                           &s);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, layer, -1, SQLITE_TRANSIENT);
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        char **nv = realloc(names, (n + 1) * sizeof *names);
        if (!nv || !(nv[n] = strdup((const char *)sqlite3_column_text(s, 0)))) {
            if (nv)
                names = nv;
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "derived tables");
            goto done;
        }
        names = nv;
        n++;
    }
    if (step != SQLITE_DONE) {
        rc = pm_sl_sqlerr(st, ctx, "cannot read database");
        goto done;
    }
    sqlite3_finalize(s);
    s = NULL;
    for (size_t i = 0; i < n; i++) {
        int has = pm_sl_has_layer(ctx, st, names[i]);
        if (has < 0) {
            rc = has;
            goto done;
        }
        if (has && (rc = drop_layer(st, ctx, names[i])))
            goto done;
        if ((rc = pm_sl_prepare(st, ctx, "DELETE FROM parkmap_meta WHERE lower(layer) = lower(?)",
                                &s)))
            goto done;
        sqlite3_bind_text(s, 1, names[i], -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) != SQLITE_DONE) {
            rc = pm_sl_sqlerr(st, ctx, "cannot write database");
            goto done;
        }
        sqlite3_finalize(s);
        s = NULL;
        if (has) {
            /* Said once the import has committed (pm_sl_import_commit). */
            size_t len = imp->dropped ? strlen(imp->dropped) : 0;
            char *d = realloc(imp->dropped, len + strlen(names[i]) + 3);
            if (!d) {
                rc = pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "derived tables");
                goto done;
            }
            sprintf(d + len, "%s%s", len ? ", " : "", names[i]);
            imp->dropped = d;
        }
    }
done:
    sqlite3_finalize(s);
    pm_strv_free(names, n);
    return rc;
}

/* SpatiaLite's built-in EPSG table has gaps (EPSG:32760, UTM 60S, is
 * missing in 5.0.1): register the CRS from PROJ's own definition. */
static int register_srid(pm_sl *st, pm_ctx *ctx, int srid, const pm_store_import_opts *o)
{
    sqlite3_stmt *s = NULL;
    int rc = pm_sl_prepare(st, ctx,
                           "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, "
                           "ref_sys_name, proj4text, srtext) VALUES (?1, 'epsg', ?1, ?2, ?3, ?4)",
                           &s);
    if (rc)
        return rc;
    sqlite3_bind_int(s, 1, srid);
    sqlite3_bind_text(s, 2, o->storage_crs_name ? o->storage_crs_name : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, o->storage_crs_proj4, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, o->storage_crs_wkt, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = pm_sl_sqlerr(st, ctx, "cannot register CRS");
    sqlite3_finalize(s);
    return rc;
}

static int ensure_srid(pm_sl *st, pm_ctx *ctx, int srid, const pm_store_import_opts *o)
{
    sqlite3_stmt *s = NULL;
    int rc = pm_sl_prepare(st, ctx, "SELECT 1 FROM spatial_ref_sys WHERE srid = ?", &s);
    if (rc)
        return rc;
    sqlite3_bind_int(s, 1, srid);
    int known = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    if (known)
        return 0;
    /* PROJ's definition is the one parkmap transforms with, so prefer it;
     * SpatiaLite's inlined table (which prints to stdout when it lacks a
     * code) only for codes asked without one. */
    if (o && srid == o->srid && o->storage_crs_proj4 && o->storage_crs_wkt)
        return register_srid(st, ctx, srid, o);
    if ((rc = pm_sl_prepare(st, ctx, "SELECT InsertEpsgSrid(?)", &s)))
        return rc;
    sqlite3_bind_int(s, 1, srid);
    if (sqlite3_step(s) != SQLITE_ROW || sqlite3_column_int(s, 0) != 1) {
        char where[64];
        snprintf(where, sizeof where, "EPSG:%d", srid);
        rc = pm_err(ctx, PM_EUSAGE, "CRS unknown to SpatiaLite", where,
                    "the storage CRS needs an EPSG code SpatiaLite knows");
    }
    sqlite3_finalize(s);
    return rc;
}

/* The layer's table, its columns named by column_names. */
static int create_table(pm_sl_import *imp, pm_ctx *ctx, const pm_schema *schema)
{
    char **names = column_names(ctx, schema);
    if (!names)
        return pm_err(ctx, PM_ENOMEM, "out of memory", imp->final_path, "columns");
    int rc =
        pm_sl_table_create(&imp->tab, &imp->st, ctx, imp->layer, schema, (const char *const *)names,
                           PM_GEOM_POLYGON, imp->srid, "cannot insert feature");
    pm_strv_free(names, schema->nfields);
    return rc;
}

int pm_sl_import_begin(void **out, pm_ctx *ctx, const pm_store_import_opts *opts,
                       const pm_schema *schema)
{
    int rc = 0, fd = -1, exists;
    struct stat sb;
    pm_sl_import *imp = calloc(1, sizeof(*imp));
    *out = NULL;
    if (!imp)
        return pm_err(ctx, PM_ENOMEM, "out of memory", opts->db_path, "import");
    imp->opts = opts;
    imp->srid = opts->srid;
    imp->rederive = opts->rederive;
    imp->nfields = schema->nfields;
    /* A symbolic link is followed, as SQLite does when it opens one: the
     * copy is made beside the file it points to and renamed over that file,
     * so the database the link names is updated and the link stays. */
    if ((rc = pm_store_path_target(&imp->final_path, ctx, opts->db_path)))
        goto done;
    imp->layer = strdup(opts->layer);
    imp->table = pm_sl_quote_ident(opts->layer);
    imp->st.path = strdup(opts->db_path);
    if (!imp->layer || !imp->table || !imp->st.path) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", opts->db_path, "import");
        goto done;
    }
    /* The working copy's name is the longest SQLite is given. */
    if ((rc = pm_store_path_fits(ctx, imp->final_path, strlen(".tmp-XXXXXX"))))
        goto done;
    exists = stat(imp->final_path, &sb) == 0;
    if (exists && !S_ISREG(sb.st_mode)) {
        rc = pm_err(ctx, PM_EIO, "cannot write database", opts->db_path, "not a regular file");
        goto done;
    }
    /* Replacing the file by rename would bypass its permissions: a
     * write-protected database is a request to leave it alone (checked on
     * the mode bits, since root passes access(W_OK) on anything). */
    if (exists && !(sb.st_mode & 0222)) {
        rc = pm_err(ctx, PM_EIO, "cannot write database", opts->db_path,
                    "the file is read-only (mode %04o)", (unsigned)(sb.st_mode & 07777));
        goto done;
    }
    /* Set only now: pm_store_import_free removes whatever tmp_path names. */
    if (!(imp->tmp_path = malloc(strlen(imp->final_path) + 16))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", opts->db_path, "import");
        goto done;
    }
    sprintf(imp->tmp_path, "%s.tmp-XXXXXX", imp->final_path);
    fd = mkstemp(imp->tmp_path);
    if (fd < 0) {
        rc = pm_err(ctx, PM_EIO, "cannot write database", opts->db_path, "%s", strerror(errno));
        free(imp->tmp_path);
        imp->tmp_path = NULL;
        goto done;
    }
    /* mkstemp makes 0600; the database keeps the mode it had, or gets the
     * usual 0644, so replacing it does not change who may read it. */
    (void)fchmod(fd, exists ? (sb.st_mode & 07777) : 0644);
    if (close(fd) != 0) {
        fd = -1;
        rc = pm_err(ctx, PM_EIO, "cannot write database", imp->tmp_path, "%s", strerror(errno));
        goto done;
    }
    fd = -1;
    if (exists && (rc = snapshot_copy(imp, ctx, imp->final_path, imp->tmp_path)))
        goto done;
    if ((rc = pm_sl_connect(&imp->st, ctx, imp->tmp_path, SQLITE_OPEN_READWRITE)))
        goto done;
    {
        /* A source with thousands of properties is bad input, not a
         * database error: say so before SQLite's "too many columns". */
        size_t maxcols = (size_t)sqlite3_limit(imp->st.db, SQLITE_LIMIT_COLUMN, -1);
        size_t ours = sizeof reserved / sizeof *reserved;
        if (schema->nfields + ours > maxcols) {
            rc = pm_err(ctx, PM_EINPUT, "too many attributes", opts->source_path,
                        "%zu fields; a table holds at most %zu (SQLite's column limit, %zu of "
                        "them parkmap's)",
                        schema->nfields, maxcols - ours, ours);
            goto done;
        }
    }
    /* The temporary copy is renamed into place whole, so the journal only
     * has to survive our own rollback, not a crash. */
    if ((rc = pm_sl_exec(&imp->st, ctx, "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF")))
        goto done;
    if (exists) {
        free(imp->st.path);
        imp->st.path = strdup(opts->db_path); /* messages name the user's file */
        if ((rc = pm_sl_check_schema(&imp->st, ctx)))
            goto done;
    } else {
        if ((rc = pm_sl_exec(&imp->st, ctx,
                             "SELECT InitSpatialMetadata(1, 'NONE');"
                             "CREATE TABLE parkmap_meta (layer TEXT NOT NULL, key TEXT NOT "
                             "NULL, value TEXT, PRIMARY KEY (layer, key))")))
            goto done;
    }
    if ((rc = pm_sl_exec(&imp->st, ctx, "BEGIN")))
        goto done;
    sqlite3_stmt *s = NULL;
    if ((rc = pm_sl_prepare(&imp->st, ctx,
                            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                            "lower(name) = lower(?)",
                            &s)))
        goto done;
    sqlite3_bind_text(s, 1, opts->layer, -1, SQLITE_TRANSIENT);
    int layer_exists = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    if (layer_exists && !opts->overwrite) {
        char where[600];
        snprintf(where, sizeof where, "%s layer %s", opts->db_path, opts->layer);
        rc = pm_err(ctx, PM_EEXIST, "layer already exists", where, "use --overwrite to replace it");
        goto done;
    }
    if (layer_exists && (rc = drop_layer(&imp->st, ctx, opts->layer)))
        goto done;
    if ((rc = drop_derived(imp, ctx)))
        goto done;
    if ((rc = ensure_srid(&imp->st, ctx, opts->srid, opts)) ||
        (rc = ensure_srid(&imp->st, ctx, 4326, NULL)))
        goto done;
    if ((rc = create_table(imp, ctx, schema)))
        goto done;
    *out = imp;
    imp = NULL;
done:
    if (fd >= 0)
        close(fd);
    pm_sl_import_free(imp);
    return rc;
}

int pm_sl_import_add(pm_ctx *ctx, void *be_imp, const pm_feature *f)
{
    pm_sl_import *imp = be_imp;
    if (f->nvalues != imp->nfields)
        return pm_err(ctx, PM_EINTERNAL, "feature does not match schema", imp->final_path,
                      "%zu values for %zu fields", f->nvalues, imp->nfields);
    int rc = pm_sl_table_add(imp->tab, ctx, f);
    if (!rc)
        imp->count++;
    return rc;
}

/* The loader refused every geometry invalid in the source (unless
 * --allow-invalid, which skips this), so what is invalid here became so in
 * reprojection: a hole touching its shell at one vertex that the projection
 * pushes a hair across it. That is repaired (ST_MakeValid) when the repair
 * moves the area by at most PM_REPAIR_PPM millionths, with a warning naming
 * the feature; a larger change is no hair and stays an error. */
#define PM_REPAIR_PPM 1.0

static int check_validity(pm_sl_import *imp, pm_ctx *ctx)
{
    char sql[768];
    sqlite3_stmt *s = NULL;
    int rc = 0, step, n = 0;
    const char *src = imp->opts->source_path ? imp->opts->source_path : imp->final_path;
    snprintf(sql, sizeof sql,
             "SELECT source_fid, ST_IsValidReason(geom), ST_Area(geom), ST_Area(g2), "
             "ST_IsValid(g2) FROM (SELECT source_fid, geom, "
             "CastToMultiPolygon(ST_MakeValid(geom)) AS g2 FROM %s WHERE ST_IsValid(geom) <> 1) "
             "ORDER BY source_fid",
             imp->table);
    if ((rc = pm_sl_prepare(&imp->st, ctx, sql, &s)))
        return rc;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        char where[600];
        snprintf(where, sizeof where, "%s feature %lld", src,
                 (long long)sqlite3_column_int64(s, 0));
        const unsigned char *why = sqlite3_column_text(s, 1);
        double a0 = sqlite3_column_double(s, 2), a1 = sqlite3_column_double(s, 3);
        int fixed = sqlite3_column_type(s, 3) != SQLITE_NULL && sqlite3_column_int(s, 4) == 1 &&
                    fabs(a1 - a0) <= PM_REPAIR_PPM * 1e-6 * fabs(a0);
        if (!fixed) {
            rc = pm_err(ctx, PM_EINPUT, "invalid geometry", where,
                        "%s after reprojection to %s, though valid in the source; no repair "
                        "keeps its area; store it as is with --allow-invalid",
                        why ? (const char *)why : "?", imp->opts->storage_crs);
            goto done;
        }
        pm_warn(ctx,
                "%s: valid in the source, invalid after reprojection to %s (%s); repaired, "
                "area changed by %.3g m2",
                where, imp->opts->storage_crs, why ? (const char *)why : "?", a1 - a0);
        n++;
    }
    if (step != SQLITE_DONE) {
        rc = pm_sl_sqlerr(&imp->st, ctx, "cannot check geometries");
        goto done;
    }
    if (n) {
        snprintf(sql, sizeof sql,
                 "UPDATE %s SET geom = CastToMultiPolygon(ST_MakeValid(geom)) "
                 "WHERE ST_IsValid(geom) <> 1",
                 imp->table);
        rc = pm_sl_exec(&imp->st, ctx, sql);
    }
done:
    sqlite3_finalize(s);
    return rc;
}

static int put_meta(pm_sl_import *imp, pm_ctx *ctx, const char *layer, const char *key,
                    const char *value)
{
    sqlite3_stmt *s = NULL;
    int rc = pm_sl_prepare(&imp->st, ctx,
                           "INSERT OR REPLACE INTO parkmap_meta (layer, key, value) "
                           "VALUES (?, ?, ?)",
                           &s);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, layer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
    if (value)
        sqlite3_bind_text(s, 3, value, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, 3);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = pm_sl_sqlerr(&imp->st, ctx, "cannot write metadata");
    sqlite3_finalize(s);
    return rc;
}

static int fsync_path(const char *path, int dir)
{
    int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

int pm_sl_import_commit(long *out, pm_ctx *ctx, void *be_imp, int allow_invalid)
{
    pm_sl_import *imp = be_imp;
    int rc = 0;
    char buf[64];
    const pm_store_import_opts *o = imp->opts;
    /* The R*Tree packed, the triggers back: the layer is whole. */
    if ((rc = pm_sl_table_finish(imp->tab, ctx)))
        return rc;
    pm_sl_table_free(imp->tab);
    imp->tab = NULL;
    if (!allow_invalid && (rc = check_validity(imp, ctx)))
        return rc;
    time_t now = time(NULL);
    struct tm tmv;
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tmv));
    char count[32], ver[16];
    snprintf(count, sizeof count, "%ld", imp->count);
    snprintf(ver, sizeof ver, "%d", PM_STORE_SCHEMA_VERSION);
    if ((rc = put_meta(imp, ctx, "", "schema_version", ver)) ||
        (rc = put_meta(imp, ctx, "", "parkmap_version", PM_VERSION)) ||
        (rc = put_meta(imp, ctx, imp->layer, "source_path", o->source_path)) ||
        (rc = put_meta(imp, ctx, imp->layer, "source_sha256", o->source_sha256)) ||
        (rc = put_meta(imp, ctx, imp->layer, "imported_at", buf)) ||
        (rc = put_meta(imp, ctx, imp->layer, "source_crs", o->source_crs)) ||
        (rc = put_meta(imp, ctx, imp->layer, "storage_crs", o->storage_crs)) ||
        (rc = put_meta(imp, ctx, imp->layer, "feature_count", count)) ||
        (rc = put_meta(imp, ctx, imp->layer, "parkmap_version", PM_VERSION)))
        return rc;
    if ((rc = pm_sl_exec(&imp->st, ctx, "COMMIT")))
        return rc;
    if ((rc = pm_sl_disconnect(&imp->st, ctx)))
        return rc;
    if (fsync_path(imp->tmp_path, 0) != 0)
        return pm_err(ctx, PM_EIO, "cannot write database", imp->tmp_path, "%s", strerror(errno));
    if (rename(imp->tmp_path, imp->final_path) != 0)
        return pm_err(ctx, PM_EIO, "cannot write database", imp->final_path, "%s", strerror(errno));
    imp->committed = 1;
    if (imp->dropped && !imp->rederive)
        pm_warn(ctx,
                "%s: %s removed: derived from the replaced layer %s; run check, adjacency "
                "or layout again",
                imp->st.path, imp->dropped, imp->layer);
    sqlite3_close(imp->orig); /* ends the read transaction on the old file */
    imp->orig = NULL;
    {
        char *d = strdup(imp->final_path);
        if (d) {
            (void)fsync_path(dirname(d), 1); /* best effort: the rename is done */
            free(d);
        }
    }
    if (out)
        *out = imp->count;
    return 0;
}

void pm_sl_import_free(void *be_imp)
{
    pm_sl_import *imp = be_imp;
    if (!imp)
        return;
    pm_sl_table_free(imp->tab); /* before the disconnect: it holds statements */
    pm_sl_disconnect(&imp->st, NULL);
    sqlite3_close(imp->orig);
    if (imp->tmp_path && !imp->committed)
        unlink(imp->tmp_path);
    free(imp->st.path);
    free(imp->dropped);
    free(imp->tmp_path);
    free(imp->final_path);
    free(imp->table);
    free(imp->layer);
    free(imp);
}
