#include "cli_opts.h"

static const cli_opt opts[] = {
    {"db", 0, CLI_STRING, CLI_AT(pm_import_opts, db_path, const char *), "DB",
     "database to create or add to", CLI_REQUIRED, 0, 0, NULL, NULL},
    CLI_LAYER(pm_import_opts, "table to write (default: parks; not adjacency, qa_issues, "
                              "clusters or changes, which analysis writes)"),
    CLI_STR(pm_import_opts, src_layer, "src-layer", "NAME",
            "layer of SRC to read (default: the first)"),
    CLI_STR(pm_import_opts, s_srs, "s-srs", "CRS",
            "the source's CRS, overriding what it declares (EPSG:n, WKT, PROJ; GCJ-02 or "
            "BD-09 for Amap/Tencent/Baidu coordinates)"),
    CLI_STR(pm_import_opts, t_srs, "t-srs", "auto|CRS",
            "storage CRS, 2D geographic or projected (default auto: the local CGCS2000 "
            "3-degree Gauss-Kruger zone in China, else the UTM zone)"),
    CLI_SET(pm_import_opts, overwrite, "overwrite", "replace the layer if it exists"),
    CLI_SET(pm_import_opts, skip_invalid, "skip-invalid",
            "skip features without a usable polygon instead of failing"),
    CLI_SET(pm_import_opts, allow_invalid, "allow-invalid",
            "store self-intersecting polygons as they are (for QA)"),
    CLI_END};

static const cli_cmd import = {
    "import",
    "Load a vector source (anything GDAL reads) into a layer of a SpatiaLite database,\n"
    "reprojected with PROJ to a CRS fit for measuring. All or nothing: on any error the\n"
    "database is left exactly as it was.\n",
    CLI_SOURCE | CLI_PROGRESS | CLI_INTERRUPTS, opts};

int cmd_import(int argc, char **argv)
{
    pm_import_opts o = PM_IMPORT_OPTS_INIT;
    pm_import_report rep;
    cli_run r;
    int status = cli_start(&r, &import, &o, argc, argv);
    if (status != CLI_GO)
        goto done;
    o.src_path = r.src;
    o.progress = cli_progress_fn;
    o.progress_user = &r.prog;
    if ((status = cli_result(&r, pm_import(&rep, r.ctx, &o))))
        goto done;
    /* A server is named without its password. */
    char *label = pm_store_db_label(o.db_path);
    printf("imported %ld features from %s into %s layer %s (%s -> %s)", rep.imported, o.src_path,
           label ? label : "--db", o.layer, rep.source_crs_name, rep.storage_crs);
    free(label);
    if (rep.skipped)
        printf(", skipped %ld", rep.skipped);
    putchar('\n');
done:
    return cli_end(&r, status);
}
