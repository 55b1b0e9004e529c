/* Exporting layers through GDAL/OGR vector drivers.
 *
 * Features come from the store's cursor as pm_features; GDAL only ever sees
 * finished coordinates. Reprojection (WGS 84 for GeoJSON and KML, or a
 * requested t_srs) goes through the crs module, i.e. PROJ, and the layer is
 * created in the target CRS, so no driver ever decides to reproject on its
 * own. */
#include "parkmap/export.h"

#include "analysis_style.h" /* generated from styles/analysis.json */
#include "export_internal.h"
#include "parkmap/crs.h"
#include "parkmap/load.h"
#include "parkmap/parkmap.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <errno.h>
#include <gdal.h>
#include <limits.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- formats ------------------------------------------------------------ */

typedef struct {
    const char *ext;    /* lower case, with the dot */
    const char *driver; /* GDAL short name; given explicitly, never guessed */
    int one_file;       /* one file holds every layer */
    int wgs84;          /* the format's specification mandates WGS 84 */
    int metadata;       /* dataset and layer metadata persist in the file */
    int text_width;     /* declared width of text fields, 0: the driver's default */
    const char *const *dsco;
    const char *const *lco;
    const char *const *sidecars; /* files the driver may write beside the main one */
    const char *const *stale;    /* of those, the ones to delete if an overwrite lacks them */
} fmt;

static const char *const shp_lco[] = {
    /* UTF-8 in the DBF, declared in a .cpg, so QGIS and ArcGIS show Chinese
     * names instead of guessing a code page. RESIZE shrinks the wide text
     * fields declared below to what the data needs. */
    "ENCODING=UTF-8", "RESIZE=YES", NULL};
/* Besides GDAL's files: the field-name mapping and the QGIS and SLD styles
 * parkmap writes (QGIS loads <name>.qml beside <name>.shp by itself). */
static const char *const shp_side[] = {".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn",
                                       ".sbx", ".fields.csv", ".qml", ".sld", NULL};
static const char *const shp_stale[] = {".prj", ".cpg", ".qix", ".sbn", ".sbx",
                                        ".fields.csv", ".qml", ".sld", NULL};
/* RFC 7946 mandates WGS 84 and recommends about 7 decimals (~1 cm). */
static const char *const geojson_lco[] = {"RFC7946=YES", "COORDINATE_PRECISION=7", NULL};
/* Only for GDAL's older KML driver, used when LIBKML is missing (LIBKML
 * takes the "name" field by default and alone writes shared styles). */
static const char *const kml_dsco[] = {"NameField=name", NULL};
/* A .csvt keeps the column types; the BOM is what makes Excel, which many
 * planners open CSVs with, read the file as UTF-8 rather than GBK. */
static const char *const csv_lco[] = {"GEOMETRY=AS_WKT", "CREATE_CSVT=YES", "WRITE_BOM=YES", NULL};
/* CSV writes a .prj as Shapefile does: it blocks a new export as any
 * existing file does, but is never deleted as stale, since parks.prj may
 * well belong to parks.shp. */
static const char *const csv_side[] = {".csvt", ".prj", NULL};
static const char *const csv_stale[] = {".csvt", NULL};
static const char *const none[] = {NULL};

static const fmt formats[] = {
    {".gpkg", "GPKG", 1, 0, 1, 0, none, none, none, none},
    /* DBF text fields hold at most 254 bytes; GDAL's default of 80 bytes
     * would cut a Chinese name after 26 characters. */
    {".shp", "ESRI Shapefile", 0, 0, 0, 254, none, shp_lco, shp_side, shp_stale},
    {".geojson", "GeoJSON", 0, 1, 0, 0, none, geojson_lco, none, none},
    {".kml", "LIBKML", 1, 1, 0, 0, none, none, none, none},
    {".fgb", "FlatGeobuf", 0, 0, 0, 0, none, none, none, none},
    {".csv", "CSV", 0, 0, 0, 0, none, csv_lco, csv_side, csv_stale},
};
#define SUPPORTED ".gpkg .shp .geojson .kml .fgb .csv"

static const char *ext_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    return dot && dot[1] ? dot : NULL;
}

static const fmt *find_format(const char *path)
{
    const char *e = ext_of(path);
    for (size_t i = 0; e && i < sizeof formats / sizeof *formats; i++)
        if (strcasecmp(e, formats[i].ext) == 0)
            return &formats[i];
    return NULL;
}

/* ---- GDAL failures ------------------------------------------------------ */

/* The best words we have for a GDAL failure. */
static const char *gdal_why(pm_ctx *ctx)
{
    if (*pm_ctx_lib_msg(ctx))
        return pm_ctx_lib_msg(ctx);
    if (*CPLGetLastErrorMsg())
        return CPLGetLastErrorMsg();
    return "GDAL gave no reason";
}

/* GDAL reports write errors that only surface when buffers are flushed
 * (a full disk, RESIZE rewriting the DBF) during the close. GDAL 3.7+
 * returns them; older versions only raise them through CPLError. */
static int close_dataset(GDALDatasetH ds)
{
    CPLErrorReset();
#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 7, 0)
    CPLErr e = GDALClose(ds);
    return e == CE_None && CPLGetLastErrorType() < CE_Failure ? 0 : -1;
#else
    GDALClose(ds);
    return CPLGetLastErrorType() >= CE_Failure ? -1 : 0;
#endif
}

/* ---- one export --------------------------------------------------------- */

/* One output file and the layers it holds. */
typedef struct {
    char *final;  /* where it ends up */
    char *staged; /* where GDAL writes it */
    size_t first, n;
} unit;

typedef struct {
    pm_ctx *ctx;
    pm_store *st;
    pm_gdal_errors *gdal; /* warnings GDAL would repeat are silenced here */
    const pm_export_opts *opts;
    const fmt *f;
    GDALDriverH drv;
    char **layers; /* canonical names, as the database spells them */
    size_t nlayers;
    unit *units;
    size_t nunits;
    char *out_dir; /* directory the outputs go into */
    int made_dir;  /* we created out_dir */
    char *stage;
    int upper_ext; /* the user wrote .SHP: sidecars follow that case */
    long total, done;
    /* per layer, in j->layers order */
    int *is_line;
    pm_export_fieldmap *fmaps; /* DBF names (Shapefile only) */
    pm_export_plan **plans;    /* NULL: no style for the layer */
    const pm_style **plan_src; /* the style each plan comes from */
    pm_style *builtin;         /* styles for the analysis layers */
    int kml_styles;            /* the driver writes shared KML styles */
} job;

static char *path_with_ext(const char *path_no_ext, const char *ext, int upper)
{
    size_t n = strlen(path_no_ext), e = strlen(ext);
    char *s = malloc(n + e + 1);
    if (!s)
        return NULL;
    memcpy(s, path_no_ext, n);
    for (size_t i = 0; i <= e; i++)
        s[n + i] = upper && ext[i] >= 'a' && ext[i] <= 'z' ? (char)(ext[i] - 'a' + 'A') : ext[i];
    return s;
}

/* path without its extension. Caller frees. */
static char *strip_ext(const char *path)
{
    const char *e = ext_of(path);
    size_t n = e ? (size_t)(e - path) : strlen(path);
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, path, n);
        s[n] = '\0';
    }
    return s;
}

/* Match the requested layers against the database's, case-insensitively as
 * SQLite does, so the output carries the stored spelling. */
static int resolve_layers(job *j)
{
    static const char *const default_layers[] = {"parks", NULL};
    const char *const *want = j->opts->layers ? j->opts->layers : default_layers;
    char **have = NULL;
    size_t nhave = 0, nwant = 0;
    int rc = pm_store_layers(&have, &nhave, j->ctx, j->st);
    if (rc)
        return rc;
    while (want[nwant])
        nwant++;
    if (nwant == 0) {
        rc = pm_err(j->ctx, PM_EUSAGE, "no layers to export", j->opts->out_path,
                    "the layer list is empty");
        goto done;
    }
    j->layers = calloc(nwant, sizeof(char *));
    if (!j->layers) {
        rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", j->opts->out_path, "layers");
        goto done;
    }
    for (size_t i = 0; i < nwant; i++) {
        const char *match = NULL;
        for (size_t k = 0; k < nhave && !match; k++)
            if (strcasecmp(have[k], want[i]) == 0)
                match = have[k];
        if (!match) {
            char where[600], list[400] = "";
            size_t len = 0;
            for (size_t k = 0; k < nhave && len < sizeof list - 1; k++)
                len +=
                    (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", have[k]);
            snprintf(where, sizeof where, "%s layer %s", pm_store_path(j->st), want[i]);
            rc = pm_err(j->ctx, PM_EUSAGE, "no such layer", where, "the database has: %s",
                        nhave ? list : "no layers");
            goto done;
        }
        for (size_t k = 0; k < j->nlayers; k++)
            if (strcmp(j->layers[k], match) == 0) {
                rc = pm_err(j->ctx, PM_EUSAGE, "layer listed twice", want[i],
                            "name each layer once");
                goto done;
            }
        if (!(j->layers[j->nlayers] = strdup(match))) {
            rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", j->opts->out_path, "layers");
            goto done;
        }
        j->nlayers++;
    }
done:
    pm_strv_free(have, nhave);
    return rc;
}

/* Decide the output files: one holding everything, or one per layer in a
 * directory named after out_path. */
static int plan_units(job *j)
{
    const char *out = j->opts->out_path;
    int rc = 0;
    int one = j->f->one_file || j->nlayers == 1;
    j->units = calloc(one ? 1 : j->nlayers, sizeof(unit));
    if (!j->units)
        return pm_err(j->ctx, PM_ENOMEM, "out of memory", out, "outputs");
    if (one) {
        j->nunits = 1;
        j->units[0].n = j->nlayers;
        if (!(j->units[0].final = strdup(out)) || !(j->out_dir = pm_export_dirname(out)))
            return pm_err(j->ctx, PM_ENOMEM, "out of memory", out, "outputs");
        return 0;
    }
    if (!(j->out_dir = strip_ext(out)))
        return pm_err(j->ctx, PM_ENOMEM, "out of memory", out, "outputs");
    for (size_t i = 0; i < j->nlayers; i++) {
        const char *l = j->layers[i];
        /* Table names are free text in SQLite; as file names they must
         * stay inside the output directory. */
        if (!*l || strchr(l, '/') || l[0] == '.') {
            return pm_err(j->ctx, PM_EUSAGE, "layer name cannot be a file name", l,
                          "export it to .gpkg or .kml, which hold layers by name");
        }
        char *base = pm_export_join(j->out_dir, l);
        unit *u = &j->units[j->nunits++];
        u->first = i;
        u->n = 1;
        u->final = base ? path_with_ext(base, ext_of(out), 0) : NULL;
        free(base);
        if (!u->final)
            return pm_err(j->ctx, PM_ENOMEM, "out of memory", out, "outputs");
    }
    return rc;
}

/* Refuse an output whose staged path GDAL would cut short (see
 * PM_EXPORT_GDAL_PATH_MAX): refusing is the only safe answer, since a
 * shortened or relocated path writes somewhere the user did not ask. */
static int check_path_lengths(job *j)
{
    for (size_t i = 0; i < j->nunits; i++) {
        const char *p = j->units[i].final;
        const char *slash = strrchr(p, '/');
        size_t staged = strlen(j->out_dir) + 1 + strlen(PM_EXPORT_STAGE_NAME) + 1 +
                        strlen(slash ? slash + 1 : p);
        if (staged + PM_EXPORT_GDAL_SUFFIX_ROOM > PM_EXPORT_GDAL_PATH_MAX)
            return pm_err(j->ctx, PM_EUSAGE, "output path too long", p,
                          "%zu bytes; GDAL cannot write paths this long, at most %zu here",
                          strlen(p),
                          (size_t)(PM_EXPORT_GDAL_PATH_MAX - PM_EXPORT_GDAL_SUFFIX_ROOM) -
                              (staged - strlen(p)));
    }
    return 0;
}

/* Is a and b the same file? (the database itself given as the output) */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Refuse to replace anything without overwrite, and never the database. */
static int check_outputs(job *j)
{
    struct stat sb;
    for (size_t i = 0; i < j->nunits; i++) {
        const char *p = j->units[i].final;
        if (same_file(p, pm_store_path(j->st)))
            return pm_err(j->ctx, PM_EUSAGE, "output is the database", p,
                          "choose another output path");
        if (stat(p, &sb) == 0) {
            if (S_ISDIR(sb.st_mode))
                return pm_err(j->ctx, PM_EUSAGE, "output is a directory", p,
                              "give a file name ending in %s", j->f->ext);
            if (!j->opts->overwrite)
                return pm_err(j->ctx, PM_EEXIST, "output exists", p,
                              "use --overwrite to replace it");
        }
        if (j->opts->overwrite)
            continue;
        char *stem = strip_ext(p);
        if (!stem)
            return pm_err(j->ctx, PM_ENOMEM, "out of memory", p, "paths");
        for (const char *const *s = j->f->sidecars; *s; s++) {
            char *sp = path_with_ext(stem, *s, j->upper_ext);
            int exists = sp && stat(sp, &sb) == 0;
            int rc = !sp      ? pm_err(j->ctx, PM_ENOMEM, "out of memory", p, "paths")
                     : exists ? pm_err(j->ctx, PM_EEXIST, "output exists", sp,
                                       "use --overwrite to replace it")
                              : 0;
            free(sp);
            if (rc) {
                free(stem);
                return rc;
            }
        }
        free(stem);
    }
    return 0;
}

/* An old .qix or .prj left beside a new .shp would describe the wrong data:
 * the sidecars of the outputs being replaced that the new export did not
 * write. Found before publishing (the staged files move away then) and
 * deleted only after it succeeded, so a failure leaves the old set whole. */
static int find_stale_sidecars(char ***out, size_t *out_n, job *j)
{
    int rc = 0;
    char **v = NULL;
    size_t n = 0;
    for (size_t i = 0; i < j->nunits && !rc; i++) {
        char *fstem = strip_ext(j->units[i].final), *sstem = strip_ext(j->units[i].staged);
        if (!fstem || !sstem)
            rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", j->units[i].final, "paths");
        for (const char *const *s = j->f->stale; !rc && *s; s++) {
            char *fp = path_with_ext(fstem, *s, j->upper_ext);
            char *sp = path_with_ext(sstem, *s, j->upper_ext);
            char **nv = NULL;
            struct stat sb;
            if (!fp || !sp || !(nv = realloc(v, (n + 1) * sizeof(*v)))) {
                rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", j->units[i].final, "paths");
            } else {
                v = nv;
                if (stat(sp, &sb) != 0 && stat(fp, &sb) == 0) {
                    v[n++] = fp;
                    fp = NULL;
                }
            }
            free(fp);
            free(sp);
        }
        free(fstem);
        free(sstem);
    }
    if (rc) {
        pm_strv_free(v, n);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

/* Provenance from parkmap_meta as one line, or NULL when there is none. */
static int describe_layer(char **out, job *j, const char *layer)
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
static int layer_metadata(job *j, OGRLayerH lyr, const char *layer)
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
static int add_field(int *out_index, job *j, OGRLayerH lyr, const char *where, const char *name,
                     const char *out_name, OGRFieldType type)
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
                      gdal_why(j->ctx));
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    int idx = OGR_FD_GetFieldCount(defn) - 1;
    const char *got = idx >= 0 ? OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, idx)) : NULL;
    if (!got)
        return pm_err(j->ctx, PM_EINTERNAL, "field missing after creation", where, "field %s",
                      name);
    if (strcmp(got, name) != 0)
        pm_warn(j->ctx, "%s: field '%s' written as '%s' (the format's naming rules%s)", where,
                name, got, j->fmaps && strcmp(got, out_name) == 0 ? "; see the .fields.csv" : "");
    *out_index = idx;
    return 0;
}

static int write_feature(job *j, OGRLayerH lyr, const char *where, pm_transform *tr,
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
                        "source feature %lld: %s", (long long)f->fid, gdal_why(j->ctx));
            goto done;
        }
        OGR_F_SetGeometryDirectly(fh, g);
    }
    if (OGR_L_CreateFeature(lyr, fh) != OGRERR_NONE) {
        char w[800];
        snprintf(w, sizeof w, "%s source feature %lld", where, (long long)f->fid);
        rc = pm_err(j->ctx, PM_EIO, "cannot write feature", w, "%s", gdal_why(j->ctx));
    }
done:
    free(wkb);
    OGR_F_Destroy(fh);
    return rc;
}

static int write_layer(job *j, GDALDatasetH ds, const unit *u, size_t li)
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
    const char *target = j->f->wgs84 ? "EPSG:4326" : j->opts->t_srs;

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
    if (target || srid > 0) {
        srs = OSRNewSpatialReference(NULL);
        if (!srs) {
            rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", where, "CRS");
            goto done;
        }
        if (OSRSetFromUserInput(srs, target ? target : src_def) != OGRERR_NONE) {
            if (target) {
                rc = pm_err(j->ctx, PM_EUSAGE, "GDAL does not know the output CRS", target, "%s",
                            gdal_why(j->ctx));
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
    if ((have = pm_cursor_next(cur, j->ctx, &f)) < 0) {
        rc = have;
        goto done;
    }
    OGRwkbGeometryType gtype = j->is_line[li] ? wkbMultiLineString : wkbMultiPolygon;
    /* KML placemarks point at the shared style of their category. */
    if (j->kml_styles && plan) {
        nrefs = pm_export_plan_ncats(plan);
        if (!(style_refs = calloc(nrefs, sizeof(char *)))) {
            rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", where, "styles");
            goto done;
        }
        for (size_t c = 0; c < nrefs && !rc; c++) {
            char *id = NULL, *st = NULL;
            if (!(rc = pm_export_plan_kml_style(&id, &st, j->ctx, plan, c))) {
                size_t n = strlen(id) + 2;
                if ((style_refs[c] = malloc(n)))
                    snprintf(style_refs[c], n, "@%s", id);
                else
                    rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", where, "styles");
            }
            free(id);
            free(st);
        }
        if (rc)
            goto done;
    }

    lco = CSLDuplicate((char **)j->f->lco);
    if ((rc = describe_layer(&desc, j, layer)))
        goto done;
    if (desc && driver_has_lco(j->drv, "DESCRIPTION"))
        lco = CSLSetNameValue(lco, "DESCRIPTION", desc);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, layer, srs, gtype, lco);
    if (!lyr) {
        rc = pm_err(j->ctx, PM_EIO, "cannot create layer", where, "%s", gdal_why(j->ctx));
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
            rc = pm_err(j->ctx, PM_EIO, "cannot start transaction", where, "%s", gdal_why(j->ctx));
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
        if ((have = pm_cursor_next(cur, j->ctx, &f)) < 0) {
            rc = have;
            goto done;
        }
    }
    if (in_tx) {
        in_tx = 0;
        if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE) {
            rc = pm_err(j->ctx, PM_EIO, "cannot write layer", where, "%s", gdal_why(j->ctx));
            goto done;
        }
    }
    if (OGR_L_SyncToDisk(lyr) != OGRERR_NONE)
        rc = pm_err(j->ctx, PM_EIO, "cannot write layer", where, "%s", gdal_why(j->ctx));
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


/* ---- styles -------------------------------------------------------------- */


/* The geometry kind comes from the layer's registration, so an empty layer
 * exports with the right type too. For Shapefiles, also map the attribute
 * names to DBF's. */
static int prepare_layer(job *j, size_t li)
{
    const char *layer = j->layers[li];
    pm_cursor *cur = NULL;
    const char **names = NULL;
    pm_geom_kind kind;
    int rc = pm_store_layer_geom_kind(&kind, j->ctx, j->st, layer);
    if (rc)
        return rc;
    j->is_line[li] = kind == PM_GEOM_LINE;
    if ((rc = pm_store_cursor_open(&cur, j->ctx, j->st, layer)))
        return rc;
    if (strcmp(j->f->driver, "ESRI Shapefile") == 0) {
        const pm_schema *sc = pm_cursor_schema(cur);
        if (!(names = calloc(sc->nfields + 1, sizeof(char *)))) {
            rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", layer, "field names");
            goto done;
        }
        names[0] = "source_fid";
        for (size_t i = 0; i < sc->nfields; i++)
            names[i + 1] = sc->fields[i].name;
        if ((rc = pm_export_fieldmap_dbf(&j->fmaps[li], j->ctx, names, sc->nfields + 1)))
            goto done;
    }
    /* The user's style first; the built-in one for layers it leaves out. */
    const pm_export_fieldmap *fm = j->fmaps[li].n ? &j->fmaps[li] : NULL;
    j->plan_src[li] = j->opts->style;
    if (j->opts->style &&
        (rc = pm_export_plan_new(&j->plans[li], j->ctx, j->opts->style, layer, j->is_line[li], fm)))
        goto done;
    if (!j->plans[li]) {
        j->plan_src[li] = j->builtin;
        if ((rc = pm_export_plan_new(&j->plans[li], j->ctx, j->builtin, layer, j->is_line[li], fm)))
            goto done;
    }
done:
    free(names);
    pm_cursor_free(cur);
    return rc;
}

static int prepare_layers(job *j)
{
    int rc;
    j->is_line = calloc(j->nlayers, sizeof(int));
    j->fmaps = calloc(j->nlayers, sizeof(pm_export_fieldmap));
    j->plans = calloc(j->nlayers, sizeof(pm_export_plan *));
    j->plan_src = calloc(j->nlayers, sizeof(pm_style *));
    if (!j->is_line || !j->fmaps || !j->plans || !j->plan_src)
        return pm_err(j->ctx, PM_ENOMEM, "out of memory", j->opts->out_path, "layers");
    /* Styles for the layers parkmap's analysis writes, used when the
     * user's style does not draw them: parkmap's own, so it knows how they
     * read best (relations in distinct colours, findings in red, clusters
     * as dashed envelopes over the parks). styles/analysis.json, compiled
     * in (cmake/embed.cmake): the library reads no file at run time. */
    if ((rc = pm_style_parse(&j->builtin, j->ctx, pm_analysis_style, "parkmap analysis layers")))
        return rc;
    for (size_t i = 0; i < j->nlayers; i++)
        if ((rc = prepare_layer(j, i)))
            return rc;
    return 0;
}

static int write_text(pm_ctx *ctx, const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return pm_err(ctx, PM_EIO, "cannot write output", path, "%s", strerror(errno));
    size_t n = strlen(text);
    int bad = fwrite(text, 1, n, fp) != n;
    bad |= fclose(fp) != 0;
    if (bad)
        return pm_err(ctx, PM_EIO, "cannot write output", path, "%s", strerror(errno));
    return 0;
}

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
static int write_shp_sidecars(job *j, const unit *u, size_t li)
{
    int rc = 0;
    char *stem = strip_ext(u->staged), *path = NULL, *qml = NULL, *sld = NULL, *desc = NULL;
    const pm_export_fieldmap *m = &j->fmaps[li];
    if (!stem || !(path = path_with_ext(stem, ".fields.csv", j->upper_ext))) {
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
    if ((rc = describe_layer(&desc, j, j->layers[li])) ||
        (rc = pm_export_plan_qml(&qml, j->ctx, j->plans[li])) ||
        (rc = pm_export_plan_sld(&sld, j->ctx, j->plans[li], desc)))
        goto done;
    free(path);
    if (!(path = path_with_ext(stem, ".qml", j->upper_ext))) {
        rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", u->final, "paths");
        goto done;
    }
    if ((rc = write_text(j->ctx, path, qml)))
        goto done;
    free(path);
    if (!(path = path_with_ext(stem, ".sld", j->upper_ext))) {
        rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", u->final, "paths");
        goto done;
    }
    rc = write_text(j->ctx, path, sld);
done:
    free(stem);
    free(path);
    free(qml);
    free(sld);
    free(desc);
    return rc;
}

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
static int write_layer_styles(job *j, GDALDatasetH ds, const unit *u)
{
    static const struct {
        const char *name;
        OGRFieldType t;
        int width;
    } cols[] = {{"f_table_catalog", OFTString, 256}, {"f_table_schema", OFTString, 256},
                {"f_table_name", OFTString, 256},    {"f_geometry_column", OFTString, 256},
                {"styleName", OFTString, 30},        {"styleQML", OFTString, 0},
                {"styleSLD", OFTString, 0},          {"useAsDefault", OFTInteger, 0},
                {"description", OFTString, 0},       {"owner", OFTString, 30},
                {"ui", OFTString, 30},               {"update_time", OFTDateTime, 0}};
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
        return pm_err(j->ctx, PM_EIO, "cannot create layer", where, "%s", gdal_why(j->ctx));
    for (size_t c = 0; c < sizeof cols / sizeof *cols; c++)
        if (add_style_field(lyr, cols[c].name, cols[c].t, cols[c].width))
            return pm_err(j->ctx, PM_EIO, "cannot create field", where, "field %s: %s",
                          cols[c].name, gdal_why(j->ctx));
    if (GDALDatasetStartTransaction(ds, FALSE) == OGRERR_NONE)
        in_tx = 1;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    for (size_t i = 0; i < u->n && !rc; i++) {
        size_t li = u->first + i;
        char *qml = NULL, *sld = NULL, *desc = NULL, note[600];
        if (!j->plans[li])
            continue;
        if ((rc = describe_layer(&desc, j, j->layers[li])) ||
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
                        j->layers[li], gdal_why(j->ctx));
        OGR_F_Destroy(fh);
        free(qml);
        free(sld);
        free(desc);
    }
    if (in_tx) {
        if (rc)
            (void)GDALDatasetRollbackTransaction(ds);
        else if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
            rc = pm_err(j->ctx, PM_EIO, "cannot write layer", where, "%s", gdal_why(j->ctx));
    }
    return rc;
}

/* One shared <Style> per category of every layer in the file. */
static int set_kml_styles(job *j, GDALDatasetH ds, const unit *u)
{
    int rc = 0;
    OGRStyleTableH st = OGR_STBL_Create();
    if (!st)
        return pm_err(j->ctx, PM_ENOMEM, "out of memory", u->final, "styles");
    for (size_t i = 0; i < u->n && !rc; i++) {
        const pm_export_plan *p = j->plans[u->first + i];
        for (size_t c = 0; p && c < pm_export_plan_ncats(p) && !rc; c++) {
            char *id = NULL, *s = NULL;
            if (!(rc = pm_export_plan_kml_style(&id, &s, j->ctx, p, c)))
                OGR_STBL_AddStyle(st, id, s);
            free(id);
            free(s);
        }
    }
    if (!rc)
        GDALDatasetSetStyleTable(ds, st);
    OGR_STBL_Destroy(st);
    return rc;
}

/* GDAL's GeoJSON, KML and CSV writers ignore failed writes (a full disk, a
 * file size limit: EFBIG, ENOSPC) and report nothing when the dataset is
 * closed, so a truncated file would be published over the user's good one
 * (issue 16). Their output is therefore read back before it is published:
 * it must open, as JSON or XML does only when complete, and hold every
 * feature written. A CSV can be cut inside its last row and still parse,
 * so it must also end with a line break. The other formats' drivers check
 * their writes (the staging test in tests/cli/test_atomicity.sh). */
static int reread_needed(const fmt *f)
{
    return strcmp(f->driver, "GeoJSON") == 0 || strcmp(f->driver, "LIBKML") == 0 ||
           strcmp(f->driver, "KML") == 0 || strcmp(f->driver, "CSV") == 0;
}

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

static int verify_unit(job *j, unit *u, long written)
{
    const char *const drivers[] = {j->f->driver, NULL};
    long found = 0;
    if (!reread_needed(j->f))
        return 0;
    pm_ctx_set_lib_msg(j->ctx, "");
    GDALDatasetH ds = GDALOpenEx(u->staged, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
    if (ds) {
        for (int i = 0; i < GDALDatasetGetLayerCount(ds); i++) {
            GIntBig n = OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, i), TRUE);
            found += n > 0 ? (long)n : 0;
        }
        GDALClose(ds);
    }
    if (!ds || found != written ||
        (strcmp(j->f->driver, "CSV") == 0 && !ends_with_newline(u->staged)))
        return pm_err(j->ctx, PM_EIO, "cannot write output", u->final,
                      "the file GDAL wrote is incomplete: %s; the disk may be full or a file "
                      "size limit reached",
                      !ds ? "it does not open" : found != written ? "features missing"
                                                                  : "its last row is cut");
    return 0;
}

static int write_unit(job *j, unit *u)
{
    int rc = 0;
    struct stat sb;
    long done0 = j->done;
    char *base = pm_export_basename(u->final);
    if (!base || !(u->staged = pm_export_join(j->stage, base))) {
        free(base);
        return pm_err(j->ctx, PM_ENOMEM, "out of memory", u->final, "paths");
    }
    free(base);
    char **dsco = CSLDuplicate((char **)j->f->dsco);
    if (j->kml_styles) {
        /* The KML document's own name and description: what and whence. */
        char note[1200];
        char *name = pm_export_basename(u->final), *stem = name ? strip_ext(name) : NULL;
        snprintf(note, sizeof note, "Exported by parkmap %s from %s", pm_version(),
                 pm_store_path(j->st));
        dsco = CSLSetNameValue(dsco, "NAME", stem ? stem : "parkmap");
        dsco = CSLSetNameValue(dsco, "DESCRIPTION", note);
        free(name);
        free(stem);
    }
    GDALDatasetH ds = GDALCreate(j->drv, u->staged, 0, 0, 0, GDT_Unknown, dsco);
    CSLDestroy(dsco);
    if (!ds)
        return pm_err(j->ctx, PM_EIO, "cannot create output", u->final, "%s", gdal_why(j->ctx));
    if (j->f->metadata)
        GDALSetMetadataItem(ds, "PARKMAP_VERSION", pm_version(), NULL);
    if (j->kml_styles)
        rc = set_kml_styles(j, ds, u);
    for (size_t i = 0; i < u->n && !rc; i++)
        rc = write_layer(j, ds, u, u->first + i);
    if (!rc && strcmp(j->f->driver, "GPKG") == 0)
        rc = write_layer_styles(j, ds, u);
    pm_ctx_set_lib_msg(j->ctx, "");
    if (close_dataset(ds) != 0 && !rc)
        rc = pm_err(j->ctx, PM_EIO, "cannot write output", u->final, "%s", gdal_why(j->ctx));
    /* The file must be where GDAL was told to write it: a driver that
     * shortened or relocated the path reports no error of its own. */
    if (!rc && stat(u->staged, &sb) != 0)
        rc = pm_err(j->ctx, PM_EIO, "cannot write output", u->final,
                    "GDAL did not write the file where it was asked to");
    if (!rc)
        rc = verify_unit(j, u, j->done - done0);
    if (!rc && strcmp(j->f->driver, "ESRI Shapefile") == 0)
        rc = write_shp_sidecars(j, u, u->first);
    return rc;
}

static int count_features(job *j)
{
    for (size_t i = 0; i < j->nlayers; i++) {
        long n = 0;
        double bbox[4];
        int rc = pm_store_layer_stats(&n, bbox, j->ctx, j->st, j->layers[i]);
        if (rc)
            return rc;
        j->total += n;
    }
    return 0;
}

int pm_export_layers(pm_ctx *ctx, pm_store *st, const pm_export_opts *opts)
{
    int rc = 0;
    pm_gdal_errors gdal;
    char **stale = NULL;
    size_t nstale = 0;
    job j = {0};
    j.ctx = ctx;
    j.st = st;
    j.gdal = &gdal;
    j.opts = opts;
    if (!st || !opts || !opts->out_path || !*opts->out_path)
        return pm_err(ctx, PM_EUSAGE, "no output path", "export",
                      "give an output file ending in one of " SUPPORTED);
    if (!(j.f = find_format(opts->out_path)))
        return pm_err(ctx, PM_EUSAGE, "unsupported output format", opts->out_path,
                      "the extension must be one of " SUPPORTED);
    {
        const char *e = ext_of(opts->out_path);
        j.upper_ext = e && e[1] >= 'A' && e[1] <= 'Z';
    }
    if (GDALGetDriverCount() == 0)
        GDALAllRegister();
    pm_load_gdal_errors_push(&gdal, ctx, 0);

    if (!(j.drv = GDALGetDriverByName(j.f->driver)) && strcmp(j.f->ext, ".kml") == 0) {
        static const fmt kml_plain = {".kml", "KML", 1, 1, 0, 0, kml_dsco, none, none, none};
        pm_warn(ctx, "%s: this GDAL has no LIBKML driver; written without KML styles",
                opts->out_path);
        j.f = &kml_plain;
        j.drv = GDALGetDriverByName(j.f->driver);
    }
    j.kml_styles = strcmp(j.f->driver, "LIBKML") == 0;
    if (!j.drv) {
        rc = pm_err(ctx, PM_EUSAGE, "format not available", opts->out_path,
                    "this GDAL has no %s driver", j.f->driver);
        goto done;
    }
    if (opts->t_srs) {
        pm_crs_info info;
        if ((rc = pm_crs_describe(&info, ctx, opts->t_srs)))
            goto done;
        if (!info.is_2d) {
            /* Geocentric X/Y/Z or a height: no GIS reads the polygons back. */
            rc = pm_err(ctx, PM_EUSAGE, "unusable output CRS", opts->t_srs,
                        "%s is a %s CRS; give a 2D geographic or projected one", info.name,
                        info.kind);
            goto done;
        }
        if (j.f->wgs84 && info.epsg != 4326) {
            rc = pm_err(ctx, PM_EUSAGE, "CRS not allowed for this format", opts->t_srs,
                        "%s is always WGS 84 (EPSG:4326)", j.f->ext);
            goto done;
        }
    }
    if ((rc = resolve_layers(&j)) || (rc = plan_units(&j)) || (rc = check_path_lengths(&j)) ||
        (rc = check_outputs(&j)) ||
        (rc = count_features(&j)) || (rc = prepare_layers(&j)))
        goto done;
    if (!j.f->one_file && j.nlayers > 1) {
        if (mkdir(j.out_dir, 0777) == 0)
            j.made_dir = 1;
        else if (errno != EEXIST) {
            rc = pm_err(ctx, PM_EIO, "cannot create directory", j.out_dir, "%s", strerror(errno));
            goto done;
        }
    }
    if ((rc = pm_export_stage_new(&j.stage, ctx, j.out_dir, opts->out_path)))
        goto done;
    for (size_t i = 0; i < j.nunits && !rc; i++)
        rc = write_unit(&j, &j.units[i]);
    if (rc)
        goto done;
    if (opts->overwrite && (rc = find_stale_sidecars(&stale, &nstale, &j)))
        goto done;
    if ((rc = pm_export_publish(ctx, j.stage, j.out_dir, j.f->ext, opts->overwrite)))
        goto done;
    for (size_t i = 0; i < nstale; i++)
        if (unlink(stale[i]) != 0)
            pm_warn(ctx, "%s: old file not removed (%s); it does not belong to the new %s",
                    stale[i], strerror(errno), opts->out_path);
done:
    pm_strv_free(stale, nstale);
    pm_export_stage_remove(j.stage);
    if (rc && j.made_dir)
        rmdir(j.out_dir); /* only succeeds if nothing was published into it */
    pm_load_gdal_errors_pop();
    for (size_t i = 0; i < j.nunits; i++) {
        free(j.units[i].final);
        free(j.units[i].staged);
    }
    free(j.units);
    for (size_t i = 0; j.plans && i < j.nlayers; i++)
        pm_export_plan_free(j.plans[i]);
    for (size_t i = 0; j.fmaps && i < j.nlayers; i++)
        pm_export_fieldmap_clear(&j.fmaps[i]);
    free(j.plans);
    free(j.plan_src);
    free(j.fmaps);
    free(j.is_line);
    pm_style_free(j.builtin);
    pm_strv_free(j.layers, j.nlayers);
    free(j.out_dir);
    free(j.stage);
    return rc;
}
