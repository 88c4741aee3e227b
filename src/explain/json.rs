//! JSON Lines output: one object per record with `t_us`, `seq`, `kind`, the record's fields
//! with names resolved (queue, consumer, body ...), its cause, and the English sentence.
//! The fields are documented in `docs/trace.md`.

use super::{describe, Ctx, Lang};
use crate::ids::{ClientId, MsgId, QueueId, NO_CONSUMER};
use crate::record::*;
use crate::sim::Stamped;
use serde_json::{json, Map, Value};

fn msg_fields(cx: &Ctx, m: &mut Map<String, Value>, msg: MsgId) {
    m.insert("msg".into(), json!(msg.0 + 1));
    m.insert("body".into(), json!(cx.body(msg)));
}

fn queue_field(cx: &Ctx, m: &mut Map<String, Value>, q: QueueId) {
    m.insert("queue".into(), json!(cx.queue(q)));
}

fn client_field(cx: &Ctx, m: &mut Map<String, Value>, key: &str, c: ClientId) {
    m.insert(key.into(), json!(cx.client(c)));
}

/// One record as a JSON object.
pub fn record(cx: &Ctx, s: &Stamped<Record>) -> Value {
    let mut m = Map::new();
    m.insert("t_us".into(), json!(s.t.as_us()));
    m.insert("seq".into(), json!(s.seq));
    m.insert("kind".into(), json!(s.rec.kind()));
    match s.rec {
        Record::ExchangeDeclared { ex, .. } | Record::ExchangeDeleted { ex } => {
            m.insert("exchange".into(), json!(cx.world.names.get(cx.world.broker.exchange_name(ex))));
        }
        Record::QueueDeclared { q, .. } => queue_field(cx, &mut m, q),
        Record::Bound { binding, .. } => {
            let b = cx.world.broker.binding(binding);
            m.insert("exchange".into(), json!(cx.world.names.get(cx.world.broker.exchange_name(b.source))));
            m.insert("binding_key".into(), json!(cx.world.names.get(b.key)));
        }
        Record::QueueDeleted { q, why, messages } => {
            queue_field(cx, &mut m, q);
            m.insert("why".into(), json!(format!("{why:?}").to_lowercase()));
            m.insert("messages".into(), json!(messages));
        }
        Record::Connected { client } | Record::Reconnecting { client } => client_field(cx, &mut m, "client", client),
        Record::Disconnected { client, why } => {
            client_field(cx, &mut m, "client", client);
            m.insert("why".into(), json!(format!("{why:?}")));
        }
        Record::Subscribed { client, q, prefetch, no_ack, .. } => {
            client_field(cx, &mut m, "client", client);
            queue_field(cx, &mut m, q);
            m.insert("prefetch".into(), json!(prefetch));
            m.insert("auto_ack".into(), json!(no_ack));
        }
        Record::Cancelled { client, .. } => client_field(cx, &mut m, "client", client),
        Record::ChannelError { client, code, text, connection } => {
            client_field(cx, &mut m, "client", client);
            m.insert("code".into(), json!(code));
            m.insert("reply_text".into(), json!(cx.world.names.get(text)));
            m.insert("connection".into(), json!(connection));
        }
        Record::Published { msg, client, confirm_seq } => {
            msg_fields(cx, &mut m, msg);
            client_field(cx, &mut m, "client", client);
            let p = cx.world.msgs.props_of(msg);
            m.insert("exchange".into(), json!(cx.world.names.get(p.exchange)));
            m.insert("routing_key".into(), json!(cx.world.names.get(p.routing_key)));
            m.insert("persistent".into(), json!(p.persistent));
            m.insert("mandatory".into(), json!(p.mandatory));
            if confirm_seq > 0 {
                m.insert("confirm_seq".into(), json!(confirm_seq));
            }
        }
        Record::NotPublished { client, body, why } => {
            client_field(cx, &mut m, "client", client);
            m.insert("body".into(), json!(body.render(&cx.world.names)));
            m.insert("why".into(), json!(format!("{why:?}")));
        }
        Record::Routed { msg, q, via } => {
            msg_fields(cx, &mut m, msg);
            queue_field(cx, &mut m, q);
            match via {
                Via::DefaultExchange => {
                    m.insert("via".into(), json!("default_exchange"));
                }
                Via::DirectReplyTo => {
                    m.insert("via".into(), json!("direct_reply_to"));
                }
                Via::Binding(b) => {
                    let b = cx.world.broker.binding(b);
                    m.insert("via".into(), json!("binding"));
                    m.insert("exchange".into(), json!(cx.world.names.get(cx.world.broker.exchange_name(b.source))));
                    m.insert("binding_key".into(), json!(cx.world.names.get(b.key)));
                }
            }
        }
        Record::Unroutable { msg, ex, returned } => {
            msg_fields(cx, &mut m, msg);
            m.insert("exchange".into(), json!(cx.world.names.get(cx.world.broker.exchange_name(ex))));
            m.insert("returned".into(), json!(returned));
        }
        Record::Alternate { msg, from, to } => {
            msg_fields(cx, &mut m, msg);
            m.insert("from".into(), json!(cx.world.names.get(cx.world.broker.exchange_name(from))));
            m.insert("to".into(), json!(cx.world.names.get(cx.world.broker.exchange_name(to))));
        }
        Record::Confirm { client, seq, multiple, ack } => {
            client_field(cx, &mut m, "client", client);
            m.insert("confirm_seq".into(), json!(seq));
            m.insert("multiple".into(), json!(multiple));
            m.insert("ack".into(), json!(ack));
        }
        Record::Ready { msg, q, .. } => {
            msg_fields(cx, &mut m, msg);
            queue_field(cx, &mut m, q);
        }
        Record::Delivered { msg, q, consumer, client, tag, redelivered, no_ack, .. } => {
            msg_fields(cx, &mut m, msg);
            queue_field(cx, &mut m, q);
            client_field(cx, &mut m, "consumer", client);
            m.insert("delivery_tag".into(), json!(tag));
            m.insert("redelivered".into(), json!(redelivered));
            m.insert("auto_ack".into(), json!(no_ack));
            m.insert("basic_get".into(), json!(consumer == NO_CONSUMER));
        }
        Record::WorkStarted { client, msg, until_us } => {
            msg_fields(cx, &mut m, msg);
            client_field(cx, &mut m, "client", client);
            m.insert("until_us".into(), json!(until_us));
        }
        Record::Processed { client, msg } | Record::AckLost { client, msg } => {
            msg_fields(cx, &mut m, msg);
            client_field(cx, &mut m, "client", client);
        }
        Record::Acked { msg, q, client, tag, multiple } => {
            msg_fields(cx, &mut m, msg);
            queue_field(cx, &mut m, q);
            client_field(cx, &mut m, "client", client);
            m.insert("delivery_tag".into(), json!(tag));
            m.insert("multiple".into(), json!(multiple));
        }
        Record::Rejected { msg, q, client, tag, requeue, nack } => {
            msg_fields(cx, &mut m, msg);
            queue_field(cx, &mut m, q);
            client_field(cx, &mut m, "client", client);
            m.insert("delivery_tag".into(), json!(tag));
            m.insert("requeue".into(), json!(requeue));
            m.insert("method".into(), json!(if nack { "basic.nack" } else { "basic.reject" }));
        }
        Record::Requeued { msg, q, client, pos, .. } => {
            msg_fields(cx, &mut m, msg);
            queue_field(cx, &mut m, q);
            client_field(cx, &mut m, "client", client);
            m.insert("position".into(), json!(pos));
        }
        Record::Discarded { msg, q, why } => {
            msg_fields(cx, &mut m, msg);
            queue_field(cx, &mut m, q);
            m.insert("why".into(), json!(format!("{why:?}")));
        }
        Record::DeadLettered { msg, q, reason, copy, dlx } => {
            msg_fields(cx, &mut m, msg);
            queue_field(cx, &mut m, q);
            m.insert("reason".into(), json!(reason.as_str()));
            m.insert("copy".into(), json!(copy.0 + 1));
            m.insert("dead_letter_exchange".into(), json!(cx.world.names.get(dlx)));
        }
        Record::Lost { msg, q, why } => {
            msg_fields(cx, &mut m, msg);
            queue_field(cx, &mut m, q);
            m.insert("why".into(), json!(format!("{why:?}")));
        }
        Record::Restored { msg, q } => {
            msg_fields(cx, &mut m, msg);
            queue_field(cx, &mut m, q);
        }
        Record::ClientLost { client, msg, why } => {
            msg_fields(cx, &mut m, msg);
            client_field(cx, &mut m, "client", client);
            m.insert("why".into(), json!(format!("{why:?}")));
        }
        Record::Synced { messages } => {
            m.insert("messages".into(), json!(messages));
        }
        Record::Reply { client, msg, call, accepted } => {
            msg_fields(cx, &mut m, msg);
            client_field(cx, &mut m, "client", client);
            m.insert("accepted".into(), json!(accepted));
            if accepted {
                m.insert("call".into(), json!(call + 1));
            }
        }
        Record::ServerFailed { client, msg, why } => {
            msg_fields(cx, &mut m, msg);
            client_field(cx, &mut m, "client", client);
            m.insert("why".into(), json!(format!("{why:?}")));
        }
        Record::Fault(f) => {
            let (fault, target) = match f {
                FaultRecord::Crash(c) => ("crash", Some(c)),
                FaultRecord::Restart(c) => ("restart", Some(c)),
                FaultRecord::BrokerCrash => ("broker_crash", None),
                FaultRecord::BrokerStop => ("broker_stop", None),
                FaultRecord::BrokerRestart => ("broker_restart", None),
                FaultRecord::DelayStart { client, by_us } => {
                    m.insert("by_us".into(), json!(by_us));
                    ("delay_start", Some(client))
                }
                FaultRecord::DelayEnd(c) => ("delay_end", Some(c)),
                FaultRecord::PartitionStart(c) => ("partition_start", Some(c)),
                FaultRecord::PartitionEnd(c) => ("partition_end", Some(c)),
            };
            m.insert("fault".into(), json!(fault));
            if let Some(c) = target {
                client_field(cx, &mut m, "client", c);
            }
        }
        Record::BrokerDown { graceful } => {
            m.insert("graceful".into(), json!(graceful));
        }
        Record::BrokerUp { queues, messages } => {
            m.insert("queues".into(), json!(queues));
            m.insert("messages".into(), json!(messages));
        }
        Record::Note { idx } => {
            m.insert("note".into(), json!(idx));
        }
    }
    let en = Ctx { world: cx.world, notes: cx.notes, lang: Lang::En };
    let d = describe(&en, &s.rec);
    m.insert("actor".into(), json!(d.actor));
    m.insert("text".into(), json!(d.what));
    if let Some(why) = d.why {
        m.insert("cause".into(), json!(why));
    }
    Value::Object(m)
}
