#include "cli_opts.h"
#include "json_stream.h"

#include <math.h>
#include <string.h>

static json_object *row_json(const pm_area_row *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "fid", json_object_new_int64(r->fid));
    json_object_object_add(o, "name", json_object_new_string(r->name));
    json_object_object_add(o, "planned_km2", cli_json_num(r->planned_km2));
    json_object_object_add(o, "planar_km2", cli_json_num(r->planar_m2 / 1e6));
    json_object_object_add(o, "ellipsoidal_km2", cli_json_num(r->ellipsoidal_m2 / 1e6));
    json_object_object_add(o, "planar_diff_pct",
                           cli_json_num(100 * (r->planar_m2 / r->ellipsoidal_m2 - 1)));
    return o;
}

static void print_table(const pm_area_report *r, const char *by)
{
    char name[256];
    printf("%-55s %10s %12s %12s %9s\n", "park", "planned", "ellipsoidal", "planar", "planar-e");
    printf("%-55s %10s %12s %12s %9s\n", "", "km2", "km2", "km2", "%");
    for (size_t i = 0; i < r->nrows; i++) {
        const pm_area_row *w = &r->rows[i];
        char planned[32] = "-";
        if (!isnan(w->planned_km2))
            snprintf(planned, sizeof planned, "%.3f", w->planned_km2);
        printf("%-55.55s %10s %12.4f %12.4f %+9.4f\n", cli_text(w->name, name, sizeof name),
               planned, w->ellipsoidal_m2 / 1e6, w->planar_m2 / 1e6,
               100 * (w->planar_m2 / w->ellipsoidal_m2 - 1));
    }
    if (r->ngroups) {
        printf("\n%-48s %5s %10s %12s %12s\n", by, "parks", "planned", "ellipsoidal", "planar");
        for (size_t i = 0; i < r->ngroups; i++) {
            const pm_area_group *g = &r->groups[i];
            char planned[32] = "-";
            if (!isnan(g->planned_km2))
                snprintf(planned, sizeof planned, "%.3f", g->planned_km2);
            printf("%-48.48s %5zu %10s %12.4f %12.4f\n",
                   *g->key ? cli_text(g->key, name, sizeof name) : "(none)", g->count, planned,
                   g->ellipsoidal_m2 / 1e6, g->planar_m2 / 1e6);
        }
    }
    printf("\n%zu features, storage CRS EPSG:%d\n", r->nrows, r->srid);
    if (!isnan(r->planned_km2))
        printf("planned total      %12.4f km2\n", r->planned_km2);
    printf("sum of parks       %12.4f km2 ellipsoidal, %12.4f km2 planar\n",
           r->sum_ellipsoidal_m2 / 1e6, r->sum_planar_m2 / 1e6);
    printf("union of parks     %12.4f km2 ellipsoidal, %12.4f km2 planar\n",
           r->union_ellipsoidal_m2 / 1e6, r->union_planar_m2 / 1e6);
}

static void print_csv(const pm_area_report *r)
{
    printf("fid,name,group,planned_km2,ellipsoidal_km2,planar_km2,planar_diff_pct\n");
    for (size_t i = 0; i < r->nrows; i++) {
        const pm_area_row *w = &r->rows[i];
        printf("%lld,", (long long)w->fid);
        cli_csv_field(stdout, w->name);
        putchar(',');
        cli_csv_field(stdout, w->group);
        putchar(',');
        if (!isnan(w->planned_km2))
            printf("%.6f", w->planned_km2);
        printf(",%.6f,%.6f,%.6f\n", w->ellipsoidal_m2 / 1e6, w->planar_m2 / 1e6,
               100 * (w->planar_m2 / w->ellipsoidal_m2 - 1));
    }
}

static json_object *row_elem(const void *ctx, size_t i)
{
    return row_json(&((const pm_area_row *)ctx)[i]);
}

static json_object *group_elem(const void *ctx, size_t i)
{
    const pm_area_group *g = &((const pm_area_group *)ctx)[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "key", json_object_new_string(g->key));
    json_object_object_add(o, "count", json_object_new_int64((int64_t)g->count));
    json_object_object_add(o, "planned_km2", cli_json_num(g->planned_km2));
    json_object_object_add(o, "ellipsoidal_km2", cli_json_num(g->ellipsoidal_m2 / 1e6));
    json_object_object_add(o, "planar_km2", cli_json_num(g->planar_m2 / 1e6));
    return o;
}

static void print_json(const pm_area_report *r)
{
    json_object *a = json_object_new_object();
    json_object_object_add(a, "planar", cli_json_num(r->sum_planar_m2 / 1e6));
    json_object_object_add(a, "ellipsoidal", cli_json_num(r->sum_ellipsoidal_m2 / 1e6));
    json_object_object_add(a, "union", cli_json_num(r->union_ellipsoidal_m2 / 1e6));
    json_object_object_add(a, "union_planar", cli_json_num(r->union_planar_m2 / 1e6));
    json_object_object_add(a, "planned", cli_json_num(r->planned_km2));
    js_open(NULL);
    js_field("layer", json_object_new_string(r->layer));
    js_field("srid", json_object_new_int(r->srid));
    js_field("area_km2", a);
    if (r->ngroups)
        js_array("groups", r->ngroups, group_elem, r->groups);
    js_array("parks", r->nrows, row_elem, r->rows);
    js_close();
}

static const cli_opt opts[] = {
    CLI_LAYER(pm_area_opts, "the layer of parks (default: parks)"),
    CLI_STR(pm_area_opts, group_by, "by", "FIELD", "subtotals for each value of FIELD"), CLI_END};

static const cli_cmd area = {
    "area",
    "Per-park areas: planar (in the storage CRS) and ellipsoidal (on WGS 84, the\n"
    "reference), their difference, and the planned area; totals as a sum and as the\n"
    "area of the union (ground claimed twice counts once). --by FIELD adds subtotals.\n",
    CLI_DB_READ | CLI_JSON | CLI_CSV, opts};

int cmd_area(int argc, char **argv)
{
    pm_area_opts o = PM_AREA_OPTS_INIT;
    pm_area_report *rep = NULL;
    cli_run r;
    int status = cli_start(&r, &area, &o, argc, argv);
    if (status != CLI_GO)
        goto done;
    if ((status = cli_result(&r, pm_analysis_area(&rep, r.ctx, r.st, &o))))
        goto done;
    if (r.json)
        print_json(rep);
    else if (r.csv)
        print_csv(rep);
    else
        print_table(rep, o.group_by);
done:
    pm_area_report_free(rep);
    return cli_end(&r, status);
}
