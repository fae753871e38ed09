#!/usr/bin/env bash
# Hostile input over UDP and TCP against the running binary (python3 sockets): oversized
# datagrams and records, binary garbage with NUL bytes, invalid UTF-8, an invalid PRI, an absurd
# octet count, a half-closed connection, a connection reset mid-record, interleaved with good
# records. Every good record is stored exactly once, decode rejections are in the `rejected`
# table with their reason, invalid UTF-8 is repaired, the process keeps serving, and the
# shutdown summary and warnings count every rejection.
#
# Two levels of rejection (see runtime/net/receiver_counters.hpp, runtime/parse/rejection.hpp):
# - framing, in the receivers: oversized, empty, bad_frame, truncated. Counted in the
#   records_rejected metric (label receiver=...) and logged as throttled warnings; the bytes are
#   not kept.
# - decode, in the source: bad_pri, binary... Counted in records_rejected (label stage=decode)
#   and stored in the `rejected` table.
# The summary's `rejected` is the total of records_rejected: both levels.
source "$(dirname "$0")/lib.sh"

cat > "$WORK/seerflow.yaml" <<YAML
data_dir: $WORK/data
receivers:
  syslog:
    udp: {bind: 127.0.0.1, port: 0, max_record: 256}
    tcp: {bind: 127.0.0.1, port: 0, max_record: 256}
storage:
  flush: 20ms
console: {bind: 127.0.0.1, port: 0}
YAML
"$SEERFLOW" validate-config "$WORK/seerflow.yaml" > /dev/null || fail "test config is invalid"
start_seerflow "$WORK/seerflow.yaml"
UDP=$(endpoint_port syslog/udp)
TCP=$(endpoint_port syslog/tcp)

cat > "$WORK/send.py" <<'PY'
import socket, struct, subprocess, sys, time

phase, udp_port, tcp_port, db = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
HOST = "127.0.0.1"

def good(tag):  # a valid RFC 5424 record whose message is "good record <tag>"
    return f"<14>1 2024-03-01T10:00:00Z hostile-host app 1 - - good record {tag}".encode()

def tcp_conn():
    s = socket.create_connection((HOST, tcp_port))
    s.settimeout(10)
    return s

def drain_until_closed(s):
    # The server closes the connection (after EOF or a bad frame); read until it has.
    try:
        while s.recv(4096):
            pass
    except ConnectionResetError:
        pass
    s.close()

def octet(payload):
    return str(len(payload)).encode() + b" " + payload

if phase == "flood":
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dgrams = [
        good("udp-1"),
        b"<14>1 2024-03-01T10:00:00Z h app 1 - - " + b"x" * 1000,  # oversized (> 256)
        good("udp-2"),
        b"\x01\x02\x00\x03udp-binary\x00\x04",                     # binary, NUL inside
        good("udp-3"),
        "<14>1 2024-03-01T10:00:00Z h app 1 - - udp caf\xe9 cr\xe8me".encode("latin-1"),
        b"<999>udp oops",                                          # invalid PRI
        b"",                                                       # empty datagram
        good("udp-4"),
    ]
    for d in dgrams:
        u.sendto(d, (HOST, udp_port))
        time.sleep(0.002)
    u.close()

    # A: LF framing; an oversized line, binary control bytes ended by NUL (the framer takes NUL
    # as a record end), NUL padding between records, an invalid PRI, Latin-1 text.
    a = tcp_conn()
    a.sendall(good("tcp-a1") + b"\n")
    a.sendall(b"<14>1 2024-03-01T10:00:00Z h app 1 - - " + b"y" * 1000 + b"\n")
    a.sendall(good("tcp-a2") + b"\n")
    a.sendall(b"\x01\x02\x03\x04\x05\x06tcp\x00\x00\x00")
    a.sendall(b"<999>tcp oops\n")
    a.sendall("<14>1 2024-03-01T10:00:00Z h app 1 - - tcp caf\xe9 cr\xe8me\r\n".encode("latin-1"))
    a.shutdown(socket.SHUT_WR)
    drain_until_closed(a)

    # B: octet counting; an oversized frame is skipped and the stream resynchronises; then an
    # absurd octet count makes the stream unrecoverable: the server closes it.
    b = tcp_conn()
    b.sendall(octet(good("tcp-b1")) + octet(b"z" * 1000) + octet(good("tcp-b2")) +
              b"99999999999 x" + octet(good("tcp-b-lost")))
    drain_until_closed(b)

    # C: half-closed after a record without its LF: the record is complete and delivered.
    c = tcp_conn()
    c.sendall(good("tcp-c1"))
    c.shutdown(socket.SHUT_WR)
    drain_until_closed(c)

    # D: half-closed inside an octet-counted record: truncated.
    d = tcp_conn()
    d.sendall(b"100 <14>1 2024-03-01T10:00:00Z h app 1 - - cut short")
    d.shutdown(socket.SHUT_WR)
    drain_until_closed(d)

elif phase == "reset":
    # E: a good record and the start of another, then a reset (RST) mid-record, once the good
    # one is stored (so the receiver has read both before the reset).
    e = tcp_conn()
    e.sendall(good("tcp-e1") + b"\n<14>1 2024-03-01T10:00:00Z h app 1 - - never fin")
    deadline = time.time() + 10
    while True:
        out = subprocess.run(["sqlite3", "-batch", "-noheader", db,
                              "select count(*) from events where message = 'good record tcp-e1'"],
                             capture_output=True, text=True).stdout.strip()
        if out == "1":
            break
        if time.time() > deadline:
            sys.exit("tcp-e1 was not stored within 10 s")
        time.sleep(0.05)
    e.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    e.close()
PY

python3 "$WORK/send.py" flood "$UDP" "$TCP" "$WORK/data/seerflow.db" || fail "sender (flood) failed"
python3 "$WORK/send.py" reset "$UDP" "$TCP" "$WORK/data/seerflow.db" || fail "sender (reset) failed"

# Still serving: a record over each transport after all of that.
logger --rfc5424 -n 127.0.0.1 -P "$UDP" -d -t app "good record after-udp"
logger --rfc5424 -n 127.0.0.1 -P "$TCP" -T -t app "good record after-tcp"
kill -0 "$SEERFLOW_PID" 2>/dev/null || fail "seerflow died"

GOOD="'udp-1','udp-2','udp-3','udp-4','tcp-a1','tcp-a2','tcp-b1','tcp-b2','tcp-c1','tcp-e1','after-udp','after-tcp'"
wait_rows "select count(*) from events where message like 'good record %'" 12
# Every good record exactly once, and nothing else but the two repaired Latin-1 records.
expect_eq "good records, each once" \
  "$(db "select count(distinct message) from events where substr(message, 13) in ($GOOD)")" 12
expect_eq "events" "$(db "select count(*) from events")" 14
expect_eq "the record after a bad octet count is lost with its connection" \
  "$(db "select count(*) from events where message like '%tcp-b-lost%'")" 0
# Invalid UTF-8 is stored repaired: each bad byte becomes U+FFFD (EF BF BD).
repaired="$(printf 'caf\xef\xbf\xbd cr\xef\xbf\xbdme' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"
expect_eq "repaired UDP text" "$(db "select hex(message) from events where message like 'udp caf%'")" \
  "$(printf 'udp ' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)$repaired"
expect_eq "repaired TCP text" "$(db "select hex(message) from events where message like 'tcp caf%'")" \
  "$(printf 'tcp ' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)$repaired"

# Decode rejections are stored with their reason and the offending bytes; framing rejections
# (oversized, empty, bad_frame, truncated) are not.
wait_rows "select count(*) from rejected" 4
expect_eq "rejected rows" "$(db "select reason || ' ' || hex(data) || ' ' || source from rejected order by reason, hex(data)")" \
"bad_pri $(printf '<999>tcp oops' | od -An -tx1 | tr -d ' \n' | tr a-f A-F) syslog
bad_pri $(printf '<999>udp oops' | od -An -tx1 | tr -d ' \n' | tr a-f A-F) syslog
binary $(printf '\x01\x02\x00\x03udp-binary\x00\x04' | od -An -tx1 | tr -d ' \n' | tr a-f A-F) syslog
binary 010203040506746370 syslog"
expect_eq "rejected peers" "$(db "select count(*) from rejected where peer like '127.0.0.1:%'")" 4

kill -0 "$SEERFLOW_PID" 2>/dev/null || fail "seerflow died"
stop_seerflow

# The summary counts both levels of rejection: 4 decode + framing (UDP: oversized, empty;
# TCP: 2 oversized, bad_frame, 2 truncated) = 4 + 2 + 5 = 11.
summary=$(sed -n 's/^summary-json: //p' "$WORK/stderr.log")
[[ -n "$summary" ]] || fail "no summary-json line"
expect_eq "summary" "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["events"], d["dropped"], d["rejected"])' "$summary")" \
  "14 0 11"
grep -q '\[store\] closing: 14 events in .* 4 rejected records$' "$WORK/stderr.log" ||
  fail "store closing line: $(grep closing "$WORK/stderr.log")"
# Framing rejections are reported as warnings, per receiver and reason; the occurrences over
# all lines of a reason add up to what was planted.
count_warned() {  # count_warned udp|tcp REASON
  sed -n "s/.*\[net\] syslog $1 '[^']*': \([0-9]*\) records rejected ($2).*/\1/p" "$WORK/stderr.log" |
    awk '{ s += $1 } END { print s + 0 }'
}
expect_eq "udp oversized warnings" "$(count_warned udp oversized)" 1
expect_eq "udp empty warnings" "$(count_warned udp empty)" 1
expect_eq "tcp oversized warnings" "$(count_warned tcp oversized)" 2
expect_eq "tcp bad_frame warnings" "$(count_warned tcp bad_frame)" 1
expect_eq "tcp truncated warnings" "$(count_warned tcp truncated)" 2
echo "PASS"
