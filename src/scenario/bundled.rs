//! The scenarios shipped with warren, embedded in the binary so that `warren run NAME` works
//! from any directory. The files live in `scenarios/`; a test checks this list matches it.

macro_rules! bundled {
    ($($name:literal),* $(,)?) => {
        /// (name, YAML text) of every bundled scenario, in teaching order.
        pub const BUNDLED: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../scenarios/", $name, ".yaml")))),*
        ];
    };
}

bundled![
    "hello",
    "work-queues",
    "ack-redelivery",
    "durability",
    "fair-dispatch",
    "fanout-logs",
    "direct-logs",
    "topic-logs",
    "headers",
    "rpc",
    "publisher-confirms",
    "pitfall-wrong-queue",
    "pitfall-missing-reply-to",
    "pitfall-redeclare",
    "pitfall-unconfirmed-loss",
    "pitfall-ack-every",
    "ttl-and-dead-letters",
    "priorities",
    "quorum-vs-classic",
    "poison-message",
    "consumer-timeout",
    "explore-auto-ack",
];

/// The text of the bundled scenario called `name`.
pub fn get(name: &str) -> Option<&'static str> {
    BUNDLED.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Every bundled scenario's name.
pub fn names() -> Vec<&'static str> {
    BUNDLED.iter().map(|(n, _)| *n).collect()
}
