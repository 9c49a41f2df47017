//! The serial number: the identity of a key everywhere in keydesk.

use std::num::NonZeroU32;

use serde::{Deserialize, Serialize};

use crate::error::ParseError;

/// A key's serial number, as printed on the key and reported by its
/// Management application. YubiKey serials are 32-bit and never 0 (a key
/// that reports 0 has no readable serial). Serialised as the bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Serial(NonZeroU32);

impl Serial {
    /// A serial from its number.
    ///
    /// # Errors
    /// [`ParseError::ZeroSerial`] for 0.
    pub fn new(n: u32) -> Result<Self, ParseError> {
        NonZeroU32::new(n).map(Self).ok_or(ParseError::ZeroSerial)
    }

    /// A serial written in the source (a demo drawer, a test): checked when
    /// the program is compiled if used in a `const`.
    ///
    /// # Panics
    /// For 0, which is never a serial: in a `const` that is a compile error.
    #[must_use]
    pub const fn known(n: u32) -> Self {
        match NonZeroU32::new(n) {
            Some(n) => Self(n),
            None => panic!("a serial is never 0"),
        }
    }

    /// The number.
    #[must_use]
    pub fn get(self) -> u32 {
        self.0.get()
    }

    /// The serial from the four big-endian bytes a key reports, `None` for 0.
    #[must_use]
    pub fn from_be_bytes(bytes: [u8; 4]) -> Option<Self> {
        NonZeroU32::new(u32::from_be_bytes(bytes)).map(Self)
    }
}

impl From<NonZeroU32> for Serial {
    fn from(n: NonZeroU32) -> Self {
        Self(n)
    }
}

impl TryFrom<u32> for Serial {
    type Error = ParseError;

    fn try_from(n: u32) -> Result<Self, ParseError> {
        Self::new(n)
    }
}

impl From<Serial> for u32 {
    fn from(s: Serial) -> Self {
        s.get()
    }
}

impl std::fmt::Display for Serial {
    /// The bare number; width and alignment apply (`{:>10}` in a column).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::str::FromStr for Serial {
    type Err = ParseError;

    /// Digits as printed on the key, surrounding spaces ignored.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        // u32's own parser takes a leading '+'; a serial is digits only.
        if !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::NotASerial {
                input: t.to_owned(),
            });
        }
        let n: u32 = t.parse().map_err(|_| ParseError::NotASerial {
            input: t.to_owned(),
        })?;
        Self::new(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_serial_written_in_the_source_is_checked_at_compile_time() {
        const DRAWER_KEY: Serial = Serial::known(23_456_780);
        assert_eq!(DRAWER_KEY, Serial::new(23_456_780).unwrap());
    }

    #[test]
    fn digits_parse_and_print_back() {
        let s: Serial = " 23456789 ".parse().unwrap();
        assert_eq!(s.get(), 23_456_789);
        assert_eq!(s.to_string(), "23456789");
        assert_eq!("4294967295".parse::<Serial>().unwrap().get(), u32::MAX);
        assert_eq!("0012".parse::<Serial>().unwrap().get(), 12);
    }

    #[test]
    fn display_takes_width_and_alignment() {
        let s = Serial::new(4711).unwrap();
        assert_eq!(format!("{s:>6}|{s:<6}|"), "  4711|4711  |");
    }

    #[test]
    fn zero_and_non_numbers_are_refused() {
        assert_eq!(Serial::new(0), Err(ParseError::ZeroSerial));
        assert_eq!("0".parse::<Serial>(), Err(ParseError::ZeroSerial));
        assert_eq!("000".parse::<Serial>(), Err(ParseError::ZeroSerial));
        for bad in [
            "",
            " ",
            "abc",
            "12a",
            "-1",
            "+5",
            "4294967296",
            "1 2",
            "1.0",
        ] {
            let e = bad.parse::<Serial>().unwrap_err();
            assert!(matches!(e, ParseError::NotASerial { .. }), "{bad:?}: {e}");
        }
        assert_eq!(
            "x1".parse::<Serial>().unwrap_err().to_string(),
            "\"x1\" is not a key serial (digits only, up to 4294967295)"
        );
        assert_eq!(
            Serial::new(0).unwrap_err().to_string(),
            "serial 0 is not a key serial"
        );
    }

    #[test]
    fn serde_is_the_bare_number_and_refuses_zero() {
        let s = Serial::new(18_000_042).unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), "18000042");
        assert_eq!(serde_json::from_str::<Serial>("18000042").unwrap(), s);
        assert!(serde_json::from_str::<Serial>("0").is_err());
        assert!(serde_json::from_str::<Serial>("\"18000042\"").is_err());
    }

    #[test]
    fn reported_bytes() {
        assert_eq!(
            Serial::from_be_bytes([0, 0xBC, 0x61, 0x4E]),
            Serial::new(12_345_678).ok()
        );
        assert_eq!(Serial::from_be_bytes([0; 4]), None);
    }
}
