//! Where a key is in its life, and which moves its state allows.
//!
//! ```text
//!  from \ to   in_stock issued suspended lost revoked returned reset retired
//!  in_stock        .      I        .       .     .       .       .     x
//!  issued          .      .        x       x     x       x       .     .
//!  suspended       .      x        .       x     x       x       .     .
//!  lost            .      .        .       .     x       x       .     .
//!  revoked         .      .        .       .     .       .       x     x
//!  returned        .      .        .       .     .       .       x     x
//!  reset           x      .        .       .     .       .       .     x
//!  retired         .      .        .       .     .       .       .     .
//! ```
//! `I`: only by issuing the key to a holder (the store's `issue`).
//! suspended → issued is a reinstatement. lost → returned is a lost key that
//! turned up again. The store checks every change against this table.

use serde::{Deserialize, Serialize};

use crate::error::ParseError;

/// Where a key is in its life. Stored, exported and serialised by the
/// snake_case names of [`KeyState::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    /// In the cupboard, ready to be issued.
    InStock,
    /// Handed out to a staff member.
    Issued,
    /// Temporarily blocked (e.g. holder on leave); can be reinstated.
    Suspended,
    /// Reported lost.
    Lost,
    /// Credentials revoked; the key must not be trusted any more.
    Revoked,
    /// Handed back to the counter.
    Returned,
    /// Wiped (PIV and FIDO reset); can go back to stock.
    Reset,
    /// Out of service for good.
    Retired,
}

impl KeyState {
    /// All states, in lifecycle order.
    pub const ALL: [KeyState; 8] = [
        Self::InStock,
        Self::Issued,
        Self::Suspended,
        Self::Lost,
        Self::Revoked,
        Self::Returned,
        Self::Reset,
        Self::Retired,
    ];

    /// The name stored in the database and written to CSV and JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InStock => "in_stock",
            Self::Issued => "issued",
            Self::Suspended => "suspended",
            Self::Lost => "lost",
            Self::Revoked => "revoked",
            Self::Returned => "returned",
            Self::Reset => "reset",
            Self::Retired => "retired",
        }
    }

    /// The states this one may move to (the table in the module docs).
    #[must_use]
    pub fn next_states(self) -> &'static [KeyState] {
        use KeyState::*;
        match self {
            InStock => &[Issued, Retired],
            Issued => &[Suspended, Lost, Revoked, Returned],
            Suspended => &[Issued, Lost, Revoked, Returned],
            Lost => &[Revoked, Returned],
            Revoked | Returned => &[Reset, Retired],
            Reset => &[InStock, Retired],
            Retired => &[],
        }
    }

    /// Whether `self → to` is allowed.
    #[must_use]
    pub fn can_become(self, to: KeyState) -> bool {
        self.next_states().contains(&to)
    }

    /// Whether a key in this state has a holder (an open assignment):
    /// suspended and lost keys keep theirs, since the holder is still
    /// responsible for the key.
    #[must_use]
    pub fn has_holder(self) -> bool {
        matches!(self, Self::Issued | Self::Suspended | Self::Lost)
    }
}

impl std::fmt::Display for KeyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for KeyState {
    type Err = ParseError;

    /// The stored name, surrounding spaces ignored.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| ParseError::NotAKeyState {
                input: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_serde() {
        for k in KeyState::ALL {
            assert_eq!(k.as_str().parse::<KeyState>().unwrap(), k);
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
            assert_eq!(
                serde_json::from_str::<KeyState>(&format!("\"{k}\"")).unwrap(),
                k
            );
        }
        assert_eq!(" in_stock ".parse::<KeyState>(), Ok(KeyState::InStock));
        for bad in ["", "InStock", "in stock", "ISSUED", "gone"] {
            assert!(bad.parse::<KeyState>().is_err(), "{bad:?}");
        }
        assert_eq!(
            "gone".parse::<KeyState>().unwrap_err().to_string(),
            "\"gone\" is not a key state"
        );
    }

    #[test]
    fn holders_and_dead_ends() {
        let held: Vec<KeyState> = KeyState::ALL
            .into_iter()
            .filter(|k| k.has_holder())
            .collect();
        assert_eq!(
            held,
            [KeyState::Issued, KeyState::Suspended, KeyState::Lost]
        );
        assert!(KeyState::Retired.next_states().is_empty());
        for k in KeyState::ALL {
            assert!(!k.can_become(k), "{k} -> {k}");
            if k != KeyState::Retired {
                assert!(k.can_become(KeyState::Retired) || k.has_holder(), "{k}");
            }
        }
    }
}
