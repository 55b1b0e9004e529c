#!/usr/bin/python3
"""Render benchmark: parkmap against Mapnik on the same data, style and size.

    /usr/bin/python3 tests/bench/render_bench.py [--parkmap BIN] [--n 100000]
                                                  [--runs 5] [--keep DIR]

Generates a synthetic tessellation of N parcels (tests/bench/gen_parcels.py),
imports it with `parkmap import` (EPSG:4550), then renders the same
2000 x 2000 map -- fills by industry plus 0.5 pt outlines, the same extent
-- with `parkmap render` (tests/bench/render_bench_style.json) and with
Mapnik (python3-mapnik, reading the same SpatiaLite table through its sqlite
plugin), as PNG and as SVG. Prints the median wall time of RUNS runs of
each (a whole `parkmap render` process against Mapnik's render call in an
already started interpreter: parkmap's count includes its start-up), file
sizes, the ratios, and the pixel agreement of the two PNGs.

Targets (issue 4): PNG time ratio <= 0.7, SVG size ratio <= 1/3.

Run it with Debian's /usr/bin/python3, which has python3-mapnik
(`apt-get install python3-mapnik`); without Mapnik only parkmap is timed.
Not part of ctest. Installs nothing.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
GK_CM123 = ("+proj=tmerc +lat_0=0 +lon_0=123 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 "
            "+units=m +no_defs")  # EPSG:4550, as PROJ strings Mapnik accepts
COLOURS = [("integrated circuits", "#66c2a5"), ("biomedicine", "#fc8d62"),
           ("artificial intelligence", "#8da0cb"), ("new-generation IT", "#e78ac3"),
           ("high-end manufacturing", "#a6d854"), ("online economy", "#ffd92f")]
SIZE, DPI, LINE_PT = 2000, 96, 0.5


def find_parkmap(arg):
    if arg:
        return arg
    for cand in (os.environ.get("PM_BINARY"), os.path.join(SRC, "build", "parkmap"),
                 shutil.which("parkmap")):
        if cand and os.access(cand, os.X_OK):
            return cand
    sys.exit("render_bench: no parkmap binary (give --parkmap BIN)")


def median_time(fn, runs):
    """Median wall time, and median CPU time (user + system, this process
    and its children): on a loaded machine wall time waits for others."""
    import resource

    def cpu():
        a = resource.getrusage(resource.RUSAGE_SELF)
        b = resource.getrusage(resource.RUSAGE_CHILDREN)
        return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime

    times, cpus = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), cpu()
        fn()
        times.append(time.perf_counter() - t)
        cpus.append(cpu() - c)
    return statistics.median(times), statistics.median(cpus)


def mapnik_map(mapnik, db, box):
    m = mapnik.Map(SIZE, SIZE, GK_CM123)
    m.background = mapnik.Color("white")
    s = mapnik.Style()
    for value, colour in COLOURS:
        r = mapnik.Rule()
        r.filter = mapnik.Expression("[industry] = '%s'" % value)
        ps = mapnik.PolygonSymbolizer()
        ps.fill = mapnik.Color(colour)
        r.symbols.append(ps)
        s.rules.append(r)
    r = mapnik.Rule()  # the fallback colour, as the style's match has
    r.set_else(True)
    ps = mapnik.PolygonSymbolizer()
    ps.fill = mapnik.Color("#e5c494")
    r.symbols.append(ps)
    s.rules.append(r)
    m.append_style("fill", s)
    ls = mapnik.Style()
    r = mapnik.Rule()
    sym = mapnik.LineSymbolizer()
    sym.stroke = mapnik.Color("#444444")
    sym.stroke_width = LINE_PT * DPI / 72
    r.symbols.append(sym)
    ls.rules.append(r)
    m.append_style("outline", ls)
    ds = mapnik.SQLite(file=db, table="parks", geometry_field="geom", key_field="pk",
                       wkb_format="spatialite", use_spatial_index=False)
    layer = mapnik.Layer("parks", GK_CM123)
    layer.datasource = ds
    layer.styles.append("fill")
    layer.styles.append("outline")
    m.layers.append(layer)
    m.zoom_to_box(mapnik.Box2d(*box))
    return m


def extent(db):
    import sqlite3
    c = sqlite3.connect(db)
    row = c.execute('SELECT min(xmin), min(ymin), max(xmax), max(ymax) FROM "idx_parks_geom"').fetchone()
    c.close()
    x0, y0, x1, y1 = row
    pad = 0.04 * max(x1 - x0, y1 - y0)  # parkmap pads the fitted extent by 4 %
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parkmap")
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep")
    a = ap.parse_args()
    pm = find_parkmap(a.parkmap)
    work = a.keep or tempfile.mkdtemp(prefix="pm_render_bench_")
    os.makedirs(work, exist_ok=True)
    gj, db = os.path.join(work, "parcels.geojson"), os.path.join(work, "parcels.db")
    style = os.path.join(HERE, "render_bench_style.json")
    if not os.path.exists(db):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_parcels.py"), str(a.n), gj],
                       check=True)
        subprocess.run([pm, "import", gj, "--db", db, "--t-srs", "EPSG:4550", "--quiet"],
                       check=True, stdout=subprocess.DEVNULL)
    try:
        import mapnik
    except ImportError:
        mapnik = None
        print("render_bench: Mapnik not available (%s has no module mapnik; on Debian: "
              "apt-get install python3-mapnik and run with /usr/bin/python3): timing parkmap "
              "only" % sys.executable)

    def pm_render(ext):
        subprocess.run([pm, "render", "--db", db, "--style", style, "--overwrite",
                        "-o", os.path.join(work, "parkmap." + ext)],
                       check=True, stdout=subprocess.DEVNULL)

    res = {}
    for ext in ("png", "svg"):
        res[("parkmap", ext)] = median_time(lambda: pm_render(ext), a.runs)
        if mapnik:
            m = mapnik_map(mapnik, db, extent(db))
            out = os.path.join(work, "mapnik." + ext)
            res[("mapnik", ext)] = median_time(lambda: mapnik.render_to_file(m, out, ext),
                                               a.runs)
    print("render_bench: %d parcels, %dx%d px, fills + %.1f pt outlines, median of %d runs"
          % (a.n, SIZE, SIZE, LINE_PT, a.runs))
    print("  %-4s %-8s %10s %10s %14s" % ("fmt", "tool", "wall s", "cpu s", "bytes"))
    for ext in ("png", "svg"):
        for tool in ("parkmap", "mapnik"):
            if (tool, ext) in res:
                med, best = res[(tool, ext)]
                size = os.path.getsize(os.path.join(work, "%s.%s" % (tool, ext)))
                print("  %-4s %-8s %10.3f %10.3f %14d" % (ext, tool, med, best, size))
    if mapnik:
        for ext in ("png", "svg"):
            t = res[("parkmap", ext)][0] / res[("mapnik", ext)][0]
            tc = res[("parkmap", ext)][1] / res[("mapnik", ext)][1]
            sz = (os.path.getsize(os.path.join(work, "parkmap." + ext)) /
                  os.path.getsize(os.path.join(work, "mapnik." + ext)))
            print("  %s: time parkmap/mapnik = %.2f wall, %.2f cpu%s; size parkmap/mapnik = %.2f%s"
                  % (ext, t, tc, " (target <= 0.70)" if ext == "png" else "", sz,
                     " (target <= 0.33)" if ext == "svg" else ""))
        cmp = os.path.join(SRC, "build", "tests", "render_compare")
        for cand in (os.environ.get("PM_COMPARE"), cmp,
                     os.path.join(os.path.dirname(pm), "tests", "render_compare")):
            if cand and os.access(cand, os.X_OK):
                r = subprocess.run([cand, os.path.join(work, "mapnik.png"),
                                    os.path.join(work, "parkmap.png"), "64", "1"],
                                   capture_output=True, text=True)
                print("  same look (PNG vs Mapnik's, tolerance 64/255): " + r.stdout.strip())
                break
    print("  files in " + work)


main()
