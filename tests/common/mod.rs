//! A small harness for driving the broker model directly, the way the conformance
//! observations drove a real RabbitMQ: connections, channels, AMQP methods, and a clock with
//! the broker's timers fed back in time order. It is built on the broker's own test driver
//! ([`Driver`]: the stores, and the timers on the engine's event heap); what it adds is
//! per-connection inboxes, the record log, and pika-like calls that fail with the close.
//!
//! Also: loading the observation files (`tests/conformance/*.json`) and turning the JSON
//! setups (queue arguments, typed header values) into broker values.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::VecDeque;
use warren::broker::error::ReplyCode;
use warren::broker::message::{Body, HValue, Headers, Props};
use warren::broker::ops::{ExchangeDecl, Frame, Op, QueueDecl, QueueRef};
use warren::broker::queue::{ArgValue, Overflow, QueueArgs};
use warren::broker::testkit::Driver;
use warren::broker::{Broker, BrokerConfig};
use warren::ids::{ClientId, ConnId, ConsumerId, MsgId, Sym};
use warren::record::Record;
use warren::sim::Time;

// ----- the observation files

/// One observation file, parsed.
pub fn load(file: &str) -> Value {
    let path = format!("{}/tests/conformance/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The case called `name` in `file`; it must be stable (a fact to check).
pub fn case(file: &str, name: &str) -> Value {
    let doc = load(file);
    let c = doc["cases"].as_array().expect("cases").iter().find(|c| c["case"] == name).cloned();
    let c = c.unwrap_or_else(|| panic!("{file}: no case {name:?}"));
    assert_eq!(c["stable"], true, "{file}: case {name:?} is not stable");
    c
}

/// Names of every stable case of a file.
pub fn stable_cases(file: &str) -> Vec<String> {
    let doc = load(file);
    doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["stable"] == true)
        .map(|c| c["case"].as_str().expect("case name").to_string())
        .collect()
}

// ----- the broker, driven directly

/// How the broker closed a channel or a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closed {
    pub code: u16,
    pub text: String,
    pub connection: bool,
}

impl Closed {
    /// As the observation files write errors (pika's exception class, code and text).
    pub fn to_json(&self) -> Value {
        let exception = if self.connection { "ConnectionClosedByBroker" } else { "ChannelClosedByBroker" };
        json!({"exception": exception, "reply_code": self.code, "reply_text": self.text})
    }
}

/// A message as a client received it (delivery, get-ok or return).
#[derive(Clone, Debug, PartialEq)]
pub struct Got {
    pub ch: u16,
    pub tag: u64,
    pub redelivered: bool,
    pub msg: MsgId,
    pub body: String,
    /// `basic.get-ok`'s message count; `None` for deliveries.
    pub remaining: Option<u32>,
    pub consumer: Option<ConsumerId>,
}

/// What to publish.
#[derive(Clone, Debug, Default)]
pub struct Pub {
    pub exchange: String,
    pub key: String,
    pub body: String,
    pub mandatory: bool,
    pub persistent: bool,
    pub expiration_ms: Option<u64>,
    pub headers: Option<Vec<(String, HValue)>>,
    pub reply_to: Option<String>,
    pub correlation_id: Option<String>,
}

impl Pub {
    /// Through the default exchange, to queue `queue`.
    pub fn to_queue(queue: &str, body: &str) -> Pub {
        Pub { key: queue.into(), body: body.into(), ..Default::default() }
    }
    pub fn to(exchange: &str, key: &str, body: &str) -> Pub {
        Pub { exchange: exchange.into(), key: key.into(), body: body.into(), ..Default::default() }
    }
    pub fn mandatory(mut self) -> Pub {
        self.mandatory = true;
        self
    }
    pub fn persistent(mut self, p: bool) -> Pub {
        self.persistent = p;
        self
    }
}

/// Options of `queue.declare`.
#[derive(Clone, Debug, Default)]
pub struct QOpts {
    pub durable: bool,
    pub exclusive: bool,
    pub auto_delete: bool,
    pub passive: bool,
    pub args: QueueArgs,
}

/// The broker (a [`Driver`]: its stores, its timers on the engine's event heap, its clock),
/// every frame sent so far per connection, and every record.
pub struct Harness {
    pub d: Driver,
    /// Frames not yet taken, per connection, in the order the broker sent them.
    inbox: Vec<VecDeque<Frame>>,
    pub records: Vec<Record>,
    next_conn: u32,
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}

impl Harness {
    pub fn new() -> Harness {
        Harness::with_config(BrokerConfig::default())
    }

    pub fn with_config(cfg: BrokerConfig) -> Harness {
        Harness { d: Driver::bare(cfg), inbox: Vec::new(), records: Vec::new(), next_conn: 0 }
    }

    /// The clock.
    pub fn now(&self) -> Time {
        self.d.now()
    }

    pub fn b(&self) -> &Broker {
        &self.d.broker
    }

    pub fn sym(&mut self, s: &str) -> Sym {
        self.d.sym(s)
    }

    pub fn text(&self, s: Sym) -> String {
        self.d.text(s).to_string()
    }

    pub fn body(&self, m: MsgId) -> String {
        self.d.body(m)
    }

    /// Moves what the driver collected into the inboxes and the record log; returns the
    /// frames, for every connection.
    fn absorb(&mut self) -> Vec<(ConnId, Frame)> {
        let frames: Vec<(ConnId, Frame)> = self.d.fx.frames.drain(..).collect();
        for &(conn, f) in &frames {
            let i = conn.idx();
            if self.inbox.len() <= i {
                self.inbox.resize_with(i + 1, VecDeque::new);
            }
            self.inbox[i].push_back(f);
        }
        self.records.append(&mut self.d.fx.records);
        frames
    }

    /// Moves the clock to `t`, firing the broker's timers due on the way, in time order.
    pub fn advance_to(&mut self, t: Time) {
        self.d.run_timers(t);
        self.absorb();
    }

    pub fn wait_ms(&mut self, ms: u64) {
        self.advance_to(self.now().saturating_add(Time::ms(ms)));
    }

    /// The broker goes down: `graceful` is `rabbitmqctl stop`, otherwise a crash.
    pub fn crash(&mut self, graceful: bool) {
        self.d.crash(self.now(), graceful);
        self.absorb();
    }

    /// The broker starts again with what it recovered.
    pub fn restart(&mut self) {
        self.d.restart(self.now());
        self.absorb();
    }

    /// Sends one method; returns the frames it caused, for every connection.
    pub fn send(&mut self, conn: ConnId, ch: u16, op: Op) -> Vec<(ConnId, Frame)> {
        self.d.send(self.now(), conn, ch, op);
        self.absorb()
    }

    /// Sends one method; `Err` if the broker answered by closing this channel or connection.
    pub fn call(&mut self, conn: ConnId, ch: u16, op: Op) -> Result<Vec<Frame>, Closed> {
        let frames = self.send(conn, ch, op);
        let mut mine = Vec::new();
        for (c, f) in frames {
            if c != conn {
                continue;
            }
            match f {
                Frame::ChannelClosed { ch: n, code, text } if n == ch => {
                    return Err(self.closed(code, text, false));
                }
                Frame::ConnectionClosed { code, text } => return Err(self.closed(code, text, true)),
                f => mine.push(f),
            }
        }
        Ok(mine)
    }

    /// An error close; the trace must say the same (a channel-error record with the code).
    fn closed(&self, code: u16, text: Sym, connection: bool) -> Closed {
        let recorded = self.records.iter().rev().any(
            |r| matches!(r, Record::ChannelError { code: c, text: t, connection: k, .. } if *c == code && *t == text && *k == connection),
        );
        assert!(recorded, "error {code} closed the channel without a channel-error record");
        Closed { code, text: self.text(text), connection }
    }

    /// Takes every frame sent to `conn` so far and not yet taken.
    pub fn take(&mut self, conn: ConnId) -> Vec<Frame> {
        self.inbox.get_mut(conn.idx()).map(|q| q.drain(..).collect()).unwrap_or_default()
    }

    /// Takes the deliveries sent to `conn` (all channels), leaving its other frames.
    pub fn deliveries(&mut self, conn: ConnId) -> Vec<Got> {
        let Some(q) = self.inbox.get_mut(conn.idx()) else { return Vec::new() };
        let mut out = Vec::new();
        let mut rest = VecDeque::new();
        for f in q.drain(..) {
            match f {
                Frame::Deliver { ch, consumer, tag, redelivered, msg } => {
                    out.push((ch, tag, redelivered, msg, Some(consumer)));
                }
                other => rest.push_back(other),
            }
        }
        *q = rest;
        out.into_iter()
            .map(|(ch, tag, redelivered, msg, consumer)| Got { ch, tag, redelivered, msg, body: self.body(msg), remaining: None, consumer })
            .collect()
    }

    /// Opens a connection (owner: a client numbered like the connection) and channel 1.
    pub fn connect(&mut self) -> ConnId {
        let conn = ConnId(self.next_conn);
        self.next_conn += 1;
        self.send(conn, 0, Op::OpenConnection { owner: ClientId(conn.0) });
        self.open_channel(conn, 1);
        conn
    }

    pub fn open_channel(&mut self, conn: ConnId, ch: u16) {
        let frames = self.call(conn, ch, Op::OpenChannel).expect("channel.open");
        assert!(frames.contains(&Frame::ChannelOpenOk { ch }), "channel {ch} did not open: {frames:?}");
    }

    pub fn close_channel(&mut self, conn: ConnId, ch: u16) {
        self.send(conn, ch, Op::CloseChannel);
    }

    pub fn close_connection(&mut self, conn: ConnId) {
        self.send(conn, 0, Op::CloseConnection);
    }

    /// The bodies of the messages the records matching `pick` are about, in record order.
    pub fn bodies_of(&self, pick: impl Fn(&Record) -> bool) -> Vec<String> {
        self.records.iter().filter(|r| pick(r)).filter_map(|r| r.msg()).map(|m| self.body(m)).collect()
    }

    // ----- declarations

    pub fn declare_exchange(&mut self, conn: ConnId, ch: u16, name: &str, kind: &str, durable: bool) -> Result<(), Closed> {
        self.exchange_decl(conn, ch, name, kind, durable, false)
    }

    pub fn exchange_decl(&mut self, conn: ConnId, ch: u16, name: &str, kind: &str, durable: bool, passive: bool) -> Result<(), Closed> {
        let d = ExchangeDecl {
            name: self.sym(name),
            kind: self.sym(kind),
            durable,
            auto_delete: false,
            internal: false,
            alternate: None,
            passive,
        };
        let frames = self.call(conn, ch, Op::ExchangeDeclare(Box::new(d)))?;
        assert!(frames.iter().any(|f| matches!(f, Frame::ExchangeDeclareOk { .. })), "no declare-ok: {frames:?}");
        Ok(())
    }

    /// `queue.declare`; returns (name, message count, consumer count) from declare-ok.
    pub fn queue_decl(&mut self, conn: ConnId, ch: u16, name: &str, o: QOpts) -> Result<(String, u32, u32), Closed> {
        let name = if name.is_empty() { None } else { Some(self.sym(name)) };
        let d =
            QueueDecl { name, durable: o.durable, exclusive: o.exclusive, auto_delete: o.auto_delete, args: o.args, passive: o.passive };
        let frames = self.call(conn, ch, Op::QueueDeclare(Box::new(d)))?;
        for f in frames {
            if let Frame::QueueDeclareOk { name, messages, consumers, .. } = f {
                return Ok((self.text(name), messages, consumers));
            }
        }
        panic!("queue.declare: no declare-ok")
    }

    /// A plain (non-durable, non-exclusive) queue.
    pub fn queue(&mut self, conn: ConnId, ch: u16, name: &str) {
        self.queue_decl(conn, ch, name, QOpts::default()).expect("queue.declare");
    }

    /// The ready count a passive declare reports; `Err` if the queue cannot be seen.
    pub fn passive(&mut self, conn: ConnId, ch: u16, name: &str) -> Result<(u32, u32), Closed> {
        self.queue_decl(conn, ch, name, QOpts { passive: true, ..Default::default() }).map(|(_, m, c)| (m, c))
    }

    /// Whether a queue exists, as a fresh connection's passive declare sees it.
    pub fn exists(&mut self, name: &str) -> bool {
        let c = self.connect();
        let r = self.passive(c, 1, name);
        self.close_connection(c);
        match r {
            Ok(_) => true,
            Err(e) => {
                assert_eq!(e.code, ReplyCode::NotFound.code(), "passive declare of {name}: {e:?}");
                false
            }
        }
    }

    pub fn bind(&mut self, conn: ConnId, ch: u16, queue: &str, exchange: &str, key: &str) -> Result<(), Closed> {
        self.bind_args(conn, ch, queue, exchange, key, None)
    }

    pub fn bind_args(
        &mut self,
        conn: ConnId,
        ch: u16,
        queue: &str,
        exchange: &str,
        key: &str,
        args: Option<Headers>,
    ) -> Result<(), Closed> {
        let op = Op::QueueBind { queue: QueueRef::Named(self.sym(queue)), exchange: self.sym(exchange), key: self.sym(key), args };
        let frames = self.call(conn, ch, op)?;
        assert!(frames.iter().any(|f| matches!(f, Frame::BindOk { .. })), "no bind-ok: {frames:?}");
        Ok(())
    }

    /// `queue.delete`; returns delete-ok's message count.
    pub fn delete_queue(&mut self, conn: ConnId, ch: u16, name: &str, if_unused: bool, if_empty: bool) -> Result<u32, Closed> {
        let op = Op::QueueDelete { queue: QueueRef::Named(self.sym(name)), if_unused, if_empty };
        let frames = self.call(conn, ch, op)?;
        let n = frames.iter().find_map(|f| match f {
            Frame::DeleteOk { messages, .. } => Some(*messages),
            _ => None,
        });
        Ok(n.expect("delete-ok"))
    }

    /// `queue.purge`; returns purge-ok's message count.
    pub fn purge(&mut self, conn: ConnId, ch: u16, name: &str) -> Result<u32, Closed> {
        let op = Op::QueuePurge { queue: QueueRef::Named(self.sym(name)) };
        let frames = self.call(conn, ch, op)?;
        let n = frames.iter().find_map(|f| match f {
            Frame::PurgeOk { messages, .. } => Some(*messages),
            _ => None,
        });
        Ok(n.expect("purge-ok"))
    }

    // ----- messages

    pub fn make_msg(&mut self, p: &Pub, publisher: u32) -> MsgId {
        let mut props = Props::new(self.sym(&p.exchange), self.sym(&p.key));
        props.mandatory = p.mandatory;
        props.persistent = p.persistent;
        props.expiration = p.expiration_ms.map(Time::ms);
        props.headers = p.headers.as_ref().map(|hs| {
            let v: Vec<(Sym, HValue)> = hs.iter().map(|(k, v)| (self.d.sym(k), v.clone())).collect();
            v.into()
        });
        props.reply_to = p.reply_to.as_deref().map(|s| self.d.sym(s));
        props.correlation_id = p.correlation_id.as_deref().map(|s| self.d.sym(s));
        let pid = self.d.msgs.add_props(props);
        let body = Body::literal(self.sym(&p.body));
        self.d.msgs.add(body, pid, publisher)
    }

    /// `basic.publish`; returns the message id, or how the broker closed the channel.
    pub fn publish(&mut self, conn: ConnId, ch: u16, p: Pub) -> Result<MsgId, Closed> {
        let msg = self.make_msg(&p, conn.0);
        self.call(conn, ch, Op::Publish { msg })?;
        Ok(msg)
    }

    pub fn qos(&mut self, conn: ConnId, ch: u16, prefetch: u32) {
        self.call(conn, ch, Op::Qos { prefetch, prefetch_size: 0, global: false }).expect("basic.qos");
    }

    pub fn consume(&mut self, conn: ConnId, ch: u16, queue: &str, tag: &str, no_ack: bool) -> Result<ConsumerId, Closed> {
        self.consume_ex(conn, ch, queue, tag, no_ack, false)
    }

    pub fn consume_ex(
        &mut self,
        conn: ConnId,
        ch: u16,
        queue: &str,
        tag: &str,
        no_ack: bool,
        exclusive: bool,
    ) -> Result<ConsumerId, Closed> {
        let op = Op::Consume { queue: QueueRef::Named(self.sym(queue)), tag: self.sym(tag), no_ack, exclusive, priority: 0 };
        let frames = self.call(conn, ch, op)?;
        let id = frames.iter().find_map(|f| match f {
            Frame::ConsumeOk { consumer, .. } => Some(*consumer),
            _ => None,
        });
        Ok(id.expect("consume-ok"))
    }

    pub fn cancel(&mut self, conn: ConnId, ch: u16, tag: &str) {
        let tag = self.sym(tag);
        self.call(conn, ch, Op::Cancel { tag }).expect("basic.cancel");
    }

    pub fn ack(&mut self, conn: ConnId, ch: u16, tag: u64, multiple: bool) -> Result<(), Closed> {
        self.call(conn, ch, Op::Ack { tag, multiple }).map(|_| ())
    }

    pub fn reject(&mut self, conn: ConnId, ch: u16, tag: u64, requeue: bool) -> Result<(), Closed> {
        self.call(conn, ch, Op::Reject { tag, requeue }).map(|_| ())
    }

    pub fn nack(&mut self, conn: ConnId, ch: u16, tag: u64, multiple: bool, requeue: bool) -> Result<(), Closed> {
        self.call(conn, ch, Op::Nack { tag, multiple, requeue }).map(|_| ())
    }

    /// `basic.get`; `None` for get-empty.
    pub fn get(&mut self, conn: ConnId, ch: u16, queue: &str, no_ack: bool) -> Result<Option<Got>, Closed> {
        let op = Op::Get { queue: QueueRef::Named(self.sym(queue)), no_ack };
        let frames = self.call(conn, ch, op)?;
        for f in frames {
            match f {
                Frame::GetOk { ch, tag, redelivered, msg, remaining } => {
                    return Ok(Some(Got { ch, tag, redelivered, msg, body: self.body(msg), remaining: Some(remaining), consumer: None }))
                }
                Frame::GetEmpty { .. } => return Ok(None),
                _ => {}
            }
        }
        panic!("basic.get: no get-ok or get-empty")
    }

    /// Empties a queue with `basic.get` (auto-ack), returning what it held, head first.
    pub fn drain_full(&mut self, conn: ConnId, ch: u16, queue: &str) -> Vec<Got> {
        let mut out = Vec::new();
        while let Some(g) = self.get(conn, ch, queue, true).expect("basic.get") {
            out.push(g);
        }
        out
    }

    /// The bodies a queue holds, head first (emptying it).
    pub fn drain(&mut self, conn: ConnId, ch: u16, queue: &str) -> Vec<String> {
        self.drain_full(conn, ch, queue).into_iter().map(|g| g.body).collect()
    }

    /// Returned messages (`basic.return`) sent to `conn`, taken from its inbox.
    pub fn returns(&mut self, conn: ConnId) -> Vec<(u16, MsgId)> {
        let Some(q) = self.inbox.get_mut(conn.idx()) else { return Vec::new() };
        let mut out = Vec::new();
        q.retain(|f| match f {
            Frame::Return { msg, code, .. } => {
                out.push((*code, *msg));
                false
            }
            _ => true,
        });
        out
    }

    /// A returned message as the observation files write it.
    pub fn return_json(&self, code: u16, msg: MsgId, with_route: bool) -> Value {
        assert_eq!(code, ReplyCode::NoRoute.code());
        let p = self.d.msgs.props_of(msg);
        if with_route {
            json!({"reply_code": code, "reply_text": "NO_ROUTE", "exchange": self.text(p.exchange), "routing_key": self.text(p.routing_key), "body": self.body(msg)})
        } else {
            json!({"reply_code": code, "reply_text": "NO_ROUTE"})
        }
    }

    /// A delivery as `{"body", "redelivered"}`.
    pub fn short(g: &Got) -> Value {
        json!({"body": g.body, "redelivered": g.redelivered})
    }

    /// A delivery as `{"body", "redelivered", "delivery_tag"}`.
    pub fn with_tag(g: &Got) -> Value {
        json!({"body": g.body, "redelivered": g.redelivered, "delivery_tag": g.tag})
    }
}

// ----- JSON setups → broker values

/// Queue arguments as the observation files write them (`{"x-message-ttl": 400, ...}`),
/// parsed the way the scenario loader parses them.
pub fn queue_args(h: &mut Harness, args: &Value) -> QueueArgs {
    let mut qa = QueueArgs::default();
    let Some(map) = args.as_object() else { return qa };
    for (k, v) in map {
        let raw = match k.as_str() {
            "x-message-ttl" => {
                let i = v.as_i64().expect("x-message-ttl");
                qa.message_ttl = Some(Time::ms(i as u64));
                ArgValue::Int(i)
            }
            "x-expires" => {
                let i = v.as_i64().expect("x-expires");
                qa.expires = Some(Time::ms(i as u64));
                ArgValue::Int(i)
            }
            "x-max-length" => {
                let i = v.as_i64().expect("x-max-length");
                qa.max_length = Some(i as u64);
                ArgValue::Int(i)
            }
            "x-overflow" => {
                let s = v.as_str().expect("x-overflow");
                qa.overflow = Overflow::parse(s).expect("known overflow");
                ArgValue::Str(h.sym(s))
            }
            "x-dead-letter-exchange" => {
                let s = h.sym(v.as_str().expect("x-dead-letter-exchange"));
                qa.dead_letter_exchange = Some(s);
                ArgValue::Str(s)
            }
            "x-dead-letter-routing-key" => {
                let s = h.sym(v.as_str().expect("x-dead-letter-routing-key"));
                qa.dead_letter_routing_key = Some(s);
                ArgValue::Str(s)
            }
            other => panic!("queue argument {other} not handled by the harness"),
        };
        let key = h.sym(k);
        qa.raw.push((key, raw));
    }
    qa
}

/// A typed AMQP field value (`{"t": "I", "v": 1}`) as a header value: the type tags the
/// observations use map to the model's untyped values.
pub fn hvalue(v: &Value) -> HValue {
    let t = v["t"].as_str().expect("type tag");
    let x = &v["v"];
    match t {
        "I" | "l" => HValue::Int(x.as_i64().expect("integer")),
        "S" | "x" => HValue::Str(x.as_str().expect("string").into()),
        "t" => HValue::Bool(x.as_bool().expect("boolean")),
        "V" => HValue::Void,
        "D" => {
            // pika's Decimal("1"): written as text; scale = digits after the point.
            let s = x.as_str().expect("decimal text");
            let (int, frac) = s.split_once('.').unwrap_or((s, ""));
            let unscaled: i64 = format!("{int}{frac}").parse().expect("decimal digits");
            HValue::Decimal(frac.len() as u8, unscaled)
        }
        other => panic!("type tag {other} not handled"),
    }
}

/// A header table written `{"name": {"t": .., "v": ..}, ...}`; `null` is no headers at all.
pub fn headers(v: &Value) -> Option<Vec<(String, HValue)>> {
    let map = v.as_object()?;
    Some(map.iter().map(|(k, v)| (k.clone(), hvalue(v))).collect())
}
