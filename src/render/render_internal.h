/* Shared between the renderer's files; not API.
 *
 * The scene is built in steps, one file each: text (render_text.c), the
 * sources read and packed (render_read.c, render_memo.c, render_source.c),
 * the legend (render_legend.c), the furniture (render_furniture.c), the
 * coordinate grid (render_grid.c), label placement (render_placement.c,
 * anchors in render_label.c), and the whole (render_scene.c); then it is
 * drawn (render_draw.c) on the surface render.c chose.
 *
 * Words used once each: the "grid" is the coordinate lines the page's grid
 * block asks for, either a "graticule" (longitude and latitude, WGS 84) or
 * a "projected" grid (the storage CRS's eastings and northings); "bins"
 * are the page cells label placement files occupied boxes in; "cells" are
 * polylabel's search squares. */
#ifndef PM_RENDER_INTERNAL_H
#define PM_RENDER_INTERNAL_H

#include "parkmap/render.h"

#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdint.h>

/* Furniture text sizes in points, scaled with the page's dpi. */
#define PT_TITLE 20.0
#define PT_SUBTITLE 12.0
#define PT_CREDITS 7.5
#define PT_LEGEND 9.5
#define PT_LEGEND_TITLE 10.5
#define PT_SCALE 8.0
#define INSET_PT 9.0 /* gap between the frame and furniture inside it */
#define PT_GRID 7.0

/* Where one feature's geometry sits in its source's packed arrays. */
typedef struct {
    size_t shape; /* index into shape */
    size_t xy;    /* index of its first point in xy */
} pm_rfeat;

/* A source table, read once however many style layers use it, and read
 * as a stream: each feature's attributes are evaluated for every layer
 * that uses it (filter, drawing group, label, legend class) while it is
 * read, and only its geometry is kept, packed: all points of the source in
 * one array, and per feature its kind (0: no geometry), part count, then
 * per part its ring count and per ring its point count. A quarter of the
 * memory of pm_features, and no allocation per feature. */
typedef struct {
    char *name;
    int srid;
    size_t n;     /* features */
    pm_rfeat *fe; /* n + 1 entries: the last one marks the end */
    uint32_t *shape;
    double *xy;
    size_t nshape, nxy, capfe, capshape, capxy; /* nxy, capxy: points */
    double bbox[4];                             /* of every point; bbox[0] > bbox[2] when none */
    size_t ncol;                                /* fill and line layers drawing the source */
    int32_t *gof; /* per feature, ncol entries: its group in that layer, -1: not drawn */
} pm_rsource;

/* Features that look alike are drawn as one path. */
typedef struct {
    pm_color c, oc; /* fill or line colour; fill outline colour */
    double op, w;   /* opacity; line width (page px) */
    char pattern[16];
    int aa, outline;
} pm_rgroup;

/* A fill or line layer's drawing groups, in order of their first feature. */
typedef struct {
    size_t col; /* the layer's column in its source's gof */
    pm_rgroup *gs;
    size_t ng, cap;
} pm_rlayer;

/* A packed feature's geometry seen as a pm_geom (its rings borrow the
 * source's points). */
typedef struct {
    pm_geom g;
    pm_part *parts;
    pm_ring *rings;
    size_t capp, capr;
} pm_gview;

/* Feature i of s into v; *out is &v->g, or NULL when the feature has no
 * geometry. Valid until the next call with v. 0 or PM_ENOMEM. */
int pm_rsource_geom(const pm_geom **out, pm_gview *v, const pm_rsource *s, size_t i);
void pm_gview_free(pm_gview *v);
/* Box of feature i's points; 0 when it has none. */
int pm_rsource_bbox(const pm_rsource *s, size_t i, double *x0, double *y0, double *x1, double *y1);

/* A furniture element or placed label occupying part of the page. */
typedef struct {
    double x, y, w, h;
} pm_rect;

/* A label that may be placed: evaluated while its feature is read. */
typedef struct {
    size_t layer, feat; /* style layer, feature of its source */
    double key, area;   /* symbol-sort-key; area (lines: length) */
    char *text;
    double size_pt, halo_pt;
    pm_color color, halo;
    int placed; /* bit 0: on the main map; bit 1: in the inset */
} pm_rcand;

typedef struct {
    size_t layer; /* style layer */
    size_t label; /* index into info->labels */
    size_t cand;  /* index into sc->cand */
    int inset;    /* placed in the inset panel */
    pm_color color, halo;
    double halo_px, size_px;
    const char *font;
} pm_rlabel;

/* A legend row's swatch: how the class looks on the map. */
typedef struct {
    pm_layer_type type; /* fill: a box (pattern or plain); line: a stroke */
    char pattern[16];
    double line_px;     /* line swatches */
    const double *dash; /* borrowed from the style; in line widths */
    size_t ndash;
} pm_swatch;

/* One layer's legend rows in the making: its classes counted while the
 * source is read, each with the swatch of the first feature in it. */
typedef struct {
    int layer;
    pm_layer_type type;
    const char *prop;
    pm_style_class *cls;
    size_t n;
    size_t *count;
    pm_swatch *sw;
} pm_rlegend;

/* A polyline in page px (a grid line). */
typedef struct {
    size_t n;
    double *xy;
} pm_pline;

/* Where the map is drawn on the page and at what scale: the main map's,
 * or the inset's (pm_scene_swap_view). */
typedef struct {
    double frame[4]; /* page px x, y, w, h */
    double cx, cy;   /* centre, storage CRS */
    double scale;    /* px per storage unit */
} pm_view;

typedef struct {
    pm_ctx *ctx;
    const pm_style *style;
    const pm_page *page;
    pm_render_info *info;
    int w, h;
    double dpi, px_per_pt;
    double fpt;       /* px per pt for furniture: smaller on small pages */
    const char *font; /* default family list */
    pm_rsource *src;
    size_t nsrc;
    int *layer_src;    /* per style layer: index into src, -1 when skipped */
    pm_rlayer *rlayer; /* per style layer (fill and line layers) */
    int drawing;       /* groups are evaluated only for a map that is drawn */
    pm_rcand *cand;    /* label candidates */
    size_t ncand, capcand;
    pm_rlegend *leg;
    size_t nleg;
    double cx, cy; /* map centre, storage CRS */
    double scale;  /* px per storage unit */
    int legend_layer;
    char scale_corner[16];
    pm_rect scale_box, north_box, legend_box;
    double header_h, footer_h, margin;
    pm_rect *occupied;
    size_t noccupied;
    pm_rlabel *rlabels; /* drawing attributes of info->labels */
    PangoContext *pango;
    pm_swatch *swatch;    /* per info->legend row */
    pm_pline *grid_lines; /* in page px */
    size_t ngrid_lines;
    double grid_label_px;       /* grid label text size */
    const pm_render_opts *opts; /* borrowed: its progress callback cancels */
    int inset;                  /* an inset panel is drawn */
    pm_view alt;                /* the view not in force: the inset's, while the main map's is */
    pm_rect inset_bar_box;
    double inset_bar_px;
    char inset_bar_label[32];
} pm_scene;

/* Page size and resolution after the options' overrides; a page given in
 * millimetres is converted at the resolution in force. */
void pm_page_size(const pm_page *pg, const pm_render_opts *opts, int *w, int *h, double *dpi);

/* Build the scene: read the sources, fit the extent, lay out furniture and
 * labels. cr is used only to measure text. drawing: the scene will be
 * drawn (pm_render_layout only lays it out, and skips the layers' groups). */
int pm_scene_build(pm_scene *sc, pm_ctx *ctx, pm_store *st, const pm_style *style,
                   const pm_render_opts *opts, pm_render_info *info, cairo_t *cr, int drawing);
void pm_scene_free(pm_scene *sc);
/* Draw the built scene onto cr (user units = page px). */
int pm_scene_draw(pm_scene *sc, cairo_t *cr);

/* Ask the options' progress callback whether to go on: 0, or PM_EIO
 * ("render cancelled") when it returned 0. */
int pm_render_tick(pm_ctx *ctx, const pm_render_opts *opts, double frac, const char *msg);
/* Features between two such questions while reading and drawing. */
#define PM_RENDER_TICK_EVERY 2048

/* Storage CRS -> page px. */
void pm_scene_to_px(const pm_scene *sc, double x, double y, double *px, double *py);
/* Mark r as taken on the page (furniture, grid labels, placed labels).
 * 0 or PM_ENOMEM. */
int pm_scene_occupy(pm_scene *sc, pm_rect r);
/* Area two boxes share (0 when they do not overlap). */
double pm_rect_overlap(pm_rect a, pm_rect b);
/* Which sources the map is fitted to: use[k] = 1 for the page's
 * extent-layer, else the first "parks" layer, else every source. use has
 * sc->nsrc entries. */
int pm_scene_extent_sources(pm_scene *sc, int *use);

/* ---- the steps of pm_scene_build, in order; each 0 or a PM_E* code ---- */

/* Read every source the style draws, once each (render_read.c). */
int pm_sources_load(pm_scene *sc, pm_store *st);
/* The legend's layers and their classes, before the sources are read
 * (render_legend.c). */
int pm_legend_begin(pm_scene *sc);
/* A legend layer: count feature f in its class (*out: the class, -1 none). */
int pm_legend_count(pm_scene *sc, pm_rlegend *lg, const pm_feature *f, const pm_schema *sch,
                    int32_t *out);
/* The counted classes as info->legend rows, with their swatches. */
int pm_legend_rows(pm_scene *sc);
/* The legend box's size for info->legend. */
void pm_legend_size(pm_scene *sc, double *w, double *h);
void pm_legend_clear(pm_rlegend *lg);
/* True scale (info->m_per_px) and north (info->north_deg) at the map
 * centre (render_furniture.c). */
int pm_scene_geodesy(pm_scene *sc);
/* Scale bar, north arrow and legend boxes, each occupying its corner. */
int pm_furniture_layout(pm_scene *sc);
/* The grid's lines and frame labels, if the page asks for a grid
 * (render_grid.c). */
int pm_grid_layout(pm_scene *sc);
/* Place the label candidates, or drop them (render_placement.c): on the
 * main map (inset 0: every candidate) or in the inset panel (inset 1: the
 * candidates whose features meet info->inset_extent; sc's view must be the
 * inset's). Collisions are checked against sc->occupied[occ_from..]. */
int pm_labels_place(pm_scene *sc, int inset, size_t occ_from);
/* The inset (render_inset.c): where the crowded labels are, the panel
 * showing them and its labels; or, without one, the labels as usual. */
int pm_inset_layout(pm_scene *sc);
/* Exchange the view in force (sc->cx, cy, scale and info->frame) with
 * sc->alt. */
void pm_scene_swap_view(pm_scene *sc);
/* A w x h box in a corner of the frame ("top-left", ...), INSET_PT in. */
pm_rect pm_corner_rect(const pm_scene *sc, const char *corner, double w, double h);

/* ---- helpers shared by the steps ---- */

/* Grow *p (of elements of size bytes) to hold need; 0 or -1 (no memory,
 * *p unchanged). */
int pm_grow_array(void **p, size_t *cap, size_t need, size_t size);
/* Append a feature's geometry (NULL: none) to the source's packed arrays. */
int pm_rsource_pack(pm_rsource *s, pm_ctx *ctx, const pm_geom *g);
void pm_rsource_clear(pm_rsource *s);
/* 1, 2 or 5 x 10^n, the largest not above target. */
double pm_nice_length(double target);
/* Width and height of text as pm_text_layout / pm_label_layout lay it out. */
void pm_text_size(pm_scene *sc, const char *family, double size_px, int bold, const char *text,
                  double *w, double *h);
void pm_label_size(pm_scene *sc, const char *family, double size_px, const char *text, double *w,
                   double *h);

/* The attribute memo (render_memo.c): a source's features with the same
 * values get the same answers, evaluated once. */
typedef struct {
    uint64_t h;
    pm_value *v; /* NULL: empty slot */
    size_t nv;
} pm_memo_key;

typedef struct {
    pm_memo_key *key;
    int32_t *out; /* slots x ncol answers; -2: not asked yet */
    size_t ncol, used, seen, missed;
    int off;
} pm_memo;

/* ncol answers per combination; on no memory the memo is off (it is only a
 * shortcut). */
void pm_memo_init(pm_memo *m, size_t ncol);
/* The answers kept for f's values (a new row of -2 when they are new), or
 * NULL when the memo is off or full. */
int32_t *pm_memo_find(pm_memo *m, const pm_feature *f);
/* Release, and turn the memo off. */
void pm_memo_free(pm_memo *m);

/* A layout of text in family at size_px (absolute, user units). */
PangoLayout *pm_text_layout(pm_scene *sc, const char *family, double size_px, int bold,
                            const char *text);
/* A map label's layout: lines centred on each other. */
PangoLayout *pm_label_layout(pm_scene *sc, const char *family, double size_px, const char *text);
/* Pango context with device-independent metrics: with hinting off, the same
 * text measures the same on PNG, SVG and PDF surfaces, so the layout facts
 * pm_render_layout reports are the ones every format draws. */
PangoContext *pm_pango_context(cairo_t *cr);

/* A point inside the polygon part, as far from its edges as can be found
 * within `precision` (the pole of inaccessibility, after Mapbox polylabel). */
void pm_polylabel(const pm_part *part, double precision, double *x, double *y);
/* Planar area of a polygon part, holes subtracted. */
double pm_part_area(const pm_part *part);
/* Length of a path part; with x, y (may be NULL), the point halfway along
 * it. */
double pm_path_length(const pm_part *part, double *x, double *y);

#endif
