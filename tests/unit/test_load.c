/* load: the strict JSON pre-scan (positions, limits, the declared crs) and
 * pm_source on hand-made sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load/load_internal.h"
#include "parkmap/parkmap.h"

static char dir[] = "/tmp/pm_test_load_XXXXXX";

static const char *put(const char *name, const char *text)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

/* Scan text; return the error's where and why joined, or "" when it passes. */
static const char *scan(const char *text, char *crs, size_t ncrs)
{
    static char msg[1200];
    pm_ctx *ctx = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    int rc = pm_load_json_check(ctx, put("s.json", text), crs, ncrs, NULL, 0, 4, NULL);
    snprintf(msg, sizeof msg, "%s|%s|%s", rc ? pm_ctx_what(ctx) : "",
             rc ? strstr(pm_ctx_where(ctx), "s.json") + 7 : "", pm_ctx_why(ctx));
    assert_int_equal(rc == 0, pm_ctx_code(ctx) == 0);
    pm_ctx_free(ctx);
    return rc ? msg : "";
}

static void test_json_valid(void **state)
{
    (void)state;
    char crs[64];
    assert_string_equal(scan("{}", NULL, 0), "");
    assert_string_equal(scan(" [1, -2.5e3, true, false, null, \"a\\u00e9\\n\", {}] \n", NULL, 0),
                        "");
    assert_string_equal(scan("\xef\xbb\xbf{\"a\":0}", NULL, 0), ""); /* BOM */
    assert_string_equal(scan("{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\","
                             "\"properties\":{\"name\":\"EPSG:4490\"}},\"features\":[{}]}",
                             crs, sizeof crs),
                        "");
    assert_string_equal(crs, "EPSG:4490");
    assert_string_equal(scan("{\"features\":[]}", crs, sizeof crs), "");
    assert_string_equal(crs, "");
    /* non-UTF-8 bytes in strings are the loader's business, not syntax */
    assert_string_equal(scan("{\"name\":\"\xd5\xc5\xbd\xad\"}", NULL, 0), "");
}

static void test_json_errors(void **state)
{
    (void)state;
    assert_string_equal(scan("", NULL, 0), "malformed JSON|line 1 column 1|no JSON value");
    assert_string_equal(
        scan("{\"a\":1} x", NULL, 0),
        "malformed JSON|line 1 column 9|unexpected 'x' after the end of the document");
    assert_string_equal(scan("{\"a\":\n[1,2", NULL, 0),
                        "malformed JSON|line 2 column 5|truncated: unexpected end of file");
    assert_string_equal(scan("[1,]", NULL, 0), "malformed JSON|line 1 column 4|unexpected ']'");
    assert_string_equal(scan("[01]", NULL, 0), "malformed JSON|line 1 column 3|malformed number");
    assert_string_equal(scan("[1.]", NULL, 0), "malformed JSON|line 1 column 4|malformed number");
    assert_string_equal(scan("[NaN]", NULL, 0),
                        "malformed JSON|line 1 column 5|NaN is not a JSON number (non-finite "
                        "coordinates are refused)");
    assert_string_equal(scan("[tru]", NULL, 0),
                        "malformed JSON|line 1 column 5|unknown literal 'tru'");
    assert_string_equal(
        scan("{a:1}", NULL, 0),
        "malformed JSON|line 1 column 2|expected a member name in quotes but found 'a'");
    assert_string_equal(
        scan("[\"a\nb\"]", NULL, 0),
        "malformed JSON|line 1 column 4|control character byte 0x0a inside a string "
        "(escape it)");
    assert_string_equal(scan("[\"\\x\"]", NULL, 0),
                        "malformed JSON|line 1 column 4|bad escape \\'x' in a string");
    assert_string_equal(scan("// comment\n{}", NULL, 0),
                        "malformed JSON|line 1 column 1|unexpected '/'");
    assert_string_equal(scan("{\"features\":{}}", NULL, 0),
                        "malformed JSON|line 1 column 13|\"features\" must be an array");
    assert_string_equal(scan("{\"features\":[{},{},3]}", NULL, 0),
                        "malformed JSON|feature 2, line 1 column 20|a feature must be an object");
    /* scan() gives a limit of 4 vertices: the 10th number of feature 1 is refused */
    assert_string_equal(
        scan("{\"features\":[{\"g\":[1,2]},{\"g\":[1,2,3,4,5,6,7,8,9,10]}]}", NULL, 0),
        "feature too large|feature 1, line 1 column 50|more than 4 vertices in "
        "one feature (the limit, see docs/limits.md)");
}

static void test_json_depth(void **state)
{
    (void)state;
    char text[300];
    memset(text, '[', PM_LOAD_MAX_JSON_DEPTH);
    memset(text + PM_LOAD_MAX_JSON_DEPTH, ']', PM_LOAD_MAX_JSON_DEPTH);
    text[2 * PM_LOAD_MAX_JSON_DEPTH] = '\0';
    assert_string_equal(scan(text, NULL, 0), "");
    memset(text, '[', PM_LOAD_MAX_JSON_DEPTH + 1);
    memset(text + PM_LOAD_MAX_JSON_DEPTH + 1, ']', PM_LOAD_MAX_JSON_DEPTH + 1);
    text[2 * PM_LOAD_MAX_JSON_DEPTH + 2] = '\0';
    assert_string_equal(scan(text, NULL, 0),
                        "JSON nested too deeply|line 1 column 65|nested deeper than 64 levels");
}

static void test_source_crs_problem(void **state)
{
    (void)state;
    pm_ctx *ctx = NULL;
    pm_source *src = NULL;
    assert_int_equal(pm_ctx_new(&ctx), 0);
    const char *p = put("c.geojson",
                        "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
                        "{\"name\":\"EPSG:999999\"}},\"features\":[{\"type\":\"Feature\","
                        "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                        "[[[0,0],[1,0],[1,1],[0,0]]]}}]}");
    assert_int_equal(pm_source_open(&src, ctx, p, NULL), 0);
    assert_null(pm_source_crs_wkt(src)); /* not GDAL's silent WGS 84 */
    assert_non_null(strstr(pm_source_crs_problem(src), "EPSG:999999"));
    pm_source_free(src);
    p = put("ok.geojson", "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                          "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                          "[[[0,0],[1,0],[1,1],[0,0]]]}}]}");
    assert_int_equal(pm_source_open(&src, ctx, p, NULL), 0);
    assert_null(pm_source_crs_problem(src));
    assert_string_equal(pm_source_crs_wkt(src), "EPSG:4326");
    pm_feature f;
    assert_int_equal(pm_source_next(src, ctx, &f, 0, NULL), 1);
    pm_feature_clear(&f);
    assert_int_equal(pm_source_next(src, ctx, &f, 0, NULL), 0);
    pm_source_free(src);
    pm_ctx_free(ctx);
}

static void test_source_open_errors(void **state)
{
    (void)state;
    pm_ctx *ctx = NULL;
    pm_source *src = NULL;
    char p[300];
    assert_int_equal(pm_ctx_new(&ctx), 0);
    snprintf(p, sizeof p, "%s/missing.geojson", dir);
    assert_int_equal(pm_source_open(&src, ctx, p, NULL), PM_EINPUT);
    assert_null(src);
    assert_string_equal(pm_ctx_why(ctx), "No such file or directory");
    pm_err_clear(ctx);
    assert_int_equal(pm_source_open(&src, ctx, put("e.geojson", ""), NULL), PM_EINPUT);
    assert_string_equal(pm_ctx_why(ctx), "file is empty");
    pm_err_clear(ctx);
    assert_int_equal(pm_source_open(&src, ctx, dir, NULL), PM_EINPUT);
    assert_null(src);
    pm_ctx_free(ctx);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_valid),         cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_json_depth),         cmocka_unit_test(test_source_crs_problem),
        cmocka_unit_test(test_source_open_errors),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        rc = rc ? rc : 1;
    return rc;
}
