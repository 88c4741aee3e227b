//! The help window: every key, generated from the key tables, by section.

use super::{popup, theme, window, App};
use crate::tui::action::{key_name, Binding, Section, EXTRA_HELP, PICKER_KEYS, RUN_KEYS};
use crate::tui::app::Screen;
use crate::tui::i18n::L;
use crate::tui::text::{pad, width, wrap};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The help's rows: (section, keys, what they do); keys sharing a text are listed together.
fn rows(app: &App) -> Vec<(Section, String, L)> {
    let table: &[Binding] = match app.screen {
        Screen::Picker(_) => PICKER_KEYS,
        Screen::Run(_) => RUN_KEYS,
    };
    let mut rows: Vec<(Section, String, L)> = Vec::new();
    for b in table {
        let keys: Vec<String> = b.keys.iter().map(|k| key_name(*k)).collect();
        let keys = keys.join(" ");
        match rows.iter_mut().find(|(s, _, h)| *s == b.section && *h == b.help) {
            Some(row) => {
                row.1.push(' ');
                row.1.push_str(&keys);
            }
            None => rows.push((b.section, keys, b.help)),
        }
    }
    if matches!(app.screen, Screen::Run(_)) {
        for (k, h, s) in EXTRA_HELP {
            rows.push((*s, k.to_string(), *h));
        }
    }
    rows
}

/// One section: its heading, then a line per row, the text wrapped to `w` columns.
fn section(app: &App, rows: &[(Section, String, L)], s: Section, kw: usize, w: usize) -> Vec<Line<'static>> {
    let mine: Vec<_> = rows.iter().filter(|(x, _, _)| *x == s).collect();
    if mine.is_empty() {
        return Vec::new();
    }
    let mut out = vec![Line::from(Span::styled(s.label().get(app.lang).to_string(), theme::title()))];
    let text_w = w.saturating_sub(kw + 4).max(10);
    for (_, k, h) in mine {
        for (i, part) in wrap(h.get(app.lang), text_w).into_iter().enumerate() {
            let keys = if i == 0 { pad(k, kw) } else { " ".repeat(kw) };
            out.push(Line::from(vec![Span::raw("  "), Span::styled(keys, theme::key()), Span::raw("  "), Span::raw(part)]));
        }
    }
    out
}

/// The help's columns for a window of at most `max_w`×`max_h`: one column if it fits,
/// else two.
pub fn columns(app: &App, max_w: usize, max_h: usize) -> Vec<Vec<Line<'static>>> {
    let rows = rows(app);
    let join = |secs: &[Section], w: usize| {
        let kw = rows.iter().filter(|(s, _, _)| secs.contains(s)).map(|(_, k, _)| width(k)).max().unwrap_or(0);
        let mut out: Vec<Line<'static>> = Vec::new();
        for s in secs {
            let lines = section(app, &rows, *s, kw, w);
            if lines.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push(Line::raw(""));
            }
            out.extend(lines);
        }
        out
    };
    let one = join(&Section::ALL, max_w);
    if one.len() <= max_h || max_w < 60 {
        return vec![one];
    }
    // Two columns: the split of the sections (in order) with the shortest taller column.
    let half = (max_w - 2) / 2;
    let all = Section::ALL;
    (1..all.len())
        .map(|k| vec![join(&all[..k], half), join(&all[k..], half)])
        .min_by_key(|cols| cols.iter().map(|c| c.len()).max().unwrap_or(0))
        .unwrap_or_default()
}

/// Every help line in one column (for tests and narrow terminals).
pub fn lines(app: &App) -> Vec<Line<'static>> {
    columns(app, usize::MAX / 4, usize::MAX).remove(0)
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let max_w = area.width.saturating_sub(6) as usize;
    let max_h = area.height.saturating_sub(2) as usize;
    let cols = columns(app, max_w.min(100), max_h);
    let widths: Vec<u16> = cols.iter().map(|c| c.iter().map(|l| l.width()).max().unwrap_or(10) as u16).collect();
    let w = widths.iter().sum::<u16>() + 2 * (cols.len() as u16 - 1) + 4;
    let h = cols.iter().map(|c| c.len()).max().unwrap_or(1) as u16 + 2;
    // The help may cover the whole height: it is read, then closed.
    let rect = Rect { height: h.min(area.height), y: area.y + area.height.saturating_sub(h) / 2, ..popup(area, w, h) };
    super::clear(f, rect);
    let block = window(L::Help.s(app.lang), Some(L::HelpClose.s(app.lang)));
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    let mut x = inner.x + 1;
    for (col, cw) in cols.into_iter().zip(widths) {
        let r = Rect { x, width: cw.min(inner.right().saturating_sub(x)), ..inner };
        f.render_widget(Paragraph::new(col), r);
        x += cw + 2;
    }
}
