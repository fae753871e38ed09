#!/usr/bin/env bash
# The real binary with storage.backend: postgresql against a real PostgreSQL 15 server
# (tests/integration/pg_lib.sh): syslog sent with `logger` lands in PostgreSQL, read back with
# psql and with `seerflow query events|templates|timeline` (full-text search through the
# tsvector index). The URL takes its password from the environment (${ENV} interpolation).
# A bad URL is refused by validate-config; an unreachable server stops `start` with a clear
# error, never a crash.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pg_lib.sh"

start_pg
export SEERFLOW_TEST_PGPASSWORD=unused-with-trust
URL="postgresql://seer:\${SEERFLOW_TEST_PGPASSWORD}@127.0.0.1:$PG_PORT/seerflow"
write_config "$WORK/seerflow.yaml" "  backend: postgresql" "  postgresql: {url: \"$URL\"}"
"$SEERFLOW" validate-config "$WORK/seerflow.yaml" > /dev/null || fail "config refused"
"$SEERFLOW" config show --config "$WORK/seerflow.yaml" > "$WORK/shown.yaml"
grep -q "unused-with-trust" "$WORK/shown.yaml" && fail "config show printed the password"

start_seerflow "$WORK/seerflow.yaml"
UDP=$(endpoint_port syslog/udp)
TCP=$(endpoint_port syslog/tcp)
logger --rfc5424 -n 127.0.0.1 -P "$UDP" -d -t sshd -p auth.warning \
  "Failed password for root from 198.51.100.23 port 40022 ssh2"
logger --rfc5424 -n 127.0.0.1 -P "$TCP" -T --octet-count -t sshd -p auth.info \
  "Accepted password for alice from 10.1.2.3 port 52113 ssh2"
logger --rfc3164 -n 127.0.0.1 -P "$TCP" -T -t cron -p cron.info "(root) CMD (/usr/local/bin/backup.sh)"

got=""
for _ in $(seq 1 200); do
  got=$(pg "select count(*) from events" 2> /dev/null || true)
  [[ "$got" == 3 ]] && break
  sleep 0.05
done
expect_eq "events in PostgreSQL" "$got" "3"
expect_eq "sshd row" "$(pg "select app, severity, message from events where message like 'Failed%'")" \
  "sshd|4|Failed password for root from 198.51.100.23 port 40022 ssh2"
expect_eq "schema version" "$(pg "select max(version) from schema_migrations")" "9"
expect_eq "full-text index" \
  "$(pg "select count(*) from events where message_tsv @@ to_tsquery('simple', 'password & root')")" "1"
ents=$(pg "select string_agg(n.type || ':' || n.value, ',' order by n.type, n.value) from events e
           join event_entities l on l.event_id = e.id join entities n on n.entity_key = l.entity_key
           where e.message like 'Failed%'")
[[ "$ents" == *"ip:198.51.100.23"* && "$ents" == *"user:root"* ]] || fail "entities: $ents"
[[ $(pg "select count(*) from templates") -ge 2 ]] || fail "templates table"

# The query CLI reads the same server through --config.
"$SEERFLOW" query events --config "$WORK/seerflow.yaml" --search "password root" --json \
  > "$WORK/search.jsonl" || fail "query events --search"
expect_eq "search rows" "$(wc -l < "$WORK/search.jsonl")" "1"
grep -q '"message":"Failed password for root from 198.51.100.23 port 40022 ssh2"' \
  "$WORK/search.jsonl" || fail "search row: $(cat "$WORK/search.jsonl")"
"$SEERFLOW" query events --config "$WORK/seerflow.yaml" --entity ip:10.1.2.3 --json \
  > "$WORK/entity.jsonl" || fail "query events --entity"
grep -q 'Accepted password for alice' "$WORK/entity.jsonl" || fail "entity row"
"$SEERFLOW" query events --config "$WORK/seerflow.yaml" --last 1000w > "$WORK/table.txt"
expect_eq "table rows" "$(grep -c 'sshd\|cron' "$WORK/table.txt")" "3"
"$SEERFLOW" query timeline 198.51.100.23 --config "$WORK/seerflow.yaml" --json > "$WORK/tl.jsonl"
expect_eq "timeline rows" "$(wc -l < "$WORK/tl.jsonl")" "1"
"$SEERFLOW" query templates --config "$WORK/seerflow.yaml" --json > "$WORK/tpl.jsonl"
[[ $(wc -l < "$WORK/tpl.jsonl") -ge 2 ]] || fail "query templates"
rc=0
"$SEERFLOW" query events --config "$WORK/seerflow.yaml" --search '"unbalanced' \
  2> "$WORK/bad.err" > /dev/null || rc=$?
expect_eq "bad search exit code" "$rc" "2"
grep -q "not a valid full-text query" "$WORK/bad.err" || fail "bad search message"

stop_seerflow
grep -q "writing to postgresql postgresql://seer:\*\*\*@127.0.0.1:$PG_PORT/seerflow" \
  "$WORK/stderr.log" || fail "start log does not name the server (without its password)"

# A URL that is not a libpq URI is refused by validate-config, with the key named.
write_config "$WORK/bad.yaml" "  backend: postgresql" "  postgresql: {url: \"host=localhost\"}"
rc=0
"$SEERFLOW" validate-config "$WORK/bad.yaml" > /dev/null 2> "$WORK/bad-config.err" || rc=$?
expect_eq "validate-config exit code" "$rc" "2"
grep -q "storage.postgresql.url" "$WORK/bad-config.err" || fail "bad url message"
write_config "$WORK/nourl.yaml" "  backend: postgresql"
rc=0
"$SEERFLOW" validate-config "$WORK/nourl.yaml" > /dev/null 2> "$WORK/nourl.err" || rc=$?
expect_eq "validate-config without url" "$rc" "2"

# An unreachable server: start stops with a clear error naming it, never a crash (signal).
stop_pg
rc=0
timeout 60 "$SEERFLOW" start --config "$WORK/seerflow.yaml" > /dev/null 2> "$WORK/down.err" || rc=$?
[[ $rc -ne 0 && $rc -lt 128 ]] || fail "start with the server down exited with $rc"
grep -q "cannot connect to PostgreSQL at postgresql://seer:\*\*\*@127.0.0.1:$PG_PORT/seerflow" \
  "$WORK/down.err" || { tail -20 "$WORK/down.err" >&2; fail "no clear error with the server down"; }
grep -q "unused-with-trust" "$WORK/down.err" && fail "the error printed the password"
echo "PASS"
