#include "report.h"

#include <getopt.h>

static const char help[] =
    "usage: parkmap adjacency --db DB [--layer parks] [--snap-m 0.05] [--tolerance-m M]\n"
    "                         [--no-tables] [--quiet] [--json|--csv]\n"
    "\n"
    "Pairs of parks that share a boundary segment (shares_edge), overlap (overlaps), or,\n"
    "with --tolerance-m, run within M metres of each other (within_tolerance), with the\n"
    "shared boundary length in metres. Parks meeting only at a corner are not adjacent;\n"
    "they are listed apart as corner_only. The answer comes from the layer's boundary\n"
    "graph: vertices closer than --snap-m (ground metres, default 0.05) are one node and\n"
    "an edge is split where another park's vertex lies on it (T-junctions), so rounding,\n"
    "digitising noise and different vertex density below that never change a result.\n"
    "With a tolerance, an overlap thinner than it along the shared boundary counts as\n"
    "a shared edge (reprojection moves T-junction vertices by centimetres).\n"
    "The result replaces the adjacency table (pair, relation, lengths, and the shared\n"
    "boundary as lines) unless --no-tables. Lengths are geodesic metres, areas m2 on\n"
    "the ellipsoid.\n";

int cmd_adjacency(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},         {"layer", required_argument, 0, 'l'},
        {"tolerance-m", required_argument, 0, 't'}, {"json", no_argument, 0, 'j'},
        {"snap-m", required_argument, 0, 's'},
        {"csv", no_argument, 0, 'c'},              {"quiet", no_argument, 0, 'Q'},
        {"help", no_argument, 0, 'h'},
        {"no-tables", no_argument, 0, 'n'},
        {0, 0, 0, 0}};
    const char *db = NULL;
    pm_adjacency_opts o = PM_ADJACENCY_OPTS_INIT;
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
            if (cli_number("adjacency", "--tolerance-m", optarg, &o.tolerance_m))
                return 2;
            break;
        case 's':
            if (cli_number("adjacency", "--snap-m", optarg, &o.snap_m))
                return 2;
            break;
        case 'j': json = 1; break;
        case 'c': csv = 1; break;
        case 'n': write = 0; break;
        case 'Q': quiet = 1; break;
        case 'h': fputs(help, stdout); return 0;
        default: return cli_usage("adjacency", "unknown or incomplete option", argv[optind - 1]);
        }
    }
    if (!db || optind != argc)
        return cli_usage("adjacency", "--db is required and takes no other arguments", NULL);
    if (json && csv)
        return cli_usage("adjacency", "--json and --csv exclude each other", NULL);
    pm_ctx *ctx = NULL;
    pm_store *st = NULL;
    pm_adjacency *a = NULL;
    if (pm_ctx_new(&ctx))
        return 4;
    cli_progress_init(&prog, quiet, "adjacency");
    o.progress = cli_progress_fn;
    o.progress_user = &prog;
    if (!(st = cli_open_db_rw(ctx, db, &status, &write)))
        goto done;
    o.write_table = write;
    if (pm_analysis_adjacency(&a, ctx, st, &o)) {
        cli_progress_end(&prog);
        status = cli_fail(ctx);
        goto done;
    }
    cli_progress_end(&prog);
    cli_warnings(ctx);
    if (json)
        report_adjacency_json(NULL, a);
    else if (csv)
        report_adjacency_csv(a);
    else
        report_adjacency_table(a);
done:
    pm_adjacency_free(a);
    pm_store_free(st);
    pm_ctx_free(ctx);
    return status;
}
