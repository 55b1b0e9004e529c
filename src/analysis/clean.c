/* Repair: a layer made a clean coverage within a tolerance, written as a
 * new layer with every attribute, and a report of every change. */
#include "parkmap/analysis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void pm_clean_report_free(pm_clean_report *r)
{
    if (!r)
        return;
    free(r->layer);
    free(r->to);
    free(r->moves);
    free(r->reassigned);
    free(r->changed);
    free(r->collapsed);
    free(r);
}

static void phase(const pm_clean_opts *o, double frac, const char *msg)
{
    if (o->progress)
        o->progress(frac, msg, o->progress_user);
}

/* The output must be a new name: not the source, not a table analysis
 * rewrites, not an existing layer unless asked. */
static int check_target(pm_ctx *ctx, pm_store *st, const pm_clean_opts *o, const char *to)
{
    if (!*to || strcasecmp(to, o->layer) == 0)
        return pm_err(ctx, PM_EUSAGE, "bad layer name", to,
                      "the repaired layer needs a name of its own (--to)");
    /* The rules import's --layer obeys: --overwrite must never reach
     * SpatiaLite's tables or another layer's R*Tree (idx_parks_geom). */
    const char *why = pm_store_check_layer_name(to, PM_LAYER_NAME_WRITE);
    if (why)
        return pm_err(ctx, PM_EUSAGE, "bad layer name", to, "%s", why);
    int has = pm_store_has_layer(ctx, st, to);
    if (has < 0)
        return has;
    if (has && !o->overwrite)
        return pm_err(ctx, PM_EEXIST, "layer exists", to, "use --overwrite to replace it");
    return 0;
}

/* Planar area of a polygon geometry (holes subtracted). */
static double planar_area(const pm_geom *g)
{
    double total = 0;
    for (size_t i = 0; g && i < g->nparts; i++)
        for (size_t j = 0; j < g->parts[i].nrings; j++) {
            const pm_ring *r = &g->parts[i].rings[j];
            double a = 0;
            for (size_t k = 0; k + 1 < r->n; k++)
                a += r->xy[2 * k] * r->xy[2 * k + 3] - r->xy[2 * k + 2] * r->xy[2 * k + 1];
            total += (j == 0 ? 1 : -1) * fabs(a) / 2;
        }
    return total;
}

/* Below this a park's area did not change: rounding of the overlays. */
#define CHANGE_MIN_M2 0.01

static int64_t find_fid(const pm_topo_clean *c, int64_t fid)
{
    size_t lo = 0, hi = c->nfeatures;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->fids[mid] < fid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->nfeatures && c->fids[lo] == fid ? (int64_t)lo : -1;
}

int pm_analysis_clean(pm_clean_report **out, pm_ctx *ctx, pm_store *st, const pm_clean_opts *o)
{
    pm_clean_report *r = calloc(1, sizeof *r);
    pm_topology *t = NULL;
    pm_topo_clean *c = NULL;
    pm_cursor *cur = NULL;
    pm_layer_writer *w = NULL;
    pm_feature f;
    pm_schema schema = {0};
    char *def_to = NULL;
    int rc = 0, step, srid = 0;
    memset(&f, 0, sizeof f);
    *out = NULL;
    if (!r)
        return pm_err(ctx, PM_ENOMEM, "out of memory", o->layer, "clean");
    const char *to = o->to;
    if (!to) {
        size_t n = strlen(o->layer) + 8;
        if (!(def_to = malloc(n))) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", o->layer, "clean");
            goto done;
        }
        snprintf(def_to, n, "%s_clean", o->layer);
        to = def_to;
    }
    if (!(r->layer = strdup(o->layer)) || !(r->to = strdup(to))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", o->layer, "clean");
        goto done;
    }
    r->snap_m = o->snap_m;
    if ((rc = pm_store_layer_need_polygons(ctx, st, o->layer, "clean")) ||
        (rc = pm_store_layer_srid(&srid, ctx, st, o->layer)) || (rc = check_target(ctx, st, o, to)))
        goto done;
    pm_topology_opts to_opts = PM_TOPOLOGY_OPTS_INIT;
    to_opts.layer = o->layer;
    to_opts.snap_m = o->snap_m;
    to_opts.record_moves = 1;
    to_opts.progress = o->progress;
    to_opts.progress_user = o->progress_user;
    if ((rc = pm_topology_build(&t, ctx, st, &to_opts)))
        goto done;
    phase(o, 0.85, "clean: slivers and overlaps");
    if ((rc = pm_topology_clean(&c, ctx, t)))
        goto done;
    /* The report: what moved, what was added, what changed hands. */
    size_t nm = 0;
    const pm_topo_move *mv = pm_topology_moves(t, &nm);
    if (nm && !(r->moves = malloc(nm * sizeof *r->moves))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", o->layer, "clean report");
        goto done;
    }
    for (size_t i = 0; i < nm; i++) {
        r->moves[i] = mv[i];
        r->max_moved_m = fmax(r->max_moved_m, mv[i].moved_m);
    }
    r->nmoves = nm;
    pm_topo_stats ts;
    pm_topology_stats(t, &ts);
    r->vertices_added = ts.split_vertices;
    r->reassigned = c->reassigned;
    r->nreassigned = c->nreassigned;
    c->reassigned = NULL;
    c->nreassigned = 0;
    /* The new layer: every attribute, in the source's order. */
    phase(o, 0.9, "clean: writing");
    if ((rc = pm_store_cursor_open(&cur, ctx, st, o->layer)))
        goto done;
    const pm_schema *src = pm_cursor_schema(cur);
    for (size_t i = 0; i < src->nfields && !rc; i++)
        rc = pm_schema_add(&schema, ctx, src->fields[i].name, src->fields[i].type);
    if (rc || (rc = pm_store_layer_begin(&w, ctx, st, to, &schema, PM_GEOM_POLYGON, srid)))
        goto done;
    while ((step = pm_cursor_next(&f, ctx, cur)) == 1) {
        int64_t i = find_fid(c, f.fid);
        double before = planar_area(f.geom);
        if (i >= 0 && !c->geoms[i]) {
            /* Collapsed whole: keep the park as it was rather than lose it. */
            int64_t *n = realloc(r->collapsed, (r->ncollapsed + 1) * sizeof *n);
            if (!n) {
                rc = pm_err(ctx, PM_ENOMEM, "out of memory", o->layer, "clean report");
                goto done;
            }
            r->collapsed = n;
            r->collapsed[r->ncollapsed++] = f.fid;
        } else {
            pm_geom_free(f.geom);
            f.geom = NULL;
            if (i >= 0) {
                f.geom = c->geoms[i];
                c->geoms[i] = NULL;
            }
        }
        double after = planar_area(f.geom);
        if (fabs(after - before) >= CHANGE_MIN_M2) {
            struct pm_clean_change *n = realloc(r->changed, (r->nchanged + 1) * sizeof *n);
            if (!n) {
                rc = pm_err(ctx, PM_ENOMEM, "out of memory", o->layer, "clean report");
                goto done;
            }
            r->changed = n;
            r->changed[r->nchanged++] = (struct pm_clean_change){f.fid, before, after};
        }
        if ((rc = pm_store_layer_add(ctx, w, &f)))
            goto done;
        pm_feature_clear(&f);
        memset(&f, 0, sizeof f);
        r->nfeatures++;
    }
    if (step < 0) {
        rc = step;
        goto done;
    }
    if ((rc = pm_store_layer_commit(ctx, w, o->layer)))
        goto done;
    /* A park kept as it was moved no vertex. */
    size_t keep = 0;
    for (size_t i = 0; i < r->nmoves; i++) {
        int kept = 0;
        for (size_t k = 0; k < r->ncollapsed && !kept; k++)
            kept = r->collapsed[k] == r->moves[i].fid;
        if (!kept)
            r->moves[keep++] = r->moves[i];
    }
    r->nmoves = keep;
    r->max_moved_m = 0;
    for (size_t i = 0; i < r->nmoves; i++)
        r->max_moved_m = fmax(r->max_moved_m, r->moves[i].moved_m);
    *out = r;
    r = NULL;
done:
    pm_feature_clear(&f);
    pm_layer_writer_free(w);
    pm_cursor_free(cur);
    pm_schema_clear(&schema);
    pm_topo_clean_free(c);
    pm_topology_free(t);
    pm_clean_report_free(r);
    free(def_to);
    return rc;
}
