#!/usr/bin/env python3
"""Summarizes the runs of bench/compare.sh (its only caller): medians, memory, targets, ratios.

Reads DIR/*.jsonl — one JSON object per run: `warren run --quiet --json` for each of the
four scenarios, bench/limit, bench/peers/simpy_workqueue.py (both styles), `warren explore`
and the TUI's timeline (`cargo bench --bench timeline -- --report`) — and prints the table,
the burst's bytes per backlogged message, the burst/paced time ratio, the timeline's peak
memory and step-back times, whether the targets are met, and ends with exactly two lines:
    ratio warren/simpy: X
    ratio warren/limit: Y
"""

import argparse
import datetime
import json
import os
import statistics
import sys

import simpy

SCENARIOS = [
    ("workqueue-paced", "warren, paced work queue"),
    ("workqueue-burst", "warren, burst (1M backlog)"),
    ("topic-fanout", "warren, topic fanout to 50 queues"),
    ("long-run-faults", "warren, long run with crashes"),
]


def med(xs):
    return statistics.median(xs)


def rate(x):
    return f"{x / 1e6:.2f}M" if x >= 1e6 else f"{x / 1e3:.0f}k"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--commit", default="unknown")
    p.add_argument("--cpu", default="unknown")
    p.add_argument("--cores", default="?")
    p.add_argument("--runs", default="?")
    p.add_argument("--simpy-runs", default="?")
    p.add_argument("--rustc", default="rustc unknown")
    p.add_argument("--markdown", help="also write the figures as Markdown tables to this file")
    a = p.parse_args()

    def load(name):
        with open(os.path.join(a.dir, name + ".jsonl")) as f:
            return [json.loads(line) for line in f if line.strip()]

    warren = {key: load(key) for key, _ in SCENARIOS}
    limit, limit_heap = load("limit"), load("limit-heap-only")
    base, limit_burst = load("baseline"), load("limit-burst")[0]
    simpy_cb, simpy_proc = load("simpy-callbacks"), load("simpy-processes")

    problems = []
    for key, rs in warren.items():
        hashes = sorted({r["trace_hash"] for r in rs})
        if len(hashes) != 1:
            problems.append(f"{key}: the trace hash differs between runs: {hashes}")
        f = rs[0]["fates"]
        if f["still_ready"] or f["still_unacked"] or f["lost"]:
            problems.append(f"{key}: messages left or lost: {f}")
    peers = (("limit", limit), ("limit heap-only", limit_heap), ("simpy callbacks", simpy_cb), ("simpy processes", simpy_proc))
    for name, rs in peers:
        for r in rs:
            if r["acked"] != r["messages"]:
                problems.append(f"{name}: {r['acked']} of {r['messages']} acked")

    # One row per measured thing: medians of wall s, messages/s (published, for warren),
    # events/s, peak RSS.
    rows = []

    def row(label, rs, messages, events, msgs_per_s):
        r = {
            "label": label,
            "messages": messages,
            "events": events,
            "wall": med([x["wall_s"] for x in rs]),
            "mps": med([msgs_per_s(x) for x in rs]),
            "eps": med([x["events"] / x["wall_s"] for x in rs]) if events else None,
            "rss": med([x["peak_rss_bytes"] for x in rs]),
        }
        rows.append(r)
        return r

    w = {}
    for key, label in SCENARIOS:
        rs = warren[key]
        w[key] = row(label, rs, rs[0]["published"], rs[0]["events"], lambda x: x["published"] / x["wall_s"])

    def peer(x):
        return x["messages_per_s"]

    s_cb = row("SimPy, paced, callbacks", simpy_cb, simpy_cb[0]["messages"], simpy_cb[0].get("events"), peer)
    s_pr = row("SimPy, paced, processes", simpy_proc, simpy_proc[0]["messages"], simpy_proc[0].get("events"), peer)
    lim_fifo = row("bare-loop limit, heap + FIFO", limit, limit[0]["messages"], limit[0]["events"], peer)
    lim_heap = row("bare-loop limit, heap only", limit_heap, limit_heap[0]["messages"], limit_heap[0]["events"], peer)
    # The faster limit is the ceiling.
    lim = max(lim_fifo, lim_heap, key=lambda r: r["mps"])

    topic = warren["topic-fanout"]
    topic_dps = med([r["delivered"] / r["wall_s"] for r in topic])
    base_rss = med([r["peak_rss_bytes"] for r in base])
    backlog = limit_burst["peak_backlog"]
    burst_rss = w["workqueue-burst"]["rss"]
    per_msg = (burst_rss - base_rss) / backlog
    burst_paced = w["workqueue-burst"]["wall"] / w["workqueue-paced"]["wall"]
    # The faster SimPy style is the peer of the ratio (the conservative choice).
    simpy_best = max(s_cb, s_pr, key=lambda r: r["mps"])
    r_simpy = w["workqueue-paced"]["mps"] / simpy_best["mps"]
    r_limit = w["workqueue-paced"]["mps"] / lim["mps"]
    # explore: events/s of a campaign on the paced work queue against `warren run --quiet`'s,
    # and the cases/s of --jobs 2 against --jobs 1 on small cases.
    ex_paced, ex1, ex2 = load("explore-paced"), load("explore-scale-1"), load("explore-scale-2")
    for name, rs in (("explore paced", ex_paced), ("explore --jobs 1", ex1), ("explore --jobs 2", ex2)):
        if len({(r["cases"], r["events"], r["failed"]) for r in rs}) != 1:
            problems.append(f"{name}: the figures differ between runs")
    if {(r["cases"], r["events"], r["failed"]) for r in ex1} != {(r["cases"], r["events"], r["failed"]) for r in ex2}:
        problems.append("explore: --jobs 1 and --jobs 2 differ in cases, events or the failing case")
    ex_eps = med([r["events"] / r["wall_s"] for r in ex_paced])
    run_eps = w["workqueue-paced"]["eps"]
    ex_vs_run = ex_eps / run_eps
    cps1 = med([r["cases"] / r["wall_s"] for r in ex1])
    cps2 = med([r["cases"] / r["wall_s"] for r in ex2])
    scaling = cps2 / cps1
    ex_rss = med([r["peak_rss_bytes"] for r in ex_paced])
    # The TUI's timeline after `e` on the burst: peak memory, and step backs (ms).
    tl = load("timeline")
    if len({(r["events"], r["records"]) for r in tl}) != 1:
        problems.append("timeline: the events or records differ between runs")
    tl_rss = med([r["peak_rss_bytes"] for r in tl])
    tl_fwd = med([r["forward_s"] for r in tl])
    sb = {k: med([r["step_back_ms"][k] for r in tl]) for k in ("start", "middle", "end", "median", "max")}
    targets = [
        (r_simpy >= 9, f"warren >= 9x SimPy on the paced work queue: {r_simpy:.2f}x"),
        (r_limit >= 0.33, f"warren >= 33% of the bare limit on the paced work queue: {100 * r_limit:.0f}%"),
        (per_msg <= 100, f"<= 100 bytes per backlogged message plus body on the burst: {per_msg:.1f}"),
        (burst_paced <= 2, f"burst within 2x the paced time: {burst_paced:.2f}x"),
        (ex_vs_run >= 0.25, f"explore --jobs 1 events/s >= 25% of warren run --quiet (paced): {100 * ex_vs_run:.0f}%"),
        (scaling >= 1.7, f"explore --jobs 2 >= 1.7x the cases/s of --jobs 1 (work-queues): {scaling:.2f}x"),
        (tl_rss <= 600e6, f"timeline after `e` on the burst: peak memory <= 600 MB: {tl_rss / 1e6:.1f} MB"),
        (sb["max"] <= 50, f"timeline: a step back anywhere in the burst <= 50 ms: max {sb['max']:.1f} ms (median {sb['median']:.1f})"),
    ]

    today = datetime.date.today().isoformat()
    py = sys.version.split()[0]
    print(f"# warren benchmark, {today}, commit {a.commit}; {a.cores} cores ({a.cpu})")
    print(f"# {a.rustc}; Python {py}, SimPy {simpy.__version__}; medians of {a.runs} runs ({a.simpy_runs} for SimPy)")
    print()
    print(f"{'what':<34} {'messages':>9} {'events':>9} {'wall s':>7} {'msg/s':>8} {'events/s':>9} {'peak MB':>8}")
    for r in rows:
        eps = rate(r["eps"]) if r["eps"] else "-"
        print(
            f"{r['label']:<34} {r['messages']:>9} {r['events'] or '-':>9} {r['wall']:>7.3f} "
            f"{rate(r['mps']):>8} {eps:>9} {r['rss'] / 1e6:>8.1f}"
        )
    print()
    print(f"topic fanout deliveries/s: {rate(topic_dps)} ({topic[0]['delivered']} deliveries of {topic[0]['published']} messages)")
    print(
        f"burst memory: (peak {burst_rss / 1e6:.1f} MB - baseline {base_rss / 1e6:.1f} MB, the same scenario with "
        f"1 message) / backlog {backlog} = {per_msg:.1f} bytes per backlogged message"
    )
    print("  (body included: warren keeps a body as its template and number, `job {n}`, in the 16-byte")
    print("   message record and renders it only when shown; rendered, it would be ~10 bytes more)")
    print(f"burst/paced wall time: {burst_paced:.2f}")
    print(
        f"explore, paced work queue, --jobs 1: {rate(ex_eps)} events/s ({ex_paced[0]['cases']} cases, "
        f"{ex_paced[0]['events']} events, peak {ex_rss / 1e6:.1f} MB) = {100 * ex_vs_run:.0f}% of warren run --quiet's {rate(run_eps)}"
    )
    print(
        f"explore, work-queues ({ex1[0]['cases']} cases): --jobs 1 {cps1:,.0f} cases/s, --jobs 2 {cps2:,.0f} cases/s "
        f"= {scaling:.2f}x ({a.cores} cores)"
    )
    print(
        f"timeline (TUI) on the burst: run to the end ({tl[0]['events']} events, {tl[0]['records']} records) "
        f"{tl_fwd:.1f} s, peak {tl_rss / 1e6:.1f} MB, {tl[0]['snapshots']} snapshots; step back ms: "
        f"start {sb['start']:.1f}, middle {sb['middle']:.1f}, end {sb['end']:.1f}, anywhere median {sb['median']:.1f} max {sb['max']:.1f}"
    )
    print(
        f"the ratios take the faster peer of each kind: SimPy {simpy_best['label'].split(', ')[-1]}, "
        f"limit {lim['label'].split(', ')[-1]} (against the other: warren/simpy "
        f"{w['workqueue-paced']['mps'] / min(s_cb, s_pr, key=lambda r: r['mps'])['mps']:.2f}, warren/limit "
        f"{w['workqueue-paced']['mps'] / min(lim_fifo, lim_heap, key=lambda r: r['mps'])['mps']:.2f})"
    )
    print()
    for ok, text in targets:
        print(f"target {'met:    ' if ok else 'NOT met:'} {text}")
    for prob in problems:
        print(f"PROBLEM: {prob}")

    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(
                f"Measured {today}, commit {a.commit}; {a.cores} cores ({a.cpu}); {a.rustc}, Python {py}, "
                f"SimPy {simpy.__version__}; medians of {a.runs} runs ({a.simpy_runs} for SimPy).\n\n"
            )
            f.write("| what | messages | events | wall s | messages/s | events/s | peak RSS MB |\n")
            f.write("|---|---:|---:|---:|---:|---:|---:|\n")
            for r in rows:
                eps = rate(r["eps"]) if r["eps"] else "-"
                evs = f"{r['events']:,}" if r["events"] else "-"
                f.write(
                    f"| {r['label']} | {r['messages']:,} | {evs} | {r['wall']:.3f} | {rate(r['mps'])} | {eps} "
                    f"| {r['rss'] / 1e6:.1f} |\n"
                )
            f.write("\n| figure | measured | target |\n|---|---:|---|\n")
            f.write(f"| ratio warren/simpy (paced; the faster SimPy style) | {r_simpy:.2f} | >= 9 |\n")
            f.write(f"| ratio warren/limit (paced; the faster limit) | {r_limit:.2f} | >= 0.33 |\n")
            f.write(f"| ratio warren/limit, heap-only limit | {w['workqueue-paced']['mps'] / lim_heap['mps']:.2f} | |\n")
            f.write(f"| ratio warren/simpy, processes style | {w['workqueue-paced']['mps'] / s_pr['mps']:.2f} | |\n")
            f.write(f"| bytes per backlogged message (burst; body included) | {per_msg:.1f} | <= 100 + body |\n")
            f.write(f"| burst/paced wall time | {burst_paced:.2f} | <= 2 |\n")
            f.write(f"| topic fanout deliveries/s | {rate(topic_dps)} | |\n")
            f.write(f"| explore events/s over run --quiet's (paced, --jobs 1) | {100 * ex_vs_run:.0f}% | >= 25% |\n")
            f.write(f"| explore cases/s, --jobs 2 over --jobs 1 (work-queues) | {scaling:.2f} | >= 1.7 |\n")
            f.write(f"| timeline peak RSS after `e` on the burst, MB | {tl_rss / 1e6:.1f} | <= 600 |\n")
            f.write(f"| timeline step back, ms: start / middle / end | {sb['start']:.1f} / {sb['middle']:.1f} / {sb['end']:.1f} | |\n")
            f.write(f"| timeline step back anywhere, ms: median / max | {sb['median']:.1f} / {sb['max']:.1f} | max <= 50 |\n")

    print()
    print(f"ratio warren/simpy: {r_simpy:.2f}")
    print(f"ratio warren/limit: {r_limit:.2f}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
