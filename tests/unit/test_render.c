/* Rendering: a small database built through the store API, drawn to PNG,
 * SVG and PDF; the scene facts (true scale, true north, legend, labels)
 * checked against geometry computed independently here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <cairo.h>
#include <dirent.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parkmap/parkmap.h"

static char dir[] = "/tmp/pm_test_render_XXXXXX";
static pm_ctx *ctx;
static pm_store *st;
static pm_style *style;

static char *path(const char *name)
{
    static char buf[8][600];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void check(int rc)
{
    if (rc)
        fail_msg("%d: %s: %s (%s)", rc, pm_ctx_what(ctx), pm_ctx_where(ctx), pm_ctx_why(ctx));
}

/* Parks in EPSG:4550 (CGCS2000 / 3-degree Gauss-Krüger, CM 123E, the zone
 * Pudong falls in) near Zhangjiang, about 121.6E 31.2N, 135 km west of the
 * central meridian: the data spans exactly 10 km east-west. */
typedef struct {
    const char *name_zh, *industry;
    double x0, y0, x1, y1;
} park;
static const park parks[] = {
    {"集成电路设计产业园", "integrated circuits", 360000, 3450000, 366000, 3456000},
    {"张江人工智能岛", "artificial intelligence", 368000, 3452000, 370000, 3454000},
    {"临港新片区东方芯港", "integrated circuits", 367000, 3455000, 368500, 3456500},
};
#define NPARKS (sizeof parks / sizeof *parks)

static pm_geom *square(double x0, double y0, double x1, double y1)
{
    pm_geom *g = calloc(1, sizeof *g);
    g->kind = PM_GEOM_POLYGON;
    g->nparts = 1;
    g->parts = calloc(1, sizeof(pm_part));
    g->parts[0].nrings = 1;
    g->parts[0].rings = calloc(1, sizeof(pm_ring));
    pm_ring *r = &g->parts[0].rings[0];
    r->n = 5;
    r->xy = malloc(10 * sizeof(double));
    double xy[10] = {x0, y0, x1, y0, x1, y1, x0, y1, x0, y0};
    memcpy(r->xy, xy, sizeof xy);
    return g;
}

static const char *style_text =
    "{\"version\": 8, \"name\": \"test\", \"layers\": [\n"
    " {\"id\": \"parks-fill\", \"type\": \"fill\", \"source\": \"parks\",\n"
    "  \"paint\": {\"fill-color\": [\"match\", [\"get\", \"industry\"],\n"
    "     \"integrated circuits\", \"#1b9e77\", \"biomedicine\", \"#d95f02\",\n"
    "     \"artificial intelligence\", \"#7570b3\", \"#999999\"],\n"
    "   \"fill-outline-color\": \"#333333\"}},\n"
    " {\"id\": \"parks-line\", \"type\": \"line\", \"source\": \"parks\",\n"
    "  \"paint\": {\"line-color\": \"#222222\", \"line-width\": 1, \"line-dasharray\": [2, 1]}},\n"
    " {\"id\": \"labels\", \"type\": \"symbol\", \"source\": \"parks\",\n"
    "  \"layout\": {\"text-field\": [\"get\", \"name_zh\"], \"text-size\": 9},\n"
    "  \"paint\": {\"text-halo-color\": \"#ffffff\", \"text-halo-width\": 1}}\n"
    "],\n"
    "\"page\": {\"title\": \"Test\", \"subtitle\": \"测试\", \"credits\": \"schematic\",\n"
    "  \"legend\": {\"title\": \"Industry\", \"present-only\": true}}}\n";

static int setup(void **state)
{
    (void)state;
    pm_schema sch = {0};
    pm_store_import *imp = NULL;
    pm_store_import_opts o = PM_STORE_IMPORT_OPTS_INIT;
    long count = 0;
    if (!mkdtemp(dir) || pm_ctx_new(&ctx))
        return -1;
    if (pm_schema_add(&sch, ctx, "name_zh", PM_FIELD_TEXT) ||
        pm_schema_add(&sch, ctx, "industry", PM_FIELD_TEXT))
        return -1;
    o.db_path = path("t.db");
    o.layer = "parks";
    o.srid = 4550;
    o.source_path = "test";
    o.source_crs = "EPSG:4550";
    o.storage_crs = "EPSG:4550";
    if (pm_store_import_begin(&imp, ctx, &o, &sch))
        return -1;
    for (size_t i = 0; i < NPARKS; i++) {
        pm_feature f = {0};
        f.fid = (int64_t)i + 1;
        f.nvalues = 2;
        f.values = calloc(2, sizeof(pm_value));
        f.values[0].type = f.values[1].type = PM_FIELD_TEXT;
        f.values[0].s = strdup(parks[i].name_zh);
        f.values[1].s = strdup(parks[i].industry);
        f.geom = square(parks[i].x0, parks[i].y0, parks[i].x1, parks[i].y1);
        int rc = pm_store_import_add(ctx, imp, &f);
        pm_feature_clear(&f);
        if (rc)
            return -1;
    }
    if (pm_store_import_commit(&count, ctx, imp, 0))
        return -1;
    pm_store_import_free(imp);
    pm_schema_clear(&sch);
    if (pm_store_open(&st, ctx, path("t.db"), 0))
        return -1;
    return pm_style_parse(&style, ctx, style_text, "test.json");
}

static int teardown(void **state)
{
    (void)state;
    pm_style_free(style);
    pm_store_free(st);
    pm_ctx_free(ctx);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.')
            unlink(path(e->d_name));
    if (d)
        closedir(d);
    rmdir(dir);
    return 0;
}

static int render(const char *out, int w, int h, int overwrite)
{
    pm_render_opts o = PM_RENDER_OPTS_INIT;
    o.out_path = out;
    o.width_px = w;
    o.height_px = h;
    o.overwrite = overwrite;
    pm_err_clear(ctx);
    return pm_render_map(ctx, st, style, &o);
}

static void layout(pm_render_info *info, int w, int h)
{
    pm_render_opts o = PM_RENDER_OPTS_INIT;
    o.width_px = w;
    o.height_px = h;
    pm_err_clear(ctx);
    check(pm_render_layout(info, ctx, st, style, &o));
}

static unsigned char *slurp(const char *p, size_t *n)
{
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *b = malloc(*n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

/* Storage CRS -> page px, from the reported frame and extent. */
static void to_px(const pm_render_info *in, double x, double y, double *px, double *py)
{
    *px = in->frame[0] + (x - in->extent[0]) / in->grid_m_per_px;
    *py = in->frame[1] + (in->extent[3] - y) / in->grid_m_per_px;
}

static void test_png(void **state)
{
    (void)state;
    check(render(path("m.png"), 400, 300, 1));
    cairo_surface_t *s = cairo_image_surface_create_from_png(path("m.png"));
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(s), 400);
    assert_int_equal(cairo_image_surface_get_height(s), 300);
    pm_render_info in;
    layout(&in, 400, 300);
    /* A point inside the big park, clear of its label, its outline and the
     * furniture drawn over the map. */
    double px = -1, py = -1;
    for (double fy = 0.1; fy < 0.95 && px < 0; fy += 0.1)
        for (double fx = 0.1; fx < 0.95 && px < 0; fx += 0.1) {
            double x, y;
            to_px(&in, 360000 + 6000 * fx, 3450000 + 6000 * fy, &x, &y);
            int clear = 1;
            const double *boxes[] = {in.legend_rect, in.scale_bar_rect, in.north_arrow_rect};
            for (int b = 0; b < 3; b++)
                clear &= !(x > boxes[b][0] - 3 && x < boxes[b][0] + boxes[b][2] + 3 &&
                           y > boxes[b][1] - 3 && y < boxes[b][1] + boxes[b][3] + 3);
            for (size_t l = 0; l < in.nlabels; l++)
                clear &= !(x > in.labels[l].x - 3 && x < in.labels[l].x + in.labels[l].w + 3 &&
                           y > in.labels[l].y - 3 && y < in.labels[l].y + in.labels[l].h + 3);
            if (clear)
                px = x, py = y;
        }
    assert_true(px >= 0);
    cairo_surface_flush(s);
    const unsigned char *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    uint32_t pix = *(const uint32_t *)(data + (int)py * stride + 4 * (int)px);
    int r = (pix >> 16) & 255, g = (pix >> 8) & 255, b = pix & 255;
    if (abs(r - 0x1b) > 3 || abs(g - 0x9e) > 3 || abs(b - 0x77) > 3)
        fail_msg("pixel at %.0f,%.0f is #%02x%02x%02x, not #1b9e77", px, py, r, g, b);
    /* And the page background outside the frame is the style's white. */
    pix = *(const uint32_t *)(data + 2 * stride + 4 * 2);
    assert_int_equal(pix & 0xffffff, 0xffffff);
    cairo_surface_destroy(s);
    pm_render_info_clear(&in);
}

static void test_vector_deterministic(void **state)
{
    (void)state;
    static const char *const names[][2] = {{"a.svg", "b.svg"}, {"a.pdf", "b.pdf"}};
    static const char *const magic[] = {"<?xml", "%PDF"};
    for (int k = 0; k < 2; k++) {
        size_t n1, n2;
        check(render(path(names[k][0]), 400, 300, 1));
        check(render(path(names[k][1]), 400, 300, 1));
        unsigned char *a = slurp(path(names[k][0]), &n1), *b = slurp(path(names[k][1]), &n2);
        assert_true(n1 > 100);
        assert_memory_equal(a, magic[k], strlen(magic[k]));
        assert_int_equal(n1, n2);
        assert_memory_equal(a, b, n1);
        free(a);
        free(b);
    }
    /* PNG too. */
    size_t n1, n2;
    check(render(path("a.png"), 400, 300, 1));
    check(render(path("b.png"), 400, 300, 1));
    unsigned char *a = slurp(path("a.png"), &n1), *b = slurp(path("b.png"), &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    free(a);
    free(b);
}

static void test_scale(void **state)
{
    (void)state;
    pm_render_info in;
    layout(&in, 800, 600);
    assert_int_equal(in.srid, 4550);
    /* Same scale in x and y, and the data's 10 km fits inside. */
    assert_true(in.extent[0] <= 360000 && in.extent[2] >= 370000);
    assert_true(in.extent[1] <= 3450000 && in.extent[3] >= 3456500);
    assert_true(fabs((in.extent[2] - in.extent[0]) / in.frame[2] - in.grid_m_per_px) < 1e-9);
    assert_true(fabs((in.extent[3] - in.extent[1]) / in.frame[3] - in.grid_m_per_px) < 1e-9);
    /* 10 km by 6.5 km, padded by 4 % of the longer side all round, fitted
     * to the frame at one scale. */
    double known = fmax(10800 / in.frame[2], 7300 / in.frame[3]);
    assert_true(fabs(in.grid_m_per_px - known) / known < 1e-9);
    /* True ground scale: the grid is stretched by Gauss-Krüger's k =
     * 1 + x^2 / 2R^2 (x from the central meridian), about 1.0002 here. */
    double x = (in.extent[0] + in.extent[2]) / 2 - 500000, R = 6378137 * 0.99832;
    double k = 1 + x * x / (2 * R * R);
    assert_true(fabs(in.m_per_px - known) / known < 0.005);
    assert_true(fabs(in.m_per_px * k - known) / known < 2e-4);
    /* The scale bar: a round length, drawn at the true scale, ~1/5 width. */
    double m = in.scale_bar_m, p = pow(10, floor(log10(m))), lead = m / p;
    assert_true(fabs(lead - 1) < 1e-9 || fabs(lead - 2) < 1e-9 || fabs(lead - 5) < 1e-9);
    assert_true(fabs(in.scale_bar_px * in.m_per_px - m) < 1e-6 * m);
    assert_true(in.scale_bar_px <= in.frame[2] / 5 + 1e-9);
    assert_true(in.scale_bar_px >= in.frame[2] / 12.5);
    assert_string_equal(in.scale_bar_label, "2 km");
    pm_render_info_clear(&in);
}

static void test_north(void **state)
{
    (void)state;
    pm_render_info in;
    pm_transform *t = NULL;
    layout(&in, 800, 600);
    double c[2] = {(in.extent[0] + in.extent[2]) / 2, (in.extent[1] + in.extent[3]) / 2};
    check(pm_transform_new(&t, ctx, "EPSG:4550", "EPSG:4326"));
    check(pm_transform_points(t, ctx, c, 1));
    pm_transform_free(t);
    /* Grid convergence gamma = (lon - lon0) sin(lat): west of the central
     * meridian it is negative, grid north lies west of true north, so true
     * north points right of page-up, by -gamma. */
    double gamma = (c[0] - 123.0) * sin(c[1] * 3.14159265358979 / 180);
    assert_true(gamma < -0.6 && gamma > -0.9);
    if (fabs(in.north_deg + gamma) > 0.05)
        fail_msg("north %.4f deg, expected %.4f", in.north_deg, -gamma);
    pm_render_info_clear(&in);
}

static void test_labels_and_legend(void **state)
{
    (void)state;
    pm_render_info in;
    /* Small enough that not every label fits: some are dropped. */
    for (int w = 200; w <= 1200; w += 500) {
        layout(&in, w, w * 3 / 4);
        assert_int_equal(in.nlabels + in.nlabels_dropped, NPARKS);
        for (size_t i = 0; i < in.nlabels; i++) {
            const pm_label_box *a = &in.labels[i];
            assert_true(a->x >= in.frame[0] && a->x + a->w <= in.frame[0] + in.frame[2]);
            for (size_t j = i + 1; j < in.nlabels; j++) {
                const pm_label_box *b = &in.labels[j];
                int apart = a->x + a->w <= b->x || b->x + b->w <= a->x || a->y + a->h <= b->y ||
                            b->y + b->h <= a->y;
                if (!apart)
                    fail_msg("labels '%s' and '%s' overlap at %d px", a->text, b->text, w);
            }
        }
        if (w == 1200) {
            assert_int_equal(in.nlabels, NPARKS);
            /* The biggest park is labelled first, at its centre. */
            double px, py;
            to_px(&in, 363000, 3453000, &px, &py);
            assert_string_equal(in.labels[0].text, "集成电路设计产业园");
            assert_true(fabs(in.labels[0].anchor_x - px) < 2 &&
                        fabs(in.labels[0].anchor_y - py) < 2);
        }
        /* present-only: biomedicine is in the style, not in the data. (At
         * 200 px the legend may not fit, and is then left out.) */
        if (w == 200 && in.nlegend == 0) {
            pm_render_info_clear(&in);
            continue;
        }
        assert_int_equal(in.nlegend, 2);
        assert_string_equal(in.legend[0].label, "integrated circuits");
        assert_int_equal(in.legend[0].count, 2);
        assert_string_equal(in.legend[1].label, "artificial intelligence");
        assert_int_equal(in.legend[1].count, 1);
        pm_render_info_clear(&in);
    }
}

static void test_no_overwrite(void **state)
{
    (void)state;
    size_t n1, n2;
    check(render(path("keep.png"), 300, 200, 1));
    unsigned char *before = slurp(path("keep.png"), &n1);
    assert_int_equal(render(path("keep.png"), 400, 300, 0), PM_EEXIST);
    unsigned char *after = slurp(path("keep.png"), &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(before, after, n1);
    free(after);
    /* A render that fails midway leaves the old file and no temporary. */
    pm_style *bad = NULL;
    check(pm_style_parse(&bad, ctx,
                         "{\"version\": 8, \"layers\": [{\"id\": \"x\", \"type\": \"fill\", "
                         "\"source\": \"no_such_table\"}]}",
                         "bad.json"));
    pm_render_opts o = PM_RENDER_OPTS_INIT;
    o.out_path = path("keep.png");
    o.overwrite = 1; /* the failure must come from the style, not the existing file */
    pm_err_clear(ctx);
    assert_int_equal(pm_render_map(ctx, st, bad, &o), PM_EUSAGE);
    pm_style_free(bad);
    after = slurp(path("keep.png"), &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(before, after, n1);
    free(before);
    free(after);
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)))
        assert_null(strstr(e->d_name, ".tmp-"));
    closedir(d);
    /* Unknown format. */
    assert_int_equal(render(path("m.jpg"), 300, 200, 1), PM_EUSAGE);
    assert_int_equal(access(path("m.jpg"), F_OK), -1);
}

static void test_glyphs(void **state)
{
    (void)state;
    static const char *const names[] = {
        "集成电路设计产业园",
        "临港新片区东方芯港",
        "张江人工智能岛",
        "张江创新药产业基地",
        "金桥5G产业生态园",
        "临港新片区海洋创新园",
        "张江数链",
        "临港生命蓝湾",
        "大飞机园",
        "信息飞鱼",
        "上海国际医学园区（部分）",
        "浦东新区特色产业园区 · schematic boundaries",
    };
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 10, 10);
    cairo_t *cr = cairo_create(s);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        int unknown = -1;
        check(pm_render_unknown_glyphs(&unknown, ctx, NULL, names[i]));
        if (unknown != 0)
            fail_msg("%d glyphs of '%s' missing", unknown, names[i]);
        /* Independently of parkmap's helper, straight through pango. */
        PangoLayout *l = pango_cairo_create_layout(cr);
        PangoFontDescription *fd = pango_font_description_from_string(PM_RENDER_DEFAULT_FONT " 12");
        pango_layout_set_font_description(l, fd);
        pango_layout_set_text(l, names[i], -1);
        assert_int_equal(pango_layout_get_unknown_glyphs_count(l), 0);
        pango_font_description_free(fd);
        g_object_unref(l);
    }
    cairo_destroy(cr);
    cairo_surface_destroy(s);
}

/* ---- issue 4: seams, grid, furniture, multi-line labels ---------------- */

static pm_style *parse_style(const char *text)
{
    pm_style *s = NULL;
    pm_err_clear(ctx);
    check(pm_style_parse(&s, ctx, text, "t.json"));
    return s;
}

/* A jittered 8 x 8 tessellation (shared vertices, slanted shared edges)
 * in one colour, no outlines: every pixel along a shared edge must be the
 * fill colour, not a lighter anti-aliasing seam. */
static void test_no_seams(void **state)
{
    (void)state;
    enum { N = 8 };
    double vx[N + 1][N + 1], vy[N + 1][N + 1];
    pm_schema sch = {0};
    pm_store_import *imp = NULL;
    pm_store_import_opts o = PM_STORE_IMPORT_OPTS_INIT;
    long count = 0;
    unsigned seed = 7;
    for (int j = 0; j <= N; j++)
        for (int i = 0; i <= N; i++) {
            seed = seed * 1103515245u + 12345u;
            double jx = (0 < i && i < N) ? ((seed >> 8) % 600) - 300.0 : 0;
            seed = seed * 1103515245u + 12345u;
            double jy = (0 < j && j < N) ? ((seed >> 8) % 600) - 300.0 : 0;
            vx[j][i] = 360000 + 1000.0 * i + jx;
            vy[j][i] = 3450000 + 1000.0 * j + jy;
        }
    check(pm_schema_add(&sch, ctx, "industry", PM_FIELD_TEXT));
    o.db_path = path("tess.db");
    o.srid = 4550;
    o.source_path = "tess";
    o.source_crs = o.storage_crs = "EPSG:4550";
    check(pm_store_import_begin(&imp, ctx, &o, &sch));
    for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++) {
            pm_feature f = {0};
            f.fid = j * N + i + 1;
            f.nvalues = 1;
            f.values = calloc(1, sizeof(pm_value));
            f.values[0].type = PM_FIELD_TEXT;
            f.values[0].s = strdup("integrated circuits");
            f.geom = square(0, 0, 1, 1);
            double xy[10] = {vx[j][i],         vy[j][i],         vx[j][i + 1], vy[j][i + 1],
                             vx[j + 1][i + 1], vy[j + 1][i + 1], vx[j + 1][i], vy[j + 1][i],
                             vx[j][i],         vy[j][i]};
            memcpy(f.geom->parts[0].rings[0].xy, xy, sizeof xy);
            check(pm_store_import_add(ctx, imp, &f));
            pm_feature_clear(&f);
        }
    check(pm_store_import_commit(&count, ctx, imp, 0));
    pm_store_import_free(imp);
    pm_schema_clear(&sch);
    pm_store *ts = NULL;
    check(pm_store_open(&ts, ctx, path("tess.db"), 0));
    pm_style *ss = parse_style(
        "{\"version\": 8, \"layers\": [{\"id\": \"f\", \"type\": \"fill\", \"source\": \"parks\","
        " \"paint\": {\"fill-color\": \"#2b6cb0\"}}], \"page\": {\"margin\": 0,"
        " \"legend\": {\"show\": false}, \"scale-bar\": {\"show\": false},"
        " \"north-arrow\": {\"show\": false}}}");
    pm_render_opts ro = PM_RENDER_OPTS_INIT;
    pm_render_info in;
    ro.out_path = path("tess.png");
    ro.width_px = 400;
    ro.height_px = 400;
    check(pm_render_map(ctx, ts, ss, &ro));
    check(pm_render_layout(&in, ctx, ts, ss, &ro));
    cairo_surface_t *img = cairo_image_surface_create_from_png(path("tess.png"));
    assert_int_equal(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
    const unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img), tested = 0, bad = 0;
    /* Sample every interior shared edge, away from the corners. */
    for (int j = 0; j <= N; j++)
        for (int i = 0; i <= N; i++)
            for (int dn = 0; dn < 2; dn++) {
                int i2 = i + (dn == 0), j2 = j + (dn == 1);
                if (i2 > N || j2 > N || (dn == 0 && (j == 0 || j == N)) ||
                    (dn == 1 && (i == 0 || i == N)))
                    continue;
                for (double t = 0.15; t <= 0.851; t += 0.05) {
                    double x, y;
                    to_px(&in, vx[j][i] + t * (vx[j2][i2] - vx[j][i]),
                          vy[j][i] + t * (vy[j2][i2] - vy[j][i]), &x, &y);
                    uint32_t p = *(const uint32_t *)(data + (int)y * stride + 4 * (int)x);
                    int r = (p >> 16) & 255, g = (p >> 8) & 255, b = p & 255;
                    tested++;
                    if (abs(r - 0x2b) > 2 || abs(g - 0x6c) > 2 || abs(b - 0xb0) > 2) {
                        if (bad++ < 5)
                            print_message("seam at %.1f,%.1f: #%02x%02x%02x\n", x, y, r, g, b);
                    }
                }
            }
    assert_true(tested > 1000);
    assert_int_equal(bad, 0);
    cairo_surface_destroy(img);
    pm_render_info_clear(&in);
    pm_style_free(ss);
    pm_store_free(ts);
}

static int rects_meet(const double *a, double bx, double by, double bw, double bh)
{
    return a[2] > 0 &&
           !(a[0] + a[2] <= bx || bx + bw <= a[0] || a[1] + a[3] <= by || by + bh <= a[1]);
}

/* Graticule labels say where their lines really are, and map labels keep
 * off the grid labels and every piece of furniture. */
static void test_grid_and_furniture(void **state)
{
    (void)state;
    pm_style *gs = parse_style(
        "{\"version\": 8, \"layers\": [\n"
        " {\"id\": \"f\", \"type\": \"fill\", \"source\": \"parks\", \"paint\": {\"fill-color\":"
        "   [\"match\", [\"get\", \"industry\"], \"integrated circuits\", \"#1b9e77\", "
        "\"#999999\"]}},\n"
        " {\"id\": \"l\", \"type\": \"symbol\", \"source\": \"parks\", \"layout\": {\"text-field\":"
        "   [\"concat\", [\"get\", \"industry\"], \"\\n\", [\"get\", \"name_zh\"]], \"text-size\": "
        "9}}],\n"
        " \"page\": {\"grid\": {\"type\": \"graticule\"}, \"title\": \"T\","
        "  \"legend\": {\"title\": \"Industry\"}}}");
    pm_transform *t = NULL;
    check(pm_transform_new(&t, ctx, "EPSG:4550", "EPSG:4326"));
    for (int w = 500; w <= 1300; w += 400) {
        pm_render_info in;
        pm_render_opts o = PM_RENDER_OPTS_INIT;
        o.width_px = w;
        o.height_px = w * 3 / 4;
        pm_err_clear(ctx);
        check(pm_render_layout(&in, ctx, st, gs, &o));
        assert_true(in.ngrid_lines >= 4);
        assert_true(in.ngrid_labels >= 2);
        for (size_t i = 0; i < in.ngrid_labels; i++) {
            const pm_label_box *g = &in.grid_labels[i];
            int deg = 0, min = 0;
            char hemi = 0;
            const char *p = g->text;
            deg = (int)strtol(p, (char **)&p, 10);
            assert_memory_equal(p, "°", strlen("°"));
            p += strlen("°");
            if (*p >= '0' && *p <= '9') {
                min = (int)strtol(p, (char **)&p, 10);
                assert_memory_equal(p, "′", strlen("′"));
                p += strlen("′");
            }
            hemi = *p;
            double val = deg + min / 60.0;
            /* The anchor is where the line meets the frame: back to lon/lat. */
            double xy[2] = {in.extent[0] + (g->anchor_x - in.frame[0]) * in.grid_m_per_px,
                            in.extent[3] - (g->anchor_y - in.frame[1]) * in.grid_m_per_px};
            check(pm_transform_points(t, ctx, xy, 1));
            double got = hemi == 'E' ? xy[0] : xy[1];
            if (fabs(got - val) > 2e-4)
                fail_msg("grid label '%s' sits at %.5f", g->text, got);
            /* on the frame edge it names */
            if (hemi == 'E')
                assert_true(fabs(g->anchor_y - (in.frame[1] + in.frame[3])) < 1e-6);
            else
                assert_true(fabs(g->anchor_x - in.frame[0]) < 1e-6);
        }
        for (size_t i = 0; i < in.nlabels; i++) {
            const pm_label_box *a = &in.labels[i];
            const double *furn[] = {in.legend_rect, in.scale_bar_rect, in.north_arrow_rect};
            for (int k = 0; k < 3; k++)
                if (rects_meet(furn[k], a->x, a->y, a->w, a->h))
                    fail_msg("label '%s' under furniture %d at %d px", a->text, k, w);
            for (size_t k = 0; k < in.ngrid_labels; k++) {
                const pm_label_box *g = &in.grid_labels[k];
                double gr[4] = {g->x, g->y, g->w, g->h};
                if (rects_meet(gr, a->x, a->y, a->w, a->h))
                    fail_msg("label '%s' over grid label '%s'", a->text, g->text);
            }
            /* Two lines, English over Chinese. */
            assert_non_null(strchr(a->text, '\n'));
        }
        if (w == 1300) {
            /* Every park labelled; a two-line label is about twice as tall
             * as one line of the same size. */
            assert_int_equal(in.nlabels, NPARKS);
            assert_true(in.labels[0].h > 1.5 * 9 * 96 / 72.0);
        }
        pm_render_info_clear(&in);
    }
    pm_transform_free(t);
    pm_style_free(gs);
}

/* A legend from several layers: fill classes, a hatched class and a line,
 * only those present. */
static void test_legend_layers(void **state)
{
    (void)state;
    pm_style *ls = parse_style(
        "{\"version\": 8, \"layers\": [\n"
        " {\"id\": \"f\", \"type\": \"fill\", \"source\": \"parks\", \"paint\": {\"fill-color\":"
        "   [\"match\", [\"get\", \"industry\"], \"integrated circuits\", \"#1b9e77\","
        "    \"biomedicine\", \"#d95f02\", \"#999999\"]}},\n"
        " {\"id\": \"hatched\", \"type\": \"fill\", \"source\": \"parks\","
        "  \"filter\": [\"==\", [\"get\", \"industry\"], \"artificial intelligence\"],"
        "  \"paint\": {\"fill-color\": \"#333333\", \"fill-pattern\": \"crosshatch\"}},\n"
        " {\"id\": \"edge\", \"type\": \"line\", \"source\": \"parks\", \"paint\": {\"line-color\":"
        "   \"#ff0000\", \"line-width\": 2, \"line-dasharray\": [2, 1]}}],\n"
        " \"page\": {\"legend\": {\"layers\": [\"f\", \"hatched\", \"edge\"], \"present-only\": "
        "true}}}");
    pm_render_info in;
    pm_render_opts o = PM_RENDER_OPTS_INIT;
    pm_err_clear(ctx);
    check(pm_render_layout(&in, ctx, st, ls, &o));
    assert_int_equal(in.nlegend, 3);
    assert_string_equal(in.legend[0].label, "integrated circuits");
    assert_int_equal(in.legend[0].count, 2);
    assert_string_equal(in.legend[1].label, "hatched");
    assert_int_equal(in.legend[1].count, 1);
    assert_string_equal(in.legend[2].label, "edge");
    assert_int_equal(in.legend[2].count, NPARKS);
    pm_render_info_clear(&in);
    /* and it draws, vector stays vector: no embedded image in the SVG */
    pm_render_opts ro = PM_RENDER_OPTS_INIT;
    ro.out_path = path("legend.svg");
    check(pm_render_map(ctx, st, ls, &ro));
    size_t n;
    unsigned char *svg = slurp(path("legend.svg"), &n);
    svg[n - 1] = 0;
    assert_null(strstr((char *)svg, "<image"));
    free(svg);
    pm_style_free(ls);
}

/* The inset (page.inset): two lone parks far apart and six small ones
 * crowded within 3 km, on a page where their names cannot all fit. The
 * cluster is found from the data; every park is labelled, on the main map
 * or in the panel; the panel is drawn where the layout says. */
static const park spread[] = {
    {"浦东北部孤立园区", "biomedicine", 330000, 3480000, 331500, 3481500},
    {"临港南部孤立园区", "integrated circuits", 398000, 3420000, 399500, 3421500},
    {"张江簇园区一号", "integrated circuits", 364000, 3455000, 364600, 3455600},
    {"张江簇园区二号", "biomedicine", 364900, 3455200, 365400, 3455700},
    {"张江簇园区三号", "artificial intelligence", 365700, 3455000, 366200, 3455500},
    {"张江簇园区四号", "integrated circuits", 364200, 3456000, 364700, 3456500},
    {"张江簇园区五号", "biomedicine", 365100, 3456100, 365600, 3456700},
    {"张江簇园区六号", "integrated circuits", 366000, 3456200, 366500, 3456700},
};
#define NSPREAD (sizeof spread / sizeof *spread)

static pm_store *spread_store(void)
{
    pm_schema sch = {0};
    pm_store_import *imp = NULL;
    pm_store_import_opts o = PM_STORE_IMPORT_OPTS_INIT;
    pm_store *s = NULL;
    long count = 0;
    check(pm_schema_add(&sch, ctx, "name_zh", PM_FIELD_TEXT));
    check(pm_schema_add(&sch, ctx, "industry", PM_FIELD_TEXT));
    o.db_path = path("spread.db");
    o.layer = "parks";
    o.srid = 4550;
    o.source_path = "test";
    o.source_crs = "EPSG:4550";
    o.storage_crs = "EPSG:4550";
    check(pm_store_import_begin(&imp, ctx, &o, &sch));
    for (size_t i = 0; i < NSPREAD; i++) {
        pm_feature f = {0};
        f.fid = (int64_t)i + 1;
        f.nvalues = 2;
        f.values = calloc(2, sizeof(pm_value));
        f.values[0].type = f.values[1].type = PM_FIELD_TEXT;
        f.values[0].s = strdup(spread[i].name_zh);
        f.values[1].s = strdup(spread[i].industry);
        f.geom = square(spread[i].x0, spread[i].y0, spread[i].x1, spread[i].y1);
        check(pm_store_import_add(ctx, imp, &f));
        pm_feature_clear(&f);
    }
    check(pm_store_import_commit(&count, ctx, imp, 0));
    pm_store_import_free(imp);
    pm_schema_clear(&sch);
    check(pm_store_open(&s, ctx, path("spread.db"), 0));
    return s;
}

static int inside(const double *r, double x, double y, double w, double h)
{
    return x >= r[0] - 0.01 && y >= r[1] - 0.01 && x + w <= r[0] + r[2] + 0.01 &&
           y + h <= r[1] + r[3] + 0.01;
}

static void test_inset(void **state)
{
    (void)state;
    pm_store *ss = spread_store();
    const char *fmt =
        "{\"version\": 8, \"layers\": [\n"
        " {\"id\": \"f\", \"type\": \"fill\", \"source\": \"parks\", \"paint\": {\"fill-color\":"
        "   \"#66c2a5\", \"fill-outline-color\": \"#333333\"}},\n"
        " {\"id\": \"l\", \"type\": \"symbol\", \"source\": \"parks\",\n"
        "  \"layout\": {\"text-field\": [\"get\", \"name_zh\"], \"text-size\": 9}}],\n"
        " \"page\": {\"title\": \"t\", \"legend\": {\"show\": false}%s}}";
    char text[2048];
    snprintf(text, sizeof text, fmt,
             ", \"inset\": {\"position\": \"top-right\", \"size\": 0.4, \"min-gain\": 3}");
    pm_style *on = parse_style(text);
    snprintf(text, sizeof text, fmt, ", \"inset\": {\"show\": false}");
    pm_style *off = parse_style(text);
    pm_render_info in, none;
    pm_render_opts o = PM_RENDER_OPTS_INIT;
    o.width_px = 1000;
    o.height_px = 750;
    pm_err_clear(ctx);
    check(pm_render_layout(&none, ctx, ss, off, &o));
    /* Without it the cluster's names collide: some are dropped. */
    assert_true(none.nlabels_dropped > 0);
    assert_true(none.inset_gain == 0 && none.inset_rect[2] == 0);
    for (size_t i = 0; i < none.nlabels; i++)
        assert_int_equal(none.labels[i].inset, 0);
    check(pm_render_layout(&in, ctx, ss, on, &o));
    assert_true(in.inset_gain >= 3);
    const double *r = in.inset_rect, *e = in.inset_extent;
    assert_true(r[2] > 0 && inside(in.frame, r[0], r[1], r[2], r[3]));
    /* top-right: its right edge near the frame's, clear of the furniture */
    assert_true(r[0] + r[2] > in.frame[0] + in.frame[2] * 0.6 && r[1] < in.frame[1] + 40);
    const double *furn[] = {in.scale_bar_rect, in.north_arrow_rect};
    for (int k = 0; k < 2; k++)
        assert_true(furn[k][0] >= r[0] + r[2] || furn[k][0] + furn[k][2] <= r[0] ||
                    furn[k][1] >= r[1] + r[3] || furn[k][1] + furn[k][3] <= r[1]);
    /* The six crowded parks are all in it, the two lone ones not. */
    for (size_t i = 0; i < NSPREAD; i++) {
        double cx = (spread[i].x0 + spread[i].x1) / 2, cy = (spread[i].y0 + spread[i].y1) / 2;
        int in_ext = cx >= e[0] && cx <= e[2] && cy >= e[1] && cy <= e[3];
        assert_int_equal(in_ext, i >= 2);
    }
    /* Every park named somewhere; inset labels in the panel, main labels
     * off it, none overlapping another in the same panel. */
    assert_int_equal(in.nlabels_dropped, 0);
    for (size_t p = 0; p < NSPREAD; p++) {
        int named = 0;
        for (size_t i = 0; i < in.nlabels; i++)
            named |= strcmp(in.labels[i].text, spread[p].name_zh) == 0;
        if (!named)
            fail_msg("park '%s' labelled nowhere", spread[p].name_zh);
    }
    size_t ninset = 0;
    for (size_t i = 0; i < in.nlabels; i++) {
        const pm_label_box *a = &in.labels[i];
        ninset += (size_t)a->inset;
        if (a->inset)
            assert_true(inside(r, a->x, a->y, a->w, a->h));
        else
            assert_true(a->x >= r[0] + r[2] || a->x + a->w <= r[0] || a->y >= r[1] + r[3] ||
                        a->y + a->h <= r[1]);
        for (size_t j = i + 1; j < in.nlabels; j++) {
            const pm_label_box *b = &in.labels[j];
            if (a->inset != b->inset)
                continue;
            int apart = a->x + a->w <= b->x || b->x + b->w <= a->x || a->y + a->h <= b->y ||
                        b->y + b->h <= a->y;
            if (!apart)
                fail_msg("labels '%s' and '%s' overlap", a->text, b->text);
        }
    }
    assert_int_equal(ninset, 6);
    /* Pixels: the panel's frame is drawn where the layout put it (dark ink
     * along its top edge), and not there when the style turns it off. */
    o.out_path = path("inset.png");
    check(pm_render_map(ctx, ss, on, &o));
    o.out_path = path("noinset.png");
    check(pm_render_map(ctx, ss, off, &o));
    cairo_surface_t *a = cairo_image_surface_create_from_png(path("inset.png"));
    cairo_surface_t *b = cairo_image_surface_create_from_png(path("noinset.png"));
    assert_int_equal(cairo_surface_status(a), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_surface_status(b), CAIRO_STATUS_SUCCESS);
    int dark_a = 0, dark_b = 0, n = 0;
    for (int x = (int)(r[0] + 8); x < (int)(r[0] + r[2] - 8); x += 4, n++) {
        int y = (int)floor(r[1]);
        for (int k = 0; k < 2; k++) {
            cairo_surface_t *s = k ? b : a;
            const uint32_t *px = (const uint32_t *)(cairo_image_surface_get_data(s) +
                                                    (size_t)y * cairo_image_surface_get_stride(s));
            uint32_t v = px[x];
            int dark = ((v >> 16) & 255) < 120 && ((v >> 8) & 255) < 120 && (v & 255) < 120;
            *(k ? &dark_b : &dark_a) += dark;
        }
    }
    if (dark_a < n * 9 / 10 || dark_b > 0)
        fail_msg("inset frame: %d of %d dark with it, %d without", dark_a, n, dark_b);
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
    /* SVG and PDF get it too (drawn from the same scene). */
    o.out_path = path("inset.svg");
    check(pm_render_map(ctx, ss, on, &o));
    o.out_path = path("inset.pdf");
    check(pm_render_map(ctx, ss, on, &o));
    pm_render_info_clear(&in);
    pm_render_info_clear(&none);
    pm_style_free(on);
    pm_style_free(off);
    pm_store_free(ss);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png),
        cmocka_unit_test(test_vector_deterministic),
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_north),
        cmocka_unit_test(test_labels_and_legend),
        cmocka_unit_test(test_no_overwrite),
        cmocka_unit_test(test_glyphs),
        cmocka_unit_test(test_no_seams),
        cmocka_unit_test(test_grid_and_furniture),
        cmocka_unit_test(test_legend_layers),
        cmocka_unit_test(test_inset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
