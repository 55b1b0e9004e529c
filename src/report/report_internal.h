/* Shared between the report module's files; not API. */
#ifndef PM_REPORT_INTERNAL_H
#define PM_REPORT_INTERNAL_H

#include "parkmap/analysis.h"
#include "parkmap/crs.h"
#include "parkmap/report.h"
#include "util/sbuf.h"

#include <stdint.h>

/* ---- JSON and HTML text (report_text.c) -------------------------------- */

/* A JSON string, safe inside <script>: '<', '>' and '&' are written as
 * \u003c..., so no "</script>" or "<!--" can come out of the data; bytes
 * that are not UTF-8 become U+FFFD, so the document always parses. NULL is
 * written as null. */
void rp_json_str(sbuf *b, const char *s);
/* A number, or null when it is not finite (NaN: unknown). */
void rp_json_num(sbuf *b, double v);
/* Text for HTML element content or a quoted attribute. */
void rp_html(sbuf *b, const char *s);

/* ---- geometry for the map (report_geo.c) ------------------------------- *
 * Coordinates go to the page as integers on a grid of `q` degrees from an
 * origin (ox, oy): a ring is [x0, y0, dx1, dy1, ...], the first point
 * absolute, then differences, without the closing point. */
typedef struct {
    double ox, oy, q;
    int simplify;     /* drop vertices within one quantum of the line kept
                         (Douglas-Peucker), for large layers */
    pm_transform *tr; /* storage CRS -> WGS 84 lon/lat */
    int64_t *pts;     /* scratch */
    size_t cap;
    size_t dropped; /* rings that vanished (smaller than a quantum) */
} rp_grid;

/* The grid for a layer of nfeat features over the lon/lat box bb (the
 * rule of docs/report.md). */
int rp_grid_init(rp_grid *g, pm_ctx *ctx, int srid, const double bb[4], size_t nfeat);
void rp_grid_clear(rp_grid *g);
/* Append geometry g (storage CRS; transformed in place to lon/lat) as
 * [[ring, ...], ...], or null when nothing of it is left. Its lon/lat box
 * grows bb when bb is not NULL. */
int rp_geom(sbuf *b, rp_grid *gr, pm_ctx *ctx, pm_geom *g, double bb[4]);
/* The lon/lat box of a storage-CRS box (edges sampled, so a Gauss-Kruger
 * box's curved sides are inside). */
int rp_box_lonlat(double out[4], pm_ctx *ctx, int srid, const double bb[4]);

/* ---- the data block (report_data.c) ------------------------------------ */

/* Run the analyses and write the page's data, one JSON object, into b. */
int rp_data(sbuf *b, pm_ctx *ctx, pm_store *st, const pm_report_opts *o);

/* ---- the comparison (report_compare.c) --------------------------------- */
/* The "compare" member's value: pm_analysis_compare of st (before) with
 * o->against (after), tables and the changed parks' geometry on gr's
 * quantum and origin. */
int rp_compare_write(sbuf *b, pm_ctx *ctx, pm_store *st, const pm_report_opts *o,
                     const rp_grid *gr);

/* ---- the park layer (report_parks.c) ----------------------------------- */

/* What the other sections need to know of the parks once written. */
typedef struct {
    size_t n;
    int64_t *fid; /* stored order */
    int large;
} rp_parks;

/* The "parks" member (columns, rows, colours) and "geom_parks" (one
 * geometry per row), from the layer and the check's and layout's
 * figures. */
int rp_parks_write(sbuf *b, rp_parks *out, pm_ctx *ctx, pm_store *st, const pm_report_opts *o,
                   rp_grid *gr, const pm_check_report *chk, const pm_layout *lay);
void rp_parks_clear(rp_parks *p);
/* The row of a park by fid, or -1. */
long rp_parks_row(const rp_parks *p, int64_t fid);

/* ---- the page (report_page.c) ------------------------------------------ */

/* The whole HTML document around the data (JSON text). */
int rp_page(sbuf *b, pm_ctx *ctx, const pm_report_opts *o, const char *data);

/* Ask the caller's progress callback; PM_EIO when it cancels. */
int rp_tick(pm_ctx *ctx, const pm_report_opts *o, double frac, const char *msg);

#endif
