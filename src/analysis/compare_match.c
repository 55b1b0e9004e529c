/* Compare: reading the two layouts and matching their parks by key. */
#include "compare_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cmp_side_clear(cmp_side *s)
{
    for (size_t i = 0; s->p && i < s->n; i++) {
        free(s->p[i].key);
        free(s->p[i].name);
        free(s->p[i].industry);
        pm_geom_free(s->p[i].geom);
    }
    free(s->p);
    free(s->by_key);
    s->p = NULL;
    s->by_key = NULL;
    s->n = 0;
}

/* Which of the fields a layer has: a cursor reads only the named columns
 * that exist. */
int cmp_has_field(int *out, pm_ctx *ctx, pm_store *st, const char *layer, const char *field)
{
    pm_cursor *cur = NULL;
    const char *fields[] = {field};
    int rc = pm_store_cursor_open_fields(&cur, ctx, st, layer, fields, 1);
    *out = !rc && pm_schema_find(pm_cursor_schema(cur), field) >= 0;
    pm_cursor_free(cur);
    return rc;
}

int cmp_side_open(cmp_side *s, pm_ctx *ctx, pm_store *st, const char *layer)
{
    memset(s, 0, sizeof *s);
    s->st = st;
    s->db = pm_store_path(st);
    int rc;
    if ((rc = pm_store_layer_need_polygons(ctx, st, layer, "compare")) ||
        (rc = pm_store_layer_srid(&s->srid, ctx, st, layer)) ||
        (rc = cmp_has_field(&s->has_id, ctx, st, layer, "id")))
        return rc;
    return 0;
}

size_t cmp_side_fid(const cmp_side *s, int64_t fid)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->p[mid].fid < fid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->p[lo].fid == fid ? lo : (size_t)-1;
}

size_t cmp_side_find(const cmp_side *s, const char *key)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(s->p[s->by_key[mid]].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && strcmp(s->p[s->by_key[lo]].key, key) == 0 ? s->by_key[lo] : (size_t)-1;
}

/* A value as the text keys are compared by: integers exactly, reals with
 * every digit that tells two doubles apart. NULL for a null value. */
static char *value_text(const pm_value *v)
{
    char buf[64];
    if (v->is_null)
        return NULL;
    if (v->type == PM_FIELD_TEXT)
        return strdup(v->s ? v->s : "");
    if (v->type == PM_FIELD_INTEGER)
        snprintf(buf, sizeof buf, "%" PRId64, v->i);
    else if (v->d == floor(v->d) && fabs(v->d) < 1e15)
        snprintf(buf, sizeof buf, "%.0f", v->d); /* 7.0 and 7 are one id */
    else
        snprintf(buf, sizeof buf, "%.17g", v->d);
    return strdup(buf);
}

typedef struct {
    const char *key;
    size_t i;
} key_index;

static int by_key(const void *x, const void *y)
{
    const key_index *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->i > b->i) - (a->i < b->i);
}

/* The parks in key order; a key given twice cannot be matched. */
static int sort_keys(cmp_side *s, pm_ctx *ctx, const char *layer, const char *key)
{
    key_index *k = malloc((s->n ? s->n : 1) * sizeof *k);
    if (!k || !(s->by_key = malloc((s->n ? s->n : 1) * sizeof *s->by_key))) {
        free(k);
        return pm_err(ctx, PM_ENOMEM, "out of memory", s->db, "compare: keys");
    }
    for (size_t i = 0; i < s->n; i++)
        k[i] = (key_index){s->p[i].key, i};
    qsort(k, s->n, sizeof *k, by_key);
    for (size_t i = 0; i < s->n; i++)
        s->by_key[i] = k[i].i;
    free(k);
    for (size_t i = 1; i < s->n; i++) {
        const cmp_park *p = &s->p[s->by_key[i - 1]], *q = &s->p[s->by_key[i]];
        if (strcmp(p->key, q->key) == 0)
            return pm_err(ctx, PM_EINPUT, "duplicate key", s->db,
                          "layer %s: %s '%s' names parks #%" PRId64 " and #%" PRId64
                          ", so they cannot be matched; compare --key another field",
                          layer, key, p->key, p->fid, q->fid);
    }
    return 0;
}

int cmp_side_read(cmp_side *s, pm_ctx *ctx, const char *layer, const char *key)
{
    pm_area_row *rows = NULL;
    pm_cursor *cur = NULL;
    pm_feature f = {0};
    size_t nrows = 0;
    int by_name = strcmp(key, "name") == 0, got = 0;
    const char *fields[] = {"industry", key};
    int rc = pm_analysis_area_rows(&rows, &nrows, ctx, s->st, layer, NULL);
    if (rc)
        return rc;
    if (!(s->p = calloc(nrows ? nrows : 1, sizeof *s->p))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", s->db, "compare: parks");
        goto done;
    }
    s->n = nrows;
    for (size_t i = 0; i < nrows; i++) {
        cmp_park *p = &s->p[i];
        p->fid = rows[i].fid;
        p->name = rows[i].name;
        rows[i].name = NULL;
        p->planned_km2 = rows[i].planned_km2;
        p->area_m2 = rows[i].ellipsoidal_m2;
        p->match = p->park = (size_t)-1;
        /* A layer without a name field names its parks "#fid": matched by
         * name, such parks match by position in the source. */
        if (by_name && !(p->key = strdup(p->name))) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", s->db, "compare: parks");
            goto done;
        }
    }
    if ((rc = pm_store_cursor_open_fields(&cur, ctx, s->st, layer, fields, by_name ? 1 : 2)))
        goto done;
    const pm_schema *sc = pm_cursor_schema(cur);
    int ki = by_name ? -1 : pm_schema_find(sc, key), ii = pm_schema_find(sc, "industry");
    if (!by_name && ki < 0) {
        rc = pm_err(ctx, PM_EUSAGE, "no such field", s->db,
                    "layer %s has no field '%s' to match by", layer, key);
        goto done;
    }
    while ((got = pm_cursor_next(&f, ctx, cur)) == 1) {
        size_t i = cmp_side_fid(s, f.fid);
        if (i != (size_t)-1 && !s->p[i].geom) {
            cmp_park *p = &s->p[i];
            p->geom = f.geom;
            f.geom = NULL;
            if (ii >= 0 && !f.values[ii].is_null && !(p->industry = value_text(&f.values[ii])))
                got = pm_err(ctx, PM_ENOMEM, "out of memory", s->db, "compare: parks");
            if (ki >= 0 && !(p->key = value_text(&f.values[ki])) && !f.values[ki].is_null)
                got = pm_err(ctx, PM_ENOMEM, "out of memory", s->db, "compare: parks");
        }
        pm_feature_clear(&f);
        if (got < 0)
            break;
    }
    if ((rc = got) < 0)
        goto done;
    for (size_t i = 0; i < s->n; i++)
        if (!s->p[i].key || !s->p[i].geom) {
            rc =
                pm_err(ctx, PM_EINPUT, s->p[i].key ? "park without geometry" : "park without a key",
                       s->db, "layer %s: park #%" PRId64 " (%s) has no %s, so it cannot be matched",
                       layer, s->p[i].fid, s->p[i].name, s->p[i].key ? "geometry" : key);
            goto done;
        }
    rc = sort_keys(s, ctx, layer, key);
done:
    pm_cursor_free(cur);
    pm_area_rows_free(rows, nrows);
    return rc;
}

static int fill_park(pm_compare_park *cp, const cmp_park *a, const cmp_park *b)
{
    const cmp_park *now = b ? b : a;
    memset(cp, 0, sizeof *cp);
    cp->status = !a ? PM_CMP_ADDED : !b ? PM_CMP_REMOVED : PM_CMP_UNCHANGED;
    cp->fid_before = a ? a->fid : -1;
    cp->fid_after = b ? b->fid : -1;
    cp->before = cp->after = (size_t)-1;
    cp->area_before_m2 = a ? a->area_m2 : NAN;
    cp->area_after_m2 = b ? b->area_m2 : NAN;
    cp->change_km2 = cp->change_pct = cp->hausdorff_m = NAN;
    cp->planned_before_km2 = a ? a->planned_km2 : NAN;
    cp->planned_after_km2 = b ? b->planned_km2 : NAN;
    cp->key = strdup(now->key);
    cp->name = strdup(now->name);
    cp->what = strdup("");
    cp->industry_before = a && a->industry ? strdup(a->industry) : NULL;
    cp->industry_after = b && b->industry ? strdup(b->industry) : NULL;
    return cp->key && cp->name && cp->what && (!a || !a->industry || cp->industry_before) &&
           (!b || !b->industry || cp->industry_after);
}

int cmp_match(pm_compare *c, pm_ctx *ctx, cmp_side *a, cmp_side *b)
{
    size_t n = a->n;
    for (size_t i = 0; i < a->n; i++) {
        size_t j = cmp_side_find(b, a->p[i].key);
        a->p[i].match = j;
        if (j != (size_t)-1)
            b->p[j].match = i;
    }
    for (size_t j = 0; j < b->n; j++)
        n += b->p[j].match == (size_t)-1;
    if (!(c->parks = calloc(n ? n : 1, sizeof *c->parks)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", "compare", "parks");
    /* A's parks in fid order, then the parks B adds in its fid order. */
    for (size_t i = 0; i < a->n; i++) {
        size_t j = a->p[i].match;
        a->p[i].park = c->nparks;
        if (j != (size_t)-1)
            b->p[j].park = c->nparks;
        if (!fill_park(&c->parks[c->nparks++], &a->p[i], j != (size_t)-1 ? &b->p[j] : NULL))
            return pm_err(ctx, PM_ENOMEM, "out of memory", "compare", "parks");
    }
    for (size_t j = 0; j < b->n; j++) {
        if (b->p[j].match != (size_t)-1)
            continue;
        b->p[j].park = c->nparks;
        if (!fill_park(&c->parks[c->nparks++], NULL, &b->p[j]))
            return pm_err(ctx, PM_ENOMEM, "out of memory", "compare", "parks");
    }
    return 0;
}
