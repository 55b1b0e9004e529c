/* Shared between the style's files; not API. */
#ifndef PM_STYLE_INTERNAL_H
#define PM_STYLE_INTERNAL_H

/* Deepest JSON nesting a style may use (json-c's default is 32). */
#define PM_STYLE_MAX_DEPTH 64

#include "parkmap/style.h"

#include <json-c/json.h>

/* What an expression is expected to produce where it stands: lets the parser
 * reject "fill-color": 3 or a misspelt colour before anything is drawn. */
typedef enum { PM_K_ANY, PM_K_BOOL, PM_K_NUM, PM_K_STR, PM_K_COLOR } pm_kind;

typedef enum { PM_V_NULL, PM_V_BOOL, PM_V_NUM, PM_V_STR, PM_V_COLOR } pm_vtype;

/* A value during evaluation. s is owned by whoever holds the value. */
typedef struct {
    pm_vtype t;
    int b;
    double n;
    char *s;
    pm_color c;
} pm_sval;

typedef enum {
    PM_X_LIT,
    PM_X_GET,
    PM_X_HAS,
    PM_X_MATCH,
    PM_X_CASE,
    PM_X_STEP,
    PM_X_INTERP,
    PM_X_EQ,
    PM_X_NE,
    PM_X_LT,
    PM_X_LE,
    PM_X_GT,
    PM_X_GE,
    PM_X_ALL,
    PM_X_ANY,
    PM_X_NOT,
    PM_X_COALESCE,
    PM_X_CONCAT,
    PM_X_TOSTRING
} pm_xop;

typedef struct pm_expr {
    pm_xop op;
    pm_sval lit;  /* PM_X_LIT */
    char *field;  /* PM_X_GET, PM_X_HAS */
    size_t nargs; /* operands; see below for match/step/interpolate */
    struct pm_expr **args;
    /* match: args = input, out_1..out_n, fallback; branch i has nlabels[i]
     * labels. */
    size_t nbranch;
    pm_sval **labels;
    size_t *nlabels;
    /* step: args = input, out_0, out_1..out_n with stops[0..n-1];
     * interpolate: args = input, out_1..out_n with stops[0..n-1]. */
    double *stops;
    size_t nstops;
} pm_expr;

/* Where the parser stands in the document, for error messages. */
typedef struct {
    const char *key; /* NULL: an array element */
    int index;
} pm_pseg;

typedef struct {
    pm_ctx *ctx;
    const char *text; /* the source, for line numbers */
    const char *name; /* file name for messages */
    pm_pseg path[32];
    int depth;
} pm_pstate;

/* Record a PM_EUSAGE naming name:line and the key at the current path (plus
 * `key` if not NULL). */
int pm_style_perr(pm_pstate *ps, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void pm_style_push(pm_pstate *ps, const char *key, int index);
void pm_style_pop(pm_pstate *ps);
/* Line (1-based) of the current path's last key or element in the source. */
int pm_style_path_line(const char *text, const pm_pseg *path, int depth);

int pm_expr_parse(pm_expr **out, pm_pstate *ps, json_object *j, pm_kind kind);
void pm_expr_free(pm_expr *e);
/* Evaluate; out owns its string. Type mismatches at run time yield null. */
int pm_expr_eval(pm_sval *out, const pm_expr *e, const pm_feature *f, const pm_schema *s);
void pm_sval_clear(pm_sval *v);
/* For a match expression, the branch the feature selects (-1: fallback). */
int pm_expr_match_branch(int *out, const pm_expr *e, const pm_feature *f, const pm_schema *s);
/* MapLibre's to-string. Caller frees; NULL on OOM. */
char *pm_sval_to_string(const pm_sval *v);

/* The properties a layer may set. */
typedef enum {
    PM_P_FILL_COLOR,
    PM_P_FILL_OPACITY,
    PM_P_FILL_OUTLINE_COLOR,
    PM_P_LINE_COLOR,
    PM_P_LINE_WIDTH,
    PM_P_LINE_OPACITY,
    PM_P_LINE_DASHARRAY,
    PM_P_TEXT_COLOR,
    PM_P_TEXT_HALO_COLOR,
    PM_P_TEXT_HALO_WIDTH,
    PM_P_TEXT_FIELD,
    PM_P_TEXT_SIZE,
    PM_P_TEXT_FONT,
    PM_P_VISIBILITY,
    PM_P_FILL_PATTERN,
    PM_P_FILL_ANTIALIAS,
    PM_P_SYMBOL_SORT_KEY,
    PM_P_COUNT
} pm_prop;

/* What a property is (style_props.c, the one table of them). */
typedef struct {
    const char *name;
    int layout;         /* 0: paint, 1: layout */
    pm_layer_type type; /* 0: any layer type */
    pm_kind kind;
    double dflt;    /* a number's value when unset; a boolean's as 0/1 */
    pm_color color; /* a colour's value when unset */
    double lo, hi;  /* the range a number's value must lie in */
} pm_prop_def;

extern const pm_prop_def pm_style_props[PM_P_COUNT];
/* The property of that name, or -1. */
int pm_style_prop_find(const char *name);

typedef struct {
    char *id;
    pm_layer_type type;
    char *source;
    pm_expr *filter;
    pm_expr *prop[PM_P_COUNT];
    double *dash;
    size_t ndash;
    char *font;
    int visible;
} pm_style_layer;

struct pm_style {
    char *name;
    size_t nlayers;
    pm_style_layer *layers;
    pm_page page;
    /* owned storage behind page's borrowed strings */
    char *strs[32];
    size_t nstrs;
};

/* v must have JSON type t (what names it in the error); style.c. */
int pm_style_want_type(pm_pstate *ps, const char *key, json_object *v, json_type t,
                       const char *what);
/* "fill", "line", "symbol"; style.c. */
const char *pm_style_type_name(pm_layer_type t);
/* The "page" block into s (style_page.c). */
int pm_style_parse_page(pm_style *s, pm_pstate *ps, json_object *obj);

#endif
