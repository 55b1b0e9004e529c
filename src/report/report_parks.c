/* The parks in the page: one row per feature of the layer in stored order
 * (attributes, then the check's and layout's measures), its colour from
 * the style, and its geometry for the map. */
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Of a large layer only these attributes go into the page (plus those the
 * style's colours read): fifty columns of 100,000 parcels would not. */
static const char *const well_known[] = {"name",        "name_zh", "industry",   "planned_area_km2",
                                         "enterprises", "status",  "area_source"};

/* The planned area is the planned_area_km2 attribute and the difference
 * is worked out by the page: neither is repeated here. */
static const char *const measure_cols[] = {"measured_km2",  "planar_km2", "perimeter_m",
                                           "polsby_popper", "hull_ratio", "nearest_same_m",
                                           "cluster"};

/* Distinct values of a text column a large layer writes as numbers into a
 * list (industry, status: a handful of values over 100,000 rows). */
#define DICT_MAX 64

typedef struct {
    size_t n;
    char *v[DICT_MAX];
} dict;

#define PALETTE_MAX 256

typedef struct {
    int layer; /* the style's fill layer drawing the parks, or -1 */
    size_t n;
    char hex[PALETTE_MAX][8];
} palette;

typedef struct {
    int64_t fid;
    size_t i;
} fid_ix;

static int cmp_fid(const void *a, const void *b)
{
    const fid_ix *x = a, *y = b;
    return x->fid < y->fid ? -1 : x->fid > y->fid;
}

/* A fid -> index table, sorted for bsearch. */
static fid_ix *fid_index(const void *base, size_t n, size_t stride, size_t off)
{
    fid_ix *t = malloc((n ? n : 1) * sizeof *t);
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        memcpy(&t[i].fid, (const char *)base + i * stride + off, sizeof(int64_t));
        t[i].i = i;
    }
    qsort(t, n, sizeof *t, cmp_fid);
    return t;
}

static long fid_find(const fid_ix *t, size_t n, int64_t fid)
{
    fid_ix key = {fid, 0};
    const fid_ix *hit = t ? bsearch(&key, t, n, sizeof *t, cmp_fid) : NULL;
    return hit ? (long)hit->i : -1;
}

long rp_parks_row(const rp_parks *p, int64_t fid)
{
    /* fids are stored in source order, which is usually ascending: try the
     * obvious place first */
    if (fid >= 1 && (size_t)fid <= p->n && p->fid[fid - 1] == fid)
        return (long)(fid - 1);
    for (size_t i = 0; i < p->n; i++)
        if (p->fid[i] == fid)
            return (long)i;
    return -1;
}

void rp_parks_clear(rp_parks *p)
{
    free(p->fid);
    memset(p, 0, sizeof *p);
}

static int style_layer(const pm_style *s, const char *layer)
{
    if (!s)
        return -1;
    for (size_t i = 0; i < pm_style_nlayers(s); i++)
        if (pm_style_layer_type(s, i) == PM_LAYER_FILL && pm_style_layer_visible(s, i) &&
            strcmp(pm_style_layer_source(s, i), layer) == 0)
            return (int)i;
    return -1;
}

static void hex_of(char out[8], pm_color c)
{
    snprintf(out, 8, "#%02x%02x%02x", (unsigned)lround(fmin(fmax(c.r, 0), 1) * 255),
             (unsigned)lround(fmin(fmax(c.g, 0), 1) * 255),
             (unsigned)lround(fmin(fmax(c.b, 0), 1) * 255));
}

/* The palette index of a feature's fill colour (0: the page's default). */
static int colour_of(int *out, palette *pal, pm_ctx *ctx, const pm_style *s, const pm_feature *f,
                     const pm_schema *sch)
{
    int keep = 0, rc;
    pm_color c;
    char hex[8];
    *out = 0;
    if (pal->layer < 0)
        return 0;
    if ((rc = pm_style_eval_filter(&keep, ctx, s, (size_t)pal->layer, f, sch)) || !keep)
        return rc;
    if ((rc = pm_style_eval_color(&c, ctx, s, (size_t)pal->layer, "fill-color", f, sch)))
        return rc;
    hex_of(hex, c);
    for (size_t i = 0; i < pal->n; i++)
        if (strcmp(pal->hex[i], hex) == 0) {
            *out = (int)i;
            return 0;
        }
    if (pal->n == PALETTE_MAX) /* a continuous ramp: the rest share the default */
        return 0;
    memcpy(pal->hex[pal->n], hex, 8);
    *out = (int)pal->n++;
    return 0;
}

/* A row's measure: 6 significant digits, a metre in 100 km and far below
 * what the tables show, a third of the bytes of 100,000 full figures. */
static void measure_out(sbuf *b, double v)
{
    if (!isfinite(v))
        sb_puts(b, ",null");
    else
        sb_printf(b, ",%.6g", v);
}

/* A text value as its index in d (added when new), or -1 when d is full. */
static int dict_code(dict *d, const char *s)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->v[i], s) == 0)
            return (int)i;
    if (d->n == DICT_MAX || !(d->v[d->n] = strdup(s)))
        return -1;
    return (int)d->n++;
}

static void value_out(sbuf *b, const pm_value *v, dict *d)
{
    int code;
    if (!v->is_null && v->type == PM_FIELD_TEXT && d && (code = dict_code(d, v->s)) >= 0)
        sb_printf(b, "%d", code);
    else if (v->is_null)
        sb_puts(b, "null");
    else if (v->type == PM_FIELD_INTEGER)
        sb_printf(b, "%lld", (long long)v->i);
    else if (v->type == PM_FIELD_REAL)
        rp_json_num(b, v->d);
    else
        rp_json_str(b, v->s);
}

static void legend_out(sbuf *b, pm_ctx *ctx, const pm_style *s, int layer)
{
    pm_style_class *cl = NULL;
    size_t n = 0;
    sb_puts(b, ",\"legend\":[");
    if (layer >= 0 && pm_style_classes(&cl, &n, ctx, s, (size_t)layer, "fill-color") == 0) {
        for (size_t i = 0; i < n; i++) {
            char hex[8];
            hex_of(hex, cl[i].color);
            sb_puts(b, i ? ",[" : "[");
            rp_json_str(b, cl[i].label);
            sb_printf(b, ",\"%s\"]", hex);
        }
    }
    pm_err_clear(ctx); /* a legend the style cannot give is no failure */
    pm_style_classes_free(cl, n);
    sb_add(b, "]", 1);
}

/* The fields to read: every one of a small layer (NULL), else the well
 * known ones and what the style reads. */
static int field_list(char ***out, size_t *out_n, pm_ctx *ctx, const pm_style *s, const char *layer)
{
    char **sf = NULL, **f;
    size_t ns = 0, n = 0;
    int rc;
    if (s && (rc = pm_style_source_fields(&sf, &ns, ctx, s, layer)))
        return rc;
    size_t nw = sizeof well_known / sizeof *well_known;
    if (!(f = calloc(nw + ns, sizeof *f))) {
        pm_strv_free(sf, ns);
        return pm_err(ctx, PM_ENOMEM, "out of memory", "report", "fields");
    }
    for (size_t i = 0; i < nw; i++)
        f[n++] = strdup(well_known[i]);
    for (size_t i = 0; i < ns; i++) {
        int dup = 0;
        for (size_t k = 0; k < n; k++)
            dup |= f[k] && strcmp(f[k], sf[i]) == 0;
        if (!dup)
            f[n++] = strdup(sf[i]);
    }
    pm_strv_free(sf, ns);
    for (size_t i = 0; i < n; i++)
        if (!f[i]) {
            pm_strv_free(f, n);
            return pm_err(ctx, PM_ENOMEM, "out of memory", "report", "fields");
        }
    *out = f, *out_n = n;
    return 0;
}

int rp_parks_write(sbuf *b, rp_parks *out, pm_ctx *ctx, pm_store *st, const pm_report_opts *o,
                   rp_grid *gr, const pm_check_report *chk, const pm_layout *lay)
{
    const pm_area_report *ar = chk->area;
    pm_cursor *cur = NULL;
    pm_feature f = {0};
    char **fields = NULL;
    size_t nfields = 0, cap = 0;
    fid_ix *by_area = NULL, *by_lay = NULL;
    palette *pal = NULL;
    dict *dicts = NULL;
    size_t ndicts = 0;
    int *colour = NULL;
    sbuf geo = {0};
    int rc = 0;
    memset(out, 0, sizeof *out);
    out->large = ar->nrows > PM_REPORT_LARGE_LAYER;
    if (!(pal = calloc(1, sizeof *pal)) ||
        !(by_area = fid_index(ar->rows, ar->nrows, sizeof *ar->rows, offsetof(pm_area_row, fid))) ||
        !(by_lay = fid_index(lay->parks, lay->nparks, sizeof *lay->parks,
                             offsetof(pm_layout_park, fid)))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "report", "parks");
        goto done;
    }
    pal->layer = style_layer(o->style, o->layer);
    memcpy(pal->hex[0], "#8da0cb", 8); /* the default: a calm blue */
    pal->n = 1;
    if (out->large && (rc = field_list(&fields, &nfields, ctx, o->style, o->layer)))
        goto done;
    if ((rc = out->large ? pm_store_cursor_open_fields(&cur, ctx, st, o->layer,
                                                       (const char *const *)fields, nfields)
                         : pm_store_cursor_open(&cur, ctx, st, o->layer)))
        goto done;
    const pm_schema *sch = pm_cursor_schema(cur);
    if (!(dicts = calloc(sch->nfields + 1, sizeof *dicts))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "report", "parks");
        goto done;
    }
    ndicts = sch->nfields;
    sb_puts(b, "\"parks\":{\"cols\":[");
    for (size_t i = 0; i < sch->nfields; i++) {
        if (i)
            sb_add(b, ",", 1);
        rp_json_str(b, sch->fields[i].name);
    }
    sb_puts(b, "],\"mcols\":[");
    for (size_t i = 0; i < sizeof measure_cols / sizeof *measure_cols; i++)
        sb_printf(b, i ? ",\"%s\"" : "\"%s\"", measure_cols[i]);
    sb_puts(b, "],\"rows\":[");
    sb_puts(&geo, ",\"geom_parks\":[");
    for (size_t n = 0;; n++) {
        int r = pm_cursor_next(&f, ctx, cur);
        if (r < 0) {
            rc = r;
            goto done;
        }
        if (r == 0)
            break;
        if (n % 5000 == 4999 &&
            (rc = rp_tick(ctx, o, 0.4 + 0.3 * n / (ar->nrows + 1.0), "report: parks")))
            goto done;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 64;
            int64_t *nf = realloc(out->fid, nc * sizeof *nf);
            if (nf)
                out->fid = nf;
            int *ncol = nf ? realloc(colour, nc * sizeof *ncol) : NULL;
            if (!ncol) {
                rc = pm_err(ctx, PM_ENOMEM, "out of memory", "report", "parks");
                goto done;
            }
            colour = ncol, cap = nc;
        }
        out->fid[n] = f.fid;
        out->n = n + 1;
        if ((rc = colour_of(&colour[n], pal, ctx, o->style, &f, sch)))
            goto done;
        sb_puts(b, n ? ",[" : "[");
        for (size_t i = 0; i < f.nvalues; i++) {
            if (i)
                sb_add(b, ",", 1);
            const char *fn = sch->fields[i].name;
            /* names stay text: the page lists and searches them */
            int coded = out->large && strcmp(fn, "name") != 0 && strcmp(fn, "name_zh") != 0;
            value_out(b, &f.values[i], coded ? &dicts[i] : NULL);
        }
        long ai = fid_find(by_area, ar->nrows, f.fid), li = fid_find(by_lay, lay->nparks, f.fid);
        const pm_area_row *a = ai >= 0 ? &ar->rows[ai] : NULL;
        const pm_layout_park *lp = li >= 0 ? &lay->parks[li] : NULL;
        /* the row is [attributes..., measures...]: with no attribute the
         * first measure opens it */
        size_t mark = b->len;
        measure_out(b, a ? a->ellipsoidal_m2 / 1e6 : NAN);
        if (!f.nvalues && !b->oom)
            b->s[mark] = ' ';
        measure_out(b, a ? a->planar_m2 / 1e6 : NAN);
        measure_out(b, lp ? lp->perimeter_m : NAN);
        measure_out(b, lp ? lp->polsby_popper : NAN);
        measure_out(b, lp ? lp->hull_ratio : NAN);
        measure_out(b, lp ? lp->nearest_same_m : NAN);
        measure_out(b, lp ? lp->cluster : NAN);
        sb_add(b, "]", 1);
        if (n)
            sb_add(&geo, ",", 1);
        if ((rc = rp_geom(&geo, gr, ctx, f.geom, NULL)))
            goto done;
        pm_feature_clear(&f);
    }
    sb_puts(b, "],\"color\":[");
    for (size_t i = 0; i < out->n; i++)
        sb_printf(b, i ? ",%d" : "%d", colour[i]);
    sb_puts(b, "],\"palette\":[");
    for (size_t i = 0; i < pal->n; i++)
        sb_printf(b, i ? ",\"%s\"" : "\"%s\"", pal->hex[i]);
    sb_puts(b, "],\"dicts\":[");
    for (size_t i = 0; i < ndicts; i++) {
        sb_puts(b, i ? ",[" : "[");
        for (size_t k = 0; k < dicts[i].n; k++) {
            if (k)
                sb_add(b, ",", 1);
            rp_json_str(b, dicts[i].v[k]);
        }
        sb_add(b, "]", 1);
    }
    sb_add(b, "]", 1);
    legend_out(b, ctx, o->style, pal->layer);
    sb_add(b, "}", 1);
    sb_add(&geo, "]", 1);
    if (geo.oom) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", "report", "parks");
        goto done;
    }
    sb_add(b, geo.s, geo.len);
done:
    pm_feature_clear(&f);
    pm_cursor_free(cur);
    pm_strv_free(fields, nfields);
    free(geo.s);
    free(colour);
    free(pal);
    for (size_t i = 0; i < ndicts; i++)
        for (size_t k = 0; k < dicts[i].n; k++)
            free(dicts[i].v[k]);
    free(dicts);
    free(by_area);
    free(by_lay);
    return rc;
}
