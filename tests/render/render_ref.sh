#!/bin/bash
# Reference images: every shipped style drawn from the shipped Pudong data
# (with its district outline, so every derived layer exists) and from the
# overlap fixture (so qa_issues has a finding), compared with the PNGs in
# tests/render/ref/ by render_compare: a pixel mismatches when a channel
# differs by more than PM_REF_TOL (default 48/255); a render fails when
# more than PM_REF_BUDGET (default 0.015 = 1.5 %) of its pixels mismatch.
# Fonts and FreeType differ a little between machines; the tolerance and
# budget absorb anti-aliasing, not a moved layer or a lost label.
#
# Regenerate after an intended change in how maps look:
#     PM_UPDATE_REFERENCES=1 ctest --test-dir BUILD -R render_ref
# and look at the new tests/render/ref/*.png before committing them.
set -euo pipefail
: "${PM_BINARY:?}" "${PM_SOURCE_DIR:?}" "${PM_COMPARE:?}"
ref="$PM_SOURCE_DIR/tests/render/ref"
tmp=$(mktemp -d /tmp/pm_render_ref.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
tol=${PM_REF_TOL:-48}
budget=${PM_REF_BUDGET:-0.015}

"$PM_BINARY" build "$PM_SOURCE_DIR/geodata/pudong_parks.geojson" \
    --outline "$PM_SOURCE_DIR/geodata/pudong_outline.geojson" -o "$tmp/pd" --quiet >/dev/null
"$PM_BINARY" import "$PM_SOURCE_DIR/tests/fixtures/overlap.geojson" --db "$tmp/ov.db" \
    --quiet >/dev/null
# Exit 1: the check finds the overlap (and writes qa_issues); anything
# else is an error the images would only hide.
status=0
"$PM_BINARY" check --db "$tmp/ov.db" >/dev/null || status=$?
[ "$status" -eq 1 ] || { echo "render_ref: check on overlap.geojson: exit $status, expected 1" >&2; exit 1; }

# name db style size: small pages keep the test fast; print is A3 at 60 dpi
cases=(
    "default pd/parks.db default.json --width 800 --height 600"
    "qa pd/parks.db qa.json --width 800 --height 600"
    "qa_overlap ov.db qa.json --width 800 --height 600"
    "print pd/parks.db print.json --dpi 60"
)
mkdir -p "$ref"
fail=0
for c in "${cases[@]}"; do
    set -- $c
    name=$1 db=$2 style=$3
    shift 3
    PARKMAP_STYLE_DIR="$PM_SOURCE_DIR/styles" "$PM_BINARY" render --db "$tmp/$db" \
        --style "$PM_SOURCE_DIR/styles/$style" -o "$tmp/$name.png" "$@" 2>/dev/null >/dev/null
    if [ "${PM_UPDATE_REFERENCES:-0}" = 1 ]; then
        cp "$tmp/$name.png" "$ref/$name.png"
        echo "updated $ref/$name.png"
        continue
    fi
    if [ ! -f "$ref/$name.png" ]; then
        echo "missing reference $ref/$name.png (PM_UPDATE_REFERENCES=1 ctest -R render_ref)"
        fail=1
        continue
    fi
    if ! "$PM_COMPARE" "$ref/$name.png" "$tmp/$name.png" "$tol" "$budget" \
        "/tmp/pm_render_ref_$name.diff.png"; then
        echo "FAIL: $name differs from its reference (diff: /tmp/pm_render_ref_$name.diff.png)"
        cp "$tmp/$name.png" "/tmp/pm_render_ref_$name.png"
        fail=1
    fi
done
exit $fail
