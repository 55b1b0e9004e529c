#include "cli.h"

#include "parkmap/style.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* The shipped default style (cmd_render.c). */
const char *cli_default_style(void);

static const char help[] =
    "usage: parkmap export --db DB -o OUT [--layers L,...|all] [--t-srs CRS] [--style FILE]\n"
    "                      [--overwrite]\n"
    "\n"
    "Write layers for GIS software; the extension picks the format:\n"
    "  .gpkg     GeoPackage, all layers in one file, styles in layer_styles (QGIS)\n"
    "  .shp      ESRI Shapefile, UTF-8 (.cpg), .prj, .qml/.sld styles, and\n"
    "            NAME.fields.csv mapping long field names to the 10-character ones\n"
    "  .geojson  GeoJSON RFC 7946 (always WGS 84)\n"
    "  .kml      KML (always WGS 84), park name as the placemark name, styled\n"
    "  .fgb      FlatGeobuf\n"
    "  .csv      CSV with WKT geometry\n"
    "--layers chooses the tables (default: parks; 'all': every layer of the database).\n"
    "Formats holding one layer per file write several as OUT-without-extension/LAYER.ext.\n"
    "--t-srs reprojects to a 2D geographic or projected CRS (EPSG:n, WKT or PROJ string;\n"
    ".gpkg .shp .fgb .csv); default: the storage CRS. --style is the map style translated\n"
    "for QGIS/SLD/KML (default: the shipped default style). An existing OUT is replaced\n"
    "only with --overwrite; the new file is written beside and moved into place.\n"
    "See docs/exports.md.\n";

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},     {"output", required_argument, 0, 'o'},
        {"layers", required_argument, 0, 'l'}, {"overwrite", no_argument, 0, 'f'},
        {"t-srs", required_argument, 0, 't'},  {"style", required_argument, 0, 's'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *db = NULL, *style_path = NULL;
    pm_style *style = NULL;
    char **all = NULL;
    size_t nall = 0;
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
        case 't': o.t_srs = optarg; break;
        case 's': style_path = optarg; break;
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
    /* The style first: a typo in it should fail before anything is read. */
    if (pm_style_load(&style, ctx, style_path ? style_path : cli_default_style())) {
        status = cli_fail(ctx);
        goto done;
    }
    o.style = style;
    if (layers_arg && strcmp(layers_arg, "all") == 0) {
        layers_arg = NULL;
        if (!(st = cli_open_db(ctx, db, &status)))
            goto done;
        if (pm_store_layers(&all, &nall, ctx, st)) {
            status = cli_fail(ctx);
            goto done;
        }
        if (!(layers = calloc(nall + 1, sizeof(*layers)))) {
            status = 4;
            goto done;
        }
        for (size_t k = 0; k < nall; k++)
            layers[k] = all[k];
        o.layers = layers;
    }
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
    if (!st && !(st = cli_open_db(ctx, db, &status)))
        goto done;
    cli_progress prog;
    cli_progress_init(&prog, 1, "export"); /* no bar: only for interrupts */
    o.progress = cli_progress_fn;
    o.progress_user = &prog;
    cli_catch_interrupts();
    if (pm_export_layers(ctx, st, &o)) {
        status = cli_fail(ctx);
        goto done;
    }
    cli_warnings(ctx);
    printf("wrote %s\n", o.out_path);
done:
    free(layers);
    free(copy);
    pm_strv_free(all, nall);
    pm_style_free(style);
    pm_store_free(st);
    pm_ctx_free(ctx);
    return cli_end_interrupted(status);
}
