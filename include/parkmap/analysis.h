/* parkmap/analysis.h: the planner's questions (areas, the target check,
 * adjacency), answered from the measures the store computes. */
#ifndef PARKMAP_ANALYSIS_H
#define PARKMAP_ANALYSIS_H

#include "parkmap/error.h"
#include "parkmap/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- area ---------------------------------------------------------------- */

/** One group of the --by breakdown. */
typedef struct {
    char *key;
    size_t count;
    double planar_m2, ellipsoidal_m2, planned_km2; /* planned: NAN if none known */
} pm_area_group;

typedef struct {
    char *layer;
    int srid;
    size_t nrows;
    pm_area_row *rows;
    size_t ngroups; /* 0 unless a group_by field was given */
    pm_area_group *groups;
    double sum_planar_m2, sum_ellipsoidal_m2;
    double union_planar_m2, union_ellipsoidal_m2;
    double planned_km2; /* sum of planned_area_km2, NAN if none */
} pm_area_report;

typedef struct {
    const char *layer;
    const char *group_by; /* NULL: no grouping */
} pm_area_opts;
#define PM_AREA_OPTS_INIT {"parks", NULL}

/** Per-feature, grouped and total areas. Caller owns *out. */
int pm_analysis_area(pm_area_report **out, pm_ctx *ctx, pm_store *st, const pm_area_opts *opts);
void pm_area_report_free(pm_area_report *r);

/* ---- adjacency ---------------------------------------------------------- */

typedef enum {
    PM_REL_EDGE = 1,    /**< boundaries share at least one segment */
    PM_REL_OVERLAP = 2, /**< interiors intersect */
    PM_REL_NEAR = 3,    /**< apart, but within the tolerance along a stretch */
    PM_REL_CORNER = 4,  /**< touch at points only: not adjacency */
} pm_relation;

/** "shares_edge", "overlaps", "within_tolerance", "corner_only". */
const char *pm_relation_name(pm_relation r);

typedef struct {
    int64_t a_fid, b_fid;
    char *a_name, *b_name;
    pm_relation relation;
    double shared_m;   /* shared boundary length (m, storage CRS) */
    double overlap_m2; /* for PM_REL_OVERLAP */
    double distance_m;
} pm_adjacency_pair;

typedef struct {
    double tolerance_m;
    size_t npairs;
    pm_adjacency_pair *pairs; /* edge, overlap and near pairs, by (a_fid, b_fid) */
    size_t ncorner;
    pm_adjacency_pair *corner; /* corner-only contacts, reported apart */
} pm_adjacency;

typedef struct {
    const char *layer;
    double tolerance_m; /* 0: exact contact only */
} pm_adjacency_opts;
#define PM_ADJACENCY_OPTS_INIT {"parks", 0.0}

/** Classify every pair of features near each other. Caller owns *out. */
int pm_analysis_adjacency(pm_adjacency **out, pm_ctx *ctx, pm_store *st,
                          const pm_adjacency_opts *opts);
void pm_adjacency_free(pm_adjacency *a);

/* ---- the target check ---------------------------------------------------- */

/** One finding of the check. */
typedef struct {
    char *kind;   /* "total_mismatch", "overlap", "park_area_mismatch", "double_counting" */
    char *parks;  /* names involved, joined with " | " ("" if none) */
    char *detail; /* one readable sentence with the figures */
} pm_problem;

typedef struct {
    pm_area_report *area;
    double target_km2, tolerance_pct;
    double measured_km2; /* the union's ellipsoidal area: an overlap is not counted twice */
    double diff_km2, diff_pct;
    int pass;            /* total within tolerance and no overlaps */
    size_t nproblems;
    pm_problem *problems;
    pm_adjacency *adjacency;
} pm_check_report;

typedef struct {
    const char *layer;
    double target_km2;    /* default 43 */
    double tolerance_pct; /* default 1 */
    double park_tolerance_pct; /* per-park planned vs measured, default 5 */
} pm_check_opts;
#define PM_CHECK_OPTS_INIT {"parks", 43.0, 1.0, 5.0}

/** Run the check. Returns 0 whether or not it passed (see ->pass). */
int pm_analysis_check(pm_check_report **out, pm_ctx *ctx, pm_store *st, const pm_check_opts *opts);
void pm_check_report_free(pm_check_report *r);

#ifdef __cplusplus
}
#endif
#endif
