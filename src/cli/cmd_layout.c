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
    json_object_object_add(o, "hull_ratio", cli_json_num(p->hull_ratio));
    json_object_object_add(o, "nearest_same_m", cli_json_num(p->nearest_same_m));
    json_object_object_add(o, "cluster", json_object_new_int(p->cluster));
    return o;
}

static void print_json(const pm_layout *l)
{
    js_open(NULL);
    js_field("cluster_m", json_object_new_double(l->cluster_m));
    js_field("study_area_km2", cli_json_num(l->study_area_m2 / 1e6));
    js_field("study_area", json_object_new_string(l->study_area));
    js_field("colocation_m", json_object_new_double(l->colocation_m));
    json_object *c = json_object_new_object();
    json_object_object_add(c, "share", cli_json_num(l->colocation));
    json_object_object_add(c, "expected", cli_json_num(l->colocation_expected));
    json_object_object_add(c, "p", cli_json_num(l->colocation_p));
    json_object_object_add(c, "seed", json_object_new_int64(l->colocation_seed));
    json_object_object_add(c, "runs", json_object_new_int(l->colocation_runs));
    json_object_object_add(c, "parks_counted", json_object_new_int64((int64_t)l->colocation_focal));
    js_field("colocation", c);
    js_array("parks", l->nparks, park_elem, l->parks);
    js_array("clusters", l->nclusters, cli_json_layout_cluster, l->clusters);
    js_array("groups", l->ngroups, cli_json_layout_group, l->groups);
    js_close();
}

static void print_csv(const pm_layout *l)
{
    printf("fid,name,group,area_km2,perimeter_m,polsby_popper,hull_ratio,nearest_same_m,cluster\n");
    for (size_t i = 0; i < l->nparks; i++) {
        const pm_layout_park *p = &l->parks[i];
        printf("%lld,", (long long)p->fid);
        cli_csv_field(stdout, p->name);
        putchar(',');
        cli_csv_field(stdout, p->group);
        printf(",%.6f,%.2f,%.4f,", p->area_m2 / 1e6, p->perimeter_m, p->polsby_popper);
        if (!isnan(p->hull_ratio))
            printf("%.4f", p->hull_ratio);
        putchar(',');
        if (!isnan(p->nearest_same_m))
            printf("%.2f", p->nearest_same_m);
        printf(",%d\n", p->cluster);
    }
}

/* A figure with prec decimals, or "-" where there is none (NAN). */
static const char *num(char *buf, double v, int prec)
{
    if (isnan(v))
        return "-";
    snprintf(buf, 16, "%.*f", prec, v);
    return buf;
}

static void print_table(const pm_layout *l)
{
    printf("%-50s %9s %8s %6s %11s %7s\n", "park", "area km2", "compact", "hull", "nearest m",
           "cluster");
    for (size_t i = 0; i < l->nparks; i++) {
        const pm_layout_park *p = &l->parks[i];
        char near[32] = "-";
        if (!isnan(p->nearest_same_m))
            snprintf(near, sizeof near, "%.0f", p->nearest_same_m);
        char hull[16];
        printf("%-50.50s %9.3f %8.3f %6s %11s %7d\n", p->name, p->area_m2 / 1e6, p->polsby_popper,
               num(hull, p->hull_ratio, 3), near, p->cluster);
    }
    printf("\nclusters (parks within %.0f m of each other):\n", l->cluster_m);
    for (size_t i = 0; i < l->nclusters; i++) {
        const pm_cluster *c = &l->clusters[i];
        char mix[16];
        printf("  #%-3d %-24.24s %2zu park%s %8.3f km2  mix %4s  %s\n", c->id, c->scope, c->nparks,
               c->nparks == 1 ? " " : "s", c->area_m2 / 1e6, num(mix, c->mix_entropy, 2), c->parks);
    }
    if (!l->ngroups)
        return;
    printf("\nper group (study area %.1f km2: %s; neighbours within %.0f m, %d relabellings):\n",
           l->study_area_m2 / 1e6, l->study_area, l->colocation_m, l->colocation_runs);
    printf("  %-24s %5s %10s %10s %6s %6s %5s %7s %7s %6s\n", "group", "parks", "mean nn m",
           "expect m", "R", "z", "links", "coloc", "expect", "p");
    for (size_t i = 0; i < l->ngroups; i++) {
        const pm_layout_group *g = &l->groups[i];
        char f[7][16];
        printf("  %-24.24s %5zu %10s %10s %6s %6s %5zu %7s %7s %6s\n", g->group, g->nparks,
               num(f[0], g->mean_nn_m, 0), num(f[1], g->expected_nn_m, 0),
               num(f[2], g->clark_evans_r, 2), num(f[3], g->clark_evans_z, 2), g->neighbour_links,
               num(f[4], g->colocation, 3), num(f[5], g->colocation_expected, 3),
               num(f[6], g->colocation_p, 3));
    }
    size_t grouped = 0;
    for (size_t i = 0; i < l->ngroups; i++)
        grouped += l->groups[i].nparks;
    if (l->colocation_focal < grouped)
        printf("  co-location counted the links of a random sample of %zu of the %zu parks "
               "(the first %d links)\n",
               l->colocation_focal, grouped, PM_COLOCATION_MAX_LINKS);
    char f[3][16];
    printf("  %-24s %5zu %10s %10s %6s %6s %5s %7s %7s %6s\n", "all", l->nparks, "", "", "", "", "",
           num(f[0], l->colocation, 3), num(f[1], l->colocation_expected, 3),
           num(f[2], l->colocation_p, 3));
}

static const cli_opt opts[] = {
    CLI_LAYER(pm_layout_opts, "the layer of parks (default: parks)"),
    CLI_NUM(pm_layout_opts, cluster_m, "cluster-m", "M",
            "parks at most M metres apart are one cluster (default 500)"),
    CLI_STR(pm_layout_opts, by, "by", "FIELD",
            "clusters and nearest parks per value of FIELD (default: industry)"),
    CLI_NUM(pm_layout_opts, colocation_m, "colocation-m", "M",
            "co-location: parks whose boundaries are at most M metres apart are neighbours "
            "(default 2000)"),
    {"seed", 0, CLI_INT, CLI_AT(pm_layout_opts, seed, int), "N",
     "seed of the random relabelling behind the co-location's expected share and p "
     "(default 20221; the same seed gives the same figures)",
     0, 0, 2147483647, NULL, NULL},
    {"runs", 0, CLI_INT, CLI_AT(pm_layout_opts, runs, int), "N",
     "random relabellings for the co-location's expected share and p (default 999; 0: none)", 0, 0,
     1000000, NULL, NULL},
    CLI_LAYER_STR(pm_layout_opts, within, "within", "LAYER",
                  "polygon layer whose area is the study area of Clark-Evans (default: outline "
                  "when the database has it, else the convex hull of the parks)"),
    CLI_END};

static const cli_cmd layout = {
    "layout",
    "Layout indicators for spatial layout optimisation:\n"
    "  clusters   connected groups of parks whose gaps are at most --cluster-m metres,\n"
    "             over all parks (scope \"all\") and within each value of --by (e.g. each\n"
    "             industry), with dissolved geometry, area, park count, enterprises\n"
    "             and land-use mix entropy (area shares of the --by values, 0 one use,\n"
    "             1 an even mix of all of them);\n"
    "  per park   compactness (Polsby-Popper 4*pi*A/P^2 on the ellipsoid: 1 for a\n"
    "             circle, ~0.785 for a square, small for elongated shapes), hull ratio\n"
    "             (area / area of its convex hull: 1 when convex), distance to the\n"
    "             nearest park of the same --by value, and its overall cluster;\n"
    "  per group  Clark-Evans nearest-neighbour index R of the parks' centroids in the\n"
    "             study area (--within; R < 1 clustered, 1 random, > 1 dispersed) with\n"
    "             its z-score, and co-location: the share of each park's neighbours\n"
    "             (within --colocation-m) of the same value, against --runs random\n"
    "             relabellings (expected share, one-sided p), also over all parks.\n"
    "Formulas in docs/analysis.md. The clusters replace the clusters table unless\n"
    "--no-tables. --csv prints the per-park table; --json prints {cluster_m,\n"
    "study_area_km2, study_area, colocation_m, colocation, parks, clusters, groups}.\n",
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
