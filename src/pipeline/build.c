/* build: the main job in one call: import, check, adjacency, render, export. */
#define _DEFAULT_SOURCE /* mkdtemp, lstat */
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
#include <unistd.h>

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
    free(r->db);
    memset(r, 0, sizeof(*r));
}

/* The files build writes, in the order they are published. */
enum { F_DB, F_PNG, F_SVG, F_GPKG, NF };
static const char *const file_names[NF] = {"parks.db", "map.png", "map.svg", "parks.gpkg"};
/* Everything is made in a staging directory inside OUTDIR and moved into
 * place only once the whole build has succeeded: a failure or Ctrl-C at
 * any stage leaves the previous results as they were. */
#define STAGE_NAME ".parkmap-build.tmp-XXXXXX"

/* Stage boundaries are where build asks whether to go on (import, render
 * and export ask on their own inside). */
static int tick(pm_ctx *ctx, const pm_build_opts *o, double frac, const char *msg, const char *dir)
{
    if (!o->progress || o->progress(frac, msg, o->progress_user))
        return 0;
    return pm_err(ctx, PM_EIO, "build cancelled", dir,
                  "stopped by the progress callback; earlier results left as they were");
}

/* Move the staged file into place; without overwrite link(2) refuses a file
 * that appeared since the check, where rename(2) would replace it. */
static int publish(pm_ctx *ctx, const char *staged, const char *final, int overwrite)
{
    if (overwrite ? rename(staged, final) == 0 : link(staged, final) == 0 && unlink(staged) == 0)
        return 0;
    if (errno == EEXIST)
        return pm_err(ctx, PM_EEXIST, "output exists", final, "use --overwrite to replace it");
    return pm_err(ctx, PM_EIO, "cannot write output", final, "%s", strerror(errno));
}

/* Remove the staging directory and whatever is left in it (SQLite's
 * journal included). */
static void stage_remove(const char *stage, char staged[NF][PM_BUILD_PATH_MAX])
{
    char side[PM_BUILD_PATH_MAX + 16];
    for (int i = 0; i < NF; i++)
        unlink(staged[i]);
    const char *sqlite_side[] = {"-journal", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof sqlite_side / sizeof *sqlite_side; i++) {
        if (snprintf(side, sizeof side, "%s%s", staged[F_DB], sqlite_side[i]) < (int)sizeof side)
            unlink(side);
    }
    rmdir(stage);
}

int pm_build(pm_build_report *out, pm_ctx *ctx, const pm_build_opts *o)
{
    int rc = 0, made_dir = 0, staging = 0, replaced = 0;
    char final[NF][PM_BUILD_PATH_MAX], staged[NF][PM_BUILD_PATH_MAX], stage[PM_BUILD_PATH_MAX];
    pm_store *st = NULL;
    pm_style *style = NULL;
    struct stat sb;
    memset(out, 0, sizeof(*out));
    const char *dir = o->out_dir ? o->out_dir : "out";
    /* With a server the layers live there and OUT gets no database file. */
    const int on_server = o->db != NULL;
    if (on_server && pm_store_backend_of(o->db) != PM_STORE_POSTGIS)
        return pm_err(ctx, PM_EUSAGE, "build --db takes a PostgreSQL server", o->db,
                      "postgresql://..., PG:... or host=... dbname=...; without --db the "
                      "database is OUTDIR/parks.db");
    /* Every path is checked before anything is made or written, the staged
     * ones too (the staging directory's name has its final length). */
    if ((rc = out_path(stage, sizeof stage, ctx, dir, STAGE_NAME)))
        return rc;
    for (int i = 0; i < NF; i++)
        if ((rc = out_path(final[i], sizeof final[i], ctx, dir, file_names[i])) ||
            (rc = out_path(staged[i], sizeof staged[i], ctx, stage, file_names[i])))
            return rc;
    /* Earlier results are replaced only when asked, as every command's
     * output is. */
    for (int i = on_server ? F_DB + 1 : 0; i < NF && !o->overwrite; i++)
        if (lstat(final[i], &sb) == 0)
            return pm_err(ctx, PM_EEXIST, "output exists", final[i],
                          "use --overwrite to replace it");
    if (mkdir(dir, 0777) == 0)
        made_dir = 1;
    else if (errno != EEXIST)
        return pm_err(ctx, PM_EIO, "cannot create output directory", dir, "%s", strerror(errno));
    if (!mkdtemp(stage)) {
        rc = pm_err(ctx, PM_EIO, "cannot create output directory", dir, "%s", strerror(errno));
        goto done;
    }
    staging = 1;
    /* mkdtemp filled in the X's; the staged paths hold them at the same
     * place (same length, checked above). */
    size_t xs = strlen(stage) - 6;
    for (int i = 0; i < NF; i++)
        memcpy(staged[i] + xs, stage + xs, 6);

    /* Parse the style first: a typo in it should fail before any work. */
    if (o->style_path && (rc = pm_style_load(&style, ctx, o->style_path)))
        goto done;

    pm_import_opts io = PM_IMPORT_OPTS_INIT;
    io.src_path = o->src_path;
    io.db_path = staged[F_DB];
    const char *db = staged[F_DB];
    if (on_server) {
        /* The parks import is one transaction on the server, and it drops
         * the tables derived from the parks it replaces in that same
         * transaction (store_pg_import.c): the check and layout below
         * write them anew, and a failure before they do leaves no findings
         * about the old parks beside the new ones. The server's layers
         * are replaced only when asked, as OUT's files are. */
        db = io.db_path = o->db;
        io.overwrite = o->overwrite;
        if (!(out->db = pm_store_db_label(o->db))) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", dir, "build report");
            goto done;
        }
    }
    io.progress = o->progress;
    io.progress_user = o->progress_user;
    io.rederive = 1; /* check and layout write adjacency, qa_issues and clusters next */
    if ((rc = pm_import(&out->import, ctx, &io)))
        goto done;
    replaced = on_server; /* committed: the server's old derived tables are gone */
    if (o->outline_path) {
        pm_import_report ignored;
        io.src_path = o->outline_path;
        io.layer = PM_LAYER_OUTLINE;
        io.t_srs = out->import.storage_crs; /* one CRS for every layer of the map */
        if ((rc = pm_import(&ignored, ctx, &io)))
            goto done;
    }
    if (!on_server && (rc = note_file(out, ctx, final[F_DB])))
        goto done;
    if ((rc = tick(ctx, o, 0.3, "build: check", dir)) || (rc = pm_store_open(&st, ctx, db, 1)))
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
    if ((rc = tick(ctx, o, 0.4, "build: layout", dir)))
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
    if ((rc = tick(ctx, o, 0.5, "build: render", dir)))
        goto done;
    if (style) {
        /* One scene, drawn twice: the database is read and the labels are
         * placed once for both files. */
        const char *maps[] = {staged[F_PNG], staged[F_SVG]};
        pm_render_opts ro = PM_RENDER_OPTS_INIT;
        ro.progress = o->progress;
        ro.progress_user = o->progress_user;
        if ((rc = pm_render_maps(ctx, st, style, &ro, maps, 2)) ||
            (rc = note_file(out, ctx, final[F_PNG])) || (rc = note_file(out, ctx, final[F_SVG])))
            goto done;
    }
    const char *with_outline[] = {PM_LAYER_PARKS,     PM_LAYER_OUTLINE,  PM_LAYER_ADJACENCY,
                                  PM_LAYER_QA_ISSUES, PM_LAYER_CLUSTERS, NULL};
    const char *without[] = {PM_LAYER_PARKS, PM_LAYER_ADJACENCY, PM_LAYER_QA_ISSUES,
                             PM_LAYER_CLUSTERS, NULL};
    if ((rc = tick(ctx, o, 0.9, "build: export", dir)))
        goto done;
    pm_export_opts eo = PM_EXPORT_OPTS_INIT;
    eo.layers = o->outline_path ? with_outline : without;
    eo.style = style; /* QML/SLD in layer_styles: QGIS opens it as parkmap drew it */
    eo.out_path = staged[F_GPKG];
    eo.progress = o->progress;
    eo.progress_user = o->progress_user;
    if ((rc = pm_export_layers(ctx, st, &eo)) || (rc = note_file(out, ctx, final[F_GPKG])))
        goto done;
    rc = pm_store_close(ctx, st); /* after writes: the close is checked */
    st = NULL;
    if (!rc)
        rc = tick(ctx, o, 1.0, "build: done", dir);
    /* Only now, with everything written, do the results move into place. */
    for (int i = on_server ? F_DB + 1 : 0; i < NF && !rc; i++)
        if (stat(staged[i], &sb) == 0)
            rc = publish(ctx, staged[i], final[i], o->overwrite);
done:
    pm_style_free(style);
    int closed = pm_store_close(ctx, st);
    if (!rc)
        rc = closed;
    if (staging)
        stage_remove(stage, staged);
    if (rc && replaced)
        pm_warn(ctx,
                "%s: the parks were replaced but the build did not finish: the tables derived "
                "from them (adjacency, qa_issues, clusters) are missing or partial; run build "
                "again",
                out->db ? out->db : "the server");
    if (rc) {
        pm_build_report_clear(out);
        if (made_dir)
            rmdir(dir); /* a directory this build made, left empty by its failure */
    }
    return rc;
}
