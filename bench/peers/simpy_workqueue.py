#!/usr/bin/env python3
"""The SimPy peer: the paced work queue of bench/scenarios/workqueue-paced.yaml in SimPy.

One producer publishes COUNT messages through the default exchange to one queue, one every
EVERY microseconds (0: all at time 0, the burst variant); CONSUMERS consumers with prefetch 1
and manual acks work WORK microseconds on each. Simulated time is integer microseconds.

The queue is modelled as RabbitMQ's classic queues (and warren) do it: a published message
goes straight to a consumer if nothing is waiting, otherwise it joins the backlog (a
collections.deque). The consumer is chosen round-robin: the head of the consumer ring takes
the message if it has a free slot and moves to the ring's tail; a consumer at its prefetch
limit moves to a blocked list, and rejoins the ring at the tail when its ack frees the slot.
Each ack then delivers from the backlog's head while some consumer can take a message.

It is written to be as fast as honest SimPy allows: one process per actor (the producer and
each consumer), no Store (no list.pop(0)), no per-message process; a delivery is one event
that wakes the consumer, the work is one timeout, the publish tick is one timeout, and the
ack is a plain call into the queue model at the end of the work (zero latency, as in the
scenario). That is three SimPy events per message; all the semantics (publish, deliver or
enqueue, work, ack, next delivery) are there.

Usage: simpy_workqueue.py [COUNT] [--every US] [--work US] [--consumers N] [--deliveries]
(prefetch is 1: a consumer works on one message at a time, as in the scenario.)
Prints one JSON object (messages, wall seconds, messages/s, per-consumer deliveries); with
--deliveries, first one line per delivery: `deliver MSG CONSUMER T_US` (both from 1).
"""

import argparse
import collections
import json
import resource
import sys
import time

import simpy


class WorkQueue:
    """The queue, its consumer ring and the consumers' prefetch slots."""

    __slots__ = ("env", "backlog", "ring", "blocked", "unacked", "prefetch", "inbox", "delivered", "acked", "peak", "log")

    def __init__(self, env, consumers, prefetch, log):
        self.env = env
        self.backlog = collections.deque()
        self.ring = collections.deque(range(consumers))
        self.blocked = []
        self.unacked = [0] * consumers
        self.prefetch = prefetch
        # The event each idle consumer waits on for its next delivery.
        self.inbox = [None] * consumers
        self.delivered = [0] * consumers
        self.acked = 0
        self.peak = 0
        self.log = log

    def pick(self):
        """Round-robin: the ring's head if it has a free slot (it goes to the tail)."""
        ring = self.ring
        unacked = self.unacked
        while ring:
            c = ring.popleft()
            if unacked[c] < self.prefetch:
                ring.append(c)
                return c
            self.blocked.append(c)
        return None

    def deliver(self, msg, c):
        self.unacked[c] += 1
        self.delivered[c] += 1
        if self.log is not None:
            self.log.append((msg, c + 1, self.env.now))
        ev = self.inbox[c]
        self.inbox[c] = None
        ev.succeed(msg)

    def publish(self, msg):
        """A message routed to the queue: delivered if nothing waits and a consumer can take it."""
        if not self.backlog:
            c = self.pick()
            if c is not None:
                self.deliver(msg, c)
                return
        self.backlog.append(msg)
        if len(self.backlog) > self.peak:
            self.peak = len(self.backlog)

    def ack(self, c):
        """The ack frees the slot; the consumer rejoins the ring; the queue runs."""
        self.unacked[c] -= 1
        self.acked += 1
        if c in self.blocked:
            self.blocked.remove(c)
            self.ring.append(c)
        backlog = self.backlog
        while backlog:
            to = self.pick()
            if to is None:
                break
            self.deliver(backlog.popleft(), to)


def producer(env, q, count, every):
    timeout = env.timeout
    publish = q.publish
    for msg in range(1, count + 1):
        publish(msg)
        if msg < count:
            yield timeout(every)


def consumer(env, q, c, work):
    timeout = env.timeout
    event = env.event
    inbox = q.inbox
    ack = q.ack
    ev = inbox[c] = event()
    while True:
        yield ev  # the delivery
        yield timeout(work)  # the work
        # Ready for the next delivery before acking: the ack may hand it one at once.
        ev = inbox[c] = event()
        ack(c)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("count", nargs="?", type=lambda s: int(s.replace("_", "")), default=1_000_000)
    p.add_argument("--every", type=int, default=10, help="microseconds between publishes (0: all at once)")
    p.add_argument("--work", type=int, default=35, help="microseconds of work per message")
    p.add_argument("--consumers", type=int, default=4)
    p.add_argument("--deliveries", action="store_true", help="print one line per delivery first")
    a = p.parse_args(argv)

    env = simpy.Environment()
    log = [] if a.deliveries else None
    q = WorkQueue(env, a.consumers, 1, log)
    started = time.perf_counter()
    for c in range(a.consumers):
        env.process(consumer(env, q, c, a.work))
    env.process(producer(env, q, a.count, a.every))
    env.run()
    wall = time.perf_counter() - started

    out = sys.stdout
    if log is not None:
        out.write("".join(f"deliver {m} {c} {t}\n" for m, c, t in log))
    json.dump(
        {
            "model": "simpy",
            "simpy": simpy.__version__,
            "python": sys.version.split()[0],
            "messages": a.count,
            "acked": q.acked,
            "ended_us": env.now,
            "peak_backlog": q.peak,
            "per_consumer": q.delivered,
            "wall_s": round(wall, 6),
            "messages_per_s": round(a.count / max(wall, 1e-9), 1),
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        },
        out,
    )
    out.write("\n")
    if q.acked != a.count:
        print(f"error: {q.acked} of {a.count} messages acked", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
