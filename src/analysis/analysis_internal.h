/* Shared between the analysis module's files; not API. */
#ifndef PM_ANALYSIS_INTERNAL_H
#define PM_ANALYSIS_INTERNAL_H

#include "parkmap/store.h"

/* Parks found outside_m2 outside `within`: if undoing the GCJ-02 or BD-09
 * offset (or applying it to the outline) puts them inside, warn that the
 * data look like web-map coordinates imported as WGS 84 (webmap_hint.c).
 * Advice only: a failure to measure says nothing. */
void pm_qa_webmap_hint(pm_ctx *ctx, pm_store *st, const char *layer, const char *within,
                       double outside_m2);

#endif
