//! Loading (and writing) a scenario file: the one place that calls `serde_yaml` (deprecated upstream; a
//! maintained fork can replace it here and nowhere else), and the located error type every
//! bad input is reported with.

use super::locate::Pos;
use super::model::{ScenarioFile, YamlValue};
use super::{schema, tree};

/// A YAML value written back as YAML text (for a value that is not a scalar).
pub fn value_to_yaml(v: &YamlValue) -> String {
    serde_yaml::to_string(v).unwrap_or_default()
}
use std::fmt;

/// A problem with a scenario file, placed at a line and column: what was found and what was
/// expected (`message`), and, where one is close, a suggestion (`help`: "did you mean …?").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: String,
    pub pos: Pos,
    pub message: String,
    pub help: Option<String>,
}

impl ScenarioError {
    pub fn new(file: &str, pos: Pos, message: impl Into<String>) -> ScenarioError {
        ScenarioError { file: file.to_string(), pos, message: message.into(), help: None }
    }

    /// The same error with a suggestion.
    pub fn with_help(mut self, help: Option<String>) -> ScenarioError {
        self.help = help;
        self
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.pos.line, self.pos.col, self.message)?;
        if let Some(h) = &self.help {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

/// One or more problems; never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

/// Parses scenario text into its file model. `file` names it in errors.
///
/// Read twice: first as a tree of located nodes (nesting depth, tags, duplicate keys, and
/// every unknown or missing key against the schema, all placed), then by serde for the
/// values. Every problem found either way is returned, in file order.
pub fn parse_yaml(text: &str, file: &str) -> Result<ScenarioFile, ScenarioErrors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        let message = "the file is empty: expected a scenario with at least `name`".to_string();
        return Err(ScenarioErrors(vec![ScenarioError::new(file, Pos { line: 1, col: 1 }, message)]));
    }
    let read = tree::read(text, file);
    let mut errors = read.errors;
    if read.fatal {
        return Err(ScenarioErrors(errors));
    }
    if let Some(root) = &read.root {
        errors.extend(schema::check(root, file));
    }
    match serde_yaml::from_str::<ScenarioFile>(text) {
        Ok(f) if errors.is_empty() => return Ok(f),
        Ok(_) => {}
        Err(e) => {
            let pos = e.location().map(|l| Pos { line: l.line(), col: l.column() }).unwrap_or(Pos { line: 1, col: 1 });
            let raw = e.to_string();
            // An untagged enum's "no variant matched" is vaguer than what the schema walk
            // found at the same value; and one error a position is enough.
            let vague = raw.contains("did not match any variant");
            // serde places some errors at the enclosing mapping; the schema walk already has
            // the same words at the value itself.
            let words = friendly(&raw);
            let words = words.split_once(": ").map_or(words.as_str(), |(_, w)| w);
            let said = errors.iter().any(|x| x.pos == pos || x.message.ends_with(words));
            if (!vague || errors.is_empty()) && !said {
                errors.push(syntax_error(text, file, pos, &raw));
            }
            if read.root.is_none() {
                errors.extend(more_syntax_errors(text, file, pos));
                let lines: Vec<usize> = errors.iter().map(|e| e.pos.line).collect();
                errors.extend(tab_lines(text, file, pos).into_iter().filter(|e| !lines.contains(&e.pos.line)));
            }
        }
    }
    errors.sort_by_key(|e| e.pos);
    errors.dedup();
    Err(ScenarioErrors(errors))
}

/// How many syntax errors after the first are looked for.
const MORE_SYNTAX_ERRORS: usize = 16;

/// The syntax errors after the first one (libyaml stops at the first): the line of the last
/// error found is neutralised — its value dropped if it is a `key:` line, otherwise the line
/// blanked — and the text parsed again, while each new error lies on a later line. Lines keep
/// their numbers, so every position is the file's own. A cascade is possible, as in any
/// compiler's recovery, but an error is never reported twice or out of order.
fn more_syntax_errors(text: &str, file: &str, first: Pos) -> Vec<ScenarioError> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut last = first.line;
    let mut out = Vec::new();
    // Each try parses the whole text again: at most about 32 MiB parsed in all.
    let tries = MORE_SYNTAX_ERRORS.min((32 << 20) / text.len().max(1) / 2);
    for _ in 0..tries {
        let Some(original) = last.checked_sub(1).and_then(|i| lines.get(i)).cloned() else { break };
        let mut next = None;
        for candidate in [neutralised(&original), String::new()] {
            lines[last - 1] = candidate;
            let r = serde_yaml::from_str::<serde_yaml::Value>(&lines.join("\n"));
            match r {
                Ok(_) => return out,
                Err(e) => match e.location() {
                    Some(l) if l.line() > last => {
                        next = Some((Pos { line: l.line(), col: l.column() }, e.to_string()));
                        break;
                    }
                    _ => {}
                },
            }
        }
        let Some((pos, raw)) = next else { break };
        out.push(syntax_error(text, file, pos, &raw));
        last = pos.line;
    }
    out
}

/// A line with its error taken out: `  - key: value` keeps `  - key:`, anything else is
/// blanked.
fn neutralised(line: &str) -> String {
    let body = line.trim_start_matches([' ', '-']);
    let prefix = &line[..line.len() - body.len()];
    let key_end = body.find(": ").or_else(|| body.strip_suffix(':').map(str::len));
    match key_end {
        Some(end) if !prefix.contains('\t') && body[..end].chars().all(|c| c.is_alphanumeric() || "_-.".contains(c)) && end > 0 => {
            format!("{prefix}{}:", &body[..end])
        }
        _ => String::new(),
    }
}

/// An error of serde or libyaml at `pos`, in our words; for a syntax error, what libyaml was
/// reading when it failed (the flow collection or quoted text that is not closed, the block
/// whose indentation does not fit) goes in the help.
fn syntax_error(text: &str, file: &str, pos: Pos, raw: &str) -> ScenarioError {
    let mut e = ScenarioError::new(file, pos, friendly(raw));
    if let Some((_, context)) = raw.split_once(", while ") {
        e.help = context_help(context);
    }
    syntax_hint(text, e)
}

/// "parsing a flow sequence at line 7 column 21" → a help naming what is open and where.
fn context_help(context: &str) -> Option<String> {
    let (what, at) = context.split_once(" at line ")?;
    let (line, col) = at.split_once(" column ")?;
    let col = col.trim_end_matches(|c: char| !c.is_ascii_digit());
    let thing = what.trim_start_matches("parsing ").trim_start_matches("scanning ");
    let help = match thing {
        "a flow sequence" => format!("the `[` at {line}:{col} is not closed with `]` before this point"),
        "a flow mapping" => format!("the `{{` at {line}:{col} is not closed with `}}` before this point"),
        "a quoted scalar" => format!("the quoted text that starts at {line}:{col} is not closed"),
        "a block collection" | "a block mapping" => {
            format!("this line's indentation does not fit the block that starts at {line}:{col}")
        }
        other => format!("while reading {other} that starts at {line}:{col}"),
    };
    Some(help)
}

/// A syntax error caused by a tab says so.
fn syntax_hint(text: &str, mut e: ScenarioError) -> ScenarioError {
    let line = text.lines().nth(e.pos.line.saturating_sub(1)).unwrap_or("");
    let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
    if indent.contains('\t') || (e.message.contains("cannot start any token") && line.contains('\t')) {
        e.message.push_str(": YAML does not allow tabs for indentation");
        e.help = Some("indent with spaces instead of tabs".into());
    }
    e
}

/// Every other line indented with a tab, when the file does not parse (libyaml stops at the
/// first).
fn tab_lines(text: &str, file: &str, first: Pos) -> Vec<ScenarioError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
        if let Some(col) = indent.find('\t') {
            let pos = Pos { line: i + 1, col: col + 1 };
            if pos.line != first.line {
                let e = ScenarioError::new(file, pos, "a tab in the indentation: YAML does not allow tabs for indentation");
                out.push(e.with_help(Some("indent with spaces instead of tabs".into())));
            }
        }
    }
    out
}

/// Scenario text as a JSON value (for checking a file against the JSON Schema).
pub fn to_json(text: &str) -> Result<serde_json::Value, String> {
    serde_yaml::from_str(text).map_err(|e| e.to_string())
}

impl ScenarioFile {
    /// The scenario as YAML that loads back to the same scenario.
    pub fn to_yaml(&self) -> String {
        to_yaml(self)
    }
}

/// Writes a scenario as YAML (generated and counterexample scenarios).
pub fn to_yaml(f: &ScenarioFile) -> String {
    let value = serde_yaml::to_value(f).expect("a scenario always serializes");
    let value = match value {
        serde_yaml::Value::Mapping(m) if !f.key_order.is_empty() => {
            // Keep the original order of the sections.
            let mut ordered = serde_yaml::Mapping::new();
            for k in &f.key_order {
                if let Some(v) = m.get(k.as_str()) {
                    ordered.insert(serde_yaml::Value::String(k.clone()), v.clone());
                }
            }
            for (k, v) in m {
                if !ordered.contains_key(&k) {
                    ordered.insert(k, v);
                }
            }
            serde_yaml::Value::Mapping(ordered)
        }
        other => other,
    };
    serde_yaml::to_string(&value).expect("a scenario always serializes")
}

/// serde's wording, minus the position (we print our own) and with our types named the way
/// the documentation names them.
fn friendly(raw: &str) -> String {
    let mut m = match raw.find(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw.to_string(),
    };
    let replacements = [
        ("struct ScenarioFile", "a scenario: a mapping with `name` and sections such as `queues`, `producers`, `consumers`"),
        ("data did not match any variant of untagged enum ConsumerQueueDef", "a consumer's `queue` must be a queue name, or a private queue like { exclusive: true, bind: [ { exchange: logs, key: \"#\" } ] }"),
        ("data did not match any variant of untagged enum WorkDef", "`work` must be a duration (1s), { uniform: [100ms, 2s] } or { exponential: 500ms }"),
        ("data did not match any variant of untagged enum Text", "expected a text, or { en: ..., zh: ... }"),
        ("EOF while parsing a value", "the file is empty: expected a scenario with at least `name`"),
    ];
    for (from, to) in replacements {
        if m.contains(from) {
            m = m.replace(from, to);
        }
    }
    for (ty, word) in
        [("struct ", ""), ("u32", "a whole number"), ("u64", "a whole number"), ("i32", "a whole number"), ("u16", "a whole number")]
    {
        m = m.replace(&format!("expected {ty}"), &format!("expected {word}"));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_syntax_error_is_reported_in_file_order() {
        let text = "name: multi\nqueues:\n  - name: a\n    durable: true\n   bad: 1\n  - name: b\n    arguments: { x: [1, 2 }\nconsumers:\n  - name: c\n    queue: b\n\twork: 1s\n  - name: d\n    queue: a: b\n";
        let errors = parse_yaml(text, "m.yaml").unwrap_err().0;
        let lines: Vec<usize> = errors.iter().map(|e| e.pos.line).collect();
        assert_eq!(lines, vec![5, 7, 11, 13], "{errors:?}");
        assert!(errors[1].help.as_deref().unwrap().contains("`[` at 7:21 is not closed"), "{:?}", errors[1]);
        assert!(errors[2].message.contains("tabs"), "{:?}", errors[2]);
    }

    #[test]
    fn an_unclosed_quote_is_named_where_it_starts() {
        let errors = parse_yaml("name: q\nconsumers:\n  - name: c\n    queue: \"b\nproducers:\n  - name: p\n", "q.yaml").unwrap_err().0;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].help.as_deref(), Some("the quoted text that starts at 4:12 is not closed"));
    }

    #[test]
    fn recovery_never_repeats_a_line() {
        // Every line broken: at most one error a line, in order, and it ends.
        let text = "name: [\n".repeat(40);
        let errors = parse_yaml(&text, "r.yaml").unwrap_err().0;
        let mut lines: Vec<usize> = errors.iter().map(|e| e.pos.line).collect();
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
        lines.dedup();
        assert!(lines.len() <= MORE_SYNTAX_ERRORS + 1);
    }

    #[test]
    fn unknown_keys_are_located() {
        let e = parse_yaml("name: x\nqueues:\n  - name: q\n    durabel: true\n", "f.yaml").unwrap_err();
        let e = &e.0[0];
        assert_eq!((e.pos.line, e.pos.col), (4, 5));
        assert!(e.message.contains("unknown field `durabel`"), "{}", e.message);
        assert!(e.message.contains("durable"), "says what was expected: {}", e.message);
        assert_eq!(e.to_string().split(':').next(), Some("f.yaml"));
    }

    #[test]
    fn wrong_types_and_bad_durations() {
        let e = parse_yaml("name: x\nconsumers:\n  - { name: c, queue: q, prefetch: lots }\n", "f").unwrap_err();
        assert_eq!(e.0[0].pos.line, 3);
        assert!(e.0[0].message.contains("invalid type"), "{}", e.0[0].message);
        let e = parse_yaml("name: x\nuntil: -5s\n", "f").unwrap_err();
        assert_eq!(e.0[0].pos.line, 2);
        assert!(e.0[0].message.contains("negative"), "{}", e.0[0].message);
        let e = parse_yaml("", "f").unwrap_err();
        assert!(e.0[0].message.contains("empty"), "{}", e.0[0].message);
    }
}
