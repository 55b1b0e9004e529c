/* GCJ-02 and BD-09, the coordinate systems of Chinese web maps, which PROJ
 * does not implement (PROJ issue #982). GCJ-02 (Amap, Tencent, Google
 * China) is WGS 84 moved by a published closed-form offset on the
 * Krasovsky ellipsoid, about 476 m in Pudong; BD-09 (Baidu) moves GCJ-02
 * once more. Forward transforms follow the published formulas; the
 * inverses have no closed form and are solved by fixed-point iteration to
 * far below a millimetre (the one-step approximation many tools use is off
 * by up to ~2 m around Shanghai).
 *
 * Outside China the offset is not applied, as every common implementation
 * does: "China" is the box 72.004-137.8347 E, 0.8293-55.8271 N, not the
 * border (docs/crs.md). */
#include "crs_internal.h"
#include "parkmap/crs.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Krasovsky 1940, as the formula uses it (eviltransform switched to WGS
 * 84's a in 2016: about 1 cm apart; the others keep this one). */
static const double KRASOVSKY_A = 6378245.0;
static const double KRASOVSKY_EE = 0.00669342162296594323;

int pm_webmap_kind(const char *def)
{
    static const struct {
        const char *name;
        int kind;
    } names[] = {{"GCJ-02", PM_WEBMAP_GCJ02},
                 {"GCJ02", PM_WEBMAP_GCJ02},
                 {"BD-09", PM_WEBMAP_BD09},
                 {"BD09", PM_WEBMAP_BD09}};
    for (size_t i = 0; def && i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(def, names[i].name) == 0)
            return names[i].kind;
    return PM_WEBMAP_NONE;
}

const char *pm_crs_webmap_note(const char *def)
{
    switch (pm_webmap_kind(def)) {
    case PM_WEBMAP_GCJ02:
        return "GCJ-02, converted to WGS 84 by parkmap: the published forward formula "
               "(Krasovsky ellipsoid) inverted by fixed-point iteration to 1e-12 degrees";
    case PM_WEBMAP_BD09:
        return "BD-09, converted to WGS 84 by parkmap: the published BD-09 and GCJ-02 forward "
               "formulas inverted by fixed-point iteration to 1e-12 degrees";
    default:
        return NULL;
    }
}

const char *pm_webmap_name(int kind)
{
    return kind == PM_WEBMAP_GCJ02 ? "GCJ-02" : kind == PM_WEBMAP_BD09 ? "BD-09" : "WGS 84";
}

int pm_webmap_in_china(double lon, double lat)
{
    return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

static double offset_lat(double x, double y)
{
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
    r += (20.0 * sin(y * M_PI) + 40.0 * sin(y / 3.0 * M_PI)) * 2.0 / 3.0;
    r += (160.0 * sin(y / 12.0 * M_PI) + 320.0 * sin(y * M_PI / 30.0)) * 2.0 / 3.0;
    return r;
}

static double offset_lon(double x, double y)
{
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
    r += (20.0 * sin(x * M_PI) + 40.0 * sin(x / 3.0 * M_PI)) * 2.0 / 3.0;
    r += (150.0 * sin(x / 12.0 * M_PI) + 300.0 * sin(x / 30.0 * M_PI)) * 2.0 / 3.0;
    return r;
}

static void wgs_to_gcj(double *lon, double *lat)
{
    if (!pm_webmap_in_china(*lon, *lat))
        return;
    double dlat = offset_lat(*lon - 105.0, *lat - 35.0);
    double dlon = offset_lon(*lon - 105.0, *lat - 35.0);
    double rad = *lat / 180.0 * M_PI, s = sin(rad);
    double magic = 1 - KRASOVSKY_EE * s * s, sq = sqrt(magic);
    dlat = dlat * 180.0 / ((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sq) * M_PI);
    dlon = dlon * 180.0 / (KRASOVSKY_A / sq * cos(rad) * M_PI);
    *lat += dlat;
    *lon += dlon;
}

static void gcj_to_bd(double *lon, double *lat)
{
    double x = *lon, y = *lat, k = M_PI * 3000.0 / 180.0;
    double z = sqrt(x * x + y * y) + 0.00002 * sin(y * k);
    double theta = atan2(y, x) + 0.000003 * cos(x * k);
    *lon = z * cos(theta) + 0.0065;
    *lat = z * sin(theta) + 0.006;
}

static void forward(int kind, double *lon, double *lat)
{
    wgs_to_gcj(lon, lat);
    if (kind == PM_WEBMAP_BD09)
        gcj_to_bd(lon, lat);
}

void pm_webmap_from_wgs84(int kind, double *lon, double *lat)
{
    if (kind != PM_WEBMAP_NONE && isfinite(*lon) && isfinite(*lat))
        forward(kind, lon, lat);
}

/* Solve forward(w) = p for w: w <- w - (forward(w) - p). The offset's
 * derivative is ~1e-5 of the coordinate's, so each step gains about five
 * digits; 1e-12 degrees is 0.1 micrometre. Points whose estimate leaves the
 * China box pass through, as they would forward. */
int pm_webmap_to_wgs84(int kind, double *lon, double *lat)
{
    if (kind == PM_WEBMAP_NONE || !isfinite(*lon) || !isfinite(*lat))
        return 0;
    double px = *lon, py = *lat, wx = px, wy = py;
    for (int i = 0; i < 30; i++) {
        double fx = wx, fy = wy;
        forward(kind, &fx, &fy);
        double dx = fx - px, dy = fy - py;
        wx -= dx;
        wy -= dy;
        if (fabs(dx) < 1e-12 && fabs(dy) < 1e-12) {
            *lon = wx;
            *lat = wy;
            return 0;
        }
    }
    /* Only at the edge of the China box, where the offset switches off,
     * can the iteration fail to settle: the point has no inverse there. */
    return -1;
}
