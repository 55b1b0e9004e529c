/* The layout indicators planners use (issue 13): Clark-Evans' nearest-
 * neighbour index per group, same-group co-location against random
 * relabelling, land-use mix entropy per cluster and the convex-hull ratio
 * per park. The formulas, units and what NAN means are in docs/analysis.md
 * (`layout`); the geometry comes from the boundary graph layout built. */
#include "analysis_internal.h"
#include "parkmap/analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Clark & Evans (1954): the standard error of the mean nearest-neighbour
 * distance of n random points in area A is 0.26136 / sqrt(n² / A). */
#define CE_SE 0.26136

double pm_layout_mix_entropy(const pm_layout *l, const size_t *members, size_t m,
                             const int32_t *gid, size_t nvals, double *share)
{
    double total = 0, s = 0;
    if (nvals < 2)
        return NAN;
    for (size_t v = 0; v < nvals; v++)
        share[v] = 0;
    for (size_t k = 0; k < m; k++) {
        double a = l->parks[members[k]].area_m2;
        if (isfinite(a) && a > 0) {
            share[gid[members[k]]] += a;
            total += a;
        }
    }
    if (!(total > 0))
        return NAN;
    for (size_t v = 0; v < nvals; v++)
        if (share[v] > 0) {
            double p = share[v] / total;
            s += p * log(p);
        }
    /* One use: s is 0 (or -0.0, which would print as "-0"). */
    return s < 0 ? -s / log((double)nvals) : 0;
}

/* splitmix64 (Steele, Lea, Flood 2014): a small generator with a fixed,
 * documented sequence for a seed, the same on every platform and libc
 * (rand() is neither). */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, bound): rejection of the short last stretch, so no value
 * is likelier than another. */
static uint64_t below(uint64_t *state, uint64_t bound)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound, r;
    do
        r = splitmix64(state);
    while (r >= limit);
    return r % bound;
}

/* Co-location counts for one labelling: per group, the links from its
 * focal parks (tot) and those whose other end has the same label (same);
 * returns the links within one label. Links are directed, from a focal
 * park to its neighbour: with every park focal each pair counts once from
 * either end. */
static size_t count_links(size_t *tot, size_t *same, size_t ng, const uint32_t *pairs, size_t np,
                          const int32_t *lab)
{
    size_t within = 0;
    memset(tot, 0, ng * sizeof *tot);
    memset(same, 0, ng * sizeof *same);
    for (size_t k = 0; k < np; k++) {
        int32_t a = lab[pairs[2 * k]], b = lab[pairs[2 * k + 1]];
        tot[a]++;
        if (a == b) {
            same[a]++;
            within++;
        }
    }
    return within;
}

static double share_of(size_t part, size_t whole)
{
    return whole ? (double)part / (double)whole : NAN;
}

/* The groups (non-empty values of the by-field) in order of their first
 * park, and each feature's group index (-1: no value, or no geometry). */
static int make_groups(pm_layout *l, int32_t *fgroup, pm_ctx *ctx, const int32_t *gid, size_t nvals,
                       const uint32_t *gidx, size_t nf)
{
    int32_t *order = malloc((nvals + 1) * sizeof *order);
    if (!order || !(l->groups = calloc(nvals + 1, sizeof *l->groups))) {
        free(order);
        return pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "groups");
    }
    for (size_t v = 0; v < nvals; v++)
        order[v] = -1;
    for (size_t f = 0; f < nf; f++)
        fgroup[f] = -1;
    for (size_t i = 0; i < l->nparks; i++) {
        const pm_layout_park *p = &l->parks[i];
        if (!*p->group)
            continue;
        int32_t v = gid[i];
        if (order[v] < 0) {
            pm_layout_group *g = &l->groups[l->ngroups];
            if (!(g->group = strdup(p->group))) {
                free(order);
                return pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "groups");
            }
            order[v] = (int32_t)l->ngroups++;
        }
        l->groups[order[v]].nparks++;
        if (gidx[i] != UINT32_MAX)
            fgroup[gidx[i]] = order[v];
    }
    free(order);
    return 0;
}

/* Clark-Evans per group, from each park's centroid. */
static void clark_evans(pm_layout *l, const int32_t *fgroup, const double *nn, size_t nf)
{
    double A = l->study_area_m2;
    for (size_t k = 0; k < l->ngroups; k++) {
        pm_layout_group *g = &l->groups[k];
        double sum = 0;
        size_t n = 0;
        for (size_t f = 0; f < nf; f++)
            if (fgroup[f] == (int32_t)k && isfinite(nn[f])) {
                sum += nn[f];
                n++;
            }
        g->mean_nn_m = g->expected_nn_m = g->clark_evans_r = g->clark_evans_z = NAN;
        if (n < 2 || !(A > 0))
            continue;
        double dn = (double)n;
        g->mean_nn_m = sum / dn;
        g->expected_nn_m = 0.5 / sqrt(dn / A);
        g->clark_evans_r = g->mean_nn_m / g->expected_nn_m;
        g->clark_evans_z = (g->mean_nn_m - g->expected_nn_m) / (CE_SE / sqrt(dn * dn / A));
    }
}

/* Co-location over the links between parks with a group, observed and
 * under runs random relabellings (a Fisher-Yates shuffle of the labels
 * over those parks per run). */
static int colocation(pm_layout *l, pm_ctx *ctx, const int32_t *fgroup, const uint32_t *pairs,
                      size_t npairs, size_t nf)
{
    size_t ng = l->ngroups, np = 0, nlab = 0;
    size_t *tot = calloc(ng + 1, sizeof *tot), *same = calloc(ng + 1, sizeof *same);
    size_t *ge = calloc(ng + 1, sizeof *ge), *defined = calloc(ng + 1, sizeof *defined);
    double *sum = calloc(ng + 1, sizeof *sum);
    uint32_t *lp = calloc(2 * npairs + 1, sizeof *lp), *who = calloc(nf + 1, sizeof *who);
    int32_t *lab = calloc(nf + 1, sizeof *lab);
    int rc = 0;
    if (!tot || !same || !ge || !defined || !sum || !lp || !who || !lab) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "co-location");
        goto done;
    }
    /* Only links between parks that have a group take part. */
    for (size_t k = 0; k < npairs; k++)
        if (fgroup[pairs[2 * k]] >= 0 && fgroup[pairs[2 * k + 1]] >= 0) {
            lp[2 * np] = pairs[2 * k];
            lp[2 * np + 1] = pairs[2 * k + 1];
            np++;
        }
    for (size_t f = 0; f < nf; f++) {
        lab[f] = fgroup[f];
        if (fgroup[f] >= 0)
            who[nlab++] = (uint32_t)f;
    }
    size_t within = count_links(tot, same, ng, lp, np, lab);
    l->colocation = share_of(within, np);
    for (size_t k = 0; k < ng; k++) {
        l->groups[k].neighbour_links = tot[k];
        l->groups[k].colocation = share_of(same[k], tot[k]);
    }
    uint64_t state = l->colocation_seed;
    size_t all_ge = 0;
    double all_sum = 0;
    for (int run = 0; run < l->colocation_runs && np; run++) {
        for (size_t i = nlab; i > 1; i--) {
            size_t j = (size_t)below(&state, i);
            int32_t t = lab[who[i - 1]];
            lab[who[i - 1]] = lab[who[j]];
            lab[who[j]] = t;
        }
        double s = share_of(count_links(tot, same, ng, lp, np, lab), np);
        all_sum += s;
        all_ge += s >= l->colocation;
        for (size_t k = 0; k < ng; k++) {
            if (!tot[k])
                continue; /* no link this time: no share to compare */
            double gs = share_of(same[k], tot[k]);
            sum[k] += gs;
            defined[k]++;
            ge[k] += gs >= l->groups[k].colocation;
        }
    }
    double runs = (double)l->colocation_runs; /* as made: see pm_layout_indicators */
    l->colocation_expected = np && runs > 0 ? all_sum / runs : NAN;
    /* No relabelling: nothing to compare with (not a p of 1 / 1). */
    l->colocation_p = np && runs > 0 ? (1 + (double)all_ge) / (1 + runs) : NAN;
    for (size_t k = 0; k < ng; k++) {
        pm_layout_group *g = &l->groups[k];
        int observed = g->neighbour_links > 0;
        g->colocation_expected = observed && defined[k] ? sum[k] / (double)defined[k] : NAN;
        /* Over the relabellings in which the group has a link at all (a
         * park alone with no neighbour says nothing either way). */
        g->colocation_p =
            observed && defined[k] ? (1 + (double)ge[k]) / (1 + (double)defined[k]) : NAN;
    }
done:
    free(tot);
    free(same);
    free(ge);
    free(defined);
    free(sum);
    free(lp);
    free(who);
    free(lab);
    return rc;
}

/* The parks with a group, in a random order drawn from the seed (its own
 * stream, so the relabellings do not depend on it): pm_topology_neighbours
 * takes them in this order until the link budget is spent, which makes the
 * parks whose links are counted a simple random sample of them when the
 * layer is too dense to count all, and all of them otherwise. */
static int focal_order(uint32_t **out, size_t *n, pm_ctx *ctx, const int32_t *fgroup, size_t nf,
                       unsigned seed)
{
    uint32_t *f = malloc((nf + 1) * sizeof *f);
    uint64_t state = (uint64_t)seed ^ 0x9e3779b97f4a7c15ULL;
    size_t m = 0;
    if (!f)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "co-location");
    for (size_t i = 0; i < nf; i++)
        if (fgroup[i] >= 0)
            f[m++] = (uint32_t)i;
    for (size_t i = m; i > 1; i--) {
        size_t j = (size_t)below(&state, i);
        uint32_t x = f[i - 1];
        f[i - 1] = f[j];
        f[j] = x;
    }
    *out = f;
    *n = m;
    return 0;
}

/* A = the outline's union on the ellipsoid, or the parks' convex hull. */
static int study_area(pm_layout *l, pm_ctx *ctx, pm_store *st, const pm_layout_opts *o,
                      double hull_all_m2)
{
    const char *layer = o->within;
    double planar = 0;
    int rc;
    if (o->study_area_m2 > 0) { /* given: another layout's, for a fair comparison */
        l->study_area_m2 = o->study_area_m2;
        l->study_area = strdup(o->study_area_name ? o->study_area_name : "given");
        return l->study_area ? 0 : pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "study area");
    }
    if (!layer) {
        /* The default: the district outline, when the database has one. */
        pm_geom_kind kind;
        int has = pm_store_has_layer(ctx, st, PM_LAYER_OUTLINE);
        if (has < 0)
            return has;
        if (has && !pm_store_layer_geom_kind(&kind, ctx, st, PM_LAYER_OUTLINE) &&
            kind == PM_GEOM_POLYGON)
            layer = PM_LAYER_OUTLINE;
    }
    if (layer && *layer) {
        if ((rc = pm_store_layer_need_polygons(ctx, st, layer, "layout --within")) ||
            (rc = pm_topology_layer_union_area(&planar, &l->study_area_m2, ctx, st, layer)))
            return rc;
        l->study_area = strdup(layer);
    } else {
        l->study_area_m2 = hull_all_m2;
        l->study_area = strdup("convex hull of the parks");
    }
    return l->study_area ? 0 : pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "study area");
}

int pm_layout_indicators(pm_layout *l, pm_ctx *ctx, pm_store *st, pm_topology *t,
                         const pm_layout_opts *o, const uint32_t *gidx, const int32_t *gid,
                         size_t nvals, int by)
{
    size_t nf = pm_topology_nfeatures(t), npairs = 0;
    double *hull = malloc((nf + 1) * sizeof *hull), *xy = malloc((2 * nf + 2) * sizeof *xy);
    double *nn = malloc((nf + 1) * sizeof *nn), hull_all = 0;
    int32_t *fgroup = malloc((nf + 1) * sizeof *fgroup);
    uint32_t *pairs = NULL, *focal = NULL;
    size_t nfocal = 0;
    int rc = 0;
    l->colocation_m = o->colocation_m;
    l->colocation_seed = (unsigned)o->seed;
    l->colocation_runs = o->runs;
    l->colocation = l->colocation_expected = l->colocation_p = NAN;
    if (!hull || !xy || !nn || !fgroup) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "layout", "indicators");
        goto done;
    }
    if ((rc = pm_topology_hull_areas(hull, &hull_all, ctx, t)) ||
        (rc = study_area(l, ctx, st, o, hull_all)))
        goto done;
    for (size_t i = 0; i < l->nparks; i++) {
        pm_layout_park *p = &l->parks[i];
        double h = gidx[i] == UINT32_MAX ? 0 : hull[gidx[i]];
        p->hull_ratio = h > 0 ? p->area_m2 / h : NAN;
    }
    if (!by)
        goto done; /* no groups: Clark-Evans and co-location have nothing to compare */
    if ((rc = make_groups(l, fgroup, ctx, gid, nvals, gidx, nf)) ||
        (rc = pm_topology_centroids(xy, ctx, t)) ||
        (rc = pm_topology_nearest_point(nn, ctx, t, xy, fgroup)))
        goto done;
    clark_evans(l, fgroup, nn, nf);
    if (o->progress)
        o->progress(0.5, "layout: co-location", o->progress_user);
    if ((rc = focal_order(&focal, &nfocal, ctx, fgroup, nf, l->colocation_seed)) ||
        (rc = pm_topology_neighbours(&pairs, &npairs, &l->colocation_focal, ctx, t, o->colocation_m,
                                     focal, nfocal, PM_COLOCATION_MAX_LINKS)))
        goto done;
    /* Each relabelling counts every link: on a dense layer fewer runs keep
     * the test to seconds (the p-value's resolution is 1 / (runs + 1)). */
    if (l->colocation_runs > 99 && (double)npairs * l->colocation_runs > 2e8)
        l->colocation_runs = (int)fmax(99, 2e8 / (double)npairs);
    if ((rc = colocation(l, ctx, fgroup, pairs, npairs, nf)))
        goto done;
done:
    free(hull);
    free(xy);
    free(nn);
    free(fgroup);
    free(pairs);
    free(focal);
    return rc;
}
