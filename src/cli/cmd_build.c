#include "report.h"
#include "cli_opts.h"

#include <string.h>

static const cli_opt opts[] = {
    {"output", 'o', CLI_STRING, CLI_AT(pm_build_opts, out_dir, const char *), "OUTDIR",
     "the directory to write (default: out)", 0, 0, 0, NULL, NULL},
    CLI_STR(pm_build_opts, db, "db", "DB",
            "build in a PostGIS server (postgresql://..., PG:..., host=... dbname=...) "
            "instead of OUTDIR/parks.db"),
    CLI_STR(pm_build_opts, outline_path, "outline", "FILE",
            "the district outline, imported as layer outline; parks outside it are problems"),
    CLI_STR(pm_build_opts, style_path, "style", "FILE",
            "the map style (default: the shipped styles/default.json)"),
    CLI_NUM(pm_build_opts, target_km2, "target-km2", "KM2", "the planned total (default 43)"),
    CLI_NUM(pm_build_opts, tolerance_pct, "tolerance-pct", "PCT",
            "how far the total may be off the target (default 1)"),
    CLI_NUM(pm_build_opts, gap_m, "gap-m", "M",
            "gaps and near-misses narrower than M metres are problems (default 5)"),
    CLI_NUM(pm_build_opts, snap_m, "snap-m", "M",
            "the boundary graph's snapping, ground metres (default 0.05)"),
    CLI_STR(pm_build_opts, by, "by", "FIELD", "clusters per value of FIELD (default: industry)"),
    CLI_SET(pm_build_opts, overwrite, "overwrite",
            "replace the results of an earlier build in OUTDIR (and, with --db, the "
            "server's parks and outline)"),
    CLI_END};

static const cli_cmd build = {
    "build",
    "The main job: import SRC (and the district outline) into OUTDIR/parks.db, check the\n"
    "total against the target with the topology QA (parks outside the outline too), find\n"
    "adjacent and overlapping parks, cluster them, render OUTDIR/map.png and\n"
    "OUTDIR/map.svg, export every layer (parks, outline, adjacency, qa_issues, clusters)\n"
    "to OUTDIR/parks.gpkg, and print a short report. --gap-m and --snap-m are check's\n"
    "(gaps and near-misses narrower than --gap-m; the boundary graph's snapping);\n"
    "--by names layout's field for per-group clusters (a layer without it is clustered\n"
    "over all parks only, with a warning).\n"
    "Results already in OUTDIR are replaced only with --overwrite. Everything is written\n"
    "beside and moved into place at the end: a failure or Ctrl-C leaves OUTDIR as it was.\n"
    "Exit status 1 when the check found problems (the files are still written).\n"
    "\n"
    "With --db a PostgreSQL server, the layers (parks, outline, and the adjacency,\n"
    "qa_issues and clusters tables) are written there and OUTDIR gets the maps and the\n"
    "GeoPackage only (no parks.db); the server's parks and outline are replaced only\n"
    "with --overwrite. The server commits step by step: the parks import is one\n"
    "transaction that also drops the tables derived from the parks it replaces, so a\n"
    "failure there leaves the server as it was, and a later failure (the outline, the\n"
    "check, layout, render, export) leaves the new parks with the result tables written\n"
    "so far, never findings about the old parks; OUTDIR stays as it was. The server is\n"
    "named without its password in every message.\n",
    CLI_SOURCE | CLI_JSON | CLI_PROGRESS | CLI_INTERRUPTS, opts};

int cmd_build(int argc, char **argv)
{
    pm_build_opts o = PM_BUILD_OPTS_INIT;
    pm_build_report rep;
    /* Cleared before anything can fail: pm_build may have filled part of it
     * when it fails, and done: releases what it holds on every path. */
    memset(&rep, 0, sizeof rep);
    cli_run r;
    int status = cli_start(&r, &build, &o, argc, argv);
    if (status != CLI_GO)
        goto done;
    o.src_path = r.src;
    if (!o.style_path)
        o.style_path = cli_default_style();
    o.progress = cli_progress_fn;
    o.progress_user = &r.prog;
    if ((status = cli_result(&r, pm_build(&rep, r.ctx, &o))))
        goto done;
    if (r.json) {
        json_object *files = json_object_new_array();
        for (size_t i = 0; i < rep.nfiles; i++)
            json_object_array_add(files, json_object_new_string(rep.files[i]));
        report_check_json_open(rep.check);
        js_field("files", files);
        js_field("storage_crs", json_object_new_string(rep.import.storage_crs));
        if (rep.db)
            js_field("database", json_object_new_string(rep.db));
        js_close();
    } else {
        const pm_check_report *k = rep.check;
        printf("parkmap build: %s\n", o.src_path);
        printf("  parks:        %ld imported, stored in %s\n", rep.import.imported,
               rep.import.storage_crs);
        if (rep.db)
            printf("  database:     %s\n", rep.db);
        printf("  total area:   %.3f km2 (union, ellipsoidal) against %.3f km2: %+.3f km2 "
               "(%+.2f %%, tolerance %.2f %%)\n",
               k->measured_km2, k->target_km2, k->diff_km2, k->diff_pct, k->tolerance_pct);
        size_t edges = 0;
        for (size_t i = 0; i < k->adjacency->npairs; i++)
            edges += k->adjacency->pairs[i].relation == PM_REL_EDGE;
        printf("  adjacency:    %zu pair%s share a boundary\n", edges, edges == 1 ? "" : "s");
        size_t nall = 0;
        for (size_t i = 0; i < rep.layout->nclusters; i++)
            nall += strcmp(rep.layout->clusters[i].scope, "all") == 0;
        printf("  clusters:     %zu (parks within %.0f m of each other)\n", nall,
               rep.layout->cluster_m);
        printf("  problems:     %zu\n", k->nproblems);
        for (size_t i = 0; i < k->nproblems; i++)
            printf("    %-18s %s\n", k->problems[i].kind, k->problems[i].detail);
        printf("  check:        %s\n", k->pass ? "PASS" : "FAIL");
        printf("  files:\n");
        for (size_t i = 0; i < rep.nfiles; i++)
            printf("    %s\n", rep.files[i]);
    }
    status = rep.check->pass ? 0 : 1;
done:
    pm_build_report_clear(&rep);
    return cli_end(&r, status);
}
