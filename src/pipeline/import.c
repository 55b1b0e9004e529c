/* Import: load (GDAL) -> crs (PROJ) -> store (SpatiaLite), all or nothing. */
#include "parkmap/analysis.h"
#include "parkmap/crs.h"
#include "parkmap/load.h"
#include "parkmap/pipeline.h"
#include "parkmap/store.h"
#include "util/sha256.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A geographic source whose coordinates leave [-180,180]x[-90,90] is almost
 * always projected data mislabelled as WGS 84 (GDAL labels every CRS-less
 * GeoJSON so): refuse it rather than store nonsense. */
/* Longitudes within +-180, or a park across the antimeridian written with
 * continuous longitudes (179.9 to 180.1), as the loader also makes of an
 * RFC 7946 cut one: PROJ takes longitudes past 180 as they are meant. */
static int lonlat_ok(double x0, double y0, double x1, double y1)
{
    if (!(y0 >= -90 && y1 <= 90 && x0 >= -180))
        return 0;
    return x1 <= 180 || (x0 < 180 && x1 - x0 < 180);
}

static int check_lonlat(pm_ctx *ctx, const char *path, long index, const pm_geom *g)
{
    double x0, y0, x1, y1;
    if (!pm_geom_bbox(g, &x0, &y0, &x1, &y1))
        return 0;
    if (lonlat_ok(x0, y0, x1, y1))
        return 0;
    char where[600];
    snprintf(where, sizeof where, "%s feature %ld", path, index);
    int projected = fabs(x0) > 1000 || fabs(y0) > 1000;
    return pm_err(ctx, PM_EINPUT, "coordinates out of range for a geographic CRS", where,
                  "x %.6g..%.6g, y %.6g..%.6g%s", x0, x1, y0, y1,
                  projected ? "; they look projected: give the real CRS with --s-srs"
                            : "; longitude must be within +-180 and latitude within +-90");
}

/* planned_area_km2 is what check compares each park against, so a value
 * that is not a plain area is refused here, naming the feature, rather than
 * read as 0 or 1 ("1,2" became 1, "x" and "NaN" 0) or turned into a warning
 * and NULL: a NULL park is skipped by check, which would then pass without
 * checking it. A planner fixes the cell once and imports again. Empty text
 * counts as missing, as an empty spreadsheet cell does. */
enum { PLANNED_MAX_KM2 = 100000 }; /* 16 Shanghais: more is a unit slip (m²) */

static int check_planned(pm_ctx *ctx, const char *path, long index, const pm_value *v)
{
    double d = 0;
    const char *why = NULL;
    char text[48] = "";
    if (!v || v->is_null)
        return 0;
    if (v->type == PM_FIELD_TEXT) {
        const char *p = v->s ? v->s + strspn(v->s, " \t") : "";
        char *end = NULL;
        if (!*p)
            return 0;
        snprintf(text, sizeof text, "\"%s\"", p);
        d = strtod(p, &end);
        end += strspn(end, " \t");
        if (end == p || *end)
            why = strchr(p, ',') && strspn(p, "0123456789,.-+ ") == strlen(p)
                      ? "a comma is ambiguous, decimal or thousands: write the number with a point "
                        "and no separators"
                      : "not a number";
    } else if (v->type == PM_FIELD_INTEGER) {
        d = (double)v->i;
    } else {
        d = v->d;
    }
    if (!text[0])
        snprintf(text, sizeof text, "%.17g", d);
    if (!why && !isfinite(d))
        why = "not a finite number";
    else if (!why && d < 0)
        why = "an area cannot be negative";
    else if (!why && d > PLANNED_MAX_KM2)
        why = "larger than 100000 km²: is it in m²?";
    if (!why)
        return 0;
    char where[600];
    snprintf(where, sizeof where, "%s feature %ld", path, index);
    return pm_err(ctx, PM_EINPUT, "bad planned_area_km2", where, "%s: %s", text, why);
}

/* The layer's extent could not be computed or is out of range: read the
 * features one by one (a second, independent pass) to name the first one at
 * fault, which the extent alone cannot. Moves that error into ctx and
 * returns its code, or returns 0 leaving ctx as it was. */
static int locate_bad_feature(pm_ctx *ctx, const pm_import_opts *o, int geographic)
{
    pm_ctx *d = NULL;
    pm_source *src = NULL;
    pm_feature f = {0};
    long n = 0, skipped = 0;
    int rc = 0, got;
    if (pm_ctx_new(&d))
        return 0;
    if (pm_source_open(&src, d, o->src_path, o->src_layer) == 0) {
        while ((got = pm_source_next(src, d, &f, o->skip_invalid, &skipped)) > 0) {
            n++;
            rc = geographic ? check_lonlat(d, o->src_path, (long)f.fid, f.geom) : 0;
            pm_feature_clear(&f);
            if (rc)
                break;
        }
        if (got == 0 && n == 0 && !rc)
            pm_err(d, PM_EINPUT, "nothing to import", o->src_path,
                   skipped ? "every feature was skipped" : "the layer has no features");
    }
    if (pm_ctx_code(d)) {
        pm_err_clear(ctx);
        rc = pm_err(ctx, pm_ctx_code(d), pm_ctx_what(d), pm_ctx_where(d), "%s", pm_ctx_why(d));
    }
    pm_feature_clear(&f);
    pm_source_free(src);
    pm_ctx_free(d);
    return rc;
}

/* ---- two cores: a reader thread and the writer (this thread) -----------
 *
 * The reader owns the GDAL source and the PROJ transform from the moment it
 * starts until it is joined (they were made on this thread, which does not
 * touch them meanwhile); the writer keeps the SQLite connection. The reader
 * reads, checks and transforms features and hands them over in batches
 * through a bounded queue, so memory stays at QUEUE_CAP * BATCH features
 * however large the source. Its errors and warnings go into its own pm_ctx
 * and are moved into the caller's after the join, unchanged. */
enum { BATCH = 256, QUEUE_CAP = 8 };

typedef struct {
    pm_feature *f;
    size_t n;
} batch;

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_get;
    batch q[QUEUE_CAP];
    size_t head, count;
    /* Batches the writer is done with, for the reader to clear and reuse:
     * memory is freed by the thread (and malloc arena) that allocated it. */
    batch used[QUEUE_CAP];
    size_t nused;
    int finished; /* reader done (rc says how) */
    int stop;     /* the writer gave up: reader, stop */
    /* reader side */
    pm_source *src;
    pm_transform *tr;
    const pm_import_opts *o;
    const char *storage_crs;
    int geographic;
    int planned; /* index of planned_area_km2 in the schema, or -1 */
    pm_ctx *ctx;
    long skipped;
    int rc;
} reader;

static void batch_free(batch *b)
{
    for (size_t i = 0; b->f && i < b->n; i++)
        pm_feature_clear(&b->f[i]);
    free(b->f);
    b->f = NULL;
    b->n = 0;
}

/* Queue a batch (taken over); 0 if the writer has stopped (batch freed). */
static int put_batch(reader *r, batch *b)
{
    pthread_mutex_lock(&r->mu);
    while (r->count == QUEUE_CAP && !r->stop)
        pthread_cond_wait(&r->can_put, &r->mu);
    int ok = !r->stop;
    if (ok) {
        r->q[(r->head + r->count) % QUEUE_CAP] = *b;
        r->count++;
        pthread_cond_signal(&r->can_get);
    }
    pthread_mutex_unlock(&r->mu);
    if (!ok)
        batch_free(b);
    b->f = NULL;
    b->n = 0;
    return ok;
}

/* An emptied batch array for the reader: a used one cleared, or a new one. */
static pm_feature *fresh_batch(reader *r)
{
    batch b = {NULL, 0};
    pthread_mutex_lock(&r->mu);
    if (r->nused)
        b = r->used[--r->nused];
    pthread_mutex_unlock(&r->mu);
    if (!b.f)
        return calloc(BATCH, sizeof *b.f);
    for (size_t i = 0; i < b.n; i++)
        pm_feature_clear(&b.f[i]);
    return b.f;
}

/* The writer hands an inserted batch back (or frees it when enough wait). */
static void used_batch(reader *r, batch *b)
{
    pthread_mutex_lock(&r->mu);
    int kept = r->nused < QUEUE_CAP;
    if (kept)
        r->used[r->nused++] = *b;
    pthread_mutex_unlock(&r->mu);
    if (!kept)
        batch_free(b);
    b->f = NULL;
    b->n = 0;
}

/* Next batch into *b; 0 when the reader has finished and the queue is empty. */
static int get_batch(reader *r, batch *b)
{
    pthread_mutex_lock(&r->mu);
    while (r->count == 0 && !r->finished)
        pthread_cond_wait(&r->can_get, &r->mu);
    int got = r->count > 0;
    if (got) {
        *b = r->q[r->head];
        r->head = (r->head + 1) % QUEUE_CAP;
        r->count--;
        pthread_cond_signal(&r->can_put);
    }
    pthread_mutex_unlock(&r->mu);
    return got;
}

static void *reader_main(void *arg)
{
    reader *r = arg;
    const pm_import_opts *o = r->o;
    batch b = {NULL, 0};
    int rc = 0;
    for (;;) {
        if (!b.f && !(b.f = fresh_batch(r))) {
            rc = pm_err(r->ctx, PM_ENOMEM, "out of memory", o->src_path, "import queue");
            break;
        }
        pm_feature *f = &b.f[b.n];
        int got = pm_source_next(r->src, r->ctx, f, o->skip_invalid, &r->skipped);
        if (got < 0) {
            rc = got;
            break;
        }
        if (got == 0)
            break;
        if (r->geographic && (rc = check_lonlat(r->ctx, o->src_path, (long)f->fid, f->geom))) {
            pm_feature_clear(f);
            break;
        }
        if (r->planned >= 0 && (size_t)r->planned < f->nvalues &&
            (rc = check_planned(r->ctx, o->src_path, (long)f->fid, &f->values[r->planned]))) {
            pm_feature_clear(f);
            break;
        }
        if ((rc = pm_transform_geom(r->tr, r->ctx, f->geom))) {
            char where[600];
            snprintf(where, sizeof where, "%s feature %lld", o->src_path, (long long)f->fid);
            pm_feature_clear(f);
            pm_err_clear(r->ctx);
            rc = pm_err(r->ctx, PM_EINPUT, "coordinate cannot be transformed", where,
                        "outside the domain of %s", r->storage_crs);
            break;
        }
        if (++b.n == BATCH && !put_batch(r, &b))
            break;
    }
    /* The features read before an error are still stored (and may fail
     * first, as they would have one by one). */
    if (b.n)
        put_batch(r, &b);
    batch_free(&b);
    pthread_mutex_lock(&r->mu);
    r->rc = rc;
    r->finished = 1;
    pthread_cond_signal(&r->can_get);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* Read, transform and store every feature: the reader thread feeds this
 * one, which inserts. Returns 0 or the first error (in ctx). */
static int load_rows(pm_ctx *ctx, const pm_import_opts *o, pm_source *src, pm_transform *tr,
                     int geographic, pm_store_import *imp, pm_import_report *out, long *n_out)
{
    reader r;
    pthread_t th;
    batch b = {NULL, 0};
    int rc = 0, started = 0, sync = 0;
    long total = pm_source_count(src), done_n = 0;
    memset(&r, 0, sizeof r);
    r.src = src;
    r.tr = tr;
    r.o = o;
    r.storage_crs = out->storage_crs;
    r.geographic = geographic;
    r.planned = pm_schema_find(pm_source_schema(src), "planned_area_km2");
    if (pm_ctx_new(&r.ctx)) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", o->src_path, "import");
        goto done;
    }
    if (pthread_mutex_init(&r.mu, NULL) == 0 && ++sync &&
        pthread_cond_init(&r.can_put, NULL) == 0 && ++sync &&
        pthread_cond_init(&r.can_get, NULL) == 0 && ++sync &&
        pthread_create(&th, NULL, reader_main, &r) == 0)
        started = 1;
    if (!started) {
        rc = pm_err(ctx, PM_ENOMEM, "out of memory", o->src_path, "cannot start the reader thread");
        goto done;
    }
    while (get_batch(&r, &b)) {
        for (size_t i = 0; i < b.n && !rc; i++) {
            if ((rc = pm_store_import_add(ctx, imp, &b.f[i])))
                break;
            done_n++;
            if (o->progress && (done_n & 1023) == 0 && total > 0) {
                char msg[96];
                snprintf(msg, sizeof msg, "import: %ld/%ld features", done_n, total);
                if (!o->progress((double)done_n / (double)total, msg, o->progress_user)) {
                    char *label = pm_store_db_label(o->db_path);
                    rc = pm_err(ctx, PM_EIO, "import cancelled", label ? label : "--db",
                                "by the user");
                    free(label);
                }
            }
        }
        used_batch(&r, &b);
        if (rc)
            break;
    }
done:
    if (started) {
        pthread_mutex_lock(&r.mu);
        r.stop = 1;
        pthread_cond_signal(&r.can_put);
        pthread_mutex_unlock(&r.mu);
        pthread_join(th, NULL);
        while (r.count) {
            batch_free(&r.q[r.head]);
            r.head = (r.head + 1) % QUEUE_CAP;
            r.count--;
        }
        while (r.nused)
            batch_free(&r.used[--r.nused]);
        for (size_t i = 0; i < pm_ctx_nwarnings(r.ctx); i++)
            pm_warn(ctx, "%s", pm_ctx_warning(r.ctx, i));
        if (!rc && r.rc)
            rc = pm_err(ctx, pm_ctx_code(r.ctx), pm_ctx_what(r.ctx), pm_ctx_where(r.ctx), "%s",
                        pm_ctx_why(r.ctx));
        out->skipped = r.skipped;
    }
    if (sync >= 3)
        pthread_cond_destroy(&r.can_get);
    if (sync >= 2)
        pthread_cond_destroy(&r.can_put);
    if (sync >= 1)
        pthread_mutex_destroy(&r.mu);
    pm_ctx_free(r.ctx);
    *n_out = done_n;
    return rc;
}

typedef struct {
    const char *path;
    pm_ctx *ctx;
    char sha[65];
    int rc;
} hasher;

/* The file whose SHA-256 is the source's: the path itself, or for a GDAL
 * archive path (/vsizip/DIR/a.zip/x.geojson, /vsigzip/b.geojson.gz) the
 * local archive holding it, the longest prefix that is a regular file. */
static void hash_target(char *out, size_t n, const char *path)
{
    snprintf(out, n, "%s", path);
    if (strncmp(path, "/vsi", 4) != 0)
        return;
    const char *p = path;
    while (strncmp(p, "/vsi", 4) == 0 && strchr(p + 1, '/'))
        p = strchr(p + 1, '/') + 1;
    if (*p == '{') /* /vsizip/{/a b.zip}/x: GDAL's quoting of the archive */
        p++;
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", p);
    for (char *cut = buf + strlen(buf);; cut--) {
        struct stat sb;
        if (*cut == '/' || *cut == '}' || *cut == '\0') {
            char c = *cut;
            *cut = '\0';
            if (*buf && stat(buf, &sb) == 0 && S_ISREG(sb.st_mode)) {
                snprintf(out, n, "%s", buf);
                return;
            }
            *cut = c;
        }
        if (cut == buf)
            return;
    }
}

static void *hash_main(void *arg)
{
    hasher *h = arg;
    h->rc = pm_sha256_file(h->sha, h->ctx, h->path);
    return NULL;
}

/* The layer's lon/lat extent into b (the corners of a projected source's
 * extent are enough to choose a zone). */
static int lonlat_extent(double *b, pm_ctx *ctx, pm_source *src, const char *src_def,
                         const pm_crs_info *src_info, const pm_import_opts *o)
{
    int rc;
    pm_transform *t = NULL;
    if ((rc = pm_source_extent(src, ctx, &b[0], &b[1], &b[2], &b[3]))) {
        int named = locate_bad_feature(ctx, o, src_info->is_geographic);
        return named ? named : rc;
    }
    if (!src_info->is_geographic) {
        double xy[8] = {b[0], b[1], b[2], b[1], b[2], b[3], b[0], b[3]};
        if ((rc = pm_transform_new(&t, ctx, src_def, "EPSG:4326")) ||
            (rc = pm_transform_points(t, ctx, xy, 4)))
            goto done;
        b[0] = fmin(xy[0], xy[6]);
        b[2] = fmax(xy[2], xy[4]);
        b[1] = fmin(xy[1], xy[3]);
        b[3] = fmax(xy[5], xy[7]);
    } else if (!lonlat_ok(b[0], b[1], b[2], b[3]) || b[2] > 180) {
        /* Past 180 is fine for a park across the antimeridian, not for one
         * wholly beyond it: only the features can tell. */
        if ((rc = locate_bad_feature(ctx, o, 1)) || lonlat_ok(b[0], b[1], b[2], b[3]))
            goto done;
        rc = pm_err(ctx, PM_EINPUT, "coordinates out of range for a geographic CRS", o->src_path,
                    "extent x %.6g..%.6g, y %.6g..%.6g; if the data is projected, "
                    "give its CRS with --s-srs",
                    b[0], b[2], b[1], b[3]);
    }
done:
    pm_transform_free(t);
    return rc;
}

/* The opposite of check_lonlat: longitude/latitude labelled with a projected
 * CRS (the classic wrong .prj, or --s-srs EPSG:4550 on WGS 84 data) imports
 * as parks a few square metres large, 0.0000 km², with exit 0. Numbers
 * within +-180/+-90 alone do not prove it: a local grid may have a false
 * origin in the site. The CRS's area of use decides: read as that CRS, the
 * layer must land inside it (with a degree of slack, as zones are used a
 * little past their edges). Without a declared area of use the data is
 * believed, with a warning, as it is when it lands inside. */
#define PM_AREA_OF_USE_SLACK 1.0

static int in_area(double lon, double lat, const double *a)
{
    double w = a[0] - PM_AREA_OF_USE_SLACK, e = a[2] + PM_AREA_OF_USE_SLACK;
    int lon_in = a[0] <= a[2] ? lon >= w && lon <= e : lon >= w || lon <= e;
    return lon_in && lat >= a[1] - PM_AREA_OF_USE_SLACK && lat <= a[3] + PM_AREA_OF_USE_SLACK;
}

static int check_degrees(pm_ctx *ctx, pm_source *src, const char *sdef, const pm_crs_info *sinfo,
                         const pm_import_opts *o)
{
    double b[4], a[4];
    pm_ctx *quiet = NULL;
    pm_transform *t = NULL;
    int rc = 0, inside = 0;
    /* An extent that cannot be had is judged later, feature by feature. */
    if (!sinfo->is_projected || pm_ctx_new(&quiet) ||
        pm_source_extent(src, quiet, &b[0], &b[1], &b[2], &b[3]) ||
        !(b[0] >= -180 && b[2] <= 180 && b[1] >= -90 && b[3] <= 90))
        goto done;
    if (pm_crs_area_of_use(sdef, &a[0], &a[1], &a[2], &a[3])) {
        double xy[10] = {
            b[0], b[1], b[2], b[1], b[2], b[3], b[0], b[3], (b[0] + b[2]) / 2, (b[1] + b[3]) / 2};
        if (pm_transform_new(&t, quiet, sdef, "EPSG:4326") || pm_transform_points(t, quiet, xy, 5))
            inside = 1; /* cannot be judged here: the feature loop will */
        for (int k = 0; k < 5 && !inside; k++)
            inside = in_area(xy[2 * k], xy[2 * k + 1], a);
        if (!inside) {
            rc = pm_err(ctx, PM_EINPUT, "coordinates outside the source CRS's area of use",
                        o->src_path,
                        "x %.6g..%.6g, y %.6g..%.6g read as %s lie near %.2f %.2f (lon lat), "
                        "outside its area of use (lon %.1f..%.1f, lat %.1f..%.1f); they look "
                        "like longitude/latitude: give --s-srs EPSG:4326",
                        b[0], b[2], b[1], b[3], sinfo->name, xy[8], xy[9], a[0], a[2], a[1], a[3]);
            goto done;
        }
    }
    pm_warn(ctx,
            "%s: every coordinate lies within 180 x 90 %s of the origin of %s, as "
            "longitude/latitude would; if they are, give --s-srs EPSG:4326",
            o->src_path, sinfo->unit_m > 0 && sinfo->unit_m != 1 ? "units" : "metres", sinfo->name);
done:
    pm_transform_free(t);
    pm_ctx_free(quiet);
    return rc;
}

/* A projected CRS whose scale strays from true by more than this over the
 * layer (lengths 0.5 % off, areas 1 %) does not fit it: a zone's own
 * Gauss-Krueger or UTM stays within 0.1 % across its zone. */
#define PM_SCALE_FIT 0.005

/* The storage CRS: --t-srs, or the zone that fits the layer's extent. A
 * layer no single zone fits (Pudong and Brasilia: one UTM zone put
 * Pudong's planar areas 250 % off and its distances 10x) is stored in WGS
 * 84, where areas, lengths and layout distances are geodesic anyway, and
 * the user is told; an explicit CRS that does not fit is kept, with the
 * same warning. */
static int pick_target(char *out, size_t n, int *fell_back, pm_ctx *ctx, pm_source *src,
                       const char *src_def, const pm_crs_info *src_info, const pm_import_opts *o)
{
    int rc = 0, automatic = !o->t_srs || strcmp(o->t_srs, "auto") == 0;
    double b[4], worst = 0;
    pm_ctx *quiet = NULL;
    if (!automatic) {
        snprintf(out, n, "%s", o->t_srs);
        /* The fit is advice: an extent that cannot be had is judged later,
         * feature by feature, as before. */
        if (pm_ctx_new(&quiet) || lonlat_extent(b, quiet, src, src_def, src_info, o)) {
            pm_ctx_free(quiet);
            return 0;
        }
    } else if ((rc = lonlat_extent(b, ctx, src, src_def, src_info, o)) ||
               (rc = pm_crs_auto(out, n, ctx, b[0], b[1], b[2], b[3])) || pm_ctx_new(&quiet)) {
        return rc ? rc : pm_err(ctx, PM_ENOMEM, "out of memory", "import", "context");
    }
    /* Wider than a hemisphere is a layer across the antimeridian (its
     * extent says -180..180): its true width is unknown here. */
    if (b[2] - b[0] <= 180 && !pm_crs_scale_error(&worst, quiet, out, b[0], b[1], b[2], b[3]) &&
        worst > PM_SCALE_FIT) {
        char why[160];
        if (isfinite(worst))
            snprintf(why, sizeof why, "%s's scale is off by up to %.1f %% over it", out,
                     100 * worst);
        else
            snprintf(why, sizeof why, "part of it lies outside %s's domain", out);
        if (automatic) {
            pm_warn(ctx,
                    "%s spans %.1f deg of longitude and %.1f deg of latitude: no single "
                    "projected CRS fits it (%s); stored in WGS 84 (EPSG:4326): areas, "
                    "lengths and distances are computed on the ellipsoid, planar figures "
                    "are meaningless; import each region into its own layer for planar ones",
                    o->src_path, b[2] - b[0], b[3] - b[1], why);
            snprintf(out, n, "EPSG:4326");
            *fell_back = 1;
        } else {
            pm_warn(ctx,
                    "%s does not fit %s (%s, %.1f x %.1f deg): planar areas and lengths "
                    "are off by as much; ellipsoidal areas and layout distances stay true",
                    out, o->src_path, why, b[2] - b[0], b[3] - b[1]);
        }
    }
    pm_ctx_free(quiet);
    return 0;
}

/* Parks traced on Amap or Baidu and imported as WGS 84 sit ~0.5-1 km off;
 * with the district outline in the same database (layer "outline"), say so
 * now rather than at the first check --within. Whichever of the two was
 * just imported, the parks are compared with the outline. */
static void webmap_advice(pm_ctx *ctx, const pm_import_opts *o)
{
    pm_store *st = NULL;
    const char *layer = o->layer ? o->layer : PM_LAYER_PARKS;
    if (pm_store_open(&st, NULL, o->db_path, 0))
        return;
    if (strcmp(layer, PM_LAYER_OUTLINE) == 0)
        pm_analysis_webmap_hint(ctx, st, PM_LAYER_PARKS, PM_LAYER_OUTLINE);
    else
        pm_analysis_webmap_hint(ctx, st, layer, PM_LAYER_OUTLINE);
    pm_store_free(st);
}

int pm_import(pm_import_report *out, pm_ctx *ctx, const pm_import_opts *o)
{
    int rc = 0;
    pm_source *src = NULL;
    pm_transform *tr = NULL;
    pm_store_import *imp = NULL;
    pm_crs_info sinfo, tinfo;
    hasher h;
    pthread_t hth;
    int hashing = 0;
    char sha[65] = "", tdef[64] = "", *proj4 = NULL, *wkt = NULL;
    const char *sdef;
    memset(out, 0, sizeof(*out));
    if (!o->src_path || !o->db_path)
        return pm_err(ctx, PM_EUSAGE, "missing argument", "import", "a source and --db are needed");
    /* The source's SHA-256 is its own pass over the file: on the other core,
     * while the JSON check and GDAL read it here. */
    memset(&h, 0, sizeof h);
    char hpath[4096];
    hash_target(hpath, sizeof hpath, o->src_path);
    h.path = hpath;
    if (pm_ctx_new(&h.ctx) == 0 && pthread_create(&hth, NULL, hash_main, &h) == 0)
        hashing = 1;
    if ((rc = pm_source_open(&src, ctx, o->src_path, o->src_layer)))
        goto done;
    pm_source_require_valid(src, !o->allow_invalid);
    sdef = o->s_srs ? o->s_srs : pm_source_crs_wkt(src);
    if (!sdef && pm_source_crs_problem(src)) {
        rc = pm_err(ctx, PM_EINPUT, "unknown CRS declared in source", o->src_path,
                    "%s; give the real one with --s-srs", pm_source_crs_problem(src));
        goto done;
    }
    if (!o->s_srs && pm_source_crs_note(src))
        pm_warn(ctx, "%s: %s; give the real CRS with --s-srs if it is not", o->src_path,
                pm_source_crs_note(src));
    if (!sdef) {
        rc = pm_err(ctx, PM_EINPUT, "source declares no CRS", o->src_path,
                    "give it with --s-srs, e.g. --s-srs EPSG:4326");
        goto done;
    }
    if ((rc = pm_crs_describe(&sinfo, ctx, sdef)))
        goto done;
    snprintf(out->source_crs_name, sizeof out->source_crs_name, "%s", sinfo.name);
    if ((rc = check_degrees(ctx, src, sdef, &sinfo, o)))
        goto done;
    int fell_back = 0;
    if ((rc = pick_target(tdef, sizeof tdef, &fell_back, ctx, src, sdef, &sinfo, o)))
        goto done;
    if ((rc = pm_crs_describe(&tinfo, ctx, tdef)))
        goto done;
    if (!tinfo.is_2d) {
        /* Geocentric X/Y/Z makes every ellipsoidal area 0, a vertical CRS has
         * no x/y at all: both imported "fine" and broke every later command. */
        rc = pm_err(ctx, PM_EUSAGE, "unusable storage CRS", tdef,
                    "%s is a %s CRS%s; give a 2D geographic or projected one", tinfo.name,
                    tinfo.kind, tinfo.is_projected ? " with a height axis" : "");
        goto done;
    }
    if (!tinfo.epsg) {
        rc = pm_err(ctx, PM_EUSAGE, "storage CRS needs an EPSG code", tdef,
                    "SpatiaLite registers geometry columns by SRID");
        goto done;
    }
    snprintf(out->storage_crs, sizeof out->storage_crs, "EPSG:%d", tinfo.epsg);
    if (tinfo.unfit_for_area && !fell_back)
        pm_warn(ctx,
                "storage CRS %s (%s) is unfit for measuring area: planar areas will be "
                "wrong; parkmap reports the ellipsoidal area as the reference",
                out->storage_crs, tinfo.name);
    if ((rc = pm_transform_new(&tr, ctx, sdef, out->storage_crs)))
        goto done;
    if (hashing) {
        pthread_join(hth, NULL);
        hashing = 0;
        if (h.rc) {
            rc = pm_err(ctx, pm_ctx_code(h.ctx), pm_ctx_what(h.ctx), pm_ctx_where(h.ctx), "%s",
                        pm_ctx_why(h.ctx));
            goto done;
        }
        memcpy(sha, h.sha, sizeof sha);
    } else if ((rc = pm_sha256_file(sha, ctx, hpath))) {
        goto done;
    }
    pm_store_import_opts so = PM_STORE_IMPORT_OPTS_INIT;
    so.db_path = o->db_path;
    so.layer = o->layer ? o->layer : PM_LAYER_PARKS;
    so.srid = tinfo.epsg;
    so.source_path = o->src_path;
    so.source_sha256 = sha;
    so.source_crs = o->s_srs ? o->s_srs : (sinfo.epsg ? NULL : sdef);
    if (pm_crs_webmap_note(so.source_crs))
        so.source_crs = pm_crs_webmap_note(so.source_crs);
    char sepsg[32];
    if (!so.source_crs) {
        snprintf(sepsg, sizeof sepsg, "EPSG:%d", sinfo.epsg);
        so.source_crs = sepsg;
    }
    so.storage_crs = out->storage_crs;
    so.overwrite = o->overwrite;
    so.rederive = o->rederive;
    if ((rc = pm_crs_export(&proj4, &wkt, ctx, out->storage_crs)))
        goto done;
    so.storage_crs_proj4 = proj4;
    so.storage_crs_wkt = wkt;
    so.storage_crs_name = tinfo.name;
    if ((rc = pm_store_import_begin(&imp, ctx, &so, pm_source_schema(src))))
        goto done;
    long done_n = 0;
    if ((rc = load_rows(ctx, o, src, tr, sinfo.is_geographic, imp, out, &done_n)))
        goto done;
    if (done_n == 0) {
        rc = pm_err(ctx, PM_EINPUT, "nothing to import", o->src_path,
                    out->skipped ? "every feature was skipped" : "the layer has no features");
        goto done;
    }
    if (o->progress)
        o->progress(0.99, "import: validity, index, commit", o->progress_user);
    if ((rc = pm_store_import_commit(&out->imported, ctx, imp, o->allow_invalid)))
        goto done;
    webmap_advice(ctx, o);
    if (o->progress)
        o->progress(1.0, "import", o->progress_user);
done:
    free(proj4);
    free(wkt);
    if (hashing)
        pthread_join(hth, NULL);
    pm_ctx_free(h.ctx);
    pm_store_import_free(imp);
    pm_transform_free(tr);
    pm_source_free(src);
    return rc;
}
