#!/usr/bin/env bash
# Sigma rules on live traffic, and their hot reload: a rule from sigma.rule_dirs raises an alert
# that is stored; a rule added on disk is picked up on SIGHUP; a broken rule makes the reload
# refused with its reason while the running rules keep working.
source "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/rules"
rule() {  # rule FILE ID WORD
  cat > "$1" <<YAML
title: Canary $3
id: $2
author: test
level: high
tags: [attack.execution, attack.t1059]
logsource: {product: linux}
detection:
  sel: {message|contains: '$3'}
  condition: sel
YAML
}
rule "$WORK/rules/one.yml" 11111111-1111-4111-8111-111111111111 canary-one
write_config "$WORK/seerflow.yaml" "sigma:" "  rule_dirs: [$WORK/rules]"
start_seerflow "$WORK/seerflow.yaml"
TCP=$(endpoint_port syslog/tcp)

logger --rfc3164 -n 127.0.0.1 -P "$TCP" -T -t app -p user.info "hello canary-one"
wait_rows "select count(*) from alerts where rule = '11111111-1111-4111-8111-111111111111'" 1
row=$(db "select kind, severity, title, (select technique from alert_techniques where alert_id = alerts.id) from alerts")
expect_eq "stored alert" "$row" "sigma|high|Canary canary-one|T1059"

# A new rule, picked up on SIGHUP.
rule "$WORK/rules/two.yml" 22222222-2222-4222-8222-222222222222 canary-two
kill -HUP "$SEERFLOW_PID"
for i in $(seq 1 100); do grep -q "reloaded:" "$WORK/stderr.log" && break; sleep 0.05; done
grep -q "reloaded:" "$WORK/stderr.log" || fail "no reload after SIGHUP"
logger --rfc3164 -n 127.0.0.1 -P "$TCP" -T -t app -p user.info "hello canary-two"
wait_rows "select count(*) from alerts where rule = '22222222-2222-4222-8222-222222222222'" 1

# A broken rule: the reload is refused, named, and the running set still matches.
printf 'title: broken\nid: 33333333-3333-4333-8333-333333333333\nlogsource: {product: linux}\ndetection:\n  sel: {message|nosuchmodifier: x}\n  condition: sel\n' > "$WORK/rules/bad.yml"
kill -HUP "$SEERFLOW_PID"
for i in $(seq 1 100); do grep -q "reload refused" "$WORK/stderr.log" && break; sleep 0.05; done
grep -q "reload refused" "$WORK/stderr.log" || fail "broken rule not refused"
grep -q "33333333-3333-4333-8333-333333333333" "$WORK/stderr.log" || fail "rejected rule not named"
logger --rfc3164 -n 127.0.0.1 -P "$TCP" -T -t app -p user.info "again canary-two"
wait_rows "select count(*) from events where message like '%again canary-two%'" 1
# Same rule and entity-less host inside the dedup window: counted on the first alert.
wait_rows "select dedup_count from alerts where rule = '22222222-2222-4222-8222-222222222222'" 2
stop_seerflow
echo ok
