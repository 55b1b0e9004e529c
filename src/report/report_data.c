/* The page's data: the analyses run (check with its QA, layout), and each
 * section written as one member of a JSON object the page's script reads.
 * Nothing here knows HTML. */
#include "report_internal.h"

#include "parkmap/load.h"
#include "parkmap/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pm_version(void);

int rp_tick(pm_ctx *ctx, const pm_report_opts *o, double frac, const char *msg)
{
    if (o->progress && !o->progress(frac, msg, o->progress_user))
        return pm_err(ctx, PM_EIO, "report cancelled", o->out_path, "%s", msg);
    return 0;
}

#define PM_REPORT_MAX_PROBLEMS 200

static void key(sbuf *b, const char *k)
{
    sb_printf(b, ",\"%s\":", k);
}

static void kv_str(sbuf *b, const char *k, const char *v)
{
    key(b, k);
    rp_json_str(b, v);
}

static void kv_num(sbuf *b, const char *k, double v)
{
    key(b, k);
    rp_json_num(b, v);
}

static void verdict_out(sbuf *b, const pm_check_report *c)
{
    sb_printf(b, ",\"verdict\":{\"pass\":%s", c->pass ? "true" : "false");
    kv_num(b, "measured_km2", c->measured_km2);
    kv_num(b, "target_km2", c->target_km2);
    kv_num(b, "tolerance_pct", c->tolerance_pct);
    kv_num(b, "diff_km2", c->diff_km2);
    kv_num(b, "diff_pct", c->diff_pct);
    kv_num(b, "sum_km2", c->area->sum_ellipsoidal_m2 / 1e6);
    kv_num(b, "union_planar_km2", c->area->union_planar_m2 / 1e6);
    kv_num(b, "planned_km2", c->area->planned_km2);
    kv_num(b, "parks", (double)c->area->nrows);
    /* 100,000 parcels off their planned area are 100,000 problems: the
     * parks table shows each difference, the verdict lists the first */
    size_t shown = c->nproblems < PM_REPORT_MAX_PROBLEMS ? c->nproblems : PM_REPORT_MAX_PROBLEMS;
    sb_printf(b, ",\"problems_total\":%zu,\"problems\":[", c->nproblems);
    for (size_t i = 0; i < shown; i++) {
        sb_puts(b, i ? ",[" : "[");
        rp_json_str(b, c->problems[i].kind);
        sb_add(b, ",", 1);
        rp_json_str(b, c->problems[i].parks);
        sb_add(b, ",", 1);
        rp_json_str(b, c->problems[i].detail);
        sb_add(b, "]", 1);
    }
    sb_puts(b, "]}");
}

/* Park rows of a finding's comma-separated fids. */
static void fid_rows(sbuf *b, const rp_parks *p, const char *fids)
{
    int first = 1;
    sb_add(b, "[", 1);
    for (const char *s = fids ? fids : ""; *s;) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s) {
            s++;
            continue;
        }
        long r = rp_parks_row(p, (int64_t)v);
        if (r >= 0) {
            sb_printf(b, first ? "%ld" : ",%ld", r);
            first = 0;
        }
        s = end;
    }
    sb_add(b, "]", 1);
}

static int findings_out(sbuf *b, pm_ctx *ctx, rp_grid *gr, const pm_qa *qa, const rp_parks *p)
{
    size_t n = qa ? qa->nissues : 0, shown = n < PM_REPORT_MAX_ROWS ? n : PM_REPORT_MAX_ROWS;
    int rc;
    sb_printf(b, ",\"findings\":{\"total\":%zu,\"rows\":[", n);
    for (size_t i = 0; i < shown; i++) {
        const pm_qa_issue *q = &qa->issues[i];
        sb_puts(b, i ? ",[" : "[");
        rp_json_str(b, q->kind);
        sb_add(b, ",", 1);
        rp_json_str(b, q->parks);
        sb_add(b, ",", 1);
        rp_json_num(b, q->measure);
        sb_add(b, ",", 1);
        rp_json_str(b, q->unit);
        sb_add(b, ",", 1);
        rp_json_str(b, q->detail);
        sb_add(b, ",", 1);
        fid_rows(b, p, q->fids);
        sb_add(b, "]", 1);
    }
    sb_puts(b, "]},\"geom_findings\":[");
    for (size_t i = 0; i < shown; i++) {
        if (i)
            sb_add(b, ",", 1);
        if ((rc = rp_geom(b, gr, ctx, qa->issues[i].geom, NULL)))
            return rc;
    }
    sb_add(b, "]", 1);
    return 0;
}

static void adjacency_out(sbuf *b, const pm_adjacency *a, const rp_parks *p)
{
    size_t n = a ? a->npairs : 0, shown = n < PM_REPORT_MAX_ROWS ? n : PM_REPORT_MAX_ROWS;
    sb_printf(b, ",\"adjacency\":{\"total\":%zu,\"corner_only\":%zu,\"rows\":[", n,
              a ? a->ncorner : 0);
    for (size_t i = 0; i < shown; i++) {
        const pm_adjacency_pair *q = &a->pairs[i];
        sb_printf(b, i ? ",[%ld,%ld," : "[%ld,%ld,", rp_parks_row(p, q->a_fid),
                  rp_parks_row(p, q->b_fid));
        rp_json_str(b, q->a_name);
        sb_add(b, ",", 1);
        rp_json_str(b, q->b_name);
        sb_add(b, ",", 1);
        rp_json_str(b, pm_relation_name(q->relation));
        sb_add(b, ",", 1);
        rp_json_num(b, q->shared_m);
        sb_add(b, ",", 1);
        rp_json_num(b, q->overlap_m2);
        sb_add(b, ",", 1);
        rp_json_num(b, q->distance_m);
        sb_add(b, "]", 1);
    }
    sb_puts(b, "]}");
}

static void clusters_out(sbuf *b, const pm_layout *l)
{
    sb_printf(b, ",\"clusters\":{\"cluster_m\":");
    rp_json_num(b, l->cluster_m);
    sb_puts(b, ",\"rows\":[");
    for (size_t i = 0; i < l->nclusters; i++) {
        const pm_cluster *c = &l->clusters[i];
        sb_printf(b, i ? ",[%d," : "[%d,", c->id);
        rp_json_str(b, c->scope);
        sb_printf(b, ",%zu,", c->nparks);
        rp_json_num(b, c->area_m2 / 1e6);
        sb_add(b, ",", 1);
        rp_json_num(b, c->enterprises);
        sb_add(b, ",", 1);
        rp_json_num(b, c->mix_entropy);
        sb_add(b, ",", 1);
        rp_json_str(b, c->parks);
        sb_add(b, "]", 1);
    }
    sb_puts(b, "]}");
}

static void indicators_out(sbuf *b, const pm_layout *l)
{
    sb_puts(b, ",\"indicators\":{\"study_area\":");
    rp_json_str(b, l->study_area);
    kv_num(b, "study_area_km2", l->study_area_m2 / 1e6);
    kv_num(b, "colocation_m", l->colocation_m);
    kv_num(b, "colocation", l->colocation);
    kv_num(b, "colocation_expected", l->colocation_expected);
    kv_num(b, "colocation_p", l->colocation_p);
    kv_num(b, "colocation_runs", l->colocation_runs);
    sb_puts(b, ",\"groups\":[");
    for (size_t i = 0; i < l->ngroups; i++) {
        const pm_layout_group *g = &l->groups[i];
        sb_puts(b, i ? ",[" : "[");
        rp_json_str(b, g->group);
        sb_printf(b, ",%zu", g->nparks);
        const double v[] = {g->mean_nn_m,
                            g->expected_nn_m,
                            g->clark_evans_r,
                            g->clark_evans_z,
                            (double)g->neighbour_links,
                            g->colocation,
                            g->colocation_expected,
                            g->colocation_p};
        for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
            sb_add(b, ",", 1);
            rp_json_num(b, v[k]);
        }
        sb_add(b, "]", 1);
    }
    sb_puts(b, "]}");
}

/* 1 when table `t` exists and was derived from `layer`, 0 if not, <0. */
static int derived_from(pm_ctx *ctx, pm_store *st, const char *t, const char *layer)
{
    char *v = NULL;
    int has = pm_store_has_layer(ctx, st, t);
    if (has <= 0)
        return has;
    int rc = pm_store_meta_get(&v, ctx, st, t, "derived_from");
    if (rc)
        return rc;
    has = v && strcmp(v, layer) == 0;
    free(v);
    return has;
}

/* Lines or shapes of a derived table for the map, first `max` features
 * (kept when `scope_all`: only clusters of scope "all"), with their
 * attributes `fields` as rows. */
static int table_geoms(sbuf *b, pm_ctx *ctx, pm_store *st, rp_grid *gr, const char *table,
                       const char *const *fields, size_t nf, int scope_all, size_t *count)
{
    pm_cursor *cur = NULL;
    pm_feature f = {0};
    size_t n = 0;
    int rc;
    *count = 0;
    if ((rc = pm_store_cursor_open_fields(&cur, ctx, st, table, fields, nf)))
        return rc;
    const pm_schema *sch = pm_cursor_schema(cur);
    int scope = pm_schema_find(sch, "scope");
    for (;;) {
        int r = pm_cursor_next(&f, ctx, cur);
        if (r <= 0) {
            rc = r;
            break;
        }
        if (scope_all && (scope < 0 || f.values[scope].is_null || !f.values[scope].s ||
                          strcmp(f.values[scope].s, "all") != 0)) {
            pm_feature_clear(&f);
            continue;
        }
        (*count)++;
        if (n == PM_REPORT_MAX_ROWS) {
            pm_feature_clear(&f);
            continue;
        }
        sb_puts(b, n++ ? ",[" : "[");
        for (size_t i = 0; i < f.nvalues; i++) {
            const pm_value *v = &f.values[i];
            if (v->is_null)
                sb_puts(b, "null");
            else if (v->type == PM_FIELD_TEXT)
                rp_json_str(b, v->s);
            else if (v->type == PM_FIELD_INTEGER)
                sb_printf(b, "%lld", (long long)v->i);
            else
                rp_json_num(b, v->d);
            sb_add(b, ",", 1);
        }
        if ((rc = rp_geom(b, gr, ctx, f.geom, NULL)))
            break;
        sb_add(b, "]", 1);
        pm_feature_clear(&f);
    }
    pm_feature_clear(&f);
    pm_cursor_free(cur);
    return rc;
}

static int provenance_out(sbuf *b, pm_ctx *ctx, pm_store *st, const pm_report_opts *o,
                          int has_outline)
{
    static const char *const keys[] = {"source_path", "source_sha256", "imported_at", "source_crs",
                                       "storage_crs"};
    sb_puts(b, ",\"provenance\":{\"database\":");
    rp_json_str(b, pm_store_path(st));
    kv_str(b, "layer", o->layer);
    kv_str(b, "generated_at", o->generated_at);
    for (int l = 0; l < 1 + has_outline; l++) {
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
            char *v = NULL, k[64];
            int rc = pm_store_meta_get(&v, ctx, st, l ? PM_LAYER_OUTLINE : o->layer, keys[i]);
            if (rc)
                return rc;
            snprintf(k, sizeof k, "%s%s", l ? "outline_" : "", keys[i]);
            kv_str(b, k, v);
            free(v);
        }
    }
    sb_puts(b, ",\"versions\":[[\"parkmap\",");
    rp_json_str(b, pm_version());
    const char *v[][2] = {
        {"GDAL", pm_load_gdal_version()},      {"PROJ", pm_crs_proj_version()},
        {"SQLite", pm_store_sqlite_version()}, {"SpatiaLite", pm_store_spatialite_version()},
        {"GEOS", pm_store_geos_version()},     {"cairo", pm_render_cairo_version()},
        {"pango", pm_render_pango_version()}};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        sb_puts(b, "],[");
        rp_json_str(b, v[i][0]);
        sb_add(b, ",", 1);
        rp_json_str(b, v[i][1]);
    }
    for (const char *const *e = o->extra_versions; e && e[0] && e[1]; e += 2) {
        sb_puts(b, "],[");
        rp_json_str(b, e[0]);
        sb_add(b, ",", 1);
        rp_json_str(b, e[1]);
    }
    sb_puts(b, "],[\"Leaflet\",\"1.9.4\"]]}");
    return 0;
}

/* The lon/lat box of a layer, or 0 when it is empty. */
static int layer_box(int *out, double ll[4], pm_ctx *ctx, pm_store *st, const char *layer,
                     int *srid)
{
    long n = 0;
    double bb[4];
    int rc;
    *out = 0;
    if ((rc = pm_store_layer_stats(&n, bb, ctx, st, layer)) ||
        (rc = pm_store_layer_srid(srid, ctx, st, layer)))
        return rc;
    if (n <= 0 || !isfinite(bb[0]) || !isfinite(bb[3]))
        return 0;
    if ((rc = rp_box_lonlat(ll, ctx, *srid, bb)))
        return rc;
    *out = 1;
    return 0;
}

int rp_data(sbuf *b, pm_ctx *ctx, pm_store *st, const pm_report_opts *o)
{
    pm_check_report *chk = NULL;
    pm_layout *lay = NULL;
    rp_parks parks = {0};
    rp_grid gr = {0};
    int rc, has_outline = 0, has_parks = 0, srid = 0, osrid = 0;
    double pbox[4], obox[4], view[4];
    sbuf notes = {0};

    if ((rc = pm_store_layer_need_polygons(ctx, st, o->layer, "report")))
        goto done;
    if (strcmp(o->layer, PM_LAYER_OUTLINE) != 0 &&
        (has_outline = pm_store_has_layer(ctx, st, PM_LAYER_OUTLINE)) < 0) {
        rc = has_outline;
        goto done;
    }
    pm_check_opts co = PM_CHECK_OPTS_INIT;
    co.layer = o->layer;
    co.target_km2 = o->target_km2;
    co.tolerance_pct = o->tolerance_pct;
    co.qa.within = has_outline ? PM_LAYER_OUTLINE : NULL;
    co.qa.progress = o->progress;
    co.qa.progress_user = o->progress_user;
    if ((rc = rp_tick(ctx, o, 0.0, "report: check")) ||
        (rc = pm_analysis_check(&chk, ctx, st, &co)))
        goto done;
    pm_layout_opts lo = PM_LAYOUT_OPTS_INIT;
    lo.layer = o->layer;
    lo.progress = o->progress;
    lo.progress_user = o->progress_user;
    if ((rc = rp_tick(ctx, o, 0.3, "report: layout")) ||
        (rc = pm_analysis_layout(&lay, ctx, st, &lo)))
        goto done;

    if ((rc = layer_box(&has_parks, pbox, ctx, st, o->layer, &srid)))
        goto done;
    if (has_outline && (rc = layer_box(&has_outline, obox, ctx, st, PM_LAYER_OUTLINE, &osrid)))
        goto done;
    if (!has_parks && !has_outline) {
        pbox[0] = pbox[2] = 121.5, pbox[1] = pbox[3] = 31.2; /* nothing to show: Pudong */
        has_parks = 1;
    }
    for (int k = 0; k < 4; k++) {
        double p = has_parks ? pbox[k] : obox[k], q = has_outline ? obox[k] : p;
        view[k] = k < 2 ? fmin(p, q) : fmax(p, q);
    }
    if ((rc = rp_grid_init(&gr, ctx, srid ? srid : osrid, view, chk->area->nrows)))
        goto done;

    sb_puts(b, "{\"title\":");
    rp_json_str(b, o->title);
    kv_str(b, "paper", o->paper);
    kv_str(b, "layer", o->layer);
    sb_printf(b, ",\"grid\":{\"ox\":%.10g,\"oy\":%.10g,\"q\":%.10g}", gr.ox, gr.oy, gr.q);
    /* the first view: the district when there is one, else the parks */
    const double *fit = has_outline ? obox : pbox;
    sb_printf(b, ",\"view\":[%.7f,%.7f,%.7f,%.7f]", fit[0], fit[1], fit[2], fit[3]);
    verdict_out(b, chk);
    if ((rc = provenance_out(b, ctx, st, o, has_outline != 0)))
        goto done;

    sb_add(b, ",", 1);
    if ((rc = rp_parks_write(b, &parks, ctx, st, o, &gr, chk, lay)))
        goto done;
    sb_printf(b, ",\"large\":%s", parks.large ? "true" : "false");
    if ((rc = rp_tick(ctx, o, 0.7, "report: findings")) ||
        (rc = findings_out(b, ctx, &gr, chk->qa, &parks)))
        goto done;
    adjacency_out(b, chk->adjacency, &parks);
    clusters_out(b, lay);
    indicators_out(b, lay);
    if (chk->qa && chk->qa->nissues > PM_REPORT_MAX_ROWS)
        sb_printf(&notes,
                  ",\"The findings table and map hold the first %d of %zu findings; the "
                  "qa_issues table (parkmap check) holds them all.\"",
                  PM_REPORT_MAX_ROWS, chk->qa->nissues);
    if (chk->adjacency && chk->adjacency->npairs > PM_REPORT_MAX_ROWS)
        sb_printf(&notes,
                  ",\"The adjacency table holds the first %d of %zu pairs; parkmap "
                  "adjacency --csv lists them all.\"",
                  PM_REPORT_MAX_ROWS, chk->adjacency->npairs);

    /* The map's other layers. */
    sb_puts(b, ",\"geom_outline\":[");
    if (has_outline) {
        size_t n;
        if ((rc = table_geoms(b, ctx, st, &gr, PM_LAYER_OUTLINE, NULL, 0, 0, &n)))
            goto done;
    }
    sb_add(b, "]", 1);
    static const char *const adj_fields[] = {"a_name", "b_name", "relation", "shared_m"};
    static const char *const cl_fields[] = {"cluster_id", "scope", "park_count", "area_km2"};
    struct {
        const char *table, *member;
        const char *const *fields;
        size_t nf;
        int scope_all;
        const char *what;
    } drawn[] = {{PM_LAYER_ADJACENCY, "geom_shared", adj_fields, 4, 0, "shared boundaries"},
                 {PM_LAYER_CLUSTERS, "geom_clusters", cl_fields, 4, 1, "cluster shapes"}};
    for (size_t k = 0; k < 2; k++) {
        int d = derived_from(ctx, st, drawn[k].table, o->layer);
        size_t n = 0;
        if (d < 0) {
            rc = d;
            goto done;
        }
        sb_printf(b, ",\"%s\":[", drawn[k].member);
        if (d && (rc = table_geoms(b, ctx, st, &gr, drawn[k].table, drawn[k].fields, drawn[k].nf,
                                   drawn[k].scope_all, &n)))
            goto done;
        sb_add(b, "]", 1);
        if (!d)
            sb_printf(&notes,
                      ",\"The map shows no %s: the database has no %s table of layer %s "
                      "(parkmap check and parkmap layout write them).\"",
                      drawn[k].what, drawn[k].table, o->layer);
        else if (n > PM_REPORT_MAX_ROWS)
            sb_printf(&notes, ",\"The map draws the first %d of %zu %s.\"", PM_REPORT_MAX_ROWS, n,
                      drawn[k].what);
    }
    if (gr.dropped)
        sb_printf(&notes,
                  ",\"%zu rings smaller than the map's resolution (%.2g degrees) are "
                  "not drawn; their parks are in every table.\"",
                  gr.dropped, gr.q);
    sb_puts(b, ",\"notes\":[");
    if (notes.len)
        sb_add(b, notes.s + 1, notes.len - 1);
    /* A comparison report (--against) fills this member; the page draws
     * its section when it is not null (docs/report.md). */
    sb_puts(b, "],\"compare\":");
    if (!o->against)
        sb_puts(b, "null");
    else if ((rc = rp_compare_write(b, ctx, st, o, &gr)))
        goto done;
    sb_add(b, "}", 1);
    if (b->oom || notes.oom)
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "report", "data");
done:
    free(notes.s);
    rp_grid_clear(&gr);
    rp_parks_clear(&parks);
    pm_layout_free(lay);
    pm_check_report_free(chk);
    return rc;
}
