//! A slab: values parked by index while an event that refers to them waits on the heap.

#[derive(Clone, Debug)]
pub struct Slab<T> {
    items: Vec<Option<T>>,
    free: Vec<u32>,
    live: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab { items: Vec::new(), free: Vec::new(), live: 0 }
    }
}

impl<T> Slab<T> {
    pub fn put(&mut self, v: T) -> u32 {
        self.live += 1;
        match self.free.pop() {
            Some(i) => {
                self.items[i as usize] = Some(v);
                i
            }
            None => {
                self.items.push(Some(v));
                (self.items.len() - 1) as u32
            }
        }
    }

    /// Values parked now.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Slots allocated (parked or free): what the slab holds in memory.
    pub fn slots(&self) -> usize {
        self.items.len()
    }

    /// The slots and the free list, for the TUI's snapshots (they store them apart, shared).
    pub(super) fn parts_mut(&mut self) -> (&mut Vec<Option<T>>, &mut Vec<u32>) {
        (&mut self.items, &mut self.free)
    }

    /// Takes the value out. Panics on an empty slot: that would be an engine bug.
    pub fn take(&mut self, i: u32) -> T {
        let v = self.items[i as usize].take().expect("slab slot taken twice");
        self.free.push(i);
        self.live -= 1;
        v
    }
}
