//! Trace records into words: who did what, and why — in English or Simplified Chinese.
//!
//! Nothing here runs while the simulation runs: a record is described only when a line is
//! shown (the text trace, the TUI, `--json`). Every sentence exists in both languages; the
//! [`tr!`] macro keeps each English sentence next to its Chinese one.

pub mod json;
pub mod text;

use crate::broker::exchange::{Dest, Matcher};
use crate::ids::{Actor, BindingId, ClientId, ConsumerId, ExchangeId, MsgId, QueueId, Sym, NO_CONSUMER, NO_QUEUE, SETUP};
use crate::record::*;
use crate::scenario::Note;
use crate::sim::Time;
use crate::world::World;

/// A language of the interface.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "zh" | "zh-CN" | "zh_CN" | "cn" => Some(Lang::Zh),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

/// The same sentence in both languages, with `{name}` captures from the caller's scope.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $en:literal, $zh:literal) => {
        match $lang {
            $crate::explain::Lang::En => format!($en),
            $crate::explain::Lang::Zh => format!($zh),
        }
    };
}
pub use tr;

/// One record, described.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Who acted: a client's name, `broker`, `setup`, `fault`, `note`.
    pub actor: String,
    pub what: String,
    /// The cause, when there is one to give.
    pub why: Option<String>,
}

/// Read access to what a description needs.
pub struct Ctx<'a> {
    pub world: &'a World,
    pub notes: &'a [Note],
    pub lang: Lang,
}

impl<'a> Ctx<'a> {
    pub fn new(world: &'a World, notes: &'a [Note], lang: Lang) -> Self {
        Ctx { world, notes, lang }
    }
    fn s(&self, sym: Sym) -> &str {
        self.world.names.get(sym)
    }
    pub fn client(&self, c: ClientId) -> String {
        self.world.client_name(c).to_string()
    }
    pub fn queue(&self, q: QueueId) -> String {
        if q == NO_QUEUE {
            return "amq.rabbitmq.reply-to".into();
        }
        self.s(self.world.broker.queue_name(q)).to_string()
    }
    pub fn exchange(&self, x: ExchangeId) -> String {
        let n = self.s(self.world.broker.exchange_name(x));
        if n.is_empty() {
            match self.lang {
                Lang::En => "(default)".into(),
                Lang::Zh => "（默认）".into(),
            }
        } else {
            n.to_string()
        }
    }
    fn exchange_named(&self, sym: Sym) -> String {
        let n = self.s(sym);
        if n.is_empty() {
            match self.lang {
                Lang::En => "(default)".into(),
                Lang::Zh => "（默认）".into(),
            }
        } else {
            n.to_string()
        }
    }
    pub fn consumer(&self, c: ConsumerId) -> String {
        if c == NO_CONSUMER {
            return "basic.get".into();
        }
        self.client(self.world.broker.consumer(c).client)
    }
    pub fn body(&self, m: MsgId) -> String {
        self.world.msgs.get(m).body.render(&self.world.names).into_owned()
    }
    /// `#12 "task 3"`
    pub fn msg(&self, m: MsgId) -> String {
        format!("#{} {:?}", m.0 + 1, self.body(m))
    }
    fn key(&self, m: MsgId) -> String {
        self.s(self.world.msgs.props_of(m).routing_key).to_string()
    }
    fn actor(&self, a: Actor) -> String {
        match a {
            Actor::Broker => "broker".into(),
            Actor::Setup => "setup".into(),
            Actor::Client(c) if c == SETUP => "setup".into(),
            Actor::Client(c) => self.client(c),
        }
    }
    fn prefetch_of(&self, c: ConsumerId) -> u32 {
        if c == NO_CONSUMER {
            0
        } else {
            self.world.broker.consumer(c).prefetch
        }
    }
    fn binding_dest(&self, b: BindingId) -> String {
        match self.world.broker.binding(b).dest {
            Dest::Queue(q) => self.queue(q),
            Dest::Exchange(x) => self.exchange(x),
        }
    }
}

fn yesno(lang: Lang, b: bool, en: &str, zh: &str) -> String {
    if b {
        match lang {
            Lang::En => en.to_string(),
            Lang::Zh => zh.to_string(),
        }
    } else {
        String::new()
    }
}

/// Describes one record.
pub fn describe(cx: &Ctx, rec: &Record) -> Line {
    let l = cx.lang;
    let line = |actor: String, what: String, why: Option<String>| Line { actor, what, why };
    let broker = || "broker".to_string();
    match *rec {
        Record::ExchangeDeclared { ex, by } => {
            let name = cx.exchange(ex);
            let (kind, durable) = match cx.world.broker.exchange_meta(ex) {
                Some(x) => (x.kind.as_str(), x.durable),
                None => ("?", false),
            };
            let d = yesno(l, durable, ", durable", "，持久");
            line(cx.actor(by), tr!(l, "declared {kind} exchange {name}{d}", "声明 {kind} 交换机 {name}{d}"), None)
        }
        Record::ExchangeDeleted { ex } => {
            let name = cx.exchange(ex);
            line(broker(), tr!(l, "exchange {name} is gone", "交换机 {name} 已不存在"), None)
        }
        Record::QueueDeclared { q, by } => {
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
        Record::Bound { binding, by } => {
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
        Record::QueueDeleted { q, why, messages } => {
            let name = cx.queue(q);
            let with = if messages > 0 {
                tr!(l, " with {messages} ready message(s)", "（含 {messages} 条就绪消息）")
            } else {
                String::new()
            };
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
        Record::Connected { client } => line(cx.client(client), tr!(l, "connected", "已连接"), None),
        Record::Disconnected { client, why } => {
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
        Record::Reconnecting { client } => {
            line(cx.client(client), tr!(l, "reconnecting", "正在重连"), Some(tr!(l, "the broker is reachable again", "代理又可以连上了")))
        }
        Record::Subscribed { client, q, prefetch, no_ack, .. } => {
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
        Record::Cancelled { client, .. } => line(
            cx.client(client),
            tr!(l, "cancelled its subscription (basic.cancel)", "取消了订阅（basic.cancel）"),
            Some(tr!(l, "what it holds unacked stays unacked", "它持有的未确认消息仍保持未确认")),
        ),
        Record::ChannelError { client, code, text, connection } => {
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
        Record::Published { msg, client, confirm_seq } => {
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
        Record::NotPublished { client, body, why } => {
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
        Record::Routed { msg, q, via } => {
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
        Record::Unroutable { msg, ex, returned } => {
            let m = cx.msg(msg);
            let key = cx.key(msg);
            let exn = cx.exchange(ex);
            let kind = cx.world.broker.exchange_meta(ex).map(|x| x.kind);
            let mut why = if ex == ExchangeId(0) {
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
        Record::Alternate { msg, from, to } => {
            let m = cx.msg(msg);
            let (f, t) = (cx.exchange(from), cx.exchange(to));
            line(
                broker(),
                tr!(l, "handed {m} to alternate exchange {t}", "把 {m} 交给备用交换机 {t}"),
                Some(tr!(l, "no binding of {f} matched it", "{f} 没有匹配的绑定")),
            )
        }
        Record::Confirm { client, seq, multiple, ack } => {
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
        Record::Ready { msg, q, why } => {
            let m = cx.msg(msg);
            let qn = cx.queue(q);
            let w = match why {
                ReadyWhy::NoConsumer => tr!(l, "no consumer is subscribed to {qn}", "{qn} 上没有订阅的消费者"),
                ReadyWhy::Backlog => tr!(l, "older messages are ahead of it", "前面还有更早的消息"),
                ReadyWhy::AllAtLimit { first, count } => {
                    let who = cx.consumer(first);
                    let p = cx.prefetch_of(first);
                    if count <= 1 {
                        tr!(l, "{who} is at its prefetch limit of {p}", "{who} 已达到 prefetch 上限 {p}")
                    } else {
                        tr!(l, "every consumer is at its prefetch limit ({who}: {p})", "所有消费者都已达到 prefetch 上限（{who}：{p}）")
                    }
                }
            };
            line(broker(), tr!(l, "{m} waits in {qn} (ready)", "{m} 在 {qn} 中等待（就绪）"), Some(w))
        }
        Record::Delivered { msg, q, consumer, client, tag, redelivered, no_ack, why } => {
            let m = cx.msg(msg);
            let who = cx.client(client);
            let mut flags = vec![tr!(l, "tag {tag}", "投递标签 {tag}")];
            if redelivered {
                flags.push(tr!(l, "redelivered", "重投"));
            }
            if no_ack {
                flags.push(tr!(l, "auto-ack", "自动确认"));
            }
            let f = flags.join(", ");
            let qn = cx.queue(q);
            let w = deliver_why(cx, why, &who, &qn);
            let _ = consumer;
            line(broker(), tr!(l, "delivered {m} to {who} ({f})", "把 {m} 投递给 {who}（{f}）"), Some(w))
        }
        Record::WorkStarted { client, msg, until_us } => {
            let m = cx.msg(msg);
            let until = Time(until_us);
            let why = Some(tr!(l, "busy until {until}", "忙到 {until}"));
            line(cx.client(client), tr!(l, "started work on {m}", "开始处理 {m}"), why)
        }
        Record::Processed { client, msg } => {
            let m = cx.msg(msg);
            line(cx.client(client), tr!(l, "finished {m}", "处理完 {m}"), None)
        }
        Record::Acked { msg, q, client, tag, multiple } => {
            let m = cx.msg(msg);
            let qn = cx.queue(q);
            let mult = if multiple { ", multiple" } else { "" };
            line(
                cx.client(client),
                tr!(l, "acked {m} (tag {tag}{mult})", "确认了 {m}（投递标签 {tag}{mult}）"),
                Some(tr!(l, "the broker removes it from {qn}", "代理把它从 {qn} 中删除")),
            )
        }
        Record::Rejected { msg, client, tag, requeue, nack, .. } => {
            let m = cx.msg(msg);
            let verb = if nack { "basic.nack" } else { "basic.reject" };
            line(
                cx.client(client),
                tr!(l, "{verb} {m} (tag {tag}, requeue={requeue})", "{verb} {m}（投递标签 {tag}，requeue={requeue}）"),
                None,
            )
        }
        Record::Requeued { msg, q, client, why, pos } => {
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
                RequeueWhy::BrokerStopping => tr!(
                    l,
                    "the broker is stopping and closed {who}'s connection with it unacked",
                    "代理停止时关闭了 {who} 的连接，它还未确认"
                ),
            };
            let w = tr!(l, "{w}; back at its original position, flagged redelivered", "{w}；回到原来的位置，并标记为重投");
            line(broker(), tr!(l, "requeued {m} in {qn} {at}", "把 {m} 重新放回 {qn} 的{at}"), Some(w))
        }
        Record::Discarded { msg, q, why } => {
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
            };
            line(broker(), tr!(l, "dropped {m} from {qn}", "从 {qn} 中丢弃 {m}"), Some(w))
        }
        Record::DeadLettered { msg, q, reason, copy, dlx } => {
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
        Record::Lost { msg, q, why } => {
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
        Record::Restored { msg, q } => {
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
        Record::ClientLost { client, msg, why } => {
            let m = cx.msg(msg);
            let w = match why {
                ClientLoss::CrashedUnprocessed => tr!(
                    l,
                    "auto-ack: the broker forgot it when it delivered it, and the client crashed before handling it",
                    "自动确认：代理在投递时就删除了它，而客户端在处理之前崩溃了"
                ),
                ClientLoss::ConnectionLost => tr!(
                    l,
                    "auto-ack: it was still in the client's buffer when the connection died",
                    "自动确认：连接断开时它还在客户端缓冲区里"
                ),
            };
            line(cx.client(client), tr!(l, "lost {m} for good", "永久丢失了 {m}"), Some(w))
        }
        Record::AckLost { client, msg } => {
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
        Record::Synced { messages } => line(
            broker(),
            tr!(l, "wrote {messages} persistent message(s) to disk", "把 {messages} 条持久消息写入磁盘"),
            Some(tr!(l, "the periodic sync (broker.sync_every)", "周期性同步（broker.sync_every）")),
        ),
        Record::Reply { client, msg, call, accepted } => {
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
        Record::ServerFailed { client, msg, why } => {
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
        Record::Fault(f) => {
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
        Record::BrokerDown { graceful } => {
            let w = if graceful { tr!(l, "stopped", "已停止") } else { tr!(l, "crashed", "已崩溃") };
            line(broker(), tr!(l, "is down ({w})", "已下线（{w}）"), None)
        }
        Record::BrokerUp { queues, messages } => line(
            broker(),
            tr!(
                l,
                "is up again: recovered {queues} queue(s) holding {messages} message(s)",
                "重新上线：恢复了 {queues} 个队列，共 {messages} 条消息"
            ),
            None,
        ),
        Record::Note { idx } => {
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
    }
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

fn binding_why(cx: &Ctx, b: BindingId, msg: MsgId) -> String {
    let l = cx.lang;
    let binding = cx.world.broker.binding(b);
    let src = cx.exchange(binding.source);
    let bk = cx.s(binding.key).to_string();
    let rk = cx.key(msg);
    let via = match binding.dest {
        Dest::Exchange(x) => {
            let x = cx.exchange(x);
            tr!(l, " (on to exchange {x})", "（再转到交换机 {x}）")
        }
        Dest::Queue(_) => String::new(),
    };
    let _ = via;
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
