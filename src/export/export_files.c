/* The file side of exporting: a staging directory beside the output and
 * the moves that publish it. GDAL writes only into the staging directory,
 * so whatever goes wrong there (a full disk, a driver error, a kill) never
 * touches the user's existing files. */
#include "export_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

char *pm_export_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", dir, name);
    return s;
}

char *pm_export_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    size_t n = (size_t)(slash - path);
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, path, n);
        s[n] = '\0';
    }
    return s;
}

char *pm_export_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return strdup(slash ? slash + 1 : path);
}

int pm_export_stage_new(char **out, pm_ctx *ctx, const char *dir, const char *out_path)
{
    /* Hidden, and named so that a leftover after a crash explains itself. */
    char *tmpl = pm_export_join(dir, PM_EXPORT_STAGE_NAME);
    *out = NULL;
    if (!tmpl)
        return pm_err(ctx, PM_ENOMEM, "out of memory", dir, "staging directory");
    if (!mkdtemp(tmpl)) {
        int rc = pm_err(ctx, PM_EIO, "cannot write output", out_path, "directory %s: %s", dir,
                        strerror(errno));
        free(tmpl);
        return rc;
    }
    *out = tmpl;
    return 0;
}

/* The entries of a directory other than . and .. Caller frees each and the
 * array. */
static int list_dir(char ***out, size_t *out_n, pm_ctx *ctx, const char *dir)
{
    int rc = 0;
    char **v = NULL;
    size_t n = 0;
    struct dirent *e;
    DIR *d = opendir(dir);
    *out = NULL;
    *out_n = 0;
    if (!d)
        return pm_err(ctx, PM_EIO, "cannot read directory", dir, "%s", strerror(errno));
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char **nv = realloc(v, (n + 1) * sizeof(*v));
        if (!nv || !(nv[n] = strdup(e->d_name))) {
            if (nv)
                v = nv;
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", dir, "directory listing");
            break;
        }
        v = nv;
        n++;
    }
    closedir(d);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            free(v[i]);
        free(v);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

static int has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    return n > e && strcasecmp(name + n - e, ext) == 0;
}

/* GDAL has closed the file, but its data may still be only in the page
 * cache; without this a crash right after the rename could leave an empty
 * file in place of the old one. */
static int sync_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

static int move_one(pm_ctx *ctx, const char *src, const char *dst, int overwrite)
{
    struct stat sb;
    if (sync_file(src) != 0)
        return pm_err(ctx, PM_EIO, "cannot write output", src, "%s", strerror(errno));
    if (overwrite) {
        if (rename(src, dst) != 0)
            return pm_err(ctx, PM_EIO, "cannot write output", dst, "%s", strerror(errno));
        return 0;
    }
    /* link(2) fails rather than replace a file that appeared since we
     * checked; rename(2) would silently clobber it. */
    if (link(src, dst) == 0) {
        unlink(src);
        return 0;
    }
    if (errno == EEXIST)
        return pm_err(ctx, PM_EEXIST, "output exists", dst, "use --overwrite to replace it");
    /* Some file systems (FAT, some network mounts) have no hard links. */
    if (stat(dst, &sb) == 0)
        return pm_err(ctx, PM_EEXIST, "output exists", dst, "use --overwrite to replace it");
    if (rename(src, dst) != 0)
        return pm_err(ctx, PM_EIO, "cannot write output", dst, "%s", strerror(errno));
    return 0;
}

int pm_export_publish(pm_ctx *ctx, const char *stage, const char *dir, const char *main_ext,
                      int overwrite)
{
    char **names = NULL;
    size_t n = 0;
    int rc = list_dir(&names, &n, ctx, stage);
    if (rc)
        return rc;
    for (int pass = 0; pass < 2 && !rc; pass++)
        for (size_t i = 0; i < n && !rc; i++) {
            if (has_ext(names[i], main_ext) != pass)
                continue;
            char *src = pm_export_join(stage, names[i]);
            char *dst = pm_export_join(dir, names[i]);
            rc = src && dst ? move_one(ctx, src, dst, overwrite)
                            : pm_err(ctx, PM_ENOMEM, "out of memory", dir, "paths");
            free(src);
            free(dst);
        }
    /* Best effort: the renames are done; this only hastens their durability. */
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

void pm_export_stage_remove(const char *stage)
{
    char **names = NULL;
    size_t n = 0;
    if (!stage)
        return;
    /* GDAL writes flat files, so one level is all there is to clean. */
    if (list_dir(&names, &n, NULL, stage) == 0) {
        for (size_t i = 0; i < n; i++) {
            char *p = pm_export_join(stage, names[i]);
            if (p)
                unlink(p);
            free(p);
            free(names[i]);
        }
        free(names);
    }
    rmdir(stage);
}
