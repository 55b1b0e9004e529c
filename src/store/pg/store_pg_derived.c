/* The PostGIS store's derived-layer writer (adjacency, qa_issues, clusters,
 * changes, clean's layers) and the QA measures kept in the database:
 * invalid geometries and their repair, parts outside a boundary. Each
 * is the SpatiaLite store's SQL (store_sl_derived.c) said in PostGIS's
 * words, with the same rows, order and NULL handling:
 *
 *   SpatiaLite                         PostGIS
 *   ST_IsValid(g) <> 1 (NULL: -1)      g IS NULL OR NOT ST_IsValid(g)
 *   ST_IsValidDetail(g) (a point)      (ST_IsValidDetail(g)).location
 *   ST_Buffer(p, 10) (30 per quadrant) ST_Buffer(p, 10, 'quad_segs=30')
 *   ExtractMultiPolygon(x) (NULL if    ST_Multi(ST_CollectionExtract(x, 3)),
 *     no polygon)                        empty taken as NULL
 *   MakeValid (librttopo)              ST_MakeValid (GEOS, 'linework')
 *   ShiftCoords(g, dx, dy)             ST_Translate(g, dx, dy)
 *   PM_GeodArea(Transform(g, 4326))    ST_Transform(g, 4326) read back and measured in C
 *                                      (pm_pg_geod_area: PostGIS's geography area is
 *                                      ~1e-5 m² off GeographicLib's, docs/postgis.md)
 *
 * Values are bound (text parameters; doubles as %.17g, exact), identifiers
 * quoted (PQescapeIdentifier); the SQL text is otherwise constant. */
#include "store_pg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/sbuf.h"

/* Built-in type OIDs (pg_type.h; fixed since PostgreSQL 7). */
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25
#define OID_FLOAT8 701

/* ---- helpers ------------------------------------------------------------- */

static uint64_t be64(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | u[i];
    return v;
}

/* A query with text parameters and binary results (numbers as the
 * server's 8 bytes, WKB as bytes). */
static int query_bin(PGresult **out, pm_pg *pg, pm_ctx *ctx, const char *what, const char *sql,
                     int nparams, const char *const *params)
{
    PGresult *r = PQexecParams(pm_pg_conn(pg), sql, nparams, NULL, params, NULL, NULL, 1);
    *out = NULL;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = pm_pg_fail(pg, ctx, what, r);
        PQclear(r);
        return rc;
    }
    *out = r;
    return 0;
}

static int64_t get_i64(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) || PQgetlength(r, row, col) != 8
               ? 0
               : (int64_t)be64(PQgetvalue(r, row, col));
}

/* A text column (binary text is its bytes), or fallback when NULL. */
static char *get_text(const PGresult *r, int row, int col, const char *fallback)
{
    if (PQgetisnull(r, row, col))
        return fallback ? strdup(fallback) : NULL;
    int len = PQgetlength(r, row, col);
    char *s = malloc((size_t)len + 1);
    if (s) {
        memcpy(s, PQgetvalue(r, row, col), (size_t)len);
        s[len] = 0;
    }
    return s;
}

/* The name column, or "#fid" when NULL (as pm_sl_name_or_fid). */
static char *get_name(const PGresult *r, int row, int col, int64_t fid)
{
    char buf[32];
    snprintf(buf, sizeof buf, "#%lld", (long long)fid);
    return get_text(r, row, col, buf);
}

static int get_geom(pm_geom **out, pm_ctx *ctx, const PGresult *r, int row, int col)
{
    *out = NULL;
    if (PQgetisnull(r, row, col))
        return 0;
    return pm_geom_from_wkb(out, ctx, (const unsigned char *)PQgetvalue(r, row, col),
                            (size_t)PQgetlength(r, row, col));
}

static void fmt_double(char *buf, size_t cap, double d)
{
    if (isnan(d))
        snprintf(buf, cap, "NaN");
    else if (isinf(d))
        snprintf(buf, cap, d > 0 ? "Infinity" : "-Infinity");
    else
        snprintf(buf, cap, "%.17g", d);
}

/* Our own transaction when the connection is idle, else a savepoint in the
 * caller's (a cursor's, another writer's). */
static int tx_begin(int *own, pm_pg *pg, pm_ctx *ctx, const char *what, const char *savepoint)
{
    char sql[64];
    switch (PQtransactionStatus(pm_pg_conn(pg))) {
    case PQTRANS_IDLE:
        *own = 1;
        return pm_pg_exec(pg, ctx, what, "BEGIN");
    case PQTRANS_INTRANS:
        *own = 0;
        snprintf(sql, sizeof sql, "SAVEPOINT %s", savepoint);
        return pm_pg_exec(pg, ctx, what, sql);
    default:
        return pm_err(ctx, PM_EIO, what, pm_pg_redacted(pg),
                      "the connection is inside a failed transaction");
    }
}

static int tx_commit(int own, pm_pg *pg, pm_ctx *ctx, const char *what, const char *savepoint)
{
    char sql[64];
    snprintf(sql, sizeof sql, "RELEASE SAVEPOINT %s", savepoint);
    return pm_pg_exec(pg, ctx, what, own ? "COMMIT" : sql);
}

static void tx_rollback(int own, pm_pg *pg, const char *savepoint)
{
    char sql[128];
    snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT %s; RELEASE SAVEPOINT %s", savepoint,
             savepoint);
    PQclear(PQexec(pm_pg_conn(pg), own ? "ROLLBACK" : sql));
}

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
    *b = (sbuf){0};
    return *out ? 0 : pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "SQL");
}

/* ---- writing derived layers -------------------------------------------- */

/* The table is replaced inside a transaction of its own: until commit,
 * others keep seeing the old one; free without commit rolls everything
 * back. On the store's connection when it is idle (a cursor opened
 * meanwhile reads inside the writer's transaction); when a cursor's read
 * transaction holds it (clean streams a layer while it writes the
 * repaired one), on a second connection of the writer's own: a read-only
 * snapshot cannot create tables, and a savepoint in it would go with the
 * cursor's rollback. */
typedef struct pm_pgs_writer {
    pm_pg *pg;     /* the store's connection, or own_pg */
    pm_pg *own_pg; /* a connection of the writer's own, or NULL */
    char *name;
    int srid;
    int own;     /* BEGIN was ours (else a savepoint) */
    int open;    /* not yet committed: free rolls back */
    int copying; /* the COPY is begun (pm_pg_copy_begin) */
    size_t nfields;
    pm_field_type *types;
    sbuf row; /* the COPY row being built */
} pm_pgs_writer;

#define WRITER_SAVEPOINT "pm_derived"

static int writer_table(pm_pgs_writer *w, pm_ctx *ctx, const pm_schema *schema, pm_geom_kind kind)
{
    pm_pg *pg = w->pg;
    sbuf b = {0};
    char *sql = NULL, *real = NULL;
    int rc = 0;
    size_t n = schema->nfields;
    int found = pm_pg_find_layer(&real, NULL, ctx, pg, w->name);
    if (found < 0)
        return found;
    if (found) {
        sb_puts(&b, "DROP TABLE ");
        if ((rc = add_ident(&b, pg, ctx, real)))
            goto done;
        sb_puts(&b, "; ");
    }
    sb_puts(&b, "CREATE TABLE ");
    if ((rc = add_ident(&b, pg, ctx, w->name)))
        goto done;
    sb_puts(&b, " (pk bigserial PRIMARY KEY, source_fid bigint NOT NULL");
    for (size_t i = 0; i < n && !rc; i++) {
        sb_puts(&b, ", ");
        if (!(rc = add_ident(&b, pg, ctx, schema->fields[i].name)))
            sb_puts(&b, schema->fields[i].type == PM_FIELD_INTEGER ? " bigint"
                        : schema->fields[i].type == PM_FIELD_REAL  ? " double precision"
                                                                   : " text");
    }
    sb_printf(&b, ", geom geometry(%s, %d))",
              kind == PM_GEOM_LINE ? "MultiLineString" : "MultiPolygon", w->srid);
    if (rc || (rc = take_sql(&sql, &b, pg, ctx)) ||
        (rc = pm_pg_exec(pg, ctx, "cannot write derived layer", sql)))
        goto done;
    free(sql);
    sql = NULL;
    /* The rows through one COPY (pm_pg_copy_*: a statement meanwhile on
     * this connection, a cursor's fetch, ends it and the next row resumes
     * it). */
    sb_puts(&b, "COPY ");
    if ((rc = add_ident(&b, pg, ctx, w->name)))
        goto done;
    sb_puts(&b, " (source_fid");
    for (size_t i = 0; i < n && !rc; i++) {
        sb_puts(&b, ", ");
        rc = add_ident(&b, pg, ctx, schema->fields[i].name);
    }
    sb_puts(&b, ", geom) FROM STDIN");
    if (rc || (rc = take_sql(&sql, &b, pg, ctx)) || (rc = pm_pg_copy_begin(pg, ctx, sql)))
        goto done;
    w->copying = 1;
done:
    free(sb_take(&b));
    free(sql);
    free(real);
    return rc;
}

int pm_pgs_writer_begin(void **out, pm_ctx *ctx, void *be, const char *name,
                        const pm_schema *schema, pm_geom_kind kind, int srid)
{
    pm_pg_store *s = be;
    pm_pg *pg = s->pg;
    pm_pgs_writer *w = NULL;
    PGresult *r = NULL;
    int rc = 0;
    *out = NULL;
    /* The name was checked by pm_store_layer_begin (store.c). */
    if (!s->writable)
        return pm_err(ctx, PM_EIO, "cannot write derived layer", pm_pg_redacted(pg),
                      "the database is open read-only");
    if (!(w = calloc(1, sizeof *w)) || !(w->name = strdup(name)) ||
        (schema->nfields && !(w->types = calloc(schema->nfields, sizeof *w->types)))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "layer %s", name);
        goto fail;
    }
    if (PQtransactionStatus(pm_pg_conn(pg)) != PQTRANS_IDLE) {
        if ((rc = pm_pg_connect(&w->own_pg, ctx, s->db)))
            goto fail;
        pg = w->own_pg;
    }
    w->pg = pg;
    w->srid = srid;
    w->nfields = schema->nfields;
    for (size_t i = 0; i < schema->nfields; i++)
        w->types[i] = schema->fields[i].type;
    if ((rc = tx_begin(&w->own, pg, ctx, "cannot write derived layer", WRITER_SAVEPOINT)))
        goto fail;
    w->open = 1;
    /* The same lock as an import into a layer of that name: two analyses
     * writing one table take turns. */
    const char *p[] = {name};
    if ((rc = pm_pg_query(&r, pg, ctx, "cannot lock layer",
                          "SELECT pg_advisory_xact_lock(hashtextextended('parkmap layer ' || "
                          "lower($1), 0))",
                          1, p)))
        goto fail;
    PQclear(r);
    if ((rc = writer_table(w, ctx, schema, kind)))
        goto fail;
    *out = w;
    return 0;
fail:
    pm_pgs_writer_free(w);
    return rc;
}

int pm_pgs_writer_add(pm_ctx *ctx, void *be_w, const pm_feature *f)
{
    pm_pgs_writer *w = be_w;
    size_t n = w->nfields;
    unsigned char *wkb = NULL;
    size_t wkb_len = 0;
    int rc = 0;
    sbuf *b = &w->row;
    /* One COPY text row, the values as the INSERTs bound them: integers
     * in full, doubles with 17 digits (a real into an integer column cut
     * toward zero, a non-finite one NULL), text escaped, NULL as \N, the
     * geometry as hex EWKB (pm_geom_to_wkb's Multi*, which ST_Multi
     * made of it before). */
    b->len = 0;
    sb_printf(b, "%lld", (long long)f->fid);
    for (size_t i = 0; i < n; i++) {
        const pm_value *v = i < f->nvalues ? &f->values[i] : NULL;
        sb_add(b, "\t", 1);
        if (!v || v->is_null ||
            (v->type == PM_FIELD_REAL && w->types[i] == PM_FIELD_INTEGER && !isfinite(v->d))) {
            sb_add(b, "\\N", 2);
        } else if (v->type == PM_FIELD_TEXT) {
            pm_pg_copy_text(b, v->s ? v->s : "");
        } else if (v->type == PM_FIELD_INTEGER) {
            sb_printf(b, "%lld", (long long)v->i);
        } else if (w->types[i] == PM_FIELD_INTEGER) {
            sb_printf(b, "%lld", (long long)v->d);
        } else {
            pm_pg_copy_double(b, v->d);
        }
    }
    sb_add(b, "\t", 1);
    if (f->geom) {
        if ((rc = pm_geom_to_wkb(&wkb, &wkb_len, ctx, f->geom)) ||
            (rc = pm_pg_copy_ewkb(b, ctx, wkb, wkb_len, w->srid)))
            goto done;
    } else {
        sb_add(b, "\\N", 2);
    }
    sb_add(b, "\n", 1);
    if (b->oom)
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(w->pg), "layer %s", w->name);
    else
        rc = pm_pg_copy_put(w->pg, ctx, "cannot write derived layer", b->s, b->len);
done:
    free(wkb);
    return rc;
}

static int put_meta(pm_pg *pg, pm_ctx *ctx, const char *layer, const char *key, const char *value)
{
    PGresult *r = NULL;
    const char *p[] = {layer, key, value};
    int rc = pm_pg_query(&r, pg, ctx, "cannot write metadata",
                         "INSERT INTO parkmap_meta (layer, key, value) VALUES ($1, $2, $3) "
                         "ON CONFLICT (layer, key) DO UPDATE SET value = EXCLUDED.value",
                         3, p);
    PQclear(r);
    return rc;
}

int pm_pgs_writer_commit(pm_ctx *ctx, void *be_w, const char *derived_from)
{
    pm_pgs_writer *w = be_w;
    pm_pg *pg = w->pg;
    sbuf b = {0};
    char *sql = NULL, now[32], crs[32];
    int rc;
    w->copying = 0;
    if ((rc = pm_pg_copy_end(pg, ctx, "cannot write derived layer", NULL, NULL)))
        goto done;
    sb_puts(&b, "CREATE INDEX ON ");
    if ((rc = add_ident(&b, pg, ctx, w->name)))
        goto done;
    sb_puts(&b, " USING gist (geom); ANALYZE ");
    if ((rc = add_ident(&b, pg, ctx, w->name)) || (rc = take_sql(&sql, &b, pg, ctx)) ||
        (rc = pm_pg_exec(pg, ctx, "cannot write derived layer", sql)))
        goto done;
    time_t tnow = time(NULL);
    struct tm tmv;
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tnow, &tmv));
    snprintf(crs, sizeof crs, "EPSG:%d", w->srid);
    if ((rc = put_meta(pg, ctx, w->name, "derived_from", derived_from)) ||
        (rc = put_meta(pg, ctx, w->name, "created_at", now)) ||
        (rc = put_meta(pg, ctx, w->name, "storage_crs", crs)) ||
        (rc = tx_commit(w->own, pg, ctx, "cannot write derived layer", WRITER_SAVEPOINT)))
        goto done;
    w->open = 0;
done:
    free(sb_take(&b));
    free(sql);
    return rc;
}

void pm_pgs_writer_free(void *be_w)
{
    pm_pgs_writer *w = be_w;
    if (!w)
        return;
    if (w->copying)
        pm_pg_copy_abort(w->pg);
    if (w->open)
        tx_rollback(w->own, w->pg, WRITER_SAVEPOINT);
    pm_pg_free(w->own_pg);
    free(sb_take(&w->row));
    free(w->types);
    free(w->name);
    free(w);
}

/* ---- QA measures ---------------------------------------------------------- */

int pm_pgs_invalid(pm_invalid_row **out, size_t *out_n, pm_ctx *ctx, void *be, const char *layer)
{
    pm_pg *pg = ((pm_pg_store *)be)->pg;
    char *t = NULL, *name = NULL, *sql = NULL;
    PGresult *r = NULL;
    pm_invalid_row *rows = NULL;
    size_t n = 0;
    int rc;
    *out = NULL;
    *out_n = 0;
    if ((rc = pm_pg_layer_sql(&t, &name, NULL, ctx, pg, layer)))
        return rc;
    size_t cap = strlen(t) + strlen(name) + 512;
    if (!(sql = malloc(cap))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "qa");
        goto done;
    }
    /* A feature without geometry is listed too (SpatiaLite's ST_IsValid
     * says -1 of NULL), its reason "invalid" and no marker. */
    snprintf(sql, cap,
             "SELECT source_fid::int8, %s::text, ST_IsValidReason(geom), "
             "ST_AsBinary(ST_Multi(ST_Buffer((ST_IsValidDetail(geom)).location, 10.0, "
             "'quad_segs=30')), 'NDR') FROM %s WHERE geom IS NULL OR NOT ST_IsValid(geom) "
             "ORDER BY source_fid, pk",
             name, t);
    if ((rc = query_bin(&r, pg, ctx, "cannot check validity", sql, 0, NULL)))
        goto done;
    size_t nr = (size_t)PQntuples(r);
    if (nr && !(rows = calloc(nr, sizeof *rows))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "qa");
        goto done;
    }
    for (n = 0; n < nr;) {
        int i = (int)n;
        pm_invalid_row *row = &rows[n++];
        row->fid = get_i64(r, i, 0);
        row->name = get_name(r, i, 1, row->fid);
        row->reason = get_text(r, i, 2, "invalid");
        if (!row->name || !row->reason) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "qa");
            goto done;
        }
        if ((rc = get_geom(&row->where, ctx, r, i, 3)))
            goto done;
    }
    *out = rows;
    *out_n = n;
    rows = NULL;
done:
    pm_invalid_rows_free(rows, n);
    PQclear(r);
    free(sql);
    free(name);
    free(t);
    return rc;
}

#define REPAIR_SAVEPOINT "pm_repair"

int pm_pgs_make_valid(pm_invalid_row **out, size_t *out_n, pm_ctx *ctx, void *be, const char *layer)
{
    pm_pg_store *s = be;
    pm_pg *pg = s->pg;
    pm_invalid_row *rows = NULL;
    size_t n = 0;
    char *t = NULL, *name = NULL, *sql = NULL;
    int rc, own = 0;
    *out = NULL;
    *out_n = 0;
    if (!s->writable)
        return pm_err(ctx, PM_EIO, "cannot repair geometries", pm_pg_redacted(pg),
                      "the database is open read-only");
    if ((rc = pm_pgs_invalid(&rows, &n, ctx, be, layer)) || n == 0)
        goto done;
    if ((rc = pm_pg_layer_sql(&t, &name, NULL, ctx, pg, layer)))
        goto done;
    size_t cap = strlen(t) + 512;
    if (!(sql = malloc(cap))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "repair");
        goto done;
    }
    /* ST_MakeValid may return lines or points beside the polygons (a
     * bow-tie's crossing); a park layer keeps the polygonal part, and
     * nothing (NULL, as SpatiaLite's ExtractMultiPolygon) when there is
     * none. */
    snprintf(sql, cap,
             "UPDATE %s SET geom = (SELECT CASE WHEN ST_IsEmpty(x) THEN NULL ELSE x END FROM "
             "(SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3)) AS x) v) "
             "WHERE geom IS NOT NULL AND NOT ST_IsValid(geom)",
             t);
    if ((rc = tx_begin(&own, pg, ctx, "cannot repair geometries", REPAIR_SAVEPOINT)))
        goto done;
    if ((rc = pm_pg_exec(pg, ctx, "cannot repair geometries", sql)) ||
        (rc = tx_commit(own, pg, ctx, "cannot repair geometries", REPAIR_SAVEPOINT)))
        tx_rollback(own, pg, REPAIR_SAVEPOINT);
done:
    free(sql);
    free(name);
    free(t);
    if (rc) {
        pm_invalid_rows_free(rows, n);
        return rc;
    }
    *out = rows;
    *out_n = n;
    return 0;
}

/* The quoted layer and `within` tables, the layer's name column and SRID. */
static int two_layers(char **t, char **name, char **w, int *srid, pm_ctx *ctx, pm_pg *pg,
                      const char *layer, const char *within)
{
    char *wname = NULL;
    int rc = pm_pg_layer_sql(t, name, srid, ctx, pg, layer);
    *w = NULL;
    if (rc)
        return rc;
    rc = pm_pg_layer_sql(w, &wname, NULL, ctx, pg, within);
    free(wname);
    if (rc) {
        free(*t);
        free(*name);
        *t = *name = NULL;
    }
    return rc;
}

int pm_pgs_outside(pm_pair_area_row **out, size_t *out_n, pm_ctx *ctx, void *be, const char *layer,
                   const char *within, double min_m2)
{
    pm_pg *pg = ((pm_pg_store *)be)->pg;
    char *t = NULL, *name = NULL, *w = NULL, *sql = NULL;
    PGresult *r = NULL;
    pm_pair_area_row *rows = NULL;
    size_t n = 0;
    int srid = 0, rc;
    *out = NULL;
    *out_n = 0;
    if ((rc = two_layers(&t, &name, &w, &srid, ctx, pg, layer, within)))
        return rc;
    size_t cap = 2048 + strlen(t) + strlen(name) + strlen(w);
    if (!(sql = malloc(cap))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "qa");
        goto done;
    }
    snprintf(sql, cap,
             "WITH bound AS (SELECT ST_Union(ST_Transform(geom, %d)) AS u FROM %s),"
             " o AS (SELECT source_fid AS fid, pk, %s::text AS nm, ST_Multi(ST_CollectionExtract("
             "ST_Difference(%s, (SELECT u FROM bound)), 3)) AS g FROM %s),"
             " m AS (SELECT fid, pk, nm, g FROM o WHERE g IS NOT NULL AND NOT ST_IsEmpty(g))"
             " SELECT fid::int8, nm, ST_AsBinary(ST_Transform(g, 4326), 'NDR'),"
             " ST_AsBinary(g, 'NDR') FROM m ORDER BY fid, pk",
             srid, w, name, "geom", t);
    int failed = 0;
    if ((rc = pm_pg_query_geos(&r, &failed, pg, ctx, "cannot measure parts outside", sql, 0, NULL,
                               1)))
        goto done;
    if (failed) {
        /* GEOS failed on an invalid park: SpatiaLite's ST_Difference is
         * NULL for it, and the others are measured. Again without it (if
         * the boundary itself is what fails, nothing is measured). */
        snprintf(sql, cap,
                 "WITH bound AS (SELECT ST_Union(ST_Transform(geom, %d)) AS u FROM %s),"
                 " o AS (SELECT source_fid AS fid, pk, %s::text AS nm, ST_Multi("
                 "ST_CollectionExtract(ST_Difference(%s, (SELECT u FROM bound)), 3)) AS g FROM %s),"
                 " m AS (SELECT fid, pk, nm, g FROM o WHERE g IS NOT NULL AND NOT ST_IsEmpty(g))"
                 " SELECT fid::int8, nm, ST_AsBinary(ST_Transform(g, 4326), 'NDR'),"
                 " ST_AsBinary(g, 'NDR') FROM m ORDER BY fid, pk",
                 srid, w, name, "CASE WHEN ST_IsValid(geom) THEN geom END", t);
        if ((rc = pm_pg_query_geos(&r, &failed, pg, ctx, "cannot measure parts outside", sql, 0,
                                   NULL, 1)) ||
            failed)
            goto empty;
    }
    size_t nr = (size_t)PQntuples(r);
    if (nr && !(rows = calloc(nr, sizeof *rows))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "qa");
        goto done;
    }
    for (size_t k = 0; k < nr; k++) {
        int i = (int)k;
        double m2;
        /* The area in C (pm_pg_geod_area: GeographicLib, as SpatiaLite), and
         * the threshold with it: PostGIS's geography area differs by ~1e-5 m². */
        if ((rc = pm_pg_geod_area(&m2, ctx, r, i, 2)))
            goto done;
        if (!(m2 > min_m2))
            continue;
        pm_pair_area_row *row = &rows[n++];
        row->a_fid = row->b_fid = get_i64(r, i, 0);
        row->a_name = get_name(r, i, 1, row->a_fid);
        row->b_name = get_name(r, i, 1, row->b_fid);
        row->area_m2 = m2;
        row->distance_m = 0;
        if (!row->a_name || !row->b_name) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "qa");
            goto done;
        }
        if ((rc = get_geom(&row->geom, ctx, r, i, 3)))
            goto done;
    }
empty:
    *out = rows;
    *out_n = n;
    rows = NULL;
done:
    pm_pair_area_rows_free(rows, n);
    PQclear(r);
    free(sql);
    free(w);
    free(name);
    free(t);
    return rc;
}

int pm_pgs_outside_shifted(double *out_m2, pm_ctx *ctx, void *be, const char *layer,
                           const char *within, double dx, double dy)
{
    pm_pg *pg = ((pm_pg_store *)be)->pg;
    char *t = NULL, *name = NULL, *w = NULL, *sql = NULL, sx[40], sy[40];
    PGresult *r = NULL;
    int srid = 0, rc;
    *out_m2 = 0;
    if ((rc = two_layers(&t, &name, &w, &srid, ctx, pg, layer, within)))
        return rc;
    size_t cap = 1024 + strlen(t) + strlen(w);
    if (!(sql = malloc(cap))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "qa");
        goto done;
    }
    snprintf(sql, cap,
             "WITH bound AS (SELECT ST_Union(ST_Transform(geom, %d)) AS u FROM %s)"
             " SELECT ST_AsBinary(ST_Transform(ST_CollectionExtract(ST_Difference("
             "ST_Translate(geom, $1::float8, $2::float8), (SELECT u FROM bound)), 3), 4326), 'NDR')"
             " FROM %s%s",
             srid, w, t, "");
    fmt_double(sx, sizeof sx, dx);
    fmt_double(sy, sizeof sy, dy);
    const char *p[] = {sx, sy};
    int failed = 0;
    if ((rc = pm_pg_query_geos(&r, &failed, pg, ctx, "cannot measure a shifted layer", sql, 2, p,
                               1)))
        goto done;
    if (failed) {
        /* As in pm_pgs_outside: SpatiaLite leaves out what GEOS fails on. */
        snprintf(sql, cap,
                 "WITH bound AS (SELECT ST_Union(ST_Transform(geom, %d)) AS u FROM %s)"
                 " SELECT ST_AsBinary(ST_Transform(ST_CollectionExtract(ST_Difference("
                 "ST_Translate(geom, $1::float8, $2::float8), (SELECT u FROM bound)), 3), 4326),"
                 " 'NDR') FROM %s%s",
                 srid, w, t, " WHERE ST_IsValid(geom)");
        if ((rc = pm_pg_query_geos(&r, &failed, pg, ctx, "cannot measure a shifted layer", sql, 2,
                                   p, 1)) ||
            failed)
            goto done;
    }
    /* Summed in C, each piece by GeographicLib (pm_pg_geod_area). */
    for (int i = 0; i < PQntuples(r); i++) {
        double m2;
        if ((rc = pm_pg_geod_area(&m2, ctx, r, i, 0)))
            goto done;
        *out_m2 += m2;
    }
done:
    PQclear(r);
    free(sql);
    free(w);
    free(name);
    free(t);
    return rc;
}
