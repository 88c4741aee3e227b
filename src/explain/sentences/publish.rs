//! Publishing: a message published (or not), routed to its queues or to none, confirmed.
//!
//! One sentence function per record kind (English and Chinese side by side, via [`tr!`]);
//! [`crate::explain::describe`] calls them. Reads the world, never changes it.

use super::*;

pub fn published(cx: &Ctx, msg: MsgId, client: ClientId, confirm_seq: u32) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let props = cx.world.msgs.props_of(msg);
    let ex = cx.exchange_named(props.exchange);
    let key = cx.key(msg);
    let mut flags = Vec::new();
    if props.persistent {
        flags.push(tr!(l, "persistent", "持久"));
    }
    if props.mandatory {
        flags.push("mandatory".to_string());
    }
    if confirm_seq > 0 {
        flags.push(tr!(l, "confirm #{confirm_seq}", "确认序号 {confirm_seq}"));
    }
    if let Some(r) = props.reply_to {
        let r = cx.s(r).to_string();
        flags.push(format!("reply_to={r}"));
    }
    if let Some(c) = props.correlation_id {
        let c = cx.s(c).to_string();
        flags.push(format!("correlation_id={c}"));
    }
    let f = if flags.is_empty() { String::new() } else { format!(" [{}]", flags.join(", ")) };
    let to = if cx.s(props.exchange).is_empty() {
        tr!(l, "the default exchange", "默认交换机")
    } else {
        tr!(l, "exchange {ex}", "交换机 {ex}")
    };
    line(cx.client(client), tr!(l, "published {m} to {to} with key `{key}`{f}", "发布 {m} 到{to}，路由键 `{key}`{f}"), None)
}

pub fn not_published(cx: &Ctx, client: ClientId, body: Body, why: NotSent) -> Line {
    let l = cx.lang;
    let b = body.render(&cx.world.names).into_owned();
    let w = match why {
        NotSent::ClientDown => tr!(l, "the producer is down", "生产者已宕机"),
        NotSent::NoConnection => {
            tr!(l, "it has no connection to the broker", "它没有连接到代理")
        }
        NotSent::ChannelClosed => tr!(l, "its channel was closed by an error", "它的信道因错误被关闭"),
    };
    line(cx.client(client), tr!(l, "did not publish {b:?}", "未能发布 {b:?}"), Some(w))
}

pub fn routed(cx: &Ctx, msg: MsgId, q: QueueId, via: Via) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let qn = cx.queue(q);
    let key = cx.key(msg);
    let why = match via {
        Via::DefaultExchange => tr!(
            l,
            "the default exchange delivers to the queue named by the routing key `{key}`",
            "默认交换机把消息投递到与路由键 `{key}` 同名的队列"
        ),
        Via::DirectReplyTo => tr!(l, "direct reply-to", "direct reply-to"),
        Via::Binding(b) => binding_why(cx, b, msg),
    };
    line(broker(), tr!(l, "routed {m} to {qn}", "把 {m} 路由到 {qn}"), Some(why))
}

pub fn unroutable(cx: &Ctx, msg: MsgId, ex: ExchangeId, returned: bool) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let key = cx.key(msg);
    let exn = cx.exchange(ex);
    let kind = cx.world.broker.exchange_meta(ex).map(|x| x.kind);
    let mut why = if ex == ExchangeId(0) && key.starts_with("amq.rabbitmq.reply-to.") {
        tr!(
            l,
            "`{key}` is a direct reply-to address: RabbitMQ hands the message to the requesting channel, if it is still there, and routes it to no queue",
            "`{key}` 是 direct reply-to 地址：RabbitMQ 把消息交给发出请求的信道（如果它还在），不路由到任何队列"
        )
    } else if ex == ExchangeId(0) {
        tr!(l, "no queue is called `{key}`", "没有名为 `{key}` 的队列")
    } else if kind == Some(crate::broker::ops::ExchangeKind::Fanout) {
        tr!(l, "fanout exchange {exn} has no bound queue", "fanout 交换机 {exn} 没有绑定任何队列")
    } else {
        tr!(l, "no binding of exchange {exn} matches `{key}`", "交换机 {exn} 没有与 `{key}` 匹配的绑定")
    };
    let fate = if returned {
        let p = cx.client(ClientId(cx.world.msgs.get(msg).publisher));
        tr!(l, "; returned to {p} (312 NO_ROUTE) because it is mandatory", "；因为设置了 mandatory，退回给 {p}（312 NO_ROUTE）")
    } else {
        tr!(l, "; dropped silently: it is not mandatory", "；没有设置 mandatory，被静默丢弃")
    };
    why.push_str(&fate);
    line(broker(), tr!(l, "{m} reached no queue", "{m} 没有到达任何队列"), Some(why))
}

pub fn alternate(cx: &Ctx, msg: MsgId, from: ExchangeId, to: ExchangeId) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let (f, t) = (cx.exchange(from), cx.exchange(to));
    line(
        broker(),
        tr!(l, "handed {m} to alternate exchange {t}", "把 {m} 交给备用交换机 {t}"),
        Some(tr!(l, "no binding of {f} matched it", "{f} 没有匹配的绑定")),
    )
}

pub fn confirm(cx: &Ctx, client: ClientId, seq: u32, multiple: bool, ack: bool) -> Line {
    let l = cx.lang;
    let who = cx.client(client);
    let which = if multiple {
        tr!(l, "publishes up to {seq} (multiple", "截至第 {seq} 条的发布（multiple")
    } else {
        tr!(l, "publish {seq} (single", "第 {seq} 条发布（single")
    };
    let (what, why) = if ack {
        (
            tr!(l, "confirmed {who}'s {which} basic.ack)", "确认了 {who} 的{which} basic.ack）"),
            tr!(
                l,
                "every queue it reached has it (persistent ones on disk), or it reached none",
                "它到达的每个队列都已收下（持久消息已落盘），或它没有到达任何队列"
            ),
        )
    } else {
        (
            tr!(l, "refused {who}'s {which} basic.nack)", "拒绝了 {who} 的{which} basic.nack）"),
            tr!(l, "a queue refused it: x-overflow reject-publish", "有队列拒收：x-overflow reject-publish"),
        )
    };
    line(broker(), what, Some(why))
}

fn binding_why(cx: &Ctx, b: BindingId, msg: MsgId) -> String {
    let l = cx.lang;
    let binding = cx.world.broker.binding(b);
    let src = cx.exchange(binding.source);
    let bk = cx.s(binding.key).to_string();
    let rk = cx.key(msg);
    match &binding.matcher {
        Matcher::Exact => {
            tr!(l, "direct exchange {src}: binding key `{bk}` equals the routing key", "direct 交换机 {src}：绑定键 `{bk}` 与路由键相同")
        }
        Matcher::All => tr!(
            l,
            "fanout exchange {src} copies to every bound queue; the routing key is ignored",
            "fanout 交换机 {src} 把消息复制到每个绑定的队列，忽略路由键"
        ),
        Matcher::Topic(_) => tr!(l, "topic exchange {src}: binding `{bk}` matches `{rk}`", "topic 交换机 {src}：绑定键 `{bk}` 匹配 `{rk}`"),
        Matcher::Headers(h) => {
            let mode = h.mode.as_str();
            let args: Vec<String> = h.args.iter().map(|(k, v)| format!("{}={}", cx.s(*k), v.show())).collect();
            let args = args.join(", ");
            tr!(
                l,
                "headers exchange {src}: the headers match (x-match {mode}: {args})",
                "headers 交换机 {src}：消息头匹配（x-match {mode}：{args}）"
            )
        }
    }
}
