//! §15 The one random number generator of the model: SplitMix64.
//!
//! Projections (§15) and impact intervals (§16) must give the same numbers in
//! every implementation, so the generator and the way it is turned into
//! uniforms and indices are part of the contract, not a library choice.

/// SplitMix64 exactly as §15 gives it: a 64-bit state advanced by
/// 0x9E3779B97F4A7C15 per draw, then mixed.
///
/// ```
/// use vsend_core::SplitMix64;
/// let mut rng = SplitMix64::new(1);
/// assert_eq!(rng.next_u64(), 0x910A_2DEC_8902_5CC1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose state starts at `seed`.
    pub const fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64-bit output (§15 `next`).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in [0, 1): the top 53 bits of `next` × 2^−53 (§15 `uniform`).
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        // 2^-53 exactly; the product is exact, so every build agrees to the bit.
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `next mod n` (§15 `index`), in `0..n`. The slight modulo bias is part
    /// of the contract: every build must draw the same indices.
    ///
    /// # Panics
    /// When `n` is 0.
    #[inline]
    pub fn index(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// The generators of `replicates` replicates (§15): a master generator
    /// seeded with `seed` gives one number per replicate, in turn, and
    /// replicate b runs its own generator seeded with the b-th.
    pub fn replicate_seeds(seed: u64, replicates: usize) -> Vec<u64> {
        let mut master = SplitMix64::new(seed);
        (0..replicates).map(|_| master.next_u64()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values_of_section_15() {
        let mut rng = SplitMix64::new(1);
        assert_eq!(rng.next_u64(), 0x910A2DEC89025CC1);
        assert_eq!(rng.next_u64(), 0xBEEB8DA1658EEC67);
        assert_eq!(rng.next_u64(), 0xF893A2EEFB32555E);
    }

    #[test]
    fn replicate_zero_of_seed_one() {
        let seeds = SplitMix64::replicate_seeds(1, 3);
        assert_eq!(
            seeds,
            [0x910A2DEC89025CC1, 0xBEEB8DA1658EEC67, 0xF893A2EEFB32555E]
        );
        let mut r0 = SplitMix64::new(seeds[0]);
        assert_eq!(r0.uniform(), 0.36818951565166946);
        assert_eq!(r0.index(7), 1);
    }

    #[test]
    fn uniform_is_in_the_unit_interval() {
        let mut rng = SplitMix64::new(u64::MAX);
        for _ in 0..10_000 {
            let u = rng.uniform();
            assert!((0.0..1.0).contains(&u), "{u}");
        }
        assert!((0..1000).all(|_| rng.index(3) < 3));
        assert_eq!(SplitMix64::new(5).index(1), 0);
    }
}
