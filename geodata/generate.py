#!/usr/bin/env python3
"""Generate parkmap's shipped data from geodata/parks_table.csv.

Writes, next to this script (or into --out DIR):
  pudong_parks.geojson    15 schematic park boundaries (MultiPolygon each)
  pudong_outline.geojson  Pudong New Area: Tianditu's boundary clipped to land,
                          read from sources/pudong_outline_land.geojson

Builds everything in memory (shapes.py), runs every check on it
(checks.py), prints a report, and only when all checks passed writes the
files: each to a temporary file beside its target, renamed over the target
once both are written. When any check fails it writes nothing and exits 1.
Deterministic: the same input gives the same output bytes.

Needs Python >= 3.8 and GeographicLib (geodesy.py; Debian/Ubuntu:
apt-get install python3-geographiclib). Importable: the modules sit next to
this file, and tests/fixtures/make_fixtures.py uses them.
"""

import argparse
import csv
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # keep geodata/ free of __pycache__
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

try:
    import checks  # noqa: E402
    import shapes  # noqa: E402
    from geodesy import distance  # noqa: E402
except ModuleNotFoundError as e:
    if e.name and e.name.startswith("geographiclib"):
        sys.exit("generate.py: GeographicLib for Python is missing "
                 "(apt-get install python3-geographiclib, or pip install geographiclib)")
    raise

OUTPUTS = ("pudong_parks.geojson", "pudong_outline.geojson")


def read_table(path):
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            rows.append({
                "id": int(rec["id"]),
                "name": rec["name"],
                "name_zh": rec["name_zh"],
                "industry": rec["industry"],
                "planned_area_km2": float(rec["planned_area_km2"]),
                "planned_area_text": rec["planned_area_km2"],
                "area_source": rec["area_source"],
                "status": rec["status"],
                "enterprises": int(rec["enterprises"]) if rec["enterprises"].strip() else None,
                "centre_lon": float(rec["centre_lon"]),
                "centre_lat": float(rec["centre_lat"]),
                "blocks": int(rec["blocks"]),
                "shape_notes": rec["shape_notes"],
            })
    return rows



# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

def _coords_json(polys):
    return json.dumps(
        [[[[shapes.q7(x), shapes.q7(y)] for x, y in ring] for ring in poly] for poly in polys],
        separators=(",", ":"))


def feature_json(fid, props, polys):
    return ('{"type":"Feature","id":%d,"properties":%s,'
            '"geometry":{"type":"MultiPolygon","coordinates":%s}}'
            % (fid, json.dumps(props, ensure_ascii=False, separators=(",", ":")),
               _coords_json(polys)))


def collection_text(features):
    return ('{"type":"FeatureCollection","features":[\n'
            + ",\n".join(features) + "\n]}\n")


def write_collection(path, features):
    Path(path).write_text(collection_text(features), encoding="utf-8", newline="\n")


def park_properties(r):
    return {
        "name": r["name"],
        "name_zh": r["name_zh"],
        "industry": r["industry"],
        "planned_area_km2": r["planned_area_km2"],
        "area_source": r["area_source"],
        "status": r["status"],
        "enterprises": r["enterprises"],
        "boundary": "schematic",
    }



def outline_properties(src):
    return {
        "name": "Pudong New Area",
        "name_zh": "浦东新区",
        "adcode": src["adcode"],
        "boundary": "Tianditu, clipped to OpenStreetMap land",
        "source": src["source"],
        "clipped_to": src["clipped_to"],
        "licence": "boundary: Tianditu's terms; land clip: (c) OpenStreetMap contributors, ODbL 1.0",
        "accuracy": "tens of metres (coarse 90-vertex boundary); not for measurement",
    }


def write_all(out_dir, texts):
    """Write {name: text} into out_dir: each to a temporary file beside its
    target first, then rename them all. On an error before the renames,
    remove the temporary files and leave the targets as they were."""
    umask = os.umask(0)
    os.umask(umask)
    temps = []
    try:
        for name, text in texts.items():
            fd, tmp = tempfile.mkstemp(prefix="." + name + ".", suffix=".tmp", dir=out_dir)
            temps.append((tmp, out_dir / name))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~umask)
    except BaseException:
        for tmp, _ in temps:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise
    for tmp, target in temps:
        os.replace(tmp, target)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def report(parks, planned_total, outline, outline_km2, results, shared, nearest):
    print("%-3s %-52s %8s %12s %9s %7s %8s" % ("id", "name", "planned", "geodesic",
                                                "diff", "moved", "nearest"))
    total = 0.0
    for pk in parks:
        r = pk["row"]
        a = results[r["id"]]["area_m2"]
        total += a
        c = shapes.park_centroid(pk["polys"])
        moved = distance(c, (r["centre_lon"], r["centre_lat"]))
        near = nearest.get(r["id"])
        print("%-3d %-52s %8.2f %12.6f %+8.5f%% %6.0fm %8s" % (
            r["id"], r["name"], r["planned_area_km2"], a / 1e6,
            100 * (a / (r["planned_area_km2"] * 1e6) - 1), moved,
            "%d@%.0fm" % near if near else "-"))
    print("total planned %.2f km², total geodesic %.6f km² (%+.5f %%)"
          % (planned_total, total / 1e6, 100 * (total / (planned_total * 1e6) - 1)))
    for ia, ib, length in shared:
        print("shared edge: parks %d and %d, %.3f m" % (ia, ib, length))
    print("outline: %d part(s), %d vertices, geodesic area %.3f km² (published land area %.0f km²)"
          % (len(outline), sum(len(p[0]) - 1 for p in outline), outline_km2,
             checks.OUTLINE_NOMINAL_KM2))
    print("smallest park-to-outline distance: %.0f m"
          % min(v["to_outline_m"] for v in results.values()))


def _perturbation(text):
    try:
        pid, km2 = text.split("=")
        return int(pid), float(km2)
    except ValueError:
        raise argparse.ArgumentTypeError("expected ID=KM2, got %r" % text)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="generate.py",
        description="Build pudong_parks.geojson and pudong_outline.geojson from "
                    "parks_table.csv, check them, and write them only if every check passed.")
    ap.add_argument("--out", metavar="DIR", type=Path, default=HERE,
                    help="directory to write the two GeoJSON files to (default: %(default)s)")
    ap.add_argument("--test-perturb-area", metavar="ID=KM2", type=_perturbation,
                    help="for tests: after the shapes are built, pretend park ID's planned "
                         "area is KM2, so that the area checks fail and nothing is written")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not args.out.is_dir():
        print("generate.py: --out %s: not a directory" % args.out, file=sys.stderr)
        return 2
    chk = checks.Checker()
    rows = read_table(HERE / "parks_table.csv")
    parks = shapes.build_parks(rows)
    outline, outline_src = shapes.read_outline()
    if args.test_perturb_area:
        pid, km2 = args.test_perturb_area
        for r in rows:
            if r["id"] == pid:
                r["planned_area_km2"] = km2

    planned_total, outline_km2, results, shared, nearest = \
        checks.run_all(rows, parks, outline, chk)
    report(parks, planned_total, outline, outline_km2, results, shared, nearest)
    if chk.failures:
        print("%d check(s) failed; nothing written" % len(chk.failures), file=sys.stderr)
        return 1

    write_all(args.out, {
        OUTPUTS[0]: collection_text(
            [feature_json(pk["row"]["id"], park_properties(pk["row"]), pk["polys"])
             for pk in parks]),
        OUTPUTS[1]: collection_text(
            [feature_json(1, outline_properties(outline_src), outline)]),
    })
    print("all checks passed; wrote %s" % ", ".join(str(args.out / n) for n in OUTPUTS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
