#!/usr/bin/env bash
# Store maintenance against the real binary: retention by age deletes old events in the
# background (searches no longer find them; counted in the session summary and logged), the
# rule state of a firing Sigma rule is listed by `seerflow query rules`, `seerflow templates
# prune` removes templates unseen since a cutoff (dry run first), and a database from a newer
# seerflow is refused with a clear message.
source "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/rules"
cat > "$WORK/rules/canary.yml" <<YAML
title: Canary retention
id: 33333333-3333-4333-8333-333333333333
author: test
level: high
tags: [attack.execution, attack.t1059]
logsource: {product: linux}
detection:
  sel: {message|contains: 'canary-ret'}
  condition: sel
YAML
write_config "$WORK/seerflow.yaml" "  retention: {max_age: 30d}" "sigma:" "  rule_dirs: [$WORK/rules]"
start_seerflow "$WORK/seerflow.yaml"
TCP=$(endpoint_port syslog/tcp)

NOW_EPOCH=$(date -u +%s)
NOW=$(date -u -d "@$NOW_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
python3 - "$TCP" "$NOW" <<'PY' || fail "sender failed"
import socket, sys
port, now = int(sys.argv[1]), sys.argv[2].encode()
old = b"".join(b"<38>1 2020-01-02T03:04:%02dZ old-host sshd 1 - - archaic entry %d from 192.0.2.%d\n"
               % (i % 60, i, i % 200 + 1) for i in range(300))
new = b"".join(b"<38>1 %s new-host sshd 1 - - current entry %d from 203.0.113.%d\n"
               % (now, i, i % 200 + 1) for i in range(200))
s = socket.create_connection(("127.0.0.1", port))
s.sendall(old + new)
s.close()
PY
logger --rfc3164 -n 127.0.0.1 -P "$TCP" -T -t app -p user.info "hello canary-ret one"
logger --rfc3164 -n 127.0.0.1 -P "$TCP" -T -t app -p user.info "hello canary-ret two"
wait_rows "select count(*) from events where message like 'current entry%'" 200
wait_rows "select count(*) from events where message like 'archaic entry%'" 0
wait_rows "select coalesce((select match_count from rule_state), 0)" 2

Q() { "$SEERFLOW" query "$@" --db "$WORK/data/seerflow.db"; }
expect_eq "search for deleted events" "$(Q events --search archaic --json | wc -l)" 0
expect_eq "search for kept events" "$(Q events --search current --limit 0 --json | wc -l)" 200
rules=$(Q rules --json)
expect_eq "query rules" \
  "$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["rule"], r["kind"], r["matches"], r["enabled"], r["title"])' "$rules")" \
  "33333333-3333-4333-8333-333333333333 sigma 2 True Canary retention"
Q rules | grep -q 'Canary retention' || fail "query rules table"

wait_text_index
stop_seerflow
summary=$(sed -n 's/^summary-json: //p' "$WORK/stderr.log")
expect_eq "summary: deleted by retention" \
  "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print([x for x in d["retention_deleted"] if x.startswith("events ")])' "$summary")" \
  "['events 300']"
grep -q 'deleted by retention: .*events 300' "$WORK/stderr.log" || fail "summary text"
# Logged at most once a minute and at shutdown: the lines add up to what was deleted.
expect_eq "retention log lines" \
  "$(sed -n 's/.*\[store\] retention deleted \([0-9]*\) events.*/\1/p' "$WORK/stderr.log" | awk '{s += $1} END {print s + 0}')" 300
check_text_index

# --- templates prune ---------------------------------------------------------------------------
P() { "$SEERFLOW" templates prune "$@" --db "$WORK/data/seerflow.db"; }
templates=$(db "select count(*) from templates")
old_tpl=$(db "select count(*) from templates where last_seen_ns < (strftime('%s','now') - 30*86400) * 1000000000")
expect_eq "one old template" "$old_tpl" 1
out=$(P --older-than 30d --dry-run 2> "$WORK/prune.err")
grep -q '^would remove .*archaic entry' <<< "$out" || fail "dry run output: $out"
grep -q 'would remove 1 templates' "$WORK/prune.err" || fail "dry run summary: $(cat "$WORK/prune.err")"
expect_eq "dry run changes nothing" "$(db "select count(*) from templates")" "$templates"
out=$(P --older-than 30d 2> "$WORK/prune.err")
grep -q '^removed .*archaic entry' <<< "$out" || fail "prune output: $out"
expect_eq "templates after prune" "$(db "select count(*) from templates")" "$((templates - 1))"
# Everything older than a second, with its links: events keep their text, lose the link. The
# current events carry NOW (whole seconds) and the run can be quicker than that: wait until
# they are more than a second old.
while (( $(date -u +%s) < NOW_EPOCH + 2 )); do sleep 0.1; done
P --older-than 1s --json > "$WORK/pruned.json" 2> /dev/null || fail "prune all"
expect_eq "pruned lines" "$(wc -l < "$WORK/pruned.json")" "$((templates - 1))"
expect_eq "no template left" "$(db "select count(*) from templates")" 0
expect_eq "no link left" "$(db "select count(*) from events where template_id is not null")" 0
expect_eq "events kept" "$(db "select count(*) from events where message like 'current entry%'")" 200
P --older-than soon > /dev/null 2>&1 && fail "bad duration accepted"

# --- a database from a newer seerflow is refused -------------------------------------------------
cp "$WORK/data/seerflow.db" "$WORK/newer.db"
sqlite3 "$WORK/newer.db" "PRAGMA user_version = 99"
rc=0
"$SEERFLOW" query events --db "$WORK/newer.db" 2> "$WORK/newer.err" > /dev/null || rc=$?
expect_eq "query exit code on a newer database" "$rc" 1
grep -q "has schema version 99, newer than this build of seerflow supports" "$WORK/newer.err" ||
  fail "message: $(cat "$WORK/newer.err")"
rc=0
"$SEERFLOW" templates prune --db "$WORK/newer.db" 2> "$WORK/newer.err" > /dev/null || rc=$?
expect_eq "prune exit code on a newer database" "$rc" 1
grep -q "newer than this build of seerflow supports" "$WORK/newer.err" || fail "prune message"
write_config "$WORK/newer.yaml"
printf '  path: %s\n' "$WORK/newer.db" >> "$WORK/newer.yaml"
rc=0
timeout 20 "$SEERFLOW" start --config "$WORK/newer.yaml" 2> "$WORK/newer.err" || rc=$?
[[ $rc -ne 0 && $rc -ne 124 ]] || fail "start on a newer database: exit $rc"
grep -q "newer than this build of seerflow supports" "$WORK/newer.err" ||
  fail "start message: $(tail -5 "$WORK/newer.err")"
echo "PASS store_retention"
