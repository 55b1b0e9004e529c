/* The coordinate grid the page's grid block asks for: a graticule (lines of
 * constant longitude and latitude, WGS 84) or a projected grid (eastings
 * and northings of the storage CRS), with coordinate labels along the
 * frame. */
#include "render_internal.h"

#include "parkmap/crs.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS 64 /* segments of a densified line */

static int grid_add_line(pm_scene *sc, const double *xy, size_t n)
{
    pm_pline *ng = realloc(sc->grid_lines, (sc->ngrid_lines + 1) * sizeof(*ng));
    if (!ng)
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "grid");
    sc->grid_lines = ng;
    if (!(ng[sc->ngrid_lines].xy = malloc(2 * n * sizeof(double))))
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "grid");
    memcpy(ng[sc->ngrid_lines].xy, xy, 2 * n * sizeof(double));
    ng[sc->ngrid_lines++].n = n;
    return 0;
}

/* "121°40′E", "31°12′30″N": as few units as the interval needs. */
static void graticule_text(char *buf, size_t n, double v, double interval, int lat)
{
    char hemi = lat ? (v < 0 ? 'S' : 'N') : (v < 0 ? 'W' : 'E');
    long sec = lround(fabs(v) * 3600);
    long d = sec / 3600, m = sec / 60 % 60, s = sec % 60;
    long step = lround(interval * 3600);
    if (step % 3600 == 0 && m == 0 && s == 0)
        snprintf(buf, n, "%ld°%c", d, hemi);
    else if (step % 60 == 0 && s == 0)
        snprintf(buf, n, "%ld°%02ld′%c", d, m, hemi);
    else
        snprintf(buf, n, "%ld°%02ld′%02ld″%c", d, m, s, hemi);
    if (fabs(v) < 1e-9) /* the equator and the prime meridian have no side */
        snprintf(buf, n, "0°");
}

/* Where a page-px polyline crosses the frame edge: the bottom (axis 0:
 * x at y = bottom) or the left (axis 1: y at x = left). */
static int crossing(const pm_scene *sc, const double *xy, size_t n, int axis, double *at)
{
    const double *fr = sc->info->frame;
    double e = axis == 0 ? fr[1] + fr[3] : fr[0];
    for (size_t i = 0; i + 1 < n; i++) {
        double a = xy[2 * i + (axis == 0)], b = xy[2 * i + 2 + (axis == 0)];
        if ((a - e) * (b - e) <= 0 && a != b) {
            double t = (e - a) / (b - a);
            *at = xy[2 * i + (axis == 1)] +
                  t * (xy[2 * i + 2 + (axis == 1)] - xy[2 * i + (axis == 1)]);
            return 1;
        }
    }
    return 0;
}

static int grid_label(pm_scene *sc, const char *text, int axis, double at)
{
    pm_render_info *in = sc->info;
    const double *fr = in->frame;
    double w, h, inset = 2.5 * sc->fpt, halo = 1.2 * sc->fpt;
    pm_text_size(sc, NULL, sc->grid_label_px, 0, text, &w, &h);
    w += 2 * halo, h += 2 * halo;
    pm_rect r = axis == 0 ? (pm_rect){at - w / 2, fr[1] + fr[3] - inset - h, w, h}
                          : (pm_rect){fr[0] + inset, at - h / 2, w, h};
    if (r.x < fr[0] || r.y < fr[1] || r.x + r.w > fr[0] + fr[2] || r.y + r.h > fr[1] + fr[3])
        return 0;
    for (size_t k = 0; k < sc->noccupied; k++)
        if (pm_rect_overlap(r, sc->occupied[k]) > 0)
            return 0; /* under the scale bar or legend, or on another figure */
    pm_label_box *nl = realloc(in->grid_labels, (in->ngrid_labels + 1) * sizeof(*nl));
    if (!nl)
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "grid");
    in->grid_labels = nl;
    char *t = strdup(text);
    if (!t)
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "grid");
    nl[in->ngrid_labels++] = (pm_label_box){
        t, r.x, r.y, r.w, r.h, axis == 0 ? at : fr[0], axis == 0 ? fr[1] + fr[3] : at, 0};
    return pm_scene_occupy(sc, r);
}

/* A projected grid's range: the extent itself, in the storage CRS's
 * units, at a round interval giving about four lines. */
static void projected_range(const pm_scene *sc, double lo[2], double hi[2], double *iv)
{
    const double *ex = sc->info->extent;
    const pm_page *pg = sc->page;
    lo[0] = ex[0], lo[1] = ex[1], hi[0] = ex[2], hi[1] = ex[3];
    *iv = pg->grid_interval > 0 ? pg->grid_interval
                                : pm_nice_length(fmax(hi[0] - lo[0], hi[1] - lo[1]) / 4);
}

/* A graticule's range: the longitudes and latitudes the frame spans, at a
 * round number of degrees, minutes or seconds giving four lines or more. */
static int graticule_range(pm_scene *sc, pm_transform *to_ll, double lo[2], double hi[2],
                           double *iv)
{
    const double *ex = sc->info->extent;
    const pm_page *pg = sc->page;
    int rc;
    /* The lon/lat range of the frame: its edges, densified. */
    double e[2 * 4 * NS];
    for (int i = 0; i < NS; i++) {
        double t = (double)i / NS;
        double xs[4] = {ex[0] + t * (ex[2] - ex[0]), ex[2], ex[2] - t * (ex[2] - ex[0]), ex[0]};
        double ys[4] = {ex[1], ex[1] + t * (ex[3] - ex[1]), ex[3], ex[3] - t * (ex[3] - ex[1])};
        for (int sd = 0; sd < 4; sd++)
            e[2 * (sd * NS + i)] = xs[sd], e[2 * (sd * NS + i) + 1] = ys[sd];
    }
    if ((rc = pm_transform_points(to_ll, sc->ctx, e, 4 * NS)))
        return rc;
    lo[0] = lo[1] = DBL_MAX, hi[0] = hi[1] = -DBL_MAX;
    for (int i = 0; i < 4 * NS; i++)
        for (int a = 0; a < 2; a++)
            lo[a] = fmin(lo[a], e[2 * i + a]), hi[a] = fmax(hi[a], e[2 * i + a]);
    static const double steps[] = {10,        5,          2,          1,          30 / 60.,
                                   20 / 60.,  15 / 60.,   10 / 60.,   5 / 60.,    2 / 60.,
                                   1 / 60.,   30 / 3600., 20 / 3600., 10 / 3600., 5 / 3600.,
                                   2 / 3600., 1 / 3600.};
    double span = fmax(hi[0] - lo[0], hi[1] - lo[1]);
    *iv = steps[sizeof steps / sizeof *steps - 1];
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (span / steps[i] >= 4) {
            *iv = steps[i];
            break;
        }
    if (pg->grid_interval > 0)
        *iv = pg->grid_interval;
    return 0;
}

/* Lines of constant longitude and latitude (or easting and northing), at a
 * round interval giving a handful across the map, as polylines in page px
 * (meridians curve and lean in a projected CRS, so they are densified).
 * Their coordinates are written where they meet the bottom and left edges
 * of the frame, where they do not collide with furniture; map labels then
 * avoid them. */
int pm_grid_layout(pm_scene *sc)
{
    pm_render_info *in = sc->info;
    const pm_page *pg = sc->page;
    pm_transform *to_ll = NULL, *from_ll = NULL;
    double *pts = NULL;
    int rc = 0;
    if (!pg->grid_show)
        return 0;
    sc->grid_label_px = PT_GRID * sc->fpt;
    if (!(pts = malloc(2 * (NS + 1) * sizeof(double))))
        return pm_err(sc->ctx, PM_ENOMEM, "out of memory", "render", "grid");
    double lo[2], hi[2], iv;
    if (pg->grid_projected) {
        projected_range(sc, lo, hi, &iv);
    } else {
        char crs[32];
        snprintf(crs, sizeof crs, "EPSG:%d", in->srid);
        if ((rc = pm_transform_new(&to_ll, sc->ctx, crs, "EPSG:4326")) ||
            (rc = pm_transform_new(&from_ll, sc->ctx, "EPSG:4326", crs)) ||
            (rc = graticule_range(sc, to_ll, lo, hi, &iv)))
            goto done;
    }
    in->grid_interval = iv;
    for (int axis = 0; axis < 2; axis++) {
        /* axis 0: x = const (meridians / eastings), 1: y = const */
        double v0 = ceil(lo[axis] / iv - 1e-9) * iv;
        for (int k = 0; k < 1000; k++) {
            double v = v0 + k * iv;
            if (v > hi[axis] + 1e-9 * iv)
                break;
            int nseg = pg->grid_projected ? 1 : NS;
            /* A little past the frame (the clip trims it), so the line
             * crosses the edge it is labelled on. */
            double m = 0.02 * (hi[1 - axis] - lo[1 - axis]);
            for (int i = 0; i <= nseg; i++) {
                double t = lo[1 - axis] - m + (hi[1 - axis] - lo[1 - axis] + 2 * m) * i / nseg;
                pts[2 * i + axis] = v;
                pts[2 * i + 1 - axis] = t;
            }
            if (from_ll && (rc = pm_transform_points(from_ll, sc->ctx, pts, (size_t)nseg + 1)))
                goto done;
            for (int i = 0; i <= nseg; i++)
                pm_scene_to_px(sc, pts[2 * i], pts[2 * i + 1], &pts[2 * i], &pts[2 * i + 1]);
            if ((rc = grid_add_line(sc, pts, (size_t)nseg + 1)))
                goto done;
            in->ngrid_lines++;
            double at;
            if (!pg->grid_labels || !crossing(sc, pts, (size_t)nseg + 1, axis == 0 ? 0 : 1, &at))
                continue;
            char text[64];
            if (!pg->grid_projected)
                graticule_text(text, sizeof text, v, iv, axis == 1);
            else if (fmod(iv, 1000) == 0)
                snprintf(text, sizeof text, "%s %.0f km", axis == 0 ? "E" : "N", v / 1000);
            else
                snprintf(text, sizeof text, "%s %.0f", axis == 0 ? "E" : "N", v);
            if ((rc = grid_label(sc, text, axis == 0 ? 0 : 1, at)))
                goto done;
        }
    }
done:
    free(pts);
    pm_transform_free(to_ll);
    pm_transform_free(from_ll);
    return rc;
}
