/* Styles: a strict subset of the MapLibre GL style spec v8 plus a "page"
 * block. Strict because a misspelt key that is silently ignored produces a
 * plausible but wrong map, which is worse than no map. */
#include "style_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Built-in fill patterns: MapLibre's fill-pattern names a sprite image; a
 * printed map has no sprite sheet, so the names are these hatchings, drawn
 * as vector lines in the fill colour. */
static const char *const patterns[] = {"hatch",    "backhatch", "crosshatch", "horizontal",
                                       "vertical", "grid",      "dots"};

int pm_style_pattern_known(const char *name)
{
    for (size_t i = 0; name && i < sizeof patterns / sizeof *patterns; i++)
        if (strcmp(name, patterns[i]) == 0)
            return 1;
    return 0;
}

/* Every literal a fill-pattern expression can yield must name a pattern
 * (conditions and match labels are not outputs and are not checked). */
static int check_patterns(pm_pstate *ps, const pm_expr *e)
{
    if (!e)
        return 0;
    switch (e->op) {
    case PM_X_LIT:
        if (e->lit.t == PM_V_STR && *e->lit.s && !pm_style_pattern_known(e->lit.s))
            return pm_style_perr(ps, NULL,
                                 "unknown fill-pattern \"%s\" (hatch, backhatch, crosshatch, "
                                 "horizontal, vertical, grid, dots)",
                                 e->lit.s);
        return 0;
    case PM_X_MATCH:
    case PM_X_STEP:
        for (size_t i = 1; i < e->nargs; i++)
            if (check_patterns(ps, e->args[i]))
                return PM_EUSAGE;
        return 0;
    case PM_X_CASE:
        for (size_t i = 1; i < e->nargs; i += 2)
            if (check_patterns(ps, e->args[i]))
                return PM_EUSAGE;
        return check_patterns(ps, e->args[e->nargs - 1]);
    case PM_X_COALESCE:
        for (size_t i = 0; i < e->nargs; i++)
            if (check_patterns(ps, e->args[i]))
                return PM_EUSAGE;
        return 0;
    default:
        return 0;
    }
}

/* Every number literal a property can yield must be finite and in range. */
static int check_numbers(pm_pstate *ps, const pm_expr *e, const char *prop, double lo, double hi)
{
    if (!e)
        return 0;
    switch (e->op) {
    case PM_X_LIT:
        if (e->lit.t == PM_V_NUM && !(e->lit.n >= lo && e->lit.n <= hi))
            return pm_style_perr(ps, NULL, "%s %g is out of range [%g, %g]", prop, e->lit.n, lo,
                                 hi);
        return 0;
    case PM_X_MATCH:
    case PM_X_STEP:
    case PM_X_INTERP:
        for (size_t i = 1; i < e->nargs; i++)
            if (check_numbers(ps, e->args[i], prop, lo, hi))
                return PM_EUSAGE;
        return 0;
    case PM_X_CASE:
        for (size_t i = 1; i < e->nargs; i += 2)
            if (check_numbers(ps, e->args[i], prop, lo, hi))
                return PM_EUSAGE;
        return check_numbers(ps, e->args[e->nargs - 1], prop, lo, hi);
    case PM_X_COALESCE:
        for (size_t i = 0; i < e->nargs; i++)
            if (check_numbers(ps, e->args[i], prop, lo, hi))
                return PM_EUSAGE;
        return 0;
    default:
        return 0;
    }
}

const char *pm_style_type_name(pm_layer_type t)
{
    return t == PM_LAYER_FILL ? "fill" : t == PM_LAYER_LINE ? "line" : "symbol";
}

static int oom(pm_pstate *ps)
{
    return pm_err(ps->ctx, PM_ENOMEM, "out of memory", ps->name, "style");
}

int pm_style_want_type(pm_pstate *ps, const char *key, json_object *v, json_type t,
                       const char *what)
{
    json_type have = json_object_get_type(v);
    if (have == t || (t == json_type_double && have == json_type_int))
        return 0;
    return pm_style_perr(ps, key, "expected %s", what);
}

/* ---- layers ------------------------------------------------------------- */

static int parse_dash(pm_style_layer *l, pm_pstate *ps, json_object *v)
{
    if (json_object_get_type(v) == json_type_array && json_object_array_length(v) == 2 &&
        json_object_get_type(json_object_array_get_idx(v, 0)) == json_type_string &&
        strcmp(json_object_get_string(json_object_array_get_idx(v, 0)), "literal") == 0)
        v = json_object_array_get_idx(v, 1);
    if (json_object_get_type(v) != json_type_array || json_object_array_length(v) == 0)
        return pm_style_perr(ps, NULL, "expected an array of dash and gap lengths");
    size_t n = json_object_array_length(v);
    double sum = 0;
    if (!(l->dash = calloc(n, sizeof(double))))
        return oom(ps);
    l->ndash = n;
    for (size_t i = 0; i < n; i++) {
        json_object *d = json_object_array_get_idx(v, i);
        json_type t = json_object_get_type(d);
        double len = t == json_type_int || t == json_type_double ? json_object_get_double(d) : -1;
        if (!(len >= 0 && len <= 1000)) {
            pm_style_push(ps, NULL, (int)i);
            int rc = pm_style_perr(ps, NULL, "dash lengths are numbers in [0, 1000]");
            pm_style_pop(ps);
            return rc;
        }
        l->dash[i] = json_object_get_double(d);
        sum += l->dash[i];
    }
    if (sum <= 0)
        return pm_style_perr(ps, NULL, "dash lengths cannot all be zero");
    return 0;
}

static int parse_font(pm_style_layer *l, pm_pstate *ps, json_object *v)
{
    size_t n = json_object_get_type(v) == json_type_array ? json_object_array_length(v) : 0,
           len = 1;
    if (n == 0)
        return pm_style_perr(ps, NULL, "expected an array of font family names");
    for (size_t i = 0; i < n; i++) {
        json_object *f = json_object_array_get_idx(v, i);
        if (json_object_get_type(f) != json_type_string) {
            pm_style_push(ps, NULL, (int)i);
            int rc = pm_style_perr(ps, NULL, "expected a font family name");
            pm_style_pop(ps);
            return rc;
        }
        len += strlen(json_object_get_string(f)) + 2;
    }
    if (!(l->font = malloc(len)))
        return oom(ps);
    l->font[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(l->font, ", ");
        strcat(l->font, json_object_get_string(json_object_array_get_idx(v, i)));
    }
    return 0;
}

static int parse_props(pm_style_layer *l, pm_pstate *ps, json_object *obj, int layout)
{
    const char *block = layout ? "layout" : "paint";
    if (json_object_get_type(obj) != json_type_object)
        return pm_style_perr(ps, NULL, "\"%s\" must be an object", block);
    json_object_object_foreach(obj, key, v)
    {
        int p = pm_style_prop_find(key);
        if (p < 0 || pm_style_props[p].layout != layout)
            return pm_style_perr(ps, key,
                                 p < 0 ? "unknown %s key \"%s\" (see styles/README.md)"
                                       : "%s key \"%s\" belongs in the other block",
                                 block, key);
        if (pm_style_props[p].type && pm_style_props[p].type != l->type)
            return pm_style_perr(ps, key, "\"%s\" does not apply to a %s layer", key,
                                 pm_style_type_name(l->type));
        int rc = 0;
        pm_style_push(ps, key, 0);
        switch (p) {
        case PM_P_LINE_DASHARRAY:
            rc = parse_dash(l, ps, v);
            break;
        case PM_P_TEXT_FONT:
            rc = parse_font(l, ps, v);
            break;
        case PM_P_VISIBILITY: {
            const char *s =
                json_object_get_type(v) == json_type_string ? json_object_get_string(v) : "";
            if (strcmp(s, "visible") == 0)
                l->visible = 1;
            else if (strcmp(s, "none") == 0)
                l->visible = 0;
            else
                rc = pm_style_perr(ps, NULL, "visibility is \"visible\" or \"none\"");
            break;
        }
        default:
            rc = pm_expr_parse(&l->prop[p], ps, v, pm_style_props[p].kind);
            if (!rc && p == PM_P_FILL_PATTERN)
                rc = check_patterns(ps, l->prop[p]);
            if (!rc && pm_style_props[p].kind == PM_K_NUM)
                rc = check_numbers(ps, l->prop[p], key, pm_style_props[p].lo, pm_style_props[p].hi);
        }
        pm_style_pop(ps);
        if (rc)
            return rc;
    }
    return 0;
}

static int parse_layer(pm_style *s, pm_style_layer *l, pm_pstate *ps, json_object *obj)
{
    json_object *v;
    int rc;
    l->visible = 1;
    if (json_object_get_type(obj) != json_type_object)
        return pm_style_perr(ps, NULL, "a layer must be an object");
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        static const char *const known[] = {"id", "type", "source", "filter", "paint", "layout"};
        int ok = 0;
        for (size_t i = 0; i < sizeof known / sizeof *known; i++)
            ok |= strcmp(key, known[i]) == 0;
        if (strcmp(key, "minzoom") == 0 || strcmp(key, "maxzoom") == 0)
            return pm_style_perr(ps, key, "\"%s\" is not supported: a printed map has one scale",
                                 key);
        if (!ok)
            return pm_style_perr(ps, key, "unknown layer key \"%s\" (see styles/README.md)", key);
    }
    if (!json_object_object_get_ex(obj, "id", &v) || json_object_get_type(v) != json_type_string)
        return pm_style_perr(ps, json_object_object_get_ex(obj, "id", NULL) ? "id" : NULL,
                             "a layer needs a string \"id\"");
    if (!(l->id = strdup(json_object_get_string(v))))
        return oom(ps);
    for (pm_style_layer *o = s->layers; o < l; o++)
        if (strcmp(o->id, l->id) == 0)
            return pm_style_perr(ps, "id", "duplicate layer id \"%s\"", l->id);
    if (!json_object_object_get_ex(obj, "type", &v) || json_object_get_type(v) != json_type_string)
        return pm_style_perr(ps, json_object_object_get_ex(obj, "type", NULL) ? "type" : NULL,
                             "layer \"%s\" needs a \"type\": fill, line or symbol", l->id);
    const char *t = json_object_get_string(v);
    l->type = strcmp(t, "fill") == 0     ? PM_LAYER_FILL
              : strcmp(t, "line") == 0   ? PM_LAYER_LINE
              : strcmp(t, "symbol") == 0 ? PM_LAYER_SYMBOL
                                         : 0;
    if (!l->type)
        return pm_style_perr(ps, "type", "unsupported layer type \"%s\" (fill, line or symbol)", t);
    if (!json_object_object_get_ex(obj, "source", &v) ||
        json_object_get_type(v) != json_type_string || !*json_object_get_string(v))
        return pm_style_perr(ps, json_object_object_get_ex(obj, "source", NULL) ? "source" : NULL,
                             "layer \"%s\" needs a \"source\": a table in the database", l->id);
    if (!(l->source = strdup(json_object_get_string(v))))
        return oom(ps);
    if (json_object_object_get_ex(obj, "filter", &v)) {
        pm_style_push(ps, "filter", 0);
        rc = pm_expr_parse(&l->filter, ps, v, PM_K_BOOL);
        pm_style_pop(ps);
        if (rc)
            return rc;
    }
    for (int layout = 0; layout < 2; layout++)
        if (json_object_object_get_ex(obj, layout ? "layout" : "paint", &v)) {
            pm_style_push(ps, layout ? "layout" : "paint", 0);
            rc = parse_props(l, ps, v, layout);
            pm_style_pop(ps);
            if (rc)
                return rc;
        }
    return 0;
}

/* ---- the document ------------------------------------------------------- */

static int line_at(const char *text, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off && text[i]; i++)
        line += text[i] == '\n';
    return line;
}

int pm_style_parse(pm_style **out, pm_ctx *ctx, const char *text, const char *name)
{
    int rc = 0;
    json_tokener *tok = NULL;
    json_object *root = NULL, *v;
    pm_style *s = NULL;
    /* A UTF-8 byte order mark, as Windows editors write: not JSON, skipped. */
    if (text && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
        (unsigned char)text[2] == 0xbf)
        text += 3;
    pm_pstate ps = {ctx, text, name ? name : "style", {{0}}, 0};
    *out = NULL;
    if (!text)
        return pm_err(ctx, PM_EUSAGE, "invalid style", ps.name, "no text");
    /* Nesting up to PM_STYLE_MAX_DEPTH (json-c's default is 32); strict
     * refuses json-c's leniencies (NaN itself is caught by range checks). */
    if (!(tok = json_tokener_new_ex(PM_STYLE_MAX_DEPTH)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", ps.name, "JSON parser");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    size_t len = strlen(text);
    root = json_tokener_parse_ex(tok, text, (int)len + 1); /* +1: the NUL ends the document */
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    if (!root || jerr != json_tokener_success || json_tokener_get_parse_end(tok) < len) {
        char where[300];
        size_t off = json_tokener_get_parse_end(tok);
        snprintf(where, sizeof where, "%s:%d", ps.name, line_at(text, off));
        rc = pm_err(ctx, PM_EUSAGE, "invalid style", where, "JSON syntax error: %s",
                    jerr != json_tokener_success ? json_tokener_error_desc(jerr)
                                                 : "text after the document");
        goto done;
    }
    if (json_object_get_type(root) != json_type_object) {
        rc = pm_style_perr(&ps, NULL, "a style is a JSON object");
        goto done;
    }
    if (!(s = calloc(1, sizeof(*s)))) {
        rc = oom(&ps);
        goto done;
    }
    s->page.width_px = 1600;
    s->page.height_px = 1200;
    s->page.dpi = 96;
    s->page.margin_px = 24;
    s->page.background = (pm_color){1, 1, 1, 1};
    s->page.legend_show = 1;
    s->page.scale_bar_show = 1;
    s->page.north_arrow_show = 1;
    s->page.grid_color = (pm_color){0.25, 0.25, 0.25, 0.55};
    s->page.grid_width_pt = 0.4;
    s->page.grid_labels = 1;
    s->page.inset_size = 0.33;
    s->page.inset_min_gain = 2;
    {
        json_object_object_foreach(root, key, val)
        {
            (void)val;
            if (strcmp(key, "version") && strcmp(key, "name") && strcmp(key, "layers") &&
                strcmp(key, "page")) {
                rc = pm_style_perr(
                    &ps, key, "unknown top-level key \"%s\" (version, name, layers, page)", key);
                goto done;
            }
        }
    }
    if (!json_object_object_get_ex(root, "version", &v) ||
        json_object_get_type(v) != json_type_int || json_object_get_int(v) != 8) {
        rc = pm_style_perr(&ps, json_object_object_get_ex(root, "version", NULL) ? "version" : NULL,
                           "\"version\": 8 is required (MapLibre GL style spec v8)");
        goto done;
    }
    if (json_object_object_get_ex(root, "name", &v)) {
        if ((rc = pm_style_want_type(&ps, "name", v, json_type_string, "a string")))
            goto done;
        if (!(s->name = strdup(json_object_get_string(v)))) {
            rc = oom(&ps);
            goto done;
        }
    }
    if (!json_object_object_get_ex(root, "layers", &v) ||
        json_object_get_type(v) != json_type_array || json_object_array_length(v) == 0) {
        rc = pm_style_perr(&ps, json_object_object_get_ex(root, "layers", NULL) ? "layers" : NULL,
                           "\"layers\" must be a non-empty array");
        goto done;
    }
    size_t n = json_object_array_length(v);
    if (!(s->layers = calloc(n, sizeof(pm_style_layer)))) {
        rc = oom(&ps);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        pm_style_push(&ps, "layers", 0);
        pm_style_push(&ps, NULL, (int)i);
        s->nlayers = i + 1;
        rc = parse_layer(s, &s->layers[i], &ps, json_object_array_get_idx(v, i));
        pm_style_pop(&ps);
        pm_style_pop(&ps);
        if (rc)
            goto done;
    }
    if (json_object_object_get_ex(root, "page", &v)) {
        pm_style_push(&ps, "page", 0);
        rc = pm_style_parse_page(s, &ps, v);
        pm_style_pop(&ps);
        if (rc)
            goto done;
    }
    /* Names that must resolve are checked now, not at render time. */
    if (s->page.legend_layer && pm_style_find_layer(s, s->page.legend_layer) < 0) {
        pm_style_push(&ps, "page", 0);
        pm_style_push(&ps, "legend", 0);
        rc = pm_style_perr(&ps, "layer", "no layer has the id \"%s\"", s->page.legend_layer);
        goto done;
    }
    if (s->page.inset_layer) {
        int found = pm_style_find_layer(s, s->page.inset_layer) >= 0;
        for (size_t i = 0; i < s->nlayers; i++)
            found |= strcmp(s->layers[i].source, s->page.inset_layer) == 0;
        if (!found) {
            pm_style_push(&ps, "page", 0);
            pm_style_push(&ps, "inset", 0);
            rc = pm_style_perr(&ps, "layer", "no layer has the id or source \"%s\"",
                               s->page.inset_layer);
            goto done;
        }
    }
    if (s->page.extent_layer) {
        int found = pm_style_find_layer(s, s->page.extent_layer) >= 0;
        for (size_t i = 0; i < s->nlayers; i++)
            found |= strcmp(s->layers[i].source, s->page.extent_layer) == 0;
        if (!found) {
            pm_style_push(&ps, "page", 0);
            rc = pm_style_perr(&ps, "extent-layer", "no layer has the id or source \"%s\"",
                               s->page.extent_layer);
            goto done;
        }
    }
    *out = s;
    s = NULL;
done:
    json_object_put(root);
    json_tokener_free(tok);
    pm_style_free(s);
    return rc;
}

int pm_style_load(pm_style **out, pm_ctx *ctx, const char *path)
{
    int rc = 0;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    FILE *f = fopen(path, "rb");
    *out = NULL;
    if (!f)
        return pm_err(ctx, errno == ENOENT ? PM_EUSAGE : PM_EIO, "cannot read style", path, "%s",
                      strerror(errno));
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (!nb) {
                rc = pm_err(ctx, PM_ENOMEM, "out of memory", path, "style");
                goto done;
            }
            buf = nb;
        }
        size_t r = fread(buf + len, 1, 4096, f);
        len += r;
        if (r < 4096) {
            if (ferror(f)) {
                rc = pm_err(ctx, PM_EIO, "cannot read style", path, "%s", strerror(errno));
                goto done;
            }
            break;
        }
    }
    buf[len] = '\0';
    if (strlen(buf) != len) {
        rc = pm_err(ctx, PM_EUSAGE, "invalid style", path, "the file contains NUL bytes");
        goto done;
    }
    rc = pm_style_parse(out, ctx, buf, path);
done:
    fclose(f);
    free(buf);
    return rc;
}

void pm_style_free(pm_style *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nlayers; i++) {
        pm_style_layer *l = &s->layers[i];
        free(l->id);
        free(l->source);
        pm_expr_free(l->filter);
        for (int p = 0; p < PM_P_COUNT; p++)
            pm_expr_free(l->prop[p]);
        free(l->dash);
        free(l->font);
    }
    free(s->layers);
    for (size_t i = 0; i < s->nstrs; i++)
        free(s->strs[i]);
    free(s->name);
    free(s);
}
