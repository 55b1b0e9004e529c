/* The planner's check: does the map enclose the planned total, park by
 * park, without counting any ground twice? */
#include "parkmap/analysis.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pm_check_report_free(pm_check_report *r)
{
    if (!r)
        return;
    pm_area_report_free(r->area);
    pm_adjacency_free(r->adjacency);
    pm_qa_free(r->qa);
    for (size_t i = 0; i < r->nproblems; i++) {
        free(r->problems[i].kind);
        free(r->problems[i].parks);
        free(r->problems[i].detail);
    }
    free(r->problems);
    free(r);
}

static int add_problem(pm_check_report *r, pm_ctx *ctx, const char *kind, const char *parks,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int add_problem(pm_check_report *r, pm_ctx *ctx, const char *kind, const char *parks,
                       const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    /* Capacity doubles at powers of two: a parcel layer can have a
     * problem per feature. */
    size_t n = r->nproblems;
    if ((n & (n - 1)) == 0) {
        pm_problem *np = realloc(r->problems, (n ? 2 * n : 1) * sizeof(*np));
        if (!np)
            return pm_err(ctx, PM_ENOMEM, "out of memory", "check", "problems");
        r->problems = np;
    }
    pm_problem *p = &r->problems[n];
    p->kind = strdup(kind);
    p->parks = strdup(parks);
    p->detail = strdup(detail);
    if (!p->kind || !p->parks || !p->detail) {
        free(p->kind);
        free(p->parks);
        free(p->detail);
        return pm_err(ctx, PM_ENOMEM, "out of memory", "check", "problems");
    }
    r->nproblems++;
    return 0;
}

int pm_analysis_check(pm_check_report **out, pm_ctx *ctx, pm_store *st, const pm_check_opts *opts)
{
    int rc = 0;
    pm_check_report *r = calloc(1, sizeof(*r));
    pm_area_opts ao = PM_AREA_OPTS_INIT;
    pm_adjacency_opts jo = PM_ADJACENCY_OPTS_INIT;
    *out = NULL;
    if (!r)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "check", "report");
    if (!(opts->target_km2 > 0) || !(opts->tolerance_pct >= 0) ||
        !(opts->park_tolerance_pct >= 0)) {
        rc = pm_err(ctx, PM_EUSAGE, "bad check options", "check",
                    "target must be > 0 and tolerances >= 0");
        goto done;
    }
    /* The areas and adjacency are measured on the QA's boundary graph, so
     * the QA cannot look at another layer than the check. */
    if (opts->qa.layer && strcmp(opts->qa.layer, opts->layer) != 0) {
        rc = pm_err(ctx, PM_EUSAGE, "bad check options", "check",
                    "the QA layer %s is not the checked layer %s", opts->qa.layer, opts->layer);
        goto done;
    }
    ao.layer = jo.layer = opts->layer;
    pm_qa_opts qo = opts->qa;
    qo.layer = opts->layer;
    /* The check refreshes the derived tables it computes, when asked. */
    jo.write_table = qo.write_table;
    jo.progress = qo.progress;
    jo.progress_user = qo.progress_user;
    if (qo.progress)
        qo.progress(0.0, "check: areas", qo.progress_user);
    /* QA first: with --make-valid it repairs the geometries the areas are
     * then measured on. */
    if ((rc = pm_store_layer_need_polygons(ctx, st, opts->layer, "check")) ||
        (rc = pm_analysis_qa(&r->qa, ctx, st, &qo)))
        goto done;
    /* One boundary graph answers the QA, the union and adjacency. */
    ao.topology = jo.topology = r->qa->topology;
    jo.snap_m = qo.snap_m;
    if ((rc = pm_analysis_area(&r->area, ctx, st, &ao)))
        goto done;
    /* Adjacency needs valid geometry; with invalid parks the QA has
     * already said so and overlays would only add noise. */
    int invalid = 0;
    for (size_t i = 0; i < r->qa->nissues; i++)
        invalid |= strcmp(r->qa->issues[i].kind, "invalid_geometry") == 0;
    if (!invalid) {
        if ((rc = pm_analysis_adjacency(&r->adjacency, ctx, st, &jo)))
            goto done;
    } else if (!(r->adjacency = calloc(1, sizeof(*r->adjacency)))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "check", "adjacency");
        goto done;
    }
    r->target_km2 = opts->target_km2;
    r->tolerance_pct = opts->tolerance_pct;
    /* The union, not the sum: ground claimed by two parks counts once. */
    r->measured_km2 = r->area->union_ellipsoidal_m2 / 1e6;
    r->diff_km2 = r->measured_km2 - r->target_km2;
    r->diff_pct = 100.0 * r->diff_km2 / r->target_km2;
    if (fabs(r->diff_pct) > r->tolerance_pct &&
        (rc = add_problem(r, ctx, "total_mismatch", "",
                          "measured %.3f km² against the planned %.3f km²: %+.3f km² "
                          "(%+.2f %%, tolerance %.2f %%)",
                          r->measured_km2, r->target_km2, r->diff_km2, r->diff_pct,
                          r->tolerance_pct)))
        goto done;
    for (size_t i = 0; i < r->area->nrows; i++) {
        const pm_area_row *row = &r->area->rows[i];
        if (isnan(row->planned_km2) || row->planned_km2 <= 0)
            continue;
        double km2 = row->ellipsoidal_m2 / 1e6;
        double pct = 100.0 * (km2 - row->planned_km2) / row->planned_km2;
        if (fabs(pct) > opts->park_tolerance_pct &&
            (rc = add_problem(r, ctx, "park_area_mismatch", row->name,
                              "measured %.3f km² against the planned %.3f km² (%+.2f %%, "
                              "tolerance %.2f %%)",
                              km2, row->planned_km2, pct, opts->park_tolerance_pct)))
            goto done;
    }
    /* Topology findings are problems too; overlaps and duplicates also
     * make the sum of parks exceed their union: say by how much and who. */
    char parks[1024] = "", pairs[1024] = "";
    size_t used = 0, pused = 0;
    for (size_t i = 0; i < r->qa->nissues; i++) {
        const pm_qa_issue *q = &r->qa->issues[i];
        if (strcmp(q->kind, "repaired_geometry") == 0)
            continue; /* a note (in qa and qa_issues), not a failure */
        if ((rc = add_problem(r, ctx, q->kind, q->parks, "%s", q->detail)))
            goto done;
        if (strcmp(q->kind, "overlap") != 0 && strcmp(q->kind, "duplicate") != 0)
            continue;
        if (used < sizeof parks)
            used += (size_t)snprintf(parks + used, sizeof parks - used, "%s%s", used ? " | " : "",
                                     q->parks);
        if (pused < sizeof pairs) {
            const char *sep = strstr(q->parks, " | ");
            int alen = sep ? (int)(sep - q->parks) : (int)strlen(q->parks);
            pused += (size_t)snprintf(pairs + pused, sizeof pairs - pused, "%s%.*s + %s",
                                      pused ? "; " : "", alen, q->parks, sep ? sep + 3 : "");
        }
    }
    double twice_m2 = r->area->sum_ellipsoidal_m2 - r->area->union_ellipsoidal_m2;
    if (*pairs && (rc = add_problem(r, ctx, "double_counting", parks,
                                    "the sum of park areas exceeds their union by %.4f km² "
                                    "(%s): summing parks would count that ground twice",
                                    twice_m2 / 1e6, pairs)))
        goto done;
    r->pass = r->nproblems == 0;
    *out = r;
    r = NULL;
done:
    pm_check_report_free(r);
    return rc;
}
