//! The bundled scenarios as a course: grouped in the order of the article warren grew from
//! (`shared/seed/README.md`), with the lessons beyond it at the end.
//!
//! [`COURSE`] is the one table to extend. A name in it that is not bundled (yet) is skipped;
//! a bundled scenario that is in no group lands in the last one, so nothing is ever hidden.

use crate::explain::Lang;

/// One group of lessons.
pub struct Unit {
    pub en: &'static str,
    pub zh: &'static str,
    pub lessons: &'static [&'static str],
}

impl Unit {
    pub fn title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Zh => self.zh,
        }
    }
}

/// The course, in the article's order.
pub const COURSE: &[Unit] = &[
    Unit { en: "1 · Hello world", zh: "1 · 你好，世界", lessons: &["hello"] },
    Unit {
        en: "2 · Work queues and acks",
        zh: "2 · 工作队列与确认",
        lessons: &["work-queues", "ack-redelivery", "poison-message", "consumer-timeout"],
    },
    Unit {
        en: "2 · Durability and confirms",
        zh: "2 · 持久化与发布确认",
        lessons: &["durability", "pitfall-redeclare", "pitfall-unconfirmed-loss", "publisher-confirms", "quorum-vs-classic"],
    },
    Unit {
        en: "2 · Fair dispatch",
        zh: "2 · 公平分发",
        lessons: &["fair-dispatch", "pitfall-ack-every", "pitfall-ack-every-stall", "pitfall-wrong-queue"],
    },
    Unit { en: "3 · Exchanges", zh: "3 · 交换机", lessons: &["fanout-logs", "direct-logs", "topic-logs", "headers"] },
    Unit { en: "4 · RPC", zh: "4 · RPC", lessons: &["rpc", "pitfall-missing-reply-to"] },
    Unit { en: "Beyond the article", zh: "原文之外", lessons: &["ttl-and-dead-letters", "priorities", "explore-auto-ack"] },
];

/// The bundled names grouped by unit, in course order: `(unit index, names)`. Bundled names
/// in no unit join the last unit.
pub fn grouped<'a>(bundled: &[&'a str]) -> Vec<(usize, Vec<&'a str>)> {
    let mut out: Vec<(usize, Vec<&'a str>)> = Vec::new();
    for (i, unit) in COURSE.iter().enumerate() {
        let names: Vec<&'a str> = unit.lessons.iter().filter_map(|l| bundled.iter().find(|b| *b == l).copied()).collect();
        if !names.is_empty() {
            out.push((i, names));
        }
    }
    let listed = |n: &str| COURSE.iter().any(|u| u.lessons.contains(&n));
    let rest: Vec<&'a str> = bundled.iter().copied().filter(|n| !listed(n)).collect();
    if !rest.is_empty() {
        let last = COURSE.len() - 1;
        match out.last_mut() {
            Some((i, names)) if *i == last => names.extend(rest),
            _ => out.push((last, rest)),
        }
    }
    out
}

/// The bundled lessons in course order.
pub fn order<'a>(bundled: &[&'a str]) -> Vec<&'a str> {
    grouped(bundled).into_iter().flat_map(|(_, names)| names).collect()
}

/// The lesson after `name` (a bundled one), if any.
pub fn next<'a>(bundled: &[&'a str], name: &str) -> Option<&'a str> {
    let o = order(bundled);
    let i = o.iter().position(|n| *n == name)?;
    o.get(i + 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_follow_the_course_and_skip_what_is_not_bundled() {
        let bundled = ["work-queues", "hello", "zzz-new", "rpc", "fanout-logs"];
        let g = grouped(&bundled);
        let names: Vec<Vec<&str>> = g.iter().map(|(_, n)| n.clone()).collect();
        assert_eq!(names, vec![vec!["hello"], vec!["work-queues"], vec!["fanout-logs"], vec!["rpc"], vec!["zzz-new"]]);
        assert_eq!(g.last().map(|(i, _)| *i), Some(COURSE.len() - 1));
        assert_eq!(next(&bundled, "hello"), Some("work-queues"));
        assert_eq!(next(&bundled, "zzz-new"), None);
        assert_eq!(next(&bundled, "not-there"), None);
    }

    #[test]
    fn every_bundled_scenario_is_in_the_course() {
        let bundled = crate::scenario::bundled::names();
        let o = order(&bundled);
        assert_eq!(o.len(), bundled.len());
        for n in &bundled {
            assert!(o.contains(n), "{n}");
        }
        assert_eq!(o.first(), Some(&"hello"));
    }
}
