#!/usr/bin/env bash
# bench/compare.sh — warren against its SimPy peer and the bare-loop limit, in one go on the
# same machine (see docs/performance.md).
#
# First checks (bench/check_peers.sh) that the SimPy model and the limit make exactly
# warren's deliveries on small work queues. Then runs, interleaved round by round so that a
# change in the machine's load hits all alike:
#   - warren on the four scenarios in bench/scenarios/ (paced 1M work queue, burst 1M
#     backlog, topic fanout to 50 queues, long run with crashes), full semantics, trace
#     hashed, not kept (`warren run FILE --quiet --json`);
#   - the SimPy model of the paced work queue (bench/peers/simpy_workqueue.py), both styles;
#   - the bare-loop limit of the same work queue (bench/limit), with warren's kind of event
#     queue (a heap and a FIFO for the current instant) and with a plain heap;
#   - `warren explore` on the paced work queue (EXPLORE_CASES cases, --jobs 1): its events
#     per second against `warren run --quiet`'s on the same scenario; and on the bundled
#     work-queues scenario (SCALE_CASES small cases) with --jobs 1 and --jobs 2: the scaling;
#   - the TUI's timeline on the burst (`cargo bench --bench timeline -- --report`, in a
#     process of its own, TIMELINE_RUNS rounds): its peak memory after running to the end
#     (`e`) and the time of a step back at the start, in the middle, at the end and anywhere;
# and prints (bench/summarize.py) medians: messages per second for each, peak memory,
# bytes per backlogged message on the burst, the burst/paced time ratio, the targets, and
# finally exactly
#   ratio warren/simpy: X
#   ratio warren/limit: Y
# (warren's paced work queue over the faster SimPy style and over the faster limit, messages
# per second, medians of the same run).
#
# Environment: RUNS (rounds for warren and the limit, default 5), SIMPY_RUNS (rounds for
# SimPy, default 3), SIMPY_COUNT (messages for SimPy, default the paced scenario's count),
# SKIP_BUILD=1 (use the binaries as built), SKIP_CHECK=1 (skip bench/check_peers.sh),
# EXPLORE_CASES (cases of the paced explore row, default 2), SCALE_CASES (cases of the
# scaling row, default 100000: long enough that the campaign's fixed start, about 4 ms, stays under 1 %), TIMELINE_RUNS (rounds of the timeline row, default 3), PYTHON (default python3), MARKDOWN=FILE (also write the figures as the Markdown tables of
# docs/performance.md to FILE). Progress goes to stderr, the results to stdout. A full run
# takes about a minute on two cores, plus the build.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
SIMPY_RUNS=${SIMPY_RUNS:-3}
EXPLORE_CASES=${EXPLORE_CASES:-2}
SCALE_CASES=${SCALE_CASES:-100000}
TIMELINE_RUNS=${TIMELINE_RUNS:-3}
PYTHON=${PYTHON:-python3}
WARREN=./target/release/warren
LIMIT=bench/limit/target/release/warren-limit
VARIANTS=(workqueue-paced workqueue-burst topic-fanout long-run-faults)

say() { printf '%s\n' "$*" >&2; }

# The peers run the paced scenario's message count (and the burst's, for its backlog).
count_of() { grep -m1 -oE 'count: [0-9]+' "bench/scenarios/$1.yaml" | grep -oE '[0-9]+'; }
PACED_COUNT=$(count_of workqueue-paced)
BURST_COUNT=$(count_of workqueue-burst)
SIMPY_COUNT=${SIMPY_COUNT:-$PACED_COUNT}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "building warren (release) ..."
    cargo build --release --quiet --bin warren
    say "building bench/limit (release) ..."
    cargo build --release --quiet --manifest-path bench/limit/Cargo.toml
    say "building the timeline bench (release) ..."
    cargo bench --quiet --bench timeline --no-run
fi
if ! "$PYTHON" -c 'import simpy' 2>/dev/null; then
    say "installing SimPy (pip install simpy) ..."
    "$PYTHON" -m pip install --quiet simpy || "$PYTHON" -m pip install --quiet --break-system-packages simpy
fi

if [ "${SKIP_CHECK:-0}" != 1 ]; then
    say "checking that the peers make warren's deliveries (bench/check_peers.sh) ..."
    WARREN=$WARREN LIMIT=$LIMIT PYTHON=$PYTHON bench/check_peers.sh >&2
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The baseline for memory: the burst scenario with a single message (no backlog).
sed -E 's/count: [0-9]+/count: 1/' bench/scenarios/workqueue-burst.yaml >"$out/baseline.yaml"
for _ in 1 2 3; do
    "$WARREN" run "$out/baseline.yaml" --quiet --json 2>/dev/null >>"$out/baseline.jsonl"
done
# The backlog the burst builds, from the limit's model of it (checked against warren above).
"$LIMIT" "$BURST_COUNT" --every 0 >"$out/limit-burst.jsonl"

rounds=$((RUNS > SIMPY_RUNS ? RUNS : SIMPY_RUNS))
rounds=$((rounds > TIMELINE_RUNS ? rounds : TIMELINE_RUNS))
for ((i = 1; i <= rounds; i++)); do
    if ((i <= RUNS)); then
        for v in "${VARIANTS[@]}"; do
            say "round $i/$rounds: warren $v"
            "$WARREN" run "bench/scenarios/$v.yaml" --quiet --json 2>>"$out/warren.stderr" >>"$out/$v.jsonl"
        done
        say "round $i/$rounds: warren explore (paced, --jobs 1; work-queues, --jobs 1 and 2)"
        "$WARREN" explore bench/scenarios/workqueue-paced.yaml --cases "$EXPLORE_CASES" --jobs 1 --json \
            2>>"$out/warren.stderr" >>"$out/explore-paced.jsonl"
        for jobs in 1 2; do
            "$WARREN" explore work-queues --ignore-expect --cases "$SCALE_CASES" --jobs "$jobs" --json \
                2>>"$out/warren.stderr" >>"$out/explore-scale-$jobs.jsonl"
        done
        say "round $i/$rounds: limit"
        "$LIMIT" "$PACED_COUNT" >>"$out/limit.jsonl"
        "$LIMIT" "$PACED_COUNT" --heap-only >>"$out/limit-heap-only.jsonl"
    fi
    if ((i <= TIMELINE_RUNS)); then
        say "round $i/$rounds: the TUI's timeline on the burst (run to the end, step back)"
        cargo bench --quiet --bench timeline -- --report 2>>"$out/warren.stderr" >>"$out/timeline.jsonl"
    fi
    if ((i <= SIMPY_RUNS)); then
        for style in callbacks processes; do
            say "round $i/$rounds: simpy, $style ($SIMPY_COUNT messages)"
            "$PYTHON" bench/peers/simpy_workqueue.py "$SIMPY_COUNT" --style "$style" >>"$out/simpy-$style.jsonl"
        done
    fi
done

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no -- src Cargo.toml Cargo.lock 2>/dev/null)" ]; then
    commit="$commit + uncommitted changes to src/ or Cargo.*"
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)

"$PYTHON" bench/summarize.py "$out" \
    --commit "$commit" --cpu "${cpu:-unknown}" --cores "$(nproc)" --runs "$RUNS" --simpy-runs "$SIMPY_RUNS" \
    --rustc "$(rustc --version 2>/dev/null || echo 'rustc unknown')" ${MARKDOWN:+--markdown "$MARKDOWN"}
