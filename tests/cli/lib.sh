# Shared helpers for CLI end-to-end tests: run the real binary, check exit
# status, stdout and stderr. Numbers are compared with tolerances in python3.
set -u
PM=${PM_BINARY:?PM_BINARY must point at the parkmap binary}
SRC=${PM_SOURCE_DIR:?PM_SOURCE_DIR must point at the source tree}
TMP=$(mktemp -d /tmp/pm_cli_XXXXXX)
trap 'rm -rf "$TMP"' EXIT
FAILS=0
export PARKMAP_STYLE_DIR="$SRC/styles"

# run ARGS...: runs parkmap; sets $status, $out (stdout file), $err (stderr file)
run() {
  out="$TMP/stdout" err="$TMP/stderr"
  "$PM" "$@" >"$out" 2>"$err"
  status=$?
}

fail() {
  echo "FAIL: $*" >&2
  echo "--- stdout:" >&2; head -c 3000 "$out" >&2 2>/dev/null
  echo "--- stderr:" >&2; head -c 3000 "$err" >&2 2>/dev/null
  FAILS=$((FAILS + 1))
}

expect_status() { [ "$status" -eq "$1" ] || fail "$2: exit status $status, expected $1"; }
expect_out() { grep -qF -- "$1" "$out" || fail "$2: stdout lacks '$1'"; }
expect_err() { grep -qF -- "$1" "$err" || fail "$2: stderr lacks '$1'"; }
expect_one_line_err() {
  [ "$(wc -l <"$err")" -eq 1 ] || fail "$1: stderr is not exactly one line"
  grep -q '^parkmap: ' "$err" || fail "$1: stderr does not start with 'parkmap: '"
}

# py EXPR-SCRIPT: run python3 with the JSON on stdout loaded as `d`;
# the script must exit non-zero (assert) on failure.
py_json() {
  python3 -c "import json,sys,math; d=json.load(open('$out')); $1" 2>"$TMP/py.err" ||
    fail "$2: $(tail -1 "$TMP/py.err")"
}

finish() {
  if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS check(s) failed" >&2
    exit 1
  fi
  echo "all checks passed"
}
