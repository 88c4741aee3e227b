//! Express arrivals: a method or a frame that arrives the instant it is sent, as the very
//! next event.
//!
//! With no latency a method arrives at the broker at the instant the client sends it, and a
//! frame at the client at the instant the broker sends it. When nothing else is due at that
//! instant, that arrival is the next event the heap would pop. It need not wait in its link's
//! lane and in the queue: it is kept aside in one slot, with the sequence number its event
//! would have had, and runs as the next step. Anything scheduled in the meantime first puts it
//! back where it would have been (its lane, the queue for now), so the events, their order,
//! the records, the step count and every count the caps read are those of the plain path.
//!
//! Only runs that go on by themselves keep arrivals aside ([`World::run`],
//! [`World::run_until`], [`World::run_for`]), and each puts back what it kept before it
//! returns: a reader that steps one event at a time and looks at the wire (the TUI, its
//! snapshots) never sees the slot.

use super::*;

/// An arrival kept aside.
#[derive(Clone, Debug)]
pub(super) enum Express {
    /// A method: itself still the first in the world's `out.ops`, where the client wrote
    /// it (not copied until it arrives or is put back).
    ToBroker {
        c: ClientId,
        seq: u64,
        conn: ConnId,
        gen: u32,
    },
    ToClient {
        c: ClientId,
        seq: u64,
        f: FrameInFlight,
    },
}

/// The parts of the world an arrival kept aside touches when it is put back.
pub(super) struct Aside<'a> {
    pub express: &'a mut Option<Express>,
    pub queue: &'a mut EventQueue<Ev>,
    pub ops: &'a mut InFlight<OpInFlight>,
    pub frames: &'a mut InFlight<FrameInFlight>,
    /// Where a method kept aside is.
    pub out_ops: &'a mut Vec<(u16, Op)>,
}

impl Aside<'_> {
    /// Puts back what is kept aside: into its lane and the queue for now, in its place.
    #[inline(always)]
    pub fn put_back(&mut self) {
        if self.express.is_some() {
            self.put_back_now();
        }
    }

    #[inline(never)]
    fn put_back_now(&mut self) {
        match self.express.take() {
            None => {}
            Some(Express::ToBroker { c, seq, conn, gen }) => {
                let (ch, op) = self.out_ops.remove(0);
                self.ops.push_counted(c, OpInFlight { conn, gen, ch, op });
                self.queue.push_now(seq, Ev::ToBroker(c));
            }
            Some(Express::ToClient { c, seq, f }) => {
                self.frames.push_counted(c, f);
                self.queue.push_now(seq, Ev::ToClient(c));
            }
        }
    }
}

impl World {
    /// The parts [`Aside::put_back`] needs, borrowed apart from the rest.
    pub(super) fn aside(&mut self) -> Aside<'_> {
        Aside {
            express: &mut self.express,
            queue: &mut self.queue,
            ops: &mut self.ops_in_flight,
            frames: &mut self.frames_in_flight,
            out_ops: &mut self.out.ops,
        }
    }

    /// Clears the clients' output for a client's next call, after putting back a method
    /// kept aside there.
    #[inline(always)]
    pub(super) fn begin_client_out(&mut self) {
        self.put_back_express();
        self.out.clear();
    }

    /// Puts back what is kept aside (before anything else is scheduled, and when a run
    /// returns).
    #[inline(always)]
    pub(super) fn put_back_express(&mut self) {
        // Checked before the parts are borrowed: `self.aside().put_back()` reads the same but
        // costs 1.4 % more instructions on the paced benchmark (measured), on every event.
        if self.express.is_some() {
            self.aside().put_back_now();
        }
    }

    /// Events waiting, counting the one kept aside.
    pub(super) fn pending_events(&self) -> usize {
        self.queue.len() + usize::from(self.express.is_some())
    }

    /// Runs the arrival kept aside, as [`World::handle`] runs `ToBroker` and `ToClient`.
    #[inline(always)]
    pub(super) fn arrive_express(&mut self, now: Time, trace: &mut Trace<Record>) {
        match self.express.take().expect("an arrival kept aside") {
            Express::ToBroker { c, conn, gen, .. } => {
                self.ops_in_flight.arrived_aside(c);
                let World { out, broker, msgs, names, fx, links, .. } = self;
                let arrived = gen == links[c.idx()].gen_up;
                if arrived {
                    let (ch, op) = &out.ops[0];
                    broker.handle(&mut Cx { now, msgs, names, fx }, conn, *ch, op);
                }
                // It was the only one left there (the others went on the wire before it).
                out.ops.pop();
                if arrived {
                    self.apply_broker_fx(now, trace);
                }
            }
            Express::ToClient { c, f, .. } => {
                self.frames_in_flight.arrived_aside(c);
                self.frame_arrives(now, c, f, trace);
            }
        }
    }

    /// Runs up to `max` events, or to the end (then `Ok(true)`), as that many calls of
    /// [`World::step`] would, keeping express arrivals aside; nothing is left aside after.
    pub fn run_for(&mut self, max: u64, trace: &mut Trace<Record>) -> Result<bool, CapHit> {
        self.keeping_aside(|w| {
            let mut left = max;
            while left > 0 {
                if w.step(trace)?.is_none() {
                    return Ok(true);
                }
                left -= 1;
                // Arrivals kept aside run at once, as `step` would run them: at the instant of
                // the event before, so within `until` and the time cap, which `step` would
                // check again for nothing (nothing else is due before them, see the module doc).
                while left > 0 && w.express.is_some() {
                    let now = w.queue.now();
                    w.step_at(now, trace)?;
                    left -= 1;
                }
            }
            Ok(false)
        })
    }

    /// Runs `f` with arrivals kept aside, and puts back what is left aside however it ends.
    #[inline(always)]
    pub(super) fn keeping_aside<R>(&mut self, f: impl FnOnce(&mut World) -> R) -> R {
        self.fast = true;
        let r = f(self);
        self.fast = false;
        self.put_back_express();
        r
    }
}
