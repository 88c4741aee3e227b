//! AMQP errors with RabbitMQ's reply codes and wording.
//!
//! A *channel* error closes the channel it happened on (its unacked messages are requeued);
//! a *connection* error closes the whole connection. The texts follow RabbitMQ 3.10's
//! exactly (`NOT_FOUND - no queue 'x' in vhost '/'`), so a student can match them against
//! what pika prints.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmqpError {
    pub code: u16,
    pub text: String,
    /// Closes the whole connection, not just the channel.
    pub connection: bool,
}

impl fmt::Display for AmqpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.text)
    }
}

/// The reply-code's name, as RabbitMQ spells it.
pub fn code_name(code: u16) -> &'static str {
    match code {
        200 => "REPLY_SUCCESS",
        312 => "NO_ROUTE",
        320 => "CONNECTION_FORCED",
        403 => "ACCESS_REFUSED",
        404 => "NOT_FOUND",
        405 => "RESOURCE_LOCKED",
        406 => "PRECONDITION_FAILED",
        503 => "COMMAND_INVALID",
        530 => "NOT_ALLOWED",
        540 => "NOT_IMPLEMENTED",
        _ => "ERROR",
    }
}

fn channel(code: u16, detail: String) -> AmqpError {
    AmqpError { code, text: format!("{} - {}", code_name(code), detail), connection: false }
}

fn connection(code: u16, detail: String) -> AmqpError {
    AmqpError { code, text: format!("{} - {}", code_name(code), detail), connection: true }
}

impl AmqpError {
    pub fn no_exchange(name: &str) -> Self {
        channel(404, format!("no exchange '{name}' in vhost '/'"))
    }
    pub fn no_queue(name: &str) -> Self {
        channel(404, format!("no queue '{name}' in vhost '/'"))
    }
    pub fn resource_locked(queue: &str) -> Self {
        channel(
            405,
            format!(
                "cannot obtain exclusive access to locked queue '{queue}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration."
            ),
        )
    }
    pub fn inequivalent(kind: &str, name: &str, arg: &str, received: &str, current: &str) -> Self {
        channel(406, format!("inequivalent arg '{arg}' for {kind} '{name}' in vhost '/': received {received} but current is {current}"))
    }
    pub fn unknown_delivery_tag(tag: u64) -> Self {
        channel(406, format!("unknown delivery tag {tag}"))
    }
    pub fn reserved_name(kind: &str, name: &str) -> Self {
        channel(403, format!("{kind} name '{name}' contains reserved prefix 'amq.*'"))
    }
    pub fn default_exchange_access() -> Self {
        channel(403, "operation not permitted on the default exchange".into())
    }
    pub fn delete_system_exchange(name: &str) -> Self {
        channel(403, format!("deletion of system exchange '{name}' in vhost '/' not allowed"))
    }
    pub fn exclusive_use(queue: &str) -> Self {
        channel(403, format!("queue '{queue}' in vhost '/' in exclusive use"))
    }
    pub fn not_empty(queue: &str) -> Self {
        channel(406, format!("queue '{queue}' in vhost '/' not empty"))
    }
    pub fn in_use(queue: &str) -> Self {
        channel(406, format!("queue '{queue}' in vhost '/' in use"))
    }
    pub fn reply_consumer_cannot_ack() -> Self {
        channel(406, "reply consumer cannot acknowledge".into())
    }
    pub fn fast_reply_consumer_missing() -> Self {
        channel(406, "fast reply consumer does not exist".into())
    }
    pub fn reply_consumer_exists() -> Self {
        channel(406, "reply consumer already set".into())
    }
    pub fn invalid_x_match(value: &str) -> Self {
        channel(406, format!("Invalid x-match field value <<\"{value}\">>; expected all, any, all-with-x, or any-with-x"))
    }
    pub fn tx_to_confirm() -> Self {
        channel(406, "cannot switch from tx to confirm mode".into())
    }
    pub fn confirm_to_tx() -> Self {
        channel(406, "cannot switch from confirm to tx mode".into())
    }
    pub fn prefetch_size() -> Self {
        connection(540, "prefetch_size!=0 (1)".into())
    }
    pub fn unknown_exchange_type(ty: &str) -> Self {
        connection(503, format!("unknown exchange type '{ty}'"))
    }
    pub fn consumer_tag_reused(tag: &str) -> Self {
        connection(530, format!("attempt to reuse consumer tag '{tag}'"))
    }
    pub fn recover_requeue_false() -> Self {
        connection(540, "requeue=false".into())
    }
    pub fn exclusive_consumer_on_sac(queue: &str) -> Self {
        channel(403, format!("queue '{queue}' in vhost '/' in exclusive use"))
    }
    pub fn broker_shutdown() -> Self {
        connection(320, "broker forced connection closure with reason 'shutdown'".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_match_rabbitmq() {
        assert_eq!(AmqpError::no_queue("Q").text, "NOT_FOUND - no queue 'Q' in vhost '/'");
        assert_eq!(AmqpError::unknown_delivery_tag(1).text, "PRECONDITION_FAILED - unknown delivery tag 1");
        assert_eq!(
            AmqpError::inequivalent("queue", "Q", "durable", "'true'", "'false'").text,
            "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'Q' in vhost '/': received 'true' but current is 'false'"
        );
        assert!(AmqpError::recover_requeue_false().connection);
        assert_eq!(AmqpError::recover_requeue_false().text, "NOT_IMPLEMENTED - requeue=false");
    }
}
