//! The topology: producers → exchanges → (binding keys) → queues → consumers, one exchange
//! after another, with each queue's ready|unacked counts and each consumer's in-flight
//! count against its prefetch. What the latest event touched is highlighted; the selected
//! actor (the target of fault keys) is shown reversed.

use super::{l, panel, theme, App};
use crate::explain::Ctx;
use crate::ids::ClientId;
use crate::tui::app::{Focus, Run};
use crate::tui::i18n::L;
use crate::tui::model::{self, ConsumerLine, Hot};
use crate::tui::text::{ellipsize, width};
use crate::tui::topo::{TDest, TGroup, TQueue, TRoute, Topo};
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
fn row_count(t: &Topo) -> usize {
    let mut n = 0;
    for g in &t.groups {
        let route_rows: usize = g
            .routes
            .iter()
            .map(|r| match &r.dest {
                TDest::Queue(q) if r.first => t.queue(q).map(|q| q.consumers.len()).unwrap_or(0).max(1),
                _ => 1,
            })
            .sum();
        n += route_rows.max(g.publishers.len()).max(1);
    }
    for q in &t.orphans {
        n += t.queue(q).map(|q| q.consumers.len()).unwrap_or(0).max(1);
    }
    n
}

/// Lines the panel would like (diagram and legend).
pub fn height_needed(r: &Run) -> u16 {
    (row_count(&r.topo()).max(1) + 1) as u16
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
    let topo = r.topo();
    let hot = Hot::of(world, &r.tl.records()[r.tl.last_group()]);
    let cx = Ctx::new(world, &r.tl.scenario.notes, lang);
    let mut rows = Vec::new();
    for d in DENSITIES {
        rows = build(&cx, &topo, &hot, r, d);
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
        let mut legend = l(app, L::TopologyLegend).to_string();
        if !topo.complete() {
            legend = format!("{} · {legend}", l(app, L::PlannedLegend));
        }
        if topo.queues.iter().any(|q| q.dead_letter.is_some()) || topo.exchanges.iter().any(|x| x.alternate.is_some()) {
            legend = format!("{legend} · {}", l(app, L::LinksLegend));
        }
        lines.push(Line::from(Span::styled(legend, theme::dim())));
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

/// The mark of something planned that the run has not declared (yet).
pub const PLANNED: &str = "◌";

fn queue_segs(hot: &Hot, q: &TQueue, first: bool, d: Density) -> Vec<Seg> {
    let name = ellipsize(&q.name, d.name_max);
    let mut out = match q.live {
        None => vec![(format!("{PLANNED} {name}"), theme::dim())],
        Some(id) => {
            let st = if hot.queues.contains(&id) { theme::hot() } else { Style::new().add_modifier(ratatui::style::Modifier::BOLD) };
            vec![(name, st)]
        }
    };
    if let Some(kind) = &q.kind {
        out.push((format!(" {kind}"), theme::dim()));
    }
    if !first {
        out.push((" ↑".into(), theme::dim()));
        return out;
    }
    if q.live.is_some() {
        let rs = if q.ready > 0 { theme::hot().remove_modifier(ratatui::style::Modifier::BOLD) } else { theme::dim() };
        let us = if q.unacked > 0 { Style::new().fg(ratatui::style::Color::LightBlue) } else { theme::dim() };
        out.extend([(" ".into(), Style::new()), (q.ready.to_string(), rs), ("|".into(), theme::dim()), (q.unacked.to_string(), us)]);
    }
    if let Some(x) = &q.dead_letter {
        out.push((format!(" ⇢dlx {}", ellipsize(x, d.name_max)), theme::dim()));
    }
    out
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
        // A channel-wide limit (basic.qos global), shared by the channel's consumers.
        let chan = world.broker.channel(c.channel);
        if chan.global_prefetch > 0 && !c.no_ack {
            let text = format!(" {} {}/{}", L::ChannelLimit.get(cx.lang), chan.global_volume, chan.global_prefetch);
            out.push((text, if chan.global_allows() { theme::dim() } else { theme::hot() }));
        }
        // Single active consumer: which one receives, which ones wait.
        if let Some(queue) = world.broker.queue(c.queue).filter(|q| q.args.single_active_consumer) {
            let word = if queue.consumers.active() == Some(id) { L::SacActive } else { L::SacWaiting };
            out.push((format!(" {}", word.get(cx.lang)), theme::dim()));
        }
    } else if matches!(&world.clients[line.client.idx()].spec.role, crate::client::spec::RoleSpec::Consumer(s) if s.poll.is_some()) {
        out.push((format!(" {}", L::Polling.get(cx.lang)), theme::dim()));
    }
    out
}

/// The consumer connector of row `k` of `n`.
fn consumer_conn(k: usize, n: usize) -> &'static str {
    match (k, n) {
        (0, 1) => " ──▶ ",
        (0, _) => " ─┬▶ ",
        (k, n) if k + 1 == n => "  └▶ ",
        _ => "  ├▶ ",
    }
}

/// The exchange's name as the diagram shows it.
fn exchange_name(cx: &Ctx, name: &str) -> String {
    if name.is_empty() {
        crate::explain::tr!(cx.lang, "(default)", "（默认）")
    } else {
        name.to_string()
    }
}

/// The cell of an exchange at the head of its group: name, type, alternate exchange.
fn exchange_segs(cx: &Ctx, t: &Topo, g: &TGroup, x_hot: bool, d: Density) -> Vec<Seg> {
    let x = t.exchange(&g.exchange);
    let declared = x.is_some_and(|x| x.declared());
    let name = ellipsize(&exchange_name(cx, &g.exchange), d.name_max);
    let mut segs = if declared {
        let st = if x_hot { theme::hot() } else { Style::new().fg(ratatui::style::Color::Cyan) };
        vec![(name, st)]
    } else {
        vec![(format!("{PLANNED} {name}"), theme::dim())]
    };
    if let Some(x) = x {
        if d.kinds && !x.is_default() {
            segs.push((format!(" ({})", x.kind), theme::dim()));
        }
        if let Some(ae) = &x.alternate {
            segs.push((format!(" ⇢ae {}", ellipsize(ae, d.name_max)), theme::dim()));
        }
    }
    segs.push((" ".into(), Style::new()));
    if g.routes.is_empty() {
        segs.push(("✕".into(), theme::dim()));
    }
    segs
}

/// The rows of one route: the connector, the binding key, the destination and (on the
/// queue's first route) its consumers.
fn route_rows(cx: &Ctx, t: &Topo, hot: &Hot, r: &Run, route: &TRoute, (j, m): (usize, usize), d: Density) -> Vec<Row> {
    let route_hot = match (route.binding, &route.dest) {
        (Some(id), _) => hot.bindings.contains(&id),
        (None, TDest::Queue(k)) if route.implicit => t.queue(k).and_then(|q| q.live).is_some_and(|q| hot.default_routes.contains(&q)),
        _ => false,
    };
    let line_style = if route.declared { hot_if(route_hot) } else { theme::dim() };
    let key = ellipsize(&route.label, d.key_max);
    let queue = match &route.dest {
        TDest::Queue(k) => t.queue(k),
        TDest::Exchange(_) => None,
    };
    let cons: &[ConsumerLine] = match queue {
        Some(q) if route.first => &q.consumers,
        _ => &[],
    };
    let n = cons.len().max(1);
    let mut rows = Vec::new();
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
        let conn = if route.declared { conn.to_string() } else { conn.replace('─', "┄") };
        row.cells[3] = vec![(conn, line_style)];
        if k == 0 {
            // `─ key ───▶ queue`: the line runs on to the queue column, so arrows align.
            let kst = if route_hot { theme::hot() } else { theme::dim() };
            row.cells[4] = if key.is_empty() { Vec::new() } else { vec![(format!(" {key} "), kst)] };
            row.fill[4] = Some((if route.declared { '─' } else { '┄' }, line_style));
            let arrow = if route.declared { "─▶ " } else { "┄▷ " };
            let mut dest = vec![(arrow.to_string(), line_style)];
            dest.extend(match (&route.dest, queue) {
                (TDest::Queue(_), Some(q)) => queue_segs(hot, q, route.first, d),
                (TDest::Queue(_), None) => Vec::new(),
                (TDest::Exchange(x), _) => vec![(format!("⇒ {}", ellipsize(&exchange_name(cx, x), d.name_max)), Style::new())],
            });
            row.cells[5] = dest;
        }
        if let Some(line) = cons.get(k) {
            let q_hot = queue.and_then(|q| q.live).is_some_and(|q| hot.queues.contains(&q));
            let c_hot = q_hot && hot.clients.contains(&line.client);
            row.cells[6] = vec![(consumer_conn(k, cons.len()).into(), hot_if(c_hot))];
            row.cells[7] = consumer_segs(cx, r, hot, *line, d);
            row.clients.push(line.client);
        }
        rows.push(row);
    }
    rows
}

fn build(cx: &Ctx, t: &Topo, hot: &Hot, r: &Run, d: Density) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for g in &t.groups {
        let x_live = t.exchange(&g.exchange).and_then(|x| x.live);
        let x_hot = x_live.is_some_and(|x| hot.exchanges.contains(&x));
        // Route rows: each route takes one row per consumer of its queue (at least one).
        let m = g.routes.len();
        let mut group_rows: Vec<Row> =
            g.routes.iter().enumerate().flat_map(|(j, route)| route_rows(cx, t, hot, r, route, (j, m), d)).collect();
        let height = group_rows.len().max(g.publishers.len()).max(1);
        group_rows.resize_with(height, Row::default);
        // Publishers and the exchange on the left.
        let np = g.publishers.len();
        for (i, row) in group_rows.iter_mut().enumerate() {
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
                row.cells[2] = exchange_segs(cx, t, g, x_hot, d);
            }
        }
        rows.extend(group_rows);
    }
    for k in &t.orphans {
        let Some(q) = t.queue(k) else { continue };
        let n = q.consumers.len().max(1);
        for k in 0..n {
            let mut row = Row::default();
            if k == 0 {
                let mut segs = vec![("   ".to_string(), Style::new())];
                segs.extend(queue_segs(hot, q, true, d));
                row.cells[5] = segs;
            }
            if let Some(line) = q.consumers.get(k) {
                row.cells[6] = vec![(consumer_conn(k, q.consumers.len()).into(), theme::dim())];
                row.cells[7] = consumer_segs(cx, r, hot, *line, d);
                row.clients.push(line.client);
            }
            rows.push(row);
        }
    }
    rows
}
