//! The bare-loop limit: the paced work queue of `bench/scenarios/workqueue-paced.yaml` as a
//! minimal discrete-event loop with no broker model — the ceiling on this machine.
//!
//! One producer publishes `count` messages, one every `every` µs (0: all at time 0, the burst
//! variant), to one queue; `consumers` consumers with prefetch 1 and manual acks work
//! `work` µs on each. The queue hands a message to the head of its consumer ring if that
//! consumer has a free slot (then it goes to the ring's tail); a consumer at its limit moves
//! to a blocked list until its ack frees the slot, when it rejoins the ring at the tail (as
//! RabbitMQ's classic queues and warren do). Messages that find no free consumer wait in a
//! `VecDeque`; each ack pulls the next ready one.
//!
//! Honest about the work: the same four events per message as the semantics require, each
//! going through the event queue — the publish tick (the broker routes it: deliver or
//! enqueue), the delivery reaching the consumer, the work done, and the ack reaching the
//! broker (which frees the slot and delivers the next ready message). Events are small
//! `Copy` values ordered by `(time, seq)`, FIFO on ties, like warren's own event queue: a
//! `BinaryHeap`, and (unless `--heap-only`) a FIFO for the events scheduled at the current
//! instant (the delivery and the ack, zero latency), served after the heap's own entries for
//! that instant — the same shortcut warren's `EventQueue` takes, so that the limit stays a
//! ceiling.
//!
//! Usage: `warren-limit [COUNT] [--every US] [--work US] [--consumers N] [--heap-only] [--deliveries]`
//! (prefetch is 1: a consumer works on one message at a time, as in the scenario).
//! Prints one JSON object; with `--deliveries`, first one line per delivery:
//! `deliver MSG CONSUMER T_US` (messages from 1, consumers from 1), for checking against
//! warren's trace.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::io::Write;
use std::time::Instant;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// The producer's tick: message `msg` is published and routed to the queue.
    Publish,
    /// Message `msg` reaches consumer `consumer`, which starts working on it.
    Deliver,
    /// The consumer's work on `msg` is done; it sends the ack.
    WorkDone,
    /// The ack reaches the queue: the slot is free, the next ready message goes out.
    Ack,
}

#[derive(Copy, Clone, Debug)]
struct Event {
    time: u64,
    seq: u64,
    msg: u32,
    consumer: u16,
    kind: Kind,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    /// Reversed: `BinaryHeap` is a max-heap and the earliest `(time, seq)` must come first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

struct Config {
    count: u32,
    every: u64,
    work: u64,
    consumers: u16,
    prefetch: u32,
    deliveries: bool,
    heap_only: bool,
}

struct Sim {
    heap: BinaryHeap<Event>,
    /// Events scheduled for `now` while at `now`, in scheduling order (unless `heap_only`).
    immediate: VecDeque<Event>,
    heap_only: bool,
    next_seq: u64,
    now: u64,
    /// Ready messages, oldest first.
    backlog: VecDeque<u32>,
    /// The consumer ring: the head is offered the next message.
    ring: VecDeque<u16>,
    /// Consumers found at their prefetch limit, in the order they were found.
    blocked: Vec<u16>,
    unacked: Vec<u32>,
    delivered: Vec<u64>,
    acked: u64,
    peak_backlog: usize,
    events: u64,
}

impl Sim {
    fn schedule(&mut self, time: u64, kind: Kind, msg: u32, consumer: u16) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let e = Event { time, seq, msg, consumer, kind };
        if time <= self.now && !self.heap_only {
            self.immediate.push_back(e);
        } else {
            self.heap.push(e);
        }
    }

    /// The earliest event by `(time, seq)`: the heap's entries due now were scheduled before
    /// anything in `immediate`.
    #[inline]
    fn pop(&mut self) -> Option<Event> {
        if let Some(top) = self.heap.peek() {
            if top.time <= self.now || self.immediate.is_empty() {
                return self.heap.pop();
            }
        }
        self.immediate.pop_front()
    }

    /// The round-robin choice: the ring's head if it can take a message (it goes to the
    /// tail), otherwise it moves to the blocked list and the next one is tried.
    fn pick(&mut self, prefetch: u32) -> Option<u16> {
        while let Some(c) = self.ring.pop_front() {
            if self.unacked[c as usize] < prefetch {
                self.ring.push_back(c);
                return Some(c);
            }
            self.blocked.push(c);
        }
        None
    }

    fn deliver(&mut self, msg: u32, c: u16) {
        self.unacked[c as usize] += 1;
        self.schedule(self.now, Kind::Deliver, msg, c);
    }
}

fn parse_args() -> Result<Config, String> {
    let mut cfg = Config { count: 1_000_000, every: 10, work: 35, consumers: 4, prefetch: 1, deliveries: false, heap_only: false };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            args.next().ok_or(format!("{name} needs a value"))?.parse::<u64>().map_err(|e| format!("{name}: {e}"))
        };
        match a.as_str() {
            "--every" => cfg.every = num("--every")?,
            "--work" => cfg.work = num("--work")?,
            "--consumers" => cfg.consumers = num("--consumers")?.clamp(1, u16::MAX as u64) as u16,
            "--deliveries" => cfg.deliveries = true,
            "--heap-only" => cfg.heap_only = true,
            "-h" | "--help" => {
                return Err("usage: warren-limit [COUNT] [--every US] [--work US] [--consumers N] [--heap-only] [--deliveries]".into())
            }
            n => cfg.count = n.replace('_', "").parse().map_err(|e| format!("COUNT `{n}`: {e}"))?,
        }
    }
    Ok(cfg)
}

fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn main() {
    let cfg = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let n = cfg.consumers as usize;
    let mut sim = Sim {
        heap: BinaryHeap::with_capacity(2 * n + 4),
        immediate: VecDeque::with_capacity(2 * n + 4),
        heap_only: cfg.heap_only,
        next_seq: 0,
        now: 0,
        backlog: VecDeque::new(),
        ring: (0..cfg.consumers).collect(),
        blocked: Vec::with_capacity(n),
        unacked: vec![0; n],
        delivered: vec![0; n],
        acked: 0,
        peak_backlog: 0,
        events: 0,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());

    let started = Instant::now();
    if cfg.count > 0 {
        sim.schedule(0, Kind::Publish, 1, 0);
    }
    while let Some(e) = sim.pop() {
        sim.now = e.time;
        sim.events += 1;
        match e.kind {
            Kind::Publish => {
                // Routed to the queue: straight to a consumer if nothing is waiting, else enqueued.
                let to = if sim.backlog.is_empty() { sim.pick(cfg.prefetch) } else { None };
                match to {
                    Some(c) => sim.deliver(e.msg, c),
                    None => {
                        sim.backlog.push_back(e.msg);
                        sim.peak_backlog = sim.peak_backlog.max(sim.backlog.len());
                    }
                }
                if e.msg < cfg.count {
                    sim.schedule(sim.now + cfg.every, Kind::Publish, e.msg + 1, 0);
                }
            }
            Kind::Deliver => {
                sim.delivered[e.consumer as usize] += 1;
                if cfg.deliveries {
                    let _ = writeln!(out, "deliver {} {} {}", e.msg, e.consumer + 1, sim.now);
                }
                sim.schedule(sim.now + cfg.work, Kind::WorkDone, e.msg, e.consumer);
            }
            Kind::WorkDone => sim.schedule(sim.now, Kind::Ack, e.msg, e.consumer),
            Kind::Ack => {
                let c = e.consumer as usize;
                sim.unacked[c] -= 1;
                sim.acked += 1;
                // A consumer able to receive again rejoins the ring at the tail.
                if let Some(i) = sim.blocked.iter().position(|&b| b as usize == c) {
                    sim.blocked.remove(i);
                    sim.ring.push_back(c as u16);
                }
                // The queue runs: deliver from its head while some consumer can take one.
                while !sim.backlog.is_empty() {
                    let Some(to) = sim.pick(cfg.prefetch) else { break };
                    let m = sim.backlog.pop_front().expect("not empty");
                    sim.deliver(m, to);
                }
            }
        }
    }
    let wall = started.elapsed().as_secs_f64();

    let per_consumer: Vec<String> = sim.delivered.iter().map(|d| d.to_string()).collect();
    let _ = writeln!(
        out,
        "{{\"model\":\"limit\",\"queue\":\"{}\",\"messages\":{},\"acked\":{},\"events\":{},\"ended_us\":{},\"peak_backlog\":{},\
         \"per_consumer\":[{}],\"wall_s\":{:.6},\"messages_per_s\":{:.1},\"peak_rss_bytes\":{}}}",
        if cfg.heap_only { "heap" } else { "heap+fifo" },
        cfg.count,
        sim.acked,
        sim.events,
        sim.now,
        sim.peak_backlog,
        per_consumer.join(","),
        wall,
        cfg.count as f64 / wall.max(1e-9),
        peak_rss_bytes().map(|b| b.to_string()).unwrap_or_else(|| "null".into()),
    );
    let _ = out.flush();
    if sim.acked != cfg.count as u64 {
        eprintln!("error: {} of {} messages acked", sim.acked, cfg.count);
        std::process::exit(1);
    }
}
