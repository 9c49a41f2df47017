//! The details of device errors in the technician's words: why a PIN was
//! refused, what an attestation says differently, why it could not be
//! checked, what a key lacks. One table text per variant; values the
//! error alone knows (a library's message, a version) stay as they are.

use keydesk_core::error::{
    AttestationFault, AttestationMismatchKind, Needs, PinRefusal, PivFeature,
};

use super::{plain, Part, Problem};
use crate::i18n::Text;

/// A value the attestation may lack: as it is, or the word for none.
fn or_none(v: Option<impl ToString>) -> Part {
    v.map_or(Part::Word(Text::MisNone), plain)
}

impl Problem {
    /// Why a PIN was refused.
    #[must_use]
    pub fn from_pin_refusal(r: &PinRefusal) -> Self {
        let new = Self::new;
        match r {
            PinRefusal::PivLength { chars } => new(Text::PinPivLength, vec![plain(chars)]),
            PinRefusal::PivTooLong => new(Text::PinPivTooLong, vec![]),
            PinRefusal::PivShorterThanProfile { min } => {
                new(Text::PinPivShorterThanProfile, vec![plain(min)])
            }
            PinRefusal::ZeroRetries => new(Text::PinZeroRetries, vec![]),
            PinRefusal::FidoTooShort { min } => new(Text::PinFidoTooShort, vec![plain(min)]),
            PinRefusal::FidoTooLong { max_bytes } => {
                new(Text::PinFidoTooLong, vec![plain(max_bytes)])
            }
            PinRefusal::FidoNul => new(Text::PinFidoNul, vec![]),
            PinRefusal::FidoRefused => new(Text::PinFidoRefused, vec![]),
            PinRefusal::FidoNotSet => new(Text::PinFidoNotSet, vec![]),
            PinRefusal::FidoAlreadySet => new(Text::PinFidoAlreadySet, vec![]),
            PinRefusal::FidoChangeRequired => new(Text::PinFidoChangeRequired, vec![]),
            PinRefusal::MinLengthLowered { current } => {
                new(Text::PinMinLengthLowered, vec![plain(current)])
            }
            PinRefusal::FidoPinNeeded => new(Text::PinFidoPinNeeded, vec![]),
        }
    }

    /// What an attestation says differently from the key in hand.
    #[must_use]
    pub fn from_mismatch(m: &AttestationMismatchKind) -> Self {
        let new = Self::new;
        match m {
            AttestationMismatchKind::Serial { attested, in_hand } => {
                new(Text::MisSerial, vec![or_none(*attested), plain(in_hand)])
            }
            AttestationMismatchKind::Firmware { attested, reported } => {
                new(Text::MisFirmware, vec![or_none(*attested), plain(reported)])
            }
            AttestationMismatchKind::Policies {
                pin,
                touch,
                expected_pin,
                expected_touch,
            } => new(
                Text::MisPolicies,
                vec![
                    or_none(*pin),
                    or_none(*touch),
                    plain(expected_pin),
                    plain(expected_touch),
                ],
            ),
            AttestationMismatchKind::FormFactor { attested, reported } => new(
                Text::MisFormFactor,
                vec![
                    plain(format!("{attested:#04x}")),
                    plain(format!("{reported:#04x}")),
                ],
            ),
            AttestationMismatchKind::PublicKey => new(Text::MisPublicKey, vec![]),
            AttestationMismatchKind::SlotKey { slot } => new(Text::MisSlotKey, vec![plain(slot)]),
        }
    }

    /// Why an attestation could not be checked.
    #[must_use]
    pub fn from_attestation_fault(f: &AttestationFault) -> Self {
        let new = Self::new;
        match f {
            AttestationFault::RootEncoding { detail } => {
                new(Text::AttRootEncoding, vec![plain(detail)])
            }
            AttestationFault::NoEndLine { source } => new(Text::AttNoEndLine, vec![plain(source)]),
            AttestationFault::RootUnreadable { source, detail } => {
                new(Text::AttRootUnreadable, vec![plain(source), plain(detail)])
            }
            AttestationFault::NoCertificate { source } => {
                new(Text::AttNoCertificate, vec![plain(source)])
            }
            AttestationFault::LeafUnreadable { detail } => {
                new(Text::AttLeafUnreadable, vec![plain(detail)])
            }
            AttestationFault::F9Unreadable { detail } => {
                new(Text::AttF9Unreadable, vec![plain(detail)])
            }
            AttestationFault::Encoding { detail } => new(Text::AttEncoding, vec![plain(detail)]),
            AttestationFault::IssuerMismatch => new(Text::AttIssuerMismatch, vec![]),
            AttestationFault::UnusedBits => new(Text::AttUnusedBits, vec![]),
            AttestationFault::BadSignature => new(Text::AttBadSignature, vec![]),
            AttestationFault::IssuerNotRsa => new(Text::AttIssuerNotRsa, vec![]),
            AttestationFault::IssuerNotEc => new(Text::AttIssuerNotEc, vec![]),
            AttestationFault::UnsupportedAlgorithm { oid } => {
                new(Text::AttUnsupportedAlgorithm, vec![plain(oid)])
            }
            AttestationFault::Untrusted => new(Text::AttUntrusted, vec![]),
        }
    }

    /// What a key lacks for an operation.
    #[must_use]
    pub fn from_needs(n: &Needs) -> Self {
        let new = Self::new;
        match n {
            Needs::PivFirmware {
                version,
                feature,
                has,
            } => new(
                Text::NeedPivFirmware,
                vec![
                    plain(version),
                    Part::Sentences(vec![Self::from_piv_feature(*feature)]),
                    plain(has),
                ],
            ),
            Needs::DeviceInfoFirmware => new(Text::NeedDeviceInfoFirmware, vec![]),
            Needs::SwitchFirmware => new(Text::NeedSwitchFirmware, vec![]),
            Needs::OtpApplication => new(Text::NeedOtpApplication, vec![]),
            Needs::UnlockedConfig => new(Text::NeedUnlockedConfig, vec![]),
            Needs::Command { command } => new(Text::NeedCommand, vec![plain(command)]),
            Needs::Application { name } => new(Text::NeedApplication, vec![plain(name)]),
            Needs::UncompressedCertificate => new(Text::NeedUncompressedCertificate, vec![]),
            Needs::Ctap2 => new(Text::NeedCtap2, vec![]),
            Needs::PinUvProtocol => new(Text::NeedPinUvProtocol, vec![]),
            Needs::CredentialManagement => new(Text::NeedCredentialManagement, vec![]),
            Needs::CtaphidCommand => new(Text::NeedCtaphidCommand, vec![]),
            Needs::SetMinPinLength => new(Text::NeedSetMinPinLength, vec![]),
            Needs::FidoHidSerial => new(Text::NeedFidoHidSerial, vec![]),
        }
    }

    /// A PIV feature that needs a later firmware.
    #[must_use]
    pub fn from_piv_feature(f: PivFeature) -> Self {
        let new = Self::new;
        match f {
            PivFeature::Attestation => new(Text::FeatAttestation, vec![]),
            PivFeature::MgmtKeyMetadata => new(Text::FeatMgmtKeyMetadata, vec![]),
            PivFeature::AesMgmtKey => new(Text::FeatAesMgmtKey, vec![]),
            PivFeature::Algorithm(a) => new(Text::FeatAlgorithm, vec![plain(format!("{a:?}"))]),
            PivFeature::SlotMetadata => new(Text::FeatSlotMetadata, vec![]),
            PivFeature::SerialThroughPiv => new(Text::FeatSerialThroughPiv, vec![]),
            PivFeature::PukRetries => new(Text::FeatPukRetries, vec![]),
        }
    }
}
