/* parkmap/analysis.h: the planner's questions (areas, the target check,
 * adjacency), answered in C from the features the store's cursors read (and
 * the topology module's graph and overlays), the same code on every
 * backend. */
#ifndef PARKMAP_ANALYSIS_H
#define PARKMAP_ANALYSIS_H

#include "parkmap/error.h"
#include "parkmap/store.h"
#include "parkmap/topology.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- area ---------------------------------------------------------------- */

/** One feature's areas. */
typedef struct {
    int64_t fid;
    char *name;            /* name attribute as text, or "#fid" */
    char *group;           /* value of the --by field as text ("" if null) */
    double planned_km2;    /* NAN when the layer has no planned_area_km2, or its
                              value is not a plain non-negative number */
    double planar_m2;      /* in the storage CRS; NAN without a geometry */
    double ellipsoidal_m2; /* on WGS 84 (GeographicLib); NAN without a geometry */
} pm_area_row;

/** Areas of every feature of a layer, ordered by fid (stored order among
 * equal fids): planar in the storage CRS from the stored coordinates
 * (shoelace, holes subtracted), ellipsoidal on WGS 84 after transforming
 * to lon/lat (PROJ, then GeographicLib's geod_polygonarea). Read through a
 * cursor, so both backends run this code. group_by may be NULL; a field the
 * layer lacks is PM_EUSAGE. Caller owns *out (pm_area_rows_free). */
int pm_analysis_area_rows(pm_area_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st,
                          const char *layer, const char *group_by);
/** The same rows with their attributes only (areas NAN), for a caller that
 * measures the geometry itself. */
int pm_analysis_feature_rows(pm_area_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st,
                             const char *layer, const char *group_by);
/** Release rows from pm_analysis_area_rows or pm_analysis_feature_rows.
 * NULL-safe. */
void pm_area_rows_free(pm_area_row *rows, size_t n);

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
    const char *group_by;  /* NULL: no grouping */
    pm_topology *topology; /* when set (borrowed), the union comes from its graph */
} pm_area_opts;
#define PM_AREA_OPTS_INIT                                                                          \
    {                                                                                              \
        "parks", NULL, NULL                                                                        \
    }

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
    const char *a_name, *b_name; /* owned by the pm_adjacency (one copy per park) */
    pm_relation relation;
    double shared_m;   /* shared boundary length (geodesic metres) */
    double overlap_m2; /* ellipsoidal area of the interiors' intersection */
    double distance_m; /* storage CRS metres; 0 when touching */
} pm_adjacency_pair;

/* The shared boundary lines are not kept in memory: with write_table they
 * are in the adjacency table's geometry column. */
typedef struct {
    struct pm_name_table *names; /* private: the pairs' names */
    double tolerance_m;
    double snap_m; /* the boundary graph's snapping tolerance */
    size_t npairs;
    pm_adjacency_pair *pairs; /* edge, overlap and near pairs, by (a_fid, b_fid) */
    size_t ncorner;
    pm_adjacency_pair *corner; /* corner-only contacts, reported apart */
} pm_adjacency;

typedef struct {
    const char *layer;
    double tolerance_m;      /* 0: contact within the snapping tolerance only */
    double snap_m;           /* snapping tolerance of the boundary graph (PM_TOPO_SNAP_M) */
    int write_table;         /* replace the "adjacency" table with the result */
    pm_progress_fn progress; /* phases, as "adjacency: <phase>"; NULL: none */
    void *progress_user;
    pm_topology *topology; /* a graph already built (borrowed; its near_m must be at
                              least tolerance_m), or NULL to build one */
} pm_adjacency_opts;
#define PM_ADJACENCY_OPTS_INIT                                                                     \
    {                                                                                              \
        "parks", 0.0, PM_TOPO_SNAP_M, 0, NULL, NULL, NULL                                          \
    }

/** Classify every pair of features that share boundary, overlap, touch or
 * (with a tolerance) run near each other, from the layer's boundary graph.
 * Caller owns *out. */
int pm_analysis_adjacency(pm_adjacency **out, pm_ctx *ctx, pm_store *st,
                          const pm_adjacency_opts *opts);
void pm_adjacency_free(pm_adjacency *a);

/* ---- topology QA ---------------------------------------------------------- */

/** One QA finding; also a row of the qa_issues table. */
typedef struct {
    char *kind;       /* invalid_geometry, repaired_geometry, overlap, duplicate, gap,
                         near_miss, small_part, outside_boundary */
    char *parks;      /* names involved, joined with " | " */
    char *fids;       /* source fids involved, joined with "," */
    double measure;   /* the kind's figure, in unit */
    const char *unit; /* "m2" or "m" (static) */
    char *detail;     /* one readable sentence */
    pm_geom *geom;    /* where (storage CRS polygons), or NULL */
    double area_m2, width_m, length_m; /* gap: its area, widest and length;
                                          near_miss: length_m; NAN otherwise */
} pm_qa_issue;

typedef struct {
    int srid;
    size_t nissues;
    pm_qa_issue *issues;
    pm_topology *topology; /* the graph the findings came from (owned), or NULL
                              when invalid geometry stopped the QA before it */
} pm_qa;

typedef struct {
    const char *layer;
    double gap_m;            /* ground narrower than this between parks, and boundaries
                                running this close without matching, are reported (default 5) */
    double snap_m;           /* snapping tolerance of the boundary graph (PM_TOPO_SNAP_M) */
    double min_part_m2;      /* polygon parts smaller than this are reported (default 1000) */
    const char *within;      /* boundary layer parks must lie inside, or NULL */
    double outside_min_m2;   /* ignore less than this outside the boundary (default 1) */
    int write_table;         /* replace the "qa_issues" table with the result */
    int make_valid;          /* repair invalid geometries in place first (MakeValid), and
                                report each repair as a "repaired_geometry" finding */
    pm_progress_fn progress; /* phases, as "qa: <phase>"; NULL: none */
    void *progress_user;
} pm_qa_opts;
/* The defaults on a given layer (PM_CHECK_OPTS_INIT leaves it NULL). */
#define PM_QA_OPTS_INIT_LAYER(layer)                                                               \
    {                                                                                              \
        layer, 5.0, PM_TOPO_SNAP_M, 1000.0, NULL, 1.0, 0, 0, NULL, NULL                            \
    }
#define PM_QA_OPTS_INIT PM_QA_OPTS_INIT_LAYER("parks")

/** Run the topology QA. Caller owns *out. */
int pm_analysis_qa(pm_qa **out, pm_ctx *ctx, pm_store *st, const pm_qa_opts *opts);
void pm_qa_free(pm_qa *q);

/* ---- layout indicators --------------------------------------------------- */

/** A cluster: parks connected through gaps of at most cluster_m. */
typedef struct {
    int id;
    char *scope; /* "all", or the value of the by-field (e.g. an industry) */
    size_t nparks;
    char *parks;        /* names joined with " | " */
    double area_m2;     /* ellipsoidal area of the dissolved geometry */
    double enterprises; /* sum of known enterprises, NAN when none known */
    double mix_entropy; /* land-use mix: -sum p_i ln p_i / ln K over the area shares p_i of
                           the by-field's values in the cluster, K = number of distinct
                           values in the layer; 0 for one use, 1 for an even mix; NAN
                           when K < 2 (see docs/analysis.md) */
} pm_cluster;           /* the dissolved geometry is in the clusters table (write_table) */

/** Per-park layout facts. */
typedef struct {
    int64_t fid;
    char *name;
    char *group; /* value of the by-field */
    double area_m2, perimeter_m;
    double polsby_popper;  /* 4 pi A / P^2: 1 for a circle, small for elongated shapes */
    double hull_ratio;     /* A / area of the convex hull of all its parts: 1 when convex */
    double nearest_same_m; /* distance to the nearest park of the same group, NAN if alone */
    int cluster;           /* id of its cluster in scope "all" */
} pm_layout_park;

/** Co-location counts the links of at most this many (park, neighbour)
 * pairs: on 100,000 parcels 2 km holds ~94 million. */
#define PM_COLOCATION_MAX_LINKS 1000000

/** Point-pattern indicators of one value of the by-field (an industry). */
typedef struct {
    char *group;
    size_t nparks;
    double mean_nn_m;       /* observed mean distance between each park's centroid and the
                               nearest centroid of the same group (ground metres) */
    double expected_nn_m;   /* Clark-Evans: 0.5 / sqrt(n / A), A = study area */
    double clark_evans_r;   /* observed / expected: < 1 clustered, 1 random, > 1 dispersed;
                               NAN when n < 2 */
    double clark_evans_z;   /* (observed - expected) / (0.26136 / sqrt(n^2 / A)); NAN if n < 2 */
    size_t neighbour_links; /* links from these parks to parks within colocation_m */
    double colocation;      /* share of those links whose other end is the same group;
                               NAN when no link */
    double colocation_expected; /* mean share under random relabelling (fixed seed) */
    double colocation_p;        /* one-sided: (1 + #relabellings >= observed) / (1 + N) */
} pm_layout_group;

typedef struct {
    double cluster_m;
    int srid;
    double study_area_m2;     /* A of Clark-Evans: the district outline when the
                                 database holds one, else the parks' convex hull */
    char *study_area;         /* "outline" (or the layer given as within), or
                                 "convex hull of the parks" */
    double colocation_m;      /* neighbours for co-location: boundaries within this */
    unsigned colocation_seed; /* of the relabelling */
    int colocation_runs;      /* relabellings made: as asked, or fewer on a dense layer
                                 (at most 2e8 link counts in all, never under 99) */
    size_t colocation_focal;  /* parks whose links were counted: every park with a
                                 group, or on a layer with more than
                                 PM_COLOCATION_MAX_LINKS links a seeded random sample
                                 of them (see docs/analysis.md) */
    double colocation;        /* all parks: share of neighbour links within one group */
    double colocation_expected, colocation_p;
    size_t ngroups;
    pm_layout_group *groups; /* in order of the group's first park (by fid) */
    size_t nparks;
    pm_layout_park *parks;
    size_t nclusters;
    pm_cluster *clusters; /* scope "all" first, then per group */
} pm_layout;

typedef struct {
    const char *layer;
    double cluster_m;        /* parks closer than this belong to one cluster (default 500) */
    const char *by;          /* group field for per-group clusters (default "industry") */
    int write_table;         /* replace the "clusters" table */
    pm_progress_fn progress; /* phases, as "layout: <phase>"; NULL: none */
    void *progress_user;
    double colocation_m;  /* co-location neighbours: boundaries within this, ground
                             metres (default 2000) */
    int seed;             /* of the random relabelling, >= 0 (default 20221) */
    int runs;             /* relabellings, >= 0 (default 999; 0: no expected value) */
    const char *within;   /* polygon layer whose union is the study area of Clark-Evans;
                             NULL: "outline" when the database has that polygon layer, else
                             the parks' convex hull; "": always the hull */
    double study_area_m2; /* > 0: this study area instead (with study_area_name), so
                             that two layouts are measured in one area (compare) */
    const char *study_area_name;
} pm_layout_opts;
#define PM_LAYOUT_OPTS_INIT                                                                        \
    {                                                                                              \
        "parks", 500.0, "industry", 0, NULL, NULL, 2000.0, 20221, 999, NULL, 0.0, NULL             \
    }

/** Clusters, compactness, nearest same-group distances and the planning
 * indicators (Clark-Evans, co-location, mix entropy, hull ratio; formulas
 * in docs/analysis.md). The same seed gives the same co-location figures.
 * Caller owns *out. */
int pm_analysis_layout(pm_layout **out, pm_ctx *ctx, pm_store *st, const pm_layout_opts *opts);
void pm_layout_free(pm_layout *l);

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
    int pass; /* no problems: total within tolerance, every park with a planned
                 area within park_tolerance_pct, no QA finding (repairs aside) */
    size_t nproblems;
    pm_problem *problems;
    pm_adjacency *adjacency;
    pm_qa *qa;
} pm_check_report;

typedef struct {
    const char *layer;
    double target_km2;         /* default 43 */
    double tolerance_pct;      /* default 1 */
    double park_tolerance_pct; /* per-park planned vs measured, default 5 */
    pm_qa_opts qa;             /* topology QA run as part of the check; its progress
                                  callback reports every phase of the check. Its layer
                                  is NULL (the check's layer) or must equal `layer`:
                                  another one is refused with PM_EUSAGE */
} pm_check_opts;
#define PM_CHECK_OPTS_INIT                                                                         \
    {                                                                                              \
        "parks", 43.0, 1.0, 5.0, PM_QA_OPTS_INIT_LAYER(NULL)                                       \
    }

/** Run the check. Returns 0 whether or not it passed (see ->pass). */
int pm_analysis_check(pm_check_report **out, pm_ctx *ctx, pm_store *st, const pm_check_opts *opts);

/** Advice after an import: when parks of `layer` poke out of `within` (the
 * district) and fit once the GCJ-02 or BD-09 offset is undone (or applied
 * to the outline), a warning in ctx says the data look like web-map
 * coordinates imported as WGS 84. Never an error: a layer or outline that
 * is missing, not polygons, or larger than 20,000 features is passed over
 * (check --within measures those). */
void pm_analysis_webmap_hint(pm_ctx *ctx, pm_store *st, const char *layer, const char *within);
void pm_check_report_free(pm_check_report *r);

/* ---- repair --------------------------------------------------------------- */

typedef struct {
    const char *layer;
    const char *to;          /* the repaired layer's name (default "<layer>_clean") */
    double snap_m;           /* the repair tolerance (default 0.5 m) */
    int overwrite;           /* replace an existing layer named `to` */
    pm_progress_fn progress; /* phases, as "clean: <phase>"; NULL: none */
    void *progress_user;
} pm_clean_opts;
#define PM_CLEAN_OPTS_INIT                                                                         \
    {                                                                                              \
        "parks", NULL, 0.5, 0, NULL, NULL                                                          \
    }

typedef struct {
    char *layer, *to;
    double snap_m;
    size_t nfeatures;
    size_t nmoves;
    pm_topo_move *moves; /* every vertex moved by snapping, in fid order */
    double max_moved_m;
    size_t vertices_added; /* inserted where another park's vertex lay on an edge */
    size_t nreassigned;
    pm_topo_reassign *reassigned;
    size_t ncollapsed;
    int64_t *collapsed; /* parks smaller than the tolerance, kept as they were */
    size_t nchanged;
    struct pm_clean_change {
        int64_t fid;
        double before_m2, after_m2; /* planar, storage CRS */
    } * changed;                    /* parks whose area changed by 0.01 m² or more */
} pm_clean_report;

/** Repair a layer into a new one, all or nothing: vertices within snap_m
 * of each other become one, an edge passing within snap_m of another
 * park's vertex gets that vertex (so near-miss boundaries coincide),
 * overlaps thinner than snap_m are left to the larger park and slivers of
 * unclaimed ground narrower than snap_m go to the neighbour that borders
 * them longest. Every attribute is kept. Caller owns *out. */
int pm_analysis_clean(pm_clean_report **out, pm_ctx *ctx, pm_store *st, const pm_clean_opts *o);
void pm_clean_report_free(pm_clean_report *r);

#ifdef __cplusplus
}
#endif
#endif
