/* pm_report_write: the report file, written whole beside its target and
 * renamed into place, as render writes its maps: readers see the old
 * report or the new one, never half of one. */
#define _DEFAULT_SOURCE /* realpath, lstat */
#include "report_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the report goes: path itself, or the file its symbolic link
 * points to (replaced, the link kept, as render and export do). */
static int check_target(char **dest, pm_ctx *ctx, const pm_report_opts *o)
{
    struct stat sb;
    const char *path = o->out_path;
    if (!path || !*path)
        return pm_err(ctx, PM_EUSAGE, "cannot write report", "report", "no output path");
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return pm_err(ctx, PM_EUSAGE, "output is a directory", path,
                          "give a file name ending in .html");
        if (!o->overwrite)
            return pm_err(ctx, PM_EEXIST, "output exists", path, "use --overwrite to replace it");
        if (!S_ISREG(sb.st_mode))
            return pm_err(ctx, PM_EIO, "cannot write report", path, "not a regular file");
    }
    if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        if (!(*dest = realpath(path, NULL)))
            return pm_err(ctx, PM_EIO, "cannot write report", path,
                          "symbolic link to a file that cannot be reached: %s", strerror(errno));
    } else if (!(*dest = strdup(path))) {
        return pm_err(ctx, PM_ENOMEM, "out of memory", path, "report");
    }
    return 0;
}

static int write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        s += w, n -= (size_t)w;
    }
    return 0;
}

int pm_report_write(pm_ctx *ctx, pm_store *st, const pm_report_opts *opts)
{
    pm_report_opts o;
    sbuf data = {0}, page = {0}, title = {0};
    char *dest = NULL, *tmp = NULL;
    int fd = -1, rc;
    if (!opts || !st)
        return pm_err(ctx, PM_EUSAGE, "cannot write report", "report", "no options or database");
    o = *opts;
    if (!o.layer)
        o.layer = PM_LAYER_PARKS;
    if (!o.paper)
        o.paper = "A4";
    if (strcasecmp(o.paper, "A4") != 0 && strcasecmp(o.paper, "A3") != 0)
        return pm_err(ctx, PM_EUSAGE, "unknown paper size", o.paper, "A4 or A3");
    o.paper = strcasecmp(o.paper, "A3") == 0 ? "A3" : "A4";
    /* Before any work: a report that cannot be written is known at once. */
    if ((rc = check_target(&dest, ctx, &o)))
        goto done;
    if (!o.title) {
        const char *db = pm_store_path(st), *slash = strrchr(db, '/');
        sb_printf(&title, "Industrial parks: %s in %s", o.layer, slash ? slash + 1 : db);
        if (!(o.title = title.s)) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", o.out_path, "report");
            goto done;
        }
    }
    if ((rc = rp_data(&data, ctx, st, &o)))
        goto done;
    sb_add(&data, "", 1); /* a C string for the page */
    if ((rc = rp_tick(ctx, &o, 0.85, "report: page")) || (rc = rp_page(&page, ctx, &o, data.s)))
        goto done;
    free(data.s);
    data.s = NULL;

    if (!(tmp = malloc(strlen(dest) + 16))) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", o.out_path, "report");
        goto done;
    }
    /* beside the target, on its file system, so rename(2) is atomic */
    sprintf(tmp, "%s.tmp-XXXXXX", dest);
    if ((fd = mkstemp(tmp)) < 0) {
        int e = errno;
        free(tmp);
        tmp = NULL;
        rc = pm_err(ctx, PM_EIO, "cannot write report", o.out_path, "%s", strerror(e));
        goto done;
    }
    (void)fchmod(fd, 0644); /* mkstemp's 0600 would hide the report from others */
    if (write_all(fd, page.s, page.len) != 0 || fsync(fd) != 0) {
        rc = pm_err(ctx, PM_EIO, "cannot write report", o.out_path, "%s", strerror(errno));
        goto done;
    }
    int closed = close(fd);
    fd = -1;
    if (closed != 0) {
        rc = pm_err(ctx, PM_EIO, "cannot write report", o.out_path, "%s", strerror(errno));
        goto done;
    }
    /* the last chance to stop: after it the report is in place */
    if ((rc = rp_tick(ctx, &o, 1.0, "report: done")))
        goto done;
    if (rename(tmp, dest) != 0) {
        rc = pm_err(ctx, PM_EIO, "cannot write report", o.out_path, "%s", strerror(errno));
        goto done;
    }
    free(tmp);
    tmp = NULL;
done:
    if (fd >= 0)
        close(fd);
    if (tmp)
        unlink(tmp);
    free(tmp);
    free(dest);
    free(data.s);
    free(page.s);
    free(title.s);
    return rc;
}
