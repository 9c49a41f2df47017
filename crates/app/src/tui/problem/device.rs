//! Device errors in the technician's words: one table text per variant,
//! with the typed details (`device_detail.rs`) translated inside.

use keydesk_core::error::DeviceError;

use super::{plain, Part, Problem};
use crate::i18n::Text;

impl Problem {
    /// A device error. Every variant has its own text: a variant added to
    /// [`DeviceError`] does not compile here until it has one.
    #[must_use]
    pub fn from_device(e: &DeviceError) -> Self {
        let new = Self::new;
        match e {
            DeviceError::WrongPin { tries_left } => new(Text::ErrWrongPin, vec![plain(tries_left)]),
            DeviceError::PinBlocked => new(Text::ErrPinBlocked, vec![]),
            DeviceError::WrongPuk { tries_left } => new(Text::ErrWrongPuk, vec![plain(tries_left)]),
            DeviceError::PukBlocked => new(Text::ErrPukBlocked, vec![]),
            DeviceError::PinAuthBlocked => new(Text::ErrPinAuthBlocked, vec![]),
            DeviceError::PinPolicy { reason } => new(
                Text::ErrPinPolicy,
                vec![Part::Sentences(vec![Self::from_pin_refusal(reason)])],
            ),
            DeviceError::ManagementKeyRejected => new(Text::ErrMgmtKeyRejected, vec![]),
            DeviceError::NotFactoryFresh { serial } => {
                new(Text::ErrNotFactoryFresh, vec![plain(serial)])
            }
            DeviceError::NoKey => new(Text::ErrNoKey, vec![]),
            DeviceError::KeyNotFound { serial } => new(Text::ErrKeyNotFound, vec![plain(serial)]),
            DeviceError::SeveralKeys { serial, count } => {
                new(Text::ErrSeveralKeys, vec![plain(count), plain(serial)])
            }
            DeviceError::TouchTimeout => new(Text::ErrTouchTimeout, vec![]),
            DeviceError::ResetWindowMissed { window_secs } => {
                new(Text::ErrResetWindow, vec![plain(window_secs)])
            }
            DeviceError::Cancelled => new(Text::ErrCancelled, vec![]),
            DeviceError::AttestationMismatch { what } => new(
                Text::ErrAttestationMismatch,
                vec![Part::Sentences(vec![Self::from_mismatch(what)])],
            ),
            DeviceError::Attestation(fault) => new(
                Text::ErrAttestation,
                vec![Part::Sentences(vec![Self::from_attestation_fault(fault)])],
            ),
            DeviceError::Unsupported { needs } => new(
                Text::ErrUnsupported,
                vec![Part::Sentences(vec![Self::from_needs(needs)])],
            ),
            DeviceError::KeyRemoved => new(Text::ErrKeyRemoved, vec![]),
            DeviceError::Status { command, sw } => new(
                Text::ErrStatus,
                vec![plain(command), plain(format!("{sw:04X}"))],
            ),
            DeviceError::Malformed { command, detail } => {
                new(Text::ErrMalformed, vec![plain(command), plain(detail)])
            }
            DeviceError::Ctap {
                command,
                code,
                name,
            } => new(
                Text::ErrCtap,
                vec![plain(format!("0x{code:02X}")), plain(name), plain(command)],
            ),
            DeviceError::Pcsc(detail) => new(Text::ErrPcsc, vec![plain(detail)]),
            DeviceError::Hid(detail) => new(Text::ErrHid, vec![plain(detail)]),
            DeviceError::Transport(detail) => new(Text::ErrTransport, vec![plain(detail)]),
            DeviceError::AccessDenied { command } => {
                new(Text::ErrAccessDenied, vec![plain(command)])
            }
            DeviceError::NotFound { command } => new(Text::ErrNoSuchObject, vec![plain(command)]),
            DeviceError::DuplicateSerial { serial, count } => {
                new(Text::ErrDuplicateSerial, vec![plain(count), plain(serial)])
            }
            DeviceError::CardBusy => new(Text::ErrCardBusy, vec![]),
            DeviceError::CertificateKeyMismatch { slot } => {
                new(Text::ErrCertMismatch, vec![plain(slot)])
            }
        }
    }
}
