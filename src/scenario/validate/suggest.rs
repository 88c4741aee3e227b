//! "Did you mean …?" for the errors validation found: a name that is not declared gets the
//! closest declared one (queue, exchange, actor), and a word outside a list the message
//! spells out ("expected direct, fanout, topic or headers") gets the closest of that list.
//! Done once over the finished errors, so each check keeps its one-line message.

use super::Declared;
use crate::scenario::load::ScenarioError;
use crate::scenario::suggest::did_you_mean;

/// The word in backticks right after `marker` in `message`.
fn quoted_after<'m>(message: &'m str, marker: &str) -> Option<&'m str> {
    let rest = &message[message.rfind(marker)? + marker.len()..];
    rest.find('`').map(|end| &rest[..end])
}

/// The first word in backticks.
fn first_quoted(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// The words of "expected a, b, c or d" (or "expected one of a, b, c"), up to the end of
/// the sentence.
fn expected_words(message: &str) -> Vec<&str> {
    let Some(i) = message.find("expected ") else { return Vec::new() };
    let mut list = &message[i + "expected ".len()..];
    list = list.strip_prefix("one of ").unwrap_or(list);
    let end = list.find(['(', ';', ':']).unwrap_or(list.len());
    list[..end]
        .split([',', ' '])
        .map(|w| w.trim_matches(|c: char| c == '`' || c == '.'))
        .filter(|w| !w.is_empty() && !matches!(*w, "or" | "and" | "a" | "with" | "template"))
        .collect()
}

fn help_for(message: &str, d: &Declared) -> Option<String> {
    if message.contains("not declared") {
        if let Some(q) = quoted_after(message, "queue `") {
            let names = d.queues.keys().map(String::as_str).chain(d.client_queues.iter().map(String::as_str));
            return did_you_mean(q, names);
        }
        if let Some(x) = quoted_after(message, "exchange `") {
            let names = d.exchanges.keys().map(String::as_str).chain(d.client_exchanges.iter().map(String::as_str));
            return did_you_mean(x, names);
        }
    }
    if let Some(a) = quoted_after(message, "is called `") {
        return did_you_mean(a, d.actors.keys().map(String::as_str));
    }
    if message.starts_with("unknown ") || message.contains("` is `") || message.contains(" is `") {
        let found = if message.contains(" is `") { quoted_after(message, " is `") } else { first_quoted(message) };
        if let Some(w) = found {
            return did_you_mean(w, expected_words(message));
        }
    }
    None
}

/// Adds a suggestion to each error that has none and a close candidate.
pub(super) fn add_suggestions(errors: &mut [ScenarioError], d: &Declared) {
    for e in errors.iter_mut().filter(|e| e.help.is_none()) {
        e.help = help_for(&e.message, d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_an_expected_list() {
        assert_eq!(
            expected_words("unknown exchange type `fanot`: expected direct, fanout, topic or headers"),
            ["direct", "fanout", "topic", "headers"]
        );
        assert_eq!(expected_words("unknown guarantee `x`: expected one of conservation, at-most-once"), ["conservation", "at-most-once"]);
        assert_eq!(first_quoted("unknown action `requeu`: expected manual"), Some("requeu"));
    }

    #[test]
    fn names_and_values_get_suggestions() {
        let mut d = Declared::default();
        d.queues.insert("task_queue".into(), 0);
        assert_eq!(
            help_for("consumer `c` reads queue `task_queu`, which is not declared in `queues:` or by a client", &d).as_deref(),
            Some("did you mean `task_queue`?")
        );
        assert_eq!(
            help_for("unknown exchange type `fanot`: expected direct, fanout, topic or headers", &d).as_deref(),
            Some("did you mean `fanout`?")
        );
        assert_eq!(
            help_for("`x-overflow` is `drop-haed`: expected drop-head, reject-publish or reject-publish-dlx", &d).as_deref(),
            Some("did you mean `drop-head`?")
        );
    }
}
