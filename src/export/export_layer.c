/* Writing one layer into an open GDAL dataset: its CRS, provenance,
 * fields and features. */
#include "export_internal.h"
#include "parkmap/crs.h"

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

/* Provenance from parkmap_meta as one line, or NULL when there is none. */
int pm_export_describe_layer(char **out, pm_export_job *j, const char *layer)
{
    static const char *const keys[] = {"source_path", "source_sha256", "imported_at",
                                       "storage_crs"};
    static const char *const labels[] = {"source", "SHA-256", "imported", "storage CRS"};
    char buf[2048];
    size_t len = 0;
    int any = 0, rc = 0;
    *out = NULL;
    len += (size_t)snprintf(buf, sizeof buf, "parkmap layer %s", layer);
    for (size_t k = 0; k < sizeof keys / sizeof *keys && !rc; k++) {
        char *v = NULL;
        if ((rc = pm_store_meta_get(&v, j->ctx, j->st, layer, keys[k])))
            break;
        if (v && *v && len < sizeof buf) {
            len += (size_t)snprintf(buf + len, sizeof buf - len, "; %s %s", labels[k], v);
            any = 1;
        }
        free(v);
    }
    if (rc || !any)
        return rc;
    if (!(*out = strdup(buf)))
        return pm_err(j->ctx, PM_ENOMEM, "out of memory", layer, "description");
    return 0;
}

/* Provenance as GeoPackage layer metadata (kept in gpkg_metadata). */
static int layer_metadata(pm_export_job *j, OGRLayerH lyr, const char *layer)
{
    static const char *const keys[] = {"source_path", "source_sha256", "imported_at", "storage_crs",
                                       "source_crs"};
    static const char *const items[] = {"PARKMAP_SOURCE_PATH", "PARKMAP_SOURCE_SHA256",
                                        "PARKMAP_IMPORTED_AT", "PARKMAP_STORAGE_CRS",
                                        "PARKMAP_SOURCE_CRS"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        char *v = NULL;
        int rc = pm_store_meta_get(&v, j->ctx, j->st, layer, keys[k]);
        if (rc)
            return rc;
        if (v && *v)
            GDALSetMetadataItem((GDALMajorObjectH)lyr, items[k], v, NULL);
        free(v);
    }
    return 0;
}

static int driver_has_lco(GDALDriverH drv, const char *name)
{
    /* Drivers quote attribute values either way in this XML. */
    const char *xml = GDALGetMetadataItem(drv, GDAL_DS_LAYER_CREATIONOPTIONLIST, NULL);
    char dq[64], sq[64];
    snprintf(dq, sizeof dq, "name=\"%s\"", name);
    snprintf(sq, sizeof sq, "name='%s'", name);
    return xml && (strstr(xml, dq) || strstr(xml, sq));
}

/* Add a field; say so when the format had to rename it (Shapefile's
 * 10-character names), since scripts that read the output by name break. */
static int add_field(int *out_index, pm_export_job *j, OGRLayerH lyr, const char *where,
                     const char *name, const char *out_name, OGRFieldType type)
{
    OGRFieldDefnH fd = OGR_Fld_Create(out_name, type);
    if (!fd)
        return pm_err(j->ctx, PM_ENOMEM, "out of memory", where, "field %s", name);
    if (type == OFTString && j->f->text_width)
        OGR_Fld_SetWidth(fd, j->f->text_width);
    /* We map Shapefile names ourselves (pm_export_fieldmap_dbf), so GDAL's
     * laundering never applies there; for other formats its warning would
     * repeat ours below. */
    j->gdal->quiet = 1;
    OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
    j->gdal->quiet = 0;
    OGR_Fld_Destroy(fd);
    if (e != OGRERR_NONE)
        return pm_err(j->ctx, PM_EIO, "cannot create field", where, "field %s: %s", name,
                      pm_export_gdal_why(j->ctx));
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    int idx = OGR_FD_GetFieldCount(defn) - 1;
    const char *got = idx >= 0 ? OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, idx)) : NULL;
    if (!got)
        return pm_err(j->ctx, PM_EINTERNAL, "field missing after creation", where, "field %s",
                      name);
    if (strcmp(got, name) != 0)
        pm_warn(j->ctx, "%s: field '%s' written as '%s' (the format's naming rules%s)", where, name,
                got, j->fmaps && strcmp(got, out_name) == 0 ? "; see the .fields.csv" : "");
    *out_index = idx;
    return 0;
}

static int write_feature(pm_export_job *j, OGRLayerH lyr, const char *where, pm_transform *tr,
                         const int *fmap, pm_feature *f, const char *ogr_style)
{
    int rc = 0;
    unsigned char *wkb = NULL;
    size_t len = 0;
    OGRFeatureH fh = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
    if (!fh)
        return pm_err(j->ctx, PM_ENOMEM, "out of memory", where, "feature");
    OGR_F_SetFieldInteger64(fh, fmap[0], f->fid);
    if (ogr_style)
        OGR_F_SetStyleString(fh, ogr_style);
    for (size_t i = 0; i < f->nvalues; i++) {
        const pm_value *v = &f->values[i];
        int idx = fmap[i + 1];
        /* Dispatch on the value's own type: SQLite lets a column hold
         * another type now and then, and OGR converts to the field's. */
        if (v->is_null)
            OGR_F_SetFieldNull(fh, idx);
        else if (v->type == PM_FIELD_INTEGER)
            OGR_F_SetFieldInteger64(fh, idx, v->i);
        else if (v->type == PM_FIELD_REAL)
            OGR_F_SetFieldDouble(fh, idx, v->d);
        else
            OGR_F_SetFieldString(fh, idx, v->s ? v->s : "");
    }
    if (f->geom) {
        OGRGeometryH g = NULL;
        if (tr && (rc = pm_transform_geom(tr, j->ctx, f->geom)))
            goto done;
        if ((rc = pm_geom_to_wkb(&wkb, &len, j->ctx, f->geom)))
            goto done;
        if (len > INT_MAX) {
            rc = pm_err(j->ctx, PM_EINPUT, "geometry too large for GDAL", where,
                        "source feature %lld: %zu bytes of WKB", (long long)f->fid, len);
            goto done;
        }
        if (OGR_G_CreateFromWkb(wkb, NULL, &g, (int)len) != OGRERR_NONE) {
            rc = pm_err(j->ctx, PM_EINTERNAL, "GDAL rejected a geometry", where,
                        "source feature %lld: %s", (long long)f->fid, pm_export_gdal_why(j->ctx));
            goto done;
        }
        OGR_F_SetGeometryDirectly(fh, g);
    }
    if (OGR_L_CreateFeature(lyr, fh) != OGRERR_NONE) {
        char w[800];
        snprintf(w, sizeof w, "%s source feature %lld", where, (long long)f->fid);
        rc = pm_err(j->ctx, PM_EIO, "cannot write feature", w, "%s", pm_export_gdal_why(j->ctx));
    }
done:
    free(wkb);
    OGR_F_Destroy(fh);
    return rc;
}

int pm_export_write_layer(pm_export_job *j, GDALDatasetH ds, const pm_export_unit *u, size_t li)
{
    const char *layer = j->layers[li];
    const pm_export_plan *plan = j->plans[li];
    const pm_export_fieldmap *names = j->fmaps[li].n ? &j->fmaps[li] : NULL;
    char **style_refs = NULL;
    size_t nrefs = 0;
    int rc = 0, srid = 0, have = 0, in_tx = 0;
    pm_cursor *cur = NULL;
    pm_transform *tr = NULL;
    OGRSpatialReferenceH srs = NULL;
    pm_feature f = {0};
    char **lco = NULL, *desc = NULL;
    int *fmap = NULL;
    char where[700], src_def[32];
    /* GCJ-02/BD-09 GeoJSON (export.c allows no other format): no CRS GDAL
     * could write for it, so none is claimed, nor RFC 7946's WGS 84; the
     * description says what the coordinates are. */
    const char *web = j->opts->t_srs ? pm_crs_webmap_note(j->opts->t_srs) : NULL;
    const char *target = web ? j->opts->t_srs : j->f->wgs84 ? "EPSG:4326" : j->opts->t_srs;

    snprintf(where, sizeof where, "%s layer %s", u->final, layer);
    if ((rc = pm_store_layer_srid(&srid, j->ctx, j->st, layer)))
        goto done;
    snprintf(src_def, sizeof src_def, "EPSG:%d", srid);
    if (target) {
        if (srid <= 0) {
            rc = pm_err(j->ctx, PM_EINPUT, "layer has no CRS", where, "cannot reproject to %s",
                        target);
            goto done;
        }
        if ((rc = pm_transform_new(&tr, j->ctx, src_def, target)))
            goto done;
    }
    if (!web && (target || srid > 0)) {
        srs = OSRNewSpatialReference(NULL);
        if (!srs) {
            rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", where, "CRS");
            goto done;
        }
        if (OSRSetFromUserInput(srs, target ? target : src_def) != OGRERR_NONE) {
            if (target) {
                rc = pm_err(j->ctx, PM_EUSAGE, "GDAL does not know the output CRS", target, "%s",
                            pm_export_gdal_why(j->ctx));
                goto done;
            }
            pm_warn(j->ctx, "%s: GDAL does not know %s; written without a CRS", where, src_def);
            OSRRelease(srs);
            srs = NULL;
        } else {
            /* Our coordinates are x=east, y=north whatever the authority
             * says; tell GDAL so it writes them as they are. */
            OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        }
    }

    if ((rc = pm_store_cursor_open(&cur, j->ctx, j->st, layer)))
        goto done;
    const pm_schema *schema = pm_cursor_schema(cur);
    if ((have = pm_cursor_next(&f, j->ctx, cur)) < 0) {
        rc = have;
        goto done;
    }
    OGRwkbGeometryType gtype = j->is_line[li] ? wkbMultiLineString : wkbMultiPolygon;
    /* Formats that style each feature (KML: its category's shared style). */
    if (j->f->feature_styles && plan &&
        (rc = j->f->feature_styles(&style_refs, &nrefs, j, li, where)))
        goto done;

    lco = CSLDuplicate((char **)j->f->lco);
    if ((rc = pm_export_describe_layer(&desc, j, layer)))
        goto done;
    if (web) {
        char *more = NULL;
        lco = CSLSetNameValue(lco, "RFC7946", "NO");
        size_t n = (desc ? strlen(desc) : 0) + 200;
        if (!(more = malloc(n))) {
            rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", where, "description");
            goto done;
        }
        snprintf(more, n,
                 "%s%scoordinates in %s, the Chinese web-map offset of WGS 84 "
                 "(for Amap/Tencent/Baidu overlays), not WGS 84",
                 desc ? desc : "", desc ? "; " : "", strncmp(web, "BD", 2) ? "GCJ-02" : "BD-09");
        free(desc);
        desc = more;
    }
    if (desc && driver_has_lco(j->drv, "DESCRIPTION"))
        lco = CSLSetNameValue(lco, "DESCRIPTION", desc);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, layer, srs, gtype, lco);
    if (!lyr) {
        rc = pm_err(j->ctx, PM_EIO, "cannot create layer", where, "%s", pm_export_gdal_why(j->ctx));
        goto done;
    }
    if (j->f->metadata && (rc = layer_metadata(j, lyr, layer)))
        goto done;

    fmap = calloc(schema->nfields + 1, sizeof(int));
    if (!fmap) {
        rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", where, "fields");
        goto done;
    }
    if ((rc = add_field(&fmap[0], j, lyr, where, "source_fid",
                        pm_export_field_name(names, "source_fid"), OFTInteger64)))
        goto done;
    for (size_t i = 0; i < schema->nfields; i++) {
        pm_field_type t = schema->fields[i].type;
        OGRFieldType ot = t == PM_FIELD_INTEGER ? OFTInteger64
                          : t == PM_FIELD_REAL  ? OFTReal
                                                : OFTString;
        const char *name = schema->fields[i].name;
        if ((rc = add_field(&fmap[i + 1], j, lyr, where, name, pm_export_field_name(names, name),
                            ot)))
            goto done;
    }

    /* Not for atomicity (the staging directory gives that) but speed:
     * GeoPackage otherwise commits once per feature. */
    if (GDALDatasetTestCapability(ds, ODsCTransactions)) {
        if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE) {
            rc = pm_err(j->ctx, PM_EIO, "cannot start transaction", where, "%s",
                        pm_export_gdal_why(j->ctx));
            goto done;
        }
        in_tx = 1;
    }
    while (have) {
        const char *ref = NULL;
        if (style_refs) {
            size_t c = 0;
            if ((rc = pm_export_plan_category_of(&c, j->ctx, plan, &f, schema)))
                goto done;
            ref = style_refs[c < nrefs ? c : nrefs - 1];
        }
        if ((rc = write_feature(j, lyr, where, tr, fmap, &f, ref)))
            goto done;
        pm_feature_clear(&f);
        j->done++;
        if (j->opts->progress &&
            !j->opts->progress(j->total > 0 ? (double)j->done / (double)j->total : 1.0, layer,
                               j->opts->progress_user)) {
            rc = pm_err(j->ctx, PM_EIO, "export cancelled", u->final,
                        "stopped by the progress callback; nothing was written");
            goto done;
        }
        if ((have = pm_cursor_next(&f, j->ctx, cur)) < 0) {
            rc = have;
            goto done;
        }
    }
    if (in_tx) {
        in_tx = 0;
        if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE) {
            rc = pm_err(j->ctx, PM_EIO, "cannot write layer", where, "%s",
                        pm_export_gdal_why(j->ctx));
            goto done;
        }
    }
    if (OGR_L_SyncToDisk(lyr) != OGRERR_NONE)
        rc = pm_err(j->ctx, PM_EIO, "cannot write layer", where, "%s", pm_export_gdal_why(j->ctx));
done:
    if (in_tx)
        (void)GDALDatasetRollbackTransaction(ds); /* the staged file is discarded anyway */
    pm_feature_clear(&f);
    pm_cursor_free(cur);
    pm_transform_free(tr);
    if (srs)
        OSRRelease(srs);
    CSLDestroy(lco);
    free(desc);
    free(fmap);
    pm_strv_free(style_refs, nrefs);
    return rc;
}
