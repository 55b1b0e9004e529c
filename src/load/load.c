/* Reading vector sources through GDAL/OGR into pm_features. */
#include "parkmap/load.h"
#include "load_internal.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <pthread.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct pm_source {
    GDALDatasetH ds;
    OGRLayerH layer;
    char *path;
    pm_schema schema;
    char *crs_def;     /* "EPSG:n" or WKT2, NULL when none declared */
    char *crs_problem; /* why the declared CRS is unusable, NULL when fine */
    char *crs_note;    /* a declared CRS that was ignored, NULL when none */
    int zm_warned;     /* Z or M dropped: warned once per source */
    int swap_xy;       /* data is in authority lat/lon or northing/easting order */
    int lonlat;        /* the source CRS is geographic */
    long index;        /* position of the next feature, from 0 */
    int *field_map;    /* schema field i -> OGR field index */
    long max_vertices; /* per feature; PARKMAP_MAX_VERTICES overrides */
    int require_valid; /* judge OGC validity on the geometry as read */
    int invalid;       /* the last geometry refused was invalid (why_buf says how) */
    char why_buf[256];
};

void pm_source_require_valid(pm_source *src, int on)
{
    src->require_valid = on;
}

/* GEOS says why a geometry is invalid only through its notice handler,
 * which GDAL turns into a CPLError; catch the last one around the test. */
static void CPL_STDCALL catch_reason(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)cls, (void)num;
    char *buf = CPLGetErrorHandlerUserData();
    if (buf && msg)
        snprintf(buf, 256, "%s", msg);
}

/* Validity is judged on the source geometry as read, in its own CRS:
 * reprojection bends edges and moves vertices, so a hole touching its
 * shell at one vertex (valid) may cross it after, and a zero-area ring
 * (invalid) may open into a sliver. Returns 1 when valid; else fills buf
 * with GEOS's reason. */
static int geom_valid(OGRGeometryH gh, char *buf)
{
    char reason[256] = "";
    CPLPushErrorHandlerEx(catch_reason, reason);
    int ok = OGR_G_IsValid(gh);
    CPLPopErrorHandler();
    if (ok)
        return 1;
    /* GDAL prefixes GEOS's words; the reason is what matters. */
    const char *r = reason;
    if (strncmp(r, "GEOS warning: ", 14) == 0)
        r += 14;
    snprintf(buf, 256, "%s", *r ? r : "GEOS finds it invalid");
    return 0;
}

/* GDAL's warnings while reading are what parkmap's own checks report
 * better, as errors naming the feature: an unclosed ring (GDAL: "Non
 * closed ring detected"), an integer beyond 64 bits (GDAL: "clamped to
 * INT64_MAX"). So reading routes GDAL's messages quietly: only a failure's
 * words are kept, to quote in the error. */
static void push(pm_gdal_errors *e, pm_ctx *ctx)
{
    pm_load_gdal_errors_push(e, ctx, 1);
}

static void pop(void)
{
    pm_load_gdal_errors_pop();
}

/* Is this a single JSON document (GeoJSON, ESRI JSON, TopoJSON) that the
 * strict check should see before GDAL? Sequences of documents
 * (GeoJSONSeq: .geojsonl, .geojsons, .ndjson, .jsonl) are not. */
static int is_json_document(const char *path)
{
    static const char *const seq[] = {".geojsonl", ".geojsons", ".ndjson", ".jsonl"};
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof seq / sizeof *seq; i++) {
        size_t k = strlen(seq[i]);
        if (n >= k && strcasecmp(path + n - k, seq[i]) == 0)
            return 0;
    }
    FILE *f = fopen(path, "rb");
    int c, json = 0;
    if (!f)
        return 0;
    /* skip a UTF-8 BOM and whitespace */
    while ((c = fgetc(f)) != EOF &&
           (c == 0xef || c == 0xbb || c == 0xbf || c == ' ' || c == '\t' || c == '\r' || c == '\n'))
        ;
    json = c == '{' || c == '[';
    fclose(f);
    return json;
}

static int data_is_swapped(OGRSpatialReferenceH srs)
{
    int n = 0;
    const int *map = OSRGetDataAxisToSRSAxisMapping(srs, &n);
    int y_first = OSREPSGTreatsAsLatLong(srs) || OSREPSGTreatsAsNorthingEasting(srs);
    if (!map || n < 2)
        return 0;
    /* map[0] names the CRS axis stored in the data's x. */
    return y_first ? map[0] == 1 : map[0] == 2;
}

static char *crs_def_of(OGRSpatialReferenceH srs)
{
    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    char *wkt = NULL;
    if (auth && code && strcmp(auth, "EPSG") == 0) {
        size_t n = strlen(code) + 6;
        char *s = malloc(n);
        if (s)
            snprintf(s, n, "EPSG:%s", code);
        return s;
    }
    const char *opts[] = {"FORMAT=WKT2_2019", NULL};
    if (OSRExportToWktEx(srs, &wkt, opts) != OGRERR_NONE) {
        CPLFree(wkt);
        return NULL;
    }
    char *s = strdup(wkt);
    CPLFree(wkt);
    return s;
}

/* The strict JSON pre-scan runs on another core while GDAL opens the file:
 * GDAL's open is itself a full pass (it reads every feature to learn the
 * schema), so the two passes cost one. */
typedef struct {
    pm_ctx *ctx;
    const char *path;
    char crs[256];
    char crs_type[16];
    long max_vertices;
    pm_json_ids ids;
    int rc;
} json_scan;

static void *json_scan_main(void *arg)
{
    json_scan *j = arg;
    j->rc = pm_load_json_check(j->ctx, j->path, j->crs, sizeof j->crs, j->crs_type,
                               sizeof j->crs_type, j->max_vertices, &j->ids);
    return NULL;
}

int pm_source_open(pm_source **out, pm_ctx *ctx, const char *path, const char *layer)
{
    int rc = 0;
    struct stat sb;
    pm_source *src = NULL;
    char declared_crs[256] = "";
    pm_load_renames renames = {0};
    int member_ids = 0; /* every GeoJSON feature has an integer "id" member */
    *out = NULL;
    if (GDALGetDriverCount() == 0)
        GDALAllRegister();
    pm_gdal_errors ge;
    push(&ge, ctx);
    if (strncmp(path, "/vsi", 4) == 0) {
        /* GDAL's virtual paths: stat() knows nothing of them, so GDAL
         * judges. Only local archives: a source must not reach the network. */
        static const char *const ok[] = {"/vsizip/", "/vsigzip/", "/vsitar/", "/vsi7z/",
                                         "/vsirar/"};
        int allowed = 0;
        for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
            allowed |= strncmp(path, ok[i], strlen(ok[i])) == 0;
        if (!allowed) {
            rc = pm_err(ctx, PM_EINPUT, "cannot open source", path,
                        "of GDAL's virtual paths only local archives are read: /vsizip/, "
                        "/vsigzip/, /vsitar/, /vsi7z/, /vsirar/");
            goto done;
        }
        /* VSIStatL's struct is stat64, hidden under _POSIX_C_SOURCE. */
        VSILFILE *vf = VSIFOpenL(path, "rb");
        vsi_l_offset size = 0;
        if (vf && VSIFSeekL(vf, 0, SEEK_END) == 0)
            size = VSIFTellL(vf);
        if (vf)
            VSIFCloseL(vf);
        if (!vf) {
            rc = pm_err(ctx, PM_EINPUT, "cannot open source", path,
                        "no such file in the archive, or the archive cannot be read");
            goto done;
        }
        if (size == 0) {
            rc = pm_err(ctx, PM_EINPUT, "cannot open source", path, "file is empty");
            goto done;
        }
        /* Not a local file: the fopen() probes and the JSON pre-scan below
         * are skipped, and GDAL reads it alone. */
        memset(&sb, 0, sizeof sb);
    } else if (stat(path, &sb) != 0) {
        rc = pm_err(ctx, PM_EINPUT, "cannot open source", path, "%s", strerror(errno));
        goto done;
    }
    if (S_ISREG(sb.st_mode)) {
        /* open(), not access(): root passes access() on any file, and what
         * matters is whether we can actually read it. */
        FILE *probe = fopen(path, "rb");
        if (!probe) {
            rc = pm_err(ctx, PM_EINPUT, "cannot open source", path, "%s", strerror(errno));
            goto done;
        }
        fclose(probe);
    }
    if (S_ISREG(sb.st_mode) && sb.st_size == 0) {
        rc = pm_err(ctx, PM_EINPUT, "cannot open source", path, "file is empty");
        goto done;
    }
    src = calloc(1, sizeof(*src));
    if (!src || !(src->path = strdup(path))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", path, "source");
        goto done;
    }
    src->max_vertices = PM_LOAD_MAX_VERTICES;
    {
        const char *mv = getenv("PARKMAP_MAX_VERTICES");
        char *end;
        long v = mv ? strtol(mv, &end, 10) : 0;
        if (mv && *end == '\0' && v > 0)
            src->max_vertices = v;
    }
    if (S_ISREG(sb.st_mode) && is_json_document(path)) {
        json_scan j = {NULL, path, "", "", src->max_vertices, {0, 0}, 0};
        pthread_t th;
        int threaded =
            pm_ctx_new(&j.ctx) == 0 && pthread_create(&th, NULL, json_scan_main, &j) == 0;
        if (threaded)
            src->ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
        if (threaded)
            pthread_join(th, NULL);
        else
            j.rc = pm_load_json_check(ctx, path, j.crs, sizeof j.crs, j.crs_type, sizeof j.crs_type,
                                      src->max_vertices, &j.ids);
        /* The scan's error names the line and column: it wins over GDAL's. */
        if (threaded && j.rc)
            rc = pm_err(ctx, pm_ctx_code(j.ctx), pm_ctx_what(j.ctx), pm_ctx_where(j.ctx), "%s",
                        pm_ctx_why(j.ctx));
        else if (!threaded && j.rc)
            rc = j.rc;
        pm_ctx_free(j.ctx);
        if (rc)
            goto done;
        snprintf(declared_crs, sizeof declared_crs, "%s", j.crs);
        member_ids = j.ids.features > 0 && j.ids.int_ids == j.ids.features;
        if (*j.crs_type && strcmp(j.crs_type, "name") != 0) {
            size_t n = strlen(j.crs_type) + 96;
            if ((src->crs_note = malloc(n)))
                snprintf(src->crs_note, n,
                         "a \"crs\" of type \"%s\", which GDAL does not follow: read as WGS 84",
                         j.crs_type);
        }
    }
    if (!src->ds)
        src->ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!src->ds) {
        const char *why = pm_ctx_lib_msg(ctx);
        rc = pm_err(ctx, PM_EINPUT, "cannot read source", path, "%s",
                    S_ISDIR(sb.st_mode) ? "a directory with no vector data"
                    : *why              ? why
                                        : "not a vector format GDAL recognises");
        goto done;
    }
    if (GDALDatasetGetLayerCount(src->ds) == 0) {
        rc = pm_err(ctx, PM_EINPUT, "cannot read source", path, "it holds no vector layer");
        goto done;
    }
    src->layer =
        layer ? GDALDatasetGetLayerByName(src->ds, layer) : GDALDatasetGetLayer(src->ds, 0);
    if (!src->layer) {
        rc = pm_err(ctx, PM_EUSAGE, "no such layer", path, "layer '%s'", layer);
        goto done;
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(src->layer);
    int nf = OGR_FD_GetFieldCount(defn);
    src->field_map = calloc((size_t)(nf > 0 ? nf : 1), sizeof(int));
    if (!src->field_map) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", path, "fields");
        goto done;
    }
    if ((rc = pm_load_renames_read(&renames, ctx, path, src->ds)))
        goto done;
    for (int i = 0; i < nf; i++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
        OGRFieldType ft = OGR_Fld_GetType(fd);
        pm_field_type t = ft == OFTInteger || ft == OFTInteger64 ? PM_FIELD_INTEGER
                          : ft == OFTReal                        ? PM_FIELD_REAL
                                                                 : PM_FIELD_TEXT;
        const char *name = OGR_Fld_GetNameRef(fd);
        /* parkmap's export writes source_fid, the feature's index in the
         * file it came from; the store numbers this file's features anew,
         * and keeping the old one piled up source_fid_2, source_fid_2_2, ...
         * on every round trip. */
        if (strcmp(name, "source_fid") == 0)
            continue;
        const char *orig = pm_load_renamed(&renames, name);
        /* A field already holding the original name keeps it (compared
         * exactly: OGR_FD_GetFieldIndex ignores case, and finds Name). */
        int held = 0;
        for (int k = 0; k < nf && orig != name && !held; k++)
            held = strcmp(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, k)), orig) == 0;
        if (!held)
            name = orig;
        if ((rc = pm_schema_add(&src->schema, ctx, name, t)))
            goto done;
        src->field_map[src->schema.nfields - 1] = i;
    }
    /* GeoJSON's feature "id" member (RFC 7946 3.2) is the feature's key in
     * the planner's source, and `compare` matches layouts on it; GDAL turns
     * an integer id into the FID, which the store numbers anew. Keep it as
     * an `id` attribute, unless a property already holds that name. */
    if (member_ids && OGR_FD_GetFieldIndex(defn, "id") < 0) {
        int *grown = realloc(src->field_map, (size_t)(nf + 1) * sizeof(int));
        if (!grown) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", path, "fields");
            goto done;
        }
        src->field_map = grown;
        if ((rc = pm_schema_add(&src->schema, ctx, "id", PM_FIELD_INTEGER)))
            goto done;
        src->field_map[src->schema.nfields - 1] = -1; /* read from the FID */
    }
    if (*declared_crs) {
        /* GDAL logs an unresolvable GeoJSON "crs" and then calls the layer
         * WGS 84: the coordinates would be silently misread. */
        OGRSpatialReferenceH probe = OSRNewSpatialReference(NULL);
        pm_ctx_set_lib_msg(ctx, "");
        OGRErr e = probe ? OSRSetFromUserInput(probe, declared_crs) : OGRERR_FAILURE;
        OSRDestroySpatialReference(probe);
        if (e != OGRERR_NONE) {
            /* Not fatal here: --s-srs may override it. */
            size_t n = strlen(declared_crs) + strlen(pm_ctx_lib_msg(ctx)) + 32;
            if ((src->crs_problem = malloc(n)))
                snprintf(src->crs_problem, n, "crs \"%s\": %s", declared_crs,
                         *pm_ctx_lib_msg(ctx) ? pm_ctx_lib_msg(ctx) : "not recognised");
        }
    }
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(src->layer);
    if (srs && !src->crs_problem) {
        src->crs_def = crs_def_of(srs);
        src->swap_xy = data_is_swapped(srs);
        src->lonlat = OSRIsGeographic(srs);
    }
    *out = src;
    src = NULL;
done:
    pm_load_renames_clear(&renames);
    pop();
    pm_source_free(src);
    return rc;
}

void pm_source_free(pm_source *src)
{
    if (!src)
        return;
    if (src->ds)
        GDALClose(src->ds); /* read-only: nothing to flush, nothing to check */
    pm_schema_clear(&src->schema);
    free(src->field_map);
    free(src->crs_def);
    free(src->crs_problem);
    free(src->crs_note);
    free(src->path);
    free(src);
}

const pm_schema *pm_source_schema(const pm_source *src)
{
    return &src->schema;
}

const char *pm_source_crs_wkt(const pm_source *src)
{
    return src->crs_def;
}

const char *pm_source_crs_note(const pm_source *src)
{
    return src->crs_note;
}

const char *pm_source_crs_problem(const pm_source *src)
{
    return src->crs_problem;
}

long pm_source_count(const pm_source *src)
{
    GIntBig n = OGR_L_GetFeatureCount(src->layer, 0);
    return n < 0 ? -1 : (long)n;
}

int pm_source_extent(const pm_source *src, pm_ctx *ctx, double *minx, double *miny, double *maxx,
                     double *maxy)
{
    OGREnvelope env;
    pm_gdal_errors ge;
    push(&ge, ctx);
    OGRErr e = OGR_L_GetExtent(src->layer, &env, 1);
    pop();
    if (e != OGRERR_NONE)
        return pm_err(ctx, PM_EINPUT, "cannot compute extent", src->path, "%s",
                      *pm_ctx_lib_msg(ctx) ? pm_ctx_lib_msg(ctx) : "no geometries");
    if (src->swap_xy) {
        *minx = env.MinY;
        *maxx = env.MaxY;
        *miny = env.MinX;
        *maxy = env.MaxX;
    } else {
        *minx = env.MinX;
        *maxx = env.MaxX;
        *miny = env.MinY;
        *maxy = env.MaxY;
    }
    return 0;
}

/* Why a geometry cannot be stored, or NULL if it can. */
static const char *check_geom(const pm_geom *g)
{
    if (g->nparts == 0)
        return "empty geometry";
    for (size_t i = 0; i < g->nparts; i++) {
        if (g->parts[i].nrings == 0)
            return "empty polygon";
        for (size_t j = 0; j < g->parts[i].nrings; j++) {
            const pm_ring *r = &g->parts[i].rings[j];
            for (size_t k = 0; k < 2 * r->n; k++)
                if (!isfinite(r->xy[k]))
                    return "non-finite coordinate (NaN or infinity)";
            if (r->n < 4)
                return "ring with fewer than 4 points";
            if (r->xy[0] != r->xy[2 * (r->n - 1)] || r->xy[1] != r->xy[2 * r->n - 1])
                return "unclosed ring (first and last points differ)";
        }
    }
    return NULL;
}

/* Convert one OGR geometry into a MultiPolygon pm_geom, or say why not. */
static int convert_geom(pm_source *src, pm_ctx *ctx, OGRGeometryH gh, pm_geom **out,
                        const char **why)
{
    int rc = 0;
    OGRGeometryH lin = NULL, multi = NULL, joined = NULL;
    unsigned char *wkb = NULL;
    *out = NULL;
    *why = NULL;
    if (!gh) {
        *why = "no geometry (null, empty or unreadable)";
        goto done;
    }
    if (OGR_G_IsEmpty(gh)) {
        *why = "empty geometry";
        goto done;
    }
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(gh));
    if (t == wkbCurvePolygon || t == wkbMultiSurface) {
        lin = OGR_G_GetLinearGeometry(gh, 0, NULL);
        gh = lin;
        t = gh ? wkbFlatten(OGR_G_GetGeometryType(gh)) : wkbUnknown;
    }
    if (t != wkbPolygon && t != wkbMultiPolygon) {
        *why = t == wkbUnknown ? "unknown geometry type" : OGRGeometryTypeToName(t);
        goto done;
    }
    if (!src->zm_warned && (OGR_G_Is3D(gh) || OGR_G_IsMeasured(gh))) {
        /* Boundaries are stored 2D; heights or measures must not vanish
         * unannounced. Once per source: every feature usually has them. */
        src->zm_warned = 1;
        pm_warn(ctx, "%s: feature %ld: %s dropped; parkmap stores 2D boundaries", src->path,
                src->index,
                OGR_G_Is3D(gh) && OGR_G_IsMeasured(gh) ? "Z and M values"
                : OGR_G_Is3D(gh)                       ? "Z values (heights)"
                                                       : "M values (measures)");
    }
    if (src->lonlat && t == wkbMultiPolygon && (joined = pm_load_merge_dateline(gh, src->swap_xy)))
        gh = joined;
    {
        /* Each vertex is 16 bytes of WKB: refuse a monster before copying it
         * twice more (WKB, pm_geom) and handing it to GEOS. */
        long nv = (long)(OGR_G_WkbSize(gh) / 16);
        if (nv > src->max_vertices) {
            snprintf(src->why_buf, sizeof src->why_buf,
                     "about %ld vertices, more than the limit of %ld (docs/limits.md)", nv,
                     src->max_vertices);
            *why = src->why_buf;
            goto done;
        }
    }
    size_t len = (size_t)OGR_G_WkbSize(gh);
    wkb = malloc(len);
    if (!wkb) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", src->path, "%zu bytes of WKB", len);
        goto done;
    }
    if (OGR_G_ExportToIsoWkb(gh, wkbNDR, wkb) != OGRERR_NONE) {
        *why = "geometry cannot be encoded";
        goto done;
    }
    rc = pm_geom_from_wkb(out, ctx, wkb, len);
    /* After parkmap's own checks (unclosed rings, non-finite coordinates),
     * which say it better than GEOS would. */
    if (rc == 0 && src->require_valid && !check_geom(*out) && !geom_valid(gh, src->why_buf)) {
        pm_geom_free(*out);
        *out = NULL;
        src->invalid = 1;
        *why = src->why_buf;
        goto done;
    }
    if (rc == 0 && src->swap_xy)
        for (size_t i = 0; i < (*out)->nparts; i++)
            for (size_t j = 0; j < (*out)->parts[i].nrings; j++) {
                pm_ring *r = &(*out)->parts[i].rings[j];
                for (size_t k = 0; k < r->n; k++) {
                    double x = r->xy[2 * k];
                    r->xy[2 * k] = r->xy[2 * k + 1];
                    r->xy[2 * k + 1] = x;
                }
            }
done:
    free(wkb);
    if (lin)
        OGR_G_DestroyGeometry(lin);
    if (multi)
        OGR_G_DestroyGeometry(multi);
    if (joined)
        OGR_G_DestroyGeometry(joined);
    return rc;
}

static int read_values(pm_source *src, pm_ctx *ctx, OGRFeatureH fh, pm_feature *out)
{
    size_t n = src->schema.nfields;
    out->values = n ? calloc(n, sizeof(pm_value)) : NULL;
    if (n && !out->values)
        return pm_err(ctx, PM_ENOMEM, "out of memory", src->path, "attributes");
    out->nvalues = n;
    for (size_t i = 0; i < n; i++) {
        int oi = src->field_map[i];
        pm_value *v = &out->values[i];
        v->type = src->schema.fields[i].type;
        if (oi < 0) { /* the GeoJSON "id" member, which GDAL made the FID */
            v->i = OGR_F_GetFID(fh);
            continue;
        }
        if (!OGR_F_IsFieldSetAndNotNull(fh, oi)) {
            v->is_null = 1;
            continue;
        }
        if (v->type == PM_FIELD_INTEGER) {
            v->i = OGR_F_GetFieldAsInteger64(fh, oi);
        } else if (v->type == PM_FIELD_REAL) {
            v->d = OGR_F_GetFieldAsDouble(fh, oi);
        } else {
            const char *s = OGR_F_GetFieldAsString(fh, oi);
            if (!CPLIsUTF8(s, -1)) {
                /* Chinese data from older tools is most often GBK (CP936);
                 * convert rather than store bytes no GIS can display. */
                char *u = CPLRecode(s, "CP936", CPL_ENC_UTF8);
                pm_warn(ctx, "%s: feature %ld: field '%s' is not UTF-8; converted from CP936",
                        src->path, src->index, src->schema.fields[i].name);
                v->s = strdup(u ? u : "");
                CPLFree(u);
            } else {
                v->s = strdup(s);
            }
            if (!v->s)
                return pm_err(ctx, PM_ENOMEM, "out of memory", src->path, "attribute");
        }
    }
    return 0;
}

int pm_source_next(pm_source *src, pm_ctx *ctx, pm_feature *out, int skip_invalid, long *skipped)
{
    int rc = 0;
    OGRFeatureH fh = NULL;
    memset(out, 0, sizeof(*out));
    pm_gdal_errors ge;
    push(&ge, ctx);
    for (;;) {
        fh = OGR_L_GetNextFeature(src->layer);
        if (!fh) {
            if (*pm_ctx_lib_msg(ctx)) {
                char where[600];
                snprintf(where, sizeof where, "%s feature %ld", src->path, src->index);
                rc =
                    pm_err(ctx, PM_EINPUT, "cannot read feature", where, "%s", pm_ctx_lib_msg(ctx));
            }
            goto done; /* rc 0: end of layer */
        }
        const char *why = NULL;
        pm_geom *g = NULL;
        src->invalid = 0;
        if ((rc = convert_geom(src, ctx, OGR_F_GetGeometryRef(fh), &g, &why)))
            goto done;
        if (!why && g)
            why = check_geom(g);
        if (why) {
            pm_geom_free(g);
            if (src->invalid) {
                /* Not skipped by --skip-invalid, which is for what is no
                 * polygon at all; --allow-invalid stores it for QA. */
                char where[600];
                snprintf(where, sizeof where, "%s feature %ld", src->path, src->index);
                rc = pm_err(ctx, PM_EINPUT, "invalid geometry", where,
                            "%s, in the source as read; store it as is with --allow-invalid", why);
                goto done;
            }
            if (skip_invalid) {
                if (skipped)
                    (*skipped)++;
                pm_warn(ctx, "%s: feature %ld skipped (%s)", src->path, src->index, why);
                OGR_F_Destroy(fh);
                fh = NULL;
                src->index++;
                continue;
            }
            char where[600];
            snprintf(where, sizeof where, "%s feature %ld", src->path, src->index);
            rc = pm_err(ctx, PM_EINPUT, "unusable geometry", where, "%s%s", why,
                        strchr(why, ' ') ? "" : " is not a polygon");
            goto done;
        }
        out->geom = g;
        out->fid = src->index;
        if ((rc = read_values(src, ctx, fh, out)))
            goto done;
        src->index++;
        rc = 1;
        goto done;
    }
done:
    if (fh)
        OGR_F_Destroy(fh);
    pop();
    if (rc < 0)
        pm_feature_clear(out);
    return rc;
}

const char *pm_load_gdal_version(void)
{
    return GDALVersionInfo("RELEASE_NAME");
}
