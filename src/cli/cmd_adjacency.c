#include "report.h"
#include "cli_opts.h"

static const cli_opt opts[] = {
    CLI_LAYER(pm_adjacency_opts, "the layer of parks (default: parks)"),
    CLI_NUM(pm_adjacency_opts, snap_m, "snap-m", "M",
            "vertices closer than M ground metres are one node (default 0.05)"),
    CLI_NUM(pm_adjacency_opts, tolerance_m, "tolerance-m", "M",
            "also list parks within M metres of each other (within_tolerance)"),
    CLI_END};

static const cli_cmd adjacency = {
    "adjacency",
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
    "the ellipsoid.\n",
    CLI_DB_WRITE | CLI_TABLES | CLI_JSON | CLI_CSV | CLI_PROGRESS, opts};

int cmd_adjacency(int argc, char **argv)
{
    pm_adjacency_opts o = PM_ADJACENCY_OPTS_INIT;
    pm_adjacency *a = NULL;
    cli_run r;
    int status = cli_start(&r, &adjacency, &o, argc, argv);
    if (status != CLI_GO)
        goto done;
    o.write_table = r.write;
    o.progress = cli_progress_fn;
    o.progress_user = &r.prog;
    if ((status = cli_result(&r, pm_analysis_adjacency(&a, r.ctx, r.st, &o))))
        goto done;
    if (r.json)
        report_adjacency_json(NULL, a);
    else if (r.csv)
        report_adjacency_csv(a);
    else
        report_adjacency_table(a);
done:
    pm_adjacency_free(a);
    return cli_end(&r, status);
}
