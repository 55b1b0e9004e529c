/* Per-feature rows (name, group, planned area) and their areas, measured in
 * C from the features a cursor reads: the same code on SpatiaLite and
 * PostGIS. */
#include "parkmap/analysis.h"
#include "parkmap/crs.h"
#include "parkmap/topology.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pm_area_rows_free(pm_area_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].name);
        free(rows[i].group);
    }
    free(rows);
}

/* Import refuses a planned area that is not a plain number, but a database
 * edited since (or imported by an older parkmap) may hold "x" or "1,2": such
 * a value is missing, not a number. */
static double planned_value(const pm_value *v)
{
    double d = NAN;
    if (v->is_null)
        return NAN;
    if (v->type == PM_FIELD_INTEGER) {
        d = (double)v->i;
    } else if (v->type == PM_FIELD_REAL) {
        d = v->d;
    } else if (v->s) {
        char *end = NULL;
        d = strtod(v->s, &end);
        if (end == v->s || *(end + strspn(end, " \t")))
            d = NAN;
    }
    return isfinite(d) && d >= 0 ? d : NAN;
}

/* fid order, read order among equal fids (a stable sort: pk carries the
 * read index). */
typedef struct {
    pm_area_row row;
    size_t seq;
} seq_row;

static int by_fid(const void *a, const void *b)
{
    const seq_row *x = a, *y = b;
    if (x->row.fid != y->row.fid)
        return x->row.fid < y->row.fid ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int rows_of(pm_area_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st, const char *layer,
                   const char *group_by, int measure)
{
    const char *fields[3] = {"name", "planned_area_km2", group_by};
    const char *where = pm_store_path(st);
    pm_cursor *cur = NULL;
    pm_transform *to_ll = NULL;
    pm_feature f = {0};
    seq_row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc, got, srid = 0;
    *out = NULL;
    *out_n = 0;
    if ((rc = pm_store_layer_srid(&srid, ctx, st, layer)) ||
        (rc = pm_store_cursor_open_fields(&cur, ctx, st, layer, fields, group_by ? 3 : 2)))
        goto done;
    const pm_schema *sc = pm_cursor_schema(cur);
    int ni = pm_schema_find(sc, "name"), pi = pm_schema_find(sc, "planned_area_km2");
    int gi = group_by ? pm_schema_find(sc, group_by) : -1;
    if (group_by && gi < 0) {
        char at[600];
        snprintf(at, sizeof at, "%s layer %s", where, layer);
        rc = pm_err(ctx, PM_EUSAGE, "no such field", at, "field '%s'", group_by);
        goto done;
    }
    if (measure && (rc = pm_topology_to_lonlat(&to_ll, ctx, srid)))
        goto done;
    while ((got = pm_cursor_next(&f, ctx, cur)) == 1) {
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 64;
            seq_row *nr = realloc(rows, nc * sizeof *nr);
            if (!nr) {
                rc = pm_err(ctx, PM_ENOMEM, "out of memory", where, "areas");
                goto done;
            }
            rows = nr;
            cap = nc;
        }
        seq_row *s = &rows[n++];
        pm_area_row *r = &s->row;
        memset(s, 0, sizeof *s);
        s->seq = n;
        r->fid = f.fid;
        if (ni >= 0 && !f.values[ni].is_null) {
            r->name = pm_topology_value_text(&f.values[ni]);
        } else {
            char buf[32];
            snprintf(buf, sizeof buf, "#%lld", (long long)f.fid);
            r->name = strdup(buf);
        }
        r->group =
            gi >= 0 && !f.values[gi].is_null ? pm_topology_value_text(&f.values[gi]) : strdup("");
        r->planned_km2 = pi >= 0 ? planned_value(&f.values[pi]) : NAN;
        r->planar_m2 = r->ellipsoidal_m2 = NAN;
        if (!r->name || !r->group) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", where, "areas");
            goto done;
        }
        /* A feature without geometry measures nothing (NAN). */
        if (measure && f.geom && f.geom->kind == PM_GEOM_POLYGON) {
            r->planar_m2 = pm_topology_planar_area(f.geom);
            /* In place: the feature is released right after. */
            if ((rc = pm_transform_geom(to_ll, ctx, f.geom)))
                goto done;
            r->ellipsoidal_m2 = pm_geod_area(f.geom);
        }
        pm_feature_clear(&f);
    }
    if ((rc = got) < 0)
        goto done;
    rc = 0;
    if (n > 1)
        qsort(rows, n, sizeof *rows, by_fid);
    pm_area_row *res = malloc((n ? n : 1) * sizeof *res);
    if (!res) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", where, "areas");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        res[i] = rows[i].row;
    free(rows);
    rows = NULL;
    *out = res;
    *out_n = n;
    n = 0;
done:
    pm_feature_clear(&f);
    for (size_t i = 0; i < n; i++) {
        free(rows[i].row.name);
        free(rows[i].row.group);
    }
    free(rows);
    pm_transform_free(to_ll);
    pm_cursor_free(cur);
    return rc;
}

int pm_analysis_area_rows(pm_area_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st,
                          const char *layer, const char *group_by)
{
    return rows_of(out, out_n, ctx, st, layer, group_by, 1);
}

int pm_analysis_feature_rows(pm_area_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st,
                             const char *layer, const char *group_by)
{
    return rows_of(out, out_n, ctx, st, layer, group_by, 0);
}
