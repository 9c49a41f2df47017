//! PIN/UV auth protocols one and two (CTAP 2.1 sections 6.5.6, 6.5.7): ECDH
//! P-256 key agreement with the key, the KDFs, AES-256-CBC encryption and
//! HMAC-SHA-256 authentication of PIN material and commands.

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use ciborium::Value;
use hmac::{Hmac, Mac};
use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use p256::{EncodedPoint, PublicKey};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{DeviceError, Result};
use crate::fido::cbor;

type HmacSha256 = Hmac<Sha256>;
type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

/// A PIN/UV auth protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinProtocol {
    V1,
    V2,
}

impl PinProtocol {
    /// The number sent as pinUvAuthProtocol.
    #[must_use]
    pub fn number(self) -> u8 {
        match self {
            Self::V1 => 1,
            Self::V2 => 2,
        }
    }

    /// Choose 2 when the key offers it, else 1; `None` when it offers neither.
    #[must_use]
    pub fn choose(offered: &[u8]) -> Option<Self> {
        if offered.contains(&2) {
            Some(Self::V2)
        } else if offered.contains(&1) {
            Some(Self::V1)
        } else {
            None
        }
    }

    /// Derive the shared secret from the ECDH x coordinate `z`.
    #[must_use]
    pub fn kdf(self, z: &[u8]) -> SharedSecret {
        let bytes = match self {
            Self::V1 => Sha256::digest(z).to_vec(),
            Self::V2 => {
                let salt = [0u8; 32];
                let mut out = hkdf_sha256(&salt, z, b"CTAP2 HMAC key").to_vec();
                out.extend_from_slice(&hkdf_sha256(&salt, z, b"CTAP2 AES key"));
                out
            }
        };
        SharedSecret {
            protocol: self,
            bytes: Zeroizing::new(bytes),
        }
    }

    /// Key agreement with the key's COSE public key: our ephemeral COSE key
    /// (to send as keyAgreement) and the shared secret.
    pub fn encapsulate(self, peer: &Value) -> Result<(Value, SharedSecret)> {
        let peer = cose_to_public_key(peer)?;
        let ours = p256::ecdh::EphemeralSecret::random(&mut rand::rngs::OsRng);
        let shared = ours.diffie_hellman(&peer);
        let z = Zeroizing::new(shared.raw_secret_bytes().to_vec());
        Ok((public_key_to_cose(&ours.public_key()), self.kdf(&z)))
    }

    /// authenticate(key, message) with a pinUvAuthToken (or shared HMAC key).
    #[must_use]
    pub fn authenticate(self, key: &[u8], message: &[u8]) -> Vec<u8> {
        let tag = hmac_sha256(key, message);
        match self {
            Self::V1 => tag[..16].to_vec(),
            Self::V2 => tag.to_vec(),
        }
    }
}

/// The shared secret of one key agreement. Zeroed on drop.
#[derive(Debug)]
pub struct SharedSecret {
    protocol: PinProtocol,
    bytes: Zeroizing<Vec<u8>>,
}

impl SharedSecret {
    fn hmac_key(&self) -> &[u8] {
        match self.protocol {
            PinProtocol::V1 => &self.bytes[..],
            PinProtocol::V2 => &self.bytes[..32],
        }
    }

    fn aes_key(&self) -> &[u8] {
        match self.protocol {
            PinProtocol::V1 => &self.bytes[..],
            PinProtocol::V2 => &self.bytes[32..],
        }
    }

    /// The protocol this secret belongs to.
    #[must_use]
    pub fn protocol(&self) -> PinProtocol {
        self.protocol
    }

    /// encrypt(): AES-256-CBC, IV zero (v1) or random and prepended (v2).
    /// `plain` must be a multiple of 16 bytes.
    pub fn encrypt(&self, plain: &[u8]) -> Result<Vec<u8>> {
        let iv: [u8; 16] = match self.protocol {
            PinProtocol::V1 => [0; 16],
            PinProtocol::V2 => rand::random(),
        };
        let ct = aes_cbc_encrypt(self.aes_key(), &iv, plain)?;
        Ok(match self.protocol {
            PinProtocol::V1 => ct,
            PinProtocol::V2 => [iv.as_slice(), &ct].concat(),
        })
    }

    /// decrypt(), the inverse of [`Self::encrypt`].
    pub fn decrypt(&self, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let (iv, ct) = match self.protocol {
            PinProtocol::V1 => ([0u8; 16], data),
            PinProtocol::V2 => {
                if data.len() < 16 {
                    return Err(bad("encrypted data shorter than its IV"));
                }
                let mut iv = [0u8; 16];
                iv.copy_from_slice(&data[..16]);
                (iv, &data[16..])
            }
        };
        aes_cbc_decrypt(self.aes_key(), &iv, ct).map(Zeroizing::new)
    }

    /// authenticate() with the shared secret's HMAC key.
    #[must_use]
    pub fn authenticate(&self, message: &[u8]) -> Vec<u8> {
        self.protocol.authenticate(self.hmac_key(), message)
    }
}

fn bad(detail: &str) -> DeviceError {
    DeviceError::Malformed {
        command: "clientPIN",
        detail: detail.into(),
    }
}

/// HMAC-SHA-256.
#[must_use]
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length.
    let mut mac = match <HmacSha256 as Mac>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// HKDF-SHA-256 (RFC 5869) with one output block of 32 bytes.
#[must_use]
pub fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let mut prk = hmac_sha256(salt, ikm);
    let okm = hmac_sha256(&prk, &[info, &[1u8]].concat());
    prk.zeroize();
    okm
}

/// AES-256-CBC without padding.
pub fn aes_cbc_encrypt(key: &[u8], iv: &[u8; 16], plain: &[u8]) -> Result<Vec<u8>> {
    if plain.len() % 16 != 0 {
        return Err(bad("plaintext is not a multiple of the AES block size"));
    }
    let enc = Aes256CbcEnc::new_from_slices(key, iv).map_err(|_| bad("AES key length"))?;
    Ok(enc.encrypt_padded_vec_mut::<NoPadding>(plain))
}

/// AES-256-CBC without padding, decrypting.
pub fn aes_cbc_decrypt(key: &[u8], iv: &[u8; 16], ct: &[u8]) -> Result<Vec<u8>> {
    if ct.len() % 16 != 0 {
        return Err(bad("ciphertext is not a multiple of the AES block size"));
    }
    let dec = Aes256CbcDec::new_from_slices(key, iv).map_err(|_| bad("AES key length"))?;
    dec.decrypt_padded_vec_mut::<NoPadding>(ct)
        .map_err(|_| bad("AES decryption failed"))
}

/// Our public key as a COSE_Key (EC2, P-256, ECDH-ES+HKDF-256 as CTAP requires).
#[must_use]
pub fn public_key_to_cose(key: &PublicKey) -> Value {
    let point = key.to_encoded_point(false);
    let x = point.x().map(|x| x.to_vec()).unwrap_or_default();
    let y = point.y().map(|y| y.to_vec()).unwrap_or_default();
    cbor::int_map(vec![
        (1, Value::Integer(2.into())),
        (3, Value::Integer((-25).into())),
        (-1, Value::Integer(1.into())),
        (-2, Value::Bytes(x)),
        (-3, Value::Bytes(y)),
    ])
}

/// The key's COSE_Key as a P-256 public key.
pub fn cose_to_public_key(cose: &Value) -> Result<PublicKey> {
    let x = cbor::map_get(cose, -2).and_then(Value::as_bytes);
    let y = cbor::map_get(cose, -3).and_then(Value::as_bytes);
    let (Some(x), Some(y)) = (x, y) else {
        return Err(bad("keyAgreement lacks x or y"));
    };
    if x.len() != 32 || y.len() != 32 {
        return Err(bad("keyAgreement coordinates are not 32 bytes"));
    }
    let point =
        EncodedPoint::from_affine_coordinates(x.as_slice().into(), y.as_slice().into(), false);
    Option::from(PublicKey::from_encoded_point(&point))
        .ok_or_else(|| bad("keyAgreement is not a point on P-256"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hkdf_matches_rfc5869_case_1() {
        // RFC 5869 A.1 (first 32 bytes of OKM; L=42 needs a second block).
        let ikm = [0x0b; 22];
        let salt = hex::decode("000102030405060708090a0b0c").unwrap();
        let info = hex::decode("f0f1f2f3f4f5f6f7f8f9").unwrap();
        assert_eq!(
            hex::encode(hkdf_sha256(&salt, &ikm, &info)),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        );
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn aes_cbc_matches_sp800_38a_f25() {
        let key = hex::decode("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
            .unwrap();
        let iv: [u8; 16] = hex::decode("000102030405060708090a0b0c0d0e0f")
            .unwrap()
            .try_into()
            .unwrap();
        let pt = hex::decode("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
            .unwrap();
        let ct = aes_cbc_encrypt(&key, &iv, &pt).unwrap();
        assert_eq!(
            hex::encode(&ct),
            "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
        );
        assert_eq!(aes_cbc_decrypt(&key, &iv, &ct).unwrap(), pt);
        assert!(aes_cbc_encrypt(&key, &iv, &pt[..15]).is_err());
    }

    #[test]
    fn both_sides_agree_and_protocols_differ() {
        // The "authenticator" side computed independently with p256.
        let dev = p256::ecdh::EphemeralSecret::random(&mut rand::rngs::OsRng);
        let dev_cose = public_key_to_cose(&dev.public_key());
        for proto in [PinProtocol::V1, PinProtocol::V2] {
            let (ours, secret) = proto.encapsulate(&dev_cose).unwrap();
            let ours = cose_to_public_key(&ours).unwrap();
            let z = dev.diffie_hellman(&ours);
            let dev_secret = proto.kdf(z.raw_secret_bytes());
            let msg = [0x42u8; 64];
            let ct = secret.encrypt(&msg).unwrap();
            assert_eq!(ct.len(), if proto == PinProtocol::V2 { 80 } else { 64 });
            assert_eq!(&dev_secret.decrypt(&ct).unwrap()[..], &msg[..]);
            assert_eq!(secret.authenticate(b"x"), dev_secret.authenticate(b"x"));
        }
    }

    #[test]
    fn v1_truncates_to_16_and_v2_keeps_32() {
        assert_eq!(PinProtocol::V1.authenticate(&[1; 32], b"m").len(), 16);
        assert_eq!(PinProtocol::V2.authenticate(&[1; 32], b"m").len(), 32);
        assert_eq!(PinProtocol::choose(&[1, 2]), Some(PinProtocol::V2));
        assert_eq!(PinProtocol::choose(&[1]), Some(PinProtocol::V1));
        assert_eq!(PinProtocol::choose(&[]), None);
    }

    #[test]
    fn v2_kdf_is_two_hkdf_blocks() {
        let z = [7u8; 32];
        let s = PinProtocol::V2.kdf(&z);
        assert_eq!(s.bytes.len(), 64);
        assert_eq!(
            &s.bytes[..32],
            &hkdf_sha256(&[0; 32], &z, b"CTAP2 HMAC key")
        );
        let s1 = PinProtocol::V1.kdf(&z);
        assert_eq!(&s1.bytes[..], Sha256::digest(z).as_slice());
    }
}
