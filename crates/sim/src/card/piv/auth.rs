//! GENERAL AUTHENTICATE (INS 87): management-key authentication (witness
//! and challenge exchanges) for slot 9B, and signing / key agreement with
//! slot keys under their PIN and touch policies.

use rand::RngCore;

use super::{pin_policy, touch_policy, touched, Piv};
use crate::card::apdu::{sw, Command, Reply};
use crate::card::tlv::{self, tlv};

fn random(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut v);
    v
}

impl Piv<'_> {
    pub(super) fn general_authenticate(&mut self, cmd: &Command, fresh: bool) -> Reply {
        let (tag, inner, _) = tlv::parse_one(&cmd.data).ok_or(sw::INCORRECT_DATA)?;
        if tag != 0x7C {
            return Err(sw::INCORRECT_DATA);
        }
        let t = tlv::parse(inner).ok_or(sw::INCORRECT_DATA)?;
        if cmd.p2 == 0x9B {
            self.mgmt_auth(cmd.p1, &t)
        } else {
            self.use_key(cmd.p1, cmd.p2, &t, fresh)
        }
    }

    fn mgmt_auth(&mut self, algorithm: u8, t: &[(u32, Vec<u8>)]) -> Reply {
        let key = self.st.mgmt.clone();
        if algorithm != key.algorithm {
            return Err(sw::INCORRECT_DATA);
        }
        let crypt = |b: &[u8], dec| key.crypt(b, dec).ok_or(sw::INCORRECT_DATA);
        let witness = tlv::find(t, 0x80);
        let challenge = tlv::find(t, 0x81);
        let response = tlv::find(t, 0x82);
        match (witness, challenge, response) {
            // Step 1 of mutual authentication: the card sends an encrypted witness.
            (Some([]), None, None) => {
                self.sess.mgmt_authenticated = false;
                let w = random(key.block_len());
                let enc = crypt(&w, false)?;
                self.sess.witness = Some(w);
                Ok(tlv(0x7C, &tlv(0x80, &enc)))
            }
            // Step 2: the host proves it decrypted the witness and challenges the card.
            (Some(w), Some(c), None) => {
                let expected = self.sess.witness.take().ok_or(sw::CONDITIONS)?;
                if w != expected.as_slice() {
                    return Err(sw::SECURITY_STATUS);
                }
                if key.touch && !touched(self.touch) {
                    return Err(sw::CONDITIONS);
                }
                let enc = crypt(c, false)?;
                self.sess.mgmt_authenticated = true;
                Ok(tlv(0x7C, &tlv(0x82, &enc)))
            }
            // External authentication: the card sends a plain challenge...
            (None, Some([]), None) => {
                self.sess.mgmt_authenticated = false;
                let c = random(key.block_len());
                self.sess.challenge = Some(c.clone());
                Ok(tlv(0x7C, &tlv(0x81, &c)))
            }
            // ...and the host returns it encrypted.
            (None, None, Some(r)) if !r.is_empty() => {
                let c = self.sess.challenge.take().ok_or(sw::CONDITIONS)?;
                if crypt(&c, false)? != r {
                    return Err(sw::SECURITY_STATUS);
                }
                if key.touch && !touched(self.touch) {
                    return Err(sw::CONDITIONS);
                }
                self.sess.mgmt_authenticated = true;
                Ok(Vec::new())
            }
            _ => Err(sw::INCORRECT_DATA),
        }
    }

    fn use_key(&mut self, algorithm: u8, slot: u8, t: &[(u32, Vec<u8>)], fresh: bool) -> Reply {
        let k = self.st.keys.get(&slot).ok_or(sw::REF_NOT_FOUND)?;
        if k.key.algorithm().map_err(|_| sw::NO_PRECISE_DIAGNOSIS)? != algorithm {
            return Err(sw::INCORRECT_DATA);
        }
        let pin_ok = match k.pin_policy {
            pin_policy::NEVER => true,
            pin_policy::ALWAYS => fresh && self.sess.pin_verified,
            _ => self.sess.pin_verified,
        };
        if !pin_ok {
            return Err(sw::SECURITY_STATUS);
        }
        if k.pin_policy == pin_policy::ALWAYS {
            self.sess.pin_fresh = false;
        }
        if !matches!(tlv::find(t, 0x82), Some([])) {
            return Err(sw::INCORRECT_DATA);
        }
        let out = match (tlv::find(t, 0x81), tlv::find(t, 0x85)) {
            (Some(msg), None) => k.key.sign(msg),
            (None, Some(point)) => k.key.ecdh(point),
            _ => return Err(sw::INCORRECT_DATA),
        }
        .map_err(|_| sw::INCORRECT_DATA)?;
        if k.touch_policy != touch_policy::NEVER && !touched(self.touch) {
            return Err(sw::CONDITIONS);
        }
        Ok(tlv(0x7C, &tlv(0x82, &out)))
    }
}
