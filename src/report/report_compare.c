/* The "compare" member of a comparison report (report --against): the
 * figures of pm_analysis_compare, and the geometry of what changed for the
 * map's "changes" layer. The report's own sections describe --db (before);
 * this one says what --against (after) does differently. */
#include "report_internal.h"

#include "parkmap/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void num_kv(sbuf *b, const char *k, double v)
{
    sb_printf(b, ",\"%s\":", k);
    rp_json_num(b, v);
}

static void total_out(sbuf *b, const char *name, const pm_compare_total *t)
{
    sb_printf(b, ",\"%s\":{\"parks\":%zu", name, t->parks);
    num_kv(b, "sum_km2", t->sum_m2 / 1e6);
    num_kv(b, "union_km2", t->union_m2 / 1e6);
    num_kv(b, "diff_km2", t->diff_km2);
    num_kv(b, "diff_pct", t->diff_pct);
    sb_printf(b, ",\"pass\":%s}", t->pass ? "true" : "false");
}

static double park_fig(const pm_layout *l, size_t i, int hull)
{
    if (!l || i == (size_t)-1 || i >= l->nparks)
        return NAN;
    return hull ? l->parks[i].hull_ratio : l->parks[i].polsby_popper;
}

/* [key, name, status, what, area before km2, after, change km2, change %,
 *  Hausdorff m, Polsby-Popper before, after, hull ratio before, after] */
static void parks_out(sbuf *b, const pm_compare *c)
{
    sb_puts(b, ",\"parks\":[");
    for (size_t i = 0; i < c->nparks; i++) {
        const pm_compare_park *p = &c->parks[i];
        sb_puts(b, i ? ",[" : "[");
        rp_json_str(b, p->key);
        sb_add(b, ",", 1);
        rp_json_str(b, p->name);
        sb_add(b, ",", 1);
        rp_json_str(b, pm_compare_status_name(p->status));
        sb_add(b, ",", 1);
        rp_json_str(b, p->what);
        double v[] = {p->area_before_m2 / 1e6,
                      p->area_after_m2 / 1e6,
                      p->change_km2,
                      p->change_pct,
                      p->hausdorff_m,
                      park_fig(c->before, p->before, 0),
                      park_fig(c->after, p->after, 0),
                      park_fig(c->before, p->before, 1),
                      park_fig(c->after, p->after, 1)};
        for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
            sb_add(b, ",", 1);
            rp_json_num(b, v[k]);
        }
        sb_add(b, "]", 1);
    }
    sb_add(b, "]", 1);
}

/* [park, park, relation before, relation after] */
static void pairs_out(sbuf *b, const pm_compare *c)
{
    sb_puts(b, ",\"adjacency\":[");
    for (size_t i = 0; i < c->npairs; i++) {
        const pm_compare_pair *p = &c->pairs[i];
        sb_puts(b, i ? ",[" : "[");
        rp_json_str(b, p->a_name);
        sb_add(b, ",", 1);
        rp_json_str(b, p->b_name);
        sb_add(b, ",", 1);
        rp_json_str(b, p->before);
        sb_add(b, ",", 1);
        rp_json_str(b, p->after);
        sb_add(b, "]", 1);
    }
    sb_add(b, "]", 1);
}

/* [kind, cluster id, its parks, [[id, parks], ...]] */
static void events_out(sbuf *b, const pm_compare *c)
{
    sb_puts(b, ",\"clusters\":[");
    for (size_t i = 0; i < c->nevents; i++) {
        const pm_compare_cluster_event *e = &c->events[i];
        sb_puts(b, i ? ",[" : "[");
        rp_json_str(b, e->kind);
        sb_printf(b, ",%d,", e->cluster.id);
        rp_json_str(b, e->cluster.parks);
        sb_puts(b, ",[");
        for (size_t k = 0; k < e->nparts; k++) {
            sb_printf(b, "%s[%d,", k ? "," : "", e->parts[k].id);
            rp_json_str(b, e->parts[k].parks);
            sb_add(b, "]", 1);
        }
        sb_puts(b, "]]");
    }
    sb_add(b, "]", 1);
}

static const pm_layout_group *group_named(const pm_layout *l, const char *name)
{
    for (size_t i = 0; l && i < l->ngroups; i++)
        if (strcmp(l->groups[i].group, name) == 0)
            return &l->groups[i];
    return NULL;
}

static void group_figs(sbuf *b, const pm_layout_group *g)
{
    double v[] = {g ? (double)g->nparks : NAN, g ? g->clark_evans_r : NAN,
                  g ? g->clark_evans_z : NAN, g ? g->colocation : NAN, g ? g->colocation_p : NAN};
    for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
        sb_add(b, ",", 1);
        rp_json_num(b, v[k]);
    }
}

/* Per group, before then after: [group, parks, R, z, co-location share,
 * p] x 2, over the groups of either layout (A's order, then B's new ones);
 * then the overall co-location and study area. */
static void indicators_out(sbuf *b, const pm_compare *c)
{
    const pm_layout *l[2] = {c->before, c->after};
    sb_puts(b, ",\"indicators\":{\"groups\":[");
    size_t n = 0;
    for (int side = 0; side < 2; side++)
        for (size_t i = 0; l[side] && i < l[side]->ngroups; i++) {
            const char *name = l[side]->groups[i].group;
            if (side == 1 && group_named(l[0], name))
                continue; /* listed with A's */
            sb_puts(b, n++ ? ",[" : "[");
            rp_json_str(b, name);
            group_figs(b, group_named(l[0], name));
            group_figs(b, group_named(l[1], name));
            sb_add(b, "]", 1);
        }
    sb_add(b, "]", 1);
    for (int side = 0; side < 2; side++) {
        const pm_layout *x = l[side];
        sb_printf(b, ",\"%s\":{\"colocation\":", side ? "after" : "before");
        rp_json_num(b, x ? x->colocation : NAN);
        num_kv(b, "colocation_p", x ? x->colocation_p : NAN);
        num_kv(b, "study_area_km2", x ? x->study_area_m2 / 1e6 : NAN);
        sb_printf(b, ",\"clusters\":%zu}", x ? x->nclusters : 0);
    }
    sb_add(b, "}", 1);
}

/* One side's parks by fid, sorted: side_geoms looks up every feature of
 * a layer, and a scan of all parks each time made a parcel layer's report
 * quadratic. */
typedef struct {
    int64_t fid;
    size_t park;
} fid_ix;

static int fid_ix_cmp(const void *a, const void *b)
{
    const fid_ix *x = a, *y = b;
    if (x->fid != y->fid)
        return x->fid < y->fid ? -1 : 1;
    return x->park < y->park ? -1 : x->park > y->park;
}

/* The parks of c that have a fid on one side, sorted by it; *out is NULL
 * when there are none. Caller frees *out. */
static int fid_index(fid_ix **out, size_t *out_n, pm_ctx *ctx, const pm_compare *c, int after)
{
    size_t n = 0;
    *out = NULL;
    *out_n = 0;
    if (!c->nparks)
        return 0;
    fid_ix *ix = malloc(c->nparks * sizeof *ix);
    if (!ix)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "report", "comparison");
    for (size_t i = 0; i < c->nparks; i++) {
        int64_t fid = after ? c->parks[i].fid_after : c->parks[i].fid_before;
        if (fid >= 0)
            ix[n++] = (fid_ix){fid, i};
    }
    qsort(ix, n, sizeof *ix, fid_ix_cmp);
    *out = ix;
    *out_n = n;
    return 0;
}

/* The park of c with this fid (the first, in c's order), or NULL. */
static const pm_compare_park *park_of(const pm_compare *c, const fid_ix *ix, size_t n, int64_t fid)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix[mid].fid < fid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ix[lo].fid == fid ? &c->parks[ix[lo].park] : NULL;
}

/* The changed parks' geometry from one side, as [status, park index, geom]:
 * after: "added" and "changed" (the new boundary); before: "removed" and
 * "before" (a changed park's old boundary). */
static int side_geoms(sbuf *b, size_t *n, pm_ctx *ctx, pm_store *st, const char *layer, rp_grid *gr,
                      const pm_compare *c, int after)
{
    pm_cursor *cur = NULL;
    pm_feature f = {0};
    fid_ix *ix = NULL;
    size_t nix = 0;
    int rc = fid_index(&ix, &nix, ctx, c, after);
    if (rc || (rc = pm_store_cursor_open_fields(&cur, ctx, st, layer, NULL, 0)))
        goto done;
    for (;;) {
        int r = pm_cursor_next(&f, ctx, cur);
        if (r <= 0) {
            rc = r;
            break;
        }
        const pm_compare_park *p = park_of(c, ix, nix, f.fid);
        const char *status = !p                            ? NULL
                             : p->status == PM_CMP_ADDED   ? "added"
                             : p->status == PM_CMP_REMOVED ? "removed"
                             : p->status == PM_CMP_CHANGED ? (after ? "changed" : "before")
                                                           : NULL;
        if (status && f.geom) {
            sb_puts(b, (*n)++ ? ",[" : "[");
            rp_json_str(b, status);
            sb_printf(b, ",%zu,", (size_t)(p - c->parks));
            if ((rc = rp_geom(b, gr, ctx, f.geom, NULL)))
                break;
            sb_add(b, "]", 1);
        }
        pm_feature_clear(&f);
    }
done:
    pm_feature_clear(&f);
    pm_cursor_free(cur);
    free(ix);
    return rc;
}

int rp_compare_write(sbuf *b, pm_ctx *ctx, pm_store *st, const pm_report_opts *o, const rp_grid *gr)
{
    pm_compare *c = NULL;
    rp_grid ga = {0}, gb = {0};
    int rc, srid_a = 0, srid_b = 0;
    size_t n = 0;
    pm_compare_opts co = PM_COMPARE_OPTS_INIT;
    co.layer = o->layer;
    co.key = o->compare_key;
    co.target_km2 = o->target_km2;
    co.tolerance_pct = o->tolerance_pct;
    co.write_table = 0; /* the report writes nothing into either database */
    if ((rc = rp_tick(ctx, o, 0.75, "report: comparison")) ||
        (rc = pm_analysis_compare(&c, ctx, st, o->against, &co)))
        goto done;
    if ((rc = pm_store_layer_srid(&srid_a, ctx, st, o->layer)) ||
        (rc = pm_store_layer_srid(&srid_b, ctx, o->against, o->layer)))
        goto done;
    /* One quantum and origin for both sides (the page decodes every ring
     * on the main grid); each side's own transform to lon/lat. */
    double any[4] = {gr->ox, gr->oy, gr->ox, gr->oy};
    if ((rc = rp_grid_init(&ga, ctx, srid_a, any, 0)) ||
        (rc = rp_grid_init(&gb, ctx, srid_b, any, 0)))
        goto done;
    ga.ox = gb.ox = gr->ox;
    ga.oy = gb.oy = gr->oy;
    ga.q = gb.q = gr->q;
    ga.simplify = gb.simplify = gr->simplify;

    sb_puts(b, "{\"against\":");
    rp_json_str(b, pm_store_path(o->against));
    sb_puts(b, ",\"key\":");
    rp_json_str(b, c->key);
    sb_printf(b, ",\"counts\":{\"added\":%zu,\"removed\":%zu,\"changed\":%zu,\"unchanged\":%zu}",
              c->nadded, c->nremoved, c->nchanged, c->nunchanged);
    num_kv(b, "target_km2", c->target_km2);
    num_kv(b, "tolerance_pct", c->tolerance_pct);
    num_kv(b, "hausdorff_tol_m", c->hausdorff_tol_m);
    total_out(b, "before", &c->total_before);
    total_out(b, "after", &c->total_after);
    parks_out(b, c);
    pairs_out(b, c);
    events_out(b, c);
    indicators_out(b, c);
    sb_puts(b, ",\"geom\":[");
    if ((rc = side_geoms(b, &n, ctx, o->against, o->layer, &gb, c, 1)) ||
        (rc = side_geoms(b, &n, ctx, st, o->layer, &ga, c, 0)))
        goto done;
    sb_puts(b, "]}");
    if (b->oom)
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "report", "comparison");
done:
    rp_grid_clear(&ga);
    rp_grid_clear(&gb);
    pm_compare_free(c);
    return rc;
}
