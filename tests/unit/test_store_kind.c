/* store/store_kind.h: the one mapping of OGC geometry types to
 * pm_geom_kind, as SpatiaLite registers them (codes) and as PostGIS does
 * (names). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "parkmap/parkmap.h"
#include "store/store_kind.h"

static void kind_is(const char *type, pm_geom_kind want)
{
    pm_ctx *ctx = NULL;
    pm_geom_kind k = 0;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(pm_store_ogc_kind(&k, ctx, "parks", type), 0);
    assert_int_equal(k, want);
    pm_ctx_free(ctx);
}

/* Refused with PM_EIO and this why. */
static void refused(const char *type, const char *why)
{
    pm_ctx *ctx = NULL;
    pm_geom_kind k = 0;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(pm_store_ogc_kind(&k, ctx, "parks", type), PM_EIO);
    assert_string_equal(pm_ctx_what(ctx), "unsupported geometry type");
    assert_string_equal(pm_ctx_where(ctx), "parks");
    assert_string_equal(pm_ctx_why(ctx), why);
    pm_ctx_free(ctx);
}

static void test_spatialite_codes(void **state)
{
    (void)state;
    kind_is("3", PM_GEOM_POLYGON);
    kind_is("6", PM_GEOM_POLYGON);
    kind_is("2", PM_GEOM_LINE);
    kind_is("5", PM_GEOM_LINE);
    /* Z, M, ZM: +1000, +2000, +3000 */
    kind_is("1006", PM_GEOM_POLYGON);
    kind_is("2005", PM_GEOM_LINE);
    kind_is("3003", PM_GEOM_POLYGON);
    refused("1", "OGC type 1; parkmap layers hold polygons or lines");
    refused("7", "OGC type 7; parkmap layers hold polygons or lines");
    refused("0", "OGC type 0; parkmap layers hold polygons or lines");
    refused("6x", "OGC type 6x; parkmap layers hold polygons or lines");
}

static void test_postgis_names(void **state)
{
    (void)state;
    kind_is("MULTIPOLYGON", PM_GEOM_POLYGON);
    kind_is("POLYGON", PM_GEOM_POLYGON);
    kind_is("MULTILINESTRING", PM_GEOM_LINE);
    kind_is("LINESTRING", PM_GEOM_LINE);
    kind_is("MultiPolygon", PM_GEOM_POLYGON);
    kind_is("MULTIPOLYGONM", PM_GEOM_POLYGON);
    kind_is("LINESTRINGZM", PM_GEOM_LINE);
    refused("POINT", "POINT; parkmap layers hold polygons or lines");
    refused("GEOMETRY", "GEOMETRY; parkmap layers hold polygons or lines");
    refused("MULTIPOLYGONX", "MULTIPOLYGONX; parkmap layers hold polygons or lines");
    refused("", "none; parkmap layers hold polygons or lines");
    refused(NULL, "none; parkmap layers hold polygons or lines");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spatialite_codes),
        cmocka_unit_test(test_postgis_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
