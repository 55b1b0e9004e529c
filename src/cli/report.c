/* Printing check and adjacency results (shared by check, adjacency, build). */
#include "report.h"
#include "json_stream.h"

#include <math.h>
#include <stdlib.h>

void report_check_table(const pm_check_report *r)
{
    const pm_area_report *a = r->area;
    printf("%-55s %9s %11s %8s\n", "park", "planned", "measured", "diff");
    printf("%-55s %9s %11s %8s\n", "", "km2", "km2", "%");
    for (size_t i = 0; i < a->nrows; i++) {
        const pm_area_row *w = &a->rows[i];
        char planned[32] = "-", diff[32] = "-", name[256];
        if (!isnan(w->planned_km2)) {
            snprintf(planned, sizeof planned, "%.3f", w->planned_km2);
            double pct = 100 * (w->ellipsoidal_m2 / 1e6 - w->planned_km2) / w->planned_km2;
            /* "-0.00" reads like a finding; a rounding sign is not one. */
            snprintf(diff, sizeof diff, "%+.2f", fabs(pct) < 0.005 ? 0.0 : pct);
        }
        printf("%-55.55s %9s %11.4f %8s\n", cli_text(w->name, name, sizeof name), planned,
               w->ellipsoidal_m2 / 1e6, diff);
    }
    printf("\nparks:               %zu\n", a->nrows);
    printf("sum of parks:        %.4f km2 (ellipsoidal; planar in EPSG:%d %.4f km2)\n",
           a->sum_ellipsoidal_m2 / 1e6, a->srid, a->sum_planar_m2 / 1e6);
    printf("union of parks:      %.4f km2\n", a->union_ellipsoidal_m2 / 1e6);
    printf("target:              %.4f km2 +- %.2f %%\n", r->target_km2, r->tolerance_pct);
    printf("difference:          %+.4f km2 (%+.3f %%)\n", r->diff_km2, r->diff_pct);
    char text[2048];
    for (size_t i = 0; r->qa && i < r->qa->nissues; i++)
        if (strcmp(r->qa->issues[i].kind, "repaired_geometry") == 0)
            printf("note: %s\n", cli_text(r->qa->issues[i].detail, text, sizeof text));
    if (r->nproblems) {
        printf("\nproblems (%zu):\n", r->nproblems);
        for (size_t i = 0; i < r->nproblems; i++)
            printf("  %-18s %s\n", r->problems[i].kind,
                   cli_text(r->problems[i].detail, text, sizeof text));
    }
    printf("\ncheck: %s\n", r->pass ? "PASS" : "FAIL");
}

static json_object *pair_json(const pm_adjacency_pair *p)
{
    json_object *o = json_object_new_object();
    json_object *parks = json_object_new_array();
    json_object_array_add(parks, json_object_new_string(p->a_name));
    json_object_array_add(parks, json_object_new_string(p->b_name));
    json_object_object_add(o, "parks", parks);
    json_object_object_add(o, "fids", json_object_new_array());
    json_object_array_add(json_object_object_get(o, "fids"), json_object_new_int64(p->a_fid));
    json_object_array_add(json_object_object_get(o, "fids"), json_object_new_int64(p->b_fid));
    json_object_object_add(o, "relation", json_object_new_string(pm_relation_name(p->relation)));
    json_object_object_add(o, "shared_m", cli_json_num(p->shared_m));
    json_object_object_add(o, "overlap_m2", cli_json_num(p->overlap_m2));
    json_object_object_add(o, "distance_m", cli_json_num(p->distance_m));
    return o;
}

static json_object *pair_elem(const void *ctx, size_t i)
{
    return pair_json(&((const pm_adjacency_pair *)ctx)[i]);
}

void report_adjacency_json(const char *key, const pm_adjacency *a)
{
    js_open(key);
    js_field("tolerance_m", json_object_new_double(a->tolerance_m));
    js_field("snap_m", json_object_new_double(a->snap_m));
    js_array("pairs", a->npairs, pair_elem, a->pairs);
    js_array("corner_only", a->ncorner, pair_elem, a->corner);
    js_close();
}

static json_object *park_elem(const void *ctx, size_t i)
{
    const pm_area_row *w = &((const pm_area_row *)ctx)[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "fid", json_object_new_int64(w->fid));
    json_object_object_add(o, "name", json_object_new_string(w->name));
    json_object_object_add(o, "planned_km2", cli_json_num(w->planned_km2));
    json_object_object_add(o, "ellipsoidal_km2", cli_json_num(w->ellipsoidal_m2 / 1e6));
    json_object_object_add(o, "planar_km2", cli_json_num(w->planar_m2 / 1e6));
    json_object_object_add(
        o, "diff_pct",
        cli_json_num(100 * (w->ellipsoidal_m2 / 1e6 - w->planned_km2) / w->planned_km2));
    return o;
}

static json_object *problem_elem(const void *ctx, size_t i)
{
    const pm_problem *p = &((const pm_problem *)ctx)[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "kind", json_object_new_string(p->kind));
    json_object_object_add(o, "parks", cli_json_names(p->parks));
    json_object_object_add(o, "detail", json_object_new_string(p->detail));
    return o;
}

static json_object *qa_elem(const void *ctx, size_t i)
{
    const pm_qa_issue *q = &((const pm_qa_issue *)ctx)[i];
    json_object *o = json_object_new_object(), *fids = json_object_new_array();
    json_object_object_add(o, "kind", json_object_new_string(q->kind));
    json_object_object_add(o, "parks", cli_json_names(q->parks));
    for (const char *f = q->fids; f && *f;) {
        json_object_array_add(fids, json_object_new_int64(strtoll(f, NULL, 10)));
        f = strchr(f, ',');
        f = f ? f + 1 : NULL;
    }
    json_object_object_add(o, "fids", fids);
    json_object_object_add(o, "measure", cli_json_num(q->measure));
    json_object_object_add(o, "unit", json_object_new_string(q->unit));
    json_object_object_add(o, "detail", json_object_new_string(q->detail));
    /* Gap pieces and near-misses carry their shape's figures too. */
    if (!isnan(q->area_m2))
        json_object_object_add(o, "area_m2", cli_json_num(q->area_m2));
    if (!isnan(q->width_m))
        json_object_object_add(o, "width_m", cli_json_num(q->width_m));
    if (!isnan(q->length_m))
        json_object_object_add(o, "length_m", cli_json_num(q->length_m));
    return o;
}

void report_check_json_open(const pm_check_report *r)
{
    const pm_area_report *a = r->area;
    json_object *area = json_object_new_object();
    json_object_object_add(area, "planar", cli_json_num(a->sum_planar_m2 / 1e6));
    json_object_object_add(area, "ellipsoidal", cli_json_num(a->sum_ellipsoidal_m2 / 1e6));
    json_object_object_add(area, "union", cli_json_num(a->union_ellipsoidal_m2 / 1e6));
    json_object_object_add(area, "union_planar", cli_json_num(a->union_planar_m2 / 1e6));
    js_open(NULL);
    js_field("layer", json_object_new_string(a->layer));
    js_field("srid", json_object_new_int(a->srid));
    js_field("area_km2", area);
    js_field("target_km2", json_object_new_double(r->target_km2));
    js_field("tolerance_pct", json_object_new_double(r->tolerance_pct));
    js_field("diff_km2", cli_json_num(r->diff_km2));
    js_field("diff_pct", cli_json_num(r->diff_pct));
    js_field("pass", json_object_new_boolean(r->pass));
    js_array("problems", r->nproblems, problem_elem, r->problems);
    js_array("qa", r->qa ? r->qa->nissues : 0, qa_elem, r->qa ? r->qa->issues : NULL);
    js_array("parks", a->nrows, park_elem, a->rows);
    report_adjacency_json("adjacency", r->adjacency);
}

void report_adjacency_table(const pm_adjacency *a)
{
    printf("%-40s %-40s %-17s %11s %11s\n", "park A", "park B", "relation", "shared m",
           "overlap m2");
    for (size_t i = 0; i < a->npairs; i++) {
        const pm_adjacency_pair *p = &a->pairs[i];
        char an[256], bn[256];
        printf("%-40.40s %-40.40s %-17s %11.2f %11.1f\n", cli_text(p->a_name, an, sizeof an),
               cli_text(p->b_name, bn, sizeof bn), pm_relation_name(p->relation), p->shared_m,
               p->overlap_m2);
    }
    printf("\n%zu adjacent or overlapping pair%s", a->npairs, a->npairs == 1 ? "" : "s");
    if (a->tolerance_m > 0)
        printf(" (tolerance %.3f m)", a->tolerance_m);
    printf("; %zu corner-only contact%s (not adjacency)\n", a->ncorner, a->ncorner == 1 ? "" : "s");
    for (size_t i = 0; i < a->ncorner; i++) {
        char an[1024], bn[1024];
        printf("  corner only: %s / %s\n", cli_text(a->corner[i].a_name, an, sizeof an),
               cli_text(a->corner[i].b_name, bn, sizeof bn));
    }
}

void report_adjacency_csv(const pm_adjacency *a)
{
    printf("a_fid,a_name,b_fid,b_name,relation,shared_m,overlap_m2,distance_m\n");
    for (int pass = 0; pass < 2; pass++) {
        size_t n = pass ? a->ncorner : a->npairs;
        const pm_adjacency_pair *ps = pass ? a->corner : a->pairs;
        for (size_t i = 0; i < n; i++) {
            printf("%lld,", (long long)ps[i].a_fid);
            cli_csv_field(stdout, ps[i].a_name);
            printf(",%lld,", (long long)ps[i].b_fid);
            cli_csv_field(stdout, ps[i].b_name);
            printf(",%s,%.3f,%.3f,%.3f\n", pm_relation_name(ps[i].relation), ps[i].shared_m,
                   ps[i].overlap_m2, ps[i].distance_m);
        }
    }
}

void report_check_csv(const pm_check_report *r)
{
    printf("kind,parks,measure,unit,detail\n");
    /* QA findings carry a measure; the other problems only their sentence. */
    for (size_t i = 0; i < r->nproblems; i++) {
        const pm_problem *p = &r->problems[i];
        const pm_qa_issue *q = NULL;
        for (size_t k = 0; r->qa && k < r->qa->nissues && !q; k++)
            if (strcmp(r->qa->issues[k].detail, p->detail) == 0)
                q = &r->qa->issues[k];
        cli_csv_field(stdout, p->kind);
        putchar(',');
        cli_csv_field(stdout, p->parks);
        if (q)
            printf(",%.3f,%s,", q->measure, q->unit);
        else
            printf(",,,");
        cli_csv_field(stdout, p->detail);
        putchar('\n');
    }
}
