//! The scenario-error panel: the edited file did not load. Its errors (file:line:col) stay
//! on screen, over the lower panels, until the file is saved without them; the previous run
//! goes on underneath.

use super::{l, theme, App};
use crate::tui::app::Run;
use crate::tui::i18n::L;
use crate::tui::text::wrap;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

/// The panel's rectangle: the bottom of `area`, as tall as the errors need (at most half).
pub fn area_for(area: Rect, r: &Run) -> Option<Rect> {
    let e = r.reload_error.as_ref()?;
    let w = area.width.saturating_sub(4).max(10) as usize;
    let lines: usize = e.lines().map(|l| wrap(l, w).len()).sum();
    let h = (lines as u16 + 2).min(area.height / 2).max(3);
    Some(Rect { y: area.bottom().saturating_sub(h + 1), height: h, ..area })
}

pub fn render(f: &mut Frame, area: Rect, app: &App, r: &Run) {
    let (Some(e), Some(rect)) = (&r.reload_error, area_for(area, r)) else { return };
    super::clear(f, rect);
    let block = Block::bordered()
        .border_style(theme::bad())
        .title(Line::from(Span::styled(format!(" ✗ {} ", l(app, L::ReloadError)), theme::bad())));
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    let mut lines = Vec::new();
    for line in e.lines() {
        for part in wrap(line, inner.width.saturating_sub(1) as usize) {
            lines.push(Line::from(Span::styled(part, Style::new())));
        }
    }
    f.render_widget(Paragraph::new(lines), Rect { x: inner.x + 1, width: inner.width.saturating_sub(1), ..inner });
}
