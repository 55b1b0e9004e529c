/* Shared between the renderer's files; not API. */
#ifndef PM_RENDER_INTERNAL_H
#define PM_RENDER_INTERNAL_H

#include "parkmap/render.h"

#include <cairo.h>
#include <pango/pangocairo.h>

/* Furniture text sizes in points, scaled with the page's dpi. */
#define PT_TITLE 20.0
#define PT_SUBTITLE 12.0
#define PT_CREDITS 7.5
#define PT_LEGEND 9.5
#define PT_LEGEND_TITLE 10.5
#define PT_SCALE 8.0
#define INSET_PT 9.0 /* gap between the frame and furniture inside it */
#define PT_GRID 7.0

/* A source table read once, however many style layers draw it. */
typedef struct {
    char *name;
    int srid;
    pm_schema schema;
    pm_feature *feats;
    size_t n;
} pm_rsource;

/* A furniture element or placed label occupying part of the page. */
typedef struct {
    double x, y, w, h;
} pm_rect;

typedef struct {
    size_t layer;           /* style layer */
    size_t label;           /* index into info->labels */
    pm_color color, halo;
    double halo_px, size_px;
    const char *font;
} pm_rlabel;

/* A legend row's swatch: how the class looks on the map. */
typedef struct {
    pm_layer_type type; /* fill: a box (pattern or plain); line: a stroke */
    char pattern[16];
    double line_px;      /* line swatches */
    const double *dash;  /* borrowed from the style; in line widths */
    size_t ndash;
} pm_swatch;

/* A polyline in page px (grid lines). */
typedef struct {
    size_t n;
    double *xy;
} pm_pline;

typedef struct {
    pm_ctx *ctx;
    const pm_style *style;
    const pm_page *page;
    pm_render_info *info;
    int w, h;
    double dpi, px_per_pt;
    double fpt; /* px per pt for furniture: smaller on small pages */
    const char *font; /* default family list */
    pm_rsource *src;
    size_t nsrc;
    int *layer_src; /* per style layer: index into src, -1 when skipped */
    double cx, cy;  /* map centre, storage CRS */
    double scale;   /* px per storage unit */
    int legend_layer;
    char scale_corner[16];
    pm_rect scale_box, north_box, legend_box;
    double header_h, footer_h, margin;
    pm_rect *occupied;
    size_t noccupied;
    pm_rlabel *rlabels; /* drawing attributes of info->labels */
    PangoContext *pango;
    pm_swatch *swatch; /* per info->legend row */
    pm_pline *grid;    /* grid lines in page px */
    size_t ngrid;
    double grid_label_px; /* grid label text size */
} pm_scene;

/* Page size and resolution after the options' overrides; a page given in
 * millimetres is converted at the resolution in force. */
void pm_page_size(const pm_page *pg, const pm_render_opts *opts, int *w, int *h, double *dpi);

/* Build the scene: read the sources, fit the extent, lay out furniture and
 * labels. cr is used only to measure text. */
int pm_scene_build(pm_scene *sc, pm_ctx *ctx, pm_store *st, const pm_style *style,
                   const pm_render_opts *opts, pm_render_info *info, cairo_t *cr);
void pm_scene_free(pm_scene *sc);
/* Draw the built scene onto cr (user units = page px). */
int pm_scene_draw(pm_scene *sc, cairo_t *cr);

/* Storage CRS -> page px. */
void pm_scene_to_px(const pm_scene *sc, double x, double y, double *px, double *py);

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

#endif
