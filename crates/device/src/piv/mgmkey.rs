//! The PIV management key: mutual authentication with 3DES or
//! AES-128/192/256, replacing it, and ykman's "PIN-protected management
//! key" (a random key stored in the printed-information object 5FC109,
//! readable only after the PIN, flagged in admin data 5FFF00).

use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use keydesk_types::Secret;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};

use super::{object, Piv, INS_GET_METADATA};
use crate::apdu::{sw, tlv};
use crate::error::{DeviceError, PivFeature, Result};
use crate::management::Version;

const INS_AUTHENTICATE: u8 = 0x87;
const INS_SET_MGMKEY: u8 = 0xFF;
const SLOT_MGMT: u8 = 0x9B;

/// Factory management key (the same bytes for 3DES and AES-192).
pub const DEFAULT_KEY: [u8; 24] = [
    1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8,
];

/// Management key algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MgmtKeyType {
    Tdes,
    Aes128,
    Aes192,
    Aes256,
}

impl MgmtKeyType {
    /// PIV algorithm id.
    #[must_use]
    pub fn id(self) -> u8 {
        match self {
            Self::Tdes => 0x03,
            Self::Aes128 => 0x08,
            Self::Aes192 => 0x0A,
            Self::Aes256 => 0x0C,
        }
    }

    /// From a PIV algorithm id.
    #[must_use]
    pub fn from_id(id: u8) -> Option<Self> {
        match id {
            0x03 => Some(Self::Tdes),
            0x08 => Some(Self::Aes128),
            0x0A => Some(Self::Aes192),
            0x0C => Some(Self::Aes256),
            _ => None,
        }
    }

    /// Key length in bytes.
    #[must_use]
    pub fn key_len(self) -> usize {
        match self {
            Self::Tdes | Self::Aes192 => 24,
            Self::Aes128 => 16,
            Self::Aes256 => 32,
        }
    }

    fn block_len(self) -> usize {
        if self == Self::Tdes {
            8
        } else {
            16
        }
    }

    /// The factory default type for a firmware (AES-192 from 5.7, else 3DES).
    #[must_use]
    pub fn factory_default(version: Version) -> Self {
        if version >= Version(5, 7, 0) {
            Self::Aes192
        } else {
            Self::Tdes
        }
    }
}

/// A management key with its algorithm.
#[derive(Debug, Clone)]
pub struct ManagementKey {
    pub key_type: MgmtKeyType,
    key: Secret<Vec<u8>>,
}

impl ManagementKey {
    /// Wrap raw key bytes.
    ///
    /// # Errors
    /// `Malformed` when the length does not fit the algorithm.
    pub fn new(key_type: MgmtKeyType, key: &[u8]) -> Result<Self> {
        if key.len() != key_type.key_len() {
            return Err(DeviceError::Malformed {
                command: "management key",
                detail: format!(
                    "{:?} needs {} bytes, got {}",
                    key_type,
                    key_type.key_len(),
                    key.len()
                ),
            });
        }
        Ok(Self {
            key_type,
            key: Secret::from_bytes(key),
        })
    }

    /// The factory key for `key_type`.
    ///
    /// # Errors
    /// Only for AES-128/256 (which have no factory key).
    pub fn default_for(key_type: MgmtKeyType) -> Result<Self> {
        Self::new(key_type, &DEFAULT_KEY)
    }

    /// A fresh random key from the OS CSPRNG.
    #[must_use]
    pub fn random(key_type: MgmtKeyType) -> Self {
        Self {
            key_type,
            key: Secret::random(&mut OsRng, key_type.key_len()),
        }
    }

    /// Encrypt or decrypt one block in ECB mode (the PIV challenge-response).
    fn crypt(&self, block: &[u8], decrypt: bool) -> Result<Secret<Vec<u8>>> {
        let bad = || DeviceError::Malformed {
            command: "AUTHENTICATE",
            detail: "witness/challenge has the wrong block length".into(),
        };
        if block.len() != self.key_type.block_len() {
            return Err(bad());
        }
        let k = self.key.expose_bytes();
        let mut b = zeroize::Zeroizing::new(block.to_vec());
        macro_rules! run {
            ($c:ty) => {{
                let c = <$c>::new_from_slice(k).map_err(|_| bad())?;
                let blk =
                    aes::cipher::generic_array::GenericArray::from_mut_slice(b.as_mut_slice());
                if decrypt {
                    c.decrypt_block(blk)
                } else {
                    c.encrypt_block(blk)
                }
            }};
        }
        match self.key_type {
            MgmtKeyType::Tdes => run!(des::TdesEde3),
            MgmtKeyType::Aes128 => run!(aes::Aes128),
            MgmtKeyType::Aes192 => run!(aes::Aes192),
            MgmtKeyType::Aes256 => run!(aes::Aes256),
        }
        Ok(Secret::from_bytes(&b))
    }
}

/// What GET METADATA says about the management key (5.3+).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MgmtKeyMetadata {
    pub key_type: MgmtKeyType,
    pub is_default: bool,
    pub touch_required: bool,
}

/// ykman's admin data flags (object 5FFF00, tag 80 { 81 flags, 82 salt, 83 time }).
const FLAG_PUK_BLOCKED: u8 = 0x01;
const FLAG_MGM_STORED: u8 = 0x02;

impl Piv<'_> {
    /// Management key metadata (firmware 5.3+).
    ///
    /// # Errors
    /// `Unsupported` before 5.3.
    pub fn management_key_metadata(&mut self) -> Result<MgmtKeyMetadata> {
        self.require(Version(5, 3, 0), PivFeature::MgmtKeyMetadata)?;
        let d = self
            .apdus
            .send("GET METADATA", (0, INS_GET_METADATA, 0, SLOT_MGMT), &[])?;
        let key_type = match tlv::find(&d, 0x01)? {
            Some([id]) => MgmtKeyType::from_id(*id).ok_or_else(|| DeviceError::Malformed {
                command: "GET METADATA",
                detail: format!("unknown management key algorithm {id:#04x}"),
            })?,
            _ => MgmtKeyType::Tdes,
        };
        Ok(MgmtKeyMetadata {
            key_type,
            is_default: tlv::find(&d, 0x05)?.is_some_and(|v| v.first().is_some_and(|b| *b != 0)),
            touch_required: tlv::find(&d, 0x02)?.is_some_and(|p| p.get(1).is_some_and(|t| *t >= 2)),
        })
    }

    /// The management key algorithm in use: metadata on 5.3+, else 3DES.
    ///
    /// # Errors
    /// Transport errors.
    pub fn management_key_type(&mut self) -> Result<MgmtKeyType> {
        if self.version() >= Version(5, 3, 0) {
            Ok(self.management_key_metadata()?.key_type)
        } else {
            Ok(MgmtKeyType::Tdes)
        }
    }

    /// Mutual authentication with the management key (two GENERAL
    /// AUTHENTICATE commands; the card's answer is checked too).
    ///
    /// # Errors
    /// `ManagementKeyRejected` when the key is wrong.
    pub fn authenticate(&mut self, key: &ManagementKey) -> Result<()> {
        let p1 = key.key_type.id();
        let req = tlv::encode(0x7C, &tlv::encode(0x80, &[]));
        let (resp, s) =
            self.apdus
                .send_raw("AUTHENTICATE", (0, INS_AUTHENTICATE, p1, SLOT_MGMT), &req)?;
        match s {
            sw::OK => {}
            sw::INCORRECT_DATA | 0x6A86 | sw::WRONG_P1P2 => {
                return Err(DeviceError::ManagementKeyRejected)
            }
            s => return Err(crate::apdu::status_error("AUTHENTICATE", s)),
        }
        let witness = tlv::unpack(0x80, tlv::unpack(0x7C, &resp)?)?;
        let decrypted = key.crypt(witness, true)?;
        let challenge = Secret::random(&mut OsRng, key.key_type.block_len());
        let inner = tlv::concat_secret(&[
            &tlv::encode_secret(0x80, decrypted.expose_bytes()),
            &tlv::encode_secret(0x81, challenge.expose_bytes()),
        ]);
        let (resp, s) = self.apdus.send_raw(
            "AUTHENTICATE",
            (0, INS_AUTHENTICATE, p1, SLOT_MGMT),
            &tlv::encode_secret(0x7C, &inner),
        )?;
        match s {
            sw::OK => {}
            sw::SECURITY_STATUS | sw::INCORRECT_DATA => {
                return Err(DeviceError::ManagementKeyRejected)
            }
            s => return Err(crate::apdu::status_error("AUTHENTICATE", s)),
        }
        let answer = Secret::from_bytes(tlv::unpack(0x82, tlv::unpack(0x7C, &resp)?)?);
        // Constant time: `Secret`'s equality.
        if answer != key.crypt(challenge.expose_bytes(), false)? {
            return Err(DeviceError::Malformed {
                command: "AUTHENTICATE",
                detail: "the key's answer to our challenge is wrong (not the expected card?)"
                    .into(),
            });
        }
        Ok(())
    }

    /// Authenticate with the factory key of this firmware.
    ///
    /// # Errors
    /// `ManagementKeyRejected` when the key is no longer the default.
    pub fn authenticate_default(&mut self) -> Result<()> {
        let t = if self.version() >= Version(5, 3, 0) {
            self.management_key_type()?
        } else {
            MgmtKeyType::factory_default(self.version())
        };
        self.authenticate(&ManagementKey::default_for(t)?)
    }

    /// SET MANAGEMENT KEY (needs prior authentication). AES needs 5.4+.
    ///
    /// # Errors
    /// `Unsupported`, `AccessDenied`.
    pub fn set_management_key(&mut self, key: &ManagementKey, require_touch: bool) -> Result<()> {
        if key.key_type != MgmtKeyType::Tdes {
            self.require(Version(5, 4, 0), PivFeature::AesMgmtKey)?;
        }
        let data = tlv::concat_secret(&[
            &[key.key_type.id()],
            &tlv::encode_secret(u32::from(SLOT_MGMT), key.key.expose_bytes()),
        ]);
        let p2 = if require_touch { 0xFE } else { 0xFF };
        self.apdus
            .send("SET MANAGEMENT KEY", (0, INS_SET_MGMKEY, 0xFF, p2), &data)?;
        Ok(())
    }

    /// Admin data flags (0 when the object does not exist).
    ///
    /// # Errors
    /// Transport errors.
    pub fn admin_flags(&mut self) -> Result<u8> {
        let Some(data) = self.get_object(object::ADMIN_DATA)? else {
            return Ok(0);
        };
        let inner = tlv::unpack(0x80, &data)?;
        Ok(tlv::find(inner, 0x81)?
            .and_then(|f| f.first().copied())
            .unwrap_or(0))
    }

    /// Whether a PIN-protected management key is stored (admin data flag).
    ///
    /// # Errors
    /// Transport errors.
    pub fn has_protected_management_key(&mut self) -> Result<bool> {
        Ok(self.admin_flags()? & FLAG_MGM_STORED != 0)
    }

    /// Replace the management key with a random one stored on the key under
    /// the PIN, the way ykman's `--protect` does: the new key goes to object
    /// 5FC109 (tag 88 { 89 key }) and admin data 5FFF00 gets flag 0x02.
    ///
    /// Needs the current management key already authenticated and `pin`.
    /// The key is AES-192 from firmware 5.4 (3DES before). Order: store the
    /// new key first, then switch the card to it, then set the flag; a key
    /// pulled between the first two steps still opens with the old key.
    ///
    /// # Errors
    /// `WrongPin`, `AccessDenied`, transport errors.
    pub fn set_pin_protected_management_key(&mut self, pin: &Secret) -> Result<()> {
        let t = if self.version() >= Version(5, 4, 0) {
            MgmtKeyType::Aes192
        } else {
            MgmtKeyType::Tdes
        };
        let key = ManagementKey::random(t);
        self.verify_pin(pin)?;
        let flags = self.admin_flags()?;
        let stored = tlv::encode_secret(0x88, &tlv::encode_secret(0x89, key.key.expose_bytes()));
        self.put_object(object::PRINTED, &stored)?;
        self.set_management_key(&key, false)?;
        // ykman's layout: 80 { 81 flags }, no salt (PIN-derived keys are not used).
        let admin = tlv::encode(0x80, &tlv::encode(0x81, &[flags | FLAG_MGM_STORED]));
        self.put_object(object::ADMIN_DATA, &admin)?;
        self.authenticate(&key)
    }

    /// Read the PIN-protected management key (verifies the PIN first).
    ///
    /// # Errors
    /// `WrongPin`, `NotFound` when none is stored.
    pub fn read_pin_protected_management_key(&mut self, pin: &Secret) -> Result<ManagementKey> {
        self.verify_pin(pin)?;
        let data = self
            .get_object(object::PRINTED)?
            .ok_or(DeviceError::NotFound {
                command: "PIN-protected management key",
            })?;
        let key = tlv::find(tlv::unpack(0x88, &data)?, 0x89)?.ok_or(DeviceError::NotFound {
            command: "PIN-protected management key",
        })?;
        let t = match (self.management_key_type(), key.len()) {
            (Ok(t), _) if t.key_len() == key.len() => t,
            (_, 16) => MgmtKeyType::Aes128,
            (_, 32) => MgmtKeyType::Aes256,
            _ => MgmtKeyType::factory_default(self.version()),
        };
        ManagementKey::new(t, key)
    }

    /// Authenticate with the PIN-protected management key.
    ///
    /// # Errors
    /// `WrongPin`, `NotFound`, `ManagementKeyRejected`.
    pub fn authenticate_with_pin(&mut self, pin: &Secret) -> Result<()> {
        let key = self.read_pin_protected_management_key(pin)?;
        self.authenticate(&key)
    }

    /// Whether the PUK was marked blocked by ykman (admin data flag 0x01).
    ///
    /// # Errors
    /// Transport errors.
    pub fn puk_marked_blocked(&mut self) -> Result<bool> {
        Ok(self.admin_flags()? & FLAG_PUK_BLOCKED != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecb_round_trip_for_every_algorithm() {
        for t in [
            MgmtKeyType::Tdes,
            MgmtKeyType::Aes128,
            MgmtKeyType::Aes192,
            MgmtKeyType::Aes256,
        ] {
            let k = ManagementKey::random(t);
            let block = vec![0x42; t.block_len()];
            let enc = k.crypt(&block, false).unwrap();
            assert_ne!(enc.expose_bytes(), block);
            assert_eq!(
                k.crypt(enc.expose_bytes(), true).unwrap().expose_bytes(),
                block
            );
            assert!(k.crypt(&[0; 3], false).is_err());
            assert_eq!(MgmtKeyType::from_id(t.id()), Some(t));
        }
        assert!(ManagementKey::new(MgmtKeyType::Aes128, &[0; 24]).is_err());
        assert_eq!(
            MgmtKeyType::factory_default(Version(5, 7, 1)),
            MgmtKeyType::Aes192
        );
        assert_eq!(
            MgmtKeyType::factory_default(Version(5, 4, 3)),
            MgmtKeyType::Tdes
        );
    }

    #[test]
    fn known_3des_vector() {
        // 3DES-EDE with the default key (K1=K2=K3) equals single DES with K1.
        let k = ManagementKey::default_for(MgmtKeyType::Tdes).unwrap();
        let enc = k.crypt(&[0; 8], false).unwrap();
        let single = {
            use des::Des;
            let c = Des::new_from_slice(&DEFAULT_KEY[..8]).unwrap();
            let mut b = aes::cipher::generic_array::GenericArray::clone_from_slice(&[0u8; 8]);
            c.encrypt_block(&mut b);
            b.to_vec()
        };
        assert_eq!(enc.expose_bytes(), single);
    }
}
