#!/usr/bin/env bash
# Golden test: `seerflow analyze INPUT ARGS...` must print exactly EXPECTED.
# SEERFLOW_UPDATE_GOLDEN=1 rewrites EXPECTED instead (review the diff before committing it).
set -euo pipefail
input=$1 expected=$2; shift 2
SEERFLOW=${SEERFLOW:?path to the seerflow binary}
if [[ ! -f "$input" ]]; then
  echo "input $input not found: skipping" >&2
  exit 77
fi
actual=$(mktemp); trap 'rm -f "$actual"' EXIT
"$SEERFLOW" analyze "$input" --no-summary "$@" > "$actual"
if [[ "${SEERFLOW_UPDATE_GOLDEN:-0}" == 1 ]]; then
  cat "$actual" > "$expected"
  echo "updated $expected ($(wc -l < "$expected") lines)"
  exit 0
fi
if ! diff -u "$expected" "$actual" > "$actual.diff"; then
  echo "golden mismatch for $input (first 60 lines of the diff):" >&2
  head -n 60 "$actual.diff" >&2
  rm -f "$actual.diff"
  exit 1
fi
rm -f "$actual.diff"
echo "PASS: $(wc -l < "$actual") lines identical"
