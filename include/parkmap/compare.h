/* parkmap/compare.h: two layouts of the same parks side by side (issue 13):
 * parks added, removed and changed, how far each changed boundary moved,
 * adjacency gained and lost, clusters merged and split, every layout
 * indicator and the total before and after. See docs/compare.md. */
#ifndef PARKMAP_COMPARE_H
#define PARKMAP_COMPARE_H

#include "parkmap/analysis.h"
#include "parkmap/error.h"
#include "parkmap/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What happened to a park between layout A (before) and B (after). */
typedef enum {
    PM_CMP_UNCHANGED = 0,
    PM_CMP_CHANGED = 1,
    PM_CMP_ADDED = 2,   /**< only in B */
    PM_CMP_REMOVED = 3, /**< only in A */
} pm_compare_status;

/** "unchanged", "changed", "added", "removed" (static). */
const char *pm_compare_status_name(pm_compare_status s);

/** One park of either layout, matched by its key. */
typedef struct {
    char *key;  /**< the key field's value as text */
    char *name; /**< B's name; A's for a removed park */
    pm_compare_status status;
    char *what;                    /**< changed: what differs, comma-separated, from "boundary"
                                        (Hausdorff over the tolerance), "area" (over area_m2),
                                        "name", "industry", "planned_area_km2"; else "" */
    int64_t fid_before, fid_after; /**< source fids; -1 where the park is absent */
    size_t before, after;          /**< index into before->parks / after->parks (the layout
                                        indicators); (size_t)-1 where absent */
    double area_before_m2;         /**< ellipsoidal (as area and check measure); NAN if absent */
    double area_after_m2;
    double change_km2;  /**< after - before; NAN unless in both */
    double change_pct;  /**< 100 * change / before; NAN unless in both */
    double hausdorff_m; /**< Hausdorff distance between the two boundaries, ground
                             metres; NAN unless in both */
    char *industry_before, *industry_after;       /**< NULL where absent or unknown */
    double planned_before_km2, planned_after_km2; /**< NAN where absent or unknown */
} pm_compare_park;

/** A pair of parks whose relation differs between A and B. */
typedef struct {
    char *a_key, *b_key; /**< the pair's keys, a_key < b_key (strcmp) */
    char *a_name, *b_name;
    const char *before, *after; /**< pm_relation_name() of the pair in A and in B
                                     (static); NULL where it is not adjacent there */
} pm_compare_pair;

/** A cluster named in a cluster event. */
typedef struct {
    int id;      /**< its id in that layout's scope "all" clusters */
    char *parks; /**< its parks found in both layouts, " | "-joined */
} pm_compare_cluster_ref;

/** A cluster event, over the parks present in both layouts (scope "all"). */
typedef struct {
    const char *kind;               /**< "merged": one B cluster holds parks of several A
                                         clusters; "split": the parks of one A cluster fall
                                         into several B clusters (static) */
    pm_compare_cluster_ref cluster; /**< merged: the B cluster; split: the A cluster */
    size_t nparts;
    pm_compare_cluster_ref *parts; /**< merged: the A clusters it gathers; split: the
                                        B clusters its parks went to (by id) */
} pm_compare_cluster_event;

/** One layout's total against the target. */
typedef struct {
    size_t parks;
    double sum_m2;             /**< sum of the parks' ellipsoidal areas */
    double union_m2;           /**< ellipsoidal area of their union: what check measures */
    double diff_km2, diff_pct; /**< union against the target */
    int pass;                  /**< |diff_pct| <= tolerance_pct */
} pm_compare_total;

typedef struct {
    char *layer;
    char *key; /**< the field the parks were matched by ("id" or "name", or as asked) */
    int srid_before, srid_after;
    double target_km2, tolerance_pct, hausdorff_tol_m, area_tol_m2;
    size_t nparks;
    pm_compare_park *parks; /**< A's parks in fid order (matched or removed), then
                                 B's added parks in fid order */
    size_t nadded, nremoved, nchanged, nunchanged;
    size_t npairs;
    pm_compare_pair *pairs; /**< adjacency gained, lost or changed, by key pair */
    size_t nevents;
    pm_compare_cluster_event *events; /**< merged first, then split, by cluster id */
    pm_compare_total total_before, total_after;
    pm_adjacency *adjacency_before, *adjacency_after;
    pm_layout *before, *after; /**< every layout indicator of A and of B */
} pm_compare;

typedef struct {
    const char *layer;       /**< the layer of parks in both databases (default "parks") */
    const char *key;         /**< matching field; NULL: "id" when both layers have one, else
                                  "name" */
    double target_km2;       /**< the planned total (default 43) */
    double tolerance_pct;    /**< how far a total may be off it (default 1) */
    double cluster_m;        /**< layout's cluster distance (default 500) */
    const char *by;          /**< layout's group field (default "industry"; ignored for a
                                  layer without it) */
    double tolerance_m;      /**< adjacency within this counts (default 0: contact) */
    double hausdorff_m;      /**< a boundary moved by more than this has changed (default
                                  PM_TOPO_SNAP_M) */
    double area_m2;          /**< an area differing by more than this has changed (default 1) */
    int write_table;         /**< replace the "changes" layer of B (which must then be
                                  opened writable) */
    pm_progress_fn progress; /**< phases, as "compare: <phase>"; NULL: none */
    void *progress_user;
} pm_compare_opts;
#define PM_COMPARE_OPTS_INIT                                                                       \
    {                                                                                              \
        "parks", NULL, 43.0, 1.0, 500.0, "industry", 0.0, PM_TOPO_SNAP_M, 1.0, 0, NULL, NULL       \
    }

/** Compare layout a (before) with layout b (after). Parks are matched by
 * the key field; a key found twice in one layer fails with PM_EINPUT
 * naming it and the database, a park without a key likewise. With
 * write_table the "changes" layer of b is replaced: one feature per park
 * (b's geometry, a's reprojected for a removed park) plus a's boundary of
 * every changed park (status "before"). Caller owns *out. */
int pm_analysis_compare(pm_compare **out, pm_ctx *ctx, pm_store *a, pm_store *b,
                        const pm_compare_opts *o);
/** Release. NULL-safe. */
void pm_compare_free(pm_compare *c);

#ifdef __cplusplus
}
#endif
#endif
