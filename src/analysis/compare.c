/* Compare two layouts of the same parks (issue 13): the steps in order,
 * the totals, and the result's release. Matching, measures, the adjacency
 * and cluster differences and the changes layer live in compare_*.c. */
#include "compare_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pm_compare_status_name(pm_compare_status s)
{
    switch (s) {
    case PM_CMP_UNCHANGED:
        return "unchanged";
    case PM_CMP_CHANGED:
        return "changed";
    case PM_CMP_ADDED:
        return "added";
    case PM_CMP_REMOVED:
        return "removed";
    }
    return "unknown";
}

void pm_compare_free(pm_compare *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->parks && i < c->nparks; i++) {
        pm_compare_park *p = &c->parks[i];
        free(p->key);
        free(p->name);
        free(p->what);
        free(p->industry_before);
        free(p->industry_after);
    }
    for (size_t i = 0; i < c->npairs; i++) {
        free(c->pairs[i].a_key);
        free(c->pairs[i].b_key);
        free(c->pairs[i].a_name);
        free(c->pairs[i].b_name);
    }
    for (size_t i = 0; i < c->nevents; i++) {
        free(c->events[i].cluster.parks);
        for (size_t k = 0; k < c->events[i].nparts; k++)
            free(c->events[i].parts[k].parks);
        free(c->events[i].parts);
    }
    free(c->parks);
    free(c->pairs);
    free(c->events);
    pm_adjacency_free(c->adjacency_before);
    pm_adjacency_free(c->adjacency_after);
    pm_layout_free(c->before);
    pm_layout_free(c->after);
    free(c->layer);
    free(c->key);
    free(c);
}

/* A layout's total against the target, measured as check measures it:
 * the ellipsoidal area of the union, so ground two parks claim counts once. */
static int total(pm_compare_total *t, pm_ctx *ctx, const cmp_side *s, const char *layer,
                 const pm_compare_opts *o)
{
    pm_area_report *r = NULL;
    pm_area_opts ao = PM_AREA_OPTS_INIT;
    ao.layer = layer;
    int rc = pm_analysis_area(&r, ctx, s->st, &ao);
    if (rc)
        return rc;
    t->parks = r->nrows;
    t->sum_m2 = r->sum_ellipsoidal_m2;
    t->union_m2 = r->union_ellipsoidal_m2;
    t->diff_km2 = t->union_m2 / 1e6 - o->target_km2;
    t->diff_pct = 100 * t->diff_km2 / o->target_km2;
    t->pass = fabs(t->diff_pct) <= o->tolerance_pct;
    pm_area_report_free(r);
    return 0;
}

/* Layout indicators of one side, without touching its clusters table. */
static int layout_of(pm_layout **out, pm_ctx *ctx, const cmp_side *s, const pm_compare_opts *o,
                     const pm_layout *before)
{
    pm_layout_opts lo = PM_LAYOUT_OPTS_INIT;
    char name[128];
    /* Clark-Evans depends on the study area: B is measured in A's (A's
     * outline, else its parks' hull), or a park added far out would move
     * every R through the hull rather than the pattern. */
    if (before && before->study_area_m2 > 0) {
        snprintf(name, sizeof name, "before: %s", before->study_area ? before->study_area : "");
        lo.study_area_m2 = before->study_area_m2;
        lo.study_area_name = name;
    }
    int has_by = 0, rc;
    lo.layer = o->layer;
    lo.cluster_m = o->cluster_m;
    /* A layer without the group field still has clusters and shapes. */
    if (o->by && *o->by && (rc = cmp_has_field(&has_by, ctx, s->st, o->layer, o->by)))
        return rc;
    lo.by = has_by ? o->by : NULL;
    return pm_analysis_layout(out, ctx, s->st, &lo);
}

static int adjacency_of(pm_adjacency **out, pm_ctx *ctx, const cmp_side *s,
                        const pm_compare_opts *o)
{
    pm_adjacency_opts jo = PM_ADJACENCY_OPTS_INIT;
    jo.layer = o->layer;
    jo.tolerance_m = o->tolerance_m;
    return pm_analysis_adjacency(out, ctx, s->st, &jo);
}

static int tick(const pm_compare_opts *o, pm_ctx *ctx, double frac, const char *msg)
{
    if (o->progress && !o->progress(frac, msg, o->progress_user))
        return pm_err(ctx, PM_EIO, "compare cancelled", "compare",
                      "stopped by the progress callback at %s; nothing written", msg);
    return 0;
}

int pm_analysis_compare(pm_compare **out, pm_ctx *ctx, pm_store *a, pm_store *b,
                        const pm_compare_opts *o)
{
    cmp_side sa = {0}, sb = {0};
    pm_compare *c = calloc(1, sizeof *c);
    int rc = 0;
    *out = NULL;
    if (!c)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "compare", "result");
    if (!(o->target_km2 > 0) || !(o->tolerance_pct >= 0) || !(o->cluster_m >= 0) ||
        !(o->tolerance_m >= 0) || !(o->hausdorff_m >= 0) || !(o->area_m2 >= 0)) {
        rc = pm_err(ctx, PM_EUSAGE, "bad compare options", "compare",
                    "the target must be > 0, distances and tolerances >= 0");
        goto done;
    }
    if (!(c->layer = strdup(o->layer))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "compare", "result");
        goto done;
    }
    c->target_km2 = o->target_km2;
    c->tolerance_pct = o->tolerance_pct;
    c->hausdorff_tol_m = o->hausdorff_m;
    c->area_tol_m2 = o->area_m2;
    if ((rc = tick(o, ctx, 0.0, "compare: matching")) ||
        (rc = cmp_side_open(&sa, ctx, a, o->layer)) || (rc = cmp_side_open(&sb, ctx, b, o->layer)))
        goto done;
    c->srid_before = sa.srid;
    c->srid_after = sb.srid;
    /* An id survives a renaming; a name is what every layer has. */
    const char *key = o->key ? o->key : sa.has_id && sb.has_id ? "id" : "name";
    if (!(c->key = strdup(key))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "compare", "result");
        goto done;
    }
    if ((rc = cmp_side_read(&sa, ctx, o->layer, key)) ||
        (rc = cmp_side_read(&sb, ctx, o->layer, key)) || (rc = cmp_match(c, ctx, &sa, &sb)) ||
        (rc = tick(o, ctx, 0.1, "compare: boundaries")) || (rc = cmp_measure(c, ctx, &sa, &sb, o)))
        goto done;
    if ((rc = tick(o, ctx, 0.3, "compare: adjacency")) ||
        (rc = adjacency_of(&c->adjacency_before, ctx, &sa, o)) ||
        (rc = adjacency_of(&c->adjacency_after, ctx, &sb, o)) ||
        (rc = cmp_adjacency_diff(c, ctx, &sa, &sb)) ||
        (rc = tick(o, ctx, 0.5, "compare: layout")) ||
        (rc = layout_of(&c->before, ctx, &sa, o, NULL)) ||
        (rc = layout_of(&c->after, ctx, &sb, o, c->before)) ||
        (rc = cmp_cluster_diff(c, ctx, &sa, &sb)) || (rc = tick(o, ctx, 0.8, "compare: totals")) ||
        (rc = total(&c->total_before, ctx, &sa, o->layer, o)) ||
        (rc = total(&c->total_after, ctx, &sb, o->layer, o)))
        goto done;
    for (size_t k = 0; k < c->nparks; k++) {
        pm_compare_park *p = &c->parks[k];
        p->before = p->fid_before < 0 ? (size_t)-1 : cmp_layout_index(c->before, p->fid_before);
        p->after = p->fid_after < 0 ? (size_t)-1 : cmp_layout_index(c->after, p->fid_after);
    }
    if (o->write_table && ((rc = tick(o, ctx, 0.9, "compare: changes layer")) ||
                           (rc = cmp_write_changes(c, ctx, &sa, &sb))))
        goto done;
    *out = c;
    c = NULL;
done:
    cmp_side_clear(&sa);
    cmp_side_clear(&sb);
    pm_compare_free(c);
    return rc;
}
