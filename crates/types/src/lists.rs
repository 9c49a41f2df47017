//! The CSV lists keydesk reads and the reports it writes: one name per
//! list, shared by the store (which knows their columns), the CLI and the TUI.

use serde::{Deserialize, Serialize};

use crate::error::ParseError;

/// What a CSV file to import holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportKind {
    /// An HR export of staff.
    Staff,
    /// An asset export of notebooks.
    Notebooks,
    /// A supplier's list of key serials (a delivery into stock).
    Stock,
}

impl ImportKind {
    /// All lists, in the order the counter offers them.
    pub const ALL: [Self; 3] = [Self::Staff, Self::Notebooks, Self::Stock];

    /// The name, as typed on the command line (`keydesk import stock`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::Notebooks => "notebooks",
            Self::Stock => "stock",
        }
    }
}

/// A CSV report the store writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportKind {
    /// Every key with state, holder, notebook and since when.
    Inventory,
    /// The full audit history, oldest first.
    History,
    /// Serials that must not be trusted any more (revoked and lost), for VPN/RADIUS.
    Revoked,
    /// The staff list, in the columns the staff import reads.
    Staff,
    /// The notebook list, in the columns the notebook import reads.
    Notebooks,
}

impl ExportKind {
    /// Every report.
    pub const ALL: [Self; 5] = [
        Self::Inventory,
        Self::History,
        Self::Revoked,
        Self::Staff,
        Self::Notebooks,
    ];

    /// The reports for auditors, which the CLI and the TUI offer.
    pub const AUDIT: [Self; 3] = [Self::Inventory, Self::History, Self::Revoked];

    /// The name, as typed on the command line (`keydesk export revoked`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inventory => "inventory",
            Self::History => "history",
            Self::Revoked => "revoked",
            Self::Staff => "staff",
            Self::Notebooks => "notebooks",
        }
    }
}

macro_rules! text_form {
    ($name:ident, $err:ident) => {
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = ParseError;

            /// The name in any case, surrounding spaces ignored.
            fn from_str(s: &str) -> Result<Self, ParseError> {
                let t = s.trim().to_ascii_lowercase();
                Self::ALL
                    .into_iter()
                    .find(|k| k.as_str() == t)
                    .ok_or_else(|| ParseError::$err {
                        input: s.to_owned(),
                    })
            }
        }
    };
}

text_form!(ImportKind, NotAnImportKind);
text_form!(ExportKind, NotAnExportKind);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in ImportKind::ALL {
            assert_eq!(k.to_string().parse(), Ok(k));
        }
        for k in ExportKind::ALL {
            assert_eq!(k.to_string().parse(), Ok(k));
        }
        assert_eq!("Stock".parse(), Ok(ImportKind::Stock));
        assert_eq!("revoked".parse(), Ok(ExportKind::Revoked));
        assert!(ExportKind::AUDIT
            .iter()
            .all(|k| ExportKind::ALL.contains(k)));
    }

    #[test]
    fn other_names_are_refused() {
        assert_eq!(
            "people".parse::<ImportKind>(),
            Err(ParseError::NotAnImportKind {
                input: "people".into()
            })
        );
        assert!("keys".parse::<ImportKind>().is_err());
        assert!("blocked".parse::<ExportKind>().is_err());
        assert!("".parse::<ExportKind>().is_err());
    }
}
