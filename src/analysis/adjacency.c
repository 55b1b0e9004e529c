/* Adjacency: which parks share a boundary, overlap, or nearly touch. */
#include "parkmap/analysis.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Below these, a measure is numerical noise, not geography: coordinates
 * carry ~1 cm after reprojection, so an "overlap" of under 1 m² (a 1 mm
 * sliver along a 1 km edge) or a shared run of under 1 cm is rounding. */
#define PM_OVERLAP_MIN_M2 1.0
#define PM_SHARED_MIN_M 0.01

const char *pm_relation_name(pm_relation r)
{
    switch (r) {
    case PM_REL_EDGE:
        return "shares_edge";
    case PM_REL_OVERLAP:
        return "overlaps";
    case PM_REL_NEAR:
        return "within_tolerance";
    case PM_REL_CORNER:
        return "corner_only";
    }
    return "?";
}

/* A pair's relation from what the boundary graph says about it. */
static pm_relation classify(const pm_topo_pair *p, double tol, double *shared_m)
{
    /* With a tolerance, boundaries within it count as shared. */
    *shared_m = p->shared_m + (tol > 0 && p->near_max_m <= tol ? p->near_m : 0);
    if (p->overlap_m2 >= PM_OVERLAP_MIN_M2) {
        /* With a tolerance, an overlap thinner than it along the shared
         * boundary is the same digitising noise as a gap that narrow. */
        if (tol > 0 && *shared_m >= PM_SHARED_MIN_M && p->overlap_m2 / *shared_m <= tol)
            return PM_REL_EDGE;
        return PM_REL_OVERLAP;
    }
    if (p->shared_m >= PM_SHARED_MIN_M)
        return PM_REL_EDGE;
    if (*shared_m >= PM_SHARED_MIN_M)
        return p->touches ? PM_REL_EDGE : PM_REL_NEAR;
    if (p->touches)
        return PM_REL_CORNER;
    return 0; /* a near stretch beyond the tolerance, or rounding: no relation */
}

/* Names by fid, each held once: in a parcel fabric every feature is in
 * several pairs. Open addressing; the capacity is a power of two. */
struct pm_name_table {
    int64_t *fid;
    char **name;
    size_t n, cap;
};

static void names_free(struct pm_name_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->cap; i++)
        free(t->name[i]);
    free(t->fid);
    free(t->name);
    free(t);
}

static size_t slot_of(const struct pm_name_table *t, int64_t fid)
{
    uint64_t h = (uint64_t)fid * 0x9E3779B97F4A7C15ull;
    size_t j = (size_t)(h >> 17) & (t->cap - 1);
    while (t->name[j] && t->fid[j] != fid)
        j = (j + 1) & (t->cap - 1);
    return j;
}

/* The interned name of fid; takes *name when it is the first seen (and
 * sets it to NULL). NULL on OOM. */
static const char *intern(struct pm_name_table *t, int64_t fid, char **name)
{
    if (2 * (t->n + 1) > t->cap) {
        struct pm_name_table g = {NULL, NULL, 0, t->cap ? 2 * t->cap : 1024};
        g.fid = malloc(g.cap * sizeof *g.fid);
        g.name = calloc(g.cap, sizeof *g.name);
        if (!g.fid || !g.name) {
            free(g.fid);
            free(g.name);
            return NULL;
        }
        for (size_t i = 0; i < t->cap; i++)
            if (t->name[i]) {
                size_t j = slot_of(&g, t->fid[i]);
                g.fid[j] = t->fid[i];
                g.name[j] = t->name[i];
            }
        free(t->fid);
        free(t->name);
        t->fid = g.fid;
        t->name = g.name;
        t->cap = g.cap;
    }
    size_t j = slot_of(t, fid);
    if (!t->name[j]) {
        t->fid[j] = fid;
        t->name[j] = *name;
        *name = NULL;
        t->n++;
    }
    return t->name[j];
}

void pm_adjacency_free(pm_adjacency *a)
{
    if (!a)
        return;
    names_free(a->names);
    free(a->pairs);
    free(a->corner);
    free(a);
}

/* One pass over the pairs: each is classified, written to the adjacency
 * table (with its shared boundary) and kept without its geometry, so memory
 * holds a few numbers per pair, not the lines. */
typedef struct {
    pm_adjacency *a;
    size_t cap_pairs, cap_corner;
    pm_layer_writer *w; /* NULL: no table */
    int64_t row;
} adj_run;

/* The adjacency table: one row per pair, corner-only contacts included so
 * the table answers "do these two touch at all?" too. */
static const char *const col_names[] = {"a_fid",      "a_name",     "b_fid",
                                        "b_name",     "relation",   "shared_m",
                                        "overlap_m2", "distance_m", "tolerance_m"};
static const pm_field_type col_types[] = {PM_FIELD_INTEGER, PM_FIELD_TEXT, PM_FIELD_INTEGER,
                                          PM_FIELD_TEXT,    PM_FIELD_TEXT, PM_FIELD_REAL,
                                          PM_FIELD_REAL,    PM_FIELD_REAL, PM_FIELD_REAL};

static int write_row(adj_run *r, pm_ctx *ctx, const pm_adjacency_pair *p, pm_geom *shared)
{
    pm_value v[9];
    memset(v, 0, sizeof v);
    v[0] = (pm_value){.type = PM_FIELD_INTEGER, .i = p->a_fid};
    v[1] = (pm_value){.type = PM_FIELD_TEXT, .s = (char *)p->a_name};
    v[2] = (pm_value){.type = PM_FIELD_INTEGER, .i = p->b_fid};
    v[3] = (pm_value){.type = PM_FIELD_TEXT, .s = (char *)p->b_name};
    v[4] = (pm_value){.type = PM_FIELD_TEXT, .s = (char *)pm_relation_name(p->relation)};
    v[5] = (pm_value){.type = PM_FIELD_REAL, .d = p->shared_m};
    v[6] = (pm_value){.type = PM_FIELD_REAL, .d = p->overlap_m2};
    v[7] = (pm_value){.type = PM_FIELD_REAL, .d = p->distance_m};
    v[8] = (pm_value){.type = PM_FIELD_REAL, .d = r->a->tolerance_m};
    /* Borrowed values: the feature is never cleared. */
    pm_feature f = {r->row++, 9, v, shared};
    return pm_store_layer_add(ctx, r->w, &f);
}

/* The pair's names, interned once per feature (borrowed from the graph). */
static const char *name_of(struct pm_name_table *t, int64_t fid, const char *name)
{
    if (t->cap) {
        size_t j = slot_of(t, fid);
        if (t->name[j])
            return t->name[j];
    }
    char *copy = strdup(name);
    const char *n = copy ? intern(t, fid, &copy) : NULL;
    free(copy);
    return n;
}

static int on_pair(void *user, pm_ctx *ctx, pm_topo_pair *row)
{
    adj_run *r = user;
    pm_adjacency *a = r->a;
    double shared_m = 0;
    pm_relation rel = classify(row, a->tolerance_m, &shared_m);
    if (!rel)
        return 0;
    int corner = rel == PM_REL_CORNER;
    pm_adjacency_pair **arr = corner ? &a->corner : &a->pairs;
    size_t *n = corner ? &a->ncorner : &a->npairs, *cap = corner ? &r->cap_corner : &r->cap_pairs;
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        pm_adjacency_pair *np = realloc(*arr, nc * sizeof *np);
        if (!np)
            return pm_err(ctx, PM_ENOMEM, "out of memory", "adjacency", "%zu pairs", *n);
        *arr = np;
        *cap = nc;
    }
    pm_adjacency_pair *p = &(*arr)[*n];
    memset(p, 0, sizeof *p);
    p->a_fid = row->a_fid;
    p->b_fid = row->b_fid;
    p->relation = rel;
    p->shared_m = shared_m;
    p->overlap_m2 = row->overlap_m2;
    p->distance_m = row->touches || row->overlap_m2 > 0 ? 0 : row->near_min_m;
    if (!(p->a_name = name_of(a->names, row->a_fid, row->a_name)) ||
        !(p->b_name = name_of(a->names, row->b_fid, row->b_name)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", "adjacency", "names");
    (*n)++;
    if (!r->w)
        return 0;
    /* The table's line: the shared edges, and with a tolerance the stretch
     * within it. */
    pm_geom *line = row->shared;
    if (rel == PM_REL_NEAR || (!line && a->tolerance_m > 0))
        line = row->near;
    return write_row(r, ctx, p, line);
}

int pm_analysis_adjacency(pm_adjacency **out, pm_ctx *ctx, pm_store *st,
                          const pm_adjacency_opts *opts)
{
    int rc = 0, srid = 0;
    pm_schema schema = {0};
    pm_topology *own = NULL, *topo = opts->topology;
    adj_run run;
    pm_adjacency *a = calloc(1, sizeof(*a));
    *out = NULL;
    memset(&run, 0, sizeof run);
    if (!a || !(a->names = calloc(1, sizeof *a->names))) {
        free(a);
        return pm_err(ctx, PM_ENOMEM, "out of memory", opts->layer, "adjacency");
    }
    if (!(opts->tolerance_m >= 0)) {
        rc = pm_err(ctx, PM_EUSAGE, "bad tolerance", "--tolerance-m", "must be >= 0");
        goto done;
    }
    if (!topo) {
        if ((rc = pm_store_layer_need_polygons(ctx, st, opts->layer, "adjacency")))
            goto done;
        pm_topology_opts to = PM_TOPOLOGY_OPTS_INIT;
        to.layer = opts->layer;
        to.snap_m = opts->snap_m;
        to.near_m = opts->tolerance_m;
        to.progress = opts->progress;
        to.progress_user = opts->progress_user;
        if ((rc = pm_topology_build(&own, ctx, st, &to)))
            goto done;
        topo = own;
    }
    a->tolerance_m = opts->tolerance_m;
    a->snap_m = opts->snap_m;
    run.a = a;
    if (opts->progress)
        opts->progress(0.5, "adjacency: pairs", opts->progress_user);
    if (opts->write_table) {
        for (size_t i = 0; i < sizeof col_names / sizeof *col_names; i++)
            if ((rc = pm_schema_add(&schema, ctx, col_names[i], col_types[i])))
                goto done;
        if ((rc = pm_store_layer_srid(&srid, ctx, st, opts->layer)) ||
            (rc = pm_store_layer_begin(&run.w, ctx, st, PM_LAYER_ADJACENCY, &schema, PM_GEOM_LINE,
                                       srid)))
            goto done;
    }
    if ((rc = pm_topology_pairs(topo, ctx, opts->write_table, on_pair, &run)))
        goto done;
    if (opts->progress)
        opts->progress(0.9, "adjacency: index", opts->progress_user);
    if (run.w && (rc = pm_store_layer_commit(ctx, run.w, opts->layer)))
        goto done;
    *out = a;
    a = NULL;
done:
    pm_layer_writer_free(run.w);
    pm_topology_free(own);
    pm_schema_clear(&schema);
    pm_adjacency_free(a);
    return rc;
}
