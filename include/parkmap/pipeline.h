/* parkmap/pipeline.h: whole operations that chain the modules: import
 * (load -> crs -> store) and build (import, check, adjacency, render,
 * export). No dependency of its own. */
#ifndef PARKMAP_PIPELINE_H
#define PARKMAP_PIPELINE_H

#include "parkmap/error.h"
#include "parkmap/analysis.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *src_path;
    const char *src_layer; /**< source layer to read, NULL: the first */
    const char *db_path;
    const char *layer; /**< table to write, default "parks" */
    const char *s_srs; /**< override the source CRS, NULL: as declared */
    const char *t_srs; /**< "auto" or a CRS definition */
    int overwrite;
    int skip_invalid;  /**< skip non-polygonal/empty geometries instead of failing */
    int allow_invalid; /**< store self-intersecting polygons as they are */
    pm_progress_fn progress;
    void *progress_user;
    int rederive; /**< the caller writes the layer's derived tables anew (build):
                       no warning that the import removed them */
} pm_import_opts;
#define PM_IMPORT_OPTS_INIT                                                                        \
    {                                                                                              \
        NULL, NULL, NULL, "parks", NULL, "auto", 0, 0, 0, NULL, NULL, 0                            \
    }

typedef struct {
    long imported;
    long skipped;
    char storage_crs[64];
    char source_crs_name[128];
} pm_import_report;

/** Import a vector source into a layer of the database, all or nothing. */
int pm_import(pm_import_report *out, pm_ctx *ctx, const pm_import_opts *opts);

typedef struct {
    const char *src_path;
    const char *out_dir;
    const char *outline_path; /**< district outline to import as "outline", or NULL */
    const char *style_path;
    double target_km2;
    double tolerance_pct;
    double snap_m;           /**< snapping tolerance of the topology (PM_TOPO_SNAP_M) */
    double gap_m;            /**< gap and near-miss width of the QA (5 m) */
    const char *by;          /**< field for per-group clusters ("industry"); skipped,
                                  with a warning, when the layer lacks it */
    pm_progress_fn progress; /**< returning 0 cancels, at any stage (PM_EIO) */
    void *progress_user;
    int overwrite;  /**< replace the results of an earlier build in out_dir (and,
                         with db, the server's parks and outline layers) */
    const char *db; /**< a PostgreSQL server to build in (postgresql://, PG:...,
                         libpq keywords), NULL: OUT/parks.db */
} pm_build_opts;
#define PM_BUILD_OPTS_INIT                                                                         \
    {                                                                                              \
        NULL, "out", NULL, NULL, 43.0, 1.0, PM_TOPO_SNAP_M, 5.0, "industry", NULL, NULL, 0, NULL   \
    }

typedef struct {
    pm_import_report import;
    pm_check_report *check; /* owned */
    pm_layout *layout;      /* owned */
    size_t nfiles;
    char *files[8]; /* files written, in order (owned) */
    char *db;       /* with opts->db: the server as output may name it,
                       postgresql://user@host:port/dbname, never a password
                       (owned); NULL for a file build */
} pm_build_report;

/** Longest path build writes, terminating NUL included; a longer OUT/name
 * is refused (PM_EUSAGE) before anything is written. */
#define PM_BUILD_PATH_MAX 1024

/** The main job: import into OUT/parks.db (and the outline as layer
 * "outline"), check (writing adjacency and qa_issues), layout (writing
 * clusters), render map.png and map.svg when opts->style_path is set (one
 * scene drawn to both; without a style no map is drawn, and the GeoPackage
 * gets only the built-in styles of the analysis layers), export every layer
 * to parks.gpkg. Everything is written in OUT/.parkmap-build.tmp-XXXXXX
 * and moved into place once all of it succeeded: on any failure or
 * cancellation the previous results are left as they were, nothing
 * half-written stays, and an OUT this call created is removed. Earlier
 * results (any of the four files) are replaced only with overwrite, else
 * PM_EEXIST. Release with pm_build_report_clear; on failure *out is left
 * empty.
 *
 * With opts->db (a PostgreSQL server; a file path there is PM_EUSAGE), the
 * layers live on the server and OUT gets the maps and the GeoPackage only
 * (staged and moved into place as above; no parks.db). The server commits
 * step by step: the parks import is one transaction, which also drops the
 * tables derived from the parks it replaces (adjacency, qa_issues,
 * clusters, ...), so no later failure can leave findings about the old
 * parks beside the new ones; the outline import is a second transaction;
 * each derived table is a transaction of its own. A failure in the parks
 * import leaves the server as it was; a later one leaves the new parks with
 * the derived tables written so far (none stale) and OUT as it was. The
 * server's existing parks and outline layers are replaced only with
 * overwrite. */
int pm_build(pm_build_report *out, pm_ctx *ctx, const pm_build_opts *opts);
void pm_build_report_clear(pm_build_report *r);

#ifdef __cplusplus
}
#endif
#endif
