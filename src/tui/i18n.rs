//! Every word the TUI shows that is not a trace sentence, in English and Simplified Chinese.
//!
//! Fixed labels are one table ([`L`]), each English text next to its Chinese one; sentences
//! with values use the crate's [`tr!`] macro the same way. Trace records are described by
//! [`crate::explain::describe`], never here.

use crate::explain::{tr, Lang};

macro_rules! labels {
    ($($name:ident => $en:literal, $zh:literal;)*) => {
        /// A fixed label.
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        pub enum L { $($name),* }

        impl L {
            /// Every label (for the completeness test).
            pub const ALL: &'static [L] = &[$(L::$name),*];

            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((L::$name, Lang::En) => $en, (L::$name, Lang::Zh) => $zh,)*
                }
            }
        }
    };
}

labels! {
    // panels
    Topology => "Topology", "拓扑";
    Messages => "Messages", "消息";
    EventLog => "Event log", "事件日志";
    Notes => "Note", "讲解";
    Inspector => "Message", "消息详情";
    Help => "Keys", "按键";
    Question => "Question", "提问";
    Scenarios => "Scenarios", "场景";
    // header
    Paused => "paused", "已暂停";
    Finished => "finished", "已结束";
    Seed => "seed", "种子";
    // topology
    Broker => "broker", "代理";
    AutoShort => "auto", "自动";
    SacActive => "active", "活动";
    SacWaiting => "waiting", "等待";
    ChannelLimit => "ch", "信道";
    Polling => "get", "轮询";
    Tagline => "a RabbitMQ sandbox", "RabbitMQ 沙盒";
    BrokerUp => "up", "运行中";
    BrokerDown => "down", "已宕机";
    Connected => "connected", "已连接";
    Disconnected => "disconnected", "已断开";
    Down => "down", "已宕机";
    NotStarted => "not started", "未启动";
    LinkCut => "link cut", "网络已切断";
    TopologyLegend => "queue ready|unacked · consumer in-flight/prefetch", "队列 就绪|未确认 · 消费者 在途/prefetch";
    KNextLesson => "next lesson of the course", "课程的下一课";
    KReveal => "show the answer (closes the class's votes)", "公布答案（结束全班投票）";
    LastLesson => "this is the last lesson", "这是最后一课";
    ReloadError => "Scenario error: fix the file and save; the previous run stays on screen", "场景有错：修正文件并保存；屏幕上保留之前的运行";
    Votes => "class votes", "全班投票";
    JoinCode => "join code", "加入码";
    RevealHint => "a show the answer", "a 公布答案";
    PlannedLegend => "◌ not declared yet", "◌ 尚未声明";
    LinksLegend => "⇢dlx dead letters · ⇢ae alternate", "⇢dlx 死信 · ⇢ae 备用交换机";
    Ready => "ready", "就绪";
    Producer => "producer", "生产者";
    Consumer => "consumer", "消费者";
    RpcClient => "RPC client", "RPC 客户端";
    NothingYet => "nothing declared yet: step forward", "尚未声明任何东西：向前单步";
    // messages
    Empty => "empty", "空";
    Holds => "holds", "持有";
    MessagesLegend => "▶ working · • waiting in the client · ~ on the wire", "▶ 处理中 · • 在客户端等待 · ~ 传输中";
    // log
    LogEmpty => "Nothing has happened yet. Press → to step.", "还没有发生任何事件。按 → 单步前进。";
    // notes
    NoNote => "No note yet.", "暂无讲解。";
    YourAnswer => "your answer", "你的回答";
    Right => "right!", "答对了！";
    Skipped => "skipped", "已跳过";
    ChooseHint => "press the number of your answer · Esc skip", "按答案的编号 · Esc 跳过";
    ContinueHint => "Enter or Esc to continue", "Enter 或 Esc 继续";
    // inspector
    Properties => "Properties", "属性";
    Delivery => "delivery", "投递模式";
    History => "History", "经历";
    Now => "Now", "现状";
    Body => "body", "消息体";
    PublishedBy => "published by", "发布者";
    Exchange => "exchange", "交换机";
    RoutingKey => "routing key", "路由键";
    Persistent => "persistent (delivery_mode 2)", "持久（delivery_mode 2）";
    Transient => "transient (delivery_mode 1)", "非持久（delivery_mode 1）";
    Mandatory => "mandatory", "mandatory";
    Expiration => "expiration", "过期时间";
    Headers => "headers", "消息头";
    ReplyTo => "reply_to", "reply_to";
    CorrelationId => "correlation_id", "correlation_id";
    Priority => "priority", "priority（优先级）";
    DeadLetteredFrom => "dead-lettered from", "死信来源";
    XDeath => "x-death", "x-death";
    NotRoutedYet => "published; not routed yet", "已发布；尚未路由";
    InspectorHint => "↑↓ scroll · Esc close", "↑↓ 滚动 · Esc 关闭";
    NoMessageSelected => "select a message first (Tab to Messages or Event log, ↑↓, Enter)", "请先选择一条消息（Tab 切到消息或事件日志，↑↓，Enter）";
    // status and prompts
    RunToTime => "run to time (e.g. 2.5s, or earlier to go back)", "运行到时间（如 2.5s，更早则回退）";
    PromptHint => "Enter go · Esc cancel", "Enter 执行 · Esc 取消";
    AtStart => "at the start", "已在开头";
    AtEnd => "the run is over", "运行已结束";
    Running => "running…", "运行中…";
    BrokerNoLink => "the broker has no link of its own: select a client", "代理本身没有网络连接：请选择一个客户端";
    Restarted => "restarted from the beginning", "已从头开始";
    // picker
    PickerHint => "↑↓ choose · Enter open · L 中文 · ? help · q quit", "↑↓ 选择 · Enter 打开 · L English · ? 帮助 · q 退出";
    Invalid => "invalid", "无效";
    // help sections
    HelpTime => "Time", "时间";
    HelpView => "View", "查看";
    HelpFaults => "Faults on the selected actor", "对选中对象注入故障";
    HelpGeneral => "General", "通用";
    HelpClose => "any key closes this help", "按任意键关闭帮助";
    // key descriptions
    KStep => "step one event forward", "向前一个事件";
    KBack => "step one event back (time travel)", "后退一个事件（时间回溯）";
    KPlay => "play / pause", "播放 / 暂停";
    KSpeed => "play faster / slower", "加快 / 减慢播放";
    KNextNote => "run to the next note", "运行到下一条讲解";
    KTime => "run to a time (or back to it)", "运行到某个时间（或回退到它）";
    KEnd => "run to the end", "运行到结束";
    KRestart => "start over (drops injected faults)", "从头开始（撤销注入的故障）";
    KFocus => "next / previous panel", "下一个 / 上一个面板";
    KUpDown => "select in the panel; scroll", "在面板中选择；滚动";
    KPage => "scroll a page", "翻页";
    KInspect => "inspect the selected message", "查看选中的消息";
    KCrash => "crash it (client or broker)", "使其崩溃（客户端或代理）";
    KUp => "restart it (client or broker)", "重启它（客户端或代理）";
    KCut => "cut / heal its link", "切断 / 恢复它的网络";
    KLang => "中文 / English", "English / 中文";
    KHelp => "this help", "本帮助";
    KQuit => "quit", "退出";
    KClose => "close a window; stop a run", "关闭窗口；停止运行";
    KChoose => "answer a question", "回答提问";
    // short status hints
    SStep => "step", "单步";
    SBack => "back", "后退";
    SPlay => "play", "播放";
    SPause => "pause", "暂停";
    SNote => "note", "讲解";
    STime => "time", "时间";
    SEnd => "end", "结束";
    SCrash => "crash", "崩溃";
    SUp => "restart", "重启";
    SCut => "cut", "断网";
    SHeal => "heal", "恢复";
    SLang => "中文", "English";
    SHelp => "help", "帮助";
    SQuit => "quit", "退出";
    SPanel => "panel", "面板";
    SInspect => "inspect", "详情";
    SScroll => "scroll", "滚动";
    SClose => "close", "关闭";
    SSelect => "select", "选择";
}

impl L {
    /// Shorthand used by render functions.
    pub fn s(self, lang: Lang) -> String {
        self.get(lang).to_string()
    }
}

/// An actor as the log names it: the words `describe` uses for the broker, faults, notes and
/// the setup are translated; client names stay as written.
pub fn actor(lang: Lang, actor: &str) -> String {
    match (lang, actor) {
        (Lang::Zh, "broker") => "代理".into(),
        (Lang::Zh, "fault") => "故障".into(),
        (Lang::Zh, "note") => "讲解".into(),
        (Lang::Zh, "setup") => "初始化".into(),
        _ => actor.to_string(),
    }
}

pub fn too_small(lang: Lang, w: u16, h: u16, min_w: u16, min_h: u16) -> String {
    tr!(lang, "Terminal too small: {w}×{h}. warren needs at least {min_w}×{min_h}.", "终端太小：{w}×{h}。warren 至少需要 {min_w}×{min_h}。")
}

pub fn speed(lang: Lang, per_sec: &str) -> String {
    tr!(lang, "{per_sec} events/s", "{per_sec} 事件/秒")
}

pub fn more(lang: Lang, n: usize) -> String {
    tr!(lang, "+{n} more", "另有 {n} 条")
}

pub fn note_counter(lang: Lang, k: usize, n: usize) -> String {
    tr!(lang, "note {k} of {n}", "第 {k}/{n} 条")
}

pub fn injected(lang: Lang, what: &str) -> String {
    tr!(lang, "injected: {what}", "已注入：{what}")
}

pub fn invalid_time(lang: Lang, err: &str) -> String {
    tr!(lang, "not a time: {err}", "不是有效的时间：{err}")
}

pub fn capped(lang: Lang, err: &str) -> String {
    tr!(lang, "stopped: {err}", "已停止：{err}")
}

pub fn wrong_answer(lang: Lang, answer: &str) -> String {
    tr!(lang, "not quite: the answer is {answer}", "不对：答案是 {answer}")
}

pub fn back_to(lang: Lang, t: &str) -> String {
    tr!(lang, "back to {t}", "回到 {t}")
}

pub fn next_lesson(lang: Lang, name: &str) -> String {
    tr!(lang, "] next lesson: {name}", "] 下一课：{name}")
}

pub fn reloaded(lang: Lang, t: &str) -> String {
    tr!(lang, "file saved: reloaded and replayed to {t}", "文件已保存：已重新加载并重放到 {t}")
}

pub fn live_faults_dropped(lang: Lang, n: usize) -> String {
    tr!(lang, "{n} injected fault(s) not replayed", "{n} 个注入的故障未重放")
}

pub fn share_line(lang: Lang, addr: &str, code: &str) -> String {
    tr!(lang, "class page http://{addr} · join code {code}", "课堂页面 http://{addr} · 加入码 {code}")
}

pub fn vote_count(lang: Lang, n: u32) -> String {
    tr!(lang, "{n} vote(s)", "{n} 票")
}

pub fn dropped_faults(lang: Lang, n: usize) -> String {
    tr!(lang, "stepped back past {n} injected fault(s): undone", "回退越过了 {n} 个注入的故障：已撤销")
}

// --- where a message is now (the inspector)

pub fn fate_ready(lang: Lang, q: &str, pos: usize, len: usize) -> String {
    tr!(lang, "ready in {q}, position {pos} of {len} (1 = head)", "在 {q} 中就绪，第 {pos}/{len} 位（1 为队首）")
}

/// A quorum queue's count of a copy's returns (`x-delivery-count`).
pub fn delivery_count(lang: Lang, q: &str, count: u32) -> String {
    tr!(lang, "{q}: x-delivery-count {count} (returned {count} time(s))", "{q}：x-delivery-count {count}（已退回 {count} 次）")
}

pub fn fate_working(lang: Lang, q: &str, who: &str) -> String {
    tr!(lang, "unacked in {q}: {who} is working on it", "在 {q} 中未确认：{who} 正在处理它")
}

pub fn fate_waiting(lang: Lang, q: &str, who: &str) -> String {
    tr!(lang, "unacked in {q}: waiting in {who}'s buffer", "在 {q} 中未确认：在 {who} 的缓冲区里等待")
}

pub fn fate_on_wire(lang: Lang, q: &str, who: &str) -> String {
    tr!(lang, "unacked in {q}: on its way to {who}", "在 {q} 中未确认：正在发往 {who}")
}

pub fn fate_held(lang: Lang, q: &str, who: &str) -> String {
    tr!(lang, "unacked in {q}: held by {who}, not acked yet", "在 {q} 中未确认：{who} 持有，尚未确认")
}

pub fn fate_closing(lang: Lang, q: &str, who: &str) -> String {
    tr!(
        lang,
        "unacked in {q}: checked out to {who}, whose channel the broker closed with an error; back in {q} at channel.close-ok",
        "在 {q} 中未确认：已分派给 {who}，但代理已因错误关闭其信道；收到 channel.close-ok 时回到 {q}"
    )
}

pub fn fate_in_queue(lang: Lang, q: &str) -> String {
    tr!(lang, "in {q}", "在 {q} 中")
}

pub fn fate_client_auto(lang: Lang, who: &str, working: bool) -> String {
    if working {
        tr!(lang, "auto-acked: {who} is working on it (the broker already forgot it)", "自动确认：{who} 正在处理它（代理已经忘了它）")
    } else {
        tr!(
            lang,
            "auto-acked: waiting in {who}'s buffer (the broker already forgot it)",
            "自动确认：在 {who} 的缓冲区里等待（代理已经忘了它）"
        )
    }
}

pub fn fate_processed(lang: Lang, who: &str) -> String {
    tr!(lang, "{who} finished it", "{who} 已处理完")
}

pub fn actor_status(lang: Lang, name: &str, role: &str, status: &str) -> String {
    tr!(lang, "{name} ({role}, {status})", "{name}（{role}，{status}）")
}

pub fn msg_title(lang: Lang, m: &str) -> String {
    tr!(lang, "Message {m}", "消息 {m}")
}

pub fn x_death_entry(lang: Lang, count: u64, reason: &str, q: &str) -> String {
    tr!(lang, "{count}× {reason} in {q}", "在 {q} 中 {reason} {count} 次")
}
