#!/usr/bin/env bash
# `seerflow analyze`, the replay command: one NDJSON line per input record, in input order, each
# valid JSON; rejected records in place (after_seq = the previous event's seq) with the good
# records around them intact; the raw and JSON-lines formats; stdin; --year; CRLF and a last
# line without a newline; usage and I/O errors; byte-identical output across runs.
source "$(dirname "$0")/lib.sh"

# analyze OUT ARGS...: runs `seerflow analyze ARGS`, stdout to OUT, stderr to OUT.err; RC.
analyze() {
  local out=$1; shift
  RC=0
  "$SEERFLOW" analyze "$@" > "$out" 2> "$out.err" || RC=$?
}

# check OUT PYTHON: runs PYTHON with `lines` = the parsed JSON objects of OUT (every line must
# parse) and `raw` = OUT's lines; the snippet asserts.
check() {
  python3 - "$1" "$2" <<'PY' || fail "check of $(basename "$1") failed (see above)"
import json, sys
path, code = sys.argv[1], sys.argv[2]
raw = open(path, "rb").read().decode("utf-8").split("\n")
assert raw[-1] == "", "output does not end with a newline"
raw = raw[:-1]
lines = []
for n, text in enumerate(raw, 1):
    try:
        lines.append(json.loads(text))
    except ValueError as e:
        sys.exit(f"line {n} is not JSON ({e}): {text!r}")
def eq(what, got, want):
    assert got == want, f"{what}: expected {want!r}, got {got!r}"
def entities(obj):
    return {(e["type"], e["value"]) for e in obj["entities"]}
try:
    exec(code)
except AssertionError as e:
    sys.exit(f"{path}: {e}")
PY
}

# --- syslog: RFC 5424 and RFC 3164, with bad records in the middle ----------------------------
{
  printf '%s\n' '<34>1 2024-03-01T10:00:00.123Z web01 sshd 4242 LOGIN [origin@32473 ip="10.9.8.7"] Accepted password for alice from 10.1.2.3 port 52113 ssh2'
  printf '%s\n' '<86>Mar  1 10:00:01 web01 sshd[4243]: Failed password for invalid user admin from 203.0.113.9 port 40022 ssh2'
  printf '%s\n' '<13>Mar  1 10:00:02 web02 sudo[99]: bob : TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/usr/bin/id'
  printf '%s\n' '<999>oops'
  printf '\n'
  printf '\x01\x02\x03\x00\x04 binary\n'
  printf '%s\r\n' '<78>Mar  1 10:00:03 web03 CRON[777]: (root) CMD (/usr/local/bin/backup.sh)'
  printf '<14>1 2024-03-01T10:00:04Z web04 app - - - caf\xe9 cr\xe8me\n'
  printf '%s' '<86>Mar  1 10:00:05 web01 sshd[4244]: Failed password for invalid user admin from 203.0.113.10 port 40023 ssh2'
} > "$WORK/mixed.log"

analyze "$WORK/mixed.out" "$WORK/mixed.log"
expect_eq "analyze exit code" "$RC" 0
check "$WORK/mixed.out" '
eq("lines out", len(lines), 9)
eq("kinds", [l["kind"] for l in lines], ["event"] * 3 + ["rejected"] * 3 + ["event"] * 3)
events = [l for l in lines if l["kind"] == "event"]
eq("seq", [e["seq"] for e in events], [1, 2, 3, 4, 5, 6])
for e in events:
    assert e["template"] and len(e["template_id"]) == 16, f"no template: {e}"
    eq("source", e["source"], "analyze")
# RFC 5424 with structured data.
e = lines[0]
eq("5424 time", e["time"], "2024-03-01T10:00:00.123Z")
eq("5424 header", (e["host"], e["app"], e["pid"], e["msgid"], e["facility"], e["severity"]),
   ("web01", "sshd", "4242", "LOGIN", "auth", "crit"))
eq("5424 message", e["message"], "Accepted password for alice from 10.1.2.3 port 52113 ssh2")
eq("5424 template", e["template"], "Accepted password for alice from <*> port <*> ssh2")
eq("5424 params", e["params"], ["10.1.2.3", "52113"])
eq("5424 fields", e["fields"], {"origin@32473.ip": "10.9.8.7"})
assert {("ip", "10.1.2.3"), ("user", "alice"), ("host", "web01"), ("ip", "10.9.8.7")} <= entities(e), e
# RFC 3164: the year comes from the previous event.
e = lines[1]
eq("3164 time", e["time"], "2024-03-01T10:00:01Z")
eq("3164 header", (e["host"], e["app"], e["pid"], e["facility"], e["severity"]),
   ("web01", "sshd", "4243", "authpriv", "info"))
assert {("ip", "203.0.113.9"), ("user", "admin")} <= entities(e), e
e = lines[2]
eq("sudo", (e["app"], e["facility"], e["severity"]), ("sudo", "user", "notice"))
assert {("user", "bob"), ("user", "root"), ("file", "/usr/bin/id")} <= entities(e), e
# The rejections, where they were in the input.
r = lines[3:6]
eq("after_seq", [x["after_seq"] for x in r], [3, 3, 3])
eq("reasons", [x["reason"] for x in r], ["bad_pri", "empty", "binary"])
eq("bad_pri", (r[0]["detail"], r[0]["data"]), ("PRI 999 is above 191", "<999>oops"))
eq("empty data", r[1]["data"], "")
eq("binary data", r[2]["data"], "\x01\x02\x03\x00\x04 binary")
# CRLF: the CR is not part of the message.
e = lines[6]
eq("CRLF message", e["message"], "(root) CMD (/usr/local/bin/backup.sh)")
eq("cron", (e["host"], e["app"], e["pid"], e["facility"], e["time"]),
   ("web03", "CRON", "777", "cron", "2024-03-01T10:00:03Z"))
# Invalid UTF-8 (Latin-1) is repaired.
eq("repaired message", lines[7]["message"], "caf\ufffd cr\ufffdme")
# The last line, without a newline, joins the template of line 2.
e = lines[8]
eq("last line", e["message"],
   "Failed password for invalid user admin from 203.0.113.10 port 40023 ssh2")
eq("same template id", e["template_id"], lines[1]["template_id"])
eq("generalised template", e["template"], "Failed password for invalid user <*> from <*> port <*> ssh2")
eq("params", e["params"], ["admin", "203.0.113.10", "40023"])
'
grep -q '^session summary: events processed 6, anomalies 0, unique templates 5, ' "$WORK/mixed.out.err" ||
  fail "summary: $(cat "$WORK/mixed.out.err")"
grep -q ', dropped 0, rejected 3, ' "$WORK/mixed.out.err" || fail "summary: $(cat "$WORK/mixed.out.err")"

# Determinism: a second run prints the same bytes.
analyze "$WORK/mixed2.out" "$WORK/mixed.log"
cmp -s "$WORK/mixed.out" "$WORK/mixed2.out" || fail "two runs differ: $(diff "$WORK/mixed.out" "$WORK/mixed2.out" | head)"

# stdin gives the same output as the file; --no-summary leaves stderr empty.
RC=0
"$SEERFLOW" analyze - --no-summary < "$WORK/mixed.log" > "$WORK/stdin.out" 2> "$WORK/stdin.err" || RC=$?
expect_eq "analyze - exit code" "$RC" 0
cmp -s "$WORK/mixed.out" "$WORK/stdin.out" || fail "stdin output differs from file output"
expect_eq "stderr with --no-summary" "$(cat "$WORK/stdin.err")" ""

# --- raw text ---------------------------------------------------------------------------------
printf '%s\n' 'service started on port 8080' '2024-03-01T10:00:00Z ERROR disk full on /dev/sda1' \
  'user bob logged in from 10.0.0.5' > "$WORK/raw.log"
analyze "$WORK/raw.out" --format raw "$WORK/raw.log" --no-summary
expect_eq "raw exit code" "$RC" 0
check "$WORK/raw.out" '
eq("lines out", len(lines), 3)
eq("kinds", [l["kind"] for l in lines], ["event"] * 3)
eq("seq", [l["seq"] for l in lines], [1, 2, 3])
eq("messages", [l["message"] for l in lines],
   ["service started on port 8080", "2024-03-01T10:00:00Z ERROR disk full on /dev/sda1",
    "user bob logged in from 10.0.0.5"])
for l in lines:
    for k in ("host", "app", "facility"):
        assert k not in l, f"raw line has {k}: {l}"
assert "time" not in lines[0], lines[0]
eq("time read from the text", lines[1]["time"], "2024-03-01T10:00:00Z")
eq("level word", lines[1]["severity"], "err")
assert ("file", "/dev/sda1") in entities(lines[1]), lines[1]
assert ("ip", "10.0.0.5") in entities(lines[2]), lines[2]
'

# --- JSON lines -------------------------------------------------------------------------------
printf '%s\n' \
  '{"message":"payment failed for user alice","host":"pay01","level":"error","timestamp":"2024-03-01T10:00:00Z"}' \
  '{"message":"payment ok for user carol","host":"pay02","level":"info","timestamp":1709287205}' \
  'not json at all' \
  '{"level":"warn"}' \
  '{"message":"cache warm","host":"cache01","level":"warning","timestamp":"2024-03-01T10:00:09.5Z","region":"eu-1"}' \
  > "$WORK/lines.jsonl"
analyze "$WORK/jsonl.out" --format=jsonl "$WORK/lines.jsonl" --no-summary
expect_eq "jsonl exit code" "$RC" 0
check "$WORK/jsonl.out" '
eq("lines out", len(lines), 5)
eq("kinds", [l["kind"] for l in lines], ["event", "event", "rejected", "rejected", "event"])
eq("seq", [l.get("seq") for l in lines], [1, 2, None, None, 3])
eq("after_seq", [lines[2]["after_seq"], lines[3]["after_seq"]], [2, 2])
eq("reasons", [lines[2]["reason"], lines[3]["reason"]], ["bad_json", "no_message"])
a, b, c = lines[0], lines[1], lines[4]
eq("first", (a["message"], a["host"], a["severity"], a["time"]),
   ("payment failed for user alice", "pay01", "err", "2024-03-01T10:00:00Z"))
eq("epoch seconds", (b["host"], b["severity"], b["time"]), ("pay02", "info", "2024-03-01T10:00:05Z"))
eq("fraction", (c["severity"], c["time"]), ("warning", "2024-03-01T10:00:09.5Z"))
assert ("user", "alice") in entities(a), a
'

# --- --year: the year of year-less timestamps, rolling over at New Year ------------------------
printf '%s\n' '<13>Dec 31 23:59:58 h1 app[1]: last of the year' \
  '<13>Jan  1 00:00:01 h1 app[1]: first of the next' > "$WORK/yearless.log"
analyze "$WORK/year.out" --year 2024 "$WORK/yearless.log" --no-summary
expect_eq "--year exit code" "$RC" 0
check "$WORK/year.out" '
eq("times", [l["time"] for l in lines], ["2024-12-31T23:59:58Z", "2025-01-01T00:00:01Z"])
'
analyze "$WORK/year2.out" --year=1999 "$WORK/yearless.log" --no-summary
check "$WORK/year2.out" '
eq("times", [l["time"] for l in lines], ["1999-12-31T23:59:58Z", "2000-01-01T00:00:01Z"])
'
analyze "$WORK/year3.out" --year 99 "$WORK/yearless.log"
expect_eq "--year 99 exit code" "$RC" 2
grep -q "^seerflow: --year needs a year between 1970 and 2261, not '99'" "$WORK/year3.out.err" ||
  fail "--year 99: $(cat "$WORK/year3.out.err")"

# --- errors -----------------------------------------------------------------------------------
analyze "$WORK/missing.out" "$WORK/no-such-file.log"
expect_eq "missing file exit code" "$RC" 1
expect_eq "missing file message" "$(cat "$WORK/missing.out.err")" \
  "seerflow analyze: cannot open $WORK/no-such-file.log: No such file or directory"
expect_eq "missing file stdout" "$(cat "$WORK/missing.out")" ""

analyze "$WORK/bogus.out" --format bogus "$WORK/raw.log"
expect_eq "--format bogus exit code" "$RC" 2
expect_eq "--format bogus message" "$(cat "$WORK/bogus.out.err")" \
  "seerflow analyze: unknown --format 'bogus' (syslog, raw or jsonl)"

analyze "$WORK/two.out" "$WORK/raw.log" "$WORK/raw.log"
expect_eq "two inputs exit code" "$RC" 2

# An empty input prints nothing and succeeds.
: > "$WORK/empty.log"
analyze "$WORK/empty.out" "$WORK/empty.log"
expect_eq "empty input exit code" "$RC" 0
expect_eq "empty input output" "$(cat "$WORK/empty.out")" ""
grep -q '^session summary: events processed 0, ' "$WORK/empty.out.err" || fail "empty input summary"
echo "PASS"
