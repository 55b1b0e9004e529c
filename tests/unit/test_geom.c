/* util/geom: WKB round trips and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "parkmap/feature.h"

static void polygon_round_trips_as_multipolygon(void **state)
{
    (void)state;
    pm_ctx *ctx;
    double outer[] = {0, 0, 10, 0, 10, 10, 0, 10, 0, 0};
    double hole[] = {2, 2, 2, 4, 4, 4, 4, 2, 2, 2};
    pm_ring rings[2] = {{5, outer}, {5, hole}};
    pm_part part = {2, rings};
    pm_geom g = {PM_GEOM_POLYGON, 1, &part}, *back = NULL;
    unsigned char *wkb = NULL;
    size_t len = 0;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(pm_geom_to_wkb(&wkb, &len, ctx, &g), 0);
    assert_int_equal(wkb[1], 6); /* MultiPolygon, little-endian */
    assert_int_equal(pm_geom_from_wkb(&back, ctx, wkb, len), 0);
    assert_int_equal(back->nparts, 1);
    assert_int_equal(back->parts[0].nrings, 2);
    assert_memory_equal(back->parts[0].rings[1].xy, hole, sizeof hole);
    assert_int_equal(pm_geom_npoints(back), 10);
    double x0, y0, x1, y1;
    assert_int_equal(pm_geom_bbox(back, &x0, &y0, &x1, &y1), 1);
    assert_true(x0 == 0 && y1 == 10);
    free(wkb);
    pm_geom_free(back);
    pm_ctx_free(ctx);
}

static void truncated_and_lying_wkb_is_refused(void **state)
{
    (void)state;
    pm_ctx *ctx;
    pm_geom *g = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    /* A polygon claiming 2^31 rings in 13 bytes must fail, not allocate. */
    unsigned char liar[] = {1, 3, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0};
    assert_int_equal(pm_geom_from_wkb(&g, ctx, liar, sizeof liar), PM_EINPUT);
    assert_null(g);
    pm_err_clear(ctx);
    unsigned char point[] = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(pm_geom_from_wkb(&g, ctx, point, sizeof point), PM_EINPUT);
    assert_non_null(strstr(pm_ctx_what(ctx), "unsupported"));
    pm_err_clear(ctx);
    assert_int_equal(pm_geom_from_wkb(&g, ctx, point, 3), PM_EINPUT);
    pm_ctx_free(ctx);
}

static void first_error_wins(void **state)
{
    (void)state;
    pm_ctx *ctx;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(pm_err(ctx, PM_EIO, "low", "file.db", "disk said %s", "no\nmore"), PM_EIO);
    pm_err(ctx, PM_EINPUT, "high", "elsewhere", "wrapped");
    assert_string_equal(pm_ctx_what(ctx), "low");
    assert_string_equal(pm_ctx_why(ctx), "disk said no more"); /* one line */
    assert_int_equal(pm_exit_status(pm_ctx_code(ctx)), 4);
    assert_int_equal(pm_exit_status(PM_EINPUT), 3);
    assert_int_equal(pm_exit_status(PM_EUSAGE), 2);
    pm_ctx_free(ctx);
    pm_ctx_free(NULL);
    pm_geom_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(polygon_round_trips_as_multipolygon),
        cmocka_unit_test(truncated_and_lying_wkb_is_refused),
        cmocka_unit_test(first_error_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
