#!/usr/bin/env bash
# parkmap report: one self-contained HTML file. Checked here without a
# browser (the headless-Chromium tests of the page's behaviour are apart):
# what the file holds, that it references nothing outside itself, that
# data cannot break out of the data block, and that a failure leaves an
# existing report as it was.
. "$(dirname "$0")/lib.sh"

run build "$SRC/geodata/pudong_parks.geojson" --outline "$SRC/geodata/pudong_outline.geojson" \
  -o "$TMP/out" --quiet
expect_status 0 "build the shipped data"
DB="$TMP/out/parks.db"
mkdir "$TMP/rep"
run report --db "$DB" -o "$TMP/rep/report.html" -q
expect_status 0 "report on the shipped data"
[ "$(ls "$TMP/rep")" = "report.html" ] || fail "report: one file and no temporary left: $(ls "$TMP/rep")"
run info --db "$DB" --json
cp "$out" "$TMP/info.json"

# The page's checks, in python: the data block is JSON; every park of the
# source is in it by name and name_zh (and the Chinese names literally in
# the file); the verdict; the source's SHA-256 as info reports it.
#
# No URL: the file is cut into the vendored Leaflet (leaflet.js and
# leaflet.css, which must be byte-for-byte the files in third_party/), the
# licence section, and the rest. The rest must hold no "http://" or
# "https://" at all, no src= or href= attribute, no url( and no @import.
# Leaflet's own bytes hold URLs only in comments, in the attribution text
# the page turns off, and the SVG namespace name (an identifier, never
# fetched); its url(images/...) rules match no element the page makes.
python3 - "$TMP/rep/report.html" "$SRC" "$TMP/info.json" <<'PY' || fail "report contents"
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
src = sys.argv[2]
info = json.load(open(sys.argv[3]))
rest = page
for f in ("leaflet.js", "leaflet.css"):
    vend = open(f"{src}/third_party/leaflet-1.9.4/{f}", encoding="utf-8").read()
    assert rest.count(vend) == 1, f"{f} not embedded verbatim once"
    rest = rest.replace(vend, "")
lic = re.search(r'<section id="licences".*?</section>', rest, re.S)
assert lic and "Redistribution and use in source and binary forms" in lic.group(0), "licence text"
assert "Leaflet 1.9.4" in lic.group(0)
rest = rest.replace(lic.group(0), "")
for bad in ("http://", "https://", "url(", "@import"):
    assert bad not in rest.lower(), f"{bad} outside the vendored Leaflet and the licence"
assert not re.search(r'\s(src|href)\s*=', rest, re.I), "src= or href= attribute"
assert len(re.findall(r"<script", page)) == 3, "three script elements"
m = re.search(r'<script type="application/json" id="parkmap-data">(.*?)</script>', page, re.S)
d = json.loads(m.group(1))
assert "<" not in m.group(1), "a '<' left unescaped in the data block"
gj = json.load(open(f"{src}/geodata/pudong_parks.geojson", encoding="utf-8"))
cols = d["parks"]["cols"]
got = {(r[cols.index("name")], r[cols.index("name_zh")]) for r in d["parks"]["rows"]}
for f in gj["features"]:
    p = f["properties"]
    assert (p["name"], p["name_zh"]) in got, p["name"]
    assert p["name_zh"] in page, p["name_zh"]
    assert len([g for g in d["geom_parks"] if g]) == len(gj["features"]), "a geometry per park"
v = d["verdict"]
assert v["pass"] is True and abs(v["measured_km2"] - 43) < 0.01 and v["target_km2"] == 43, v
assert abs(v["diff_km2"] - (v["measured_km2"] - 43)) < 1e-7, v  # 10 digits each
parks = [l for l in info["layers"] if l["name"] == "parks"][0]
assert parks["source_sha256"] in page and d["provenance"]["source_sha256"] == parks["source_sha256"]
assert d["provenance"]["storage_crs"] == "EPSG:4550"
names = [x[0] for x in d["provenance"]["versions"]]
for n in ("parkmap", "GDAL", "PROJ", "SQLite", "SpatiaLite", "GEOS", "cairo", "pango", "json-c", "Leaflet"):
    assert n in names, n
for s in ('id="map"', 'id="verdict"', 'id="provenance"', 'id="comparison"'):
    assert s in page, s
for t in ("parks", "findings", "adjacency", "clusters", "indicators"):
    assert f'<table id="{t}">' in page, t
for l in ("parks", "outline", "findings", "shared", "clusters"):
    assert f'data-layer="{l}"' in page, l
assert d["geom_outline"] and d["geom_shared"] and d["geom_clusters"], "map layers from the tables"
PY

# The same database, the same date: the same bytes.
SOURCE_DATE_EPOCH=1700000000 "$PM" report --db "$DB" -o "$TMP/a.html" -q >/dev/null &&
  SOURCE_DATE_EPOCH=1700000000 "$PM" report --db "$DB" -o "$TMP/b.html" -q >/dev/null &&
  cmp -s "$TMP/a.html" "$TMP/b.html" || fail "two reports of one database differ"
grep -q '"generated_at":"2023-11-14"' "$TMP/a.html" || fail "SOURCE_DATE_EPOCH gives the date"

# A name that tries to end the data block and open markup stays data.
python3 - "$SRC/geodata/pudong_parks.geojson" "$TMP/evil.geojson" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
d["features"][0]["properties"]["name"] = "Evil </script><b>bold</b> & <!-- park"
d["features"][1]["properties"]["name_zh"] = "园区</SCRIPT><img src=x onerror=alert(1)>"
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
run import "$TMP/evil.geojson" --db "$TMP/evil.db" --quiet
expect_status 0 "import the hostile names"
run report --db "$TMP/evil.db" -o "$TMP/evil.html" --title 'Title <i>&</i>' -q
expect_status 0 "report with hostile names"
python3 - "$TMP/evil.html" <<'PY' || fail "hostile names escaped"
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
assert "<b>bold" not in page and "<img src=x" not in page.lower() and "<!-- park" not in page
assert page.lower().count("</script") == 3, "only the page's own scripts end"
assert "<title>Title &lt;i&gt;&amp;&lt;/i&gt;</title>" in page, "title escaped"
m = re.search(r'<script type="application/json" id="parkmap-data">(.*?)</script>', page, re.S)
d = json.loads(m.group(1))
cols = d["parks"]["cols"]
names = [r[cols.index("name")] for r in d["parks"]["rows"]]
zh = [r[cols.index("name_zh")] for r in d["parks"]["rows"]]
assert "Evil </script><b>bold</b> & <!-- park" in names, names[:2]
assert "园区</SCRIPT><img src=x onerror=alert(1)>" in zh
PY

# Failures leave an existing report as it was, and no temporary file.
mkdir "$TMP/keep" && printf 'OLD REPORT\n' >"$TMP/keep/r.html"
run report --db "$DB" -o "$TMP/keep/r.html" --layer nosuch --overwrite -q
[ "$status" -ne 0 ] || fail "a missing layer fails"
expect_one_line_err "missing layer"
run report --db "$DB" -o "$TMP/keep/r.html" -q
expect_status 2 "an existing report without --overwrite"
expect_err "use --overwrite"
run report --db "$DB" -o "$TMP/keep/r.html" --paper A5 -q
expect_status 2 "an unknown paper size"
[ "$(cat "$TMP/keep/r.html")" = "OLD REPORT" ] || fail "the existing report was changed"
[ "$(ls "$TMP/keep")" = "r.html" ] || fail "temporary files left: $(ls "$TMP/keep")"
run report --db "$DB" -o "$TMP/keep/r.html" --overwrite --paper A3 -q
expect_status 0 "--overwrite replaces it"
grep -q "size: A3" "$TMP/keep/r.html" || fail "--paper A3 in the print stylesheet"

# A comparison report (--against): the shipped parks (before) against a
# layout with one park removed, one moved 30 m south along one edge and one
# added (GeoJSON id 16), as compare finds them; the page's changes layer
# holds the added and removed parks, the changed one's new and old
# boundaries. The areas are compare's own (test_compare.sh checks them
# against hand computations); here they must be the page's.
mkdir -p "$TMP/cmp"
/usr/bin/python3 - "$SRC/geodata/pudong_parks.geojson" "$TMP/cmp/b.geojson" <<'PY'
import copy, json, sys
from geographiclib.geodesic import Geodesic
d = json.load(open(sys.argv[1]))
fs = [f for f in d["features"] if "Bio-Bay" not in f["properties"]["name"]]
for f in fs:
    if "Big Aircraft" in f["properties"]["name"]:
        r = f["geometry"]["coordinates"][0][0]
        for p in r[:2]:  # the first edge, 30 m due south
            g = Geodesic.WGS84.Direct(p[1], p[0], 180.0, 30.0)
            p[0], p[1] = g["lon2"], g["lat2"]
        r[-1] = list(r[0])
new = copy.deepcopy([f for f in fs if "park 14" in f["properties"]["name"]][0])
new["id"] = 16
new["properties"].update(name="New Test Park", name_zh="新测试园")
new["geometry"]["coordinates"][0][0] = [[x, y + 0.03] for x, y in new["geometry"]["coordinates"][0][0]]
d["features"] = fs + [new]
json.dump(d, open(sys.argv[2], "w"))
PY
run import "$TMP/cmp/b.geojson" --db "$TMP/cmp/b.db" --quiet
expect_status 0 "import the proposal"
run compare --db "$DB" --against "$TMP/cmp/b.db" --json --no-tables
expect_status 0 "compare"
cp "$out" "$TMP/cmp/compare.json"
run report --db "$DB" --against "$TMP/cmp/b.db" -o "$TMP/cmp/r.html" -q
expect_status 0 "report --against"
python3 - "$TMP/cmp/r.html" "$TMP/cmp/compare.json" <<'PY' || fail "the comparison in the page"
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
d = json.loads(re.search(r'id="parkmap-data">(.*?)</script>', page, re.S).group(1))
c, want = d["compare"], json.load(open(sys.argv[2]))
assert c["key"] == "id", c["key"]
assert c["counts"] == {"added": 1, "removed": 1, "changed": 1, "unchanged": 13}, c["counts"]
by = {p[1]: p for p in c["parks"]}
assert by["New Test Park"][2] == "added" and by["Lingang Bio-Bay"][2] == "removed"
big = by["Big Aircraft Park"]
assert big[2] == "changed" and "boundary" in big[3], big
# the page's figures are compare's (same analysis, same database)
w = {p["name"]: p for p in want["parks"]}["Big Aircraft Park"]
assert abs(big[8] - w["hausdorff_m"]) < 1e-6 and abs(big[6] - w["change_km2"]) < 1e-9, (big, w)
assert 29.9 < big[8] < 30.1, big  # the edge moved 30 m: so did the boundary
assert c["before"]["pass"] is True and c["after"]["pass"] is False
kinds = sorted(g[0] for g in c["geom"])
assert kinds == ["added", "before", "changed", "removed"], kinds
assert all(g[2] for g in c["geom"]), "a changed park without geometry"
PY
run report --db "$DB" -o "$TMP/cmp/r2.html" --key name -q
expect_status 2 "--key without --against"
run report --db "$DB" --against "$TMP/cmp/none.db" -o "$TMP/cmp/r3.html" -q
expect_status 4 "--against a missing database"
[ ! -e "$TMP/cmp/r3.html" ] || fail "a report written against a missing database"

# 100,000 parcels: the file stays under 20 MB, with every parcel's name.
python3 "$SRC/tests/bench/gen_parcels.py" 100000 "$TMP/p.geojson" >/dev/null
run import "$TMP/p.geojson" --db "$TMP/p.db" --quiet
expect_status 0 "import 100,000 parcels"
run report --db "$TMP/p.db" -o "$TMP/p.html" -q
expect_status 0 "report on 100,000 parcels"
size=$(stat -c %s "$TMP/p.html")
[ "$size" -lt 20000000 ] || fail "100,000 parcels: $size bytes, over 20 MB"
python3 - "$TMP/p.html" <<'PY' || fail "100,000 parcels in the page"
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
d = json.loads(re.search(r'id="parkmap-data">(.*?)</script>', page, re.S).group(1))
assert d["large"] is True and len(d["parks"]["rows"]) == 100000
assert len(d["geom_parks"]) == 100000
PY
finish
