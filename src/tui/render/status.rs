//! The header (scenario, play state, clock, events, seed) and the status line (the keys
//! that matter now, a message after an action, or the time prompt).

use super::{clock, l, theme, App};
use crate::tui::app::Run;
use crate::tui::i18n::{self, L};
use crate::tui::text::{ellipsize, width};
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

fn bar() -> Style {
    Style::new().bg(Color::Rgb(30, 34, 48)).fg(Color::White)
}

pub fn speed_text(app: &App, r: &Run) -> String {
    let s = r.speed_per_sec();
    let n = if s < 1.0 { format!("{s}") } else { format!("{}", s as u64) };
    i18n::speed(app.lang, &n)
}

pub fn header(f: &mut Frame, area: Rect, app: &App, r: &Run) {
    let sc = r.scenario();
    let (state, st) = if r.pending.is_some() {
        (l(app, L::Running).to_string(), theme::hot())
    } else if r.tl.is_finished() {
        (format!("■ {}", l(app, L::Finished)), Style::new().fg(Color::LightRed))
    } else if r.playing {
        (format!("▶ {}", speed_text(app, r)), theme::good())
    } else {
        (format!("⏸ {}", l(app, L::Paused)), Style::new().fg(Color::Gray))
    };
    let mut right = Vec::new();
    if let Some(share) = &app.share {
        right.push(Span::styled(format!("⇄ {} {}", l(app, L::JoinCode), share.code), super::bold(Style::new().fg(Color::Yellow))));
        right.push(Span::styled(" │ ", theme::dim()));
    }
    right.extend([
        Span::styled(state, st),
        Span::styled(" │ ", theme::dim()),
        Span::styled(format!("t {}", clock(r.tl.world.now())), super::bold(Style::new().fg(Color::White))),
        Span::styled(" │ ", theme::dim()),
        Span::raw(format!("{} {} ", l(app, L::Seed), sc.seed)),
    ]);
    let rw: usize = right.iter().map(|s| s.width()).sum();
    let total = area.width as usize;
    let left_text = format!(" warren │ {}: {}", sc.name, sc.title(app.lang.code()));
    let left_w = total.saturating_sub(rw + 1);
    let left = ellipsize(&left_text, left_w);
    let gap = total.saturating_sub(width(&left) + rw);
    let mut spans = vec![Span::styled(left, super::bold(Style::new().fg(Color::Cyan))), Span::raw(" ".repeat(gap))];
    spans.extend(right);
    f.render_widget(Paragraph::new(Line::from(spans)).style(bar()), area);
}

/// The key hints for the run screen, most useful first.
fn hints(app: &App, r: &Run) -> Vec<(String, String)> {
    let lang = app.lang;
    let h = |k: &str, lbl: L| (k.to_string(), lbl.get(lang).to_string());
    if r.inspector.is_some() {
        return vec![h("↑↓", L::SScroll), h("Esc", L::SClose), h("→", L::SStep), h("←", L::SBack), h("L", L::SLang)];
    }
    let mut v = vec![h("→", L::SStep), h("←", L::SBack), h("␣", if r.playing { L::SPause } else { L::SPlay })];
    let target = match r.selected_client() {
        Some(c) => r.tl.world.client_name(c).to_string(),
        None => l(app, L::Broker).to_string(),
    };
    v.push((String::new(), format!("[{target}]")));
    v.push(h("x", L::SCrash));
    v.push(h("u", L::SUp));
    if let Some(c) = r.selected_client() {
        v.push(h("c", if r.tl.is_cut(c) { L::SHeal } else { L::SCut }));
    }
    if r.focus == crate::tui::app::Focus::Topology {
        v.push(h("↑↓", L::SSelect));
    }
    v.push(h("n", L::SNote));
    v.push(h("e", L::SEnd));
    v.push(h("t", L::STime));
    v.push(h("Tab", L::SPanel));
    v.push(h("Enter", L::SInspect));
    v.push(h("L", L::SLang));
    v.push(h("q", L::SQuit));
    v
}

/// Lays hint pairs out left to right while they fit, with `? help` always at the right.
pub fn hint_line(app: &App, pairs: &[(String, String)], total: usize) -> Line<'static> {
    let help = vec![Span::styled("?", theme::key()), Span::raw(format!(" {} ", l(app, L::SHelp)))];
    let hw: usize = help.iter().map(|s| s.width()).sum();
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (k, label) in pairs {
        let piece = if k.is_empty() {
            vec![Span::styled(label.clone(), theme::hot())]
        } else {
            vec![Span::styled(k.clone(), theme::key()), Span::raw(format!(" {label}"))]
        };
        let w: usize = piece.iter().map(|s| s.width()).sum::<usize>() + 2;
        if used + w + hw > total {
            continue;
        }
        spans.extend(piece);
        spans.push(Span::raw("  "));
        used += w;
    }
    spans.push(Span::raw(" ".repeat(total.saturating_sub(used + hw))));
    spans.extend(help);
    Line::from(spans)
}

pub fn status_bar(f: &mut Frame, area: Rect, app: &App, r: &Run) {
    let total = area.width as usize;
    let line = if let Some(text) = &r.prompt {
        Line::from(vec![
            Span::styled(format!(" {}: ", l(app, L::RunToTime)), theme::hot()),
            Span::styled(format!("{text}█"), Style::new().fg(Color::White)),
            Span::styled(format!("   {}", l(app, L::PromptHint)), theme::dim()),
        ])
    } else if let Some(msg) = &app.flash {
        let help = format!("? {} ", l(app, L::SHelp));
        let msg = format!(" {}", ellipsize(msg, total.saturating_sub(width(&help) + 2)));
        let gap = total.saturating_sub(width(&msg) + width(&help));
        Line::from(vec![
            Span::styled(msg, theme::hot()),
            Span::raw(" ".repeat(gap)),
            Span::styled("?", theme::key()),
            Span::raw(format!(" {} ", l(app, L::SHelp))),
        ])
    } else {
        hint_line(app, &hints(app, r), total)
    };
    f.render_widget(Paragraph::new(line).style(bar()), area);
}
