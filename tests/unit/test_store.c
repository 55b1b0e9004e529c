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
    assert_int_equal(pm_store_close(ctx, st), 0);
    assert_int_equal(pm_store_close(ctx, NULL), 0);
    assert_int_equal(pm_store_open(&st, ctx, path("a.db"), 0), 0);
    pm_geom_kind kind = PM_GEOM_POLYGON;
    long n = 0;
    double box[4];
    assert_int_equal(pm_store_layer_geom_kind(&kind, ctx, st, PM_LAYER_ADJACENCY), 0);
    assert_int_equal(kind, PM_GEOM_LINE);
    assert_int_equal(pm_store_layer_stats(&n, box, ctx, st, PM_LAYER_ADJACENCY), 0);
    assert_int_equal(n, 2); /* A-B along an edge, B-C at a corner */
    assert_int_equal(pm_store_close(ctx, st), 0);
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
    assert_int_equal(pm_cursor_next(&f, ctx, cur), 1);
    assert_string_equal(f.values[k].s, "x'); DROP TABLE parks; --");
    assert_string_equal(f.values[pm_schema_find(s, "name")].s, "张江");
    pm_feature_clear(&f);
    assert_int_equal(pm_cursor_next(&f, ctx, cur), 0);
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
    assert_int_equal(pm_cursor_next(&f, ctx, cur), 1);
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

/* A PostgreSQL connection string, in each of its spellings, is recognised
 * as PostGIS. Built with PostGIS, a server that is not there fails with
 * PM_EIO (port 1 on the loopback: refused at once); built without, it is
 * refused with PM_EUSAGE. Either way one line that never repeats the
 * password. Paths stay paths. */
static void postgis_strings_refused_without_secrets(void **state)
{
    (void)state;
    const char *pg[] = {"postgresql://u:secret@127.0.0.1:1/db",
                        "postgres://u:secret@127.0.0.1:1/db",
                        "PG:host=127.0.0.1 port=1 dbname=db password=secret",
                        "host=127.0.0.1 port=1 dbname=db password=secret",
                        " dbname = db hostaddr=127.0.0.1 port=1 password=secret"};
#ifdef PM_HAVE_POSTGIS
    const int want = PM_EIO;
#else
    const int want = PM_EUSAGE;
#endif
    for (size_t i = 0; i < sizeof pg / sizeof *pg; i++) {
        pm_ctx *ctx;
        pm_store *st = (pm_store *)1;
        assert_int_equal(pm_ctx_new(&ctx), 0);
        assert_int_equal(pm_store_backend_of(pg[i]), PM_STORE_POSTGIS);
        assert_int_equal(pm_store_open(&st, ctx, pg[i], 0), want);
        assert_null(st);
        assert_int_equal(pm_ctx_code(ctx), want);
#ifdef PM_HAVE_POSTGIS
        assert_non_null(strstr(pm_ctx_what(ctx), "server unreachable"));
        assert_non_null(strstr(pm_ctx_where(ctx), "@127.0.0.1:1/db"));
#else
        assert_non_null(strstr(pm_ctx_what(ctx), "PostGIS backend is not built"));
#endif
        const char *parts[] = {pm_ctx_what(ctx), pm_ctx_where(ctx), pm_ctx_why(ctx)};
        for (int k = 0; k < 3; k++) {
            assert_null(strstr(parts[k], "secret"));
            assert_null(strchr(parts[k], '\n'));
        }
        char *label = pm_store_db_label(pg[i]);
        assert_non_null(label);
        assert_null(strstr(label, "secret"));
        free(label);
        /* Import takes the same road. */
        pm_store_import_opts io = PM_STORE_IMPORT_OPTS_INIT;
        pm_store_import *imp = (pm_store_import *)1;
        pm_schema sc = {0};
        io.db_path = pg[i];
        io.srid = 4326;
        assert_int_equal(pm_store_import_begin(&imp, ctx, &io, &sc), want);
        assert_null(imp);
        assert_null(strstr(pm_ctx_where(ctx), "secret"));
        assert_null(strstr(pm_ctx_why(ctx), "secret"));
        pm_ctx_free(ctx);
    }
    const char *paths[] = {"parks.db", "/tmp/pg.db", "./host=h", "postgresql.db", "hostname.db"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        assert_int_equal(pm_store_backend_of(paths[i]), PM_STORE_SPATIALITE);
}

/* Does box a (xmin, ymin, xmax, ymax) meet box b? Touching counts. */
static int boxes_meet(const double a[4], const double b[4])
{
    return a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
}

/* A cursor with a bbox returns exactly the features whose own boxes meet
 * it, in stored order: the spatial index (float boxes) only preselects. */
static void cursor_bbox_matches_full_scan(void **state)
{
    (void)state;
    enum { N = 300 };
    pm_ctx *ctx;
    pm_store *st;
    pm_cursor *cur;
    pm_feature f;
    static double box[N][4];
    static int64_t fid[N];
    size_t n = 0;
    FILE *fp = fopen(path("many.geojson"), "w");
    assert_non_null(fp);
    srand(14);
    fprintf(fp, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (int i = 0; i < N; i++) {
        /* A triangle a few hundred metres across, anywhere in Pudong, at
         * full double precision. */
        double x = 121.45 + 0.3 * rand() / (double)RAND_MAX;
        double y = 31.05 + 0.3 * rand() / (double)RAND_MAX;
        double dx = 0.0005 + 0.005 * rand() / (double)RAND_MAX;
        double dy = 0.0005 + 0.005 * rand() / (double)RAND_MAX;
        fprintf(fp,
                "%s{\"type\":\"Feature\",\"properties\":{\"name\":\"f%d\"},\"geometry\":{\"type\":"
                "\"Polygon\",\"coordinates\":[[[%.17g,%.17g],[%.17g,%.17g],[%.17g,%.17g],[%.17g,"
                "%.17g]]]}}",
                i ? "," : "", i, x, y, x + dx, y + dy / 3, x + dx / 2, y + dy, x, y);
    }
    fprintf(fp, "]}");
    fclose(fp);
    assert_int_equal(pm_ctx_new(&ctx), 0);
    assert_int_equal(import(ctx, path("many.geojson"), path("many.db"), "auto", 0), 0);
    assert_int_equal(pm_store_open(&st, ctx, path("many.db"), 0), 0);
    assert_int_equal(pm_store_cursor_open(&cur, ctx, st, "parks"), 0);
    while (pm_cursor_next(&f, ctx, cur) == 1) {
        assert_true(n < N);
        fid[n] = f.fid;
        assert_int_equal(pm_geom_bbox(f.geom, &box[n][0], &box[n][1], &box[n][2], &box[n][3]), 1);
        n++;
        pm_feature_clear(&f);
    }
    pm_cursor_free(cur);
    assert_int_equal(n, N);
    long count;
    double ext[4];
    assert_int_equal(pm_store_layer_stats(&count, ext, ctx, st, "parks"), 0);
    /* Random windows, and windows whose edges lie exactly on a feature's
     * box edge (touching meets), where a float comparison would err. */
    for (int q = 0; q < 40; q++) {
        double w[4];
        if (q < 20) {
            double x0 = ext[0] + (ext[2] - ext[0]) * rand() / (double)RAND_MAX;
            double y0 = ext[1] + (ext[3] - ext[1]) * rand() / (double)RAND_MAX;
            double s = (ext[2] - ext[0]) * (0.01 + 0.3 * rand() / (double)RAND_MAX);
            w[0] = x0, w[1] = y0, w[2] = x0 + s, w[3] = y0 + s;
        } else {
            const double *b = box[rand() % N];
            double s = 2000;
            if (q % 2)
                w[0] = b[2], w[1] = b[1] - s, w[2] = b[2] + s, w[3] = b[3] + s;
            else
                w[0] = b[0] - s, w[1] = b[3], w[2] = b[2] + s, w[3] = b[3] + s;
        }
        size_t k = 0, expect = 0;
        for (size_t i = 0; i < n; i++)
            expect += boxes_meet(box[i], w);
        assert_int_equal(pm_store_cursor_open_bbox(&cur, ctx, st, "parks", NULL, 0, w), 0);
        assert_true(pm_cursor_schema(cur)->nfields >= 1);
        size_t i = 0;
        while (pm_cursor_next(&f, ctx, cur) == 1) {
            /* Stored order: the next feature of the full scan that meets w. */
            while (i < n && !boxes_meet(box[i], w))
                i++;
            assert_true(i < n);
            assert_int_equal(f.fid, fid[i]);
            i++;
            k++;
            pm_feature_clear(&f);
        }
        pm_cursor_free(cur);
        assert_int_equal(k, expect);
        if (q >= 20)
            assert_true(expect >= 1);
    }
    /* Only the named fields, as pm_store_cursor_open_fields reads them. */
    const char *const name_only[] = {"name"};
    assert_int_equal(pm_store_cursor_open_bbox(&cur, ctx, st, "parks", name_only, 1, ext), 0);
    assert_int_equal(pm_cursor_schema(cur)->nfields, 1);
    n = 0;
    while (pm_cursor_next(&f, ctx, cur) == 1) {
        n++;
        pm_feature_clear(&f);
    }
    assert_int_equal(n, N);
    pm_cursor_free(cur);
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
        cmocka_unit_test(postgis_strings_refused_without_secrets),
        cmocka_unit_test(cursor_bbox_matches_full_scan),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
