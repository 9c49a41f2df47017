//! The serial number newtype: the identity of a key everywhere in keydesk.

use serde::{Deserialize, Serialize};

/// A YubiKey serial number (as printed on the key and reported by the Management application).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Serial(pub u32);

impl std::fmt::Display for Serial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for Serial {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        t.parse::<u32>().map(Serial).map_err(|_| {
            format!(
                "{s:?} is not a key serial: expected digits as printed on the key, e.g. 23456789"
            )
        })
    }
}
