//! Topic matching, as RabbitMQ's topic exchange does it.
//!
//! Keys and patterns split on `.`, keeping empty words: `""` is zero words and `"a..b"` is
//! `[a, "", b]`. In a pattern, `*` matches exactly one word (the empty word too) and `#`
//! matches zero or more words. Only a whole word is a wildcard: `a*b` is a literal word.
//! The match is a dynamic programme over (pattern word, key word), so patterns with many
//! `#` stay linear in the product of the lengths instead of exploding.

/// The words of a routing or binding key. `""` has no words.
pub fn words(key: &str) -> Vec<&str> {
    if key.is_empty() {
        Vec::new()
    } else {
        key.split('.').collect()
    }
}

/// A binding key, split once when the binding is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicPattern {
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Word(Box<str>),
    Star,
    Hash,
}

impl TopicPattern {
    pub fn new(binding_key: &str) -> TopicPattern {
        let parts = words(binding_key)
            .into_iter()
            .map(|w| match w {
                "*" => Part::Star,
                "#" => Part::Hash,
                w => Part::Word(w.into()),
            })
            .collect();
        TopicPattern { parts }
    }

    /// Whether the routing key (already split into words) matches this pattern.
    pub fn matches_words(&self, key: &[&str]) -> bool {
        let p = &self.parts;
        // reach[j] = the first i pattern parts can match the first j key words.
        let mut reach = vec![false; key.len() + 1];
        reach[0] = true;
        for part in p {
            match part {
                Part::Hash => {
                    // '#' absorbs any number of words: reach[j] |= reach[j-1].
                    for j in 1..=key.len() {
                        reach[j] = reach[j] || reach[j - 1];
                    }
                }
                Part::Star | Part::Word(_) => {
                    for j in (1..=key.len()).rev() {
                        let ok = match part {
                            Part::Star => true,
                            Part::Word(w) => &**w == key[j - 1],
                            Part::Hash => unreachable!(),
                        };
                        reach[j] = reach[j - 1] && ok;
                    }
                    reach[0] = false;
                }
            }
            if !reach.iter().any(|r| *r) {
                return false;
            }
        }
        reach[key.len()]
    }

    pub fn matches(&self, routing_key: &str) -> bool {
        self.matches_words(&words(routing_key))
    }
}

/// Convenience: does `routing_key` match `binding_key` on a topic exchange?
pub fn topic_matches(binding_key: &str, routing_key: &str) -> bool {
    TopicPattern::new(binding_key).matches(routing_key)
}

#[cfg(test)]
mod tests {
    use super::topic_matches as m;

    #[test]
    fn rabbitmq_routing_suite_vectors() {
        // deps/rabbit/test/routing_SUITE.erl
        for p in ["#", "#.#", ""] {
            assert!(m(p, ""), "{p:?} should match the empty key");
        }
        assert!(!m("*", ""));
        for p in ["a.#.b", "#.b", "*.*", "a.*", "*.#", "#.*.#", "#.b.#", "a.b"] {
            assert!(m(p, "a.b"), "{p:?} should match a.b");
        }
    }

    #[test]
    fn stars_hashes_and_empty_words() {
        assert!(m("*.orange.*", "quick.orange.rabbit"));
        assert!(!m("*.orange.*", "quick.orange.male.rabbit"));
        assert!(m("lazy.#", "lazy"));
        assert!(m("lazy.#", "lazy.orange.male.rabbit"));
        assert!(!m("*.*.rabbit", "orange"));
        assert!(!m("*", ""));
        assert!(m("a.*.b", "a..b"), "* matches the empty word");
        assert!(m("#", "a..b"));
        assert!(!m("a*b", "axb"), "a*b is a literal word");
        assert!(m("a*b", "a*b"));
        assert!(!m("##", "a"));
        assert!(m("##", "##"));
        assert!(m(".a", ".a"));
        assert!(!m(".a", "a"));
        assert!(m("#.a", "a"));
        assert!(m("a.#.#.b", "a.b"));
    }

    #[test]
    fn long_keys_do_not_explode() {
        let key = vec!["a"; 128].join(".");
        assert!(!m("#.#.#.#.#.#.#.#.#.#.#.#.b", &key));
        assert!(m("#.a.#.a.#.a.#", &key));
    }
}
