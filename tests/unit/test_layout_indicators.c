/* The layout indicators planners use (issue 13): Clark-Evans, co-location,
 * land-use mix entropy and the convex-hull ratio, on layers whose answers
 * are worked out by hand in the comments. As in test_analysis.c the layers
 * are in UTM zone 51N (EPSG:32651) near Shanghai, every coordinate moved by
 * up to NOISE so that nothing matches exactly. Every indicator here is a
 * ratio of two ground lengths or two ground areas taken a few kilometres
 * apart at most, so UTM's scale (~0.9996, varying by under 1e-5 across
 * these layers) cancels to that 1e-5; what is left for the tolerances is
 * the noise, worked out per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parkmap/parkmap.h"
#include "scratch.h"

/* Local coordinates (metres) are offsets from this point, about 145 km
 * west of zone 51's central meridian (123° E). */
#define X0 355000.0
#define Y0 3456000.0
/* Each stored coordinate is off by up to this much (metres). */
#define NOISE 0.002

/* UTM's point scale at local x: k0 (1 + e²/2R²), e the distance from the
 * central meridian (see test_analysis.c). */
static double utm_k(double x)
{
    double e = X0 + x - 500000.0, r = 6371000.0;
    return 0.9996 * (1 + e * e / (2 * r * r));
}

#define assert_near(got, want, tol)                                                                \
    do {                                                                                           \
        double g_ = (got), w_ = (want), t_ = (tol);                                                \
        if (!(fabs(g_ - w_) <= t_))                                                                \
            fail_msg("%s = %.9f, expected %.9f ± %.9f", #got, g_, w_, t_);                         \
    } while (0)

/* ---- building layers (utm_layers.h) -------------------------------------- */

#include "utm_layers.h"

/* A square of side s centred at (cx, cy). */
static void square(gj *g, const char *props, double cx, double cy, double s)
{
    rect(g, props, cx - s / 2, cy - s / 2, cx + s / 2, cy + s / 2);
}

static pm_store *open_db(pm_ctx *ctx, const char *db_name, int writable)
{
    pm_store *st = NULL;
    assert_int_equal(pm_store_open(&st, ctx, path(db_name), writable), 0);
    return st;
}

static pm_ctx *new_ctx(void)
{
    pm_ctx *ctx = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    return ctx;
}

static pm_layout *run_layout(pm_ctx *ctx, pm_store *st, const pm_layout_opts *o)
{
    pm_layout *l = NULL;
    if (pm_analysis_layout(&l, ctx, st, o) != 0)
        fail_msg("layout: %s: %s (%s)", pm_ctx_what(ctx), pm_ctx_where(ctx), pm_ctx_why(ctx));
    return l;
}

static const pm_layout_group *group_of(const pm_layout *l, const char *name)
{
    for (size_t i = 0; i < l->ngroups; i++)
        if (strcmp(l->groups[i].group, name) == 0)
            return &l->groups[i];
    fail_msg("no group %s", name);
    return NULL;
}

static const pm_layout_park *park_of(const pm_layout *l, const char *name)
{
    for (size_t i = 0; i < l->nparks; i++)
        if (strcmp(l->parks[i].name, name) == 0)
            return &l->parks[i];
    fail_msg("no park %s", name);
    return NULL;
}

/* ---- Clark-Evans ------------------------------------------------------------ */

/* Four 100 m chips squares centred on a 1,000 m grid, (500, 500) to
 * (1500, 1500), inside the outline [0, 2000]², and one bio park at the
 * centre. Chips: every nearest centroid is 1,000 m away, so the observed
 * mean is 1,000; n = 4, A = 4e6 m²:
 *   expected = 0.5 / sqrt(4 / 4e6) = 500,      R = 1000 / 500 = 2,
 *   SE = 0.26136 / sqrt(16 / 4e6) = 130.68,    z = 500 / 130.68 = 3.826144.
 * Without the outline A is the parks' convex hull, [450, 1550]² = 1.21e6:
 *   expected = 0.5 sqrt(1.21e6 / 4) = 275,     R = 1000 / 275 = 3.636364,
 *   SE = 0.26136 sqrt(1.21e6) / 4 = 71.874,    z = 725 / 71.874 = 10.087236.
 * On the ground every length is the grid's over k and A over k², so R and
 * z are the same there (z = (R - 1) sqrt(n) / (2 · 0.26136) for any A).
 * Tolerances: the noise moves a centroid by at most NOISE·√2 and a
 * 1,000 m distance by twice that (6e-6 relative), the outline's area by
 * its perimeter · NOISE · √2 (4e-6 relative), the scale cancels to 1e-5:
 * 1e-4 relative on R covers all of it with room, and z = (R - 1) · 3.826
 * moves by 3.83 times what R does. */
static void chips_grid(pm_ctx *ctx, const char *db, int with_outline)
{
    gj g = {0};
    square(&g, "\"name\":\"C1\",\"industry\":\"chips\"", 500, 500, 100);
    square(&g, "\"name\":\"C2\",\"industry\":\"chips\"", 1500, 500, 100);
    square(&g, "\"name\":\"C3\",\"industry\":\"chips\"", 500, 1500, 100);
    square(&g, "\"name\":\"C4\",\"industry\":\"chips\"", 1500, 1500, 100);
    square(&g, "\"name\":\"B1\",\"industry\":\"bio\"", 1000, 1000, 100);
    import_layer(ctx, &g, db, "parks");
    if (with_outline) {
        rect(&g, "\"name\":\"district\"", 0, 0, 2000, 2000);
        import_layer(ctx, &g, db, "outline");
    }
}

static void clark_evans_on_a_grid_in_the_outline(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    chips_grid(ctx, "ce.db", 1);
    pm_store *st = open_db(ctx, "ce.db", 0);
    pm_layout_opts o = PM_LAYOUT_OPTS_INIT;
    pm_layout *l = run_layout(ctx, st, &o);
    assert_string_equal(l->study_area, "outline");
    double k = utm_k(1000);
    assert_near(l->study_area_m2, 4e6 / (k * k), 4e6 * 1e-4);
    assert_int_equal(l->ngroups, 2);
    /* Groups in the order of their first park. */
    assert_string_equal(l->groups[0].group, "chips");
    const pm_layout_group *c = group_of(l, "chips");
    assert_int_equal(c->nparks, 4);
    assert_near(c->mean_nn_m, 1000 / k, 1000 * 1e-4);
    assert_near(c->expected_nn_m, 500 / k, 500 * 1e-4);
    assert_near(c->clark_evans_r, 2.0, 2.0 * 1e-4);
    assert_near(c->clark_evans_z, 3.826144, 3.83 * 2.0 * 1e-4);
    /* A group of one has no nearest neighbour: NAN, not 0. */
    const pm_layout_group *b = group_of(l, "bio");
    assert_int_equal(b->nparks, 1);
    assert_true(isnan(b->mean_nn_m) && isnan(b->clark_evans_r) && isnan(b->clark_evans_z));
    pm_layout_free(l);

    /* "" asks for the parks' hull even though the outline is there. */
    o.within = "";
    l = run_layout(ctx, st, &o);
    assert_string_equal(l->study_area, "convex hull of the parks");
    assert_near(l->study_area_m2, 1.21e6 / (k * k), 1.21e6 * 1e-4);
    c = group_of(l, "chips");
    assert_near(c->clark_evans_r, 1000.0 / 275, 3.64 * 1e-4);
    assert_near(c->clark_evans_z, 10.087236, 3.83 * 3.64 * 1e-4);
    pm_layout_free(l);

    /* A layer named as the study area must be there. */
    o.within = "no_such_outline";
    l = (pm_layout *)1;
    assert_true(pm_analysis_layout(&l, ctx, st, &o) < 0);
    assert_null(l);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void clark_evans_without_an_outline_uses_the_hull(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    chips_grid(ctx, "ce_hull.db", 0);
    pm_store *st = open_db(ctx, "ce_hull.db", 0);
    pm_layout_opts o = PM_LAYOUT_OPTS_INIT;
    pm_layout *l = run_layout(ctx, st, &o);
    assert_string_equal(l->study_area, "convex hull of the parks");
    assert_near(group_of(l, "chips")->clark_evans_r, 1000.0 / 275, 3.64 * 1e-4);
    pm_layout_free(l);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* ---- convex-hull ratio -------------------------------------------------------- */

/* U: [0,200]² less the notch [50,150]×[100,200] from the top; its hull is
 * the whole square (every corner is a vertex): 30,000 / 40,000 = 3/4.
 * L: [0,200]² less [100,200]×[100,200]; its hull cuts the missing corner
 * along (200,100)-(100,200), leaving out 5,000 m² of the square: 30,000 /
 * 35,000 = 6/7. Two: the parts [0,100]² and [200,300]×[0,100] of one park,
 * hull [0,300]×[0,100]: 20,000 / 30,000 = 2/3. Box: a square, 1. The
 * areas move by at most perimeter · NOISE · √2 (U: 1,000 m · 2.8 mm =
 * 2.8 m², 1e-4 of its area; its hull 2.3 m², 6e-5), and the scale across
 * 200 m changes by 1e-7: 3e-4 relative holds both with room. */
static void hull_ratio_by_hand(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    gj g = {0};
    const double u[] = {0, 0, 200, 0, 200, 200, 150, 200, 150, 100, 50, 100, 50, 200, 0, 200};
    const size_t nu = 8;
    feature(&g, "\"name\":\"U\",\"industry\":\"a\"", 1, &nu, u);
    const double lshape[] = {1000, 0, 1200, 0, 1200, 100, 1100, 100, 1100, 200, 1000, 200};
    const size_t nl = 6;
    feature(&g, "\"name\":\"L\",\"industry\":\"a\"", 1, &nl, lshape);
    const double two[] = {2000, 0, 2100, 0, 2100, 100, 2000, 100,
                          2200, 0, 2300, 0, 2300, 100, 2200, 100};
    const size_t n2[] = {4, 4};
    feature(&g, "\"name\":\"Two\",\"industry\":\"a\"", 2, n2, two);
    rect(&g, "\"name\":\"Box\",\"industry\":\"a\"", 3000, 0, 3100, 100);
    import_layer(ctx, &g, "hull.db", "parks");
    pm_store *st = open_db(ctx, "hull.db", 0);
    pm_layout_opts o = PM_LAYOUT_OPTS_INIT;
    pm_layout *l = run_layout(ctx, st, &o);
    assert_near(park_of(l, "U")->hull_ratio, 0.75, 0.75 * 3e-4);
    assert_near(park_of(l, "L")->hull_ratio, 6.0 / 7, 6.0 / 7 * 3e-4);
    assert_near(park_of(l, "Two")->hull_ratio, 2.0 / 3, 2.0 / 3 * 3e-4);
    /* The noisy square is still convex: its hull is itself, the same
     * vertices measured the same way, to rounding. */
    assert_near(park_of(l, "Box")->hull_ratio, 1.0, 1e-9);
    pm_layout_free(l);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* ---- land-use mix entropy --------------------------------------------------- */

/* Two uses in the layer, K = 2. West: a [0,100]² and b [100,200]×[0,100]
 * touch: shares 1/2, 1/2, H = -2 (1/2 ln 1/2) / ln 2 = 1. East (4 km
 * away): a [4000,4300]×[0,100] and b [4300,4400]×[0,100]: shares 3/4,
 * 1/4, H = -(3/4 ln 3/4 + 1/4 ln 1/4) / ln 2 = 0.811278124. A lone park
 * 8 km away: one use, 0. A share p moves by at most the relative error of
 * an area, perimeter · NOISE · √2 / area (1.1e-4 for a 100 m square), and
 * dH/dp = log2((1 - p) / p) is 1.58 at p = 1/4 and 0 at 1/2: 5e-4 holds.
 * Clusters of one industry are one use by construction: 0. */
static void mix_entropy_by_hand(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    gj g = {0};
    rect(&g, "\"name\":\"Wa\",\"industry\":\"a\"", 0, 0, 100, 100);
    rect(&g, "\"name\":\"Wb\",\"industry\":\"b\"", 100, 0, 200, 100);
    rect(&g, "\"name\":\"Ea\",\"industry\":\"a\"", 4000, 0, 4300, 100);
    rect(&g, "\"name\":\"Eb\",\"industry\":\"b\"", 4300, 0, 4400, 100);
    rect(&g, "\"name\":\"Lone\",\"industry\":\"a\"", 8000, 0, 8100, 100);
    import_layer(ctx, &g, "mix.db", "parks");
    pm_store *st = open_db(ctx, "mix.db", 1);
    pm_layout_opts o = PM_LAYOUT_OPTS_INIT;
    o.write_table = 1;
    pm_layout *l = run_layout(ctx, st, &o);
    size_t nall = 0;
    for (size_t i = 0; i < l->nclusters; i++) {
        const pm_cluster *c = &l->clusters[i];
        if (strcmp(c->scope, "all") != 0) {
            assert_true(c->mix_entropy == 0);
            continue;
        }
        nall++;
        if (strcmp(c->parks, "Wa | Wb") == 0)
            assert_near(c->mix_entropy, 1.0, 5e-4);
        else if (strcmp(c->parks, "Ea | Eb") == 0)
            assert_near(c->mix_entropy, 0.811278124, 5e-4);
        else
            assert_true(strcmp(c->parks, "Lone") == 0 && c->mix_entropy == 0);
    }
    assert_int_equal(nall, 3);
    /* The clusters table carries it, row for row. */
    pm_cursor *cur = NULL;
    pm_feature f = {0};
    size_t rows = 0;
    assert_int_equal(pm_store_cursor_open(&cur, ctx, st, PM_LAYER_CLUSTERS), 0);
    int kmix = pm_schema_find(pm_cursor_schema(cur), "mix_entropy");
    int kid = pm_schema_find(pm_cursor_schema(cur), "cluster_id");
    assert_true(kmix >= 0 && kid >= 0);
    while (pm_cursor_next(&f, ctx, cur) == 1) {
        double v = NAN, id = 0;
        assert_true(pm_value_as_double(&f.values[kid], &id));
        assert_true(pm_value_as_double(&f.values[kmix], &v));
        for (size_t i = 0; i < l->nclusters; i++)
            if (l->clusters[i].id == (int)id)
                assert_near(v, l->clusters[i].mix_entropy, 1e-12);
        rows++;
        pm_feature_clear(&f);
    }
    pm_cursor_free(cur);
    assert_int_equal(rows, l->nclusters);
    pm_layout_free(l);
    /* Without a by-field there is one use: no mix to measure. */
    o.by = NULL;
    o.write_table = 0;
    l = run_layout(ctx, st, &o);
    assert_true(isnan(l->clusters[0].mix_entropy));
    assert_int_equal(l->ngroups, 0);
    pm_layout_free(l);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* ---- co-location ---------------------------------------------------------------- */

/* Four parks in two touching pairs 5 km apart; with colocation_m 100 the
 * links are the two pairs. Labels a, a, b, b: "together" puts each pair in
 * one industry (share 1), "crossed" gives each pair one of each (share 0).
 * A random relabelling keeps two a and two b: the park paired with the
 * first a is the other a with probability 1/3, so the share is 1 in a third
 * of the relabellings and 0 otherwise: expected 1/3. Counting c
 * relabellings of share 1 among N, expected = c / N, and
 *   together: p = (1 + c) / (1 + N) (only share-1 relabellings reach 1),
 *   crossed:  p = (1 + N) / (1 + N) = 1 (every share is >= 0).
 * Each group's parks have one link each in every labelling, so the
 * groups' figures are the overall ones. */
static pm_store *pairs_db(pm_ctx *ctx, const char *db, int together)
{
    gj g = {0};
    rect(&g, "\"name\":\"P1\",\"industry\":\"a\"", 0, 0, 100, 100);
    if (together)
        rect(&g, "\"name\":\"P2\",\"industry\":\"a\"", 100, 0, 200, 100);
    else
        rect(&g, "\"name\":\"P2\",\"industry\":\"b\"", 100, 0, 200, 100);
    if (together)
        rect(&g, "\"name\":\"P3\",\"industry\":\"b\"", 5000, 0, 5100, 100);
    else
        rect(&g, "\"name\":\"P3\",\"industry\":\"a\"", 5000, 0, 5100, 100);
    rect(&g, "\"name\":\"P4\",\"industry\":\"b\"", 5100, 0, 5200, 100);
    import_layer(ctx, &g, db, "parks");
    return open_db(ctx, db, 0);
}

static void colocation_all_neighbours_share_the_group(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = pairs_db(ctx, "coloc1.db", 1);
    pm_layout_opts o = PM_LAYOUT_OPTS_INIT;
    o.colocation_m = 100;
    pm_layout *l = run_layout(ctx, st, &o);
    double n = o.runs;
    assert_int_equal(l->colocation_runs, 999);
    assert_int_equal(l->colocation_seed, 20221);
    assert_true(l->colocation == 1.0);
    /* c / N with c binomial(999, 1/3): sd 0.015; the seed fixes c. */
    assert_true(l->colocation_expected > 1.0 / 3 - 0.08 && l->colocation_expected < 1.0 / 3 + 0.08);
    double c = l->colocation_expected * n;
    assert_near(c, round(c), 1e-6);
    assert_near(l->colocation_p, (1 + c) / (1 + n), 1e-12);
    assert_true(l->colocation_p >= 1 / (1 + n) && l->colocation_p <= 1);
    const pm_layout_group *a = group_of(l, "a");
    assert_int_equal(a->neighbour_links, 2); /* P1 -> P2 and P2 -> P1 */
    assert_true(a->colocation == 1.0);
    assert_near(a->colocation_expected, l->colocation_expected, 1e-12);
    assert_near(a->colocation_p, l->colocation_p, 1e-12);
    double expected = l->colocation_expected, p = l->colocation_p;
    double bp = group_of(l, "b")->colocation_p;
    pm_layout_free(l);

    /* The same seed: the same figures, to the bit. */
    l = run_layout(ctx, st, &o);
    assert_true(l->colocation_expected == expected && l->colocation_p == p);
    assert_true(group_of(l, "b")->colocation_p == bp);
    pm_layout_free(l);
    /* Another seed: another sample of relabellings. */
    o.seed = 7;
    l = run_layout(ctx, st, &o);
    assert_true(l->colocation_expected != expected);
    assert_true(l->colocation == 1.0);
    pm_layout_free(l);
    /* No relabelling: the observed share, with nothing to compare it to. */
    o.runs = 0;
    l = run_layout(ctx, st, &o);
    assert_true(l->colocation == 1.0);
    assert_true(isnan(l->colocation_expected) && isnan(l->colocation_p));
    assert_true(isnan(group_of(l, "a")->colocation_p));
    pm_layout_free(l);
    /* Neighbours closer than colocation_m only: the pairs touch (0 m) but
     * lie 4,800 to 5,000 m apart (grid; ground 1/k ~ 1.00014 times that),
     * so 4,000 m adds no link and 5,100 m adds all. */
    o.runs = 999;
    o.colocation_m = 4000;
    l = run_layout(ctx, st, &o);
    assert_int_equal(group_of(l, "a")->neighbour_links, 2);
    pm_layout_free(l);
    o.colocation_m = 5100;
    l = run_layout(ctx, st, &o);
    /* Every park is every other's neighbour: 6 links, 2 within a group. */
    assert_int_equal(group_of(l, "a")->neighbour_links, 6);
    assert_near(l->colocation, 2.0 / 6, 1e-12);
    pm_layout_free(l);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void colocation_no_neighbour_shares_the_group(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = pairs_db(ctx, "coloc0.db", 0);
    pm_layout_opts o = PM_LAYOUT_OPTS_INIT;
    o.colocation_m = 100;
    pm_layout *l = run_layout(ctx, st, &o);
    assert_true(l->colocation == 0.0);
    assert_true(l->colocation_p == 1.0);
    assert_true(l->colocation_expected > 1.0 / 3 - 0.08 && l->colocation_expected < 1.0 / 3 + 0.08);
    const pm_layout_group *b = group_of(l, "b");
    assert_int_equal(b->neighbour_links, 2);
    assert_true(b->colocation == 0.0 && b->colocation_p == 1.0);
    pm_layout_free(l);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* Out-of-range indicator options are usage errors. */
static void bad_indicator_options_are_refused(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = pairs_db(ctx, "refuse.db", 1);
    pm_layout_opts o = PM_LAYOUT_OPTS_INIT;
    pm_layout *l = (pm_layout *)1;
    o.colocation_m = -1;
    assert_int_equal(pm_analysis_layout(&l, ctx, st, &o), PM_EUSAGE);
    assert_null(l);
    o.colocation_m = 100;
    o.runs = -1;
    assert_int_equal(pm_analysis_layout(&l, ctx, st, &o), PM_EUSAGE);
    o.runs = 9;
    o.seed = -1;
    assert_int_equal(pm_analysis_layout(&l, ctx, st, &o), PM_EUSAGE);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clark_evans_on_a_grid_in_the_outline),
        cmocka_unit_test(clark_evans_without_an_outline_uses_the_hull),
        cmocka_unit_test(hull_ratio_by_hand),
        cmocka_unit_test(mix_entropy_by_hand),
        cmocka_unit_test(colocation_all_neighbours_share_the_group),
        cmocka_unit_test(colocation_no_neighbour_shares_the_group),
        cmocka_unit_test(bad_indicator_options_are_refused),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
