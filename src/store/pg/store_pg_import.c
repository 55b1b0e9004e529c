/* Import into PostGIS: one transaction, one advisory lock, one staging table.
 *
 *   BEGIN
 *   pg_advisory_xact_lock(layer key)   a second import into the same layer
 *                                      waits here (lock_timeout: fails
 *                                      cleanly, nothing written)
 *   CREATE TABLE parkmap_stage_<pid>   invisible to every other session
 *   COPY ... FROM STDIN                every row, text format (hex EWKB)
 *   -- commit:
 *   validity check and hairline repair (as the SpatiaLite store)
 *   DROP TABLE <old layer>, derived tables
 *   ALTER TABLE parkmap_stage_<pid> RENAME TO <layer>; CREATE INDEX USING gist
 *   parkmap_meta rows
 *   COMMIT
 *
 * Readers of the old layer keep reading it (MVCC) until the very end: the
 * DROP's exclusive lock is taken only at commit time, and held for the
 * rename and the index build. Any failure, a kill or a lost connection
 * rolls the whole transaction back: the server is as it was. */
#include "store_pg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/sbuf.h"

/* Built-in type OIDs (pg_type.h; fixed since PostgreSQL 7). */
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25
#define OID_FLOAT8 701

/* PostgreSQL's identifier limit (NAMEDATALEN - 1): longer names would be
 * truncated by the server, silently merging columns. */
#define PM_PG_IDENT_MAX 63

struct pm_pg_import {
    pm_pg *pg;
    char *layer;
    char *existing; /* real name of the layer replaced (overwrite), or NULL */
    char stage[48];
    int srid;
    size_t nfields;
    pm_field_type *types;
    char **names;  /* the columns, as stored */
    sbuf row;      /* the COPY row being built */
    int64_t *fids; /* source fid of every row sent, to name a refused one */
    size_t fcap;
    long count;
    int in_txn, committed, copying;
    const pm_store_import_opts *opts;
};

static const char *const reserved[] = {"pk", "source_fid", "geom"};
static const char *const well_known[] = {
    "name",        "name_zh", "industry",    "planned_area_km2",
    "enterprises", "status",  "area_source", "id"};

/* The first max bytes of s, not cutting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static int taken_by(char **names, size_t n, size_t self, const char *cand)
{
    for (size_t r = 0; r < sizeof reserved / sizeof *reserved; r++)
        if (strcasecmp(cand, reserved[r]) == 0)
            return 1;
    for (size_t j = 0; j < n; j++)
        if (j != self && names[j] && strcasecmp(cand, names[j]) == 0)
            return 1;
    return 0;
}

/* The SpatiaLite store's column naming (store_import.c: clashes with our
 * columns or each other renamed name_2, name_3, ...; a well-known
 * attribute's exact name given out first), plus PostgreSQL's 63-byte limit:
 * a longer name is cut (at a character boundary) and said so. */
static int column_names(char ***out, pm_ctx *ctx, const pm_schema *schema)
{
    size_t n = schema->nfields;
    char **names = calloc(n + 1, sizeof(char *));
    if (!names)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "import", "columns");
    for (size_t i = 0; i < n; i++) {
        const char *base = schema->fields[i].name;
        int wk = 0;
        for (size_t k = 0; k < sizeof well_known / sizeof *well_known; k++)
            wk |= strcmp(base, well_known[k]) == 0;
        if (wk && !taken_by(names, n, i, base) && !(names[i] = strdup(base)))
            goto oom;
    }
    for (size_t i = 0; i < n; i++) {
        if (names[i])
            continue;
        const char *base = *schema->fields[i].name ? schema->fields[i].name : "field";
        char cand[PM_PG_IDENT_MAX + 1], suffix[16] = "";
        for (int k = 1;; k++) {
            if (k > 1)
                snprintf(suffix, sizeof suffix, "_%d", k);
            size_t keep = utf8_cut(base, PM_PG_IDENT_MAX - strlen(suffix));
            memcpy(cand, base, keep);
            strcpy(cand + keep, suffix);
            if (!taken_by(names, n, i, cand))
                break;
        }
        if (strcmp(cand, schema->fields[i].name) != 0)
            pm_warn(ctx, "field '%s' stored as '%s' (%s)", schema->fields[i].name, cand,
                    strlen(schema->fields[i].name) > PM_PG_IDENT_MAX
                        ? "PostgreSQL names are at most 63 bytes"
                        : "name taken");
        if (!(names[i] = strdup(cand)))
            goto oom;
    }
    *out = names;
    return 0;
oom:
    pm_strv_free(names, n);
    return pm_err(ctx, PM_ENOMEM, "out of memory", "import", "columns");
}

static int where_layer(char *buf, size_t cap, pm_pg *pg, const char *layer)
{
    return snprintf(buf, cap, "%s layer %s", pm_pg_redacted(pg), layer);
}

/* Quote `name` and append it. 0, or the error (recorded) on failure. */
static int add_ident(sbuf *b, pm_pg *pg, pm_ctx *ctx, const char *name)
{
    char *q = pm_pg_ident(pg, ctx, name);
    if (!q)
        return PM_EIO;
    sb_puts(b, q);
    free(q);
    return 0;
}

static int take_sql(char **out, sbuf *b, pm_pg *pg, pm_ctx *ctx)
{
    *out = sb_take(b);
    *b = (sbuf){0}; /* sb_take hands over the text, not a reset buffer */
    return *out ? 0 : pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "SQL");
}

/* The layer's lock, held until COMMIT or ROLLBACK. */
static int lock_layer(pm_pg_import *imp, pm_ctx *ctx)
{
    const char *p[] = {imp->layer};
    PGresult *r = PQexecParams(pm_pg_conn(imp->pg),
                               "SELECT pg_advisory_xact_lock(hashtextextended('parkmap layer ' "
                               "|| lower($1), 0))",
                               1, NULL, p, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        char where[700];
        where_layer(where, sizeof where, imp->pg, imp->layer);
        if (state && strcmp(state, "55P03") == 0) /* lock_not_available */
            rc = pm_err(ctx, PM_EIO, "layer is being imported", where,
                        "another import into it did not finish within lock_timeout; nothing "
                        "was written, try again");
        else
            rc = pm_pg_fail(imp->pg, ctx, "cannot lock layer", r);
    }
    PQclear(r);
    return rc;
}

/* parkmap_meta, created by the first import (under a lock of its own, so
 * that two first imports do not race to create it), and its schema version
 * checked. */
static int ensure_meta(pm_pg_import *imp, pm_ctx *ctx)
{
    PGresult *r = NULL;
    int rc = pm_pg_query(&r, imp->pg, ctx, "cannot read metadata",
                         "SELECT to_regclass('parkmap_meta') IS NOT NULL", 0, NULL);
    if (rc)
        return rc;
    int have = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!have &&
        (rc = pm_pg_exec(imp->pg, ctx, "cannot create metadata table",
                         "SELECT pg_advisory_xact_lock(hashtextextended('parkmap meta', 0)); "
                         "CREATE TABLE IF NOT EXISTS parkmap_meta (layer text NOT NULL, key text "
                         "NOT NULL, value text, PRIMARY KEY (layer, key))")))
        return rc;
    if ((rc = pm_pg_query(&r, imp->pg, ctx, "cannot read metadata",
                          "SELECT value FROM parkmap_meta WHERE layer = '' AND key = "
                          "'schema_version'",
                          0, NULL)))
        return rc;
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) &&
        atoi(PQgetvalue(r, 0, 0)) > PM_STORE_SCHEMA_VERSION)
        rc = pm_err(ctx, PM_EIO, "database written by a newer parkmap", pm_pg_redacted(imp->pg),
                    "schema version %s; this parkmap understands %d", PQgetvalue(r, 0, 0),
                    PM_STORE_SCHEMA_VERSION);
    PQclear(r);
    return rc;
}

/* The layer being replaced, or a table of that name that is no layer (left
 * alone: PM_EEXIST). */
static int check_existing(pm_pg_import *imp, pm_ctx *ctx)
{
    char where[700];
    where_layer(where, sizeof where, imp->pg, imp->layer);
    int f = pm_pg_find_layer(&imp->existing, NULL, ctx, imp->pg, imp->layer);
    if (f < 0)
        return f;
    if (f && !imp->opts->overwrite)
        return pm_err(ctx, PM_EEXIST, "layer already exists", where,
                      "use --overwrite to replace it");
    if (f)
        return 0;
    PGresult *r = NULL;
    const char *p[] = {imp->layer};
    int rc = pm_pg_query(&r, imp->pg, ctx, "cannot read tables",
                         "SELECT 1 FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace "
                         "WHERE s.nspname = current_schema() AND lower(c.relname) = lower($1)",
                         1, p);
    if (rc)
        return rc;
    if (PQntuples(r) > 0)
        rc = pm_err(ctx, PM_EEXIST, "name taken", where,
                    "a table, index or view of that name that is not a parkmap layer exists; "
                    "parkmap leaves it alone");
    PQclear(r);
    return rc;
}

static int ensure_srid(pm_pg_import *imp, pm_ctx *ctx)
{
    char srid[16];
    snprintf(srid, sizeof srid, "%d", imp->srid);
    const char *p[] = {srid, imp->opts->storage_crs_wkt, imp->opts->storage_crs_proj4};
    PGresult *r = NULL;
    int rc = pm_pg_query(&r, imp->pg, ctx, "cannot read spatial_ref_sys",
                         "SELECT 1 FROM spatial_ref_sys WHERE srid = $1::int", 1, p);
    if (rc)
        return rc;
    int known = PQntuples(r) == 1;
    PQclear(r);
    if (known)
        return 0;
    if (!p[1] || !p[2]) {
        char where[32];
        snprintf(where, sizeof where, "EPSG:%d", imp->srid);
        return pm_err(ctx, PM_EUSAGE, "CRS unknown to PostGIS", where,
                      "spatial_ref_sys has no SRID %d", imp->srid);
    }
    /* PROJ's definition, the one parkmap transforms with (as the
     * SpatiaLite store registers it). Needs INSERT on spatial_ref_sys. */
    if ((rc = pm_pg_query(&r, imp->pg, ctx, "cannot register CRS",
                          "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, "
                          "proj4text) VALUES ($1::int, 'EPSG', $1::int, $2, $3)",
                          3, p)))
        return rc;
    PQclear(r);
    return 0;
}

static int create_stage(pm_pg_import *imp, pm_ctx *ctx)
{
    sbuf b = {0};
    char *sql = NULL;
    int rc = 0;
    size_t n = imp->nfields;
    snprintf(imp->stage, sizeof imp->stage, "parkmap_stage_%d", PQbackendPID(pm_pg_conn(imp->pg)));
    /* The staging name is constant text plus a number; the layer's own
     * name only ever reaches SQL quoted. */
    sb_printf(&b, "CREATE TABLE %s (pk bigserial PRIMARY KEY, source_fid bigint NOT NULL",
              imp->stage);
    for (size_t i = 0; i < n && !rc; i++) {
        sb_puts(&b, ", ");
        if (!(rc = add_ident(&b, imp->pg, ctx, imp->names[i])))
            sb_puts(&b, imp->types[i] == PM_FIELD_INTEGER ? " bigint"
                        : imp->types[i] == PM_FIELD_REAL  ? " double precision"
                                                          : " text");
    }
    sb_printf(&b, ", geom geometry(MultiPolygon, %d))", imp->srid);
    if (rc || (rc = take_sql(&sql, &b, imp->pg, ctx)))
        goto done;
    if ((rc = pm_pg_exec(imp->pg, ctx, "cannot create layer", sql)))
        goto done;
    free(sql);
    sql = NULL;
    /* Every row through one COPY: source_fid, the values, the geometry. */
    sb_printf(&b, "COPY %s (source_fid", imp->stage);
    for (size_t i = 0; i < n && !rc; i++) {
        sb_puts(&b, ", ");
        rc = add_ident(&b, imp->pg, ctx, imp->names[i]);
    }
    sb_puts(&b, ", geom) FROM STDIN");
    if (rc || (rc = take_sql(&sql, &b, imp->pg, ctx)) || (rc = pm_pg_copy_begin(imp->pg, ctx, sql)))
        goto done;
    imp->copying = 1;
done:
    free(sb_take(&b));
    free(sql);
    return rc;
}

int pm_pg_import_begin(pm_pg_import **out, pm_ctx *ctx, pm_pg *pg, const pm_store_import_opts *opts,
                       const pm_schema *schema)
{
    int rc = 0;
    pm_pg_import *imp = NULL;
    *out = NULL;
    const char *why = pm_store_check_layer_name(opts->layer, PM_LAYER_NAME_WRITE);
    if (why)
        return pm_err(ctx, PM_EUSAGE, "bad layer name", opts->layer, "%s", why);
    /* PostgreSQL's column limit is 1600; three are ours. */
    if (schema->nfields + 3 > 1600)
        return pm_err(ctx, PM_EINPUT, "too many attributes", opts->source_path,
                      "%zu fields; a PostgreSQL table holds at most 1597 besides parkmap's 3",
                      schema->nfields);
    if (PQtransactionStatus(pm_pg_conn(pg)) != PQTRANS_IDLE)
        return pm_err(ctx, PM_EINTERNAL, "connection busy", pm_pg_redacted(pg),
                      "an import needs a connection outside any transaction");
    if (!(imp = calloc(1, sizeof(*imp))) || !(imp->layer = strdup(opts->layer)) ||
        (schema->nfields && !(imp->types = calloc(schema->nfields, sizeof *imp->types)))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "import");
        goto done;
    }
    imp->pg = pg;
    imp->opts = opts;
    imp->srid = opts->srid;
    imp->nfields = schema->nfields;
    for (size_t i = 0; i < schema->nfields; i++)
        imp->types[i] = schema->fields[i].type;
    if ((rc = column_names(&imp->names, ctx, schema)))
        goto done;
    if ((rc = pm_pg_exec(pg, ctx, "cannot start import", "BEGIN")))
        goto done;
    imp->in_txn = 1;
    if ((rc = lock_layer(imp, ctx)) || (rc = ensure_meta(imp, ctx)) ||
        (rc = check_existing(imp, ctx)) || (rc = ensure_srid(imp, ctx)) ||
        (rc = create_stage(imp, ctx)))
        goto done;
    *out = imp;
    imp = NULL;
done:
    pm_pg_import_free(imp);
    return rc;
}

static int bad_value(pm_pg_import *imp, pm_ctx *ctx, const pm_feature *f, size_t i, const char *why)
{
    char where[800];
    snprintf(where, sizeof where, "%s feature %lld field %s",
             imp->opts->source_path ? imp->opts->source_path : imp->layer, (long long)f->fid,
             imp->names[i]);
    return pm_err(ctx, PM_EINPUT, "bad attribute value", where, "%s", why);
}

/* The feature behind the row-th row of the COPY, for the server's error. */
static int row_name(char *buf, size_t cap, void *user, long row)
{
    pm_pg_import *imp = user;
    if (row < 1 || row > imp->count)
        return -1;
    snprintf(buf, cap, "%s feature %lld",
             imp->opts->source_path ? imp->opts->source_path : imp->layer,
             (long long)imp->fids[row - 1]);
    return 0;
}

int pm_pg_import_add(pm_pg_import *imp, pm_ctx *ctx, const pm_feature *f)
{
    size_t n = imp->nfields;
    int rc = 0;
    unsigned char *wkb = NULL;
    size_t wkb_len = 0;
    sbuf *b = &imp->row;
    if (f->nvalues != n)
        return pm_err(ctx, PM_EINTERNAL, "feature does not match schema", imp->layer,
                      "%zu values for %zu fields", f->nvalues, n);
    if (!imp->copying)
        return pm_err(ctx, PM_EINTERNAL, "import not started", imp->layer, "add");
    if (imp->count == (long)imp->fcap) {
        size_t cap = imp->fcap ? 2 * imp->fcap : 1024;
        int64_t *p = realloc(imp->fids, cap * sizeof *p);
        if (!p)
            return pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(imp->pg), "import");
        imp->fids = p;
        imp->fcap = cap;
    }
    /* One COPY text row: numbers as text that reads back to the same bits
     * (integers in full, doubles with 17 digits), text escaped, NULL as
     * \N, the geometry as hex EWKB. */
    b->len = 0;
    sb_printf(b, "%lld", (long long)f->fid);
    for (size_t i = 0; i < n; i++) {
        const pm_value *v = &f->values[i];
        sb_add(b, "\t", 1);
        if (v->is_null) {
            sb_add(b, "\\N", 2);
            continue;
        }
        if (imp->types[i] == PM_FIELD_TEXT) {
            if (v->type == PM_FIELD_TEXT)
                pm_pg_copy_text(b, v->s ? v->s : "");
            else if (v->type == PM_FIELD_INTEGER)
                sb_printf(b, "%lld", (long long)v->i);
            else
                sb_printf(b, "%.17g", v->d); /* as the INSERTs sent it */
            continue;
        }
        if (imp->types[i] == PM_FIELD_INTEGER) {
            int64_t iv = v->i;
            if (v->type == PM_FIELD_REAL) {
                if (!(v->d == floor(v->d) && fabs(v->d) < 9.2e18)) {
                    rc = bad_value(imp, ctx, f, i, "not an integer");
                    goto done;
                }
                iv = (int64_t)v->d;
            } else if (v->type == PM_FIELD_TEXT) {
                rc = bad_value(imp, ctx, f, i, "text in an integer field");
                goto done;
            }
            sb_printf(b, "%lld", (long long)iv);
        } else {
            double d = v->d;
            if (v->type == PM_FIELD_INTEGER) {
                d = (double)v->i;
            } else if (v->type == PM_FIELD_TEXT) {
                rc = bad_value(imp, ctx, f, i, "text in a real field");
                goto done;
            }
            pm_pg_copy_double(b, d);
        }
    }
    sb_add(b, "\t", 1);
    if (f->geom) {
        if (f->geom->kind != PM_GEOM_POLYGON) {
            char where[800];
            snprintf(where, sizeof where, "%s feature %lld",
                     imp->opts->source_path ? imp->opts->source_path : imp->layer,
                     (long long)f->fid);
            rc = pm_err(ctx, PM_EINPUT, "not a polygon", where,
                        "a layer holds (multi)polygons; this feature is a line");
            goto done;
        }
        /* PostGIS's text input of (E)WKB skips the ring checks
         * ST_GeomFromWKB made: closure and four points are checked here. */
        for (size_t p = 0; p < f->geom->nparts; p++)
            for (size_t r = 0; r < f->geom->parts[p].nrings; r++) {
                const pm_ring *g = &f->geom->parts[p].rings[r];
                if (g->n == 0 || (g->n >= 4 && g->xy[0] == g->xy[2 * g->n - 2] &&
                                  g->xy[1] == g->xy[2 * g->n - 1]))
                    continue;
                char where[800];
                snprintf(where, sizeof where, "%s feature %lld",
                         imp->opts->source_path ? imp->opts->source_path : imp->layer,
                         (long long)f->fid);
                rc = pm_err(ctx, PM_EINPUT, "bad geometry", where, "part %zu ring %zu: %s", p + 1,
                            r + 1, g->n < 4 ? "fewer than 4 points" : "not closed");
                goto done;
            }
        if ((rc = pm_geom_to_wkb(&wkb, &wkb_len, ctx, f->geom)) ||
            (rc = pm_pg_copy_ewkb(b, ctx, wkb, wkb_len, imp->srid)))
            goto done;
    } else {
        sb_add(b, "\\N", 2);
    }
    sb_add(b, "\n", 1);
    if (b->oom) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(imp->pg), "import");
        goto done;
    }
    if ((rc = pm_pg_copy_put(imp->pg, ctx, "cannot insert feature", b->s, b->len)))
        goto done;
    imp->fids[imp->count++] = f->fid;
done:
    free(wkb);
    return rc;
}

/* As the SpatiaLite store (store_import.c, PM_REPAIR_PPM): what became
 * invalid in reprojection is repaired when the repair moves the area by at
 * most a millionth, else it is an error. */
#define PM_REPAIR_PPM 1.0

static int check_validity(pm_pg_import *imp, pm_ctx *ctx)
{
    char sql[768];
    PGresult *r = NULL;
    int rc;
    const char *src = imp->opts->source_path ? imp->opts->source_path : imp->layer;
    const char *repair = "ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))";
    snprintf(sql, sizeof sql,
             "SELECT source_fid, ST_IsValidReason(geom), ST_Area(geom), ST_Area(g2), "
             "ST_IsValid(g2) FROM (SELECT source_fid, geom, %s AS g2 FROM %s WHERE NOT "
             "ST_IsValid(geom)) s ORDER BY source_fid",
             repair, imp->stage);
    if ((rc = pm_pg_query(&r, imp->pg, ctx, "cannot check geometries", sql, 0, NULL)))
        return rc;
    int n = PQntuples(r);
    for (int i = 0; i < n && !rc; i++) {
        char where[700];
        snprintf(where, sizeof where, "%s feature %s", src, PQgetvalue(r, i, 0));
        const char *why = PQgetvalue(r, i, 1);
        double a0 = strtod(PQgetvalue(r, i, 2), NULL), a1 = strtod(PQgetvalue(r, i, 3), NULL);
        int fixed = !PQgetisnull(r, i, 3) && PQgetvalue(r, i, 4)[0] == 't' &&
                    fabs(a1 - a0) <= PM_REPAIR_PPM * 1e-6 * fabs(a0);
        if (!fixed)
            rc = pm_err(ctx, PM_EINPUT, "invalid geometry", where,
                        "%s after reprojection to %s, though valid in the source; no repair "
                        "keeps its area; store it as is with --allow-invalid",
                        why, imp->opts->storage_crs ? imp->opts->storage_crs : "?");
        else
            pm_warn(ctx,
                    "%s: valid in the source, invalid after reprojection to %s (%s); repaired, "
                    "area changed by %.3g m2",
                    where, imp->opts->storage_crs ? imp->opts->storage_crs : "?", why, a1 - a0);
    }
    PQclear(r);
    if (rc || n == 0)
        return rc;
    snprintf(sql, sizeof sql, "UPDATE %s SET geom = %s WHERE NOT ST_IsValid(geom)", imp->stage,
             repair);
    return pm_pg_exec(imp->pg, ctx, "cannot repair geometries", sql);
}

static int drop_table(pm_pg_import *imp, pm_ctx *ctx, const char *name)
{
    sbuf b = {0};
    char *sql = NULL;
    sb_puts(&b, "DROP TABLE IF EXISTS ");
    int rc = add_ident(&b, imp->pg, ctx, name);
    if (rc || (rc = take_sql(&sql, &b, imp->pg, ctx))) {
        free(sb_take(&b));
        return rc;
    }
    rc = pm_pg_exec(imp->pg, ctx, "cannot replace layer", sql);
    free(sql);
    return rc;
}

/* Tables analysis derived from the replaced layer go with it (as in the
 * SpatiaLite store: their findings are about data that is gone). Their
 * names, comma-separated, into *dropped for the warning. */
static int drop_derived(char **dropped, pm_pg_import *imp, pm_ctx *ctx)
{
    PGresult *r = NULL;
    const char *p[] = {imp->layer};
    sbuf names = {0};
    *dropped = NULL;
    int rc = pm_pg_query(&r, imp->pg, ctx, "cannot read metadata",
                         "SELECT DISTINCT layer FROM parkmap_meta WHERE key = 'derived_from' AND "
                         "lower(value) = lower($1) AND lower(layer) <> lower($1) ORDER BY 1",
                         1, p);
    if (rc)
        return rc;
    for (int i = 0; i < PQntuples(r) && !rc; i++) {
        const char *d = PQgetvalue(r, i, 0);
        char *real = NULL;
        int f = pm_pg_find_layer(&real, NULL, ctx, imp->pg, d);
        if (f < 0) {
            rc = f;
            break;
        }
        if (f && !(rc = drop_table(imp, ctx, real)))
            sb_printf(&names, "%s%s", names.len ? ", " : "", d);
        free(real);
        if (!rc) {
            PGresult *x = NULL;
            const char *q[] = {d};
            if (!(rc =
                      pm_pg_query(&x, imp->pg, ctx, "cannot write metadata",
                                  "DELETE FROM parkmap_meta WHERE lower(layer) = lower($1)", 1, q)))
                PQclear(x);
        }
    }
    PQclear(r);
    if (rc) {
        free(sb_take(&names));
        return rc;
    }
    if (!names.len) {
        free(sb_take(&names));
        return 0;
    }
    if (!(*dropped = sb_take(&names)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(imp->pg), "import");
    return 0;
}

/* A name for one of the layer's own objects: the layer's name (cut to fit)
 * and suffix, numbered when another relation of the schema has it. Into
 * out (PM_PG_IDENT_MAX + 1 bytes). */
static int free_name(char *out, pm_pg_import *imp, pm_ctx *ctx, const char *suffix)
{
    for (int k = 0; k < 100; k++) {
        char sfx[32];
        PGresult *r = NULL;
        snprintf(sfx, sizeof sfx, k ? "%s%d" : "%s", suffix, k);
        size_t keep = utf8_cut(imp->layer, PM_PG_IDENT_MAX - strlen(sfx));
        memcpy(out, imp->layer, keep);
        strcpy(out + keep, sfx);
        const char *p[] = {out};
        int rc = pm_pg_query(&r, imp->pg, ctx, "cannot read tables",
                             "SELECT 1 FROM pg_class c JOIN pg_namespace s ON s.oid = "
                             "c.relnamespace WHERE s.nspname = current_schema() AND c.relname = $1",
                             1, p);
        if (rc)
            return rc;
        int taken = PQntuples(r) > 0;
        PQclear(r);
        if (!taken)
            return 0;
    }
    return pm_err(ctx, PM_EIO, "cannot name index", imp->layer, "every name for %s is taken",
                  suffix);
}

/* The staging table's sequence and primary key carry its name; renamed
 * after the layer (<layer>_pk_seq, <layer>_pkey) once it is in place, so
 * no parkmap_stage_* object outlives the import. */
static int tidy_names(pm_pg_import *imp, pm_ctx *ctx)
{
    PGresult *r = NULL;
    sbuf b = {0};
    char *sql = NULL, seq[PM_PG_IDENT_MAX + 1], key[PM_PG_IDENT_MAX + 1];
    const char *p[] = {imp->layer};
    int rc = pm_pg_query(
        &r, imp->pg, ctx, "cannot read layer",
        "SELECT (SELECT c.relname FROM pg_class c WHERE c.oid = "
        "pg_get_serial_sequence(quote_ident($1), 'pk')::regclass), (SELECT conname FROM "
        "pg_constraint WHERE conrelid = quote_ident($1)::regclass AND contype = 'p')",
        1, p);
    if (rc)
        return rc;
    if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0) || PQgetisnull(r, 0, 1)) {
        rc = pm_err(ctx, PM_EINTERNAL, "layer without key", imp->layer, "no sequence or pkey");
        goto done;
    }
    if ((rc = free_name(seq, imp, ctx, "_pk_seq")) || (rc = free_name(key, imp, ctx, "_pkey")))
        goto done;
    sb_puts(&b, "ALTER SEQUENCE ");
    if ((rc = add_ident(&b, imp->pg, ctx, PQgetvalue(r, 0, 0))))
        goto done;
    sb_puts(&b, " RENAME TO ");
    if ((rc = add_ident(&b, imp->pg, ctx, seq)))
        goto done;
    sb_puts(&b, "; ALTER TABLE ");
    if ((rc = add_ident(&b, imp->pg, ctx, imp->layer)))
        goto done;
    sb_puts(&b, " RENAME CONSTRAINT ");
    if ((rc = add_ident(&b, imp->pg, ctx, PQgetvalue(r, 0, 1))))
        goto done;
    sb_puts(&b, " TO ");
    if ((rc = add_ident(&b, imp->pg, ctx, key)) || (rc = take_sql(&sql, &b, imp->pg, ctx)))
        goto done;
    rc = pm_pg_exec(imp->pg, ctx, "cannot create layer", sql);
done:
    free(sb_take(&b));
    free(sql);
    PQclear(r);
    return rc;
}

static int put_meta(pm_pg_import *imp, pm_ctx *ctx, const char *layer, const char *key,
                    const char *value)
{
    PGresult *r = NULL;
    const char *p[] = {layer, key, value};
    int rc = pm_pg_query(&r, imp->pg, ctx, "cannot write metadata",
                         "INSERT INTO parkmap_meta (layer, key, value) VALUES ($1, $2, $3) "
                         "ON CONFLICT (layer, key) DO UPDATE SET value = EXCLUDED.value",
                         3, p);
    PQclear(r);
    return rc;
}

int pm_pg_import_commit(pm_pg_import *imp, pm_ctx *ctx, int allow_invalid, long *out_count)
{
    const pm_store_import_opts *o = imp->opts;
    char *dropped = NULL, *sql = NULL;
    sbuf b = {0};
    PGresult *r = NULL;
    int rc = 0;
    if (!imp->in_txn)
        return pm_err(ctx, PM_EINTERNAL, "import not started", imp->layer, "commit");
    imp->copying = 0;
    if ((rc = pm_pg_copy_end(imp->pg, ctx, "cannot insert feature", row_name, imp)))
        goto done;
    if (!allow_invalid && (rc = check_validity(imp, ctx)))
        goto done;
    if (imp->existing && (rc = drop_table(imp, ctx, imp->existing)))
        goto done;
    if ((rc = drop_derived(&dropped, imp, ctx)))
        goto done;
    sb_printf(&b, "ALTER TABLE %s RENAME TO ", imp->stage);
    if ((rc = add_ident(&b, imp->pg, ctx, imp->layer)))
        goto done;
    sb_puts(&b, "; CREATE INDEX ON ");
    if ((rc = add_ident(&b, imp->pg, ctx, imp->layer)))
        goto done;
    sb_puts(&b, " USING gist (geom); ANALYZE ");
    if ((rc = add_ident(&b, imp->pg, ctx, imp->layer)) || (rc = take_sql(&sql, &b, imp->pg, ctx)))
        goto done;
    if ((rc = pm_pg_exec(imp->pg, ctx, "cannot create layer", sql)) || (rc = tidy_names(imp, ctx)))
        goto done;
    {
        const char *p[] = {imp->layer};
        if ((rc = pm_pg_query(&r, imp->pg, ctx, "cannot write metadata",
                              "DELETE FROM parkmap_meta WHERE lower(layer) = lower($1)", 1, p)))
            goto done;
        PQclear(r);
        r = NULL;
    }
    {
        char when[64], count[32], ver[16];
        time_t now = time(NULL);
        struct tm tmv;
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tmv));
        snprintf(count, sizeof count, "%ld", imp->count);
        snprintf(ver, sizeof ver, "%d", PM_STORE_SCHEMA_VERSION);
        /* source_path is the file imported, never the --db target: no
         * password can reach the stored provenance. */
        if ((rc = put_meta(imp, ctx, "", "schema_version", ver)) ||
            (rc = put_meta(imp, ctx, "", "parkmap_version", PM_VERSION)) ||
            (rc = put_meta(imp, ctx, imp->layer, "source_path", o->source_path)) ||
            (rc = put_meta(imp, ctx, imp->layer, "source_sha256", o->source_sha256)) ||
            (rc = put_meta(imp, ctx, imp->layer, "imported_at", when)) ||
            (rc = put_meta(imp, ctx, imp->layer, "source_crs", o->source_crs)) ||
            (rc = put_meta(imp, ctx, imp->layer, "storage_crs", o->storage_crs)) ||
            (rc = put_meta(imp, ctx, imp->layer, "feature_count", count)) ||
            (rc = put_meta(imp, ctx, imp->layer, "parkmap_version", PM_VERSION)))
            goto done;
    }
    if ((rc = pm_pg_exec(imp->pg, ctx, "cannot commit import", "COMMIT")))
        goto done;
    imp->in_txn = 0;
    imp->committed = 1;
    if (dropped && !imp->opts->rederive)
        pm_warn(ctx,
                "%s: %s removed: derived from the replaced layer %s; run check, adjacency or "
                "layout again",
                pm_pg_redacted(imp->pg), dropped, imp->layer);
    if (out_count)
        *out_count = imp->count;
done:
    free(sb_take(&b));
    free(sql);
    free(dropped);
    PQclear(r);
    return rc;
}

void pm_pg_import_free(pm_pg_import *imp)
{
    if (!imp)
        return;
    if (imp->copying)
        pm_pg_copy_abort(imp->pg);
    if (imp->in_txn) {
        /* Everything, the staging table and the rows sent included, goes;
         * the connection is usable again. */
        PQclear(PQexec(pm_pg_conn(imp->pg), "ROLLBACK"));
    }
    pm_strv_free(imp->names, imp->nfields);
    free(imp->types);
    free(sb_take(&imp->row));
    free(imp->fids);
    free(imp->existing);
    free(imp->layer);
    free(imp);
}
