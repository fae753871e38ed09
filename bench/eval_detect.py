#!/usr/bin/env python3
"""Evaluation of the detection ensemble on real logs with injected, labelled anomalies.

    bench/eval_detect.py [--seerflow PATH] [--data DIR] [--systems A,B,...] [--trials N]
                         [--warmup EVENTS] [--seed S] [--keep DIR] [--extra-yaml YAML]

For every Loghub log (../shared/data/loghub/<S>/<S>_2k.log, raw format, timestamps parsed by
Seerflow itself) it first runs `seerflow analyze` on the clean log (to learn its templates,
entities and natural rate, and to measure false alarms with nothing injected), then, per trial,
injects one anomaly of each kind at random positions after the warm-up, spaced apart:

  volume_spike     K copies of recent normal lines at one instant (K = 3x the busiest minute
                   of the clean log, at least 20);
  sudden_silence   every later line is moved G later in event time (G = 10x the longest natural
                   gap before the point, at least 10 minutes): a source that stops talking;
  new_template     one line with a message the system has never written;
  rare_burst       10 copies of a line whose template occurred 1-5 times in the clean log
                   (at least once before the point);
  sequence         an entity's last 4 events before the point re-emitted in reverse order, chosen
                   so that at least one of its transitions was never seen for that entity.

Timestamps of injected lines are written in the system's own format. Seerflow runs with
Sigma off and no alert dedup, so every anomaly verdict is one alert line naming its event.

Matching: an alert on an injected line (for a silence: on one of the first 3 lines after the
gap) detects that injection. Alerts on clean lines within the aftermath of an injection (the
next 20 events) are attributed to that injection's kind and lower its precision, but are not
counted as false alarms of the clean stream; every other alert on a clean line after the warm-up
is a false alarm. Per kind: recall = detected / injected, precision = alerts on labelled lines /
all alerts attributed to the kind. false_alarm_rate = false alarms / clean events after warm-up.

Prints one JSON object: per system and overall.
"""
import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile

KINDS = ["volume_spike", "sudden_silence", "new_template", "rare_burst", "sequence"]
AFTERMATH = 20
SILENCE_LABELLED = 3

# Messages no Loghub system writes: what a new failure looks like.
NOVEL = [
    "FATAL:  connection limit exceeded 847/100",
    "Out of memory: Killed process 31337 (java) total-vm:8123456kB, anon-rss:7340032kB",
    "EXT4-fs error (device sdb1): ext4_journal_check_start: Detected aborted journal",
    "panic: runtime error: invalid memory address or nil pointer dereference",
    "segfault at 0000000000000018 ip 00007f3a2c1d4e5a sp 00007ffd9b1e8c40 error 4 in libc.so.6",
    "certificate verify failed: certificate has expired (notAfter=2024-01-01)",
    "Disk quota exceeded while writing checkpoint; aborting snapshot",
    "kernel BUG at mm/slub.c:3865! invalid opcode: 0000 [#1] SMP PTI",
]

# (regex of the line's leading timestamp, how to write a datetime in that format)
FORMATS = [
    (re.compile(r"^\d{6} \d{6} "), lambda t: t.strftime("%y%m%d %H%M%S ")),
    (re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}"),
     lambda t: t.strftime("%Y-%m-%d %H:%M:%S,") + "%03d" % (t.microsecond // 1000)),
    (re.compile(r"^\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}"), lambda t: t.strftime("%y/%m/%d %H:%M:%S")),
    (re.compile(r"^\[\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \d{4}\]"),
     lambda t: t.strftime("[%a %b %d %H:%M:%S %Y]")),
    # HealthApp: hour, minute, second and millisecond without zero padding ("20171224-1:2:35:9").
    (re.compile(r"^\d{8}-\d{1,2}:\d{1,2}:\d{1,2}:\d{1,3}"),
     lambda t: t.strftime("%Y%m%d-") + "%d:%d:%d:%d" % (t.hour, t.minute, t.second,
                                                         t.microsecond // 1000)),
    (re.compile(r"^\w{3} [ \d]\d \d{2}:\d{2}:\d{2}"),
     lambda t: t.strftime("%b ") + ("%2d" % t.day) + t.strftime(" %H:%M:%S")),
]


def parse_time(s):
    s = s.rstrip("Z")
    for f in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(s, f)
        except ValueError:
            pass
    raise ValueError(s)


def run_analyze(seerflow, lines, config, workdir, name):
    path = os.path.join(workdir, name + ".log")
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("\n".join(lines) + "\n")
    out = subprocess.run([seerflow, "analyze", path, "--format", "raw", "--config", config],
                         capture_output=True, check=True).stdout.decode("utf-8", "replace")
    events, alerts = [], []
    for l in out.splitlines():
        if not l.startswith("{"):
            continue
        j = json.loads(l)
        if j.get("kind") == "event":
            events.append(j)
        elif j.get("kind") == "alert":
            alerts.append(j)
    if len(events) != len(lines):
        raise RuntimeError(f"{name}: {len(lines)} lines in, {len(events)} events out")
    return events, alerts


def alert_event_indexes(alerts):
    """0-based event indexes named by anomaly alerts (seq is 1-based, in input order)."""
    out = []
    for a in alerts:
        if a.get("type") != "anomaly":
            continue
        for s in a.get("events", []):
            out.append(int(s) - 1)
    return out


class Log:
    def __init__(self, path, events):
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            self.lines = [l.rstrip("\r\n") for l in f.read().splitlines() if l.strip()]
        self.fmt = next(w for r, w in FORMATS if r.match(self.lines[0]))
        self.rx = next(r for r, w in FORMATS if r.match(self.lines[0]))
        self.times = [parse_time(e["time"]) for e in events]
        self.templates = [e.get("template_id", "") for e in events]
        self.entities = [[x["id"] for x in e.get("entities", [])] for e in events]

    def body(self, i):
        m = self.rx.match(self.lines[i])
        return self.lines[i][m.end():] if m else self.lines[i]

    def write(self, t, body):
        return self.fmt(t) + body


def busiest_minute(times):
    counts = {}
    for t in times:
        k = t.replace(second=0, microsecond=0)
        counts[k] = counts.get(k, 0) + 1
    return max(counts.values())


def build_trial(log, rng, warmup):
    """Returns (lines, labels): labels[i] = (kind, injection id) for labelled lines."""
    n = len(log.lines)
    spike_k = max(20, 3 * busiest_minute(log.times))
    # Five positions after the warm-up, at least 120 events apart.
    lo, hi = warmup + 20, n - 30
    for _ in range(1000):
        pos = sorted(rng.sample(range(lo, hi), len(KINDS)))
        if all(b - a >= 120 for a, b in zip(pos, pos[1:])):
            break
    else:
        raise RuntimeError("log too short for the injections")
    kinds = KINDS[:]
    rng.shuffle(kinds)
    plan = dict(zip(pos, kinds))
    counts = {}
    for t in log.templates:
        counts[t] = counts.get(t, 0) + 1

    out, labels, shift = [], {}, dt.timedelta(0)
    skipped = []
    for i in range(n):
        t = log.times[i] + shift
        out.append(log.write(t, log.body(i)))
        kind = plan.get(i)
        if kind is None:
            continue
        inj = (kind, i)
        if kind == "volume_spike":
            for k in range(spike_k):
                j = rng.randrange(max(0, i - 200), i + 1)
                labels[len(out)] = inj
                out.append(log.write(t, log.body(j)))
        elif kind == "new_template":
            labels[len(out)] = inj
            out.append(log.write(t, " " + rng.choice(NOVEL)))
        elif kind == "rare_burst":
            rare = [j for j in range(i) if 1 <= counts[log.templates[j]] <= 5]
            if not rare:
                skipped.append(kind)
                continue
            j = rng.choice(rare)
            for k in range(10):
                labels[len(out)] = inj
                out.append(log.write(t, log.body(j)))
        elif kind == "sequence":
            chosen = None
            cands = {}
            for j in range(i + 1):
                for e in log.entities[j]:
                    cands.setdefault(e, []).append(j)
            ents = [e for e, js in cands.items() if len(js) >= 8]
            rng.shuffle(ents)
            for e in ents:
                js = cands[e]
                seen = set(zip([log.templates[j] for j in js], [log.templates[j] for j in js[1:]]))
                last = js[-4:][::-1]
                seq = [js[-1]] + last  # the entity's previous event, then the reversed four
                trans = list(zip([log.templates[j] for j in seq], [log.templates[j] for j in seq[1:]]))
                if any(tr not in seen for tr in trans):
                    chosen = last
                    break
            if chosen is None:
                skipped.append(kind)
                continue
            for j in chosen:
                labels[len(out)] = inj
                out.append(log.write(t, log.body(j)))
        elif kind == "sudden_silence":
            natural = max((log.times[j + 1] - log.times[j] for j in range(i)), default=dt.timedelta(0))
            gap = max(dt.timedelta(minutes=10), 10 * natural)
            shift += gap
            for k in range(SILENCE_LABELLED):
                labels[len(out) + k] = inj
    return out, labels, skipped


def score(n_events, labels, flagged, warmup):
    """Per kind recall and precision, and the clean false-alarm rate."""
    inj_ids = {}
    for idx, inj in labels.items():
        inj_ids.setdefault(inj, []).append(idx)
    detected = {inj: False for inj in inj_ids}
    tp_alerts = {k: 0 for k in KINDS}
    attributed = {k: 0 for k in KINDS}
    # The aftermath of an injection: the AFTERMATH events after its last labelled line.
    after = {}
    for inj, idxs in inj_ids.items():
        for k in range(max(idxs) + 1, max(idxs) + 1 + AFTERMATH):
            if k not in labels:
                after.setdefault(k, inj)
    false_alarms = 0
    for idx in set(flagged):
        if idx in labels:
            inj = labels[idx]
            detected[inj] = True
            tp_alerts[inj[0]] += 1
            attributed[inj[0]] += 1
        elif idx in after:
            attributed[after[idx][0]] += 1
        elif idx >= warmup:
            false_alarms += 1
    clean = sum(1 for i in range(warmup, n_events) if i not in labels)
    per = {}
    for k in KINDS:
        injs = [inj for inj in inj_ids if inj[0] == k]
        per[k] = {"injected": len(injs), "detected": sum(detected[i] for i in injs),
                  "alerts": attributed[k], "alerts_on_labels": tp_alerts[k]}
    return per, false_alarms, clean


def ratio(a, b):
    return round(a / b, 4) if b else None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--seerflow", default=os.path.join(here, "..", "build", "ci", "seerflow"))
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "loghub"))
    ap.add_argument("--systems", default="")
    ap.add_argument("--trials", type=int, default=4)
    ap.add_argument("--warmup", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", default="")
    ap.add_argument("--extra-yaml", default="", help="YAML appended to the config (for tuning)")
    args = ap.parse_args()
    systems = args.systems.split(",") if args.systems else sorted(
        d for d in os.listdir(args.data) if os.path.isdir(os.path.join(args.data, d)))
    workdir = args.keep or tempfile.mkdtemp(prefix="eval_detect_")
    os.makedirs(workdir, exist_ok=True)
    config = os.path.join(workdir, "seerflow.yaml")
    with open(config, "w") as f:
        f.write("sigma:\n  enabled: false\nalerts:\n  dedup_window: 0s\n" + args.extra_yaml + "\n")
    rng = random.Random(args.seed)
    result = {"benchmark": "eval_detect", "trials_per_system": args.trials,
              "warmup_events": args.warmup, "systems": {}}
    total = {k: {"injected": 0, "detected": 0, "alerts": 0, "alerts_on_labels": 0} for k in KINDS}
    total_fa = total_clean = base_fa = base_clean = 0
    for s in systems:
        path = os.path.join(args.data, s, s + "_2k.log")
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            raw = [l.rstrip("\r\n") for l in f.read().splitlines() if l.strip()]
        events, alerts = run_analyze(args.seerflow, raw, config, workdir, s + "_clean")
        log = Log(path, events)
        flagged = [i for i in alert_event_indexes(alerts) if i >= args.warmup]
        sys_res = {"clean_run": {"events_after_warmup": len(raw) - args.warmup,
                                 "flagged": len(flagged),
                                 "false_alarm_rate": ratio(len(flagged), len(raw) - args.warmup)}}
        base_fa += len(flagged)
        base_clean += len(raw) - args.warmup
        agg = {k: {"injected": 0, "detected": 0, "alerts": 0, "alerts_on_labels": 0} for k in KINDS}
        fa = clean = 0
        skipped = []
        for trial in range(args.trials):
            lines, labels, sk = build_trial(log, rng, args.warmup)
            skipped += sk
            ev, al = run_analyze(args.seerflow, lines, config, workdir, f"{s}_trial{trial}")
            if args.keep:  # the labels beside the kept log, for looking at misses
                with open(os.path.join(workdir, f"{s}_trial{trial}.labels.json"), "w") as f:
                    json.dump({str(i): list(v) for i, v in sorted(labels.items())}, f)
            per, f_a, c = score(len(ev), labels, alert_event_indexes(al), args.warmup)
            fa += f_a
            clean += c
            for k in KINDS:
                for m in agg[k]:
                    agg[k][m] += per[k][m]
                    total[k][m] += per[k][m]
        total_fa += fa
        total_clean += clean
        sys_res["kinds"] = {k: {"injected": v["injected"], "recall": ratio(v["detected"], v["injected"]),
                                "precision": ratio(v["alerts_on_labels"], v["alerts"])}
                            for k, v in agg.items()}
        sys_res["false_alarm_rate"] = ratio(fa, clean)
        sys_res["false_alarms"] = fa
        if skipped:
            sys_res["skipped"] = skipped
        result["systems"][s] = sys_res
        print(f"{s}: done", file=sys.stderr)
    result["overall"] = {
        "kinds": {k: {"injected": v["injected"], "detected": v["detected"],
                      "recall": ratio(v["detected"], v["injected"]),
                      "precision": ratio(v["alerts_on_labels"], v["alerts"])}
                  for k, v in total.items()},
        "false_alarm_rate": ratio(total_fa, total_clean),
        "false_alarms": total_fa,
        "clean_events_after_warmup": total_clean,
        "clean_logs_false_alarm_rate": ratio(base_fa, base_clean),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
