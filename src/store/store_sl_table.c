/* A SpatiaLite geometry table created and filled in bulk: the one way the
 * store makes a layer, for import and for the derived layers alike.
 *
 * The table gets its geometry column registered and its R*Tree created
 * empty before the first row (CreateSpatialIndex on a non-empty table goes
 * through buildSpatialIndex, which prints to stderr and rolls the
 * transaction back behind our back). SpatiaLite's per-row triggers are then
 * parked (store_sl_trigger.c) and the rows go in as BLOBs encoded in C
 * (store_sl_blob.c), each row's box kept in memory; at the end the R*Tree is
 * packed at once (store_sl_rtree.c) and the triggers put back, so the table
 * ends as SpatiaLite would have left it row by row (which took 6 s for the
 * 300,000-row adjacency table of 100,000 parcels). */
#include "store_sl.h"
#include "util/sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pm_sl_table {
    pm_sl *st;
    char *layer;
    const char *what; /* the caller's words for a failed insert */
    pm_geom_kind kind;
    int srid;
    sqlite3_stmt *ins;
    sqlite3_stmt *from_wkb; /* for geometries the encoder does not take */
    unsigned char *blob;    /* reused for every row */
    size_t blob_cap;
    pm_rtree_entry *rt; /* every row's box, for the R*Tree */
    size_t rt_n, rt_cap;
    char **triggers; /* SQL to re-create the parked triggers */
    size_t ntriggers;
};

static int oom(pm_sl_table *t, pm_ctx *ctx, const char *what)
{
    return pm_err(ctx, PM_ENOMEM, "out of memory", t->st->path, "layer %s: %s", t->layer, what);
}

/* Run a SpatiaLite call that answers 1 for success, with ?1 the layer and,
 * where the SQL has them, ?2 the SRID and ?3 the geometry type. */
static int call_on_layer(pm_sl_table *t, pm_ctx *ctx, const char *sql, const char *what)
{
    sqlite3_stmt *s = NULL;
    int rc = pm_sl_prepare(t->st, ctx, sql, &s);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, t->layer, -1, SQLITE_TRANSIENT);
    if (sqlite3_bind_parameter_count(s) == 3) {
        sqlite3_bind_int(s, 2, t->srid);
        sqlite3_bind_text(s, 3, t->kind == PM_GEOM_LINE ? "MULTILINESTRING" : "MULTIPOLYGON", -1,
                          SQLITE_STATIC);
    }
    if (sqlite3_step(s) != SQLITE_ROW || sqlite3_column_int(s, 0) != 1)
        rc = pm_sl_sqlerr(t->st, ctx, what);
    sqlite3_finalize(s);
    return rc;
}

/* CREATE TABLE and the INSERT that fills it: our key and source_fid, the
 * columns in schema order, geom last (registered separately). Built in
 * growing strings: the table and column names are the user's (a 300-byte
 * --layer once ran past a buffer sized from the column names alone). */
static int create_sql(pm_sl_table *t, pm_ctx *ctx, const pm_schema *schema,
                      const char *const *columns)
{
    char *table = pm_sl_quote_ident(t->layer);
    sbuf sql = {0}, ins = {0};
    int rc = 0;
    if (!table) {
        rc = oom(t, ctx, "columns");
        goto done;
    }
    sb_puts(&sql, "CREATE TABLE ");
    sb_puts(&sql, table);
    sb_puts(&sql, " (pk INTEGER PRIMARY KEY, source_fid INTEGER NOT NULL");
    sb_puts(&ins, "INSERT INTO ");
    sb_puts(&ins, table);
    sb_puts(&ins, " (source_fid");
    for (size_t i = 0; i < schema->nfields; i++) {
        char *q = pm_sl_quote_ident(columns[i]);
        if (!q) {
            rc = oom(t, ctx, "columns");
            goto done;
        }
        pm_field_type ft = schema->fields[i].type;
        sb_puts(&sql, ", ");
        sb_puts(&sql, q);
        sb_puts(&sql, ft == PM_FIELD_INTEGER ? " INTEGER"
                      : ft == PM_FIELD_REAL  ? " REAL"
                                             : " TEXT");
        sb_puts(&ins, ", ");
        sb_puts(&ins, q);
        free(q);
    }
    sb_puts(&sql, ")");
    sb_puts(&ins, ", geom) VALUES (?");
    for (size_t i = 0; i < schema->nfields; i++)
        sb_puts(&ins, ", ?");
    sb_puts(&ins, ", ?)");
    if (sql.oom || ins.oom) {
        rc = oom(t, ctx, "columns");
        goto done;
    }
    if ((rc = pm_sl_exec(t->st, ctx, sql.s)) ||
        (rc = call_on_layer(t, ctx, "SELECT AddGeometryColumn(?1, 'geom', ?2, ?3, 'XY')",
                            "cannot register geometry column")) ||
        (rc = call_on_layer(t, ctx, "SELECT CreateSpatialIndex(?1, 'geom')",
                            "cannot build spatial index")) ||
        (rc = pm_sl_triggers_park(t->st, ctx, t->layer, &t->triggers, &t->ntriggers)))
        goto done;
    rc = pm_sl_prepare(t->st, ctx, ins.s, &t->ins);
done:
    free(table);
    free(sql.s);
    free(ins.s);
    return rc;
}

int pm_sl_table_create(pm_sl_table **out, pm_sl *st, pm_ctx *ctx, const char *layer,
                       const pm_schema *schema, const char *const *columns, pm_geom_kind kind,
                       int srid, const char *what)
{
    int rc;
    *out = NULL;
    pm_sl_table *t = calloc(1, sizeof *t);
    if (!t || !(t->layer = strdup(layer))) {
        free(t);
        return pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "layer %s", layer);
    }
    t->st = st;
    t->what = what;
    t->kind = kind;
    t->srid = srid;
    if (!columns) {
        /* The schema's own names; a caller that renames passes its own. */
        const char **names = calloc(schema->nfields + 1, sizeof *names);
        if (!names) {
            rc = oom(t, ctx, "columns");
            goto done;
        }
        for (size_t i = 0; i < schema->nfields; i++)
            names[i] = schema->fields[i].name;
        rc = create_sql(t, ctx, schema, names);
        free(names);
    } else {
        rc = create_sql(t, ctx, schema, columns);
    }
done:
    if (rc) {
        pm_sl_table_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

/* A geometry through SpatiaLite's own GeomFromWKB, into t->blob. */
static int blob_via_wkb(pm_sl_table *t, pm_ctx *ctx, const pm_geom *g, size_t *len)
{
    unsigned char *wkb = NULL;
    size_t n = 0;
    int rc;
    if ((rc = pm_geom_to_wkb(&wkb, &n, ctx, g)))
        return rc;
    if (!t->from_wkb &&
        (rc = pm_sl_prepare(t->st, ctx, "SELECT GeomFromWKB(?1, ?2)", &t->from_wkb)))
        goto done;
    sqlite3_reset(t->from_wkb);
    sqlite3_bind_blob(t->from_wkb, 1, wkb, (int)n, SQLITE_STATIC);
    sqlite3_bind_int(t->from_wkb, 2, t->srid);
    if (sqlite3_step(t->from_wkb) != SQLITE_ROW ||
        sqlite3_column_type(t->from_wkb, 0) != SQLITE_BLOB) {
        rc = pm_sl_sqlerr(t->st, ctx, t->what);
        goto done;
    }
    *len = (size_t)sqlite3_column_bytes(t->from_wkb, 0);
    if (*len > t->blob_cap) {
        unsigned char *b = realloc(t->blob, *len);
        if (!b) {
            rc = oom(t, ctx, "geometry");
            goto done;
        }
        t->blob = b;
        t->blob_cap = *len;
    }
    memcpy(t->blob, sqlite3_column_blob(t->from_wkb, 0), *len);
done:
    if (t->from_wkb)
        sqlite3_reset(t->from_wkb);
    free(wkb);
    return rc;
}

/* Remember a row's box (x0, y0, x1, y1) for the R*Tree. */
static int keep_box(pm_sl_table *t, pm_ctx *ctx, int64_t pk, const double box[4])
{
    if (t->rt_n == t->rt_cap) {
        size_t nc = t->rt_cap ? 2 * t->rt_cap : 1024;
        pm_rtree_entry *ne = realloc(t->rt, nc * sizeof *ne);
        if (!ne)
            return oom(t, ctx, "spatial index");
        t->rt = ne;
        t->rt_cap = nc;
    }
    t->rt[t->rt_n].id = pk;
    pm_rtree_box_of(t->rt[t->rt_n].box, box[0], box[2], box[1], box[3]);
    t->rt_n++;
    return 0;
}

int pm_sl_table_add(pm_sl_table *t, pm_ctx *ctx, const pm_feature *f)
{
    sqlite3_stmt *s = t->ins;
    size_t len = 0;
    double box[4];
    int rc = 0, has_geom = f->geom && f->geom->nparts;
    if (has_geom) {
        int enc = f->geom->kind == t->kind
                      ? pm_sl_blob_encode(&t->blob, &t->blob_cap, &len, box, f->geom, t->srid)
                      : 1;
        if (enc < 0)
            return oom(t, ctx, "geometry");
        if (enc > 0 && ((rc = blob_via_wkb(t, ctx, f->geom, &len)) ||
                        !pm_geom_bbox(f->geom, &box[0], &box[1], &box[2], &box[3])))
            return rc ? rc : pm_err(ctx, PM_EINTERNAL, "empty geometry", t->layer, "row");
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    int gcol = pm_sl_bind_feature(s, 1, f);
    if (has_geom)
        sqlite3_bind_blob(s, gcol, t->blob, (int)len, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, gcol);
    if (sqlite3_step(s) != SQLITE_DONE || sqlite3_changes(t->st->db) != 1)
        rc = pm_sl_sqlerr(t->st, ctx, t->what);
    else if (has_geom)
        rc = keep_box(t, ctx, sqlite3_last_insert_rowid(t->st->db), box);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc;
}

int pm_sl_table_finish(pm_sl_table *t, pm_ctx *ctx)
{
    sqlite3_finalize(t->ins);
    t->ins = NULL;
    sqlite3_finalize(t->from_wkb);
    t->from_wkb = NULL;
    free(t->blob);
    t->blob = NULL;
    t->blob_cap = 0;
    size_t n = strlen(t->layer) + 16;
    char *idx = malloc(n);
    if (!idx)
        return oom(t, ctx, "spatial index");
    snprintf(idx, n, "idx_%s_geom", t->layer);
    int rc = pm_sl_rtree_bulk(t->st, ctx, idx, t->rt, t->rt_n);
    free(idx);
    /* Not needed any more, and import goes on to GEOS validity next. */
    free(t->rt);
    t->rt = NULL;
    t->rt_n = t->rt_cap = 0;
    if (rc)
        return rc;
    return pm_sl_triggers_restore(t->st, ctx, t->layer, t->triggers, t->ntriggers);
}

void pm_sl_table_free(pm_sl_table *t)
{
    if (!t)
        return;
    sqlite3_finalize(t->ins);
    sqlite3_finalize(t->from_wkb);
    free(t->layer);
    free(t->blob);
    free(t->rt);
    pm_strv_free(t->triggers, t->ntriggers);
    free(t);
}
