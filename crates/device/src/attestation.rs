//! PIV attestation: fetch the slot attestation certificate (INS F9) and the
//! F9 attestation-key certificate (object 5FFF01), verify the chain up to
//! Yubico's PIV root CA (bundled in `certs/`), and check that what the key
//! attests (serial, firmware, PIN/touch policy, form factor, public key) is
//! what we have in hand. Any mismatch is an error.
//!
//! Trust is explicit: Yubico's root always, and any further root only when
//! the caller adds it with [`TrustAnchors::add_pem`] (the office profile's
//! `[attestation] extra_roots`, or the simulator's root in training mode).
//! [`Attested::root`] says which root verified an attestation, so every
//! enrolment records what it was trusted by.

use der::{Decode, DecodePem, Encode};
use keydesk_types::{PinPolicy, Serial, Slot, TouchPolicy};
use spki::ObjectIdentifier;
use x509_cert::Certificate;

use crate::apdu::tlv;
use crate::error::{AttestationFault, AttestationMismatchKind, DeviceError, PivFeature, Result};
use crate::management::{FormFactor, Version};
use crate::piv::{object, Piv, PublicKey};

/// Yubico PIV Root CA Serial 263751 (PEM), as published by Yubico.
pub const YUBICO_PIV_ROOT_CA: &str = include_str!("../certs/yubico-piv-root-ca.pem");

const INS_ATTEST: u8 = 0xF9;

const OID_FIRMWARE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.3.3");
const OID_SERIAL: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.3.7");
const OID_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.3.8");
const OID_FORM_FACTOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.3.9");

const RSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");

fn fail(fault: AttestationFault) -> DeviceError {
    DeviceError::Attestation(fault)
}

/// A certificate that does not encode: the library's words.
fn encoding(e: impl std::fmt::Display) -> DeviceError {
    fail(AttestationFault::Encoding {
        detail: e.to_string(),
    })
}

/// Root certificates an attestation may chain to, each with where it came from.
#[derive(Debug, Clone)]
pub struct TrustAnchors {
    roots: Vec<(Certificate, RootInfo)>,
}

/// Which root verified an attestation: recorded with each enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootInfo {
    /// The root's subject, e.g. `CN=Yubico PIV Root CA Serial 263751`.
    pub subject: String,
    /// SHA-256 of the root certificate (DER), hex.
    pub sha256: String,
    /// Where the root came from: `bundled` for Yubico's, else the file it was read from.
    pub source: String,
}

impl RootInfo {
    fn of(cert: &Certificate, source: &str) -> Result<Self> {
        use sha2::{Digest, Sha256};
        let der = cert.to_der().map_err(|e| {
            fail(AttestationFault::RootEncoding {
                detail: e.to_string(),
            })
        })?;
        Ok(Self {
            subject: cert.tbs_certificate.subject.to_string(),
            sha256: hex::encode(Sha256::digest(der)),
            source: source.to_owned(),
        })
    }
}

const PEM_BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const PEM_END: &str = "-----END CERTIFICATE-----";

impl TrustAnchors {
    /// Only Yubico's PIV root (production).
    ///
    /// # Errors
    /// Never in practice (the bundled PEM is checked by a test).
    pub fn yubico() -> Result<Self> {
        let mut t = Self { roots: Vec::new() };
        t.add_pem(YUBICO_PIV_ROOT_CA, "bundled")?;
        Ok(t)
    }

    /// Trust the certificates in `pem` (one or more) as further roots;
    /// `source` names where they came from (a file path) for the record.
    ///
    /// # Errors
    /// `Attestation` when the PEM holds no certificate or does not parse.
    pub fn add_pem(&mut self, pem: &str, source: &str) -> Result<()> {
        // Each CERTIFICATE block on its own: text between blocks (as bundles
        // carry) is skipped, and x509-cert's `load_pem_chain` is not used
        // because it panics on empty input (0.2.5).
        let mut added = Vec::new();
        let mut rest = pem;
        while let Some(start) = rest.find(PEM_BEGIN) {
            let block = &rest[start..];
            let end = block.find(PEM_END).ok_or_else(|| {
                fail(AttestationFault::NoEndLine {
                    source: source.to_owned(),
                })
            })? + PEM_END.len();
            let cert = Certificate::from_pem(&block.as_bytes()[..end]).map_err(|e| {
                fail(AttestationFault::RootUnreadable {
                    source: source.to_owned(),
                    detail: e.to_string(),
                })
            })?;
            let info = RootInfo::of(&cert, source)?;
            added.push((cert, info));
            rest = &block[end..];
        }
        if added.is_empty() {
            return Err(fail(AttestationFault::NoCertificate {
                source: source.to_owned(),
            }));
        }
        self.roots.extend(added);
        Ok(())
    }

    /// The roots trusted, in order.
    pub fn roots(&self) -> impl Iterator<Item = &RootInfo> {
        self.roots.iter().map(|(_, info)| info)
    }
}

/// What the key in hand should attest.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    pub serial: Serial,
    pub firmware: Version,
    pub slot: Slot,
    pub pin_policy: PinPolicy,
    pub touch_policy: TouchPolicy,
    /// `None` to skip (keys that do not report it).
    pub form_factor: Option<FormFactor>,
    pub public_key: &'a PublicKey,
}

/// The facts read from a verified attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attested {
    pub serial: Option<Serial>,
    pub firmware: Option<Version>,
    pub pin_policy: Option<u8>,
    pub touch_policy: Option<u8>,
    pub form_factor: Option<u8>,
    /// DER of the slot attestation certificate.
    pub certificate: Vec<u8>,
    /// The root that verified the chain.
    pub root: RootInfo,
}

impl Piv<'_> {
    /// ATTEST the key in `slot` (firmware 4.3+): DER certificate.
    ///
    /// # Errors
    /// `NotFound` for an empty slot or an imported key.
    pub fn attest(&mut self, slot: Slot) -> Result<Vec<u8>> {
        self.require(Version(4, 3, 0), PivFeature::Attestation)?;
        self.apdus
            .send("ATTEST", (0, INS_ATTEST, slot.id(), 0), &[])
            .map(crate::apdu::public)
    }

    /// The F9 attestation key's certificate (DER) from object 5FFF01.
    ///
    /// # Errors
    /// `NotFound` when missing.
    pub fn attestation_certificate(&mut self) -> Result<Vec<u8>> {
        let obj = self
            .get_object(object::ATTESTATION)?
            .ok_or(DeviceError::NotFound {
                command: "attestation certificate",
            })?;
        // Stored like slot certificates (70/71/FE); accept a bare DER too.
        match tlv::find(&obj, 0x70) {
            Ok(Some(der)) => Ok(der.to_vec()),
            _ => Ok(crate::apdu::public(obj)),
        }
    }
}

/// Verify that `child` was signed by `issuer`'s key.
fn verify_issued(child: &Certificate, issuer: &Certificate) -> Result<()> {
    use signature::Verifier;
    use spki::DecodePublicKey;
    if child.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return Err(fail(AttestationFault::IssuerMismatch));
    }
    let tbs = child.tbs_certificate.to_der().map_err(encoding)?;
    let sig = child
        .signature
        .as_bytes()
        .ok_or_else(|| fail(AttestationFault::UnusedBits))?;
    let spki_der = issuer
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(encoding)?;
    let bad = |_| fail(AttestationFault::BadSignature);
    match child.signature_algorithm.oid {
        RSA_SHA256 => {
            let pk = rsa::RsaPublicKey::from_public_key_der(&spki_der)
                .map_err(|_| fail(AttestationFault::IssuerNotRsa))?;
            let sig = rsa::pkcs1v15::Signature::try_from(sig).map_err(bad)?;
            rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(pk)
                .verify(&tbs, &sig)
                .map_err(bad)
        }
        ECDSA_SHA256 | ECDSA_SHA384 => {
            let sha384 = child.signature_algorithm.oid == ECDSA_SHA384;
            if let Ok(vk) = p256::ecdsa::VerifyingKey::from_public_key_der(&spki_der) {
                let s = p256::ecdsa::Signature::from_der(sig).map_err(bad)?;
                if sha384 {
                    use signature::hazmat::PrehashVerifier;
                    let h = <sha2::Sha384 as sha2::Digest>::digest(&tbs);
                    vk.verify_prehash(&h, &s).map_err(bad)
                } else {
                    vk.verify(&tbs, &s).map_err(bad)
                }
            } else if let Ok(vk) = p384::ecdsa::VerifyingKey::from_public_key_der(&spki_der) {
                let s = p384::ecdsa::Signature::from_der(sig).map_err(bad)?;
                if sha384 {
                    vk.verify(&tbs, &s).map_err(bad)
                } else {
                    use signature::hazmat::PrehashVerifier;
                    let h = <sha2::Sha256 as sha2::Digest>::digest(&tbs);
                    vk.verify_prehash(&h, &s).map_err(bad)
                }
            } else {
                Err(fail(AttestationFault::IssuerNotEc))
            }
        }
        other => Err(fail(AttestationFault::UnsupportedAlgorithm {
            oid: other.to_string(),
        })),
    }
}

fn ext(cert: &Certificate, oid: ObjectIdentifier) -> Option<&[u8]> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == oid)
        .map(|e| e.extn_value.as_bytes())
}

fn parse_serial(v: &[u8]) -> Option<Serial> {
    let bytes = match der::asn1::UintRef::from_der(v) {
        Ok(u) => u.as_bytes().to_vec(),
        Err(_) if v.len() <= 4 => v.to_vec(),
        Err(_) => return None,
    };
    if bytes.len() > 4 {
        return None;
    }
    Serial::new(bytes.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b))).ok()
}

/// The policy value a key attests for `policy` set at generation in `slot`
/// (PIV defaults: PIN once for 9A/9D, always for 9C, never for 9E; touch never).
fn effective_pin_policy(slot: Slot, policy: PinPolicy) -> u8 {
    match (policy, slot) {
        (PinPolicy::Default, Slot::Signature) => PinPolicy::Always.id(),
        (PinPolicy::Default, Slot::CardAuth) => PinPolicy::Never.id(),
        (PinPolicy::Default, _) => PinPolicy::Once.id(),
        (p, _) => p.id(),
    }
}

fn effective_touch_policy(policy: TouchPolicy) -> u8 {
    match policy {
        TouchPolicy::Default => TouchPolicy::Never.id(),
        p => p.id(),
    }
}

/// Verify an attestation: `leaf` (from [`Piv::attest`]) signed by `f9`
/// (from [`Piv::attestation_certificate`]) signed by one of `anchors`; then
/// compare the attested facts with `expected`.
///
/// # Errors
/// `Attestation` when the chain does not verify; `AttestationMismatch` when
/// it verifies but attests something else than the key in hand.
pub fn verify(
    leaf: &[u8],
    f9: &[u8],
    anchors: &TrustAnchors,
    expected: &Expected<'_>,
) -> Result<Attested> {
    let leaf_c = Certificate::from_der(leaf).map_err(|e| {
        fail(AttestationFault::LeafUnreadable {
            detail: e.to_string(),
        })
    })?;
    let f9_c = Certificate::from_der(f9).map_err(|e| {
        fail(AttestationFault::F9Unreadable {
            detail: e.to_string(),
        })
    })?;
    verify_issued(&leaf_c, &f9_c)?;
    let Some((_, root)) = anchors
        .roots
        .iter()
        .find(|(r, _)| verify_issued(&f9_c, r).is_ok())
    else {
        return Err(fail(AttestationFault::Untrusted));
    };
    let got = Attested {
        serial: ext(&leaf_c, OID_SERIAL).and_then(parse_serial),
        firmware: ext(&leaf_c, OID_FIRMWARE).and_then(|v| match v {
            [a, b, c] => Some(Version(*a, *b, *c)),
            _ => None,
        }),
        pin_policy: ext(&leaf_c, OID_POLICY).and_then(|v| v.first().copied()),
        touch_policy: ext(&leaf_c, OID_POLICY).and_then(|v| v.get(1).copied()),
        form_factor: ext(&leaf_c, OID_FORM_FACTOR).and_then(|v| v.first().copied()),
        certificate: leaf.to_vec(),
        root: root.clone(),
    };
    let mismatch = |what| Err(DeviceError::AttestationMismatch { what });
    if got.serial != Some(expected.serial) {
        return mismatch(AttestationMismatchKind::Serial {
            attested: got.serial,
            in_hand: expected.serial,
        });
    }
    if got.firmware != Some(expected.firmware) {
        return mismatch(AttestationMismatchKind::Firmware {
            attested: got.firmware,
            reported: expected.firmware,
        });
    }
    let pin = effective_pin_policy(expected.slot, expected.pin_policy);
    let touch = effective_touch_policy(expected.touch_policy);
    if got.pin_policy != Some(pin) || got.touch_policy != Some(touch) {
        return mismatch(AttestationMismatchKind::Policies {
            pin: got.pin_policy,
            touch: got.touch_policy,
            expected_pin: pin,
            expected_touch: touch,
        });
    }
    if let (Some(ff), Some(attested)) = (expected.form_factor, got.form_factor) {
        if attested & 0x0F != ff.code() {
            return mismatch(AttestationMismatchKind::FormFactor {
                attested,
                reported: ff.code(),
            });
        }
    }
    let attested_key = leaf_c
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(encoding)?;
    if attested_key != expected.public_key.spki_der {
        return mismatch(AttestationMismatchKind::PublicKey);
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_yubico_root_is_self_signed_and_named() {
        let t = TrustAnchors::yubico().unwrap();
        let (root, info) = &t.roots[0];
        assert_eq!(
            root.tbs_certificate.subject.to_string(),
            "CN=Yubico PIV Root CA Serial 263751"
        );
        assert_eq!(info.subject, "CN=Yubico PIV Root CA Serial 263751");
        assert_eq!(info.source, "bundled");
        assert_eq!(info.sha256.len(), 64);
        verify_issued(root, root).unwrap();
        let mut t = TrustAnchors::yubico().unwrap();
        assert!(t.add_pem("not pem", "x.pem").is_err());
        assert!(t.add_pem("", "empty.pem").is_err());
        assert!(t.add_pem("\n", "blank.pem").is_err());
        let cut = &YUBICO_PIV_ROOT_CA[..YUBICO_PIV_ROOT_CA.len() / 2];
        assert!(t.add_pem(cut, "cut.pem").is_err(), "no END line");
        assert_eq!(t.roots().count(), 1, "nothing added by a failed file");
        // Two certificates in one file are two roots.
        let two = format!("subject=Yubico\n{YUBICO_PIV_ROOT_CA}\n# again\n{YUBICO_PIV_ROOT_CA}");
        t.add_pem(&two, "/etc/keydesk/extra.pem").unwrap();
        assert_eq!(t.roots().count(), 3);
        assert!(t
            .roots()
            .skip(1)
            .all(|r| r.source == "/etc/keydesk/extra.pem"));
    }

    #[test]
    fn serial_extension_forms() {
        assert_eq!(
            parse_serial(&[2, 4, 0, 0xBC, 0x61, 0x4E]),
            Some(Serial::new(12_345_678).unwrap())
        );
        assert_eq!(
            parse_serial(&[2, 3, 0, 0x80, 0x01]),
            Some(Serial::new(0x8001).unwrap())
        );
        assert_eq!(parse_serial(&[0, 1]), Some(Serial::new(1).unwrap()));
        assert_eq!(effective_pin_policy(Slot::Signature, PinPolicy::Default), 3);
        assert_eq!(effective_touch_policy(TouchPolicy::Cached), 3);
    }
}
