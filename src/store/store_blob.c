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
#include "store_internal.h"

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

int pm_store_blob_to_wkb(unsigned char **buf, size_t *cap, size_t *out_len,
                         const unsigned char *blob, size_t len)
{
    if (len < 44 || blob[0] != 0x00 || blob[38] != 0x7C || blob[len - 1] != 0xFE ||
        blob[1] > 1)
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
