/* Shared between the analysis module's files; not API. */
#ifndef PM_ANALYSIS_INTERNAL_H
#define PM_ANALYSIS_INTERNAL_H

#include "parkmap/analysis.h"
#include "parkmap/store.h"
#include "parkmap/topology.h"

/* Parks found outside_m2 outside `within`: if undoing the GCJ-02 or BD-09
 * offset (or applying it to the outline) puts them inside, warn that the
 * data look like web-map coordinates imported as WGS 84 (webmap_hint.c).
 * Advice only: a failure to measure says nothing. */
void pm_qa_webmap_hint(pm_ctx *ctx, pm_store *st, const char *layer, const char *within,
                       double outside_m2);

/* Land-use mix of the parks members[0..m) of l (layout_indicators.c):
 * -sum p_v ln p_v / ln nvals over the area shares p_v of the dense group
 * ids gid[] (0 .. nvals - 1, every value of the by-field, the empty one
 * included); NAN when nvals < 2 or no member has area. share has room for
 * nvals doubles. */
double pm_layout_mix_entropy(const pm_layout *l, const size_t *members, size_t m,
                             const int32_t *gid, size_t nvals, double *share);

/* Hull ratios, the study area, Clark-Evans per group and co-location
 * (layout_indicators.c), into l, whose parks are filled (areas included).
 * gidx: each park's feature index in t (UINT32_MAX: no geometry); gid and
 * nvals as above; by: a by-field was given (else no groups). */
int pm_layout_indicators(pm_layout *l, pm_ctx *ctx, pm_store *st, pm_topology *t,
                         const pm_layout_opts *o, const uint32_t *gidx, const int32_t *gid,
                         size_t nvals, int by);

#endif
