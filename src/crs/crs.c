/* CRS handling through PROJ: describing, choosing, transforming, geodesy. */
#include "parkmap/crs.h"
#include "crs_internal.h"

#include <geodesic.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pm_transform {
    PJ_CONTEXT *pj_ctx;
    PJ *pj;
    char src[96];
    char dst[96];
    /* GCJ-02/BD-09 on either side (PROJ has neither): converted to WGS 84
     * before PROJ's part, from WGS 84 after it. */
    int pre, post;
};

/* PROJ reports through a per-context log; route the last message into the
 * pm_ctx so failures quote PROJ's own words. */
static void proj_log(void *user, int level, const char *msg)
{
    if (level <= PJ_LOG_ERROR && user)
        pm_ctx_set_lib_msg((pm_ctx *)user, msg);
}

static PJ_CONTEXT *new_pj_ctx(pm_ctx *ctx)
{
    PJ_CONTEXT *c = proj_context_create();
    if (c)
        proj_log_func(c, ctx, proj_log);
    return c;
}

/* A short version of a CRS definition for messages (WKT can be kilobytes). */
static void short_def(char *out, size_t n, const char *def)
{
    snprintf(out, n, "%s", def);
    char *nl = strpbrk(out, "\n\r");
    if (nl)
        *nl = '\0';
    if (strlen(def) >= n - 1 && n > 4)
        memcpy(out + n - 4, "...", 4);
}

/* GDAL users write PROJ strings without +type=crs ("+proj=longlat
 * +datum=WGS84"), and ogr2ogr takes them; PROJ alone reads such a string as a
 * coordinate operation, not a CRS. Say what is meant, as GDAL does. Returns
 * def itself, or buf holding def with " +type=crs" appended. */
static int is_proj_string(const char *def)
{
    const char *p = def ? def + strspn(def, " \t") : "";
    return strncmp(p, "+proj=", 6) == 0 || strncmp(p, "proj=", 5) == 0;
}

static const char *crs_def(char *buf, size_t n, const char *def)
{
    if (!is_proj_string(def) || strstr(def, "type=") ||
        (size_t)snprintf(buf, n, "%s +type=crs", def + strspn(def, " \t")) >= n)
        return def;
    return buf;
}

static const char *crs_kind(PJ_TYPE t)
{
    switch (t) {
    case PJ_TYPE_GEOGRAPHIC_2D_CRS:
        return "geographic 2D";
    case PJ_TYPE_GEOGRAPHIC_3D_CRS:
        return "geographic 3D";
    case PJ_TYPE_GEOGRAPHIC_CRS:
        return "geographic";
    case PJ_TYPE_GEOCENTRIC_CRS:
        return "geocentric";
    case PJ_TYPE_PROJECTED_CRS:
        return "projected";
    case PJ_TYPE_VERTICAL_CRS:
        return "vertical";
    case PJ_TYPE_COMPOUND_CRS:
        return "compound";
    case PJ_TYPE_ENGINEERING_CRS:
        return "engineering";
    case PJ_TYPE_TEMPORAL_CRS:
        return "temporal";
    case PJ_TYPE_BOUND_CRS:
        return "bound";
    default:
        return "other";
    }
}

int pm_crs_describe(pm_crs_info *out, pm_ctx *ctx, const char *def)
{
    int rc = 0, web = pm_webmap_kind(def);
    PJ *crs = NULL;
    char sd[96];
    memset(out, 0, sizeof(*out));
    if (web) {
        /* Lon/lat like WGS 84, with no EPSG code: usable to read and write,
         * not to store. */
        out->is_geographic = out->is_2d = out->unfit_for_area = 1;
        out->kind = "geographic 2D";
        snprintf(out->name, sizeof out->name, "%s (Chinese web-map offset of WGS 84)",
                 pm_webmap_name(web));
        return 0;
    }
    PJ_CONTEXT *c = new_pj_ctx(ctx);
    short_def(sd, sizeof sd, def ? def : "");
    if (!c)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "PROJ", "context");
    char buf[1024];
    crs = def && *def ? proj_create(c, crs_def(buf, sizeof buf, def)) : NULL;
    if (!crs) {
        rc = pm_err(ctx, PM_EUSAGE, "unknown CRS", sd, "%s",
                    *pm_ctx_lib_msg(ctx) ? pm_ctx_lib_msg(ctx) : "PROJ cannot parse it");
        goto done;
    }
    if (!proj_is_crs(crs)) {
        /* PROJ read it, but as something else (an operation, an ellipsoid):
         * saying it cannot parse it would be untrue. */
        rc = pm_err(ctx, PM_EUSAGE, "unknown CRS", sd,
                    "PROJ reads it as a %s, not as a coordinate reference system",
                    proj_get_type(crs) == PJ_TYPE_ELLIPSOID ? "ellipsoid" : "non-CRS object");
        goto done;
    }
    PJ_TYPE t = proj_get_type(crs);
    out->kind = crs_kind(t);
    out->is_geographic = t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS ||
                         t == PJ_TYPE_GEOGRAPHIC_CRS;
    out->is_projected = t == PJ_TYPE_PROJECTED_CRS;
    if (t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_PROJECTED_CRS) {
        /* A projected CRS built on a 3D base has three axes (E, N, h). */
        PJ *cs = proj_crs_get_coordinate_system(c, crs);
        out->is_2d = cs && proj_cs_get_axis_count(c, cs) == 2;
        double f = 0;
        if (out->is_projected && cs &&
            proj_cs_get_axis_info(c, cs, 0, NULL, NULL, NULL, &f, NULL, NULL, NULL) && f > 0)
            out->unit_m = f;
        proj_destroy(cs);
    }
    const char *name = proj_get_name(crs);
    /* A PROJ string's CRS is named "unknown": its definition says more. */
    snprintf(out->name, sizeof out->name, "%s", name && strcmp(name, "unknown") != 0 ? name : sd);
    const char *auth = proj_get_id_auth_name(crs, 0);
    const char *code = proj_get_id_code(crs, 0);
    if (auth && code && strcmp(auth, "EPSG") == 0) {
        out->epsg = atoi(code);
    } else {
        /* A WKT without an ID (as GDAL often writes): ask PROJ for a
         * confident match in the EPSG database. */
        int *conf = NULL;
        PJ_OBJ_LIST *cands = proj_identify(c, crs, "EPSG", NULL, &conf);
        /* A PROJ string carries no names, so an equivalent EPSG CRS scores
         * 70 ("same definition, other name"); take it when it is the only
         * one that good (+proj=utm +zone=51 +datum=WGS84 is EPSG:32651). */
        int nc = cands ? proj_list_get_count(cands) : 0;
        int need = is_proj_string(def) ? 70 : 90;
        if (nc > 0 && conf && conf[0] >= need && (nc == 1 || conf[1] < conf[0] || conf[0] >= 90)) {
            PJ *best = proj_list_get(c, cands, 0);
            const char *bc = best ? proj_get_id_code(best, 0) : NULL;
            if (bc)
                out->epsg = atoi(bc);
            proj_destroy(best);
        }
        proj_int_list_destroy(conf);
        proj_list_destroy(cands);
    }
    out->unfit_for_area = out->is_geographic;
    if (out->is_projected) {
        PJ *conv = proj_crs_get_coordoperation(c, crs);
        const char *mname = NULL;
        if (conv && proj_coordoperation_get_method_info(c, conv, &mname, NULL, NULL) && mname &&
            strstr(mname, "Mercator") && !strstr(mname, "Transverse"))
            out->unfit_for_area = 1; /* Web Mercator and friends: +36 % in Shanghai */
        proj_destroy(conv);
    }
done:
    proj_destroy(crs);
    proj_context_destroy(c);
    return rc;
}

int pm_crs_export(char **out_proj4, char **out_wkt, pm_ctx *ctx, const char *def)
{
    int rc = 0;
    PJ_CONTEXT *c = new_pj_ctx(ctx);
    char buf[1024];
    PJ *crs = c ? proj_create(c, crs_def(buf, sizeof buf, def)) : NULL;
    const char *p4 = crs ? proj_as_proj_string(c, crs, PJ_PROJ_4, NULL) : NULL;
    const char *wkt = crs ? proj_as_wkt(c, crs, PJ_WKT1_GDAL, NULL) : NULL;
    *out_proj4 = *out_wkt = NULL;
    if (!p4 || !wkt) {
        rc = pm_err(ctx, PM_EUSAGE, "cannot describe CRS", def, "%s", pm_ctx_lib_msg(ctx));
        goto done;
    }
    *out_proj4 = strdup(p4);
    *out_wkt = strdup(wkt);
    if (!*out_proj4 || !*out_wkt) {
        free(*out_proj4);
        free(*out_wkt);
        *out_proj4 = *out_wkt = NULL;
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", def, "CRS definition");
    }
done:
    proj_destroy(crs);
    proj_context_destroy(c);
    return rc;
}

int pm_crs_auto(char *out, size_t out_size, pm_ctx *ctx, double lon_min, double lat_min,
                double lon_max, double lat_max)
{
    double lon = (lon_min + lon_max) / 2, lat = (lat_min + lat_max) / 2;
    /* An extent wider than a hemisphere is, for city-sized data, data that
     * straddles the antimeridian (179.9E and 179.9W): its centre is near
     * 180, not near 0. */
    if (lon_max - lon_min > 180) {
        lon = 180;
    }
    if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
        return pm_err(ctx, PM_EINPUT, "cannot choose a storage CRS", "extent",
                      "centre %.6f %.6f is not a longitude/latitude", lon, lat);
    /* China's official 3-degree Gauss-Krüger zones (CGCS2000) cover CM 75E to
     * 135E; within a zone (+-1.5 deg) the planar area error is below 0.06 %
     * at Shanghai's latitude. Elsewhere UTM is the common local choice. */
    int cm = (int)lround(lon / 3.0) * 3;
    if (lat >= 15 && lat <= 55 && cm >= 75 && cm <= 135) {
        snprintf(out, out_size, "EPSG:%d", 4534 + (cm - 75) / 3);
        return 0;
    }
    int zone = (int)floor((lon + 180) / 6) + 1;
    if (zone > 60)
        zone = 60;
    snprintf(out, out_size, "EPSG:%d", (lat >= 0 ? 32600 : 32700) + zone);
    return 0;
}

int pm_crs_scale_error(double *worst, pm_ctx *ctx, const char *def, double lon_min, double lat_min,
                       double lon_max, double lat_max)
{
    enum { N = 5 };
    const double d = 1e-4; /* degrees: ~10 m, small against any zone */
    double xy[N * N * 6];
    pm_transform *t = NULL;
    pm_crs_info info;
    int rc;
    *worst = 0;
    /* Geocentric and vertical CRSs are refused by their callers anyway. */
    if ((rc = pm_crs_describe(&info, ctx, def)) || !info.is_projected || !info.is_2d)
        return rc;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double *p = &xy[6 * (i * N + j)];
            double lon = lon_min + (lon_max - lon_min) * i / (N - 1);
            double lat = fmax(-89.9, fmin(89.9, lat_min + (lat_max - lat_min) * j / (N - 1)));
            p[0] = lon, p[1] = lat, p[2] = lon + d, p[3] = lat, p[4] = lon, p[5] = lat + d;
        }
    double ll[N * N * 6];
    memcpy(ll, xy, sizeof ll);
    if ((rc = pm_transform_new(&t, ctx, "EPSG:4326", def)))
        goto done;
    double unit = info.unit_m > 0 ? info.unit_m : 1;
    for (int k = 0; k < N * N; k++) {
        const double *p = &xy[6 * k], *g = &ll[6 * k];
        /* A point outside the CRS's domain: it cannot hold the layer. */
        if (pm_transform_points(t, NULL, &xy[6 * k], 3)) {
            *worst = INFINITY;
            goto done;
        }
        double kx = hypot(p[2] - p[0], p[3] - p[1]) / pm_geod_distance(g[0], g[1], g[2], g[3]);
        double ky = hypot(p[4] - p[0], p[5] - p[1]) / pm_geod_distance(g[0], g[1], g[4], g[5]);
        if (isfinite(kx) && isfinite(ky))
            *worst = fmax(*worst, fmax(fabs(kx * unit - 1), fabs(ky * unit - 1)));
    }
done:
    pm_transform_free(t);
    return rc;
}

int pm_crs_area_of_use(const char *def, double *west, double *south, double *east, double *north)
{
    PJ_CONTEXT *c = proj_context_create();
    char buf[1024];
    PJ *crs = c && def ? proj_create(c, crs_def(buf, sizeof buf, def)) : NULL;
    /* PROJ says -1000 for a bound it does not know. */
    int known = crs && proj_get_area_of_use(c, crs, west, south, east, north, NULL) &&
                *west > -1000 && *south > -1000 && *east > -1000 && *north > -1000;
    proj_destroy(crs);
    proj_context_destroy(c);
    return known;
}

int pm_transform_new(pm_transform **out, pm_ctx *ctx, const char *src_def, const char *dst_def)
{
    int rc = 0;
    pm_transform *t = calloc(1, sizeof(*t));
    PJ *raw = NULL;
    *out = NULL;
    if (!t)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "PROJ", "transform");
    short_def(t->src, sizeof t->src, src_def);
    short_def(t->dst, sizeof t->dst, dst_def);
    t->pj_ctx = new_pj_ctx(ctx);
    if (!t->pj_ctx) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "PROJ", "context");
        goto done;
    }
    t->pre = pm_webmap_kind(src_def);
    t->post = pm_webmap_kind(dst_def);
    char sbuf[1024], dbuf[1024];
    raw = proj_create_crs_to_crs(t->pj_ctx,
                                 t->pre ? "EPSG:4326" : crs_def(sbuf, sizeof sbuf, src_def),
                                 t->post ? "EPSG:4326" : crs_def(dbuf, sizeof dbuf, dst_def), NULL);
    if (!raw) {
        char where[200];
        snprintf(where, sizeof where, "%s -> %s", t->src, t->dst);
        rc = pm_err(ctx, PM_EUSAGE, "cannot transform between CRSs", where, "%s",
                    *pm_ctx_lib_msg(ctx) ? pm_ctx_lib_msg(ctx) : "PROJ found no operation");
        goto done;
    }
    /* Authority axis order (lat/lon for EPSG:4326, northing first for
     * EPSG:4550) is normalised away: every pm_geom is x=east, y=north. */
    t->pj = proj_normalize_for_visualization(t->pj_ctx, raw);
    if (!t->pj) {
        rc = pm_err(ctx, PM_EINTERNAL, "cannot normalise axis order", t->dst, "%s",
                    pm_ctx_lib_msg(ctx));
        goto done;
    }
    *out = t;
    t = NULL;
done:
    proj_destroy(raw);
    pm_transform_free(t);
    return rc;
}

void pm_transform_free(pm_transform *t)
{
    if (!t)
        return;
    proj_destroy(t->pj);
    proj_context_destroy(t->pj_ctx);
    free(t);
}

int pm_transform_points(pm_transform *t, pm_ctx *ctx, double *xy, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; t->pre && i < n; i++)
        if (pm_webmap_to_wgs84(t->pre, &xy[2 * i], &xy[2 * i + 1])) {
            char where[200];
            snprintf(where, sizeof where, "%s -> %s", t->src, t->dst);
            return pm_err(ctx, PM_EINPUT, "coordinate cannot be transformed", where,
                          "point %zu (%.7f %.7f) has no %s inverse: it lies on the edge of "
                          "the area where the offset applies",
                          i, xy[2 * i], xy[2 * i + 1], pm_webmap_name(t->pre));
        }
    proj_errno_reset(t->pj);
    proj_trans_generic(t->pj, PJ_FWD, xy, 2 * sizeof(double), n, xy + 1, 2 * sizeof(double), n,
                       NULL, 0, 0, NULL, 0, 0);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(xy[2 * i]) || !isfinite(xy[2 * i + 1])) {
            char where[200];
            snprintf(where, sizeof where, "%s -> %s", t->src, t->dst);
            return pm_err(ctx, PM_EINPUT, "coordinate cannot be transformed", where,
                          "point %zu is outside the CRS's domain", i);
        }
    for (size_t i = 0; t->post && i < n; i++)
        pm_webmap_from_wgs84(t->post, &xy[2 * i], &xy[2 * i + 1]);
    return 0;
}

int pm_transform_geom(pm_transform *t, pm_ctx *ctx, pm_geom *g)
{
    for (size_t i = 0; g && i < g->nparts; i++)
        for (size_t j = 0; j < g->parts[i].nrings; j++) {
            int rc = pm_transform_points(t, ctx, g->parts[i].rings[j].xy, g->parts[i].rings[j].n);
            if (rc)
                return rc;
        }
    return 0;
}

static const struct geod_geodesic *wgs84(void)
{
    static struct geod_geodesic g;
    static int init;
    if (!init) {
        geod_init(&g, 6378137.0, 1 / 298.257223563);
        init = 1;
    }
    return &g;
}

double pm_geod_distance(double lon1, double lat1, double lon2, double lat2)
{
    double s12 = 0;
    geod_inverse(wgs84(), lat1, lon1, lat2, lon2, &s12, NULL, NULL);
    return s12;
}

double pm_geod_area(const pm_geom *g)
{
    double total = 0;
    for (size_t i = 0; g && i < g->nparts; i++)
        for (size_t j = 0; j < g->parts[i].nrings; j++) {
            const pm_ring *r = &g->parts[i].rings[j];
            size_t n = r->n;
            if (n >= 2 && r->xy[0] == r->xy[2 * (n - 1)] && r->xy[1] == r->xy[2 * n - 1])
                n--; /* geod_polygonarea closes the ring itself */
            if (n < 3)
                continue;
            double *lats = malloc(n * sizeof(double)), *lons = malloc(n * sizeof(double));
            if (lats && lons) {
                for (size_t k = 0; k < n; k++) {
                    lons[k] = r->xy[2 * k];
                    lats[k] = r->xy[2 * k + 1];
                }
                double a = 0;
                geod_polygonarea(wgs84(), lats, lons, (int)n, &a, NULL);
                total += j == 0 ? fabs(a) : -fabs(a);
            }
            free(lats);
            free(lons);
        }
    return total;
}

const char *pm_crs_proj_version(void)
{
    return proj_info().release;
}
