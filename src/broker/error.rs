//! AMQP errors with RabbitMQ's reply codes and wording.
//!
//! A *channel* error closes the channel it happened on (its unacked messages are requeued);
//! a *connection* error closes the whole connection. The texts follow RabbitMQ 3.10's
//! exactly (`NOT_FOUND - no queue 'x' in vhost '/'`), so a student can match them against
//! what pika prints.

use std::fmt;

/// An AMQP reply code, named as RabbitMQ names it. Frames and trace records carry the
/// number ([`ReplyCode::code`]); the broker decides with the name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum ReplyCode {
    Success = 200,
    /// `basic.return` of a mandatory message no queue took.
    NoRoute = 312,
    /// The broker closed the connection on purpose (shutdown); clients reconnect.
    ConnectionForced = 320,
    AccessRefused = 403,
    NotFound = 404,
    ResourceLocked = 405,
    PreconditionFailed = 406,
    CommandInvalid = 503,
    NotAllowed = 530,
    NotImplemented = 540,
}

impl ReplyCode {
    const ALL: [ReplyCode; 10] = [
        ReplyCode::Success,
        ReplyCode::NoRoute,
        ReplyCode::ConnectionForced,
        ReplyCode::AccessRefused,
        ReplyCode::NotFound,
        ReplyCode::ResourceLocked,
        ReplyCode::PreconditionFailed,
        ReplyCode::CommandInvalid,
        ReplyCode::NotAllowed,
        ReplyCode::NotImplemented,
    ];

    /// The number on the wire.
    pub const fn code(self) -> u16 {
        self as u16
    }

    /// The named code for a number, if it is one warren knows.
    pub fn from_code(code: u16) -> Option<ReplyCode> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The code's name, as RabbitMQ spells it.
    pub const fn name(self) -> &'static str {
        match self {
            ReplyCode::Success => "REPLY_SUCCESS",
            ReplyCode::NoRoute => "NO_ROUTE",
            ReplyCode::ConnectionForced => "CONNECTION_FORCED",
            ReplyCode::AccessRefused => "ACCESS_REFUSED",
            ReplyCode::NotFound => "NOT_FOUND",
            ReplyCode::ResourceLocked => "RESOURCE_LOCKED",
            ReplyCode::PreconditionFailed => "PRECONDITION_FAILED",
            ReplyCode::CommandInvalid => "COMMAND_INVALID",
            ReplyCode::NotAllowed => "NOT_ALLOWED",
            ReplyCode::NotImplemented => "NOT_IMPLEMENTED",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmqpError {
    pub code: ReplyCode,
    pub text: String,
    /// Closes the whole connection, not just the channel.
    pub connection: bool,
}

impl fmt::Display for AmqpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code.code(), self.text)
    }
}

/// The reply-code's name, as RabbitMQ spells it (`ERROR` for a number warren does not know).
pub fn code_name(code: u16) -> &'static str {
    ReplyCode::from_code(code).map_or("ERROR", ReplyCode::name)
}

fn channel(code: ReplyCode, detail: String) -> AmqpError {
    AmqpError { code, text: format!("{} - {}", code.name(), detail), connection: false }
}

fn connection(code: ReplyCode, detail: String) -> AmqpError {
    AmqpError { code, text: format!("{} - {}", code.name(), detail), connection: true }
}

impl AmqpError {
    pub fn no_exchange(name: &str) -> Self {
        channel(ReplyCode::NotFound, format!("no exchange '{name}' in vhost '/'"))
    }
    pub fn no_queue(name: &str) -> Self {
        channel(ReplyCode::NotFound, format!("no queue '{name}' in vhost '/'"))
    }
    pub fn resource_locked(queue: &str) -> Self {
        channel(ReplyCode::ResourceLocked,
            format!(
                "cannot obtain exclusive access to locked queue '{queue}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration."
            ),
        )
    }
    /// `basic.get` on a quorum queue with single active consumer (`rabbit_channel`, on the
    /// `{error, unsupported}` of `rabbit_fifo`), whether or not the queue is empty.
    pub fn get_on_single_active_quorum(queue: &str) -> Self {
        channel(
            ReplyCode::ResourceLocked,
            format!(
                "cannot obtain access to locked queue '{queue}' in vhost '/'. basic.get operations are not supported by quorum queues with single active consumer"
            ),
        )
    }
    pub fn inequivalent(kind: &str, name: &str, arg: &str, received: &str, current: &str) -> Self {
        channel(
            ReplyCode::PreconditionFailed,
            format!("inequivalent arg '{arg}' for {kind} '{name}' in vhost '/': received {received} but current is {current}"),
        )
    }
    pub fn unknown_delivery_tag(tag: u64) -> Self {
        channel(ReplyCode::PreconditionFailed, format!("unknown delivery tag {tag}"))
    }
    pub fn reserved_name(kind: &str, name: &str) -> Self {
        channel(ReplyCode::AccessRefused, format!("{kind} name '{name}' contains reserved prefix 'amq.*'"))
    }
    pub fn default_exchange_access() -> Self {
        channel(ReplyCode::AccessRefused, "operation not permitted on the default exchange".into())
    }
    pub fn delete_system_exchange(name: &str) -> Self {
        channel(ReplyCode::AccessRefused, format!("deletion of system exchange '{name}' in vhost '/' not allowed"))
    }
    pub fn internal_exchange(exchange: &str) -> Self {
        channel(ReplyCode::AccessRefused, format!("cannot publish to internal exchange '{exchange}' in vhost '/'"))
    }
    pub fn exclusive_use(queue: &str) -> Self {
        channel(ReplyCode::AccessRefused, format!("queue '{queue}' in vhost '/' in exclusive use"))
    }
    pub fn not_empty(queue: &str) -> Self {
        channel(ReplyCode::PreconditionFailed, format!("queue '{queue}' in vhost '/' not empty"))
    }
    pub fn exchange_in_use(exchange: &str) -> Self {
        channel(ReplyCode::PreconditionFailed, format!("exchange '{exchange}' in vhost '/' in use"))
    }
    pub fn in_use(queue: &str) -> Self {
        channel(ReplyCode::PreconditionFailed, format!("queue '{queue}' in vhost '/' in use"))
    }
    pub fn reply_consumer_cannot_ack() -> Self {
        channel(ReplyCode::PreconditionFailed, "reply consumer cannot acknowledge".into())
    }
    pub fn fast_reply_consumer_missing() -> Self {
        channel(ReplyCode::PreconditionFailed, "fast reply consumer does not exist".into())
    }
    pub fn reply_consumer_exists() -> Self {
        channel(ReplyCode::PreconditionFailed, "reply consumer already set".into())
    }
    pub fn invalid_x_match(value: &str) -> Self {
        channel(
            ReplyCode::PreconditionFailed,
            format!("Invalid x-match field value <<\"{value}\">>; expected all, any, all-with-x, or any-with-x"),
        )
    }
    pub fn tx_to_confirm() -> Self {
        channel(ReplyCode::PreconditionFailed, "cannot switch from tx to confirm mode".into())
    }
    pub fn confirm_to_tx() -> Self {
        channel(ReplyCode::PreconditionFailed, "cannot switch from confirm to tx mode".into())
    }
    pub fn prefetch_size() -> Self {
        connection(ReplyCode::NotImplemented, "prefetch_size!=0 (1)".into())
    }
    pub fn unknown_exchange_type(ty: &str) -> Self {
        connection(ReplyCode::CommandInvalid, format!("unknown exchange type '{ty}'"))
    }
    pub fn consumer_tag_reused(tag: &str) -> Self {
        connection(ReplyCode::NotAllowed, format!("attempt to reuse consumer tag '{tag}'"))
    }
    pub fn recover_requeue_false() -> Self {
        connection(ReplyCode::NotImplemented, "requeue=false".into())
    }
    pub fn exclusive_consumer_on_sac(queue: &str) -> Self {
        channel(ReplyCode::AccessRefused, format!("queue '{queue}' in vhost '/' in exclusive use"))
    }
    /// A property a queue type does not allow (`rabbit_queue_type_util:check_*`).
    pub fn invalid_property(prop: &str, queue: &str) -> Self {
        channel(ReplyCode::PreconditionFailed, format!("invalid property '{prop}' for queue '{queue}' in vhost '/'"))
    }
    /// An argument of another queue type (`rabbit_amqqueue:check_arguments_key/4`).
    pub fn invalid_arg_for_type(arg: &str, queue: &str, module: &str) -> Self {
        channel(ReplyCode::PreconditionFailed, format!("invalid arg '{arg}' for queue '{queue}' in vhost '/' of queue type {module}"))
    }
    pub fn server_named_not_allowed(module: &str) -> Self {
        channel(ReplyCode::PreconditionFailed, format!("Cannot declare a server-named queue for type {module}"))
    }
    /// `basic.consume` on a quorum queue from a channel with a global prefetch.
    pub fn global_qos_not_supported(queue: &str) -> Self {
        connection(ReplyCode::NotImplemented, format!("queue '{queue}' in vhost '/' does not support global qos"))
    }
    /// The consumer timeout (`rabbit_channel:evaluate_consumer_timeout/1`).
    pub fn delivery_ack_timeout(channel_number: u16, timeout_ms: u64) -> Self {
        channel(
            ReplyCode::PreconditionFailed,
            format!(
                "delivery acknowledgement on channel {channel_number} timed out. Timeout value used: {timeout_ms} ms. This timeout value can be configured, see consumers doc guide to learn more"
            ),
        )
    }
    pub fn broker_shutdown() -> Self {
        connection(ReplyCode::ConnectionForced, "broker forced connection closure with reason 'shutdown'".into())
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
        assert_eq!(AmqpError::exchange_in_use("x").text, "PRECONDITION_FAILED - exchange 'x' in vhost '/' in use");
        // Observed on RabbitMQ 3.10.8 (basic.get on a quorum queue with single active consumer).
        assert_eq!(
            AmqpError::get_on_single_active_quorum("q").text,
            "RESOURCE_LOCKED - cannot obtain access to locked queue 'q' in vhost '/'. basic.get operations are not supported by quorum queues with single active consumer"
        );
    }

    #[test]
    fn reply_codes_round_trip_through_their_numbers() {
        for c in ReplyCode::ALL {
            assert_eq!(ReplyCode::from_code(c.code()), Some(c));
            assert_eq!(code_name(c.code()), c.name());
        }
        assert_eq!(ReplyCode::ConnectionForced.code(), 320);
        assert_eq!(ReplyCode::NotFound.code(), 404);
        assert_eq!(code_name(999), "ERROR");
    }
}
