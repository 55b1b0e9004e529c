#include "report.h"

#include <getopt.h>
#include <string.h>

static const char help[] =
    "usage: parkmap build SRC [-o OUTDIR] [--outline FILE] [--style FILE]\n"
    "                     [--target-km2 43] [--tolerance-pct 1] [--gap-m 5] [--snap-m 0.05]\n"
    "                     [--by industry] [--json] [--quiet]\n"
    "\n"
    "The main job: import SRC (and the district outline) into OUTDIR/parks.db, check the\n"
    "total against the target with the topology QA (parks outside the outline too), find\n"
    "adjacent and overlapping parks, cluster them, render OUTDIR/map.png and\n"
    "OUTDIR/map.svg, export every layer (parks, outline, adjacency, qa_issues, clusters)\n"
    "to OUTDIR/parks.gpkg, and print a short report. --gap-m and --snap-m are check's\n"
    "(gaps and near-misses narrower than --gap-m; the boundary graph's snapping);\n"
    "--by names layout's field for per-group clusters (a layer without it is clustered\n"
    "over all parks only, with a warning).\n"
    "Exit status 1 when the check found problems (the files are still written).\n";

const char *cli_default_style(void);

int cmd_build(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'},    {"outline", required_argument, 0, 'l'},
        {"style", required_argument, 0, 's'},     {"target-km2", required_argument, 0, 't'},
        {"tolerance-pct", required_argument, 0, 'p'}, {"json", no_argument, 0, 'j'},
        {"quiet", no_argument, 0, 'q'},           {"help", no_argument, 0, 'h'},
        {"gap-m", required_argument, 0, 'g'},     {"snap-m", required_argument, 0, 'S'},
        {"by", required_argument, 0, 'b'},
        {0, 0, 0, 0}};
    pm_build_opts o = PM_BUILD_OPTS_INIT;
    int json = 0, quiet = 0, c, status = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': o.out_dir = optarg; break;
        case 'l': o.outline_path = optarg; break;
        case 's': o.style_path = optarg; break;
        case 't':
            if (cli_number("build", "--target-km2", optarg, &o.target_km2))
                return 2;
            break;
        case 'p':
            if (cli_number("build", "--tolerance-pct", optarg, &o.tolerance_pct))
                return 2;
            break;
        case 'b': o.by = optarg; break;
        case 'g':
            if (cli_number("build", "--gap-m", optarg, &o.gap_m))
                return 2;
            break;
        case 'S':
            if (cli_number("build", "--snap-m", optarg, &o.snap_m))
                return 2;
            break;
        case 'j': json = 1; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(help, stdout); return 0;
        default: return cli_usage("build", "unknown or incomplete option", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage("build", "exactly one source file is needed", NULL);
    o.src_path = argv[optind];
    if (!o.style_path)
        o.style_path = cli_default_style();
    cli_progress prog;
    cli_progress_init(&prog, quiet, "build");
    o.progress = cli_progress_fn;
    o.progress_user = &prog;
    pm_ctx *ctx = NULL;
    pm_build_report r;
    if (pm_ctx_new(&ctx))
        return 4;
    int rc = pm_build(&r, ctx, &o);
    cli_progress_end(&prog);
    if (rc) {
        status = cli_fail(ctx);
        goto done;
    }
    cli_warnings(ctx);
    if (json) {
        json_object *files = json_object_new_array();
        for (size_t i = 0; i < r.nfiles; i++)
            json_object_array_add(files, json_object_new_string(r.files[i]));
        report_check_json_open(r.check);
        js_field("files", files);
        js_field("storage_crs", json_object_new_string(r.import.storage_crs));
        js_close();
    } else {
        const pm_check_report *k = r.check;
        printf("parkmap build: %s\n", o.src_path);
        printf("  parks:        %ld imported, stored in %s\n", r.import.imported,
               r.import.storage_crs);
        printf("  total area:   %.3f km2 (union, ellipsoidal) against %.3f km2: %+.3f km2 "
               "(%+.2f %%, tolerance %.2f %%)\n",
               k->measured_km2, k->target_km2, k->diff_km2, k->diff_pct, k->tolerance_pct);
        size_t edges = 0;
        for (size_t i = 0; i < k->adjacency->npairs; i++)
            edges += k->adjacency->pairs[i].relation == PM_REL_EDGE;
        printf("  adjacency:    %zu pair%s share a boundary\n", edges, edges == 1 ? "" : "s");
        size_t nall = 0;
        for (size_t i = 0; i < r.layout->nclusters; i++)
            nall += strcmp(r.layout->clusters[i].scope, "all") == 0;
        printf("  clusters:     %zu (parks within %.0f m of each other)\n", nall,
               r.layout->cluster_m);
        printf("  problems:     %zu\n", k->nproblems);
        for (size_t i = 0; i < k->nproblems; i++)
            printf("    %-18s %s\n", k->problems[i].kind, k->problems[i].detail);
        printf("  check:        %s\n", k->pass ? "PASS" : "FAIL");
        printf("  files:\n");
        for (size_t i = 0; i < r.nfiles; i++)
            printf("    %s\n", r.files[i]);
    }
    status = r.check->pass ? 0 : 1;
    pm_build_report_clear(&r);
done:
    pm_ctx_free(ctx);
    return status;
}
