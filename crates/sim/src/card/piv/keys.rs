//! Asymmetric keys in PIV slots: generation, the public-key encodings the
//! PIV application returns (GENERATE, GET METADATA), SubjectPublicKeyInfo for
//! attestation, and the private-key operations of GENERAL AUTHENTICATE.

use rand::rngs::OsRng;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::BigUint;
use serde::{Deserialize, Serialize};

use crate::card::tlv::tlv;
use crate::identity::Firmware;

/// PIV algorithm identifiers (SP 800-78 and Yubico extensions).
pub mod alg {
    pub const RSA1024: u8 = 0x06;
    pub const RSA2048: u8 = 0x07;
    pub const RSA3072: u8 = 0x05;
    pub const RSA4096: u8 = 0x16;
    pub const P256: u8 = 0x11;
    pub const P384: u8 = 0x14;
    pub const ED25519: u8 = 0xE0;
    pub const X25519: u8 = 0xE1;
}

/// Whether `firmware` can generate or hold keys of algorithm `a`.
#[must_use]
pub fn supported(firmware: Firmware, a: u8) -> bool {
    match a {
        alg::RSA2048 | alg::P256 | alg::P384 => true,
        alg::RSA3072 | alg::RSA4096 | alg::ED25519 | alg::X25519 => firmware == Firmware::V5_7_1,
        _ => false,
    }
}

/// Private key material, as the "hardware" stores it.
#[derive(Clone, Serialize, Deserialize)]
pub enum PrivateKey {
    /// P-256 scalar, big-endian.
    P256(Vec<u8>),
    /// P-384 scalar, big-endian.
    P384(Vec<u8>),
    /// RSA key as PKCS#1 DER.
    Rsa(Vec<u8>),
    Ed25519(Vec<u8>),
    X25519(Vec<u8>),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(..)")
    }
}

/// Failure of a key operation; the PIV layer maps it to a status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("key operation failed: bad input or unsupported for this key")]
pub struct KeyError;

impl PrivateKey {
    /// Generate a key of algorithm `a` with the OS RNG.
    ///
    /// # Errors
    /// [`KeyError`] for an unknown algorithm.
    pub fn generate(a: u8) -> Result<Self, KeyError> {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        let rsa = |bits| {
            rsa::RsaPrivateKey::new(&mut OsRng, bits)
                .ok()
                .and_then(|k| k.to_pkcs1_der().ok())
                .map(|d| Self::Rsa(d.as_bytes().to_vec()))
                .ok_or(KeyError)
        };
        match a {
            alg::P256 => Ok(Self::P256(
                p256::SecretKey::random(&mut OsRng).to_bytes().to_vec(),
            )),
            alg::P384 => Ok(Self::P384(
                p384::SecretKey::random(&mut OsRng).to_bytes().to_vec(),
            )),
            alg::RSA2048 => rsa(2048),
            alg::RSA3072 => rsa(3072),
            alg::RSA4096 => rsa(4096),
            alg::ED25519 => Ok(Self::Ed25519(
                ed25519_dalek::SigningKey::generate(&mut OsRng)
                    .to_bytes()
                    .to_vec(),
            )),
            alg::X25519 => Ok(Self::X25519(
                x25519_dalek::StaticSecret::random_from_rng(OsRng)
                    .to_bytes()
                    .to_vec(),
            )),
            _ => Err(KeyError),
        }
    }

    /// Key material from an IMPORT KEY template (yubikit `put_key`): EC
    /// scalar in tag 06, Ed25519 seed in 07, X25519 secret in 08, RSA primes
    /// P and Q in 01 and 02 (public exponent 65537; CRT values 03-05 are
    /// recomputed).
    ///
    /// # Errors
    /// [`KeyError`] for missing or malformed components.
    pub fn import(a: u8, t: &[(u32, Vec<u8>)]) -> Result<Self, KeyError> {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        let get = |tag| crate::card::tlv::find(t, tag).ok_or(KeyError);
        match a {
            alg::P256 => p256::SecretKey::from_slice(get(0x06)?)
                .map(|k| Self::P256(k.to_bytes().to_vec()))
                .map_err(|_| KeyError),
            alg::P384 => p384::SecretKey::from_slice(get(0x06)?)
                .map(|k| Self::P384(k.to_bytes().to_vec()))
                .map_err(|_| KeyError),
            alg::ED25519 => Ok(Self::Ed25519(Self::b32(get(0x07)?)?.to_vec())),
            alg::X25519 => Ok(Self::X25519(Self::b32(get(0x08)?)?.to_vec())),
            alg::RSA2048 | alg::RSA3072 | alg::RSA4096 => {
                let p = BigUint::from_bytes_be(get(0x01)?);
                let q = BigUint::from_bytes_be(get(0x02)?);
                let k = rsa::RsaPrivateKey::from_p_q(p, q, BigUint::from(65_537u32))
                    .map_err(|_| KeyError)?;
                let bits = match a {
                    alg::RSA2048 => 2048,
                    alg::RSA3072 => 3072,
                    _ => 4096,
                };
                if k.size() * 8 != bits {
                    return Err(KeyError);
                }
                let der = k.to_pkcs1_der().map_err(|_| KeyError)?;
                Ok(Self::Rsa(der.as_bytes().to_vec()))
            }
            _ => Err(KeyError),
        }
    }

    fn rsa(der: &[u8]) -> Result<rsa::RsaPrivateKey, KeyError> {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        rsa::RsaPrivateKey::from_pkcs1_der(der).map_err(|_| KeyError)
    }

    fn b32(v: &[u8]) -> Result<[u8; 32], KeyError> {
        v.try_into().map_err(|_| KeyError)
    }

    /// PIV algorithm identifier.
    ///
    /// # Errors
    /// [`KeyError`] if stored RSA material is corrupt.
    pub fn algorithm(&self) -> Result<u8, KeyError> {
        Ok(match self {
            Self::P256(_) => alg::P256,
            Self::P384(_) => alg::P384,
            Self::Ed25519(_) => alg::ED25519,
            Self::X25519(_) => alg::X25519,
            Self::Rsa(d) => match Self::rsa(d)?.size() * 8 {
                1024 => alg::RSA1024,
                2048 => alg::RSA2048,
                3072 => alg::RSA3072,
                _ => alg::RSA4096,
            },
        })
    }

    /// The public key as GENERATE returns it inside 7F49 (and GET METADATA in tag 04).
    ///
    /// # Errors
    /// [`KeyError`] if stored material is corrupt.
    pub fn public_tlvs(&self) -> Result<Vec<u8>, KeyError> {
        Ok(match self {
            Self::P256(s) => {
                let sk = p256::SecretKey::from_slice(s).map_err(|_| KeyError)?;
                tlv(0x86, sk.public_key().to_sec1_bytes().as_ref())
            }
            Self::P384(s) => {
                let sk = p384::SecretKey::from_slice(s).map_err(|_| KeyError)?;
                tlv(0x86, sk.public_key().to_sec1_bytes().as_ref())
            }
            Self::Rsa(d) => {
                let k = Self::rsa(d)?;
                let mut out = tlv(0x81, &k.n().to_bytes_be());
                out.extend(tlv(0x82, &k.e().to_bytes_be()));
                out
            }
            Self::Ed25519(s) => {
                let sk = ed25519_dalek::SigningKey::from_bytes(&Self::b32(s)?);
                tlv(0x86, sk.verifying_key().as_bytes())
            }
            Self::X25519(s) => {
                let sk = x25519_dalek::StaticSecret::from(Self::b32(s)?);
                tlv(0x86, x25519_dalek::PublicKey::from(&sk).as_bytes())
            }
        })
    }

    /// DER SubjectPublicKeyInfo (for certificates).
    ///
    /// # Errors
    /// [`KeyError`] if stored material is corrupt.
    pub fn spki_der(&self) -> Result<Vec<u8>, KeyError> {
        use p256::pkcs8::EncodePublicKey;
        let raw_25519 = |oid_last: u8, key: &[u8]| {
            let mut v = vec![
                0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, oid_last, 0x03, 0x21, 0x00,
            ];
            v.extend_from_slice(key);
            v
        };
        Ok(match self {
            Self::P256(s) => p256::SecretKey::from_slice(s)
                .map_err(|_| KeyError)?
                .public_key()
                .to_public_key_der()
                .map_err(|_| KeyError)?
                .into_vec(),
            Self::P384(s) => p384::SecretKey::from_slice(s)
                .map_err(|_| KeyError)?
                .public_key()
                .to_public_key_der()
                .map_err(|_| KeyError)?
                .into_vec(),
            Self::Rsa(d) => Self::rsa(d)?
                .to_public_key()
                .to_public_key_der()
                .map_err(|_| KeyError)?
                .into_vec(),
            Self::Ed25519(s) => {
                let sk = ed25519_dalek::SigningKey::from_bytes(&Self::b32(s)?);
                raw_25519(0x70, sk.verifying_key().as_bytes())
            }
            Self::X25519(s) => {
                let sk = x25519_dalek::StaticSecret::from(Self::b32(s)?);
                raw_25519(0x6E, x25519_dalek::PublicKey::from(&sk).as_bytes())
            }
        })
    }

    /// GENERAL AUTHENTICATE with a challenge (tag 81): ECDSA over a
    /// pre-hashed digest (DER signature), raw RSA on a padded block of the
    /// modulus size, or Ed25519 over the message.
    ///
    /// # Errors
    /// [`KeyError`] for wrong input sizes or a key that cannot sign (X25519).
    pub fn sign(&self, input: &[u8]) -> Result<Vec<u8>, KeyError> {
        use signature::hazmat::PrehashSigner;
        match self {
            Self::P256(s) => {
                let sk = p256::ecdsa::SigningKey::from_slice(s).map_err(|_| KeyError)?;
                let sig: p256::ecdsa::Signature = sk.sign_prehash(input).map_err(|_| KeyError)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Self::P384(s) => {
                let sk = p384::ecdsa::SigningKey::from_slice(s).map_err(|_| KeyError)?;
                let sig: p384::ecdsa::Signature = sk.sign_prehash(input).map_err(|_| KeyError)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Self::Rsa(d) => {
                let k = Self::rsa(d)?;
                let size = k.size();
                if input.len() != size {
                    return Err(KeyError);
                }
                let c = BigUint::from_bytes_be(input);
                if &c >= k.n() {
                    return Err(KeyError);
                }
                let m = c.modpow(k.d(), k.n()).to_bytes_be();
                let mut out = vec![0u8; size - m.len()];
                out.extend(m);
                Ok(out)
            }
            Self::Ed25519(s) => {
                use ed25519_dalek::Signer;
                let sk = ed25519_dalek::SigningKey::from_bytes(&Self::b32(s)?);
                Ok(sk.sign(input).to_bytes().to_vec())
            }
            Self::X25519(_) => Err(KeyError),
        }
    }

    /// GENERAL AUTHENTICATE with a peer point (tag 85): ECDH shared secret.
    ///
    /// # Errors
    /// [`KeyError`] for a bad point or a key that cannot agree (RSA, Ed25519).
    pub fn ecdh(&self, peer: &[u8]) -> Result<Vec<u8>, KeyError> {
        match self {
            Self::P256(s) => {
                let sk = p256::SecretKey::from_slice(s).map_err(|_| KeyError)?;
                let pk = p256::PublicKey::from_sec1_bytes(peer).map_err(|_| KeyError)?;
                let shared = p256::ecdh::diffie_hellman(sk.to_nonzero_scalar(), pk.as_affine());
                Ok(shared.raw_secret_bytes().to_vec())
            }
            Self::P384(s) => {
                let sk = p384::SecretKey::from_slice(s).map_err(|_| KeyError)?;
                let pk = p384::PublicKey::from_sec1_bytes(peer).map_err(|_| KeyError)?;
                let shared = p384::ecdh::diffie_hellman(sk.to_nonzero_scalar(), pk.as_affine());
                Ok(shared.raw_secret_bytes().to_vec())
            }
            Self::X25519(s) => {
                let sk = x25519_dalek::StaticSecret::from(Self::b32(s)?);
                let pk = x25519_dalek::PublicKey::from(Self::b32(peer)?);
                Ok(sk.diffie_hellman(&pk).as_bytes().to_vec())
            }
            Self::Rsa(_) | Self::Ed25519(_) => Err(KeyError),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_signature_verifies_and_ecdh_agrees() {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        use sha2::Digest;
        let k = PrivateKey::generate(alg::P256).unwrap();
        let pt = k.public_tlvs().unwrap();
        let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&pt[2..]).unwrap();
        let digest = sha2::Sha256::digest(b"hello");
        let sig = p256::ecdsa::Signature::from_der(&k.sign(&digest).unwrap()).unwrap();
        vk.verify_prehash(&digest, &sig).unwrap();

        let other = p256::SecretKey::random(&mut OsRng);
        let shared = k.ecdh(&other.public_key().to_sec1_bytes()).unwrap();
        let expect = p256::ecdh::diffie_hellman(
            other.to_nonzero_scalar(),
            p256::PublicKey::from_sec1_bytes(&pt[2..])
                .unwrap()
                .as_affine(),
        );
        assert_eq!(shared, expect.raw_secret_bytes().to_vec());
        assert!(PrivateKey::generate(alg::X25519)
            .unwrap()
            .sign(b"x")
            .is_err());
    }
}
