"""Minimal PNG reader (stdlib only) for tests: size and pixel colours.

Usage: python3 pngpix.py FILE size                  -> "W H"
       python3 pngpix.py FILE count TOL RRGGBB...   -> for each colour, the number
                                                       of pixels within TOL per channel
"""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), "only 8-bit RGB/RGBA"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def main():
    w, h, bpp, rows = read_png(sys.argv[1])
    if sys.argv[2] == "size":
        print(w, h)
        return
    tol = int(sys.argv[3])
    want = [bytes.fromhex(c) for c in sys.argv[4:]]
    counts = [0] * len(want)
    hist = {}
    for line in rows:
        for x in range(0, len(line), bpp):
            key = bytes(line[x:x + 3])
            hist[key] = hist.get(key, 0) + 1
    for key, n in hist.items():
        for i, rgb in enumerate(want):
            if all(abs(key[k] - rgb[k]) <= tol for k in range(3)):
                counts[i] += n
    print(" ".join(str(c) for c in counts))


if __name__ == "__main__":
    main()
