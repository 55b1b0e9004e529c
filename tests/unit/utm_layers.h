/* Building small layers for the analysis unit tests: GeoJSON written in
 * UTM zone 51N (EPSG:32651) near Shanghai, every coordinate moved by up to
 * NOISE so that nothing matches exactly, and imported into a scratch
 * database (scratch.h). Include once, after scratch.h; the test defines X0,
 * Y0 (the local origin, metres) and NOISE first. Shared by test_analysis.c
 * and test_layout_indicators.c. */
#ifndef PM_TEST_UTM_LAYERS_H
#define PM_TEST_UTM_LAYERS_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parkmap/parkmap.h"

/* A GeoJSON FeatureCollection being written. */
typedef struct {
    char *s;
    size_t n, cap;
    int nfeatures;
    unsigned seed;
} gj;

static void gj_add(gj *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void gj_add(gj *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(need >= 0);
    if (g->n + (size_t)need + 1 > g->cap) {
        g->cap = 2 * (g->n + (size_t)need + 1);
        g->s = realloc(g->s, g->cap);
        assert_non_null(g->s);
    }
    va_start(ap, fmt);
    vsnprintf(g->s + g->n, g->cap - g->n, fmt, ap);
    va_end(ap);
    g->n += (size_t)need;
}

/* Deterministic noise in [-NOISE, NOISE]. */
static double jitter(gj *g)
{
    g->seed = g->seed * 1103515245u + 12345u;
    return ((double)((g->seed >> 8) & 0xffff) / 65535.0 * 2 - 1) * NOISE;
}

/* A feature of nparts polygons; part i has counts[i] vertices (open ring,
 * local coordinates) from pts, one after another. props is the inside of
 * the properties object. */
static void feature(gj *g, const char *props, size_t nparts, const size_t *counts,
                    const double *pts)
{
    gj_add(g,
           "%s{\"type\":\"Feature\",\"properties\":{%s},\"geometry\":{\"type\":"
           "\"MultiPolygon\",\"coordinates\":[",
           g->nfeatures++ ? "," : "", props);
    for (size_t p = 0; p < nparts; p++) {
        double fx = 0, fy = 0;
        gj_add(g, "%s[[", p ? "," : "");
        for (size_t i = 0; i < counts[p]; i++, pts += 2) {
            double x = X0 + pts[0] + jitter(g), y = Y0 + pts[1] + jitter(g);
            if (i == 0)
                fx = x, fy = y;
            gj_add(g, "[%.4f,%.4f],", x, y);
        }
        gj_add(g, "[%.4f,%.4f]]]", fx, fy);
    }
    gj_add(g, "]}}");
}

/* An axis-aligned rectangle (x0, y0)-(x1, y1), counter-clockwise. */
static void rect(gj *g, const char *props, double x0, double y0, double x1, double y1)
{
    const double pts[] = {x0, y0, x1, y0, x1, y1, x0, y1};
    const size_t n = 4;
    feature(g, props, 1, &n, pts);
}

/* Write the collection (declared EPSG:32651) and import it into db_name as
 * layer (invalid polygons allowed: the QA tests need them). */
static void import_layer(pm_ctx *ctx, gj *g, const char *db_name, const char *layer)
{
    char src[96];
    snprintf(src, sizeof src, "%s.%s.geojson", db_name, layer);
    FILE *f = fopen(path(src), "w");
    assert_non_null(f);
    fprintf(f,
            "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
            "{\"name\":\"urn:ogc:def:crs:EPSG::32651\"}},\"features\":[%s]}",
            g->s ? g->s : "");
    assert_int_equal(fclose(f), 0);
    free(g->s);
    memset(g, 0, sizeof *g);

    pm_import_opts o = PM_IMPORT_OPTS_INIT;
    pm_import_report r;
    o.src_path = path(src);
    o.db_path = path(db_name);
    o.layer = layer;
    o.t_srs = "EPSG:32651";
    o.allow_invalid = 1;
    if (pm_import(&r, ctx, &o) != 0)
        fail_msg("import %s: %s: %s (%s)", db_name, pm_ctx_what(ctx), pm_ctx_where(ctx),
                 pm_ctx_why(ctx));
}

#endif
