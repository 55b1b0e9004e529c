/* Database paths as SQLite can use them; shared by the store's files, not API. */
#ifndef PM_STORE_PATH_H
#define PM_STORE_PATH_H

#include "parkmap/error.h"

#include <stddef.h>

/* PM_EUSAGE naming `path` when SQLite could not open it, or a name `extra`
 * bytes longer beside it, because the absolute form is longer than the VFS
 * takes (512 bytes on Unix, less the "-journal" suffix): SQLite itself says
 * only "unable to open database file". */
int pm_store_path_fits(pm_ctx *ctx, const char *path, size_t extra);

/* The file an import must replace for `path`: `path` itself, or, when it
 * is a symbolic link, the file it points to (resolved with realpath), so
 * the rename updates the database the link names and leaves the link in
 * place. A link to nothing is refused (PM_EIO). Caller owns *out. */
int pm_store_path_target(char **out, pm_ctx *ctx, const char *path);

#endif
