/* parkmap/report.h: the self-contained HTML report (the only module that
 * writes HTML and JavaScript). One file holds the verdict, an interactive
 * map, sortable tables and the provenance, with its scripts, styles and
 * data inside: it opens from disk with no network. See docs/report.md. */
#ifndef PARKMAP_REPORT_H
#define PARKMAP_REPORT_H

#include "parkmap/error.h"
#include "parkmap/store.h"
#include "parkmap/style.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Layers larger than this are drawn as the large-layer map does (canvas,
 * one aggregated shape per colour, coarser quantum; docs/report.md). */
#define PM_REPORT_LARGE_LAYER 5000

/** At most this many rows of the adjacency and findings tables are put in
 * the page; the rest are counted and named in a note (the database tables
 * keep them all). Every park is always in the page. */
#define PM_REPORT_MAX_ROWS 10000

typedef struct {
    const char *out_path; /**< the .html file to write */
    const char *layer;    /**< the parks (default "parks") */
    const char *title;    /**< NULL: "Industrial parks: <layer> in <database file>" */
    /** Colours of the parks: the first fill layer of this style drawing the
     * layer gives each park its fill-color (borrowed). NULL: one colour. */
    const pm_style *style;
    double target_km2;    /**< as check (default 43) */
    double tolerance_pct; /**< as check (default 1) */
    const char *paper;    /**< "A4" (default) or "A3": the print stylesheet's page */
    int overwrite;        /**< replace an existing file */
    /** The report's date as shown in the provenance (e.g. "2026-11-30").
     * The library reads no clock, so two reports of one database with the
     * same date are the same bytes. NULL: "not recorded". */
    const char *generated_at;
    /** Versions the library cannot ask for itself (json-c belongs to the
     * front end): name/value pairs, {"json-c", "0.17", NULL}, listed after
     * parkmap's own and its libraries'. NULL: none. */
    const char *const *extra_versions;
    /** Called between the steps (gathering, geometry, writing); returning 0
     * cancels with PM_EIO: the temporary file is removed and an existing
     * report left as it was. NULL: never cancelled. */
    pm_progress_fn progress;
    void *progress_user;
    /** A comparison report: the layout in this database (the same layer)
     * is compared with the report's (--db is before, this one after; see
     * compare.h) and the page gains a comparison section and a "changes"
     * map layer. Borrowed, read only. NULL: no comparison. */
    pm_store *against;
    const char *compare_key; /**< compare's matching field; NULL: id, else name */
} pm_report_opts;
#define PM_REPORT_OPTS_INIT                                                                        \
    {                                                                                              \
        NULL, "parks", NULL, NULL, 43.0, 1.0, "A4", 0, NULL, NULL, NULL, NULL, NULL, NULL          \
    }

/** Write the report of `opts->layer` to opts->out_path. Runs the check
 * (with its topology QA, and ground outside the outline layer when the
 * database has one) and the layout indicators without writing any table,
 * so the store may be read-only. The shared boundaries and cluster shapes
 * are drawn from the adjacency and clusters tables when the database holds
 * them for this layer. The file is written beside out_path and renamed into
 * place: on any failure an existing report is left as it was. An existing
 * file without overwrite fails with PM_EEXIST, a missing or non-polygon
 * layer with the store's error. */
int pm_report_write(pm_ctx *ctx, pm_store *st, const pm_report_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
