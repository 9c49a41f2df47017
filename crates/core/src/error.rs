//! The one error type of keydesk-core: device and store errors, plus what the
//! workflows themselves refuse. [`CoreError::kind`] sorts them for exit codes.

use keydesk_device::DeviceError;
use keydesk_store::StoreError;

/// Broad classes of failure, for exit codes and colours in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input from the caller (a malformed serial, a bad profile).
    Usage,
    /// A serial, personnel number or asset tag that is not known.
    NotFound,
    /// The key is in a state that does not allow this.
    WrongState,
    /// The key or the smart-card/HID service failed.
    Device,
    /// A wrong PIN or PUK, or a blocked one.
    WrongPin,
    /// The audit trail is broken.
    Integrity,
    /// Anything else (database or file errors).
    Other,
}

/// Errors from the counter workflows.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("profile {path}: {reason}")]
    Profile { path: String, reason: String },
    #[error("{0}")]
    Usage(String),
    #[error(
        "an unfinished operation on key {serial} must be resolved first; run `keydesk recover`"
    )]
    Unfinished { serial: u32 },
    /// The first part of a workflow happened and stands; a later part failed.
    #[error("{source}\n{done}; {next}")]
    Partly {
        /// What already happened and is recorded (e.g. "key 123 is revoked").
        done: String,
        /// What the technician does now.
        next: String,
        source: Box<CoreError>,
    },
}

impl CoreError {
    /// The class of this error.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Partly { source, .. } => source.kind(),
            Self::Device(
                DeviceError::WrongPin { .. }
                | DeviceError::PinBlocked
                | DeviceError::WrongPuk { .. }
                | DeviceError::PukBlocked
                | DeviceError::PinPolicy { .. },
            ) => ErrorKind::WrongPin,
            Self::Device(DeviceError::KeyNotFound { .. }) => ErrorKind::NotFound,
            Self::Device(_) => ErrorKind::Device,
            Self::Store(
                StoreError::UnknownKey(_)
                | StoreError::UnknownStaff(_)
                | StoreError::UnknownNotebook(_),
            ) => ErrorKind::NotFound,
            Self::Store(StoreError::IllegalTransition { .. }) | Self::Unfinished { .. } => {
                ErrorKind::WrongState
            }
            Self::Store(StoreError::AuditBroken { .. }) => ErrorKind::Integrity,
            Self::Store(StoreError::Invalid(_) | StoreError::Import(_))
            | Self::Profile { .. }
            | Self::Usage(_) => ErrorKind::Usage,
            Self::Store(_) => ErrorKind::Other,
        }
    }
}

impl CoreError {
    /// Say what already happened before this error, and what to do now.
    #[must_use]
    pub fn after(self, done: impl Into<String>, next: impl Into<String>) -> Self {
        Self::Partly {
            done: done.into(),
            next: next.into(),
            source: Box::new(self),
        }
    }

    /// The error underneath any [`CoreError::Partly`] wrapping.
    #[must_use]
    pub fn root(&self) -> &Self {
        match self {
            Self::Partly { source, .. } => source.root(),
            other => other,
        }
    }
}

/// Result alias for this crate.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
