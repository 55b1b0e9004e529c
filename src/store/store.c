/* The public store API: which backend a database string names, and the
 * dispatch of every pm_store_* call to it (store_backend.h). What does not
 * depend on the database lives here too: argument checks every backend
 * shares, the derived-layer helpers built on the writer, the row types'
 * release functions. */
#include "store_backend.h"
#ifdef PM_HAVE_POSTGIS
#include "pg/store_pg.h"
#endif

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct pm_store {
    const pm_store_ops *ops;
    void *be; /* the backend's handle */
    pm_store_backend kind;
    char *db; /* as messages name it */
};

struct pm_cursor {
    const pm_store_ops *ops;
    void *be;
};

struct pm_store_import {
    const pm_store_ops *ops;
    void *be;
};

struct pm_layer_writer {
    const pm_store_ops *ops;
    void *be;
};

struct pm_store_update {
    const pm_store_ops *ops;
    void *be;
};

/* libpq's connection keywords (those a conninfo string starts with in
 * practice): "host=db dbname=parks" is a PostgreSQL database, not a file. */
static const char *const pg_keywords[] = {"host",
                                          "hostaddr",
                                          "port",
                                          "dbname",
                                          "user",
                                          "password",
                                          "passfile",
                                          "service",
                                          "sslmode",
                                          "application_name",
                                          "options",
                                          "connect_timeout",
                                          "target_session_attrs"};

static int is_pg_keyword_string(const char *db)
{
    const char *p = db;
    while (isspace((unsigned char)*p))
        p++;
    size_t n = 0;
    while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == '_'))
        n++;
    const char *q = p + n;
    while (isspace((unsigned char)*q))
        q++;
    if (n == 0 || *q != '=')
        return 0;
    for (size_t i = 0; i < sizeof pg_keywords / sizeof *pg_keywords; i++)
        if (strlen(pg_keywords[i]) == n && strncasecmp(p, pg_keywords[i], n) == 0)
            return 1;
    return 0;
}

pm_store_backend pm_store_backend_of(const char *db)
{
    if (db &&
        (strncasecmp(db, "postgresql://", 13) == 0 || strncasecmp(db, "postgres://", 11) == 0 ||
         strncasecmp(db, "PG:", 3) == 0 || is_pg_keyword_string(db)))
        return PM_STORE_POSTGIS;
    return PM_STORE_SPATIALITE;
}

/* The backend for `db`, or PM_EUSAGE when it is not built in (configured
 * with -DPM_POSTGIS=OFF). The message never repeats `db`: a connection
 * string may carry a password. */
static int ops_of(const pm_store_ops **out, pm_ctx *ctx, const char *db)
{
    *out = NULL;
    if (pm_store_backend_of(db) == PM_STORE_POSTGIS) {
#ifdef PM_HAVE_POSTGIS
        *out = &pm_pg_ops;
        return 0;
#else
        return pm_err(ctx, PM_EUSAGE, "the PostGIS backend is not built into this parkmap", "--db",
                      "a PostgreSQL connection string; rebuild with -DPM_POSTGIS=ON "
                      "(libpq-dev) or use a SpatiaLite file");
#endif
    }
    *out = &pm_sl_ops;
    return 0;
}

char *pm_store_db_label(const char *db)
{
    if (!db)
        return NULL;
    if (pm_store_backend_of(db) == PM_STORE_SPATIALITE)
        return strdup(db);
#ifdef PM_HAVE_POSTGIS
    return pm_pg_redact_string(db);
#else
    return strdup("PostgreSQL server");
#endif
}

/* ---- connection ----------------------------------------------------------- */

int pm_store_open(pm_store **out, pm_ctx *ctx, const char *db, int writable)
{
    const pm_store_ops *ops = NULL;
    pm_store *st = NULL;
    int rc;
    *out = NULL;
    if ((rc = ops_of(&ops, ctx, db)))
        return rc;
    if (!(st = calloc(1, sizeof *st)) || !(st->db = pm_store_db_label(db))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "--db", "store");
        goto done;
    }
    st->ops = ops;
    st->kind = pm_store_backend_of(db);
    if ((rc = ops->open(&st->be, ctx, db, writable)))
        goto done;
    /* A server is named as the backend reached it (libpq's defaults filled
     * in), never with its password. */
    const char *label = ops->label ? ops->label(st->be) : NULL;
    char *copy = label ? strdup(label) : NULL;
    if (copy) {
        free(st->db);
        st->db = copy;
    }
    *out = st;
    st = NULL;
done:
    pm_store_free(st);
    return rc;
}

int pm_store_close(pm_ctx *ctx, pm_store *st)
{
    if (!st)
        return 0;
    int rc = st->be ? st->ops->close(ctx, st->be) : 0;
    free(st->db);
    free(st);
    return rc;
}

void pm_store_free(pm_store *st)
{
    (void)pm_store_close(NULL, st);
}

const char *pm_store_path(const pm_store *st)
{
    return st->db;
}

pm_store_backend pm_store_backend_kind(const pm_store *st)
{
    return st->kind;
}

int pm_store_writable(pm_store *st)
{
    return st && st->be && st->ops->writable(st->be);
}

/* ---- import ----------------------------------------------------------------- */

int pm_store_import_begin(pm_store_import **out, pm_ctx *ctx, const pm_store_import_opts *opts,
                          const pm_schema *schema)
{
    const pm_store_ops *ops = NULL;
    pm_store_import *imp = NULL;
    int rc;
    *out = NULL;
    const char *why = pm_store_check_layer_name(opts->layer, PM_LAYER_NAME_WRITE);
    if (why)
        return pm_err(ctx, PM_EUSAGE, "bad layer name", opts->layer, "%s", why);
    if ((rc = ops_of(&ops, ctx, opts->db_path)))
        return rc;
    if (!(imp = calloc(1, sizeof *imp)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", "--db", "import");
    imp->ops = ops;
    if ((rc = ops->import_begin(&imp->be, ctx, opts, schema))) {
        free(imp);
        return rc;
    }
    *out = imp;
    return 0;
}

int pm_store_import_add(pm_ctx *ctx, pm_store_import *imp, const pm_feature *f)
{
    return imp->ops->import_add(ctx, imp->be, f);
}

int pm_store_import_commit(long *out, pm_ctx *ctx, pm_store_import *imp, int allow_invalid)
{
    return imp->ops->import_commit(out, ctx, imp->be, allow_invalid);
}

void pm_store_import_free(pm_store_import *imp)
{
    if (!imp)
        return;
    imp->ops->import_free(imp->be);
    free(imp);
}

/* ---- layers and metadata ---------------------------------------------------- */

int pm_store_layers(char ***out, size_t *out_n, pm_ctx *ctx, pm_store *st)
{
    return st->ops->layers(out, out_n, ctx, st->be);
}

int pm_store_has_layer(pm_ctx *ctx, pm_store *st, const char *layer)
{
    return st->ops->has_layer(ctx, st->be, layer);
}

int pm_store_layer_srid(int *out, pm_ctx *ctx, pm_store *st, const char *layer)
{
    return st->ops->layer_srid(out, ctx, st->be, layer);
}

int pm_store_layer_geom_kind(pm_geom_kind *out, pm_ctx *ctx, pm_store *st, const char *layer)
{
    return st->ops->geom_kind(out, ctx, st->be, layer);
}

int pm_store_layer_need_polygons(pm_ctx *ctx, pm_store *st, const char *layer, const char *cmd)
{
    pm_geom_kind kind;
    int rc = pm_store_layer_geom_kind(&kind, ctx, st, layer);
    if (rc || kind == PM_GEOM_POLYGON)
        return rc;
    /* Lines measure 0 km2 and have no boundary to repair: answering would
     * be a silent nonsense (check "passes" 0 km2 parks; clean wrote line rows
     * into a MULTIPOLYGON table). */
    char where[600];
    snprintf(where, sizeof where, "%s layer %s", st->db, layer);
    return pm_err(ctx, PM_EUSAGE, "not a polygon layer", where,
                  "it holds MULTILINESTRING geometries; %s needs parks' polygons", cmd);
}

int pm_store_layer_stats(long *out_count, double out_bbox[4], pm_ctx *ctx, pm_store *st,
                         const char *layer)
{
    return st->ops->stats(out_count, out_bbox, ctx, st->be, layer);
}

int pm_store_meta_get(char **out, pm_ctx *ctx, pm_store *st, const char *layer, const char *key)
{
    return st->ops->meta_get(out, ctx, st->be, layer, key);
}

void pm_strv_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* ---- cursors ------------------------------------------------------------- */

static int cursor_open(pm_cursor **out, pm_ctx *ctx, pm_store *st, const char *layer,
                       const char *const *fields, size_t nfields, const double *bbox)
{
    pm_cursor *c = calloc(1, sizeof *c);
    int rc;
    *out = NULL;
    if (!c)
        return pm_err(ctx, PM_ENOMEM, "out of memory", st->db, "cursor");
    c->ops = st->ops;
    if ((rc = st->ops->cursor_open(&c->be, ctx, st->be, layer, fields, nfields, bbox))) {
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int pm_store_cursor_open(pm_cursor **out, pm_ctx *ctx, pm_store *st, const char *layer)
{
    return cursor_open(out, ctx, st, layer, NULL, 0, NULL);
}

int pm_store_cursor_open_fields(pm_cursor **out, pm_ctx *ctx, pm_store *st, const char *layer,
                                const char *const *fields, size_t nfields)
{
    /* NULL here reads no attribute; to the backend NULL is every one. */
    return cursor_open(out, ctx, st, layer, fields ? fields : (const char *const[]){""},
                       fields ? nfields : 0, NULL);
}

int pm_store_cursor_open_bbox(pm_cursor **out, pm_ctx *ctx, pm_store *st, const char *layer,
                              const char *const *fields, size_t nfields, const double bbox[4])
{
    return cursor_open(out, ctx, st, layer, fields, nfields, bbox);
}

const pm_schema *pm_cursor_schema(const pm_cursor *cur)
{
    return cur->ops->cursor_schema(cur->be);
}

int pm_cursor_next(pm_feature *out, pm_ctx *ctx, pm_cursor *cur)
{
    return cur->ops->cursor_next(out, ctx, cur->be);
}

void pm_cursor_free(pm_cursor *cur)
{
    if (!cur)
        return;
    cur->ops->cursor_free(cur->be);
    free(cur);
}

/* ---- derived layers ------------------------------------------------------- */

int pm_store_layer_begin(pm_layer_writer **out, pm_ctx *ctx, pm_store *st, const char *name,
                         const pm_schema *schema, pm_geom_kind kind, int srid)
{
    pm_layer_writer *w = NULL;
    int rc;
    *out = NULL;
    /* The derived tables' own names pass; a caller that lets the user name
     * the layer (clean --to) refuses those first. */
    const char *why = pm_store_check_layer_name(name, PM_LAYER_NAME_DERIVED);
    if (why)
        return pm_err(ctx, PM_EUSAGE, "bad layer name", name, "%s", why);
    if (!(w = calloc(1, sizeof *w)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", st->db, "layer %s", name);
    w->ops = st->ops;
    if ((rc = st->ops->writer_begin(&w->be, ctx, st->be, name, schema, kind, srid))) {
        free(w);
        return rc;
    }
    *out = w;
    return 0;
}

int pm_store_layer_add(pm_ctx *ctx, pm_layer_writer *w, const pm_feature *f)
{
    return w->ops->writer_add(ctx, w->be, f);
}

int pm_store_layer_commit(pm_ctx *ctx, pm_layer_writer *w, const char *derived_from)
{
    return w->ops->writer_commit(ctx, w->be, derived_from);
}

void pm_layer_writer_free(pm_layer_writer *w)
{
    if (!w)
        return;
    w->ops->writer_free(w->be);
    free(w);
}

int pm_store_write_layer(pm_ctx *ctx, pm_store *st, const char *name, const pm_schema *schema,
                         pm_geom_kind kind, int srid, const pm_feature *feats, size_t n,
                         const char *derived_from)
{
    pm_layer_writer *w = NULL;
    int rc = pm_store_layer_begin(&w, ctx, st, name, schema, kind, srid);
    for (size_t i = 0; !rc && i < n; i++)
        rc = pm_store_layer_add(ctx, w, &feats[i]);
    if (!rc)
        rc = pm_store_layer_commit(ctx, w, derived_from);
    pm_layer_writer_free(w);
    return rc;
}

/* ---- geometries replaced in place ------------------------------------------- */

int pm_store_update_begin(pm_store_update **out, pm_ctx *ctx, pm_store *st, const char *layer)
{
    pm_store_update *u = NULL;
    int rc;
    *out = NULL;
    if (!(u = calloc(1, sizeof *u)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", st->db, "layer %s", layer);
    u->ops = st->ops;
    if ((rc = st->ops->update_begin(&u->be, ctx, st->be, layer))) {
        free(u);
        return rc;
    }
    *out = u;
    return 0;
}

int pm_store_update_geom(pm_ctx *ctx, pm_store_update *u, int64_t fid, const pm_geom *g)
{
    return u->ops->update_geom(ctx, u->be, fid, g);
}

int pm_store_update_commit(pm_ctx *ctx, pm_store_update *u)
{
    return u->ops->update_commit(ctx, u->be);
}

void pm_store_update_free(pm_store_update *u)
{
    if (!u)
        return;
    u->ops->update_free(u->be);
    free(u);
}
