#!/usr/bin/env python3
"""tools/diffgen.py — random scenarios for a differential campaign against a real broker.

    tools/diffgen.py gen SEED [DIR]          write DIR/rSEED.yaml (DIR: /tmp/diffgen)
    tools/diffgen.py run FROM TO [DIR]       generate seeds FROM..TO and `warren diff` each
                                             (env: WARREN, default target/release/warren;
                                             VHOST, default warren-fuzz; SCALE, default 2;
                                             BROKER_CMD, default .ci/rabbitmq)

`run` appends one line per seed to DIR/results.txt (`SEED same|DIFF|ERROR`) and keeps each
diff's output in DIR/diffSEED.txt and what the broker showed in DIR/diffSEED.observed.jsonl
(compare again offline with `warren diff DIR/rSEED.yaml --observed ...`). A seed that differs is then run again at a slower time
scale (SCALE * 3, DIR/diffSEED.slow.txt): a difference that goes away there was a race of
the real run's timing, not of the model. What is left is triaged by hand: reduce the
scenario, read the broker's source, record a probe in tests/conformance_diff/.

The scenarios use what a real client can do and warren models — classic, priority and
quorum queues, TTLs, length limits, dead-lettering, the four exchange types, confirms,
mandatory, consumers with every ack mode, prefetch, priorities, cancel, recover, qos
changes, ack_every, get pollers, RPC (callback queue or direct reply-to), client crashes
and restarts; from seed 2000 also alternate exchanges, x-expires, x-max-length-bytes,
auto-delete and durable queues, exclusive consumers, the consumer timeout and broker stops and
restarts; from 2400 exchange-to-exchange bindings, internal exchanges, clients' own declares
(404, 406) — and keep the steps of different clients on separate
milliseconds of a 100 ms grid, so that most outcomes do not hang on a real run's jitter.
Deterministic: the same seed writes the same file.
"""

import os
import random
import subprocess
import sys

EXCHANGE_TYPES = ["direct", "fanout", "topic", "headers"]
ACKS = ["manual", "manual", "manual", "auto", "requeue", "reject", "nack", "reject-requeue", "forget"]
WORDS = ["a", "b", "c"]


def ms(v):
    return f"{v}ms"


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed
        # Each client gets its own millisecond within the 100 ms grid: steps of different
        # clients never fall within 10 ms of each other at the grid's scale.
        self.slots = list(range(5, 100, 10))
        self.r.shuffle(self.slots)
        # Seeds from 2000 on also draw the third generator's features (alternate
        # exchanges, x-expires, x-max-length-bytes, auto-delete and durable queues, exclusive
        # consumers, the consumer timeout, broker stops and restarts); earlier seeds write
        # what they always wrote.
        self.v3 = seed >= 2000
        # From 2100 on, times the broker counts (TTLs, x-expires) end in 3 ms: every step of a
        # client falls on a millisecond ending in 5, so an expiry never ties with one (seed
        # 2013: a TTL ran out at the very microsecond of a publish, which the real broker
        # serves first and warren second, both right).
        self.off = 3 if seed >= 2100 else 0
        # From 2400 on: exchange-to-exchange bindings through an internal exchange, clients'
        # own declares (a passive declare of a missing queue: 404; a redeclare with other
        # arguments: 406).
        self.v4 = seed >= 2400

    def slot(self):
        return self.slots.pop() if self.slots else self.r.randrange(100)

    def queue(self, i, dlx):
        r = self.r
        q = {"name": f"q{i}"}
        args = {}
        quorum = r.random() < 0.2
        if quorum:
            q["durable"] = True
            args["x-queue-type"] = "quorum"
            if r.random() < 0.4:
                args["x-delivery-limit"] = r.randrange(0, 3)
        elif r.random() < 0.25:
            args["x-max-priority"] = r.choice([1, 3, 9])
        if r.random() < 0.3:
            args["x-message-ttl"] = r.choice([150, 400, 1000, 2500]) + self.off
        if r.random() < 0.3:
            args["x-max-length"] = r.randrange(0, 4)
            over = ["drop-head", "reject-publish"] + ([] if quorum else ["reject-publish-dlx"])
            args["x-overflow"] = r.choice(over)
        if dlx and r.random() < 0.6:
            args["x-dead-letter-exchange"] = "dlx"
            if r.random() < 0.3:
                args["x-dead-letter-routing-key"] = "dead"
        if not quorum and r.random() < 0.15:
            args["x-single-active-consumer"] = True
        if self.v3:
            if r.random() < 0.15:
                args["x-max-length-bytes"] = r.choice([4, 10, 20])
                args.setdefault("x-overflow", r.choice(["drop-head", "reject-publish"]))
            if r.random() < 0.1:
                args["x-expires"] = r.choice([1500, 3000]) + self.off
            if not quorum and r.random() < 0.1:
                q["auto_delete"] = True
            if r.random() < 0.25:
                q["durable"] = True
        if args:
            q["arguments"] = args
        return q

    def binding(self, etype, q):
        r = self.r
        b = {"exchange": "e0", "queue": q}
        if etype in ("direct", "topic"):
            b["key"] = r.choice(WORDS) if etype == "direct" else r.choice(["a.*", "#", "*.b", "a.#", "c"])
        elif etype == "headers":
            b["arguments"] = {"x-match": r.choice(["all", "any"]), "k": r.choice(WORDS)}
            if r.random() < 0.5:
                b["arguments"]["j"] = r.choice(WORDS)
        return b

    def publish(self, queues, etype, slot):
        r = self.r
        p = {"at": ms(100 * r.randrange(1, 20) + slot)}
        if etype and r.random() < 0.6:
            p["exchange"] = "e0"
            if etype == "topic":
                p["key"] = r.choice(["a.b", "a.c", "c", "x.b", "a"])
            elif etype == "direct":
                p["key"] = r.choice(WORDS)
            elif etype == "headers":
                p["headers"] = {"k": r.choice(WORDS), "j": r.choice(WORDS)}
        else:
            p["key"] = r.choice(queues + ["nowhere"]) if r.random() < 0.1 else r.choice(queues)
        p["body"] = f"{r.choice('mnop')}{slot}-{{n}}"
        p["count"] = r.randrange(1, 6)
        if p["count"] > 1:
            p["every"] = ms(100 * r.randrange(0, 4))
        if r.random() < 0.2:
            p["expiration"] = ms(r.choice([100, 300, 1000]) + self.off)
        if r.random() < 0.3:
            p["priority"] = r.randrange(0, 10)
        if r.random() < 0.2:
            p["mandatory"] = True
        if r.random() < 0.2:
            p["persistent"] = True
        return p

    def consumer(self, i, queues, until_ms, bodies):
        r = self.r
        slot = self.slot()
        c = {"name": f"c{i}", "queue": r.choice(queues)}
        c["ack"] = r.choice(ACKS)
        if r.random() < 0.7:
            c["prefetch"] = r.randrange(0, 4)
        c["work"] = ms(100 * r.randrange(0, 6) + slot)
        if r.random() < 0.4:
            c["start"] = ms(100 * r.randrange(0, 15) + slot)
        if r.random() < 0.2:
            c["priority"] = r.randrange(0, 3)
        if self.v3 and r.random() < 0.08:
            c["exclusive"] = True
        if c["ack"] in ("requeue", "reject-requeue"):
            # Requeueing for ever loops; let a rule settle after a few deliveries.
            c["rules"] = [{"redelivered": True, "times": r.randrange(1, 4), "action": c["ack"]}, {"redelivered": True, "action": "manual"}]
        elif r.random() < 0.15:
            c["rules"] = [{"body": r.choice(bodies), "action": r.choice(["reject", "requeue", "crash", "nack"])}]
            if c["rules"][0]["action"] == "requeue":
                c["rules"][0]["times"] = 1
        if r.random() < 0.15:
            c.pop("prefetch", None)
            c.pop("priority", None)
            c.pop("exclusive", None)
            c["get"] = ms(100 * r.randrange(2, 6) + slot)
            c["cancel"] = ms(until_ms - 500)
            if c["ack"] == "forget" or c.get("rules"):
                c["ack"] = "manual"
                c.pop("rules", None)
        elif r.random() < 0.15:
            c["cancel"] = ms(100 * r.randrange(5, 30) + slot)
        if "get" not in c and c["ack"] != "auto":
            if r.random() < 0.1:
                c["recover"] = ms(100 * r.randrange(5, 30) + slot)
            if r.random() < 0.1:
                c["qos"] = [{"at": ms(100 * r.randrange(3, 20) + slot), "prefetch": r.randrange(0, 3), "global": r.random() < 0.5}]
            if c["ack"] == "manual" and r.random() < 0.1:
                c["ack_every"] = r.randrange(2, 4)
                c["prefetch"] = r.randrange(4, 8)
        start = int(c.get("start", "0ms")[:-2])
        for k in ("cancel", "recover"):
            if k in c and int(c[k][:-2]) <= start:
                c[k] = ms(start + 300)
        for q in c.get("qos", []):
            if int(q["at"][:-2]) <= start:
                q["at"] = ms(start + 200)
        return c

    def rpc(self, queues, s):
        """An RPC server consuming one of the queues and a client calling it."""
        r = self.r
        server_slot, client_slot = self.slot(), self.slot()
        q = r.choice(queues)
        server = {"name": "srv", "queue": q, "prefetch": 1, "work": ms(100 * r.randrange(0, 3) + server_slot),
                  "reply": r.choice(["echo", "upper", "reply:{body}"])}
        if r.random() < 0.3:
            server["reply_mandatory"] = True
        calls = [r.choice(["x", "y", "z"]) + str(i) for i in range(r.randrange(1, 5))]
        client = {"name": "rpc", "queue": q, "calls": calls, "every": ms(100 * r.randrange(2, 6)),
                  "first_call": ms(100 * r.randrange(1, 10) + client_slot), "reply_to": r.choice(["callback", "direct"])}
        s.setdefault("consumers", []).append(server)
        s["rpc_clients"] = [client]

    def scenario(self):
        r = self.r
        until_ms = 1000 * r.randrange(4, 9)
        dlx = r.random() < 0.5
        nq = r.randrange(1, 4)
        queues = [self.queue(i, dlx) for i in range(nq)]
        names = [q["name"] for q in queues]
        s = {"name": f"r{self.seed}", "seed": self.seed}
        exchanges = []
        bindings = []
        etype = r.choice(EXCHANGE_TYPES) if r.random() < 0.6 else None
        if etype:
            exchanges.append({"name": "e0", "type": etype})
            if self.v3 and r.random() < 0.3:
                exchanges[0]["alternate_exchange"] = "ae"
                exchanges.append({"name": "ae", "type": "fanout"})
            for q in names:
                if r.random() < 0.8:
                    bindings.append(self.binding(etype, q))
        if dlx:
            exchanges.append({"name": "dlx", "type": "fanout"})
            queues.append({"name": "dlq"})
            bindings.append({"exchange": "dlx", "queue": "dlq"})
        if self.v4 and etype and r.random() < 0.3:
            # e0 feeds an internal exchange bound to one of the queues.
            inner = {"name": "inner", "type": r.choice(["fanout", "topic"]), "internal": True}
            exchanges.append(inner)
            bindings.append({"exchange": "e0", "to_exchange": "inner", **({"key": r.choice(WORDS)} if etype in ("direct", "topic") else {})})
            ib = {"exchange": "inner", "queue": r.choice(names)}
            if inner["type"] == "topic":
                ib["key"] = r.choice(["#", "a.*", "c"])
            bindings.append(ib)
        if any(e.get("alternate_exchange") for e in exchanges):
            queues.append({"name": "unrouted"})
            bindings.append({"exchange": "ae", "queue": "unrouted"})
        if exchanges:
            s["exchanges"] = exchanges
        s["queues"] = queues
        if bindings:
            s["bindings"] = bindings
        producers = []
        for i in range(r.randrange(1, 3)):
            slot = self.slot()
            p = {"name": f"p{i}", "publish": [self.publish(names, etype, slot) for _ in range(r.randrange(1, 4))]}
            if r.random() < 0.3:
                p["confirms"] = True
            if self.v4 and r.random() < 0.2:
                q = r.choice(queues)
                p["declare"] = [r.choice([{"queue": "missing", "passive": True},
                                          {"queue": q["name"], "durable": q.get("durable", False),
                                           "arguments": {"x-max-length": 7}}])]
            producers.append(p)
        s["producers"] = producers
        bodies = sorted({p["body"].replace("{n}", "1") for pr in producers for p in pr["publish"]})
        readable = names + (["dlq"] if dlx and r.random() < 0.3 else [])
        consumers = [self.consumer(i, readable, until_ms, bodies) for i in range(r.randrange(0, 4))]
        if consumers:
            s["consumers"] = consumers
        if r.random() < 0.15:
            self.rpc([q["name"] for q in queues if q["name"] != "dlq" and "x-queue-type" not in q.get("arguments", {})] or names, s)
        faults = []
        for c in consumers:
            if "get" not in c and r.random() < 0.15:
                at = 100 * r.randrange(5, until_ms // 100 - 20) + 50
                faults.append({"at": ms(at), "crash": c["name"]})
                if r.random() < 0.7:
                    faults.append({"at": ms(at + 100 * r.randrange(3, 10)), "restart": c["name"]})
        if self.v3 and r.random() < 0.12:
            at = 100 * r.randrange(10, until_ms // 100 - 25) + 45
            faults.append({"at": ms(at), r.choice(["stop", "crash"]): "broker"})
            faults.append({"at": ms(at + 100 * r.randrange(5, 12)), "restart": "broker"})
            for c in consumers + producers:
                c["reconnect"] = "500ms"
        if faults:
            s["faults"] = faults
        if self.v3 and consumers and r.random() < 0.15:
            s["broker"] = {"consumer_timeout": ms(r.choice([1500, 2500]))}
        s["until"] = ms(until_ms)
        return s


def dump(v, indent=0):
    """YAML by hand (no PyYAML on a fresh machine): flow maps for the leaves."""
    pad = "  " * indent
    out = []
    for k, val in v.items():
        if isinstance(val, list):
            out.append(f"{pad}{k}:")
            for item in val:
                if isinstance(item, dict) and any(isinstance(x, list) for x in item.values()):
                    first = True
                    for line in dump(item, indent + 2).splitlines():
                        out.append(f"{pad}  - {line.strip()}" if first else line)
                        first = False
                else:
                    out.append(f"{pad}  - {flow(item)}")
        else:
            out.append(f"{pad}{k}: {flow(val)}")
    return "\n".join(out) + "\n"


def flow(v):
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k}: {flow(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(flow(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return '"' + str(v).replace('"', '\\"') + '"'


def gen(seed, d):
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, f"r{seed}.yaml")
    with open(path, "w") as f:
        f.write(dump(Gen(seed).scenario()))
    return path


def diff(path, scale, out):
    warren = os.environ.get("WARREN", "target/release/warren")
    vhost = os.environ.get("VHOST", "warren-fuzz")
    record = out[: -len(".txt")] + ".observed.jsonl"
    cmd = [warren, "diff", path, "--vhost", vhost, "--time-scale", str(scale), "--record", record,
           "--broker-restart-cmd", os.environ.get("BROKER_CMD", ".ci/rabbitmq")]
    p = subprocess.run(cmd, capture_output=True, text=True)
    with open(out, "w") as f:
        f.write(p.stdout + p.stderr)
    return p.returncode


def run(lo, hi, d):
    scale = float(os.environ.get("SCALE", "2"))
    with open(os.path.join(d, "results.txt"), "a") as res:
        for seed in range(lo, hi + 1):
            path = gen(seed, d)
            rc = diff(path, scale, os.path.join(d, f"diff{seed}.txt"))
            verdict = {0: "same", 1: "DIFF"}.get(rc, "ERROR")
            if rc == 1:
                slow = diff(path, scale * 3, os.path.join(d, f"diff{seed}.slow.txt"))
                verdict += " slow-same" if slow == 0 else " slow-DIFF"
            res.write(f"{seed} {verdict}\n")
            res.flush()
            print(seed, verdict, flush=True)


def main(argv):
    if len(argv) >= 3 and argv[1] == "gen":
        print(gen(int(argv[2]), argv[3] if len(argv) > 3 else "/tmp/diffgen"))
    elif len(argv) >= 4 and argv[1] == "run":
        d = argv[4] if len(argv) > 4 else "/tmp/diffgen"
        os.makedirs(d, exist_ok=True)
        run(int(argv[2]), int(argv[3]), d)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
