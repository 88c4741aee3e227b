//! The event log: every record so far with its simulated time, who acted, what happened,
//! and (on the next line) why — the sentences of `warren run`. The latest event's records
//! are highlighted; with the log focused, ↑↓ move a cursor through it.

use super::{clock, l, panel, theme, App};
use crate::explain::{describe, Ctx};
use crate::tui::app::{Focus, Run};
use crate::tui::i18n::{self, L};
use crate::tui::text::{ellipsize, pad, width, wrap};
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

fn actor_style(actor: &str) -> Style {
    match actor {
        "broker" => Style::new().fg(Color::LightBlue),
        "fault" => theme::bad(),
        "note" => theme::note(),
        "setup" => theme::dim(),
        _ => Style::new().fg(Color::Green),
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App, r: &Run) {
    let recs = r.tl.records();
    let n = recs.len();
    let mut title = vec![Span::raw(l(app, L::EventLog))];
    match r.log.cursor {
        Some(c) if c < n => title.push(Span::styled(format!(" {}/{n}", c + 1), theme::dim())),
        _ => title.push(Span::styled(format!(" {n}"), theme::dim())),
    }
    let block = panel(title, super::is_focused(r, Focus::Log));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 || inner.width < 10 {
        return;
    }
    if n == 0 {
        f.render_widget(Paragraph::new(Span::styled(l(app, L::LogEmpty), theme::dim())), inner);
        return;
    }
    let world = &r.tl.world;
    let cx = Ctx::new(world, &r.tl.scenario.notes, app.lang);
    let group = r.tl.last_group();
    let anchor = r.log.cursor.filter(|&c| c < n).unwrap_or(n - 1);
    let cursor = r.log.cursor.filter(|&c| c < n && r.focus == Focus::Log);
    let total = inner.width as usize;
    let time_w = width(&clock(recs[anchor].t)).max(6);
    let actor_w = world.clients.iter().map(|c| width(c.name())).chain([6]).max().unwrap_or(6).min(12);
    let indent = time_w + 1 + actor_w + 1;
    let text_w = total.saturating_sub(indent).max(8);
    let h = inner.height as usize;
    // Walk back from the anchor until the panel is full.
    let mut blocks: Vec<Vec<Line>> = Vec::new();
    let mut used = 0;
    let mut i = anchor + 1;
    while i > 0 && used < h {
        i -= 1;
        let s = &recs[i];
        let d = describe(&cx, &s.rec);
        let is_hot = group.contains(&i);
        let is_cursor = cursor == Some(i);
        let mut lines = Vec::new();
        let what = wrap(&d.what, text_w);
        for (k, part) in what.into_iter().enumerate() {
            let mut spans = Vec::new();
            if k == 0 {
                let ts = if is_hot { theme::hot() } else { theme::dim() };
                spans.push(Span::styled(format!("{:>time_w$} ", clock(s.t)), ts));
                let name = i18n::actor(app.lang, &d.actor);
                spans.push(Span::styled(pad(&ellipsize(&name, actor_w), actor_w) + " ", actor_style(&d.actor)));
            } else {
                spans.push(Span::raw(" ".repeat(indent)));
            }
            let mut st = if is_hot { super::bold(Style::new()) } else { Style::new() };
            if d.actor == "fault" {
                st = st.patch(theme::bad());
            }
            if d.actor == "note" {
                st = st.patch(theme::note());
            }
            if is_cursor {
                st = st.patch(theme::selected());
            }
            spans.push(Span::styled(part, st));
            lines.push(Line::from(spans));
        }
        if let Some(why) = &d.why {
            for (k, part) in wrap(why, text_w.saturating_sub(2).max(6)).into_iter().enumerate() {
                let lead = if k == 0 { "↳ " } else { "  " };
                let st = if is_hot { theme::why().fg(Color::Yellow) } else { theme::why() };
                lines.push(Line::from(vec![Span::raw(" ".repeat(indent)), Span::styled(format!("{lead}{part}"), st)]));
            }
        }
        used += lines.len();
        blocks.push(lines);
    }
    // The oldest block may not fit whole: keep its first lines (time, actor, what), not an
    // orphan cause.
    if used > h {
        if let Some(first) = blocks.last_mut() {
            first.truncate(first.len() - (used - h));
        }
    }
    blocks.reverse();
    let lines: Vec<Line> = blocks.into_iter().flatten().collect();
    f.render_widget(Paragraph::new(lines), inner);
}
