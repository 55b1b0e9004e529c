/* parkmap/render.h: maps drawn with cairo and pango (the only module that
 * calls them). */
#ifndef PARKMAP_RENDER_H
#define PARKMAP_RENDER_H

#include "parkmap/error.h"
#include "parkmap/store.h"
#include "parkmap/style.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Labels use this Pango family list unless the layer sets text-font: the
 * CJK face first, so Chinese park names have glyphs. */
#define PM_RENDER_DEFAULT_FONT "Noto Sans CJK SC, Noto Sans, sans-serif"

typedef struct {
    const char *out_path; /**< .png, .svg or .pdf: the extension picks the format */
    int width_px;         /**< 0: from the style's page block */
    int height_px;        /**< 0: from the style's page block */
    double dpi;           /**< 0: from the style's page block */
    int overwrite;        /**< replace an existing file */
    /** Called while the sources are read and drawn (every few thousand
     * features, per layer) and between the steps of writing each file;
     * returning 0 cancels (PM_EIO): the temporary file is removed and the
     * output left as it was. NULL: never cancelled. */
    pm_progress_fn progress;
    void *progress_user;
} pm_render_opts;
#define PM_RENDER_OPTS_INIT                                                                        \
    {                                                                                              \
        NULL, 0, 0, 0.0, 0, NULL, NULL                                                             \
    }

/** Render the layers the style names from the database to out_path. The
 * file is written beside and moved into place, so a failure never leaves a
 * truncated map where a good one was. A symbolic link as out_path is
 * followed: the file it points to is replaced and the link stays. An existing file without
 * overwrite fails with PM_EEXIST; an unknown extension with PM_EUSAGE. PNG, SVG and PDF output is
 * byte-for-byte reproducible (no timestamps). */
int pm_render_map(pm_ctx *ctx, pm_store *st, const pm_style *style, const pm_render_opts *opts);

/** The same map to several files at once (map.png and map.svg): the
 * database is read and the page laid out once, then drawn on each. Each of
 * paths[0..n-1] is checked and written as pm_render_map writes out_path
 * (opts->out_path is not used); the files are moved into place only once
 * all of them are written. */
int pm_render_maps(pm_ctx *ctx, pm_store *st, const pm_style *style, const pm_render_opts *opts,
                   const char *const *paths, size_t n);

/* ---- scene facts -------------------------------------------------------- */

/** One legend row. */
typedef struct {
    char *label;
    pm_color color;
    size_t count; /**< features of the legend layer in this class */
} pm_legend_entry;

/** A placed label's box in page pixels (x, y: top-left). */
typedef struct {
    char *text;
    double x, y, w, h;
    double anchor_x, anchor_y; /**< the interior point it is centred on */
    int inset;                 /**< 1: placed in the inset panel (page.inset) */
} pm_label_box;

/** What a render draws, computed without drawing it. Page pixels have
 * their origin at the top-left, y down. */
typedef struct {
    int width_px, height_px;
    double dpi;
    int srid;             /**< storage CRS of the layers (EPSG) */
    double extent[4];     /**< map extent drawn, storage CRS: minx, miny, maxx, maxy */
    double frame[4];      /**< map frame in page px: x, y, w, h */
    double grid_m_per_px; /**< storage-CRS units per pixel (same in x and y) */
    double m_per_px;      /**< true ground metres per pixel at the map centre (geodesic,
                               east-west) */
    double scale_bar_m;   /**< the scale bar's ground length (1, 2 or 5 x 10^n m); 0 if
                               not shown */
    double scale_bar_px;  /**< its length on the page */
    char scale_bar_label[32];
    double north_deg;         /**< direction of true north at the map centre, degrees
                                   clockwise from page-up (negative: true north lies left of
                                   grid north, as east of a Gauss-Krüger central meridian) */
    double legend_rect[4];    /**< furniture drawn over the map, page px x, y, w, h */
    double scale_bar_rect[4]; /**< (all zero when not drawn) */
    double north_arrow_rect[4];
    size_t nlegend;
    pm_legend_entry *legend;
    size_t nlabels; /**< labels placed */
    pm_label_box *labels;
    size_t nlabels_dropped;    /**< labels placed nowhere (main map and inset): they
                                    collided or left the frame */
    size_t nfeatures;          /**< features read, all sources */
    size_t ngrid_lines;        /**< grid or graticule lines drawn (0: no grid) */
    double grid_interval;      /**< their spacing: degrees (graticule) or storage units */
    size_t ngrid_labels;       /**< coordinate labels along the frame */
    pm_label_box *grid_labels; /**< anchor: where the line meets the frame edge */
    /* The inset (page.inset), all zero when none is drawn: a second panel
     * over the main map showing inset_extent, marked on the main map by a
     * rectangle, inset_gain times larger. */
    double inset_rect[4];   /**< the panel, page px x, y, w, h */
    double inset_extent[4]; /**< what it shows, storage CRS: minx, miny, maxx, maxy */
    double inset_gain;      /**< its scale over the main map's */
    double inset_scale_bar_m;
    double inset_scale_bar_rect[4];
} pm_render_info;

/** Lay the map out exactly as pm_render_map would (extent, scale, scale bar,
 * north arrow, legend, label placement) without writing a file. opts may
 * have out_path NULL. Caller owns out's contents (pm_render_info_clear). */
int pm_render_layout(pm_render_info *out, pm_ctx *ctx, pm_store *st, const pm_style *style,
                     const pm_render_opts *opts);
/** Release an info's contents. NULL-safe. */
void pm_render_info_clear(pm_render_info *info);

/** How many glyphs of `text` the fonts behind `family` (NULL: the default)
 * cannot draw, as Pango lays it out. 0 means every character renders. */
int pm_render_unknown_glyphs(int *out, pm_ctx *ctx, const char *family, const char *text);

/** cairo's and pango's versions (borrowed). */
const char *pm_render_cairo_version(void);
const char *pm_render_pango_version(void);

#ifdef __cplusplus
}
#endif
#endif
