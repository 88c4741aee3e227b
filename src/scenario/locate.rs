//! Where things are in a scenario file: a map from a path such as `consumers[1].queue` to
//! its line and column, built from a YAML event parse. serde gives positions only for the
//! errors it finds itself; validation errors (an undefined queue, a time in the wrong order)
//! are placed with this.

use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

#[derive(Clone, Debug, Default)]
pub struct Locator {
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, next: usize },
}

struct Builder {
    stack: Vec<Frame>,
    loc: Locator,
}

fn pos(m: Marker) -> Pos {
    Pos { line: m.line(), col: m.col() + 1 }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Builder {
    /// The path of the node starting now, or `None` if this scalar is a mapping key.
    fn node_path(&mut self, ev: &Event, mark: Marker) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                Some(p)
            }
            Some(Frame::Map { path, key }) => match key.take() {
                Some(k) => Some(join(path, &k)),
                None => {
                    let k = match ev {
                        Event::Scalar(s, ..) => s.clone(),
                        _ => "?".to_string(),
                    };
                    let full = join(path, &k);
                    self.loc.keys.insert(full, pos(mark));
                    *key = Some(k);
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(..) | Event::Alias(_) => {
                if let Some(p) = self.node_path(&ev, mark) {
                    self.loc.values.insert(p, pos(mark));
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let is_key = matches!(self.stack.last(), Some(Frame::Map { key: None, .. }));
                let p = self.node_path(&ev, mark).unwrap_or_default();
                if is_key {
                    // A complex key: skip its contents by treating it as an anonymous node.
                }
                self.loc.values.entry(p.clone()).or_insert(pos(mark));
                if matches!(ev, Event::MappingStart(..)) {
                    self.stack.push(Frame::Map { path: p, key: None });
                } else {
                    self.stack.push(Frame::Seq { path: p, next: 0 });
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

impl Locator {
    /// Builds the map. A file that does not parse gives an empty locator (serde reports the
    /// syntax error with its own position).
    pub fn new(text: &str) -> Locator {
        let mut b = Builder { stack: Vec::new(), loc: Locator::default() };
        let mut parser = Parser::new_from_str(text);
        let _ = parser.load(&mut b, false);
        b.loc
    }

    /// Where the value at `path` starts; for a missing path, its nearest ancestor.
    pub fn value(&self, path: &str) -> Pos {
        let mut p = path.to_string();
        loop {
            if p.is_empty() {
                return Pos { line: 1, col: 1 };
            }
            if let Some(pos) = self.values.get(&p) {
                return *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p.truncate(i),
                None => return Pos { line: 1, col: 1 },
            }
        }
    }

    /// The top-level keys, in the order they appear.
    pub fn top_level_keys(&self) -> Vec<String> {
        let mut keys: Vec<(&Pos, &String)> = self.keys.iter().filter(|(k, _)| !k.contains(['.', '['])).map(|(k, p)| (p, k)).collect();
        keys.sort();
        keys.into_iter().map(|(_, k)| k.clone()).collect()
    }

    /// Where the key of `path` is written (falls back to its value).
    pub fn key(&self, path: &str) -> Pos {
        self.keys.get(path).copied().unwrap_or_else(|| self.value(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_paths() {
        let text = "name: x\nconsumers:\n  - name: a\n    queue: q1\n  - { name: b, queue: q2 }\n";
        let l = Locator::new(text);
        assert_eq!(l.value("name"), Pos { line: 1, col: 7 });
        assert_eq!(l.value("consumers[0].queue"), Pos { line: 4, col: 12 });
        assert_eq!(l.key("consumers[0].queue"), Pos { line: 4, col: 5 });
        assert_eq!(l.value("consumers[1].queue").line, 5);
        assert_eq!(l.value("consumers[1].missing").line, 5);
        assert_eq!(l.value("nothing.at.all"), Pos { line: 1, col: 1 });
    }
}
