/* The PostGIS store's derived-layer writer (adjacency, qa_issues, clusters,
 * changes, clean's layers). The measures once taken here in SQL (validity,
 * repair, areas, ground outside a layer) are analysis's and topology's now,
 * in C over the cursors, as on SpatiaLite (docs/architecture.md, "What runs
 * where").
 *
 * Values are bound (text parameters; doubles as %.17g, exact), identifiers
 * quoted (PQescapeIdentifier); the SQL text is otherwise constant. */
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

/* ---- helpers ------------------------------------------------------------- */

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

/* Is name one of the tables analysis writes (store.h), which --no-tables
 * leaves alone? Else it is a layer clean --to writes. */
static int is_derived(const char *name)
{
    static const char *const derived[] = {PM_LAYER_ADJACENCY, PM_LAYER_QA_ISSUES, PM_LAYER_CLUSTERS,
                                          PM_LAYER_CHANGES};
    for (size_t i = 0; i < sizeof derived / sizeof *derived; i++)
        if (!strcasecmp(name, derived[i]))
            return 1;
    return 0;
}

/* Drop the table a derived layer replaces. A role that may read the
 * database but does not own the table (another role wrote it) gets
 * PostgreSQL's 42501 "must be owner of table": said as one line naming the
 * table, its owner and the role connected, and what to do. The owner is
 * asked first: after the failed DROP the transaction answers nothing. */
static int drop_table(pm_pg *pg, pm_ctx *ctx, const char *table)
{
    PGresult *own = NULL, *r = NULL;
    char *qt = NULL, *sql = NULL;
    const char *p[] = {table};
    int rc = pm_pg_query(&own, pg, ctx, "cannot write derived layer",
                         "SELECT pg_get_userbyid(c.relowner), current_user FROM pg_class c JOIN "
                         "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = "
                         "current_schema() AND c.relname = $1",
                         1, p);
    if (rc)
        goto done;
    if (!(qt = pm_pg_ident(pg, ctx, table))) {
        rc = PM_EIO;
        goto done;
    }
    size_t n = strlen(qt) + sizeof "DROP TABLE ";
    if (!(sql = malloc(n))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", pm_pg_redacted(pg), "SQL");
        goto done;
    }
    snprintf(sql, n, "DROP TABLE %s", qt);
    r = PQexec(pm_pg_conn(pg), sql);
    if (PQresultStatus(r) == PGRES_COMMAND_OK)
        goto done;
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *owner = PQntuples(own) == 1 ? PQgetvalue(own, 0, 0) : "";
    const char *role = PQntuples(own) == 1 ? PQgetvalue(own, 0, 1) : "";
    if (state && !strcmp(state, "42501") && *owner && strcmp(owner, role)) {
        char what[PM_LAYER_NAME_MAX + 32];
        snprintf(what, sizeof what, "cannot replace table %s", table);
        rc = pm_err(ctx, PM_EIO, what, pm_pg_redacted(pg),
                    "owned by role %s, connected as %s; run as the owner, or %s", owner, role,
                    is_derived(table) ? "use --no-tables" : "write another layer");
    } else {
        rc = pm_pg_fail(pg, ctx, "cannot write derived layer", r);
    }
done:
    PQclear(r);
    PQclear(own);
    free(sql);
    free(qt);
    return rc;
}

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
    if (found && (rc = drop_table(pg, ctx, real)))
        goto done;
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
