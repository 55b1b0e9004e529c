/* crs: choosing a storage CRS, axis order, geodesy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "parkmap/crs.h"

static void auto_picks_gauss_kruger_zone_for_pudong(void **state)
{
    (void)state;
    pm_ctx *ctx;
    char def[32];
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(pm_crs_auto(def, sizeof def, ctx, 121.59, 30.9, 121.95, 31.35), 0);
    assert_string_equal(def, "EPSG:4550"); /* CGCS2000 3-degree GK CM 123E */
    /* West of 121.5E the CM 120E zone is nearer. */
    assert_int_equal(pm_crs_auto(def, sizeof def, ctx, 121.0, 31.0, 121.3, 31.2), 0);
    assert_string_equal(def, "EPSG:4549");
    /* Outside China: UTM. Berlin is in zone 33N. */
    assert_int_equal(pm_crs_auto(def, sizeof def, ctx, 13.3, 52.4, 13.5, 52.6), 0);
    assert_string_equal(def, "EPSG:32633");
    /* Straddling the antimeridian (Fiji): zone 60, not zone 31. */
    assert_int_equal(pm_crs_auto(def, sizeof def, ctx, -179.95, -17.1, 179.95, -17.0), 0);
    assert_string_equal(def, "EPSG:32760");
    assert_int_equal(pm_crs_auto(def, sizeof def, ctx, 500, 31, 501, 32), PM_EINPUT);
    pm_ctx_free(ctx);
}

static void northing_first_crs_yields_easting_in_x(void **state)
{
    (void)state;
    pm_ctx *ctx;
    pm_transform *t;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(pm_transform_new(&t, ctx, "EPSG:4326", "EPSG:4550"), 0);
    double xy[2] = {121.6, 31.2}; /* lon, lat: GIS order in */
    assert_int_equal(pm_transform_points(t, ctx, xy, 1), 0);
    /* cs2cs EPSG:4326 EPSG:4550 on "31.2 121.6" prints 3453993.14 366567.70
     * (northing first); we must get easting first. 1 mm tolerance. */
    assert_true(fabs(xy[0] - 366567.701) < 1e-3);
    assert_true(fabs(xy[1] - 3453993.144) < 1e-3);
    pm_transform_free(t);
    pm_ctx_free(ctx);
}

static void describe_flags_unfit_crs(void **state)
{
    (void)state;
    pm_ctx *ctx;
    pm_crs_info info;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(pm_crs_describe(&info, ctx, "EPSG:3857"), 0);
    assert_true(info.unfit_for_area);
    assert_int_equal(info.epsg, 3857);
    assert_int_equal(pm_crs_describe(&info, ctx, "EPSG:4326"), 0);
    assert_true(info.is_geographic && info.unfit_for_area);
    assert_int_equal(pm_crs_describe(&info, ctx, "EPSG:4550"), 0);
    assert_true(info.is_projected && !info.unfit_for_area);
    assert_int_equal(pm_crs_describe(&info, ctx, "EPSG:999999"), PM_EUSAGE);
    pm_ctx_free(ctx);
}

static void geodesic_area_matches_planimeter(void **state)
{
    (void)state;
    /* 0.01 x 0.01 degree box at 121.6E 31.2N; GeographicLib's Planimeter
     * gives 1056612.4 m². Agreement to 1e-6 relative is well inside the
     * algorithm's nanometre accuracy and the printed digits. */
    double xy[] = {121.6, 31.2, 121.61, 31.2, 121.61, 31.21, 121.6, 31.21, 121.6, 31.2};
    pm_ring ring = {5, xy};
    pm_part part = {1, &ring};
    pm_geom g = {PM_GEOM_POLYGON, 1, &part};
    double a = pm_geod_area(&g);
    assert_true(fabs(a - 1056612.4) / 1056612.4 < 1e-6);
    /* Geodesic distance: one degree of latitude at the equator is 110574.4 m. */
    assert_true(fabs(pm_geod_distance(0, 0, 0, 1) - 110574.389) < 0.01);
}

/* GCJ-02 (issue 12) against the published test vector (eviltransform):
 * the formula reproduces it to the vector's 15 digits; 1e-9 degrees
 * (0.1 mm) leaves room for the last bits of sin/cos, while the eviltransform
 * variant with WGS 84's a (1 cm away) would fail. */
static void gcj02_matches_the_published_vector(void **state)
{
    (void)state;
    pm_ctx *ctx;
    pm_transform *t;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(pm_transform_new(&t, ctx, "EPSG:4326", "GCJ-02"), 0);
    double xy[2] = {121.5272106, 31.1774276};
    assert_int_equal(pm_transform_points(t, ctx, xy, 1), 0);
    print_message("GCJ-02 test vector: off by %.3g m\n",
                  pm_geod_distance(xy[0], xy[1], 121.531541859215, 31.17530398364597));
    assert_true(fabs(xy[0] - 121.531541859215) < 1e-9);
    assert_true(fabs(xy[1] - 31.17530398364597) < 1e-9);
    /* The offset there: ~412 m east, ~236 m south, ~476 m in all. */
    double d = pm_geod_distance(121.5272106, 31.1774276, xy[0], xy[1]);
    assert_true(d > 470 && d < 480);
    pm_transform_free(t);
    pm_ctx_free(ctx);
}

/* WGS 84 -> GCJ-02 / BD-09 -> WGS 84 within 1 mm everywhere in China: a
 * 0.5-degree grid over the box where the offset applies, kept 0.1 degree
 * inside its edge (at the edge the offset switches off and there is no
 * inverse). */
static void webmap_round_trips_within_a_millimetre(void **state)
{
    (void)state;
    static const char *const sys[] = {"GCJ-02", "bd09"};
    pm_ctx *ctx;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    for (int k = 0; k < 2; k++) {
        pm_transform *fwd, *inv;
        assert_int_equal(pm_transform_new(&fwd, ctx, "EPSG:4326", sys[k]), 0);
        assert_int_equal(pm_transform_new(&inv, ctx, sys[k], "EPSG:4326"), 0);
        double worst = 0;
        for (double lon = 72.2; lon < 137.7; lon += 0.5)
            for (double lat = 1.0; lat < 55.7; lat += 0.5) {
                double xy[2] = {lon, lat};
                assert_int_equal(pm_transform_points(fwd, ctx, xy, 1), 0);
                assert_true(pm_geod_distance(lon, lat, xy[0], xy[1]) > 1.0); /* moved */
                assert_int_equal(pm_transform_points(inv, ctx, xy, 1), 0);
                worst = fmax(worst, pm_geod_distance(lon, lat, xy[0], xy[1]));
            }
        print_message("%s: WGS 84 -> %s -> WGS 84 on a 0.5-degree grid over China: worst %.3g m\n",
                      sys[k], sys[k], worst);
        assert_true(worst < 1e-3);
        pm_transform_free(fwd);
        pm_transform_free(inv);
    }
    pm_ctx_free(ctx);
}

/* Outside China GCJ-02 is WGS 84, as every common implementation has it;
 * GCJ-02 into a projected CRS goes through WGS 84. */
static void webmap_outside_china_and_chained(void **state)
{
    (void)state;
    pm_ctx *ctx;
    pm_transform *t;
    pm_crs_info info;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(pm_transform_new(&t, ctx, "EPSG:4326", "gcj02"), 0);
    double paris[2] = {2.35, 48.85};
    assert_int_equal(pm_transform_points(t, ctx, paris, 1), 0);
    assert_true(paris[0] == 2.35 && paris[1] == 48.85);
    pm_transform_free(t);
    /* The vector's GCJ-02 point into EPSG:4550 lands where its WGS 84
     * point does, to the 2 cm the vector carries. */
    double a[2] = {121.531541859215, 31.17530398364597}, b[2] = {121.5272106, 31.1774276};
    assert_int_equal(pm_transform_new(&t, ctx, "GCJ-02", "EPSG:4550"), 0);
    assert_int_equal(pm_transform_points(t, ctx, a, 1), 0);
    pm_transform_free(t);
    assert_int_equal(pm_transform_new(&t, ctx, "EPSG:4326", "EPSG:4550"), 0);
    assert_int_equal(pm_transform_points(t, ctx, b, 1), 0);
    pm_transform_free(t);
    assert_true(hypot(a[0] - b[0], a[1] - b[1]) < 0.02);
    assert_int_equal(pm_crs_describe(&info, ctx, "BD-09"), 0);
    assert_true(info.is_geographic && info.is_2d && info.epsg == 0);
    assert_non_null(strstr(info.name, "BD-09"));
    pm_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(auto_picks_gauss_kruger_zone_for_pudong),
        cmocka_unit_test(northing_first_crs_yields_easting_in_x),
        cmocka_unit_test(describe_flags_unfit_crs),
        cmocka_unit_test(geodesic_area_matches_planimeter),
        cmocka_unit_test(gcj02_matches_the_published_vector),
        cmocka_unit_test(webmap_round_trips_within_a_millimetre),
        cmocka_unit_test(webmap_outside_china_and_chained),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
