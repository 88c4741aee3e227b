#!/usr/bin/env bash
# bench/compare.sh — warren against its SimPy peer and the bare-loop limit, in one go on the
# same machine (see docs/performance.md).
#
# Runs, interleaved round by round so that a change in the machine's load hits all alike:
#   - warren on the four scenarios in bench/scenarios/ (paced 1M work queue, burst 1M
#     backlog, topic fanout to 50 queues, long run with crashes), full semantics, trace
#     hashed (`warren run FILE --quiet --json`);
#   - the SimPy model of the paced work queue (bench/peers/simpy_workqueue.py);
#   - the bare-loop limit of the same work queue (bench/limit).
# and prints medians: messages per second for each, warren's peak memory, bytes per
# backlogged message on the burst, the burst/paced time ratio, and finally exactly
#   ratio warren/simpy: X
#   ratio warren/limit: Y
# (warren's paced 1M work queue over each, messages per second, same run).
#
# Environment: RUNS (rounds for warren and the limit, default 5), SIMPY_RUNS (default 3),
# SIMPY_COUNT (messages for the SimPy model, default 1000000), SKIP_BUILD=1 (use the
# binaries as built), SKIP_CHECK=1 (skip bench/check_peers.sh), PYTHON (default python3).
# Progress goes to stderr, the results to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
SIMPY_RUNS=${SIMPY_RUNS:-3}
SIMPY_COUNT=${SIMPY_COUNT:-1000000}
PYTHON=${PYTHON:-python3}
WARREN=./target/release/warren
LIMIT=bench/limit/target/release/warren-limit
VARIANTS=(workqueue-paced workqueue-burst topic-fanout long-run-faults)

say() { printf '%s\n' "$*" >&2; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "building warren (release) ..."
    cargo build --release --quiet --bin warren
    say "building bench/limit (release) ..."
    cargo build --release --quiet --manifest-path bench/limit/Cargo.toml
fi
if ! "$PYTHON" -c 'import simpy' 2>/dev/null; then
    say "installing SimPy (pip install simpy) ..."
    "$PYTHON" -m pip install --quiet simpy
fi

if [ "${SKIP_CHECK:-0}" != 1 ]; then
    say "checking that the peers make warren's deliveries (bench/check_peers.sh) ..."
    bench/check_peers.sh >&2
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The baseline for memory: the burst scenario with a single message (no backlog).
sed 's/count: 1000000/count: 1/' bench/scenarios/workqueue-burst.yaml >"$out/baseline.yaml"
for _ in 1 2 3; do
    "$WARREN" run "$out/baseline.yaml" --quiet --json 2>/dev/null >>"$out/baseline.jsonl"
done
# The backlog the burst builds, from the limit's model of it (checked against warren above).
"$LIMIT" 1000000 --every 0 >"$out/limit-burst.jsonl"

rounds=$((RUNS > SIMPY_RUNS ? RUNS : SIMPY_RUNS))
for ((i = 1; i <= rounds; i++)); do
    if ((i <= RUNS)); then
        for v in "${VARIANTS[@]}"; do
            say "round $i/$rounds: warren $v"
            "$WARREN" run "bench/scenarios/$v.yaml" --quiet --json 2>>"$out/warren.stderr" >>"$out/$v.jsonl"
        done
        say "round $i/$rounds: limit"
        "$LIMIT" 1000000 >>"$out/limit.jsonl"
    fi
    if ((i <= SIMPY_RUNS)); then
        say "round $i/$rounds: simpy ($SIMPY_COUNT messages)"
        "$PYTHON" bench/peers/simpy_workqueue.py "$SIMPY_COUNT" >>"$out/simpy.jsonl"
    fi
done

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no -- src Cargo.toml Cargo.lock 2>/dev/null)" ]; then
    commit="$commit+uncommitted changes in src/"
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)

OUT=$out COMMIT=$commit CPU=${cpu:-unknown} CORES=$(nproc) RUNS=$RUNS SIMPY_RUNS=$SIMPY_RUNS \
    RUSTC="$(rustc --version 2>/dev/null || echo rustc unknown)" "$PYTHON" - <<'EOF'
import json, os, statistics, sys

out = os.environ["OUT"]

def load(name):
    with open(os.path.join(out, name + ".jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]

def med(xs):
    return statistics.median(xs)

def mps(r):  # messages (published) per wall second, as `warren run --quiet` reports
    return r["published"] / r["wall_s"]

def mb(b):
    return b / 1e6

def fmt_rate(x):
    return f"{x / 1e6:.2f}M" if x >= 1e6 else f"{x / 1e3:.0f}k"

runs = {v: load(v) for v in ["workqueue-paced", "workqueue-burst", "topic-fanout", "long-run-faults"]}
limit, simpy, base = load("limit"), load("simpy"), load("baseline")
limit_burst = load("limit-burst")[0]

problems = []
for v, rs in runs.items():
    hashes = {r["trace_hash"] for r in rs}
    if len(hashes) != 1:
        problems.append(f"{v}: trace hash differs between runs: {sorted(hashes)}")
    f = rs[0]["fates"]
    if f["still_ready"] or f["still_unacked"] or f["lost"]:
        problems.append(f"{v}: messages left or lost: {f}")
for name, rs in (("limit", limit), ("simpy", simpy)):
    for r in rs:
        if r["acked"] != r["messages"]:
            problems.append(f"{name}: {r['acked']} of {r['messages']} acked")

import simpy as _simpy  # noqa: E402  (only for its version)

print(f"# warren benchmark — commit {os.environ['COMMIT']}, {os.environ['CORES']} cores ({os.environ['CPU']})")
print(f"# {os.environ['RUSTC']}; Python {sys.version.split()[0]}, SimPy {_simpy.__version__}; "
      f"medians of {os.environ['RUNS']} runs ({os.environ['SIMPY_RUNS']} for SimPy)")
print()
print(f"{'what':<34} {'messages':>9} {'events':>9} {'wall s':>7} {'msg/s':>8} {'events/s':>9} {'peak MB':>8}")

paced_mps = med([mps(r) for r in runs["workqueue-paced"]])
rows = {}
for v, label in [
    ("workqueue-paced", "warren paced work queue"),
    ("workqueue-burst", "warren burst (1M backlog)"),
    ("topic-fanout", "warren topic fanout, 50 queues"),
    ("long-run-faults", "warren long run with crashes"),
]:
    rs = runs[v]
    wall = med([r["wall_s"] for r in rs])
    rate = med([mps(r) for r in rs])
    evs = rs[0]["events"]
    ev_rate = med([r["events"] / r["wall_s"] for r in rs])
    rss = med([r["peak_rss_bytes"] for r in rs])
    rows[v] = (wall, rate, rss)
    print(f"{label:<34} {rs[0]['published']:>9} {evs:>9} {wall:>7.3f} {fmt_rate(rate):>8} {fmt_rate(ev_rate):>9} {mb(rss):>8.1f}")

for rs, label in ((simpy, "SimPy model, paced work queue"), (limit, "bare-loop limit, paced")):
    wall = med([r["wall_s"] for r in rs])
    rate = med([r["messages_per_s"] for r in rs])
    evs = rs[0].get("events")
    ev_rate = fmt_rate(med([r["events"] / r["wall_s"] for r in rs])) if evs else "-"
    rss = med([r["peak_rss_bytes"] for r in rs])
    print(f"{label:<34} {rs[0]['messages']:>9} {evs or '-':>9} {wall:>7.3f} {fmt_rate(rate):>8} {ev_rate:>9} {mb(rss):>8.1f}")

topic = runs["topic-fanout"]
print()
print(f"topic fanout deliveries/s: {fmt_rate(med([r['delivered'] / r['wall_s'] for r in topic]))} "
      f"({topic[0]['delivered']} deliveries of {topic[0]['published']} messages)")
burst_wall, _, burst_rss = rows["workqueue-burst"]
paced_wall = rows["workqueue-paced"][0]
base_rss = med([r["peak_rss_bytes"] for r in base])
backlog = limit_burst["peak_backlog"]
per_msg = (burst_rss - base_rss) / backlog
print(f"burst memory: peak {mb(burst_rss):.1f} MB - baseline {mb(base_rss):.1f} MB (same scenario, 1 message) "
      f"over a backlog of {backlog} = {per_msg:.1f} bytes per backlogged message")
print("  (the body is included: warren keeps a body as its template and number, `job {n}`, inside the")
print("   message record and renders it only when shown; rendered it would be ~10 bytes)")
print(f"burst/paced wall time: {burst_wall / paced_wall:.2f}")

simpy_mps = med([r["messages_per_s"] for r in simpy])
limit_mps = med([r["messages_per_s"] for r in limit])
r_simpy = paced_mps / simpy_mps
r_limit = paced_mps / limit_mps

print()
def target(ok, text):
    print(f"target {'met    ' if ok else 'NOT met'}: {text}")
target(r_simpy >= 25, f"warren >= 25x SimPy on the paced work queue (now {r_simpy:.2f}x)")
target(r_limit >= 0.5, f"warren >= 50% of the bare limit on the paced work queue (now {100 * r_limit:.0f}%)")
target(per_msg <= 100, f"<= 100 bytes per backlogged message plus body on the burst (now {per_msg:.1f})")
target(burst_wall / paced_wall <= 2, f"burst within 2x the paced time (now {burst_wall / paced_wall:.2f}x)")
for p in problems:
    print(f"PROBLEM: {p}")
print()
print(f"ratio warren/simpy: {r_simpy:.2f}")
print(f"ratio warren/limit: {r_limit:.2f}")
EOF
