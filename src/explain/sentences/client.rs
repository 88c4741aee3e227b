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
