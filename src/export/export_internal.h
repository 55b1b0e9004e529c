/* Shared between the export module's files; not API. */
#ifndef PM_EXPORT_INTERNAL_H
#define PM_EXPORT_INTERNAL_H

#include "parkmap/error.h"

/* dir + "/" + name. Caller frees; NULL on OOM. */
char *pm_export_join(const char *dir, const char *name);
/* The directory part of a path ("." when it has none). Caller frees. */
char *pm_export_dirname(const char *path);
/* The last component of a path. Caller frees. */
char *pm_export_basename(const char *path);

/* The staging directory's name inside the output directory. */
#define PM_EXPORT_STAGE_NAME ".parkmap-export.tmp-XXXXXX"

/* The longest path GDAL is given. GDAL (to 3.10 at least) derives sidecar
 * and temporary names (CPLFormFilename, CPLResetExtension, CPLGetPath) in
 * 2,048-byte buffers and, when a name does not fit, silently returns an
 * empty string: the driver then writes relative to the current directory
 * (issue 16: a .shp replaced in the working directory, exit 0). So any
 * path GDAL sees, plus the longest suffix a driver adds, must stay under
 * 2,048 bytes; longer outputs are refused before anything is written. */
#define PM_EXPORT_GDAL_PATH_MAX 2047
/* Room for what drivers append to the name they were given (".shp.xml",
 * "-journal", FlatGeobuf's temporary index file). */
#define PM_EXPORT_GDAL_SUFFIX_ROOM 32

/* Make a private staging directory inside dir, on the same file system as
 * the final outputs so that publishing is a rename. Errors name out_path,
 * the output the user asked for. Caller owns *out (a path) and removes it
 * with pm_export_stage_remove. */
int pm_export_stage_new(char **out, pm_ctx *ctx, const char *dir, const char *out_path);
/* Move every file of the staging directory into dir. Files whose extension
 * is main_ext go last, so a reader who sees the main file (a .shp) also
 * finds its sidecars. Without overwrite an existing file is never replaced
 * (PM_EEXIST), even one that appeared after the first check. */
int pm_export_publish(pm_ctx *ctx, const char *stage, const char *dir, const char *main_ext,
                      int overwrite);
/* Delete the staging directory and whatever is left in it. NULL-safe. */
void pm_export_stage_remove(const char *stage);

/* ---- styles: export_plan.c, export_qml.c, export_sld.c, export_kml.c ---- */

#include "parkmap/feature.h"
#include "parkmap/style.h"

/* Attribute names as a format stores them (Shapefile's 10-byte DBF names);
 * a name not listed is kept. */
typedef struct {
    size_t n;
    char **from, **to;
} pm_export_fieldmap;

/* DBF names for a schema: names up to 10 bytes kept; longer ones cut (on a
 * UTF-8 boundary); a clash, compared without case as DBF readers do, takes
 * the lowest free suffix _2, _3, ... within the 10 bytes. Deterministic:
 * the same names in the same order always map the same way. */
int pm_export_fieldmap_dbf(pm_export_fieldmap *out, pm_ctx *ctx, const char *const *names,
                           size_t n);
void pm_export_fieldmap_clear(pm_export_fieldmap *m);
/* The stored name of an attribute (borrowed; name itself when unmapped). */
const char *pm_export_field_name(const pm_export_fieldmap *m, const char *name);

/* What a style says about one exported layer, ready to translate. */
typedef struct pm_export_plan pm_export_plan;

/* *out is NULL when the style has no visible layer drawing `layer`. fields
 * (may be NULL) is borrowed and must outlive the plan. */
int pm_export_plan_new(pm_export_plan **out, pm_ctx *ctx, const pm_style *s, const char *layer,
                       int is_line, const pm_export_fieldmap *fields);
void pm_export_plan_free(pm_export_plan *p);
/* Number of symbol categories: the driver's categories plus the fallback
 * ("other"), or 1 for a single symbol. */
size_t pm_export_plan_ncats(const pm_export_plan *p);
/* The category (0 .. ncats-1) a feature falls in. */
int pm_export_plan_category_of(size_t *out, pm_ctx *ctx, const pm_export_plan *p,
                               const pm_feature *f, const pm_schema *schema);
/* The driver's category labels (without "other"). Caller frees. */
int pm_export_plan_category_names(char ***out, size_t *out_n, pm_ctx *ctx,
                                  const pm_export_plan *p);
/* QGIS QML and OGC SLD 1.1 documents. Caller frees *out. */
int pm_export_plan_qml(char **out, pm_ctx *ctx, const pm_export_plan *p);
int pm_export_plan_sld(char **out, pm_ctx *ctx, const pm_export_plan *p, const char *abstract);
/* Category c's KML style: an XML id and the OGR style string (BRUSH/PEN)
 * GDAL's LIBKML driver turns into <Style>. Caller frees both. */
int pm_export_plan_kml_style(char **out_id, char **out_ogr_style, pm_ctx *ctx,
                             const pm_export_plan *p, size_t c);

#endif
