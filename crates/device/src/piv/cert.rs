//! Certificates in PIV slots: build a CSR or a self-signed certificate whose
//! signature the card makes (we build the to-be-signed DER ourselves and
//! sign it on the card), store a certificate (tag 70 DER, 71 info 00,
//! FE LRC as yubikit writes it) and read it back.

use std::str::FromStr;
use std::time::{Duration, SystemTime};

use der::asn1::{BitString, SetOfVec};
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier};
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate};

use keydesk_types::{Algorithm, Slot};
use rand::Rng;

use super::keys::{verify_signature, PublicKey};
use super::{certificate_object, Piv};
use crate::apdu::tlv;
use crate::error::{AttestationMismatchKind, DeviceError, Needs, Result};

const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const RSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

fn der_err(e: impl std::fmt::Display) -> DeviceError {
    DeviceError::Malformed {
        command: "certificate",
        detail: e.to_string(),
    }
}

/// The signature algorithm identifier the card's key signs with.
fn sig_alg(algorithm: Algorithm) -> Result<AlgorithmIdentifierOwned> {
    Ok(match algorithm {
        Algorithm::P256 => AlgorithmIdentifierOwned {
            oid: ECDSA_SHA256,
            parameters: None,
        },
        Algorithm::P384 => AlgorithmIdentifierOwned {
            oid: ECDSA_SHA384,
            parameters: None,
        },
        Algorithm::Rsa2048 | Algorithm::Rsa3072 => AlgorithmIdentifierOwned {
            oid: RSA_SHA256,
            parameters: Some(der::asn1::Null.into()),
        },
    })
}

/// Parse a subject like "CN=Erika Mustermann,O=Stadt Beispiel".
///
/// # Errors
/// `Malformed` when the text is not an RFC 4514 name.
pub fn parse_subject(subject: &str) -> Result<Name> {
    Name::from_str(subject).map_err(der_err)
}

impl Piv<'_> {
    /// Sign `tbs` on the card and check the signature against `key`.
    fn sign_checked(&mut self, slot: Slot, key: &PublicKey, tbs: &[u8]) -> Result<BitString> {
        let sig = self.sign(slot, key.algorithm, tbs)?;
        verify_signature(key, tbs, &sig).map_err(|_| DeviceError::AttestationMismatch {
            what: AttestationMismatchKind::SlotKey { slot },
        })?;
        BitString::from_bytes(&sig).map_err(der_err)
    }

    /// A PKCS#10 CSR for the key in `slot` (the PIN must be verified if the
    /// key's PIN policy asks for it). Returns DER.
    ///
    /// # Errors
    /// `AccessDenied`, `Malformed`.
    pub fn build_csr(&mut self, slot: Slot, key: &PublicKey, subject: &str) -> Result<Vec<u8>> {
        let info = CertReqInfo {
            version: x509_cert::request::Version::V1,
            subject: parse_subject(subject)?,
            public_key: key.spki()?,
            attributes: SetOfVec::new(),
        };
        let tbs = info.to_der().map_err(der_err)?;
        let signature = self.sign_checked(slot, key, &tbs)?;
        CertReq {
            info,
            algorithm: sig_alg(key.algorithm)?,
            signature,
        }
        .to_der()
        .map_err(der_err)
    }

    /// A self-signed certificate for the key in `slot`, valid from `now`
    /// for `days`. Returns DER.
    ///
    /// # Errors
    /// `AccessDenied`, `Malformed`.
    pub fn build_self_signed(
        &mut self,
        slot: Slot,
        key: &PublicKey,
        subject: &str,
        now: SystemTime,
        days: u32,
    ) -> Result<Vec<u8>> {
        let name = parse_subject(subject)?;
        let since = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_err(der_err)?;
        let until = since + Duration::from_secs(u64::from(days) * 86_400);
        let to_time = |d: Duration| -> Result<Time> {
            let dt = der::DateTime::from_unix_duration(Duration::from_secs(d.as_secs()))
                .map_err(der_err)?;
            if dt.year() < 2050 {
                Ok(Time::UtcTime(
                    der::asn1::UtcTime::from_date_time(dt).map_err(der_err)?,
                ))
            } else {
                Ok(Time::GeneralTime(
                    der::asn1::GeneralizedTime::from_date_time(dt),
                ))
            }
        };
        // Random, not secret (RFC 5280 §4.1.2.2: positive, at most 20 bytes).
        let mut sn: [u8; 16] = rand::rngs::OsRng.gen();
        sn[0] = (sn[0] & 0x7F) | 0x01;
        let tbs = TbsCertificate {
            version: x509_cert::Version::V3,
            serial_number: SerialNumber::new(&sn).map_err(der_err)?,
            signature: sig_alg(key.algorithm)?,
            issuer: name.clone(),
            validity: Validity {
                not_before: to_time(since)?,
                not_after: to_time(until)?,
            },
            subject: name,
            subject_public_key_info: key.spki()?,
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: None,
        };
        let tbs_der = tbs.to_der().map_err(der_err)?;
        let signature = self.sign_checked(slot, key, &tbs_der)?;
        Certificate {
            tbs_certificate: tbs,
            signature_algorithm: sig_alg(key.algorithm)?,
            signature,
        }
        .to_der()
        .map_err(der_err)
    }

    /// Store a certificate (DER) in the slot's object (needs the management key).
    ///
    /// # Errors
    /// `Malformed` if `der` is not a certificate, `AccessDenied`.
    pub fn put_certificate(&mut self, slot: Slot, der: &[u8]) -> Result<()> {
        Certificate::from_der(der).map_err(der_err)?;
        let mut data = tlv::encode(0x70, der);
        data.extend(tlv::encode(0x71, &[0]));
        data.extend(tlv::encode(0xFE, &[]));
        self.put_object(certificate_object(slot), &data)
    }

    /// Import a certificate issued by the office's CA into `slot`, after
    /// checking (firmware 5.3+, from slot metadata) that it certifies the
    /// key in that slot. Needs the management key.
    ///
    /// # Errors
    /// `CertificateKeyMismatch`, `NotFound` for an empty slot, `AccessDenied`.
    pub fn import_certificate(&mut self, slot: Slot, der: &[u8]) -> Result<()> {
        let cert = Certificate::from_der(der).map_err(der_err)?;
        if self.version() >= crate::management::Version(5, 3, 0) {
            let meta = self.slot_metadata(slot)?.ok_or(DeviceError::NotFound {
                command: "import certificate (empty slot)",
            })?;
            let spki = cert
                .tbs_certificate
                .subject_public_key_info
                .to_der()
                .map_err(der_err)?;
            if spki != meta.public_key.spki_der {
                return Err(DeviceError::CertificateKeyMismatch { slot });
            }
        }
        self.put_certificate(slot, der)
    }

    /// Read the certificate in `slot` (DER); `None` when there is none.
    ///
    /// # Errors
    /// `Unsupported` for compressed certificates, `Malformed`.
    pub fn read_certificate(&mut self, slot: Slot) -> Result<Option<Vec<u8>>> {
        let Some(obj) = self.get_object(certificate_object(slot))? else {
            return Ok(None);
        };
        if obj.is_empty() {
            return Ok(None);
        }
        if tlv::find(&obj, 0x71)?.is_some_and(|i| i.first().is_some_and(|b| *b != 0)) {
            return Err(DeviceError::Unsupported {
                needs: Needs::UncompressedCertificate,
            });
        }
        let der = tlv::find(&obj, 0x70)?.ok_or_else(|| der_err("no certificate tag 70"))?;
        Certificate::from_der(der).map_err(der_err)?;
        Ok(Some(der.to_vec()))
    }

    /// Delete the certificate in `slot`.
    ///
    /// # Errors
    /// `AccessDenied`.
    pub fn delete_certificate(&mut self, slot: Slot) -> Result<()> {
        self.put_object(certificate_object(slot), &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_parse_and_algorithms_map() {
        assert!(parse_subject("CN=Erika Mustermann,O=Stadt").is_ok());
        assert!(parse_subject("no equals sign").is_err());
        assert_eq!(sig_alg(Algorithm::P384).unwrap().oid, ECDSA_SHA384);
        assert!(sig_alg(Algorithm::Rsa2048).unwrap().parameters.is_some());
    }
}
