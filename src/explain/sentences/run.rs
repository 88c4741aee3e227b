//! The run: disk syncs, faults, the broker going down and up, the scenario's notes.
//!
//! One sentence function per record kind (English and Chinese side by side, via [`tr!`]);
//! [`crate::explain::describe`] calls them. Reads the world, never changes it.

use super::*;

pub fn synced(cx: &Ctx, messages: u32) -> Line {
    let l = cx.lang;
    line(
        broker(),
        tr!(l, "wrote {messages} persistent message(s) to disk", "把 {messages} 条持久消息写入磁盘"),
        Some(tr!(l, "the periodic sync (broker.sync_every)", "周期性同步（broker.sync_every）")),
    )
}

pub fn fault(cx: &Ctx, f: FaultRecord) -> Line {
    let l = cx.lang;
    let what = match f {
        FaultRecord::Crash(c) => {
            let n = cx.client(c);
            tr!(l, "{n} crashed", "{n} 崩溃")
        }
        FaultRecord::Restart(c) => {
            let n = cx.client(c);
            tr!(l, "{n} restarted", "{n} 重启")
        }
        FaultRecord::BrokerCrash => {
            tr!(l, "the broker crashed: only what reached disk survives", "代理崩溃：只有已写入磁盘的数据会保留")
        }
        FaultRecord::BrokerStop => tr!(
            l,
            "the broker was stopped gracefully: it syncs to disk and closes every connection",
            "代理正常停止：先同步磁盘，再关闭所有连接"
        ),
        FaultRecord::BrokerRestart => tr!(l, "the broker restarted", "代理重启"),
        FaultRecord::DelayStart { client, by_us } => {
            let n = cx.client(client);
            let by = Time(by_us);
            tr!(l, "{n}'s link got {by} slower", "{n} 的网络延迟增加 {by}")
        }
        FaultRecord::DelayEnd(c) => {
            let n = cx.client(c);
            tr!(l, "{n}'s link is back to normal", "{n} 的网络恢复正常")
        }
        FaultRecord::PartitionStart(c) => {
            let n = cx.client(c);
            tr!(l, "{n} is cut off from the broker", "{n} 与代理之间的网络被切断")
        }
        FaultRecord::PartitionEnd(c) => {
            let n = cx.client(c);
            tr!(l, "{n}'s link is restored", "{n} 的网络恢复")
        }
    };
    line("fault".into(), what, None)
}

pub fn broker_down(cx: &Ctx, graceful: bool) -> Line {
    let l = cx.lang;
    let w = if graceful { tr!(l, "stopped", "已停止") } else { tr!(l, "crashed", "已崩溃") };
    line(broker(), tr!(l, "is down ({w})", "已下线（{w}）"), None)
}

pub fn broker_up(cx: &Ctx, queues: u32, messages: u32) -> Line {
    let l = cx.lang;
    line(
        broker(),
        tr!(
            l,
            "is up again: recovered {queues} queue(s) holding {messages} message(s)",
            "重新上线：恢复了 {queues} 个队列，共 {messages} 条消息"
        ),
        None,
    )
}

pub fn note(cx: &Ctx, idx: u32) -> Line {
    let l = cx.lang;
    let n = cx.notes.get(idx as usize);
    let text = match n {
        Some(Note { text: Some(t), .. }) => t.get(l.code()).to_string(),
        Some(Note { ask: Some(a), choices, .. }) => {
            let q = a.get(l.code());
            let c: Vec<&str> = choices.iter().map(|ch| ch.get(l.code())).collect();
            let c = c.join(" / ");
            tr!(l, "question: {q} [{c}]", "提问：{q} [{c}]")
        }
        _ => String::new(),
    };
    line("note".into(), text, None)
}
