/* Shared between compare's files (compare*.c); not API. */
#ifndef PM_COMPARE_INTERNAL_H
#define PM_COMPARE_INTERNAL_H

#include "parkmap/compare.h"

/* One park of one layout, as compare reads it. */
typedef struct {
    int64_t fid;
    char *key, *name;
    char *industry;     /* NULL when the layer has no industry or it is null */
    double planned_km2; /* NAN when unknown */
    double area_m2;     /* ellipsoidal, as pm_analysis_area_rows measures it */
    pm_geom *geom;      /* storage CRS */
    size_t match;       /* index of the same park in the other side, or (size_t)-1 */
    size_t park;        /* index into pm_compare.parks */
} cmp_park;

/* One of the two layouts. */
typedef struct {
    pm_store *st;
    const char *db; /* the database's path, for messages */
    int srid;
    size_t n;
    cmp_park *p;    /* in fid order */
    size_t *by_key; /* indices of p in key order */
    int has_id;     /* the layer has an "id" field */
} cmp_side;

/* compare_match.c: read a side, pick the key, match the two sides. */
int cmp_side_open(cmp_side *s, pm_ctx *ctx, pm_store *st, const char *layer);
int cmp_side_read(cmp_side *s, pm_ctx *ctx, const char *layer, const char *key);
void cmp_side_clear(cmp_side *s);
/* Does the layer have this attribute field? */
int cmp_has_field(int *out, pm_ctx *ctx, pm_store *st, const char *layer, const char *field);
/* A layout park's index by fid, or (size_t)-1 (layout parks are in fid order). */
size_t cmp_layout_index(const pm_layout *l, int64_t fid);
/* Index of the park with this key, or (size_t)-1. */
size_t cmp_side_find(const cmp_side *s, const char *key);
/* Index of the park with this fid, or (size_t)-1. */
size_t cmp_side_fid(const cmp_side *s, int64_t fid);
/* Set every park's match; fill c->parks (status still unchanged/added/removed). */
int cmp_match(pm_compare *c, pm_ctx *ctx, cmp_side *a, cmp_side *b);

/* compare_geom.c: area change, Hausdorff distance and what changed. */
int cmp_measure(pm_compare *c, pm_ctx *ctx, const cmp_side *a, const cmp_side *b,
                const pm_compare_opts *o);

/* compare_diff.c: adjacency gained and lost, clusters merged and split. */
int cmp_adjacency_diff(pm_compare *c, pm_ctx *ctx, const cmp_side *a, const cmp_side *b);
int cmp_cluster_diff(pm_compare *c, pm_ctx *ctx, const cmp_side *a, const cmp_side *b);

/* compare_layer.c: the "changes" layer of b. */
int cmp_write_changes(const pm_compare *c, pm_ctx *ctx, const cmp_side *a, const cmp_side *b);

#endif
