//! A small seeded PRNG, so that a test's random timings replay from one number.

/// xorshift64*: small, fast, deterministic per seed; for shuffling test timings, not for
/// anything secret.
///
/// # Examples
///
/// ```
/// use rtc_peer::testing::SeededRng;
///
/// let mut a = SeededRng::new(42);
/// let mut b = SeededRng::new(42);
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.upto(30) <= 30);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeededRng {
    state: u64,
}

impl SeededRng {
    /// A generator whose sequence is fixed by `seed` (any value, 0 included).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut rng = rtc_peer::testing::SeededRng::new(0);
    /// assert_ne!(rng.next_u64(), 0);
    /// ```
    pub fn new(seed: u64) -> SeededRng {
        SeededRng {
            state: (seed ^ 0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    /// The next number of the sequence.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut rng = rtc_peer::testing::SeededRng::new(7);
    /// let (first, second) = (rng.next_u64(), rng.next_u64());
    /// assert_ne!(first, second);
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..=max`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut rng = rtc_peer::testing::SeededRng::new(7);
    /// assert!((0..100).all(|_| rng.upto(3) <= 3));
    /// ```
    pub fn upto(&mut self, max: u32) -> u32 {
        let value = self.next_u64() % (u64::from(max) + 1);
        u32::try_from(value).unwrap_or(max)
    }
}
