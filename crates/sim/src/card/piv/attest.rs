//! PIV attestation: X.509 certificates for keys generated on the card,
//! signed by the slot F9 attestation key, whose own certificate (object
//! 5FFF01) is signed by [`TEST_ROOT_CA`].
//!
//! Certificates carry Yubico's extensions under 1.3.6.1.4.1.41482.3:
//! `.3` firmware version (3 raw bytes), `.7` serial (DER INTEGER), `.8` PIN
//! and touch policy (2 raw bytes), `.9` form factor (1 raw byte).

use std::str::FromStr;
use std::time::Duration;

use der::asn1::{BitString, GeneralizedTime, OctetString, UtcTime};
use der::{Decode, DecodePem, Encode};
use rand::RngCore;
use sha2::Digest;
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate};

use super::keys::{KeyError, PrivateKey};
use crate::identity::Identity;

/// TEST-ONLY root CA certificate (PEM) that signs every simulated key's F9
/// attestation certificate. It is not a Yubico CA: real YubiKeys chain to
/// Yubico's PIV root, and nothing outside tests should trust this one.
pub const TEST_ROOT_CA: &str = include_str!("test_root_ca.pem");

/// TEST-ONLY private key of [`TEST_ROOT_CA`] (PKCS#8 PEM, P-256). Public on purpose.
const TEST_ROOT_CA_KEY: &str = include_str!("test_root_ca.key.pem");

const OID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const OID_ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const OID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
/// Yubico PIV attestation extensions.
pub const OID_FIRMWARE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.3.3");
pub const OID_SERIAL: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.3.7");
pub const OID_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.3.8");
pub const OID_FORM_FACTOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.41482.3.9");

/// Validity used by Yubico's attestation certificates (2016-03-14 .. 2052-04-17).
fn validity() -> Result<Validity, KeyError> {
    let nb =
        UtcTime::from_unix_duration(Duration::from_secs(1_457_913_600)).map_err(|_| KeyError)?;
    let na = GeneralizedTime::from_unix_duration(Duration::from_secs(2_596_924_800))
        .map_err(|_| KeyError)?;
    Ok(Validity {
        not_before: Time::UtcTime(nb),
        not_after: Time::GeneralTime(na),
    })
}

fn ext(oid: ObjectIdentifier, critical: bool, value: &[u8]) -> Result<Extension, KeyError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_vec()).map_err(|_| KeyError)?,
    })
}

fn random_serial() -> Result<SerialNumber, KeyError> {
    let mut s = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut s);
    s[0] &= 0x7F;
    s[0] |= 0x01;
    SerialNumber::new(&s).map_err(|_| KeyError)
}

/// DER INTEGER of the serial, as in Yubico's `.3.7` extension.
fn der_serial(serial: u32) -> Result<Vec<u8>, KeyError> {
    der::asn1::Uint::new(&serial.to_be_bytes())
        .and_then(|u| u.to_der())
        .map_err(|_| KeyError)
}

/// A signer: an ECDSA key (the card's F9 key or the test root key).
enum Signer {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

impl Signer {
    fn from_private(k: &PrivateKey) -> Result<Self, KeyError> {
        match k {
            PrivateKey::P256(s) => p256::ecdsa::SigningKey::from_slice(s)
                .map(Self::P256)
                .map_err(|_| KeyError),
            PrivateKey::P384(s) => p384::ecdsa::SigningKey::from_slice(s)
                .map(Self::P384)
                .map_err(|_| KeyError),
            _ => Err(KeyError),
        }
    }

    fn algorithm(&self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: match self {
                Self::P256(_) => OID_ECDSA_SHA256,
                Self::P384(_) => OID_ECDSA_SHA384,
            },
            parameters: None,
        }
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        use signature::hazmat::PrehashSigner;
        match self {
            Self::P256(k) => {
                let sig: p256::ecdsa::Signature = k
                    .sign_prehash(&sha2::Sha256::digest(msg))
                    .map_err(|_| KeyError)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Self::P384(k) => {
                let sig: p384::ecdsa::Signature = k
                    .sign_prehash(&sha2::Sha384::digest(msg))
                    .map_err(|_| KeyError)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
        }
    }
}

fn build(
    issuer: Name,
    subject: Name,
    spki_der: &[u8],
    extensions: Vec<Extension>,
    signer: &Signer,
) -> Result<Vec<u8>, KeyError> {
    let tbs = TbsCertificate {
        version: x509_cert::Version::V3,
        serial_number: random_serial()?,
        signature: signer.algorithm(),
        issuer,
        validity: validity()?,
        subject,
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(spki_der)
            .map_err(|_| KeyError)?,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let tbs_der = tbs.to_der().map_err(|_| KeyError)?;
    let sig = signer.sign(&tbs_der)?;
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: signer.algorithm(),
        signature: BitString::from_bytes(&sig).map_err(|_| KeyError)?,
    };
    cert.to_der().map_err(|_| KeyError)
}

fn name(s: &str) -> Result<Name, KeyError> {
    Name::from_str(s).map_err(|_| KeyError)
}

/// The F9 attestation certificate for this key's attestation key, signed by the test root.
///
/// # Errors
/// [`KeyError`] if the key cannot be encoded.
pub fn f9_certificate(identity: &Identity, f9: &PrivateKey) -> Result<Vec<u8>, KeyError> {
    use p256::pkcs8::DecodePrivateKey;
    let root = Certificate::from_pem(TEST_ROOT_CA.as_bytes()).map_err(|_| KeyError)?;
    let root_key =
        p256::ecdsa::SigningKey::from_pkcs8_pem(TEST_ROOT_CA_KEY).map_err(|_| KeyError)?;
    let (a, b, c) = identity.firmware.version();
    build(
        root.tbs_certificate.subject,
        name(&format!(
            "CN=Yubico PIV Attestation,OU=keydesk-sim {}",
            identity.serial
        ))?,
        &f9.spki_der()?,
        vec![
            ext(OID_BASIC_CONSTRAINTS, true, &[0x30, 0x03, 0x01, 0x01, 0xFF])?,
            ext(OID_FIRMWARE, false, &[a, b, c])?,
        ],
        &Signer::P256(root_key),
    )
}

/// Facts about the attested key that go into its certificate.
#[derive(Debug, Clone, Copy)]
pub struct Attested<'a> {
    pub slot: u8,
    pub key: &'a PrivateKey,
    pub pin_policy: u8,
    pub touch_policy: u8,
}

/// Attestation certificate for a generated key, signed by the F9 key.
///
/// # Errors
/// [`KeyError`] if the F9 key cannot sign (only EC P-256/P-384 are supported).
pub fn attest(
    identity: &Identity,
    what: Attested<'_>,
    f9: &PrivateKey,
    f9_cert: Option<&[u8]>,
) -> Result<Vec<u8>, KeyError> {
    let issuer = match f9_cert.and_then(|d| Certificate::from_der(d).ok()) {
        Some(c) => c.tbs_certificate.subject,
        None => name("CN=Yubico PIV Attestation")?,
    };
    let (a, b, c) = identity.firmware.version();
    build(
        issuer,
        name(&format!("CN=YubiKey PIV Attestation {:02x}", what.slot))?,
        &what.key.spki_der()?,
        vec![
            ext(OID_FIRMWARE, false, &[a, b, c])?,
            ext(OID_SERIAL, false, &der_serial(identity.serial)?)?,
            ext(OID_POLICY, false, &[what.pin_policy, what.touch_policy])?,
            ext(OID_FORM_FACTOR, false, &[identity.form_factor as u8])?,
        ],
        &Signer::from_private(f9)?,
    )
}
