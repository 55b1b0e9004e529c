/* The measures analysis and topology take over the store's cursors, the same
 * C on every backend (pm_analysis_area_rows, pm_topology_layer_union_area,
 * pm_topology_outside, pm_topology_outside_shifted), on layers worked out by
 * hand in UTM zone 51N (EPSG:32651) near Shanghai: a park with a hole, a
 * grid large enough to be unioned tile by tile, parks partly outside an
 * outline stored in another zone. Tolerances come from the geometry: the
 * NOISE on each coordinate and UTM's point scale k (ground areas are
 * planar / k²). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parkmap/parkmap.h"
#include "scratch.h"

/* Local coordinates (metres) are offsets from this point, about 145 km
 * west of zone 51's central meridian (123° E). */
#define X0 355000.0
#define Y0 3456000.0
/* Each stored coordinate is off by up to this much (metres). */
#define NOISE 0.002

#define SQRT2 1.41421356237309504880

#include "utm_layers.h"

/* UTM's point scale at local x: k0 (1 + e²/2R²), e the distance from the
 * central meridian; good to 1e-6 here (test_analysis.c says why). */
static double utm_k(double x)
{
    double e = X0 + x - 500000.0, r = 6371000.0;
    return 0.9996 * (1 + e * e / (2 * r * r));
}

#define K_REL 1e-5

static double ground_m2(double planar_m2, double x)
{
    return planar_m2 / (utm_k(x) * utm_k(x));
}

/* Moving each vertex by up to NOISE moves each edge by up to NOISE·√2:
 * the area changes by at most perimeter · NOISE · √2. */
static double area_tol(double m2, double perimeter_m)
{
    return m2 * 2 * K_REL + perimeter_m * NOISE * SQRT2 + 1e-6;
}

#define assert_near(got, want, tol)                                                                \
    do {                                                                                           \
        double g_ = (got), w_ = (want), t_ = (tol);                                                \
        if (!(fabs(g_ - w_) <= t_))                                                                \
            fail_msg("%s = %.9f, expected %.9f ± %.9f", #got, g_, w_, t_);                         \
    } while (0)

static pm_ctx *new_ctx(void)
{
    pm_ctx *ctx = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    return ctx;
}

static pm_store *open_db(pm_ctx *ctx, const char *db)
{
    pm_store *st = NULL;
    assert_int_equal(pm_store_open(&st, ctx, path(db), 0), 0);
    return st;
}

/* ---- per-feature areas ------------------------------------------------------ */

/* fid 0 "Ring": [0,200]² less the hole [50,150]², 30,000 m² planar, in the
 * source's part order with the hole second; fid 1 (no name) [300,400] x
 * [0,100]; fid 2 "Two": two parts, 100×50 each. */
static void area_rows_hole_and_attributes(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    gj g = {0};
    gj_add(&g,
           "{\"type\":\"Feature\",\"properties\":{\"name\":\"Ring\",\"zone\":7,\"ratio\":2.5,"
           "\"planned_area_km2\":0.03},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":["
           "[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]],"
           "[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]]]}}",
           X0, Y0, X0 + 200, Y0, X0 + 200, Y0 + 200, X0, Y0 + 200, X0, Y0, X0 + 50, Y0 + 50,
           X0 + 50, Y0 + 150, X0 + 150, Y0 + 150, X0 + 150, Y0 + 50, X0 + 50, Y0 + 50);
    g.nfeatures = 1;
    rect(&g, "\"zone\":8,\"ratio\":3.0", 300, 0, 400, 100);
    const double two[] = {500, 0, 600, 0, 600, 50, 500, 50, 500, 100, 600, 100, 600, 150, 500, 150};
    const size_t counts[] = {4, 4};
    feature(&g, "\"name\":\"Two\",\"ratio\":null", 2, counts, two);
    import_layer(ctx, &g, "rows.db", "parks");
    pm_store *st = open_db(ctx, "rows.db");

    pm_area_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(pm_analysis_area_rows(&rows, &n, ctx, st, "parks", "ratio"), 0);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].fid, 0);
    assert_string_equal(rows[0].name, "Ring");
    /* The hole is subtracted: 40,000 - 10,000 (the hole's vertices are exact). */
    assert_near(rows[0].planar_m2, 30000.0, 1e-6);
    assert_near(rows[0].ellipsoidal_m2, ground_m2(30000, 100), area_tol(30000, 0));
    assert_near(rows[0].planned_km2, 0.03, 1e-15);
    /* A real --by value reads as SQLite prints a REAL. */
    assert_string_equal(rows[0].group, "2.5");
    assert_string_equal(rows[1].name, "#1");
    assert_string_equal(rows[1].group, "3.0");
    assert_near(rows[1].planar_m2, 10000.0, area_tol(10000, 400));
    assert_near(rows[1].ellipsoidal_m2, ground_m2(10000, 350), area_tol(10000, 400));
    assert_true(isnan(rows[1].planned_km2));
    /* Two parts add up; no planned area is NAN; a null --by value is "". */
    assert_string_equal(rows[2].name, "Two");
    assert_string_equal(rows[2].group, "");
    assert_near(rows[2].planar_m2, 10000.0, area_tol(10000, 600));
    assert_near(rows[2].ellipsoidal_m2, ground_m2(10000, 550), area_tol(10000, 600));
    assert_true(isnan(rows[2].planned_km2));
    pm_area_rows_free(rows, n);

    /* An integer field as text, and attributes without areas. */
    assert_int_equal(pm_analysis_feature_rows(&rows, &n, ctx, st, "parks", "zone"), 0);
    assert_int_equal(n, 3);
    assert_string_equal(rows[0].group, "7");
    assert_true(isnan(rows[0].planar_m2) && isnan(rows[0].ellipsoidal_m2));
    pm_area_rows_free(rows, n);

    /* A field the layer lacks. */
    assert_int_equal(pm_analysis_area_rows(&rows, &n, ctx, st, "parks", "nope"), PM_EUSAGE);
    assert_null(rows);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* ---- the union, tiled ------------------------------------------------------- */

/* A 70 × 70 grid of 10 m cells with exactly shared vertices (no noise):
 * 4,900 features, more than one tile's 4,000, so the union is taken over
 * 2 × 2 tiles of the extent, each clipped. The cells tile the square, so the
 * union is 700 × 700 m planar, and its ellipsoidal area is the sum of the
 * cells' (both up to rounding: the tiles' clipped edges are shared). */
static void union_tiled_over_the_spatial_index(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    gj g = {0};
    for (int i = 0; i < 70; i++)
        for (int j = 0; j < 70; j++) {
            double x = X0 + 10.0 * i, y = Y0 + 10.0 * j;
            gj_add(&g,
                   "%s{\"type\":\"Feature\",\"properties\":{\"name\":\"c%d_%d\"},\"geometry\":{"
                   "\"type\":\"Polygon\",\"coordinates\":[[[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],"
                   "[%.1f,%.1f],[%.1f,%.1f]]]}}",
                   g.nfeatures++ ? "," : "", i, j, x, y, x + 10, y, x + 10, y + 10, x, y + 10, x,
                   y);
        }
    import_layer(ctx, &g, "grid.db", "parks");
    pm_store *st = open_db(ctx, "grid.db");
    double planar = 0, ell = 0, sum = 0;
    assert_int_equal(pm_topology_layer_union_area(&planar, &ell, ctx, st, "parks"), 0);
    pm_area_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(pm_analysis_area_rows(&rows, &n, ctx, st, "parks", NULL), 0);
    assert_int_equal(n, 4900);
    for (size_t i = 0; i < n; i++)
        sum += rows[i].ellipsoidal_m2;
    pm_area_rows_free(rows, n);
    assert_near(planar, 490000.0, 490000.0 * 1e-12);
    assert_near(ell, sum, sum * 1e-9);
    assert_near(ell, ground_m2(490000, 350), 490000 * 2 * K_REL);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* ---- ground outside a layer ------------------------------------------------- */

/* The outline [100,1000] × [-100,300], imported into UTM zone 50N (another
 * SRID: it is transformed back into the parks' zone 51 to be compared);
 * parks A = [0,200]² (100 × 200 outside), B = [300,400] × [0,100] (inside),
 * C = [99.9,199.9] × [0,100] (0.1 × 100 = 10 m² outside), D without a name
 * = [1000,1100] × [0,100] (all outside). */
static void outside_a_layer_in_another_crs(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    gj g = {0};
    rect(&g, "\"name\":\"A\"", 0, 0, 200, 200);
    rect(&g, "\"name\":\"B\"", 300, 0, 400, 100);
    rect(&g, "\"name\":\"C\"", 99.9, 0, 199.9, 100);
    rect(&g, "\"other\":1", 1000, 0, 1100, 100);
    import_layer(ctx, &g, "out.db", "parks");

    char src[96];
    snprintf(src, sizeof src, "%s", path("outline.geojson"));
    FILE *f = fopen(src, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
            "\"urn:ogc:def:crs:EPSG::32651\"}},\"features\":[{\"type\":\"Feature\",\"properties\":"
            "{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.4f,%.4f],[%.4f,%.4f],"
            "[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]]]}}]}",
            X0 + 100, Y0 - 100, X0 + 1000, Y0 - 100, X0 + 1000, Y0 + 300, X0 + 100, Y0 + 300,
            X0 + 100, Y0 - 100);
    assert_int_equal(fclose(f), 0);
    pm_import_opts o = PM_IMPORT_OPTS_INIT;
    pm_import_report r;
    o.src_path = src;
    o.db_path = path("out.db");
    o.layer = "outline";
    o.t_srs = "EPSG:32650";
    assert_int_equal(pm_import(&r, ctx, &o), 0);

    pm_store *st = open_db(ctx, "out.db");
    int srid = 0;
    assert_int_equal(pm_store_layer_srid(&srid, ctx, st, "outline"), 0);
    assert_int_equal(srid, 32650);
    pm_pair_area_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(pm_topology_outside(&rows, &n, ctx, st, "parks", "outline", 1.0), 0);
    /* The outline's vertices go to zone 50 and back (sub-millimetre); its
     * edges are the straight chords between them in both. */
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].a_fid, 0);
    assert_string_equal(rows[0].a_name, "A");
    assert_string_equal(rows[0].b_name, "A");
    assert_near(rows[0].area_m2, ground_m2(20000, 50), area_tol(20000, 600));
    assert_non_null(rows[0].geom);
    assert_near(pm_topology_planar_area(rows[0].geom), 20000.0, area_tol(20000, 600));
    assert_int_equal(rows[1].a_fid, 2);
    assert_near(rows[1].area_m2, ground_m2(10, 100), area_tol(10, 200));
    assert_int_equal(rows[2].a_fid, 3);
    assert_string_equal(rows[2].a_name, "#3");
    assert_near(rows[2].area_m2, ground_m2(10000, 1050), area_tol(10000, 400));
    double all = rows[0].area_m2 + rows[1].area_m2 + rows[2].area_m2;
    pm_pair_area_rows_free(rows, n);

    /* Above 20 m² only A and D remain. */
    assert_int_equal(pm_topology_outside(&rows, &n, ctx, st, "parks", "outline", 20.0), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rows[1].a_fid, 3);
    pm_pair_area_rows_free(rows, n);

    /* Shifted: unmoved, the sum of the parts; moved 100 m east, A and C
     * are inside and D further out (still all of it), B inside. */
    double m2 = -1;
    assert_int_equal(pm_topology_outside_shifted(&m2, ctx, st, "parks", "outline", 0, 0), 0);
    assert_near(m2, all, all * 1e-12);
    assert_int_equal(pm_topology_outside_shifted(&m2, ctx, st, "parks", "outline", 100, 0), 0);
    assert_near(m2, ground_m2(10000, 1150), area_tol(10000, 400));
    /* Moved 1 km north, everything lies outside. */
    assert_int_equal(pm_topology_outside_shifted(&m2, ctx, st, "parks", "outline", 0, 1000), 0);
    assert_near(m2,
                ground_m2(40000, 100) + ground_m2(10000, 350) + ground_m2(10000, 150) +
                    ground_m2(10000, 1050),
                area_tol(70000, 2000));

    /* A missing boundary layer is an error, not "nothing outside". */
    assert_true(pm_topology_outside(&rows, &n, ctx, st, "parks", "nope", 1.0) < 0);
    assert_null(rows);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* A 200 m square with its north-east corner at (200 + dx, 200), the
 * coordinates as a file holds them (absolute UTM, off the integer grid). */
static pm_geom *square_ne(double dx)
{
    static pm_ring ring;
    static pm_part part;
    static pm_geom g;
    static double xy[10];
    const double local[10] = {0, 0, 200, 0, 200 + dx, 200, 0, 200, 0, 0};
    for (int i = 0; i < 10; i += 2) {
        xy[i] = X0 + local[i] + 0.0013;
        xy[i + 1] = Y0 + local[i + 1] - 0.0007;
    }
    ring = (pm_ring){5, xy};
    part = (pm_part){1, &ring};
    g = (pm_geom){PM_GEOM_POLYGON, 1, &part};
    pm_geom *out = NULL;
    assert_int_equal(pm_geom_clone(&out, NULL, &g), 0);
    return out;
}

/* compare's boundary shift: the same coordinates in the same CRS are 0
 * apart (the shortcut that spares densifying every unchanged parcel), and
 * a corner pushed 30 m east is 30 ground metres off (the farthest point of
 * either boundary from the other is that corner: every other point of the
 * old boundary lies within 30 m · 200/√(200² + 30²) of the new one). */
static void hausdorff_shortcut_and_a_moved_corner(void **state)
{
    (void)state;
    pm_ctx *ctx = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    pm_topo_hausdorff *hd = NULL;
    pm_geom *a = square_ne(0), *same = square_ne(0), *moved = square_ne(30);
    double m = NAN;
    assert_int_equal(pm_topology_hausdorff_new(&hd, ctx, 32651, 32651), 0);
    assert_int_equal(pm_topology_hausdorff(&m, ctx, hd, a, same), 0);
    assert_true(m == 0);
    assert_int_equal(pm_topology_hausdorff(&m, ctx, hd, a, moved), 0);
    /* Ground metres: the UTM offset over the point scale there, within the
     * 5 cm GEOS's 10 cm densifying can miss by. */
    assert_near(m, 30 / utm_k(200), 0.05 + 30 * K_REL);
    assert_int_equal(pm_topology_hausdorff(&m, ctx, hd, moved, a), 0);
    assert_near(m, 30 / utm_k(200), 0.05 + 30 * K_REL);
    pm_topology_hausdorff_free(hd);
    pm_geom_free(a);
    pm_geom_free(same);
    pm_geom_free(moved);
    pm_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(area_rows_hole_and_attributes),
        cmocka_unit_test(union_tiled_over_the_spatial_index),
        cmocka_unit_test(outside_a_layer_in_another_crs),
        cmocka_unit_test(hausdorff_shortcut_and_a_moved_corner),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
