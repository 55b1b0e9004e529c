/* Adjacency: which parks share a boundary, overlap, or nearly touch. */
#include "parkmap/analysis.h"

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

static pm_relation classify(const pm_pair_row *p)
{
    if (p->overlap_m2 >= PM_OVERLAP_MIN_M2)
        return PM_REL_OVERLAP;
    if (p->shared_m >= PM_SHARED_MIN_M)
        return p->distance_m > 0 ? PM_REL_NEAR : PM_REL_EDGE;
    return PM_REL_CORNER;
}

void pm_adjacency_free(pm_adjacency *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->npairs; i++) {
        free(a->pairs[i].a_name);
        free(a->pairs[i].b_name);
    }
    for (size_t i = 0; i < a->ncorner; i++) {
        free(a->corner[i].a_name);
        free(a->corner[i].b_name);
    }
    free(a->pairs);
    free(a->corner);
    free(a);
}

int pm_analysis_adjacency(pm_adjacency **out, pm_ctx *ctx, pm_store *st,
                          const pm_adjacency_opts *opts)
{
    int rc = 0;
    pm_pair_row *rows = NULL;
    size_t n = 0;
    pm_adjacency *a = calloc(1, sizeof(*a));
    *out = NULL;
    if (!a)
        return pm_err(ctx, PM_ENOMEM, "out of memory", opts->layer, "adjacency");
    if (opts->tolerance_m < 0) {
        rc = pm_err(ctx, PM_EUSAGE, "bad tolerance", "--tolerance-m", "must be >= 0");
        goto done;
    }
    a->tolerance_m = opts->tolerance_m;
    if ((rc = pm_store_pairs(&rows, &n, ctx, st, opts->layer, opts->tolerance_m)))
        goto done;
    a->pairs = calloc(n ? n : 1, sizeof(*a->pairs));
    a->corner = calloc(n ? n : 1, sizeof(*a->corner));
    if (!a->pairs || !a->corner) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", opts->layer, "adjacency");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        pm_relation rel = classify(&rows[i]);
        pm_adjacency_pair *p =
            rel == PM_REL_CORNER ? &a->corner[a->ncorner++] : &a->pairs[a->npairs++];
        p->a_fid = rows[i].a_fid;
        p->b_fid = rows[i].b_fid;
        p->relation = rel;
        p->shared_m = rows[i].shared_m;
        p->overlap_m2 = rows[i].overlap_m2;
        p->distance_m = rows[i].distance_m;
        /* Names move over rather than being copied. */
        p->a_name = rows[i].a_name;
        p->b_name = rows[i].b_name;
        rows[i].a_name = rows[i].b_name = NULL;
    }
    *out = a;
    a = NULL;
done:
    pm_pair_rows_free(rows, n);
    pm_adjacency_free(a);
    return rc;
}
