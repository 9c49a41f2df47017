//! The code of a site (an office: "AMT12" for "Amt 12 – Bürgeramt"), the
//! short name counters, lists and profiles use for it.

use serde::{Deserialize, Serialize};

use crate::error::ParseError;

/// The longest site code, in characters.
pub const SITE_CODE_MAX_CHARS: usize = 16;

/// A site's code: 1 to [`SITE_CODE_MAX_CHARS`] ASCII letters, digits, `-`
/// or `_`, trimmed and stored in upper case, so that `amt12` in a CSV file
/// and `AMT12` on the command line name the same site. ASCII only on
/// purpose: the code goes into file names, URLs and shell commands unquoted.
/// Serialised as the text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SiteCode(String);

impl SiteCode {
    /// Parse a site code.
    ///
    /// # Errors
    /// [`ParseError::NotASiteCode`] when the text breaks the rule above.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        let ok = !t.is_empty()
            && t.len() <= SITE_CODE_MAX_CHARS
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(ParseError::NotASiteCode {
                input: t.chars().take(2 * SITE_CODE_MAX_CHARS).collect(),
            });
        }
        Ok(Self(t.to_ascii_uppercase()))
    }

    /// The code, upper case.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for SiteCode {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl TryFrom<String> for SiteCode {
    type Error = ParseError;

    fn try_from(s: String) -> Result<Self, ParseError> {
        Self::parse(&s)
    }
}

impl From<SiteCode> for String {
    fn from(c: SiteCode) -> Self {
        c.0
    }
}

impl AsRef<str> for SiteCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SiteCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_trimmed_and_upper_cased() {
        assert_eq!(SiteCode::parse(" amt12 ").unwrap().as_str(), "AMT12");
        assert_eq!(SiteCode::parse("Amt_12-b").unwrap().to_string(), "AMT_12-B");
        let longest = "a".repeat(SITE_CODE_MAX_CHARS);
        assert!(SiteCode::parse(&longest).is_ok());
    }

    #[test]
    fn empty_long_spaced_and_non_ascii_codes_are_refused() {
        let long = "a".repeat(SITE_CODE_MAX_CHARS + 1);
        for bad in ["", "  ", "Amt 12", "Bürgeramt", "a/b", long.as_str()] {
            assert!(SiteCode::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            SiteCode::parse("Amt 12").unwrap_err().to_string(),
            "\"Amt 12\" is not a site code (1 to 16 letters, digits, - or _)"
        );
    }

    #[test]
    fn serde_is_the_text_and_checks_it() {
        let c = SiteCode::parse("amt12").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"AMT12\"");
        assert_eq!(serde_json::from_str::<SiteCode>("\"amt12\"").unwrap(), c);
        assert!(serde_json::from_str::<SiteCode>("\"a b\"").is_err());
    }
}
