/* build: the main job in one call: import, check, adjacency, render, export. */
#include "parkmap/pipeline.h"
#include "parkmap/export.h"
#include "parkmap/render.h"
#include "parkmap/store.h"
#include "parkmap/style.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* dir/name into buf; a path that does not fit is refused, not cut short
 * (it would name another file than the one asked for). */
static int out_path(char *buf, size_t size, pm_ctx *ctx, const char *dir, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size)
        return pm_err(ctx, PM_EUSAGE, "output path too long", dir,
                      "%zu bytes with /%s; build takes at most %zu", strlen(dir) + 1 + strlen(name),
                      name, size - 1);
    return 0;
}

static int note_file(pm_build_report *r, pm_ctx *ctx, const char *path)
{
    if (r->nfiles >= sizeof r->files / sizeof r->files[0])
        return pm_err(ctx, PM_EINTERNAL, "too many files for the build report", path, "at most %zu",
                      sizeof r->files / sizeof r->files[0]);
    if (!(r->files[r->nfiles] = strdup(path)))
        return pm_err(ctx, PM_ENOMEM, "out of memory", path, "build report");
    r->nfiles++;
    return 0;
}

void pm_build_report_clear(pm_build_report *r)
{
    if (!r)
        return;
    pm_check_report_free(r->check);
    pm_layout_free(r->layout);
    for (size_t i = 0; i < r->nfiles; i++)
        free(r->files[i]);
    memset(r, 0, sizeof(*r));
}

int pm_build(pm_build_report *out, pm_ctx *ctx, const pm_build_opts *o)
{
    int rc = 0;
    char db[PM_BUILD_PATH_MAX], png[PM_BUILD_PATH_MAX], svg[PM_BUILD_PATH_MAX],
        gpkg[PM_BUILD_PATH_MAX];
    pm_store *st = NULL;
    pm_style *style = NULL;
    memset(out, 0, sizeof(*out));
    const char *dir = o->out_dir ? o->out_dir : "out";
    /* Every path is checked before anything is made or written. */
    if ((rc = out_path(db, sizeof db, ctx, dir, "parks.db")) ||
        (rc = out_path(png, sizeof png, ctx, dir, "map.png")) ||
        (rc = out_path(svg, sizeof svg, ctx, dir, "map.svg")) ||
        (rc = out_path(gpkg, sizeof gpkg, ctx, dir, "parks.gpkg")))
        return rc;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return pm_err(ctx, PM_EIO, "cannot create output directory", dir, "%s", strerror(errno));

    /* Parse the style first: a typo in it should fail before any work. */
    if (o->style_path && (rc = pm_style_load(&style, ctx, o->style_path)))
        goto done;

    pm_import_opts io = PM_IMPORT_OPTS_INIT;
    io.src_path = o->src_path;
    io.db_path = db;
    io.overwrite = 1; /* a build replaces its own previous results */
    io.progress = o->progress;
    io.progress_user = o->progress_user;
    if ((rc = pm_import(&out->import, ctx, &io)))
        goto done;
    if (o->outline_path) {
        pm_import_report ignored;
        io.src_path = o->outline_path;
        io.layer = PM_LAYER_OUTLINE;
        io.t_srs = out->import.storage_crs; /* one CRS for every layer of the map */
        if ((rc = pm_import(&ignored, ctx, &io)))
            goto done;
    }
    if ((rc = note_file(out, ctx, db)))
        goto done;
    if ((rc = pm_store_open(&st, ctx, db, 1)))
        goto done;
    /* The check also refreshes adjacency and qa_issues, and layout writes
     * clusters: the database and the GeoPackage carry every result. */
    pm_check_opts co = PM_CHECK_OPTS_INIT;
    co.target_km2 = o->target_km2;
    co.tolerance_pct = o->tolerance_pct;
    co.qa.write_table = 1;
    co.qa.snap_m = o->snap_m;
    co.qa.gap_m = o->gap_m;
    co.qa.within = o->outline_path ? PM_LAYER_OUTLINE : NULL;
    co.qa.progress = o->progress;
    co.qa.progress_user = o->progress_user;
    if ((rc = pm_analysis_check(&out->check, ctx, st, &co)))
        goto done;
    pm_layout_opts lo = PM_LAYOUT_OPTS_INIT;
    lo.write_table = 1;
    /* Any polygon layer builds: without the by-field there are no
     * per-group clusters, and the report says so. */
    lo.by = o->by && *o->by ? o->by : NULL;
    if (lo.by) {
        pm_cursor *cur = NULL;
        const char *want[] = {lo.by};
        if ((rc = pm_store_cursor_open_fields(&cur, ctx, st, PM_LAYER_PARKS, want, 1)))
            goto done;
        if (pm_cursor_schema(cur)->nfields == 0) {
            pm_warn(ctx, "%s has no field '%s': clusters are computed over all parks only",
                    o->src_path, lo.by);
            lo.by = NULL;
        }
        pm_cursor_free(cur);
    }
    lo.progress = o->progress;
    lo.progress_user = o->progress_user;
    if ((rc = pm_analysis_layout(&out->layout, ctx, st, &lo)))
        goto done;
    if (o->progress)
        o->progress(0.5, "build: render", o->progress_user);
    if (style) {
        /* One scene, drawn twice: the database is read and the labels are
         * placed once for both files. */
        const char *maps[] = {png, svg};
        pm_render_opts ro = PM_RENDER_OPTS_INIT;
        ro.overwrite = 1; /* a build replaces its own previous results */
        if ((rc = pm_render_maps(ctx, st, style, &ro, maps, 2)) ||
            (rc = note_file(out, ctx, png)) || (rc = note_file(out, ctx, svg)))
            goto done;
    }
    const char *with_outline[] = {PM_LAYER_PARKS,     PM_LAYER_OUTLINE,  PM_LAYER_ADJACENCY,
                                  PM_LAYER_QA_ISSUES, PM_LAYER_CLUSTERS, NULL};
    const char *without[] = {PM_LAYER_PARKS, PM_LAYER_ADJACENCY, PM_LAYER_QA_ISSUES,
                             PM_LAYER_CLUSTERS, NULL};
    if (o->progress)
        o->progress(0.9, "build: export", o->progress_user);
    pm_export_opts eo = PM_EXPORT_OPTS_INIT;
    eo.layers = o->outline_path ? with_outline : without;
    eo.style = style; /* QML/SLD in layer_styles: QGIS opens it as parkmap drew it */
    eo.out_path = gpkg;
    eo.overwrite = 1;
    if ((rc = pm_export_layers(ctx, st, &eo)))
        goto done;
    rc = note_file(out, ctx, gpkg);
done:
    pm_style_free(style);
    int closed = pm_store_close(st, ctx); /* after writes: the close is checked */
    if (!rc)
        rc = closed;
    if (rc)
        pm_build_report_clear(out);
    return rc;
}
