//! JSON Lines output: one object per record with `t_us`, `seq`, `kind`, the record's fields
//! with names resolved (queue, consumer, body ...), its cause, and the English sentence.
//! The fields are documented in `docs/trace.md`.
//!
//! The fields come from [`Record::fields`], the same description the trace hash folds, so a
//! new record kind needs no edit here; this file only says how each kind of
//! [`Field`] is shown. Reads the world, never changes it.

use super::{describe, Ctx, Lang};
use crate::record::{Field, FieldSink, Record, Via};
use crate::sim::Stamped;
use serde_json::{json, Map, Value};

/// Collects a record's fields as JSON: `msg` and `body` first, then the rest in order.
struct JsonSink<'c, 'a> {
    cx: &'c Ctx<'a>,
    head: Map<String, Value>,
    rest: Map<String, Value>,
}

impl JsonSink<'_, '_> {
    fn put(&mut self, key: &str, v: Value) {
        self.rest.insert(key.into(), v);
    }

    fn exchange_name(&self, x: crate::ids::ExchangeId) -> Value {
        let w = self.cx.world;
        json!(w.names.get(w.broker.exchange_name(x)))
    }

    fn binding(&mut self, id: crate::ids::BindingId) {
        let b = self.cx.world.broker.binding(id);
        let (source, key) = (b.source, b.key);
        let ex = self.exchange_name(source);
        self.put("exchange", ex);
        self.put("binding_key", json!(self.cx.world.names.get(key)));
    }

    /// A binding made, with where it leads.
    fn new_binding(&mut self, id: crate::ids::BindingId) {
        self.binding(id);
        match self.cx.world.broker.binding(id).dest {
            crate::broker::exchange::Dest::Queue(q) => self.put("queue", json!(self.cx.queue(q))),
            crate::broker::exchange::Dest::Exchange(x) => {
                let v = self.exchange_name(x);
                self.put("to_exchange", v)
            }
        }
    }

    /// A cause, in the one spelling every enum value of the JSON uses: snake_case.
    fn why(&mut self, why: &dyn std::fmt::Debug) {
        let (word, code) = snake_case_variant(&format!("{why:?}"));
        self.put("why", json!(word));
        if let Some(code) = code {
            self.put("reply_code", json!(code));
        }
    }

    fn show(&mut self, f: Field) {
        let cx = self.cx;
        let names = &cx.world.names;
        match f {
            Field::Msg(m) => {
                self.head.insert("msg".into(), json!(m.0 + 1));
                self.head.insert("body".into(), json!(cx.body(m)));
            }
            Field::Queue(q) => self.put("queue", json!(cx.queue(q))),
            Field::Exchange(key, x) => {
                let v = self.exchange_name(x);
                self.put(key, v)
            }
            Field::Binding(b) => self.binding(b),
            Field::NewBinding(b) => self.new_binding(b),
            Field::Via(Via::DefaultExchange) => self.put("via", json!("default_exchange")),
            Field::Via(Via::DirectReplyTo) => self.put("via", json!("direct_reply_to")),
            Field::Via(Via::Binding(b)) => {
                self.put("via", json!("binding"));
                self.binding(b)
            }
            Field::Client(key, c) => self.put(key, json!(cx.client(c))),
            Field::Num(key, n) => self.put(key, json!(n)),
            Field::NonZero(key, n) if n != 0 => self.put(key, json!(n)),
            Field::Ordinal(key, n) => self.put(key, json!(n + 1)),
            Field::Bool(key, b) => self.put(key, json!(b)),
            Field::Name(key, s) => self.put(key, json!(names.get(s))),
            Field::Label(key, _, word) => self.put(key, json!(word)),
            Field::Why(_, why) => self.why(why),
            Field::Body(body) => self.put("body", json!(body.render(names))),
            Field::Props(m) => {
                let p = cx.world.msgs.props_of(m);
                self.put("exchange", json!(names.get(p.exchange)));
                self.put("routing_key", json!(names.get(p.routing_key)));
                self.put("persistent", json!(p.persistent));
                self.put("mandatory", json!(p.mandatory));
            }
            Field::NonZero(..) | Field::Hidden(_) => {}
        }
    }
}

impl FieldSink for JsonSink<'_, '_> {
    fn field(&mut self, f: Field) {
        self.show(f)
    }
    fn pair(&mut self, a: Field, b: Field) {
        self.show(a);
        self.show(b)
    }
    fn shown(&mut self, f: Field) {
        self.show(f)
    }
}

/// `ConnectionError(406)` → (`connection_error`, Some(406)); `MaxLenHead` → (`max_len_head`, None).
fn snake_case_variant(debug: &str) -> (String, Option<u64>) {
    let name_end = debug.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(debug.len());
    let mut word = String::with_capacity(name_end + 4);
    for (i, c) in debug[..name_end].chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            word.push('_');
        }
        word.push(c.to_ascii_lowercase());
    }
    let code = debug[name_end..].strip_prefix('(').and_then(|r| r.strip_suffix(')')).and_then(|n| n.parse().ok());
    (word, code)
}

/// One record as a JSON object.
pub fn record(cx: &Ctx, s: &Stamped<Record>) -> Value {
    let mut m = Map::new();
    m.insert("t_us".into(), json!(s.t.as_us()));
    m.insert("seq".into(), json!(s.seq));
    m.insert("kind".into(), json!(s.rec.kind()));
    let mut sink = JsonSink { cx, head: Map::new(), rest: Map::new() };
    s.rec.fields(&mut sink);
    m.extend(sink.head);
    m.extend(sink.rest);
    let en = Ctx { world: cx.world, notes: cx.notes, lang: Lang::En };
    let d = describe(&en, &s.rec);
    m.insert("actor".into(), json!(d.actor));
    m.insert("text".into(), json!(d.what));
    if let Some(why) = d.why {
        m.insert("cause".into(), json!(why));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::snake_case_variant;

    #[test]
    fn causes_are_snake_case() {
        assert_eq!(snake_case_variant("MaxLenHead"), ("max_len_head".into(), None));
        assert_eq!(snake_case_variant("ConnectionError(406)"), ("connection_error".into(), Some(406)));
        assert_eq!(snake_case_variant("Expired"), ("expired".into(), None));
        assert_eq!(snake_case_variant("ExclusiveOwnerGone"), ("exclusive_owner_gone".into(), None));
    }
}
