/* Shared between the topology module's files; not API.
 *
 * Vocabulary: a *point* is a vertex as read; a *node* is the snapped
 * position several points share; a *ring* is a sequence of nodes (closed
 * implicitly, interior on the left: exteriors counter-clockwise, holes
 * clockwise); an *edge* is one step of a ring (global index into rnode);
 * a *group* is the set of edges between the same two nodes, whichever
 * ring they belong to. */
#ifndef PM_TOPO_INTERNAL_H
#define PM_TOPO_INTERNAL_H

#include "parkmap/topology.h"

#include <geos_c.h>

#include <stdint.h>

/* One edge in the sort by node pair. */
typedef struct {
    uint64_t key; /* min node << 32 | max node */
    uint32_t f;   /* feature index */
    uint32_t e;   /* edge index (into rnode) */
    uint8_t fwd;  /* 1 when the ring runs from the lower node to the higher */
} topo_hedge;

/* A stretch of one feature's unmatched edge near another feature. */
typedef struct {
    uint32_t f, g; /* the edge's feature, the other feature */
    uint32_t e;    /* edge index */
    double u0, u1; /* the stretch as parameters along the edge, u0 < u1 */
    double dmin, dmax;
} topo_near;

struct pm_topology {
    int srid;
    /* The tolerances in storage-CRS units: the options' ground metres times
     * upm, the CRS's units per ground metre at the layer's centre (about 1
     * in Gauss-Krueger or UTM, 1/111,000 in degrees, sec(lat) in Web
     * Mercator), so that no tolerance exceeds its ground distance. */
    double snap_m, near_m;
    double upm;
    /* Bounds on units per metre anywhere in the layer, in any direction
     * (sampled, with a margin): distances measured in storage units convert
     * to metres between them. When they differ by more than half a percent
     * (degrees, Web Mercator, a layer wider than a zone) the distances layout
     * reports are geodesic instead (geod_dist). */
    double upm_lo, upm_hi;
    int geod_dist;
    char *layer;
    /* features, sorted by fid */
    size_t nf;
    int64_t *fid;
    char **name;
    double *fbox;   /* 4 per feature: xmin, ymin, xmax, ymax */
    size_t *f_ring; /* rings of feature i: f_ring[i] .. f_ring[i+1] */
    /* rings */
    size_t nrings;
    size_t *r_first; /* nodes of ring r: rnode[r_first[r] .. r_first[r+1]] */
    uint8_t *r_hole;
    uint32_t *r_feat;
    uint32_t *rnode; /* node ids; edge k runs rnode[k] -> next in its ring */
    size_t nedges;
    /* nodes */
    size_t nnodes, cap_nodes;
    double *nxy;
    double *nll;                /* lon/lat of every node, computed on first need */
    struct pm_transform *to_ll; /* storage CRS -> WGS 84, made on first need */
    double *r_m2, *r_planar;    /* per ring: ellipsoidal and planar area, holes
                                   negative (on first need) */
    /* edges sorted by node pair */
    topo_hedge *he;
    uint32_t *he_pos; /* edge -> its index in he */
    uint8_t *matched; /* per edge: another feature runs the other way along it */
    /* vertices snapping moved, when asked (record_moves) */
    int record_moves;
    pm_topo_move *moves;
    size_t nmoves, cap_moves;
    /* what the noding found */
    size_t split_vertices, crossings;
    uint64_t *ovl; /* overlap evidence, f << 32 | g with f < g, sorted unique */
    size_t novl, cap_ovl;
    topo_near *near;
    size_t nnear, cap_near;
    /* GEOS's context and the union, made on first need (opaque here) */
    void *geos;
    void *union_geom;
    void **prep; /* per feature, on first need: prepared polygon and
                    boundary and their geometries (4 per feature) */
    double union_planar_m2, union_ellipsoidal_m2;
    int have_union;
};

/* topo_read.c: the layer into features, rings and points; snapping. */
int topo_read(pm_topology *t, pm_ctx *ctx, pm_store *st, const char *layer);

/* topo_node.c: edges sorted by node pair, T-junctions and crossings split,
 * near stretches found. */
int topo_match(pm_topology *t, pm_ctx *ctx);
int topo_node(pm_topology *t, pm_ctx *ctx, int *out_changed);
int topo_find_near(pm_topology *t, pm_ctx *ctx);
int topo_overlap_evidence(pm_topology *t, pm_ctx *ctx);
/* Record overlap evidence for features f, g (any order). */
int topo_add_ovl(pm_topology *t, pm_ctx *ctx, uint32_t f, uint32_t g);
/* Index of the feature with this fid (features are sorted by fid), or -1. */
int64_t topo_index_of(const pm_topology *t, int64_t fid);
/* Index of the edge after e in its ring. */
size_t topo_next_edge(const pm_topology *t, size_t e);
/* The ring an edge belongs to (binary search over r_first). */
size_t topo_ring_of(const pm_topology *t, size_t e);

/* topo_geo.c: lon/lat of the nodes and geodesic lengths; the CRS's units
 * per ground metre around (cx, cy), span the layer's size in units. */
double topo_units_per_m(const pm_topology *t, double cx, double cy, double span);
/* The same for a storage CRS given by its SRID (no graph needed). */
double topo_units_per_m_srid(int srid, double cx, double cy, double span);
/* Fill t->upm_lo, upm_hi and geod_dist for the extent ext (xmin, ymin,
 * xmax, ymax in storage units). */
void topo_scale_range(pm_topology *t, const double *ext);
/* Geodesic distance in metres between two points in storage units; the
 * planar distance over upm if the transform fails. */
double topo_geod_between(pm_topology *t, const double *p, const double *q);
/* Make t->to_ll (storage CRS -> WGS 84) if it is not made yet. */
int topo_need_to_ll(pm_topology *t, pm_ctx *ctx);
int topo_need_lonlat(pm_topology *t, pm_ctx *ctx);
double topo_geod_len(const pm_topology *t, uint32_t a, uint32_t b, double u0, double u1);
int topo_geod_area(double *out, pm_ctx *ctx, pm_topology *t, const pm_geom *g);

/* The polygons of a GEOS result appended to a pm_geom (lines and points
 * an overlay adds where areas touch are dropped); -1 out of memory. */
int topo_add_polygons(GEOSContextHandle_t h, const GEOSGeometry *g, pm_geom *out);
/* A polygon pm_geom as a GEOS MultiPolygon built from its coordinates (no
 * trip through WKB), moved by (dx, dy), rings closed if the store's were
 * not; NULL when GEOS refuses it (a ring of fewer than four points: h's
 * message handler says why) or out of memory. Parts without rings are
 * left out. */
GEOSGeometry *topo_pm_to_geos(GEOSContextHandle_t h, const pm_geom *g, double dx, double dy);
/* The polygons of a GEOS result as a pm_geom (*out NULL when there are
 * none: lines and points an overlay adds where areas touch are dropped). */
int topo_geos_to_pm(pm_geom **out, pm_ctx *ctx, GEOSContextHandle_t h, const GEOSGeometry *g,
                    const char *where);

/* topo_geos.c: everything GEOS does (overlays, union, closing). Is (x, y)
 * inside feature f, farther than the tolerance from its boundary? Through
 * GEOS's prepared (indexed) geometry, for features with many vertices. */
int topo_inside_prepared(pm_topology *t, uint32_t f, double x, double y);
int topo_overlap(double *out_m2, pm_geom **out_geom, pm_ctx *ctx, pm_topology *t, uint32_t f,
                 uint32_t g);
/* Release the union and GEOS's context. */
void topo_geos_free(pm_topology *t);

/* topo_layout.c: the distance between features f and g in ground metres
 * (0 when they touch or overlap), as layout reports it. With geod_dist the
 * caller has made t->to_ll (topo_need_to_ll). */
double topo_feat_m(pm_topology *t, uint32_t f, uint32_t g);

/* A uniform grid of features by bounding box (topo_grid.c). */
typedef struct topo_fgrid topo_fgrid;
int topo_fgrid_new(topo_fgrid **out, const pm_topology *t);
/* Features whose box meets (x0, y0, x1, y1): calls fn until it returns non-zero.
 * A feature may be offered more than once. */
int topo_fgrid_query(const topo_fgrid *g, const double box[4], int (*fn)(void *, uint32_t),
                     void *user);
void topo_fgrid_free(topo_fgrid *g);

/* A hash of 2-D integer cells (topo_grid.c): cell -> dense index. */
typedef struct topo_cellmap topo_cellmap;
topo_cellmap *topo_cellmap_new(size_t expect);
/* Index of cell (ix, iy), inserting it when absent (insert = 1); -1 when
 * absent and not inserted, -2 when out of memory. */
int64_t topo_cellmap_get(topo_cellmap *m, int64_t ix, int64_t iy, int insert);
size_t topo_cellmap_count(const topo_cellmap *m);
void topo_cellmap_free(topo_cellmap *m);

#endif
