/* ESRI Shapefile: one layer per file, UTF-8 in the DBF, attribute names
 * mapped to its 10 bytes, and the mapping, the QGIS and the SLD styles as
 * files beside it. */
#include "export_internal.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <errno.h>
#include <gdal.h>
#include <limits.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const shp_lco[] = {
    /* UTF-8 in the DBF, declared in a .cpg, so QGIS and ArcGIS show Chinese
     * names instead of guessing a code page. RESIZE shrinks the wide text
     * fields declared below to what the data needs. */
    "ENCODING=UTF-8", "RESIZE=YES", NULL};
/* Besides GDAL's files: the field-name mapping and the QGIS and SLD styles
 * parkmap writes (QGIS loads <name>.qml beside <name>.shp by itself). */
static const char *const shp_side[] = {".shx", ".dbf",        ".prj", ".cpg", ".qix", ".sbn",
                                       ".sbx", ".fields.csv", ".qml", ".sld", NULL};
static const char *const shp_stale[] = {".prj",        ".cpg", ".qix", ".sbn", ".sbx",
                                        ".fields.csv", ".qml", ".sld", NULL};
/* RFC 7946 mandates WGS 84 and recommends about 7 decimals (~1 cm). */

static void csv_cell(FILE *fp, const char *v)
{
    if (!strpbrk(v, ",\"\r\n")) {
        fputs(v, fp);
        return;
    }
    fputc('"', fp);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', fp);
        fputc(*v, fp);
    }
    fputc('"', fp);
}

/* <name>.fields.csv, <name>.qml and <name>.sld beside a staged .shp. */
static int write_shp_sidecars(pm_export_job *j, const pm_export_unit *u)
{
    size_t li = u->first;
    int rc = 0;
    char *stem = pm_export_strip_ext(u->staged), *path = NULL, *qml = NULL, *sld = NULL,
         *desc = NULL;
    const pm_export_fieldmap *m = &j->fmaps[li];
    if (!stem || !(path = pm_export_path_with_ext(stem, ".fields.csv", j->upper_ext))) {
        rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", u->final, "paths");
        goto done;
    }
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        rc = pm_err(j->ctx, PM_EIO, "cannot write output", path, "%s", strerror(errno));
        goto done;
    }
    fputs("field,shapefile_field\n", fp);
    for (size_t i = 0; i < m->n; i++) {
        csv_cell(fp, m->from[i]);
        fputc(',', fp);
        csv_cell(fp, m->to[i]);
        fputc('\n', fp);
    }
    if (ferror(fp) | (fclose(fp) != 0)) {
        rc = pm_err(j->ctx, PM_EIO, "cannot write output", path, "%s", strerror(errno));
        goto done;
    }
    if (!j->plans[li])
        goto done;
    if ((rc = pm_export_describe_layer(&desc, j, j->layers[li])) ||
        (rc = pm_export_plan_qml(&qml, j->ctx, j->plans[li])) ||
        (rc = pm_export_plan_sld(&sld, j->ctx, j->plans[li], desc)))
        goto done;
    free(path);
    if (!(path = pm_export_path_with_ext(stem, ".qml", j->upper_ext))) {
        rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", u->final, "paths");
        goto done;
    }
    if ((rc = pm_export_write_text(j->ctx, path, qml)))
        goto done;
    free(path);
    if (!(path = pm_export_path_with_ext(stem, ".sld", j->upper_ext))) {
        rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", u->final, "paths");
        goto done;
    }
    rc = pm_export_write_text(j->ctx, path, sld);
done:
    free(stem);
    free(path);
    free(qml);
    free(sld);
    free(desc);
    return rc;
}

const pm_export_format pm_export_shp = {
    .ext = ".shp",
    .driver = "ESRI Shapefile",
    /* DBF text fields hold at most 254 bytes; GDAL's default of 80 bytes
     * would cut a Chinese name after 26 characters. */
    .text_width = 254,
    .lco = shp_lco,
    .sidecars = shp_side,
    .stale = shp_stale,
    .dbf_names = 1,
    .after = write_shp_sidecars,
};
