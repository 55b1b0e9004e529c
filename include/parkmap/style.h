/* parkmap/style.h: map styles, a strict subset of the MapLibre GL style
 * specification plus a "page" block (documented in styles/README.md). */
#ifndef PARKMAP_STYLE_H
#define PARKMAP_STYLE_H

#include "parkmap/error.h"
#include "parkmap/feature.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pm_style pm_style;

/** Parse a style file. Unknown keys, bad colours and bad expressions fail
 * with PM_EUSAGE naming the file, line and key. Caller owns *out. */
int pm_style_load(pm_style **out, pm_ctx *ctx, const char *path);
/** Parse a style from memory; `name` is used in error messages. */
int pm_style_parse(pm_style **out, pm_ctx *ctx, const char *text, const char *name);
/** Release. NULL-safe. */
void pm_style_free(pm_style *s);

/** The attribute names the layers drawing `source` read (get/has in their
 * filters and properties), each once. Caller owns *out: free each name and
 * the array. */
int pm_style_source_fields(char ***out, size_t *out_n, pm_ctx *ctx, const pm_style *s,
                           const char *source);

/** Number of layers, and the source table of layer i (borrowed). */
size_t pm_style_nlayers(const pm_style *s);
const char *pm_style_layer_source(const pm_style *s, size_t i);

/* ---- colours ------------------------------------------------------------ */

/** A colour with straight (not premultiplied) components in [0, 1]. */
typedef struct {
    double r, g, b, a;
} pm_color;

/** Parse a CSS-style colour: #rgb, #rrggbb, #rrggbbaa, rgb(r,g,b),
 * rgba(r,g,b,a) or a name (white, black, transparent, grey/gray, red, green,
 * blue, yellow, orange, navy, ...). Fails with PM_EUSAGE; ctx may be NULL. */
int pm_style_color_parse(pm_color *out, pm_ctx *ctx, const char *text);

/* ---- layers ------------------------------------------------------------- */

typedef enum { PM_LAYER_FILL = 1, PM_LAYER_LINE = 2, PM_LAYER_SYMBOL = 3 } pm_layer_type;

/** The style's "name" (borrowed; "" when absent). */
const char *pm_style_name(const pm_style *s);
/** Layer i's id (borrowed), type, and whether layout.visibility is "visible". */
const char *pm_style_layer_id(const pm_style *s, size_t i);
pm_layer_type pm_style_layer_type(const pm_style *s, size_t i);
int pm_style_layer_visible(const pm_style *s, size_t i);
/** Index of the layer with this id, or -1. */
int pm_style_find_layer(const pm_style *s, const char *id);
/** layout.text-font as a Pango family list ("A, B, C"), or NULL when the
 * style gives none (borrowed). */
const char *pm_style_layer_font(const pm_style *s, size_t i);
/** paint.line-dasharray (in line widths, as in MapLibre), or NULL with
 * *out_n = 0 for a solid line (borrowed). */
const double *pm_style_layer_dasharray(const pm_style *s, size_t i, size_t *out_n);
/** Is paint/layout property `prop` (e.g. "fill-outline-color") set on layer i? */
int pm_style_layer_has(const pm_style *s, size_t i, const char *prop);

/* ---- evaluation --------------------------------------------------------- *
 * Properties are evaluated per feature; `schema` names the feature's values.
 * A property the layer does not set, or whose expression yields null or a
 * value of the wrong type for this feature, takes the MapLibre default
 * (colours black, halo transparent, opacities 1, line-width 1, text-size
 * 16, halo width 0, text-field ""). An unknown property name, or one that
 * does not belong to the layer's type, fails with PM_EUSAGE. */

/** The layer's filter: *out = 1 when the feature is drawn (no filter: 1). */
int pm_style_eval_filter(int *out, pm_ctx *ctx, const pm_style *s, size_t layer,
                         const pm_feature *f, const pm_schema *schema);
int pm_style_eval_color(pm_color *out, pm_ctx *ctx, const pm_style *s, size_t layer,
                        const char *prop, const pm_feature *f, const pm_schema *schema);
int pm_style_eval_number(double *out, pm_ctx *ctx, const pm_style *s, size_t layer,
                         const char *prop, const pm_feature *f, const pm_schema *schema);
/** A string property (text-field); numbers are formatted as MapLibre's
 * to-string does. Caller owns *out (free()). */
int pm_style_eval_string(char **out, pm_ctx *ctx, const pm_style *s, size_t layer, const char *prop,
                         const pm_feature *f, const pm_schema *schema);

/** A boolean property (fill-antialias; default true). */
int pm_style_eval_bool(int *out, pm_ctx *ctx, const pm_style *s, size_t layer, const char *prop,
                       const pm_feature *f, const pm_schema *schema);
/** 1 if `name` is a built-in fill-pattern (hatch, backhatch, crosshatch,
 * horizontal, vertical, grid, dots), else 0. pm_style_eval_string on
 * "fill-pattern" yields one of these or "" (a plain fill). */
int pm_style_pattern_known(const char *name);

/* ---- classes (legends) -------------------------------------------------- */

/** One category of a `match` expression: its label(s) and output colour. */
typedef struct {
    char *label; /* the match label; an array of labels joined with ", " */
    pm_color color;
} pm_style_class;

/** The categories of layer i's colour property `prop` when it is a match
 * expression with literal colour outputs (fallback excluded). A property
 * that is a constant colour yields one class labelled with the layer id;
 * anything else yields none. Caller owns *out (pm_style_classes_free). */
int pm_style_classes(pm_style_class **out, size_t *out_n, pm_ctx *ctx, const pm_style *s,
                     size_t layer, const char *prop);
void pm_style_classes_free(pm_style_class *c, size_t n);
/** Which of those classes a feature falls in (-1: the fallback or none). */
int pm_style_class_of(int *out, pm_ctx *ctx, const pm_style *s, size_t layer, const char *prop,
                      const pm_feature *f, const pm_schema *schema);

/* ---- page --------------------------------------------------------------- */

/** The page block: what a printed map needs and GL lacks. Strings are
 * borrowed from the style and NULL when not given. */
typedef struct {
    int width_px, height_px; /* default 1600 x 1200 */
    double dpi;              /* default 96 */
    double margin_px;        /* default 24 */
    pm_color background;     /* default white */
    const char *title, *subtitle, *title_font, *credits;
    const char *extent_layer; /* layer id or source to fit the map to */
    int legend_show;          /* default 1 when a legend layer can be found */
    const char *legend_title;
    const char *legend_layer; /* layer id; default the first fill layer */
    int legend_present_only;
    int scale_bar_show;             /* default 1 */
    const char *scale_bar_position; /* "bottom-left" (default), "bottom-right",
                                       "top-left", "top-right" */
    int north_arrow_show;           /* default 1 */
    /* Print pages: a size in millimetres at the page's dpi wins over px. */
    double width_mm, height_mm; /* 0: not given */
    double margin_mm;           /* 0: not given (margin_px applies) */
    /* Coordinate grid over the map (page.grid). */
    int grid_show;        /* default 0; a grid block turns it on */
    int grid_projected;   /* 0: graticule (lon/lat degrees), 1: storage CRS grid */
    double grid_interval; /* degrees or storage units; 0: chosen for ~4-8 lines */
    pm_color grid_color;  /* default rgba(64, 64, 64, 0.55) */
    double grid_width_pt; /* default 0.4 */
    int grid_labels;      /* default 1: coordinates along the frame */
    /* page.legend.layers: legend rows from several layers, in this order
     * (overrides legend_layer when given). */
    size_t legend_nlayers;
    const char *legend_layers[8];
    /* page.inset: a second panel showing the densest cluster of parks at a
     * larger scale, labelled where the main map has no room. */
    int inset_show;             /* default 0; an inset block turns it on */
    const char *inset_position; /* "auto" (default) or a corner, as the scale bar's */
    double inset_size;          /* panel's longer side / the frame's shorter side; 0.33 */
    double inset_min_gain;      /* drawn only when it magnifies this much; default 2 */
    const char *inset_layer;    /* layer id or source whose crowded labels it serves;
                                   default every symbol layer */
} pm_page;

/** The page block with defaults filled in (borrowed from s). */
const pm_page *pm_style_page(const pm_style *s);

/* ---- style introspection for export ---- *
 * Read-only views of a style reduced to what other renderers (QGIS QML,
 * OGC SLD, KML) can express: constant values, categories of a `match` on
 * one attribute, filters that compare attributes with literals, and the
 * attributes a label reads. Anything else is reported as not expressible,
 * never approximated silently. */

/** A literal a style compares or matches against. `text` is always set
 * (numbers formatted as to-string does); is_number tells which it was. */
typedef struct {
    int is_number;
    double number;
    char *text;
} pm_style_literal;

/** One category of a colour `match`: the labels that select it (a label
 * array gives several) and its colour. */
typedef struct {
    size_t nvalues;
    pm_style_literal *values;
    pm_color color;
} pm_style_category;

typedef enum {
    PM_STYLE_COLOR_UNSET = 0, /* the layer does not set the property */
    PM_STYLE_COLOR_CONST = 1, /* one colour: `fallback` */
    PM_STYLE_COLOR_MATCH = 2, /* ["match", ["get", field], ...] with literal colours */
    PM_STYLE_COLOR_OTHER = 3  /* computed per feature in a way not reducible to the above */
} pm_style_color_kind;

/** A colour property as a constant or as categories on one attribute. For a
 * match, `fallback` is the match's fallback colour (has_fallback = 0 when
 * that output is not a literal colour). */
typedef struct {
    pm_style_color_kind kind;
    char *field;
    size_t ncats;
    pm_style_category *cats;
    pm_color fallback;
    int has_fallback;
} pm_style_colormap;

/** Describe colour property `prop` of layer i. Caller owns out's contents
 * (pm_style_colormap_clear). Fails with PM_EUSAGE for a property that is
 * not a colour property of that layer type. */
int pm_style_colormap_get(pm_style_colormap *out, pm_ctx *ctx, const pm_style *s, size_t layer,
                          const char *prop);
/** Release a colormap's contents. NULL-safe. */
void pm_style_colormap_clear(pm_style_colormap *m);

/** A number property when it is the same for every feature: *out_const = 1
 * and *out its value (the default when unset); *out_const = 0 when it
 * depends on the feature (then *out is the default). */
int pm_style_number_const(double *out, int *out_const, pm_ctx *ctx, const pm_style *s, size_t layer,
                          const char *prop);
/** A colour property when it is the same for every feature (see above). */
int pm_style_color_const(pm_color *out, int *out_const, pm_ctx *ctx, const pm_style *s,
                         size_t layer, const char *prop);

typedef enum {
    PM_STYLE_F_CMP = 1, /* field cmp value */
    PM_STYLE_F_HAS = 2, /* field present and not null */
    PM_STYLE_F_ALL = 3,
    PM_STYLE_F_ANY = 4,
    PM_STYLE_F_NOT = 5 /* args[0] */
} pm_style_filter_op;

typedef enum {
    PM_STYLE_EQ = 1,
    PM_STYLE_NE,
    PM_STYLE_LT,
    PM_STYLE_LE,
    PM_STYLE_GT,
    PM_STYLE_GE
} pm_style_cmp;

/** A filter as a tree of attribute-versus-literal comparisons. Semantics
 * are MapLibre's: values of different types (null included) are unequal,
 * so ["!=", ["get", "f"], "x"] is true where f is null. */
typedef struct pm_style_filter {
    pm_style_filter_op op;
    pm_style_cmp cmp;       /* PM_STYLE_F_CMP */
    char *field;            /* PM_STYLE_F_CMP, PM_STYLE_F_HAS */
    pm_style_literal value; /* PM_STYLE_F_CMP */
    size_t nargs;           /* ALL, ANY, NOT */
    struct pm_style_filter *args;
} pm_style_filter;

/** Layer i's filter. *out is NULL when the layer has none; *out_expressible
 * is 0 (and *out NULL) when the filter uses anything beyond get/has,
 * literals, comparisons and all/any/!. Caller owns *out
 * (pm_style_filter_free). */
int pm_style_layer_filter(pm_style_filter **out, int *out_expressible, pm_ctx *ctx,
                          const pm_style *s, size_t layer);
/** Release a filter tree. NULL-safe. */
void pm_style_filter_free(pm_style_filter *f);

/** The attributes a symbol layer's text-field shows, in priority order,
 * when it is ["get", F], ["to-string", ["get", F]] or a coalesce of such;
 * *out_n = 0 otherwise (or when unset). Caller owns *out (pm_strv_free from
 * store.h, or free each and the array). */
int pm_style_text_fields(char ***out, size_t *out_n, pm_ctx *ctx, const pm_style *s, size_t layer);

#ifdef __cplusplus
}
#endif
#endif
