/* SpatiaLite's geometry BLOB turned into WKB by rewriting its headers, so
 * reading a feature does not go through AsBinary (which builds SpatiaLite's
 * own geometry object, point by point, and then serialises it again: 4 % of
 * a 100,000-parcel render).
 *
 * An uncompressed BLOB is WKB in all but its framing (SpatiaLite's
 * "BLOB-Geometry" format):
 *   0x00, endian (1 = little), srid i32, mbr 4 x f64, 0x7C, class i32,
 *   body, 0xFE
 * where the body is WKB's, except that each element of a collection starts
 * with the marker 0x69 instead of a byte-order byte (the endianness is the
 * header's). Classes use WKB's ISO codes (+1000 Z, +2000 M, +3000 ZM). So
 * WKB = endian byte + class + body, with every 0x69 marker replaced by the
 * endian byte. Compressed classes (1000000 and up) and anything unexpected
 * are left to SpatiaLite. */
#include "store_sl.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    unsigned char *p; /* the WKB copy being checked and patched */
    size_t left;
    int swap;
    unsigned char endian;
} walk;

static int take(walk *w, size_t n)
{
    if (w->left < n)
        return 1;
    w->p += n;
    w->left -= n;
    return 0;
}

static int u32(walk *w, uint32_t *out)
{
    if (w->left < 4)
        return 1;
    unsigned char b[4];
    memcpy(b, w->p, 4);
    if (w->swap) {
        unsigned char t = b[0];
        b[0] = b[3], b[3] = t, t = b[1], b[1] = b[2], b[2] = t;
    }
    memcpy(out, b, 4);
    return take(w, 4);
}

/* Dimensions of an uncompressed class; 0 for anything else. */
static int dims_of(uint32_t cls, uint32_t *base)
{
    if (cls >= 1 && cls <= 7)
        return *base = cls, 2;
    if (cls >= 1001 && cls <= 1007)
        return *base = cls - 1000, 3;
    if (cls >= 2001 && cls <= 2007)
        return *base = cls - 2000, 3;
    if (cls >= 3001 && cls <= 3007)
        return *base = cls - 3000, 4;
    return 0;
}

static int points(walk *w, int dims)
{
    uint32_t n;
    if (u32(w, &n) || (size_t)n > w->left / (8u * (unsigned)dims))
        return 1;
    return take(w, (size_t)n * 8u * (unsigned)dims);
}

/* The body of one simple geometry of `base` type. */
static int simple(walk *w, uint32_t base, int dims)
{
    if (base == 1)
        return take(w, 8u * (unsigned)dims);
    if (base == 2)
        return points(w, dims);
    if (base == 3) {
        uint32_t nr;
        if (u32(w, &nr) || (size_t)nr > w->left / 4)
            return 1;
        for (uint32_t i = 0; i < nr; i++)
            if (points(w, dims))
                return 1;
        return 0;
    }
    return 1;
}

int pm_sl_blob_to_wkb(unsigned char **buf, size_t *cap, size_t *out_len, const unsigned char *blob,
                      size_t len)
{
    if (len < 44 || blob[0] != 0x00 || blob[38] != 0x7C || blob[len - 1] != 0xFE || blob[1] > 1)
        return 1;
    size_t n = 1 + (len - 40); /* endian byte, then class and body without 0xFE */
    if (n > *cap) {
        unsigned char *nb = realloc(*buf, n);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = n;
    }
    unsigned char *out = *buf;
    out[0] = blob[1];
    memcpy(out + 1, blob + 39, n - 1);
    const uint16_t one = 1;
    int host_le = *(const unsigned char *)&one == 1;
    walk w = {out + 1, n - 1, (blob[1] == 1) != host_le, blob[1]};
    uint32_t cls, base;
    int dims;
    if (u32(&w, &cls) || !(dims = dims_of(cls, &base)))
        return 1;
    if (base <= 3) {
        if (simple(&w, base, dims))
            return 1;
    } else {
        uint32_t ne;
        if (u32(&w, &ne) || (size_t)ne > w.left / 5)
            return 1;
        for (uint32_t i = 0; i < ne; i++) {
            uint32_t sub_cls, sub_base;
            int sub_dims;
            if (w.left < 1 || w.p[0] != 0x69)
                return 1;
            w.p[0] = w.endian; /* the element's byte-order byte, as in WKB */
            if (take(&w, 1) || u32(&w, &sub_cls) || !(sub_dims = dims_of(sub_cls, &sub_base)) ||
                sub_base > 3 || simple(&w, sub_base, sub_dims))
                return 1;
        }
    }
    if (w.left != 0)
        return 1;
    *out_len = n;
    return 0;
}

/* ---- writing: pm_geom -> BLOB ---------------------------------------------- */

static unsigned char *put_i32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, 4);
    return p + 4;
}

static unsigned char *put_f64(unsigned char *p, double v)
{
    memcpy(p, &v, 8);
    return p + 8;
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* Can the geometry be written as GeomFromWKB would store it? Polygons with
 * at least one point in every ring, lines with at least one point. */
static int blob_fits(const pm_geom *g)
{
    if (!g || g->nparts == 0 || g->nparts > INT32_MAX || !host_is_little_endian())
        return 0;
    for (size_t i = 0; i < g->nparts; i++) {
        if (g->parts[i].nrings == 0 || g->parts[i].nrings > INT32_MAX ||
            (g->kind == PM_GEOM_LINE && g->parts[i].nrings != 1))
            return 0;
        for (size_t j = 0; j < g->parts[i].nrings; j++)
            if (g->parts[i].rings[j].n == 0 || g->parts[i].rings[j].n > INT32_MAX / 16)
                return 0;
    }
    return 1;
}

/* The layout (gaiaToSpatiaLiteBlobWkb): start 0x00, little-endian 0x01,
 * SRID, MBR, 0x7C, class (6 MULTIPOLYGON, 5 MULTILINESTRING) and the part
 * count; each part 0x69 and its type (3 polygon: ring count, each ring its
 * point count and points; 2 linestring: point count and points); end 0xFE.
 * The MBR is that of the exterior rings (as gaiaMbrPolygon computes it) or
 * of every point of the lines. */
int pm_sl_blob_encode(unsigned char **buf, size_t *cap, size_t *out_len, double box[4],
                      const pm_geom *g, int srid)
{
    if (!blob_fits(g))
        return 1;
    int line = g->kind == PM_GEOM_LINE;
    size_t need = 48;
    double x0 = DBL_MAX, y0 = DBL_MAX, x1 = -DBL_MAX, y1 = -DBL_MAX;
    for (size_t i = 0; i < g->nparts; i++) {
        need += line ? 5 : 9;
        for (size_t j = 0; j < g->parts[i].nrings; j++)
            need += 4 + 16 * g->parts[i].rings[j].n;
        const pm_ring *r = &g->parts[i].rings[0];
        for (size_t k = 0; k < r->n; k++) {
            double x = r->xy[2 * k], y = r->xy[2 * k + 1];
            x0 = x < x0 ? x : x0;
            y0 = y < y0 ? y : y0;
            x1 = x > x1 ? x : x1;
            y1 = y > y1 ? y : y1;
        }
    }
    if (need > *cap) {
        size_t nc = need < 4096 ? 4096 : need;
        unsigned char *b = realloc(*buf, nc);
        if (!b)
            return -1;
        *buf = b;
        *cap = nc;
    }
    unsigned char *p = *buf;
    *p++ = 0x00;
    *p++ = 0x01;
    p = put_i32(p, (uint32_t)srid);
    p = put_f64(p, x0);
    p = put_f64(p, y0);
    p = put_f64(p, x1);
    p = put_f64(p, y1);
    *p++ = 0x7C;
    p = put_i32(p, line ? 5 : 6);
    p = put_i32(p, (uint32_t)g->nparts);
    for (size_t i = 0; i < g->nparts; i++) {
        *p++ = 0x69;
        p = put_i32(p, line ? 2 : 3);
        if (!line)
            p = put_i32(p, (uint32_t)g->parts[i].nrings);
        for (size_t j = 0; j < g->parts[i].nrings; j++) {
            const pm_ring *r = &g->parts[i].rings[j];
            p = put_i32(p, (uint32_t)r->n);
            memcpy(p, r->xy, 16 * r->n);
            p += 16 * r->n;
        }
    }
    *p++ = 0xFE;
    *out_len = (size_t)(p - *buf);
    box[0] = x0, box[1] = y0, box[2] = x1, box[3] = y1;
    return 0;
}
