//! The sentences, one function per record kind, in files by record family. Each takes the
//! [`Ctx`] and the record's fields and returns a [`Line`]; English and Chinese sit side by
//! side in each [`tr!`]. They read the world through `Ctx` and never change it.
//!
//! A new record kind gets its sentence function in its family's file, and one arm in
//! [`crate::explain::describe`].

pub mod client;
pub mod deliver;
pub mod fate;
pub mod publish;
pub mod rpc;
pub mod run;
pub mod settle;
pub mod topology;

use crate::body::Body;
use crate::broker::exchange::Matcher;
use crate::explain::{tr, Ctx, Lang, Line};
use crate::ids::{Actor, BindingId, ClientId, ExchangeId, MsgId, QueueId, Sym};
use crate::record::*;
use crate::scenario::Note;
use crate::sim::Time;

fn line(actor: String, what: String, why: Option<String>) -> Line {
    Line { actor, what, why }
}

fn broker() -> String {
    "broker".to_string()
}

fn yesno(lang: Lang, b: bool, en: &str, zh: &str) -> String {
    if b {
        match lang {
            Lang::En => en.to_string(),
            Lang::Zh => zh.to_string(),
        }
    } else {
        String::new()
    }
}
