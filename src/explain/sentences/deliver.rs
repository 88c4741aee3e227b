//! Consuming: a message waiting ready, delivered to a consumer, worked on.
//!
//! One sentence function per record kind (English and Chinese side by side, via [`tr!`]);
//! [`crate::explain::describe`] calls them. Reads the world, never changes it.

use super::*;

pub fn ready(cx: &Ctx, msg: MsgId, q: QueueId, why: ReadyWhy) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let qn = cx.queue(q);
    let w = match why {
        ReadyWhy::NoConsumer => tr!(l, "no consumer is subscribed to {qn}", "{qn} 上没有订阅的消费者"),
        ReadyWhy::Backlog => tr!(l, "older messages are ahead of it", "前面还有更早的消息"),
        ReadyWhy::AllAtLimit { first, count } => {
            let who = cx.consumer(first);
            let p = cx.prefetch_of(first);
            if p == 0 && first != crate::ids::NO_CONSUMER {
                // No prefetch of its own: its channel's limit holds it (basic.qos global).
                tr!(
                    l,
                    "{who} is at its channel's limit (basic.qos global=True), shared by the channel's consumers",
                    "{who} 已达到其信道的上限（basic.qos global=True），由该信道上的消费者共享"
                )
            } else if count <= 1 {
                tr!(l, "{who} is at its prefetch limit of {p}", "{who} 已达到 prefetch 上限 {p}")
            } else {
                tr!(l, "every consumer is at its prefetch limit ({who}: {p})", "所有消费者都已达到 prefetch 上限（{who}：{p}）")
            }
        }
    };
    line(broker(), tr!(l, "{m} waits in {qn} (ready)", "{m} 在 {qn} 中等待（就绪）"), Some(w))
}

/// A delivery, as its sentence needs it.
pub struct Delivery {
    pub msg: MsgId,
    pub q: QueueId,
    pub client: ClientId,
    pub tag: u64,
    pub redelivered: bool,
    pub no_ack: bool,
    pub why: DeliverWhy,
    /// Quorum queues: its `x-delivery-count` ([`crate::record::NO_DELIVERY_COUNT`]: none).
    pub delivery_count: u16,
    /// Checked out to a quorum consumer whose channel is closing: never sent.
    pub held: bool,
}

pub fn delivered(cx: &Ctx, d: Delivery) -> Line {
    let l = cx.lang;
    let Delivery { msg, q, client, tag, redelivered, no_ack, why, delivery_count, held } = d;
    let m = cx.msg(msg);
    let who = cx.client(client);
    // A message checked out to a closing channel has no tag the client sees.
    let mut flags = if held { Vec::new() } else { vec![tr!(l, "tag {tag}", "投递标签 {tag}")] };
    if redelivered {
        flags.push(tr!(l, "redelivered", "重投"));
    }
    if no_ack {
        flags.push(tr!(l, "auto-ack", "自动确认"));
    }
    if delivery_count != crate::record::NO_DELIVERY_COUNT {
        flags.push(format!("x-delivery-count {delivery_count}"));
    }
    let f = if flags.is_empty() {
        String::new()
    } else {
        let f = flags.join(", ");
        tr!(l, " ({f})", "（{f}）")
    };
    let qn = cx.queue(q);
    let w = deliver_why(cx, why, &who, &qn);
    if held {
        let then = if no_ack {
            tr!(l, "with auto-ack it is gone", "由于是自动确认，这条消息就此丢失")
        } else {
            tr!(l, "{qn} takes it back then", "届时 {qn} 会把它收回")
        };
        let w = tr!(
            l,
            "{w}; but the broker closed {who}'s channel with an error, and a quorum queue keeps its consumer until channel.close-ok: the channel never sends it, and {then}",
            "{w}；但代理已因错误关闭 {who} 的信道，仲裁队列在收到 channel.close-ok 之前仍保留该消费者：信道不会发出这条消息，{then}"
        );
        return line(broker(), tr!(l, "checked out {m} to {who}{f}", "把 {m} 分派给 {who}{f}"), Some(w));
    }
    line(broker(), tr!(l, "delivered {m} to {who}{f}", "把 {m} 投递给 {who}{f}"), Some(w))
}

pub fn expired_at_head(cx: &Ctx, msg: MsgId, q: QueueId, expired_us: u64) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let qn = cx.queue(q);
    let at = Time(expired_us);
    line(
        broker(),
        tr!(l, "{m} is handed out although its TTL ran out at {at}", "{m} 的 TTL 已在 {at} 到期，但仍被交出"),
        Some(tr!(
            l,
            "{qn} had not looked at its head since {m} got there: a classic queue drops expired messages only when its head may have changed in order (an enqueue, a fetch, a requeue, its TTL timer), and a message that goes ahead of older ones in a priority queue gets no TTL timer",
            "自 {m} 到达队首以来 {qn} 一直没有检查队首：经典队列只在队首可能按顺序改变时（入队、取出、重新入队、TTL 定时器）才丢弃过期消息，而在优先级队列中插到较早消息前面的消息不会设置 TTL 定时器"
        )),
    )
}

pub fn work_started(cx: &Ctx, client: ClientId, msg: MsgId, until_us: u64) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let until = Time(until_us);
    let why = Some(tr!(l, "busy until {until}", "忙到 {until}"));
    line(cx.client(client), tr!(l, "started work on {m}", "开始处理 {m}"), why)
}

pub fn processed(cx: &Ctx, client: ClientId, msg: MsgId) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    line(cx.client(client), tr!(l, "finished {m}", "处理完 {m}"), None)
}

fn deliver_why(cx: &Ctx, why: DeliverWhy, who: &str, qn: &str) -> String {
    let l = cx.lang;
    let from = |from_ready: bool| {
        if from_ready {
            tr!(l, ", from the head of {qn}", "，取自 {qn} 的队首")
        } else {
            String::new()
        }
    };
    match why {
        DeliverWhy::RoundRobin { skipped, first_skipped, from_ready, alone } => {
            let f = from(from_ready);
            if alone {
                return tr!(l, "{who} is the only consumer{f}", "{who} 是唯一的消费者{f}");
            }
            if skipped == 0 {
                return tr!(l, "{who} is next in round-robin{f}", "按轮询轮到 {who}{f}");
            }
            let first = cx.consumer(first_skipped);
            let p = cx.prefetch_of(first_skipped);
            if skipped == 1 {
                tr!(
                    l,
                    "{who} is next in round-robin: {first} is at its prefetch limit of {p}{f}",
                    "按轮询轮到 {who}：{first} 已达到 prefetch 上限 {p}{f}"
                )
            } else {
                let others = skipped - 1;
                tr!(
                    l,
                    "{who} is next in round-robin: {first} and {others} other(s) are at their prefetch limit{f}",
                    "按轮询轮到 {who}：{first} 等 {skipped} 个消费者已达到 prefetch 上限{f}"
                )
            }
        }
        DeliverWhy::SingleActive { from_ready } => {
            let f = from(from_ready);
            tr!(
                l,
                "{who} is the single active consumer (x-single-active-consumer){f}",
                "{who} 是唯一活跃的消费者（x-single-active-consumer）{f}"
            )
        }
        DeliverWhy::Priority { priority, skipped, from_ready, .. } => {
            let f = from(from_ready);
            let s = if skipped > 0 {
                tr!(l, "; {skipped} consumer(s) ahead were at their prefetch limit", "；前面有 {skipped} 个消费者已达到 prefetch 上限")
            } else {
                String::new()
            };
            tr!(
                l,
                "{who} has the highest priority ({priority}) among consumers that can take it{s}{f}",
                "在能接收的消费者中 {who} 的优先级最高（{priority}）{s}{f}"
            )
        }
        DeliverWhy::Get => tr!(l, "the answer to {who}'s basic.get", "{who} 的 basic.get 的结果"),
        DeliverWhy::DirectReply => {
            tr!(l, "direct reply-to: straight to the requesting channel, no queue", "direct reply-to：直接发给请求方的信道，不经过队列")
        }
    }
}

pub fn get_empty(cx: &Ctx, client: ClientId, q: QueueId) -> Line {
    let l = cx.lang;
    let qn = cx.queue(q);
    let who = cx.client(client);
    line(
        broker(),
        tr!(l, "answered {who}'s basic.get on {qn} with basic.get-empty", "以 basic.get-empty 回应 {who} 对 {qn} 的 basic.get"),
        Some(tr!(l, "nothing ready: a poller asks again later", "没有就绪消息：轮询者稍后再问")),
    )
}
