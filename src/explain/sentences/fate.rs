//! Fates other than an ack: a copy dropped, dead-lettered, lost, or brought back by a crash.
//!
//! One sentence function per record kind (English and Chinese side by side, via [`tr!`]);
//! [`crate::explain::describe`] calls them. Reads the world, never changes it.

use super::*;

pub fn discarded(cx: &Ctx, msg: MsgId, q: QueueId, why: DiscardWhy) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let qn = cx.queue(q);
    let w = match why {
        DiscardWhy::Expired => {
            tr!(l, "its TTL ran out and it reached the head; no dead-letter exchange", "TTL 到期且已到队首；没有死信交换机")
        }
        DiscardWhy::MaxLenHead => tr!(
            l,
            "x-max-length (drop-head): the oldest message makes room; no dead-letter exchange",
            "x-max-length（drop-head）：丢弃最旧的消息腾出空间；没有死信交换机"
        ),
        DiscardWhy::Overflow => tr!(
            l,
            "x-max-length with reject-publish: the queue is full and refuses new messages",
            "x-max-length 且 reject-publish：队列已满，拒收新消息"
        ),
        DiscardWhy::Rejected => {
            tr!(l, "rejected with requeue=false and no dead-letter exchange", "以 requeue=false 拒绝，且没有死信交换机")
        }
        DiscardWhy::NoDeadLetterExchange => tr!(l, "its dead-letter exchange does not exist", "死信交换机不存在"),
        DiscardWhy::DeadLetterCycle => {
            tr!(l, "dead-lettering would cycle back here with no rejection in the cycle", "死信会循环回到这里，且循环中没有拒绝")
        }
        DiscardWhy::DeadLetterUnroutable => tr!(l, "dead-lettering found no queue", "死信找不到任何队列"),
        DiscardWhy::Purged => tr!(l, "queue.purge", "queue.purge 清空"),
        DiscardWhy::DeliveryLimit => tr!(
            l,
            "it came back more often than x-delivery-limit allows; no dead-letter exchange (RabbitMQ 3.10 gives the consumer that returned it its credit back twice: while it stays subscribed it may hold one more message than its prefetch)",
            "它被退回的次数超过了 x-delivery-limit；没有死信交换机（RabbitMQ 3.10 会把信用两次归还给退回它的消费者：只要它仍在订阅，就可以比 prefetch 多持有一条消息）"
        ),
        DiscardWhy::PublishersBlocked => tr!(
            l,
            "the quorum queue went over x-max-length (reject-publish) and refuses this publisher until it is back at 80% of the limit",
            "仲裁队列超过了 x-max-length（reject-publish），在回落到上限的 80% 之前拒收这个发布者的消息"
        ),
    };
    line(broker(), tr!(l, "dropped {m} from {qn}", "从 {qn} 中丢弃 {m}"), Some(w))
}

pub fn dead_lettered(cx: &Ctx, msg: MsgId, q: QueueId, reason: DeadLetterReason, copy: MsgId, dlx: Sym) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let qn = cx.queue(q);
    let x = cx.exchange_named(dlx);
    let c = copy.0 + 1;
    let w = match reason {
        DeadLetterReason::Rejected => {
            tr!(l, "rejected with requeue=false", "以 requeue=false 被拒绝")
        }
        DeadLetterReason::Expired => tr!(l, "its TTL ran out", "TTL 到期"),
        DeadLetterReason::Maxlen => {
            tr!(l, "the queue is over x-max-length", "队列超过 x-max-length")
        }
        DeadLetterReason::DeliveryLimit => tr!(
            l,
            "it came back more often than x-delivery-limit allows (a poison message; RabbitMQ 3.10 gives the consumer that returned it its credit back twice: while it stays subscribed it may hold one more message than its prefetch)",
            "它被退回的次数超过了 x-delivery-limit（毒消息；RabbitMQ 3.10 会把信用两次归还给退回它的消费者：只要它仍在订阅，就可以比 prefetch 多持有一条消息）"
        ),
    };
    let r = reason.as_str();
    line(
        broker(),
        tr!(
            l,
            "dead-lettered {m} from {qn} to exchange {x} as #{c} (x-death reason {r})",
            "把 {m} 从 {qn} 死信转发到交换机 {x}，新消息 #{c}（x-death 原因 {r}）"
        ),
        Some(w),
    )
}

pub fn lost(cx: &Ctx, msg: MsgId, q: QueueId, why: LostWhy) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let qn = cx.queue(q);
    let w = match why {
        LostWhy::Transient => tr!(
            l,
            "it was transient (delivery_mode 1): transient messages never survive a broker restart",
            "它是非持久消息（delivery_mode 1）：代理重启后不会保留"
        ),
        LostWhy::NotSynced => tr!(
            l,
            "persistent, but not yet on disk: the broker crashed inside the sync window (publisher confirms close it)",
            "虽然是持久消息，但还没写入磁盘：代理在同步窗口内崩溃（发布确认可以弥补）"
        ),
        LostWhy::QueueNotDurable => tr!(l, "its queue {qn} was not durable", "所在队列 {qn} 不是持久的"),
        LostWhy::QueueDeleted => tr!(l, "its queue {qn} was deleted", "所在队列 {qn} 被删除"),
    };
    line(broker(), tr!(l, "lost {m} from {qn}", "{qn} 中的 {m} 丢失"), Some(w))
}

pub fn restored(cx: &Ctx, msg: MsgId, q: QueueId) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let qn = cx.queue(q);
    line(
        broker(),
        tr!(l, "{m} is back in {qn}", "{m} 又回到了 {qn}"),
        Some(tr!(
            l,
            "its removal (an ack) had not reached disk before the crash: it will be delivered again",
            "它的删除（确认）在崩溃前还没写入磁盘：它会被再次投递"
        )),
    )
}

pub fn client_lost(cx: &Ctx, client: ClientId, msg: MsgId, why: ClientLoss) -> Line {
    let l = cx.lang;
    let m = cx.msg(msg);
    let w = match why {
        ClientLoss::CrashedUnprocessed => tr!(
            l,
            "auto-ack: the broker forgot it when it delivered it, and the client crashed before handling it",
            "自动确认：代理在投递时就删除了它，而客户端在处理之前崩溃了"
        ),
        ClientLoss::ConnectionLost => {
            tr!(l, "auto-ack: it was still in the client's buffer when the connection died", "自动确认：连接断开时它还在客户端缓冲区里")
        }
    };
    line(cx.client(client), tr!(l, "lost {m} for good", "永久丢失了 {m}"), Some(w))
}
