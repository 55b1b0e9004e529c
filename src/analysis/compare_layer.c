/* Compare: the "changes" layer written into the later database, so the
 * comparison can be drawn (styles/compare.json) and exported like any
 * analysis layer. */
#include "compare_internal.h"
#include "parkmap/crs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const col_names[] = {
    "key", "name", "status", "what", "area_change_km2", "hausdorff_m", "summary"};
static const pm_field_type col_types[] = {PM_FIELD_TEXT, PM_FIELD_TEXT, PM_FIELD_TEXT,
                                          PM_FIELD_TEXT, PM_FIELD_REAL, PM_FIELD_REAL,
                                          PM_FIELD_TEXT};

/* One readable line for a map label or a GIS pop-up (styles have no
 * rounding operator, so the figures are rounded here). */
static void summary(char *buf, size_t size, const pm_compare_park *p, const char *status)
{
    if (p->status == PM_CMP_ADDED)
        snprintf(buf, size, "added, %.3f km²", p->area_after_m2 / 1e6);
    else if (p->status == PM_CMP_REMOVED)
        snprintf(buf, size, "removed, %.3f km²", p->area_before_m2 / 1e6);
    else if (p->status == PM_CMP_UNCHANGED)
        snprintf(buf, size, "unchanged");
    else if (strcmp(status, "before") == 0)
        snprintf(buf, size, "boundary before");
    else
        snprintf(buf, size, "%s; moved %.1f m, %+.3f km² (%+.1f %%)", p->what, p->hausdorff_m,
                 p->change_km2, p->change_pct);
}

static int add_row(pm_layer_writer *w, pm_ctx *ctx, int64_t id, const pm_compare_park *p,
                   const char *status, pm_geom *geom)
{
    pm_value v[7];
    char text[512];
    memset(v, 0, sizeof v);
    summary(text, sizeof text, p, status);
    v[0] = (pm_value){.type = PM_FIELD_TEXT, .s = p->key};
    v[1] = (pm_value){.type = PM_FIELD_TEXT, .s = p->name};
    v[2] = (pm_value){.type = PM_FIELD_TEXT, .s = (char *)status};
    v[3] = (pm_value){.type = PM_FIELD_TEXT, .s = p->what};
    v[4] = (pm_value){.type = PM_FIELD_REAL, .d = p->change_km2, .is_null = isnan(p->change_km2)};
    v[5] = (pm_value){.type = PM_FIELD_REAL, .d = p->hausdorff_m, .is_null = isnan(p->hausdorff_m)};
    v[6] = (pm_value){.type = PM_FIELD_TEXT, .s = text};
    pm_feature f = {id, 7, v, geom}; /* borrowed values: never cleared */
    return pm_store_layer_add(ctx, w, &f);
}

/* A's geometry of park i in B's storage CRS. Caller owns *out. */
static int a_in_b(pm_geom **out, pm_ctx *ctx, pm_transform *tr, const cmp_side *a, int64_t fid)
{
    size_t i = cmp_side_fid(a, fid);
    int rc;
    if (i == (size_t)-1)
        return pm_err(ctx, PM_EINTERNAL, "park lost", a->db, "fid %lld", (long long)fid);
    if ((rc = pm_geom_clone(out, ctx, a->p[i].geom)) || (rc = pm_transform_geom(tr, ctx, *out))) {
        pm_geom_free(*out);
        *out = NULL;
    }
    return rc;
}

int cmp_write_changes(const pm_compare *c, pm_ctx *ctx, const cmp_side *a, const cmp_side *b)
{
    pm_schema schema = {0};
    pm_layer_writer *w = NULL;
    pm_transform *tr = NULL;
    pm_geom *g = NULL;
    char src[32], dst[32];
    int64_t id = 1;
    int rc = 0;
    snprintf(src, sizeof src, "EPSG:%d", a->srid);
    snprintf(dst, sizeof dst, "EPSG:%d", b->srid);
    for (size_t i = 0; i < sizeof col_names / sizeof *col_names; i++)
        if ((rc = pm_schema_add(&schema, ctx, col_names[i], col_types[i])))
            goto done;
    if ((rc = pm_transform_new(&tr, ctx, src, dst)) ||
        (rc = pm_store_layer_begin(&w, ctx, b->st, PM_LAYER_CHANGES, &schema, PM_GEOM_POLYGON,
                                   b->srid)))
        goto done;
    /* One feature per park as it is now (as it was, for a removed park),
     * then the old boundary of every changed park, drawn over them. */
    for (size_t k = 0; k < c->nparks; k++) {
        const pm_compare_park *p = &c->parks[k];
        const char *status = pm_compare_status_name(p->status);
        if (p->status == PM_CMP_REMOVED) {
            if ((rc = a_in_b(&g, ctx, tr, a, p->fid_before)) ||
                (rc = add_row(w, ctx, id++, p, status, g)))
                goto done;
            pm_geom_free(g);
            g = NULL;
            continue;
        }
        size_t j = cmp_side_fid(b, p->fid_after);
        if ((rc = add_row(w, ctx, id++, p, status, b->p[j].geom)))
            goto done;
    }
    for (size_t k = 0; k < c->nparks; k++) {
        const pm_compare_park *p = &c->parks[k];
        if (p->status != PM_CMP_CHANGED)
            continue;
        if ((rc = a_in_b(&g, ctx, tr, a, p->fid_before)) ||
            (rc = add_row(w, ctx, id++, p, "before", g)))
            goto done;
        pm_geom_free(g);
        g = NULL;
    }
    rc = pm_store_layer_commit(ctx, w, c->layer);
done:
    pm_geom_free(g);
    pm_layer_writer_free(w);
    pm_transform_free(tr);
    pm_schema_clear(&schema);
    return rc;
}
