//! Settling: acks, rejections and requeues.
//!
//! One sentence function per record kind (English and Chinese side by side, via [`tr!`]);
//! [`crate::explain::describe`] calls them. Reads the world, never changes it.

use super::*;

pub fn acked(cx: &Ctx, msg: MsgId, q: QueueId, client: ClientId, tag: u64, multiple: bool) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let qn = cx.queue(q);
    let mult = if multiple { ", multiple" } else { "" };
    line(
        cx.client(client),
        tr!(l, "acked {m} (tag {tag}{mult})", "确认了 {m}（投递标签 {tag}{mult}）"),
        Some(tr!(l, "the broker removes it from {qn}", "代理把它从 {qn} 中删除")),
    )
}

pub fn rejected(cx: &Ctx, msg: MsgId, client: ClientId, tag: u64, requeue: bool, nack: bool) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let verb = if nack { "basic.nack" } else { "basic.reject" };
    line(cx.client(client), tr!(l, "{verb} {m} (tag {tag}, requeue={requeue})", "{verb} {m}（投递标签 {tag}，requeue={requeue}）"), None)
}

/// A `requeued` record's fields.
pub struct Requeue {
    pub msg: MsgId,
    pub q: QueueId,
    pub client: ClientId,
    pub why: RequeueWhy,
    pub pos: u32,
    pub delivery_count: u32,
}

pub fn requeued(cx: &Ctx, r: Requeue) -> Line {
    let Requeue { msg, q, client, why, pos, delivery_count } = r;
    let l = cx.lang;
    let m = cx.msg(msg);
    let qn = cx.queue(q);
    let who = cx.client(client);
    let at = if pos == 0 { tr!(l, "at the head", "队首") } else { tr!(l, "at position {pos}", "第 {pos} 位") };
    let w = match why {
        RequeueWhy::Nack => tr!(l, "{who} nacked it with requeue=true", "{who} 以 requeue=true 拒绝了它（nack）"),
        RequeueWhy::Reject => tr!(l, "{who} rejected it with requeue=true", "{who} 以 requeue=true 拒绝了它（reject）"),
        RequeueWhy::ChannelClosed => tr!(l, "{who} closed its channel with it unacked", "{who} 关闭信道时它还未确认"),
        RequeueWhy::ChannelError(c) => {
            tr!(l, "{who}'s channel was closed by a {c} error with it unacked", "{who} 的信道因 {c} 错误被关闭时它还未确认")
        }
        RequeueWhy::ConnectionLost => tr!(l, "{who}'s connection closed with it unacked", "{who} 的连接断开时它还未确认"),
        RequeueWhy::Recover => tr!(l, "{who} called basic.recover(requeue=true)", "{who} 调用了 basic.recover(requeue=true)"),
        RequeueWhy::BrokerStopping => {
            tr!(l, "the broker is stopping and closed {who}'s connection with it unacked", "代理停止时关闭了 {who} 的连接，它还未确认")
        }
    };
    let quorum = cx.world.broker.queue_meta(q).is_some_and(|m| m.args.is_quorum());
    let w = if !quorum {
        tr!(l, "{w}; back at its original position, flagged redelivered", "{w}；回到原来的位置，并标记为重投")
    } else {
        quorum_return_why(cx, q, why, pos, delivery_count, &w)
    };
    line(broker(), tr!(l, "requeued {m} in {qn} {at}", "把 {m} 重新放回 {qn} 的{at}"), Some(w))
}

/// Where a quorum queue put a returned message, and why there.
fn quorum_return_why(cx: &Ctx, q: QueueId, why: RequeueWhy, pos: u32, count: u32, w: &str) -> String {
    let l = cx.lang;
    let limited = cx.world.broker.queue_meta(q).is_some_and(|m| m.args.delivery_limit.is_some());
    let to_tail = !limited && matches!(why, RequeueWhy::Nack | RequeueWhy::Reject | RequeueWhy::Recover);
    let place = if to_tail {
        tr!(
            l,
            "a quorum queue without x-delivery-limit enqueues a returned message again at the tail",
            "没有 x-delivery-limit 的仲裁队列把退回的消息重新排到队尾"
        )
    } else if pos == 0 {
        tr!(l, "a quorum queue hands out returned messages first", "仲裁队列优先投递退回的消息")
    } else {
        tr!(l, "behind the messages returned before it", "排在更早退回的消息之后")
    };
    tr!(l, "{w}; {place}; x-delivery-count is now {count}", "{w}；{place}；x-delivery-count 现在是 {count}")
}

pub fn ack_lost(cx: &Ctx, client: ClientId, msg: MsgId) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    line(
        cx.client(client),
        tr!(l, "could not ack {m}", "无法确认 {m}"),
        Some(tr!(
            l,
            "its connection is gone; the broker requeued the message and will deliver it again",
            "它的连接已断开；代理已把消息放回队列，会再次投递"
        )),
    )
}

pub fn ack_deferred(cx: &Ctx, client: ClientId, msg: MsgId, waiting: u32, every: u32) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    line(
        cx.client(client),
        tr!(l, "finished {m}, not settled yet ({waiting} of {every})", "处理完 {m}，尚未确认（{waiting}/{every}）"),
        Some(tr!(
            l,
            "ack_every {every}: it settles with multiple=true once every {every} messages; until then they stay unacked and count against the prefetch",
            "ack_every {every}：每 {every} 条用 multiple=true 确认一次；在此之前它们保持未确认，并占用 prefetch"
        )),
    )
}
