#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: parkmap export --db DB -o OUT [--layers L,...] [--overwrite]\n"
    "\n"
    "Write layers for GIS software; the extension picks the format:\n"
    "  .gpkg     GeoPackage, all layers in one file, storage CRS\n"
    "  .shp      ESRI Shapefile, UTF-8 (.cpg) with .prj, storage CRS\n"
    "  .geojson  GeoJSON RFC 7946 (WGS 84)\n"
    "  .kml      KML (WGS 84), park name as the placemark name\n"
    "  .fgb      FlatGeobuf, storage CRS\n"
    "  .csv      CSV with WKT geometry, storage CRS\n"
    "--layers chooses the tables (default: parks). An existing OUT is replaced only with\n"
    "--overwrite; the new file is written beside and moved into place.\n";

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},     {"output", required_argument, 0, 'o'},
        {"layers", required_argument, 0, 'l'}, {"overwrite", no_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *db = NULL;
    char *layers_arg = NULL;
    const char **layers = NULL;
    pm_export_opts o = PM_EXPORT_OPTS_INIT;
    int c, status = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'o': o.out_path = optarg; break;
        case 'l': layers_arg = optarg; break;
        case 'f': o.overwrite = 1; break;
        case 'h': fputs(help, stdout); return 0;
        default: return cli_usage("export", "unknown or incomplete option", argv[optind - 1]);
        }
    }
    if (!db || !o.out_path || optind != argc)
        return cli_usage("export", "--db and -o are required", NULL);
    pm_ctx *ctx = NULL;
    pm_store *st = NULL;
    char *copy = NULL;
    if (pm_ctx_new(&ctx))
        return 4;
    if (layers_arg) {
        size_t n = 1;
        for (const char *p = layers_arg; *p; p++)
            n += *p == ',';
        copy = strdup(layers_arg);
        layers = calloc(n + 1, sizeof(*layers));
        if (!copy || !layers) {
            status = 4;
            goto done;
        }
        size_t k = 0;
        for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save))
            layers[k++] = tok;
        if (k == 0) {
            status = cli_usage("export", "--layers needs at least one name", layers_arg);
            goto done;
        }
        o.layers = layers;
    }
    if (!(st = cli_open_db(ctx, db, &status)))
        goto done;
    if (pm_export_layers(ctx, st, &o)) {
        status = cli_fail(ctx);
        goto done;
    }
    cli_warnings(ctx);
    printf("wrote %s\n", o.out_path);
done:
    free(layers);
    free(copy);
    pm_store_free(st);
    pm_ctx_free(ctx);
    return status;
}
