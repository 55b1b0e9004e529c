/* pm_geom <-> WKB. WKB is the lingua franca of GDAL and SpatiaLite, so every
 * module converts through here rather than through each other's types. */
#include "parkmap/feature.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A ring or polygon count beyond what fits in the remaining bytes is
 * malformed input, not a reason to allocate gigabytes. */
typedef struct {
    const unsigned char *p;
    size_t left;
    int swap;
    pm_ctx *ctx;
} reader;

static int bad(reader *r, const char *why)
{
    return pm_err(r->ctx, PM_EINPUT, "malformed geometry", "WKB", "%s", why);
}

static int rd_u8(reader *r, unsigned *out)
{
    if (r->left < 1)
        return bad(r, "truncated");
    *out = r->p[0];
    r->p++;
    r->left--;
    return 0;
}

static int rd_u32(reader *r, uint32_t *out)
{
    if (r->left < 4)
        return bad(r, "truncated");
    unsigned char b[4];
    memcpy(b, r->p, 4);
    if (r->swap) {
        unsigned char t = b[0];
        b[0] = b[3];
        b[3] = t;
        t = b[1];
        b[1] = b[2];
        b[2] = t;
    }
    memcpy(out, b, 4);
    r->p += 4;
    r->left -= 4;
    return 0;
}

static int rd_f64(reader *r, double *out)
{
    if (r->left < 8)
        return bad(r, "truncated");
    unsigned char b[8];
    memcpy(b, r->p, 8);
    if (r->swap)
        for (int i = 0; i < 4; i++) {
            unsigned char t = b[i];
            b[i] = b[7 - i];
            b[7 - i] = t;
        }
    memcpy(out, b, 8);
    r->p += 8;
    r->left -= 8;
    return 0;
}

/* Read a byte-order mark and a type; return base type and dimension count. */
static int rd_header(reader *r, unsigned *base, int *dims)
{
    unsigned order = 0;
    uint32_t type;
    int rc = rd_u8(r, &order);
    if (rc)
        return rc;
    if (order > 1)
        return bad(r, "bad byte order");
    /* Host is little-endian on every platform we build for; detect anyway. */
    const uint16_t one = 1;
    int host_le = *(const unsigned char *)&one == 1;
    r->swap = (order == 1) != host_le;
    if ((rc = rd_u32(r, &type)))
        return rc;
    int z = 0, m = 0;
    if (type & 0x80000000u)
        z = 1;
    if (type & 0x40000000u)
        m = 1;
    if (type & 0x20000000u)
        return bad(r, "EWKB with SRID is not supported");
    type &= 0x0fffffffu;
    if (type >= 3000) {
        z = m = 1;
        type -= 3000;
    } else if (type >= 2000) {
        m = 1;
        type -= 2000;
    } else if (type >= 1000) {
        z = 1;
        type -= 1000;
    }
    *base = type;
    *dims = 2 + z + m;
    return 0;
}

static int rd_ring(reader *r, int dims, pm_ring *ring)
{
    uint32_t n;
    int rc = rd_u32(r, &n);
    if (rc)
        return rc;
    if ((size_t)n > r->left / (8u * (unsigned)dims))
        return bad(r, "point count exceeds data");
    ring->n = n;
    ring->xy = n ? malloc(sizeof(double) * 2 * n) : NULL;
    if (n && !ring->xy)
        return pm_err(r->ctx, PM_ENOMEM, "out of memory", "WKB", "ring of %u points", n);
    for (uint32_t i = 0; i < n; i++) {
        double skip;
        if ((rc = rd_f64(r, &ring->xy[2 * i])) || (rc = rd_f64(r, &ring->xy[2 * i + 1])))
            return rc;
        for (int d = 2; d < dims; d++)
            if ((rc = rd_f64(r, &skip)))
                return rc;
    }
    return 0;
}

/* A polygon (rings) or a linestring (one path) into one part. */
static int rd_part(reader *r, unsigned base, int dims, pm_part *part)
{
    if (base == 2) {
        part->nrings = 1;
        part->rings = calloc(1, sizeof(pm_ring));
        if (!part->rings)
            return pm_err(r->ctx, PM_ENOMEM, "out of memory", "WKB", "line");
        return rd_ring(r, dims, &part->rings[0]);
    }
    uint32_t nr;
    int rc = rd_u32(r, &nr);
    if (rc)
        return rc;
    if ((size_t)nr > r->left / 4)
        return bad(r, "ring count exceeds data");
    part->nrings = 0;
    part->rings = nr ? calloc(nr, sizeof(pm_ring)) : NULL;
    if (nr && !part->rings)
        return pm_err(r->ctx, PM_ENOMEM, "out of memory", "WKB", "polygon");
    for (uint32_t i = 0; i < nr; i++) {
        part->nrings++;
        if ((rc = rd_ring(r, dims, &part->rings[i])))
            return rc;
    }
    return 0;
}

int pm_geom_from_wkb(pm_geom **out, pm_ctx *ctx, const unsigned char *wkb, size_t len)
{
    reader r = {wkb, len, 0, ctx};
    pm_geom *g = calloc(1, sizeof(*g));
    int rc;
    unsigned base;
    int dims;
    *out = NULL;
    if (!g)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "WKB", "geometry");
    if ((rc = rd_header(&r, &base, &dims)))
        goto done;
    if (base == 3 || base == 2) { /* Polygon, LineString */
        g->kind = base == 3 ? PM_GEOM_POLYGON : PM_GEOM_LINE;
        g->parts = calloc(1, sizeof(pm_part));
        if (!g->parts) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", "WKB", "geometry");
            goto done;
        }
        g->nparts = 1;
        if ((rc = rd_part(&r, base, dims, &g->parts[0])))
            goto done;
    } else if (base == 6 || base == 5) { /* MultiPolygon, MultiLineString */
        uint32_t np;
        g->kind = base == 6 ? PM_GEOM_POLYGON : PM_GEOM_LINE;
        if ((rc = rd_u32(&r, &np)))
            goto done;
        if ((size_t)np > r.left / 9) {
            rc = bad(&r, "part count exceeds data");
            goto done;
        }
        g->parts = np ? calloc(np, sizeof(pm_part)) : NULL;
        if (np && !g->parts) {
            rc = pm_err(ctx, PM_ENOMEM, "out of memory", "WKB", "geometry");
            goto done;
        }
        for (uint32_t i = 0; i < np; i++) {
            unsigned sub;
            int sdims;
            g->nparts++;
            if ((rc = rd_header(&r, &sub, &sdims)))
                goto done;
            if (sub != base - 3) {
                rc = bad(&r, "mixed types in a multi-geometry");
                goto done;
            }
            if ((rc = rd_part(&r, sub, sdims, &g->parts[i])))
                goto done;
        }
    } else {
        rc = pm_err(ctx, PM_EINPUT, "unsupported geometry type", "WKB", "type %u", base);
        goto done;
    }
    *out = g;
    g = NULL;
done:
    pm_geom_free(g);
    return rc;
}

static unsigned char *wr_u32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, 4);
    return p + 4;
}

int pm_geom_to_wkb(unsigned char **out, size_t *out_len, pm_ctx *ctx, const pm_geom *g)
{
    size_t len = 9;
    for (size_t i = 0; i < g->nparts; i++) {
        const pm_part *pt = &g->parts[i];
        if (g->kind == PM_GEOM_LINE) {
            for (size_t j = 0; j < pt->nrings; j++)
                len += 9 + 16 * pt->rings[j].n;
        } else {
            len += 9;
            for (size_t j = 0; j < pt->nrings; j++)
                len += 4 + 16 * pt->rings[j].n;
        }
    }
    unsigned char *buf = malloc(len), *p = buf;
    if (!buf)
        return pm_err(ctx, PM_ENOMEM, "out of memory", "WKB", "%zu bytes", len);
    /* Multi* in little-endian: SpatiaLite and GDAL accept it from any host,
     * and parkmap stores MULTIPOLYGON whatever the source had. */
    uint32_t count = 0;
    if (g->kind == PM_GEOM_LINE)
        for (size_t i = 0; i < g->nparts; i++)
            count += (uint32_t)g->parts[i].nrings;
    else
        count = (uint32_t)g->nparts;
    *p++ = 1;
    p = wr_u32(p, g->kind == PM_GEOM_LINE ? 5 : 6);
    p = wr_u32(p, count);
    for (size_t i = 0; i < g->nparts; i++) {
        const pm_part *pt = &g->parts[i];
        if (g->kind == PM_GEOM_POLYGON) {
            *p++ = 1;
            p = wr_u32(p, 3);
            p = wr_u32(p, (uint32_t)pt->nrings);
        }
        for (size_t j = 0; j < pt->nrings; j++) {
            if (g->kind == PM_GEOM_LINE) {
                *p++ = 1;
                p = wr_u32(p, 2);
            }
            p = wr_u32(p, (uint32_t)pt->rings[j].n);
            memcpy(p, pt->rings[j].xy, 16 * pt->rings[j].n);
            p += 16 * pt->rings[j].n;
        }
    }
    *out = buf;
    *out_len = len;
    return 0;
}

int pm_geom_clone(pm_geom **out, pm_ctx *ctx, const pm_geom *g)
{
    unsigned char *wkb = NULL;
    size_t len = 0;
    int rc = pm_geom_to_wkb(&wkb, &len, ctx, g);
    if (rc == 0)
        rc = pm_geom_from_wkb(out, ctx, wkb, len);
    free(wkb);
    return rc;
}

void pm_geom_free(pm_geom *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nparts; i++) {
        for (size_t j = 0; j < g->parts[i].nrings; j++)
            free(g->parts[i].rings[j].xy);
        free(g->parts[i].rings);
    }
    free(g->parts);
    free(g);
}

size_t pm_geom_npoints(const pm_geom *g)
{
    size_t n = 0;
    for (size_t i = 0; g && i < g->nparts; i++)
        for (size_t j = 0; j < g->parts[i].nrings; j++)
            n += g->parts[i].rings[j].n;
    return n;
}

int pm_geom_bbox(const pm_geom *g, double *minx, double *miny, double *maxx, double *maxy)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    int any = 0;
    for (size_t i = 0; g && i < g->nparts; i++)
        for (size_t j = 0; j < g->parts[i].nrings; j++) {
            const pm_ring *r = &g->parts[i].rings[j];
            for (size_t k = 0; k < r->n; k++) {
                double x = r->xy[2 * k], y = r->xy[2 * k + 1];
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0;
                y1 = y > y1 ? y : y1;
                any = 1;
            }
        }
    if (!any)
        return 0;
    *minx = x0;
    *miny = y0;
    *maxx = x1;
    *maxy = y1;
    return 1;
}
