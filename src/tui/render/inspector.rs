//! The message inspector: where each copy of a message is now (or how it ended), its whole
//! history with the cause of every step, then its properties and headers.

use super::{clock, popup, theme, window, App};
use crate::broker::message::Message;
use crate::explain::{describe, Ctx, Lang};
use crate::ids::{ClientId, MsgId};
use crate::record::Record;
use crate::tui::app::Run;
use crate::tui::i18n::{self, L};
use crate::tui::model::{self, Fate, HeldState};
use crate::tui::text::{pad, width, wrap};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

fn heading(text: &str) -> Line<'static> {
    Line::from(Span::styled(text.to_string(), theme::title()))
}

fn field(label: &str, value: String, w: usize) -> Vec<Line<'static>> {
    let lead = format!("  {label}: ");
    let lw = width(&lead);
    wrap(&value, w.saturating_sub(lw).max(8))
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let first = if i == 0 { Span::styled(lead.clone(), theme::dim()) } else { Span::raw(" ".repeat(lw)) };
            Line::from(vec![first, Span::raw(part)])
        })
        .collect()
}

/// `lead` then `text` wrapped, continuation lines under the text, all `indent` columns in.
fn indented(lead: &str, text: &str, w: usize, style: Style, indent: usize) -> Vec<Line<'static>> {
    let lw = width(lead);
    wrap(text, w.saturating_sub(indent + lw).max(8))
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let lead = if i == 0 { lead.to_string() } else { " ".repeat(lw) };
            Line::from(vec![Span::raw(" ".repeat(indent)), Span::styled(format!("{lead}{part}"), style)])
        })
        .collect()
}

/// The inspector's three parts.
pub struct Sections {
    /// The heading and one entry per fate.
    pub now: Vec<Line<'static>>,
    /// One group of lines per record (what, then why).
    pub history: Vec<Vec<Line<'static>>>,
    pub props: Vec<Line<'static>>,
}

/// Every line of the inspector for `msg`, at text width `w`: where it is now, its history,
/// its properties.
pub fn lines(r: &Run, lang: Lang, msg: MsgId, w: usize) -> Vec<Line<'static>> {
    let s = sections(r, lang, msg, w);
    let mut out = s.now;
    out.push(Line::raw(""));
    out.push(heading(L::History.get(lang)));
    out.extend(s.history.into_iter().flatten());
    out.push(Line::raw(""));
    out.extend(s.props);
    out
}

/// The inspector's parts for `msg`, at text width `w`.
pub fn sections(r: &Run, lang: Lang, msg: MsgId, w: usize) -> Sections {
    let world = &r.tl.world;
    let cx = Ctx::new(world, &r.tl.scenario.notes, lang);
    let b = &world.broker;
    let m = *world.msgs.get(msg);
    let props = world.msgs.props_of(msg);
    let mut pl = vec![heading(L::Properties.get(lang))];
    pl.extend(field(L::Body.get(lang), format!("{:?}", cx.body(msg)), w));
    let publisher = if m.publisher == Message::FROM_BROKER { L::Broker.s(lang) } else { cx.client(ClientId(m.publisher)) };
    pl.extend(field(L::PublishedBy.get(lang), publisher, w));
    let ex = b.exchange_by_name(props.exchange).map(|x| cx.exchange(x)).unwrap_or_else(|| world.names.get(props.exchange).to_string());
    pl.extend(field(L::Exchange.get(lang), ex, w));
    pl.extend(field(L::RoutingKey.get(lang), format!("`{}`", world.names.get(props.routing_key)), w));
    let mut flags = vec![if props.persistent { L::Persistent.s(lang) } else { L::Transient.s(lang) }];
    if props.mandatory {
        flags.push(L::Mandatory.s(lang));
    }
    pl.extend(field(L::Delivery.get(lang), flags.join(", "), w));
    if let Some(e) = props.expiration {
        pl.extend(field(L::Expiration.get(lang), e.to_duration_string(), w));
    }
    if let Some(rt) = props.reply_to {
        pl.extend(field(L::ReplyTo.get(lang), world.names.get(rt).to_string(), w));
    }
    if let Some(c) = props.correlation_id {
        pl.extend(field(L::CorrelationId.get(lang), world.names.get(c).to_string(), w));
    }
    if let Some(p) = props.priority {
        pl.extend(field(L::Priority.get(lang), p.to_string(), w));
    }
    if let Some(h) = &props.headers {
        let hs: Vec<String> = h.iter().map(|(k, v)| format!("{}={}", world.names.get(*k), v.show())).collect();
        pl.extend(field(L::Headers.get(lang), hs.join(", "), w));
    }
    if let Some(from) = props.dead_lettered_from {
        let q = props.died_in.map(|q| cx.queue(q)).unwrap_or_default();
        pl.extend(field(L::DeadLetteredFrom.get(lang), format!("{} ({q})", cx.msg(from)), w));
    }
    if let Some(d) = &props.death {
        let es: Vec<String> =
            d.entries.iter().map(|e| i18n::x_death_entry(lang, e.count, e.reason.as_str(), world.names.get(e.queue))).collect();
        pl.extend(field(L::XDeath.get(lang), es.join("; "), w));
    }
    let mut out = vec![heading(L::Now.get(lang))];
    let recs = r.tl.records();
    for fate in model::fates(world, recs, msg) {
        let text = match fate {
            Fate::NotRouted => L::NotRoutedYet.s(lang),
            Fate::Ended(i) => {
                let d = describe(&cx, &recs[i].rec);
                let mut s = format!("{} {}: {}", clock(recs[i].t), i18n::actor(lang, &d.actor), d.what);
                if let Some(why) = d.why {
                    s.push_str(" — ");
                    s.push_str(&why);
                }
                s
            }
            Fate::Ready { q, pos, len } => i18n::fate_ready(lang, &cx.queue(q), pos, len),
            Fate::Held { q: Some(q), client, state } => {
                let who = cx.client(client);
                let qn = cx.queue(q);
                match state {
                    HeldState::Working => i18n::fate_working(lang, &qn, &who),
                    HeldState::Waiting => i18n::fate_waiting(lang, &qn, &who),
                    HeldState::OnWire => i18n::fate_on_wire(lang, &qn, &who),
                }
            }
            Fate::Held { q: None, client, state } => i18n::fate_client_auto(lang, &cx.client(client), state == HeldState::Working),
            Fate::Closing { q, client } => i18n::fate_closing(lang, &cx.queue(q), &cx.client(client)),
            Fate::Unacked { q, client } => {
                let who = client.map(|c| cx.client(c)).unwrap_or_else(|| "?".into());
                i18n::fate_held(lang, &cx.queue(q), &who)
            }
            Fate::InQueue(q) => i18n::fate_in_queue(lang, &cx.queue(q)),
        };
        out.extend(indented("• ", &text, w, theme::hot().remove_modifier(ratatui::style::Modifier::BOLD), 2));
    }
    for (q, count) in model::delivery_counts(world, msg) {
        out.extend(indented("• ", &i18n::delivery_count(lang, &cx.queue(q), count), w, theme::dim(), 2));
    }
    let now = out;
    let mut entries = Vec::new();
    let history: Vec<_> = recs
        .iter()
        .filter(|s| about(&s.rec, msg))
        .map(|s| {
            let mut d = describe(&cx, &s.rec);
            d.actor = i18n::actor(lang, &d.actor);
            (s.t, d)
        })
        .collect();
    let aw = history.iter().map(|(_, d)| width(&d.actor)).max().unwrap_or(0);
    for (t, d) in history {
        let lead = format!("{} {} ", clock(t), pad(&d.actor, aw));
        let mut entry = indented(&lead, &d.what, w, Style::new(), 2);
        if let Some(why) = d.why {
            entry.extend(indented("↳ ", &why, w, theme::why(), 2 + width(&lead)));
        }
        entries.push(entry);
    }
    Sections { now, history: entries, props: pl }
}

/// The message the docked inspector shows: the selected one, else the one that just moved,
/// else the latest one the log mentions.
pub fn docked_message(r: &Run) -> Option<MsgId> {
    let recs = r.tl.records();
    r.msg.or_else(|| recs[r.tl.last_group()].iter().find_map(|s| s.rec.msg())).or_else(|| recs.iter().rev().find_map(|s| s.rec.msg()))
}

/// The inspector as a panel (large terminals): where the message is now, then as much of
/// its history as fits (the latest steps), then its properties if there is room.
pub fn render_docked(f: &mut Frame, area: Rect, app: &App, r: &Run) {
    let lang = app.lang;
    let cx = Ctx::new(&r.tl.world, &r.tl.scenario.notes, lang);
    let msg = docked_message(r);
    let title = match msg {
        Some(m) => i18n::msg_title(lang, &cx.msg(m)),
        None => L::Inspector.s(lang),
    };
    let block = super::panel(vec![Span::raw(title)], false);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(msg) = msg else { return };
    let inner = Rect { x: inner.x + 1, width: inner.width.saturating_sub(2), ..inner };
    let h = inner.height as usize;
    let s = sections(r, lang, msg, inner.width as usize);
    let mut out = s.now;
    // The latest history entries that fit whole, below a blank line and the heading.
    let mut room = h.saturating_sub(out.len() + 2);
    let mut shown: Vec<&Vec<Line>> = Vec::new();
    for e in s.history.iter().rev() {
        if e.len() > room {
            break;
        }
        room -= e.len();
        shown.push(e);
    }
    if !shown.is_empty() {
        out.push(Line::raw(""));
        out.push(heading(L::History.get(lang)));
        out.extend(shown.into_iter().rev().flatten().cloned());
    }
    if out.len() + s.props.len() < h {
        out.push(Line::raw(""));
        out.extend(s.props);
    }
    f.render_widget(Paragraph::new(out), inner);
}

/// Whether a record belongs in a message's history (its own records, and the dead-letter
/// copy it became).
fn about(rec: &Record, msg: MsgId) -> bool {
    rec.msg() == Some(msg) || matches!(*rec, Record::DeadLettered { copy, .. } if copy == msg)
}

pub fn render(f: &mut Frame, area: Rect, app: &App, r: &Run) {
    let Some(insp) = r.inspector else { return };
    let lang = app.lang;
    let cx = Ctx::new(&r.tl.world, &r.tl.scenario.notes, lang);
    let w = 110.min(area.width.saturating_sub(2));
    let all = lines(r, lang, insp.msg, w.saturating_sub(4) as usize);
    let rect = popup(area, w, all.len() as u16 + 2);
    super::clear(f, rect);
    let block = window(i18n::msg_title(lang, &cx.msg(insp.msg)), Some(L::InspectorHint.s(lang)));
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    let inner = Rect { x: inner.x + 1, width: inner.width.saturating_sub(2), ..inner };
    let max_scroll = all.len().saturating_sub(inner.height as usize);
    let scroll = (insp.scroll as usize).min(max_scroll);
    let visible: Vec<Line> = all.into_iter().skip(scroll).collect();
    f.render_widget(Paragraph::new(visible), inner);
}
