#!/usr/bin/env bash
# `seerflow analyze` on lines around the size limits (parse.max_message = 65536): a syslog record
# whose message fits is decoded whole even though the line, with its header, is longer than the
# message limit; a record with a message far over the limit is rejected as oversized, never
# decoded truncated; the lines after them are not lost.
source "$(dirname "$0")/lib.sh"

header='<13>Mar  1 12:00:00 host app: '
python3 - "$WORK/long.log" "$header" <<'PY'
import sys
path, header = sys.argv[1], sys.argv[2]
lines = [
    header + "first",
    header + "x" * 65520 + " END_FITS",  # message 65529 bytes: fits, line 65559 bytes
    header + "y" * 200000 + " END_HUGE",  # message far over the limit
    header + "z" * 65537,                 # message one byte over the limit
    header + "last",
]
open(path, "w").write("\n".join(lines) + "\n")
PY

"$SEERFLOW" analyze "$WORK/long.log" --no-summary --year 2025 > "$WORK/out.ndjson" \
  2> "$WORK/stderr.log" || fail "analyze exited with $?"

python3 - "$WORK/out.ndjson" <<'PY' || fail "unexpected analyze output"
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
events = [o for o in out if o["kind"] == "event"]
rejected = [o for o in out if o["kind"] == "rejected"]
def check(cond, what):
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        print([(o["kind"], o.get("seq"), o.get("reason"), len(o.get("message", ""))) for o in out],
              file=sys.stderr)
        sys.exit(1)
check([e["seq"] for e in events] == [1, 2, 3], "three events numbered 1..3")
check(events[0]["message"] == "first", "first line")
check(events[1]["message"] == "x" * 65520 + " END_FITS", "the fitting record is whole")
check(events[2]["message"] == "last", "last line")
check([(r["reason"], r["after_seq"]) for r in rejected] == [("oversized", 2), ("oversized", 2)],
      "both long records rejected as oversized, in place")
check(all("y" * 10 in r["data"] or "z" * 10 in r["data"] for r in rejected), "rejected data kept")
PY
echo "PASS: long lines decoded whole or rejected as oversized"
