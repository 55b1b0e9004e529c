/* Reading the sources: each table the style draws is read once, and every
 * feature is evaluated for every layer using it (drawing group, label
 * candidate, legend class) while it is read. */
#include "render_internal.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int same_group(const pm_rgroup *a, const pm_rgroup *b)
{
    return memcmp(&a->c, &b->c, sizeof a->c) == 0 && memcmp(&a->oc, &b->oc, sizeof a->oc) == 0 &&
           a->op == b->op && a->w == b->w && a->aa == b->aa && a->outline == b->outline &&
           strcmp(a->pattern, b->pattern) == 0;
}

/* Can a fill or line layer draw the feature's geometry at all? */
static int drawable(const pm_scene *sc, size_t li, const pm_feature *f)
{
    if (!f->geom || f->geom->nparts == 0)
        return 0;
    /* a line has no inside to fill */
    return pm_style_layer_type(sc->style, li) != PM_LAYER_FILL || f->geom->kind == PM_GEOM_POLYGON;
}

/* A fill or line layer: which group a drawable feature is drawn in (-1:
 * none), from its attributes alone. */
static int feature_group(pm_scene *sc, size_t li, const pm_feature *f, const pm_schema *sch,
                         int32_t *out)
{
    const pm_style *st = sc->style;
    pm_rlayer *rl = &sc->rlayer[li];
    pm_layer_type type = pm_style_layer_type(st, li);
    double pt = sc->px_per_pt;
    int keep = 0, rc;
    pm_rgroup g;
    memset(&g, 0, sizeof g);
    *out = -1;
    if ((rc = pm_style_eval_filter(&keep, sc->ctx, st, li, f, sch)) || !keep)
        return rc;
    if (type == PM_LAYER_FILL) {
        char *pat = NULL;
        g.aa = 1;
        g.w = 0.75 * pt;
        g.outline = pm_style_layer_has(st, li, "fill-outline-color");
        if ((rc = pm_style_eval_color(&g.c, sc->ctx, st, li, "fill-color", f, sch)) ||
            (rc = pm_style_eval_number(&g.op, sc->ctx, st, li, "fill-opacity", f, sch)) ||
            (g.outline &&
             (rc = pm_style_eval_color(&g.oc, sc->ctx, st, li, "fill-outline-color", f, sch))) ||
            (pm_style_layer_has(st, li, "fill-antialias") &&
             (rc = pm_style_eval_bool(&g.aa, sc->ctx, st, li, "fill-antialias", f, sch))) ||
            (pm_style_layer_has(st, li, "fill-pattern") &&
             (rc = pm_style_eval_string(&pat, sc->ctx, st, li, "fill-pattern", f, sch))))
            return rc;
        if (pat)
            snprintf(g.pattern, sizeof g.pattern, "%s", pat);
        free(pat);
    } else {
        double w;
        if ((rc = pm_style_eval_color(&g.c, sc->ctx, st, li, "line-color", f, sch)) ||
            (rc = pm_style_eval_number(&w, sc->ctx, st, li, "line-width", f, sch)) ||
            (rc = pm_style_eval_number(&g.op, sc->ctx, st, li, "line-opacity", f, sch)))
            return rc;
        g.w = w * pt;
        if (g.w <= 0)
            return 0;
    }
    size_t k = rl->ng;
    if (k > 0 && same_group(&rl->gs[k - 1], &g))
        k--;
    else
        for (size_t j = 0; j < rl->ng; j++)
            if (same_group(&rl->gs[j], &g)) {
                k = j;
                break;
            }
    if (k == rl->ng) {
        if (rl->ng >= INT32_MAX ||
            pm_grow_array((void **)&rl->gs, &rl->cap, rl->ng + 1, sizeof *rl->gs))
            return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "layer");
        rl->gs[rl->ng++] = g;
    }
    *out = (int32_t)k;
    return 0;
}
/* Characters a label keeps; longer text is cut and ends in "…". Pango
 * measures in ints of 1/1024 px: a 400,000-character label overflowed
 * them, came out with a tiny box and escaped the collision checks. At the
 * largest text-size (1000 px) this keeps every width far inside an int. */
#define PM_LABEL_MAX_CHARS 500

static int cap_label(pm_scene *sc, char **text)
{
    if (!g_utf8_validate(*text, -1, NULL) || g_utf8_strlen(*text, -1) <= PM_LABEL_MAX_CHARS)
        return 0;
    const char *end = g_utf8_offset_to_pointer(*text, PM_LABEL_MAX_CHARS - 1);
    size_t n = (size_t)(end - *text);
    char *cut = malloc(n + sizeof "\u2026");
    if (!cut)
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "labels");
    memcpy(cut, *text, n);
    memcpy(cut + n, "\u2026", sizeof "\u2026");
    free(*text);
    *text = cut;
    return 0;
}

/* A symbol layer: the feature's label, if it has one to place. */
static int feature_label(pm_scene *sc, size_t li, const pm_feature *f, const pm_schema *sch,
                         size_t feat)
{
    const pm_style *st = sc->style;
    int keep, rc;
    if ((rc = pm_style_eval_filter(&keep, sc->ctx, st, li, f, sch)))
        return rc;
    if (!keep || !f->geom || f->geom->nparts == 0)
        return 0;
    pm_rcand c = {li, feat, 0, 0, NULL, 0, 0, {0, 0, 0, 1}, {0, 0, 0, 0}, 0};
    for (size_t p = 0; p < f->geom->nparts; p++)
        c.area += f->geom->kind == PM_GEOM_LINE ? pm_path_length(&f->geom->parts[p], NULL, NULL)
                                                : pm_part_area(&f->geom->parts[p]);
    if (pm_style_layer_has(st, li, "symbol-sort-key") &&
        (rc = pm_style_eval_number(&c.key, sc->ctx, st, li, "symbol-sort-key", f, sch)))
        return rc;
    if ((rc = pm_style_eval_string(&c.text, sc->ctx, st, li, "text-field", f, sch)))
        return rc;
    if (!*c.text) { /* nothing to write */
        free(c.text);
        return 0;
    }
    if ((rc = cap_label(sc, &c.text))) {
        free(c.text);
        return rc;
    }
    if ((rc = pm_style_eval_number(&c.size_pt, sc->ctx, st, li, "text-size", f, sch)) ||
        (rc = pm_style_eval_number(&c.halo_pt, sc->ctx, st, li, "text-halo-width", f, sch)) ||
        (rc = pm_style_eval_color(&c.color, sc->ctx, st, li, "text-color", f, sch)) ||
        (rc = pm_style_eval_color(&c.halo, sc->ctx, st, li, "text-halo-color", f, sch)) ||
        (pm_grow_array((void **)&sc->cand, &sc->capcand, sc->ncand + 1, sizeof *sc->cand) &&
         (rc = pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "labels")))) {
        free(c.text);
        return rc;
    }
    sc->cand[sc->ncand++] = c;
    return 0;
}

/* Read source k once, evaluating each feature for every layer using it. */
static int read_source(pm_scene *sc, pm_store *st, size_t k)
{
    pm_rsource *s = &sc->src[k];
    pm_cursor *cur = NULL;
    pm_feature f;
    size_t nfields = 0, nl = pm_style_nlayers(sc->style);
    char **fields = NULL;
    pm_memo m;
    int rc;
    memset(&f, 0, sizeof f);
    memset(&m, 0, sizeof m);
    s->bbox[0] = s->bbox[1] = DBL_MAX;
    s->bbox[2] = s->bbox[3] = -DBL_MAX;
    /* Only the attributes the style reads: the rest would be read, copied
     * and freed for nothing (a third of the time on 100k parcels). */
    if ((rc = pm_style_source_fields(&fields, &nfields, sc->ctx, sc->style, s->name)) ||
        (rc = pm_store_cursor_open_fields(&cur, sc->ctx, st, s->name, (const char *const *)fields,
                                          nfields)))
        goto done;
    const pm_schema *sch = pm_cursor_schema(cur);
    pm_memo_init(&m, s->ncol + sc->nleg);
    for (;;) {
        int r = pm_cursor_next(&f, sc->ctx, cur);
        if (r <= 0) {
            rc = r;
            break;
        }
        if ((rc = pm_rsource_pack(s, sc->ctx, f.geom)))
            goto done;
        size_t i = s->n - 1;
        /* A large source takes a while to read: Ctrl-C must not wait. */
        if (i % PM_RENDER_TICK_EVERY == 0 &&
            (rc = pm_render_tick(sc->ctx, sc->opts, 0.1, "render: reading")))
            goto done;
        int32_t *mo = pm_memo_find(&m, &f);
        for (size_t li = 0; li < nl; li++) {
            if (sc->layer_src[li] != (int)k)
                continue;
            if (pm_style_layer_type(sc->style, li) == PM_LAYER_SYMBOL) {
                if ((rc = feature_label(sc, li, &f, sch, i)))
                    goto done;
                continue;
            }
            if (!sc->drawing)
                continue;
            size_t col = sc->rlayer[li].col;
            int32_t *out = &s->gof[i * s->ncol + col];
            *out = -1;
            if (!drawable(sc, li, &f))
                continue;
            if (mo && mo[col] != -2)
                *out = mo[col];
            else if ((rc = feature_group(sc, li, &f, sch, out)))
                goto done;
            else if (mo)
                mo[col] = *out;
        }
        for (size_t j = 0; j < sc->nleg; j++) {
            pm_rlegend *lg = &sc->leg[j];
            int32_t c, *mc = mo ? &mo[s->ncol + j] : NULL;
            if (lg->n == 0 || sc->layer_src[lg->layer] != (int)k)
                continue;
            if (mc && *mc != -2) {
                if (*mc >= 0)
                    lg->count[*mc]++;
            } else if ((rc = pm_legend_count(sc, lg, &f, sch, &c))) {
                goto done;
            } else if (mc) {
                *mc = c;
            }
        }
        pm_feature_clear(&f);
    }
done:
    pm_memo_free(&m);
    pm_feature_clear(&f);
    for (size_t i = 0; i < nfields; i++)
        free(fields[i]);
    free(fields);
    pm_cursor_free(cur);
    return rc;
}
/* Which tables the style's layers draw (each named once), then each read
 * once. */
int pm_sources_load(pm_scene *sc, pm_store *st)
{
    size_t nl = pm_style_nlayers(sc->style);
    int rc = 0;
    sc->layer_src = malloc((nl ? nl : 1) * sizeof(int));
    sc->src = calloc(nl ? nl : 1, sizeof(pm_rsource));
    sc->rlayer = calloc(nl ? nl : 1, sizeof(pm_rlayer));
    if (!sc->layer_src || !sc->src || !sc->rlayer)
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "sources");
    for (size_t i = 0; i < nl; i++) {
        const char *name = pm_style_layer_source(sc->style, i);
        sc->layer_src[i] = -1;
        if (!pm_style_layer_visible(sc->style, i))
            continue;
        for (size_t k = 0; k < sc->nsrc; k++)
            if (strcmp(sc->src[k].name, name) == 0)
                sc->layer_src[i] = (int)k;
        if (sc->layer_src[i] < 0) {
            int has = pm_store_has_layer(sc->ctx, st, name);
            if (has < 0)
                return has;
            if (!has) {
                /* A style serves many databases; one without, say, the
                 * district outline still gets its parks drawn. */
                pm_warn(sc->ctx, "style layer '%s': no table '%s' in %s; not drawn",
                        pm_style_layer_id(sc->style, i), name, pm_store_path(st));
                continue;
            }
            pm_rsource *s = &sc->src[sc->nsrc];
            if (!(s->name = strdup(name)))
                return pm_err(sc->ctx, PM_ENOMEM, "out of memory", name, "render");
            sc->nsrc++;
            if ((rc = pm_store_layer_srid(&s->srid, sc->ctx, st, name)))
                return rc;
            sc->layer_src[i] = (int)sc->nsrc - 1;
        }
        if (pm_style_layer_type(sc->style, i) != PM_LAYER_SYMBOL)
            sc->rlayer[i].col = sc->src[sc->layer_src[i]].ncol++;
    }
    if (sc->nsrc == 0)
        return pm_err(sc->ctx, PM_EUSAGE, "nothing to draw", pm_store_path(st),
                      "none of the style's sources is a table in the database");
    /* Legend rows are counted while the sources are read. */
    if ((rc = pm_legend_begin(sc)))
        return rc;
    for (size_t k = 0; k < sc->nsrc; k++)
        if ((rc = read_source(sc, st, k)))
            return rc;
    for (size_t k = 1; k < sc->nsrc; k++)
        if (sc->src[k].srid != sc->src[0].srid)
            return pm_err(sc->ctx, PM_EINPUT, "layers are in different CRSs", sc->src[k].name,
                          "EPSG:%d vs EPSG:%d (%s)", sc->src[k].srid, sc->src[0].srid,
                          sc->src[0].name);
    sc->info->srid = sc->src[0].srid;
    return 0;
}
