//! The details of some device errors, typed: why a PIN was refused, what an
//! attestation attests differently, why it could not be checked, and what a
//! key lacks. Each carries its data so that the faces can say it in the
//! technician's language; `Display` is the English text, for logs and
//! scripts.

use std::fmt;

use keydesk_types::{Algorithm, Serial, Slot};

use crate::management::Version;

/// Why a PIN (or a PIN setting) was refused, by keydesk or by the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinRefusal {
    /// A PIV PIN or PUK of the wrong length.
    PivLength {
        /// Characters it has.
        chars: usize,
    },
    /// A PIV PIN or PUK longer than the 8 bytes a PIV key holds.
    PivTooLong,
    /// A PIV PIN shorter than the office profile asks for.
    PivShorterThanProfile {
        /// Characters the profile asks for.
        min: usize,
    },
    /// PIN or PUK retry counts of 0.
    ZeroRetries,
    /// A FIDO2 PIN shorter than the key's minimum.
    FidoTooShort {
        /// The key's minimum, in characters.
        min: usize,
    },
    /// A FIDO2 PIN longer than CTAP allows.
    FidoTooLong {
        /// The most bytes CTAP allows.
        max_bytes: usize,
    },
    /// A FIDO2 PIN with a NUL character.
    FidoNul,
    /// The key refused the PIN (CTAP PIN_POLICY_VIOLATION).
    FidoRefused,
    /// The key has no FIDO2 PIN yet (CTAP PIN_NOT_SET).
    FidoNotSet,
    /// The key has a FIDO2 PIN already, so it cannot be set, only changed.
    FidoAlreadySet,
    /// The key wants its FIDO2 PIN changed before it is used.
    FidoChangeRequired,
    /// The FIDO2 minimum PIN length can only be raised.
    MinLengthLowered {
        /// The key's minimum now.
        current: u64,
    },
    /// Changing the PIN policy of a key with a FIDO2 PIN needs that PIN.
    FidoPinNeeded,
}

impl fmt::Display for PinRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PivLength { chars } => write!(f, "it must have 6 to 8 characters, not {chars}"),
            Self::PivTooLong => write!(f, "a PIN/PUK has at most 8 characters"),
            Self::PivShorterThanProfile { min } => {
                write!(f, "the PIV PIN must have at least {min} characters")
            }
            Self::ZeroRetries => write!(f, "retry counts must be at least 1"),
            Self::FidoTooShort { min } => write!(f, "the PIN must have at least {min} characters"),
            Self::FidoTooLong { max_bytes } => {
                write!(f, "the PIN must not be longer than {max_bytes} bytes")
            }
            Self::FidoNul => write!(f, "the PIN must not contain a NUL character"),
            Self::FidoRefused => write!(
                f,
                "the key refused the PIN (too short, too long, the same as before, or a PIN change is required first)"
            ),
            Self::FidoNotSet => write!(f, "no FIDO2 PIN is set on this key yet; set one first"),
            Self::FidoAlreadySet => {
                write!(f, "this key already has a FIDO2 PIN; change it instead")
            }
            Self::FidoChangeRequired => write!(
                f,
                "the key requires a PIN change before the PIN can be used; change the PIN first"
            ),
            Self::MinLengthLowered { current } => write!(
                f,
                "the minimum PIN length can only be raised (it is {current})"
            ),
            Self::FidoPinNeeded => write!(
                f,
                "the key has a FIDO2 PIN; enter it to change the PIN policy"
            ),
        }
    }
}

/// What an attestation says differently from the key in hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttestationMismatchKind {
    /// Another serial (or none).
    Serial {
        /// The attested serial, if the attestation names one.
        attested: Option<Serial>,
        /// The key in hand.
        in_hand: Serial,
    },
    /// Another firmware (or none).
    Firmware {
        /// The attested firmware, if the attestation names one.
        attested: Option<Version>,
        /// What the key reports.
        reported: Version,
    },
    /// Other PIN or touch policies (their PIV ids).
    Policies {
        /// The attested PIN policy.
        pin: Option<u8>,
        /// The attested touch policy.
        touch: Option<u8>,
        /// The PIN policy the key was asked for.
        expected_pin: u8,
        /// The touch policy the key was asked for.
        expected_touch: u8,
    },
    /// Another form factor.
    FormFactor {
        /// The attested form factor byte.
        attested: u8,
        /// The form factor the key reports.
        reported: u8,
    },
    /// The attested public key is not the one just generated.
    PublicKey,
    /// The key in a slot signs with another key than expected.
    SlotKey {
        /// The slot.
        slot: Slot,
    },
}

impl fmt::Display for AttestationMismatchKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Serial { attested, in_hand } => write!(
                f,
                "attested serial {:?} but the key in hand is {in_hand}",
                attested.map(Serial::get)
            ),
            Self::Firmware { attested, reported } => write!(
                f,
                "attested firmware {:?} but the key reports {reported}",
                attested.map(|v| v.to_string())
            ),
            Self::Policies {
                pin,
                touch,
                expected_pin,
                expected_touch,
            } => write!(
                f,
                "attested PIN/touch policy {pin:?}/{touch:?}, expected {expected_pin}/{expected_touch}"
            ),
            Self::FormFactor { attested, reported } => write!(
                f,
                "attested form factor {attested:#04x}, the key reports {reported:#04x}"
            ),
            Self::PublicKey => write!(f, "the attested public key is not the generated one"),
            Self::SlotKey { slot } => write!(
                f,
                "the key in slot {:02X} is not the one expected",
                slot.id()
            ),
        }
    }
}

/// Why an attestation could not be checked at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttestationFault {
    /// A trusted root certificate does not encode (the library's words).
    RootEncoding {
        /// The library's message.
        detail: String,
    },
    /// A PEM block of trusted roots has no END line.
    NoEndLine {
        /// Where the roots came from.
        source: String,
    },
    /// A trusted root certificate does not parse (the library's words).
    RootUnreadable {
        /// Where the roots came from.
        source: String,
        /// The library's message.
        detail: String,
    },
    /// A PEM text of trusted roots holds no certificate.
    NoCertificate {
        /// Where the roots came from.
        source: String,
    },
    /// The attestation certificate does not parse.
    LeafUnreadable {
        /// The library's message.
        detail: String,
    },
    /// The attestation key's certificate (slot F9) does not parse.
    F9Unreadable {
        /// The library's message.
        detail: String,
    },
    /// A certificate does not encode (the library's words).
    Encoding {
        /// The library's message.
        detail: String,
    },
    /// A certificate's issuer is not the next certificate's subject.
    IssuerMismatch,
    /// A signature has unused bits.
    UnusedBits,
    /// A signature does not verify.
    BadSignature,
    /// The issuer key is not RSA though the signature is.
    IssuerNotRsa,
    /// The issuer key is not P-256 or P-384 though the signature is ECDSA.
    IssuerNotEc,
    /// A signature algorithm keydesk does not check.
    UnsupportedAlgorithm {
        /// Its object identifier.
        oid: String,
    },
    /// The attestation key's certificate is not signed by a trusted root.
    Untrusted,
}

impl fmt::Display for AttestationFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RootEncoding { detail } => write!(f, "root certificate: {detail}"),
            Self::NoEndLine { source } => write!(f, "{source}: a certificate has no END line"),
            Self::RootUnreadable { source, detail } => {
                write!(f, "root certificate in {source}: {detail}")
            }
            Self::NoCertificate { source } => write!(f, "no certificate in {source}"),
            Self::LeafUnreadable { detail } => write!(f, "attestation: {detail}"),
            Self::F9Unreadable { detail } => write!(f, "F9 certificate: {detail}"),
            Self::Encoding { detail } => write!(f, "{detail}"),
            Self::IssuerMismatch => write!(f, "issuer name does not match"),
            Self::UnusedBits => write!(f, "signature has unused bits"),
            Self::BadSignature => write!(f, "signature does not verify"),
            Self::IssuerNotRsa => write!(f, "issuer key is not RSA"),
            Self::IssuerNotEc => write!(f, "issuer key is not P-256/P-384"),
            Self::UnsupportedAlgorithm { oid } => {
                write!(f, "unsupported signature algorithm {oid}")
            }
            Self::Untrusted => write!(
                f,
                "the attestation key's certificate is not signed by a trusted root (not a genuine key?)"
            ),
        }
    }
}

/// A PIV feature that needs a firmware version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PivFeature {
    /// ATTEST.
    Attestation,
    /// The management key's metadata.
    MgmtKeyMetadata,
    /// An AES management key.
    AesMgmtKey,
    /// Keys of an algorithm.
    Algorithm(Algorithm),
    /// A slot's metadata.
    SlotMetadata,
    /// The serial read through PIV.
    SerialThroughPiv,
    /// The PUK's retries.
    PukRetries,
}

impl fmt::Display for PivFeature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Attestation => write!(f, "attestation"),
            Self::MgmtKeyMetadata => write!(f, "management key metadata"),
            Self::AesMgmtKey => write!(f, "an AES management key"),
            Self::Algorithm(a) => write!(f, "{a:?} keys"),
            Self::SlotMetadata => write!(f, "slot metadata"),
            Self::SerialThroughPiv => write!(f, "reading the serial through PIV"),
            Self::PukRetries => write!(f, "reading PUK retries"),
        }
    }
}

/// What a key lacks for an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Needs {
    /// A PIV feature of a later firmware.
    PivFirmware {
        /// The first firmware with it.
        version: Version,
        /// The feature.
        feature: PivFeature,
        /// The key's firmware.
        has: Version,
    },
    /// Firmware 4.1 for GET DEVICE INFO.
    DeviceInfoFirmware,
    /// Firmware 5.0 to switch applications on and off.
    SwitchFirmware,
    /// The OTP application.
    OtpApplication,
    /// A configuration without a lock code.
    UnlockedConfig,
    /// A firmware that implements a command.
    Command {
        /// The command.
        command: &'static str,
    },
    /// An application (not present or disabled).
    Application {
        /// Its name.
        name: &'static str,
    },
    /// Certificates stored uncompressed.
    UncompressedCertificate,
    /// FIDO2 (the key speaks U2F only).
    Ctap2,
    /// PIN/UV auth protocol 1 or 2.
    PinUvProtocol,
    /// FIDO2 credential management.
    CredentialManagement,
    /// A CTAPHID command the device does not implement.
    CtaphidCommand,
    /// authenticatorConfig with setMinPINLength.
    SetMinPinLength,
    /// The YubiKey vendor command to read the serial over FIDO HID.
    FidoHidSerial,
}

impl fmt::Display for Needs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PivFirmware {
                version,
                feature,
                has,
            } => write!(
                f,
                "firmware {version} or later for {feature} (this key has {has})"
            ),
            Self::DeviceInfoFirmware => write!(f, "firmware 4.1 or later for GET DEVICE INFO"),
            Self::SwitchFirmware => write!(f, "firmware 5.0 or later to switch applications"),
            Self::OtpApplication => write!(f, "the OTP application"),
            Self::UnlockedConfig => write!(
                f,
                "an unlocked configuration (this key has a configuration lock code)"
            ),
            Self::Command { command } => write!(f, "a firmware that implements {command}"),
            Self::Application { name } => {
                write!(f, "the {name} application (not present or disabled)")
            }
            Self::UncompressedCertificate => {
                write!(f, "uncompressed certificates (this one is compressed)")
            }
            Self::Ctap2 => write!(f, "FIDO2 (CTAP2); this is a U2F-only key"),
            Self::PinUvProtocol => write!(f, "PIN/UV auth protocol 1 or 2"),
            Self::CredentialManagement => {
                write!(f, "FIDO2 credential management (CTAP 2.1 or its preview)")
            }
            Self::CtaphidCommand => write!(f, "a CTAPHID command this device does not implement"),
            Self::SetMinPinLength => write!(
                f,
                "CTAP 2.1 authenticatorConfig with setMinPINLength (YubiKey firmware 5.7 or later)"
            ),
            Self::FidoHidSerial => write!(
                f,
                "a YubiKey with firmware 4.1 or later to read its serial over FIDO HID"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DeviceError;

    #[test]
    fn typed_details_read_as_the_strings_they_replace() {
        let serial = Serial::new(23_456_780).expect("serial");
        let cases: Vec<(DeviceError, &str)> = vec![
            (
                DeviceError::PinPolicy {
                    reason: PinRefusal::MinLengthLowered { current: 8 },
                },
                "the PIN does not meet the policy: the minimum PIN length can only be raised (it is 8)",
            ),
            (
                DeviceError::AttestationMismatch {
                    what: AttestationMismatchKind::Serial {
                        attested: None,
                        in_hand: serial,
                    },
                },
                "attestation does not match the key in hand: attested serial None but the key in hand is 23456780; do not issue this key, set it aside and report it",
            ),
            (
                DeviceError::AttestationMismatch {
                    what: AttestationMismatchKind::SlotKey {
                        slot: Slot::Authentication,
                    },
                },
                "attestation does not match the key in hand: the key in slot 9A is not the one expected; do not issue this key, set it aside and report it",
            ),
            (
                DeviceError::AttestationMismatch {
                    what: AttestationMismatchKind::FormFactor {
                        attested: 1,
                        reported: 2,
                    },
                },
                "attestation does not match the key in hand: attested form factor 0x01, the key reports 0x02; do not issue this key, set it aside and report it",
            ),
            (
                DeviceError::Attestation(AttestationFault::NoCertificate {
                    source: "roots.pem".into(),
                }),
                "attestation could not be verified: no certificate in roots.pem",
            ),
            (
                DeviceError::Unsupported {
                    needs: Needs::PivFirmware {
                        version: Version(5, 7, 0),
                        feature: PivFeature::Algorithm(Algorithm::Rsa3072),
                        has: Version(5, 4, 3),
                    },
                },
                "this key cannot do that: it needs firmware 5.7.0 or later for Rsa3072 keys (this key has 5.4.3)",
            ),
            (
                DeviceError::Unsupported {
                    needs: Needs::Application { name: "OTP" },
                },
                "this key cannot do that: it needs the OTP application (not present or disabled)",
            ),
            (
                DeviceError::CertificateKeyMismatch {
                    slot: Slot::Authentication,
                },
                "the certificate is not for the key in slot 9a; request a certificate for this key's CSR",
            ),
        ];
        for (e, text) in cases {
            assert_eq!(e.to_string(), text);
        }
    }
}
