/* parkmap/parkmap.h: the whole public API. */
#ifndef PARKMAP_H
#define PARKMAP_H

#include "parkmap/error.h"
#include "parkmap/feature.h"
#include "parkmap/crs.h"
#include "parkmap/load.h"
#include "parkmap/store.h"
#include "parkmap/analysis.h"
#include "parkmap/compare.h"
#include "parkmap/style.h"
#include "parkmap/render.h"
#include "parkmap/export.h"
#include "parkmap/pipeline.h"
#include "parkmap/report.h"

/** parkmap's version string (borrowed). */
const char *pm_version(void);

#endif
