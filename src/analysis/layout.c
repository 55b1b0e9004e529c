/* Layout indicators for "spatial layout optimisation": clusters of parks
 * (overall and per industry), compactness, nearest park of the same kind. */
#include "analysis_internal.h"
#include "parkmap/analysis.h"
#include "parkmap/store.h"
#include "parkmap/topology.h"

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
    for (size_t i = 0; i < l->ngroups; i++)
        free(l->groups[i].group);
    free(l->groups);
    free(l->study_area);
    free(l->parks);
    free(l->clusters);
    free(l);
}

/* The component of park i: parent[] holds each park's root (the first
 * park of its component), and a root is its own parent. */
static size_t find(const size_t *parent, size_t i)
{
    return parent[i];
}

/* The parks are in fid order (pm_analysis_feature_rows): binary search for the
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
    while (k >= 0 && (got = pm_cursor_next(&f, ctx, cur)) == 1) {
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
                                        "area_km2",   "enterprises", "cluster_m",  "mix_entropy"};
static const pm_field_type col_types[] = {PM_FIELD_INTEGER, PM_FIELD_TEXT, PM_FIELD_INTEGER,
                                          PM_FIELD_TEXT,    PM_FIELD_REAL, PM_FIELD_REAL,
                                          PM_FIELD_REAL,    PM_FIELD_REAL};
#define NCOLS (sizeof col_names / sizeof *col_names)

/* A cluster's row, with its dissolved geometry, into the clusters table as
 * soon as it is made: the geometries (a whole industry's fabric, on parcel
 * layers) are never all held at once. */
static int write_cluster(pm_layer_writer *w, pm_ctx *ctx, const pm_layout *l, const pm_cluster *c,
                         pm_geom *geom)
{
    pm_value v[NCOLS];
    memset(v, 0, sizeof v);
    v[0] = (pm_value){.type = PM_FIELD_INTEGER, .i = c->id};
    v[1] = (pm_value){.type = PM_FIELD_TEXT, .s = c->scope};
    v[2] = (pm_value){.type = PM_FIELD_INTEGER, .i = (int64_t)c->nparks};
    v[3] = (pm_value){.type = PM_FIELD_TEXT, .s = c->parks};
    v[4] = (pm_value){.type = PM_FIELD_REAL, .d = c->area_m2 / 1e6};
    v[5] = (pm_value){.type = PM_FIELD_REAL, .d = c->enterprises, .is_null = isnan(c->enterprises)};
    v[6] = (pm_value){.type = PM_FIELD_REAL, .d = l->cluster_m};
    v[7] = (pm_value){.type = PM_FIELD_REAL, .d = c->mix_entropy, .is_null = isnan(c->mix_entropy)};
    pm_feature f = {c->id, NCOLS, v, geom}; /* borrowed values: never cleared */
    return pm_store_layer_add(ctx, w, &f);
}

/* What a cluster takes from its parks: feature index (UINT32_MAX: no
 * geometry), enterprises, dense group id of nvals values (mix entropy),
 * and room for nvals shares. */
typedef struct {
    const uint32_t *gidx;
    const double *ent;
    const int32_t *gid;
    size_t nvals;
    double *share;
} park_facts;

/* One cluster: the parks members[0..m) (park indices, ascending). */
static int add_cluster(pm_layout *l, pm_ctx *ctx, pm_topo_dissolver *dis, const size_t *members,
                       size_t m, const park_facts *pf, const char *scope, int *next_id,
                       uint32_t *keys, pm_layer_writer *w)
{
    const uint32_t *gidx = pf->gidx;
    const double *ent = pf->ent;
    char names[2048] = "";
    size_t used = 0, nkeys = 0;
    double e = NAN;
    for (size_t k = 0; k < m; k++) {
        size_t i = members[k];
        if (gidx[i] != UINT32_MAX) /* a park without geometry adds nothing */
            keys[nkeys++] = gidx[i];
        if (used < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", used ? " | " : "",
                                     l->parks[i].name);
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
    c->mix_entropy = pm_layout_mix_entropy(l, members, m, pf->gid, pf->nvals, pf->share);
    c->scope = strdup(scope ? scope : "all");
    c->parks = strdup(names);
    if (!c->scope || !c->parks)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "clusters");
    pm_geom *geom = NULL;
    int rc = pm_topology_dissolve(&geom, &c->area_m2, ctx, dis, keys, nkeys);
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
static int make_clusters(pm_layout *l, pm_ctx *ctx, pm_topo_dissolver *dis, const size_t *parent,
                         const park_facts *pf, int by_group, int *next_id, pm_layer_writer *w)
{
    size_t n = l->nparks, ncomp = 0;
    size_t *start = calloc(n + 1, sizeof(size_t)), *member = malloc((n ? n : 1) * sizeof(size_t));
    size_t *rank = NULL;
    uint32_t *keys = malloc((n ? n : 1) * sizeof(uint32_t));
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
        rc = add_cluster(l, ctx, dis, member + start[r], start[r + 1] - start[r], pf,
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

/* Layout measures the stored geometry: a micrometre merges the copies of a
 * corner that differ in the last bits (so shared edges are identical and
 * the coverage union applies) and moves nothing by a measurable amount. */
#define LAYOUT_SNAP_M 1e-6

/* Group values as dense ids, numbered by a sort of the values. */
typedef struct {
    const char *s;
    size_t i;
} group_key;

static int cmp_group_key(const void *x, const void *y)
{
    const group_key *a = x, *b = y;
    int c = strcmp(a->s, b->s);
    return c ? c : (a->i > b->i) - (a->i < b->i);
}

static int group_ids(int32_t *out, size_t *out_nvals, pm_ctx *ctx, const pm_layout *l)
{
    group_key *k = malloc((l->nparks ? l->nparks : 1) * sizeof *k);
    if (!k)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "groups");
    for (size_t i = 0; i < l->nparks; i++)
        k[i] = (group_key){l->parks[i].group, i};
    qsort(k, l->nparks, sizeof *k, cmp_group_key);
    int32_t id = -1;
    for (size_t i = 0; i < l->nparks; i++) {
        if (i == 0 || strcmp(k[i].s, k[i - 1].s) != 0)
            id++;
        out[k[i].i] = id;
    }
    *out_nvals = (size_t)(id + 1);
    free(k);
    return 0;
}

int pm_analysis_layout(pm_layout **out, pm_ctx *ctx, pm_store *st, const pm_layout_opts *o)
{
    int rc = 0, next_id = 1;
    pm_layout *l = calloc(1, sizeof(*l));
    pm_area_row *rows = NULL;
    pm_topology *t = NULL;
    pm_topo_dissolver *dis = NULL;
    size_t nrows = 0, nf = 0, nvals = 0;
    double *per = NULL, *near = NULL, *ent = NULL, *share = NULL;
    size_t *all = NULL, *grp = NULL;
    uint32_t *gidx = NULL, *root = NULL;
    int32_t *gid = NULL, *fgroup = NULL;
    pm_schema schema = {0};
    pm_layer_writer *w = NULL;
    *out = NULL;
    if (!l)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "report");
    if (!(o->cluster_m >= 0)) {
        rc = pm_err(ctx, PM_EUSAGE, "bad option", "--cluster-m", "must be >= 0");
        goto done;
    }
    if (!(o->colocation_m >= 0) || o->runs < 0 || o->seed < 0) {
        rc = pm_err(ctx, PM_EUSAGE, "bad option",
                    !(o->colocation_m >= 0) ? "--colocation-m"
                    : o->runs < 0           ? "--runs"
                                            : "--seed",
                    "must be >= 0");
        goto done;
    }
    l->cluster_m = o->cluster_m;
    if (o->progress)
        o->progress(0.0, "layout: shapes and pairs", o->progress_user);
    const char *by = o->by && *o->by ? o->by : NULL;
    pm_topology_opts to = PM_TOPOLOGY_OPTS_INIT;
    to.layer = o->layer;
    to.snap_m = LAYOUT_SNAP_M;
    if ((rc = pm_store_layer_need_polygons(ctx, st, o->layer, "layout")) ||
        (rc = pm_store_layer_srid(&l->srid, ctx, st, o->layer)) ||
        (rc = pm_analysis_feature_rows(&rows, &nrows, ctx, st, o->layer, by)) ||
        (rc = pm_topology_build(&t, ctx, st, &to)))
        goto done;
    nf = pm_topology_nfeatures(t);
    size_t nalloc = (nrows > nf ? nrows : nf) + 1;
    l->parks = calloc(nrows ? nrows : 1, sizeof(*l->parks));
    all = malloc(nalloc * sizeof(size_t));
    grp = malloc(nalloc * sizeof(size_t));
    ent = malloc(nalloc * sizeof(double));
    per = malloc(nalloc * sizeof(double));
    near = malloc(nalloc * sizeof(double));
    gidx = malloc(nalloc * sizeof(uint32_t));
    root = malloc(nalloc * sizeof(uint32_t));
    gid = malloc(nalloc * sizeof(int32_t));
    fgroup = malloc(nalloc * sizeof(int32_t));
    if (!l->parks || !all || !grp || !ent || !per || !near || !gidx || !root || !gid || !fgroup) {
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
    }
    /* Park i and feature index k of the graph: both in fid order. */
    for (size_t i = 0; i < nrows; i++)
        gidx[i] = UINT32_MAX;
    for (size_t k = 0; k < nf; k++) {
        size_t i = index_of(l, pm_topology_fid(t, k));
        if (i != (size_t)-1)
            gidx[i] = (uint32_t)k;
    }
    if ((rc = group_ids(gid, &nvals, ctx, l)))
        goto done;
    /* Nearest of the same kind only where there is a kind (a park without
     * a value has none; without --by no park has one). */
    for (size_t k = 0; k < nf; k++)
        fgroup[k] = -1;
    for (size_t i = 0; i < nrows; i++)
        if (gidx[i] != UINT32_MAX)
            fgroup[gidx[i]] = by && *l->parks[i].group ? gid[i] : -1;
    if ((rc = pm_topology_perimeters(per, ctx, t)) ||
        (rc = pm_topology_nearest_same(near, ctx, t, fgroup)))
        goto done;
    for (size_t i = 0; i < nrows; i++) {
        pm_layout_park *p = &l->parks[i];
        double planar;
        p->area_m2 = p->perimeter_m = 0;
        p->nearest_same_m = NAN;
        if (gidx[i] == UINT32_MAX) {
            p->area_m2 = NAN;
        } else {
            if ((rc = pm_topology_areas(&planar, &p->area_m2, ctx, t, p->fid)))
                goto done;
            p->perimeter_m = per[gidx[i]];
            p->nearest_same_m = near[gidx[i]];
        }
        p->polsby_popper =
            p->perimeter_m > 0 ? 4 * PM_PI * p->area_m2 / (p->perimeter_m * p->perimeter_m) : NAN;
    }
    if ((rc = pm_layout_indicators(l, ctx, st, t, o, gidx, gid, by ? nvals : 1, by != NULL)))
        goto done;
    /* Components over all parks, then over parks of one group; a root is
     * the first park of its component. */
    for (int pass = 0; pass < 2; pass++) {
        size_t *parent = pass ? grp : all;
        for (size_t i = 0; i < nrows; i++)
            parent[i] = i;
        if (pass && !by)
            break;
        for (size_t k = 0; k < nf; k++)
            fgroup[k] = 0;
        for (size_t i = 0; i < nrows; i++)
            if (gidx[i] != UINT32_MAX)
                fgroup[gidx[i]] = gid[i];
        if ((rc = pm_topology_components(root, ctx, t, o->cluster_m, pass ? fgroup : NULL)))
            goto done;
        for (size_t i = 0; i < nrows; i++)
            if (gidx[i] != UINT32_MAX)
                parent[i] = index_of(l, pm_topology_fid(t, root[gidx[i]]));
    }
    if (o->progress)
        o->progress(0.6, "layout: clusters", o->progress_user);
    if (o->write_table) {
        for (size_t i = 0; i < sizeof col_names / sizeof *col_names; i++)
            if ((rc = pm_schema_add(&schema, ctx, col_names[i], col_types[i])))
                goto done;
        if ((rc = pm_store_layer_begin(&w, ctx, st, PM_LAYER_CLUSTERS, &schema, PM_GEOM_POLYGON,
                                       l->srid)))
            goto done;
    }
    /* Without a by-field every park is one value: no mix to measure. */
    park_facts pf = {gidx, ent, gid, by ? nvals : 1, NULL};
    if (!(share = malloc((nvals + 1) * sizeof *share))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "clusters");
        goto done;
    }
    pf.share = share;
    if ((rc = pm_topology_dissolver_new(&dis, ctx, t)) ||
        (rc = read_enterprises(ent, ctx, st, l, o->layer)) ||
        (rc = make_clusters(l, ctx, dis, all, &pf, 0, &next_id, w)) ||
        (by && (rc = make_clusters(l, ctx, dis, grp, &pf, 1, &next_id, w))) ||
        (w && (rc = pm_store_layer_commit(ctx, w, o->layer))))
        goto done;
    *out = l;
    l = NULL;
done:
    pm_area_rows_free(rows, nrows);
    pm_layer_writer_free(w);
    pm_topology_dissolver_free(dis);
    pm_topology_free(t);
    pm_schema_clear(&schema);
    free(per);
    free(near);
    free(ent);
    free(share);
    free(all);
    free(grp);
    free(gidx);
    free(root);
    free(gid);
    free(fgroup);
    pm_layout_free(l);
    return rc;
}
