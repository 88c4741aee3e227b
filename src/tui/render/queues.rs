//! The messages: each queue's ready messages (head first) and what each consumer holds. The
//! message the latest event moved is highlighted; the selected one is reversed.

use super::{l, panel, theme, App};
use crate::explain::Ctx;
use crate::ids::MsgId;
use crate::tui::app::{Focus, Run};
use crate::tui::i18n::{self, L};
use crate::tui::model::{self, HeldState, Hot};
use crate::tui::text::{ellipsize, pad, width};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Lines the panel would like: one per queue or consumer with messages, and one listing
/// the empty ones.
pub fn height_needed(r: &Run) -> u16 {
    let w = &r.tl.world;
    let full = w.broker.live_queues().filter(|q| !q.ready.is_empty()).count()
        + model::holders(w).into_iter().filter(|c| !model::held_by(w, *c).is_empty()).count();
    let any_empty =
        w.broker.live_queues().any(|q| q.ready.is_empty()) || model::holders(w).into_iter().any(|c| model::held_by(w, c).is_empty());
    (full + any_empty as usize).max(1) as u16
}

pub fn render(f: &mut Frame, area: Rect, app: &App, r: &Run) {
    let world = &r.tl.world;
    let lang = app.lang;
    let mut title = vec![Span::raw(l(app, L::Messages))];
    let legend = l(app, L::MessagesLegend);
    if width(legend) + width(l(app, L::Messages)) + 8 < area.width as usize {
        title.push(Span::styled(format!("  {legend}"), theme::dim()));
    }
    let block = panel(title, super::is_focused(r, Focus::Messages));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let cx = Ctx::new(world, &r.tl.scenario.notes, lang);
    let hot = Hot::of(world, &r.tl.records()[r.tl.last_group()]);
    let selected = r.msg;
    let queues: Vec<_> = world.broker.live_queues().collect();
    let holders = model::holders(world);
    let names: Vec<String> =
        queues.iter().map(|q| cx.queue(q.id)).chain(holders.iter().map(|c| world.client_name(*c).to_string())).collect();
    let label_w = names.iter().map(|n| width(n)).max().unwrap_or(0).min(18);
    let chips = Chips { cx: &cx, lang, hot: &hot, selected, total: inner.width as usize };
    // Lines with messages, each with the messages it shows; empty ones are listed together.
    let mut lines: Vec<(Line, Vec<MsgId>)> = Vec::new();
    let mut empty: Vec<(String, Style)> = Vec::new();
    for q in &queues {
        let st = if hot.queues.contains(&q.id) { theme::hot() } else { super::bold(Style::new()) };
        if q.ready.is_empty() {
            empty.push((ellipsize(&cx.queue(q.id), 16), st));
            continue;
        }
        let items: Vec<(MsgId, &str)> = q.ready.iter().map(|m| (m.msg, if m.delivered_before() { "↻" } else { "" })).collect();
        let label = pad(&ellipsize(&cx.queue(q.id), label_w), label_w);
        let line = chips.line(label, st, l(app, L::Ready), &items);
        lines.push((line, items.iter().map(|(m, _)| *m).collect()));
    }
    for &c in &holders {
        let held = model::held_by(world, c);
        let mut st = if hot.clients.contains(&c) { theme::hot() } else { Style::new() };
        if r.selected_client() == Some(c) {
            st = st.patch(theme::selected());
        }
        if held.is_empty() {
            empty.push((ellipsize(world.client_name(c), 16), st));
            continue;
        }
        let items: Vec<(MsgId, &str)> = held
            .iter()
            .map(|h| {
                let mark = match h.state {
                    HeldState::Working => "▶",
                    HeldState::Waiting => "•",
                    HeldState::OnWire => "~",
                };
                (h.msg, mark)
            })
            .collect();
        let label = pad(&ellipsize(world.client_name(c), label_w), label_w);
        let line = chips.line(label, st, l(app, L::Holds), &items);
        lines.push((line, items.iter().map(|(m, _)| *m).collect()));
    }
    if !empty.is_empty() {
        let mut spans = vec![Span::styled(format!("{} ▏", l(app, L::Empty)), theme::dim())];
        for (i, (name, st)) in empty.into_iter().enumerate() {
            spans.push(Span::styled(if i == 0 { " " } else { ", " }, theme::dim()));
            spans.push(Span::styled(name, st));
        }
        lines.push((Line::from(spans), Vec::new()));
    }
    // Keep the selected message's line in view.
    let h = inner.height as usize;
    if lines.len() > h {
        if let Some(i) = selected.and_then(|m| lines.iter().position(|(_, ms)| ms.contains(&m))) {
            if i >= h {
                lines.drain(..(i + 1 - h));
            }
        }
    }
    let lines: Vec<Line> = lines.into_iter().map(|(l, _)| l).collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// What every line of message chips shares: how messages are named and highlighted, and
/// the width a line may take.
struct Chips<'a> {
    cx: &'a Ctx<'a>,
    lang: crate::explain::Lang,
    hot: &'a Hot,
    selected: Option<MsgId>,
    total: usize,
}

impl Chips<'_> {
    /// One line: a label, a word (`ready`, `holds`), then message chips while they fit.
    fn line(&self, label: String, label_style: Style, word: &str, items: &[(MsgId, &str)]) -> Line<'static> {
        let Chips { cx, lang, hot, selected, total } = *self;
        let mut spans = vec![Span::styled(label, label_style), Span::styled(format!(" {word} ▏"), theme::dim())];
        let mut used: usize = spans.iter().map(|s| s.width()).sum();
        if items.is_empty() {
            spans.push(Span::styled(l_empty(lang), theme::dim()));
            return Line::from(spans);
        }
        for (i, (m, mark)) in items.iter().enumerate() {
            let text = format!("{mark}{}", cx.msg(*m));
            let w = width(&text) + 1;
            let rest = items.len() - i;
            let more = i18n::more(lang, rest);
            let reserve = if rest > 1 { width(&more) + 1 } else { 0 };
            if used + w + reserve > total {
                spans.push(Span::styled(format!(" {more}"), theme::dim()));
                break;
            }
            let mut st = if hot.msgs.contains(m) { theme::hot() } else { Style::new() };
            if selected == Some(*m) {
                st = st.patch(theme::selected());
            }
            spans.push(Span::raw(" "));
            spans.push(Span::styled(text, st));
            used += w;
        }
        Line::from(spans)
    }
}

fn l_empty(lang: crate::explain::Lang) -> String {
    format!(" {}", L::Empty.get(lang))
}
