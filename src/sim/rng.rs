//! Seeded randomness: one scenario seed, and a separate ChaCha stream for each actor.
//!
//! A stream is chosen by hashing the actor's *name* (not its position), so adding, removing
//! or reordering actors never changes the numbers another actor draws.

use rand::SeedableRng;
pub use rand_chacha::ChaCha8Rng as Rng;

/// The random stream of the actor called `name`, under `seed`.
pub fn stream_for(seed: u64, name: &str) -> Rng {
    let mut rng = Rng::seed_from_u64(seed);
    rng.set_stream(fnv1a(name.as_bytes()));
    rng
}

/// 64-bit FNV-1a: a fixed, portable hash (std's hashers may change between releases).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

    #[test]
    fn streams_are_independent_of_other_actors() {
        let a1: Vec<u64> = {
            let mut r = stream_for(7, "worker1");
            (0..4).map(|_| r.next_u64()).collect()
        };
        // Drawing from another actor's stream does not change worker1's numbers.
        let mut other = stream_for(7, "worker2");
        let _ = other.next_u64();
        let a2: Vec<u64> = {
            let mut r = stream_for(7, "worker1");
            (0..4).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a1, a2);
        let b: Vec<u64> = (0..4).map(|_| other.next_u64()).collect();
        assert_ne!(a1, b);
        let c: Vec<u64> = {
            let mut r = stream_for(8, "worker1");
            (0..4).map(|_| r.next_u64()).collect()
        };
        assert_ne!(a1, c, "a different seed gives different numbers");
    }
}
