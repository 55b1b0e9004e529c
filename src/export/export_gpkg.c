/* GeoPackage: every layer in one file, provenance as layer metadata, and
 * the styles in QGIS's layer_styles table. */
#include "export_internal.h"
#include "parkmap/parkmap.h"

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

static int add_style_field(OGRLayerH lyr, const char *name, OGRFieldType t, int width)
{
    OGRFieldDefnH fd = OGR_Fld_Create(name, t);
    if (!fd)
        return -1;
    if (width)
        OGR_Fld_SetWidth(fd, width);
    if (strcmp(name, "useAsDefault") == 0)
        OGR_Fld_SetSubType(fd, OFSTBoolean);
    if (strcmp(name, "update_time") == 0)
        OGR_Fld_SetDefault(fd, "CURRENT_TIMESTAMP");
    OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
    OGR_Fld_Destroy(fd);
    return e == OGRERR_NONE ? 0 : -1;
}

/* The layer_styles table as QGIS itself creates it (through OGR, FID "id",
 * so GDAL registers it in gpkg_contents as 'attributes'), one default
 * style per styled layer: QGIS applies it when the layer is opened. */
static int write_layer_styles(pm_export_job *j, GDALDatasetH ds, const pm_export_unit *u)
{
    static const struct {
        const char *name;
        OGRFieldType t;
        int width;
    } cols[] = {{"f_table_catalog", OFTString, 256},
                {"f_table_schema", OFTString, 256},
                {"f_table_name", OFTString, 256},
                {"f_geometry_column", OFTString, 256},
                {"styleName", OFTString, 30},
                {"styleQML", OFTString, 0},
                {"styleSLD", OFTString, 0},
                {"useAsDefault", OFTInteger, 0},
                {"description", OFTString, 0},
                {"owner", OFTString, 30},
                {"ui", OFTString, 30},
                {"update_time", OFTDateTime, 0}};
    int rc = 0, any = 0, in_tx = 0;
    char **lco = NULL;
    char where[600];
    snprintf(where, sizeof where, "%s layer layer_styles", u->final);
    for (size_t i = 0; i < u->n; i++)
        any |= j->plans[u->first + i] != NULL;
    if (!any)
        return 0;
    for (size_t i = 0; i < u->n; i++)
        if (strcasecmp(j->layers[u->first + i], "layer_styles") == 0)
            return pm_err(j->ctx, PM_EUSAGE, "layer name reserved", where,
                          "QGIS keeps styles in layer_styles; rename the table");
    lco = CSLSetNameValue(NULL, "FID", "id");
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "layer_styles", NULL, wkbNone, lco);
    CSLDestroy(lco);
    if (!lyr)
        return pm_err(j->ctx, PM_EIO, "cannot create layer", where, "%s",
                      pm_export_gdal_why(j->ctx));
    for (size_t c = 0; c < sizeof cols / sizeof *cols; c++)
        if (add_style_field(lyr, cols[c].name, cols[c].t, cols[c].width))
            return pm_err(j->ctx, PM_EIO, "cannot create field", where, "field %s: %s",
                          cols[c].name, pm_export_gdal_why(j->ctx));
    if (GDALDatasetStartTransaction(ds, FALSE) == OGRERR_NONE)
        in_tx = 1;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    for (size_t i = 0; i < u->n && !rc; i++) {
        size_t li = u->first + i;
        char *qml = NULL, *sld = NULL, *desc = NULL, note[600];
        if (!j->plans[li])
            continue;
        if ((rc = pm_export_describe_layer(&desc, j, j->layers[li])) ||
            (rc = pm_export_plan_qml(&qml, j->ctx, j->plans[li])) ||
            (rc = pm_export_plan_sld(&sld, j->ctx, j->plans[li], desc))) {
            free(qml);
            free(sld);
            free(desc);
            break;
        }
        const char *sname = pm_style_name(j->plan_src[li]);
        snprintf(note, sizeof note, "parkmap %s, style: %s", pm_version(),
                 *sname ? sname : "(unnamed)");
        OGRFeatureH fh = OGR_F_Create(defn);
        OGR_F_SetFieldString(fh, OGR_FD_GetFieldIndex(defn, "f_table_catalog"), "");
        OGR_F_SetFieldString(fh, OGR_FD_GetFieldIndex(defn, "f_table_schema"), "");
        OGR_F_SetFieldString(fh, OGR_FD_GetFieldIndex(defn, "f_table_name"), j->layers[li]);
        /* GDAL names the GeoPackage geometry column "geom" */
        OGR_F_SetFieldString(fh, OGR_FD_GetFieldIndex(defn, "f_geometry_column"), "geom");
        OGR_F_SetFieldString(fh, OGR_FD_GetFieldIndex(defn, "styleName"), j->layers[li]);
        OGR_F_SetFieldString(fh, OGR_FD_GetFieldIndex(defn, "styleQML"), qml);
        OGR_F_SetFieldString(fh, OGR_FD_GetFieldIndex(defn, "styleSLD"), sld);
        OGR_F_SetFieldInteger(fh, OGR_FD_GetFieldIndex(defn, "useAsDefault"), 1);
        OGR_F_SetFieldString(fh, OGR_FD_GetFieldIndex(defn, "description"), note);
        OGR_F_SetFieldString(fh, OGR_FD_GetFieldIndex(defn, "owner"), "");
        if (OGR_L_CreateFeature(lyr, fh) != OGRERR_NONE)
            rc = pm_err(j->ctx, PM_EIO, "cannot write feature", where, "style of %s: %s",
                        j->layers[li], pm_export_gdal_why(j->ctx));
        OGR_F_Destroy(fh);
        free(qml);
        free(sld);
        free(desc);
    }
    if (in_tx) {
        if (rc)
            (void)GDALDatasetRollbackTransaction(ds);
        else if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
            rc = pm_err(j->ctx, PM_EIO, "cannot write layer", where, "%s",
                        pm_export_gdal_why(j->ctx));
    }
    return rc;
}

const pm_export_format pm_export_gpkg = {
    .ext = ".gpkg",
    .driver = "GPKG",
    .one_file = 1,
    .metadata = 1,
    .end = write_layer_styles,
};
