#!/usr/bin/env python3
"""The shipped parks with known findings, for the report's browser test.

    python3 make_findings.py geodata/pudong_parks.geojson OUT.geojson

The shipped boundaries are clean (check finds nothing), so the findings
table would be empty. Two edits, each between a pair that shares an edge:
  - Zhangjiang AI Island's north-west corner moves 0.00015 deg (about 17 m)
    north, into Zhangjiang Innovative Drug Industry Base: an overlap of
    about 2,700 m2 (and their shared edge is gone);
  - Zhangjiang Online's east edge, shared with Zhangjiang Data Chain, gets a
    notch 3 m deep and 290 m long: a sliver gap narrower than check's 5 m,
    while the rest of the edge (about 510 m) stays shared, so the report
    still has a shared boundary to draw.
Prints, as JSON, where each edit lies ({kind, parks, lon, lat}).
"""
import json
import sys

OVERLAP = ("Zhangjiang AI Island", [121.6068522, 31.2022548], [121.6068522, 31.2024048],
           "Zhangjiang Innovative Drug Industry Base")
# Online's ring runs (121.6120985, 31.1941374) -> (121.6120985, 31.2013529)
# along the shared edge; the notch goes in between.
NOTCH = ("Zhangjiang Online", [121.6120985, 31.1941374], [121.6120985, 31.2013529],
         [[121.6120985, 31.1977], [121.6120685, 31.1990], [121.6120985, 31.2003]],
         "Zhangjiang Data Chain")


def ring_of(d, park):
    feats = [f for f in d["features"] if f["properties"].get("name") == park]
    assert len(feats) == 1, park
    return feats[0]["geometry"]["coordinates"][0][0]


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        d = json.load(f)
    park, old, new, other = OVERLAP
    ring = ring_of(d, park)
    hits = [i for i, p in enumerate(ring) if p == old]
    assert hits, "%s has no vertex %s" % (park, old)
    for i in hits:
        ring[i] = list(new)
    where = [{"kind": "overlap", "parks": sorted([park, other]),
              "lon": old[0] + 0.0011, "lat": (old[1] + new[1]) / 2}]
    park, a, b, notch, other = NOTCH
    ring = ring_of(d, park)
    i = ring.index(a)
    assert ring[i + 1] == b, "%s: no edge %s-%s" % (park, a, b)
    ring[i + 1:i + 1] = notch
    where.append({"kind": "gap", "parks": sorted([park, other]),
                  "lon": notch[1][0], "lat": notch[1][1]})
    with open(out, "w", encoding="utf-8") as f:
        json.dump(d, f, ensure_ascii=False)
    print(json.dumps(where))


if __name__ == "__main__":
    main()
