/* The style's "page" block: size, title, credits, legend, scale bar, north
 * arrow, grid and inset, each key checked (a misspelt one is an error). */
#include "style_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keep a string alive for the page block's borrowed pointers. */
static const char *keep(pm_style *s, pm_pstate *ps, const char *v, int *rc)
{
    if (s->nstrs >= sizeof s->strs / sizeof *s->strs) {
        *rc = pm_err(ps->ctx, PM_ENOMEM, "out of memory", ps->name, "style");
        return NULL;
    }
    char *d = strdup(v);
    if (!d) {
        *rc = pm_err(ps->ctx, PM_ENOMEM, "out of memory", ps->name, "style");
        return NULL;
    }
    s->strs[s->nstrs++] = d;
    return d;
}

/* ---- page --------------------------------------------------------------- */

static int get_bool(int *out, pm_pstate *ps, const char *key, json_object *v)
{
    int rc = pm_style_want_type(ps, key, v, json_type_boolean, "true or false");
    if (!rc)
        *out = json_object_get_boolean(v);
    return rc;
}

static int get_str(const char **out, pm_style *s, pm_pstate *ps, const char *key, json_object *v)
{
    int rc = pm_style_want_type(ps, key, v, json_type_string, "a string");
    if (!rc)
        *out = keep(s, ps, json_object_get_string(v), &rc);
    return rc;
}

static int get_num(double *out, pm_pstate *ps, const char *key, json_object *v, double lo,
                   double hi)
{
    int rc = pm_style_want_type(ps, key, v, json_type_double, "a number");
    if (rc)
        return rc;
    double d = json_object_get_double(v);
    if (!(d >= lo && d <= hi))
        return pm_style_perr(ps, key, "%g is out of range [%g, %g]", d, lo, hi);
    *out = d;
    return 0;
}

static int parse_legend_layers(pm_style *s, pm_pstate *ps, const char *key, json_object *v)
{
    pm_page *pg = &s->page;
    size_t n = json_object_get_type(v) == json_type_array ? json_object_array_length(v) : 0;
    size_t max = sizeof pg->legend_layers / sizeof *pg->legend_layers;
    if (n == 0 || n > max)
        return pm_style_perr(ps, key, "expected an array of 1 to %zu layer ids", max);
    pm_style_push(ps, key, 0);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        pm_style_push(ps, NULL, (int)i);
        rc = get_str(&pg->legend_layers[i], s, ps, NULL, json_object_array_get_idx(v, i));
        if (!rc && pm_style_find_layer(s, pg->legend_layers[i]) < 0)
            rc = pm_style_perr(ps, NULL, "no layer has the id \"%s\"", pg->legend_layers[i]);
        pm_style_pop(ps);
    }
    pm_style_pop(ps);
    pg->legend_nlayers = rc ? 0 : n;
    return rc;
}

static int parse_grid(pm_style *s, pm_pstate *ps, json_object *v)
{
    pm_page *pg = &s->page;
    int rc = 0;
    if (json_object_get_type(v) != json_type_object)
        return pm_style_perr(ps, "grid", "\"grid\" must be an object");
    pg->grid_show = 1; /* a grid block asks for a grid unless it says show: false */
    pm_style_push(ps, "grid", 0);
    json_object_object_foreach(v, k, g)
    {
        const char *t;
        if (strcmp(k, "show") == 0) {
            rc = get_bool(&pg->grid_show, ps, k, g);
        } else if (strcmp(k, "labels") == 0) {
            rc = get_bool(&pg->grid_labels, ps, k, g);
        } else if (strcmp(k, "type") == 0) {
            if (!(rc = get_str(&t, s, ps, k, g))) {
                if (strcmp(t, "graticule") == 0)
                    pg->grid_projected = 0;
                else if (strcmp(t, "projected") == 0)
                    pg->grid_projected = 1;
                else
                    rc = pm_style_perr(ps, k, "type is \"graticule\" (lon/lat) or \"projected\"");
            }
        } else if (strcmp(k, "interval") == 0) {
            rc = get_num(&pg->grid_interval, ps, k, g, 1e-6, 1e7);
        } else if (strcmp(k, "width") == 0) {
            rc = get_num(&pg->grid_width_pt, ps, k, g, 0, 20);
        } else if (strcmp(k, "color") == 0) {
            if (!(rc = pm_style_want_type(ps, k, g, json_type_string, "a colour")) &&
                pm_style_color_parse(&pg->grid_color, NULL, json_object_get_string(g)))
                rc = pm_style_perr(ps, k, "bad colour \"%s\"", json_object_get_string(g));
        } else {
            rc = pm_style_perr(ps, k, "unknown grid key \"%s\" (see styles/README.md)", k);
        }
        if (rc)
            break;
    }
    pm_style_pop(ps);
    return rc;
}

static int parse_inset(pm_style *s, pm_pstate *ps, json_object *v)
{
    pm_page *pg = &s->page;
    int rc = 0;
    if (json_object_get_type(v) != json_type_object)
        return pm_style_perr(ps, "inset", "\"inset\" must be an object");
    pg->inset_show = 1; /* an inset block asks for an inset unless it says show: false */
    pm_style_push(ps, "inset", 0);
    json_object_object_foreach(v, k, g)
    {
        if (strcmp(k, "show") == 0) {
            rc = get_bool(&pg->inset_show, ps, k, g);
        } else if (strcmp(k, "position") == 0) {
            const char *t;
            if (!(rc = get_str(&t, s, ps, k, g)) && strcmp(t, "auto") && strcmp(t, "bottom-left") &&
                strcmp(t, "bottom-right") && strcmp(t, "top-left") && strcmp(t, "top-right"))
                rc = pm_style_perr(ps, k,
                                   "position is auto, bottom-left, bottom-right, top-left or "
                                   "top-right");
            if (!rc)
                pg->inset_position = t;
        } else if (strcmp(k, "size") == 0) {
            rc = get_num(&pg->inset_size, ps, k, g, 0.1, 0.6);
        } else if (strcmp(k, "min-gain") == 0) {
            rc = get_num(&pg->inset_min_gain, ps, k, g, 1, 1000);
        } else if (strcmp(k, "layer") == 0) {
            rc = get_str(&pg->inset_layer, s, ps, k, g);
        } else {
            rc = pm_style_perr(ps, k, "unknown inset key \"%s\" (see styles/README.md)", k);
        }
        if (rc)
            break;
    }
    pm_style_pop(ps);
    return rc;
}

int pm_style_parse_page(pm_style *s, pm_pstate *ps, json_object *obj)
{
    pm_page *pg = &s->page;
    int rc = 0;
    if (json_object_get_type(obj) != json_type_object)
        return pm_style_perr(ps, NULL, "\"page\" must be an object");
    json_object_object_foreach(obj, key, v)
    {
        double d;
        if (strcmp(key, "width") == 0 || strcmp(key, "height") == 0) {
            if ((rc = get_num(&d, ps, key, v, 16, 20000)))
                return rc;
            *(key[0] == 'w' ? &pg->width_px : &pg->height_px) = (int)lround(d);
        } else if (strcmp(key, "dpi") == 0) {
            rc = get_num(&pg->dpi, ps, key, v, 10, 2400);
        } else if (strcmp(key, "margin") == 0) {
            rc = get_num(&pg->margin_px, ps, key, v, 0, 5000);
        } else if (strcmp(key, "background") == 0) {
            if (!(rc = pm_style_want_type(ps, key, v, json_type_string, "a colour")) &&
                pm_style_color_parse(&pg->background, NULL, json_object_get_string(v)))
                rc = pm_style_perr(ps, key, "bad colour \"%s\"", json_object_get_string(v));
        } else if (strcmp(key, "title") == 0) {
            rc = get_str(&pg->title, s, ps, key, v);
        } else if (strcmp(key, "subtitle") == 0) {
            rc = get_str(&pg->subtitle, s, ps, key, v);
        } else if (strcmp(key, "title-font") == 0) {
            rc = get_str(&pg->title_font, s, ps, key, v);
        } else if (strcmp(key, "credits") == 0) {
            rc = get_str(&pg->credits, s, ps, key, v);
        } else if (strcmp(key, "extent-layer") == 0) {
            rc = get_str(&pg->extent_layer, s, ps, key, v);
        } else if (strcmp(key, "width-mm") == 0 || strcmp(key, "height-mm") == 0) {
            rc = get_num(key[0] == 'w' ? &pg->width_mm : &pg->height_mm, ps, key, v, 10, 5000);
        } else if (strcmp(key, "margin-mm") == 0) {
            rc = get_num(&pg->margin_mm, ps, key, v, 0, 500);
        } else if (strcmp(key, "grid") == 0) {
            rc = parse_grid(s, ps, v);
        } else if (strcmp(key, "inset") == 0) {
            rc = parse_inset(s, ps, v);
        } else if (strcmp(key, "legend") == 0 || strcmp(key, "scale-bar") == 0 ||
                   strcmp(key, "north-arrow") == 0) {
            if (json_object_get_type(v) != json_type_object)
                return pm_style_perr(ps, key, "\"%s\" must be an object", key);
            pm_style_push(ps, key, 0);
            json_object_object_foreach(v, k2, v2)
            {
                if (strcmp(k2, "show") == 0) {
                    rc = get_bool(key[0] == 'l'   ? &pg->legend_show
                                  : key[0] == 's' ? &pg->scale_bar_show
                                                  : &pg->north_arrow_show,
                                  ps, k2, v2);
                } else if (key[0] == 'l' && strcmp(k2, "title") == 0) {
                    rc = get_str(&pg->legend_title, s, ps, k2, v2);
                } else if (key[0] == 'l' && strcmp(k2, "layer") == 0) {
                    rc = get_str(&pg->legend_layer, s, ps, k2, v2);
                } else if (key[0] == 'l' && strcmp(k2, "layers") == 0) {
                    rc = parse_legend_layers(s, ps, k2, v2);
                } else if (key[0] == 'l' && strcmp(k2, "present-only") == 0) {
                    rc = get_bool(&pg->legend_present_only, ps, k2, v2);
                } else if (key[0] == 's' && strcmp(k2, "position") == 0) {
                    if (!(rc = get_str(&pg->scale_bar_position, s, ps, k2, v2)) &&
                        strcmp(pg->scale_bar_position, "bottom-left") &&
                        strcmp(pg->scale_bar_position, "bottom-right") &&
                        strcmp(pg->scale_bar_position, "top-left") &&
                        strcmp(pg->scale_bar_position, "top-right"))
                        rc = pm_style_perr(ps, k2,
                                           "position is bottom-left, bottom-right, "
                                           "top-left or top-right");
                } else {
                    rc = pm_style_perr(ps, k2, "unknown %s key \"%s\" (see styles/README.md)", key,
                                       k2);
                }
                if (rc)
                    break;
            }
            pm_style_pop(ps);
        } else {
            rc = pm_style_perr(ps, key, "unknown page key \"%s\" (see styles/README.md)", key);
        }
        if (rc)
            return rc;
    }
    return 0;
}
