#!/usr/bin/env bash
# The command line of the real binary: version, help, usage errors (exit 2, message on stderr),
# validate-config on valid and broken files (every error located as FILE:LINE:COL: key.path),
# `config show` output that validates again, `config schema` covering every key of the example
# config, and `kinds`.
source "$(dirname "$0")/lib.sh"
EXAMPLE="$(cd "$(dirname "$0")/../.." && pwd)/conf/seerflow.example.yaml"
[[ -f "$EXAMPLE" ]] || fail "example config not found at $EXAMPLE"

# run ARGS...: runs the binary, leaving stdout, stderr and the exit code in OUT, ERR and RC.
run() {
  RC=0
  "$SEERFLOW" "$@" > "$WORK/out" 2> "$WORK/err" || RC=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
}

# --- version and help -----------------------------------------------------------------------
for cmd in --version version; do
  run "$cmd"
  expect_eq "$cmd exit code" "$RC" 0
  [[ "$OUT" =~ ^seerflow\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "$cmd printed '$OUT'"
  expect_eq "$cmd stderr" "$ERR" ""
done
for cmd in help --help; do
  run "$cmd"
  expect_eq "$cmd exit code" "$RC" 0
  [[ "$OUT" == "usage: seerflow <command> [options]"* ]] || fail "$cmd printed '$OUT'"
  for sub in start analyze validate-config "config show" "config schema" kinds version; do
    grep -qF "  $sub" "$WORK/out" || fail "$cmd does not mention '$sub'"
  done
done

# --- usage errors: exit 2, nothing on stdout, the reason on stderr's first line --------------
usage_error() {  # usage_error "FIRST STDERR LINE" ARGS...
  local want=$1; shift
  run "$@"
  expect_eq "exit code of [$*]" "$RC" 2
  expect_eq "stdout of [$*]" "$OUT" ""
  expect_eq "stderr of [$*]" "$(head -n 1 "$WORK/err")" "$want"
  grep -q '^usage: seerflow' "$WORK/err" || fail "no usage text after a usage error [$*]"
}
usage_error "seerflow: no command given"
usage_error "seerflow: unknown command 'frobnicate'" frobnicate
usage_error "seerflow: unknown command '--frobnicate'" --frobnicate
usage_error "seerflow: start: unknown option '--bogus'" start --bogus
usage_error "seerflow: --config needs a value" start --config
usage_error "seerflow: analyze: unknown option '--bogus'" analyze --bogus x.log
usage_error "seerflow: analyze needs an input: a file or - for stdin" analyze
usage_error "seerflow: validate-config takes exactly one FILE" validate-config
usage_error "seerflow: unknown config subcommand 'frob'" config frob
usage_error "seerflow: config needs a subcommand: show or schema" config

# --- validate-config on valid files -----------------------------------------------------------
write_config "$WORK/good.yaml"
run validate-config "$WORK/good.yaml"
expect_eq "valid config exit code" "$RC" 0
expect_eq "valid config stdout" "$OUT" "$WORK/good.yaml: ok"
expect_eq "valid config stderr" "$ERR" ""

run validate-config "$EXAMPLE"
expect_eq "example config exit code" "$RC" 0
expect_eq "example config stdout" "$OUT" "$EXAMPLE: ok"

run validate-config "$WORK/missing.yaml"
expect_eq "missing config exit code" "$RC" 2
expect_eq "missing config stderr" "$(head -n 1 "$WORK/err")" \
  "$WORK/missing.yaml: cannot open: No such file or directory"

# --- validate-config on a file with one planted error of each sort ----------------------------
# Line numbers matter below: each error is located at the line and column of its key or value.
BAD="$WORK/bad.yaml"
cat > "$BAD" <<'YAML'
data_dir: /tmp/seerflow-cli-test
receivers:
  syslog:
    udp:
      prot: 5514
    tcp:
      port: 70000
storage:
  flush: ${SEERFLOW_IT_SURELY_UNSET_VAR}
supervision:
  name: root
  children:
    - name: store
      kind: stroe
    - name: ingest
      children:
        - name: syslog
          kind: source
          args:
            sinks: store
            colour: blue
YAML
unset SEERFLOW_IT_SURELY_UNSET_VAR
run validate-config "$BAD"
expect_eq "broken config exit code" "$RC" 2
expect_eq "broken config stdout" "$OUT" ""
# Every problem is reported in one run (the supervision tree's kinds and args too, although the
# file has other errors), one per line, then a count.
expect_eq "broken config: stderr lines" "$(wc -l < "$WORK/err")" 6
expect_line() {  # expect_line N "PREFIX" "FRAGMENT": line N of stderr starts with PREFIX, holds FRAGMENT
  local line
  line=$(sed -n "$1p" "$WORK/err")
  [[ "$line" == "$2"* ]] || fail "stderr line $1: expected to start with '$2', got '$line'"
  [[ "$line" == *"$3"* ]] || fail "stderr line $1: expected '$3' in '$line'"
}
expect_line 1 "$BAD:5:7: receivers.syslog.udp.prot: " \
  "unknown key; did you mean 'receivers.syslog.udp.port'?"
expect_line 2 "$BAD:7:13: receivers.syslog.tcp.port: " "'70000' is out of range (0..65535)"
expect_line 3 "$BAD:9:10: storage.flush: " \
  "environment variable SEERFLOW_IT_SURELY_UNSET_VAR is not set"
expect_line 4 "$BAD:13:7: supervision.children[0]: " "unknown actor kind 'stroe' of 'store'"
expect_line 5 "$BAD:17:11: supervision.children[1].children[0].args.colour: " \
  "kind 'source' of 'syslog' takes no argument 'colour' (accepted: source, sinks, directory)"
expect_line 6 "$BAD: 5 configuration errors" ""

# The same file with the variable set: that error goes, the others stay.
RC=0
SEERFLOW_IT_SURELY_UNSET_VAR=1s "$SEERFLOW" validate-config "$BAD" 2> "$WORK/err" || RC=$?
expect_eq "broken config with the variable set: exit code" "$RC" 2
expect_eq "broken config with the variable set: last line" "$(tail -n 1 "$WORK/err")" \
  "$BAD: 4 configuration errors"
grep -q 'storage.flush' "$WORK/err" && fail "storage.flush still reported with the variable set"

# A YAML syntax error is located too.
printf 'storage:\n  flush: 20ms\n bad indent: 1\n' > "$WORK/syntax.yaml"
run validate-config "$WORK/syntax.yaml"
expect_eq "syntax error exit code" "$RC" 2
expect_line 1 "$WORK/syntax.yaml:3:2: invalid YAML: " ""

# --- config show: the effective settings, which validate again ---------------------------------
write_config "$WORK/custom.yaml" "pipeline:" "  batch_size: 77" "node_name: edge-7"
run config show --config "$WORK/custom.yaml"
expect_eq "config show exit code" "$RC" 0
printf '%s\n' "$OUT" > "$WORK/shown.yaml"
grep -qx '  batch_size: 77' "$WORK/shown.yaml" || fail "config show lost pipeline.batch_size"
grep -qx 'node_name: edge-7' "$WORK/shown.yaml" || fail "config show lost node_name"
grep -qx 'supervision:' "$WORK/shown.yaml" || fail "config show has no supervision tree"
run validate-config "$WORK/shown.yaml"
expect_eq "config show output validates: exit code" "$RC" 0
expect_eq "config show output validates" "$OUT" "$WORK/shown.yaml: ok"
# A fixed point: showing the shown file prints it again unchanged.
run config show --config "$WORK/shown.yaml"
expect_eq "config show is a fixed point" "$OUT" "$(cat "$WORK/shown.yaml")"
# The defaults show and validate too.
HOME="$WORK/home" SEERFLOW_DATA_DIR= XDG_DATA_HOME= "$SEERFLOW" config show > "$WORK/defaults.yaml" ||
  fail "config show without a config failed"
grep -qx "data_dir: $WORK/home/.local/share/seerflow" "$WORK/defaults.yaml" ||
  fail "default data_dir: $(grep data_dir "$WORK/defaults.yaml")"
run validate-config "$WORK/defaults.yaml"
expect_eq "default settings validate" "$OUT" "$WORK/defaults.yaml: ok"

# --- config schema: every key of the example config -------------------------------------------
run config schema
expect_eq "config schema exit code" "$RC" 0
printf '%s\n' "$OUT" | awk 'NR > 1 {print $1}' | sort > "$WORK/schema_keys"
# Keys of the example: its YAML leaf keys as dotted paths, and the keys of the commented-out
# supervision tree (a node's keys are listed once, as supervision.<key>).
python3 - "$EXAMPLE" > "$WORK/example_keys" <<'PY'
import re, sys
keys, stack = set(), []
in_tree = False
for raw in open(sys.argv[1], encoding="utf-8"):
    line = raw.rstrip("\n")
    m = re.match(r"^( *)([a-z_]+):", line)
    if m:
        indent, key = len(m.group(1)), m.group(2)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, key))
        keys.add(".".join(k for _, k in stack))
        continue
    if re.match(r"^# supervision:", line):
        in_tree = True
        keys.add("supervision")
        continue
    if in_tree:
        t = re.match(r"^#\s+(?:- )?([a-z_]+):", line)
        if t:
            keys.add("supervision." + t.group(1))
# Sections (receivers, receivers.syslog...) are not keys of their own.
for k in sorted(keys):
    if not any(o.startswith(k + ".") for o in keys) or k == "supervision":
        print(k)
PY
[[ $(wc -l < "$WORK/example_keys") -ge 40 ]] || fail "read only $(wc -l < "$WORK/example_keys") keys from the example"
missing=$(comm -23 "$WORK/example_keys" "$WORK/schema_keys")
expect_eq "example keys missing from config schema" "$missing" ""
for k in receivers.syslog.udp.port storage.flush supervision.children supervision.restart; do
  grep -qx "$k" "$WORK/example_keys" || fail "example key list lacks $k"
done

# --- kinds ------------------------------------------------------------------------------------
run kinds
expect_eq "kinds exit code" "$RC" 0
kinds=$(printf '%s\n' "$OUT" | grep -v '^ ' | tr '\n' ' ')
expect_eq "kinds" "$kinds" "supervisor store printer alerts alert_sink graph directory cluster source syslog_udp syslog_tcp file_tail webhook console otlp_grpc otlp_http "
echo "PASS"
