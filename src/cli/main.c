/* parkmap: map, measure and check industrial parks. */
#include "cli.h"

#include <signal.h>
#include <string.h>

static const char usage[] =
    "usage: parkmap <command> [options]\n"
    "\n"
    "Commands:\n"
    "  import SRC --db DB     load a vector source (GeoJSON, Shapefile, GeoPackage...) into DB\n"
    "  info --db DB           layers, CRS, provenance of a database\n"
    "  area --db DB           planar and ellipsoidal areas per park, grouped, in total\n"
    "  check --db DB          the total against the plan (default 43 km2) and topology QA\n"
    "  adjacency --db DB      parks that share a boundary, overlap or nearly touch\n"
    "  clean --db DB          repair near-misses, slivers and thin overlaps into a new layer\n"
    "  layout --db DB         clusters, compactness, nearest park of the same industry\n"
    "  compare --db A --against B\n"
    "                         two layouts: parks added, removed, changed; adjacency, clusters\n"
    "  render --db DB -o OUT  draw a map (.png, .svg, .pdf) with a style\n"
    "  export --db DB -o OUT  write layers for GIS software (.gpkg .shp .geojson .kml .fgb .csv)\n"
    "  build SRC [-o DIR]     the whole pipeline: import, check, adjacency, render, export\n"
    "  report --db DB -o OUT  one self-contained HTML report: verdict, map, tables, provenance\n"
    "\n"
    "Run 'parkmap <command> --help' for a command's options.\n"
    "Exit status: 0 success, 1 a check found problems (compare: B misses --target-km2),\n"
    "2 usage error, 3 bad input data, 4 I/O or database error.\n";

static void version(void)
{
    printf("parkmap %s\n", pm_version());
    printf("  GDAL %s\n", pm_load_gdal_version());
    printf("  PROJ %s\n", pm_crs_proj_version());
    printf("  SQLite %s\n", pm_store_sqlite_version());
    printf("  SpatiaLite %s\n", pm_store_spatialite_version());
    printf("  GEOS %s\n", pm_store_geos_version());
    printf("  cairo %s\n", pm_render_cairo_version());
    printf("  pango %s\n", pm_render_pango_version());
    printf("  json-c %s\n", json_c_version());
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {
        {"import", cmd_import}, {"info", cmd_info},           {"area", cmd_area},
        {"check", cmd_check},   {"adjacency", cmd_adjacency}, {"render", cmd_render},
        {"export", cmd_export}, {"build", cmd_build},         {"layout", cmd_layout},
        {"clean", cmd_clean},   {"compare", cmd_compare},     {"report", cmd_report},
    };
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        version();
        return 0;
    }
    /* A file-size limit (ulimit -f, quotas) must fail a write with EFBIG,
     * which every command reports and cleans up after, not kill the process
     * mid-write. */
    signal(SIGXFSZ, SIG_IGN);
    /* Numbers in JSON: enough digits for metres and km², none of the noise
     * of %.17g. */
    json_c_set_serialization_double_format("%.10g", JSON_C_OPTION_GLOBAL);
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "parkmap: unknown command: %s (see 'parkmap --help')\n", argv[1]);
    return 2;
}
