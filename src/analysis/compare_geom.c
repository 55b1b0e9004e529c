/* Compare: what changed in a park found in both layouts (its boundary, its
 * area, its attributes), with the area change and the Hausdorff distance. */
#include "compare_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int same_text(const char *x, const char *y)
{
    return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* Planned areas are typed in: equal when they print the same to a square
 * metre (1e-6 km²), so a REAL that went through text is not a change. */
static int same_planned(double x, double y)
{
    return (isnan(x) && isnan(y)) || fabs(x - y) < 0.5e-6;
}

/* Append ",word" (or "word") to *what. */
static int add_what(char **what, const char *word)
{
    size_t len = strlen(*what), add = strlen(word) + 2;
    char *n = realloc(*what, len + add);
    if (!n)
        return -1;
    snprintf(n + len, add, "%s%s", len ? "," : "", word);
    *what = n;
    return 0;
}

int cmp_measure(pm_compare *c, pm_ctx *ctx, const cmp_side *a, const cmp_side *b,
                const pm_compare_opts *o)
{
    pm_topo_hausdorff *hd = NULL;
    int rc = pm_topology_hausdorff_new(&hd, ctx, a->srid, b->srid);
    for (size_t i = 0; !rc && i < a->n; i++) {
        const cmp_park *pa = &a->p[i];
        if (pa->match == (size_t)-1)
            continue;
        const cmp_park *pb = &b->p[pa->match];
        pm_compare_park *cp = &c->parks[pa->park];
        cp->change_km2 = (pb->area_m2 - pa->area_m2) / 1e6;
        cp->change_pct = pa->area_m2 > 0 ? 100 * (pb->area_m2 - pa->area_m2) / pa->area_m2 : NAN;
        if ((rc = pm_topology_hausdorff(&cp->hausdorff_m, ctx, hd, pa->geom, pb->geom)))
            break;
        int bad = 0;
        /* Reprojection and storage rounding move a vertex by micrometres;
         * the snapping tolerance is what a planner would not draw on purpose. */
        if (cp->hausdorff_m > o->hausdorff_m)
            bad |= add_what(&cp->what, "boundary");
        if (fabs(pb->area_m2 - pa->area_m2) > o->area_m2)
            bad |= add_what(&cp->what, "area");
        if (strcmp(pa->name, pb->name) != 0)
            bad |= add_what(&cp->what, "name");
        if (!same_text(pa->industry, pb->industry))
            bad |= add_what(&cp->what, "industry");
        if (!same_planned(pa->planned_km2, pb->planned_km2))
            bad |= add_what(&cp->what, "planned_area_km2");
        if (bad)
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", "compare", "parks");
        else if (*cp->what)
            cp->status = PM_CMP_CHANGED;
    }
    pm_topology_hausdorff_free(hd);
    if (rc)
        return rc;
    for (size_t k = 0; k < c->nparks; k++)
        switch (c->parks[k].status) {
        case PM_CMP_UNCHANGED:
            c->nunchanged++;
            break;
        case PM_CMP_CHANGED:
            c->nchanged++;
            break;
        case PM_CMP_ADDED:
            c->nadded++;
            break;
        case PM_CMP_REMOVED:
            c->nremoved++;
            break;
        }
    return 0;
}
