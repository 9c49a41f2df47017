//! Secrets: PINs, PUKs and management keys, from the moment they are typed,
//! read or generated to the APDU that carries them. Wiped from memory on
//! drop, compared in constant time, never printed (`Debug` shows `***`),
//! never serialised.

use rand::{CryptoRng, Rng, RngCore};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// A secret: text (`Secret`, the default: PINs and PUKs) or bytes
/// (`Secret<Vec<u8>>`: management keys and other key material).
#[derive(Clone)]
pub struct Secret<T: Zeroize = String>(Zeroizing<T>);

impl Secret {
    /// A PIN or PUK as typed or read.
    #[must_use]
    pub fn new(text: &str) -> Self {
        Self(Zeroizing::new(text.to_owned()))
    }

    /// `len` random decimal digits from `rng` (a CSPRNG, injected so tests
    /// can fix it).
    pub fn digits<R: RngCore + CryptoRng + ?Sized>(rng: &mut R, len: usize) -> Self {
        let mut s = Zeroizing::new(String::with_capacity(len));
        for _ in 0..len {
            s.push(char::from(b'0' + rng.gen_range(0..10u8)));
        }
        Self(s)
    }

    /// The text itself, for handing to the key or printing on the PIN letter.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length in Unicode code points (as CTAP counts a PIN's length).
    #[must_use]
    pub fn char_count(&self) -> usize {
        self.0.chars().count()
    }
}

impl From<String> for Secret {
    /// Takes the text over without leaving a copy behind.
    fn from(text: String) -> Self {
        Self(Zeroizing::new(text))
    }
}

impl Secret<Vec<u8>> {
    /// Key material given as bytes (copied; wipe the original yourself).
    #[must_use]
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(Zeroizing::new(bytes.to_vec()))
    }

    /// `len` random bytes from `rng` (a CSPRNG).
    pub fn random<R: RngCore + CryptoRng + ?Sized>(rng: &mut R, len: usize) -> Self {
        let mut v = Zeroizing::new(vec![0u8; len]);
        rng.fill_bytes(v.as_mut_slice());
        Self(v)
    }
}

impl From<Vec<u8>> for Secret<Vec<u8>> {
    /// Takes the bytes over without leaving a copy behind.
    fn from(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }
}

impl<T: Zeroize + AsRef<[u8]>> Secret<T> {
    /// The raw bytes (a PIN's UTF-8), for the APDU or the hash that carries it.
    #[must_use]
    pub fn expose_bytes(&self) -> &[u8] {
        (*self.0).as_ref()
    }

    /// Length in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.expose_bytes().len()
    }

    /// Whether it is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: Zeroize + AsRef<[u8]>> ConstantTimeEq for Secret<T> {
    /// Constant time in the contents; secrets of different lengths differ at once.
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.expose_bytes().ct_eq(other.expose_bytes())
    }
}

impl<T: Zeroize + AsRef<[u8]>> PartialEq for Secret<T> {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl<T: Zeroize + AsRef<[u8]>> Eq for Secret<T> {}

impl<T: Zeroize> std::fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn digits_are_random_digits_and_never_printed() {
        let mut rng = StdRng::seed_from_u64(1);
        let a = Secret::digits(&mut rng, 8);
        let b = Secret::digits(&mut rng, 8);
        assert_eq!(a.expose().len(), 8);
        assert!(a.expose().bytes().all(|c| c.is_ascii_digit()));
        assert_ne!(a, b);
        assert_eq!(format!("{a:?}"), "Secret(***)");
        assert_eq!(format!("{:?}", Secret::from_bytes(&[1, 2])), "Secret(***)");
        assert!(Secret::digits(&mut rng, 0).is_empty());
    }

    #[test]
    fn the_same_seed_gives_the_same_digits() {
        // Through a trait object too, as core injects its random source.
        trait Source: RngCore + CryptoRng {}
        impl<T: RngCore + CryptoRng> Source for T {}
        let mut one = StdRng::seed_from_u64(7);
        let dynamic: &mut dyn Source = &mut one;
        let a = Secret::digits(dynamic, 6);
        let b = Secret::digits(&mut StdRng::seed_from_u64(7), 6);
        assert_eq!(a.expose(), b.expose());
    }

    #[test]
    fn equality_compares_contents_and_lengths() {
        assert_eq!(Secret::new("123456"), Secret::new("123456"));
        assert_ne!(Secret::new("123456"), Secret::new("123457"));
        assert_ne!(Secret::new("123456"), Secret::new("1234567"));
        assert_ne!(Secret::new(""), Secret::new("1"));
        assert_eq!(Secret::from(String::from("äö")).char_count(), 2);
        assert_eq!(Secret::new("äö").len(), 4);
        let k = Secret::from(vec![9u8; 24]);
        assert_eq!(k.expose_bytes(), &[9u8; 24]);
        assert_eq!(k, Secret::from_bytes(&[9u8; 24]));
        let r = Secret::random(&mut StdRng::seed_from_u64(3), 16);
        assert_eq!(r.len(), 16);
        assert_ne!(r, Secret::random(&mut StdRng::seed_from_u64(4), 16));
    }
}
