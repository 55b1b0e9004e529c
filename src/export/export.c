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

/* ---- GDAL failures ------------------------------------------------------ */

/* The best words we have for a GDAL failure. */
const char *pm_export_gdal_why(pm_ctx *ctx)
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

char *pm_export_path_with_ext(const char *path_no_ext, const char *ext, int upper)
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
char *pm_export_strip_ext(const char *path)
{
    const char *e = pm_export_ext_of(path);
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
static int resolve_layers(pm_export_job *j)
{
    static const char *const default_layers[] = {PM_LAYER_PARKS, NULL};
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
static int plan_units(pm_export_job *j)
{
    const char *out = j->opts->out_path;
    int rc = 0;
    int one = j->f->one_file || j->nlayers == 1;
    j->units = calloc(one ? 1 : j->nlayers, sizeof(pm_export_unit));
    if (!j->units)
        return pm_err(j->ctx, PM_ENOMEM, "out of memory", out, "outputs");
    if (one) {
        j->nunits = 1;
        j->units[0].n = j->nlayers;
        if (!(j->units[0].final = strdup(out)) || !(j->out_dir = pm_export_dirname(out)))
            return pm_err(j->ctx, PM_ENOMEM, "out of memory", out, "outputs");
        return 0;
    }
    if (!(j->out_dir = pm_export_strip_ext(out)))
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
        pm_export_unit *u = &j->units[j->nunits++];
        u->first = i;
        u->n = 1;
        u->final = base ? pm_export_path_with_ext(base, pm_export_ext_of(out), 0) : NULL;
        free(base);
        if (!u->final)
            return pm_err(j->ctx, PM_ENOMEM, "out of memory", out, "outputs");
    }
    return rc;
}

/* Refuse an output whose staged path GDAL would cut short (see
 * PM_EXPORT_GDAL_PATH_MAX): refusing is the only safe answer, since a
 * shortened or relocated path writes somewhere the user did not ask. */
static int check_path_lengths(pm_export_job *j)
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

/* An export touches only its own dataset's files: a sidecar it would write
 * that belongs to another dataset of the same name (parks.prj of
 * parks.shp, beside parks.csv) is refused whatever overwrite says. */
static int shared_sidecar(pm_export_job *j, const char *p, const char *stem)
{
    struct stat sb;
    int rc = 0;
    for (int upper = 0; upper < 2 && !rc; upper++) {
        char *side = pm_export_path_with_ext(stem, j->f->shared, upper);
        char *owner = pm_export_path_with_ext(stem, j->f->shared_owner, upper);
        if (!side || !owner)
            rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", p, "paths");
        else if (stat(side, &sb) == 0 && stat(owner, &sb) == 0)
            rc = pm_err(j->ctx, PM_EUSAGE, "output would replace another dataset's file", side,
                        "it belongs to %s; give %s another name", owner, p);
        free(side);
        free(owner);
    }
    return rc;
}

/* Refuse to replace anything without overwrite, and never the database. */
static int check_outputs(pm_export_job *j)
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
        char *stem = pm_export_strip_ext(p);
        if (!stem)
            return pm_err(j->ctx, PM_ENOMEM, "out of memory", p, "paths");
        if (j->f->shared) {
            int rc = shared_sidecar(j, p, stem);
            if (rc) {
                free(stem);
                return rc;
            }
        }
        if (j->opts->overwrite) {
            free(stem);
            continue;
        }
        for (const char *const *s = j->f->sidecars; s && *s; s++) {
            char *sp = pm_export_path_with_ext(stem, *s, j->upper_ext);
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
static int find_stale_sidecars(char ***out, size_t *out_n, pm_export_job *j)
{
    int rc = 0;
    char **v = NULL;
    size_t n = 0;
    for (size_t i = 0; i < j->nunits && !rc; i++) {
        char *fstem = pm_export_strip_ext(j->units[i].final),
             *sstem = pm_export_strip_ext(j->units[i].staged);
        if (!fstem || !sstem)
            rc = pm_err(j->ctx, PM_ENOMEM, "out of memory", j->units[i].final, "paths");
        for (const char *const *s = j->f->stale; !rc && s && *s; s++) {
            char *fp = pm_export_path_with_ext(fstem, *s, j->upper_ext);
            char *sp = pm_export_path_with_ext(sstem, *s, j->upper_ext);
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
/* ---- styles -------------------------------------------------------------- */

/* The geometry kind comes from the layer's registration, so an empty layer
 * exports with the right type too. For Shapefiles, also map the attribute
 * names to DBF's. */
static int prepare_layer(pm_export_job *j, size_t li)
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
    if (j->f->dbf_names) {
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

static int prepare_layers(pm_export_job *j)
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

int pm_export_write_text(pm_ctx *ctx, const char *path, const char *text)
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
/* GDAL's GeoJSON, KML and CSV writers ignore failed writes (a full disk, a
 * file size limit: EFBIG, ENOSPC) and report nothing when the dataset is
 * closed, so a truncated file would be published over the user's good one
 * (issue 16). Their output is therefore read back before it is published:
 * it must open, as JSON or XML does only when complete, and hold every
 * feature written. A CSV can be cut inside its last row and still parse,
 * so it must also end with a line break. The other formats' drivers check
 * their writes (the staging test in tests/cli/test_atomicity.sh): the
 * formats' `reread` flag. */
static int verify_unit(pm_export_job *j, pm_export_unit *u, long written)
{
    const char *const drivers[] = {j->f->driver, NULL};
    long found = 0;
    if (!j->f->reread)
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
    if (!ds || found != written || (j->f->last_row_whole && !j->f->last_row_whole(u->staged)))
        return pm_err(j->ctx, PM_EIO, "cannot write output", u->final,
                      "the file GDAL wrote is incomplete: %s; the disk may be full or a file "
                      "size limit reached",
                      !ds                ? "it does not open"
                      : found != written ? "features missing"
                                         : "its last row is cut");
    return 0;
}

static int write_unit(pm_export_job *j, pm_export_unit *u)
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
    if (j->f->dataset_options)
        j->f->dataset_options(&dsco, j, u);
    GDALDatasetH ds = GDALCreate(j->drv, u->staged, 0, 0, 0, GDT_Unknown, dsco);
    CSLDestroy(dsco);
    if (!ds)
        return pm_err(j->ctx, PM_EIO, "cannot create output", u->final, "%s",
                      pm_export_gdal_why(j->ctx));
    if (j->f->metadata)
        GDALSetMetadataItem(ds, "PARKMAP_VERSION", pm_version(), NULL);
    if (j->f->begin)
        rc = j->f->begin(j, ds, u);
    for (size_t i = 0; i < u->n && !rc; i++)
        rc = pm_export_write_layer(j, ds, u, u->first + i);
    if (!rc && j->f->end)
        rc = j->f->end(j, ds, u);
    pm_ctx_set_lib_msg(j->ctx, "");
    if (close_dataset(ds) != 0 && !rc)
        rc = pm_err(j->ctx, PM_EIO, "cannot write output", u->final, "%s",
                    pm_export_gdal_why(j->ctx));
    /* The file must be where GDAL was told to write it: a driver that
     * shortened or relocated the path reports no error of its own. */
    if (!rc && stat(u->staged, &sb) != 0)
        rc = pm_err(j->ctx, PM_EIO, "cannot write output", u->final,
                    "GDAL did not write the file where it was asked to");
    if (!rc)
        rc = verify_unit(j, u, j->done - done0);
    if (!rc && j->f->after)
        rc = j->f->after(j, u);
    return rc;
}

static int count_features(pm_export_job *j)
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
    char supported[128];
    char **stale = NULL;
    size_t nstale = 0;
    pm_export_job j = {0};
    j.ctx = ctx;
    j.st = st;
    j.gdal = &gdal;
    j.opts = opts;
    if (!st || !opts || !opts->out_path || !*opts->out_path)
        return pm_err(ctx, PM_EUSAGE, "no output path", "export",
                      "give an output file ending in one of %s",
                      pm_export_supported(supported, sizeof supported));
    if (!(j.f = pm_export_find_format(opts->out_path)))
        return pm_err(ctx, PM_EUSAGE, "unsupported output format", opts->out_path,
                      "the extension must be one of %s",
                      pm_export_supported(supported, sizeof supported));
    {
        const char *e = pm_export_ext_of(opts->out_path);
        j.upper_ext = e && e[1] >= 'A' && e[1] <= 'Z';
    }
    if (GDALGetDriverCount() == 0)
        GDALAllRegister();
    pm_load_gdal_errors_push(&gdal, ctx, 0);

    if (!(j.drv = GDALGetDriverByName(j.f->driver)) && j.f->fallback) {
        pm_warn(ctx, "%s: this GDAL has no %s driver; written without %s", opts->out_path,
                j.f->driver, j.f->fallback_loses);
        j.f = j.f->fallback;
        j.drv = GDALGetDriverByName(j.f->driver);
    }
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
        /* GCJ-02/BD-09 are for overlays on Amap and Baidu maps, which take
         * GeoJSON; other formats would be read as WGS 84 by every GIS. */
        int web = pm_crs_webmap_note(opts->t_srs) != NULL;
        if (web && strcmp(j.f->ext, ".geojson") != 0) {
            rc = pm_err(ctx, PM_EUSAGE, "CRS not allowed for this format", opts->t_srs,
                        "web-map coordinates are written as .geojson only; %s readers would "
                        "take them for WGS 84",
                        j.f->ext);
            goto done;
        }
        if (j.f->wgs84 && info.epsg != 4326 && !web) {
            rc = pm_err(ctx, PM_EUSAGE, "CRS not allowed for this format", opts->t_srs,
                        "%s is always WGS 84 (EPSG:4326)", j.f->ext);
            goto done;
        }
    }
    if ((rc = resolve_layers(&j)) || (rc = plan_units(&j)) || (rc = check_path_lengths(&j)) ||
        (rc = check_outputs(&j)) || (rc = count_features(&j)) || (rc = prepare_layers(&j)))
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
