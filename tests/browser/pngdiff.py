#!/usr/bin/env python3
"""Pixel comparison of two PNGs (standard library only).

    python3 pngdiff.py A.png B.png [TOL [BUDGET [DIFF.png]]]

A pixel mismatches when one of its R, G, B channels differs by more than
TOL (default 48 of 255); the images match when at most BUDGET (default
0.01, 1 %) of the pixels mismatch. Sizes must be equal. DIFF.png, when
given, shows B dimmed with the mismatching pixels in red. Exit 0 on a
match, 1 otherwise.

The decoder is tests/cli/pngpix.py's, made fast enough for a test that
decodes a few dozen screenshots: the Up and Sub filters (most of
Chromium's rows) are computed on whole rows at once as Python integers,
byte-wise addition mod 256 done with the usual SWAR masks; Average and
Paeth rows go byte by byte as in pngpix.py.
"""
import re
import struct
import sys
import zlib


def _unfilter(kind, line, prev, bpp):
    n = len(line)
    if kind == 0:
        return line
    if kind in (1, 2):
        hi = int.from_bytes(b"\x80" * n, "big")
        lo = hi ^ ((1 << (8 * n)) - 1)

        def add(a, b):  # byte-wise (a + b) mod 256
            return ((a & lo) + (b & lo)) ^ ((a ^ b) & hi)
        x = int.from_bytes(line, "big")
        if kind == 2:
            x = add(x, int.from_bytes(prev, "big"))
        else:  # a running sum per channel: Hillis-Steele scan over pixels
            step = bpp
            while step < n:
                x = add(x, x >> (8 * step))
                step *= 2
        return x.to_bytes(n, "big")
    out = bytearray(line)
    for i in range(n):
        a = out[i - bpp] if i >= bpp else 0
        b = prev[i]
        if kind == 3:
            out[i] = (out[i] + (a + b) // 2) & 255
        else:
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            out[i] = (out[i] + (a if pa <= pb and pa <= pc else (b if pb <= pc else c))) & 255
    return bytes(out)


def load(path):
    """(width, height, rows of RGB bytes) of an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("%s: not a PNG" % path)
    pos, idat, w = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body[:13])
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError("%s: only 8-bit RGB/RGBA, not interlaced" % path)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    rows, prev = [], bytes(stride)
    for y in range(h):
        start = y * (stride + 1)
        line = _unfilter(raw[start], raw[start + 1:start + 1 + stride], prev, bpp)
        rows.append(line)
        prev = line
    if bpp == 4:
        rows = [bytes(r[i] for i in range(len(r)) if i % 4 != 3) for r in rows]
    return w, h, rows


_NONZERO = re.compile(b"[^\\x00]")
_DIM = bytes(c // 3 + 170 for c in range(256))


def compare(a, b, tol=48, diff_path=None, exclude=()):
    """Counts the pixels of two loaded images (load()) whose R, G or B
    differs by more than tol; returns (count, total). exclude: rectangles
    (x0, y0, x1, y1), in pixels, not compared (taken from b in both).
    diff_path: a PNG of b dimmed, mismatching pixels in red."""
    wa, ha, ra = a
    wb, hb, rb = b
    if (wa, ha) != (wb, hb):
        raise ValueError("sizes differ: %dx%d and %dx%d" % (wa, ha, wb, hb))
    ra = list(ra)
    for x0, y0, x1, y1 in exclude:
        x0, x1 = max(0, int(x0)) * 3, min(wa, int(x1 + 0.999)) * 3
        for y in range(max(0, int(y0)), min(ha, int(y1 + 0.999))):
            if x0 < x1:
                ra[y] = ra[y][:x0] + rb[y][x0:x1] + ra[y][x1:]
    bad = 0
    out = [] if diff_path else None
    for la, lb in zip(ra, rb):
        if la == lb:
            if out is not None:
                out.append(lb.translate(_DIM))
            continue
        # Only the bytes that differ at all (found at C speed) are looked at.
        xor = (int.from_bytes(la, "big") ^ int.from_bytes(lb, "big")).to_bytes(len(la), "big")
        px = {m.start() // 3 for m in _NONZERO.finditer(xor)
              if abs(la[m.start()] - lb[m.start()]) > tol}
        bad += len(px)
        if out is not None:
            line = bytearray(lb.translate(_DIM))
            for p in px:
                line[3 * p:3 * p + 3] = b"\xff\x00\x00"
            out.append(bytes(line))
    if out is not None:
        write_png(diff_path, wa, ha, out)
    return bad, wa * ha


def write_png(path, w, h, rows):
    """An 8-bit RGB PNG from rows of w*3 bytes."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))
    raw = b"".join(b"\0" + r for r in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tol = int(sys.argv[3]) if len(sys.argv) > 3 else 48
    budget = float(sys.argv[4]) if len(sys.argv) > 4 else 0.01
    diff = sys.argv[5] if len(sys.argv) > 5 else None
    bad, total = compare(load(sys.argv[1]), load(sys.argv[2]), tol, diff)
    print("%d of %d pixels differ by more than %d (%.3f %%, budget %.3f %%)"
          % (bad, total, tol, 100.0 * bad / total, 100.0 * budget))
    sys.exit(0 if bad <= budget * total else 1)


if __name__ == "__main__":
    main()
