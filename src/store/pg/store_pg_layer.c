/* Reading a PostGIS store: layers, metadata, streaming cursors.
 *
 * Features come back in binary (PQexecParams resultFormat 1): integers and
 * doubles as the server holds them, the geometry as ST_AsBinary's WKB,
 * decoded by pm_geom_from_wkb (util/geom.c: either byte order, Polygon or
 * MultiPolygon, every count checked against the bytes left). Coordinates
 * are therefore bit-identical to what import sent. */
#include "store_pg.h"
#include "store/store_kind.h"

#include "parkmap/crs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A layer is a table of the current schema with a `geom` column registered
 * in PostGIS's geometry_columns; names compare case-insensitively (as in
 * the SpatiaLite store, where SQLite does so). */
#define PM_PG_LAYER_WHERE                                                                          \
    "f_table_schema = current_schema() AND f_geometry_column = 'geom' AND f_table_name <> "        \
    "'parkmap_meta'"

int pm_pg_find_layer(char **out_name, int *out_srid, pm_ctx *ctx, pm_pg *pg, const char *layer)
{
    PGresult *r = NULL;
    const char *p[] = {layer};
    int rc = pm_pg_query(&r, pg, ctx, "cannot read layers",
                         "SELECT f_table_name, srid FROM geometry_columns WHERE " PM_PG_LAYER_WHERE
                         " AND lower(f_table_name) = lower($1) ORDER BY f_table_name = $1 DESC "
                         "LIMIT 1",
                         1, p);
    if (out_name)
        *out_name = NULL;
    if (rc)
        return rc;
    int found = PQntuples(r) == 1;
    if (found && out_srid)
        *out_srid = atoi(PQgetvalue(r, 0, 1));
    if (found && out_name && !(*out_name = strdup(PQgetvalue(r, 0, 0))))
        found = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "layer");
    PQclear(r);
    return found;
}

static int need_layer(char **out_name, int *out_srid, pm_ctx *ctx, pm_pg *pg, const char *layer)
{
    int f = pm_pg_find_layer(out_name, out_srid, ctx, pg, layer);
    if (f < 0)
        return f;
    if (!f) {
        char where[700];
        snprintf(where, sizeof where, "%s layer %s", pm_pg_redacted(pg), layer);
        return pm_err(ctx, PM_EUSAGE, "no such layer", where, "import it first");
    }
    return 0;
}

int pm_pg_layers(char ***out, size_t *out_n, pm_ctx *ctx, pm_pg *pg)
{
    PGresult *r = NULL;
    char **v = NULL;
    size_t n = 0;
    *out = NULL;
    *out_n = 0;
    int rc = pm_pg_query(&r, pg, ctx, "cannot read layers",
                         "SELECT f_table_name FROM geometry_columns WHERE " PM_PG_LAYER_WHERE
                         " ORDER BY f_table_name",
                         0, NULL);
    if (rc)
        return rc;
    size_t rows = (size_t)PQntuples(r);
    if (rows && !(v = calloc(rows, sizeof *v))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "layers");
        goto done;
    }
    for (n = 0; n < rows; n++)
        if (!(v[n] = strdup(PQgetvalue(r, (int)n, 0)))) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "layers");
            goto done;
        }
    *out = v;
    *out_n = n;
    v = NULL;
done:
    pm_strv_free(v, n);
    PQclear(r);
    return rc;
}

int pm_pg_has_layer(pm_pg *pg, pm_ctx *ctx, const char *layer)
{
    return pm_pg_find_layer(NULL, NULL, ctx, pg, layer);
}

int pm_pg_layer_srid(int *out, pm_ctx *ctx, pm_pg *pg, const char *layer)
{
    return need_layer(NULL, out, ctx, pg, layer);
}

int pm_pg_meta_get(char **out, pm_ctx *ctx, pm_pg *pg, const char *layer, const char *key)
{
    PGresult *r = NULL;
    const char *p[] = {layer ? layer : "", key};
    *out = NULL;
    /* to_regclass: a server no import has written to yet has no table. */
    int rc = pm_pg_query(&r, pg, ctx, "cannot read metadata",
                         "SELECT to_regclass('parkmap_meta') IS NOT NULL", 0, NULL);
    if (rc)
        return rc;
    int have = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!have)
        return 0;
    if ((rc = pm_pg_query(&r, pg, ctx, "cannot read metadata",
                          "SELECT value FROM parkmap_meta WHERE lower(layer) = lower($1) AND "
                          "key = $2",
                          2, p)))
        return rc;
    if (PQntuples(r) >= 1 && !PQgetisnull(r, 0, 0) && !(*out = strdup(PQgetvalue(r, 0, 0))))
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "metadata");
    PQclear(r);
    return rc;
}

/* ---- cursors ------------------------------------------------------------ */

struct pm_pg_cursor {
    pm_pg *pg;
    char name[32]; /* pm_cur_<n>: ours, never from input */
    int own_txn;   /* BEGIN was ours: COMMIT on free */
    int open;      /* DECLAREd and not CLOSEd */
    pm_schema schema;
    char *layer;
    PGresult *batch;
    int row, nrows, done;
};

/* Attribute columns of table `name` with their parkmap types, in order. */
static int read_schema(pm_schema *out, pm_ctx *ctx, pm_pg *pg, const char *name)
{
    PGresult *r = NULL;
    const char *p[] = {name};
    int rc = pm_pg_query(
        &r, pg, ctx, "cannot read layer columns",
        "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = (SELECT c.oid FROM pg_class c JOIN pg_namespace s ON s.oid = "
        "c.relnamespace WHERE c.relname = $1 AND s.nspname = current_schema()) AND a.attnum > 0 "
        "AND NOT a.attisdropped AND a.attname NOT IN ('pk', 'source_fid', 'geom') ORDER BY "
        "a.attnum",
        1, p);
    if (rc)
        return rc;
    for (int i = 0; i < PQntuples(r) && !rc; i++) {
        const char *t = PQgetvalue(r, i, 1);
        pm_field_type ft = PM_FIELD_TEXT;
        if (!strcmp(t, "int2") || !strcmp(t, "int4") || !strcmp(t, "int8"))
            ft = PM_FIELD_INTEGER;
        else if (!strcmp(t, "float4") || !strcmp(t, "float8") || !strcmp(t, "numeric"))
            ft = PM_FIELD_REAL;
        rc = pm_schema_add(out, ctx, PQgetvalue(r, i, 0), ft);
    }
    PQclear(r);
    return rc;
}

/* Keep only the fields named (as the SpatiaLite store: exact names, in the
 * layer's column order). */
static int keep_fields(pm_schema *s, pm_ctx *ctx, const char *const *fields, size_t nfields)
{
    pm_schema kept = {0};
    int rc = 0;
    for (size_t i = 0; i < s->nfields && !rc; i++) {
        int wanted = 0;
        for (size_t k = 0; k < nfields && !wanted; k++)
            wanted = strcmp(fields[k], s->fields[i].name) == 0;
        if (wanted)
            rc = pm_schema_add(&kept, ctx, s->fields[i].name, s->fields[i].type);
    }
    pm_schema_clear(s);
    *s = kept;
    return rc;
}

int pm_pg_cursor_open(pm_pg_cursor **out, pm_ctx *ctx, pm_pg *pg, const char *layer)
{
    return pm_pg_cursor_open_where(out, ctx, pg, layer, NULL, 0, NULL);
}

int pm_pg_cursor_open_where(pm_pg_cursor **out, pm_ctx *ctx, pm_pg *pg, const char *layer,
                            const char *const *fields, size_t nfields, const double *bbox)
{
    char *table = NULL, *qt = NULL, *sql = NULL;
    char box[4][40];
    const char *bp[4] = {box[0], box[1], box[2], box[3]};
    size_t cap, n;
    int srid = 0;
    pm_pg_cursor *c = calloc(1, sizeof(*c));
    int rc = 0;
    *out = NULL;
    if (!c || !(c->layer = strdup(layer))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "cursor");
        goto done;
    }
    c->pg = pg;
    snprintf(c->name, sizeof c->name, "pm_cur_%u", pm_pg_serial(pg));
    /* A cursor lives in a transaction: ours (read only, one snapshot for
     * the whole layer) unless the caller is in one. */
    if (PQtransactionStatus(pm_pg_conn(pg)) == PQTRANS_IDLE) {
        if ((rc = pm_pg_exec(pg, ctx, "cannot read layer",
                             "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")))
            goto done;
        c->own_txn = 1;
    }
    if ((rc = need_layer(&table, &srid, ctx, pg, layer)) ||
        (rc = read_schema(&c->schema, ctx, pg, table)) ||
        (fields && (rc = keep_fields(&c->schema, ctx, fields, nfields))))
        goto done;
    if (!(qt = pm_pg_ident(pg, ctx, table))) {
        rc = PM_EIO;
        goto done;
    }
    cap = 512 + strlen(qt);
    for (size_t i = 0; i < c->schema.nfields; i++)
        cap += 2 * strlen(c->schema.fields[i].name) + 16;
    if (!(sql = malloc(cap))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "cursor");
        goto done;
    }
    n = (size_t)snprintf(sql, cap,
                         "DECLARE %s NO SCROLL CURSOR FOR SELECT source_fid::int8, "
                         "ST_AsBinary(geom, 'NDR')",
                         c->name);
    for (size_t i = 0; i < c->schema.nfields; i++) {
        char *q = pm_pg_ident(pg, ctx, c->schema.fields[i].name);
        if (!q) {
            rc = PM_EIO;
            goto done;
        }
        pm_field_type t = c->schema.fields[i].type;
        n += (size_t)snprintf(sql + n, cap - n, ", %s::%s", q,
                              t == PM_FIELD_INTEGER ? "int8"
                              : t == PM_FIELD_REAL  ? "float8"
                                                    : "text");
        free(q);
    }
    n += (size_t)snprintf(sql + n, cap - n, " FROM %s", qt);
    if (bbox) {
        /* The GiST index finds the candidates (its float boxes are rounded
         * outward: none is missed); the geometry's own extent decides
         * exactly, as the SpatiaLite store's MBR test does. */
        n += (size_t)snprintf(sql + n, cap - n,
                              " WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, %d) AND "
                              "ST_XMax(geom) >= $1 AND ST_XMin(geom) <= $3 AND "
                              "ST_YMax(geom) >= $2 AND ST_YMin(geom) <= $4",
                              srid);
        for (int i = 0; i < 4; i++)
            snprintf(box[i], sizeof box[i], "%.17g", bbox[i]);
    }
    snprintf(sql + n, cap - n, " ORDER BY pk");
    {
        PGresult *r = NULL;
        if ((rc = pm_pg_query(&r, pg, ctx, "cannot read layer", sql, bbox ? 4 : 0,
                              bbox ? bp : NULL)))
            goto done;
        PQclear(r);
    }
    c->open = 1;
    *out = c;
    c = NULL;
done:
    free(sql);
    free(qt);
    free(table);
    pm_pg_cursor_free(c);
    return rc;
}

const pm_schema *pm_pg_cursor_schema(const pm_pg_cursor *cur)
{
    return &cur->schema;
}

static uint64_t be64(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | u[i];
    return v;
}

static int fetch(pm_pg_cursor *cur, pm_ctx *ctx)
{
    char sql[64];
    snprintf(sql, sizeof sql, "FETCH 1000 FROM %s", cur->name);
    PQclear(cur->batch);
    cur->batch = PQexecParams(pm_pg_conn(cur->pg), sql, 0, NULL, NULL, NULL, NULL, 1);
    cur->row = cur->nrows = 0;
    if (PQresultStatus(cur->batch) != PGRES_TUPLES_OK)
        return pm_pg_fail(cur->pg, ctx, "cannot read features", cur->batch);
    cur->nrows = PQntuples(cur->batch);
    /* The columns are what cursor_open asked for; check, not trust. */
    if (PQnfields(cur->batch) != (int)cur->schema.nfields + 2)
        return pm_err(ctx, PM_EINTERNAL, "unexpected result", pm_pg_redacted(cur->pg),
                      "%d columns for %zu fields", PQnfields(cur->batch), cur->schema.nfields);
    if (cur->nrows == 0)
        cur->done = 1;
    return 0;
}

static int bad_row(pm_pg_cursor *cur, pm_ctx *ctx, int64_t fid, const char *why)
{
    char where[700];
    snprintf(where, sizeof where, "%s layer %s feature %lld", pm_pg_redacted(cur->pg), cur->layer,
             (long long)fid);
    return pm_err(ctx, PM_EIO, "unexpected value", where, "%s", why);
}

int pm_pg_cursor_next(pm_pg_cursor *cur, pm_ctx *ctx, pm_feature *out)
{
    int rc = 0;
    memset(out, 0, sizeof(*out));
    if (cur->done)
        return 0;
    if (cur->row >= cur->nrows && ((rc = fetch(cur, ctx)) || cur->done))
        return rc;
    PGresult *b = cur->batch;
    int row = cur->row++;
    if (PQgetisnull(b, row, 0) || PQgetlength(b, row, 0) != 8) {
        out->fid = 0;
    } else {
        out->fid = (int64_t)be64(PQgetvalue(b, row, 0));
    }
    if (!PQgetisnull(b, row, 1) &&
        (rc = pm_geom_from_wkb(&out->geom, ctx, (const unsigned char *)PQgetvalue(b, row, 1),
                               (size_t)PQgetlength(b, row, 1))))
        goto fail;
    out->nvalues = cur->schema.nfields;
    out->values = out->nvalues ? calloc(out->nvalues, sizeof(pm_value)) : NULL;
    if (out->nvalues && !out->values) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(cur->pg), "feature");
        goto fail;
    }
    for (size_t i = 0; i < out->nvalues; i++) {
        int col = (int)i + 2, len = PQgetlength(b, row, col);
        const char *p = PQgetvalue(b, row, col);
        pm_value *v = &out->values[i];
        v->type = cur->schema.fields[i].type;
        if (PQgetisnull(b, row, col)) {
            v->is_null = 1;
            continue;
        }
        switch (v->type) {
        case PM_FIELD_INTEGER:
            if (len != 8) {
                rc = bad_row(cur, ctx, out->fid, "integer of unexpected size");
                goto fail;
            }
            v->i = (int64_t)be64(p);
            v->d = (double)v->i;
            break;
        case PM_FIELD_REAL: {
            if (len != 8) {
                rc = bad_row(cur, ctx, out->fid, "double of unexpected size");
                goto fail;
            }
            uint64_t u = be64(p);
            memcpy(&v->d, &u, sizeof v->d);
            v->i = isfinite(v->d) && fabs(v->d) < 9.2e18 ? (int64_t)v->d : 0;
            break;
        }
        default:
            /* Binary text is the bytes themselves (libpq adds the NUL). */
            if (!(v->s = malloc((size_t)len + 1))) {
                rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(cur->pg), "feature");
                goto fail;
            }
            memcpy(v->s, p, (size_t)len);
            v->s[len] = 0;
        }
    }
    return 1;
fail:
    pm_feature_clear(out);
    return rc;
}

void pm_pg_cursor_free(pm_pg_cursor *cur)
{
    if (!cur)
        return;
    PQclear(cur->batch);
    if (cur->open && PQtransactionStatus(pm_pg_conn(cur->pg)) == PQTRANS_INTRANS) {
        char sql[64];
        snprintf(sql, sizeof sql, "CLOSE %s", cur->name);
        PQclear(PQexec(pm_pg_conn(cur->pg), sql));
    }
    /* A failed transaction of ours ends in a rollback either way. */
    if (cur->own_txn)
        PQclear(PQexec(pm_pg_conn(cur->pg), "ROLLBACK"));
    pm_schema_clear(&cur->schema);
    free(cur->layer);
    free(cur);
}

/* The quoted column when `table` has it, else the SQL text NULL. */
static char *optional_column(pm_pg *pg, pm_ctx *ctx, const pm_schema *s, const char *col)
{
    if (col && pm_schema_find(s, col) >= 0)
        return pm_pg_ident(pg, ctx, col);
    char *n = strdup("NULL");
    if (!n)
        pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "areas");
    return n;
}

/* ---- what a layer holds --------------------------------------------------- */

int pm_pg_geom_kind(pm_geom_kind *out, pm_ctx *ctx, pm_pg *pg, const char *layer)
{
    char *table = NULL;
    PGresult *r = NULL;
    int rc;
    if ((rc = need_layer(&table, NULL, ctx, pg, layer)))
        return rc;
    const char *p[] = {table};
    if ((rc = pm_pg_query(&r, pg, ctx, "cannot read layer",
                          "SELECT upper(type) FROM geometry_columns WHERE " PM_PG_LAYER_WHERE
                          " AND f_table_name = $1",
                          1, p)))
        goto done;
    rc = pm_store_ogc_kind(out, ctx, layer, PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "");
done:
    PQclear(r);
    free(table);
    return rc;
}

int pm_pg_layer_stats(long *out_count, double out_bbox[4], pm_ctx *ctx, pm_pg *pg,
                      const char *layer)
{
    char *table = NULL, *qt = NULL, sql[512];
    PGresult *r = NULL;
    int rc;
    if ((rc = need_layer(&table, NULL, ctx, pg, layer)))
        return rc;
    if (!(qt = pm_pg_ident(pg, ctx, table)) || strlen(qt) > 300) {
        rc = qt ? pm_err(ctx, PM_EUSAGE, "layer name too long", layer, "stats") : PM_EIO;
        goto done;
    }
    /* Each geometry's exact extent (ST_XMin of the geometry, not of the
     * index's float boxes), as the SpatiaLite store's MbrMinX. */
    snprintf(sql, sizeof sql,
             "SELECT count(*), min(ST_XMin(geom)), min(ST_YMin(geom)), max(ST_XMax(geom)), "
             "max(ST_YMax(geom)) FROM %s",
             qt);
    if ((rc = pm_pg_query(&r, pg, ctx, "cannot read layer", sql, 0, NULL)))
        goto done;
    *out_count = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    for (int i = 0; i < 4; i++)
        out_bbox[i] = PQgetisnull(r, 0, i + 1) ? NAN : strtod(PQgetvalue(r, 0, i + 1), NULL);
done:
    PQclear(r);
    free(qt);
    free(table);
    return rc;
}

int pm_pg_layer_sql(char **out_table, char **out_name, int *out_srid, pm_ctx *ctx, pm_pg *pg,
                    const char *layer)
{
    char *table = NULL;
    pm_schema schema = {0};
    int rc;
    *out_table = *out_name = NULL;
    if ((rc = need_layer(&table, out_srid, ctx, pg, layer)) ||
        (rc = read_schema(&schema, ctx, pg, table)))
        goto done;
    if (!(*out_table = pm_pg_ident(pg, ctx, table)) ||
        !(*out_name = optional_column(pg, ctx, &schema, "name"))) {
        rc = pm_ctx_code(ctx) ? pm_ctx_code(ctx) : PM_EIO;
        free(*out_table);
        free(*out_name);
        *out_table = *out_name = NULL;
    }
done:
    pm_schema_clear(&schema);
    free(table);
    return rc;
}
