#!/usr/bin/env bash
# Checks that the SimPy peer and the bare-loop limit model the same work queue as warren:
# for a few small work queues (1,000 messages; paced, overloaded, with ties, a burst), every
# delivery — which message, to which consumer, at which microsecond — must be the same in
# warren's trace, in bench/peers/simpy_workqueue.py (both styles) and in bench/limit (both
# event queues).
#
# Usage: bench/check_peers.sh   (after building warren and bench/limit in release mode;
# bench/compare.sh runs it first). Exit status 0 when all agree, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

WARREN=${WARREN:-./target/release/warren}
LIMIT=${LIMIT:-bench/limit/target/release/warren-limit}
PYTHON=${PYTHON:-python3}
COUNT=1000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# every_us work_us consumers: the paced benchmark, an overloaded queue (a backlog forms and
# drains through the consumer ring), publishes and acks at the same instant, more consumers
# than fit, and the burst (every 0: all at time 0).
cases=("10 35 4" "7 33 4" "5 20 4" "3 20 7" "0 35 4")
status=0
for c in "${cases[@]}"; do
    read -r every work n <<<"$c"
    {
        echo "name: check-peers"
        echo "seed: 1"
        echo "queues:"
        echo "  - { name: work }"
        echo "consumers:"
        for i in $(seq 1 "$n"); do
            echo "  - { name: w$i, queue: work, prefetch: 1, work: ${work}us }"
        done
        echo "producers:"
        echo "  - name: producer"
        echo "    publish:"
        if [ "$every" = 0 ]; then
            echo "      - { at: 0s, key: work, body: \"job {n}\", count: $COUNT }"
        else
            echo "      - { at: 0s, key: work, body: \"job {n}\", count: $COUNT, every: ${every}us }"
        fi
    } >"$tmp/s.yaml"
    "$WARREN" run "$tmp/s.yaml" --json | "$PYTHON" -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["kind"] == "delivered":
        print("deliver", r["body"].split()[-1], r["consumer"][1:], r["t_us"])
' >"$tmp/warren.txt"
    "$LIMIT" "$COUNT" --every "$every" --work "$work" --consumers "$n" --deliveries | grep '^deliver' >"$tmp/limit.txt"
    "$LIMIT" "$COUNT" --every "$every" --work "$work" --consumers "$n" --heap-only --deliveries |
        grep '^deliver' >"$tmp/limit-heap-only.txt"
    for style in callbacks processes; do
        "$PYTHON" bench/peers/simpy_workqueue.py "$COUNT" --every "$every" --work "$work" --consumers "$n" --style "$style" \
            --deliveries | grep '^deliver' >"$tmp/simpy-$style.txt"
    done
    got=$(wc -l <"$tmp/warren.txt")
    verdict="same $got deliveries"
    for peer in limit limit-heap-only simpy-callbacks simpy-processes; do
        if ! cmp -s "$tmp/warren.txt" "$tmp/$peer.txt"; then
            diff "$tmp/warren.txt" "$tmp/$peer.txt" >"$tmp/diff.txt" || true
            verdict="$peer DIFFERS from warren: $(head -3 "$tmp/diff.txt" | tr '\n' ' ')"
            status=1
        fi
    done
    if [ "$got" != "$COUNT" ]; then
        verdict="warren delivered $got of $COUNT"
        status=1
    fi
    printf 'check every=%sus work=%sus consumers=%s: %s\n' "$every" "$work" "$n" "$verdict"
done
exit $status
