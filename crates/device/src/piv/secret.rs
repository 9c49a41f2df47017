//! PINs, PUKs and management keys held in memory that is wiped on drop and
//! never shown by `Debug`. Random PINs/PUKs come from the OS CSPRNG.

use rand::rngs::OsRng;
use rand::Rng;
use zeroize::Zeroizing;

use crate::error::{DeviceError, Result};

/// A PIN or PUK (ASCII, at most 8 bytes on the card).
#[derive(Clone)]
pub struct Pin(Zeroizing<String>);

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(<redacted>)")
    }
}

impl Pin {
    /// Wrap a PIN typed by a person (not checked here; see [`Pin::check_new`]).
    #[must_use]
    pub fn new(pin: &str) -> Self {
        Self(Zeroizing::new(pin.to_owned()))
    }

    /// A random PIN of `len` decimal digits from the OS CSPRNG.
    ///
    /// # Errors
    /// `PinPolicy` when `len` is outside 6..=8 (what PIV accepts).
    pub fn random_digits(len: usize) -> Result<Self> {
        if !(6..=8).contains(&len) {
            return Err(DeviceError::PinPolicy {
                reason: format!("a PIN/PUK has 6 to 8 characters, not {len}"),
            });
        }
        let mut s = Zeroizing::new(String::with_capacity(len));
        for _ in 0..len {
            s.push(char::from(b'0' + OsRng.gen_range(0..10u8)));
        }
        Ok(Self(s))
    }

    /// The PIN as text (for showing it once to the person it belongs to).
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Check a new PIN/PUK against what the card accepts (6–8 bytes).
    ///
    /// # Errors
    /// `PinPolicy` with the reason.
    pub fn check_new(&self) -> Result<()> {
        let n = self.0.len();
        if !(6..=8).contains(&n) {
            return Err(DeviceError::PinPolicy {
                reason: format!("it must have 6 to 8 characters, not {n}"),
            });
        }
        Ok(())
    }

    /// The 8-byte PIV encoding (padded with 0xFF).
    ///
    /// # Errors
    /// `PinPolicy` when longer than 8 bytes.
    pub(crate) fn padded(&self) -> Result<Zeroizing<[u8; 8]>> {
        let b = self.0.as_bytes();
        if b.len() > 8 {
            return Err(DeviceError::PinPolicy {
                reason: "a PIN/PUK has at most 8 characters".into(),
            });
        }
        let mut out = Zeroizing::new([0xFF; 8]);
        out[..b.len()].copy_from_slice(b);
        Ok(out)
    }
}

/// Bytes wiped on drop, redacted in `Debug` (management keys).
#[derive(Clone)]
pub struct SecretBytes(pub(crate) Zeroizing<Vec<u8>>);

impl std::fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretBytes(<{} bytes redacted>)", self.0.len())
    }
}

impl SecretBytes {
    /// Wrap key material.
    #[must_use]
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// `len` random bytes from the OS CSPRNG.
    #[must_use]
    pub fn random(len: usize) -> Self {
        let mut v = Zeroizing::new(vec![0u8; len]);
        OsRng.fill(v.as_mut_slice());
        Self(v)
    }

    /// The raw bytes.
    #[must_use]
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_pins_are_digits_of_the_policy_length() {
        let a = Pin::random_digits(8).unwrap();
        assert_eq!(a.expose().len(), 8);
        assert!(a.expose().bytes().all(|b| b.is_ascii_digit()));
        assert!(Pin::random_digits(5).is_err());
        // 10^8 possibilities: 20 draws are practically never all equal.
        let draws: std::collections::HashSet<String> = (0..20)
            .map(|_| Pin::random_digits(8).unwrap().expose().to_owned())
            .collect();
        assert!(draws.len() > 1);
        assert_eq!(format!("{a:?}"), "Pin(<redacted>)");
    }

    #[test]
    fn padding_and_policy() {
        assert_eq!(
            *Pin::new("123456").padded().unwrap(),
            [b'1', b'2', b'3', b'4', b'5', b'6', 0xFF, 0xFF]
        );
        assert!(Pin::new("123456789").padded().is_err());
        assert!(Pin::new("12345").check_new().is_err());
        assert!(Pin::new("12345678").check_new().is_ok());
    }
}
