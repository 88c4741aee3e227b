//! Scenario errors drawn the way rustc draws its own: the message, the file's line with the
//! offending span underlined, and a suggestion where one is close. Rendered by
//! `annotate-snippets`; coloured on a terminal (unless `NO_COLOR` is set), plain text
//! otherwise.

use crate::scenario::locate::Pos;
use crate::scenario::{ScenarioError, ScenarioErrors};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::io::IsTerminal;

/// The byte offset of a 1-based line and column (columns count characters).
fn offset(text: &str, pos: Pos) -> usize {
    let mut start = 0;
    for _ in 1..pos.line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[start..].find('\n').map(|i| start + i).unwrap_or(text.len());
    let line = &text[start..line_end];
    start + line.char_indices().nth(pos.col.saturating_sub(1)).map(|(i, _)| i).unwrap_or(line.len())
}

/// The length in bytes of the token starting at `at`: a quoted string, or a plain word up to
/// the next `,`, `]`, `}`, `#`, `: ` or the end of the line. At least one character.
fn token_len(text: &str, at: usize) -> usize {
    let rest = &text[at..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let first = match line.chars().next() {
        Some(c) => c,
        None => return 0,
    };
    let len = if first == '"' || first == '\'' {
        line[1..].find(first).map(|i| i + 2).unwrap_or(line.len())
    } else if first == '[' || first == '{' || first == '-' {
        first.len_utf8()
    } else {
        let mut end = line.len();
        for (i, c) in line.char_indices() {
            let key_end = c == ':' && (i + 1 == line.len() || line[i + 1..].starts_with([' ', '\t']));
            if matches!(c, ',' | ']' | '}' | '#') || key_end {
                end = i;
                break;
            }
        }
        line[..end].trim_end().len()
    };
    len.max(first.len_utf8())
}

fn group<'a>(e: &'a ScenarioError, text: &'a str) -> Group<'a> {
    let at = offset(text, e.pos);
    let span = at..at + token_len(text, at);
    let mut annotation = AnnotationKind::Primary.span(span);
    if let Some(h) = &e.help {
        annotation = annotation.label(h.as_str());
    }
    let snippet = Snippet::source(text).path(e.file.as_str()).fold(true).annotation(annotation);
    // The suggestion is the span's label, right under what it corrects.
    Level::ERROR.primary_title(e.message.as_str()).element(snippet)
}

/// Whether diagnostics on stderr get colour.
pub fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Every error of a file, each with its snippet, as one text (ends with a newline).
pub fn render(errors: &ScenarioErrors, source: &[u8], colour: bool) -> String {
    let text = String::from_utf8_lossy(source);
    let renderer = (if colour { Renderer::styled() } else { Renderer::plain() }).term_width(120);
    let mut out = String::new();
    for e in &errors.0 {
        out.push_str(&renderer.render(&[group(e, &text)]));
        out.push_str("\n\n");
    }
    let n = errors.0.len();
    if n > 1 {
        out.push_str(&format!("error: {n} problems in {}\n", errors.0[0].file));
    } else {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_cover_the_token() {
        let t = "name: t\nqueues:\n  - { name: q, durabel: true }\n";
        let at = offset(t, Pos { line: 3, col: 16 });
        assert_eq!(&t[at..at + token_len(t, at)], "durabel");
        let t = "until: \"10 parsecs\"\n";
        let at = offset(t, Pos { line: 1, col: 8 });
        assert_eq!(&t[at..at + token_len(t, at)], "\"10 parsecs\"");
    }

    #[test]
    fn a_snippet_underlines_and_suggests() {
        let t = "name: t\nqueues:\n  - name: q\n    durabel: true\n";
        let errs = crate::scenario::Scenario::from_str(t, "f.yaml").unwrap_err();
        let out = render(&errs, t.as_bytes(), false);
        assert!(out.contains("f.yaml:4:5"), "{out}");
        assert!(out.contains("    durabel: true"), "{out}");
        assert!(out.contains("^^^^^^^"), "{out}");
        assert!(out.contains("did you mean `durable`?"), "{out}");
    }
}
