/* import -> store -> analysis on small hand-made sources. */
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

static void write_file(const char *p, const char *text)
{
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_all(const char *p, size_t *n)
{
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    char *b = malloc(*n + 1);
    assert_int_equal(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

/* Square of 0.01 degrees at (lon, lat) as a GeoJSON feature. */
static void square(char *out, size_t n, const char *name, double lon, double lat, double planned)
{
    snprintf(out, n,
             "{\"type\":\"Feature\",\"properties\":{\"name\":\"%s\",\"planned_area_km2\":%g,"
             "\"industry\":\"biomedicine\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
             "[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}}",
             name, planned, lon, lat, lon + 0.01, lat, lon + 0.01, lat + 0.01, lon, lat + 0.01, lon,
             lat);
}

static void three_squares(const char *p)
{
    char a[512], b[512], c[512], doc[2048];
    square(a, sizeof a, "A", 121.60, 31.20, 1.0566);
    square(b, sizeof b, "B", 121.61, 31.20, 1.0566); /* shares A's east edge */
    square(c, sizeof c, "C", 121.62, 31.21, 1.0566); /* touches B's NE corner only */
    snprintf(doc, sizeof doc, "{\"type\":\"FeatureCollection\",\"features\":[%s,%s,%s]}", a, b, c);
    write_file(p, doc);
}

static int import(pm_ctx *ctx, const char *src, const char *db, const char *t_srs, int overwrite)
{
    pm_import_opts o = PM_IMPORT_OPTS_INIT;
    pm_import_report r;
    o.src_path = src;
    o.db_path = db;
    o.t_srs = t_srs;
    o.overwrite = overwrite;
    return pm_import(&r, ctx, &o);
}

static void import_measures_on_the_ellipsoid(void **state)
{
    (void)state;
    pm_ctx *ctx;
    pm_store *st;
    pm_area_report *r;
    pm_area_opts ao = PM_AREA_OPTS_INIT;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    three_squares(path("three.geojson"));
    assert_int_equal(import(ctx, path("three.geojson"), path("a.db"), "auto", 0), 0);
    assert_int_equal(pm_store_open(&st, ctx, path("a.db"), 0), 0);
    int srid = 0;
    assert_int_equal(pm_store_layer_srid(&srid, ctx, st, "parks"), 0);
    assert_int_equal(srid, 4550);
    assert_int_equal(pm_analysis_area(&r, ctx, st, &ao), 0);
    assert_int_equal(r->nrows, 3);
    for (size_t i = 0; i < 3; i++) {
        /* Independent reference: PROJ's geod_polygonarea on the lon/lat
         * input. Both are exact algorithms; 1e-7 allows for the
         * round trip through the projection. */
        double lon = 121.60 + 0.01 * (double)i, lat = i == 2 ? 31.21 : 31.20;
        double xy[] = {lon,        lat, lon + 0.01, lat, lon + 0.01,
                       lat + 0.01, lon, lat + 0.01, lon, lat};
        pm_ring ring = {5, xy};
        pm_part part = {1, &ring};
        pm_geom g = {PM_GEOM_POLYGON, 1, &part};
        double ref = pm_geod_area(&g);
        assert_true(fabs(r->rows[i].ellipsoidal_m2 - ref) / ref < 1e-7);
        /* Gauss-Krüger CM 123E at 121.6E: planar within 0.1 % (about +0.04 %). */
        double d = r->rows[i].planar_m2 / ref - 1;
        assert_true(d > 0 && d < 1e-3);
    }
    assert_string_equal(r->rows[0].name, "A");
    pm_area_report_free(r);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void adjacency_edge_but_not_corner(void **state)
{
    (void)state;
    pm_ctx *ctx;
    pm_store *st;
    pm_adjacency *a;
    pm_adjacency_opts jo = PM_ADJACENCY_OPTS_INIT;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(pm_store_open(&st, ctx, path("a.db"), 0), 0);
    assert_int_equal(pm_analysis_adjacency(&a, ctx, st, &jo), 0);
    assert_int_equal(a->npairs, 1);
    assert_string_equal(a->pairs[0].a_name, "A");
    assert_string_equal(a->pairs[0].b_name, "B");
    assert_int_equal(a->pairs[0].relation, PM_REL_EDGE);
    /* Shared length is ground metres: 0.01 degree of latitude at 31.2N is
     * 1108.730 m (GeodSolve); a meridian segment is itself a geodesic. */
    double ground = pm_geod_distance(121.61, 31.20, 121.61, 31.21);
    assert_true(fabs(ground - 1108.730) < 1e-3);
    assert_true(fabs(a->pairs[0].shared_m - ground) < 1e-3);
    assert_int_equal(a->ncorner, 1);
    assert_string_equal(a->corner[0].a_name, "B");
    assert_string_equal(a->corner[0].b_name, "C");
    pm_adjacency_free(a);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

/* A derived layer goes through the same bulk table writer as import: a
 * registered line column, its rows, an R*Tree SQLite finds whole; and the
 * store that wrote it closes with its status checked. */
static void derived_layer_written_and_closed(void **state)
{
    (void)state;
    pm_ctx *ctx;
    pm_store *st;
    pm_adjacency *a;
    pm_adjacency_opts jo = PM_ADJACENCY_OPTS_INIT;
    jo.write_table = 1;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(pm_store_open(&st, ctx, path("a.db"), 1), 0);
    assert_int_equal(pm_analysis_adjacency(&a, ctx, st, &jo), 0);
    pm_adjacency_free(a);
    assert_int_equal(pm_store_close(st, ctx), 0);
    assert_int_equal(pm_store_close(NULL, ctx), 0);
    assert_int_equal(pm_store_open(&st, ctx, path("a.db"), 0), 0);
    pm_geom_kind kind = PM_GEOM_POLYGON;
    long n = 0;
    double box[4];
    assert_int_equal(pm_store_layer_geom_kind(&kind, ctx, st, PM_LAYER_ADJACENCY), 0);
    assert_int_equal(kind, PM_GEOM_LINE);
    assert_int_equal(pm_store_layer_stats(&n, box, ctx, st, PM_LAYER_ADJACENCY), 0);
    assert_int_equal(n, 2); /* A-B along an edge, B-C at a corner */
    assert_int_equal(pm_store_close(st, ctx), 0);
    pm_ctx_free(ctx);
}

static void failed_import_leaves_database_unchanged(void **state)
{
    (void)state;
    pm_ctx *ctx;
    size_t n0, n1;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    char *before = read_all(path("a.db"), &n0);
    /* Layer exists, no overwrite. */
    assert_int_equal(import(ctx, path("three.geojson"), path("a.db"), "auto", 0), PM_EEXIST);
    pm_err_clear(ctx);
    /* A bad feature, even with overwrite. */
    write_file(path("bad.geojson"),
               "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
               "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
               "[[[121.6,31.2],[121.61,31.21],[121.61,31.2],[121.6,31.21],[121.6,31.2]]]}}]}");
    assert_int_equal(import(ctx, path("bad.geojson"), path("a.db"), "auto", 1), PM_EINPUT);
    assert_string_equal(pm_ctx_what(ctx), "invalid geometry");
    assert_non_null(strstr(pm_ctx_where(ctx), "feature 0"));
    assert_non_null(strstr(pm_ctx_why(ctx), "Self-intersection"));
    char *after = read_all(path("a.db"), &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    free(before);
    free(after);
    /* No temporary copies left behind. */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -q tmp-", scratch_dir);
    assert_int_not_equal(system(cmd), 0);
    pm_ctx_free(ctx);
}

static void hostile_names_are_stored_verbatim(void **state)
{
    (void)state;
    pm_ctx *ctx;
    pm_store *st;
    pm_cursor *cur;
    pm_feature f;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    write_file(path("evil.geojson"),
               "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
               "\"properties\":{\"\\\"; DROP TABLE parks; --\":\"x'); DROP TABLE parks; --\","
               "\"name\":\"张江\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
               "[[[121.6,31.2],[121.61,31.2],[121.61,31.21],[121.6,31.21],[121.6,31.2]]]}}]}");
    assert_int_equal(import(ctx, path("evil.geojson"), path("evil.db"), "auto", 0), 0);
    assert_int_equal(pm_store_open(&st, ctx, path("evil.db"), 0), 0);
    assert_int_equal(pm_store_cursor_open(&cur, ctx, st, "parks"), 0);
    const pm_schema *s = pm_cursor_schema(cur);
    int k = pm_schema_find(s, "\"; DROP TABLE parks; --");
    assert_true(k >= 0);
    assert_int_equal(pm_cursor_next(cur, ctx, &f), 1);
    assert_string_equal(f.values[k].s, "x'); DROP TABLE parks; --");
    assert_string_equal(f.values[pm_schema_find(s, "name")].s, "张江");
    pm_feature_clear(&f);
    assert_int_equal(pm_cursor_next(cur, ctx, &f), 0);
    pm_cursor_free(cur);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void cursor_reads_only_named_fields(void **state)
{
    (void)state;
    pm_ctx *ctx;
    pm_store *st;
    pm_cursor *cur;
    pm_feature f;
    const char *want[] = {"industry", "no_such_field", "name"};
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(pm_store_open(&st, ctx, path("a.db"), 0), 0);
    assert_int_equal(pm_store_cursor_open_fields(&cur, ctx, st, "parks", want, 3), 0);
    const pm_schema *s = pm_cursor_schema(cur);
    /* Table order, absent names dropped, unasked ones not read. */
    assert_int_equal(s->nfields, 2);
    assert_string_equal(s->fields[0].name, "name");
    assert_string_equal(s->fields[1].name, "industry");
    assert_int_equal(pm_cursor_next(cur, ctx, &f), 1);
    assert_int_equal(f.nvalues, 2);
    assert_string_equal(f.values[0].s, "A");
    assert_non_null(f.geom);
    pm_feature_clear(&f);
    pm_cursor_free(cur);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

static void projected_source_with_northing_first_crs(void **state)
{
    (void)state;
    pm_ctx *ctx;
    pm_store *st;
    pm_area_report *r;
    pm_area_opts ao = PM_AREA_OPTS_INIT;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    /* 1 km x 2 km in EPSG:4550 (northing-first by EPSG; GeoJSON stores
     * easting first). Reprojected to EPSG:4549, the other GK zone, the
     * ellipsoidal area must still be ~2 km² (GK CM 123E grid area at 121.6E
     * exceeds the ground by ~0.05 %). */
    write_file(path("gk.geojson"),
               "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
               "{\"name\":\"urn:ogc:def:crs:EPSG::4550\"}},\"features\":[{\"type\":\"Feature\","
               "\"properties\":{\"name\":\"G\"},\"geometry\":{\"type\":\"Polygon\","
               "\"coordinates\":[[[366000,3453000],[367000,3453000],[367000,3455000],"
               "[366000,3455000],[366000,3453000]]]}}]}");
    assert_int_equal(import(ctx, path("gk.geojson"), path("gk.db"), "EPSG:4549", 0), 0);
    assert_int_equal(pm_store_open(&st, ctx, path("gk.db"), 0), 0);
    double bb[4];
    long n;
    assert_int_equal(pm_store_layer_stats(&n, bb, ctx, st, "parks"), 0);
    /* In CM 120E, 121.6E is ~152 km east of the meridian: x ~ 652000. */
    assert_true(bb[0] > 600000 && bb[0] < 700000);
    assert_true(bb[1] > 3400000 && bb[1] < 3500000);
    assert_int_equal(pm_analysis_area(&r, ctx, st, &ao), 0);
    double e = r->rows[0].ellipsoidal_m2;
    assert_true(fabs(e / 2e6 - 1) < 2e-3);
    assert_true(e < 2e6); /* the grid overstates the ground in CM 123E */
    pm_area_report_free(r);
    pm_store_free(st);
    pm_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(import_measures_on_the_ellipsoid),
        cmocka_unit_test(adjacency_edge_but_not_corner),
        cmocka_unit_test(derived_layer_written_and_closed),
        cmocka_unit_test(failed_import_leaves_database_unchanged),
        cmocka_unit_test(hostile_names_are_stored_verbatim),
        cmocka_unit_test(cursor_reads_only_named_fields),
        cmocka_unit_test(projected_source_with_northing_first_crs),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
