//! The one error type of keydesk-core: device and store errors, plus what the
//! workflows themselves refuse. [`CoreError::kind`] sorts them for exit codes.

/// A firmware version, as device errors name it (what a key needs, what it has).
pub use keydesk_device::management::Version;
pub use keydesk_device::{
    AttestationFault, AttestationMismatchKind, DeviceError, Needs, PinRefusal, PivFeature,
};
pub use keydesk_store::{
    AnchorFault, AuditProblem, ImportIssue, ImportProblem, ServerError, StoreError,
};
use keydesk_types::{PersonnelNo, Serial, SiteCode};

use crate::account::Account;
use keydesk_types::RevokeReason;

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
pub enum CoreError {
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("profile {path}: {reason}")]
    Profile { path: String, reason: String },
    /// The profile the inventory keeps for a site is not valid (for this
    /// keydesk): the site's counters do not start until it is mended.
    #[error("the profile of site {site} in the inventory is not valid: {reason}; an administrator sets it again with `keydesk site profile {site} --file PROFILE.toml` (or clears it with --clear)")]
    SiteProfile { site: SiteCode, reason: String },
    /// The profile file names another site than the counter works for.
    #[error("profile {profile} is for site {profile_site}, but this counter works for site {site} (--site or KEYDESK_SITE); give that site's profile, or leave out --profile to use the profile the inventory keeps for site {site}")]
    ProfileOtherSite {
        profile: String,
        profile_site: SiteCode,
        site: SiteCode,
    },
    #[error("{0}")]
    Usage(String),
    #[error(
        "an unfinished operation on key {serial} must be resolved first; run `keydesk recover`"
    )]
    Unfinished { serial: u32 },
    /// Simulated keys were asked for on an office's real inventory.
    /// The inventory server went away while a device step ran: what the
    /// key did is kept in a local file until `keydesk recover` brings it there.
    #[error("{source}\nthe inventory server went away during the work on key {serial}; what the key did is kept in {kept}; when the server is back, run `keydesk recover`")]
    ServerLost {
        serial: Serial,
        kept: String,
        source: StoreError,
    },
    #[error("{db} is a real inventory; virtual keys work only with a training inventory: use `keydesk demo`, or give --db a new file")]
    NotTraining { db: String },
    /// The first part of a workflow happened and stands; a later part failed.
    #[error("{source}\n{done}; {next}")]
    Partly {
        /// What already happened and is recorded (e.g. "key 123 is revoked").
        done: Done,
        /// What the technician does now.
        next: Next,
        source: Box<CoreError>,
    },
}

/// What already happened and stands when a later part of a workflow failed.
/// Facts, not sentences, so that the TUI can say them in its own language;
/// `Display` is the English text of the CLI.
#[derive(Debug)]
pub enum Done {
    /// The key is recorded as handed back.
    Returned { serial: Serial },
    /// The key is revoked for this reason.
    Revoked {
        serial: Serial,
        reason: RevokeReason,
    },
    /// The lost key is revoked.
    LostRevoked { serial: Serial },
    /// An enrolment failed and rolling the key back needs it again; the
    /// account says what recovery did and did not do.
    NotRolledBack {
        serial: Serial,
        account: Vec<Account>,
    },
    /// An enrolment failed and rolling the key back failed too.
    RollbackFailed { serial: Serial, why: Box<CoreError> },
}

impl std::fmt::Display for Done {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Returned { serial } => write!(f, "key {serial} is recorded as returned"),
            Self::Revoked { serial, reason } => {
                write!(f, "key {serial} is revoked ({})", reason.as_str())
            }
            Self::LostRevoked { serial } => write!(f, "the lost key {serial} is revoked"),
            Self::NotRolledBack { serial, account } => {
                write!(f, "key {serial} is not back in factory state yet: ")?;
                for (i, line) in account.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{line}")?;
                }
                Ok(())
            }
            Self::RollbackFailed { serial, why } => {
                write!(f, "key {serial} could not be rolled back: {why}")
            }
        }
    }
}

/// What the technician does after a [`CoreError::Partly`]. `Display` is the
/// English text of the CLI (it names CLI commands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Reset the returned key later to put it back into stock.
    ResetLater { serial: Serial },
    /// Enrol the replacement key for the staff member.
    EnrolNew { serial: Serial, staff: PersonnelNo },
    /// Enrol the temporary key for the staff member.
    EnrolTemporary { serial: Serial, staff: PersonnelNo },
    /// Plug the key in alone and let recovery finish it before it is used.
    Recover { serial: Serial },
}

impl std::fmt::Display for Next {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ResetLater { serial } => write!(
                f,
                "reset it with `keydesk reset --serial {serial}` to put it back into stock"
            ),
            Self::EnrolNew { serial, staff } => write!(
                f,
                "the new key {serial} is not issued yet: enrol it for {staff} with `keydesk enrol`"
            ),
            Self::EnrolTemporary { serial, staff } => write!(
                f,
                "the temporary key {serial} is not issued yet: enrol it for {staff} with `keydesk enrol`"
            ),
            Self::Recover { serial } => write!(
                f,
                "plug key {serial} in alone and run `keydesk recover` before using it"
            ),
        }
    }
}

impl CoreError {
    /// The class of this error. Every device and store error is named: a
    /// variant added to either does not compile here until it has a class.
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
            Self::Device(
                DeviceError::PinAuthBlocked
                | DeviceError::ManagementKeyRejected
                | DeviceError::NotFactoryFresh { .. }
                | DeviceError::NoKey
                | DeviceError::SeveralKeys { .. }
                | DeviceError::TouchTimeout
                | DeviceError::ResetWindowMissed { .. }
                | DeviceError::Cancelled
                | DeviceError::AttestationMismatch { .. }
                | DeviceError::Attestation(_)
                | DeviceError::Unsupported { .. }
                | DeviceError::KeyRemoved
                | DeviceError::Status { .. }
                | DeviceError::Malformed { .. }
                | DeviceError::Ctap { .. }
                | DeviceError::Pcsc(_)
                | DeviceError::Hid(_)
                | DeviceError::Transport(_)
                | DeviceError::AccessDenied { .. }
                | DeviceError::NotFound { .. }
                | DeviceError::DuplicateSerial { .. }
                | DeviceError::CardBusy
                | DeviceError::CertificateKeyMismatch { .. },
            ) => ErrorKind::Device,
            Self::Store(
                StoreError::UnknownKey(_)
                | StoreError::UnknownStaff(_)
                | StoreError::UnknownNotebook(_)
                | StoreError::UnknownSite(_),
            ) => ErrorKind::NotFound,
            Self::Store(StoreError::IllegalTransition { .. } | StoreError::KeyClaimed { .. })
            | Self::Unfinished { .. } => ErrorKind::WrongState,
            Self::Store(StoreError::AuditBroken { .. }) => ErrorKind::Integrity,
            Self::Store(
                StoreError::Invalid(_)
                | StoreError::Import(_)
                | StoreError::BadAnchor { .. }
                | StoreError::CopyTargetNotEmpty { .. }
                | StoreError::NotPermitted { .. }
                | StoreError::SiteNotPermitted { .. }
                | StoreError::ScopeNotForRole { .. }
                | StoreError::ScopeMissing { .. }
                | StoreError::OnlyOnServer { .. },
            )
            | Self::Profile { .. }
            | Self::SiteProfile { .. }
            | Self::ProfileOtherSite { .. }
            | Self::NotTraining { .. }
            | Self::Usage(_) => ErrorKind::Usage,
            Self::ServerLost { .. } => ErrorKind::Other,
            Self::Store(
                StoreError::Sqlite(_)
                | StoreError::Postgres(_)
                | StoreError::SchemaOutdated { .. }
                | StoreError::SchemaNewer { .. }
                | StoreError::Migration(_)
                | StoreError::Io(_)
                | StoreError::Csv(_)
                | StoreError::DuplicateKey(_)
                | StoreError::DuplicateStaff(_)
                | StoreError::DuplicateNotebook(_)
                | StoreError::DuplicateSite(_)
                | StoreError::UnknownJournal(_)
                | StoreError::JournalClosed(_)
                | StoreError::Corrupt(_),
            ) => ErrorKind::Other,
        }
    }
}

impl CoreError {
    /// Say what already happened before this error, and what to do now.
    #[must_use]
    pub fn after(self, done: Done, next: Next) -> Self {
        Self::Partly {
            done,
            next,
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

/// A value that does not parse (a serial, a revocation reason...) is the
/// caller's mistake, with the value type's own message.
impl From<keydesk_types::ParseError> for CoreError {
    fn from(e: keydesk_types::ParseError) -> Self {
        Self::Usage(e.to_string())
    }
}
