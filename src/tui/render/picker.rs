//! The scenario picker: the bundled scenarios with their titles, and the selected one's
//! description.

use super::{l, panel, theme, App};
use crate::tui::app::Picker;
use crate::tui::i18n::L;
use crate::tui::lessons;
use crate::tui::text::{ellipsize, pad, width, wrap};
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn render(f: &mut Frame, area: Rect, p: &Picker, app: &App) {
    let lang = app.lang;
    let code = lang.code();
    let header = Rect { height: 1, ..area };
    let status = Rect { y: area.bottom() - 1, height: 1, ..area };
    let bar = Style::new().bg(Color::Rgb(30, 34, 48)).fg(Color::White);
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(format!(" warren │ {}", l(app, L::Tagline)), super::bold(Style::new().fg(Color::Cyan)))))
            .style(bar),
        header,
    );
    let body = Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area };
    // The course: a heading per unit, then its lessons.
    let mut rows: Vec<(Option<usize>, Line)> = Vec::new();
    let nw = p.items.iter().map(|i| width(&i.name)).max().unwrap_or(0);
    for (i, item) in p.items.iter().enumerate() {
        if i == 0 || p.items[i - 1].unit != item.unit {
            let unit = lessons::COURSE.get(item.unit).map(|u| u.title(lang)).unwrap_or("");
            rows.push((None, Line::from(Span::styled(unit.to_string(), theme::title()))));
        }
        let title = match &item.scenario {
            Ok(s) => s.title(code),
            Err(_) => format!("({})", l(app, L::Invalid)),
        };
        let sel = i == p.selected;
        let mark = if sel { "▶ " } else { "  " };
        let st = if sel { theme::selected() } else { Style::new() };
        let text = format!("{mark}{}  {title}", pad(&item.name, nw));
        rows.push((Some(i), Line::from(Span::styled(text, st))));
    }
    let list_h = (rows.len() as u16 + 1).min(body.height * 3 / 5).max(2);
    let list = Rect { height: list_h, ..body };
    let desc = Rect { y: body.y + list_h, height: body.height - list_h, ..body };
    let block = panel(vec![Span::raw(l(app, L::Scenarios))], true);
    let inner = block.inner(list);
    f.render_widget(block, list);
    // Keep the selected scenario in view (with its unit's heading when it fits).
    let at = rows.iter().position(|(i, _)| *i == Some(p.selected)).unwrap_or(0);
    let skip = (at + 1).saturating_sub(inner.height as usize);
    let w = inner.width as usize;
    let lines: Vec<Line> = rows
        .into_iter()
        .skip(skip)
        .map(|(_, line)| {
            let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            let st = line.spans.first().map(|s| s.style).unwrap_or_default();
            Line::from(Span::styled(ellipsize(&text, w), st))
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
    if let Some(item) = p.items.get(p.selected) {
        let (title, text) = match &item.scenario {
            Ok(s) => (s.title(code), s.description(code)),
            Err(e) => (item.name.clone(), e.clone()),
        };
        let block = panel(vec![Span::raw(title)], false);
        let inner = block.inner(desc);
        f.render_widget(block, desc);
        let inner = Rect { x: inner.x + 1, width: inner.width.saturating_sub(2), ..inner };
        let mut lines = Vec::new();
        for para in unwrap(&text).split('\n') {
            for part in wrap(para, inner.width as usize) {
                lines.push(Line::raw(part));
            }
        }
        f.render_widget(Paragraph::new(lines), inner);
    }
    let line = match &app.flash {
        Some(msg) => Line::from(Span::styled(format!(" {}", ellipsize(msg, area.width as usize - 1)), theme::hot())),
        None => Line::from(Span::raw(format!(" {}", l(app, L::PickerHint)))),
    };
    f.render_widget(Paragraph::new(line).style(bar), status);
}

/// Joins the hard-wrapped lines of a YAML block into paragraphs (blank lines separate
/// them): a space between words, nothing between CJK characters.
fn unwrap(text: &str) -> String {
    let mut out = String::new();
    for line in text.trim_end().lines() {
        let line = line.trim();
        if line.is_empty() {
            out.push('\n');
            continue;
        }
        let joins_wide = out.chars().last().is_some_and(|c| crate::tui::text::char_width(c) >= 2)
            || line.chars().next().is_some_and(|c| crate::tui::text::char_width(c) >= 2);
        if !out.is_empty() && !out.ends_with('\n') && !joins_wide {
            out.push(' ');
        }
        out.push_str(line);
    }
    out
}
