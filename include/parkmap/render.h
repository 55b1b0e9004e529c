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

typedef struct {
    const char *out_path; /**< .png, .svg or .pdf: the extension picks the format */
    int width_px;         /**< 0: from the style's page block */
    int height_px;        /**< 0: from the style's page block */
    double dpi;           /**< 0: from the style's page block */
    int overwrite;        /**< replace an existing file */
} pm_render_opts;
#define PM_RENDER_OPTS_INIT {NULL, 0, 0, 0.0, 1}

/** Render the layers the style names from the database to out_path. The
 * file is written beside and moved into place, so a failure never leaves a
 * truncated map where a good one was. */
int pm_render_map(pm_ctx *ctx, pm_store *st, const pm_style *style, const pm_render_opts *opts);

/** cairo's and pango's versions (borrowed). */
const char *pm_render_cairo_version(void);
const char *pm_render_pango_version(void);

#ifdef __cplusplus
}
#endif
#endif
