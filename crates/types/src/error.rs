//! The one error type of keydesk-types: a text that is not a valid value.
//! Each message names the text and what would have been accepted, so that
//! it can be shown to the technician (or a script) as it is.

/// A text (or number) that is not a valid value of one of the types here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not a number that fits a serial.
    #[error("\"{input}\" is not a key serial (digits only, up to 4294967295)")]
    NotASerial {
        /// The text as given, trimmed.
        input: String,
    },
    /// Serial 0: YubiKeys never have it, and it is what an unset serial reads as.
    #[error("serial 0 is not a key serial")]
    ZeroSerial,
    /// A personnel number or asset tag that is empty, too long or holds control characters.
    #[error("\"{input}\" is not a valid {what}")]
    BadIdentifier {
        /// "personnel number" or "asset tag".
        what: &'static str,
        /// The text as given, trimmed.
        input: String,
    },
    /// Not one of the lifecycle states' stored names.
    #[error("\"{input}\" is not a key state")]
    NotAKeyState {
        /// The text as given.
        input: String,
    },
    /// Not one of the revocation reasons.
    #[error("{input:?} is not a revocation reason: use lost, stolen, left or defective")]
    NotARevokeReason {
        /// The text as given, trimmed and in lower case.
        input: String,
    },
    /// Not a PIV key slot.
    #[error("{input:?} is not a PIV slot: use 9a, 9c, 9d, 9e, 82 to 95 or f9")]
    NotASlot {
        /// The text as given.
        input: String,
    },
    /// Not one of the key algorithms keydesk enrols.
    #[error("{input:?} is not a key algorithm: use p256, p384, rsa2048 or rsa3072")]
    NotAnAlgorithm {
        /// The text as given.
        input: String,
    },
    /// Not a PIN policy.
    #[error("{input:?} is not a PIN policy: use default, never, once or always")]
    NotAPinPolicy {
        /// The text as given.
        input: String,
    },
    /// Not a touch policy.
    #[error("{input:?} is not a touch policy: use default, never, always or cached")]
    NotATouchPolicy {
        /// The text as given.
        input: String,
    },
    /// Not a kind of CSV list keydesk imports.
    #[error("{input:?} is not a list to import: use staff, notebooks or stock")]
    NotAnImportKind {
        /// The text as given.
        input: String,
    },
    /// Not a kind of CSV report keydesk exports.
    #[error("{input:?} is not an export: use inventory, history, revoked, staff or notebooks")]
    NotAnExportKind {
        /// The text as given.
        input: String,
    },
    /// Not a site code (see `SiteCode`).
    #[error("\"{input}\" is not a site code (1 to 16 letters, digits, - or _)")]
    NotASiteCode {
        /// The text as given, trimmed (at most 32 characters of it).
        input: String,
    },
}
