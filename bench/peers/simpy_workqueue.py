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
bench/check_peers.sh checks that every delivery (message, consumer, microsecond) is the
same as in warren's trace.

Two styles, both as fast as honest SimPy allows (no Store, no list.pop(0), no process or
event per message beyond what the model needs):

- callbacks (the default, the faster): the producer is a process (one timeout per publish
  tick); a delivery starts the consumer's work as a timeout whose callback is the ack
  (zero latency, as in the scenario). Two SimPy events per message.
- processes (the textbook style): the producer and each consumer are processes; a delivery
  is an event that wakes the consumer, the work is a timeout, then the consumer acks by a
  plain call into the queue model. Three SimPy events per message.

bench/compare.sh takes the faster style for `ratio warren/simpy` and shows both.

Usage: simpy_workqueue.py [COUNT] [--every US] [--work US] [--consumers N]
                          [--style callbacks|processes] [--deliveries]
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

    __slots__ = ("env", "backlog", "ring", "blocked", "unacked", "start", "delivered", "acked", "peak", "log")

    def __init__(self, env, consumers, log):
        self.env = env
        self.backlog = collections.deque()
        self.ring = collections.deque(range(consumers))
        self.blocked = []
        self.unacked = [0] * consumers
        # How a delivery reaches consumer c: start(msg, c), set by the style.
        self.start = None
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
            if unacked[c] < 1:
                ring.append(c)
                return c
            self.blocked.append(c)
        return None

    def deliver(self, msg, c):
        self.unacked[c] += 1
        self.delivered[c] += 1
        if self.log is not None:
            self.log.append((msg, c + 1, self.env.now))
        self.start(msg, c)

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
    """One publish per tick."""
    timeout = env.timeout
    publish = q.publish
    for msg in range(1, count + 1):
        publish(msg)
        if msg < count:
            yield timeout(every)


def setup_callbacks(env, q, work):
    """Consumers as callbacks: the work is a timeout whose callback acks."""
    timeout = env.timeout
    ack = q.ack

    def work_done(ev):
        ack(ev.value)

    def start(msg, c):
        timeout(work, c).callbacks.append(work_done)

    q.start = start


def setup_processes(env, q, consumers, work):
    """Consumers as processes, each waiting on its own delivery event."""
    inbox = [None] * consumers

    def start(msg, c):
        ev = inbox[c]
        inbox[c] = None
        ev.succeed(msg)

    def consumer(c):
        timeout = env.timeout
        event = env.event
        ack = q.ack
        ev = inbox[c] = event()
        while True:
            yield ev  # the delivery
            yield timeout(work)  # the work
            # Ready for the next delivery before acking: the ack may hand it one at once.
            ev = inbox[c] = event()
            ack(c)

    q.start = start
    for c in range(consumers):
        env.process(consumer(c))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("count", nargs="?", type=lambda s: int(s.replace("_", "")), default=1_000_000)
    p.add_argument("--every", type=int, default=10, help="microseconds between publishes (0: all at once)")
    p.add_argument("--work", type=int, default=35, help="microseconds of work per message")
    p.add_argument("--consumers", type=int, default=4)
    p.add_argument("--style", choices=["callbacks", "processes"], default="callbacks")
    p.add_argument("--deliveries", action="store_true", help="print one line per delivery first")
    a = p.parse_args(argv)

    env = simpy.Environment()
    log = [] if a.deliveries else None
    q = WorkQueue(env, a.consumers, log)
    started = time.perf_counter()
    if a.style == "callbacks":
        setup_callbacks(env, q, a.work)
    else:
        setup_processes(env, q, a.consumers, a.work)
    env.process(producer(env, q, a.count, a.every))
    env.run()
    wall = time.perf_counter() - started
    try:
        events = next(env._eid)  # SimPy's count of scheduled events (private, read once at the end)
    except (AttributeError, TypeError):
        events = None

    out = sys.stdout
    if log is not None:
        out.write("".join(f"deliver {m} {c} {t}\n" for m, c, t in log))
    json.dump(
        {
            "model": "simpy",
            "style": a.style,
            "simpy": simpy.__version__,
            "python": sys.version.split()[0],
            "messages": a.count,
            "acked": q.acked,
            "events": events,
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
