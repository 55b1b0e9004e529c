#!/usr/bin/env bash
# Hand-made fixtures (tests/fixtures, values in expected.json computed with
# GeographicLib-equivalent code and cross-checked with Planimeter/GeodSolve).
. "$(dirname "$0")/lib.sh"
F="$SRC/tests/fixtures"

# Two overlapping parks: check exits 1 and names the pair; the union counts
# the overlap once.
run import "$F/overlap.geojson" --db "$TMP/o.db"
expect_status 0 "import overlap fixture"
run check --db "$TMP/o.db" --target-km2 1.839898
expect_status 1 "overlap makes check fail even when the total is right"
expect_out "Park A and Park B overlap" "overlap pair named"
run check --db "$TMP/o.db" --target-km2 1.839898 --json
py_json "
e = json.load(open('$F/expected.json'))['overlap']
kinds = [p['kind'] for p in d['problems']]
assert 'overlap' in kinds and 'double_counting' in kinds and 'total_mismatch' not in kinds, kinds
ov = [p for p in d['problems'] if p['kind'] == 'overlap'][0]
assert sorted(ov['parks']) == sorted(e['pair']), ov
# union and sum on the ellipsoid: exact algorithms, fixture coordinates
# rounded to 1e-7 deg (~1 cm): 1e-6 relative.
assert abs(d['area_km2']['union'] - e['union_km2']) / e['union_km2'] < 1e-5
assert abs(d['area_km2']['ellipsoidal'] - e['sum_km2']) / e['sum_km2'] < 1e-5
adj = d['adjacency']['pairs']
assert len(adj) == 1 and adj[0]['relation'] == 'overlaps'
assert abs(adj[0]['overlap_m2'] - e['area_m2']) < 1.0, adj
" "overlap figures"

run check --db "$TMP/o.db" --target-km2 1.839898 --csv
expect_status 1 "check --csv"
expect_out "kind,parks,measure,unit,detail" "csv header"
python3 -c "
import csv
rows = list(csv.DictReader(open('$out')))
ov = [r for r in rows if r['kind'] == 'overlap'][0]
assert ov['unit'] == 'm2' and abs(float(ov['measure']) - 59995.196) < 1.0, ov
" || fail "check csv carries the overlap's measure"

# A total far from the target fails.
run import "$F/miss_target.geojson" --db "$TMP/m.db"
run check --db "$TMP/m.db"
expect_status 1 "10 km2 against 43 km2 fails"
expect_out "total_mismatch" "total mismatch named"
run check --db "$TMP/m.db" --target-km2 10 --json
expect_status 0 "the same data passes its own 10 km2 target"
py_json "assert abs(d['area_km2']['union'] - 9.99996) < 1e-5 and d['pass']" "miss_target total"

# Adjacency: exactly the expected pairs and lengths; a corner is not adjacency.
run import "$F/adjacency.geojson" --db "$TMP/a.db"
run adjacency --db "$TMP/a.db" --json
expect_status 0 "adjacency"
py_json "
e = json.load(open('$F/expected.json'))['adjacency']
got = {tuple(p['parks']): p for p in d['pairs']}
want = {(x['a'], x['b']): x['length_m'] for x in e['pairs']}
assert set(got) == set(want), (set(got), set(want))
for k, length in want.items():
    assert got[k]['relation'] == 'shares_edge', got[k]
    # ground metres on the ellipsoid; expected values are printed to 1 mm
    assert abs(got[k]['shared_m'] - length) < 0.01, (k, got[k]['shared_m'], length)
assert [tuple(p['parks']) for p in d['corner_only']] == [tuple(e['corner_only'])], d['corner_only']
assert all(e['isolated'] not in p['parks'] for p in d['pairs'] + d['corner_only'])
" "adjacency pairs and lengths"

run adjacency --db "$TMP/a.db" --csv
expect_status 0 "adjacency --csv"
expect_out "a_fid,a_name,b_fid,b_name,relation,shared_m,overlap_m2,distance_m" "csv header"
expect_out "corner_only" "csv lists the corner contact"

# A generous tolerance makes the isolated park's neighbours "within tolerance".
run adjacency --db "$TMP/a.db" --tolerance-m 700 --json
py_json "assert any(p['relation'] == 'within_tolerance' and 'P5' in p['parks'] for p in d['pairs'])" \
  "tolerance finds near pairs"

finish
