/* Topology QA: what in the map disagrees with a clean partition of land. */
#include "parkmap/analysis.h"

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
    q->nissues++;
    if (!i->kind || !i->parks || !i->fids || !i->detail)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "qa", "issues");
    return 0;
}

static double area_of(const pm_area_row *rows, size_t n, int64_t fid)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].fid == fid)
            return rows[i].ellipsoidal_m2;
    return NAN;
}

static int write_table(pm_ctx *ctx, pm_store *st, const pm_qa *q, const char *layer)
{
    static const char *const names[] = {"kind", "parks", "fids", "measure", "unit", "detail"};
    static const pm_field_type types[] = {PM_FIELD_TEXT, PM_FIELD_TEXT, PM_FIELD_TEXT,
                                          PM_FIELD_REAL, PM_FIELD_TEXT, PM_FIELD_TEXT};
    pm_schema schema = {0};
    pm_feature *fs = calloc(q->nissues ? q->nissues : 1, sizeof(*fs));
    int rc = 0;
    if (!fs)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "qa_issues", "table");
    for (size_t i = 0; i < 6 && !rc; i++)
        rc = pm_schema_add(&schema, ctx, names[i], types[i]);
    for (size_t k = 0; k < q->nissues && !rc; k++) {
        const pm_qa_issue *is = &q->issues[k];
        pm_feature *f = &fs[k];
        f->fid = (int64_t)k;
        f->nvalues = 6;
        f->values = calloc(6, sizeof(pm_value));
        if (!f->values) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", "qa_issues", "table");
            break;
        }
        const char *texts[] = {is->kind, is->parks, is->fids, NULL, is->unit, is->detail};
        for (int c = 0; c < 6; c++) {
            f->values[c].type = types[c];
            if (c == 3)
                f->values[c].d = is->measure;
            else if (!(f->values[c].s = strdup(texts[c])))
                rc = pm_err(ctx, PM_ENOMEM, "out of memory", "qa_issues", "table");
        }
        if (!rc && is->geom)
            rc = pm_geom_clone(&f->geom, ctx, is->geom);
    }
    if (!rc)
        rc = pm_store_write_layer(st, ctx, "qa_issues", &schema, PM_GEOM_POLYGON, q->srid, fs,
                                  q->nissues, layer);
    for (size_t i = 0; i < q->nissues; i++)
        pm_feature_clear(&fs[i]);
    free(fs);
    pm_schema_clear(&schema);
    return rc;
}

int pm_analysis_qa(pm_qa **out, pm_ctx *ctx, pm_store *st, const pm_qa_opts *o)
{
    int rc = 0;
    pm_qa *q = calloc(1, sizeof(*q));
    pm_area_row *areas = NULL;
    pm_invalid_row *inv = NULL;
    pm_part_row *parts = NULL;
    pm_pair_area_row *ovl = NULL, *gaps = NULL, *outs = NULL;
    size_t na = 0, ninv = 0, nparts = 0, novl = 0, ngaps = 0, nouts = 0;
    char names[1200], fids[64];
    *out = NULL;
    if (!q)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "qa", "report");
    if (!(o->gap_m >= 0) || !(o->min_part_m2 >= 0)) {
        rc = pm_err(ctx, PM_EUSAGE, "bad QA options", "qa", "--gap-m and --min-part-m2 must be >= 0");
        goto done;
    }
    if (o->make_valid) {
        /* Repairs are findings too: the data changed, and the planner must
         * know which parks and why. Repaired ones are notes, not failures. */
        pm_invalid_row *fixed = NULL;
        size_t nfixed = 0;
        phase(o->progress, o->progress_user, 0.05, "qa: repair");
        if ((rc = pm_store_make_valid(&fixed, &nfixed, ctx, st, o->layer)))
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
        (rc = pm_store_area_rows(&areas, &na, ctx, st, o->layer, NULL)) ||
        (rc = pm_store_invalid(&inv, &ninv, ctx, st, o->layer)))
        goto done;
    for (size_t i = 0; i < ninv; i++) {
        snprintf(fids, sizeof fids, "%lld", (long long)inv[i].fid);
        pm_geom *g = inv[i].where;
        inv[i].where = NULL;
        if ((rc = add(q, ctx, "invalid_geometry", inv[i].name, fids, 0, "m2", g,
                      "%s is not a valid polygon: %s", inv[i].name, inv[i].reason)))
            goto done;
    }
    /* GEOS overlays on invalid input give unreliable answers; stop at the
     * validity report until the geometries are repaired. */
    if (ninv == 0) {
        phase(o->progress, o->progress_user, 0.3, "qa: overlaps");
        if ((rc = pm_store_overlaps(&ovl, &novl, ctx, st, o->layer)))
            goto done;
        phase(o->progress, o->progress_user, 0.5, "qa: gaps");
        if ((rc = pm_store_gaps(&gaps, &ngaps, ctx, st, o->layer, o->gap_m)))
            goto done;
        phase(o->progress, o->progress_user, 0.7, "qa: parts");
        if ((rc = pm_store_small_parts(&parts, &nparts, ctx, st, o->layer, o->min_part_m2)))
            goto done;
        if (o->within &&
            (rc = pm_store_outside(&outs, &nouts, ctx, st, o->layer, o->within, o->outside_min_m2)))
            goto done;
    }
    for (size_t i = 0; i < novl; i++) {
        const pm_pair_area_row *r = &ovl[i];
        if (r->area_m2 < 1.0) /* rounding, see adjacency.c */
            continue;
        double aa = area_of(areas, na, r->a_fid), ba = area_of(areas, na, r->b_fid);
        int dup = r->area_m2 >= PM_DUPLICATE_SHARE * aa && r->area_m2 >= PM_DUPLICATE_SHARE * ba;
        snprintf(names, sizeof names, "%s | %s", r->a_name, r->b_name);
        snprintf(fids, sizeof fids, "%lld,%lld", (long long)r->a_fid, (long long)r->b_fid);
        pm_geom *g = ovl[i].geom;
        ovl[i].geom = NULL;
        if (dup)
            rc = add(q, ctx, "duplicate", names, fids, r->area_m2, "m2", g,
                     "%s and %s are the same park twice (%.0f m² in common)", r->a_name,
                     r->b_name, r->area_m2);
        else
            rc = add(q, ctx, "overlap", names, fids, r->area_m2, "m2", g,
                     "%s and %s overlap by %.0f m² (%.4f km²)", r->a_name, r->b_name, r->area_m2,
                     r->area_m2 / 1e6);
        if (rc)
            goto done;
    }
    for (size_t i = 0; i < ngaps; i++) {
        const pm_pair_area_row *r = &gaps[i];
        snprintf(names, sizeof names, "%s | %s", r->a_name, r->b_name);
        snprintf(fids, sizeof fids, "%lld,%lld", (long long)r->a_fid, (long long)r->b_fid);
        pm_geom *g = gaps[i].geom;
        gaps[i].geom = NULL;
        if ((rc = add(q, ctx, "gap", names, fids, r->distance_m, "m", g,
                      "%s and %s are %.2f m apart: a sliver narrower than %.2f m (%.0f m² "
                      "within it)",
                      r->a_name, r->b_name, r->distance_m, o->gap_m, r->area_m2)))
            goto done;
    }
    for (size_t i = 0; i < nparts; i++) {
        snprintf(fids, sizeof fids, "%lld", (long long)parts[i].fid);
        pm_geom *g = parts[i].geom;
        parts[i].geom = NULL;
        if ((rc = add(q, ctx, "small_part", parts[i].name, fids, parts[i].ellipsoidal_m2, "m2", g,
                      "part %d of %s is only %.1f m² (threshold %.0f m²)", parts[i].part,
                      parts[i].name, parts[i].ellipsoidal_m2, o->min_part_m2)))
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
    pm_area_rows_free(areas, na);
    pm_invalid_rows_free(inv, ninv);
    pm_part_rows_free(parts, nparts);
    pm_pair_area_rows_free(ovl, novl);
    pm_pair_area_rows_free(gaps, ngaps);
    pm_pair_area_rows_free(outs, nouts);
    pm_qa_free(q);
    return rc;
}
