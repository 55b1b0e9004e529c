/* SpatiaLite backend: the derived-layer writer (adjacency, qa_issues,
 * clusters, clean's layers). The measures it once took in SQL (areas,
 * validity, repair, ground outside a layer) are analysis's and topology's
 * now, in C over the cursors (docs/architecture.md, "What runs where"). */
#include "store_sl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- writing derived layers -------------------------------------------- */

static int exec_bound_text(pm_sl *st, pm_ctx *ctx, const char *sql, const char *a, const char *b,
                           const char *c)
{
    sqlite3_stmt *s = NULL;
    int rc = pm_sl_prepare(st, ctx, sql, &s);
    if (rc)
        return rc;
    const char *v[3] = {a, b, c};
    for (int i = 0; i < 3; i++)
        if (v[i])
            sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(s);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = pm_sl_sqlerr(st, ctx, "cannot write derived layer");
    else if (step == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_INTEGER &&
             sqlite3_column_int(s, 0) != 1)
        rc = pm_sl_sqlerr(st, ctx, "cannot write derived layer");
    sqlite3_finalize(s);
    return rc;
}

int pm_sl_writable(void *be)
{
    pm_sl *st = be;
    return st && st->db && sqlite3_db_readonly(st->db, "main") == 0;
}

/* The table is written through pm_sl_table (bulk loaded, as import
 * does), inside a savepoint of its own. */
typedef struct pm_sl_writer {
    pm_sl *st;
    pm_sl_table *tab;
    char *name;
    int srid;
    int open; /* the savepoint is open: free rolls it back */
} pm_sl_writer;

int pm_sl_writer_begin(void **out, pm_ctx *ctx, void *be, const char *name, const pm_schema *schema,
                       pm_geom_kind kind, int srid)
{
    pm_sl *st = be;
    sqlite3_stmt *s = NULL;
    int rc;
    *out = NULL;
    /* The name was checked by pm_store_layer_begin (store.c). */
    if (sqlite3_db_readonly(st->db, "main") == 1)
        return pm_err(ctx, PM_EIO, "cannot write derived layer", st->path,
                      "the database is open read-only");
    pm_sl_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->name = strdup(name))) {
        free(w);
        return pm_err(ctx, PM_ENOMEM, "out of memory", st->path, "layer %s", name);
    }
    w->st = st;
    w->srid = srid;
    if ((rc = pm_sl_exec(st, ctx, "SAVEPOINT pm_derived")))
        goto fail;
    w->open = 1;
    if ((rc = pm_sl_prepare(st, ctx,
                            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                            "lower(name) = lower(?)",
                            &s)))
        goto fail;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    int exists = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    if (exists && (rc = exec_bound_text(st, ctx, "SELECT DropTable(NULL, ?)", name, NULL, NULL)))
        goto fail;
    if ((rc = pm_sl_table_create(&w->tab, st, ctx, name, schema, NULL, kind, srid,
                                 "cannot write derived layer")))
        goto fail;
    *out = w;
    return 0;
fail:
    pm_sl_writer_free(w);
    return rc;
}

int pm_sl_writer_add(pm_ctx *ctx, void *be_w, const pm_feature *f)
{
    pm_sl_writer *w = be_w;
    return pm_sl_table_add(w->tab, ctx, f);
}

int pm_sl_writer_commit(pm_ctx *ctx, void *be_w, const char *derived_from)
{
    pm_sl_writer *w = be_w;
    pm_sl *st = w->st;
    const char *name = w->name;
    int rc;
    if ((rc = pm_sl_table_finish(w->tab, ctx)))
        return rc;
    char now[32], crs[32];
    time_t tnow = time(NULL);
    struct tm tmv;
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tnow, &tmv));
    snprintf(crs, sizeof crs, "EPSG:%d", w->srid);
    const char *put = "INSERT OR REPLACE INTO parkmap_meta (layer, key, value) VALUES (?, ?, ?)";
    if ((rc = exec_bound_text(st, ctx, put, name, "derived_from", derived_from)) ||
        (rc = exec_bound_text(st, ctx, put, name, "created_at", now)) ||
        (rc = exec_bound_text(st, ctx, put, name, "storage_crs", crs)) ||
        (rc = pm_sl_exec(st, ctx, "RELEASE pm_derived")))
        return rc;
    w->open = 0;
    return 0;
}

void pm_sl_writer_free(void *be_w)
{
    pm_sl_writer *w = be_w;
    if (!w)
        return;
    pm_sl_table_free(w->tab);
    if (w->open)
        sqlite3_exec(w->st->db, "ROLLBACK TO pm_derived; RELEASE pm_derived", NULL, NULL, NULL);
    free(w->name);
    free(w);
}
