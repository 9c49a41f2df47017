//! Secrets in core: PINs and PUKs held in memory that is wiped on drop,
//! never printed (Debug shows `***`), generated from the injected CSPRNG.

use rand::Rng;
use zeroize::Zeroizing;

use crate::env::SecureRng;

/// A PIN or PUK.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    #[must_use]
    pub fn new(s: &str) -> Self {
        Self(Zeroizing::new(s.to_owned()))
    }

    /// `len` random decimal digits.
    pub fn digits(rng: &mut dyn SecureRng, len: usize) -> Self {
        let s: String = (0..len)
            .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
            .collect();
        Self(Zeroizing::new(s))
    }

    /// The secret itself, for handing to the key or printing on the PIN letter.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn digits_are_random_digits_and_never_printed() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let a = Secret::digits(&mut rng, 8);
        let b = Secret::digits(&mut rng, 8);
        assert_eq!(a.expose().len(), 8);
        assert!(a.expose().bytes().all(|c| c.is_ascii_digit()));
        assert_ne!(a.expose(), b.expose());
        assert_eq!(format!("{a:?}"), "Secret(***)");
    }
}
