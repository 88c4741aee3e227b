//! Topology: exchanges, queues and bindings declared and deleted.
//!
//! One sentence function per record kind (English and Chinese side by side, via [`tr!`]);
//! [`crate::explain::describe`] calls them. Reads the world, never changes it.

use super::*;

pub fn exchange_declared(cx: &Ctx, ex: ExchangeId, by: Actor) -> Line {
    let l = cx.lang;
    let name = cx.exchange(ex);
    let (kind, durable) = match cx.world.broker.exchange_meta(ex) {
        Some(x) => (x.kind.as_str(), x.durable),
        None => ("?", false),
    };
    let d = yesno(l, durable, ", durable", "，持久");
    line(cx.actor(by), tr!(l, "declared {kind} exchange {name}{d}", "声明 {kind} 交换机 {name}{d}"), None)
}

pub fn exchange_deleted(cx: &Ctx, ex: ExchangeId) -> Line {
    let l = cx.lang;
    let name = cx.exchange(ex);
    line(broker(), tr!(l, "exchange {name} is gone", "交换机 {name} 已不存在"), None)
}

pub fn queue_declared(cx: &Ctx, q: QueueId, by: Actor) -> Line {
    let l = cx.lang;
    let name = cx.queue(q);
    let mut props = Vec::new();
    if let Some(queue) = cx.world.broker.queue_meta(q) {
        if queue.durable {
            props.push(tr!(l, "durable", "持久"));
        }
        if queue.exclusive {
            props.push(tr!(l, "exclusive", "排他"));
        }
        if queue.auto_delete {
            props.push(tr!(l, "auto-delete", "自动删除"));
        }
        if queue.server_named {
            props.push(tr!(l, "server-named", "服务器命名"));
        }
        for (k, v) in &queue.args.raw {
            let k = cx.s(*k);
            let v = match v {
                crate::broker::queue::ArgValue::Int(i) => i.to_string(),
                crate::broker::queue::ArgValue::Str(s) => cx.s(*s).to_string(),
                crate::broker::queue::ArgValue::Bool(b) => b.to_string(),
            };
            props.push(format!("{k}={v}"));
        }
    }
    let p = if props.is_empty() { String::new() } else { format!(" ({})", props.join(", ")) };
    line(cx.actor(by), tr!(l, "declared queue {name}{p}", "声明队列 {name}{p}"), None)
}

pub fn bound(cx: &Ctx, binding: BindingId, by: Actor) -> Line {
    let l = cx.lang;
    let b = cx.world.broker.binding(binding);
    let src = cx.exchange(b.source);
    let dest = cx.binding_dest(binding);
    let key = cx.s(b.key).to_string();
    let what = match &b.matcher {
        Matcher::Headers(h) => {
            let args: Vec<String> = h.args.iter().map(|(k, v)| format!("{}={}", cx.s(*k), v.show())).collect();
            let mode = h.mode.as_str();
            let args = args.join(", ");
            tr!(
                l,
                "bound {dest} to headers exchange {src} (x-match {mode}: {args})",
                "将 {dest} 绑定到 headers 交换机 {src}（x-match {mode}：{args}）"
            )
        }
        Matcher::All => tr!(l, "bound {dest} to fanout exchange {src}", "将 {dest} 绑定到 fanout 交换机 {src}"),
        _ => tr!(l, "bound {dest} to exchange {src} with key {key:?}", "将 {dest} 绑定到交换机 {src}，绑定键 {key:?}"),
    };
    line(cx.actor(by), what, None)
}

pub fn queue_deleted(cx: &Ctx, q: QueueId, why: QueueGone, messages: u32) -> Line {
    let l = cx.lang;
    let name = cx.queue(q);
    let with =
        if messages > 0 { tr!(l, " with {messages} ready message(s)", "（含 {messages} 条就绪消息）") } else { String::new() };
    let why = match why {
        QueueGone::AutoDelete => tr!(l, "auto-delete: its last consumer went away", "自动删除：最后一个消费者已离开"),
        QueueGone::ExclusiveOwnerGone => {
            tr!(l, "exclusive: the connection that declared it closed", "排他队列：声明它的连接已关闭")
        }
        QueueGone::Expired => tr!(
            l,
            "x-expires: it was unused for too long (its messages are not dead-lettered)",
            "x-expires：闲置过久（其中的消息不会进入死信）"
        ),
        QueueGone::BrokerDown => tr!(l, "not durable, and the broker went down", "非持久队列，代理已停止"),
        QueueGone::Deleted => tr!(l, "queue.delete", "queue.delete 删除"),
    };
    line(broker(), tr!(l, "deleted queue {name}{with}", "删除队列 {name}{with}"), Some(why))
}
