//! The string table: every name, routing key and body template is interned once and then
//! referred to by a [`Sym`]. Lookups use a hash map; nothing ever iterates it, so its order
//! cannot reach behaviour or the trace.

use crate::ids::Sym;
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct Names {
    strings: Vec<Arc<str>>,
    index: HashMap<Arc<str>, Sym>,
}

impl Names {
    pub fn new() -> Self {
        let mut n = Names::default();
        n.intern(""); // Sym(0) is always the empty string
        n
    }

    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.index.get(s) {
            return sym;
        }
        let sym = Sym(self.strings.len() as u32);
        let arc: Arc<str> = Arc::from(s);
        self.strings.push(arc.clone());
        self.index.insert(arc, sym);
        sym
    }

    pub fn lookup(&self, s: &str) -> Option<Sym> {
        self.index.get(s).copied()
    }

    #[inline]
    pub fn get(&self, sym: Sym) -> &str {
        self.strings.get(sym.idx()).map(|s| &**s).unwrap_or("?")
    }

    pub fn empty() -> Sym {
        Sym(0)
    }
}
