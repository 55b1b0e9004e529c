/* parkmap/topology.h: the boundary graph of a layer (the only module that
 * calls GEOS directly).
 *
 * A layer is read once. Every vertex is snapped to a node within snap_m
 * (ground metres) of it, every boundary segment is split where another
 * feature's node lies on it (T-junctions, different vertex density) or
 * where it crosses another feature's segment, and the resulting edges are
 * matched by their node pair. Adjacency, overlaps, gaps, near-misses and
 * the union are all answered from that one graph, so noise well below
 * snap_m never changes a result. See docs/analysis.md. */
#ifndef PARKMAP_TOPOLOGY_H
#define PARKMAP_TOPOLOGY_H

#include "parkmap/crs.h"
#include "parkmap/error.h"
#include "parkmap/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pm_topology pm_topology;

/** The default snapping tolerance: above the centimetre of rounding that
 * 7-decimal degrees, digitising and reprojection leave, below anything a
 * planner would draw on purpose. */
#define PM_TOPO_SNAP_M 0.05

typedef struct {
    const char *layer;
    double snap_m; /**< vertices closer than this are one node (ground metres, > 0) */
    double near_m; /**< unmatched boundaries within this of each other are "near" (>= 0) */
    pm_progress_fn progress; /**< phases, as "topology: <phase>"; NULL: none */
    void *progress_user;
    int record_moves; /**< keep every vertex snapping moved (pm_topology_moves) */
} pm_topology_opts;
#define PM_TOPOLOGY_OPTS_INIT                                                                      \
    {                                                                                              \
        "parks", PM_TOPO_SNAP_M, 0.0, NULL, NULL, 0                                                \
    }

/** A vertex that snapping moved onto a node. */
typedef struct {
    int64_t fid;
    double x, y;       /**< where it was (storage CRS) */
    double to_x, to_y; /**< the node it joined */
    double moved_m;
} pm_topo_move;

/** The vertices snapping moved (with record_moves; borrowed, in fid order). */
const pm_topo_move *pm_topology_moves(const pm_topology *t, size_t *out_n);

/** Read a layer and build its boundary graph. Caller owns *out. */
int pm_topology_build(pm_topology **out, pm_ctx *ctx, pm_store *st, const pm_topology_opts *o);
/** Release. NULL-safe. */
void pm_topology_free(pm_topology *t);
/** Storage CRS SRID of the layer the graph was built from. */
int pm_topology_srid(const pm_topology *t);
/** The storage CRS's units per ground metre at the layer's centre (the
 * factor the tolerances were converted by). */
double pm_topology_units_per_m(const pm_topology *t);
/** Number of features read. */
size_t pm_topology_nfeatures(const pm_topology *t);

/** A feature's name (borrowed; "#fid" when it has none), NULL if no such fid. */
const char *pm_topology_name(const pm_topology *t, int64_t fid);
/** A feature's ellipsoidal area from its snapped rings, in m². */
int pm_topology_feature_area(double *out_m2, pm_ctx *ctx, pm_topology *t, int64_t fid);
/** A feature's planar (storage CRS) and ellipsoidal areas from its snapped
 * rings, in m² (snapping moves no vertex by more than snap_m). */
int pm_topology_areas(double *out_planar_m2, double *out_m2, pm_ctx *ctx, pm_topology *t,
                      int64_t fid);

/** One polygon part of a feature. */
typedef struct {
    int64_t fid;
    int part;       /**< 1-based, in the feature's order */
    double area_m2; /**< ellipsoidal, holes subtracted */
    pm_geom *geom;  /**< storage CRS polygon */
} pm_topo_part;

/** Parts smaller than max_m2. Caller owns *out (pm_topo_parts_free). */
int pm_topology_small_parts(pm_topo_part **out, size_t *out_n, pm_ctx *ctx, pm_topology *t,
                            double max_m2);
void pm_topo_parts_free(pm_topo_part *p, size_t n);

/** What the graph knows about one pair of features. */
typedef struct {
    int64_t a_fid, b_fid;        /**< a_fid < b_fid */
    const char *a_name, *b_name; /**< borrowed from the topology */
    double shared_m;             /**< geodesic length of matched edges (the pair on either side) */
    double overlap_m2;           /**< ellipsoidal area of the interiors' intersection */
    int touches;                 /**< the boundaries share at least one node */
    double near_m;     /**< geodesic length of a's unmatched boundary within near_m of b's */
    double near_max_m; /**< largest distance between the boundaries along that stretch */
    double near_min_m; /**< smallest distance (0 when they also touch) */
    pm_geom *shared;   /**< shared edges as lines (storage CRS), with want_geom; or NULL */
    pm_geom *near;     /**< the near stretch of a's boundary as lines, with want_geom */
    pm_geom *overlap;  /**< the overlap polygons (storage CRS), with want_geom */
} pm_topo_pair;

/** Called once per pair in (a_fid, b_fid) order; the callback may take the
 * geometries (setting the pointers to NULL). Non-zero stops and is returned. */
typedef int (*pm_topo_pair_fn)(void *user, pm_ctx *ctx, pm_topo_pair *p);

/** Every pair that shares an edge, overlaps, touches, or runs within near_m. */
int pm_topology_pairs(pm_topology *t, pm_ctx *ctx, int want_geom, pm_topo_pair_fn fn, void *user);

/** Area of the union, planar (storage CRS) and ellipsoidal, in m²: from the
 * coverage when the layer is a clean coverage, from a general union
 * otherwise. */
int pm_topology_union_area(double *out_planar_m2, double *out_ellipsoidal_m2, pm_ctx *ctx,
                           pm_topology *t);

/** A piece of ground no feature covers, enclosed by or squeezed between
 * features, narrower than the gap width asked for. */
typedef struct {
    double area_m2;  /**< ellipsoidal */
    double width_m;  /**< maximum width (diameter of the largest inscribed circle) */
    double length_m; /**< half the perimeter less the width: a strip's length */
    size_t nfids;
    int64_t *fids; /**< the features bordering it, ascending */
    pm_geom *geom; /**< storage CRS polygon */
} pm_topo_gap;

/** Gaps narrower than gap_m: the morphological closing of the union by
 * gap_m / 2 (mitred, so corners are not rounded off) less the union, one
 * entry per connected piece wider than the snapping tolerance and bordered
 * by features. Caller owns *out (pm_topo_gaps_free). */
int pm_topology_gaps(pm_topo_gap **out, size_t *out_n, pm_ctx *ctx, pm_topology *t, double gap_m);
void pm_topo_gaps_free(pm_topo_gap *g, size_t n);

/** Ground clean moved from one park to another. */
typedef struct {
    const char *kind; /**< "sliver" (unclaimed ground given to a neighbour) or
                           "overlap" (ground two parks claimed, left to one) (static) */
    int64_t from_fid; /**< overlap: the park that gave it up; sliver: -1 */
    int64_t to_fid;   /**< the park that has it now */
    double area_m2;   /**< ellipsoidal */
} pm_topo_reassign;

/** The layer repaired: every feature's snapped and noded geometry, with
 * overlaps thinner than the tolerance left to the larger park and slivers
 * of unclaimed ground narrower than it given to the neighbour that
 * borders them longest. */
typedef struct {
    size_t nfeatures;
    int64_t *fids;   /**< ascending */
    pm_geom **geoms; /**< storage CRS, one per fid; NULL for a feature that
                          collapsed entirely (smaller than the tolerance) */
    size_t nreassigned;
    pm_topo_reassign *reassigned;
} pm_topo_clean;

/** Repair the layer the graph was built from (snap_m is the tolerance).
 * Caller owns *out (pm_topo_clean_free). */
int pm_topology_clean(pm_topo_clean **out, pm_ctx *ctx, pm_topology *t);
void pm_topo_clean_free(pm_topo_clean *c);

/** Counts for reports and tests. */
typedef struct {
    size_t nodes, edges, matched_edges, split_vertices, crossings;
    int clean_coverage; /**< no overlap evidence: the coverage union applies */
} pm_topo_stats;
void pm_topology_stats(const pm_topology *t, pm_topo_stats *out);

/* ---- what layout asks (topo_layout.c) ------------------------------------
 * Arrays are indexed by feature index: 0 .. pm_topology_nfeatures() - 1, in
 * fid order. Layout builds its graph with a micrometre's snapping, so these
 * are the measures of the stored geometry. */

/** Fid of feature index i (-1 when out of range). */
int64_t pm_topology_fid(const pm_topology *t, size_t i);

/** Geodesic perimeter of every feature (all rings, holes included), in m,
 * into out_m[nfeatures]. */
int pm_topology_perimeters(double *out_m, pm_ctx *ctx, pm_topology *t);

/** Components of the features within dist_m of one another (storage CRS
 * metres; 0: touching or overlapping). With group (per feature, >= 0),
 * only features of the same group connect. out_root[nfeatures] receives
 * each feature's component as its smallest feature index. */
int pm_topology_components(uint32_t *out_root, pm_ctx *ctx, pm_topology *t, double dist_m,
                           const int32_t *group);

/** Distance (storage CRS metres, 0 when touching) from each feature to the
 * nearest other feature of its group, into out_m[nfeatures]; NAN when the
 * feature's group is negative or it is alone in it. */
int pm_topology_nearest_same(double *out_m, pm_ctx *ctx, pm_topology *t, const int32_t *group);

/* ---- what layout's planning indicators ask (topo_indicators.c) ---------- */

/** Area-weighted centroid of every feature (all its parts; holes subtract),
 * in the storage CRS, into out_xy[2 * nfeatures]; NAN for a feature without
 * area. */
int pm_topology_centroids(double *out_xy, pm_ctx *ctx, pm_topology *t);

/** From each point xy[2f], xy[2f + 1] whose group[f] >= 0, the distance in
 * ground metres (the rule of pm_topology_nearest_same) to the nearest other
 * point of its group, into out_m[nfeatures]; NAN when the group is
 * negative, the point is not finite, or it is alone in its group. */
int pm_topology_nearest_point(double *out_m, pm_ctx *ctx, pm_topology *t, const double *xy,
                              const int32_t *group);

/** Ellipsoidal area (m²) of the convex hull of each feature's vertices into
 * out_m2[nfeatures] (0 for a feature without area), and of every feature's
 * vertices together into *out_all_m2 unless it is NULL. The hulls are taken
 * in the storage CRS, their edges measured like the features' own. */
int pm_topology_hull_areas(double *out_m2, double *out_all_m2, pm_ctx *ctx, pm_topology *t);

/** Directed links (f, g), g != f: from each feature f of focal[0..nfocal)
 * in the order given, to every feature g whose boundary lies within dist_m
 * ground metres of f's (0 when they touch or overlap; distances as in
 * pm_topology_nearest_same), f's links in ascending g. Stops after the
 * focal feature whose links bring the count to max_links or beyond, so the
 * work and memory stay bounded on a dense layer; *out_nfocal says how many
 * focal features were taken (all of them, or a prefix). Caller owns
 * *out_pairs (free()). */
int pm_topology_neighbours(uint32_t **out_pairs, size_t *out_n, size_t *out_nfocal, pm_ctx *ctx,
                           pm_topology *t, double dist_m, const uint32_t *focal, size_t nfocal,
                           size_t max_links);

/** Dissolves of feature sets, sharing one GEOS context and one transform. */
typedef struct pm_topo_dissolver pm_topo_dissolver;
int pm_topology_dissolver_new(pm_topo_dissolver **out, pm_ctx *ctx, pm_topology *t);
/** The union of features fs[0..n) (storage CRS polygons) and its
 * ellipsoidal area in m2. Caller owns *out_geom. */
int pm_topology_dissolve(pm_geom **out_geom, double *out_m2, pm_ctx *ctx, pm_topo_dissolver *d,
                         const uint32_t *fs, size_t n);
/** Release. NULL-safe. */
void pm_topology_dissolver_free(pm_topo_dissolver *d);

/* ---- what compare asks (topo_hausdorff.c) --------------------------------- */

/** Measures two versions of the same parks, stored in srid_a and srid_b. */
typedef struct pm_topo_hausdorff pm_topo_hausdorff;
int pm_topology_hausdorff_new(pm_topo_hausdorff **out, pm_ctx *ctx, int srid_a, int srid_b);
/** How far boundary b (srid_b) lies from boundary a (srid_a) at worst: the
 * Hausdorff distance between the two boundaries (holes included), in ground
 * metres. Both are projected to a transverse Mercator on WGS 84 whose
 * central meridian is within 0.125 degrees of longitude of a's centre
 * (scale true to 2e-6 near the park) and sampled every 0.1 m (every
 * 1e-5 of the longest segment when that is longer than 10 km) by GEOS's
 * densified discrete Hausdorff distance, which is then within half the
 * sample spacing of the true distance. */
int pm_topology_hausdorff(double *out_m, pm_ctx *ctx, pm_topo_hausdorff *hd, const pm_geom *a,
                          const pm_geom *b);
/** Release. NULL-safe. */
void pm_topology_hausdorff_free(pm_topo_hausdorff *hd);

/* ---- measures of a layer without a graph ---------------------------------
 * Read through the store's cursors, so both backends run this same C; GEOS
 * does the overlays, pm_geod_area (GeographicLib) the ellipsoidal areas. A
 * piece GEOS fails on (invalid input) is left out, and counts nothing, as
 * the databases' SQL did before it moved here. */

/** Planar area of a polygon geometry in its own units squared (shoelace,
 * holes subtracted); 0 for lines or NULL. */
double pm_topology_planar_area(const pm_geom *g);
/** Ellipsoidal (WGS 84) area in m² of a storage-CRS polygon geometry,
 * through to_ll (pm_topology_to_lonlat); 0 for NULL or empty. */
int pm_topology_ellipsoidal_area(double *out_m2, pm_ctx *ctx, pm_transform *to_ll,
                                 const pm_geom *g);
/** A transform from EPSG:srid to lon/lat (EPSG:4326, GIS order). Caller
 * owns *out (pm_transform_free). */
int pm_topology_to_lonlat(pm_transform **out, pm_ctx *ctx, int srid);
/** An attribute value as text, as SQLite writes it (integers in full, reals
 * "%!.15g" with a point always). NULL for a null value or out of memory.
 * Caller owns the result (free()). */
char *pm_topology_value_text(const pm_value *v);

/** Area of the union of a layer's features, planar (storage CRS) and
 * ellipsoidal, in m². A layer of more than 4,000 features is unioned tile
 * by tile through the spatial index (pm_store_cursor_open_bbox), each tile's
 * union clipped to it, so memory stays bounded; a tile GEOS cannot union
 * counts 0. */
int pm_topology_layer_union_area(double *out_planar_m2, double *out_ellipsoidal_m2, pm_ctx *ctx,
                                 pm_store *st, const char *layer);

/** A part of a feature (or of a pair), with the figures of the QA finding
 * it makes. */
typedef struct {
    int64_t a_fid, b_fid;
    char *a_name, *b_name;
    double area_m2;    /* ellipsoidal */
    double distance_m; /* for gaps: the narrowest width */
    pm_geom *geom;     /* storage CRS polygons */
} pm_pair_area_row;

/** Release rows from pm_topology_outside. NULL-safe. */
void pm_pair_area_rows_free(pm_pair_area_row *rows, size_t n);

/** Parts of features lying outside the union of layer `within` (transformed
 * into the layer's CRS when its own differs), more than min_m2 ellipsoidal:
 * one row per feature, ordered by fid, geometry = the polygons outside. The
 * pair's b_* members repeat a_*. A within layer with nothing in it, or
 * whose union GEOS cannot take, leaves nothing outside. Caller owns *out
 * (pm_pair_area_rows_free). */
int pm_topology_outside(pm_pair_area_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st,
                        const char *layer, const char *within, double min_m2);
/** The ellipsoidal area (m²) of layer outside within once the layer is moved
 * by (dx, dy) storage units: does data read in the wrong system (GCJ-02 as
 * WGS 84) fit the district after the offset is undone? */
int pm_topology_outside_shifted(double *out_m2, pm_ctx *ctx, pm_store *st, const char *layer,
                                const char *within, double dx, double dy);

/* ---- validity and repair ---------------------------------------------------
 * GEOS's verdict on each feature as read through a cursor, so that both
 * backends run the same code and give the same answer (docs/architecture.md,
 * "What runs where"). */

/** A geometry that fails GEOS validity. */
typedef struct {
    int64_t fid;
    char *name;     /**< name attribute, or "#fid" */
    char *reason;   /**< GEOS's words, e.g. "Self-intersection[x y]"; "invalid"
                         for a feature without geometry */
    pm_geom *where; /**< a 10 m marker disc around the reported location, or NULL */
} pm_invalid_row;

/** Release rows from pm_topology_invalid or pm_topology_make_valid. NULL-safe. */
void pm_invalid_rows_free(pm_invalid_row *rows, size_t n);

/** Is g (a polygon geometry) valid by GEOS's (OGC) rules? *out_valid 1 or
 * 0; when 0, *out_reason is GEOS's reason with its location, as
 * GEOSisValidReason words it ("Self-intersection[x y]"; caller frees) and
 * out_xy (may be NULL) that location, NAN when GEOS gives none. g NULL is
 * invalid ("invalid", no location). out_reason may be NULL. */
int pm_topology_geom_valid(int *out_valid, char **out_reason, double out_xy[2], pm_ctx *ctx,
                           const pm_geom *g);

/** g repaired: GEOS's MakeValid, 'structure' method (rings taken as the
 * areas they enclose: a bow-tie is its two triangles, a hole lying wholly
 * outside its shell becomes land, as the old repair made it), collapsed parts dropped, only the
 * polygonal result kept. *out is NULL when nothing polygonal is left (or g
 * is NULL); caller owns it. */
int pm_topology_geom_repair(pm_geom **out, pm_ctx *ctx, const pm_geom *g);

/** Features of a layer whose geometry is invalid, read through a cursor,
 * ordered by fid: GEOS's reason, and a marker disc of 10 ground metres
 * (converted to storage units at the layer's centre, 30 segments per
 * quadrant) around the location GEOS reports. A feature without geometry
 * is listed too, reason "invalid", no marker. Caller owns *out
 * (pm_invalid_rows_free). */
int pm_topology_invalid(pm_invalid_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st,
                        const char *layer);

/** Repair every invalid geometry of a layer in place
 * (pm_topology_geom_repair; one with nothing polygonal left is stored
 * without geometry, one without geometry is left so) through
 * pm_store_update_*, in one transaction. *out lists what was repaired, as
 * pm_topology_invalid reported it before. The store must be writable
 * (PM_EIO). Caller owns *out. */
int pm_topology_make_valid(pm_invalid_row **out, size_t *out_n, pm_ctx *ctx, pm_store *st,
                           const char *layer);

#ifdef __cplusplus
}
#endif
#endif
