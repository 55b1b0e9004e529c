#!/usr/bin/env python3
"""The parity suite's layer with known findings (tests/pg/parity.sh).

    python3 tests/pg/parity_data.py SRC_DIR OUT.geojson

One layer holding every kind of topology the analysis must agree on across
the two backends:
  - the shipped parks as tests/browser/make_findings.py edits them: an
    overlap (AI Island into the Innovative Drug base, ~2,700 m2) and a
    sliver gap (a 3 m notch in Zhangjiang Online's shared edge);
  - tests/fixtures/make_topology.py's T-junction (Big against Small1 and
    Small2, no vertex at their junction) and near miss (30 cm along
    100 m), moved 0.12 deg east and 0.05 deg south so they touch nothing
    of the parks (the move adds one constant to every copy of a vertex, so
    shared vertices stay bit-identical and the near miss stays 30 cm).
Standard library only; the same inputs give the same bytes.
"""
import json
import os
import subprocess
import sys
import tempfile

SHIFT = (0.12, -0.05)


def shifted(coords):
    if isinstance(coords[0], (int, float)):
        return [coords[0] + SHIFT[0], coords[1] + SHIFT[1]]
    return [shifted(c) for c in coords]


def main():
    src, out = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        parks = os.path.join(tmp, "findings.geojson")
        subprocess.run([sys.executable, os.path.join(src, "tests/browser/make_findings.py"),
                        os.path.join(src, "geodata/pudong_parks.geojson"), parks],
                       check=True, stdout=subprocess.DEVNULL)
        topo = os.path.join(tmp, "topo")
        subprocess.run([sys.executable, os.path.join(src, "tests/fixtures/make_topology.py"), topo],
                       check=True, stdout=subprocess.DEVNULL)
        with open(parks, encoding="utf-8") as f:
            d = json.load(f)
        for case in ("tjunction.geojson", "near_miss.geojson"):
            with open(os.path.join(topo, case), encoding="utf-8") as f:
                t = json.load(f)
            for feat in t["features"]:
                feat["geometry"]["coordinates"] = shifted(feat["geometry"]["coordinates"])
                d["features"].append(feat)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(d, f, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
