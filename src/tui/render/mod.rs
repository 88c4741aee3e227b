//! Drawing: one function per panel, each a function of the state. [`draw`] lays them out
//! for the terminal's size: a stack on small terminals (80×24 shows everything), two
//! columns on large ones.

pub mod error;
pub mod help;
pub mod inspector;
pub mod log;
pub mod notes;
pub mod picker;
pub mod queues;
pub mod status;
pub mod topology;

use super::app::{App, Focus, Run, Screen};
use super::i18n::{self, L};
use crate::explain::Lang;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// Below this size the TUI shows only a "too small" message.
pub const MIN_WIDTH: u16 = 50;
pub const MIN_HEIGHT: u16 = 14;
/// From this size on, the log gets its own column.
pub const WIDE_WIDTH: u16 = 130;
pub const WIDE_HEIGHT: u16 = 32;

/// Colours and emphasis, in one place.
pub mod theme {
    use ratatui::style::{Color, Modifier, Style};
    pub fn title() -> Style {
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn title_focused() -> Style {
        Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn border() -> Style {
        Style::new().fg(Color::DarkGray)
    }
    pub fn dim() -> Style {
        Style::new().fg(Color::DarkGray)
    }
    pub fn hot() -> Style {
        Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    pub fn selected() -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn bad() -> Style {
        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn good() -> Style {
        Style::new().fg(Color::Green)
    }
    pub fn note() -> Style {
        Style::new().fg(Color::Magenta)
    }
    pub fn key() -> Style {
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn why() -> Style {
        Style::new().fg(Color::Gray).add_modifier(Modifier::ITALIC)
    }
}

/// Draws the whole screen.
pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(f, area, app.lang);
        return;
    }
    match &app.screen {
        Screen::Picker(p) => picker::render(f, area, p, app),
        Screen::Run(r) => run(f, area, app, r),
    }
    if app.help {
        help::render(f, area, app);
    }
    if app.mono {
        monochrome(f);
    }
}

/// `NO_COLOR`: every colour goes; what had a background is drawn reversed instead, so bars
/// and focused titles still stand out. Meaning is carried by symbols and emphasis anyway.
fn monochrome(f: &mut Frame) {
    for cell in f.buffer_mut().content.iter_mut() {
        if cell.bg != Color::Reset {
            cell.modifier.insert(Modifier::REVERSED);
        }
        cell.fg = Color::Reset;
        cell.bg = Color::Reset;
    }
}

fn too_small(f: &mut Frame, area: Rect, lang: Lang) {
    let text = i18n::too_small(lang, area.width, area.height, MIN_WIDTH, MIN_HEIGHT);
    let p = Paragraph::new(text).wrap(Wrap { trim: true }).style(Style::new().fg(Color::Yellow));
    f.render_widget(Clear, area);
    f.render_widget(p, area);
}

/// The rectangles of the run screen.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RunLayout {
    pub header: Rect,
    /// The docked message inspector (large terminals only).
    pub detail: Option<Rect>,
    pub topology: Rect,
    pub messages: Rect,
    pub log: Rect,
    pub notes: Rect,
    pub status: Rect,
}

/// Lays out the run screen. Each panel gets what its content needs, within limits, and
/// the log takes the rest.
pub fn layout(area: Rect, r: &Run, lang: Lang) -> RunLayout {
    let header = Rect { height: 1, ..area };
    let status = Rect { y: area.bottom().saturating_sub(1), height: 1, ..area };
    let body = Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area };
    let topo_need = topology::height_needed(r) + 1;
    let msg_need = queues::height_needed(r) + 1;
    if area.width >= WIDE_WIDTH && area.height >= WIDE_HEIGHT {
        let left_w = area.width * 11 / 20;
        let notes_need = notes::height_needed(r, lang, left_w) + 1;
        let left = Rect { width: left_w, ..body };
        let right = Rect { x: body.x + left_w + 1, width: body.width - left_w - 1, ..body };
        let h = left.height;
        let notes_h = notes_need.clamp(3, h / 4);
        let topo_h = topo_need.clamp(3, (h - notes_h) * 2 / 5);
        let msg_h = msg_need.clamp(3, (h - notes_h - topo_h) / 2);
        let detail_h = h - notes_h - topo_h - msg_h;
        let topology = Rect { height: topo_h, ..left };
        let messages = Rect { y: left.y + topo_h, height: msg_h, ..left };
        let detail = Rect { y: left.y + topo_h + msg_h, height: detail_h, ..left };
        let notes = Rect { y: left.y + topo_h + msg_h + detail_h, height: notes_h, ..left };
        return RunLayout { header, detail: Some(detail), topology, messages, log: right, notes, status };
    }
    let h = body.height;
    let notes_need = notes::height_needed(r, lang, area.width) + 1;
    let notes_h = notes_need.clamp(2, (h / 5).max(2));
    let topo_h = topo_need.clamp(2, (h * 2 / 5).max(2));
    let msg_h = msg_need.clamp(2, (h / 4).max(2));
    let log_h = h.saturating_sub(notes_h + topo_h + msg_h);
    let mut y = body.y;
    let mut take = |height: u16| {
        let r = Rect { y, height, ..body };
        y += height;
        r
    };
    let topology = take(topo_h);
    let messages = take(msg_h);
    let log = take(log_h);
    let notes = take(notes_h);
    RunLayout { header, detail: None, topology, messages, log, notes, status }
}

fn run(f: &mut Frame, area: Rect, app: &App, r: &Run) {
    let lay = layout(area, r, app.lang);
    status::header(f, lay.header, app, r);
    topology::render(f, lay.topology, app, r);
    queues::render(f, lay.messages, app, r);
    log::render(f, lay.log, app, r);
    notes::render(f, lay.notes, app, r);
    if let Some(d) = lay.detail {
        inspector::render_docked(f, d, app, r);
    }
    status::status_bar(f, lay.status, app, r);
    error::render(f, area, app, r);
    if r.inspector.is_some() {
        inspector::render(f, area, app, r);
    }
    if r.quiz.is_some() {
        notes::render_quiz(f, area, app, r);
    }
}

/// A panel: a top rule with the title on it (highlighted when focused).
pub fn panel<'a>(title: Vec<Span<'a>>, focused: bool) -> Block<'a> {
    let style = if focused { theme::title_focused() } else { theme::title() };
    let mut spans = vec![Span::styled(" ", style)];
    for s in title {
        let st = s.style;
        spans.push(Span::styled(s.content, style.patch(st)));
    }
    spans.push(Span::styled(" ", style));
    Block::new().borders(Borders::TOP).border_style(theme::border()).title(Line::from(spans))
}

/// The focused panel's title style decision.
pub fn is_focused(r: &Run, f: Focus) -> bool {
    r.focus == f && r.inspector.is_none()
}

/// A centred window of at most `w`×`h` inside `area`.
pub fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2)).max(10.min(area.width));
    let h = h.min(area.height.saturating_sub(2)).max(3.min(area.height));
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// Clears a window's area, one column wider on each side: a wide (CJK) character cut in
/// half by the window's edge would otherwise leave half of itself over the border.
pub fn clear(f: &mut Frame, rect: Rect) {
    let area = f.area();
    let x = rect.x.saturating_sub(1).max(area.x);
    let right = (rect.right() + 1).min(area.right());
    f.render_widget(Clear, Rect { x, width: right - x, ..rect });
}

/// A bordered window with a title.
pub fn window<'a>(title: String, hint: Option<String>) -> Block<'a> {
    let mut b =
        Block::bordered().border_style(Style::new().fg(Color::Cyan)).title(Line::from(Span::styled(format!(" {title} "), theme::title())));
    if let Some(h) = hint {
        b = b.title_bottom(Line::from(Span::styled(format!(" {h} "), theme::dim())).right_aligned());
    }
    b
}

/// A label in the current language.
pub fn l(app: &App, label: L) -> &'static str {
    label.get(app.lang)
}

/// A short clock: `0.300s`, or with microseconds when needed.
pub fn clock(t: crate::sim::Time) -> String {
    let us = t.as_us();
    if t.is_never() {
        return "∞".into();
    }
    let s = us / 1_000_000;
    let frac = us % 1_000_000;
    if frac % 1_000 == 0 {
        format!("{s}.{:03}s", frac / 1_000)
    } else {
        format!("{s}.{frac:06}s")
    }
}

/// Emphasis shared by several panels.
pub fn bold(s: Style) -> Style {
    s.add_modifier(Modifier::BOLD)
}
