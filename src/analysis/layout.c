/* Layout indicators for "spatial layout optimisation": clusters of parks
 * (overall and per industry), compactness, nearest park of the same kind. */
#include "parkmap/analysis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PM_PI 3.14159265358979323846

void pm_layout_free(pm_layout *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nparks; i++) {
        free(l->parks[i].name);
        free(l->parks[i].group);
    }
    for (size_t i = 0; i < l->nclusters; i++) {
        free(l->clusters[i].scope);
        free(l->clusters[i].parks);
        pm_geom_free(l->clusters[i].geom);
    }
    free(l->parks);
    free(l->clusters);
    free(l);
}

/* Union-find over park indices: near-linear, so clustering stays cheap
 * however many pairs the spatial index finds. */
static size_t find(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static size_t index_of(const pm_layout *l, int64_t fid)
{
    for (size_t i = 0; i < l->nparks; i++)
        if (l->parks[i].fid == fid)
            return i;
    return (size_t)-1;
}

/* Enterprises per park from the attribute, when the layer has it. */
static int read_enterprises(double *out, pm_ctx *ctx, pm_store *st, const pm_layout *l,
                            const char *layer)
{
    pm_cursor *cur = NULL;
    pm_feature f = {0};
    int rc = pm_store_cursor_open(&cur, ctx, st, layer), got;
    for (size_t i = 0; i < l->nparks; i++)
        out[i] = NAN;
    if (rc)
        return rc;
    int k = pm_schema_find(pm_cursor_schema(cur), "enterprises");
    while (k >= 0 && (got = pm_cursor_next(cur, ctx, &f)) == 1) {
        size_t i = index_of(l, f.fid);
        double v;
        if (i != (size_t)-1 && pm_value_as_double(&f.values[k], &v))
            out[i] = v;
        pm_feature_clear(&f);
    }
    if (k >= 0 && got < 0)
        rc = got;
    pm_cursor_free(cur);
    return rc;
}

/* Make clusters of `scope` from the components of parent[] restricted to
 * parks whose group equals scope (or all parks when scope is NULL). */
static int make_clusters(pm_layout *l, pm_ctx *ctx, pm_store *st, const char *layer,
                         size_t *parent, const double *ent, const char *scope, int *next_id)
{
    size_t n = l->nparks;
    int64_t *fids = malloc(n * sizeof(int64_t));
    int rc = 0;
    if (!fids)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "clusters");
    for (size_t root = 0; root < n; root++) {
        size_t m = 0;
        char names[2048] = "";
        size_t used = 0;
        double e = NAN;
        for (size_t i = 0; i < n; i++) {
            if (find(parent, i) != root || (scope && strcmp(l->parks[i].group, scope) != 0))
                continue;
            fids[m++] = l->parks[i].fid;
            if (used < sizeof names)
                used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                                         used ? " | " : "", l->parks[i].name);
            if (!isnan(ent[i]))
                e = (isnan(e) ? 0 : e) + ent[i];
            if (!scope)
                l->parks[i].cluster = *next_id;
        }
        if (m == 0)
            continue;
        pm_cluster *nc = realloc(l->clusters, (l->nclusters + 1) * sizeof(*nc));
        if (!nc) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "clusters");
            break;
        }
        l->clusters = nc;
        pm_cluster *c = &nc[l->nclusters++];
        memset(c, 0, sizeof(*c));
        c->id = (*next_id)++;
        c->nparks = m;
        c->enterprises = e;
        c->scope = strdup(scope ? scope : "all");
        c->parks = strdup(names);
        if (!c->scope || !c->parks) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "clusters");
            break;
        }
        if ((rc = pm_store_dissolve(&c->geom, &c->area_m2, ctx, st, layer, fids, m)))
            break;
    }
    free(fids);
    return rc;
}

static int write_table(pm_ctx *ctx, pm_store *st, const pm_layout *l, const char *layer)
{
    static const char *const names[] = {"cluster_id", "scope",       "park_count",
                                        "parks",      "area_km2",    "enterprises",
                                        "cluster_m"};
    static const pm_field_type types[] = {PM_FIELD_INTEGER, PM_FIELD_TEXT, PM_FIELD_INTEGER,
                                          PM_FIELD_TEXT,    PM_FIELD_REAL, PM_FIELD_REAL,
                                          PM_FIELD_REAL};
    pm_schema schema = {0};
    pm_feature *fs = calloc(l->nclusters ? l->nclusters : 1, sizeof(*fs));
    int rc = 0;
    if (!fs)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "clusters", "table");
    for (size_t i = 0; i < 7 && !rc; i++)
        rc = pm_schema_add(&schema, ctx, names[i], types[i]);
    for (size_t k = 0; k < l->nclusters && !rc; k++) {
        const pm_cluster *c = &l->clusters[k];
        pm_feature *f = &fs[k];
        f->fid = c->id;
        f->nvalues = 7;
        if (!(f->values = calloc(7, sizeof(pm_value)))) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", "clusters", "table");
            break;
        }
        f->values[0] = (pm_value){.type = PM_FIELD_INTEGER, .i = c->id};
        f->values[1] = (pm_value){.type = PM_FIELD_TEXT, .s = strdup(c->scope)};
        f->values[2] = (pm_value){.type = PM_FIELD_INTEGER, .i = (int64_t)c->nparks};
        f->values[3] = (pm_value){.type = PM_FIELD_TEXT, .s = strdup(c->parks)};
        f->values[4] = (pm_value){.type = PM_FIELD_REAL, .d = c->area_m2 / 1e6};
        f->values[5] = (pm_value){.type = PM_FIELD_REAL, .d = c->enterprises,
                                  .is_null = isnan(c->enterprises)};
        f->values[6] = (pm_value){.type = PM_FIELD_REAL, .d = l->cluster_m};
        if (!f->values[1].s || !f->values[3].s)
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", "clusters", "table");
        else if (c->geom)
            rc = pm_geom_clone(&f->geom, ctx, c->geom);
    }
    if (!rc)
        rc = pm_store_write_layer(st, ctx, "clusters", &schema, PM_GEOM_POLYGON, l->srid, fs,
                                  l->nclusters, layer);
    for (size_t i = 0; i < l->nclusters; i++)
        pm_feature_clear(&fs[i]);
    free(fs);
    pm_schema_clear(&schema);
    return rc;
}

int pm_analysis_layout(pm_layout **out, pm_ctx *ctx, pm_store *st, const pm_layout_opts *o)
{
    int rc = 0, next_id = 1;
    pm_layout *l = calloc(1, sizeof(*l));
    pm_area_row *rows = NULL;
    pm_pair_row *pairs = NULL;
    size_t nrows = 0, npairs = 0, nfacts = 0;
    double *per = NULL, *near = NULL, *ent = NULL;
    size_t *all = NULL, *grp = NULL;
    *out = NULL;
    if (!l)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "report");
    if (!(o->cluster_m >= 0)) {
        rc = pm_err(ctx, PM_EUSAGE, "bad option", "--cluster-m", "must be >= 0");
        goto done;
    }
    l->cluster_m = o->cluster_m;
    if (o->progress)
        o->progress(0.0, "layout: shapes and pairs", o->progress_user);
    const char *by = o->by && *o->by ? o->by : NULL;
    if ((rc = pm_store_layer_srid(&l->srid, ctx, st, o->layer)) ||
        (rc = pm_store_area_rows(&rows, &nrows, ctx, st, o->layer, by)) ||
        (rc = pm_store_shape_facts(&per, &near, &nfacts, ctx, st, o->layer, by)) ||
        (rc = pm_store_pairs(&pairs, &npairs, ctx, st, o->layer, o->cluster_m, 0)))
        goto done;
    if (nfacts != nrows) {
        rc = pm_err(ctx, PM_EINTERNAL, "layer changed while measured", o->layer, "row counts");
        goto done;
    }
    l->parks = calloc(nrows ? nrows : 1, sizeof(*l->parks));
    all = malloc((nrows ? nrows : 1) * sizeof(size_t));
    grp = malloc((nrows ? nrows : 1) * sizeof(size_t));
    ent = malloc((nrows ? nrows : 1) * sizeof(double));
    if (!l->parks || !all || !grp || !ent) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "parks");
        goto done;
    }
    l->nparks = nrows;
    for (size_t i = 0; i < nrows; i++) {
        pm_layout_park *p = &l->parks[i];
        p->fid = rows[i].fid;
        p->name = rows[i].name;
        p->group = rows[i].group;
        rows[i].name = rows[i].group = NULL;
        p->area_m2 = rows[i].ellipsoidal_m2;
        p->perimeter_m = per[i];
        p->polsby_popper = per[i] > 0 ? 4 * PM_PI * p->area_m2 / (per[i] * per[i]) : NAN;
        p->nearest_same_m = near[i];
        all[i] = grp[i] = i;
    }
    for (size_t k = 0; k < npairs; k++) {
        size_t a = index_of(l, pairs[k].a_fid), b = index_of(l, pairs[k].b_fid);
        if (a == (size_t)-1 || b == (size_t)-1)
            continue;
        all[find(all, a)] = find(all, b);
        if (strcmp(l->parks[a].group, l->parks[b].group) == 0)
            grp[find(grp, a)] = find(grp, b);
    }
    if (o->progress)
        o->progress(0.6, "layout: clusters", o->progress_user);
    if ((rc = read_enterprises(ent, ctx, st, l, o->layer)) ||
        (rc = make_clusters(l, ctx, st, o->layer, all, ent, NULL, &next_id)))
        goto done;
    /* Per group: each distinct group value, in first-seen order. */
    for (size_t i = 0; by && i < l->nparks; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(l->parks[j].group, l->parks[i].group) == 0;
        if (!seen && (rc = make_clusters(l, ctx, st, o->layer, grp, ent, l->parks[i].group,
                                         &next_id)))
            goto done;
    }
    if (o->write_table && (rc = write_table(ctx, st, l, o->layer)))
        goto done;
    *out = l;
    l = NULL;
done:
    pm_area_rows_free(rows, nrows);
    pm_pair_rows_free(pairs, npairs);
    free(per);
    free(near);
    free(ent);
    free(all);
    free(grp);
    pm_layout_free(l);
    return rc;
}
