//! A [`Diagram`] drawn as a standalone SVG: lifelines, labelled arrows, notes and a time axis,
//! with no external tool and no script, for slides and handouts. Time runs downwards; each
//! step is a row, and a new simulated instant starts with its time on the axis at the left.

use super::diagram::{Diagram, NoteKind, Role, Step, Style};
use std::fmt::Write as _;

const FONT: f64 = 12.0;
const GUTTER: f64 = 84.0;
const MARGIN: f64 = 24.0;
const BOX_H: f64 = 34.0;
const TOP: f64 = 52.0;
const LINE_H: f64 = 15.0;
const SELF_W: f64 = 28.0;
const NOTE_MAX: f64 = 260.0;
/// A white outline behind arrow labels, so that lifelines do not run through the letters.
const HALO: &str = r##" stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke""##;

/// Approximate width of text at 12px (Helvetica-like metrics; CJK characters are square).
pub fn text_width(s: &str) -> f64 {
    // Generous on purpose: browsers fall back to fonts as wide as DejaVu Sans.
    s.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 3.6,
            'f' | 't' | 'r' | ' ' | '(' | ')' | '[' | ']' | '"' | '-' => 4.8,
            'm' | 'w' | 'M' | 'W' | '@' | '%' => 10.5,
            c if c.is_ascii_uppercase() => 8.6,
            c if c.is_ascii() => 7.2,
            '—' | '…' | '·' | '≠' => 12.0,
            c if (c as u32) >= 0x2E80 => 12.5,
            _ => 7.8,
        })
        .sum::<f64>()
        * (FONT / 12.0)
}

/// Scenario or trace text as XML character data or an attribute value: the one function
/// through which text reaches the SVG. `&`, `<`, `>`, `"` and `'` become references; every
/// character XML 1.0 forbids (the C0 controls other than tab, newline and carriage return,
/// U+FFFE, U+FFFF; surrogates cannot occur in a Rust string) and the discouraged DEL and C1
/// controls become U+FFFD, so that the document stays well-formed whatever the scenario says.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Splits text into lines no wider than `width` pixels (a word longer than that is cut).
fn wrap(s: &str, width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        // Chinese text has no spaces: break long words by characters.
        let mut word = word.to_string();
        while text_width(&word) > width {
            let mut head = String::new();
            for c in word.chars() {
                if text_width(&head) + text_width(&c.to_string()) > width {
                    break;
                }
                head.push(c);
            }
            if head.is_empty() {
                break;
            }
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            word = word[head.len()..].to_string();
            lines.push(head);
        }
        let candidate = if cur.is_empty() { word.clone() } else { format!("{cur} {word}") };
        if !cur.is_empty() && text_width(&candidate) > width {
            lines.push(std::mem::replace(&mut cur, word));
        } else {
            cur = candidate;
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn color(style: Style) -> &'static str {
    match style {
        Style::Publish => "#333333",
        Style::Deliver => "#1f5fbf",
        Style::Ack => "#2e8b3d",
        Style::Nack => "#c0392b",
        Style::Requeue => "#8e44ad",
        Style::Return => "#d35400",
        Style::DeadLetter => "#7b241c",
        Style::Consume => "#7f8c8d",
    }
}

fn style_name(style: Style) -> &'static str {
    match style {
        Style::Publish => "publish",
        Style::Deliver => "deliver",
        Style::Ack => "ack",
        Style::Nack => "nack",
        Style::Requeue => "requeue",
        Style::Return => "return",
        Style::DeadLetter => "deadletter",
        Style::Consume => "consume",
    }
}

const STYLES: [Style; 8] =
    [Style::Publish, Style::Deliver, Style::Ack, Style::Nack, Style::Requeue, Style::Return, Style::DeadLetter, Style::Consume];

fn role_colors(r: Role) -> (&'static str, &'static str) {
    match r {
        Role::Publisher => ("#dbe9f7", "#3b6ea5"),
        Role::Exchange => ("#fde9cf", "#c27c0e"),
        Role::Queue => ("#dff2e0", "#3c8d40"),
        Role::Consumer => ("#e8e0f5", "#6c4f9e"),
    }
}

fn note_colors(k: NoteKind) -> (&'static str, &'static str) {
    match k {
        NoteKind::Narration => ("#fff8c4", "#c9b458"),
        NoteKind::Fault => ("#fde2e1", "#c0392b"),
        NoteKind::Event => ("#f2f2f2", "#9a9a9a"),
    }
}

/// Lays the lifelines out: centres such that every box, arrow label and self-arrow fits.
fn columns(d: &Diagram) -> (Vec<f64>, Vec<f64>) {
    let n = d.participants.len();
    let widths: Vec<f64> = d.participants.iter().map(|p| (text_width(&p.label) + 24.0).max(96.0)).collect();
    if n == 0 {
        return (Vec::new(), widths);
    }
    let mut gaps: Vec<f64> = (0..n.saturating_sub(1)).map(|i| (widths[i] + widths[i + 1]) / 2.0 + 24.0).collect();
    let mut right_extra: f64 = 0.0;
    let mut spans: Vec<(usize, usize, f64)> = Vec::new();
    for s in &d.steps {
        if let Step::Arrow { from, to, label, .. } = s {
            let w = text_width(label);
            if from == to {
                if *from + 1 < n {
                    spans.push((*from, *from + 1, SELF_W + 14.0 + w + 16.0));
                } else {
                    right_extra = right_extra.max(SELF_W + 14.0 + w + 8.0 - widths[*from] / 2.0);
                }
            } else {
                let (a, b) = if from < to { (*from, *to) } else { (*to, *from) };
                spans.push((a, b, w + 28.0));
            }
        }
    }
    spans.sort_by_key(|(a, b, _)| b - a);
    for (a, b, need) in spans {
        let have: f64 = gaps[a..b].iter().sum();
        if have < need {
            let extra = (need - have) / (b - a) as f64;
            for g in &mut gaps[a..b] {
                *g += extra;
            }
        }
    }
    let mut xs = vec![GUTTER + widths[0] / 2.0];
    for g in &gaps {
        let last = *xs.last().expect("non-empty");
        xs.push(last + g);
    }
    // The right margin is kept by the caller from `right_extra` folded into the last width.
    let mut widths = widths;
    if right_extra > 0.0 {
        let last = widths.len() - 1;
        widths[last] = widths[last].max(right_extra * 2.0);
    }
    (xs, widths)
}

/// Where the lifelines stand and how wide the drawing is.
struct Layout {
    /// Each lifeline's centre.
    xs: Vec<f64>,
    /// Each participant box's width.
    widths: Vec<f64>,
    /// The right edge of the last box.
    content_right: f64,
    /// The document's width.
    width: f64,
}

impl Layout {
    fn new(d: &Diagram) -> Layout {
        let (xs, widths) = columns(d);
        let content_right = match xs.len() {
            0 => GUTTER + 200.0,
            n => xs[n - 1] + widths[n - 1] / 2.0,
        };
        Layout { xs, widths, content_right, width: (content_right + MARGIN).max(760.0) }
    }
    fn left_edge(&self, i: usize) -> f64 {
        self.xs[i] - self.widths[i] / 2.0
    }
    fn right_edge(&self, i: usize) -> f64 {
        self.xs[i] + self.widths[i] / 2.0
    }
}

/// The rows of the diagram, drawn top to bottom: the steps, and the time axis's ticks.
struct Rows<'a> {
    layout: &'a Layout,
    /// The steps' elements.
    body: String,
    /// The time axis's ticks and rules.
    axis: String,
    /// The top of the next row.
    y: f64,
}

impl Rows<'_> {
    /// A grey italic remark across the gutter (a cut window, an empty one).
    fn remark(&mut self, y: f64, text: &str) {
        let _ = writeln!(self.body, r##"<text x="{:.1}" y="{y:.1}" fill="#777" font-style="italic">{}</text>"##, GUTTER, xml(text));
    }

    /// A new instant: its time on the axis and a faint rule across.
    fn tick(&mut self, t: crate::sim::Time, first: bool) {
        self.y += if first { 0.0 } else { 10.0 };
        let y = self.y;
        let _ = writeln!(
            self.axis,
            r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#d8d8d8" stroke-width="1" stroke-dasharray="2 3"/>"##,
            GUTTER - 14.0,
            y - 2.0,
            self.layout.content_right,
            y - 2.0
        );
        let _ = writeln!(
            self.axis,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#555" font-size="11">{}</text>"##,
            GUTTER - 18.0,
            y + 12.0,
            xml(&t.to_string())
        );
    }

    fn arrow(&mut self, from: usize, to: usize, label: &str, style: Style) {
        let c = color(style);
        let dash = if style.dashed() { r#" stroke-dasharray="6 4""# } else { "" };
        let marker = style_name(style);
        let y = self.y;
        if from == to {
            let x = self.layout.xs[from];
            let (y1, y2) = (y + 8.0, y + 24.0);
            let _ = writeln!(
                self.body,
                r##"<path d="M {x:.1} {y1:.1} h {SELF_W} v {:.1} h -{:.1}" fill="none" stroke="{c}" stroke-width="1.4"{dash} marker-end="url(#{marker})"/>"##,
                y2 - y1,
                SELF_W - 2.0
            );
            let _ =
                writeln!(self.body, r##"<text x="{:.1}" y="{:.1}" fill="{c}"{HALO}>{}</text>"##, x + SELF_W + 8.0, y1 + 11.0, xml(label));
            self.y += 32.0;
        } else {
            let (x1, x2) = (self.layout.xs[from], self.layout.xs[to]);
            let ay = y + 16.0;
            let end = if x2 > x1 { x2 - 2.0 } else { x2 + 2.0 };
            let _ = writeln!(
                self.body,
                r##"<line x1="{x1:.1}" y1="{ay:.1}" x2="{end:.1}" y2="{ay:.1}" stroke="{c}" stroke-width="1.4"{dash} marker-end="url(#{marker})"/>"##
            );
            let _ = writeln!(
                self.body,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{c}"{HALO}>{}</text>"##,
                (x1 + x2) / 2.0,
                ay - 5.0,
                xml(label)
            );
            self.y += 24.0;
        }
    }

    /// The left and right edges of a note over `first..=last`, kept inside the drawing.
    fn note_span(&self, first: usize, last: usize, text: &str) -> (f64, f64) {
        let l = self.layout;
        let width = l.width;
        let (mut x1, mut x2) = if l.xs.is_empty() {
            (GUTTER, l.content_right)
        } else if first == last {
            let w = text_width(text).min(NOTE_MAX) + 16.0;
            let w = w.max(l.widths[first]);
            (l.xs[first] - w / 2.0, l.xs[first] + w / 2.0)
        } else {
            (l.left_edge(first), l.right_edge(last))
        };
        if x2 > width - 6.0 {
            let shift = x2 - (width - 6.0);
            x1 -= shift;
            x2 -= shift;
        }
        if x1 < GUTTER - 6.0 {
            let shift = GUTTER - 6.0 - x1;
            x1 += shift;
            x2 = (x2 + shift).min(width - 6.0);
        }
        (x1, x2)
    }

    fn note(&mut self, first: usize, last: usize, text: &str, kind: NoteKind) {
        let (fill, stroke) = note_colors(kind);
        let (x1, x2) = self.note_span(first, last, text);
        let lines = wrap(text, x2 - x1 - 16.0);
        let h = lines.len() as f64 * LINE_H + 10.0;
        let top = self.y + 4.0;
        let _ = writeln!(
            self.body,
            r##"<rect x="{x1:.1}" y="{top:.1}" width="{:.1}" height="{h:.1}" rx="3" fill="{fill}" stroke="{stroke}" stroke-width="1"/>"##,
            x2 - x1
        );
        for (i, l) in lines.iter().enumerate() {
            let _ = writeln!(
                self.body,
                r##"<text x="{:.1}" y="{:.1}" fill="#222">{}</text>"##,
                x1 + 8.0,
                top + 5.0 + LINE_H * (i as f64 + 1.0) - 3.0,
                xml(l)
            );
        }
        self.y += h + 10.0;
    }
}

/// The rows drawn, and where the time axis starts and ends.
struct Drawn {
    body: String,
    axis: String,
    y_first: f64,
    y_end: f64,
}

fn draw_rows(d: &Diagram, layout: &Layout) -> Drawn {
    let mut rows = Rows { layout, body: String::new(), axis: String::new(), y: TOP + BOX_H + 22.0 };
    if d.cut_before {
        let y = rows.y;
        rows.remark(y, &format!("… earlier steps left out: the window starts at {}", d.window.from.unwrap_or_default()));
        rows.y += 18.0;
    }
    let y_first = rows.y;
    let mut last_t = None;
    for step in &d.steps {
        let t = step.time();
        if last_t != Some(t) {
            rows.tick(t, last_t.is_none());
            last_t = Some(t);
        }
        match step {
            Step::Arrow { from, to, label, style, .. } => rows.arrow(*from, *to, label, *style),
            Step::Note { first, last, text, kind, .. } => rows.note(*first, *last, text, *kind),
        }
    }
    if d.steps.is_empty() {
        let y = rows.y + 14.0;
        rows.remark(y, "nothing happens in this window");
        rows.y += 24.0;
    }
    if d.cut_after {
        rows.y += 8.0;
        let y = rows.y + 10.0;
        rows.remark(y, &format!("… later steps left out: the window ends at {}", d.window.to.unwrap_or_default()));
        rows.y += 18.0;
    }
    Drawn { y_end: rows.y + 12.0, body: rows.body, axis: rows.axis, y_first }
}

/// The document's opening: the XML declaration, `<svg>`, the title, the arrow markers, the
/// background and the heading.
fn prologue(out: &mut String, d: &Diagram, width: f64, height: f64) {
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="Helvetica, Arial, 'Noto Sans', 'Noto Sans CJK SC', sans-serif" font-size="{FONT}">"#
    );
    let _ = writeln!(out, "<title>{}</title>", xml(&d.title));
    let _ = writeln!(out, "<defs>");
    for s in STYLES {
        let _ = writeln!(
            out,
            r#"<marker id="{}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{}"/></marker>"#,
            style_name(s),
            color(s)
        );
    }
    let _ = writeln!(
        out,
        r##"<marker id="axis" viewBox="0 0 10 10" refX="5" refY="9" markerWidth="8" markerHeight="8" orient="auto"><path d="M 0 0 L 5 10 L 10 0 z" fill="#888"/></marker>"##
    );
    let _ = writeln!(out, "</defs>");
    let _ = writeln!(out, r##"<rect x="0" y="0" width="{width:.0}" height="{height:.0}" fill="#ffffff"/>"##);
    let _ = writeln!(out, r##"<text x="{MARGIN}" y="30" font-size="16" font-weight="bold" fill="#222">{}</text>"##, xml(&d.title));
}

fn time_axis(out: &mut String, drawn: &Drawn) {
    let _ = writeln!(
        out,
        r##"<g class="time-axis"><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#888" stroke-width="1.2" marker-end="url(#axis)"/>"##,
        GUTTER - 14.0,
        drawn.y_first - 6.0,
        GUTTER - 14.0,
        drawn.y_end
    );
    let _ = writeln!(
        out,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#888" font-size="11" font-style="italic">time</text>"##,
        GUTTER - 18.0,
        drawn.y_first - 8.0
    );
    out.push_str(&drawn.axis);
    let _ = writeln!(out, "</g>");
}

/// Dashed lifelines, with each participant's box at the top and at `bottom_box`.
fn lifelines(out: &mut String, d: &Diagram, layout: &Layout, bottom_box: f64) {
    let _ = writeln!(out, r#"<g class="lifelines">"#);
    for (i, p) in d.participants.iter().enumerate() {
        let (fill, stroke) = role_colors(p.role);
        let x = layout.xs[i];
        let _ = writeln!(
            out,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{bottom_box:.1}" stroke="#b0b0b0" stroke-width="1" stroke-dasharray="4 4"/>"##,
            TOP + BOX_H,
        );
        for top in [TOP, bottom_box] {
            let w = text_width(&p.label) + 24.0;
            let w = w.max(96.0);
            let _ = writeln!(
                out,
                r##"<rect x="{:.1}" y="{top:.1}" width="{w:.1}" height="{BOX_H}" rx="5" fill="{fill}" stroke="{stroke}" stroke-width="1.2"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-weight="bold" fill="#222">{}</text>"##,
                x - w / 2.0,
                top + BOX_H / 2.0 + 4.0,
                xml(&p.label)
            );
        }
    }
    let _ = writeln!(out, "</g>");
}

/// The arrow colours, in a row at `legend_y`.
fn legend(out: &mut String, legend_y: f64) {
    let _ = writeln!(out, r#"<g class="legend">"#);
    let mut lx = MARGIN;
    for s in STYLES {
        let c = color(s);
        let dash = if s.dashed() { r#" stroke-dasharray="6 4""# } else { "" };
        let name = match s {
            Style::DeadLetter => "dead-letter",
            Style::Ack => "ack / confirm",
            Style::Nack => "nack / reject",
            Style::Publish => "publish / route",
            other => style_name(other),
        };
        let _ = writeln!(
            out,
            r##"<line x1="{lx:.1}" y1="{legend_y:.1}" x2="{:.1}" y2="{legend_y:.1}" stroke="{c}" stroke-width="1.4"{dash} marker-end="url(#{})"/><text x="{:.1}" y="{:.1}" fill="{c}">{}</text>"##,
            lx + 26.0,
            style_name(s),
            lx + 32.0,
            legend_y + 4.0,
            xml(name)
        );
        lx += 32.0 + text_width(name) + 18.0;
    }
    let _ = writeln!(out, "</g>");
}

/// The standalone SVG document of a diagram.
pub fn render(d: &Diagram) -> String {
    let layout = Layout::new(d);
    let drawn = draw_rows(d, &layout);
    let bottom_box = drawn.y_end;
    let legend_y = bottom_box + BOX_H + 26.0;
    let height = legend_y + 24.0;
    let mut out = String::new();
    prologue(&mut out, d, layout.width, height);
    time_axis(&mut out, &drawn);
    lifelines(&mut out, d, &layout, bottom_box);
    let _ = writeln!(out, r#"<g class="steps">"#);
    out.push_str(&drawn.body);
    let _ = writeln!(out, "</g>");
    legend(&mut out, legend_y);
    let _ = writeln!(out, "</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_replaces_what_xml_forbids() {
        assert_eq!(xml("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
        assert_eq!(xml("a\0b\x1bc\u{FFFE}d\u{FFFF}e\x7ff\u{85}g"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}f\u{FFFD}g");
        assert_eq!(xml("tab\tnl\ncr\r中\u{1F600}"), "tab\tnl\ncr\r中\u{1F600}");
    }
}
