/* CSV: one layer per file, geometry as WKT, column types in a .csvt. */
#include "export_internal.h"

#include <stdio.h>

/* A .csvt keeps the column types; the BOM is what makes Excel, which many
 * planners open CSVs with, read the file as UTF-8 rather than GBK. */
static const char *const csv_lco[] = {"GEOMETRY=AS_WKT", "CREATE_CSVT=YES", "WRITE_BOM=YES", NULL};
/* GDAL's CSV driver writes a .prj as Shapefile does (when the layer has a
 * CRS): it blocks a new export as any existing file does, and is never
 * deleted as stale, since parks.prj may well belong to parks.shp; with
 * parks.shp there, even --overwrite is refused (replacing that .prj would
 * leave the Shapefile wrongly georeferenced). */
static const char *const csv_side[] = {".csvt", ".prj", NULL};
static const char *const csv_stale[] = {".csvt", NULL};

/* A CSV can be cut inside its last row and still parse. */
static int ends_with_newline(const char *path)
{
    int ok = 0;
    FILE *fp = fopen(path, "rb");
    if (fp && fseek(fp, -1, SEEK_END) == 0)
        ok = fgetc(fp) == '\n';
    if (fp)
        fclose(fp);
    return ok;
}

const pm_export_format pm_export_csv = {
    .ext = ".csv",
    .driver = "CSV",
    .lco = csv_lco,
    .sidecars = csv_side,
    .stale = csv_stale,
    .shared = ".prj",
    .shared_owner = ".shp",
    .reread = 1,
    .last_row_whole = ends_with_newline,
};
