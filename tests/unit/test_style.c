/* Styles: the shipped default parses; unknown keys, bad colours and bad
 * expressions are refused with the right line; expressions evaluate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parkmap/parkmap.h"

static pm_ctx *ctx;

static int setup(void **state)
{
    (void)state;
    return pm_ctx_new(&ctx);
}

static int teardown(void **state)
{
    (void)state;
    pm_ctx_free(ctx);
    return 0;
}

/* Parse text that must fail; returns the code, leaves the error in ctx. */
static int parse_fail(const char *text)
{
    pm_style *s = NULL;
    pm_err_clear(ctx);
    int rc = pm_style_parse(&s, ctx, text, "t.json");
    assert_null(s);
    return rc;
}

static void near_color(pm_color c, double r, double g, double b, double a)
{
    assert_true(fabs(c.r - r) < 1e-3 && fabs(c.g - g) < 1e-3 && fabs(c.b - b) < 1e-3 &&
                fabs(c.a - a) < 1e-3);
}

static void test_default_parses(void **state)
{
    (void)state;
    pm_style *s = NULL;
    pm_err_clear(ctx);
    int rc = pm_style_load(&s, ctx, PM_SOURCE_DIR "/styles/default.json");
    if (rc)
        fail_msg("%s: %s (%s)", pm_ctx_what(ctx), pm_ctx_where(ctx), pm_ctx_why(ctx));
    assert_int_equal(pm_style_nlayers(s), 6);
    int parks = pm_style_find_layer(s, "parks-fill");
    assert_true(parks >= 0);
    assert_string_equal(pm_style_layer_source(s, (size_t)parks), "parks");
    assert_int_equal(pm_style_layer_type(s, (size_t)parks), PM_LAYER_FILL);
    const pm_page *pg = pm_style_page(s);
    assert_int_equal(pg->width_px, 1600);
    assert_int_equal(pg->height_px, 1200);
    assert_true(pg->dpi == 96);
    assert_non_null(strstr(pg->title, "Pudong New Area"));
    assert_non_null(strstr(pg->subtitle, "浦东新区"));
    assert_true(pg->legend_present_only);
    pm_style_class *cls = NULL;
    size_t n = 0;
    assert_int_equal(pm_style_classes(&cls, &n, ctx, s, (size_t)parks, "fill-color"), 0);
    assert_true(n >= 6);
    assert_string_equal(cls[0].label, "integrated circuits");
    near_color(cls[0].color, 0x66 / 255.0, 0xc2 / 255.0, 0xa5 / 255.0, 1);
    pm_style_classes_free(cls, n);
    pm_style_free(s);
}

static void test_unknown_key_line(void **state)
{
    (void)state;
    /* The misspelt key is on line 9; the same text appears earlier as a
     * value (line 4), which a plain text search would have reported. */
    const char *text = "{\n"
                       "  \"version\": 8,\n"
                       "  \"layers\": [\n"
                       "    {\"id\": \"a\", \"type\": \"fill\", \"source\": \"fill-colr\",\n"
                       "     \"paint\": {\"fill-color\": \"#fff\"}},\n"
                       "    {\"id\": \"b\",\n"
                       "     \"type\": \"fill\",\n"
                       "     \"source\": \"parks\",\n"
                       "     \"paint\": {\"fill-colr\": \"#fff\"}}\n"
                       "  ]\n"
                       "}\n";
    assert_int_equal(parse_fail(text), PM_EUSAGE);
    assert_string_equal(pm_ctx_where(ctx), "t.json:9");
    assert_non_null(strstr(pm_ctx_why(ctx), "fill-colr"));
    assert_non_null(strstr(pm_ctx_why(ctx), "layers[1].paint"));

    assert_int_equal(parse_fail("{\"version\": 8,\n\"layers\": [{\"id\": \"a\", \"type\": "
                                "\"fill\", \"source\": \"p\"}],\n\n\"sources\": {}}"),
                     PM_EUSAGE);
    assert_string_equal(pm_ctx_where(ctx), "t.json:4");
    assert_non_null(strstr(pm_ctx_why(ctx), "sources"));

    /* Keys unknown in the page block, and GL keys this subset leaves out. */
    assert_int_equal(parse_fail("{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": "
                                "\"fill\", \"source\": \"p\"}],\n\"page\": {\n\"legend\": "
                                "{\"show\": true,\n \"colour\": 1}}}"),
                     PM_EUSAGE);
    assert_string_equal(pm_ctx_where(ctx), "t.json:4");
    assert_non_null(strstr(pm_ctx_why(ctx), "colour"));
    assert_int_equal(parse_fail("{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": "
                                "\"fill\", \"source\": \"p\",\n\"minzoom\": 3}]}"),
                     PM_EUSAGE);
    assert_string_equal(pm_ctx_where(ctx), "t.json:2");
    /* A paint key of another layer type. */
    assert_int_equal(parse_fail("{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": "
                                "\"fill\", \"source\": \"p\",\n\"paint\": {\"line-width\": 2}}]}"),
                     PM_EUSAGE);
    assert_non_null(strstr(pm_ctx_why(ctx), "line-width"));
    /* JSON syntax errors carry a line too. */
    assert_int_equal(parse_fail("{\"version\": 8,\n\"layers\": [\n{\"id\": \"a\" \"type\": 1}]}"),
                     PM_EUSAGE);
    assert_string_equal(pm_ctx_where(ctx), "t.json:3");
}

static void test_bad_colour(void **state)
{
    (void)state;
    assert_int_equal(parse_fail("{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": "
                                "\"fill\", \"source\": \"p\",\n\"paint\": {\n\"fill-color\": "
                                "\"#12345\"}}]}"),
                     PM_EUSAGE);
    assert_string_equal(pm_ctx_where(ctx), "t.json:3");
    assert_non_null(strstr(pm_ctx_why(ctx), "#12345"));
    /* Inside a match output, on its own line. */
    assert_int_equal(parse_fail("{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": "
                                "\"fill\", \"source\": \"p\",\n\"paint\": {\"fill-color\": "
                                "[\"match\", [\"get\", \"k\"],\n\"x\", \"#fff\",\n\"y\", "
                                "\"rgb(300,0,0)\",\n\"#000\"]}}]}"),
                     PM_EUSAGE);
    assert_string_equal(pm_ctx_where(ctx), "t.json:4");
    assert_int_equal(parse_fail("{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": "
                                "\"fill\", \"source\": \"p\"}], \"page\": {\"background\": "
                                "\"bluish\"}}"),
                     PM_EUSAGE);

    pm_color c;
    assert_int_equal(pm_style_color_parse(&c, NULL, "#f80"), 0);
    near_color(c, 1, 0x88 / 255.0, 0, 1);
    assert_int_equal(pm_style_color_parse(&c, NULL, "#11223380"), 0);
    near_color(c, 0x11 / 255.0, 0x22 / 255.0, 0x33 / 255.0, 0x80 / 255.0);
    assert_int_equal(pm_style_color_parse(&c, NULL, "rgba(255, 0, 0, 0.5)"), 0);
    near_color(c, 1, 0, 0, 0.5);
    assert_int_equal(pm_style_color_parse(&c, NULL, "rgb(0,128,255)"), 0);
    near_color(c, 0, 128 / 255.0, 1, 1);
    assert_int_equal(pm_style_color_parse(&c, NULL, "transparent"), 0);
    near_color(c, 0, 0, 0, 0);
    assert_int_equal(pm_style_color_parse(&c, NULL, "White"), 0);
    near_color(c, 1, 1, 1, 1);
    assert_int_equal(pm_style_color_parse(&c, NULL, "#ggg"), PM_EUSAGE);
    assert_int_equal(pm_style_color_parse(&c, NULL, "rgba(1,2,3)"), PM_EUSAGE);
    assert_int_equal(pm_style_color_parse(&c, NULL, "rgb(1,2,3) x"), PM_EUSAGE);
}

static void test_bad_expression(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "[\"frobnicate\", 1]",
        "[\"match\", [\"get\", \"k\"], \"a\"]",
        "[\"interpolate\", [\"cubic\"], [\"get\", \"n\"], 0, \"#000\", 1, \"#fff\"]",
        "[\"step\", [\"get\", \"n\"], \"#000\", 5, \"#111\", 2, \"#222\"]",
        "[\"case\", [\"get\", \"a\"], \"#000\"]",
        "[\"==\", 1, 2]",
        "[\"get\", 3]",
        "[]",
        "{\"a\": 1}",
        "3",
        "[\"match\", [\"get\", \"k\"], {\"x\": 1}, \"#fff\", \"#000\"]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[600];
        snprintf(text, sizeof text,
                 "{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": \"fill\", "
                 "\"source\": \"p\",\n\"paint\": {\n\"fill-color\": %s}}]}",
                 bad[i]);
        int rc = parse_fail(text);
        if (rc != PM_EUSAGE)
            fail_msg("expression %s: got %d", bad[i], rc);
        assert_string_equal(pm_ctx_what(ctx), "invalid style");
        assert_non_null(strstr(pm_ctx_where(ctx), "t.json:3"));
    }
    assert_int_equal(parse_fail("{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": "
                                "\"fill\", \"source\": \"p\", \"paint\": {\"fill-opacity\": "
                                "\"high\"}}]}"),
                     PM_EUSAGE);
    assert_int_equal(parse_fail("{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": "
                                "\"fill\", \"source\": \"p\", \"filter\": [\"get\", \"x\", 1]}]}"),
                     PM_EUSAGE);
    assert_int_equal(parse_fail("{\"version\": 7, \"layers\": [{\"id\": \"a\", \"type\": "
                                "\"fill\", \"source\": \"p\"}]}"),
                     PM_EUSAGE);
}

/* A feature with industry (text), area (real) and n (integer). */
static void make_feature(pm_schema *sch, pm_feature *f, const char *industry, double area,
                         int64_t n)
{
    memset(sch, 0, sizeof *sch);
    memset(f, 0, sizeof *f);
    assert_int_equal(pm_schema_add(sch, ctx, "industry", PM_FIELD_TEXT), 0);
    assert_int_equal(pm_schema_add(sch, ctx, "area", PM_FIELD_REAL), 0);
    assert_int_equal(pm_schema_add(sch, ctx, "n", PM_FIELD_INTEGER), 0);
    f->nvalues = 3;
    f->values = calloc(3, sizeof(pm_value));
    assert_non_null(f->values);
    f->values[0].type = PM_FIELD_TEXT;
    if (industry)
        f->values[0].s = strdup(industry);
    else
        f->values[0].is_null = 1;
    f->values[1].type = PM_FIELD_REAL;
    f->values[1].d = area;
    f->values[2].type = PM_FIELD_INTEGER;
    f->values[2].i = n;
}

static const char *eval_style =
    "{\"version\": 8, \"layers\": [\n"
    " {\"id\": \"f\", \"type\": \"fill\", \"source\": \"p\",\n"
    "  \"filter\": [\"all\", [\"has\", \"industry\"], [\"!\", [\"==\", [\"get\", \"industry\"], "
    "\"x\"]]],\n"
    "  \"paint\": {\"fill-color\": [\"match\", [\"get\", \"industry\"], [\"a\", \"b\"], "
    "\"#ff0000\", \"c\", \"#00ff00\", \"#0000ff\"],\n"
    "   \"fill-opacity\": [\"step\", [\"get\", \"area\"], 0.2, 1, 0.5, 3, 0.9]}},\n"
    " {\"id\": \"l\", \"type\": \"line\", \"source\": \"p\",\n"
    "  \"paint\": {\"line-width\": [\"interpolate\", [\"linear\"], [\"get\", \"n\"], 0, 1, 10, "
    "3],\n"
    "   \"line-color\": [\"interpolate\", [\"linear\"], [\"get\", \"area\"], 0, \"#000000\", 4, "
    "\"#ffffff\"]}},\n"
    " {\"id\": \"s\", \"type\": \"symbol\", \"source\": \"p\",\n"
    "  \"layout\": {\"text-field\": [\"case\", [\">=\", [\"get\", \"n\"], 5], [\"concat\", "
    "[\"get\", \"industry\"], \" (\", [\"to-string\", [\"get\", \"n\"]], \")\"], "
    "[\"coalesce\", [\"get\", \"missing\"], [\"get\", \"industry\"], \"none\"]],\n"
    "   \"text-size\": [\"case\", [\"<\", [\"get\", \"area\"], 1], 8, 12]},\n"
    "  \"paint\": {\"text-halo-color\": [\"literal\", \"white\"]}}\n"
    "]}";

static void test_evaluate(void **state)
{
    (void)state;
    pm_style *s = NULL;
    pm_schema sch;
    pm_feature f;
    pm_color c;
    double d;
    char *t = NULL;
    int keep, cls;
    pm_err_clear(ctx);
    if (pm_style_parse(&s, ctx, eval_style, "eval.json"))
        fail_msg("%s: %s (%s)", pm_ctx_what(ctx), pm_ctx_where(ctx), pm_ctx_why(ctx));

    make_feature(&sch, &f, "b", 2.0, 10);
    assert_int_equal(pm_style_eval_filter(&keep, ctx, s, 0, &f, &sch), 0);
    assert_true(keep);
    assert_int_equal(pm_style_eval_color(&c, ctx, s, 0, "fill-color", &f, &sch), 0);
    near_color(c, 1, 0, 0, 1); /* "b" is in the array label ["a", "b"] */
    assert_int_equal(pm_style_class_of(&cls, ctx, s, 0, "fill-color", &f, &sch), 0);
    assert_int_equal(cls, 0);
    assert_int_equal(pm_style_eval_number(&d, ctx, s, 0, "fill-opacity", &f, &sch), 0);
    assert_true(fabs(d - 0.5) < 1e-9); /* 1 <= 2 < 3 */
    assert_int_equal(pm_style_eval_number(&d, ctx, s, 1, "line-width", &f, &sch), 0);
    assert_true(fabs(d - 3) < 1e-9);
    assert_int_equal(pm_style_eval_color(&c, ctx, s, 1, "line-color", &f, &sch), 0);
    near_color(c, 0.5, 0.5, 0.5, 1);
    assert_int_equal(pm_style_eval_string(&t, ctx, s, 2, "text-field", &f, &sch), 0);
    assert_string_equal(t, "b (10)");
    free(t);
    assert_int_equal(pm_style_eval_number(&d, ctx, s, 2, "text-size", &f, &sch), 0);
    assert_true(d == 12);
    assert_int_equal(pm_style_eval_color(&c, ctx, s, 2, "text-halo-color", &f, &sch), 0);
    near_color(c, 1, 1, 1, 1);
    pm_feature_clear(&f);
    pm_schema_clear(&sch);

    make_feature(&sch, &f, "c", 0.5, 4);
    assert_int_equal(pm_style_eval_color(&c, ctx, s, 0, "fill-color", &f, &sch), 0);
    near_color(c, 0, 1, 0, 1);
    assert_int_equal(pm_style_eval_number(&d, ctx, s, 0, "fill-opacity", &f, &sch), 0);
    assert_true(fabs(d - 0.2) < 1e-9); /* below the first stop */
    assert_int_equal(pm_style_eval_number(&d, ctx, s, 1, "line-width", &f, &sch), 0);
    assert_true(fabs(d - 1.8) < 1e-9);
    assert_int_equal(pm_style_eval_string(&t, ctx, s, 2, "text-field", &f, &sch), 0);
    assert_string_equal(t, "c"); /* n < 5: coalesce skips the missing field */
    free(t);
    assert_int_equal(pm_style_eval_number(&d, ctx, s, 2, "text-size", &f, &sch), 0);
    assert_true(d == 8);
    pm_feature_clear(&f);
    pm_schema_clear(&sch);

    make_feature(&sch, &f, "zzz", 9.0, -3);
    assert_int_equal(pm_style_eval_color(&c, ctx, s, 0, "fill-color", &f, &sch), 0);
    near_color(c, 0, 0, 1, 1); /* fallback */
    assert_int_equal(pm_style_class_of(&cls, ctx, s, 0, "fill-color", &f, &sch), 0);
    assert_int_equal(cls, -1);
    assert_int_equal(pm_style_eval_number(&d, ctx, s, 0, "fill-opacity", &f, &sch), 0);
    assert_true(fabs(d - 0.9) < 1e-9);
    assert_int_equal(pm_style_eval_number(&d, ctx, s, 1, "line-width", &f, &sch), 0);
    assert_true(fabs(d - 1) < 1e-9); /* clamped below the first stop */
    assert_int_equal(pm_style_eval_color(&c, ctx, s, 1, "line-color", &f, &sch), 0);
    near_color(c, 1, 1, 1, 1); /* clamped above the last stop */
    pm_feature_clear(&f);
    pm_schema_clear(&sch);

    make_feature(&sch, &f, NULL, 1, 1);
    assert_int_equal(pm_style_eval_filter(&keep, ctx, s, 0, &f, &sch), 0);
    assert_false(keep); /* ["has", "industry"] fails on null */
    assert_int_equal(pm_style_eval_string(&t, ctx, s, 2, "text-field", &f, &sch), 0);
    assert_string_equal(t, "none");
    free(t);
    pm_feature_clear(&f);
    pm_schema_clear(&sch);

    make_feature(&sch, &f, "x", 1, 1);
    assert_int_equal(pm_style_eval_filter(&keep, ctx, s, 0, &f, &sch), 0);
    assert_false(keep);
    /* Properties of another layer type, or unknown ones, are usage errors. */
    pm_err_clear(ctx);
    assert_int_equal(pm_style_eval_number(&d, ctx, s, 0, "line-width", &f, &sch), PM_EUSAGE);
    pm_err_clear(ctx);
    assert_int_equal(pm_style_eval_number(&d, ctx, s, 0, "fill-wobble", &f, &sch), PM_EUSAGE);
    pm_err_clear(ctx);
    pm_feature_clear(&f);
    pm_schema_clear(&sch);

    pm_style_class *cl = NULL;
    size_t n = 0;
    assert_int_equal(pm_style_classes(&cl, &n, ctx, s, 0, "fill-color"), 0);
    assert_int_equal(n, 2);
    assert_string_equal(cl[0].label, "a, b");
    assert_string_equal(cl[1].label, "c");
    pm_style_classes_free(cl, n);
    pm_style_free(s);
}

/* Issue 4's additions: patterns, grid, multi-layer legend, print pages,
 * and every shipped style parses. */
static void test_print_additions(void **state)
{
    (void)state;
    assert_int_equal(parse_fail("{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": "
                                "\"fill\", \"source\": \"p\",\n\"paint\": {\n\"fill-pattern\": "
                                "[\"match\", [\"get\", \"k\"], \"x\", \"hatch\",\n\"zigzag\"]}}]}"),
                     PM_EUSAGE);
    assert_string_equal(pm_ctx_where(ctx), "t.json:3");
    assert_non_null(strstr(pm_ctx_why(ctx), "zigzag"));
    assert_int_equal(parse_fail("{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": "
                                "\"line\", \"source\": \"p\", \"paint\": {\"fill-pattern\": "
                                "\"hatch\"}}]}"),
                     PM_EUSAGE);
    assert_int_equal(parse_fail("{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": "
                                "\"fill\", \"source\": \"p\"}],\n\"page\": {\"grid\": {\n"
                                "\"type\": \"graticule\",\n\"spacing\": 5}}}"),
                     PM_EUSAGE);
    assert_string_equal(pm_ctx_where(ctx), "t.json:4");
    assert_non_null(strstr(pm_ctx_why(ctx), "spacing"));
    assert_int_equal(parse_fail("{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": "
                                "\"fill\", \"source\": \"p\"}], \"page\": {\"grid\": {\"type\": "
                                "\"utm\"}}}"),
                     PM_EUSAGE);
    assert_int_equal(parse_fail("{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": "
                                "\"fill\", \"source\": \"p\"}], \"page\": {\"legend\": "
                                "{\"layers\": [\"a\", \"nope\"]}}}"),
                     PM_EUSAGE);
    assert_non_null(strstr(pm_ctx_why(ctx), "nope"));

    pm_style *s = NULL;
    pm_err_clear(ctx);
    assert_int_equal(pm_style_parse(&s, ctx,
                                    "{\"version\": 8, \"layers\": [{\"id\": \"a\", \"type\": "
                                    "\"fill\", \"source\": \"p\", \"paint\": {\"fill-color\": "
                                    "\"#fff\", \"fill-pattern\": [\"get\", \"pat\"], "
                                    "\"fill-antialias\": false}}, {\"id\": \"b\", \"type\": "
                                    "\"symbol\", \"source\": \"p\", \"layout\": "
                                    "{\"symbol-sort-key\": [\"get\", \"rank\"]}}], \"page\": "
                                    "{\"width-mm\": 420, \"height-mm\": 297, \"dpi\": 300, "
                                    "\"margin-mm\": 10, \"grid\": {\"interval\": 0.05}, "
                                    "\"legend\": {\"layers\": [\"a\"]}}}",
                                    "t.json"),
                     0);
    const pm_page *pg = pm_style_page(s);
    assert_true(pg->width_mm == 420 && pg->height_mm == 297 && pg->margin_mm == 10);
    assert_true(pg->grid_show && !pg->grid_projected && pg->grid_interval == 0.05);
    assert_int_equal(pg->legend_nlayers, 1);
    /* A pattern read from an attribute: known names pass, others are a
     * plain fill; sort keys may be negative. */
    pm_schema sch = {0};
    assert_int_equal(pm_schema_add(&sch, ctx, "pat", PM_FIELD_TEXT), 0);
    assert_int_equal(pm_schema_add(&sch, ctx, "rank", PM_FIELD_REAL), 0);
    pm_value v[2] = {{0, PM_FIELD_TEXT, 0, 0, "dots"}, {0, PM_FIELD_REAL, 0, -3, NULL}};
    pm_feature f = {1, 2, v, NULL};
    char *out = NULL;
    int aa = 1;
    double key = 0;
    assert_int_equal(pm_style_eval_string(&out, ctx, s, 0, "fill-pattern", &f, &sch), 0);
    assert_string_equal(out, "dots");
    free(out);
    v[0].s = "zigzag";
    assert_int_equal(pm_style_eval_string(&out, ctx, s, 0, "fill-pattern", &f, &sch), 0);
    assert_string_equal(out, "");
    free(out);
    assert_int_equal(pm_style_eval_bool(&aa, ctx, s, 0, "fill-antialias", &f, &sch), 0);
    assert_int_equal(aa, 0);
    assert_int_equal(pm_style_eval_number(&key, ctx, s, 1, "symbol-sort-key", &f, &sch), 0);
    assert_true(key == -3);
    pm_schema_clear(&sch);
    pm_style_free(s);

    static const char *const shipped[] = {"default.json", "qa.json", "print.json"};
    for (size_t i = 0; i < 3; i++) {
        char p[1024];
        snprintf(p, sizeof p, "%s/styles/%s", PM_SOURCE_DIR, shipped[i]);
        pm_err_clear(ctx);
        s = NULL;
        if (pm_style_load(&s, ctx, p))
            fail_msg("%s: %s (%s)", p, pm_ctx_where(ctx), pm_ctx_why(ctx));
        pm_style_free(s);
    }
}

/* The renderer asks the store only for the columns a source's layers read. */
static void test_source_fields(void **state)
{
    (void)state;
    pm_ctx *c = NULL;
    pm_style *s = NULL;
    char **names = NULL;
    size_t n = 0;
    assert_int_equal(pm_ctx_new(&c), 0);
    assert_int_equal(
        pm_style_parse(&s, c,
                       "{\"version\": 8, \"layers\": ["
                       "{\"id\": \"a\", \"type\": \"fill\", \"source\": \"parks\","
                       " \"filter\": [\"has\", \"status\"],"
                       " \"paint\": {\"fill-color\": [\"match\", [\"get\", \"industry\"],"
                       " \"x\", \"#ff0000\", \"#00ff00\"]}},"
                       "{\"id\": \"b\", \"type\": \"symbol\", \"source\": \"parks\","
                       " \"layout\": {\"text-field\": [\"get\", \"industry\"]}},"
                       "{\"id\": \"c\", \"type\": \"line\", \"source\": \"outline\","
                       " \"paint\": {\"line-width\": [\"get\", \"w\"]}}]}",
                       "fields.json"),
        0);
    assert_int_equal(pm_style_source_fields(&names, &n, c, s, "parks"), 0);
    assert_int_equal(n, 2); /* status, industry: each once */
    assert_string_equal(names[0], "status");
    assert_string_equal(names[1], "industry");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    assert_int_equal(pm_style_source_fields(&names, &n, c, s, "nothing"), 0);
    assert_int_equal(n, 0);
    free(names);
    pm_style_free(s);
    pm_ctx_free(c);
}

/* A property a style leaves unset has one default, whether the renderer
 * evaluates it or an exporter asks for it as a constant. */
static void test_defaults_agree(void **state)
{
    (void)state;
    pm_style *s = NULL;
    pm_schema sch = {0};
    pm_feature f = {0};
    pm_err_clear(ctx);
    if (pm_style_parse(&s, ctx,
                       "{\"version\": 8, \"layers\": [\n"
                       " {\"id\": \"f\", \"type\": \"fill\", \"source\": \"p\"},\n"
                       " {\"id\": \"l\", \"type\": \"line\", \"source\": \"p\"},\n"
                       " {\"id\": \"s\", \"type\": \"symbol\", \"source\": \"p\"}]}",
                       "defaults.json"))
        fail_msg("%s: %s (%s)", pm_ctx_what(ctx), pm_ctx_where(ctx), pm_ctx_why(ctx));
    static const struct {
        size_t layer;
        const char *prop;
        double want;
    } nums[] = {{0, "fill-opacity", 1},
                {1, "line-width", 1},
                {1, "line-opacity", 1},
                {2, "text-size", 16},
                {2, "text-halo-width", 0}};
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
        double v = -1, c = -1;
        int is_const = 0;
        assert_int_equal(pm_style_eval_number(&v, ctx, s, nums[i].layer, nums[i].prop, &f, &sch),
                         0);
        assert_int_equal(pm_style_number_const(&c, &is_const, ctx, s, nums[i].layer, nums[i].prop),
                         0);
        assert_true(is_const);
        assert_true(v == nums[i].want && c == nums[i].want);
    }
    static const struct {
        size_t layer;
        const char *prop;
        double alpha;
    } cols[] = {{0, "fill-color", 1},
                {1, "line-color", 1},
                {2, "text-color", 1},
                {2, "text-halo-color", 0}};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
        pm_color v, c;
        int is_const = 0;
        assert_int_equal(pm_style_eval_color(&v, ctx, s, cols[i].layer, cols[i].prop, &f, &sch), 0);
        assert_int_equal(pm_style_color_const(&c, &is_const, ctx, s, cols[i].layer, cols[i].prop),
                         0);
        near_color(v, 0, 0, 0, cols[i].alpha);
        near_color(c, 0, 0, 0, cols[i].alpha);
    }
    int aa = 0;
    assert_int_equal(pm_style_eval_bool(&aa, ctx, s, 0, "fill-antialias", &f, &sch), 0);
    assert_int_equal(aa, 1);
    pm_style_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_parses), cmocka_unit_test(test_unknown_key_line),
        cmocka_unit_test(test_bad_colour),     cmocka_unit_test(test_bad_expression),
        cmocka_unit_test(test_evaluate),       cmocka_unit_test(test_print_additions),
        cmocka_unit_test(test_source_fields),  cmocka_unit_test(test_defaults_agree),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
