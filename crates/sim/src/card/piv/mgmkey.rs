//! The PIV card management key (slot 9B): 3DES or AES-128/192/256, used by
//! GENERAL AUTHENTICATE in the witness/challenge exchanges ykman and
//! yubico-piv-tool perform (single-block ECB, as on the card).

use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use serde::{Deserialize, Serialize};

use crate::identity::Firmware;

/// Algorithm identifiers of management keys.
pub const TDES: u8 = 0x03;
pub const AES128: u8 = 0x08;
pub const AES192: u8 = 0x0A;
pub const AES256: u8 = 0x0C;

/// The factory default key value (both profiles).
pub const DEFAULT: [u8; 24] = [
    1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8,
];

/// A management key.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MgmtKey {
    pub algorithm: u8,
    pub key: Vec<u8>,
    /// Whether using it requires touch.
    pub touch: bool,
}

impl std::fmt::Debug for MgmtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MgmtKey(alg {:#04x}, ..)", self.algorithm)
    }
}

/// Key length for an algorithm, `None` if it is no management key algorithm.
#[must_use]
pub fn key_len(algorithm: u8) -> Option<usize> {
    match algorithm {
        TDES | AES192 => Some(24),
        AES128 => Some(16),
        AES256 => Some(32),
        _ => None,
    }
}

impl MgmtKey {
    /// Factory key: 3DES on 5.4.3, AES-192 on 5.7.1.
    #[must_use]
    pub fn factory(firmware: Firmware) -> Self {
        Self {
            algorithm: match firmware {
                Firmware::V5_4_3 => TDES,
                Firmware::V5_7_1 => AES192,
            },
            key: DEFAULT.to_vec(),
            touch: false,
        }
    }

    /// Whether this is the default key value.
    #[must_use]
    pub fn is_default(&self) -> bool {
        self.key == DEFAULT
    }

    /// Cipher block length (challenge and witness size).
    #[must_use]
    pub fn block_len(&self) -> usize {
        if self.algorithm == TDES {
            8
        } else {
            16
        }
    }

    /// Encrypt (`decrypt == false`) or decrypt one block.
    #[must_use]
    pub fn crypt(&self, block: &[u8], decrypt: bool) -> Option<Vec<u8>> {
        if block.len() != self.block_len() {
            return None;
        }
        let mut buf = block.to_vec();
        macro_rules! run {
            ($c:ty) => {{
                let c = <$c>::new_from_slice(&self.key).ok()?;
                let b = aes::cipher::generic_array::GenericArray::from_mut_slice(&mut buf);
                if decrypt {
                    c.decrypt_block(b)
                } else {
                    c.encrypt_block(b)
                }
            }};
        }
        match self.algorithm {
            TDES => run!(des::TdesEde3),
            AES128 => run!(aes::Aes128),
            AES192 => run!(aes::Aes192),
            AES256 => run!(aes::Aes256),
            _ => return None,
        }
        Some(buf)
    }
}
