//! The file as a tree of located YAML nodes, read with yaml-rust2 before serde sees it, for
//! what serde cannot report or reports without a place: nesting too deep (refused early,
//! before a parser spends quadratic time on `[[[[…`), tags (`!!binary`, `!custom`) and
//! duplicate keys, each at its own line and column.

use super::load::ScenarioError;
use super::locate::Pos;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// The deepest nesting of mappings and sequences accepted (a scenario needs about 6).
pub const MAX_DEPTH: usize = 64;

/// A located YAML node.
#[derive(Clone, Debug)]
pub struct Node {
    pub pos: Pos,
    pub kind: Kind,
}

#[derive(Clone, Debug)]
pub enum Kind {
    /// A scalar's text, and whether it was quoted (a quoted scalar is always a string).
    Scalar(String, bool),
    Seq(Vec<Node>),
    /// Key–value pairs in file order.
    Map(Vec<(Node, Node)>),
    Alias,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s, _) => Some(s),
            _ => None,
        }
    }
}

/// What reading the tree found.
pub struct Read {
    /// The first document's root, if the text parsed (syntax errors are left to serde, whose
    /// positions the tests pin).
    pub root: Option<Node>,
    /// Problems that stop everything (nesting too deep): nothing more is read.
    pub fatal: bool,
    pub errors: Vec<ScenarioError>,
}

fn pos(m: &Marker) -> Pos {
    Pos { line: m.line(), col: m.col() + 1 }
}

enum Open {
    Seq(Pos, Vec<Node>),
    Map(Pos, Vec<(Node, Node)>, Option<Node>),
}

struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    stack: Vec<Open>,
    errors: Vec<ScenarioError>,
    root: Option<Node>,
}

impl Reader<'_> {
    fn err(&mut self, at: Pos, message: String, help: Option<String>) {
        let mut e = ScenarioError::new(self.file, at, message);
        e.help = help;
        self.errors.push(e);
    }

    /// Where the tag before the node at `at` is written (the parser places the node), and
    /// its text.
    fn tag_source(&self, at: Pos) -> Option<(Pos, &str)> {
        let line = self.text.lines().nth(at.line.checked_sub(1)?)?;
        let before: String = line.chars().take(at.col.saturating_sub(1)).collect();
        let bang = before.rfind('!')?;
        let start = before[..bang].rfind(|c: char| c.is_whitespace() || c == '[' || c == '{' || c == ',').map(|i| i + 1).unwrap_or(0);
        let token = line[start..].split(|c: char| c.is_whitespace() || c == ',').next()?;
        Some((Pos { line: at.line, col: before[..start].chars().count() + 1 }, token))
    }

    fn tag(&mut self, at: Pos, tag: &Option<yaml_rust2::parser::Tag>) {
        if let Some(t) = tag {
            let fallback = format!("{}{}", t.handle, t.suffix);
            let (at, name) = match self.tag_source(at) {
                Some((p, token)) => (p, token.to_string()),
                None => (at, fallback),
            };
            self.err(
                at,
                format!("YAML tag `{name}` is not allowed in a scenario"),
                Some("remove the tag: a scenario holds only plain text, numbers, lists and mappings".into()),
            );
        }
    }

    /// Adds a finished node to its parent (or makes it the root).
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Open::Seq(_, items)) => items.push(node),
            Some(Open::Map(_, pairs, key)) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if let Some(name) = k.as_str() {
                        if let Some((first, _)) = pairs.iter().find(|(pk, _)| pk.as_str() == Some(name)) {
                            let (line, kp) = (first.pos.line, k.pos);
                            let message = format!("duplicate key `{name}`: it is already given on line {line}");
                            self.err(kp, message, Some("give each key once; remove or rename one of them".into()));
                        }
                    }
                    match self.stack.last_mut() {
                        Some(Open::Map(_, pairs, _)) => pairs.push((k, node)),
                        _ => unreachable!("the map is still open"),
                    }
                }
            },
        }
    }
}

/// Where flow brackets (`[`, `{`) first nest deeper than [`MAX_DEPTH`], by one linear scan
/// of the text (outside quotes and comments): a parser given `[[[[…` would take quadratic
/// time, or fail without a clear word, before reaching it.
fn flow_too_deep(text: &str) -> Option<Pos> {
    let (mut depth, mut line, mut col) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut prev = ' ';
    for c in text.chars() {
        col += 1;
        if c == '\n' {
            (line, col, comment) = (line + 1, 0, false);
            prev = c;
            continue;
        }
        if comment {
            continue;
        }
        match quote {
            Some(q) => {
                if c == q && !(q == '"' && prev == '\\') {
                    quote = None;
                }
            }
            None => match c {
                '#' if prev.is_whitespace() => comment = true,
                '"' | '\'' if depth > 0 || prev.is_whitespace() || prev == ':' => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some(Pos { line, col });
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        prev = c;
    }
    None
}

fn too_deep(file: &str, at: Pos) -> Read {
    let message = format!("the values are nested more than {MAX_DEPTH} deep: a scenario needs a handful of levels");
    Read { root: None, fatal: true, errors: vec![ScenarioError::new(file, at, message)] }
}

/// Reads the first document. Stops early on nesting deeper than [`MAX_DEPTH`].
pub fn read(text: &str, file: &str) -> Read {
    if let Some(at) = flow_too_deep(text) {
        return too_deep(file, at);
    }
    let mut r = Reader { file, text, stack: Vec::new(), errors: Vec::new(), root: None };
    let mut parser = Parser::new_from_str(text);
    loop {
        let (ev, mark) = match parser.next_token() {
            Ok(x) => x,
            Err(_) => return Read { root: None, fatal: false, errors: r.errors },
        };
        let at = pos(&mark);
        match ev {
            Event::StreamEnd | Event::DocumentEnd => break,
            Event::Scalar(s, style, _, tag) => {
                r.tag(at, &tag);
                let quoted = !matches!(style, TScalarStyle::Plain);
                r.push(Node { pos: at, kind: Kind::Scalar(s, quoted) });
            }
            Event::Alias(_) => r.push(Node { pos: at, kind: Kind::Alias }),
            Event::SequenceStart(_, ref tag) | Event::MappingStart(_, ref tag) => {
                r.tag(at, tag);
                if r.stack.len() >= MAX_DEPTH {
                    return too_deep(file, at);
                }
                let is_seq = matches!(ev, Event::SequenceStart(..));
                r.stack.push(if is_seq { Open::Seq(at, Vec::new()) } else { Open::Map(at, Vec::new(), None) });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match r.stack.pop() {
                    Some(Open::Seq(p, items)) => Node { pos: p, kind: Kind::Seq(items) },
                    Some(Open::Map(p, pairs, _)) => Node { pos: p, kind: Kind::Map(pairs) },
                    None => continue,
                };
                r.push(node);
            }
            _ => {}
        }
    }
    Read { root: r.root, fatal: false, errors: r.errors }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_placed() {
        let r = read("name: a\nqueues: []\nname: b\n", "f");
        assert_eq!(r.errors.len(), 1);
        assert_eq!(r.errors[0].pos, Pos { line: 3, col: 1 });
        assert!(r.errors[0].message.contains("duplicate key `name`") && r.errors[0].message.contains("line 1"));
    }

    #[test]
    fn tags_are_refused_where_written() {
        let r = read("name: x\nseed: !!binary aGVsbG8=\ntitle: !mine t\n", "f");
        assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
        assert_eq!(r.errors[0].pos.line, 2);
        assert!(r.errors[0].message.contains("tag"));
        assert_eq!(r.errors[1].pos.line, 3);
    }

    #[test]
    fn deep_nesting_stops_early() {
        let text = "[".repeat(100_000);
        let started = std::time::Instant::now();
        let r = read(&text, "f");
        assert!(r.fatal);
        assert_eq!(r.errors[0].pos, Pos { line: 1, col: MAX_DEPTH + 1 });
        assert!(started.elapsed().as_secs() < 2, "refused early");
    }
}
