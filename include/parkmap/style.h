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
int pm_style_eval_string(char **out, pm_ctx *ctx, const pm_style *s, size_t layer,
                         const char *prop, const pm_feature *f, const pm_schema *schema);

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
} pm_page;

/** The page block with defaults filled in (borrowed from s). */
const pm_page *pm_style_page(const pm_style *s);

#ifdef __cplusplus
}
#endif
#endif
