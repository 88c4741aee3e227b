//! "Did you mean …?": the closest of a set of known words to a misspelt one, by edit
//! distance (Damerau–Levenshtein, so a swapped pair of letters counts once).

/// The candidate closest to `word`, if one is close enough to be a likely typo: at most one
/// edit for short words, about a third of the word's length for longer ones. Ties go to the
/// alphabetically first candidate, so the answer does not depend on the candidates' order.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if c == word || c.is_empty() {
            continue;
        }
        let d = strsim::damerau_levenshtein(&word.to_lowercase(), &c.to_lowercase());
        let better = match best {
            None => true,
            Some((bd, bc)) => d < bd || (d == bd && c < bc),
        };
        if d <= limit && better {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `did you mean `X`?` for the closest candidate, if any.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_word() {
        assert_eq!(closest("durabel", ["name", "durable", "exclusive"]), Some("durable"));
        assert_eq!(closest("prefech", ["prefetch", "priority"]), Some("prefetch"));
        assert_eq!(closest("work-queue", ["hello", "work-queues", "fair-dispatch"]), Some("work-queues"));
        assert_eq!(closest("fanot", ["direct", "fanout", "topic", "headers"]), Some("fanout"));
        assert_eq!(closest("Durable", ["durable"]), Some("durable"));
    }

    #[test]
    fn far_words_get_nothing() {
        assert_eq!(closest("zzz", ["durable", "name"]), None);
        assert_eq!(closest("q", ["durable"]), None);
        assert_eq!(did_you_mean("xyzzy", ["queues"]), None);
        assert_eq!(did_you_mean("qeues", ["queues"]).as_deref(), Some("did you mean `queues`?"));
    }
}
