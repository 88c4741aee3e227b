//! Connections, subscriptions and channel errors.
//!
//! One sentence function per record kind (English and Chinese side by side, via [`tr!`]);
//! [`crate::explain::describe`] calls them. Reads the world, never changes it.

use super::*;

pub fn connected(cx: &Ctx, client: ClientId) -> Line {
    let l = cx.lang;
    line(cx.client(client), tr!(l, "connected", "已连接"), None)
}

pub fn disconnected(cx: &Ctx, client: ClientId, why: Disconnect) -> Line {
    let l = cx.lang;
    let w = match why {
        Disconnect::Crashed => tr!(l, "the process crashed", "进程崩溃"),
        Disconnect::ServerFailed => tr!(l, "the program failed on a message and exited", "程序处理消息时出错并退出"),
        Disconnect::BrokerCrashed => tr!(l, "the broker is down", "代理已宕机"),
        Disconnect::BrokerStopped => tr!(l, "the broker was stopped", "代理已停止"),
        Disconnect::Partitioned => tr!(l, "its link to the broker is cut", "它与代理之间的网络被切断"),
        Disconnect::ConnectionError(code) => {
            tr!(l, "the broker closed the connection with a {code} error", "代理以 {code} 错误关闭了连接")
        }
        Disconnect::Closed => tr!(l, "it closed the connection", "它主动关闭了连接"),
    };
    line(cx.client(client), tr!(l, "lost its connection", "连接断开"), Some(w))
}

pub fn unread_loss(cx: &Ctx, client: ClientId, pending: u32, channel: bool) -> Line {
    let l = cx.lang;
    let read = if pending == 1 { "the delivery it already read".to_string() } else { format!("the {pending} deliveries it already read") };
    let what = if channel {
        tr!(l, "will notice that the broker closed its channel only at its next read", "要到下一次读取时才会察觉代理已关闭它的信道")
    } else {
        tr!(l, "will notice the lost connection only at its next read", "要到下一次读取时才会察觉连接已断开")
    };
    line(
        cx.client(client),
        what,
        Some(tr!(
            l,
            "it is busy in a callback, and pika reads its socket again only once it has handed out {read}, or when the code calls it (an ack, a publish): those are still processed, what arrived after them is dropped",
            "它正忙于回调，而 pika 只有在交出已读到的 {pending} 条投递之后，或代码调用它（确认、发布）时，才会再次读取套接字：这些投递仍会被处理，之后到达的被丢弃"
        )),
    )
}

pub fn reconnecting(cx: &Ctx, client: ClientId) -> Line {
    let l = cx.lang;
    line(cx.client(client), tr!(l, "reconnecting", "正在重连"), Some(tr!(l, "the broker is reachable again", "代理又可以连上了")))
}

pub fn subscribed(cx: &Ctx, client: ClientId, q: QueueId, prefetch: u32, no_ack: bool) -> Line {
    let l = cx.lang;
    let qn = cx.queue(q);
    let mode = if no_ack {
        tr!(l, "auto-ack", "自动确认")
    } else if prefetch == 0 {
        tr!(l, "manual ack, unlimited prefetch", "手动确认，prefetch 不限")
    } else {
        tr!(l, "manual ack, prefetch {prefetch}", "手动确认，prefetch {prefetch}")
    };
    line(cx.client(client), tr!(l, "subscribed to {qn} ({mode})", "订阅了 {qn}（{mode}）"), None)
}

pub fn cancelled(cx: &Ctx, client: ClientId) -> Line {
    let l = cx.lang;
    line(
        cx.client(client),
        tr!(l, "cancelled its subscription (basic.cancel)", "取消了订阅（basic.cancel）"),
        Some(tr!(l, "what it holds unacked stays unacked", "它持有的未确认消息仍保持未确认")),
    )
}

pub fn channel_error(cx: &Ctx, client: ClientId, code: u16, text: Sym, connection: bool) -> Line {
    let l = cx.lang;
    let who = cx.client(client);
    let t = cx.s(text).to_string();
    let what = if connection {
        tr!(l, "closed {who}'s connection: {t}", "关闭了 {who} 的连接：{t}")
    } else {
        tr!(l, "closed {who}'s channel: {t}", "关闭了 {who} 的信道：{t}")
    };
    let why = error_why(l, code);
    line(broker(), what, Some(why))
}

fn error_why(l: Lang, code: u16) -> String {
    match code {
        404 => tr!(l, "404 NOT_FOUND: it does not exist", "404 NOT_FOUND：对象不存在"),
        405 => {
            tr!(l, "405 RESOURCE_LOCKED: an exclusive queue belongs to another connection", "405 RESOURCE_LOCKED：排他队列属于另一个连接")
        }
        406 => tr!(
            l,
            "406 PRECONDITION_FAILED: the request contradicts what the broker has",
            "406 PRECONDITION_FAILED：请求与代理上已有的状态矛盾"
        ),
        403 => tr!(l, "403 ACCESS_REFUSED", "403 ACCESS_REFUSED：拒绝访问"),
        503 => tr!(l, "503 COMMAND_INVALID closes the whole connection", "503 COMMAND_INVALID 会关闭整个连接"),
        530 => tr!(l, "530 NOT_ALLOWED closes the whole connection", "530 NOT_ALLOWED 会关闭整个连接"),
        540 => tr!(l, "540 NOT_IMPLEMENTED closes the whole connection", "540 NOT_IMPLEMENTED 会关闭整个连接"),
        _ => format!("{code}"),
    }
}

pub fn consumer_timed_out(cx: &Ctx, client: ClientId, msg: MsgId, since_us: u64, timeout_us: u64) -> Line {
    let l = cx.lang;
    let who = cx.client(client);
    let m = cx.msg(msg);
    let since = Time(since_us);
    let timeout = Time(timeout_us);
    let tick = cx.world.broker.cfg.channel_tick_interval;
    line(
        broker(),
        tr!(
            l,
            "{who} has held {m} unacknowledged since {since}, longer than consumer_timeout {timeout}",
            "{who} 自 {since} 起一直持有未确认的 {m}，超过了 consumer_timeout {timeout}"
        ),
        Some(tr!(
            l,
            "RabbitMQ checks every channel_tick_interval ({tick}) and closes the channel; what it holds goes back to the queue",
            "RabbitMQ 每个 channel_tick_interval（{tick}）检查一次并关闭该信道；它持有的消息回到队列"
        )),
    )
}

pub fn active_consumer(cx: &Ctx, q: QueueId, client: ClientId, priority: i32, takeover: bool) -> Line {
    let l = cx.lang;
    let qn = cx.queue(q);
    let quorum = cx.world.broker.queue_meta(q).is_some_and(|m| m.args.is_quorum());
    let why = if takeover && quorum {
        tr!(
            l,
            "the active consumer went away: a quorum queue hands over to the earliest subscribed of those waiting, whatever their priority",
            "原活动消费者已离开：仲裁队列交给等待者中最早订阅的那个，不论优先级"
        )
    } else if takeover {
        tr!(
            l,
            "the active consumer went away: the highest priority left ({priority}) takes over, the earliest subscribed among equals",
            "原活动消费者已离开：剩下的消费者中优先级最高的（{priority}）接替，同优先级时最早订阅的优先"
        )
    } else {
        tr!(
            l,
            "it is the first to subscribe while none is active; later ones wait, whatever their priority",
            "它是没有活动消费者时第一个订阅的；之后订阅的都要等待，不论优先级多高"
        )
    };
    line(cx.client(client), tr!(l, "is now the single active consumer of {qn}", "成为 {qn} 的单一活动消费者"), Some(why))
}

pub fn qos_applied(cx: &Ctx, client: ClientId, prefetch: u32, global: bool) -> Line {
    let l = cx.lang;
    let who = cx.client(client);
    if global {
        let what = if prefetch == 0 {
            tr!(l, "lifted {who}'s channel-wide limit (basic.qos global, 0)", "取消了 {who} 信道级的限制（basic.qos global，0）")
        } else {
            tr!(
                l,
                "set {who}'s channel-wide limit to {prefetch} (basic.qos global)",
                "把 {who} 的信道级限制设为 {prefetch}（basic.qos global）"
            )
        };
        let why = tr!(
            l,
            "shared by all its consumers, counting what the channel holds unacked now",
            "由该信道上所有消费者共享，从信道当前持有的未确认消息算起"
        );
        line(broker(), what, Some(why))
    } else {
        line(
            broker(),
            tr!(
                l,
                "lifted {who}'s channel-wide limit (basic.qos global=false, {prefetch})",
                "取消了 {who} 的信道级限制（basic.qos global=false，{prefetch}）"
            ),
            Some(tr!(
                l,
                "a per-consumer basic.qos also removes the channel-wide one; it sets the prefetch of consumers created afterwards",
                "按消费者的 basic.qos 同时会去掉信道级限制；它设置的是之后创建的消费者的 prefetch"
            )),
        )
    }
}

pub fn client_method(cx: &Ctx, client: ClientId, method: ClientMethod, sent: bool) -> Line {
    let l = cx.lang;
    let (what, why) = match method {
        ClientMethod::Cancel => (
            tr!(l, "sends basic.cancel, as planned", "按计划发送 basic.cancel"),
            tr!(l, "no new deliveries; what it holds is still worked on and settled", "不再接收新投递；手里的消息照常处理并确认"),
        ),
        ClientMethod::Qos { prefetch, global: true } => (
            tr!(l, "sends basic.qos(prefetch_count={prefetch}, global=True)", "发送 basic.qos(prefetch_count={prefetch}, global=True)"),
            tr!(l, "a limit for the whole channel, at once", "对整个信道立即生效的限制"),
        ),
        ClientMethod::Qos { prefetch, global: false } => (
            tr!(l, "sends basic.qos(prefetch_count={prefetch})", "发送 basic.qos(prefetch_count={prefetch})"),
            tr!(
                l,
                "for consumers it creates from now on: its existing consumer keeps its prefetch",
                "只对之后创建的消费者生效：已有的消费者保持原来的 prefetch"
            ),
        ),
        ClientMethod::Recover => (
            tr!(l, "sends basic.recover(requeue=True)", "发送 basic.recover(requeue=True)"),
            tr!(l, "everything it holds unacked goes back to its queue, to be redelivered", "它持有的所有未确认消息回到队列，等待重新投递"),
        ),
    };
    if sent {
        line(cx.client(client), what, Some(why))
    } else {
        let name = method.name();
        line(
            cx.client(client),
            tr!(l, "would have sent {name} now", "本应此时发送 {name}"),
            Some(tr!(l, "it is down or its channel is closed", "它已宕机或信道已关闭")),
        )
    }
}
