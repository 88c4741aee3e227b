//! The scenario's narration: the latest note the clock has reached, and the question window
//! an `ask` note opens (pick a choice, then see the answer and whether it was right).

use super::{l, panel, popup, theme, window, App};
use crate::explain::Lang;
use crate::record::Record;
use crate::scenario::Note;
use crate::tui::app::Run;
use crate::tui::i18n::{self, L};
use crate::tui::text::{ellipsize, pad, width, wrap};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The latest note the clock has reached.
pub fn latest(r: &Run) -> Option<u32> {
    r.tl.records().iter().rev().find_map(|s| match s.rec {
        Record::Note { idx } => Some(idx),
        _ => None,
    })
}

/// The note's lines: its text, or its question with the answer once given.
fn note_lines(r: &Run, lang: Lang, idx: u32, width: usize) -> Vec<Line<'static>> {
    let Some(note) = r.tl.scenario.notes.get(idx as usize) else {
        return Vec::new();
    };
    let code = lang.code();
    let mut lines = Vec::new();
    if let Some(t) = &note.text {
        for part in wrap(t.get(code), width) {
            lines.push(Line::from(Span::styled(part, theme::note())));
        }
        return lines;
    }
    if let Some(a) = &note.ask {
        let q = L::Question.get(lang);
        let a = a.get(code);
        for part in wrap(&crate::explain::tr!(lang, "{q}: {a}", "{q}：{a}"), width) {
            lines.push(Line::from(Span::styled(part, theme::note())));
        }
        match r.answers.get(&idx) {
            Some(Some(c)) => {
                for part in wrap(&verdict(note, lang, *c), width) {
                    lines.push(Line::from(Span::raw(part)));
                }
                if let Some(e) = &note.explain {
                    for part in wrap(e.get(code), width) {
                        lines.push(Line::from(Span::styled(part, theme::why())));
                    }
                }
            }
            Some(None) => lines.push(Line::from(Span::styled(L::Skipped.s(lang), theme::dim()))),
            None => {}
        }
    }
    lines
}

/// "your answer: worker2 — right!" or "your answer: worker1 — not quite: the answer is worker2".
fn verdict(note: &Note, lang: Lang, chosen: usize) -> String {
    let code = lang.code();
    let pick = note.choices.get(chosen).map(|c| c.get(code).to_string()).unwrap_or_default();
    let you = L::YourAnswer.get(lang);
    let head = crate::explain::tr!(lang, "{you}: {pick}", "{you}：{pick}");
    match note.answer {
        Some(a) if a == chosen => format!("{head} — {}", L::Right.get(lang)),
        Some(a) => {
            let right = note.choices.get(a).map(|c| c.get(code).to_string()).unwrap_or_default();
            format!("{head} — {}", i18n::wrong_answer(lang, &right))
        }
        None => head,
    }
}

/// Lines the panel would like at this width.
pub fn height_needed(r: &Run, lang: Lang, width: u16) -> u16 {
    match latest(r) {
        Some(idx) => note_lines(r, lang, idx, width as usize).len().clamp(1, 4) as u16,
        None => 1,
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App, r: &Run) {
    let total = r.tl.scenario.notes.len();
    let mut title = vec![Span::raw(l(app, L::Notes))];
    let latest = latest(r);
    if let Some(idx) = latest {
        title.push(Span::styled(format!(" {}", i18n::note_counter(app.lang, idx as usize + 1, total)), theme::dim()));
    }
    let block = panel(title, false);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let lines = match latest {
        Some(idx) => note_lines(r, app.lang, idx, inner.width as usize),
        None => vec![Line::from(Span::styled(l(app, L::NoNote), theme::dim()))],
    };
    f.render_widget(Paragraph::new(lines), inner);
}

/// The question window.
pub fn render_quiz(f: &mut Frame, area: Rect, app: &App, r: &Run) {
    let Some(q) = r.quiz else { return };
    let Some(note) = r.tl.scenario.notes.get(q.note as usize) else { return };
    let lang = app.lang;
    let code = lang.code();
    let w = area.width.min(72);
    let inner_w = w.saturating_sub(4) as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(a) = &note.ask {
        for part in wrap(a.get(code), inner_w) {
            lines.push(Line::from(Span::styled(part, super::bold(Style::new()))));
        }
    }
    lines.push(Line::raw(""));
    // The class's votes, beside the choices, when the page takes them.
    let votes = r.votes.get(&q.note).cloned().or_else(|| app.share.as_ref().map(|_| vec![0; note.choices.len()]));
    let cw = note.choices.iter().map(|c| width(c.get(code))).max().unwrap_or(0).min(inner_w / 2);
    let most = votes.as_ref().and_then(|v| v.iter().max().copied()).unwrap_or(0).max(1);
    for (i, c) in note.choices.iter().enumerate() {
        let mut st = Style::new();
        let mut mark = "  ";
        if q.revealed() {
            if note.answer == Some(i) {
                st = theme::good().add_modifier(ratatui::style::Modifier::BOLD);
                mark = "✓ ";
            } else if q.chosen == Some(i) {
                st = theme::bad();
                mark = "✗ ";
            }
            if q.chosen == Some(i) {
                st = st.patch(theme::selected());
            }
        }
        let mut spans = vec![
            Span::raw(mark),
            Span::styled(format!("{}", i + 1), theme::key()),
            Span::raw(") "),
            Span::styled(pad(&ellipsize(c.get(code), cw.max(1)), cw), st),
        ];
        if let Some(v) = &votes {
            let n = v.get(i).copied().unwrap_or(0);
            let room = inner_w.saturating_sub(cw + 5 + 8).clamp(1, 24);
            let bar = (n as usize * room).div_ceil(most as usize);
            spans.push(Span::raw("  "));
            spans.push(Span::styled("█".repeat(bar), theme::hot()));
            spans.push(Span::styled(format!(" {n}"), super::bold(Style::new())));
        }
        lines.push(Line::from(spans));
    }
    if let (Some(v), Some(share)) = (&votes, &app.share) {
        let total: u32 = v.iter().sum();
        lines.push(Line::raw(""));
        let text = format!("{} · {}", i18n::vote_count(lang, total), i18n::share_line(lang, &share.addr, &share.code));
        for part in wrap(&text, inner_w) {
            lines.push(Line::from(Span::styled(part, theme::dim())));
        }
    }
    let hint = match q.chosen {
        None if !q.revealed() => format!("{} · {}", L::ChooseHint.s(lang), L::RevealHint.s(lang)),
        chosen => {
            lines.push(Line::raw(""));
            if let Some(c) = chosen {
                for part in wrap(&verdict(note, lang, c), inner_w) {
                    let st = if note.answer == Some(c) { theme::good() } else { theme::bad() };
                    lines.push(Line::from(Span::styled(part, super::bold(st))));
                }
            } else if let Some(a) = note.answer.and_then(|a| note.choices.get(a)) {
                let a = a.get(code);
                let right = crate::explain::tr!(lang, "the answer: {a}", "答案：{a}");
                lines.push(Line::from(Span::styled(right, super::bold(theme::good()))));
            }
            if let Some(e) = &note.explain {
                for part in wrap(e.get(code), inner_w) {
                    lines.push(Line::from(Span::styled(part, theme::why())));
                }
            }
            L::ContinueHint.s(lang)
        }
    };
    let h = lines.len() as u16 + 2;
    let rect = popup(area, w, h);
    super::clear(f, rect);
    let block = window(L::Question.s(lang), Some(hint));
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    f.render_widget(Paragraph::new(lines), Rect { x: inner.x + 1, width: inner.width.saturating_sub(1), ..inner });
}
