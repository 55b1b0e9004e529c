/* The analysis module (area, adjacency, qa, check, layout) on small layers
 * whose answers are worked out by hand: squares that share an edge, overlap,
 * leave a gap or meet in a T-junction, in UTM zone 51N (EPSG:32651) near
 * Shanghai, every coordinate moved by up to NOISE so that nothing matches
 * exactly. Each tolerance below is derived from the geometry: the noise,
 * and UTM's point scale k (ground lengths are planar / k, ground areas
 * planar / k²). */
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
/* Each stored coordinate is off by up to this much (metres): below the
 * topology's 5 cm snapping, above floating-point rounding. */
#define NOISE 0.002

/* Not in strict C11 <math.h>. */
#define PI 3.14159265358979323846
#define SQRT2 1.41421356237309504880

/* ---- expected values ------------------------------------------------------ */

/* UTM's point scale at local x: k0 (1 + e²/2R²) with e the distance from
 * the central meridian; the next term (e⁴/24R⁴ ~ 1e-8) and the choice of
 * R (mean radius against the local one, 0.1 %) change k by under 1e-6. */
static double utm_k(double x)
{
    double e = X0 + x - 500000.0, r = 6371000.0;
    return 0.9996 * (1 + e * e / (2 * r * r));
}

/* k varies by under 1e-6 across these layers and its formula is good to
 * 1e-6: 1e-5 relative covers both with room. */
#define K_REL 1e-5

/* Ground area of a planar area centred at local x, and the tolerance for a
 * polygon of the given perimeter: moving each vertex by up to NOISE in x
 * and y moves each edge by up to NOISE·√2, changing the area by at most
 * perimeter · NOISE · √2 (plus a term in NOISE², far smaller). */
static double ground_m2(double planar_m2, double x)
{
    return planar_m2 / (utm_k(x) * utm_k(x));
}

static double area_tol(double m2, double perimeter_m)
{
    return m2 * 2 * K_REL + perimeter_m * NOISE * SQRT2 + 1e-6;
}

/* A length: each end moves by up to NOISE·√2, and snapping moves a node
 * by no more than its vertices' spread. */
static double len_tol(double m)
{
    return m * K_REL + 4 * NOISE * SQRT2;
}

#define assert_near(got, want, tol)                                                                \
    do {                                                                                           \
        double g_ = (got), w_ = (want), t_ = (tol);                                                \
        if (!(fabs(g_ - w_) <= t_))                                                                \
            fail_msg("%s = %.6f, expected %.6f ± %.6f", #got, g_, w_, t_);                         \
    } while (0)

/* ---- building layers ------------------------------------------------------ */

#include "utm_layers.h"

/* Import the collection into db_name as layer and open the database. */
static pm_store *load_layer(pm_ctx *ctx, gj *g, const char *db_name, const char *layer,
                            int writable)
{
    import_layer(ctx, g, db_name, layer);
    pm_store *st = NULL;
    assert_int_equal(pm_store_open(&st, ctx, path(db_name), writable), 0);
    return st;
}

static pm_store *load(pm_ctx *ctx, gj *g, const char *db_name)
{
    return load_layer(ctx, g, db_name, "parks", 0);
}

/* Parks A and B, 100 m squares sharing the 100 m edge x = 100. */
static pm_store *shared_edge(pm_ctx *ctx, const char *db)
{
    gj g = {0};
    rect(&g, "\"name\":\"A\",\"industry\":\"chips\",\"planned_area_km2\":0.01", 0, 0, 100, 100);
    rect(&g, "\"name\":\"B\",\"industry\":\"chips\",\"planned_area_km2\":0.01", 100, 0, 200, 100);
    return load(ctx, &g, db);
}

/* A = [0,100]², B = [60,160]×[0,100]: they overlap on [60,100]×[0,100],
 * 4,000 m²; their union is 16,000 m². */
static pm_store *overlapping(pm_ctx *ctx, const char *db)
{
    gj g = {0};
    rect(&g, "\"name\":\"A\",\"industry\":\"chips\"", 0, 0, 100, 100);
    rect(&g, "\"name\":\"B\",\"industry\":\"bio\"", 60, 0, 160, 100);
    return load(ctx, &g, db);
}

/* A = [0,100]², B = [100+w,200+w]×[0,100]: a strip of ground w wide and
 * 100 m long between them. */
static pm_store *gap_of(pm_ctx *ctx, const char *db, double w)
{
    gj g = {0};
    rect(&g, "\"name\":\"A\"", 0, 0, 100, 100);
    rect(&g, "\"name\":\"B\"", 100 + w, 0, 200 + w, 100);
    return load(ctx, &g, db);
}

/* ---- helpers -------------------------------------------------------------- */

static pm_ctx *new_ctx(void)
{
    pm_ctx *ctx = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    return ctx;
}

/* The one pair of an adjacency with two parks' fids 0 and 1. */
static const pm_adjacency_pair *only_pair(const pm_adjacency *a)
{
    assert_int_equal(a->npairs, 1);
    assert_int_equal(a->pairs[0].a_fid, 0);
    assert_int_equal(a->pairs[0].b_fid, 1);
    return &a->pairs[0];
}

/* The issues of one kind in a QA result. */
static size_t count_kind(const pm_qa *q, const char *kind, const pm_qa_issue **first)
{
    size_t n = 0;
    for (size_t i = 0; i < q->nissues; i++)
        if (strcmp(q->issues[i].kind, kind) == 0 && n++ == 0 && first)
            *first = &q->issues[i];
    return n;
}

static size_t count_problems(const pm_check_report *r, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nproblems; i++)
        n += strcmp(r->problems[i].kind, kind) == 0;
    return n;
}

/* ---- area ----------------------------------------------------------------- */

static void area_of_squares_sharing_an_edge(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = shared_edge(ctx, "area_edge.db");
    pm_area_report *r = NULL;
    pm_area_opts o = PM_AREA_OPTS_INIT;
    assert_int_equal(pm_analysis_area(&r, ctx, st, &o), 0);
    assert_string_equal(r->layer, "parks");
    assert_int_equal(r->srid, 32651);
    assert_int_equal(r->nrows, 2);
    for (size_t i = 0; i < 2; i++) {
        double cx = 50.0 + 100.0 * (double)i;
        assert_string_equal(r->rows[i].name, i ? "B" : "A");
        assert_near(r->rows[i].planar_m2, 10000.0, area_tol(10000, 400));
        assert_near(r->rows[i].ellipsoidal_m2, ground_m2(10000, cx), area_tol(10000, 400));
        assert_near(r->rows[i].planned_km2, 0.01, 1e-12);
    }
    /* No ground is shared: the union is the sum. */
    assert_near(r->sum_planar_m2, 20000.0, area_tol(20000, 800));
    assert_near(r->union_planar_m2, 20000.0, area_tol(20000, 600));
    assert_near(r->union_ellipsoidal_m2, ground_m2(20000, 100), area_tol(20000, 600));
    assert_near(r->planned_km2, 0.02, 1e-12);
    assert_int_equal(r->ngroups, 0);
    pm_area_report_free(r);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void area_union_counts_an_overlap_once(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = overlapping(ctx, "area_overlap.db");
    pm_area_report *r = NULL;
    pm_area_opts o = PM_AREA_OPTS_INIT;
    assert_int_equal(pm_analysis_area(&r, ctx, st, &o), 0);
    assert_near(r->sum_ellipsoidal_m2, ground_m2(20000, 80), area_tol(20000, 800));
    assert_near(r->union_ellipsoidal_m2, ground_m2(16000, 80), area_tol(16000, 520));
    /* No planned areas in this layer. */
    assert_true(isnan(r->planned_km2));
    assert_true(isnan(r->rows[0].planned_km2));
    pm_area_report_free(r);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void area_grouped_by_a_field(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    gj g = {0};
    /* chips: 100×100 and 50×100 with planned areas; bio: 100×200 without. */
    rect(&g, "\"name\":\"A\",\"industry\":\"chips\",\"planned_area_km2\":0.01", 0, 0, 100, 100);
    rect(&g, "\"name\":\"B\",\"industry\":\"bio\"", 300, 0, 400, 200);
    rect(&g, "\"name\":\"C\",\"industry\":\"chips\",\"planned_area_km2\":0.005", 600, 0, 650, 100);
    pm_store *st = load(ctx, &g, "area_groups.db");
    pm_area_report *r = NULL;
    pm_area_opts o = PM_AREA_OPTS_INIT;
    o.group_by = "industry";
    assert_int_equal(pm_analysis_area(&r, ctx, st, &o), 0);
    assert_int_equal(r->ngroups, 2);
    const pm_area_group *chips = NULL, *bio = NULL;
    for (size_t i = 0; i < r->ngroups; i++) {
        if (strcmp(r->groups[i].key, "chips") == 0)
            chips = &r->groups[i];
        if (strcmp(r->groups[i].key, "bio") == 0)
            bio = &r->groups[i];
    }
    assert_non_null(chips);
    assert_non_null(bio);
    assert_int_equal(chips->count, 2);
    assert_int_equal(bio->count, 1);
    assert_near(chips->planar_m2, 15000.0, area_tol(15000, 700));
    assert_near(bio->planar_m2, 20000.0, area_tol(20000, 600));
    assert_near(chips->planned_km2, 0.015, 1e-12);
    assert_true(isnan(bio->planned_km2));
    /* A planned total from the parks that have one. */
    assert_near(r->planned_km2, 0.015, 1e-12);
    pm_area_report_free(r);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void area_on_the_boundary_graph_agrees(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = overlapping(ctx, "area_graph.db");
    pm_topology *t = NULL;
    pm_topology_opts to = PM_TOPOLOGY_OPTS_INIT;
    assert_int_equal(pm_topology_build(&t, ctx, st, &to), 0);
    pm_area_report *r = NULL;
    pm_area_opts o = PM_AREA_OPTS_INIT;
    o.topology = t;
    assert_int_equal(pm_analysis_area(&r, ctx, st, &o), 0);
    assert_int_equal(r->nrows, 2);
    /* Snapping moves vertices by no more than their noise: the same
     * tolerances as on the stored geometry. */
    assert_near(r->rows[0].planar_m2, 10000.0, area_tol(10000, 400));
    assert_near(r->rows[1].ellipsoidal_m2, ground_m2(10000, 110), area_tol(10000, 400));
    assert_near(r->union_ellipsoidal_m2, ground_m2(16000, 80), area_tol(16000, 520));
    pm_area_report_free(r);
    pm_topology_free(t);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* ---- adjacency ------------------------------------------------------------ */

static void adjacency_shared_edge(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = shared_edge(ctx, "adj_edge.db");
    pm_adjacency *a = NULL;
    pm_adjacency_opts o = PM_ADJACENCY_OPTS_INIT;
    assert_int_equal(pm_analysis_adjacency(&a, ctx, st, &o), 0);
    const pm_adjacency_pair *p = only_pair(a);
    assert_int_equal(p->relation, PM_REL_EDGE);
    assert_string_equal(pm_relation_name(p->relation), "shares_edge");
    assert_string_equal(p->a_name, "A");
    assert_string_equal(p->b_name, "B");
    assert_near(p->shared_m, 100.0 / utm_k(100), len_tol(100));
    assert_near(p->overlap_m2, 0.0, 1.0);
    assert_near(p->distance_m, 0.0, 1e-12);
    assert_int_equal(a->ncorner, 0);
    pm_adjacency_free(a);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void adjacency_overlap_area(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = overlapping(ctx, "adj_overlap.db");
    pm_adjacency *a = NULL;
    pm_adjacency_opts o = PM_ADJACENCY_OPTS_INIT;
    assert_int_equal(pm_analysis_adjacency(&a, ctx, st, &o), 0);
    const pm_adjacency_pair *p = only_pair(a);
    assert_int_equal(p->relation, PM_REL_OVERLAP);
    /* [60,100]×[0,100]: 4,000 m², perimeter 280 m. */
    assert_near(p->overlap_m2, ground_m2(4000, 80), area_tol(4000, 280));
    assert_near(p->distance_m, 0.0, 1e-12);
    pm_adjacency_free(a);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void adjacency_corner_only_is_not_adjacency(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    gj g = {0};
    rect(&g, "\"name\":\"A\"", 0, 0, 100, 100);
    rect(&g, "\"name\":\"B\"", 100, 100, 200, 200); /* meets A at (100, 100) only */
    pm_store *st = load(ctx, &g, "adj_corner.db");
    pm_adjacency *a = NULL;
    pm_adjacency_opts o = PM_ADJACENCY_OPTS_INIT;
    assert_int_equal(pm_analysis_adjacency(&a, ctx, st, &o), 0);
    assert_int_equal(a->npairs, 0);
    assert_int_equal(a->ncorner, 1);
    assert_int_equal(a->corner[0].relation, PM_REL_CORNER);
    assert_near(a->corner[0].shared_m, 0.0, 1e-9);
    pm_adjacency_free(a);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void adjacency_gap_within_a_tolerance(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = gap_of(ctx, "adj_gap.db", 2.0);
    pm_adjacency *a = NULL;
    pm_adjacency_opts o = PM_ADJACENCY_OPTS_INIT;
    /* 2 m apart: no contact at the default snapping ... */
    assert_int_equal(pm_analysis_adjacency(&a, ctx, st, &o), 0);
    assert_int_equal(a->npairs + a->ncorner, 0);
    pm_adjacency_free(a);
    /* ... near within 5 m, along the 100 m the squares face each other. */
    o.tolerance_m = 5.0;
    assert_int_equal(pm_analysis_adjacency(&a, ctx, st, &o), 0);
    const pm_adjacency_pair *p = only_pair(a);
    assert_int_equal(p->relation, PM_REL_NEAR);
    assert_string_equal(pm_relation_name(p->relation), "within_tolerance");
    assert_near(p->distance_m, 2.0 / utm_k(101), len_tol(2));
    assert_near(p->shared_m, 100.0 / utm_k(101), len_tol(100));
    pm_adjacency_free(a);
    /* ... and not within 1 m. */
    o.tolerance_m = 1.0;
    assert_int_equal(pm_analysis_adjacency(&a, ctx, st, &o), 0);
    assert_int_equal(a->npairs, 0);
    pm_adjacency_free(a);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* A big square B = [0,200]² with, along its east edge (which has no vertex
 * at y = 100), two small squares S1 = [200,300]×[0,100] and S2 above it:
 * each shares 100 m with B, and 100 m (y = 100) with the other. */
static void adjacency_t_junction(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    gj g = {0};
    rect(&g, "\"name\":\"B\"", 0, 0, 200, 200);
    rect(&g, "\"name\":\"S1\"", 200, 0, 300, 100);
    rect(&g, "\"name\":\"S2\"", 200, 100, 300, 200);
    pm_store *st = load(ctx, &g, "adj_t.db");
    pm_adjacency *a = NULL;
    pm_adjacency_opts o = PM_ADJACENCY_OPTS_INIT;
    assert_int_equal(pm_analysis_adjacency(&a, ctx, st, &o), 0);
    assert_int_equal(a->npairs, 3);
    assert_int_equal(a->ncorner, 0);
    const int64_t want[3][2] = {{0, 1}, {0, 2}, {1, 2}};
    const double mid_x[3] = {200, 200, 250};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(a->pairs[i].a_fid, want[i][0]);
        assert_int_equal(a->pairs[i].b_fid, want[i][1]);
        assert_int_equal(a->pairs[i].relation, PM_REL_EDGE);
        assert_near(a->pairs[i].shared_m, 100.0 / utm_k(mid_x[i]), len_tol(100));
    }
    pm_adjacency_free(a);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void adjacency_writes_its_table(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    gj g = {0};
    rect(&g, "\"name\":\"A\"", 0, 0, 100, 100);
    rect(&g, "\"name\":\"B\"", 100, 0, 200, 100);   /* edge with A */
    rect(&g, "\"name\":\"C\"", 200, 100, 300, 200); /* corner with B */
    pm_store *st = load_layer(ctx, &g, "adj_table.db", "parks", 1);
    pm_adjacency *a = NULL;
    pm_adjacency_opts o = PM_ADJACENCY_OPTS_INIT;
    o.write_table = 1;
    assert_int_equal(pm_analysis_adjacency(&a, ctx, st, &o), 0);
    assert_int_equal(a->npairs, 1);
    assert_int_equal(a->ncorner, 1);
    long count = -1;
    double bb[4];
    assert_int_equal(pm_store_layer_stats(&count, bb, ctx, st, PM_LAYER_ADJACENCY), 0);
    assert_int_equal(count, 2); /* the corner contact is a row too */
    /* The shared boundary line is the edge x = 100 (0 ≤ y ≤ 100). */
    assert_near(bb[0], X0 + 100, 4 * NOISE);
    assert_near(bb[2], X0 + 100, 4 * NOISE);
    pm_adjacency_free(a);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* ---- topology QA ---------------------------------------------------------- */

static void qa_clean_partition_has_no_findings(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = shared_edge(ctx, "qa_clean.db");
    pm_qa *q = NULL;
    pm_qa_opts o = PM_QA_OPTS_INIT;
    assert_int_equal(pm_analysis_qa(&q, ctx, st, &o), 0);
    assert_int_equal(q->nissues, 0);
    assert_int_equal(q->srid, 32651);
    assert_non_null(q->topology);
    pm_qa_free(q);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void qa_overlap(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = overlapping(ctx, "qa_overlap.db");
    pm_qa *q = NULL;
    pm_qa_opts o = PM_QA_OPTS_INIT;
    assert_int_equal(pm_analysis_qa(&q, ctx, st, &o), 0);
    const pm_qa_issue *is = NULL;
    assert_int_equal(count_kind(q, "overlap", &is), 1);
    assert_int_equal(count_kind(q, "duplicate", NULL), 0);
    assert_string_equal(is->parks, "A | B");
    assert_string_equal(is->fids, "0,1");
    assert_string_equal(is->unit, "m2");
    assert_near(is->measure, ground_m2(4000, 80), area_tol(4000, 280));
    /* Where: the overlap [60,100]×[0,100]. */
    double x0, y0, x1, y1;
    assert_non_null(is->geom);
    assert_int_equal(pm_geom_bbox(is->geom, &x0, &y0, &x1, &y1), 1);
    assert_near(x0, X0 + 60, 4 * NOISE);
    assert_near(x1, X0 + 100, 4 * NOISE);
    assert_near(y0, Y0, 4 * NOISE);
    assert_near(y1, Y0 + 100, 4 * NOISE);
    pm_qa_free(q);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void qa_duplicate(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    gj g = {0};
    /* The same square twice (with different noise): 100 % in common. */
    rect(&g, "\"name\":\"A\"", 0, 0, 100, 100);
    rect(&g, "\"name\":\"A again\"", 0, 0, 100, 100);
    pm_store *st = load(ctx, &g, "qa_dup.db");
    pm_qa *q = NULL;
    pm_qa_opts o = PM_QA_OPTS_INIT;
    assert_int_equal(pm_analysis_qa(&q, ctx, st, &o), 0);
    const pm_qa_issue *is = NULL;
    assert_int_equal(count_kind(q, "duplicate", &is), 1);
    assert_int_equal(count_kind(q, "overlap", NULL), 0);
    assert_near(is->measure, ground_m2(10000, 50), area_tol(10000, 400));
    pm_qa_free(q);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void qa_gap_and_near_miss(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = gap_of(ctx, "qa_gap.db", 2.0);
    pm_qa *q = NULL;
    pm_qa_opts o = PM_QA_OPTS_INIT; /* gap_m 5 */
    assert_int_equal(pm_analysis_qa(&q, ctx, st, &o), 0);
    const pm_qa_issue *gap = NULL, *near = NULL;
    assert_int_equal(count_kind(q, "gap", &gap), 1);
    assert_int_equal(count_kind(q, "near_miss", &near), 1);
    /* The strip [100,102]×[0,100]: 200 m², 2 m wide, 100 m long (half its
     * 204 m perimeter less its width), between A and B. */
    assert_string_equal(gap->fids, "0,1");
    assert_string_equal(gap->parks, "A | B");
    assert_near(gap->area_m2, ground_m2(200, 101), area_tol(200, 204));
    assert_near(gap->measure, gap->area_m2, 1e-9);
    /* The inscribed circle is found to 1 % above the true width. */
    assert_true(gap->width_m >= 2.0 / utm_k(101) - len_tol(2));
    assert_true(gap->width_m <= 1.01 * 2.0 / utm_k(101) + len_tol(2));
    assert_near(gap->length_m, 100.0 / utm_k(101), len_tol(100) + 0.02);
    double x0, y0, x1, y1;
    assert_int_equal(pm_geom_bbox(gap->geom, &x0, &y0, &x1, &y1), 1);
    assert_near(x0, X0 + 100, 4 * NOISE);
    assert_near(x1, X0 + 102, 4 * NOISE);
    assert_near(y0, Y0, 4 * NOISE);
    assert_near(y1, Y0 + 100, 4 * NOISE);
    /* The two boundaries run 2 m apart for 100 m without meeting. */
    assert_string_equal(near->unit, "m");
    assert_near(near->measure, 2.0 / utm_k(101), len_tol(2));
    assert_near(near->length_m, 100.0 / utm_k(101), len_tol(100));
    pm_qa_free(q);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void qa_ignores_ground_wider_than_gap_m(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = gap_of(ctx, "qa_wide.db", 8.0);
    pm_qa *q = NULL;
    pm_qa_opts o = PM_QA_OPTS_INIT; /* gap_m 5 < 8 */
    assert_int_equal(pm_analysis_qa(&q, ctx, st, &o), 0);
    assert_int_equal(q->nissues, 0);
    pm_qa_free(q);
    /* With gap_m above the 8 m, the same strip is a gap of 800 m². */
    o.gap_m = 10.0;
    assert_int_equal(pm_analysis_qa(&q, ctx, st, &o), 0);
    const pm_qa_issue *gap = NULL;
    assert_int_equal(count_kind(q, "gap", &gap), 1);
    assert_near(gap->area_m2, ground_m2(800, 104), area_tol(800, 216));
    pm_qa_free(q);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void qa_small_part(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    gj g = {0};
    /* A 100 m square with a detached 10 m one (100 m², under 1,000). */
    const double pts[] = {0, 0, 100, 0, 100, 100, 0, 100, 150, 0, 160, 0, 160, 10, 150, 10};
    const size_t counts[] = {4, 4};
    feature(&g, "\"name\":\"A\"", 2, counts, pts);
    pm_store *st = load(ctx, &g, "qa_part.db");
    pm_qa *q = NULL;
    pm_qa_opts o = PM_QA_OPTS_INIT;
    assert_int_equal(pm_analysis_qa(&q, ctx, st, &o), 0);
    const pm_qa_issue *is = NULL;
    assert_int_equal(count_kind(q, "small_part", &is), 1);
    assert_string_equal(is->parks, "A");
    assert_near(is->measure, ground_m2(100, 155), area_tol(100, 40));
    pm_qa_free(q);
    /* Under a 50 m² threshold the part is not small. */
    o.min_part_m2 = 50;
    assert_int_equal(pm_analysis_qa(&q, ctx, st, &o), 0);
    assert_int_equal(count_kind(q, "small_part", NULL), 0);
    pm_qa_free(q);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void qa_invalid_geometry_stops_before_the_graph(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    gj g = {0};
    /* A bow tie: its edges cross at (50, 50). */
    const double pts[] = {0, 0, 100, 100, 100, 0, 0, 100};
    const size_t n = 4;
    feature(&g, "\"name\":\"bow\"", 1, &n, pts);
    rect(&g, "\"name\":\"B\"", 100, 0, 200, 100);
    pm_store *st = load(ctx, &g, "qa_invalid.db");
    pm_qa *q = NULL;
    pm_qa_opts o = PM_QA_OPTS_INIT;
    assert_int_equal(pm_analysis_qa(&q, ctx, st, &o), 0);
    const pm_qa_issue *is = NULL;
    assert_int_equal(count_kind(q, "invalid_geometry", &is), 1);
    assert_string_equal(is->parks, "bow");
    assert_string_equal(is->fids, "0");
    assert_null(q->topology);
    assert_int_equal(q->nissues, 1);
    pm_qa_free(q);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* ---- validity and repair (topology, in C) ----------------------------------- */

/* A feature whose rings are lists of indices into pts (local metres); each
 * distinct point gets its noise once, so a ring that comes back to one of
 * its vertices (a self-touch) touches exactly, noise or not. */
static void feature_ix(gj *g, const char *props, const double *pts, size_t npts, size_t nrings,
                       const size_t *counts, const int *ix)
{
    double *xy = malloc(2 * npts * sizeof *xy);
    assert_non_null(xy);
    for (size_t i = 0; i < npts; i++) {
        xy[2 * i] = X0 + pts[2 * i] + jitter(g);
        xy[2 * i + 1] = Y0 + pts[2 * i + 1] + jitter(g);
    }
    gj_add(g,
           "%s{\"type\":\"Feature\",\"properties\":{%s},\"geometry\":{\"type\":"
           "\"Polygon\",\"coordinates\":[",
           g->nfeatures++ ? "," : "", props);
    for (size_t r = 0; r < nrings; r++) {
        gj_add(g, "%s[", r ? "," : "");
        for (size_t i = 0; i < counts[r]; i++, ix++)
            gj_add(g, "[%.4f,%.4f],", xy[2 * *ix], xy[2 * *ix + 1]);
        gj_add(g, "[%.4f,%.4f]]", xy[2 * ix[-(long)counts[r]]], xy[2 * ix[-(long)counts[r]] + 1]);
    }
    gj_add(g, "]}}");
    free(xy);
}

/* Planar area of a polygon geometry (holes subtracted), storage units². */
static double planar_area(const pm_geom *g)
{
    double a = 0;
    for (size_t p = 0; g && p < g->nparts; p++)
        for (size_t r = 0; r < g->parts[p].nrings; r++) {
            const pm_ring *ring = &g->parts[p].rings[r];
            double s = 0;
            for (size_t i = 0; i + 1 < ring->n; i++)
                s += ring->xy[2 * i] * ring->xy[2 * i + 3] -
                     ring->xy[2 * i + 2] * ring->xy[2 * i + 1];
            a += r == 0 ? fabs(s) / 2 : -fabs(s) / 2;
        }
    return a;
}

/* Four parks, three invalid by hand:
 *  0 Bow: a bow-tie over [0,100]², edges crossing at (50, 50); its area as
 *    two triangles is 2 · 2,500 = 5,000 m².
 *  1 Touch: the square [200,300]×[0,100] whose shell comes back to its
 *    vertex (250, 100) around the clockwise triangle (250,100) (270,50)
 *    (230,50): an inverted hole (a ring self-touch); the square less the
 *    triangle (½ · 40 · 50 = 1,000) is 9,000 m².
 *  2 HoleOut: the square [400,500]×[0,100] with a hole [450,550]×[20,80]
 *    half outside it; the shell less the hole's inner half is 7,000 m²
 *    (GEOS's 'linework' repair would give 10,000: the outer half, 3,000,
 *    turned into land).
 *  3 Fine: a valid square. */
static pm_store *invalid_layer(pm_ctx *ctx, const char *db, int writable)
{
    gj g = {0};
    const double bow[] = {0, 0, 100, 100, 100, 0, 0, 100};
    const size_t nbow = 4;
    feature(&g, "\"name\":\"Bow\"", 1, &nbow, bow);
    const double touch[] = {200, 0, 300, 0, 300, 100, 250, 100, 270, 50, 230, 50, 200, 100};
    const int touch_ix[] = {0, 1, 2, 3, 4, 5, 3, 6};
    const size_t ntouch = 8;
    feature_ix(&g, "\"name\":\"Touch\"", touch, 7, 1, &ntouch, touch_ix);
    const double hole[] = {400, 0, 500, 0, 500, 100, 400, 100, 450, 20, 450, 80, 550, 80, 550, 20};
    const int hole_ix[] = {0, 1, 2, 3, 4, 5, 6, 7};
    const size_t nhole[] = {4, 4};
    feature_ix(&g, "\"name\":\"HoleOut\"", hole, 8, 2, nhole, hole_ix);
    rect(&g, "\"name\":\"Fine\"", 600, 0, 700, 100);
    return load_layer(ctx, &g, db, "parks", writable);
}

static void validity_reasons_and_markers(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = invalid_layer(ctx, "valid_c.db", 0);
    pm_invalid_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(pm_topology_invalid(&rows, &n, ctx, st, "parks"), 0);
    assert_int_equal(n, 3);
    const char *names[] = {"Bow", "Touch", "HoleOut"};
    const char *reasons[] = {"Self-intersection[", "Ring Self-intersection[", "Self-intersection["};
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rows[i].fid, (int64_t)i);
        assert_string_equal(rows[i].name, names[i]);
        if (strncmp(rows[i].reason, reasons[i], strlen(reasons[i])) != 0)
            fail_msg("%s: reason %s", names[i], rows[i].reason);
        assert_non_null(rows[i].where);
    }
    /* The location GEOS reports, quoted in the reason as "[x y]". */
    double x = 0, y = 0;
    assert_int_equal(sscanf(strchr(rows[0].reason, '[') + 1, "%lf %lf", &x, &y), 2);
    assert_near(x - X0, 50, 4 * NOISE);
    assert_near(y - Y0, 50, 4 * NOISE);
    assert_int_equal(sscanf(strchr(rows[1].reason, '[') + 1, "%lf %lf", &x, &y), 2);
    assert_near(x - X0, 250, NOISE);
    assert_near(y - Y0, 100, NOISE);
    /* The marker: 10 ground metres, 10·k storage units, 30 segments per
     * quadrant (a 120-gon: π r² · sin(2π/120) / (2π/120)). */
    const pm_geom *m = rows[0].where;
    double r = 10 * utm_k(50), want = PI * r * r * sin(2 * PI / 120) / (2 * PI / 120);
    assert_int_equal(m->nparts, 1);
    assert_int_equal(m->parts[0].rings[0].n, 121);
    assert_near(planar_area(m), want, want * 1e-4);
    double bx0, by0, bx1, by1;
    assert_true(pm_geom_bbox(m, &bx0, &by0, &bx1, &by1));
    assert_near((bx0 + bx1) / 2 - X0, 50, 4 * NOISE);
    assert_near((by0 + by1) / 2 - Y0, 50, 4 * NOISE);
    pm_invalid_rows_free(rows, n);
    /* Repair needs a writable store. */
    assert_int_equal(pm_topology_make_valid(&rows, &n, ctx, st, "parks"), PM_EIO);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void make_valid_repairs_in_place(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = invalid_layer(ctx, "valid_fix.db", 1);
    pm_invalid_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(pm_topology_make_valid(&rows, &n, ctx, st, "parks"), 0);
    assert_int_equal(n, 3);
    assert_string_equal(rows[2].name, "HoleOut");
    assert_non_null(strstr(rows[2].reason, "Self-intersection"));
    pm_invalid_rows_free(rows, n);
    assert_int_equal(pm_store_close(ctx, st), 0);

    /* Stored: every park valid, with the areas worked out by hand. */
    assert_int_equal(pm_store_open(&st, ctx, path("valid_fix.db"), 0), 0);
    assert_int_equal(pm_topology_invalid(&rows, &n, ctx, st, "parks"), 0);
    assert_int_equal(n, 0);
    pm_cursor *cur = NULL;
    pm_feature f;
    memset(&f, 0, sizeof f);
    const double want[] = {5000, 9000, 7000, 10000};
    const double perim[] = {400 + 200 * SQRT2, 400 + 2 * sqrt(20 * 20 + 50 * 50) + 40, 720, 400};
    const size_t parts[] = {2, 1, 1, 1};
    assert_int_equal(pm_store_cursor_open_fields(&cur, ctx, st, "parks", NULL, 0), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pm_cursor_next(&f, ctx, cur), 1);
        assert_int_equal(f.fid, i);
        assert_non_null(f.geom);
        if (f.geom->nparts != parts[i])
            fail_msg("park %d: %zu parts (area %.3f), expected %zu", i, f.geom->nparts,
                     planar_area(f.geom), parts[i]);
        assert_near(planar_area(f.geom), want[i], perim[i] * NOISE * SQRT2 + 1e-6);
        int valid = 0;
        assert_int_equal(pm_topology_geom_valid(&valid, NULL, NULL, ctx, f.geom), 0);
        assert_true(valid);
        pm_feature_clear(&f);
        memset(&f, 0, sizeof f);
    }
    assert_int_equal(pm_cursor_next(&f, ctx, cur), 0);
    pm_cursor_free(cur);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* The same functions on geometries built in memory (no store). */
static void geom_validity_by_hand(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    double xy[] = {0, 0, 10, 10, 10, 0, 0, 10, 0, 0};
    pm_ring ring = {5, xy};
    pm_part part = {1, &ring};
    pm_geom bow = {PM_GEOM_POLYGON, 1, &part};
    int valid = 1;
    char *why = NULL;
    double at[2];
    assert_int_equal(pm_topology_geom_valid(&valid, &why, at, ctx, &bow), 0);
    assert_false(valid);
    assert_string_equal(why, "Self-intersection[5 5]");
    assert_near(at[0], 5, 1e-12);
    assert_near(at[1], 5, 1e-12);
    free(why);
    pm_geom *fixed = NULL;
    assert_int_equal(pm_topology_geom_repair(&fixed, ctx, &bow), 0);
    assert_non_null(fixed);
    assert_int_equal(fixed->nparts, 2);
    assert_near(planar_area(fixed), 50, 1e-9);
    pm_geom_free(fixed);
    /* Two holes overlapping by 20 × 20: the land is the shell less their
     * union, 10,000 − (2,500 + 2,500 − 400) = 5,400 ('linework' would make
     * their overlap land again: 5,800). */
    double sq[] = {0, 0, 100, 0, 100, 100, 0, 100, 0, 0};
    double h1[] = {10, 10, 10, 60, 60, 60, 60, 10, 10, 10};
    double h2[] = {40, 40, 40, 90, 90, 90, 90, 40, 40, 40};
    pm_ring rings[] = {{5, sq}, {5, h1}, {5, h2}};
    pm_part holed = {3, rings};
    pm_geom holes = {PM_GEOM_POLYGON, 1, &holed};
    assert_int_equal(pm_topology_geom_valid(&valid, &why, NULL, ctx, &holes), 0);
    assert_false(valid);
    free(why);
    assert_int_equal(pm_topology_geom_repair(&fixed, ctx, &holes), 0);
    assert_non_null(fixed);
    assert_near(planar_area(fixed), 5400, 1e-9);
    pm_geom_free(fixed);
    /* No geometry: invalid, nothing to repair. */
    assert_int_equal(pm_topology_geom_valid(&valid, &why, at, ctx, NULL), 0);
    assert_false(valid);
    assert_string_equal(why, "invalid");
    assert_true(isnan(at[0]));
    free(why);
    assert_int_equal(pm_topology_geom_repair(&fixed, ctx, NULL), 0);
    assert_null(fixed);
    /* A ring folded onto itself (zero area): nothing polygonal is left. */
    double flat[] = {0, 0, 10, 0, 20, 0, 0, 0};
    pm_ring fring = {4, flat};
    pm_part fpart = {1, &fring};
    pm_geom fold = {PM_GEOM_POLYGON, 1, &fpart};
    assert_int_equal(pm_topology_geom_valid(&valid, NULL, NULL, ctx, &fold), 0);
    assert_false(valid);
    assert_int_equal(pm_topology_geom_repair(&fixed, ctx, &fold), 0);
    assert_null(fixed);
    pm_ctx_free(ctx);
}

/* ---- the target check ----------------------------------------------------- */

/* Two parks sharing an edge: 20,000 m² of planar area, 1/k² more on the
 * ground. */
static double shared_edge_km2(void)
{
    return ground_m2(20000, 100) / 1e6;
}

static void check_passes_within_tolerance(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = shared_edge(ctx, "check_pass.db");
    pm_check_report *r = NULL;
    pm_check_opts o = PM_CHECK_OPTS_INIT;
    o.target_km2 = 0.02; /* the measured figure is 0.03 % above */
    assert_int_equal(pm_analysis_check(&r, ctx, st, &o), 0);
    assert_true(r->pass);
    assert_int_equal(r->nproblems, 0);
    assert_near(r->measured_km2, shared_edge_km2(), area_tol(20000, 600) / 1e6);
    assert_near(r->diff_km2, r->measured_km2 - 0.02, 1e-12);
    assert_near(r->diff_pct, 100 * (shared_edge_km2() - 0.02) / 0.02,
                100 * area_tol(20000, 600) / 20000);
    assert_non_null(r->area);
    assert_non_null(r->qa);
    assert_non_null(r->adjacency);
    assert_int_equal(r->adjacency->npairs, 1);
    pm_check_report_free(r);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void check_total_mismatch(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = shared_edge(ctx, "check_total.db");
    pm_check_report *r = NULL;
    pm_check_opts o = PM_CHECK_OPTS_INIT;
    o.target_km2 = 0.03; /* a third more than drawn: -33 % */
    assert_int_equal(pm_analysis_check(&r, ctx, st, &o), 0);
    assert_false(r->pass);
    assert_int_equal(r->nproblems, 1);
    assert_int_equal(count_problems(r, "total_mismatch"), 1);
    assert_near(r->diff_km2, shared_edge_km2() - 0.03, area_tol(20000, 600) / 1e6);
    pm_check_report_free(r);
    /* The same layer passes once the tolerance takes the difference in. */
    o.tolerance_pct = 40;
    assert_int_equal(pm_analysis_check(&r, ctx, st, &o), 0);
    assert_true(r->pass);
    pm_check_report_free(r);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void check_overlap_is_double_counting(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = overlapping(ctx, "check_overlap.db");
    pm_check_report *r = NULL;
    pm_check_opts o = PM_CHECK_OPTS_INIT;
    o.target_km2 = ground_m2(16000, 80) / 1e6; /* the union: the total is right */
    assert_int_equal(pm_analysis_check(&r, ctx, st, &o), 0);
    assert_false(r->pass);
    assert_int_equal(count_problems(r, "total_mismatch"), 0);
    assert_int_equal(count_problems(r, "overlap"), 1);
    assert_int_equal(count_problems(r, "double_counting"), 1);
    /* The union, not the sum, is what the check measured. */
    assert_near(r->measured_km2, o.target_km2, area_tol(16000, 520) / 1e6);
    /* The sum exceeds the union by the overlap. */
    assert_near(r->area->sum_ellipsoidal_m2 - r->area->union_ellipsoidal_m2, ground_m2(4000, 80),
                area_tol(4000, 280) + area_tol(20000, 800));
    pm_check_report_free(r);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void check_park_against_its_planned_area(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    gj g = {0};
    /* A is planned at 0.01 km² and drawn at 0.01; B planned at 0.02 and
     * drawn at 0.01: -50 %. */
    rect(&g, "\"name\":\"A\",\"planned_area_km2\":0.01", 0, 0, 100, 100);
    rect(&g, "\"name\":\"B\",\"planned_area_km2\":0.02", 100, 0, 200, 100);
    pm_store *st = load(ctx, &g, "check_park.db");
    pm_check_report *r = NULL;
    pm_check_opts o = PM_CHECK_OPTS_INIT;
    o.target_km2 = 0.02;
    assert_int_equal(pm_analysis_check(&r, ctx, st, &o), 0);
    assert_false(r->pass);
    assert_int_equal(r->nproblems, 1);
    assert_string_equal(r->problems[0].kind, "park_area_mismatch");
    assert_string_equal(r->problems[0].parks, "B");
    pm_check_report_free(r);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void check_qa_layer_is_the_checked_layer(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    gj g = {0};
    rect(&g, "\"name\":\"A\"", 0, 0, 100, 100);
    rect(&g, "\"name\":\"B\"", 60, 0, 160, 100);
    pm_store *st = load_layer(ctx, &g, "check_layer.db", "zones", 0);
    pm_check_report *r = NULL;
    pm_check_opts o = PM_CHECK_OPTS_INIT;
    o.layer = "zones";
    o.target_km2 = 0.016;
    /* Left unset, the QA runs on the checked layer (and finds its overlap). */
    assert_null(o.qa.layer);
    assert_int_equal(pm_analysis_check(&r, ctx, st, &o), 0);
    assert_int_equal(count_problems(r, "overlap"), 1);
    pm_check_report_free(r);
    /* Named the same, also. */
    o.qa.layer = "zones";
    assert_int_equal(pm_analysis_check(&r, ctx, st, &o), 0);
    assert_int_equal(count_problems(r, "overlap"), 1);
    pm_check_report_free(r);
    /* Another layer is refused, not silently replaced. */
    o.qa.layer = "parks";
    r = (pm_check_report *)1;
    assert_int_equal(pm_analysis_check(&r, ctx, st, &o), PM_EUSAGE);
    assert_null(r);
    assert_non_null(strstr(pm_ctx_why(ctx), "parks"));
    assert_non_null(strstr(pm_ctx_why(ctx), "zones"));
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* ---- layout --------------------------------------------------------------- */

/* A [0,100]² and B [300,400]×[0,100] (chips, 200 m apart), C [0,100]×
 * [1000,1200] (bio, 900 m above A), D [2000,2100]×[0,100] (chips, 1,600 m
 * east of B). */
static pm_store *four_parks(pm_ctx *ctx, const char *db)
{
    gj g = {0};
    rect(&g, "\"name\":\"A\",\"industry\":\"chips\",\"enterprises\":3", 0, 0, 100, 100);
    rect(&g, "\"name\":\"B\",\"industry\":\"chips\",\"enterprises\":4", 300, 0, 400, 100);
    rect(&g, "\"name\":\"C\",\"industry\":\"bio\"", 0, 1000, 100, 1200);
    rect(&g, "\"name\":\"D\",\"industry\":\"chips\"", 2000, 0, 2100, 100);
    return load(ctx, &g, db);
}

static const pm_cluster *cluster_of(const pm_layout *l, const char *scope, const char *parks)
{
    for (size_t i = 0; i < l->nclusters; i++)
        if (strcmp(l->clusters[i].scope, scope) == 0 && strcmp(l->clusters[i].parks, parks) == 0)
            return &l->clusters[i];
    fail_msg("no cluster %s in scope %s", parks, scope);
    return NULL;
}

static void layout_clusters_within_cluster_m(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = four_parks(ctx, "layout_clusters.db");
    pm_layout *l = NULL;
    pm_layout_opts o = PM_LAYOUT_OPTS_INIT; /* 500 m, by industry */
    assert_int_equal(pm_analysis_layout(&l, ctx, st, &o), 0);
    assert_int_equal(l->nparks, 4);
    /* All parks: {A, B} (200 m), {C} (900 m from A), {D} (1,600 m). */
    size_t nall = 0;
    for (size_t i = 0; i < l->nclusters; i++)
        nall += strcmp(l->clusters[i].scope, "all") == 0;
    assert_int_equal(nall, 3);
    const pm_cluster *ab = cluster_of(l, "all", "A | B");
    assert_int_equal(ab->nparks, 2);
    assert_near(ab->area_m2, ground_m2(10000, 50) + ground_m2(10000, 350), area_tol(20000, 800));
    assert_near(ab->enterprises, 7, 1e-12);
    const pm_cluster *c = cluster_of(l, "all", "C");
    assert_true(isnan(c->enterprises)); /* none known */
    assert_near(c->area_m2, ground_m2(20000, 50), area_tol(20000, 600));
    /* A and B are one cluster in scope "all"; C is another. */
    assert_int_equal(l->parks[0].cluster, l->parks[1].cluster);
    assert_true(l->parks[0].cluster != l->parks[2].cluster);
    /* Per industry: chips {A, B} and {D}, bio {C}. */
    assert_int_equal(cluster_of(l, "chips", "A | B")->nparks, 2);
    assert_int_equal(cluster_of(l, "chips", "D")->nparks, 1);
    assert_int_equal(cluster_of(l, "bio", "C")->nparks, 1);
    assert_int_equal(l->nclusters, 6);
    pm_layout_free(l);
    /* At 150 m, A and B are apart too. */
    o.cluster_m = 150;
    assert_int_equal(pm_analysis_layout(&l, ctx, st, &o), 0);
    nall = 0;
    for (size_t i = 0; i < l->nclusters; i++)
        nall += strcmp(l->clusters[i].scope, "all") == 0;
    assert_int_equal(nall, 4);
    pm_layout_free(l);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void layout_shapes_and_nearest_of_the_same_kind(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = four_parks(ctx, "layout_shapes.db");
    pm_layout *l = NULL;
    pm_layout_opts o = PM_LAYOUT_OPTS_INIT;
    assert_int_equal(pm_analysis_layout(&l, ctx, st, &o), 0);
    const pm_layout_park *a = &l->parks[0], *b = &l->parks[1], *c = &l->parks[2], *d = &l->parks[3];
    assert_string_equal(a->name, "A");
    assert_string_equal(a->group, "chips");
    /* A square: perimeter 4a, Polsby-Popper 4π a² / (4a)² = π/4. */
    assert_near(a->perimeter_m, 400.0 / utm_k(50), len_tol(400));
    assert_near(a->polsby_popper, PI / 4, 1e-4);
    /* A 100×200 rectangle: 4π 20000 / 600² = 2π/9. */
    assert_near(c->perimeter_m, 600.0 / utm_k(50), len_tol(600));
    assert_near(c->polsby_popper, 2 * PI / 9, 1e-4);
    /* Nearest chips park, in ground metres (planar / k): A-B 200, B-D
     * 1,600; C is the only bio park. */
    assert_near(a->nearest_same_m, 200.0 / utm_k(200), len_tol(200));
    assert_near(b->nearest_same_m, 200.0 / utm_k(200), len_tol(200));
    assert_near(d->nearest_same_m, 1600.0 / utm_k(1200), len_tol(1600));
    assert_true(isnan(c->nearest_same_m));
    pm_layout_free(l);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* ---- refusals ------------------------------------------------------------- */

/* Options out of range are usage errors, and nothing is handed back. */
static void bad_options_are_refused(void **state)
{
    (void)state;
    pm_ctx *ctx = new_ctx();
    pm_store *st = shared_edge(ctx, "refusals.db");
    pm_adjacency *a = (pm_adjacency *)1;
    pm_adjacency_opts ao = PM_ADJACENCY_OPTS_INIT;
    ao.tolerance_m = -1;
    assert_int_equal(pm_analysis_adjacency(&a, ctx, st, &ao), PM_EUSAGE);
    assert_null(a);
    pm_qa *q = (pm_qa *)1;
    pm_qa_opts qo = PM_QA_OPTS_INIT;
    qo.gap_m = -1;
    assert_int_equal(pm_analysis_qa(&q, ctx, st, &qo), PM_EUSAGE);
    assert_null(q);
    pm_check_report *r = (pm_check_report *)1;
    pm_check_opts co = PM_CHECK_OPTS_INIT;
    co.target_km2 = 0;
    assert_int_equal(pm_analysis_check(&r, ctx, st, &co), PM_EUSAGE);
    assert_null(r);
    pm_layout *l = (pm_layout *)1;
    pm_layout_opts lo = PM_LAYOUT_OPTS_INIT;
    lo.cluster_m = -1;
    assert_int_equal(pm_analysis_layout(&l, ctx, st, &lo), PM_EUSAGE);
    assert_null(l);
    /* A layer that is not there is an error too, with the code kept. */
    pm_area_report *ar = (pm_area_report *)1;
    pm_area_opts o = PM_AREA_OPTS_INIT;
    o.layer = "no_such_layer";
    assert_true(pm_analysis_area(&ar, ctx, st, &o) < 0);
    assert_null(ar);
    assert_true(pm_ctx_code(ctx) < 0);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(area_of_squares_sharing_an_edge),
        cmocka_unit_test(area_union_counts_an_overlap_once),
        cmocka_unit_test(area_grouped_by_a_field),
        cmocka_unit_test(area_on_the_boundary_graph_agrees),
        cmocka_unit_test(adjacency_shared_edge),
        cmocka_unit_test(adjacency_overlap_area),
        cmocka_unit_test(adjacency_corner_only_is_not_adjacency),
        cmocka_unit_test(adjacency_gap_within_a_tolerance),
        cmocka_unit_test(adjacency_t_junction),
        cmocka_unit_test(adjacency_writes_its_table),
        cmocka_unit_test(qa_clean_partition_has_no_findings),
        cmocka_unit_test(qa_overlap),
        cmocka_unit_test(qa_duplicate),
        cmocka_unit_test(qa_gap_and_near_miss),
        cmocka_unit_test(qa_ignores_ground_wider_than_gap_m),
        cmocka_unit_test(qa_small_part),
        cmocka_unit_test(qa_invalid_geometry_stops_before_the_graph),
        cmocka_unit_test(validity_reasons_and_markers),
        cmocka_unit_test(make_valid_repairs_in_place),
        cmocka_unit_test(geom_validity_by_hand),
        cmocka_unit_test(check_passes_within_tolerance),
        cmocka_unit_test(check_total_mismatch),
        cmocka_unit_test(check_overlap_is_double_counting),
        cmocka_unit_test(check_park_against_its_planned_area),
        cmocka_unit_test(check_qa_layer_is_the_checked_layer),
        cmocka_unit_test(layout_clusters_within_cluster_m),
        cmocka_unit_test(layout_shapes_and_nearest_of_the_same_kind),
        cmocka_unit_test(bad_options_are_refused),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
