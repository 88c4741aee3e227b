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

    /// The same names, same symbols, in strings of its own (a clone shares them, and their
    /// reference counts, with the original: `warren explore` gives each thread its own).
    pub fn unshared(&self) -> Names {
        let mut n = Names::default();
        for s in &self.strings {
            n.intern(s);
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unshared_names_keep_their_symbols_in_strings_of_their_own() {
        let mut a = Names::new();
        let (q, x) = (a.intern("task_queue"), a.intern("logs"));
        let b = a.unshared();
        assert_eq!((b.lookup("task_queue"), b.lookup("logs"), b.lookup("")), (Some(q), Some(x), Some(Names::empty())));
        assert_eq!(b.get(x), "logs");
        assert!(!Arc::ptr_eq(&a.strings[q.idx()], &b.strings[q.idx()]));
    }
}
