/* Colours and the expression subset: parsed once into a small tree, checked
 * for the kind of value each position must produce, evaluated per feature. */
#include "style_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- colours ------------------------------------------------------------ */

static const struct {
    const char *name;
    unsigned rgb;
} named[] = {
    {"black", 0x000000},     {"white", 0xffffff},     {"grey", 0x808080},
    {"gray", 0x808080},      {"silver", 0xc0c0c0},    {"red", 0xff0000},
    {"green", 0x008000},     {"blue", 0x0000ff},      {"yellow", 0xffff00},
    {"orange", 0xffa500},    {"navy", 0x000080},      {"purple", 0x800080},
    {"teal", 0x008080},      {"maroon", 0x800000},    {"olive", 0x808000},
    {"lightgrey", 0xd3d3d3}, {"lightgray", 0xd3d3d3}, {"darkgrey", 0xa9a9a9},
    {"darkgray", 0xa9a9a9},
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* rgb(...)/rgba(...): n numbers separated by commas, the last of rgba in [0,1]. */
static int parse_func(pm_color *out, const char *p, int n)
{
    double v[4];
    for (int i = 0; i < n; i++) {
        char *end;
        while (isspace((unsigned char)*p))
            p++;
        v[i] = strtod(p, &end);
        if (end == p || !isfinite(v[i]))
            return -1;
        p = end;
        while (isspace((unsigned char)*p))
            p++;
        if (*p != (i == n - 1 ? ')' : ','))
            return -1;
        p++;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p)
        return -1;
    for (int i = 0; i < 3; i++)
        if (v[i] < 0 || v[i] > 255)
            return -1;
    if (n == 4 && (v[3] < 0 || v[3] > 1))
        return -1;
    out->r = v[0] / 255, out->g = v[1] / 255, out->b = v[2] / 255;
    out->a = n == 4 ? v[3] : 1;
    return 0;
}

int pm_style_color_parse(pm_color *out, pm_ctx *ctx, const char *text)
{
    const char *t = text ? text : "";
    size_t n = strlen(t);
    if (t[0] == '#' && (n == 4 || n == 7 || n == 9)) {
        int d[8];
        for (size_t i = 1; i < n; i++)
            if ((d[i - 1] = hexval((unsigned char)t[i])) < 0)
                goto bad;
        if (n == 4) {
            out->r = d[0] * 17 / 255.0, out->g = d[1] * 17 / 255.0, out->b = d[2] * 17 / 255.0;
            out->a = 1;
        } else {
            out->r = (d[0] * 16 + d[1]) / 255.0;
            out->g = (d[2] * 16 + d[3]) / 255.0;
            out->b = (d[4] * 16 + d[5]) / 255.0;
            out->a = n == 9 ? (d[6] * 16 + d[7]) / 255.0 : 1;
        }
        return 0;
    }
    if (strncasecmp(t, "rgba(", 5) == 0 && parse_func(out, t + 5, 4) == 0)
        return 0;
    if (strncasecmp(t, "rgb(", 4) == 0 && parse_func(out, t + 4, 3) == 0)
        return 0;
    if (strcasecmp(t, "transparent") == 0) {
        out->r = out->g = out->b = out->a = 0;
        return 0;
    }
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (strcasecmp(t, named[i].name) == 0) {
            out->r = ((named[i].rgb >> 16) & 255) / 255.0;
            out->g = ((named[i].rgb >> 8) & 255) / 255.0;
            out->b = (named[i].rgb & 255) / 255.0;
            out->a = 1;
            return 0;
        }
bad:
    return pm_err(ctx, PM_EUSAGE, "bad colour", t,
                  "expected #rgb, #rrggbb, #rrggbbaa, rgb(), rgba() or a colour name");
}

/* ---- values ------------------------------------------------------------- */

void pm_sval_clear(pm_sval *v)
{
    if (!v)
        return;
    free(v->s);
    memset(v, 0, sizeof(*v));
}

static int sval_copy(pm_sval *out, const pm_sval *in)
{
    *out = *in;
    if (in->t == PM_V_STR) {
        out->s = strdup(in->s ? in->s : "");
        if (!out->s)
            return PM_ENOMEM;
    } else {
        out->s = NULL;
    }
    return 0;
}

static void fmt_num(char *buf, size_t n, double d)
{
    if (d == floor(d) && fabs(d) < 1e15)
        snprintf(buf, n, "%.0f", d);
    else
        snprintf(buf, n, "%.15g", d);
}

char *pm_sval_to_string(const pm_sval *v)
{
    char buf[96];
    switch (v->t) {
    case PM_V_NULL:
        return strdup("");
    case PM_V_BOOL:
        return strdup(v->b ? "true" : "false");
    case PM_V_NUM:
        fmt_num(buf, sizeof buf, v->n);
        return strdup(buf);
    case PM_V_STR:
        return strdup(v->s ? v->s : "");
    case PM_V_COLOR:
        snprintf(buf, sizeof buf, "rgba(%.0f,%.0f,%.0f,%g)", v->c.r * 255, v->c.g * 255,
                 v->c.b * 255, v->c.a);
        return strdup(buf);
    }
    return strdup("");
}

/* ---- parsing ------------------------------------------------------------ */

static const struct {
    const char *name;
    pm_xop op;
} ops[] = {
    {"get", PM_X_GET},       {"has", PM_X_HAS},
    {"match", PM_X_MATCH},   {"case", PM_X_CASE},
    {"step", PM_X_STEP},     {"interpolate", PM_X_INTERP},
    {"==", PM_X_EQ},         {"!=", PM_X_NE},
    {"<", PM_X_LT},          {"<=", PM_X_LE},
    {">", PM_X_GT},          {">=", PM_X_GE},
    {"all", PM_X_ALL},       {"any", PM_X_ANY},
    {"!", PM_X_NOT},         {"coalesce", PM_X_COALESCE},
    {"concat", PM_X_CONCAT}, {"to-string", PM_X_TOSTRING},
    {"literal", PM_X_LIT},
};

static const char *kind_name(pm_kind k)
{
    switch (k) {
    case PM_K_BOOL:
        return "a boolean";
    case PM_K_NUM:
        return "a number";
    case PM_K_STR:
        return "a string";
    case PM_K_COLOR:
        return "a colour";
    default:
        return "a value";
    }
}

void pm_expr_free(pm_expr *e)
{
    if (!e)
        return;
    pm_sval_clear(&e->lit);
    free(e->field);
    for (size_t i = 0; i < e->nargs; i++)
        pm_expr_free(e->args[i]);
    free(e->args);
    for (size_t i = 0; i < e->nbranch; i++) {
        for (size_t j = 0; e->labels && j < e->nlabels[i]; j++)
            pm_sval_clear(&e->labels[i][j]);
        if (e->labels)
            free(e->labels[i]);
    }
    free(e->labels);
    free(e->nlabels);
    free(e->stops);
    free(e);
}

static pm_expr *new_expr(pm_pstate *ps, pm_xop op, size_t nargs)
{
    pm_expr *e = calloc(1, sizeof(*e));
    if (e && nargs) {
        e->args = calloc(nargs, sizeof(pm_expr *));
        if (!e->args) {
            free(e);
            e = NULL;
        }
    }
    if (e) {
        e->op = op;
        e->nargs = nargs;
    } else {
        pm_err(ps->ctx, PM_ENOMEM, "out of memory", ps->name, "expression");
    }
    return e;
}

/* A scalar JSON literal in a position of kind k. */
static int parse_literal(pm_expr **out, pm_pstate *ps, json_object *j, pm_kind k)
{
    pm_expr *e = new_expr(ps, PM_X_LIT, 0);
    int rc = 0;
    if (!e)
        return PM_ENOMEM;
    switch (json_object_get_type(j)) {
    case json_type_null:
        e->lit.t = PM_V_NULL;
        break;
    case json_type_boolean:
        e->lit.t = PM_V_BOOL;
        e->lit.b = json_object_get_boolean(j);
        if (k != PM_K_ANY && k != PM_K_BOOL)
            rc = pm_style_perr(ps, NULL, "got a boolean where %s is expected", kind_name(k));
        break;
    case json_type_int:
    case json_type_double:
        e->lit.t = PM_V_NUM;
        e->lit.n = json_object_get_double(j);
        if (k != PM_K_ANY && k != PM_K_NUM && k != PM_K_STR)
            rc = pm_style_perr(ps, NULL, "got a number where %s is expected", kind_name(k));
        break;
    case json_type_string: {
        const char *s = json_object_get_string(j);
        if (k == PM_K_COLOR) {
            e->lit.t = PM_V_COLOR;
            if (pm_style_color_parse(&e->lit.c, NULL, s))
                rc = pm_style_perr(ps, NULL,
                                   "bad colour \"%s\" (expected #rgb, #rrggbb, #rrggbbaa, "
                                   "rgb(), rgba() or a colour name)",
                                   s);
        } else if (k == PM_K_NUM || k == PM_K_BOOL) {
            rc = pm_style_perr(ps, NULL, "got the string \"%s\" where %s is expected", s,
                               kind_name(k));
        } else {
            e->lit.t = PM_V_STR;
            e->lit.s = strdup(s);
            if (!e->lit.s)
                rc = pm_err(ps->ctx, PM_ENOMEM, "out of memory", ps->name, "expression");
        }
        break;
    }
    default:
        rc = pm_style_perr(ps, NULL, "an object is not an expression");
    }
    if (rc) {
        pm_expr_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

/* Parse element i of array j as an expression of kind k. */
static int parse_arg(pm_expr **out, pm_pstate *ps, json_object *j, size_t i, pm_kind k)
{
    pm_style_push(ps, NULL, (int)i);
    int rc = pm_expr_parse(out, ps, json_object_array_get_idx(j, i), k);
    pm_style_pop(ps);
    return rc;
}

/* A literal number at element i (step and interpolate stops). */
static int parse_stop(double *out, pm_pstate *ps, json_object *j, size_t i)
{
    json_object *v = json_object_array_get_idx(j, i);
    json_type t = json_object_get_type(v);
    if (t != json_type_int && t != json_type_double) {
        pm_style_push(ps, NULL, (int)i);
        int rc = pm_style_perr(ps, NULL, "a stop must be a literal number");
        pm_style_pop(ps);
        return rc;
    }
    *out = json_object_get_double(v);
    return 0;
}

/* One match label: a string or number, or an array of them. */
static int parse_labels(pm_expr *e, size_t b, pm_pstate *ps, json_object *j)
{
    int is_arr = json_object_get_type(j) == json_type_array;
    size_t n = is_arr ? json_object_array_length(j) : 1;
    if (n == 0)
        return pm_style_perr(ps, NULL, "an empty array is not a match label");
    e->labels[b] = calloc(n, sizeof(pm_sval));
    if (!e->labels[b])
        return pm_err(ps->ctx, PM_ENOMEM, "out of memory", ps->name, "expression");
    e->nlabels[b] = n;
    for (size_t i = 0; i < n; i++) {
        json_object *v = is_arr ? json_object_array_get_idx(j, i) : j;
        pm_sval *l = &e->labels[b][i];
        switch (json_object_get_type(v)) {
        case json_type_int:
        case json_type_double:
            l->t = PM_V_NUM;
            l->n = json_object_get_double(v);
            break;
        case json_type_string:
            l->t = PM_V_STR;
            if (!(l->s = strdup(json_object_get_string(v))))
                return pm_err(ps->ctx, PM_ENOMEM, "out of memory", ps->name, "expression");
            break;
        default:
            return pm_style_perr(ps, NULL, "match labels must be strings or numbers");
        }
    }
    return 0;
}

static int check_kind(pm_pstate *ps, const char *op, pm_kind have, pm_kind want)
{
    if (want == PM_K_ANY || want == have)
        return 0;
    if (want == PM_K_STR && have != PM_K_BOOL)
        return 0; /* text-field accepts anything to-string can format */
    return pm_style_perr(ps, NULL, "\"%s\" yields %s where %s is expected", op, kind_name(have),
                         kind_name(want));
}

int pm_expr_parse(pm_expr **out, pm_pstate *ps, json_object *j, pm_kind k)
{
    pm_expr *e = NULL;
    int rc = 0;
    *out = NULL;
    if (json_object_get_type(j) != json_type_array)
        return parse_literal(out, ps, j, k);
    size_t n = json_object_array_length(j);
    json_object *j0 = n ? json_object_array_get_idx(j, 0) : NULL;
    if (!j0 || json_object_get_type(j0) != json_type_string)
        return pm_style_perr(ps, NULL,
                             "an expression is an array starting with an operator "
                             "name");
    const char *name = json_object_get_string(j0);
    int op = -1;
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (strcmp(name, ops[i].name) == 0)
            op = (int)ops[i].op;
    if (op < 0)
        return pm_style_perr(ps, NULL,
                             "unknown expression operator \"%s\" (supported: get, has, match, "
                             "case, step, interpolate, ==, !=, <, <=, >, >=, all, any, !, "
                             "coalesce, concat, to-string, literal)",
                             name);
    switch ((pm_xop)op) {
    case PM_X_LIT:
        if (n != 2)
            return pm_style_perr(ps, NULL, "\"literal\" takes one value");
        pm_style_push(ps, NULL, 1);
        if (json_object_get_type(json_object_array_get_idx(j, 1)) == json_type_array)
            rc = pm_style_perr(ps, NULL,
                               "array literals are only supported in "
                               "line-dasharray");
        else
            rc = parse_literal(out, ps, json_object_array_get_idx(j, 1), k);
        pm_style_pop(ps);
        return rc;
    case PM_X_GET:
    case PM_X_HAS: {
        json_object *f = n == 2 ? json_object_array_get_idx(j, 1) : NULL;
        if (!f || json_object_get_type(f) != json_type_string)
            return pm_style_perr(ps, NULL, "\"%s\" takes one field name (a string)", name);
        if (op == PM_X_HAS && (rc = check_kind(ps, name, PM_K_BOOL, k)))
            return rc;
        if (!(e = new_expr(ps, (pm_xop)op, 0)))
            return PM_ENOMEM;
        if (!(e->field = strdup(json_object_get_string(f)))) {
            rc = pm_err(ps->ctx, PM_ENOMEM, "out of memory", ps->name, "expression");
            goto done;
        }
        break;
    }
    case PM_X_MATCH: {
        /* ["match", input, l1, o1, ..., ln, on, fallback] */
        if (n < 5 || n % 2 != 1)
            return pm_style_perr(ps, NULL,
                                 "\"match\" needs an input, label/output pairs and a "
                                 "fallback");
        size_t nb = (n - 3) / 2;
        if (!(e = new_expr(ps, PM_X_MATCH, nb + 2)))
            return PM_ENOMEM;
        e->nbranch = nb;
        e->labels = calloc(nb, sizeof(pm_sval *));
        e->nlabels = calloc(nb, sizeof(size_t));
        if (!e->labels || !e->nlabels) {
            rc = pm_err(ps->ctx, PM_ENOMEM, "out of memory", ps->name, "expression");
            goto done;
        }
        if ((rc = parse_arg(&e->args[0], ps, j, 1, PM_K_ANY)))
            goto done;
        for (size_t b = 0; b < nb; b++) {
            pm_style_push(ps, NULL, (int)(2 + 2 * b));
            rc = parse_labels(e, b, ps, json_object_array_get_idx(j, 2 + 2 * b));
            pm_style_pop(ps);
            if (rc || (rc = parse_arg(&e->args[1 + b], ps, j, 3 + 2 * b, k)))
                goto done;
        }
        if ((rc = parse_arg(&e->args[nb + 1], ps, j, n - 1, k)))
            goto done;
        break;
    }
    case PM_X_CASE: {
        /* ["case", c1, o1, ..., cn, on, fallback] */
        if (n < 4 || n % 2 != 0)
            return pm_style_perr(ps, NULL,
                                 "\"case\" needs condition/output pairs and a "
                                 "fallback");
        if (!(e = new_expr(ps, PM_X_CASE, n - 1)))
            return PM_ENOMEM;
        for (size_t i = 1; i < n; i++)
            if ((rc = parse_arg(&e->args[i - 1], ps, j, i,
                                (i % 2 == 1 && i != n - 1) ? PM_K_BOOL : k)))
                goto done;
        break;
    }
    case PM_X_STEP: {
        /* ["step", input, out0, s1, o1, ..., sn, on] */
        if (n < 3 || n % 2 != 1)
            return pm_style_perr(ps, NULL,
                                 "\"step\" needs an input, a base output and "
                                 "stop/output pairs");
        size_t ns = (n - 3) / 2;
        if (!(e = new_expr(ps, PM_X_STEP, ns + 2)))
            return PM_ENOMEM;
        e->nstops = ns;
        if (ns && !(e->stops = calloc(ns, sizeof(double)))) {
            rc = pm_err(ps->ctx, PM_ENOMEM, "out of memory", ps->name, "expression");
            goto done;
        }
        if ((rc = parse_arg(&e->args[0], ps, j, 1, PM_K_NUM)) ||
            (rc = parse_arg(&e->args[1], ps, j, 2, k)))
            goto done;
        for (size_t i = 0; i < ns; i++) {
            if ((rc = parse_stop(&e->stops[i], ps, j, 3 + 2 * i)))
                goto done;
            if (i > 0 && e->stops[i] <= e->stops[i - 1]) {
                pm_style_push(ps, NULL, (int)(3 + 2 * i));
                rc = pm_style_perr(ps, NULL, "step stops must be strictly ascending");
                pm_style_pop(ps);
                goto done;
            }
            if ((rc = parse_arg(&e->args[2 + i], ps, j, 4 + 2 * i, k)))
                goto done;
        }
        break;
    }
    case PM_X_INTERP: {
        /* ["interpolate", ["linear"], input, s1, o1, ..., sn, on] */
        if (k != PM_K_NUM && k != PM_K_COLOR && k != PM_K_ANY)
            return pm_style_perr(ps, NULL, "\"interpolate\" yields numbers or colours, not %s",
                                 kind_name(k));
        json_object *t = n > 1 ? json_object_array_get_idx(j, 1) : NULL;
        if (!t || json_object_get_type(t) != json_type_array || json_object_array_length(t) != 1 ||
            json_object_get_type(json_object_array_get_idx(t, 0)) != json_type_string ||
            strcmp(json_object_get_string(json_object_array_get_idx(t, 0)), "linear") != 0) {
            pm_style_push(ps, NULL, 1);
            rc = pm_style_perr(ps, NULL, "only [\"linear\"] interpolation is supported");
            pm_style_pop(ps);
            return rc;
        }
        if (n < 5 || n % 2 != 1)
            return pm_style_perr(ps, NULL,
                                 "\"interpolate\" needs an input and stop/output "
                                 "pairs");
        size_t ns = (n - 3) / 2;
        if (!(e = new_expr(ps, PM_X_INTERP, ns + 1)))
            return PM_ENOMEM;
        e->nstops = ns;
        if (!(e->stops = calloc(ns, sizeof(double)))) {
            rc = pm_err(ps->ctx, PM_ENOMEM, "out of memory", ps->name, "expression");
            goto done;
        }
        if ((rc = parse_arg(&e->args[0], ps, j, 2, PM_K_NUM)))
            goto done;
        for (size_t i = 0; i < ns; i++) {
            if ((rc = parse_stop(&e->stops[i], ps, j, 3 + 2 * i)))
                goto done;
            if (i > 0 && e->stops[i] <= e->stops[i - 1]) {
                pm_style_push(ps, NULL, (int)(3 + 2 * i));
                rc = pm_style_perr(ps, NULL, "interpolate stops must be strictly ascending");
                pm_style_pop(ps);
                goto done;
            }
            if ((rc = parse_arg(&e->args[1 + i], ps, j, 4 + 2 * i, k == PM_K_ANY ? PM_K_NUM : k)))
                goto done;
        }
        break;
    }
    case PM_X_EQ:
    case PM_X_NE:
    case PM_X_LT:
    case PM_X_LE:
    case PM_X_GT:
    case PM_X_GE:
        if (n != 3)
            return pm_style_perr(ps, NULL, "\"%s\" compares exactly two values", name);
        if ((rc = check_kind(ps, name, PM_K_BOOL, k)))
            return rc;
        if (!(e = new_expr(ps, (pm_xop)op, 2)))
            return PM_ENOMEM;
        if ((rc = parse_arg(&e->args[0], ps, j, 1, PM_K_ANY)) ||
            (rc = parse_arg(&e->args[1], ps, j, 2, PM_K_ANY)))
            goto done;
        break;
    case PM_X_NOT:
        if (n != 2)
            return pm_style_perr(ps, NULL, "\"!\" takes one value");
        /* fall through */
    case PM_X_ALL:
    case PM_X_ANY:
        if ((rc = check_kind(ps, name, PM_K_BOOL, k)))
            return rc;
        if (!(e = new_expr(ps, (pm_xop)op, n - 1)))
            return PM_ENOMEM;
        for (size_t i = 1; i < n; i++)
            if ((rc = parse_arg(&e->args[i - 1], ps, j, i, PM_K_BOOL)))
                goto done;
        break;
    case PM_X_COALESCE:
    case PM_X_CONCAT:
    case PM_X_TOSTRING:
        if (n < 2 || (op == PM_X_TOSTRING && n != 2))
            return pm_style_perr(ps, NULL, "\"%s\" needs %s", name,
                                 op == PM_X_TOSTRING ? "one value" : "at least one value");
        if (op != PM_X_COALESCE && (rc = check_kind(ps, name, PM_K_STR, k)))
            return rc;
        if (!(e = new_expr(ps, (pm_xop)op, n - 1)))
            return PM_ENOMEM;
        for (size_t i = 1; i < n; i++)
            if ((rc = parse_arg(&e->args[i - 1], ps, j, i, op == PM_X_COALESCE ? k : PM_K_ANY)))
                goto done;
        break;
    }
done:
    if (rc) {
        pm_expr_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

/* ---- evaluation --------------------------------------------------------- */

static int truthy(const pm_sval *v)
{
    return v->t == PM_V_BOOL && v->b;
}

static int sval_equal(const pm_sval *a, const pm_sval *b)
{
    if (a->t != b->t)
        return 0;
    switch (a->t) {
    case PM_V_NULL:
        return 1;
    case PM_V_BOOL:
        return a->b == b->b;
    case PM_V_NUM:
        return a->n == b->n;
    case PM_V_STR:
        return strcmp(a->s ? a->s : "", b->s ? b->s : "") == 0;
    case PM_V_COLOR:
        return a->c.r == b->c.r && a->c.g == b->c.g && a->c.b == b->c.b && a->c.a == b->c.a;
    }
    return 0;
}

/* Ordering of two numbers or two strings; 2 when they do not compare. */
static int sval_order(const pm_sval *a, const pm_sval *b)
{
    if (a->t == PM_V_NUM && b->t == PM_V_NUM)
        return a->n < b->n ? -1 : a->n > b->n ? 1 : 0;
    if (a->t == PM_V_STR && b->t == PM_V_STR) {
        int c = strcmp(a->s ? a->s : "", b->s ? b->s : "");
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    return 2;
}

static int get_field(pm_sval *out, const char *field, const pm_feature *f, const pm_schema *s)
{
    int i = pm_schema_find(s, field);
    memset(out, 0, sizeof(*out));
    if (i < 0 || !f || (size_t)i >= f->nvalues || f->values[i].is_null)
        return 0;
    const pm_value *v = &f->values[i];
    switch (v->type) {
    case PM_FIELD_INTEGER:
        out->t = PM_V_NUM;
        out->n = (double)v->i;
        break;
    case PM_FIELD_REAL:
        out->t = PM_V_NUM;
        out->n = v->d;
        break;
    case PM_FIELD_TEXT:
        out->t = PM_V_STR;
        if (!(out->s = strdup(v->s ? v->s : "")))
            return PM_ENOMEM;
        break;
    }
    return 0;
}

/* Match: which branch the input selects, -1 for the fallback. */
static int match_branch(const pm_expr *e, const pm_sval *in)
{
    for (size_t b = 0; b < e->nbranch; b++)
        for (size_t l = 0; l < e->nlabels[b]; l++)
            if (sval_equal(&e->labels[b][l], in))
                return (int)b;
    return -1;
}

int pm_expr_match_branch(int *out, const pm_expr *e, const pm_feature *f, const pm_schema *s)
{
    pm_sval in;
    *out = -1;
    if (e->op != PM_X_MATCH)
        return 0;
    int rc = pm_expr_eval(&in, e->args[0], f, s);
    if (!rc)
        *out = match_branch(e, &in);
    pm_sval_clear(&in);
    return rc;
}

static double lerp(double a, double b, double t)
{
    return a + (b - a) * t;
}

int pm_expr_eval(pm_sval *out, const pm_expr *e, const pm_feature *f, const pm_schema *s)
{
    pm_sval a = {0}, b = {0};
    int rc = 0;
    memset(out, 0, sizeof(*out));
    switch (e->op) {
    case PM_X_LIT:
        return sval_copy(out, &e->lit);
    case PM_X_GET:
        return get_field(out, e->field, f, s);
    case PM_X_HAS: {
        int i = pm_schema_find(s, e->field);
        out->t = PM_V_BOOL;
        out->b = i >= 0 && f && (size_t)i < f->nvalues && !f->values[i].is_null;
        return 0;
    }
    case PM_X_MATCH:
        if ((rc = pm_expr_eval(&a, e->args[0], f, s)))
            break;
        {
            int br = match_branch(e, &a);
            rc = pm_expr_eval(out, e->args[br < 0 ? e->nbranch + 1 : (size_t)br + 1], f, s);
        }
        break;
    case PM_X_CASE:
        for (size_t i = 0; i + 1 < e->nargs; i += 2) {
            if ((rc = pm_expr_eval(&a, e->args[i], f, s)))
                goto done;
            int hit = truthy(&a);
            pm_sval_clear(&a);
            if (hit)
                return pm_expr_eval(out, e->args[i + 1], f, s);
        }
        return pm_expr_eval(out, e->args[e->nargs - 1], f, s);
    case PM_X_STEP: {
        if ((rc = pm_expr_eval(&a, e->args[0], f, s)))
            break;
        if (a.t != PM_V_NUM)
            break; /* null */
        size_t k = 0;
        while (k < e->nstops && a.n >= e->stops[k])
            k++;
        rc = pm_expr_eval(out, e->args[1 + k], f, s);
        break;
    }
    case PM_X_INTERP: {
        if ((rc = pm_expr_eval(&a, e->args[0], f, s)))
            break;
        if (a.t != PM_V_NUM)
            break;
        size_t ns = e->nstops;
        if (a.n <= e->stops[0] || ns == 1) {
            rc = pm_expr_eval(out, e->args[1], f, s);
            break;
        }
        if (a.n >= e->stops[ns - 1]) {
            rc = pm_expr_eval(out, e->args[ns], f, s);
            break;
        }
        size_t k = 1;
        while (a.n > e->stops[k])
            k++;
        double t = (a.n - e->stops[k - 1]) / (e->stops[k] - e->stops[k - 1]);
        pm_sval lo = {0}, hi = {0};
        if ((rc = pm_expr_eval(&lo, e->args[k], f, s)) ||
            (rc = pm_expr_eval(&hi, e->args[k + 1], f, s))) {
            pm_sval_clear(&lo);
            pm_sval_clear(&hi);
            break;
        }
        if (lo.t == PM_V_NUM && hi.t == PM_V_NUM) {
            out->t = PM_V_NUM;
            out->n = lerp(lo.n, hi.n, t);
        } else if (lo.t == PM_V_COLOR && hi.t == PM_V_COLOR) {
            out->t = PM_V_COLOR;
            out->c.r = lerp(lo.c.r, hi.c.r, t);
            out->c.g = lerp(lo.c.g, hi.c.g, t);
            out->c.b = lerp(lo.c.b, hi.c.b, t);
            out->c.a = lerp(lo.c.a, hi.c.a, t);
        }
        pm_sval_clear(&lo);
        pm_sval_clear(&hi);
        break;
    }
    case PM_X_EQ:
    case PM_X_NE:
    case PM_X_LT:
    case PM_X_LE:
    case PM_X_GT:
    case PM_X_GE: {
        if ((rc = pm_expr_eval(&a, e->args[0], f, s)) || (rc = pm_expr_eval(&b, e->args[1], f, s)))
            break;
        out->t = PM_V_BOOL;
        if (e->op == PM_X_EQ || e->op == PM_X_NE) {
            out->b = sval_equal(&a, &b) == (e->op == PM_X_EQ);
        } else {
            int o = sval_order(&a, &b);
            out->b = o != 2 && ((e->op == PM_X_LT && o < 0) || (e->op == PM_X_LE && o <= 0) ||
                                (e->op == PM_X_GT && o > 0) || (e->op == PM_X_GE && o >= 0));
        }
        break;
    }
    case PM_X_ALL:
    case PM_X_ANY: {
        int want = e->op == PM_X_ANY;
        out->t = PM_V_BOOL;
        out->b = !want;
        for (size_t i = 0; i < e->nargs; i++) {
            if ((rc = pm_expr_eval(&a, e->args[i], f, s)))
                goto done;
            int t = truthy(&a);
            pm_sval_clear(&a);
            if (t == want) {
                out->b = want;
                break;
            }
        }
        break;
    }
    case PM_X_NOT:
        if ((rc = pm_expr_eval(&a, e->args[0], f, s)))
            break;
        out->t = PM_V_BOOL;
        out->b = !truthy(&a);
        break;
    case PM_X_COALESCE:
        for (size_t i = 0; i < e->nargs; i++) {
            if ((rc = pm_expr_eval(out, e->args[i], f, s)))
                goto done;
            if (out->t != PM_V_NULL)
                return 0;
        }
        break;
    case PM_X_CONCAT:
    case PM_X_TOSTRING: {
        size_t len = 0, cap = 64;
        char *buf = malloc(cap);
        if (!buf) {
            rc = PM_ENOMEM;
            break;
        }
        buf[0] = '\0';
        for (size_t i = 0; i < e->nargs; i++) {
            if ((rc = pm_expr_eval(&a, e->args[i], f, s)))
                break;
            char *t = pm_sval_to_string(&a);
            pm_sval_clear(&a);
            if (!t) {
                rc = PM_ENOMEM;
                break;
            }
            size_t tl = strlen(t);
            if (len + tl + 1 > cap) {
                while (len + tl + 1 > cap)
                    cap *= 2;
                char *nb = realloc(buf, cap);
                if (!nb) {
                    free(t);
                    rc = PM_ENOMEM;
                    break;
                }
                buf = nb;
            }
            memcpy(buf + len, t, tl + 1);
            len += tl;
            free(t);
        }
        if (rc) {
            free(buf);
            break;
        }
        out->t = PM_V_STR;
        out->s = buf;
        break;
    }
    }
done:
    pm_sval_clear(&a);
    pm_sval_clear(&b);
    if (rc)
        pm_sval_clear(out);
    return rc;
}
