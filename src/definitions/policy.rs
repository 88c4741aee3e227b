//! Which policy RabbitMQ 3.10 applies to a queue or an exchange, and the arguments that
//! result (rabbit_policy.erl, rabbit_amqqueue_process.erl):
//!
//! - a policy matches when its `apply-to` covers the kind (`queues`, `exchanges` or `all`;
//!   later versions' `classic_queues` too), its `pattern` (a regular expression, searched
//!   anywhere in the name unless anchored with `^`/`$`) matches the name, and it is of the
//!   same vhost;
//! - of the matching policies only one applies: the highest `priority`; among equal
//!   priorities the first in RabbitMQ's own list order (`lists:sort` is stable), which a
//!   definitions file does not promise to keep: warren takes the first in the file and
//!   says that it was a tie;
//! - an operator policy is matched the same way, separately, and its value for a key merges
//!   with the policy's by the lower value (`rabbit_policies:merge_policy_value`);
//! - for a classic queue each key is then resolved against the queue's own `x-` argument:
//!   `expires`, `message-ttl`, `max-length`, `max-length-bytes` take the lower of the two;
//!   `dead-letter-exchange`, `dead-letter-routing-key`, `overflow`, `queue-mode` take the
//!   argument;
//! - for an exchange, the `alternate-exchange` argument wins over the policy's.

use serde_json::{Map, Value};

/// The longest pattern compiled (bytes); a longer one is reported and not applied.
pub const MAX_PATTERN: usize = 4096;

/// What a policy applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyTo {
    All,
    Queues,
    ClassicQueues,
    Exchanges,
    /// A value warren does not recognise (or one for queue types it does not model).
    Other(String),
}

/// A policy (or operator policy) as the definitions file lists it, its pattern compiled.
#[derive(Clone, Debug)]
pub struct PolicyDefn {
    pub name: String,
    pub pattern: String,
    pub apply_to: ApplyTo,
    pub priority: f64,
    pub definition: Map<String, Value>,
    /// The compiled pattern, or why it could not be.
    pub regex: Result<regex_lite::Regex, String>,
}

impl PolicyDefn {
    /// Reads a policy: `outer` holds its `name`, `body` its `pattern`, `definition`,
    /// `priority` and `apply-to` (the same object for `policies`, the `value` of an operator
    /// policy parameter).
    pub fn read(outer: &Map<String, Value>, body: &Map<String, Value>) -> PolicyDefn {
        let name = outer.get("name").and_then(Value::as_str).unwrap_or("").to_string();
        let pattern = body.get("pattern").and_then(Value::as_str).map(str::to_string);
        let apply_to = match body.get("apply-to").and_then(Value::as_str).unwrap_or("all") {
            "all" => ApplyTo::All,
            "queues" => ApplyTo::Queues,
            "classic_queues" => ApplyTo::ClassicQueues,
            "exchanges" => ApplyTo::Exchanges,
            other => ApplyTo::Other(other.chars().take(100).collect()),
        };
        let priority = match body.get("priority") {
            Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
            Some(Value::String(s)) => s.trim().parse::<i64>().map(|i| i as f64).unwrap_or(0.0),
            _ => 0.0,
        };
        let definition = definition(body.get("definition"));
        let regex = match &pattern {
            None => Err("it has no text `pattern`".to_string()),
            Some(p) if p.len() > MAX_PATTERN => Err(format!("its pattern is {} bytes long (warren compiles up to {MAX_PATTERN})", p.len())),
            Some(p) => regex_lite::RegexBuilder::new(p)
                .size_limit(1 << 20)
                .nest_limit(64)
                .build()
                .map_err(|e| format!("warren cannot compile its pattern: {}", first_line(&e.to_string()))),
        };
        PolicyDefn { name, pattern: pattern.unwrap_or_default(), apply_to, priority, definition, regex }
    }

    fn covers(&self, kind: Kind) -> bool {
        matches!(
            (kind, &self.apply_to),
            (_, ApplyTo::All) | (Kind::Queue, ApplyTo::Queues | ApplyTo::ClassicQueues) | (Kind::Exchange, ApplyTo::Exchanges)
        )
    }

    fn matches(&self, name: &str, kind: Kind) -> bool {
        self.covers(kind) && self.regex.as_ref().is_ok_and(|r| r.is_match(name))
    }

    /// `priority` as written: an integer when it is one.
    pub fn priority_text(&self) -> String {
        if self.priority.fract() == 0.0 && self.priority.abs() < 1e15 {
            format!("{}", self.priority as i64)
        } else {
            format!("{}", self.priority)
        }
    }
}

/// A policy's `definition`: an object, or (as RabbitMQ 3.10 exports operator policies) a
/// list of `[key, value]` pairs.
fn definition(v: Option<&Value>) -> Map<String, Value> {
    match v {
        Some(Value::Object(o)) => o.clone(),
        Some(Value::Array(pairs)) => pairs
            .iter()
            .filter_map(|p| match p.as_array().map(Vec::as_slice) {
                Some([Value::String(k), v]) => Some((k.clone(), v.clone())),
                _ => None,
            })
            .collect(),
        _ => Map::new(),
    }
}

fn first_line(s: &str) -> String {
    s.lines().map(str::trim).rfind(|l| !l.is_empty()).unwrap_or("").chars().take(200).collect()
}

/// Queue or exchange.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Queue,
    Exchange,
}

/// The policy that applies to `name`, and the others of the same priority that also matched
/// (a tie RabbitMQ breaks by its own list order).
pub fn winner<'a>(policies: &'a [PolicyDefn], name: &str, kind: Kind) -> Option<(&'a PolicyDefn, Vec<&'a PolicyDefn>)> {
    best_of(policies.iter().filter(|p| p.matches(name, kind)))
}

fn best_of<'a>(matching: impl Iterator<Item = &'a PolicyDefn>) -> Option<(&'a PolicyDefn, Vec<&'a PolicyDefn>)> {
    let mut best: Option<&PolicyDefn> = None;
    let mut ties = Vec::new();
    for p in matching {
        match best {
            Some(b) if p.priority > b.priority => {
                best = Some(p);
                ties.clear();
            }
            Some(b) if p.priority == b.priority => ties.push(p),
            Some(_) => {}
            None => best = Some(p),
        }
    }
    best.map(|b| (b, ties))
}

/// The winner among the policies that may apply to a queue of this type: RabbitMQ 3.10
/// passes over a policy with any key the type lists as unsupported
/// (`rabbit_queue_type:is_policy_applicable/2`, the types' `capabilities()`), so a lower
/// priority one may apply instead.
pub fn queue_winner<'a>(policies: &'a [PolicyDefn], name: &str, quorum: bool) -> Option<(&'a PolicyDefn, Vec<&'a PolicyDefn>)> {
    let unsupported: &[&str] = if quorum { &QUORUM_UNSUPPORTED } else { &CLASSIC_UNSUPPORTED };
    best_of(
        policies
            .iter()
            .filter(|p| p.matches(name, Kind::Queue) && !(quorum && p.apply_to == ApplyTo::ClassicQueues))
            .filter(|p| p.definition.keys().all(|k| !unsupported.contains(&k.as_str()))),
    )
}

/// Policy keys a quorum queue does not support (rabbit_quorum_queue:capabilities/0, 3.10).
const QUORUM_UNSUPPORTED: [&str; 12] = [
    "max-priority",
    "queue-mode",
    "single-active-consumer",
    "ha-mode",
    "ha-params",
    "ha-sync-mode",
    "ha-promote-on-shutdown",
    "ha-promote-on-failure",
    "queue-master-locator",
    "max-age",
    "stream-max-segment-size-bytes",
    "initial-cluster-size",
];

/// Policy keys a classic queue does not support (rabbit_classic_queue:capabilities/0, 3.10).
const CLASSIC_UNSUPPORTED: [&str; 6] =
    ["max-age", "stream-max-segment-size-bytes", "queue-leader-locator", "initial-cluster-size", "delivery-limit", "dead-letter-strategy"];

/// How a policy key and the queue's own argument combine.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Resolve {
    /// The lower of the two.
    Min,
    /// The queue's argument.
    Arg,
    /// The policy's value.
    Policy,
}

/// How policy and argument combine for a key on a quorum queue, where it differs from a
/// classic one (rabbit_quorum_queue:ra_machine_config/1: `overflow` and `expires` with
/// `policyHasPrecedence`).
fn quorum_rule(key: &str, classic: Resolve) -> Resolve {
    match key {
        "overflow" | "expires" => Resolve::Policy,
        _ => classic,
    }
}

/// The policy keys warren models: (policy key, queue argument, rule). Which queue type
/// each applies to: [`applies_to`].
pub const QUEUE_KEYS: [(&str, &str, Resolve); 12] = [
    ("expires", "x-expires", Resolve::Min),
    ("dead-letter-exchange", "x-dead-letter-exchange", Resolve::Arg),
    ("dead-letter-routing-key", "x-dead-letter-routing-key", Resolve::Arg),
    ("message-ttl", "x-message-ttl", Resolve::Min),
    ("max-length", "x-max-length", Resolve::Min),
    ("max-length-bytes", "x-max-length-bytes", Resolve::Min),
    ("overflow", "x-overflow", Resolve::Arg),
    ("queue-mode", "x-queue-mode", Resolve::Arg),
    // Quorum queues (rabbit_quorum_queue: delivery-limit and the in-memory limits take the
    // lower, the queue's own dead-letter strategy wins).
    ("delivery-limit", "x-delivery-limit", Resolve::Min),
    ("dead-letter-strategy", "x-dead-letter-strategy", Resolve::Arg),
    ("max-in-memory-length", "x-max-in-memory-length", Resolve::Min),
    ("max-in-memory-bytes", "x-max-in-memory-bytes", Resolve::Min),
];

/// Whether a queue argument means anything to a queue of this type (`quorum`, or classic):
/// RabbitMQ refuses a declaration with the other type's arguments, and a policy's key for
/// the other type does nothing.
pub fn applies_to(arg: &str, quorum: bool) -> bool {
    match arg {
        "x-delivery-limit"
        | "x-dead-letter-strategy"
        | "x-max-in-memory-length"
        | "x-max-in-memory-bytes"
        | "x-quorum-initial-group-size" => quorum,
        "x-queue-mode" | "x-max-priority" => !quorum,
        _ => true,
    }
}

/// One effective queue argument and where it came from, for the comment beside it.
#[derive(Clone, Debug, PartialEq)]
pub struct Effective {
    pub argument: String,
    pub value: Value,
    /// Why this value, in a sentence; `None` when it is the queue's own argument, unopposed.
    pub why: Option<String>,
}

/// The policies that apply to one queue.
pub struct Applied<'a> {
    pub policy: Option<&'a PolicyDefn>,
    pub operator: Option<&'a PolicyDefn>,
}

fn lower(a: &Value, b: &Value) -> Option<Value> {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => Some(Value::from(x.min(y))),
        _ => None,
    }
}

/// The queue's effective `x-` arguments for the keys policies can set ([`QUEUE_KEYS`]),
/// in that order; the queue's other arguments are left to the caller.
pub fn queue_arguments(args: &Map<String, Value>, applied: &Applied, quorum: bool) -> (Vec<Effective>, Vec<String>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (key, arg, rule) in QUEUE_KEYS {
        let rule = if quorum { quorum_rule(key, rule) } else { rule };
        let pol = applied.policy.and_then(|p| p.definition.get(key).map(|v| (p, v)));
        let op = applied.operator.and_then(|p| p.definition.get(key).map(|v| (p, v)));
        let own = args.get(arg);
        // Policy and operator policy first (rabbit_policy:get/2), then against the argument.
        let from_policy: Option<(Value, String)> = match (pol, op) {
            (None, None) => None,
            (Some((p, v)), None) => Some((v.clone(), format!("policy {} sets {key} {}", q(&p.name), show(v)))),
            (None, Some((o, v))) => Some((v.clone(), format!("operator policy {} sets {key} {}", q(&o.name), show(v)))),
            (Some((p, v)), Some((o, w))) => match lower(v, w) {
                Some(m) => Some((
                    m.clone(),
                    format!(
                        "policy {} sets {key} {} and operator policy {} {}: the lower, {}",
                        q(&p.name),
                        show(v),
                        q(&o.name),
                        show(w),
                        show(&m)
                    ),
                )),
                None => {
                    problems.push(format!(
                        "{key}: policy {} and operator policy {} disagree with values warren cannot compare",
                        q(&p.name),
                        q(&o.name)
                    ));
                    Some((v.clone(), format!("policy {} sets {key} {}", q(&p.name), show(v))))
                }
            },
        };
        let e = match (from_policy, own) {
            (None, None) => continue,
            (None, Some(v)) => Effective { argument: arg.into(), value: v.clone(), why: None },
            (Some((v, why)), None) => Effective { argument: arg.into(), value: v, why: Some(why) },
            (Some((v, why)), Some(a)) => match rule {
                Resolve::Arg => Effective {
                    argument: arg.into(),
                    value: a.clone(),
                    why: Some(format!("the queue's own argument {}; {why}, but for {key} the argument wins", show(a))),
                },
                Resolve::Policy => Effective {
                    argument: arg.into(),
                    value: v,
                    why: Some(format!("{why}, the queue's argument is {}: on a quorum queue the policy wins for {key}", show(a))),
                },
                Resolve::Min => match lower(&v, a) {
                    Some(m) => Effective {
                        argument: arg.into(),
                        value: m.clone(),
                        why: Some(format!("{why}, the queue's argument is {}: for {key} the lower wins, {}", show(a), show(&m))),
                    },
                    None => {
                        problems.push(format!("{arg}: the argument {} and the policy's {} are not both whole numbers", show(a), show(&v)));
                        continue;
                    }
                },
            },
        };
        out.push(e);
    }
    (out, problems)
}

/// A name in a comment.
pub fn q(s: &str) -> String {
    super::yaml::quote(s)
}

/// A JSON value in a comment (shortened).
pub fn show(v: &Value) -> String {
    let s = match v {
        Value::String(s) => q(s),
        other => other.to_string(),
    };
    if s.chars().count() > 120 {
        format!("{}...", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(name: &str, pattern: &str, apply_to: &str, priority: i64, def: Value) -> PolicyDefn {
        let v = json!({"name": name, "pattern": pattern, "apply-to": apply_to, "priority": priority, "definition": def});
        PolicyDefn::read(v.as_object().unwrap(), v.as_object().unwrap())
    }

    #[test]
    fn highest_priority_wins_and_first_of_a_tie() {
        let ps = vec![
            policy("low", ".*", "all", 0, json!({})),
            policy("orders", "^orders\\.", "queues", 5, json!({})),
            policy("orders-too", "orders", "queues", 5, json!({})),
            policy("xs", ".*", "exchanges", 9, json!({})),
        ];
        let (w, ties) = winner(&ps, "orders.eu", Kind::Queue).unwrap();
        assert_eq!((w.name.as_str(), ties.len()), ("orders", 1));
        assert_eq!(winner(&ps, "billing", Kind::Queue).unwrap().0.name, "low");
        assert_eq!(winner(&ps, "billing", Kind::Exchange).unwrap().0.name, "xs");
        // Unanchored: a pattern matches anywhere in the name, as Erlang's re:run does.
        assert_eq!(winner(&ps, "old-orders", Kind::Queue).unwrap().0.name, "orders-too");
    }

    #[test]
    fn bad_patterns_and_unknown_apply_to_match_nothing() {
        let ps = vec![policy("bad", "(", "all", 1, json!({})), policy("qq", ".*", "quorum_queues", 1, json!({}))];
        assert!(ps[0].regex.is_err());
        assert!(winner(&ps, "anything", Kind::Queue).is_none());
    }

    #[test]
    fn a_policy_with_a_key_the_queue_type_does_not_support_is_passed_over() {
        let ps = vec![
            policy("lazy", ".*", "queues", 5, json!({"queue-mode": "lazy", "max-length": 3})),
            policy("limit", ".*", "queues", 1, json!({"delivery-limit": 2})),
            policy("plain", ".*", "all", 0, json!({"max-length": 9})),
        ];
        assert_eq!(queue_winner(&ps, "q", false).unwrap().0.name, "lazy", "a classic queue takes the highest");
        assert_eq!(queue_winner(&ps, "q", true).unwrap().0.name, "limit", "queue-mode: not for a quorum queue");
        let classic_only = vec![policy("c", ".*", "classic_queues", 0, json!({"max-length": 1}))];
        assert!(queue_winner(&classic_only, "q", true).is_none());
    }

    #[test]
    fn numbers_take_the_lower_and_the_rest_the_argument() {
        let p = policy(
            "p",
            ".*",
            "queues",
            0,
            json!({"max-length": 50, "message-ttl": 60000, "overflow": "drop-head", "dead-letter-exchange": "dlx"}),
        );
        let op = policy("op", ".*", "queues", 0, json!({"max-length": 20}));
        let args = json!({"x-max-length": 100, "x-overflow": "reject-publish", "x-message-ttl": 5000});
        let applied = Applied { policy: Some(&p), operator: Some(&op) };
        let (eff, problems) = queue_arguments(args.as_object().unwrap(), &applied, false);
        assert!(problems.is_empty());
        let got: Vec<(String, Value)> = eff.iter().map(|e| (e.argument.clone(), e.value.clone())).collect();
        assert_eq!(
            got,
            vec![
                ("x-dead-letter-exchange".into(), json!("dlx")),
                ("x-message-ttl".into(), json!(5000)),
                ("x-max-length".into(), json!(20)),
                ("x-overflow".into(), json!("reject-publish")),
            ]
        );
        assert!(eff[2].why.as_deref().unwrap().contains("the lower wins"), "{:?}", eff[2].why);
        // On a quorum queue the policy's overflow wins over the argument.
        let (eff, _) = queue_arguments(args.as_object().unwrap(), &applied, true);
        let overflow = eff.iter().find(|e| e.argument == "x-overflow").unwrap();
        assert_eq!(overflow.value, json!("drop-head"));
    }
}
