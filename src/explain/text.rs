//! The readable trace: one record a line, with its simulated time, its actor, what happened
//! and why.

use super::{describe, Ctx};
use crate::record::Record;
use crate::sim::Stamped;

/// Formats one stamped record as a trace line. `width` pads the actor column.
pub fn line(cx: &Ctx, s: &Stamped<Record>, width: usize) -> String {
    let d = describe(cx, &s.rec);
    let mut out = format!("{:#}  {:<width$}  {}", s.t, d.actor, d.what);
    if let Some(why) = d.why {
        out.push_str("  — ");
        out.push_str(&why);
    }
    out
}

/// The width the actor column needs for this world's names.
pub fn actor_width(cx: &Ctx) -> usize {
    cx.world.clients.iter().map(|c| c.name().chars().count()).chain([6]).max().unwrap_or(6)
}
