/* Shared between the export module's files; not API.
 *
 * export.c runs one export (layers, output files, staging, publishing);
 * export_layer.c writes a layer through GDAL; a format is one file,
 * export_<ext>.c (gpkg, shp, geojson, kml, fgb, csv), listed in
 * export_format.c; a style is translated by export_plan.c into QML
 * (export_qml.c), SLD (export_sld.c) and KML styles (export_kml.c);
 * export_files.c stages and publishes files. */
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
int pm_export_plan_category_names(char ***out, size_t *out_n, pm_ctx *ctx, const pm_export_plan *p);
/* QGIS QML and OGC SLD 1.1 documents. Caller frees *out. */
int pm_export_plan_qml(char **out, pm_ctx *ctx, const pm_export_plan *p);
int pm_export_plan_sld(char **out, pm_ctx *ctx, const pm_export_plan *p, const char *abstract);
/* Category c's KML style: an XML id and the OGR style string (BRUSH/PEN)
 * GDAL's LIBKML driver turns into <Style>. Caller frees both. */
int pm_export_plan_kml_style(char **out_id, char **out_ogr_style, pm_ctx *ctx,
                             const pm_export_plan *p, size_t c);

/* ---- one export: the job, its output files, the formats ------------- */

#include "parkmap/export.h"
#include "parkmap/load.h"
#include "parkmap/store.h"

#include <gdal.h>

/* One output file and the layers it holds. */
typedef struct {
    char *final;  /* where it ends up */
    char *staged; /* where GDAL writes it */
    size_t first, n;
} pm_export_unit;

typedef struct pm_export_format pm_export_format;

typedef struct {
    pm_ctx *ctx;
    pm_store *st;
    pm_gdal_errors *gdal; /* warnings GDAL would repeat are silenced here */
    const pm_export_opts *opts;
    const pm_export_format *f;
    GDALDriverH drv;
    char **layers; /* canonical names, as the database spells them */
    size_t nlayers;
    pm_export_unit *units;
    size_t nunits;
    char *out_dir; /* directory the outputs go into */
    int made_dir;  /* we created out_dir */
    char *stage;
    int upper_ext; /* the user wrote .SHP: sidecars follow that case */
    long total, done;
    /* per layer, in j->layers order */
    int *is_line;
    pm_export_fieldmap *fmaps; /* DBF names (Shapefile only) */
    pm_export_plan **plans;    /* NULL: no style for the layer */
    const pm_style **plan_src; /* the style each plan comes from */
    pm_style *builtin;         /* styles for the analysis layers */
} pm_export_job;

/* An output format: one file, export_<ext>.c, defines it, and
 * export_format.c lists it. Hooks may be NULL (nothing to do); each
 * returns 0 or a PM_E* code. */
struct pm_export_format {
    const char *ext;         /* lower case, with the dot */
    const char *driver;      /* GDAL short name; given explicitly, never guessed */
    int one_file;            /* one file holds every layer */
    int wgs84;               /* the format's specification mandates WGS 84 */
    int metadata;            /* dataset and layer metadata persist in the file */
    int text_width;          /* declared width of text fields, 0: the driver's default */
    const char *const *dsco; /* NULL-terminated, or NULL */
    const char *const *lco;
    const char *const *sidecars; /* files the driver may write beside the main one */
    const char *const *stale;    /* of those, the ones to delete if an overwrite lacks them */
    /* Of the sidecars, one another format's dataset of the same name owns
     * when its main file (shared_owner) is there, and even --overwrite
     * must not replace: a CSV's .prj beside a Shapefile's. */
    const char *shared;
    const char *shared_owner;
    int dbf_names; /* attribute names mapped to DBF's 10 bytes (pm_export_fieldmap_dbf) */
    /* GDAL's writer ignores failed writes (a full disk, a file size limit)
     * and reports nothing at close: read the file back before publishing. */
    int reread;
    /* The format again through another driver, when this GDAL lacks
     * `driver`, and what is lost then (warned about). */
    const pm_export_format *fallback;
    const char *fallback_loses;
    /* More dataset creation options for unit u. */
    void (*dataset_options)(char ***dsco, pm_export_job *j, const pm_export_unit *u);
    /* After the dataset is created, before its layers. */
    int (*begin)(pm_export_job *j, GDALDatasetH ds, const pm_export_unit *u);
    /* Per category of layer li's plan, the OGR style string each feature
     * of the category gets; *out (n entries) is the caller's, even on
     * failure. */
    int (*feature_styles)(char ***out, size_t *out_n, pm_export_job *j, size_t li,
                          const char *where);
    /* After the layers, before the dataset is closed. */
    int (*end)(pm_export_job *j, GDALDatasetH ds, const pm_export_unit *u);
    /* With reread: is the written file's last row whole? */
    int (*last_row_whole)(const char *path);
    /* After the dataset is closed and checked: files beside it. */
    int (*after)(pm_export_job *j, const pm_export_unit *u);
};

extern const pm_export_format pm_export_gpkg, pm_export_shp, pm_export_geojson, pm_export_kml,
    pm_export_fgb, pm_export_csv;

/* The format for path's extension (case-insensitive), or NULL. */
const pm_export_format *pm_export_find_format(const char *path);
/* The supported extensions, space-separated, into buf. Returns buf. */
const char *pm_export_supported(char *buf, size_t size);
/* path's extension with its dot, or NULL. Borrowed from path. */
const char *pm_export_ext_of(const char *path);
/* path_no_ext + ext, upper-cased when upper. Caller frees; NULL on OOM. */
char *pm_export_path_with_ext(const char *path_no_ext, const char *ext, int upper);
/* path without its extension. Caller frees; NULL on OOM. */
char *pm_export_strip_ext(const char *path);
/* The best words we have for a GDAL failure (borrowed). */
const char *pm_export_gdal_why(pm_ctx *ctx);
/* Provenance from parkmap_meta as one line, or NULL when there is none.
 * Caller frees. */
int pm_export_describe_layer(char **out, pm_export_job *j, const char *layer);
/* Write text to path, whole or with an error. */
int pm_export_write_text(pm_ctx *ctx, const char *path, const char *text);
/* Write layer li into the open dataset of unit u (export_layer.c). */
int pm_export_write_layer(pm_export_job *j, GDALDatasetH ds, const pm_export_unit *u, size_t li);

#endif
