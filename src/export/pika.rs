//! `warren export pika`: the scenario as a Python script that performs it against a real
//! RabbitMQ broker with pika 1.x.
//!
//! The script has two halves. The harness (`harness.py`, included verbatim) owns the clock,
//! one thread per client, the faults, and the JSON lines it prints. The scenario half is
//! written here, one function per client, in the article's style: `queue_declare`,
//! `basic_qos`, `basic_consume(queue, on_message_callback, auto_ack=...)`, a callback that
//! sleeps for the work and acks, `basic_publish` with `pika.BasicProperties` — so that a
//! student can put it beside the article's code. Its semantics follow warren's
//! (docs/scenarios.md): what each client declares on every (re)connect, consumer tags, the
//! RPC correlation ids, the order in which clients due at the same time connect.

use crate::client::spec::{Action, ReplyFn};
use crate::scenario::model::*;
use crate::scenario::Scenario;
use crate::session::Session;
use crate::sim::Time;
use crate::world::FaultKind;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The harness, included in every script.
pub const HARNESS: &str = include_str!("harness.py");

/// The default `--time-scale` of a script: real seconds per simulated second.
///
/// The bundled scenarios space the steps that decide their outcome at least 50 ms apart
/// (most 100 ms or more). Doubled, that is 100 ms of real time: on a loaded two-core machine
/// a Python thread wakes a few milliseconds late at worst, and a broker round trip on
/// loopback takes about a millisecond, so each such gap keeps a margin of more than ten times
/// the noise. A larger scale only makes runs longer.
pub const DEFAULT_TIME_SCALE: f64 = 2.0;

/// How long after the end of warren's run the script keeps going before it reads the queues:
/// room for stragglers.
pub const END_MARGIN: Time = Time::ms(500);

/// Options of the script.
#[derive(Clone, Debug)]
pub struct PikaOptions {
    pub time_scale: f64,
    /// How the scenario was named on the command line (for the header).
    pub invoked_as: String,
}

impl Default for PikaOptions {
    fn default() -> Self {
        PikaOptions { time_scale: DEFAULT_TIME_SCALE, invoked_as: String::new() }
    }
}

/// Writes `s` as the inside of a Python string literal delimited by `quote` (`'` or `"`):
/// the one place where scenario text becomes script text. The result is pure printable
/// ASCII: backslashes and the quote are escaped, `\n` `\r` `\t` by name, every other control
/// character (C0, DEL, C1) and every non-ASCII character as `\xNN`, `\uNNNN` or
/// `\UNNNNNNNN`. So no character of `s` can end the literal, a comment or a docstring, or
/// start a line of code: Python's line breaks (`\n`, `\r`, `\x0b`, `\x0c`, `\x1c`-`\x1e`,
/// `\x85`, U+2028, U+2029) and NUL all come out as escapes.
pub fn py_escape_into(out: &mut String, s: &str, quote: char) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
}

/// A Python string literal, in single quotes (see [`py_escape_into`]).
pub fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    py_escape_into(&mut out, s, '\'');
    out.push('\'');
    out
}

/// Scenario text for a comment or a docstring line: escaped as inside a `"` literal (see
/// [`py_escape_into`]), so it can neither break the line nor close a `"""` docstring.
pub fn py_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    py_escape_into(&mut out, s, '"');
    out
}

/// Lines of scenario text for a docstring: each line escaped, joined by real newlines.
fn py_doc_lines(s: &str) -> String {
    s.lines().map(py_text).collect::<Vec<_>>().join("\n")
}

/// A float as a Python expression (`float('inf')` for the infinities and NaN).
fn py_float(x: f64) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else {
        format!("float('{x}')")
    }
}

/// UTF-8 bytes as hex: how a question's answer travels in the script until its time.
pub fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Seconds as a Python float: `0.1`, `1.5`, `30.0`.
pub fn secs(t: Time) -> String {
    let us = t.as_us();
    let whole = us / 1_000_000;
    let frac = us % 1_000_000;
    if frac == 0 {
        return format!("{whole}.0");
    }
    let mut f = format!("{frac:06}");
    while f.ends_with('0') {
        f.pop();
    }
    format!("{whole}.{f}")
}

/// A YAML scalar as a Python literal.
fn py_value(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => match n.as_f64() {
            Some(x) if !x.is_finite() => py_float(x),
            _ => n.to_string(),
        },
        Value::String(s) => py_str(s),
        other => py_str(crate::scenario::load::value_to_yaml(other).trim()),
    }
}

/// A comment block of scenario text: each line escaped ([`py_text`]) and prefixed.
fn comment(out: &mut String, indent: &str, text: &str) {
    for line in text.trim_end().lines() {
        if line.trim().is_empty() {
            let _ = writeln!(out, "{indent}#");
        } else {
            let _ = writeln!(out, "{indent}# {}", py_text(line));
        }
    }
}

/// Queue arguments as a Python dict; times (TTLs, x-expires) go through `ms()`, which scales.
fn queue_arguments(args: &BTreeMap<String, Value>) -> Option<String> {
    if args.is_empty() {
        return None;
    }
    let items: Vec<String> = args
        .iter()
        .map(|(k, v)| {
            let value = if (k == "x-message-ttl" || k == "x-expires") && v.is_i64() { format!("ms({})", py_value(v)) } else { py_value(v) };
            format!("{}: {value}", py_str(k))
        })
        .collect();
    Some(format!("{{{}}}", items.join(", ")))
}

fn mapping_dict(m: &crate::scenario::model::YamlMapping) -> String {
    let items: Vec<String> = m.iter().map(|(k, v)| format!("{}: {}", py_value(k), py_value(v))).collect();
    format!("{{{}}}", items.join(", "))
}

/// `channel.queue_declare(...)` for a named queue.
fn queue_declare(name: &str, durable: bool, exclusive: bool, auto_delete: bool, args: &BTreeMap<String, Value>, passive: bool) -> String {
    let mut a = vec![format!("queue={}", py_str(name))];
    if passive {
        a.push("passive=True".into());
    }
    if durable {
        a.push("durable=True".into());
    }
    if exclusive {
        a.push("exclusive=True".into());
    }
    if auto_delete {
        a.push("auto_delete=True".into());
    }
    if let Some(d) = queue_arguments(args) {
        a.push(format!("arguments={d}"));
    }
    format!("channel.queue_declare({})", a.join(", "))
}

fn exchange_declare(
    name: &str,
    kind: Option<&str>,
    durable: bool,
    auto_delete: bool,
    internal: bool,
    alternate: Option<&str>,
    passive: bool,
) -> String {
    let mut a = vec![format!("exchange={}", py_str(name))];
    if let Some(k) = kind {
        a.push(format!("exchange_type={}", py_str(k)));
    }
    if passive {
        a.push("passive=True".into());
    }
    if durable {
        a.push("durable=True".into());
    }
    if auto_delete {
        a.push("auto_delete=True".into());
    }
    if internal {
        a.push("internal=True".into());
    }
    if let Some(ae) = alternate {
        a.push(format!("arguments={{'alternate-exchange': {}}}", py_str(ae)));
    }
    format!("channel.exchange_declare({})", a.join(", "))
}

fn top_exchange(x: &ExchangeDef) -> String {
    exchange_declare(&x.name, Some(&x.kind), x.durable, x.auto_delete, x.internal, x.alternate_exchange.as_deref(), false)
}

fn queue_bind(queue_expr: &str, exchange: &str, key: &str, args: &Option<crate::scenario::model::YamlMapping>) -> String {
    let mut a = vec![format!("exchange={}", py_str(exchange)), format!("queue={queue_expr}")];
    if !key.is_empty() || args.is_none() {
        a.push(format!("routing_key={}", py_str(key)));
    }
    if let Some(m) = args {
        a.push(format!("arguments={}", mapping_dict(m)));
    }
    format!("channel.queue_bind({})", a.join(", "))
}

fn declare_lines(decls: &[DeclareDef]) -> Vec<String> {
    decls
        .iter()
        .map(|d| match (&d.queue, &d.exchange) {
            (Some(q), _) => queue_declare(q, d.durable, d.exclusive, d.auto_delete, &d.arguments, d.passive),
            (_, Some(x)) => {
                exchange_declare(x, d.kind.as_deref(), d.durable, d.auto_delete, false, d.alternate_exchange.as_deref(), d.passive)
            }
            _ => "pass".into(),
        })
        .collect()
}

/// Python identifiers for the clients' functions: their names where possible.
fn function_names(names: &[&str]) -> Vec<String> {
    const TAKEN: &[&str] = &[
        "main",
        "setup",
        "fib",
        "ms",
        "decode",
        "arguments",
        "abrupt_close",
        "broker_command",
        "faults_thread",
        "notes_thread",
        "report_queues",
        "json",
        "os",
        "sys",
        "time",
        "socket",
        "threading",
        "subprocess",
        "argparse",
        "pika",
        "print",
        "str",
        "int",
        "list",
        "dict",
        "type",
        "range",
        "len",
        "id",
        "input",
        "open",
        "object",
        "callback",
        "client",
        "channel",
        "connection",
    ];
    const KEYWORDS: &[&str] = &[
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
        "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
        "return", "try", "while", "with", "yield",
    ];
    let mut used: BTreeSet<String> = BTreeSet::new();
    names
        .iter()
        .map(|n| {
            let mut s: String = n.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
            if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
                s.insert_str(0, "client_");
            }
            if TAKEN.contains(&s.as_str()) || KEYWORDS.contains(&s.as_str()) || s.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                s.push_str("_client");
            }
            let base = s.clone();
            let mut k = 2;
            while used.contains(&s) {
                s = format!("{base}_{k}");
                k += 1;
            }
            used.insert(s.clone());
            s
        })
        .collect()
}

/// The Python expression of a body template: a plain literal, or an f-string with `{n}`.
fn body_expr(tpl: &str) -> String {
    if !tpl.contains("{n}") {
        return py_str(tpl);
    }
    let escaped = tpl.replace('{', "{{").replace('}', "}}").replace("{{n}}", "{n}");
    format!("f{}", py_str(&escaped))
}

/// `pika.BasicProperties(...)` for a publish entry, or `None` when it has none.
fn properties(e: &PublishDef) -> Option<String> {
    let mut a = Vec::new();
    if e.persistent {
        a.push("delivery_mode=2".to_string());
    }
    if let Some(h) = &e.headers {
        a.push(format!("headers={}", mapping_dict(h)));
    }
    if let Some(x) = e.expiration {
        a.push(format!("expiration=str(ms({}))", x.0.as_us() / 1000));
    }
    if let Some(r) = &e.reply_to {
        a.push(format!("reply_to={}", py_str(r)));
    }
    if let Some(c) = &e.correlation_id {
        a.push(format!("correlation_id={}", py_str(c)));
    }
    if let Some(p) = e.priority {
        a.push(format!("priority={p}"));
    }
    if a.is_empty() {
        None
    } else {
        Some(format!("pika.BasicProperties({})", a.join(", ")))
    }
}

/// At most this many interleaved publishes are written out as one timetable.
const TIMETABLE_MAX: usize = 100_000;

/// The RabbitMQ settings a scenario changes, as `'name': simulated seconds` pairs. A consumer
/// timeout comes with its check interval, so that both scale together.
fn broker_env(b: &BrokerDef) -> Vec<String> {
    if b.consumer_timeout.is_none() && b.channel_tick_interval.is_none() {
        return Vec::new();
    }
    let d = crate::broker::BrokerConfig::default();
    let timeout = b.consumer_timeout.map(|t| t.0).or(d.consumer_timeout).unwrap_or(Time::NEVER);
    let tick = b.channel_tick_interval.map(|t| t.0).unwrap_or(d.channel_tick_interval);
    vec![format!("'consumer_timeout': {}", secs(timeout)), format!("'channel_tick_interval': {}", secs(tick))]
}

/// The order in which warren publishes a producer's entries: its event heap orders timers
/// by (time, when they were set), so entries due at the same time interleave. At most `max`
/// publishes (a count may be huge).
fn publish_order(entries: &[PublishDef], max: usize) -> Vec<(Time, usize, u32)> {
    let mut heap = std::collections::BinaryHeap::new();
    let mut seq = 0u64;
    for (i, e) in entries.iter().enumerate() {
        if e.count > 0 {
            heap.push(std::cmp::Reverse((e.at.0, seq, i, 1u32)));
            seq += 1;
        }
    }
    let mut out = Vec::new();
    while let Some(std::cmp::Reverse((t, _, i, n))) = heap.pop() {
        if out.len() >= max {
            break;
        }
        out.push((t, i, n));
        if n < entries[i].count {
            heap.push(std::cmp::Reverse((t.saturating_add(entries[i].every.0), seq, i, n + 1)));
            seq += 1;
        }
    }
    out
}

/// Whether warren publishes the entries one after the other (each entry's messages before
/// the next entry's first), found from the entries' times without listing the publishes.
fn sequential(entries: &[PublishDef]) -> bool {
    let live: Vec<&PublishDef> = entries.iter().filter(|e| e.count > 0).collect();
    live.windows(2).all(|w| {
        let (a, b) = (w[0], w[1]);
        let last = a.at.0.as_us().saturating_add(a.every.0.as_us().saturating_mul(u64::from(a.count) - 1));
        // At the same instant, the next entry's first timer (set at the start) comes before
        // a later message of this one (set when the one before it went out).
        last < b.at.0.as_us() || (last == b.at.0.as_us() && a.count == 1)
    }) && live.windows(2).all(|w| w[0].at.0 <= w[1].at.0)
}

/// One `basic_publish` call: Python expressions for its arguments.
struct PublishCall {
    confirms: bool,
    exchange: String,
    key: String,
    body: String,
    properties: Option<String>,
    mandatory: bool,
}

struct Writer<'a> {
    s: &'a Scenario,
    out: String,
}

impl Writer<'_> {
    fn line(&mut self, indent: usize, text: &str) {
        let _ = writeln!(self.out, "{}{text}", "    ".repeat(indent));
    }
    fn blank(&mut self) {
        self.out.push('\n');
    }

    fn setup(&mut self) {
        let d = &self.s.def;
        self.line(0, "def setup(channel):");
        self.line(1, "\"\"\"Before the clock starts: what an earlier run left is deleted, then the scenario's");
        self.line(1, "setup declares its exchanges, queues and bindings (time 0).\"\"\"");
        let mut queues: Vec<&str> = Vec::new();
        for q in d.queues.iter().filter(|q| !q.exclusive) {
            queues.push(&q.name);
        }
        for dd in d
            .producers
            .iter()
            .flat_map(|p| &p.declare)
            .chain(d.consumers.iter().flat_map(|c| &c.declare))
            .chain(d.rpc_clients.iter().flat_map(|r| &r.declare))
        {
            if let (Some(q), false) = (&dd.queue, dd.exclusive || dd.passive) {
                if !queues.contains(&q.as_str()) {
                    queues.push(q);
                }
            }
        }
        let mut exchanges: Vec<&str> = d.exchanges.iter().map(|x| x.name.as_str()).collect();
        for dd in d
            .producers
            .iter()
            .flat_map(|p| &p.declare)
            .chain(d.consumers.iter().flat_map(|c| &c.declare))
            .chain(d.rpc_clients.iter().flat_map(|r| &r.declare))
        {
            if let (Some(x), false) = (&dd.exchange, dd.passive) {
                if !exchanges.contains(&x.as_str()) {
                    exchanges.push(x);
                }
            }
        }
        for q in queues.iter().filter(|q| !q.starts_with("amq.")) {
            self.line(1, &format!("channel.queue_delete(queue={})", py_str(q)));
        }
        for x in exchanges.iter().filter(|x| !x.starts_with("amq.")) {
            self.line(1, &format!("channel.exchange_delete(exchange={})", py_str(x)));
        }
        for x in &d.exchanges {
            self.line(1, &top_exchange(x));
        }
        for q in d.queues.iter().filter(|q| !q.exclusive) {
            self.line(1, &queue_declare(&q.name, q.durable, false, q.auto_delete, &q.arguments, false));
        }
        for b in &d.bindings {
            let exclusive = d.queues.iter().any(|q| Some(&q.name) == b.queue.as_ref() && q.exclusive);
            match (&b.queue, &b.to_exchange) {
                (Some(q), _) if !exclusive => self.line(1, &queue_bind(&py_str(q), &b.exchange, &b.key, &b.arguments)),
                (_, Some(x)) => {
                    let mut a = vec![
                        format!("destination={}", py_str(x)),
                        format!("source={}", py_str(&b.exchange)),
                        format!("routing_key={}", py_str(&b.key)),
                    ];
                    if let Some(m) = &b.arguments {
                        a.push(format!("arguments={}", mapping_dict(m)));
                    }
                    self.line(1, &format!("channel.exchange_bind({})", a.join(", ")));
                }
                _ => {}
            }
        }
        self.blank();
        self.blank();
    }

    fn connect(&mut self, declare: &[DeclareDef]) {
        self.line(1, "connection = client.connect()");
        self.line(1, "channel = connection.channel()");
        for l in declare_lines(declare) {
            self.line(1, &l);
        }
    }

    /// `channel.basic_publish(...)` of one message, with the confirms' exceptions caught,
    /// then `client.sent(...)`.
    fn publish_call(&mut self, indent: usize, p: &PublishCall) {
        let (exchange, key, body) = (&p.exchange, &p.key, &p.body);
        let mut a = vec![format!("exchange={exchange}"), format!("routing_key={key}"), format!("body={body}")];
        if let Some(props) = &p.properties {
            a.push(format!("properties={props}"));
        }
        if p.mandatory {
            a.push("mandatory=True".into());
        }
        let call = format!("channel.basic_publish({})", a.join(", "));
        if p.confirms {
            self.line(indent, "try:");
            self.line(indent + 1, &call);
            self.line(indent, "except pika.exceptions.UnroutableError as e:  # returned (mandatory), then acked");
            self.line(indent + 1, "client.returned(e.messages)");
            self.line(indent, "except pika.exceptions.NackError:  # the broker refused it (basic.nack)");
            self.line(indent + 1, &format!("client.nacked({body})"));
        } else {
            self.line(indent, &call);
        }
        self.line(indent, &format!("client.sent({exchange}, {key}, {body})"));
    }

    fn producer(&mut self, f: &str, p: &ProducerDef) {
        let mut what = format!("producer{}", if p.confirms { ", publisher confirms" } else { "" });
        if let Some(s) = p.start.filter(|s| s.0 > Time::ZERO) {
            let _ = write!(what, ", starts at {}", s.0);
        }
        comment(&mut self.out, "", &format!("---- {}: {what}", p.name));
        self.line(0, &format!("def {f}(client):"));
        self.connect(&p.declare);
        if p.confirms {
            self.line(1, "channel.confirm_delivery()");
        } else if p.publish.iter().any(|e| e.mandatory) {
            self.line(1, "channel.add_on_return_callback(client.on_return)  # mandatory messages that come back");
        }
        let order = if sequential(&p.publish) { Vec::new() } else { publish_order(&p.publish, TIMETABLE_MAX + 1) };
        if order.len() > TIMETABLE_MAX {
            self.blank();
            self.line(1, &format!("# The publish entries interleave over more than {TIMETABLE_MAX} publishes: too many to list."));
            self.line(1, "raise SystemExit(\"warren: this producer's interleaved timetable is too long to export\")");
        } else if order.is_empty() {
            for e in &p.publish {
                self.blank();
                let call = PublishCall {
                    confirms: p.confirms,
                    exchange: py_str(&e.exchange),
                    key: py_str(&e.key),
                    body: if e.count == 1 { py_str(&e.body.replace("{n}", "1")) } else { body_expr(&e.body) },
                    properties: properties(e),
                    mandatory: e.mandatory,
                };
                if e.count == 1 {
                    self.line(1, &format!("if client.at({}):  # False if it fell due while this client was down", secs(e.at.0)));
                    self.publish_call(2, &call);
                } else {
                    self.line(
                        1,
                        &format!(
                            "for n in client.schedule(at={}, every={}, count={}):  # sleeps until each is due",
                            secs(e.at.0),
                            secs(e.every.0),
                            e.count
                        ),
                    );
                    self.publish_call(2, &call);
                }
            }
        } else {
            self.blank();
            self.line(1, "# The publish entries interleave: one timetable, in warren's order.");
            self.line(1, "timetable = [");
            for (t, i, n) in &order {
                let e = &p.publish[*i];
                let body = py_str(&e.body.replace("{n}", &n.to_string()));
                let props = properties(e).unwrap_or_else(|| "None".into());
                self.line(
                    2,
                    &format!(
                        "({}, {}, {}, {body}, {props}, {}),",
                        secs(*t),
                        py_str(&e.exchange),
                        py_str(&e.key),
                        if e.mandatory { "True" } else { "False" }
                    ),
                );
            }
            self.line(1, "]");
            self.line(1, "for at, exchange, routing_key, body, properties, mandatory in client.timetable(timetable):");
            let call =
                "channel.basic_publish(exchange=exchange, routing_key=routing_key, body=body, properties=properties, mandatory=mandatory)";
            if p.confirms {
                self.line(2, "try:");
                self.line(3, call);
                self.line(2, "except pika.exceptions.UnroutableError as e:");
                self.line(3, "client.returned(e.messages)");
                self.line(2, "except pika.exceptions.NackError:");
                self.line(3, "client.nacked(body)");
            } else {
                self.line(2, call);
            }
            self.line(2, "client.sent(exchange, routing_key, body)");
        }
        self.blank();
        self.blank();
    }

    /// Lines that reply (an RPC server) — inside the callback.
    fn reply_lines(&mut self, indent: usize, f: &ReplyFn, mandatory: bool) {
        let expr = match f {
            ReplyFn::Echo => "body.decode()".to_string(),
            ReplyFn::Upper => "body.decode().upper()".to_string(),
            ReplyFn::Increment => "str(int(body) + 1)".to_string(),
            ReplyFn::Fib => "str(fib(int(body)))".to_string(),
            ReplyFn::Template(t) => format!("{}.replace('{{body}}', body.decode())", py_str(t)),
        };
        self.line(indent, &format!("response = {expr}"));
        self.line(indent, "ch.basic_publish(exchange='', routing_key=properties.reply_to,");
        self.line(indent, "                 properties=pika.BasicProperties(correlation_id=properties.correlation_id),");
        self.line(indent, &format!("                 body=response{})", if mandatory { ", mandatory=True" } else { "" }));
    }

    /// The lines of one action after the work: reply, then settle (or crash).
    fn action_lines(&mut self, indent: usize, action: Action, c: &ConsumerDef, reply: Option<&ReplyFn>, auto: bool, base: Action) {
        let settles = matches!(action, Action::Ack | Action::Forget | Action::CrashBeforeAck) || auto;
        if action == Action::Crash {
            self.line(indent, "client.crash()  # the process dies before acking");
            return;
        }
        if let (Some(f), true) = (reply, settles) {
            self.reply_lines(indent, f, c.reply_mandatory);
        }
        if action == Action::CrashBeforeAck {
            self.line(indent, "client.crash()  # ... and the process dies before acking");
            return;
        }
        if auto {
            if reply.is_none() || !settles {
                self.line(indent, "pass  # auto_ack: the broker forgot the message when it delivered it");
            }
            return;
        }
        let tag = "delivery_tag=method.delivery_tag";
        // ack_every: the consumer's own action settles the batch with multiple=true.
        let batch = c.ack_every.filter(|n| *n > 0 && action == base && matches!(action, Action::Ack | Action::Nack | Action::Requeue));
        if let Some(n) = batch {
            let l = match action {
                Action::Ack => format!("ch.basic_ack({tag}, multiple=True)"),
                Action::Nack => format!("ch.basic_nack({tag}, multiple=True, requeue=False)"),
                _ => format!("ch.basic_nack({tag}, multiple=True, requeue=True)"),
            };
            self.line(indent, &format!("if client.batch({n}):  # ack_every: {n}, the others stay unacked until then"));
            self.line(indent + 1, &l);
            return;
        }
        let l = match action {
            Action::Ack => format!("ch.basic_ack({tag})"),
            Action::Forget => "pass  # it never acks".to_string(),
            Action::Reject => format!("ch.basic_reject({tag}, requeue=False)"),
            Action::RejectRequeue => format!("ch.basic_reject({tag}, requeue=True)"),
            Action::Requeue => format!("ch.basic_nack({tag}, requeue=True)"),
            Action::Nack => format!("ch.basic_nack({tag}, requeue=False)"),
            Action::Crash | Action::CrashBeforeAck => unreachable!(),
        };
        self.line(indent, &l);
    }

    /// Declares what a consumer's queue needs (its exchanges, the queue, its bindings, or a
    /// private server-named queue); the Python expression of the queue's name.
    fn consumer_queue(&mut self, c: &ConsumerDef) -> String {
        let d = &self.s.def;
        match &c.queue {
            ConsumerQueueDef::Named(q) => {
                // Like the article's consumers: the exchanges its queue is bound from, the
                // queue, its bindings.
                let binds: Vec<&BindingDef> = d.bindings.iter().filter(|b| b.queue.as_deref() == Some(q.as_str())).collect();
                let mut done: Vec<&str> = Vec::new();
                for b in &binds {
                    if let Some(x) = d.exchanges.iter().find(|x| x.name == b.exchange) {
                        if !done.contains(&x.name.as_str()) {
                            self.line(1, &top_exchange(x));
                            done.push(&x.name);
                        }
                    }
                }
                if let Some(qd) = d.queues.iter().find(|x| x.name == *q) {
                    self.line(1, &queue_declare(q, qd.durable, qd.exclusive, qd.auto_delete, &qd.arguments, false));
                }
                for b in &binds {
                    self.line(1, &queue_bind(&py_str(q), &b.exchange, &b.key, &b.arguments));
                }
                py_str(q)
            }
            ConsumerQueueDef::Private(pq) => {
                let mut done: Vec<&str> = Vec::new();
                for b in &pq.bind {
                    if let Some(x) = d.exchanges.iter().find(|x| x.name == b.exchange) {
                        if !done.contains(&x.name.as_str()) {
                            self.line(1, &top_exchange(x));
                            done.push(&x.name);
                        }
                    }
                }
                let mut a = vec!["queue=''".to_string()];
                if pq.exclusive {
                    a.push("exclusive=True".into());
                }
                if pq.durable {
                    a.push("durable=True".into());
                }
                if pq.auto_delete {
                    a.push("auto_delete=True".into());
                }
                if let Some(args) = queue_arguments(&pq.arguments) {
                    a.push(format!("arguments={args}"));
                }
                self.line(1, &format!("result = channel.queue_declare({})", a.join(", ")));
                self.line(1, "queue_name = result.method.queue");
                for b in &pq.bind {
                    self.line(1, &queue_bind("queue_name", &b.exchange, &b.key, &b.arguments));
                }
                "queue_name".into()
            }
        }
    }

    /// A consumer's `cancel:`, `qos:` and `recover:`: planned at their times, performed
    /// whether it is waiting or in the middle of a message's work.
    fn timed_methods(&mut self, c: &ConsumerDef) {
        if let Some(t) = c.cancel.filter(|_| c.get.is_none()) {
            let tag = py_str(&c.name);
            self.line(
                1,
                &format!("client.plan({}, lambda: client.cancel(channel, {tag}))  # basic.cancel; it finishes what it holds", secs(t.0)),
            );
        }
        for q in &c.qos {
            let global = if q.global { "True" } else { "False" };
            self.line(
                1,
                &format!("client.plan({}, lambda: channel.basic_qos(prefetch_count={}, global_qos={global}))", secs(q.at.0), q.prefetch),
            );
        }
        if let Some(t) = c.recover {
            self.line(1, &format!("client.plan({}, lambda: channel.basic_recover(requeue=True))", secs(t.0)));
        }
    }

    /// A `get:` poller: basic.get every `every` instead of consuming, each message through the
    /// same callback.
    fn poller(&mut self, c: &ConsumerDef, queue_expr: &str, every: Time, auto: bool) {
        self.timed_methods(c);
        let start = c.start.map(|d| d.0).unwrap_or(Time::ZERO);
        let until = c.cancel.map(|d| secs(d.0)).unwrap_or_else(|| "float('inf')".into());
        self.line(
            1,
            &format!("for _ in client.ticks(at={}, every={}, until={until}):  # basic.get instead of consuming", secs(start), secs(every)),
        );
        self.line(
            2,
            &format!("method, properties, body = channel.basic_get(queue={queue_expr}, auto_ack={})", if auto { "True" } else { "False" }),
        );
        self.line(2, "if method is None:");
        self.line(3, "client.get_empty()  # basic.get-empty: nothing ready");
        self.line(2, "else:");
        self.line(3, "callback(channel, method, properties, body)");
        self.line(1, "client.idle()");
        self.blank();
        self.blank();
    }

    /// The consumer's `callback`: the work, then the action or the first rule that matches.
    fn callback(&mut self, c: &ConsumerDef, spec: &crate::client::spec::ConsumerSpec, auto: bool) {
        self.line(1, "def callback(ch, method, properties, body):");
        self.line(2, "client.delivered(method, properties, body)");
        let work = match &c.work {
            None => None,
            Some(WorkDef::Fixed(t)) if t.0 == Time::ZERO => None,
            Some(WorkDef::Fixed(t)) => Some(format!("client.work({})  # time.sleep({}), scaled", secs(t.0), secs(t.0))),
            Some(WorkDef::Dist(w)) => {
                let mean = match (w.uniform, w.exponential) {
                    (Some((lo, hi)), _) => Time((lo.0.as_us() + hi.0.as_us()) / 2),
                    (_, Some(m)) => m.0,
                    _ => Time::ZERO,
                };
                Some(format!("client.work({})  # a random time: the ones warren drew, in order", secs(mean)))
            }
        };
        if let Some(w) = work {
            self.line(2, &w);
        }
        let reply = spec.reply.clone();
        if spec.rules.is_empty() {
            self.action_lines(2, spec.action, c, reply.as_ref(), auto, spec.action);
        } else {
            self.line(2, "# The scenario's rules: the first that matches applies.");
            for (i, r) in spec.rules.iter().enumerate() {
                let mut cond = Vec::new();
                if let Some(b) = &r.body {
                    cond.push(format!("body.decode() == {}", py_str(b)));
                }
                match r.redelivered {
                    Some(true) => cond.push("method.redelivered".into()),
                    Some(false) => cond.push("not method.redelivered".into()),
                    None => {}
                }
                if let Some(n) = r.times {
                    cond.push(format!("client.uses({i}) < {n}"));
                }
                if cond.is_empty() {
                    cond.push("True".into());
                }
                let kw = if i == 0 { "if" } else { "elif" };
                self.line(2, &format!("{kw} {}:  # {}", cond.join(" and "), py_text(&c.rules[i].action)));
                if r.times.is_some() {
                    self.line(3, &format!("client.use({i})"));
                }
                self.action_lines(3, r.action, c, reply.as_ref(), auto, spec.action);
            }
            self.line(2, "else:");
            self.action_lines(3, spec.action, c, reply.as_ref(), auto, spec.action);
        }
    }

    fn consumer(&mut self, f: &str, c: &ConsumerDef, spec: &crate::client::spec::ConsumerSpec) {
        let ack = c.ack.clone().unwrap_or_else(|| "manual".into());
        let auto = ack == "auto";
        let queue_desc = match &c.queue {
            ConsumerQueueDef::Named(q) => q.clone(),
            ConsumerQueueDef::Private(_) => "a private server-named queue".into(),
        };
        let mut what = format!("consumer of {queue_desc}, {ack} ack");
        if c.prefetch > 0 {
            let _ = write!(what, ", prefetch {}", c.prefetch);
        }
        if let Some(r) = &c.reply {
            let _ = write!(what, ", an RPC server ({r})");
        }
        comment(&mut self.out, "", &format!("---- {}: {what}", c.name));
        self.line(0, &format!("def {f}(client):"));
        self.connect(&c.declare);
        let queue_expr = self.consumer_queue(c);
        if c.prefetch > 0 && !auto {
            self.line(1, &format!("channel.basic_qos(prefetch_count={})", c.prefetch));
        }
        if c.reply_mandatory {
            self.line(1, "channel.add_on_return_callback(client.on_return)  # replies that come back");
        }
        self.blank();
        self.callback(c, spec, auto);
        self.blank();
        if let Some(every) = c.get {
            self.poller(c, &queue_expr, every.0, auto);
            return;
        }
        let mut a = vec![
            format!("queue={queue_expr}"),
            "on_message_callback=callback".into(),
            format!("auto_ack={}", if auto { "True" } else { "False" }),
        ];
        if c.exclusive {
            a.push("exclusive=True".into());
        }
        a.push(format!("consumer_tag={}", py_str(&c.name)));
        if c.priority != 0 {
            a.push(format!("arguments={{'x-priority': {}}}", c.priority));
        }
        self.line(1, &format!("channel.basic_consume({})", a.join(", ")));
        self.timed_methods(c);
        self.line(1, "client.start_consuming(channel)");
        self.blank();
        self.blank();
    }

    fn rpc_client(&mut self, f: &str, r: &RpcClientDef) {
        let mode = r.reply_to.clone().unwrap_or_else(|| "callback".into());
        let every = r.every.map(|d| d.0).unwrap_or(Time::secs(1));
        let start = r.start.map(|d| d.0).unwrap_or(Time::ZERO);
        let first = r.first_call.map(|d| d.0).unwrap_or(start);
        let desc = match mode.as_str() {
            "direct" => "direct reply-to",
            "none" => "no reply_to at all (the article's bug)",
            _ => "an exclusive callback queue",
        };
        comment(&mut self.out, "", &format!("---- {}: RPC client of {}, replies through {desc}", r.name, r.queue));
        self.line(0, &format!("def {f}(client):"));
        self.connect(&r.declare);
        match mode.as_str() {
            "direct" => self.line(1, "callback_queue = 'amq.rabbitmq.reply-to'  # direct reply-to: no queue to declare"),
            "none" => {}
            _ => {
                self.line(1, "result = channel.queue_declare(queue='', exclusive=True)");
                self.line(1, "callback_queue = result.method.queue");
            }
        }
        if mode != "none" {
            self.blank();
            self.line(1, "def on_response(ch, method, properties, body):");
            self.line(2, "client.reply(properties, body)  # kept if properties.correlation_id is a call still waiting");
            self.blank();
            self.line(1, "channel.basic_consume(queue=callback_queue, on_message_callback=on_response, auto_ack=True)");
        }
        self.blank();
        let calls: Vec<String> = r.calls.iter().map(|c| py_str(c)).collect();
        self.line(1, &format!("calls = [{}]", calls.join(", ")));
        self.line(
            1,
            &format!(
                "for n in client.schedule(at={}, every={}, count={}):  # calls do not wait for replies",
                secs(first),
                secs(every),
                r.calls.len()
            ),
        );
        self.line(2, &format!("corr_id = f{}", py_str(&format!("{}-{{n}}", r.name.replace('{', "{{").replace('}', "}}")))));
        let props = if mode == "none" {
            "pika.BasicProperties(correlation_id=corr_id)".to_string()
        } else {
            self.line(2, "client.call(corr_id, n)");
            format!(
                "pika.BasicProperties(reply_to=callback_queue, correlation_id=corr_id{})",
                if r.persistent { ", delivery_mode=2" } else { "" }
            )
        };
        let props = if mode == "none" && r.persistent {
            "pika.BasicProperties(correlation_id=corr_id, delivery_mode=2)".to_string()
        } else {
            props
        };
        self.line(
            2,
            &format!("channel.basic_publish(exchange='', routing_key={}, properties={props}, body=calls[n - 1])", py_str(&r.queue)),
        );
        self.line(2, &format!("client.sent('', {}, calls[n - 1])", py_str(&r.queue)));
        self.blank();
        self.blank();
    }
}

/// The scenario's notes and faults, as the script performs them.
#[derive(Default)]
struct Timeline {
    /// Every note and fault, in time order, for the timeline comment. A question appears
    /// without its answer.
    events: Vec<(Time, String)>,
    /// The notes the script prints at their time: the text, and what only that time may
    /// reveal (a question's answer and explanation).
    notes: Vec<(Time, String, Option<String>)>,
    /// (time, what `--broker-restart-cmd` is asked to do).
    broker_faults: Vec<(Time, &'static str)>,
    /// Faults the script cannot perform (delays, partitions): printed as notes.
    skipped: Vec<(Time, String)>,
    crashes: BTreeMap<usize, Vec<Time>>,
    restarts: BTreeMap<usize, Vec<Time>>,
}

impl Timeline {
    fn new(s: &Scenario, names: &[&str]) -> Timeline {
        let mut tl = Timeline::default();
        let mut notes: Vec<(Time, String, Option<String>)> = s.notes.iter().map(|n| (n.at, note_text(n), note_answer(n))).collect();
        notes.sort_by_key(|(t, _, _)| *t);
        for (t, text, _) in &notes {
            tl.events.push((*t, format!("note: {text}")));
        }
        tl.notes = notes;
        for f in &s.plan.faults {
            let text = tl.fault(f, names);
            tl.events.push((f.at, text));
        }
        tl.events.sort_by_key(|(t, _)| *t);
        tl
    }

    /// Files a fault under what the script does with it; its line in the timeline.
    fn fault(&mut self, f: &crate::world::FaultSpec, names: &[&str]) -> String {
        let broker = |tl: &mut Timeline, action: &'static str, text: &str| {
            tl.broker_faults.push((f.at, action));
            text.to_string()
        };
        match f.kind {
            FaultKind::Crash(c) => {
                self.crashes.entry(c.idx()).or_default().push(f.at);
                format!("fault: {} crashes (its connection is closed without a goodbye)", names[c.idx()])
            }
            FaultKind::Restart(c) => {
                self.restarts.entry(c.idx()).or_default().push(f.at);
                format!("fault: {} restarts (connects again)", names[c.idx()])
            }
            FaultKind::BrokerCrash => broker(self, "crash", "fault: the broker crashes (--broker-restart-cmd crash)"),
            FaultKind::BrokerStop => broker(self, "stop", "fault: the broker is stopped (--broker-restart-cmd stop)"),
            FaultKind::BrokerRestart => broker(self, "start", "fault: the broker starts again (--broker-restart-cmd start)"),
            FaultKind::Delay { client, by } => {
                let t = format!("delay {} by {by} until {}", names[client.idx()], f.until.unwrap_or(Time::NEVER));
                self.skipped.push((f.at, t.clone()));
                format!("fault (not performed by this script): {t}")
            }
            FaultKind::Partition(c) => {
                let t = format!("partition {} until {}", names[c.idx()], f.until.unwrap_or(Time::NEVER));
                self.skipped.push((f.at, t.clone()));
                format!("fault (not performed by this script): {t}")
            }
        }
    }
}

/// A note's text, or its question with the choices (not the answer: see [`note_answer`]).
fn note_text(n: &crate::scenario::Note) -> String {
    match (&n.text, &n.ask) {
        (Some(t), _) => t.get("en").to_string(),
        (_, Some(a)) => {
            let choices: Vec<&str> = n.choices.iter().map(|c| c.get("en")).collect();
            format!("question: {} [{}]", a.get("en"), choices.join(" / "))
        }
        _ => String::new(),
    }
}

/// What a question reveals when the script reaches it: ` answer: A (explanation)`.
fn note_answer(n: &crate::scenario::Note) -> Option<String> {
    n.ask.as_ref()?;
    let mut q = String::new();
    if let Some(i) = n.answer {
        let _ = write!(q, " answer: {}", n.choices.get(i).map(|c| c.get("en")).unwrap_or_default());
    }
    if let Some(e) = &n.explain {
        let _ = write!(q, " ({})", e.get("en"));
    }
    (!q.is_empty()).then_some(q)
}

/// The clients of the run, as the script names and starts them.
struct Cast<'a> {
    session: &'a Session,
    /// Each client's name, by client index.
    names: Vec<&'a str>,
    /// Each client's Python function, by client index.
    functions: Vec<String>,
    /// The order in which clients are written and connect: the scenario's start order.
    order: Vec<usize>,
}

impl<'a> Cast<'a> {
    fn new(session: &'a Session) -> Cast<'a> {
        let names: Vec<&str> = session.world.clients.iter().map(|c| c.name()).collect();
        let functions = function_names(&names);
        let mut order: Vec<usize> = session
            .scenario
            .plan
            .order
            .iter()
            .filter_map(|i| if let crate::world::Initial::Start(c) = i { Some(c.idx()) } else { None })
            .collect();
        for i in 0..names.len() {
            if !order.contains(&i) {
                order.push(i);
            }
        }
        Cast { session, names, functions, order }
    }

    /// The work times warren drew, per client, in order.
    fn work_times(&self) -> BTreeMap<usize, Vec<Time>> {
        let mut work_times: BTreeMap<usize, Vec<Time>> = BTreeMap::new();
        for st in self.session.trace.records() {
            if let crate::record::Record::WorkStarted { client, until_us, .. } = st.rec {
                work_times.entry(client.idx()).or_default().push(Time(until_us).saturating_sub(st.t));
            }
        }
        work_times
    }
}

fn secs_list(ts: &[Time]) -> String {
    ts.iter().map(|t| secs(*t)).collect::<Vec<_>>().join(", ")
}

impl Writer<'_> {
    /// The shebang, the docstring (what the script is, how to run it), the imports and the
    /// harness.
    fn header(&mut self, opts: &PikaOptions) {
        let s = self.s;
        self.line(0, "#!/usr/bin/env python3");
        // Every piece of scenario text in the docstring goes through py_text: it cannot close
        // the docstring or break out of it.
        let mut doc = format!("{}: {}\n\n", py_text(&s.name), py_doc_lines(&s.title("en")));
        let desc = s.description("en");
        if !desc.trim().is_empty() {
            doc.push_str(&py_doc_lines(desc.trim_end()));
            doc.push_str("\n\n");
        }
        let invoked = if opts.invoked_as.is_empty() { s.name.clone() } else { opts.invoked_as.clone() };
        let _ = writeln!(doc, "Generated by `warren export pika {}` from {} (seed {}).", py_text(&invoked), py_text(&s.file), s.seed);
        doc.push_str(
            "It performs the scenario against a real RabbitMQ broker with pika 1.x: one thread and one
connection per client, every time multiplied by --time-scale. It prints one JSON object per
line for what it observes (deliveries, returns, replies, errors; the queues at the end): see
docs/exports.md in warren. Before it starts it deletes the queues and exchanges the scenario
names, so that an earlier run leaves nothing behind. The scenario's own pika code, one
function per client, is at the end of this file, after the harness.

    pip install pika
    python3 THIS_FILE.py [--host 127.0.0.1] [--port 5672] [--user guest] [--password guest]
",
        );
        let _ = writeln!(doc, "                         [--time-scale {}] [--broker-restart-cmd CMD]", opts.time_scale);
        let _ = writeln!(self.out, "\"\"\"{doc}\"\"\"");
        for m in ["argparse", "json", "os", "re", "shlex", "socket", "subprocess", "sys", "threading", "time"] {
            self.line(0, &format!("import {m}"));
        }
        self.blank();
        self.line(0, "import pika");
        self.blank();
        self.line(0, &format!("SCENARIO = {}", py_str(&s.name)));
        self.line(0, &format!("TIME_SCALE = {}  # real seconds per simulated second (--time-scale)", py_float(opts.time_scale)));
        self.blank();
        self.out.push_str(HARNESS);
        self.blank();
        self.blank();
        self.line(0, "# =============================================================================================");
        comment(&mut self.out, "", &format!("The scenario: {}", s.name));
        self.line(0, "# =============================================================================================");
        self.blank();
    }

    /// The notes and faults as a comment, in time order.
    fn timeline_comment(&mut self, tl: &Timeline) {
        if tl.events.is_empty() {
            return;
        }
        self.line(0, "# Timeline (simulated seconds):");
        for (t, text) in &tl.events {
            comment(&mut self.out, "", &format!("{:>8}  {text}", secs(*t)));
        }
        self.blank();
    }

    /// The article's `fib`, for RPC servers that reply with it.
    fn fib(&mut self) {
        self.line(0, "def fib(n):");
        self.line(1, "\"\"\"The article's fib, without its exponential recursion (the work time is `client.work`).\"\"\"");
        self.line(1, "a, b = 0, 1");
        self.line(1, "for _ in range(n):");
        self.line(2, "a, b = b, a + b");
        self.line(1, "return a");
        self.blank();
        self.blank();
    }

    /// One function per client, in the cast's order.
    fn clients(&mut self, cast: &Cast) {
        let d = &self.s.def;
        for &i in &cast.order {
            let c = &cast.session.world.clients[i];
            let name = c.name();
            let f = &cast.functions[i];
            if let Some(p) = d.producers.iter().find(|p| p.name == name) {
                self.producer(f, p);
            } else if let Some(cd) = d.consumers.iter().find(|x| x.name == name) {
                if let crate::client::spec::RoleSpec::Consumer(spec) = &c.spec.role {
                    self.consumer(f, cd, spec);
                }
            } else if let Some(r) = d.rpc_clients.iter().find(|x| x.name == name) {
                self.rpc_client(f, r);
            }
        }
    }

    /// `CLIENTS = [...]`: each client's function, start, reconnect delay, faults and drawn
    /// work times.
    fn client_list(&mut self, cast: &Cast, tl: &Timeline) {
        let d = &self.s.def;
        let work_times = cast.work_times();
        self.line(0, "# Every client, in the scenario's order (those due at the same time connect in this order).");
        self.line(0, "CLIENTS = [");
        for &i in &cast.order {
            let spec = &cast.session.world.clients[i].spec;
            let mut a = vec![py_str(cast.names[i]), cast.functions[i].clone(), format!("start={}", secs(spec.start))];
            a.push(format!("reconnect={}", spec.reconnect.map(secs).unwrap_or_else(|| "None".into())));
            if let Some(c) = tl.crashes.get(&i) {
                a.push(format!("crashes=[{}]", secs_list(c)));
            }
            if let Some(r) = tl.restarts.get(&i) {
                a.push(format!("restarts=[{}]", secs_list(r)));
            }
            let random_work = d.consumers.iter().any(|c| c.name == cast.names[i] && matches!(c.work, Some(WorkDef::Dist(_))));
            if let (true, Some(wt)) = (random_work, work_times.get(&i)) {
                a.push(format!("work_times=[{}]", secs_list(wt)));
            }
            self.line(1, &format!("Client({}),", a.join(", ")));
        }
        self.line(0, "]");
    }

    /// The data the harness runs: clients, broker faults, notes, queues, the end; and the
    /// call of `main`.
    fn cast(&mut self, cast: &Cast, tl: &Timeline) {
        let s = self.s;
        let session = cast.session;
        let end = match s.plan.until {
            Some(u) => u,
            None => session.world.now().saturating_add(END_MARGIN),
        };
        self.client_list(cast, tl);
        self.line(0, "# Broker faults: (simulated time, what --broker-restart-cmd is asked to do).");
        let bf: Vec<String> = tl.broker_faults.iter().map(|(t, a)| format!("({}, {})", secs(*t), py_str(a))).collect();
        self.line(0, &format!("BROKER_FAULTS = [{}]", bf.join(", ")));
        self.line(0, "# The scenario's notes, printed at their time (a question's answer, hex-encoded, with it).");
        self.line(0, "NOTES = [");
        for (t, n, answer) in &tl.notes {
            match answer {
                // The answer travels hex-encoded, printed with its question at its time.
                Some(a) => self.line(1, &format!("({}, {}, {}),", secs(*t), py_str(n), py_str(&hex(a)))),
                None => self.line(1, &format!("({}, {}),", secs(*t), py_str(n))),
            }
        }
        for (t, text) in &tl.skipped {
            self.line(1, &format!("({}, {}),", secs(*t), py_str(&format!("not performed: {text}"))));
        }
        self.line(0, "]");
        let queues: Vec<String> = crate::outcome::reported_queues(s).iter().map(|q| py_str(q)).collect();
        self.line(0, "# The queues whose contents are reported at the end.");
        self.line(0, &format!("QUEUES = [{}]", queues.join(", ")));
        self.line(0, &format!("END = {}  # simulated seconds: warren's run ends at {}", secs(end), session.world.now()));
        let env = broker_env(&s.def.broker);
        if !env.is_empty() {
            self.line(0, "# Broker settings (simulated seconds), set with --broker-restart-cmd CMD eval for the run.");
            self.line(0, &format!("BROKER_ENV = {{{}}}", env.join(", ")));
        }
        self.blank();
        self.line(0, "if __name__ == '__main__':");
        if env.is_empty() {
            self.line(1, "main(setup, CLIENTS, BROKER_FAULTS, NOTES, QUEUES, END)");
        } else {
            self.line(1, "main(setup, CLIENTS, BROKER_FAULTS, NOTES, QUEUES, END, BROKER_ENV)");
        }
    }
}

/// The script for a scenario. `session` is warren's finished run of it: it gives the end
/// time, and the work times warren drew for consumers with random work.
pub fn script(session: &Session, opts: &PikaOptions) -> String {
    let s = &session.scenario;
    let mut w = Writer { s, out: String::new() };
    let cast = Cast::new(session);
    let timeline = Timeline::new(s, &cast.names);
    w.header(opts);
    w.timeline_comment(&timeline);
    if s.def.consumers.iter().any(|c| c.reply.as_deref() == Some("fib")) {
        w.fib();
    }
    w.setup();
    w.clients(&cast);
    w.cast(&cast, &timeline);
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sequential` says what listing every publish and comparing would say.
    #[test]
    fn sequential_without_listing() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..3000 {
            let n = rng.random_range(0..4);
            let entries: Vec<PublishDef> = (0..n)
                .map(|_| {
                    let yaml = format!(
                        "{{ key: q, body: x, at: {}us, every: {}us, count: {} }}",
                        rng.random_range(0..4),
                        rng.random_range(0..3),
                        rng.random_range(0..4)
                    );
                    serde_yaml::from_str(&yaml).unwrap()
                })
                .collect();
            let order = publish_order(&entries, usize::MAX);
            let listed: Vec<(usize, u32)> = entries.iter().enumerate().flat_map(|(i, e)| (1..=e.count).map(move |n| (i, n))).collect();
            let expected = order.iter().map(|x| (x.1, x.2)).eq(listed.iter().copied());
            assert_eq!(sequential(&entries), expected, "{entries:?}");
        }
    }

    #[test]
    fn python_literals() {
        assert_eq!(py_str("it's"), r"'it\'s'");
        assert_eq!(py_str("a\nb\\"), r"'a\nb\\'");
        assert_eq!(secs(Time::ms(100)), "0.1");
        assert_eq!(secs(Time::secs(30)), "30.0");
        assert_eq!(secs(Time::us(1500)), "0.0015");
        assert_eq!(body_expr("task {n}"), "f'task {n}'");
        assert_eq!(body_expr("{\"n\": {n}}"), "f'{{\"n\": {n}}}'");
        assert_eq!(body_expr("plain"), "'plain'");
    }

    #[test]
    fn every_string_becomes_a_printable_ascii_literal() {
        // Python's line breaks, NUL, C1, DEL, quotes, backslashes, beyond the BMP.
        let nasty = "a\nb\rc\x0bd\x0ce\x1cf\x1dg\x1eh\u{85}i\u{2028}j\u{2029}k\0l\x7fm\u{9b}n'o\"p\\q\u{FFFE}r\u{1F600}s—中";
        let lit = py_str(nasty);
        assert_eq!(lit, r#"'a\nb\rc\x0bd\x0ce\x1cf\x1dg\x1eh\x85i\u2028j\u2029k\x00l\x7fm\x9bn\'o"p\\q\ufffer\U0001f600s\u2014\u4e2d'"#);
        assert!(lit.chars().all(|c| (' '..='~').contains(&c)));
        // In comments and docstrings: `"` escaped, so `"""` cannot close a docstring.
        assert_eq!(py_text("say \"\"\"hi\"\"\" it's"), r#"say \"\"\"hi\"\"\" it's"#);
        assert_eq!(py_doc_lines("one\ntwo\u{2028}three"), "one\ntwo\\u2028three");
        let mut out = String::new();
        comment(&mut out, "", "line 1\rimport os\nline 2");
        assert_eq!(out, "# line 1\\rimport os\n# line 2\n");
        assert_eq!(py_float(f64::INFINITY), "float('inf')");
        assert_eq!(py_float(2.0), "2.0");
        assert_eq!(hex("é!"), "c3a921");
    }

    #[test]
    fn identifiers() {
        assert_eq!(
            function_names(&["worker-1", "main", "1st", "a_b", "a-b", "if"]),
            vec!["worker_1", "main_client", "client_1st", "a_b", "a_b_2", "if_client"]
        );
    }
}
