//! Cryptography of the FIDO2 application: PIN/UV auth protocols 1 and 2
//! (ECDH P-256, SHA-256 / HKDF-SHA256 key derivation, AES-256-CBC, HMAC-SHA256),
//! COSE keys, ES256 credential keys and the wrapping of private keys into
//! non-discoverable credential IDs.

use aes::Aes256;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use ciborium::Value;
use hmac::{Hmac, Mac};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::cbor::{b, i, imap};

type HmacSha256 = Hmac<Sha256>;

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// HMAC-SHA256 of `msg` under `key`.
pub fn hmac(key: &[u8], msg: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this never takes the `Err` arm.
    let Ok(mut mac) = <HmacSha256 as Mac>::new_from_slice(key) else {
        return [0; 32];
    };
    for m in msg {
        mac.update(m);
    }
    mac.finalize().into_bytes().into()
}

/// Constant-time comparison (`subtle`; lengths are not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    subtle::ConstantTimeEq::ct_eq(a, b).into()
}

/// HKDF-SHA256 with a 32-byte output (one expand block).
fn hkdf32(salt: &[u8], ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let prk = hmac(salt, &[ikm]);
    hmac(&prk, &[info, &[1]])
}

/// `len` random bytes from the OS RNG.
pub fn random(len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    OsRng.fill_bytes(&mut v);
    v
}

fn aes_cbc_encrypt(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    if data.len() % 16 != 0 {
        return None;
    }
    let enc = cbc::Encryptor::<Aes256>::new_from_slices(key, iv).ok()?;
    Some(enc.encrypt_padded_vec_mut::<NoPadding>(data))
}

fn aes_cbc_decrypt(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    if data.len() % 16 != 0 {
        return None;
    }
    let dec = cbc::Decryptor::<Aes256>::new_from_slices(key, iv).ok()?;
    dec.decrypt_padded_vec_mut::<NoPadding>(data).ok()
}

/// A PIN/UV auth protocol (CTAP 2.1 section 6.5.6 and 6.5.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinProtocol {
    V1,
    V2,
}

impl PinProtocol {
    /// The protocol with this number, if known.
    pub fn from_number(n: i64) -> Option<Self> {
        match n {
            1 => Some(Self::V1),
            2 => Some(Self::V2),
            _ => None,
        }
    }

    /// Derive the shared secret from the ECDH x-coordinate `z`.
    pub fn kdf(self, z: &[u8]) -> Vec<u8> {
        match self {
            Self::V1 => sha256(z).to_vec(),
            Self::V2 => {
                let salt = [0u8; 32];
                let mut out = hkdf32(&salt, z, b"CTAP2 HMAC key").to_vec();
                out.extend_from_slice(&hkdf32(&salt, z, b"CTAP2 AES key"));
                out
            }
        }
    }

    fn aes_key(self, secret: &[u8]) -> &[u8] {
        match self {
            Self::V1 => secret,
            Self::V2 => secret.get(32..).unwrap_or_default(),
        }
    }

    fn hmac_key(self, secret: &[u8]) -> &[u8] {
        match self {
            Self::V1 => secret,
            Self::V2 => secret.get(..32).unwrap_or_default(),
        }
    }

    /// Encrypt `data` (a multiple of 16 bytes) under the shared secret.
    pub fn encrypt(self, secret: &[u8], data: &[u8]) -> Option<Vec<u8>> {
        match self {
            Self::V1 => aes_cbc_encrypt(self.aes_key(secret), &[0u8; 16], data),
            Self::V2 => {
                let iv = random(16);
                let mut out = iv.clone();
                out.extend(aes_cbc_encrypt(self.aes_key(secret), &iv, data)?);
                Some(out)
            }
        }
    }

    /// Decrypt `data`; `None` when its length is wrong.
    pub fn decrypt(self, secret: &[u8], data: &[u8]) -> Option<Vec<u8>> {
        match self {
            Self::V1 => aes_cbc_decrypt(self.aes_key(secret), &[0u8; 16], data),
            Self::V2 => {
                if data.len() < 16 {
                    return None;
                }
                let (iv, ct) = data.split_at(16);
                aes_cbc_decrypt(self.aes_key(secret), iv, ct)
            }
        }
    }

    /// The authentication tag of `msg` under `key` (16 bytes for v1, 32 for v2).
    pub fn authenticate(self, key: &[u8], msg: &[&[u8]]) -> Vec<u8> {
        let tag = hmac(self.hmac_key(key), msg);
        match self {
            Self::V1 => tag[..16].to_vec(),
            Self::V2 => tag.to_vec(),
        }
    }

    /// Whether `sig` authenticates `msg` under `key`.
    pub fn verify(self, key: &[u8], msg: &[&[u8]], sig: &[u8]) -> bool {
        ct_eq(&self.authenticate(key, msg), sig)
    }
}

/// The ECDH x-coordinate shared between our secret and the platform's COSE key.
pub fn ecdh(ours: &SecretKey, platform_cose: &Value) -> Option<Vec<u8>> {
    let Value::Map(m) = platform_cose else {
        return None;
    };
    let get = |k: i64| {
        m.iter().find_map(|(key, v)| match (key, v) {
            (Value::Integer(n), Value::Bytes(b)) if i128::from(*n) == i128::from(k) => {
                Some(b.clone())
            }
            _ => None,
        })
    };
    let (x, y) = (get(-2)?, get(-3)?);
    if x.len() != 32 || y.len() != 32 {
        return None;
    }
    let mut sec1 = vec![4u8];
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    let theirs = PublicKey::from_sec1_bytes(&sec1).ok()?;
    let shared = p256::ecdh::diffie_hellman(ours.to_nonzero_scalar(), theirs.as_affine());
    Some(shared.raw_secret_bytes().to_vec())
}

/// The COSE_Key of a P-256 public key with algorithm `alg` (-7 ES256, -25 ECDH).
pub fn cose_p256(public: &PublicKey, alg: i64) -> Value {
    let point = public.to_encoded_point(false);
    let x = point.x().map(|x| x.to_vec()).unwrap_or_default();
    let y = point.y().map(|y| y.to_vec()).unwrap_or_default();
    imap(vec![
        (1, i(2)),
        (3, i(alg)),
        (-1, i(1)),
        (-2, b(&x)),
        (-3, b(&y)),
    ])
}

/// A fresh P-256 key.
pub fn new_key() -> SecretKey {
    SecretKey::random(&mut OsRng)
}

/// An ES256 (DER) signature over `msg` with the private scalar `d`.
pub fn sign(d: &[u8], msg: &[&[u8]]) -> Option<Vec<u8>> {
    let key = SigningKey::from_slice(d).ok()?;
    let data: Vec<u8> = msg.concat();
    let sig: Signature = key.sign(&data);
    Some(sig.to_der().as_bytes().to_vec())
}

/// Length of a wrapped credential ID: nonce, encrypted key and RP hash, tag.
pub const WRAPPED_ID_LEN: usize = 16 + 64 + 16;

/// Wrap the private scalar `d` for the RP with hash `rp_hash` into a credential ID.
pub fn wrap(wrap_key: &[u8], d: &[u8], rp_hash: &[u8; 32]) -> Vec<u8> {
    let nonce = random(16);
    let enc_key = hmac(wrap_key, &[b"wrap-enc"]);
    let mac_key = hmac(wrap_key, &[b"wrap-mac"]);
    let mut plain = d.to_vec();
    plain.extend_from_slice(rp_hash);
    let ct = aes_cbc_encrypt(&enc_key, &nonce, &plain).unwrap_or_default();
    let mut id = nonce;
    id.extend_from_slice(&ct);
    let tag = hmac(&mac_key, &[&id]);
    id.extend_from_slice(&tag[..16]);
    id
}

/// The private scalar in a credential ID made by [`wrap`] for this RP, if any.
pub fn unwrap(wrap_key: &[u8], id: &[u8], rp_hash: &[u8; 32]) -> Option<Vec<u8>> {
    if id.len() != WRAPPED_ID_LEN {
        return None;
    }
    let (body, tag) = id.split_at(16 + 64);
    let mac_key = hmac(wrap_key, &[b"wrap-mac"]);
    if !ct_eq(&hmac(&mac_key, &[body])[..16], tag) {
        return None;
    }
    let enc_key = hmac(wrap_key, &[b"wrap-enc"]);
    let plain = aes_cbc_decrypt(&enc_key, &body[..16], &body[16..])?;
    if ct_eq(&plain[32..], rp_hash) {
        Some(plain[..32].to_vec())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hkdf_matches_rfc5869_case_1_first_block() {
        // RFC 5869 test case 1, first 32 bytes of OKM.
        let ikm = [0x0b; 22];
        let salt = hex::decode("000102030405060708090a0b0c").unwrap();
        let info = hex::decode("f0f1f2f3f4f5f6f7f8f9").unwrap();
        let okm = hkdf32(&salt, &ikm, &info);
        assert_eq!(
            hex::encode(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        );
    }

    #[test]
    fn wrapped_ids_open_only_for_their_rp_and_key() {
        let k = random(32);
        let d = random(32);
        let rp = sha256(b"example.com");
        let id = wrap(&k, &d, &rp);
        assert_eq!(unwrap(&k, &id, &rp), Some(d));
        assert_eq!(unwrap(&k, &id, &sha256(b"evil.com")), None);
        assert_eq!(unwrap(&random(32), &id, &rp), None);
    }

    #[test]
    fn pin_protocols_round_trip_and_tag_lengths() {
        let s1 = PinProtocol::V1.kdf(&[7; 32]);
        let s2 = PinProtocol::V2.kdf(&[7; 32]);
        assert_eq!((s1.len(), s2.len()), (32, 64));
        for (p, s) in [(PinProtocol::V1, &s1), (PinProtocol::V2, &s2)] {
            let ct = p.encrypt(s, &[1; 64]).unwrap();
            assert_eq!(p.decrypt(s, &ct).unwrap(), vec![1; 64]);
        }
        assert_eq!(PinProtocol::V1.authenticate(&s1, &[b"x"]).len(), 16);
        assert_eq!(PinProtocol::V2.authenticate(&s2, &[b"x"]).len(), 32);
    }
}
