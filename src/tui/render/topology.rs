//! The topology: producers → exchanges → (binding keys) → queues → consumers, one exchange
//! after another, with each queue's ready|unacked counts and each consumer's in-flight
//! count against its prefetch. What the latest event touched is highlighted; the selected
//! actor (the target of fault keys) is shown reversed.

use super::{l, panel, theme, App};
use crate::broker::exchange::{Dest, Matcher};
use crate::explain::Ctx;
use crate::ids::{ClientId, QueueId};
use crate::tui::app::{Focus, Run};
use crate::tui::i18n::L;
use crate::tui::model::{self, ConsumerLine, Diagram, Hot};
use crate::tui::text::{ellipsize, width};
use crate::world::World;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

const COLS: usize = 8;

/// One styled piece of a cell.
type Seg = (String, Style);

#[derive(Clone, Debug, Default)]
struct Row {
    cells: [Vec<Seg>; COLS],
    /// What pads a cell to its column's width (a line continues a route); default spaces.
    fill: [Option<(char, Style)>; COLS],
    /// The clients named on this row (to keep the selected one in view).
    clients: Vec<ClientId>,
}

/// How much to squeeze: 0 is the most readable.
#[derive(Copy, Clone)]
struct Density {
    name_max: usize,
    key_max: usize,
    kinds: bool,
    words: bool,
}

const DENSITIES: [Density; 4] = [
    Density { name_max: 22, key_max: 22, kinds: true, words: true },
    Density { name_max: 16, key_max: 14, kinds: true, words: false },
    Density { name_max: 12, key_max: 10, kinds: false, words: false },
    Density { name_max: 10, key_max: 8, kinds: false, words: false },
];

/// Rows of the diagram (without the legend).
fn row_count(world: &World) -> usize {
    let d = model::diagram(world);
    let mut n = 0;
    for g in &d.groups {
        let route_rows: usize = g
            .routes
            .iter()
            .map(|r| match r.dest {
                Dest::Queue(q) if r.first => model::consumers_of(world, q).len().max(1),
                _ => 1,
            })
            .sum();
        n += route_rows.max(g.publishers.len()).max(1);
    }
    for q in &d.orphans {
        n += model::consumers_of(world, *q).len().max(1);
    }
    n
}

/// Lines the panel would like (diagram and legend).
pub fn height_needed(r: &Run) -> u16 {
    (row_count(&r.tl.world).max(1) + 1) as u16
}

pub fn render(f: &mut Frame, area: Rect, app: &App, r: &Run) {
    let world = &r.tl.world;
    let lang = app.lang;
    let up = world.broker.up;
    let broker_style = {
        let s = if up { theme::good() } else { theme::bad() };
        if r.actor == 0 {
            s.patch(theme::selected())
        } else {
            s
        }
    };
    let title = vec![
        Span::raw(l(app, L::Topology)),
        Span::raw(" · "),
        Span::styled(format!("{} {}", l(app, L::Broker), if up { l(app, L::BrokerUp) } else { l(app, L::BrokerDown) }), broker_style),
    ];
    let block = panel(title, super::is_focused(r, Focus::Topology));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let diagram = model::diagram(world);
    let hot = Hot::of(world, &r.tl.records()[r.tl.last_group()]);
    let cx = Ctx::new(world, &r.tl.scenario.notes, lang);
    let mut rows = Vec::new();
    for d in DENSITIES {
        rows = build(&cx, &diagram, &hot, r, d);
        if total_width(&rows) <= inner.width as usize {
            break;
        }
    }
    let mut lines: Vec<Line> =
        if rows.is_empty() { vec![Line::from(Span::styled(l(app, L::NothingYet), theme::dim()))] } else { to_lines(&rows) };
    // Keep the selected actor in view.
    let h = inner.height as usize;
    let mut skip = 0;
    if lines.len() > h {
        if let Some(c) = r.selected_client() {
            if let Some(i) = rows.iter().position(|row| row.clients.contains(&c)) {
                if i >= h {
                    skip = (i + 1 - h).min(lines.len() - h);
                }
            }
        }
    }
    lines.drain(..skip);
    if lines.len() < h {
        lines.push(Line::from(Span::styled(l(app, L::TopologyLegend), theme::dim())));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn total_width(rows: &[Row]) -> usize {
    col_widths(rows).iter().sum()
}

fn col_widths(rows: &[Row]) -> [usize; COLS] {
    let mut w = [0; COLS];
    for row in rows {
        for (i, cell) in row.cells.iter().enumerate() {
            let cw: usize = cell.iter().map(|(s, _)| width(s)).sum();
            w[i] = w[i].max(cw);
        }
    }
    w
}

fn to_lines(rows: &[Row]) -> Vec<Line<'static>> {
    let w = col_widths(rows);
    rows.iter()
        .map(|row| {
            let mut spans = Vec::new();
            for (i, cell) in row.cells.iter().enumerate() {
                let cw: usize = cell.iter().map(|(s, _)| width(s)).sum();
                for (s, st) in cell {
                    spans.push(Span::styled(s.clone(), *st));
                }
                if i + 1 < COLS && w[i] > cw {
                    match row.fill[i] {
                        Some((c, st)) => spans.push(Span::styled(c.to_string().repeat(w[i] - cw), st)),
                        None => spans.push(Span::raw(" ".repeat(w[i] - cw))),
                    }
                }
            }
            // Trailing spaces are noise.
            while spans.last().is_some_and(|s| s.content.trim().is_empty()) {
                spans.pop();
            }
            Line::from(spans)
        })
        .collect()
}

fn hot_if(b: bool) -> Style {
    if b {
        theme::hot()
    } else {
        theme::dim()
    }
}

/// A client's name, styled by its state, with a mark when it is not connected.
fn client_segs(cx: &Ctx, r: &Run, hot: &Hot, c: ClientId, d: Density) -> Vec<Seg> {
    let world = cx.world;
    let name = ellipsize(world.client_name(c), d.name_max);
    let mut st = if hot.clients.contains(&c) { theme::hot() } else { Style::new() };
    let status = model::status_label(world, c);
    let bad = !matches!(status, L::Connected);
    if bad {
        st = st.patch(theme::bad());
    }
    if r.selected_client() == Some(c) {
        st = st.patch(theme::selected());
    }
    let mut out = vec![(name, st)];
    if bad {
        let mark = match status {
            L::NotStarted => "○",
            L::Disconnected | L::LinkCut => "⇣",
            _ => "✗",
        };
        let text = if d.words { format!(" {mark} {}", status.get(cx.lang)) } else { format!(" {mark}") };
        out.push((text, theme::bad()));
    }
    out
}

fn queue_segs(cx: &Ctx, hot: &Hot, q: QueueId, first: bool, d: Density) -> Vec<Seg> {
    let world = cx.world;
    let name = ellipsize(&cx.queue(q), d.name_max);
    let st = if hot.queues.contains(&q) { theme::hot() } else { Style::new().add_modifier(ratatui::style::Modifier::BOLD) };
    if !first {
        return vec![(name, st), (" ↑".into(), theme::dim())];
    }
    let (ready, unacked) = world.broker.queue(q).map(|x| (x.ready.len(), x.unacked)).unwrap_or((0, 0));
    let rs = if ready > 0 { theme::hot().remove_modifier(ratatui::style::Modifier::BOLD) } else { theme::dim() };
    let us = if unacked > 0 { Style::new().fg(ratatui::style::Color::LightBlue) } else { theme::dim() };
    vec![(name, st), (" ".into(), Style::new()), (ready.to_string(), rs), ("|".into(), theme::dim()), (unacked.to_string(), us)]
}

fn consumer_segs(cx: &Ctx, r: &Run, hot: &Hot, line: ConsumerLine, d: Density) -> Vec<Seg> {
    let world = cx.world;
    let mut out = client_segs(cx, r, hot, line.client, d);
    if let Some(id) = line.consumer {
        let c = world.broker.consumer(id);
        let text = if c.no_ack {
            format!(" {}", L::AutoShort.get(cx.lang))
        } else {
            let p = if c.prefetch == 0 { "∞".to_string() } else { c.prefetch.to_string() };
            format!(" {}/{p}", c.unacked)
        };
        let full = !c.no_ack && c.prefetch > 0 && c.unacked >= c.prefetch;
        out.push((text, if full { theme::hot() } else { theme::dim() }));
    }
    out
}

fn build(cx: &Ctx, diagram: &Diagram, hot: &Hot, r: &Run, d: Density) -> Vec<Row> {
    let world = cx.world;
    let b = &world.broker;
    let mut rows: Vec<Row> = Vec::new();
    for g in &diagram.groups {
        let x_hot = hot.exchanges.contains(&g.exchange);
        // Route rows: each route takes one row per consumer of its queue (at least one).
        let mut route_rows: Vec<Row> = Vec::new();
        let m = g.routes.len();
        for (j, route) in g.routes.iter().enumerate() {
            let (key, route_hot) = match route.binding {
                Some(id) => {
                    let bd = b.binding(id);
                    let key = match &bd.matcher {
                        Matcher::All => String::new(),
                        Matcher::Headers(h) => {
                            let args: Vec<String> = h.args.iter().map(|(k, v)| format!("{}={}", world.names.get(*k), v.show())).collect();
                            format!("{} {}", h.mode.as_str(), args.join(","))
                        }
                        _ => format!("`{}`", world.names.get(bd.key)),
                    };
                    (key, hot.bindings.contains(&id))
                }
                None => {
                    // The default exchange's key is the queue's name: no need to say it twice.
                    let q = match route.dest {
                        Dest::Queue(q) => q,
                        Dest::Exchange(_) => QueueId(u32::MAX),
                    };
                    (String::new(), hot.default_routes.contains(&q))
                }
            };
            let key = ellipsize(&key, d.key_max);
            let cons: Vec<ConsumerLine> = match route.dest {
                Dest::Queue(q) if route.first => model::consumers_of(world, q),
                _ => Vec::new(),
            };
            let n = cons.len().max(1);
            for k in 0..n {
                let mut row = Row::default();
                let last_route = j + 1 == m;
                let conn = match (k, m, j) {
                    (0, 1, _) => "──",
                    (0, _, 0) => "┬─",
                    (0, _, _) if last_route => "└─",
                    (0, _, _) => "├─",
                    (_, _, _) if last_route => "  ",
                    _ => "│ ",
                };
                row.cells[3] = vec![(conn.into(), hot_if(route_hot))];
                if k == 0 {
                    // `─ key ───▶ queue`: the line runs on to the queue column, so arrows align.
                    let kst = if route_hot { theme::hot() } else { theme::dim() };
                    row.cells[4] = if key.is_empty() { Vec::new() } else { vec![(format!(" {key} "), kst)] };
                    row.fill[4] = Some(('─', hot_if(route_hot)));
                    let mut dest = vec![("─▶ ".to_string(), hot_if(route_hot))];
                    dest.extend(match route.dest {
                        Dest::Queue(q) => queue_segs(cx, hot, q, route.first, d),
                        Dest::Exchange(x) => vec![(format!("⇒ {}", ellipsize(&cx.exchange(x), d.name_max)), Style::new())],
                    });
                    row.cells[5] = dest;
                }
                if let Some(line) = cons.get(k) {
                    let q_hot = matches!(route.dest, Dest::Queue(q) if hot.queues.contains(&q));
                    let c_hot = q_hot && hot.clients.contains(&line.client);
                    let conn = match (k, cons.len()) {
                        (0, 1) => " ──▶ ",
                        (0, _) => " ─┬▶ ",
                        (k, n) if k + 1 == n => "  └▶ ",
                        _ => "  ├▶ ",
                    };
                    row.cells[6] = vec![(conn.into(), hot_if(c_hot))];
                    row.cells[7] = consumer_segs(cx, r, hot, *line, d);
                    row.clients.push(line.client);
                }
                route_rows.push(row);
            }
        }
        let height = route_rows.len().max(g.publishers.len()).max(1);
        route_rows.resize_with(height, Row::default);
        // Publishers and the exchange on the left.
        let np = g.publishers.len();
        for (i, row) in route_rows.iter_mut().enumerate() {
            if let Some(&p) = g.publishers.get(i) {
                let mut segs = client_segs(cx, r, hot, p, d);
                segs.insert(0, (String::new(), Style::new()));
                row.cells[0] = segs;
                let conn = match (i, np) {
                    (0, 1) => " ──▶ ",
                    (0, _) => " ─┬▶ ",
                    (i, n) if i + 1 == n => " ─┘  ",
                    _ => " ─┤  ",
                };
                row.cells[1] = vec![(conn.into(), hot_if(hot.clients.contains(&p) && x_hot))];
                row.clients.push(p);
            }
            if i == 0 {
                let name = ellipsize(&cx.exchange(g.exchange), d.name_max);
                let st = if x_hot { theme::hot() } else { Style::new().fg(ratatui::style::Color::Cyan) };
                let mut segs = vec![(name, st)];
                if d.kinds && g.exchange != crate::tui::model::DEFAULT_EXCHANGE {
                    let kind = b.exchange(g.exchange).map(|x| x.kind.as_str()).unwrap_or("?");
                    segs.push((format!(" ({kind})"), theme::dim()));
                }
                segs.push((" ".into(), Style::new()));
                if g.routes.is_empty() {
                    segs.push(("✕".into(), theme::dim()));
                }
                row.cells[2] = segs;
            }
        }
        rows.extend(route_rows);
    }
    for &q in &diagram.orphans {
        let cons = model::consumers_of(world, q);
        let n = cons.len().max(1);
        for k in 0..n {
            let mut row = Row::default();
            if k == 0 {
                let mut segs = vec![("   ".to_string(), Style::new())];
                segs.extend(queue_segs(cx, hot, q, true, d));
                row.cells[5] = segs;
            }
            if let Some(line) = cons.get(k) {
                let conn = match (k, cons.len()) {
                    (0, 1) => " ──▶ ",
                    (0, _) => " ─┬▶ ",
                    (k, n) if k + 1 == n => "  └▶ ",
                    _ => "  ├▶ ",
                };
                row.cells[6] = vec![(conn.into(), theme::dim())];
                row.cells[7] = consumer_segs(cx, r, hot, *line, d);
                row.clients.push(line.client);
            }
            rows.push(row);
        }
    }
    rows
}
