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

#endif
