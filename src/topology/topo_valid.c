/* Validity and its repair, in C over the store's cursor: GEOS's verdict,
 * reason and location for each feature (check's invalid_geometry), and
 * GEOS's MakeValid for check --make-valid, written back through the
 * store's in-place update. The same code on every backend, so SpatiaLite
 * and PostGIS report and repair alike (docs/architecture.md, "What runs
 * where"). */
#include "topo_internal.h"

#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The marker's radius in ground metres: a point cannot share a polygon
 * layer, and 10 m shows at any planning scale. */
#define MARKER_M 10.0
/* Segments per quadrant of the marker disc (SpatiaLite's and PostGIS's
 * buffers gave 30 before validity moved here). */
#define MARKER_QUADSEGS 30

typedef struct {
    GEOSContextHandle_t h;
    char msg[256]; /* GEOS's last error */
} venv;

static void on_geos_error(const char *msg, void *user)
{
    venv *e = user;
    snprintf(e->msg, sizeof e->msg, "%s", msg ? msg : "");
}

static int venv_init(venv *e, pm_ctx *ctx)
{
    memset(e, 0, sizeof *e);
    if (!(e->h = GEOS_init_r()))
        return pm_err(ctx, PM_ENOMEM, "out of memory", "validity", "GEOS");
    GEOSContext_setErrorMessageHandler_r(e->h, on_geos_error, e);
    return 0;
}

static void venv_finish(venv *e)
{
    if (e->h)
        GEOS_finish_r(e->h);
    e->h = NULL;
}

/* g as a GEOS MultiPolygon (topo_pm_to_geos: from its coordinates, as
 * validity reads every feature of a layer). *out NULL with rc 0 when GEOS
 * refuses it (a ring of fewer than 4 points): e->msg says why. */
static int to_geos(GEOSGeometry **out, venv *e, pm_ctx *ctx, const pm_geom *g)
{
    (void)ctx;
    e->msg[0] = 0;
    *out = topo_pm_to_geos(e->h, g, 0, 0);
    if (!*out && !e->msg[0])
        snprintf(e->msg, sizeof e->msg, "GEOS cannot build the geometry");
    return 0;
}

static int geom_valid(int *out_valid, char **out_reason, double xy[2], venv *e, pm_ctx *ctx,
                      const pm_geom *g)
{
    GEOSGeometry *gg = NULL, *loc = NULL;
    char *why = NULL, *text = NULL;
    const char *reason = NULL;
    int rc = 0;
    *out_valid = 0;
    if (out_reason)
        *out_reason = NULL;
    xy[0] = xy[1] = NAN;
    if (g && (rc = to_geos(&gg, e, ctx, g)))
        return rc;
    if (!g) {
        reason = "invalid";
    } else if (!gg) {
        reason = e->msg[0] ? e->msg : "invalid";
    } else {
        char v = GEOSisValidDetail_r(e->h, gg, 0, &why, &loc);
        if (v == 1) {
            *out_valid = 1;
            goto done;
        }
        if (v == 0) {
            /* GEOSisValidReason's own wording ("Self-intersection[x y]"),
             * which SpatiaLite's and PostGIS's ST_IsValidReason return. */
            text = GEOSisValidReason_r(e->h, gg);
            reason = text ? text : why ? why : "invalid";
            if (loc && !GEOSisEmpty_r(e->h, loc) &&
                (!GEOSGeomGetX_r(e->h, loc, &xy[0]) || !GEOSGeomGetY_r(e->h, loc, &xy[1])))
                xy[0] = xy[1] = NAN;
        } else {
            reason = e->msg[0] ? e->msg : "invalid";
        }
    }
    if (out_reason && !(*out_reason = strdup(reason)))
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "validity", "reason");
done:
    if (text)
        GEOSFree_r(e->h, text);
    if (why)
        GEOSFree_r(e->h, why);
    if (loc)
        GEOSGeom_destroy_r(e->h, loc);
    if (gg)
        GEOSGeom_destroy_r(e->h, gg);
    return rc;
}

/* where names the feature in messages. */
static int geom_repair(pm_geom **out, venv *e, pm_ctx *ctx, const pm_geom *g, const char *where)
{
    GEOSGeometry *gg = NULL, *fixed = NULL;
    GEOSMakeValidParams *par = NULL;
    int rc = 0;
    *out = NULL;
    if (!g)
        return 0;
    if ((rc = to_geos(&gg, e, ctx, g)))
        return rc;
    if (!gg) {
        rc = pm_err(ctx, PM_EINPUT, "cannot repair geometry", where, "GEOS: %s",
                    e->msg[0] ? e->msg : "unreadable geometry");
        goto done;
    }
    /* 'structure', not 'linework': the rings are read as the areas they
     * enclose (shells unioned, holes subtracted), so a hole outside its
     * shell or a shell looping over itself keeps the shell's ground
     * instead of turning the difference into land; a bow-tie is its two
     * triangles either way. Collapsed parts (lines, points) are dropped:
     * a park layer keeps polygons. */
    if (!(par = GEOSMakeValidParams_create_r(e->h)) ||
        !GEOSMakeValidParams_setMethod_r(e->h, par, GEOS_MAKE_VALID_STRUCTURE) ||
        !GEOSMakeValidParams_setKeepCollapsed_r(e->h, par, 0) ||
        !(fixed = GEOSMakeValidWithParams_r(e->h, gg, par))) {
        rc = pm_err(ctx, PM_EINTERNAL, "cannot repair geometry", where, "GEOS: %s",
                    e->msg[0] ? e->msg : "no reason given");
        goto done;
    }
    rc = topo_geos_to_pm(out, ctx, e->h, fixed, "validity");
done:
    if (par)
        GEOSMakeValidParams_destroy_r(e->h, par);
    if (fixed)
        GEOSGeom_destroy_r(e->h, fixed);
    if (gg)
        GEOSGeom_destroy_r(e->h, gg);
    return rc;
}

int pm_topology_geom_valid(int *out_valid, char **out_reason, double out_xy[2], pm_ctx *ctx,
                           const pm_geom *g)
{
    venv e;
    double xy[2];
    int rc;
    *out_valid = 0;
    if (out_reason)
        *out_reason = NULL;
    if ((rc = venv_init(&e, ctx)))
        return rc;
    rc = geom_valid(out_valid, out_reason, xy, &e, ctx, g);
    if (out_xy) {
        out_xy[0] = xy[0];
        out_xy[1] = xy[1];
    }
    venv_finish(&e);
    return rc;
}

int pm_topology_geom_repair(pm_geom **out, pm_ctx *ctx, const pm_geom *g)
{
    venv e;
    int rc;
    *out = NULL;
    if ((rc = venv_init(&e, ctx)))
        return rc;
    rc = geom_repair(out, &e, ctx, g, "geometry");
    venv_finish(&e);
    return rc;
}

void pm_invalid_rows_free(pm_invalid_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].name);
        free(rows[i].reason);
        pm_geom_free(rows[i].where);
    }
    free(rows);
}

/* ---- a layer ---------------------------------------------------------------- */

/* One invalid feature as the scan finds it. */
typedef struct {
    pm_invalid_row row;
    pm_geom *fixed; /* the repair, with want_repair */
    int has_geom;
    size_t seq; /* stored order, to keep it among equal fids */
} scan_item;

static int by_fid(const void *a, const void *b)
{
    const scan_item *x = a, *y = b;
    if (x->row.fid != y->row.fid)
        return x->row.fid < y->row.fid ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void items_free(scan_item *it, size_t n)
{
    for (size_t i = 0; it && i < n; i++) {
        free(it[i].row.name);
        free(it[i].row.reason);
        pm_geom_free(it[i].row.where);
        pm_geom_free(it[i].fixed);
    }
    free(it);
}

/* The name attribute as text, or "#fid". */
static char *name_of(const pm_feature *f, int col)
{
    char buf[64];
    const pm_value *v = col >= 0 && (size_t)col < f->nvalues ? &f->values[col] : NULL;
    if (v && !v->is_null) {
        if (v->type == PM_FIELD_TEXT && v->s)
            return strdup(v->s);
        if (v->type == PM_FIELD_INTEGER) {
            snprintf(buf, sizeof buf, "%lld", (long long)v->i);
            return strdup(buf);
        }
        if (v->type == PM_FIELD_REAL) {
            snprintf(buf, sizeof buf, "%.15g", v->d);
            return strdup(buf);
        }
    }
    snprintf(buf, sizeof buf, "#%lld", (long long)f->fid);
    return strdup(buf);
}

/* The marker disc around (x, y): MARKER_M ground metres in storage units. */
static int marker(pm_geom **out, venv *e, pm_ctx *ctx, double x, double y, double upm)
{
    GEOSGeometry *pt = NULL, *disc = NULL;
    int rc = 0;
    *out = NULL;
    if (!(pt = GEOSGeom_createPointFromXY_r(e->h, x, y)) ||
        !(disc = GEOSBuffer_r(e->h, pt, MARKER_M * upm, MARKER_QUADSEGS)))
        rc = pm_err(ctx, PM_EINTERNAL, "cannot draw a marker", "validity", "GEOS: %s",
                    e->msg[0] ? e->msg : "no reason given");
    else
        rc = topo_geos_to_pm(out, ctx, e->h, disc, "validity");
    if (disc)
        GEOSGeom_destroy_r(e->h, disc);
    if (pt)
        GEOSGeom_destroy_r(e->h, pt);
    return rc;
}

static int scan(scan_item **out, size_t *out_n, pm_ctx *ctx, pm_store *st, const char *layer,
                int want_repair)
{
    static const char *const fields[] = {"name"};
    pm_cursor *cur = NULL;
    pm_feature f;
    scan_item *it = NULL;
    size_t n = 0, cap = 0, seq = 0;
    double upm = NAN, box[4];
    long count = 0;
    int srid = 0, rc, step;
    venv e = {0};
    memset(&f, 0, sizeof f);
    *out = NULL;
    *out_n = 0;
    if ((rc = pm_store_layer_srid(&srid, ctx, st, layer)) ||
        (rc = pm_store_layer_stats(&count, box, ctx, st, layer)) || (rc = venv_init(&e, ctx)) ||
        (rc = pm_store_cursor_open_fields(&cur, ctx, st, layer, fields, 1)))
        goto done;
    int name_col = pm_schema_find(pm_cursor_schema(cur), "name");
    while ((step = pm_cursor_next(&f, ctx, cur)) == 1) {
        int valid = 0;
        char *reason = NULL;
        double xy[2];
        if ((rc = geom_valid(&valid, &reason, xy, &e, ctx, f.geom)))
            goto done;
        seq++;
        if (valid) {
            pm_feature_clear(&f);
            memset(&f, 0, sizeof f);
            continue;
        }
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 16;
            scan_item *p = realloc(it, nc * sizeof *p);
            if (!p) {
                free(reason);
                rc = pm_err(ctx, PM_ENOMEM, "out of memory", layer, "validity");
                goto done;
            }
            it = p;
            cap = nc;
        }
        scan_item *s = &it[n++];
        memset(s, 0, sizeof *s);
        s->seq = seq;
        s->row.fid = f.fid;
        s->row.reason = reason;
        s->has_geom = f.geom != NULL;
        if (!(s->row.name = name_of(&f, name_col))) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", layer, "validity");
            goto done;
        }
        if (isfinite(xy[0]) && isfinite(xy[1])) {
            /* The layer's centre, as the graph converts its tolerances:
             * the scale varies by far less than the marker needs. */
            if (isnan(upm))
                upm =
                    isfinite(box[0])
                        ? topo_units_per_m_srid(srid, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2,
                                                fmax(box[2] - box[0], box[3] - box[1]))
                        : topo_units_per_m_srid(srid, xy[0], xy[1], 0);
            if ((rc = marker(&s->row.where, &e, ctx, xy[0], xy[1], upm)))
                goto done;
        }
        if (want_repair && f.geom) {
            char where[PM_LAYER_NAME_MAX + 48];
            snprintf(where, sizeof where, "%s feature %lld", layer, (long long)f.fid);
            if ((rc = geom_repair(&s->fixed, &e, ctx, f.geom, where)))
                goto done;
        }
        pm_feature_clear(&f);
        memset(&f, 0, sizeof f);
    }
    if (step < 0)
        rc = step;
done:
    pm_feature_clear(&f);
    pm_cursor_free(cur);
    venv_finish(&e);
    if (rc) {
        items_free(it, n);
        return rc;
    }
    if (n > 1)
        qsort(it, n, sizeof *it, by_fid);
    *out = it;
    *out_n = n;
    return 0;
}

/* The rows of the scan, handed over to the caller. */
static int take_rows(pm_invalid_row **out, size_t *out_n, pm_ctx *ctx, scan_item *it, size_t n)
{
    pm_invalid_row *rows = NULL;
    *out = NULL;
    *out_n = 0;
    if (n && !(rows = calloc(n, sizeof *rows)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", "validity", "rows");
    for (size_t i = 0; i < n; i++) {
        rows[i] = it[i].row;
        memset(&it[i].row, 0, sizeof it[i].row);
    }
    *out = rows;
    *out_n = n;
    return 0;
}

int pm_topology_invalid(pm_invalid_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st,
                        const char *layer)
{
    scan_item *it = NULL;
    size_t n = 0;
    int rc;
    *out = NULL;
    *out_n = 0;
    if (!(rc = scan(&it, &n, ctx, st, layer, 0)))
        rc = take_rows(out, out_n, ctx, it, n);
    items_free(it, n);
    return rc;
}

int pm_topology_make_valid(pm_invalid_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st,
                           const char *layer)
{
    scan_item *it = NULL;
    pm_store_update *u = NULL;
    size_t n = 0;
    int rc;
    *out = NULL;
    *out_n = 0;
    if (!pm_store_writable(st))
        return pm_err(ctx, PM_EIO, "cannot repair geometries", pm_store_path(st),
                      "the database is open read-only");
    if ((rc = scan(&it, &n, ctx, st, layer, 1)) || n == 0)
        goto done;
    if ((rc = pm_store_update_begin(&u, ctx, st, layer)))
        goto done;
    for (size_t i = 0; i < n; i++)
        /* A feature without geometry has nothing to repair: left so. */
        if (it[i].has_geom && (rc = pm_store_update_geom(ctx, u, it[i].row.fid, it[i].fixed)))
            goto done;
    if ((rc = pm_store_update_commit(ctx, u)))
        goto done;
    rc = take_rows(out, out_n, ctx, it, n);
done:
    pm_store_update_free(u);
    items_free(it, n);
    return rc;
}
