/* Layout indicators for "spatial layout optimisation": clusters of parks
 * (overall and per industry), compactness, nearest park of the same kind. */
#include "parkmap/analysis.h"
#include "parkmap/store.h"

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

/* The parks are in fid order (pm_store_area_rows): binary search for the
 * first park with this fid. */
static size_t index_of(const pm_layout *l, int64_t fid)
{
    size_t lo = 0, hi = l->nparks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->parks[mid].fid < fid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < l->nparks && l->parks[lo].fid == fid ? lo : (size_t)-1;
}

/* Near pairs join components: all parks, and parks of the same group. */
typedef struct {
    const pm_layout *l;
    size_t *all, *grp;
} joiner;

/* Already joined in every structure the pair could join: no need to know
 * how far apart they are. */
static int joined(void *user, int64_t a_fid, int64_t b_fid)
{
    joiner *j = user;
    size_t a = index_of(j->l, a_fid), b = index_of(j->l, b_fid);
    if (a == (size_t)-1 || b == (size_t)-1)
        return 1;
    if (find(j->all, a) != find(j->all, b))
        return 0;
    return strcmp(j->l->parks[a].group, j->l->parks[b].group) != 0 ||
           find(j->grp, a) == find(j->grp, b);
}

static int join(void *user, pm_ctx *ctx, int64_t a_fid, int64_t b_fid)
{
    joiner *j = user;
    size_t a = index_of(j->l, a_fid), b = index_of(j->l, b_fid);
    (void)ctx;
    if (a == (size_t)-1 || b == (size_t)-1)
        return 0;
    j->all[find(j->all, a)] = find(j->all, b);
    if (strcmp(j->l->parks[a].group, j->l->parks[b].group) == 0)
        j->grp[find(j->grp, a)] = find(j->grp, b);
    return 0;
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

/* The clusters table's columns. */
static const char *const col_names[] = {"cluster_id", "scope",       "park_count", "parks",
                                        "area_km2",   "enterprises", "cluster_m"};
static const pm_field_type col_types[] = {PM_FIELD_INTEGER, PM_FIELD_TEXT, PM_FIELD_INTEGER,
                                          PM_FIELD_TEXT,    PM_FIELD_REAL, PM_FIELD_REAL,
                                          PM_FIELD_REAL};

/* A cluster's row, with its dissolved geometry, into the clusters table as
 * soon as it is made: the geometries (a whole industry's fabric, on parcel
 * layers) are never all held at once. */
static int write_cluster(pm_layer_writer *w, pm_ctx *ctx, const pm_layout *l, const pm_cluster *c,
                         pm_geom *geom)
{
    pm_value v[7];
    memset(v, 0, sizeof v);
    v[0] = (pm_value){.type = PM_FIELD_INTEGER, .i = c->id};
    v[1] = (pm_value){.type = PM_FIELD_TEXT, .s = c->scope};
    v[2] = (pm_value){.type = PM_FIELD_INTEGER, .i = (int64_t)c->nparks};
    v[3] = (pm_value){.type = PM_FIELD_TEXT, .s = c->parks};
    v[4] = (pm_value){.type = PM_FIELD_REAL, .d = c->area_m2 / 1e6};
    v[5] = (pm_value){.type = PM_FIELD_REAL, .d = c->enterprises,
                      .is_null = isnan(c->enterprises)};
    v[6] = (pm_value){.type = PM_FIELD_REAL, .d = l->cluster_m};
    pm_feature f = {c->id, 7, v, geom}; /* borrowed values: never cleared */
    return pm_store_layer_add(w, ctx, &f);
}

/* One cluster: the parks members[0..m) (park indices, ascending). */
static int add_cluster(pm_layout *l, pm_ctx *ctx, pm_store *st, const char *layer,
                       const size_t *members, size_t m, const int64_t *pks, const double *ent,
                       const char *scope, int *next_id, int64_t *keys, pm_layer_writer *w)
{
    char names[2048] = "";
    size_t used = 0;
    double e = NAN;
    for (size_t k = 0; k < m; k++) {
        size_t i = members[k];
        keys[k] = pks[i];
        if (used < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                                     used ? " | " : "", l->parks[i].name);
        if (!isnan(ent[i]))
            e = (isnan(e) ? 0 : e) + ent[i];
        if (!scope)
            l->parks[i].cluster = *next_id;
    }
    size_t nc = l->nclusters;
    if ((nc & (nc - 1)) == 0) { /* capacity doubles at powers of two */
        pm_cluster *g = realloc(l->clusters, (nc ? 2 * nc : 1) * sizeof(*g));
        if (!g)
            return pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "clusters");
        l->clusters = g;
    }
    pm_cluster *c = &l->clusters[l->nclusters++];
    memset(c, 0, sizeof(*c));
    c->id = (*next_id)++;
    c->nparks = m;
    c->enterprises = e;
    c->scope = strdup(scope ? scope : "all");
    c->parks = strdup(names);
    if (!c->scope || !c->parks)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "clusters");
    pm_geom *geom = NULL;
    int rc = pm_store_dissolve(&geom, &c->area_m2, ctx, st, layer, keys, m);
    if (!rc && w)
        rc = write_cluster(w, ctx, l, c, geom);
    pm_geom_free(geom);
    return rc;
}

/* Order of the per-group clusters: group first seen first, then by root. */
typedef struct {
    size_t rank, root;
} comp_key;

static int cmp_comp(const void *x, const void *y)
{
    const comp_key *a = x, *b = y;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return a->root < b->root ? -1 : a->root > b->root;
}

static int cmp_str(const void *x, const void *y)
{
    const char *const *a = x, *const *b = y;
    return strcmp(*a, *b);
}

/* Clusters from the components of parent[]: overall (by_group 0), or per
 * group value in the order values are first seen (by_group 1; parent[] then
 * only joins parks of one group). Clusters come in order of their root, as
 * the parks are in fid order. Bucketing parks by root keeps this linear in
 * the parks (plus a sort of the components), whatever the number of
 * clusters. */
static int make_clusters(pm_layout *l, pm_ctx *ctx, pm_store *st, const char *layer,
                         size_t *parent, const int64_t *pks, const double *ent, int by_group,
                         int *next_id, pm_layer_writer *w)
{
    size_t n = l->nparks, ncomp = 0;
    size_t *start = calloc(n + 1, sizeof(size_t)), *member = malloc((n ? n : 1) * sizeof(size_t));
    size_t *rank = NULL;
    int64_t *keys = malloc((n ? n : 1) * sizeof(int64_t));
    comp_key *comps = NULL;
    const char **sorted = NULL;
    int rc = 0;
    if (!start || !member || !keys) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "clusters");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        start[find(parent, i) + 1]++;
    for (size_t r = 0; r < n; r++)
        start[r + 1] += start[r];
    {
        size_t *fill = malloc((n ? n : 1) * sizeof(size_t));
        if (!fill) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "clusters");
            goto done;
        }
        memcpy(fill, start, n * sizeof(size_t));
        for (size_t i = 0; i < n; i++)
            member[fill[find(parent, i)]++] = i;
        free(fill);
    }
    for (size_t r = 0; r < n; r++)
        ncomp += start[r + 1] > start[r];
    comps = malloc((ncomp ? ncomp : 1) * sizeof(*comps));
    if (!comps) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "clusters");
        goto done;
    }
    ncomp = 0;
    for (size_t r = 0; r < n; r++)
        if (start[r + 1] > start[r])
            comps[ncomp++] = (comp_key){0, r};
    if (by_group) {
        /* Rank of each group value = position of its first park; a sorted
         * copy of the values finds each park's first-seen rank by search. */
        sorted = malloc((n ? n : 1) * sizeof(char *));
        rank = malloc((n ? n : 1) * sizeof(size_t));
        if (!sorted || !rank) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "clusters");
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            sorted[i] = l->parks[i].group;
        qsort(sorted, n, sizeof(char *), cmp_str);
        size_t nvals = 0;
        for (size_t i = 0; i < n; i++)
            if (i == 0 || strcmp(sorted[i], sorted[nvals - 1]) != 0)
                sorted[nvals++] = sorted[i];
        for (size_t v = 0; v < nvals; v++)
            rank[v] = (size_t)-1;
        for (size_t i = 0; i < n; i++) {
            const char *g = l->parks[i].group;
            const char **hit = bsearch(&g, sorted, nvals, sizeof(char *), cmp_str);
            size_t v = (size_t)(hit - sorted);
            if (rank[v] == (size_t)-1)
                rank[v] = i;
        }
        for (size_t c = 0; c < ncomp; c++) {
            const char *g = l->parks[comps[c].root].group;
            const char **hit = bsearch(&g, sorted, nvals, sizeof(char *), cmp_str);
            comps[c].rank = rank[hit - sorted];
        }
        qsort(comps, ncomp, sizeof(*comps), cmp_comp);
    }
    for (size_t c = 0; c < ncomp && !rc; c++) {
        size_t r = comps[c].root;
        rc = add_cluster(l, ctx, st, layer, member + start[r], start[r + 1] - start[r], pks, ent,
                         by_group ? l->parks[r].group : NULL, next_id, keys, w);
    }
done:
    free(start);
    free(member);
    free(keys);
    free(comps);
    free(sorted);
    free(rank);
    return rc;
}

int pm_analysis_layout(pm_layout **out, pm_ctx *ctx, pm_store *st, const pm_layout_opts *o)
{
    int rc = 0, next_id = 1;
    pm_layout *l = calloc(1, sizeof(*l));
    pm_area_row *rows = NULL;
    size_t nrows = 0, nfacts = 0;
    double *per = NULL, *near = NULL, *ent = NULL;
    size_t *all = NULL, *grp = NULL;
    int64_t *pks = NULL;
    pm_schema schema = {0};
    pm_layer_writer *w = NULL;
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
        (rc = pm_store_shape_facts(&per, &near, &nfacts, ctx, st, o->layer, by)))
        goto done;
    if (nfacts != nrows) {
        rc = pm_err(ctx, PM_EINTERNAL, "layer changed while measured", o->layer, "row counts");
        goto done;
    }
    l->parks = calloc(nrows ? nrows : 1, sizeof(*l->parks));
    all = malloc((nrows ? nrows : 1) * sizeof(size_t));
    grp = malloc((nrows ? nrows : 1) * sizeof(size_t));
    ent = malloc((nrows ? nrows : 1) * sizeof(double));
    pks = malloc((nrows ? nrows : 1) * sizeof(int64_t));
    if (!l->parks || !all || !grp || !ent || !pks) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "parks");
        goto done;
    }
    l->nparks = nrows;
    for (size_t i = 0; i < nrows; i++) {
        pm_layout_park *p = &l->parks[i];
        p->fid = rows[i].fid;
        pks[i] = rows[i].pk;
        p->name = rows[i].name;
        p->group = rows[i].group;
        rows[i].name = rows[i].group = NULL;
        p->area_m2 = rows[i].ellipsoidal_m2;
        p->perimeter_m = per[i];
        p->polsby_popper = per[i] > 0 ? 4 * PM_PI * p->area_m2 / (per[i] * per[i]) : NAN;
        p->nearest_same_m = near[i];
        all[i] = grp[i] = i;
    }
    /* Near pairs stream into the union-find; pairs already joined are not
     * even measured. */
    joiner jn = {l, all, grp};
    if ((rc = pm_store_near_pairs_each(ctx, st, o->layer, o->cluster_m, joined, join, &jn)))
        goto done;
    if (o->progress)
        o->progress(0.6, "layout: clusters", o->progress_user);
    if (o->write_table) {
        for (size_t i = 0; i < sizeof col_names / sizeof *col_names; i++)
            if ((rc = pm_schema_add(&schema, ctx, col_names[i], col_types[i])))
                goto done;
        if ((rc = pm_store_layer_begin(&w, st, ctx, PM_LAYER_CLUSTERS, &schema, PM_GEOM_POLYGON,
                                       l->srid)))
            goto done;
    }
    if ((rc = read_enterprises(ent, ctx, st, l, o->layer)) ||
        (rc = make_clusters(l, ctx, st, o->layer, all, pks, ent, 0, &next_id, w)) ||
        (by && (rc = make_clusters(l, ctx, st, o->layer, grp, pks, ent, 1, &next_id, w))) ||
        (w && (rc = pm_store_layer_commit(w, ctx, o->layer))))
        goto done;
    *out = l;
    l = NULL;
done:
    pm_area_rows_free(rows, nrows);
    pm_layer_writer_free(w);
    pm_schema_clear(&schema);
    free(pks);
    free(per);
    free(near);
    free(ent);
    free(all);
    free(grp);
    pm_layout_free(l);
    return rc;
}
