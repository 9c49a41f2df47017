//! Why a key leaves service ([`RevokeReason`]): given to the revoke, replace
//! and lost workflows and named in what a partly done workflow reports
//! ([`crate::error::Done::Revoked`]). Parsing it from the command line lives
//! with the revoke workflow (`workflow::status`), whose error it is.

/// Why a key leaves service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeReason {
    Lost,
    Stolen,
    Left,
    Defective,
}

impl RevokeReason {
    /// The word written into the audit trail.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lost => "lost",
            Self::Stolen => "stolen",
            Self::Left => "left the office",
            Self::Defective => "defective",
        }
    }
}
