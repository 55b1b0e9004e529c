/* How far a boundary moved between two versions of a park: the Hausdorff
 * distance between the two boundaries, in ground metres, whatever CRS each
 * version is stored in. */
#include "topo_internal.h"

#include "parkmap/crs.h"

#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Samples along the boundaries at most this far apart (ground metres):
 * GEOS's discrete Hausdorff distance is then within half of it of the
 * true one (the distance to a line changes no faster than along it). */
#define SPACING_M 0.1
/* GEOS splits every segment into 1 / fraction pieces: this floor bounds the
 * work on a boundary with kilometre-long segments (spacing then grows). */
#define MIN_FRACTION 1e-5
/* Central meridians are taken on this grid (degrees): a transverse Mercator
 * on one is within 0.125° of longitude of the park, so its scale is true to
 * 2e-6 at Pudong's latitude, and a few projections serve a whole layer. */
#define CM_STEP 0.25

typedef struct {
    double cm;
    pm_transform *tr;
} tm_entry;

struct pm_topo_hausdorff {
    pm_transform *ll_a, *ll_b; /* storage CRS of a and of b -> WGS 84 lon/lat */
    tm_entry *tm;              /* lon/lat -> a transverse Mercator, per central meridian */
    size_t ntm;
    GEOSContextHandle_t h;
    int same_crs; /* a and b are stored in one CRS */
    char msg[256];
};

static void on_geos_error(const char *fmt, void *user)
{
    pm_topo_hausdorff *hd = user;
    snprintf(hd->msg, sizeof hd->msg, "%s", fmt);
}

void pm_topology_hausdorff_free(pm_topo_hausdorff *hd)
{
    if (!hd)
        return;
    pm_transform_free(hd->ll_a);
    pm_transform_free(hd->ll_b);
    for (size_t i = 0; i < hd->ntm; i++)
        pm_transform_free(hd->tm[i].tr);
    free(hd->tm);
    if (hd->h)
        GEOS_finish_r(hd->h);
    free(hd);
}

int pm_topology_hausdorff_new(pm_topo_hausdorff **out, pm_ctx *ctx, int srid_a, int srid_b)
{
    char a[32], b[32];
    int rc;
    pm_topo_hausdorff *hd = calloc(1, sizeof *hd);
    *out = NULL;
    if (!hd || !(hd->h = GEOS_init_r())) {
        free(hd);
        return pm_err(ctx, PM_ENOMEM, "out of memory", "compare", "Hausdorff distance");
    }
    GEOSContext_setErrorMessageHandler_r(hd->h, on_geos_error, hd);
    hd->same_crs = srid_a == srid_b;
    snprintf(a, sizeof a, "EPSG:%d", srid_a);
    snprintf(b, sizeof b, "EPSG:%d", srid_b);
    if ((rc = pm_transform_new(&hd->ll_a, ctx, a, "EPSG:4326")) ||
        (rc = pm_transform_new(&hd->ll_b, ctx, b, "EPSG:4326"))) {
        pm_topology_hausdorff_free(hd);
        return rc;
    }
    *out = hd;
    return 0;
}

/* The lon/lat -> transverse Mercator transform for central meridian cm. */
static int tm_for(pm_transform **out, pm_ctx *ctx, pm_topo_hausdorff *hd, double cm)
{
    char def[160];
    for (size_t i = 0; i < hd->ntm; i++)
        if (hd->tm[i].cm == cm) {
            *out = hd->tm[i].tr;
            return 0;
        }
    tm_entry *n = realloc(hd->tm, (hd->ntm + 1) * sizeof *n);
    if (!n)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "compare", "Hausdorff distance");
    hd->tm = n;
    snprintf(def, sizeof def,
             "+proj=tmerc +lat_0=0 +lon_0=%.2f +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
             cm);
    int rc = pm_transform_new(&hd->tm[hd->ntm].tr, ctx, "EPSG:4326", def);
    if (rc)
        return rc;
    hd->tm[hd->ntm].cm = cm;
    *out = hd->tm[hd->ntm++].tr;
    return 0;
}

/* The boundary of a projected pm_geom, as GEOS lines. */
static GEOSGeometry *boundary_of(pm_topo_hausdorff *hd, const pm_geom *g)
{
    GEOSGeometry *poly = topo_pm_to_geos(hd->h, g, 0, 0), *line = NULL;
    if (poly)
        line = GEOSBoundary_r(hd->h, poly);
    GEOSGeom_destroy_r(hd->h, poly);
    return line;
}

/* The longest segment of a geometry, in its units. */
static double longest_segment(const pm_geom *g)
{
    double m = 0;
    for (size_t p = 0; p < g->nparts; p++)
        for (size_t r = 0; r < g->parts[p].nrings; r++) {
            const pm_ring *ring = &g->parts[p].rings[r];
            for (size_t k = 1; k < ring->n; k++)
                m = fmax(m, hypot(ring->xy[2 * k] - ring->xy[2 * k - 2],
                                  ring->xy[2 * k + 1] - ring->xy[2 * k - 1]));
        }
    return m;
}

/* Whether two geometries hold the same coordinates, part by part and ring
 * by ring, bit for bit. */
static int same_coords(const pm_geom *a, const pm_geom *b)
{
    if (a->nparts != b->nparts)
        return 0;
    for (size_t p = 0; p < a->nparts; p++) {
        if (a->parts[p].nrings != b->parts[p].nrings)
            return 0;
        for (size_t r = 0; r < a->parts[p].nrings; r++) {
            const pm_ring *ra = &a->parts[p].rings[r], *rb = &b->parts[p].rings[r];
            if (ra->n != rb->n || memcmp(ra->xy, rb->xy, 2 * ra->n * sizeof *ra->xy) != 0)
                return 0;
        }
    }
    return 1;
}

int pm_topology_hausdorff(double *out_m, pm_ctx *ctx, pm_topo_hausdorff *hd, const pm_geom *a,
                          const pm_geom *b)
{
    pm_geom *pa = NULL, *pb = NULL;
    GEOSGeometry *ga = NULL, *gb = NULL;
    pm_transform *tm = NULL;
    double x0, y0, x1, y1;
    int rc;
    *out_m = NAN;
    /* Most parks of a revised layout did not move: the same coordinates in
     * the same CRS are 0 apart, without densifying both boundaries to
     * 10 cm (the cost of `compare` on a parcel layer). */
    if (hd->same_crs && a->nparts > 0 && same_coords(a, b)) {
        *out_m = 0;
        return 0;
    }
    if ((rc = pm_geom_clone(&pa, ctx, a)) || (rc = pm_geom_clone(&pb, ctx, b)) ||
        (rc = pm_transform_geom(hd->ll_a, ctx, pa)) || (rc = pm_transform_geom(hd->ll_b, ctx, pb)))
        goto done;
    if (!pm_geom_bbox(pa, &x0, &y0, &x1, &y1) || !pm_geom_bbox(pb, &x0, &y0, &x1, &y1)) {
        rc = pm_err(ctx, PM_EINPUT, "empty geometry", "compare", "no boundary to measure");
        goto done;
    }
    pm_geom_bbox(pa, &x0, &y0, &x1, &y1);
    if ((rc = tm_for(&tm, ctx, hd, round((x0 + x1) / 2 / CM_STEP) * CM_STEP)) ||
        (rc = pm_transform_geom(tm, ctx, pa)) || (rc = pm_transform_geom(tm, ctx, pb)))
        goto done;
    double longest = fmax(longest_segment(pa), longest_segment(pb));
    double frac = longest > SPACING_M ? fmax(SPACING_M / longest, MIN_FRACTION) : 1.0;
    hd->msg[0] = '\0';
    if (!(ga = boundary_of(hd, pa)) || !(gb = boundary_of(hd, pb)) ||
        !GEOSHausdorffDistanceDensify_r(hd->h, ga, gb, frac, out_m)) {
        rc = pm_err(ctx, PM_EINTERNAL, "cannot measure the Hausdorff distance", "compare",
                    "GEOS: %s", hd->msg[0] ? hd->msg : "no reason given");
        *out_m = NAN;
    }
done:
    if (ga)
        GEOSGeom_destroy_r(hd->h, ga);
    if (gb)
        GEOSGeom_destroy_r(hd->h, gb);
    pm_geom_free(pa);
    pm_geom_free(pb);
    return rc;
}
