//! Every typed detail of a device error (PIN refusals, attestation
//! mismatches and faults, what a key lacks) reads in German and English,
//! with no English of the device's `Display` standing in for the German.

use keydesk_core::error::{
    AttestationFault, AttestationMismatchKind, DeviceError, Needs, PinRefusal, PivFeature, Version,
};
use keydesk_types::{Algorithm, Slot};

use super::tests::{assert_translated, both, serial};
use super::*;

fn pin_cases() -> Vec<PinRefusal> {
    vec![
        PinRefusal::PivLength { chars: 4 },
        PinRefusal::PivTooLong,
        PinRefusal::PivShorterThanProfile { min: 8 },
        PinRefusal::ZeroRetries,
        PinRefusal::FidoTooShort { min: 6 },
        PinRefusal::FidoTooLong { max_bytes: 63 },
        PinRefusal::FidoNul,
        PinRefusal::FidoRefused,
        PinRefusal::FidoNotSet,
        PinRefusal::FidoAlreadySet,
        PinRefusal::FidoChangeRequired,
        PinRefusal::MinLengthLowered { current: 8 },
        PinRefusal::FidoPinNeeded,
    ]
}

fn mismatch_cases() -> Vec<AttestationMismatchKind> {
    vec![
        AttestationMismatchKind::Serial {
            attested: Some(serial()),
            in_hand: serial(),
        },
        AttestationMismatchKind::Serial {
            attested: None,
            in_hand: serial(),
        },
        AttestationMismatchKind::Firmware {
            attested: Some(Version(5, 4, 3)),
            reported: Version(5, 7, 1),
        },
        AttestationMismatchKind::Policies {
            pin: Some(1),
            touch: None,
            expected_pin: 2,
            expected_touch: 1,
        },
        AttestationMismatchKind::FormFactor {
            attested: 0x01,
            reported: 0x02,
        },
        AttestationMismatchKind::PublicKey,
        AttestationMismatchKind::SlotKey {
            slot: Slot::Signature,
        },
    ]
}

fn fault_cases() -> Vec<AttestationFault> {
    let detail = || "ASN.1 DER message is incomplete".to_owned();
    let source = || "/etc/keydesk/roots.pem".to_owned();
    vec![
        AttestationFault::RootEncoding { detail: detail() },
        AttestationFault::NoEndLine { source: source() },
        AttestationFault::RootUnreadable {
            source: source(),
            detail: detail(),
        },
        AttestationFault::NoCertificate { source: source() },
        AttestationFault::LeafUnreadable { detail: detail() },
        AttestationFault::F9Unreadable { detail: detail() },
        AttestationFault::Encoding { detail: detail() },
        AttestationFault::IssuerMismatch,
        AttestationFault::UnusedBits,
        AttestationFault::BadSignature,
        AttestationFault::IssuerNotRsa,
        AttestationFault::IssuerNotEc,
        AttestationFault::UnsupportedAlgorithm {
            oid: "1.2.840.113549.1.1.5".into(),
        },
        AttestationFault::Untrusted,
    ]
}

fn needs_cases() -> Vec<Needs> {
    let features = [
        PivFeature::Attestation,
        PivFeature::MgmtKeyMetadata,
        PivFeature::AesMgmtKey,
        PivFeature::Algorithm(Algorithm::Rsa3072),
        PivFeature::SlotMetadata,
        PivFeature::SerialThroughPiv,
        PivFeature::PukRetries,
    ];
    let mut cases: Vec<Needs> = features
        .into_iter()
        .map(|feature| Needs::PivFirmware {
            version: Version(5, 7, 0),
            feature,
            has: Version(5, 4, 3),
        })
        .collect();
    cases.extend([
        Needs::DeviceInfoFirmware,
        Needs::SwitchFirmware,
        Needs::OtpApplication,
        Needs::UnlockedConfig,
        Needs::Command {
            command: "GENERATE",
        },
        Needs::Application { name: "OTP" },
        Needs::UncompressedCertificate,
        Needs::Ctap2,
        Needs::PinUvProtocol,
        Needs::CredentialManagement,
        Needs::CtaphidCommand,
        Needs::SetMinPinLength,
        Needs::FidoHidSerial,
    ]);
    cases
}

#[test]
fn every_device_detail_is_translated() {
    for reason in pin_cases() {
        let e = DeviceError::PinPolicy { reason };
        assert_translated(&Problem::from_device(&e), &e.to_string(), &format!("{e:?}"));
    }
    for what in mismatch_cases() {
        let e = DeviceError::AttestationMismatch { what };
        assert_translated(&Problem::from_device(&e), &e.to_string(), &format!("{e:?}"));
    }
    for fault in fault_cases() {
        let e = DeviceError::Attestation(fault);
        assert_translated(&Problem::from_device(&e), &e.to_string(), &format!("{e:?}"));
    }
    for needs in needs_cases() {
        let e = DeviceError::Unsupported { needs };
        assert_translated(&Problem::from_device(&e), &e.to_string(), &format!("{e:?}"));
    }
}

#[test]
fn device_details_read_in_german() {
    let cases: Vec<(DeviceError, &str, &str)> = vec![
        (
            DeviceError::PinPolicy {
                reason: PinRefusal::FidoTooShort { min: 6 },
            },
            "Die PIN entspricht nicht der Richtlinie (die PIN muss mindestens 6 Zeichen haben)",
            "The PIN does not meet the policy (the PIN must have at least 6 characters)",
        ),
        (
            DeviceError::AttestationMismatch {
                what: AttestationMismatchKind::Serial {
                    attested: None,
                    in_hand: serial(),
                },
            },
            "(bescheinigte Seriennummer keine, der Schlüssel in der Hand hat 23456780)",
            "(attested serial none but the key in hand is 23456780)",
        ),
        (
            DeviceError::Attestation(AttestationFault::BadSignature),
            "ließ sich nicht prüfen (die Signatur stimmt nicht)",
            "could not be verified (signature does not verify)",
        ),
        (
            DeviceError::Unsupported {
                needs: Needs::PivFirmware {
                    version: Version(5, 7, 0),
                    feature: PivFeature::Algorithm(Algorithm::Rsa3072),
                    has: Version(5, 4, 3),
                },
            },
            "Dieser Schlüssel kann das nicht (nötig: Firmware 5.7.0 oder neuer für Rsa3072-Schlüssel (dieser Schlüssel hat 5.4.3))",
            "(it needs firmware 5.7.0 or later for Rsa3072 keys (this key has 5.4.3))",
        ),
        (
            DeviceError::CertificateKeyMismatch {
                slot: Slot::Authentication,
            },
            "Das Zertifikat gehört nicht zum Schlüssel in Slot 9a",
            "The certificate is not for the key in slot 9a",
        ),
    ];
    for (e, de, en) in cases {
        let (got_de, got_en) = both(&Problem::from_device(&e));
        assert!(got_de.contains(de), "{e:?}: {got_de}");
        assert!(got_en.contains(en), "{e:?}: {got_en}");
    }
}

#[test]
fn device_details_read_as_before_in_english_where_the_device_says_them() {
    // The device's own English, for logs and --json: as before the details were typed.
    let e = DeviceError::PinPolicy {
        reason: PinRefusal::PivLength { chars: 4 },
    };
    assert_eq!(
        e.to_string(),
        "the PIN does not meet the policy: it must have 6 to 8 characters, not 4"
    );
    let e = DeviceError::AttestationMismatch {
        what: AttestationMismatchKind::Firmware {
            attested: Some(Version(5, 4, 3)),
            reported: Version(5, 7, 1),
        },
    };
    assert!(
        e.to_string()
            .starts_with("attestation does not match the key in hand: attested firmware Some(\"5.4.3\") but the key reports 5.7.1;"),
        "{e}"
    );
    let e = DeviceError::CertificateKeyMismatch {
        slot: Slot::Authentication,
    };
    assert!(e.to_string().contains("the key in slot 9a;"), "{e}");
}
