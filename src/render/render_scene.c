/* The scene: everything a map's drawing depends on, computed before any
 * ink goes down, so pm_render_layout can report exactly what pm_render_map
 * draws. */
#include "render_internal.h"

#include "parkmap/crs.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PM_PI 3.14159265358979323846


void pm_page_size(const pm_page *pg, const pm_render_opts *opts, int *w, int *h, double *dpi)
{
    *dpi = opts && opts->dpi > 0 ? opts->dpi : pg->dpi;
    *w = opts && opts->width_px > 0 ? opts->width_px
         : pg->width_mm > 0         ? (int)lround(pg->width_mm / 25.4 * *dpi)
                                    : pg->width_px;
    *h = opts && opts->height_px > 0 ? opts->height_px
         : pg->height_mm > 0         ? (int)lround(pg->height_mm / 25.4 * *dpi)
                                     : pg->height_px;
}

void pm_scene_to_px(const pm_scene *sc, double x, double y, double *px, double *py)
{
    const double *fr = sc->info->frame;
    *px = fr[0] + fr[2] / 2 + (x - sc->cx) * sc->scale;
    *py = fr[1] + fr[3] / 2 - (y - sc->cy) * sc->scale;
}

PangoContext *pm_pango_context(cairo_t *cr)
{
    PangoContext *pc = pango_cairo_create_context(cr);
    cairo_font_options_t *fo = cairo_font_options_create();
    if (!pc || !fo) {
        cairo_font_options_destroy(fo);
        if (pc)
            g_object_unref(pc);
        return NULL;
    }
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(pc, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_round_glyph_positions(pc, FALSE);
    return pc;
}

PangoLayout *pm_text_layout(pm_scene *sc, const char *family, double size_px, int bold,
                            const char *text)
{
    PangoLayout *l = pango_layout_new(sc->pango);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, family ? family : sc->font);
    pango_font_description_set_absolute_size(fd, size_px * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(l, text ? text : "", -1);
    return l;
}

static void text_size(pm_scene *sc, const char *family, double size_px, int bold, const char *text,
                      double *w, double *h)
{
    PangoLayout *l = pm_text_layout(sc, family, size_px, bold, text);
    PangoRectangle logical;
    pango_layout_get_extents(l, NULL, &logical);
    *w = (double)logical.width / PANGO_SCALE;
    *h = (double)logical.height / PANGO_SCALE;
    g_object_unref(l);
}

PangoLayout *pm_label_layout(pm_scene *sc, const char *family, double size_px, const char *text)
{
    PangoLayout *l = pm_text_layout(sc, family, size_px, 0, text);
    /* Bilingual labels ("Zhangjiang\n张江") are centred line by line, and
     * the lines sit a little closer than the fonts' own line gap. */
    pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
    pango_layout_set_spacing(l, (int)(-0.15 * size_px * PANGO_SCALE));
    return l;
}

static void label_size(pm_scene *sc, const char *family, double size_px, const char *text,
                       double *w, double *h)
{
    PangoLayout *l = pm_label_layout(sc, family, size_px, text);
    PangoRectangle logical;
    pango_layout_get_extents(l, NULL, &logical);
    *w = (double)logical.width / PANGO_SCALE;
    *h = (double)logical.height / PANGO_SCALE;
    g_object_unref(l);
}

/* ---- sources ------------------------------------------------------------ */

static void source_clear(pm_rsource *s)
{
    free(s->name);
    free(s->fe);
    free(s->shape);
    free(s->xy);
    free(s->gof);
}

static int grow_array(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * size);
    if (!np)
        return -1;
    *p = np;
    *cap = nc;
    return 0;
}

/* Append a feature's geometry to the source's packed arrays. */
static int pack_geom(pm_rsource *s, pm_ctx *ctx, const pm_geom *g)
{
    size_t ns = 2, np = 0;
    for (size_t p = 0; g && p < g->nparts; p++) {
        ns += 1 + g->parts[p].nrings;
        for (size_t r = 0; r < g->parts[p].nrings; r++)
            np += g->parts[p].rings[r].n;
    }
    if (s->n + 2 > s->capfe) {
        size_t cap = s->capfe;
        int32_t *ng = NULL;
        if (grow_array((void **)&s->fe, &cap, s->n + 2, sizeof *s->fe) ||
            !(ng = realloc(s->gof, (cap * s->ncol + 1) * sizeof *ng)))
            return pm_err(ctx, PM_ENOMEM, "out of memory", s->name, "render");
        s->gof = ng;
        s->capfe = cap;
    }
    if (grow_array((void **)&s->shape, &s->capshape, s->nshape + ns, sizeof *s->shape) ||
        grow_array((void **)&s->xy, &s->capxy, s->nxy + np, 2 * sizeof *s->xy))
        return pm_err(ctx, PM_ENOMEM, "out of memory", s->name, "render");
    uint32_t *sh = s->shape + s->nshape;
    double *xy = s->xy + 2 * s->nxy;
    *sh++ = g ? (uint32_t)g->kind : 0;
    *sh++ = g ? (uint32_t)g->nparts : 0;
    for (size_t p = 0; g && p < g->nparts; p++) {
        *sh++ = (uint32_t)g->parts[p].nrings;
        for (size_t r = 0; r < g->parts[p].nrings; r++) {
            const pm_ring *ring = &g->parts[p].rings[r];
            if (ring->n > UINT32_MAX)
                return pm_err(ctx, PM_EINPUT, "ring too long to draw", s->name,
                              "feature %zu: %zu points", s->n, ring->n);
            *sh++ = (uint32_t)ring->n;
            for (size_t i = 0; i < ring->n; i++) {
                double x = ring->xy[2 * i], y = ring->xy[2 * i + 1];
                s->bbox[0] = x < s->bbox[0] ? x : s->bbox[0];
                s->bbox[1] = y < s->bbox[1] ? y : s->bbox[1];
                s->bbox[2] = x > s->bbox[2] ? x : s->bbox[2];
                s->bbox[3] = y > s->bbox[3] ? y : s->bbox[3];
            }
            memcpy(xy, ring->xy, 2 * ring->n * sizeof(double));
            xy += 2 * ring->n;
        }
    }
    s->fe[s->n] = (pm_rfeat){s->nshape, s->nxy};
    s->nshape += ns;
    s->nxy += np;
    s->n++;
    s->fe[s->n] = (pm_rfeat){s->nshape, s->nxy};
    return 0;
}

int pm_rsource_geom(const pm_geom **out, pm_gview *v, const pm_rsource *s, size_t i)
{
    const uint32_t *sh = s->shape + s->fe[i].shape;
    double *xy = s->xy + 2 * s->fe[i].xy;
    size_t np = sh[1], nr = 0;
    *out = NULL;
    if (sh[0] == 0)
        return 0;
    const uint32_t *p = sh + 2;
    for (size_t k = 0; k < np; k++) {
        nr += *p;
        p += 1 + *p;
    }
    if (grow_array((void **)&v->parts, &v->capp, np ? np : 1, sizeof *v->parts) ||
        grow_array((void **)&v->rings, &v->capr, nr ? nr : 1, sizeof *v->rings))
        return PM_ENOMEM;
    p = sh + 2;
    for (size_t k = 0, r = 0; k < np; k++) {
        v->parts[k].nrings = *p++;
        v->parts[k].rings = v->rings + r;
        for (size_t j = 0; j < v->parts[k].nrings; j++, r++) {
            v->rings[r].n = *p++;
            v->rings[r].xy = xy;
            xy += 2 * v->rings[r].n;
        }
    }
    v->g.kind = (pm_geom_kind)sh[0];
    v->g.nparts = np;
    v->g.parts = v->parts;
    *out = &v->g;
    return 0;
}

void pm_gview_free(pm_gview *v)
{
    if (!v)
        return;
    free(v->parts);
    free(v->rings);
    memset(v, 0, sizeof *v);
}

int pm_rsource_bbox(const pm_rsource *s, size_t i, double *x0, double *y0, double *x1, double *y1)
{
    const double *xy = s->xy + 2 * s->fe[i].xy;
    size_t n = s->fe[i + 1].xy - s->fe[i].xy;
    if (n == 0)
        return 0;
    double a = xy[0], b = xy[1], c = xy[0], d = xy[1];
    for (size_t k = 1; k < n; k++) {
        double x = xy[2 * k], y = xy[2 * k + 1];
        a = x < a ? x : a;
        c = x > c ? x : c;
        b = y < b ? y : b;
        d = y > d ? y : d;
    }
    *x0 = a, *y0 = b, *x1 = c, *y1 = d;
    return 1;
}

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
            grow_array((void **)&rl->gs, &rl->cap, rl->ng + 1, sizeof *rl->gs))
            return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "layer");
        rl->gs[rl->ng++] = g;
    }
    *out = (int32_t)k;
    return 0;
}

/* Length of a path part; with x, y, the point halfway along it. */
static double path_length(const pm_part *part, double *x, double *y)
{
    double len = 0;
    const pm_ring *r = part->nrings ? &part->rings[0] : NULL;
    for (size_t i = 1; r && i < r->n; i++)
        len += hypot(r->xy[2 * i] - r->xy[2 * i - 2], r->xy[2 * i + 1] - r->xy[2 * i - 1]);
    if (x && r && r->n) {
        double half = len / 2, run = 0;
        *x = r->xy[0], *y = r->xy[1];
        for (size_t i = 1; i < r->n; i++) {
            double sl = hypot(r->xy[2 * i] - r->xy[2 * i - 2], r->xy[2 * i + 1] - r->xy[2 * i - 1]);
            if (run + sl >= half && sl > 0) {
                double t = (half - run) / sl;
                *x = r->xy[2 * i - 2] + t * (r->xy[2 * i] - r->xy[2 * i - 2]);
                *y = r->xy[2 * i - 1] + t * (r->xy[2 * i + 1] - r->xy[2 * i - 1]);
                break;
            }
            run += sl;
        }
    }
    return len;
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
    pm_rcand c = {li, feat, 0, 0, NULL, 0, 0, {0, 0, 0, 1}, {0, 0, 0, 0}};
    for (size_t p = 0; p < f->geom->nparts; p++)
        c.area += f->geom->kind == PM_GEOM_LINE ? path_length(&f->geom->parts[p], NULL, NULL)
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
        (grow_array((void **)&sc->cand, &sc->capcand, sc->ncand + 1, sizeof *sc->cand) &&
         (rc = pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "labels")))) {
        free(c.text);
        return rc;
    }
    sc->cand[sc->ncand++] = c;
    return 0;
}

/* The swatch of a legend class: how its first feature is drawn (or, for a
 * class with none, the layer's defaults). */
static int legend_swatch(pm_scene *sc, const pm_rlegend *lg, const pm_feature *f,
                         const pm_schema *sch, pm_swatch *w)
{
    size_t li = (size_t)lg->layer;
    int rc = 0;
    memset(w, 0, sizeof *w);
    w->type = lg->type;
    if (lg->type == PM_LAYER_FILL && pm_style_layer_has(sc->style, li, "fill-pattern")) {
        char *pat = NULL;
        if ((rc = pm_style_eval_string(&pat, sc->ctx, sc->style, li, "fill-pattern", f, sch)))
            return rc;
        snprintf(w->pattern, sizeof w->pattern, "%s", pat);
        free(pat);
    } else if (lg->type == PM_LAYER_LINE) {
        double lw;
        if ((rc = pm_style_eval_number(&lw, sc->ctx, sc->style, li, "line-width", f, sch)))
            return rc;
        w->line_px = lw * sc->px_per_pt;
        w->dash = pm_style_layer_dasharray(sc->style, li, &w->ndash);
    }
    return 0;
}

/* A legend layer: count the feature in its class. */
static int feature_legend(pm_scene *sc, pm_rlegend *lg, const pm_feature *f, const pm_schema *sch,
                          int32_t *out)
{
    int keep, k, rc;
    *out = -1;
    if ((rc = pm_style_eval_filter(&keep, sc->ctx, sc->style, (size_t)lg->layer, f, sch)) ||
        (rc = pm_style_class_of(&k, sc->ctx, sc->style, (size_t)lg->layer, lg->prop, f, sch)))
        return rc;
    if (!keep || k < 0 || (size_t)k >= lg->n)
        return 0;
    *out = k;
    if (lg->count[k]++ == 0)
        return legend_swatch(sc, lg, f, sch, &lg->sw[k]);
    return 0;
}

/* ---- attribute memo ------------------------------------------------------ *
 *
 * A style reads a feature's attributes only, so features with the same
 * values (the fields the style reads: parcels of one industry and status)
 * fall in the same group of every layer and the same legend class. The
 * memo keeps each distinct combination's answers, so the expressions are
 * evaluated once per combination instead of once per feature (a tenth of
 * the reading time on the 100k-parcel benchmark). A source whose values
 * keep changing (a style that reads names) turns it off. */

#define MEMO_SLOTS 1024 /* at most half of them used */

typedef struct {
    uint64_t h;
    pm_value *v; /* NULL: empty slot */
    size_t nv;
} memo_key;

typedef struct {
    memo_key *key;
    int32_t *out; /* MEMO_SLOTS x ncol answers; -2: not asked yet */
    size_t ncol, used, seen, missed;
    int off;
} memo;

static void memo_free(memo *m)
{
    for (size_t i = 0; m->key && i < MEMO_SLOTS; i++) {
        for (size_t j = 0; m->key[i].v && j < m->key[i].nv; j++)
            free(m->key[i].v[j].s);
        free(m->key[i].v);
    }
    free(m->key);
    free(m->out);
    memset(m, 0, sizeof *m);
    m->off = 1;
}

static uint64_t memo_hash(const pm_feature *f)
{
    uint64_t h = 1469598103934665603ull;
#define MIX(b) (h = (h ^ (uint64_t)(b)) * 1099511628211ull)
    for (size_t i = 0; i < f->nvalues; i++) {
        const pm_value *v = &f->values[i];
        MIX(v->is_null ? 0xff : (unsigned)v->type);
        if (v->is_null)
            continue;
        uint64_t d;
        memcpy(&d, &v->d, sizeof d);
        MIX((uint64_t)v->i);
        MIX(d);
        for (const char *c = v->s; c && *c; c++)
            MIX((unsigned char)*c);
    }
#undef MIX
    return h;
}

static int memo_same(const memo_key *k, const pm_feature *f)
{
    if (k->nv != f->nvalues)
        return 0;
    for (size_t i = 0; i < f->nvalues; i++) {
        const pm_value *a = &k->v[i], *b = &f->values[i];
        if (a->is_null != b->is_null)
            return 0;
        if (a->is_null)
            continue;
        if (a->type != b->type || a->i != b->i || memcmp(&a->d, &b->d, sizeof a->d) != 0 ||
            (!a->s) != (!b->s) || (a->s && strcmp(a->s, b->s) != 0))
            return 0;
    }
    return 1;
}

/* The answers kept for f's values (a new row of -2 when they are new), or
 * NULL when the memo is off or full. */
static int32_t *memo_find(memo *m, const pm_feature *f)
{
    if (m->off)
        return NULL;
    if (++m->seen == 4096 && m->missed > m->seen / 8) {
        memo_free(m); /* values all different: not worth hashing */
        return NULL;
    }
    uint64_t h = memo_hash(f);
    size_t j = h & (MEMO_SLOTS - 1);
    for (; m->key[j].v; j = (j + 1) & (MEMO_SLOTS - 1))
        if (m->key[j].h == h && memo_same(&m->key[j], f))
            return m->out + j * m->ncol;
    m->missed++;
    if (2 * (m->used + 1) > MEMO_SLOTS)
        return NULL;
    pm_value *v = calloc(f->nvalues ? f->nvalues : 1, sizeof *v);
    if (!v)
        return NULL; /* (only a missed shortcut) */
    for (size_t i = 0; i < f->nvalues; i++) {
        v[i] = f->values[i];
        v[i].s = NULL;
        if (f->values[i].s && !(v[i].s = strdup(f->values[i].s))) {
            for (size_t k = 0; k < i; k++)
                free(v[k].s);
            free(v);
            return NULL;
        }
    }
    m->key[j] = (memo_key){h, v, f->nvalues};
    m->used++;
    for (size_t c = 0; c < m->ncol; c++)
        m->out[j * m->ncol + c] = -2;
    return m->out + j * m->ncol;
}

/* Read source k once, evaluating each feature for every layer using it. */
static int read_source(pm_scene *sc, pm_store *st, size_t k)
{
    pm_rsource *s = &sc->src[k];
    pm_cursor *cur = NULL;
    pm_feature f;
    size_t nfields = 0, nl = pm_style_nlayers(sc->style);
    char **fields = NULL;
    memo m;
    int rc;
    memset(&f, 0, sizeof f);
    memset(&m, 0, sizeof m);
    s->bbox[0] = s->bbox[1] = DBL_MAX;
    s->bbox[2] = s->bbox[3] = -DBL_MAX;
    /* Only the attributes the style reads: the rest would be read, copied
     * and freed for nothing (a third of the time on 100k parcels). */
    if ((rc = pm_style_source_fields(&fields, &nfields, sc->ctx, sc->style, s->name)) ||
        (rc = pm_store_cursor_open_fields(&cur, sc->ctx, st, s->name,
                                          (const char *const *)fields, nfields)))
        goto done;
    const pm_schema *sch = pm_cursor_schema(cur);
    m.ncol = s->ncol + sc->nleg;
    m.key = calloc(MEMO_SLOTS, sizeof *m.key);
    m.out = malloc(MEMO_SLOTS * (m.ncol ? m.ncol : 1) * sizeof *m.out);
    if (!m.key || !m.out)
        memo_free(&m);
    for (;;) {
        int r = pm_cursor_next(cur, sc->ctx, &f);
        if (r <= 0) {
            rc = r;
            break;
        }
        if ((rc = pack_geom(s, sc->ctx, f.geom)))
            goto done;
        size_t i = s->n - 1;
        int32_t *mo = memo_find(&m, &f);
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
            } else if ((rc = feature_legend(sc, lg, &f, sch, &c))) {
                goto done;
            } else if (mc) {
                *mc = c;
            }
        }
        pm_feature_clear(&f);
    }
done:
    memo_free(&m);
    pm_feature_clear(&f);
    for (size_t i = 0; i < nfields; i++)
        free(fields[i]);
    free(fields);
    pm_cursor_free(cur);
    return rc;
}

static int legend_layer(const pm_scene *sc);
static int legend_begin(pm_scene *sc, int li);

/* Which tables the style's layers draw (each named once), then each read
 * once. */
static int load_sources(pm_scene *sc, pm_store *st)
{
    size_t nl = pm_style_nlayers(sc->style);
    const pm_page *pg = sc->page;
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
            int has = pm_store_has_layer(st, sc->ctx, name);
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
    sc->legend_layer = legend_layer(sc);
    if (pg->legend_show) {
        size_t nj = pg->legend_nlayers ? pg->legend_nlayers : 1;
        if (!(sc->leg = calloc(nj, sizeof *sc->leg)))
            return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "legend");
        for (size_t j = 0; j < nj; j++)
            if ((rc = legend_begin(sc, pg->legend_nlayers
                                           ? pm_style_find_layer(sc->style, pg->legend_layers[j])
                                           : sc->legend_layer)))
                return rc;
    }
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

/* ---- extent ------------------------------------------------------------- */

static void grow(double b[4], const pm_rsource *s)
{
    if (s->bbox[0] <= s->bbox[2]) {
        b[0] = fmin(b[0], s->bbox[0]), b[1] = fmin(b[1], s->bbox[1]);
        b[2] = fmax(b[2], s->bbox[2]), b[3] = fmax(b[3], s->bbox[3]);
    }
}

/* The sources the map is fitted to: the page's extent-layer, else the first
 * "parks" layer (the district outline would make the parks tiny), else all. */
static int extent_sources(pm_scene *sc, int *use)
{
    size_t nl = pm_style_nlayers(sc->style);
    const char *want = sc->page->extent_layer;
    int any = 0;
    memset(use, 0, sc->nsrc * sizeof(int));
    for (int pass = 0; pass < 2 && !any; pass++)
        for (size_t i = 0; i < nl; i++) {
            int k = sc->layer_src[i];
            if (k < 0)
                continue;
            int hit = want ? (strcmp(pm_style_layer_id(sc->style, i), want) == 0 ||
                              strcmp(sc->src[k].name, want) == 0)
                           : pass == 0 ? strcmp(sc->src[k].name, PM_LAYER_PARKS) == 0 : 1;
            if (hit && sc->src[k].n > 0) {
                use[k] = 1;
                any = 1;
                if (want || pass == 0)
                    break;
            }
        }
    if (!any && want)
        pm_warn(sc->ctx, "extent-layer '%s' has nothing to draw; fitting to every layer", want);
    if (!any)
        for (size_t k = 0; k < sc->nsrc; k++)
            use[k] = 1;
    return 0;
}

/* ---- geodesy ------------------------------------------------------------ */

/* True scale and north at the map centre. The storage CRS's grid is neither
 * true to scale (Gauss-Krüger: k = 1 + x^2/2R^2 away from the central
 * meridian) nor aligned with true north (grid convergence), so both are
 * measured: metres per pixel as the geodesic length of a baseline through
 * the centre, north by projecting a point a little north of the centre. */
static int geodesy(pm_scene *sc)
{
    pm_render_info *in = sc->info;
    pm_transform *to_ll = NULL, *from_ll = NULL;
    char crs[32];
    int rc;
    snprintf(crs, sizeof crs, "EPSG:%d", in->srid);
    if ((rc = pm_transform_new(&to_ll, sc->ctx, crs, "EPSG:4326")) ||
        (rc = pm_transform_new(&from_ll, sc->ctx, "EPSG:4326", crs)))
        goto done;
    double half = in->frame[2] / 4 / sc->scale; /* a baseline half the frame wide */
    double xy[6] = {sc->cx - half, sc->cy, sc->cx + half, sc->cy, sc->cx, sc->cy};
    if ((rc = pm_transform_points(to_ll, sc->ctx, xy, 3)))
        goto done;
    double d = pm_geod_distance(xy[0], xy[1], xy[2], xy[3]);
    in->m_per_px = d / (2 * half * sc->scale);
    double n[2] = {xy[4], xy[5] + 0.01};
    if (n[1] > 90)
        n[1] = xy[5] - 0.01; /* (never at Shanghai, but the pole has no north) */
    if ((rc = pm_transform_points(from_ll, sc->ctx, n, 1)))
        goto done;
    double dx = n[0] - sc->cx, dy = n[1] - sc->cy;
    if (xy[5] + 0.01 > 90)
        dx = -dx, dy = -dy;
    in->north_deg = atan2(dx, dy) * 180 / PM_PI;
done:
    pm_transform_free(to_ll);
    pm_transform_free(from_ll);
    return rc;
}

/* 1, 2 or 5 x 10^n metres, the largest not above target. */
static double nice_length(double target)
{
    double p = pow(10, floor(log10(target)));
    double m = target / p;
    return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
}

/* ---- furniture ---------------------------------------------------------- */

static int occupy(pm_scene *sc, pm_rect r)
{
    pm_rect *n = realloc(sc->occupied, (sc->noccupied + 1) * sizeof(*n));
    if (!n)
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "layout");
    sc->occupied = n;
    n[sc->noccupied++] = r;
    return 0;
}

static pm_rect corner_rect(const pm_scene *sc, const char *corner, double w, double h)
{
    const double *fr = sc->info->frame;
    double in = INSET_PT * sc->fpt;
    pm_rect r = {0, 0, w, h};
    r.x = strstr(corner, "left") ? fr[0] + in : fr[0] + fr[2] - in - w;
    r.y = strstr(corner, "top") ? fr[1] + in : fr[1] + fr[3] - in - h;
    return r;
}

static double overlap(pm_rect a, pm_rect b)
{
    double w = fmin(a.x + a.w, b.x + b.w) - fmax(a.x, b.x);
    double h = fmin(a.y + a.h, b.y + b.h) - fmax(a.y, b.y);
    return w > 0 && h > 0 ? w * h : 0;
}

static int legend_layer(const pm_scene *sc)
{
    size_t nl = pm_style_nlayers(sc->style);
    if (sc->page->legend_layer)
        return pm_style_find_layer(sc->style, sc->page->legend_layer);
    /* Default: the first fill layer whose colour is classified. */
    for (size_t i = 0; i < nl; i++)
        if (pm_style_layer_type(sc->style, i) == PM_LAYER_FILL && sc->layer_src[i] >= 0) {
            pm_style_class *c = NULL;
            size_t n = 0;
            if (pm_style_classes(&c, &n, NULL, sc->style, i, "fill-color") == 0 && n > 1) {
                pm_style_classes_free(c, n);
                return (int)i;
            }
            pm_style_classes_free(c, n);
        }
    return -1;
}

/* Legend rows of one layer: the classes of its colour property, counted
 * over the features its filter keeps (while the source is read), each with
 * a swatch drawn the way the first feature of the class is drawn (pattern,
 * line width). */
static int legend_begin(pm_scene *sc, int li)
{
    pm_rlegend *lg = &sc->leg[sc->nleg];
    int rc;
    if (li < 0 || sc->layer_src[li] < 0)
        return 0;
    lg->layer = li;
    lg->type = pm_style_layer_type(sc->style, (size_t)li);
    lg->prop = lg->type == PM_LAYER_FILL   ? "fill-color"
               : lg->type == PM_LAYER_LINE ? "line-color"
                                           : "text-color";
    if ((rc = pm_style_classes(&lg->cls, &lg->n, sc->ctx, sc->style, (size_t)li, lg->prop)))
        return rc;
    sc->nleg++;
    if (lg->n == 0)
        return 0;
    lg->count = calloc(lg->n, sizeof(size_t));
    lg->sw = calloc(lg->n, sizeof(pm_swatch));
    if (!lg->count || !lg->sw)
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "legend");
    return 0;
}

static void legend_clear(pm_rlegend *lg)
{
    pm_style_classes_free(lg->cls, lg->n);
    free(lg->count);
    free(lg->sw);
}

static int legend_rows(pm_scene *sc, pm_rlegend *lg)
{
    pm_render_info *in = sc->info;
    size_t n = lg->n;
    if (n == 0)
        return 0;
    pm_legend_entry *ne = realloc(in->legend, (in->nlegend + n) * sizeof(*ne));
    if (ne)
        in->legend = ne;
    pm_swatch *nw = realloc(sc->swatch, (in->nlegend + n) * sizeof(*nw));
    if (nw)
        sc->swatch = nw;
    if (!ne || !nw)
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "legend");
    for (size_t k = 0; k < n; k++) {
        int rc;
        if (sc->page->legend_present_only && lg->count[k] == 0)
            continue;
        pm_legend_entry *e = &in->legend[in->nlegend];
        pm_swatch *w = &sc->swatch[in->nlegend];
        *w = lg->sw[k];
        if (lg->count[k] == 0) {
            /* the class is listed but absent: the layer's defaults */
            pm_feature none = {0};
            pm_schema nosch = {0};
            if ((rc = legend_swatch(sc, lg, &none, &nosch, w)))
                return rc;
        }
        e->label = lg->cls[k].label;
        lg->cls[k].label = NULL;
        e->color = lg->cls[k].color;
        e->count = lg->count[k];
        in->nlegend++;
    }
    return 0;
}

static int build_legend(pm_scene *sc)
{
    int rc = 0;
    for (size_t j = 0; j < sc->nleg && !rc; j++)
        rc = legend_rows(sc, &sc->leg[j]);
    return rc;
}

/* Legend box size for the entries. */
static void legend_size(pm_scene *sc, double *w, double *h)
{
    double pad = 6 * sc->fpt, sw = 14 * sc->fpt, rowgap = 3 * sc->fpt;
    double tw = 0, th = 0, maxw = 0, rows = 0;
    if (sc->page->legend_title)
        text_size(sc, sc->page->title_font, PT_LEGEND_TITLE * sc->fpt, 1,
                  sc->page->legend_title, &tw, &th);
    for (size_t i = 0; i < sc->info->nlegend; i++) {
        double ew, eh;
        text_size(sc, NULL, PT_LEGEND * sc->fpt, 0, sc->info->legend[i].label, &ew, &eh);
        maxw = fmax(maxw, ew);
        rows += fmax(eh, sw * 0.7) + rowgap;
    }
    *w = fmax(tw, sw + pad + maxw) + 2 * pad;
    *h = (th ? th + rowgap : 0) + rows + 2 * pad - rowgap;
}

static int layout_furniture(pm_scene *sc)
{
    pm_render_info *in = sc->info;
    const pm_page *pg = sc->page;
    int rc;
    const char *corners[4] = {"bottom-right", "top-left", "bottom-left", "top-right"};
    const char *scorner = pg->scale_bar_position ? pg->scale_bar_position : "bottom-left";
    snprintf(sc->scale_corner, sizeof sc->scale_corner, "%s", scorner);
    if (pg->scale_bar_show) {
        double target = in->m_per_px * in->frame[2] / 5;
        in->scale_bar_m = nice_length(target);
        in->scale_bar_px = in->scale_bar_m / in->m_per_px;
        if (in->scale_bar_m >= 1000)
            snprintf(in->scale_bar_label, sizeof in->scale_bar_label, "%g km",
                     in->scale_bar_m / 1000);
        else
            snprintf(in->scale_bar_label, sizeof in->scale_bar_label, "%g m", in->scale_bar_m);
        double lw, lh;
        text_size(sc, NULL, PT_SCALE * sc->fpt, 0, in->scale_bar_label, &lw, &lh);
        double pad = 5 * sc->fpt;
        sc->scale_box = corner_rect(sc, scorner, in->scale_bar_px + lw + 2 * pad,
                                    lh + 5 * sc->fpt + 2 * pad);
        if ((rc = occupy(sc, sc->scale_box)))
            return rc;
    }
    const char *ncorner = strcmp(scorner, "top-right") == 0 ? "top-left" : "top-right";
    if (pg->north_arrow_show) {
        double s = 34 * sc->fpt;
        sc->north_box = corner_rect(sc, ncorner, s * 0.8, s * 1.3);
        if ((rc = occupy(sc, sc->north_box)))
            return rc;
    }
    double lw = 0, lh = 0;
    if (in->nlegend > 0)
        legend_size(sc, &lw, &lh);
    if (in->nlegend > 0 && (lw > in->frame[2] / 2 || lh > in->frame[3] - 2 * INSET_PT * sc->fpt)) {
        pm_warn(sc->ctx, "legend (%.0f x %.0f px) does not fit the %.0f x %.0f px map; not drawn",
                lw, lh, in->frame[2], in->frame[3]);
        for (size_t i = 0; i < in->nlegend; i++)
            free(in->legend[i].label);
        free(in->legend);
        in->legend = NULL;
        in->nlegend = 0;
    }
    if (in->nlegend > 0) {
        double w = lw, h = lh, best = DBL_MAX;
        /* The corner that hides the least of the fitted layer. */
        int use[64] = {0};
        if (sc->nsrc <= 64)
            extent_sources(sc, use);
        for (int c = 0; c < 4; c++) {
            if (strcmp(corners[c], scorner) == 0 ||
                (pg->north_arrow_show && strcmp(corners[c], ncorner) == 0))
                continue;
            pm_rect r = corner_rect(sc, corners[c], w, h);
            double cost = 0;
            for (size_t k = 0; k < sc->nsrc && k < 64; k++)
                for (size_t i = 0; use[k] && i < sc->src[k].n; i++) {
                    double x0, y0, x1, y1, px0, py0, px1, py1;
                    if (!pm_rsource_bbox(&sc->src[k], i, &x0, &y0, &x1, &y1))
                        continue;
                    pm_scene_to_px(sc, x0, y1, &px0, &py0);
                    pm_scene_to_px(sc, x1, y0, &px1, &py1);
                    cost += overlap(r, (pm_rect){px0, py0, px1 - px0, py1 - py0});
                }
            if (cost < best) {
                best = cost;
                sc->legend_box = r;
            }
        }
        if ((rc = occupy(sc, sc->legend_box)))
            return rc;
    }
    return 0;
}

/* ---- grid --------------------------------------------------------------- */

static int add_line(pm_scene *sc, const double *xy, size_t n)
{
    pm_pline *ng = realloc(sc->grid, (sc->ngrid + 1) * sizeof(*ng));
    if (!ng)
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "grid");
    sc->grid = ng;
    if (!(ng[sc->ngrid].xy = malloc(2 * n * sizeof(double))))
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "grid");
    memcpy(ng[sc->ngrid].xy, xy, 2 * n * sizeof(double));
    ng[sc->ngrid++].n = n;
    return 0;
}

/* "121°40′E", "31°12′30″N": as few units as the interval needs. */
static void fmt_dms(char *buf, size_t n, double v, double interval, int lat)
{
    char hemi = lat ? (v < 0 ? 'S' : 'N') : (v < 0 ? 'W' : 'E');
    long sec = lround(fabs(v) * 3600);
    long d = sec / 3600, m = sec / 60 % 60, s = sec % 60;
    long step = lround(interval * 3600);
    if (step % 3600 == 0 && m == 0 && s == 0)
        snprintf(buf, n, "%ld°%c", d, hemi);
    else if (step % 60 == 0 && s == 0)
        snprintf(buf, n, "%ld°%02ld′%c", d, m, hemi);
    else
        snprintf(buf, n, "%ld°%02ld′%02ld″%c", d, m, s, hemi);
    if (fabs(v) < 1e-9) /* the equator and the prime meridian have no side */
        snprintf(buf, n, "0°");
}

/* Where a page-px polyline crosses the frame edge: the bottom (axis 0:
 * x at y = bottom) or the left (axis 1: y at x = left). */
static int crossing(const pm_scene *sc, const double *xy, size_t n, int axis, double *at)
{
    const double *fr = sc->info->frame;
    double e = axis == 0 ? fr[1] + fr[3] : fr[0];
    for (size_t i = 0; i + 1 < n; i++) {
        double a = xy[2 * i + (axis == 0)], b = xy[2 * i + 2 + (axis == 0)];
        if ((a - e) * (b - e) <= 0 && a != b) {
            double t = (e - a) / (b - a);
            *at = xy[2 * i + (axis == 1)] + t * (xy[2 * i + 2 + (axis == 1)] - xy[2 * i + (axis == 1)]);
            return 1;
        }
    }
    return 0;
}

static int grid_label(pm_scene *sc, const char *text, int axis, double at)
{
    pm_render_info *in = sc->info;
    const double *fr = in->frame;
    double w, h, inset = 2.5 * sc->fpt, halo = 1.2 * sc->fpt;
    text_size(sc, NULL, sc->grid_label_px, 0, text, &w, &h);
    w += 2 * halo, h += 2 * halo;
    pm_rect r = axis == 0 ? (pm_rect){at - w / 2, fr[1] + fr[3] - inset - h, w, h}
                          : (pm_rect){fr[0] + inset, at - h / 2, w, h};
    if (r.x < fr[0] || r.y < fr[1] || r.x + r.w > fr[0] + fr[2] || r.y + r.h > fr[1] + fr[3])
        return 0;
    for (size_t k = 0; k < sc->noccupied; k++)
        if (overlap(r, sc->occupied[k]) > 0)
            return 0; /* under the scale bar or legend, or on another figure */
    pm_label_box *nl = realloc(in->grid_labels, (in->ngrid_labels + 1) * sizeof(*nl));
    if (!nl)
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "grid");
    in->grid_labels = nl;
    char *t = strdup(text);
    if (!t)
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "grid");
    nl[in->ngrid_labels++] = (pm_label_box){t,
                                            r.x,
                                            r.y,
                                            r.w,
                                            r.h,
                                            axis == 0 ? at : fr[0],
                                            axis == 0 ? fr[1] + fr[3] : at};
    return occupy(sc, r);
}

/* Lines of constant longitude and latitude (or easting and northing), at a
 * round interval giving a handful across the map, as polylines in page px
 * (meridians curve and lean in a projected CRS, so they are densified).
 * Their coordinates are written where they meet the bottom and left edges
 * of the frame, where they do not collide with furniture; map labels then
 * avoid them. */
static int layout_grid(pm_scene *sc)
{
    pm_render_info *in = sc->info;
    const pm_page *pg = sc->page;
    const double *ex = in->extent;
    pm_transform *to_ll = NULL, *from_ll = NULL;
    double *pts = NULL;
    int rc = 0;
    enum { NS = 64 };
    if (!pg->grid_show)
        return 0;
    sc->grid_label_px = PT_GRID * sc->fpt;
    if (!(pts = malloc(2 * (NS + 1) * sizeof(double))))
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "grid");
    double lo[2], hi[2], iv;
    if (pg->grid_projected) {
        lo[0] = ex[0], lo[1] = ex[1], hi[0] = ex[2], hi[1] = ex[3];
        iv = pg->grid_interval > 0 ? pg->grid_interval
                                   : nice_length(fmax(hi[0] - lo[0], hi[1] - lo[1]) / 4);
    } else {
        char crs[32];
        snprintf(crs, sizeof crs, "EPSG:%d", in->srid);
        if ((rc = pm_transform_new(&to_ll, sc->ctx, crs, "EPSG:4326")) ||
            (rc = pm_transform_new(&from_ll, sc->ctx, "EPSG:4326", crs)))
            goto done;
        /* The lon/lat range of the frame: its edges, densified. */
        double e[2 * 4 * NS];
        for (int i = 0; i < NS; i++) {
            double t = (double)i / NS;
            double xs[4] = {ex[0] + t * (ex[2] - ex[0]), ex[2], ex[2] - t * (ex[2] - ex[0]), ex[0]};
            double ys[4] = {ex[1], ex[1] + t * (ex[3] - ex[1]), ex[3], ex[3] - t * (ex[3] - ex[1])};
            for (int sd = 0; sd < 4; sd++)
                e[2 * (sd * NS + i)] = xs[sd], e[2 * (sd * NS + i) + 1] = ys[sd];
        }
        if ((rc = pm_transform_points(to_ll, sc->ctx, e, 4 * NS)))
            goto done;
        lo[0] = lo[1] = DBL_MAX, hi[0] = hi[1] = -DBL_MAX;
        for (int i = 0; i < 4 * NS; i++)
            for (int a = 0; a < 2; a++)
                lo[a] = fmin(lo[a], e[2 * i + a]), hi[a] = fmax(hi[a], e[2 * i + a]);
        static const double steps[] = {10,      5,        2,        1,         30 / 60.,
                                       20 / 60., 15 / 60., 10 / 60., 5 / 60.,   2 / 60.,
                                       1 / 60., 30 / 3600., 20 / 3600., 10 / 3600., 5 / 3600.,
                                       2 / 3600., 1 / 3600.};
        double span = fmax(hi[0] - lo[0], hi[1] - lo[1]);
        iv = steps[sizeof steps / sizeof *steps - 1];
        for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
            if (span / steps[i] >= 4) {
                iv = steps[i];
                break;
            }
        if (pg->grid_interval > 0)
            iv = pg->grid_interval;
    }
    in->grid_interval = iv;
    for (int axis = 0; axis < 2; axis++) {
        /* axis 0: x = const (meridians / eastings), 1: y = const */
        double v0 = ceil(lo[axis] / iv - 1e-9) * iv;
        for (int k = 0; k < 1000; k++) {
            double v = v0 + k * iv;
            if (v > hi[axis] + 1e-9 * iv)
                break;
            int nseg = pg->grid_projected ? 1 : NS;
            /* A little past the frame (the clip trims it), so the line
             * crosses the edge it is labelled on. */
            double m = 0.02 * (hi[1 - axis] - lo[1 - axis]);
            for (int i = 0; i <= nseg; i++) {
                double t = lo[1 - axis] - m + (hi[1 - axis] - lo[1 - axis] + 2 * m) * i / nseg;
                pts[2 * i + axis] = v;
                pts[2 * i + 1 - axis] = t;
            }
            if (from_ll && (rc = pm_transform_points(from_ll, sc->ctx, pts, (size_t)nseg + 1)))
                goto done;
            for (int i = 0; i <= nseg; i++)
                pm_scene_to_px(sc, pts[2 * i], pts[2 * i + 1], &pts[2 * i], &pts[2 * i + 1]);
            if ((rc = add_line(sc, pts, (size_t)nseg + 1)))
                goto done;
            in->ngrid_lines++;
            double at;
            if (!pg->grid_labels || !crossing(sc, pts, (size_t)nseg + 1, axis == 0 ? 0 : 1, &at))
                continue;
            char text[64];
            if (!pg->grid_projected)
                fmt_dms(text, sizeof text, v, iv, axis == 1);
            else if (fmod(iv, 1000) == 0)
                snprintf(text, sizeof text, "%s %.0f km", axis == 0 ? "E" : "N", v / 1000);
            else
                snprintf(text, sizeof text, "%s %.0f", axis == 0 ? "E" : "N", v);
            if ((rc = grid_label(sc, text, axis == 0 ? 0 : 1, at)))
                goto done;
        }
    }
done:
    free(pts);
    pm_transform_free(to_ll);
    pm_transform_free(from_ll);
    return rc;
}

/* ---- labels ------------------------------------------------------------- */

typedef struct {
    size_t layer, feat;
    double key, area;
    size_t idx; /* into sc->cand */
} cand;

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->layer != y->layer)
        return x->layer < y->layer ? -1 : 1;
    if (x->key != y->key) /* symbol-sort-key: lower first, as in MapLibre */
        return x->key < y->key ? -1 : 1;
    if (x->area != y->area)
        return x->area > y->area ? -1 : 1;
    return x->feat < y->feat ? -1 : x->feat > y->feat;
}

/* Boxes already on the page, by 64 px cell, so a label is checked against
 * its neighbours only (the same answer as checking every box: a box is
 * listed in every cell it touches). With 100,000 parcels to label, checking
 * every placed box was a fifth of the render. */
#define CELL_PX 64.0

typedef struct {
    size_t *idx;
    size_t n, cap;
} cellv;

typedef struct {
    cellv *c;
    long gw, gh;
} boxgrid;

static void cell_range(const boxgrid *g, pm_rect r, long *x0, long *y0, long *x1, long *y1)
{
    double a = floor(r.x / CELL_PX), b = floor(r.y / CELL_PX);
    double c = floor((r.x + r.w) / CELL_PX), d = floor((r.y + r.h) / CELL_PX);
    *x0 = a < 0 ? 0 : a >= g->gw ? g->gw - 1 : (long)a;
    *y0 = b < 0 ? 0 : b >= g->gh ? g->gh - 1 : (long)b;
    *x1 = c < 0 ? 0 : c >= g->gw ? g->gw - 1 : (long)c;
    *y1 = d < 0 ? 0 : d >= g->gh ? g->gh - 1 : (long)d;
}

static int grid_add(boxgrid *g, const pm_scene *sc, size_t k)
{
    long x0, y0, x1, y1;
    cell_range(g, sc->occupied[k], &x0, &y0, &x1, &y1);
    for (long y = y0; y <= y1; y++)
        for (long x = x0; x <= x1; x++) {
            cellv *c = &g->c[y * g->gw + x];
            if (c->n == c->cap) {
                size_t nc = c->cap ? 2 * c->cap : 8;
                size_t *ni = realloc(c->idx, nc * sizeof *ni);
                if (!ni)
                    return -1;
                c->idx = ni;
                c->cap = nc;
            }
            c->idx[c->n++] = k;
        }
    return 0;
}

static int grid_free_box(const boxgrid *g, const pm_scene *sc, pm_rect r)
{
    long x0, y0, x1, y1;
    cell_range(g, r, &x0, &y0, &x1, &y1);
    for (long y = y0; y <= y1; y++)
        for (long x = x0; x <= x1; x++) {
            const cellv *c = &g->c[y * g->gw + x];
            for (size_t i = 0; i < c->n; i++)
                if (overlap(r, sc->occupied[c->idx[i]]) > 0)
                    return 0;
        }
    return 1;
}

static void grid_free(boxgrid *g)
{
    for (long i = 0; g->c && i < g->gw * g->gh; i++)
        free(g->c[i].idx);
    free(g->c);
}

static int place_labels(pm_scene *sc)
{
    pm_render_info *in = sc->info;
    size_t nc = sc->ncand;
    cand *cs = NULL;
    pm_gview v;
    boxgrid bg = {NULL, (long)ceil(sc->w / CELL_PX), (long)ceil(sc->h / CELL_PX)};
    int rc = 0;
    memset(&v, 0, sizeof v);
    if (!(cs = malloc((nc ? nc : 1) * sizeof *cs)) ||
        !(bg.c = calloc((size_t)(bg.gw * bg.gh), sizeof *bg.c))) {
        free(cs);
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "labels");
    }
    for (size_t k = 0; k < sc->noccupied; k++)
        if (grid_add(&bg, sc, k)) {
            rc = pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "labels");
            goto done;
        }
    for (size_t c = 0; c < nc; c++)
        cs[c] = (cand){sc->cand[c].layer, sc->cand[c].feat, sc->cand[c].key, sc->cand[c].area, c};
    /* Bigger parks first: when labels collide, the one dropped is the one
     * on the smaller park, whose name a reader is least likely to need. */
    if (nc)
        qsort(cs, nc, sizeof *cs, cmp_cand);
    in->labels = calloc(nc ? nc : 1, sizeof(pm_label_box));
    sc->rlabels = calloc(nc ? nc : 1, sizeof(pm_rlabel));
    if (!in->labels || !sc->rlabels) {
        rc = pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "labels");
        goto done;
    }
    const double *fr = in->frame;
    for (size_t c = 0; c < nc; c++) {
        size_t li = cs[c].layer;
        pm_rcand *cd = &sc->cand[cs[c].idx];
        pm_rlabel rl = {li, 0, cd->color, cd->halo, 0, 0, NULL};
        const pm_geom *g;
        if (pm_rsource_geom(&g, &v, &sc->src[sc->layer_src[li]], cd->feat)) {
            rc = pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "labels");
            goto done;
        }
        rl.size_px = cd->size_pt * sc->px_per_pt;
        rl.halo_px = cd->halo_pt * sc->px_per_pt;
        rl.font = pm_style_layer_font(sc->style, li);
        /* Anchor: the pole of the feature's largest part. */
        size_t big = 0;
        double best = -1;
        int line = g->kind == PM_GEOM_LINE;
        for (size_t p = 0; p < g->nparts; p++) {
            double a = line ? path_length(&g->parts[p], NULL, NULL) : pm_part_area(&g->parts[p]);
            if (a > best)
                best = a, big = p;
        }
        double ax, ay, px, py;
        /* A line (a shared boundary) is labelled at its middle. */
        if (line)
            path_length(&g->parts[big], &ax, &ay);
        else
            pm_polylabel(&g->parts[big], 0.5 / sc->scale, &ax, &ay);
        pm_scene_to_px(sc, ax, ay, &px, &py);
        double w, h, gx0, gy0, gx1, gy1, bx0, by0, bx1, by1;
        label_size(sc, rl.font, rl.size_px, cd->text, &w, &h);
        w += 2 * rl.halo_px;
        h += 2 * rl.halo_px;
        pm_geom_bbox(g, &gx0, &gy0, &gx1, &gy1);
        pm_scene_to_px(sc, gx0, gy1, &bx0, &by0);
        pm_scene_to_px(sc, gx1, gy0, &bx1, &by1);
        /* Centred on the pole first; a park too small or too crowded for
         * that is labelled just above, below, right or left of it instead
         * (MapLibre's variable anchors, in a fixed order). */
        double gap = 2 * sc->px_per_pt;
        pm_rect tries[5] = {
            {px - w / 2, py - h / 2, w, h},
            {px - w / 2, by0 - gap - h, w, h},
            {px - w / 2, by1 + gap, w, h},
            {bx1 + gap, py - h / 2, w, h},
            {bx0 - gap - w, py - h / 2, w, h},
        };
        pm_rect box = tries[0];
        int ok = 0;
        for (int t = 0; t < 5 && !ok; t++) {
            box = tries[t];
            ok = box.x >= fr[0] && box.y >= fr[1] && box.x + box.w <= fr[0] + fr[2] &&
                 box.y + box.h <= fr[1] + fr[3];
            ok = ok && grid_free_box(&bg, sc, box);
        }
        if (!ok) {
            in->nlabels_dropped++;
            continue;
        }
        if ((rc = occupy(sc, box)))
            goto done;
        if (grid_add(&bg, sc, sc->noccupied - 1)) {
            rc = pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "labels");
            goto done;
        }
        rl.label = in->nlabels;
        sc->rlabels[in->nlabels] = rl;
        in->labels[in->nlabels++] = (pm_label_box){cd->text, box.x, box.y, box.w, box.h, px, py};
        cd->text = NULL; /* the info owns it now */
    }
done:
    free(cs);
    grid_free(&bg);
    pm_gview_free(&v);
    return rc;
}

/* ---- the whole layout --------------------------------------------------- */

int pm_scene_build(pm_scene *sc, pm_ctx *ctx, pm_store *st, const pm_style *style,
                   const pm_render_opts *opts, pm_render_info *info, cairo_t *cr, int drawing)
{
    int rc;
    memset(sc, 0, sizeof(*sc));
    memset(info, 0, sizeof(*info));
    sc->ctx = ctx;
    sc->drawing = drawing;
    sc->style = style;
    sc->page = pm_style_page(style);
    sc->info = info;
    sc->legend_layer = -1;
    sc->font = PM_RENDER_DEFAULT_FONT;
    if (!style || !st)
        return pm_err(ctx, PM_EUSAGE, "cannot render", "render", "no style or no database");
    pm_page_size(sc->page, opts, &sc->w, &sc->h, &sc->dpi);
    if (sc->w < 16 || sc->h < 16 || sc->w > 20000 || sc->h > 20000 || sc->dpi < 10 ||
        sc->dpi > 2400)
        return pm_err(ctx, PM_EUSAGE, "bad page size", "render",
                      "%d x %d px at %g dpi (16..20000 px, 10..2400 dpi)", sc->w, sc->h, sc->dpi);
    sc->px_per_pt = sc->dpi / 72;
    /* Titles, legend and scale bar are sized for a print page; on a
     * thumbnail they would crowd out the map, so they shrink with it
     * (down to half size). Style sizes (lines, labels) do not. */
    double shrink = fmin(sc->w / 1100.0, sc->h / 800.0);
    sc->fpt = sc->px_per_pt * (shrink < 0.5 ? 0.5 : shrink > 1 ? 1 : shrink);
    info->width_px = sc->w;
    info->height_px = sc->h;
    info->dpi = sc->dpi;
    if (!(sc->pango = pm_pango_context(cr)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", "render", "pango");
    if ((rc = load_sources(sc, st)))
        return rc;

    /* Frame: the page less margins, title block and credits line. */
    const pm_page *pg = sc->page;
    double margin = pg->margin_mm > 0 ? pg->margin_mm / 25.4 * sc->dpi : pg->margin_px;
    double m = sc->margin = margin * sc->fpt / sc->px_per_pt, tw, th;
    sc->header_h = 0;
    if (pg->title) {
        text_size(sc, pg->title_font, PT_TITLE * sc->fpt, 1, pg->title, &tw, &th);
        sc->header_h += th;
    }
    if (pg->subtitle) {
        text_size(sc, pg->title_font, PT_SUBTITLE * sc->fpt, 0, pg->subtitle, &tw, &th);
        sc->header_h += th;
    }
    if (sc->header_h > 0)
        sc->header_h += 6 * sc->fpt;
    sc->footer_h = 0;
    if (pg->credits) {
        PangoLayout *l = pm_text_layout(sc, NULL, PT_CREDITS * sc->fpt, 0, pg->credits);
        pango_layout_set_width(l, (int)((sc->w - 2 * m) * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
        PangoRectangle lr;
        pango_layout_get_extents(l, NULL, &lr);
        sc->footer_h = (double)lr.height / PANGO_SCALE + 4 * sc->fpt;
        g_object_unref(l);
    }
    info->frame[0] = m;
    info->frame[1] = m + sc->header_h;
    info->frame[2] = sc->w - 2 * m;
    info->frame[3] = sc->h - 2 * m - sc->header_h - sc->footer_h;
    if (info->frame[2] < 8 || info->frame[3] < 8)
        return pm_err(ctx, PM_EUSAGE, "page too small", "render",
                      "%d x %d px leaves no room for the map after margins and titles", sc->w,
                      sc->h);

    /* Extent: fitted to the chosen layers with 4 % padding, same scale in x
     * and y, centred in the frame. */
    int use[64];
    double b[4] = {DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
    if (sc->nsrc > 64)
        return pm_err(ctx, PM_EUSAGE, "too many layers", "render", "at most 64 sources");
    extent_sources(sc, use);
    for (size_t k = 0; k < sc->nsrc; k++)
        if (use[k])
            grow(b, &sc->src[k]);
    if (!(b[0] <= b[2]))
        for (size_t k = 0; k < sc->nsrc; k++)
            grow(b, &sc->src[k]);
    if (!(b[0] <= b[2]))
        return pm_err(ctx, PM_EINPUT, "nothing to draw", pm_store_path(st),
                      "the style's layers have no features");
    double ew = b[2] - b[0], eh = b[3] - b[1];
    if (ew <= 0 && eh <= 0)
        ew = eh = 100; /* a single point: 100 m around it */
    double pad = 0.04 * fmax(ew, eh);
    ew += 2 * pad, eh += 2 * pad;
    sc->cx = (b[0] + b[2]) / 2;
    sc->cy = (b[1] + b[3]) / 2;
    sc->scale = fmin(info->frame[2] / ew, info->frame[3] / eh);
    info->grid_m_per_px = 1 / sc->scale;
    info->extent[0] = sc->cx - info->frame[2] / 2 / sc->scale;
    info->extent[1] = sc->cy - info->frame[3] / 2 / sc->scale;
    info->extent[2] = sc->cx + info->frame[2] / 2 / sc->scale;
    info->extent[3] = sc->cy + info->frame[3] / 2 / sc->scale;
    for (size_t k = 0; k < sc->nsrc; k++)
        info->nfeatures += sc->src[k].n;

    if ((rc = geodesy(sc)) || (rc = build_legend(sc)) || (rc = layout_furniture(sc)) ||
        (rc = layout_grid(sc)) || (rc = place_labels(sc)))
        return rc;
    if (info->nlegend)
        memcpy(info->legend_rect, &sc->legend_box, sizeof info->legend_rect);
    if (sc->page->scale_bar_show)
        memcpy(info->scale_bar_rect, &sc->scale_box, sizeof info->scale_bar_rect);
    if (sc->page->north_arrow_show)
        memcpy(info->north_arrow_rect, &sc->north_box, sizeof info->north_arrow_rect);
    return 0;
}

void pm_scene_free(pm_scene *sc)
{
    if (!sc)
        return;
    for (size_t k = 0; k < sc->nsrc; k++)
        source_clear(&sc->src[k]);
    free(sc->src);
    for (size_t i = 0; sc->rlayer && i < pm_style_nlayers(sc->style); i++)
        free(sc->rlayer[i].gs);
    free(sc->rlayer);
    for (size_t i = 0; i < sc->ncand; i++)
        free(sc->cand[i].text);
    free(sc->cand);
    for (size_t i = 0; i < sc->nleg; i++)
        legend_clear(&sc->leg[i]);
    free(sc->leg);
    free(sc->layer_src);
    free(sc->occupied);
    free(sc->rlabels);
    free(sc->swatch);
    for (size_t i = 0; i < sc->ngrid; i++)
        free(sc->grid[i].xy);
    free(sc->grid);
    if (sc->pango)
        g_object_unref(sc->pango);
    memset(sc, 0, sizeof(*sc));
}

void pm_render_info_clear(pm_render_info *info)
{
    if (!info)
        return;
    for (size_t i = 0; i < info->nlegend; i++)
        free(info->legend[i].label);
    free(info->legend);
    for (size_t i = 0; i < info->nlabels; i++)
        free(info->labels[i].text);
    free(info->labels);
    for (size_t i = 0; i < info->ngrid_labels; i++)
        free(info->grid_labels[i].text);
    free(info->grid_labels);
    memset(info, 0, sizeof(*info));
}
