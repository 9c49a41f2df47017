//! Why a key leaves service.

use serde::{Deserialize, Serialize};

use crate::error::ParseError;

/// Why a key is revoked. Serialised by its [`RevokeReason::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RevokeReason {
    /// Reported lost.
    Lost,
    /// Reported stolen.
    Stolen,
    /// The holder left the office.
    Left,
    /// The key is broken.
    Defective,
}

impl RevokeReason {
    /// All reasons, in the order the counter offers them.
    pub const ALL: [Self; 4] = [Self::Lost, Self::Stolen, Self::Left, Self::Defective];

    /// The word written into the audit trail (the stored reason of the
    /// revocation event; do not change it, the history keeps it).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lost => "lost",
            Self::Stolen => "stolen",
            Self::Left => "left the office",
            Self::Defective => "defective",
        }
    }

    /// The short English name, as typed on the command line (`--reason left`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Lost => "lost",
            Self::Stolen => "stolen",
            Self::Left => "left",
            Self::Defective => "defective",
        }
    }

    /// The German name a technician may type instead.
    #[must_use]
    pub fn german_name(self) -> &'static str {
        match self {
            Self::Lost => "verloren",
            Self::Stolen => "gestohlen",
            Self::Left => "ausgeschieden",
            Self::Defective => "defekt",
        }
    }
}

impl std::str::FromStr for RevokeReason {
    type Err = ParseError;

    /// The English or German name, in any case, surrounding spaces ignored.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let t = s.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|r| r.name() == t || r.german_name() == t)
            .ok_or(ParseError::NotARevokeReason { input: t })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_german_names_in_any_case() {
        assert_eq!("lost".parse(), Ok(RevokeReason::Lost));
        assert_eq!(" Gestohlen ".parse(), Ok(RevokeReason::Stolen));
        assert_eq!("LEFT".parse(), Ok(RevokeReason::Left));
        assert_eq!("ausgeschieden".parse(), Ok(RevokeReason::Left));
        assert_eq!("defekt".parse(), Ok(RevokeReason::Defective));
        for r in RevokeReason::ALL {
            assert_eq!(r.name().parse(), Ok(r));
            assert_eq!(r.german_name().parse(), Ok(r));
        }
    }

    #[test]
    fn other_words_are_refused_with_the_choices() {
        let e = "Vanished".parse::<RevokeReason>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"vanished\" is not a revocation reason: use lost, stolen, left or defective"
        );
        assert!("left the office".parse::<RevokeReason>().is_err());
        assert!("".parse::<RevokeReason>().is_err());
    }

    #[test]
    fn the_audit_words_stay() {
        let words: Vec<&str> = RevokeReason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(words, ["lost", "stolen", "left the office", "defective"]);
    }
}
