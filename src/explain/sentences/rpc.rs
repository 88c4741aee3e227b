//! RPC: replies and server failures.
//!
//! One sentence function per record kind (English and Chinese side by side, via [`tr!`]);
//! [`crate::explain::describe`] calls them. Reads the world, never changes it.

use super::*;

pub fn reply(cx: &Ctx, client: ClientId, msg: MsgId, call: u32, accepted: bool) -> Line {
    let l = cx.lang;
    let b = cx.body(msg);
    let corr = cx.world.msgs.props_of(msg).correlation_id.map(|c| cx.s(c).to_string()).unwrap_or_else(|| "none".into());
    if accepted {
        let n = call + 1;
        line(
            cx.client(client),
            tr!(l, "got reply {b:?} to call {n}", "收到第 {n} 次调用的回复 {b:?}"),
            Some(tr!(l, "correlation id {corr} matches", "correlation id {corr} 匹配")),
        )
    } else {
        line(
            cx.client(client),
            tr!(l, "discarded reply {b:?}", "丢弃回复 {b:?}"),
            Some(tr!(l, "correlation id {corr} matches no pending call", "correlation id {corr} 不属于任何等待中的调用")),
        )
    }
}

pub fn server_failed(cx: &Ctx, client: ClientId, msg: MsgId, why: ServerFailure) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let w = match why {
        ServerFailure::NoReplyTo => tr!(
            l,
            "the request has no reply_to, so publishing the reply raised — the article's bug; it was never acked",
            "请求没有 reply_to，发布回复时出错——正是原文作者遇到的 bug；消息一直没有被确认"
        ),
        ServerFailure::BadInput => tr!(l, "its body is not input the function accepts", "消息体不是函数能接受的输入"),
        ServerFailure::Rule => tr!(l, "a rule says this message makes it crash", "规则规定处理这条消息时崩溃"),
    };
    line(cx.client(client), tr!(l, "failed while handling {m}, before acking", "处理 {m} 时出错，尚未确认"), Some(w))
}
