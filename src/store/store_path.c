/* Database paths: how long SQLite lets them be, and where a symbolic link
 * leads. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "store_path.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pm_store_path_fits(pm_ctx *ctx, const char *path, size_t extra)
{
    sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
    size_t n = strlen(path);
    if (!vfs || strcmp(path, ":memory:") == 0)
        return 0;
    if (path[0] != '/') {
        char *cwd = getcwd(NULL, 0);
        n += cwd ? strlen(cwd) + 1 : 0;
        free(cwd);
    }
    /* SQLite's unix VFS refuses a database whose absolute name, with the
     * "-journal" it may need beside it, exceeds mxPathname bytes. */
    if (n + extra + 8 > (size_t)vfs->mxPathname)
        return extra ? pm_err(ctx, PM_EUSAGE, "database path too long", path,
                              "%zu bytes as an absolute path; SQLite opens at most %d, and "
                              "import needs %zu more for its working copy",
                              n, vfs->mxPathname - 8, extra)
                     : pm_err(ctx, PM_EUSAGE, "database path too long", path,
                              "%zu bytes as an absolute path; SQLite opens at most %d", n,
                              vfs->mxPathname - 8);
    return 0;
}

int pm_store_path_target(char **out, pm_ctx *ctx, const char *path)
{
    struct stat sb;
    *out = NULL;
    if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        char *real = realpath(path, NULL);
        if (!real)
            return pm_err(ctx, PM_EIO, "cannot write database", path,
                          "symbolic link to a file that cannot be reached: %s", strerror(errno));
        *out = real;
        return 0;
    }
    if (!(*out = strdup(path)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", path, "import");
    return 0;
}
