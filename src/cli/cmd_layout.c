#include "report.h"
#include "cli_opts.h"

#include <math.h>

static json_object *park_elem(const void *ctx, size_t i)
{
    const pm_layout_park *p = &((const pm_layout_park *)ctx)[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "fid", json_object_new_int64(p->fid));
    json_object_object_add(o, "name", json_object_new_string(p->name));
    json_object_object_add(o, "group", json_object_new_string(p->group));
    json_object_object_add(o, "area_km2", cli_json_num(p->area_m2 / 1e6));
    json_object_object_add(o, "perimeter_m", cli_json_num(p->perimeter_m));
    json_object_object_add(o, "polsby_popper", cli_json_num(p->polsby_popper));
    json_object_object_add(o, "nearest_same_m", cli_json_num(p->nearest_same_m));
    json_object_object_add(o, "cluster", json_object_new_int(p->cluster));
    return o;
}

static json_object *cluster_elem(const void *ctx, size_t i)
{
    const pm_cluster *c = &((const pm_cluster *)ctx)[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int(c->id));
    json_object_object_add(o, "scope", json_object_new_string(c->scope));
    json_object_object_add(o, "park_count", json_object_new_int64((int64_t)c->nparks));
    json_object_object_add(o, "parks", json_object_new_string(c->parks));
    json_object_object_add(o, "area_km2", cli_json_num(c->area_m2 / 1e6));
    json_object_object_add(o, "enterprises", cli_json_num(c->enterprises));
    return o;
}

static void print_json(const pm_layout *l)
{
    js_open(NULL);
    js_field("cluster_m", json_object_new_double(l->cluster_m));
    js_array("parks", l->nparks, park_elem, l->parks);
    js_array("clusters", l->nclusters, cluster_elem, l->clusters);
    js_close();
}

static void print_csv(const pm_layout *l)
{
    printf("fid,name,group,area_km2,perimeter_m,polsby_popper,nearest_same_m,cluster\n");
    for (size_t i = 0; i < l->nparks; i++) {
        const pm_layout_park *p = &l->parks[i];
        printf("%lld,", (long long)p->fid);
        cli_csv_field(stdout, p->name);
        putchar(',');
        cli_csv_field(stdout, p->group);
        printf(",%.6f,%.2f,%.4f,", p->area_m2 / 1e6, p->perimeter_m, p->polsby_popper);
        if (!isnan(p->nearest_same_m))
            printf("%.2f", p->nearest_same_m);
        printf(",%d\n", p->cluster);
    }
}

static void print_table(const pm_layout *l)
{
    printf("%-50s %9s %8s %11s %7s\n", "park", "area km2", "compact", "nearest m", "cluster");
    for (size_t i = 0; i < l->nparks; i++) {
        const pm_layout_park *p = &l->parks[i];
        char near[32] = "-";
        if (!isnan(p->nearest_same_m))
            snprintf(near, sizeof near, "%.0f", p->nearest_same_m);
        printf("%-50.50s %9.3f %8.3f %11s %7d\n", p->name, p->area_m2 / 1e6, p->polsby_popper, near,
               p->cluster);
    }
    printf("\nclusters (parks within %.0f m of each other):\n", l->cluster_m);
    for (size_t i = 0; i < l->nclusters; i++) {
        const pm_cluster *c = &l->clusters[i];
        printf("  #%-3d %-24.24s %2zu park%s %8.3f km2  %s\n", c->id, c->scope, c->nparks,
               c->nparks == 1 ? " " : "s", c->area_m2 / 1e6, c->parks);
    }
}

static const cli_opt opts[] = {
    CLI_LAYER(pm_layout_opts, "the layer of parks (default: parks)"),
    CLI_NUM(pm_layout_opts, cluster_m, "cluster-m", "M",
            "parks at most M metres apart are one cluster (default 500)"),
    CLI_STR(pm_layout_opts, by, "by", "FIELD",
            "clusters and nearest parks per value of FIELD (default: industry)"),
    CLI_END};

static const cli_cmd layout = {
    "layout",
    "Layout indicators for spatial layout optimisation:\n"
    "  clusters   connected groups of parks whose gaps are at most --cluster-m metres,\n"
    "             over all parks (scope \"all\") and within each value of --by (e.g. each\n"
    "             industry), with dissolved geometry, area, park count and enterprises;\n"
    "  per park   compactness (Polsby-Popper 4*pi*A/P^2 on the ellipsoid: 1 for a\n"
    "             circle, ~0.785 for a square, small for elongated shapes), distance to\n"
    "             the nearest park of the same --by value, and its overall cluster.\n"
    "The clusters replace the clusters table unless --no-tables. --csv prints the\n"
    "per-park table; --json prints {cluster_m, parks: [...], clusters: [...]}.\n",
    CLI_DB_WRITE | CLI_TABLES | CLI_JSON | CLI_CSV | CLI_PROGRESS, opts};

int cmd_layout(int argc, char **argv)
{
    pm_layout_opts o = PM_LAYOUT_OPTS_INIT;
    pm_layout *l = NULL;
    cli_run r;
    int status = cli_start(&r, &layout, &o, argc, argv);
    if (status != CLI_GO)
        goto done;
    o.write_table = r.write;
    o.progress = cli_progress_fn;
    o.progress_user = &r.prog;
    if ((status = cli_result(&r, pm_analysis_layout(&l, r.ctx, r.st, &o))))
        goto done;
    if (r.json)
        print_json(l);
    else if (r.csv)
        print_csv(l);
    else
        print_table(l);
done:
    pm_layout_free(l);
    return cli_end(&r, status);
}
