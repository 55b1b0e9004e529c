#include "report.h"

#include <getopt.h>

static const char help[] =
    "usage: parkmap check --db DB [--layer parks] [--target-km2 43] [--tolerance-pct 1]\n"
    "                     [--park-tolerance-pct 5] [--gap-m 5] [--snap-m 0.05]\n"
    "                     [--min-part-m2 1000]\n"
    "                     [--within LAYER] [--make-valid] [--no-tables] [--quiet]\n"
    "                     [--json|--csv]\n"
    "\n"
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
    "--csv prints one row per problem: kind,parks,measure,unit,detail.\n";

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"layer", required_argument, 0, 'l'},
        {"target-km2", required_argument, 0, 't'},
        {"tolerance-pct", required_argument, 0, 'p'},
        {"park-tolerance-pct", required_argument, 0, 'q'},
        {"gap-m", required_argument, 0, 'g'},
        {"snap-m", required_argument, 0, 's'},
        {"min-part-m2", required_argument, 0, 'm'},
        {"within", required_argument, 0, 'w'},
        {"no-tables", no_argument, 0, 'n'},
        {"make-valid", no_argument, 0, 'V'},
        {"json", no_argument, 0, 'j'},
        {"csv", no_argument, 0, 'c'},
        {"quiet", no_argument, 0, 'Q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *db = NULL;
    pm_check_opts o = PM_CHECK_OPTS_INIT;
    int json = 0, csv = 0, c, status = 0, write = 1;
    int quiet = 0;
    cli_progress prog;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'l': o.layer = optarg; break;
        case 't':
            if (cli_number("check", "--target-km2", optarg, &o.target_km2))
                return 2;
            break;
        case 'p':
            if (cli_number("check", "--tolerance-pct", optarg, &o.tolerance_pct))
                return 2;
            break;
        case 'q':
            if (cli_number("check", "--park-tolerance-pct", optarg, &o.park_tolerance_pct))
                return 2;
            break;
        case 's':
            if (cli_number("check", "--snap-m", optarg, &o.qa.snap_m))
                return 2;
            break;
        case 'g':
            if (cli_number("check", "--gap-m", optarg, &o.qa.gap_m))
                return 2;
            break;
        case 'm':
            if (cli_number("check", "--min-part-m2", optarg, &o.qa.min_part_m2))
                return 2;
            break;
        case 'w': o.qa.within = optarg; break;
        case 'n': write = 0; break;
        case 'V': o.qa.make_valid = 1; break;
        case 'j': json = 1; break;
        case 'c': csv = 1; break;
        case 'Q': quiet = 1; break;
        case 'h': fputs(help, stdout); return 0;
        default: return cli_usage("check", "unknown or incomplete option", argv[optind - 1]);
        }
    }
    if (!db || optind != argc)
        return cli_usage("check", "--db is required and takes no other arguments", NULL);
    if (json && csv)
        return cli_usage("check", "--json and --csv exclude each other", NULL);
    pm_ctx *ctx = NULL;
    pm_store *st = NULL;
    pm_check_report *r = NULL;
    if (pm_ctx_new(&ctx))
        return 4;
    cli_progress_init(&prog, quiet, "check");
    o.qa.progress = cli_progress_fn;
    o.qa.progress_user = &prog;
    if (!(st = cli_open_db_rw(ctx, db, &status, &write)))
        goto done;
    if (o.qa.make_valid && !pm_store_writable(st)) {
        status = cli_usage("check", "--make-valid needs a writable database", db);
        goto done;
    }
    o.qa.write_table = write;
    if (pm_analysis_check(&r, ctx, st, &o)) {
        cli_progress_end(&prog);
        status = cli_fail(ctx);
        goto done;
    }
    cli_progress_end(&prog);
    cli_warnings(ctx);
    if (json) {
        report_check_json_open(r);
        js_close();
    } else if (csv)
        report_check_csv(r);
    else
        report_check_table(r);
    status = r->pass ? 0 : 1;
done:
    pm_check_report_free(r);
    pm_store_free(st);
    pm_ctx_free(ctx);
    return status;
}
