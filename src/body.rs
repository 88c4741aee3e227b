//! A message body as it travels: a template and a number, rendered only when shown.
//!
//! A leaf of the crate (it knows only [`crate::ids`] and [`crate::names`]): messages keep
//! their bodies in the [`crate::broker::message::MessageStore`], and the trace vocabulary
//! ([`crate::record`]) names one in `Record::NotPublished`, so both sit above it.

use crate::ids::Sym;
use crate::names::Names;
use std::borrow::Cow;

/// A body: the text of `tpl` with `{n}` replaced by `n`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Body {
    pub tpl: Sym,
    pub n: u32,
}

impl Body {
    pub fn literal(tpl: Sym) -> Body {
        Body { tpl, n: 0 }
    }

    pub fn render<'a>(&self, names: &'a Names) -> Cow<'a, str> {
        let t = names.get(self.tpl);
        if t.contains("{n}") {
            Cow::Owned(t.replace("{n}", &self.n.to_string()))
        } else {
            Cow::Borrowed(t)
        }
    }

    /// Length in bytes of the rendered body (for `x-max-length-bytes`), without rendering it.
    pub fn len(&self, names: &Names) -> u64 {
        let t = names.get(self.tpl);
        let holes = t.matches("{n}").count() as u64;
        if holes == 0 {
            return t.len() as u64;
        }
        let digits = if self.n == 0 { 1 } else { (self.n as f64).log10().floor() as u64 + 1 };
        t.len() as u64 - 3 * holes + digits * holes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_templates_render_and_measure() {
        let mut names = Names::new();
        let tpl = names.intern("task {n}");
        let b = Body { tpl, n: 12 };
        assert_eq!(b.render(&names), "task 12");
        assert_eq!(b.len(&names), 7);
        let lit = Body::literal(names.intern("hello"));
        assert_eq!(lit.render(&names), "hello");
        assert_eq!(lit.len(&names), 5);
        assert_eq!(Body { tpl, n: 0 }.len(&names), 6);
        assert_eq!(Body { tpl, n: 1000 }.len(&names), 9);
    }
}
