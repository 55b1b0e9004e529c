/* parkmap/crs.h: coordinate reference systems and geodesy (the only module
 * that calls PROJ).
 *
 * All coordinates that cross module boundaries are in "GIS order"
 * (x = easting or longitude, y = northing or latitude), whatever axis order
 * the CRS's authority defines: the transform normalises both ends, so a
 * northing-first CRS such as EPSG:4550 still yields x = easting. */
#ifndef PARKMAP_CRS_H
#define PARKMAP_CRS_H

#include "parkmap/error.h"
#include "parkmap/feature.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pm_transform pm_transform;

/** Facts about a CRS definition (EPSG:n, WKT or PROJ string). */
typedef struct {
    int epsg;          /**< EPSG code, or 0 when the CRS has none */
    int is_geographic; /**< lon/lat in degrees */
    int is_projected;
    int unfit_for_area; /**< geographic, or a Mercator-family projection */
    int is_2d;          /**< a 2D geographic or projected CRS: the only kind that
                             can store park boundaries (not geocentric, vertical,
                             compound, engineering or 3D) */
    double unit_m;      /**< metres per unit of a projected CRS's first axis (1 for
                             metres, 0.3048 for feet); 0 otherwise */
    const char *kind;   /**< "geographic 2D", "geocentric", "vertical", ... (static) */
    char name[128];
} pm_crs_info;

/** Describe a CRS. Fails with PM_EUSAGE if PROJ cannot parse it. */
int pm_crs_describe(pm_crs_info *out, pm_ctx *ctx, const char *def);

/** A CRS's PROJ string and WKT (WKT1_GDAL, as SpatiaLite's spatial_ref_sys
 * holds), for registering a code a database does not know. Caller owns
 * both (free()). */
int pm_crs_export(char **out_proj4, char **out_wkt, pm_ctx *ctx, const char *def);

/** Pick a storage CRS for data whose lon/lat extent is given: the
 * CGCS2000 3-degree Gauss-Krüger zone (EPSG:4534-4554) when the centre lies
 * in China's zones, else the WGS 84 UTM zone. Writes "EPSG:n" into out. */
int pm_crs_auto(char *out, size_t out_size, pm_ctx *ctx, double lon_min, double lat_min,
                double lon_max, double lat_max);

/** How far def's linear scale strays from true over a lon/lat extent: the
 * largest |k - 1| of its scale k (ground metres per metre of its units)
 * along x and y at 5 x 5 points of the extent (0.01 = lengths 1 % off,
 * areas about 2 %); INFINITY when part of the extent lies outside the
 * CRS's domain. 0 for a geographic CRS, whose "planar" figures are unfit
 * anyway. */
int pm_crs_scale_error(double *worst, pm_ctx *ctx, const char *def, double lon_min, double lat_min,
                       double lon_max, double lat_max);

/** The lon/lat box a CRS is meant for (its EPSG area of use), in degrees;
 * west > east for one across the antimeridian. Returns 1 when known, 0
 * when the CRS declares none (a PROJ string, a local grid) or PROJ cannot
 * read def. Never sets an error. */
int pm_crs_area_of_use(const char *def, double *west, double *south, double *east, double *north);

/** For GCJ-02 / BD-09 (the Chinese web-map systems, spelt GCJ-02, GCJ02,
 * BD-09 or BD09), how parkmap converts them, for provenance; NULL for any
 * other CRS. Static string. */
const char *pm_crs_webmap_note(const char *def);

/** Create a transform between two CRS definitions (also GCJ-02 and BD-09
 * on either side, through WGS 84). Caller owns *out. */
int pm_transform_new(pm_transform **out, pm_ctx *ctx, const char *src_def, const char *dst_def);
/** Release. NULL-safe. */
void pm_transform_free(pm_transform *t);
/** Transform n points in place (x,y interleaved). Any point that fails or
 * becomes non-finite fails the call with PM_EINPUT. */
int pm_transform_points(pm_transform *t, pm_ctx *ctx, double *xy, size_t n);
/** Transform every point of a geometry in place. */
int pm_transform_geom(pm_transform *t, pm_ctx *ctx, pm_geom *g);

/** Geodesic distance in metres on WGS 84 between two lon/lat points. */
double pm_geod_distance(double lon1, double lat1, double lon2, double lat2);
/** Ellipsoidal (WGS 84) area in m² of a lon/lat polygon geometry (holes
 * subtracted; orientation does not matter). */
double pm_geod_area(const pm_geom *lonlat);

/** PROJ's version string (borrowed). */
const char *pm_crs_proj_version(void);

#ifdef __cplusplus
}
#endif
#endif
