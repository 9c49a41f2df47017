//! The PIV application (NIST SP 800-73-4 with Yubico's extensions) as a
//! YubiKey 5 implements it: PIN/PUK with retry counters, the management
//! key, key generation with PIN and touch policies, data objects, metadata,
//! attestation, reset and (5.7) MOVE/DELETE KEY.
//!
//! Security conditions follow the hardware: GENERATE, PUT DATA, SET
//! MANAGEMENT KEY, MOVE KEY need management-key authentication; SET PIN
//! RETRIES needs it and a verified PIN; GET DATA of printed information
//! needs a verified PIN; key use follows the slot's PIN policy (ONCE: PIN
//! verified in this session; ALWAYS: a VERIFY since the last key use) and
//! touch policy (a touch that never comes answers 6985; `Touch::After(d)`
//! blocks the command for `d`, as the hardware does while it blinks).
//!
//! Not simulated: the bio PIN (P2 96), YubiHSM-style key history, and
//! attestation of imported keys (refused with 6A80, as on the hardware).

mod attest;
mod auth;
pub mod keys;
pub mod mgmkey;
mod pin;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::apdu::{sw, Command, Reply};
use super::tlv::{self, tlv};
use crate::identity::{Firmware, Identity};
use crate::touch::Touch;

pub use attest::{OID_FIRMWARE, OID_FORM_FACTOR, OID_POLICY, OID_SERIAL, TEST_ROOT_CA};
use keys::PrivateKey;
use mgmkey::MgmtKey;

/// PIN policies (tag AA).
pub mod pin_policy {
    pub const DEFAULT: u8 = 0;
    pub const NEVER: u8 = 1;
    pub const ONCE: u8 = 2;
    pub const ALWAYS: u8 = 3;
}

/// Touch policies (tag AB).
pub mod touch_policy {
    pub const DEFAULT: u8 = 0;
    pub const NEVER: u8 = 1;
    pub const ALWAYS: u8 = 2;
    pub const CACHED: u8 = 3;
}

/// Slot of the attestation key.
pub const SLOT_ATTESTATION: u8 = 0xF9;
/// Object holding the attestation key's certificate.
pub const OBJ_ATTESTATION: u32 = 0x5F_FF01;
const OBJ_PRINTED: u32 = 0x5F_C109;
const OBJ_DISCOVERY: u32 = 0x7E;

/// Factory PIN and PUK.
pub const DEFAULT_PIN: &[u8] = b"123456";
pub const DEFAULT_PUK: &[u8] = b"12345678";

/// A key in a slot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlotKey {
    pub key: PrivateKey,
    /// Resolved PIN policy (never DEFAULT).
    pub pin_policy: u8,
    /// Resolved touch policy (never DEFAULT).
    pub touch_policy: u8,
    /// Generated on the card (attestable) rather than imported.
    pub generated: bool,
}

/// Persistent PIV state: the "hardware" memory. `Debug` leaves out the PIN
/// and PUK values.
#[derive(Clone, Serialize, Deserialize)]
pub struct PivState {
    /// PIN, padded with 0xFF to 8 bytes.
    pub pin: Vec<u8>,
    /// PUK, padded with 0xFF to 8 bytes.
    pub puk: Vec<u8>,
    pub pin_total: u8,
    pub pin_left: u8,
    pub puk_total: u8,
    pub puk_left: u8,
    pub mgmt: MgmtKey,
    pub keys: BTreeMap<u8, SlotKey>,
    pub objects: BTreeMap<u32, Vec<u8>>,
}

impl std::fmt::Debug for PivState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PivState")
            .field("pin_tries", &(self.pin_left, self.pin_total))
            .field("puk_tries", &(self.puk_left, self.puk_total))
            .field("mgmt", &self.mgmt)
            .field("keys", &self.keys)
            .field("objects", &self.objects.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Pad a PIN/PUK to 8 bytes with 0xFF.
#[must_use]
pub fn pad(v: &[u8]) -> Vec<u8> {
    let mut out = v.to_vec();
    out.resize(8, 0xFF);
    out
}

impl PivState {
    /// Factory state: default PIN/PUK/management key, no keys except a fresh
    /// attestation key (F9) with its certificate signed by the test root.
    #[must_use]
    pub fn factory(identity: &Identity) -> Self {
        let mut st = Self {
            pin: pad(DEFAULT_PIN),
            puk: pad(DEFAULT_PUK),
            pin_total: 3,
            pin_left: 3,
            puk_total: 3,
            puk_left: 3,
            mgmt: MgmtKey::factory(identity.firmware),
            keys: BTreeMap::new(),
            objects: BTreeMap::new(),
        };
        st.provision_attestation(identity);
        st
    }

    fn provision_attestation(&mut self, identity: &Identity) {
        let Ok(key) = PrivateKey::generate(keys::alg::P256) else {
            return;
        };
        match attest::f9_certificate(identity, &key) {
            Ok(cert) => {
                self.objects.insert(OBJ_ATTESTATION, cert_object(&cert));
            }
            Err(e) => log::error!("cannot build the F9 attestation certificate: {e}"),
        }
        self.keys.insert(
            SLOT_ATTESTATION,
            SlotKey {
                key,
                pin_policy: pin_policy::NEVER,
                touch_policy: touch_policy::NEVER,
                generated: false,
            },
        );
    }

    /// Back to factory state except the attestation key and certificate.
    fn reset(&mut self, identity: &Identity) {
        let f9 = self.keys.remove(&SLOT_ATTESTATION);
        let f9_cert = self.objects.remove(&OBJ_ATTESTATION);
        let mut fresh = Self {
            keys: BTreeMap::new(),
            objects: BTreeMap::new(),
            ..Self::factory_without_keys(identity)
        };
        if let Some(k) = f9 {
            fresh.keys.insert(SLOT_ATTESTATION, k);
        }
        if let Some(c) = f9_cert {
            fresh.objects.insert(OBJ_ATTESTATION, c);
        }
        *self = fresh;
    }

    fn factory_without_keys(identity: &Identity) -> Self {
        Self {
            pin: pad(DEFAULT_PIN),
            puk: pad(DEFAULT_PUK),
            pin_total: 3,
            pin_left: 3,
            puk_total: 3,
            puk_left: 3,
            mgmt: MgmtKey::factory(identity.firmware),
            keys: BTreeMap::new(),
            objects: BTreeMap::new(),
        }
    }
}

/// A certificate data object as ykman writes it: 70 cert, 71 00, FE 00.
fn cert_object(der: &[u8]) -> Vec<u8> {
    let mut v = tlv(0x70, der);
    v.extend(tlv(0x71, &[0]));
    v.extend(tlv(0xFE, &[]));
    v
}

/// Volatile PIV session state (lost on power-off and reselect).
#[derive(Debug, Default)]
pub struct Session {
    pub pin_verified: bool,
    /// VERIFY succeeded since the last use of a PIN-ALWAYS key.
    pub pin_fresh: bool,
    pub mgmt_authenticated: bool,
    pub witness: Option<Vec<u8>>,
    pub challenge: Option<Vec<u8>>,
}

/// SELECT response (application property template).
#[must_use]
pub fn select_response() -> Vec<u8> {
    let mut inner = tlv(0x4F, &[0x00, 0x00, 0x10, 0x00, 0x01, 0x00]);
    inner.extend(tlv(0x79, &tlv(0x4F, &[0xA0, 0x00, 0x00, 0x03, 0x08])));
    tlv(0x61, &inner)
}

/// The PIV application bound to one card's state for one command.
#[derive(Debug)]
pub struct Piv<'a> {
    pub id: &'a Identity,
    pub st: &'a mut PivState,
    pub sess: &'a mut Session,
    pub touch: Touch,
    pub dirty: &'a mut bool,
}

/// Whether `slot` can hold an asymmetric key.
fn key_slot(slot: u8) -> bool {
    matches!(
        slot,
        0x9A | 0x9C | 0x9D | 0x9E | 0x82..=0x95 | SLOT_ATTESTATION
    )
}

fn default_pin_policy(slot: u8) -> u8 {
    match slot {
        0x9C => pin_policy::ALWAYS,
        0x9E | SLOT_ATTESTATION => pin_policy::NEVER,
        _ => pin_policy::ONCE,
    }
}

/// PIN (tag AA) and touch (tag AB) policies of a GENERATE/IMPORT template, resolved.
fn policies(slot: u8, t: &[(u32, Vec<u8>)]) -> Result<(u8, u8), u16> {
    let pin = match tlv::find(t, 0xAA) {
        None | Some([pin_policy::DEFAULT]) => default_pin_policy(slot),
        Some([p @ 1..=3]) => *p,
        _ => return Err(sw::INCORRECT_DATA),
    };
    let touch = match tlv::find(t, 0xAB) {
        None | Some([touch_policy::DEFAULT]) => touch_policy::NEVER,
        Some([p @ 1..=3]) => *p,
        _ => return Err(sw::INCORRECT_DATA),
    };
    Ok((pin, touch))
}

/// Wait for a touch as the touch setting says; false if it never comes.
pub(crate) fn touched(touch: Touch) -> bool {
    match touch {
        Touch::Auto => true,
        Touch::Never => false,
        Touch::After(d) => {
            std::thread::sleep(d);
            true
        }
    }
}

impl Piv<'_> {
    /// Handle one (unchained) command.
    pub fn handle(mut self, cmd: &Command) -> Reply {
        // PIN policy ALWAYS: a VERIFY allows one private-key operation; other
        // commands in between (yubico-piv-tool reads objects) do not use it up.
        let fresh = self.sess.pin_fresh;
        match cmd.ins {
            0x20 => self.verify(cmd),
            0x24 => self.change_reference(cmd),
            0x2C => self.reset_retry(cmd),
            0x47 => self.generate(cmd),
            0x87 => self.general_authenticate(cmd, fresh),
            0xCB => self.get_data(cmd),
            0xDB => self.put_data(cmd),
            0xF6 if self.id.firmware == Firmware::V5_7_1 => self.move_key(cmd),
            0xF7 => self.metadata(cmd),
            0xF8 => Ok(self.id.serial.to_be_bytes().to_vec()),
            0xF9 => self.attest(cmd),
            0xFA => self.set_pin_retries(cmd),
            0xFB => self.reset(),
            0xFD => {
                let (a, b, c) = self.id.firmware.version();
                Ok(vec![a, b, c])
            }
            0xFE => self.import(cmd),
            0xFF => self.set_management_key(cmd),
            _ => Err(sw::INS_NOT_SUPPORTED),
        }
    }

    fn need_mgmt(&self) -> Result<(), u16> {
        if self.sess.mgmt_authenticated {
            Ok(())
        } else {
            Err(sw::SECURITY_STATUS)
        }
    }

    fn object_id(data: &[u8]) -> Result<(u32, &[u8]), u16> {
        let (tag, id, rest) = tlv::parse_one(data).ok_or(sw::INCORRECT_DATA)?;
        if tag != 0x5C || id.is_empty() || id.len() > 3 {
            return Err(sw::INCORRECT_DATA);
        }
        let id = id.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
        Ok((id, rest))
    }

    fn get_data(&mut self, cmd: &Command) -> Reply {
        if (cmd.p1, cmd.p2) != (0x3F, 0xFF) {
            return Err(sw::WRONG_P1P2);
        }
        let (id, _) = Self::object_id(&cmd.data)?;
        if id == OBJ_DISCOVERY {
            let mut v = tlv(0x4F, &[0xA0, 0, 0, 0x03, 0x08, 0, 0, 0x10, 0, 0x01, 0]);
            v.extend(tlv(0x5F2F, &[0x40, 0x00]));
            return Ok(tlv(0x7E, &v));
        }
        if id == OBJ_PRINTED && !self.sess.pin_verified {
            return Err(sw::SECURITY_STATUS);
        }
        match self.st.objects.get(&id) {
            Some(v) => Ok(tlv(0x53, v)),
            None => Err(sw::FILE_NOT_FOUND),
        }
    }

    fn put_data(&mut self, cmd: &Command) -> Reply {
        if (cmd.p1, cmd.p2) != (0x3F, 0xFF) {
            return Err(sw::WRONG_P1P2);
        }
        self.need_mgmt()?;
        let (id, rest) = Self::object_id(&cmd.data)?;
        let valid = (0x5F_C101..=0x5F_C123).contains(&id) || (0x5F_FF00..=0x5F_FF15).contains(&id);
        if !valid {
            return Err(sw::INCORRECT_DATA);
        }
        let (tag, value, _) = tlv::parse_one(rest).ok_or(sw::INCORRECT_DATA)?;
        if tag != 0x53 {
            return Err(sw::INCORRECT_DATA);
        }
        if value.is_empty() {
            self.st.objects.remove(&id);
        } else {
            self.st.objects.insert(id, value.to_vec());
        }
        *self.dirty = true;
        Ok(Vec::new())
    }

    fn generate(&mut self, cmd: &Command) -> Reply {
        self.need_mgmt()?;
        let slot = cmd.p2;
        if !key_slot(slot) || slot == SLOT_ATTESTATION && cmd.p1 != 0 {
            return Err(sw::REF_NOT_FOUND);
        }
        let (tag, template, _) = tlv::parse_one(&cmd.data).ok_or(sw::INCORRECT_DATA)?;
        if tag != 0xAC {
            return Err(sw::INCORRECT_DATA);
        }
        let t = tlv::parse(template).ok_or(sw::INCORRECT_DATA)?;
        let algorithm = match tlv::find(&t, 0x80) {
            Some([a]) => *a,
            _ => return Err(sw::INCORRECT_DATA),
        };
        if !keys::supported(self.id.firmware, algorithm) {
            return Err(sw::INCORRECT_DATA);
        }
        let (pin, touch) = policies(slot, &t)?;
        let key = PrivateKey::generate(algorithm).map_err(|_| sw::INCORRECT_DATA)?;
        let public = key.public_tlvs().map_err(|_| sw::NO_PRECISE_DIAGNOSIS)?;
        self.st.keys.insert(
            slot,
            SlotKey {
                key,
                pin_policy: pin,
                touch_policy: touch,
                generated: true,
            },
        );
        *self.dirty = true;
        Ok(tlv(0x7F49, &public))
    }

    /// IMPORT KEY (Yubico INS FE): P1 algorithm, P2 slot, key components as TLVs.
    fn import(&mut self, cmd: &Command) -> Reply {
        self.need_mgmt()?;
        let slot = cmd.p2;
        if !key_slot(slot) || slot == SLOT_ATTESTATION {
            return Err(sw::REF_NOT_FOUND);
        }
        if !keys::supported(self.id.firmware, cmd.p1) {
            return Err(sw::INCORRECT_DATA);
        }
        let t = tlv::parse(&cmd.data).ok_or(sw::INCORRECT_DATA)?;
        let (pin, touch) = policies(slot, &t)?;
        let key = PrivateKey::import(cmd.p1, &t).map_err(|_| sw::INCORRECT_DATA)?;
        self.st.keys.insert(
            slot,
            SlotKey {
                key,
                pin_policy: pin,
                touch_policy: touch,
                generated: false,
            },
        );
        *self.dirty = true;
        Ok(Vec::new())
    }

    fn metadata(&mut self, cmd: &Command) -> Reply {
        let st = &*self.st;
        match cmd.p2 {
            0x80 | 0x81 => {
                let (value, default, total, left) = if cmd.p2 == 0x80 {
                    (&st.pin, pad(DEFAULT_PIN), st.pin_total, st.pin_left)
                } else {
                    (&st.puk, pad(DEFAULT_PUK), st.puk_total, st.puk_left)
                };
                let mut v = tlv(0x01, &[0xFF]);
                v.extend(tlv(0x05, &[u8::from(*value == default)]));
                v.extend(tlv(0x06, &[total, left]));
                Ok(v)
            }
            0x9B => {
                let mut v = tlv(0x01, &[st.mgmt.algorithm]);
                let touch = if st.mgmt.touch {
                    touch_policy::ALWAYS
                } else {
                    touch_policy::NEVER
                };
                v.extend(tlv(0x02, &[pin_policy::DEFAULT, touch]));
                v.extend(tlv(0x05, &[u8::from(st.mgmt.is_default())]));
                Ok(v)
            }
            slot if key_slot(slot) => {
                let k = st.keys.get(&slot).ok_or(sw::REF_NOT_FOUND)?;
                let alg = k.key.algorithm().map_err(|_| sw::NO_PRECISE_DIAGNOSIS)?;
                let public = k.key.public_tlvs().map_err(|_| sw::NO_PRECISE_DIAGNOSIS)?;
                let mut v = tlv(0x01, &[alg]);
                v.extend(tlv(0x02, &[k.pin_policy, k.touch_policy]));
                v.extend(tlv(0x03, &[if k.generated { 1 } else { 2 }]));
                v.extend(tlv(0x04, &public));
                Ok(v)
            }
            _ => Err(sw::REF_NOT_FOUND),
        }
    }

    fn attest(&mut self, cmd: &Command) -> Reply {
        let slot = cmd.p1;
        if !key_slot(slot) || slot == SLOT_ATTESTATION {
            return Err(sw::REF_NOT_FOUND);
        }
        let k = self.st.keys.get(&slot).ok_or(sw::REF_NOT_FOUND)?;
        if !k.generated {
            return Err(sw::INCORRECT_DATA);
        }
        let f9 = self
            .st
            .keys
            .get(&SLOT_ATTESTATION)
            .ok_or(sw::REF_NOT_FOUND)?;
        let f9_cert = self
            .st
            .objects
            .get(&OBJ_ATTESTATION)
            .and_then(|o| tlv::parse(o))
            .and_then(|t| tlv::find(&t, 0x70).map(<[u8]>::to_vec));
        attest::attest(
            self.id,
            attest::Attested {
                slot,
                key: &k.key,
                pin_policy: k.pin_policy,
                touch_policy: k.touch_policy,
            },
            &f9.key,
            f9_cert.as_deref(),
        )
        .map_err(|_| sw::INCORRECT_DATA)
    }

    fn move_key(&mut self, cmd: &Command) -> Reply {
        self.need_mgmt()?;
        let (to, from) = (cmd.p1, cmd.p2);
        if !key_slot(from) || from == SLOT_ATTESTATION {
            return Err(sw::INCORRECT_DATA);
        }
        if to != 0xFF && (!key_slot(to) || to == SLOT_ATTESTATION) {
            return Err(sw::INCORRECT_DATA);
        }
        let k = self.st.keys.remove(&from).ok_or(sw::REF_NOT_FOUND)?;
        if to != 0xFF {
            self.st.keys.insert(to, k);
        }
        *self.dirty = true;
        Ok(Vec::new())
    }

    fn reset(&mut self) -> Reply {
        if self.st.pin_left != 0 || self.st.puk_left != 0 {
            return Err(sw::CONDITIONS);
        }
        self.st.reset(self.id);
        *self.sess = Session::default();
        *self.dirty = true;
        Ok(Vec::new())
    }

    fn set_management_key(&mut self, cmd: &Command) -> Reply {
        self.need_mgmt()?;
        let touch = match (cmd.p1, cmd.p2) {
            (0xFF, 0xFF) => false,
            (0xFF, 0xFE) => true,
            _ => return Err(sw::WRONG_P1P2),
        };
        let [algorithm, 0x9B, len, key @ ..] = cmd.data.as_slice() else {
            return Err(sw::INCORRECT_DATA);
        };
        if mgmkey::key_len(*algorithm) != Some(usize::from(*len)) || key.len() != usize::from(*len)
        {
            return Err(sw::INCORRECT_DATA);
        }
        self.st.mgmt = MgmtKey {
            algorithm: *algorithm,
            key: key.to_vec(),
            touch,
        };
        *self.dirty = true;
        Ok(Vec::new())
    }
}
