/* Adjacency: which parks share a boundary, overlap, or nearly touch. */
#include "parkmap/analysis.h"

#include <stdlib.h>
#include <string.h>

/* Below these, a measure is numerical noise, not geography: coordinates
 * carry ~1 cm after reprojection, so an "overlap" of under 1 m² (a 1 mm
 * sliver along a 1 km edge) or a shared run of under 1 cm is rounding. */
#define PM_OVERLAP_MIN_M2 1.0
#define PM_SHARED_MIN_M 0.01

const char *pm_relation_name(pm_relation r)
{
    switch (r) {
    case PM_REL_EDGE:
        return "shares_edge";
    case PM_REL_OVERLAP:
        return "overlaps";
    case PM_REL_NEAR:
        return "within_tolerance";
    case PM_REL_CORNER:
        return "corner_only";
    }
    return "?";
}

static pm_relation classify(const pm_pair_row *p, double tol)
{
    if (p->overlap_m2 >= PM_OVERLAP_MIN_M2) {
        /* With a tolerance, an overlap thinner than it along the shared
         * boundary is the same digitising noise as a gap that narrow: a
         * vertex of one park lying on the other's edge in WGS 84 lands a
         * few centimetres inside after reprojection. */
        if (tol > 0 && p->shared_m >= PM_SHARED_MIN_M && p->overlap_m2 / p->shared_m <= tol)
            return PM_REL_EDGE;
        return PM_REL_OVERLAP;
    }
    if (p->shared_m >= PM_SHARED_MIN_M)
        return p->distance_m > 0 ? PM_REL_NEAR : PM_REL_EDGE;
    return PM_REL_CORNER;
}

static void pair_clear(pm_adjacency_pair *p)
{
    free(p->a_name);
    free(p->b_name);
    pm_geom_free(p->shared);
}

void pm_adjacency_free(pm_adjacency *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->npairs; i++)
        pair_clear(&a->pairs[i]);
    for (size_t i = 0; i < a->ncorner; i++)
        pair_clear(&a->corner[i]);
    free(a->pairs);
    free(a->corner);
    free(a);
}

static int set_text(pm_value *v, const char *s)
{
    v->type = PM_FIELD_TEXT;
    v->s = strdup(s ? s : "");
    return v->s ? 0 : -1;
}

/* The adjacency table: one row per pair, corner-only contacts included so
 * the table answers "do these two touch at all?" too. */
static int write_table(pm_ctx *ctx, pm_store *st, const pm_adjacency *a, const char *layer)
{
    static const char *const names[] = {"a_fid",    "a_name",     "b_fid",     "b_name",
                                        "relation", "shared_m",   "overlap_m2", "distance_m",
                                        "tolerance_m"};
    static const pm_field_type types[] = {PM_FIELD_INTEGER, PM_FIELD_TEXT, PM_FIELD_INTEGER,
                                          PM_FIELD_TEXT,    PM_FIELD_TEXT, PM_FIELD_REAL,
                                          PM_FIELD_REAL,    PM_FIELD_REAL, PM_FIELD_REAL};
    pm_schema schema = {0};
    size_t n = a->npairs + a->ncorner, k = 0;
    pm_feature *fs = calloc(n ? n : 1, sizeof(*fs));
    int rc = 0, srid = 0;
    if (!fs)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "adjacency", "table");
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if ((rc = pm_schema_add(&schema, ctx, names[i], types[i])))
            goto done;
    if ((rc = pm_store_layer_srid(&srid, ctx, st, layer)))
        goto done;
    for (; k < n; k++) {
        const pm_adjacency_pair *p = k < a->npairs ? &a->pairs[k] : &a->corner[k - a->npairs];
        pm_feature *f = &fs[k];
        f->fid = (int64_t)k;
        f->nvalues = schema.nfields;
        f->values = calloc(schema.nfields, sizeof(pm_value));
        if (!f->values) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", "adjacency", "table");
            goto done;
        }
        f->values[0] = (pm_value){.type = PM_FIELD_INTEGER, .i = p->a_fid};
        f->values[2] = (pm_value){.type = PM_FIELD_INTEGER, .i = p->b_fid};
        f->values[5] = (pm_value){.type = PM_FIELD_REAL, .d = p->shared_m};
        f->values[6] = (pm_value){.type = PM_FIELD_REAL, .d = p->overlap_m2};
        f->values[7] = (pm_value){.type = PM_FIELD_REAL, .d = p->distance_m};
        f->values[8] = (pm_value){.type = PM_FIELD_REAL, .d = a->tolerance_m};
        if (set_text(&f->values[1], p->a_name) || set_text(&f->values[3], p->b_name) ||
            set_text(&f->values[4], pm_relation_name(p->relation))) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", "adjacency", "table");
            goto done;
        }
        if (p->shared && (rc = pm_geom_clone(&f->geom, ctx, p->shared)))
            goto done;
    }
    rc = pm_store_write_layer(st, ctx, "adjacency", &schema, PM_GEOM_LINE, srid, fs, n, layer);
done:
    for (size_t i = 0; i < n; i++)
        pm_feature_clear(&fs[i]);
    free(fs);
    pm_schema_clear(&schema);
    return rc;
}

int pm_analysis_adjacency(pm_adjacency **out, pm_ctx *ctx, pm_store *st,
                          const pm_adjacency_opts *opts)
{
    int rc = 0;
    pm_pair_row *rows = NULL;
    size_t n = 0;
    pm_adjacency *a = calloc(1, sizeof(*a));
    *out = NULL;
    if (!a)
        return pm_err(ctx, PM_ENOMEM, "out of memory", opts->layer, "adjacency");
    if (!(opts->tolerance_m >= 0)) {
        rc = pm_err(ctx, PM_EUSAGE, "bad tolerance", "--tolerance-m", "must be >= 0");
        goto done;
    }
    a->tolerance_m = opts->tolerance_m;
    if (opts->progress)
        opts->progress(0.0, "adjacency: pairs", opts->progress_user);
    if ((rc = pm_store_pairs(&rows, &n, ctx, st, opts->layer, opts->tolerance_m,
                             opts->write_table)))
        goto done;
    a->pairs = calloc(n ? n : 1, sizeof(*a->pairs));
    a->corner = calloc(n ? n : 1, sizeof(*a->corner));
    if (!a->pairs || !a->corner) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", opts->layer, "adjacency");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        pm_relation rel = classify(&rows[i], opts->tolerance_m);
        pm_adjacency_pair *p =
            rel == PM_REL_CORNER ? &a->corner[a->ncorner++] : &a->pairs[a->npairs++];
        p->a_fid = rows[i].a_fid;
        p->b_fid = rows[i].b_fid;
        p->relation = rel;
        p->shared_m = rows[i].shared_m;
        p->overlap_m2 = rows[i].overlap_m2;
        p->distance_m = rows[i].distance_m;
        /* Names and the shared line move over rather than being copied. */
        p->a_name = rows[i].a_name;
        p->b_name = rows[i].b_name;
        p->shared = rows[i].shared;
        rows[i].a_name = rows[i].b_name = NULL;
        rows[i].shared = NULL;
    }
    if (opts->progress)
        opts->progress(0.8, "adjacency: table", opts->progress_user);
    if (opts->write_table && (rc = write_table(ctx, st, a, opts->layer)))
        goto done;
    *out = a;
    a = NULL;
done:
    pm_pair_rows_free(rows, n);
    pm_adjacency_free(a);
    return rc;
}
