#!/usr/bin/env bash
# The web console in a real browser (headless Chromium from Debian): the page opened with the
# token in its fragment renders the supervision tree and the live counters from the API; opened
# with a wrong token it shows the refusal and no tree. Screenshots are kept as test artefacts in
# the build tree (console-web/*.png).
source "$(dirname "$0")/lib.sh"
command -v chromium > /dev/null || fail "chromium is not installed (deploy/install-deps.sh installs it)"
ARTEFACTS=${SEERFLOW_ARTEFACTS:-$WORK}/console-web
mkdir -p "$ARTEFACTS"

write_config "$WORK/seerflow.yaml"
start_seerflow "$WORK/seerflow.yaml"
CONSOLE=$(endpoint_port console/http)
UDP=$(endpoint_port syslog/udp)
TOKEN=$(cat "$WORK/data/console.token")
logger -n 127.0.0.1 -P "$UDP" -d --rfc5424 -t sshd "Failed password for root from 203.0.113.9 port 40022 ssh2"
wait_rows "select count(*) from events" 1

browse() {  # browse URL OUT.html [SCREENSHOT.png]: the DOM after the page's scripts ran
  local args=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run
              --user-data-dir="$WORK/chromium-profile" --virtual-time-budget=8000
              --window-size=1280,900)
  timeout 120 chromium "${args[@]}" --dump-dom "$1" > "$2" 2> "$WORK/chromium.log" ||
    fail "chromium failed on $1: $(tail -5 "$WORK/chromium.log")"
  if [[ -n "${3:-}" ]]; then
    timeout 120 chromium "${args[@]}" --screenshot="$3" "$1" > /dev/null 2>> "$WORK/chromium.log" ||
      fail "chromium screenshot failed: $(tail -5 "$WORK/chromium.log")"
    [[ -s "$3" ]] || fail "no screenshot written"
  fi
}

browse "http://127.0.0.1:$CONSOLE/#token=$TOKEN" "$WORK/ok.html" "$ARTEFACTS/console.png"
for name in root store alerts directory console ingest syslog-udp syslog-tcp; do
  grep -q "data-actor=\"$name\"" "$WORK/ok.html" || fail "tree has no actor $name (DOM in $WORK/ok.html)"
done
grep -q '<span id="health" class="ok">ok</span>' "$WORK/ok.html" || fail "health not shown as ok"
grep -q '<td>source_events</td><td>1</td>' "$WORK/ok.html" || fail "live counter source_events is not 1"
grep -q '<main id="app">' "$WORK/ok.html" || fail "the app stayed hidden"
if grep -q 'mailbox ? · restarts' "$WORK/ok.html"; then fail "an actor shows no mailbox"; fi
# The browser's own requests (favicon.ico: 404) are the console's, not the node's rejections.
grep -q '<td>records_rejected</td><td>0</td>' "$WORK/ok.html" || fail "console requests counted as rejected records"

browse "http://127.0.0.1:$CONSOLE/#token=wrong-token-0123456789" "$WORK/bad.html" "$ARTEFACTS/refused.png"
grep -q 'the token was refused' "$WORK/bad.html" || fail "a wrong token is not reported"
if grep -q 'data-actor=' "$WORK/bad.html"; then fail "a wrong token still shows the tree"; fi
stop_seerflow
echo "console web: ok (screenshots in $ARTEFACTS)"
