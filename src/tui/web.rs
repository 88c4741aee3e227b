//! The class page's snapshot of the screen ([`crate::share::view::View`]): the topology with
//! its counts, the latest event-log lines with their "why", the current note and the open
//! question, each in English and Chinese. Built here from the TUI's state, on the TUI's
//! thread; only this plain data crosses to the server.

use super::app::{App, Run};
use super::i18n::L;
use super::model;
use super::topo::{QKey, TDest, Topo};
use crate::explain::{describe, Ctx, Lang};
use crate::ids::ClientId;
use crate::share::view::{self, Bi, View};

/// Log lines the page shows (the latest).
pub const LOG_LINES: usize = 40;

fn bi_label(l: L) -> Bi {
    Bi::new(l.get(Lang::En), l.get(Lang::Zh))
}

fn text(t: &crate::scenario::model::Text) -> Bi {
    Bi::new(t.get("en"), t.get("zh"))
}

/// The id of a question, shared by the page and the vote board.
pub fn question_id(r: &Run, note: u32) -> String {
    format!("{}#{note}", r.scenario().name)
}

fn queue_id(k: &QKey) -> String {
    match k {
        QKey::Named(n) => format!("q:{n}"),
        QKey::Private(c, n) => format!("q:private:{}:{n}", c.0),
    }
}

fn topology(r: &Run, t: &Topo) -> view::Topology {
    let world = &r.tl.world;
    let client = |c: ClientId| {
        let status = model::status_label(world, c);
        (world.client_name(c).to_string(), bi_label(status), status == L::Connected)
    };
    let exchanges = t
        .exchanges
        .iter()
        .filter(|x| t.groups.iter().any(|g| g.exchange == x.name))
        .map(|x| view::Exchange {
            id: format!("x:{}", x.name),
            name: x.name.clone(),
            kind: x.kind.to_string(),
            declared: x.declared() || x.is_default(),
            alternate: x.alternate.clone(),
        })
        .collect();
    let queues = t
        .queues
        .iter()
        .map(|q| view::Queue {
            id: queue_id(&q.key),
            name: q.name.clone(),
            declared: q.declared(),
            ready: q.ready,
            unacked: q.unacked,
            dead_letter: q.dead_letter.clone(),
            consumers: q
                .consumers
                .iter()
                .map(|line| {
                    let (name, status, connected) = client(line.client);
                    let load = match line.consumer.map(|id| world.broker.consumer(id)) {
                        Some(c) if c.no_ack => L::AutoShort.get(Lang::En).to_string(),
                        Some(c) if c.prefetch == 0 => format!("{}/∞", c.unacked),
                        Some(c) => format!("{}/{}", c.unacked, c.prefetch),
                        None => String::new(),
                    };
                    view::Consumer { name, status, connected, load }
                })
                .collect(),
        })
        .collect();
    let mut routes = Vec::new();
    let mut publishers = Vec::new();
    for g in &t.groups {
        for route in &g.routes {
            let to = match &route.dest {
                TDest::Queue(k) => queue_id(k),
                TDest::Exchange(x) => format!("x:{x}"),
            };
            routes.push(view::Route { from: format!("x:{}", g.exchange), to, key: route.label.clone(), declared: route.declared });
        }
        for &p in &g.publishers {
            let (name, status, _) = client(p);
            publishers.push(view::Publisher { name, to: format!("x:{}", g.exchange), status });
        }
    }
    view::Topology { exchanges, queues, routes, publishers }
}

fn log(r: &Run) -> Vec<view::LogLine> {
    let recs = r.tl.records();
    let start = recs.len().saturating_sub(LOG_LINES);
    let en = Ctx::new(&r.tl.world, &r.tl.scenario.notes, Lang::En);
    let zh = Ctx::new(&r.tl.world, &r.tl.scenario.notes, Lang::Zh);
    recs[start..]
        .iter()
        .map(|s| {
            let a = describe(&en, &s.rec);
            let b = describe(&zh, &s.rec);
            let why = match (a.why, b.why) {
                (Some(x), Some(y)) => Some(Bi::new(x, y)),
                (Some(x), None) => Some(Bi::same(x)),
                _ => None,
            };
            view::LogLine { t: super::render::clock(s.t), actor: a.actor, what: Bi::new(a.what, b.what), why }
        })
        .collect()
}

fn question(r: &Run) -> Option<view::Question> {
    let q = r.quiz?;
    let note = r.scenario().notes.get(q.note as usize)?;
    let revealed = q.revealed();
    Some(view::Question {
        id: question_id(r, q.note),
        ask: note.ask.as_ref().map(text).unwrap_or_default(),
        choices: note.choices.iter().map(text).collect(),
        revealed,
        answer: if revealed { note.answer } else { None },
        explain: if revealed { note.explain.as_ref().map(text) } else { None },
    })
}

fn note(r: &Run) -> Option<Bi> {
    let idx = super::render::notes::latest(r)?;
    let note = r.scenario().notes.get(idx as usize)?;
    // A question is shown by the question panel.
    note.text.as_ref().map(text)
}

fn state(r: &Run) -> Bi {
    if r.tl.is_finished() {
        bi_label(L::Finished)
    } else if r.playing {
        Bi::new("playing", "播放中")
    } else {
        bi_label(L::Paused)
    }
}

/// The page's view of the screen; `None` in the picker.
pub fn view(app: &App) -> Option<View> {
    let r = app.run()?;
    let sc = r.scenario();
    let t = r.topo();
    Some(View {
        lang: app.lang.code().to_string(),
        scenario: sc.name.clone(),
        title: Bi::new(sc.title("en"), sc.title("zh")),
        time: super::render::clock(r.tl.world.now()),
        state: state(r),
        topology: topology(r, &t),
        log: log(r),
        note: note(r),
        question: question(r),
    })
}

/// The state a view is built from (see [`view_key`]).
pub type ViewKey = (String, (u64, u64, u64), usize, bool, bool, Option<(u32, bool)>, Lang);

/// What the page's view depends on, cheaply: the view is rebuilt only when it changes.
pub fn view_key(app: &App) -> Option<ViewKey> {
    let r = app.run()?;
    Some((
        r.scenario().name.clone(),
        (r.tl.position(), r.tl.world.now().as_us(), r.tl.trace.hash()),
        r.tl.records().len(),
        r.playing,
        r.tl.is_finished(),
        r.quiz.map(|q| (q.note, q.revealed())),
        app.lang,
    ))
}
