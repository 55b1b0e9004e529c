/* Topology QA: what in the map disagrees with a clean partition of land. */
#include "parkmap/analysis.h"
#include "analysis_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two parks are duplicates when each covers at least this share of the
 * other: the same park digitised twice, not an overlap to negotiate. */
#define PM_DUPLICATE_SHARE 0.99

/* Report a phase to the caller's progress callback, if any. */
static void phase(pm_progress_fn fn, void *user, double frac, const char *msg)
{
    if (fn)
        fn(frac, msg, user);
}

void pm_qa_free(pm_qa *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->nissues; i++) {
        free(q->issues[i].kind);
        free(q->issues[i].parks);
        free(q->issues[i].fids);
        free(q->issues[i].detail);
        pm_geom_free(q->issues[i].geom);
    }
    free(q->issues);
    pm_topology_free(q->topology);
    free(q);
}

/* Append an issue; takes ownership of geom (even on failure). */
static int add(pm_qa *q, pm_ctx *ctx, const char *kind, const char *parks, const char *fids,
               double measure, const char *unit, pm_geom *geom, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));

static int add(pm_qa *q, pm_ctx *ctx, const char *kind, const char *parks, const char *fids,
               double measure, const char *unit, pm_geom *geom, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    /* Capacity doubles at powers of two (an issue per feature is possible). */
    size_t n = q->nissues;
    if ((n & (n - 1)) == 0) {
        pm_qa_issue *ni = realloc(q->issues, (n ? 2 * n : 1) * sizeof(*ni));
        if (!ni) {
            pm_geom_free(geom);
            return pm_err(ctx, PM_ENOMEM, "out of memory", "qa", "issues");
        }
        q->issues = ni;
    }
    pm_qa_issue *i = &q->issues[n];
    i->kind = strdup(kind);
    i->parks = strdup(parks);
    i->fids = strdup(fids);
    i->detail = strdup(detail);
    i->measure = measure;
    i->unit = unit;
    i->geom = geom;
    i->area_m2 = i->width_m = i->length_m = NAN;
    q->nissues++;
    if (!i->kind || !i->parks || !i->fids || !i->detail)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "qa", "issues");
    return 0;
}

static int write_table(pm_ctx *ctx, pm_store *st, const pm_qa *q, const char *layer)
{
    static const char *const names[] = {"kind",   "parks",   "fids",    "measure", "unit",
                                        "detail", "area_m2", "width_m", "length_m"};
    static const pm_field_type types[] = {PM_FIELD_TEXT, PM_FIELD_TEXT, PM_FIELD_TEXT,
                                          PM_FIELD_REAL, PM_FIELD_TEXT, PM_FIELD_TEXT,
                                          PM_FIELD_REAL, PM_FIELD_REAL, PM_FIELD_REAL};
    enum { NCOLS = sizeof names / sizeof *names };
    pm_schema schema = {0};
    pm_feature *fs = calloc(q->nissues ? q->nissues : 1, sizeof(*fs));
    int rc = 0;
    if (!fs)
        return pm_err(ctx, PM_ENOMEM, "out of memory", PM_LAYER_QA_ISSUES, "table");
    for (size_t i = 0; i < NCOLS && !rc; i++)
        rc = pm_schema_add(&schema, ctx, names[i], types[i]);
    for (size_t k = 0; k < q->nissues && !rc; k++) {
        const pm_qa_issue *is = &q->issues[k];
        pm_feature *f = &fs[k];
        f->fid = (int64_t)k;
        f->nvalues = NCOLS;
        f->values = calloc(NCOLS, sizeof(pm_value));
        if (!f->values) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", PM_LAYER_QA_ISSUES, "table");
            break;
        }
        const char *texts[] = {is->kind, is->parks, is->fids, NULL, is->unit, is->detail};
        const double reals[NCOLS] = {0, 0,           0,           is->measure, 0,
                                     0, is->area_m2, is->width_m, is->length_m};
        for (int c = 0; c < NCOLS; c++) {
            f->values[c].type = types[c];
            if (types[c] == PM_FIELD_REAL) {
                f->values[c].d = reals[c];
                f->values[c].is_null = isnan(reals[c]);
            } else if (!(f->values[c].s = strdup(texts[c])))
                rc = pm_err(ctx, PM_ENOMEM, "out of memory", PM_LAYER_QA_ISSUES, "table");
        }
        if (!rc && is->geom)
            rc = pm_geom_clone(&f->geom, ctx, is->geom);
    }
    if (!rc)
        rc = pm_store_write_layer(ctx, st, PM_LAYER_QA_ISSUES, &schema, PM_GEOM_POLYGON, q->srid,
                                  fs, q->nissues, layer);
    for (size_t i = 0; i < q->nissues; i++)
        pm_feature_clear(&fs[i]);
    free(fs);
    pm_schema_clear(&schema);
    return rc;
}

/* ---- findings from the boundary graph ------------------------------------ */

/* A growing text, for lists of names of any length. */
typedef struct {
    char *s;
    size_t n, cap;
} text;

static int text_add(text *t, const char *s)
{
    size_t l = strlen(s);
    if (t->n + l + 1 > t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 256;
        while (nc < t->n + l + 1)
            nc *= 2;
        char *p = realloc(t->s, nc);
        if (!p)
            return -1;
        t->s = p;
        t->cap = nc;
    }
    memcpy(t->s + t->n, s, l + 1);
    t->n += l;
    return 0;
}

/* One gap piece as a finding: its bordering parks by name and fid. */
static int add_gap(pm_qa *q, pm_ctx *ctx, pm_topo_gap *g, double gap_m)
{
    text names = {0}, fids = {0}, brief = {0};
    char buf[48];
    int rc = 0;
    for (size_t k = 0; k < g->nfids && !rc; k++) {
        const char *nm = pm_topology_name(q->topology, g->fids[k]);
        snprintf(buf, sizeof buf, "%s%lld", k ? "," : "", (long long)g->fids[k]);
        rc = (k && text_add(&names, " | ")) || text_add(&names, nm) || text_add(&fids, buf);
        /* The sentence names three parks at most; the parks column has all. */
        if (!rc && k < 3)
            rc = (k && text_add(&brief, ", ")) || text_add(&brief, nm);
    }
    if (!rc && g->nfids > 3) {
        snprintf(buf, sizeof buf, " and %zu more", g->nfids - 3);
        rc = text_add(&brief, buf);
    }
    if (rc || (!names.s && (text_add(&names, "") || text_add(&fids, "") || text_add(&brief, "")))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "qa", "gaps");
        goto done;
    }
    pm_geom *geom = g->geom;
    g->geom = NULL;
    if ((rc = add(q, ctx, "gap", names.s, fids.s, g->area_m2, "m2", geom,
                  "%.0f m² of ground no park covers between %s: up to %.2f m wide and %.0f m "
                  "long (narrower than %.2f m)",
                  g->area_m2, brief.s, g->width_m, g->length_m, gap_m)))
        goto done;
    pm_qa_issue *is = &q->issues[q->nissues - 1];
    is->area_m2 = g->area_m2;
    is->width_m = g->width_m;
    is->length_m = g->length_m;
done:
    free(names.s);
    free(fids.s);
    free(brief.s);
    return rc;
}

/* A line as a band of polygons half wide on either side (qa_issues holds
 * polygons; a near-miss is where two lines nearly meet). */
static int band_of(pm_geom **out, pm_ctx *ctx, const pm_geom *lines, double half)
{
    pm_geom *g = calloc(1, sizeof *g);
    size_t nseg = 0;
    *out = NULL;
    for (size_t p = 0; lines && p < lines->nparts; p++)
        nseg += lines->parts[p].rings[0].n ? lines->parts[p].rings[0].n - 1 : 0;
    if (!g || !(g->parts = calloc(nseg + 1, sizeof *g->parts))) {
        free(g);
        return pm_err(ctx, PM_ENOMEM, "out of memory", "qa", "near-miss");
    }
    g->kind = PM_GEOM_POLYGON;
    for (size_t p = 0; lines && p < lines->nparts; p++) {
        const pm_ring *r = &lines->parts[p].rings[0];
        for (size_t i = 0; i + 1 < r->n; i++) {
            double x0 = r->xy[2 * i], y0 = r->xy[2 * i + 1];
            double x1 = r->xy[2 * i + 2], y1 = r->xy[2 * i + 3];
            double l = hypot(x1 - x0, y1 - y0);
            if (!(l > 0))
                continue;
            double nx = -(y1 - y0) / l * half, ny = (x1 - x0) / l * half;
            pm_part *pt = &g->parts[g->nparts];
            if (!(pt->rings = calloc(1, sizeof *pt->rings)) ||
                !(pt->rings[0].xy = malloc(10 * sizeof(double)))) {
                pm_geom_free(g);
                return pm_err(ctx, PM_ENOMEM, "out of memory", "qa", "near-miss");
            }
            pt->nrings = 1;
            g->nparts++;
            double xy[10] = {x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx,
                             y1 - ny, x0 - nx, y0 - ny, x0 + nx, y0 + ny};
            memcpy(pt->rings[0].xy, xy, sizeof xy);
            pt->rings[0].n = 5;
        }
    }
    *out = g;
    return 0;
}

/* The graph's phases shown within the QA's own range of the bar (10-30 %). */
typedef struct {
    const pm_qa_opts *o;
} topo_progress;

static int topo_phase(double frac, const char *msg, void *user)
{
    const pm_qa_opts *o = ((topo_progress *)user)->o;
    return o->progress(0.1 + 0.2 * frac, msg, o->progress_user);
}

typedef struct {
    pm_qa *q;
    const pm_qa_opts *o;
} pair_qa;

/* Overlaps, duplicates and near-misses, pair by pair from the graph. */
static int on_qa_pair(void *user, pm_ctx *ctx, pm_topo_pair *p)
{
    pair_qa *r = user;
    char names[1200], fids[64];
    snprintf(names, sizeof names, "%s | %s", p->a_name, p->b_name);
    snprintf(fids, sizeof fids, "%lld,%lld", (long long)p->a_fid, (long long)p->b_fid);
    if (p->overlap_m2 >= 1.0) { /* under 1 m²: rounding, see adjacency.c */
        double aa, ba;
        int rc;
        if ((rc = pm_topology_feature_area(&aa, ctx, r->q->topology, p->a_fid)) ||
            (rc = pm_topology_feature_area(&ba, ctx, r->q->topology, p->b_fid)))
            return rc;
        int dup =
            p->overlap_m2 >= PM_DUPLICATE_SHARE * aa && p->overlap_m2 >= PM_DUPLICATE_SHARE * ba;
        pm_geom *g = p->overlap;
        p->overlap = NULL;
        if (dup)
            return add(r->q, ctx, "duplicate", names, fids, p->overlap_m2, "m2", g,
                       "%s and %s are the same park twice (%.0f m² in common)", p->a_name,
                       p->b_name, p->overlap_m2);
        return add(r->q, ctx, "overlap", names, fids, p->overlap_m2, "m2", g,
                   "%s and %s overlap by %.0f m² (%.4f km²)", p->a_name, p->b_name, p->overlap_m2,
                   p->overlap_m2 / 1e6);
    }
    if (!(p->near_m > 0) || p->near_max_m > r->o->gap_m)
        return 0;
    pm_geom *band = NULL;
    int rc =
        band_of(&band, ctx, p->near,
                fmax(p->near_max_m / 2, r->o->snap_m) * pm_topology_units_per_m(r->q->topology));
    if (rc)
        return rc;
    if ((rc = add(r->q, ctx, "near_miss", names, fids, p->near_max_m, "m", band,
                  "the boundaries of %s and %s run within %.2f m of each other for %.0f m "
                  "without meeting (largest deviation %.2f m)",
                  p->a_name, p->b_name, r->o->gap_m, p->near_m, p->near_max_m)))
        return rc;
    r->q->issues[r->q->nissues - 1].length_m = p->near_m;
    return 0;
}

int pm_analysis_qa(pm_qa **out, pm_ctx *ctx, pm_store *st, const pm_qa_opts *o)
{
    int rc = 0;
    pm_qa *q = calloc(1, sizeof(*q));
    pm_invalid_row *inv = NULL;
    pm_topo_part *parts = NULL;
    pm_pair_area_row *outs = NULL;
    pm_topo_gap *gaps = NULL;
    size_t ninv = 0, nparts = 0, ngaps = 0, nouts = 0;
    char fids[64];
    *out = NULL;
    if (!q)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "qa", "report");
    if (!(o->gap_m >= 0) || !(o->min_part_m2 >= 0)) {
        rc = pm_err(ctx, PM_EUSAGE, "bad QA options", "qa",
                    "--gap-m and --min-part-m2 must be >= 0");
        goto done;
    }
    if (o->make_valid) {
        /* Repairs are findings too: the data changed, and the planner must
         * know which parks and why. Repaired ones are notes, not failures. */
        pm_invalid_row *fixed = NULL;
        size_t nfixed = 0;
        phase(o->progress, o->progress_user, 0.05, "qa: repair");
        if ((rc = pm_topology_make_valid(&fixed, &nfixed, ctx, st, o->layer)))
            goto done;
        for (size_t i = 0; i < nfixed && !rc; i++) {
            snprintf(fids, sizeof fids, "%lld", (long long)fixed[i].fid);
            pm_geom *g = fixed[i].where;
            fixed[i].where = NULL;
            rc = add(q, ctx, "repaired_geometry", fixed[i].name, fids, 0, "m2", g,
                     "%s was repaired with MakeValid (was: %s)", fixed[i].name, fixed[i].reason);
        }
        pm_invalid_rows_free(fixed, nfixed);
        if (rc)
            goto done;
    }
    phase(o->progress, o->progress_user, 0.1, "qa: validity");
    if ((rc = pm_store_layer_srid(&q->srid, ctx, st, o->layer)) ||
        (rc = pm_topology_invalid(&inv, &ninv, ctx, st, o->layer)))
        goto done;
    for (size_t i = 0; i < ninv; i++) {
        snprintf(fids, sizeof fids, "%lld", (long long)inv[i].fid);
        pm_geom *g = inv[i].where;
        inv[i].where = NULL;
        if ((rc = add(q, ctx, "invalid_geometry", inv[i].name, fids, 0, "m2", g,
                      "%s is not a valid polygon: %s", inv[i].name, inv[i].reason)))
            goto done;
    }
    /* Overlays on invalid input give unreliable answers; stop at the
     * validity report until the geometries are repaired. */
    if (ninv == 0) {
        pm_topology_opts to = PM_TOPOLOGY_OPTS_INIT;
        to.layer = o->layer;
        to.snap_m = o->snap_m;
        to.near_m = o->gap_m;
        topo_progress tp = {o};
        to.progress = o->progress ? topo_phase : NULL;
        to.progress_user = &tp;
        if ((rc = pm_topology_build(&q->topology, ctx, st, &to)))
            goto done;
        phase(o->progress, o->progress_user, 0.3, "qa: overlaps and near-misses");
        pair_qa pr = {q, o};
        if ((rc = pm_topology_pairs(q->topology, ctx, 1, on_qa_pair, &pr)))
            goto done;
        phase(o->progress, o->progress_user, 0.5, "qa: gaps");
        if ((rc = pm_topology_gaps(&gaps, &ngaps, ctx, q->topology, o->gap_m)))
            goto done;
        for (size_t i = 0; i < ngaps; i++)
            if ((rc = add_gap(q, ctx, &gaps[i], o->gap_m)))
                goto done;
        phase(o->progress, o->progress_user, 0.7, "qa: parts");
        if ((rc = pm_topology_small_parts(&parts, &nparts, ctx, q->topology, o->min_part_m2)))
            goto done;
        if (o->within && (rc = pm_topology_outside(&outs, &nouts, ctx, st, o->layer, o->within,
                                                   o->outside_min_m2)))
            goto done;
        double outside_m2 = 0;
        for (size_t i = 0; i < nouts; i++)
            outside_m2 += outs[i].area_m2;
        if (o->within && nouts)
            pm_qa_webmap_hint(ctx, st, o->layer, o->within, outside_m2);
    }
    for (size_t i = 0; i < nparts; i++) {
        snprintf(fids, sizeof fids, "%lld", (long long)parts[i].fid);
        pm_geom *g = parts[i].geom;
        parts[i].geom = NULL;
        const char *nm = pm_topology_name(q->topology, parts[i].fid);
        if ((rc = add(q, ctx, "small_part", nm, fids, parts[i].area_m2, "m2", g,
                      "part %d of %s is only %.1f m² (threshold %.0f m²)", parts[i].part, nm,
                      parts[i].area_m2, o->min_part_m2)))
            goto done;
    }
    for (size_t i = 0; i < nouts; i++) {
        snprintf(fids, sizeof fids, "%lld", (long long)outs[i].a_fid);
        pm_geom *g = outs[i].geom;
        outs[i].geom = NULL;
        if ((rc = add(q, ctx, "outside_boundary", outs[i].a_name, fids, outs[i].area_m2, "m2", g,
                      "%.0f m² of %s lie outside %s", outs[i].area_m2, outs[i].a_name, o->within)))
            goto done;
    }
    phase(o->progress, o->progress_user, 0.9, "qa: qa_issues table");
    if (o->write_table && (rc = write_table(ctx, st, q, o->layer)))
        goto done;
    *out = q;
    q = NULL;
done:
    pm_invalid_rows_free(inv, ninv);
    pm_topo_parts_free(parts, nparts);
    pm_topo_gaps_free(gaps, ngaps);
    pm_pair_area_rows_free(outs, nouts);
    pm_qa_free(q);
    return rc;
}
