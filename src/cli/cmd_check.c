#include "report.h"
#include "cli_opts.h"

static const cli_opt opts[] = {
    CLI_LAYER(pm_check_opts, "the layer of parks (default: parks)"),
    CLI_NUM(pm_check_opts, target_km2, "target-km2", "KM2", "the planned total (default 43)"),
    CLI_NUM(pm_check_opts, tolerance_pct, "tolerance-pct", "PCT",
            "how far the total may be off the target (default 1)"),
    CLI_NUM(pm_check_opts, park_tolerance_pct, "park-tolerance-pct", "PCT",
            "how far a park may be off its planned_area_km2 (default 5)"),
    CLI_NUM(pm_check_opts, qa.gap_m, "gap-m", "M",
            "gaps and near-misses narrower than M metres are problems (default 5)"),
    CLI_NUM(pm_check_opts, qa.snap_m, "snap-m", "M",
            "vertices closer than M ground metres are one node (default 0.05)"),
    CLI_NUM(pm_check_opts, qa.min_part_m2, "min-part-m2", "M2",
            "parts smaller than this are problems (default 1000)"),
    CLI_LAYER_STR(pm_check_opts, qa.within, "within", "LAYER",
                  "ground outside this boundary layer (e.g. outline) is a problem"),
    CLI_SET(pm_check_opts, qa.make_valid, "make-valid",
            "first repair invalid geometries in place with MakeValid"),
    CLI_END};

static const cli_cmd check = {
    "check",
    "Compare the area the parks enclose (ellipsoidal, of their union) with the planned\n"
    "total, each park with its planned_area_km2, and run the topology QA: invalid\n"
    "geometries, overlaps (and the double counting they cause), duplicated parks, gaps\n"
    "(pieces of ground no park covers, narrower than --gap-m, between parks), near-misses\n"
    "(boundaries running within --gap-m of each other without meeting), parts smaller\n"
    "than --min-part-m2, and with\n"
    "--within, ground outside a boundary layer (e.g. outline). Findings are written to\n"
    "the qa_issues table and the adjacency table is refreshed, unless --no-tables.\n"
    "--make-valid first repairs invalid geometries in place with MakeValid (keeping\n"
    "their polygonal part) and reports each as a repaired_geometry note.\n"
    "Exit status 0 when everything is within tolerance, 1 when problems were found.\n"
    "--json prints parks, area_km2 {planar, ellipsoidal, union, union_planar},\n"
    "target_km2, tolerance_pct, diff_km2, diff_pct, pass, problems [{kind, parks,\n"
    "detail}], qa [{kind, parks, fids, measure, unit, detail; gaps also area_m2,\n"
    "width_m, length_m; near-misses length_m}] and adjacency.\n"
    "Topology is judged on the layer's boundary graph, vertices closer than --snap-m\n"
    "(ground metres, default 0.05) being one node: see docs/analysis.md.\n"
    "--csv prints one row per problem: kind,parks,measure,unit,detail.\n",
    CLI_DB_WRITE | CLI_TABLES | CLI_JSON | CLI_CSV | CLI_PROGRESS, opts};

int cmd_check(int argc, char **argv)
{
    pm_check_opts o = PM_CHECK_OPTS_INIT;
    pm_check_report *rep = NULL;
    cli_run r;
    int status = cli_start(&r, &check, &o, argc, argv);
    if (status != CLI_GO)
        goto done;
    if (o.qa.make_valid && !pm_store_writable(r.st)) {
        status = cli_usage("check", "--make-valid needs a writable database", pm_store_path(r.st));
        goto done;
    }
    o.qa.write_table = r.write;
    o.qa.progress = cli_progress_fn;
    o.qa.progress_user = &r.prog;
    if ((status = cli_result(&r, pm_analysis_check(&rep, r.ctx, r.st, &o))))
        goto done;
    if (r.json) {
        report_check_json_open(rep);
        js_close();
    } else if (r.csv)
        report_check_csv(rep);
    else
        report_check_table(rep);
    status = rep->pass ? 0 : 1;
done:
    pm_check_report_free(rep);
    return cli_end(&r, status);
}
