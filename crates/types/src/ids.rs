//! Text identities of staff members and notebooks, as the office's HR and
//! asset lists spell them.

use serde::{Deserialize, Serialize};

use crate::error::ParseError;

/// The longest personnel number or asset tag, in characters.
pub const TEXT_ID_MAX_CHARS: usize = 64;

/// The one rule both identities follow: trimmed, not empty, at most
/// [`TEXT_ID_MAX_CHARS`] characters, no control characters.
fn checked(what: &'static str, s: &str) -> Result<String, ParseError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > TEXT_ID_MAX_CHARS || t.chars().any(char::is_control) {
        return Err(ParseError::BadIdentifier {
            what,
            input: t.to_owned(),
        });
    }
    Ok(t.to_owned())
}

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        ///
        /// Trimmed, not empty, at most [`TEXT_ID_MAX_CHARS`] characters, no
        /// control characters. Serialised as the text.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            #[doc = concat!("Parse a ", $what, ".")]
            ///
            /// # Errors
            /// [`ParseError::BadIdentifier`] when the text breaks the rule above.
            pub fn parse(s: &str) -> Result<Self, ParseError> {
                checked($what, s).map(Self)
            }

            /// The text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = ParseError;

            fn from_str(s: &str) -> Result<Self, ParseError> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ParseError;

            fn try_from(s: String) -> Result<Self, ParseError> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_id!(
    /// A staff member's personnel number (Personalnummer).
    PersonnelNo,
    "personnel number"
);
text_id!(
    /// A notebook's asset tag (Inventarnummer).
    AssetTag,
    "asset tag"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimmed_text_within_the_limit_is_kept() {
        assert_eq!(PersonnelNo::parse("  4711 ").unwrap().as_str(), "4711");
        assert_eq!(AssetTag::parse("INV-0042").unwrap().to_string(), "INV-0042");
        let longest = "ä".repeat(TEXT_ID_MAX_CHARS);
        assert_eq!(PersonnelNo::parse(&longest).unwrap().as_str(), longest);
        assert_eq!("Müller-7".parse::<AssetTag>().unwrap().as_str(), "Müller-7");
    }

    #[test]
    fn empty_too_long_and_control_characters_are_refused() {
        let too_long = "1".repeat(TEXT_ID_MAX_CHARS + 1);
        for bad in ["", "   ", too_long.as_str(), "47\t11", "47\n11", "\u{7f}"] {
            assert!(PersonnelNo::parse(bad).is_err(), "{bad:?}");
            assert!(AssetTag::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            PersonnelNo::parse(" ").unwrap_err().to_string(),
            "\"\" is not a valid personnel number"
        );
        assert_eq!(
            AssetTag::parse("a\u{0}b").unwrap_err(),
            ParseError::BadIdentifier {
                what: "asset tag",
                input: "a\u{0}b".into()
            }
        );
    }

    #[test]
    fn serde_is_the_text_and_checks_it() {
        let no = PersonnelNo::parse("4711").unwrap();
        assert_eq!(serde_json::to_string(&no).unwrap(), "\"4711\"");
        assert_eq!(serde_json::from_str::<PersonnelNo>("\"4711\"").unwrap(), no);
        assert!(serde_json::from_str::<PersonnelNo>("\"\"").is_err());
    }
}
