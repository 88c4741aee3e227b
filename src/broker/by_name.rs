//! Exchanges and queues by name: a vector indexed by the name's interned symbol.
//!
//! Every `basic.publish` looks up its exchange, and on the default exchange its queue, by
//! name; a symbol is a small dense number (the world's string table), so the lookup is an
//! index instead of a hash. The vector only grows to the highest symbol named by a declared
//! exchange or queue, which the string table already holds: a few bytes per name.

use crate::ids::Sym;

#[derive(Clone, Debug)]
pub(crate) struct ByName<T: Copy> {
    slots: Vec<Option<T>>,
}

impl<T: Copy> Default for ByName<T> {
    fn default() -> Self {
        ByName { slots: Vec::new() }
    }
}

impl<T: Copy> ByName<T> {
    #[inline]
    pub fn get(&self, name: Sym) -> Option<T> {
        self.slots.get(name.idx()).copied().flatten()
    }

    pub fn insert(&mut self, name: Sym, v: T) {
        if self.slots.len() <= name.idx() {
            self.slots.resize(name.idx() + 1, None);
        }
        self.slots[name.idx()] = Some(v);
    }

    pub fn remove(&mut self, name: Sym) {
        if let Some(slot) = self.slots.get_mut(name.idx()) {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::QueueId;

    #[test]
    fn names_map_to_ids_until_removed() {
        let mut m = ByName::default();
        assert_eq!(m.get(Sym(3)), None);
        m.insert(Sym(3), QueueId(7));
        m.insert(Sym(0), QueueId(1));
        assert_eq!((m.get(Sym(3)), m.get(Sym(0)), m.get(Sym(2)), m.get(Sym(99))), (Some(QueueId(7)), Some(QueueId(1)), None, None));
        m.insert(Sym(3), QueueId(8));
        assert_eq!(m.get(Sym(3)), Some(QueueId(8)));
        m.remove(Sym(3));
        m.remove(Sym(1000));
        assert_eq!(m.get(Sym(3)), None);
        assert_eq!(m.get(Sym(0)), Some(QueueId(1)));
    }
}
