//! Exports of a scenario for the world outside warren:
//!
//! - [`pika`]: a Python script that performs the scenario against a real RabbitMQ broker;
//! - [`diagram`]: a run as a sequence diagram, written as Mermaid text ([`mermaid`]) or drawn
//!   as a standalone SVG ([`svg`]).
//!
//! docs/exports.md documents each format.

pub mod diagram;
pub mod mermaid;
pub mod pika;
pub mod svg;
