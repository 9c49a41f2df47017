//! PIV key pairs: algorithms and policies, GENERATE ASYMMETRIC KEY PAIR,
//! slot metadata, and signing through GENERAL AUTHENTICATE (ECDSA over a
//! host-computed hash; RSA with host-side PKCS#1 v1.5 padding).

use keydesk_types::{Algorithm, PinPolicy, Slot, TouchPolicy};
use sha2::Digest;
use spki::EncodePublicKey;

use super::{Piv, INS_GET_METADATA};
use crate::apdu::tlv;
use crate::error::{DeviceError, PivFeature, Result};
use crate::management::Version;

const INS_GENERATE: u8 = 0x47;
const INS_AUTHENTICATE: u8 = 0x87;

/// Oldest firmware that generates `algorithm`.
#[must_use]
pub fn min_version(algorithm: Algorithm) -> Version {
    match algorithm {
        Algorithm::Rsa3072 => Version(5, 7, 0),
        _ => Version(4, 0, 0),
    }
}

/// A public key read from the card, with its algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub algorithm: Algorithm,
    /// DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
}

impl PublicKey {
    /// Parse the inside of a 7F49 template (EC: 86 point; RSA: 81 n, 82 e).
    ///
    /// # Errors
    /// `Malformed` on a bad encoding.
    pub fn from_card(algorithm: Algorithm, tlvs: &[u8]) -> Result<Self> {
        let bad = |d: &str| DeviceError::Malformed {
            command: "public key",
            detail: d.to_owned(),
        };
        let spki = match algorithm {
            Algorithm::P256 => {
                let pt = tlv::find(tlvs, 0x86)?.ok_or_else(|| bad("no EC point"))?;
                p256::PublicKey::from_sec1_bytes(pt)
                    .map_err(|_| bad("invalid P-256 point"))?
                    .to_public_key_der()
            }
            Algorithm::P384 => {
                let pt = tlv::find(tlvs, 0x86)?.ok_or_else(|| bad("no EC point"))?;
                p384::PublicKey::from_sec1_bytes(pt)
                    .map_err(|_| bad("invalid P-384 point"))?
                    .to_public_key_der()
            }
            Algorithm::Rsa2048 | Algorithm::Rsa3072 => {
                let n = tlv::find(tlvs, 0x81)?.ok_or_else(|| bad("no modulus"))?;
                let e = tlv::find(tlvs, 0x82)?.ok_or_else(|| bad("no exponent"))?;
                rsa::RsaPublicKey::new(
                    rsa::BigUint::from_bytes_be(n),
                    rsa::BigUint::from_bytes_be(e),
                )
                .map_err(|_| bad("invalid RSA key"))?
                .to_public_key_der()
            }
        }
        .map_err(|_| bad("cannot encode the public key"))?;
        Ok(Self {
            algorithm,
            spki_der: spki.as_bytes().to_vec(),
        })
    }

    /// The key as an x509 SubjectPublicKeyInfo.
    ///
    /// # Errors
    /// `Malformed` if the DER does not parse.
    pub fn spki(&self) -> Result<spki::SubjectPublicKeyInfoOwned> {
        use der::Decode;
        spki::SubjectPublicKeyInfoOwned::from_der(&self.spki_der).map_err(|e| {
            DeviceError::Malformed {
                command: "public key",
                detail: e.to_string(),
            }
        })
    }
}

/// What GET METADATA tells about a key slot (5.3+).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotMetadata {
    pub algorithm: Algorithm,
    pub pin_policy: u8,
    pub touch_policy: u8,
    /// Generated on the card (not imported).
    pub generated: bool,
    pub public_key: PublicKey,
}

/// DigestInfo prefix for SHA-256 (PKCS#1 v1.5, RFC 8017 §9.2).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// PKCS#1 v1.5 signature padding of a SHA-256 hash to `len` bytes.
fn pkcs1_pad_sha256(hash: &[u8], len: usize) -> Result<Vec<u8>> {
    let t_len = SHA256_DIGEST_INFO.len() + hash.len();
    let ps = len
        .checked_sub(t_len + 3)
        .filter(|n| *n >= 8)
        .ok_or(DeviceError::Malformed {
            command: "RSA padding",
            detail: "modulus too short".into(),
        })?;
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&[0x00, 0x01]);
    out.extend(std::iter::repeat_n(0xFF, ps));
    out.push(0x00);
    out.extend_from_slice(&SHA256_DIGEST_INFO);
    out.extend_from_slice(hash);
    Ok(out)
}

impl Piv<'_> {
    /// Generate a key pair in `slot` (needs the management key).
    ///
    /// # Errors
    /// `Unsupported` when the firmware lacks the algorithm, `AccessDenied`.
    pub fn generate_key(
        &mut self,
        slot: Slot,
        algorithm: Algorithm,
        pin_policy: PinPolicy,
        touch_policy: TouchPolicy,
    ) -> Result<PublicKey> {
        self.require(min_version(algorithm), PivFeature::Algorithm(algorithm))?;
        let mut inner = tlv::encode(0x80, &[algorithm.id()]);
        if pin_policy != PinPolicy::Default {
            inner.extend(tlv::encode(0xAA, &[pin_policy.id()]));
        }
        if touch_policy != TouchPolicy::Default {
            inner.extend(tlv::encode(0xAB, &[touch_policy.id()]));
        }
        let resp = self.apdus.send(
            "GENERATE KEY",
            (0, INS_GENERATE, 0, slot.id()),
            &tlv::encode(0xAC, &inner),
        )?;
        PublicKey::from_card(algorithm, tlv::unpack(0x7F49, &resp)?)
    }

    /// Slot metadata (firmware 5.3+); `None` for an empty slot.
    ///
    /// # Errors
    /// `Unsupported` before 5.3.
    pub fn slot_metadata(&mut self, slot: Slot) -> Result<Option<SlotMetadata>> {
        self.require(Version(5, 3, 0), PivFeature::SlotMetadata)?;
        let (d, s) =
            self.apdus
                .send_raw("GET METADATA", (0, INS_GET_METADATA, 0, slot.id()), &[])?;
        match s {
            crate::apdu::sw::OK => {}
            crate::apdu::sw::REF_NOT_FOUND | crate::apdu::sw::FILE_NOT_FOUND => return Ok(None),
            s => return Err(crate::apdu::status_error("GET METADATA", s)),
        }
        let bad = |what: &str| DeviceError::Malformed {
            command: "GET METADATA",
            detail: what.to_owned(),
        };
        let alg = match tlv::find(&d, 0x01)? {
            Some([id]) => Algorithm::from_id(*id).ok_or_else(|| bad("unknown algorithm"))?,
            _ => return Err(bad("no algorithm")),
        };
        let (pin_policy, touch_policy) = match tlv::find(&d, 0x02)? {
            Some([p, t]) => (*p, *t),
            _ => return Err(bad("no policy")),
        };
        Ok(Some(SlotMetadata {
            algorithm: alg,
            pin_policy,
            touch_policy,
            generated: tlv::find(&d, 0x03)? == Some(&[1u8][..]),
            public_key: PublicKey::from_card(
                alg,
                tlv::find(&d, 0x04)?.ok_or_else(|| bad("no public key"))?,
            )?,
        }))
    }

    /// GENERAL AUTHENTICATE with the slot's private key on `input`
    /// (already hashed/padded); returns the raw card answer.
    ///
    /// # Errors
    /// `AccessDenied` when the PIN policy wants the PIN, `TouchTimeout`-like
    /// statuses surface as `Status`.
    pub fn raw_sign(&mut self, slot: Slot, algorithm: Algorithm, input: &[u8]) -> Result<Vec<u8>> {
        let mut inner = tlv::encode(0x82, &[]);
        inner.extend(tlv::encode(0x81, input));
        let resp = self.apdus.send(
            "SIGN",
            (0, INS_AUTHENTICATE, algorithm.id(), slot.id()),
            &tlv::encode(0x7C, &inner),
        )?;
        Ok(tlv::unpack(0x82, tlv::unpack(0x7C, &resp)?)?.to_vec())
    }

    /// Sign `message`: ECDSA with SHA-256 (P-256) / SHA-384 (P-384), DER
    /// signature; RSA PKCS#1 v1.5 with SHA-256.
    ///
    /// # Errors
    /// As [`Piv::raw_sign`].
    pub fn sign(&mut self, slot: Slot, algorithm: Algorithm, message: &[u8]) -> Result<Vec<u8>> {
        let input = match algorithm {
            Algorithm::P256 => sha2::Sha256::digest(message).to_vec(),
            Algorithm::P384 => sha2::Sha384::digest(message).to_vec(),
            Algorithm::Rsa2048 => pkcs1_pad_sha256(&sha2::Sha256::digest(message), 256)?,
            Algorithm::Rsa3072 => pkcs1_pad_sha256(&sha2::Sha256::digest(message), 384)?,
        };
        let sig = self.raw_sign(slot, algorithm, &input)?;
        if algorithm.is_rsa() {
            return Ok(sig);
        }
        // Normalise the card's DER ECDSA signature (and reject garbage).
        let der = match algorithm {
            Algorithm::P256 => {
                p256::ecdsa::Signature::from_der(&sig).map(|s| s.to_der().as_bytes().to_vec())
            }
            _ => p384::ecdsa::Signature::from_der(&sig).map(|s| s.to_der().as_bytes().to_vec()),
        };
        der.map_err(|_| DeviceError::Malformed {
            command: "SIGN",
            detail: "not a DER ECDSA signature".into(),
        })
    }
}

/// Verify a signature made by [`Piv::sign`] with the public key (host side).
///
/// # Errors
/// `Malformed` when it does not verify.
pub fn verify_signature(key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<()> {
    use signature::Verifier;
    use spki::DecodePublicKey;
    let bad = |d: &str| DeviceError::Malformed {
        command: "signature check",
        detail: d.to_owned(),
    };
    match key.algorithm {
        Algorithm::P256 => {
            let vk = p256::ecdsa::VerifyingKey::from_public_key_der(&key.spki_der)
                .map_err(|_| bad("key"))?;
            let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| bad("signature"))?;
            vk.verify(message, &sig).map_err(|_| bad("does not verify"))
        }
        Algorithm::P384 => {
            let vk = p384::ecdsa::VerifyingKey::from_public_key_der(&key.spki_der)
                .map_err(|_| bad("key"))?;
            let sig = p384::ecdsa::Signature::from_der(signature).map_err(|_| bad("signature"))?;
            vk.verify(message, &sig).map_err(|_| bad("does not verify"))
        }
        Algorithm::Rsa2048 | Algorithm::Rsa3072 => {
            let pk =
                rsa::RsaPublicKey::from_public_key_der(&key.spki_der).map_err(|_| bad("key"))?;
            let vk = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(pk);
            let sig =
                rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| bad("signature"))?;
            vk.verify(message, &sig).map_err(|_| bad("does not verify"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkcs1_padding_layout() {
        let h = [7u8; 32];
        let p = pkcs1_pad_sha256(&h, 256).unwrap();
        assert_eq!(p.len(), 256);
        assert_eq!(&p[..2], &[0, 1]);
        assert_eq!(p[256 - 32 - 19 - 1], 0);
        assert!(p[2..256 - 32 - 19 - 1].iter().all(|b| *b == 0xFF));
        assert_eq!(&p[256 - 32..], &h);
        assert!(pkcs1_pad_sha256(&h, 40).is_err());
    }

    #[test]
    fn parses_card_public_keys() {
        let sk = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let pt = sk.public_key().to_sec1_bytes();
        let pk = PublicKey::from_card(Algorithm::P256, &tlv::encode(0x86, &pt)).unwrap();
        assert_eq!(
            pk.spki_der,
            sk.public_key().to_public_key_der().unwrap().as_bytes()
        );
        assert!(PublicKey::from_card(Algorithm::P256, &tlv::encode(0x86, &[4, 1, 2])).is_err());
        assert!(PublicKey::from_card(Algorithm::Rsa2048, &tlv::encode(0x81, &[1])).is_err());
        assert_eq!(Algorithm::from_id(0x05), Some(Algorithm::Rsa3072));
    }
}
