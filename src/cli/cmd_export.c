#include "cli_opts.h"

#include <stdlib.h>
#include <string.h>

/* The library's options and what only the command line has. */
typedef struct {
    pm_export_opts o;
    const char *layers; /* --layers as given: "a,b" or "all" */
    const char *format; /* -f: the extension to write */
} export_args;

/* GDAL's driver names, as ogr2ogr -f takes them, and the extensions. */
static const cli_choice formats[] = {{"GPKG", ".gpkg"},      {"ESRI Shapefile", ".shp"},
                                     {"shp", ".shp"},        {"GeoJSON", ".geojson"},
                                     {"KML", ".kml"},        {"LIBKML", ".kml"},
                                     {"FlatGeobuf", ".fgb"}, {"fgb", ".fgb"},
                                     {"CSV", ".csv"},        {NULL, NULL}};

static const cli_opt opts[] = {
    {"output", 'o', CLI_STRING, CLI_AT(export_args, o.out_path, const char *), "OUT",
     "the file to write; its extension picks the format", CLI_REQUIRED, 0, 0, NULL, NULL},
    {"format", 'f', CLI_CHOICE, CLI_AT(export_args, format, const char *), "FORMAT",
     "GPKG, \"ESRI Shapefile\", GeoJSON, KML, FlatGeobuf or CSV (or the extension: shp, fgb), "
     "for an OUT whose extension says none (the extension is added)",
     0, 0, 0, NULL, formats},
    CLI_STR(export_args, layers, "layers", "L,...|all",
            "the tables to write (default: parks; all: every layer of the database)"),
    CLI_STR(export_args, o.t_srs, "t-srs", "CRS",
            "reproject to this 2D CRS (.gpkg .shp .fgb .csv; default: the storage CRS)"),
    CLI_SET(export_args, o.overwrite, "overwrite", "replace an existing OUT"),
    CLI_END};

static const cli_cmd export = {
    "export",
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
    ".gpkg .shp .fgb .csv); default: the storage CRS. --t-srs GCJ-02 or BD-09 writes\n"
    ".geojson for Amap/Baidu overlays (no WGS 84 claim; docs/crs.md). --style is the map style "
    "translated\n"
    "for QGIS/SLD/KML (default: the shipped default style). An existing OUT is replaced\n"
    "only with --overwrite; the new file is written beside and moved into place.\n"
    "See docs/exports.md.\n",
    CLI_STYLE | CLI_DB_READ | CLI_INTERRUPTS, opts};

/* --layers a,b,c as a NULL-terminated list pointing into *copy; CLI_GO or
 * an exit status. */
static int split_layers(const char ***out, char **copy, const char *arg)
{
    size_t n = 1;
    for (const char *p = arg; *p; p++)
        n += *p == ',';
    *copy = strdup(arg);
    *out = calloc(n + 1, sizeof(**out));
    if (!*copy || !*out)
        return 4;
    size_t k = 0;
    for (char *save = NULL, *tok = strtok_r(*copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save))
        (*out)[k++] = tok;
    if (k == 0)
        return cli_usage("export", "--layers needs at least one name", arg);
    return CLI_GO;
}

int cmd_export(int argc, char **argv)
{
    export_args a = {PM_EXPORT_OPTS_INIT, NULL, NULL};
    char **all = NULL, *copy = NULL, *path = NULL;
    size_t nall = 0;
    const char **layers = NULL;
    cli_run r;
    int status = cli_parse(&r, &export, &a, argc, argv);
    if (status == CLI_GO)
        status = cli_output_path(&a.o.out_path, &path, "export", a.format, formats);
    if (status == CLI_GO && a.layers && strcmp(a.layers, "all") != 0)
        status = split_layers(&layers, &copy, a.layers);
    if (status == CLI_GO)
        status = cli_open(&r);
    if (status != CLI_GO)
        goto done;
    if (a.layers && strcmp(a.layers, "all") == 0) {
        if (pm_store_layers(&all, &nall, r.ctx, r.st)) {
            status = cli_fail(r.ctx);
            goto done;
        }
        if (!(layers = calloc(nall + 1, sizeof(*layers)))) {
            status = 4;
            goto done;
        }
        for (size_t k = 0; k < nall; k++)
            layers[k] = all[k];
    }
    a.o.layers = layers;
    a.o.style = r.style;
    a.o.progress = cli_progress_fn; /* no bar: only for interrupts */
    a.o.progress_user = &r.prog;
    if ((status = cli_result(&r, pm_export_layers(r.ctx, r.st, &a.o))))
        goto done;
    printf("wrote %s\n", a.o.out_path);
done:
    free(layers);
    free(copy);
    free(path);
    pm_strv_free(all, nall);
    return cli_end(&r, status);
}
