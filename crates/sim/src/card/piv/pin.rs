//! PIN and PUK handling: VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER
//! and SET PIN RETRIES, with the retry counters and status words of the
//! hardware (63Cx tries left, 6983 blocked).

use super::{pad, Piv, DEFAULT_PIN, DEFAULT_PUK};
use crate::card::apdu::{sw, Command, Reply};

const PIN: u8 = 0x80;
const PUK: u8 = 0x81;

/// A valid padded PIN/PUK: 6..=8 characters, then only 0xFF padding.
fn well_formed(v: &[u8]) -> bool {
    let len = v.iter().position(|b| *b == 0xFF).unwrap_or(v.len());
    v.len() == 8 && (6..=8).contains(&len) && v[len..].iter().all(|b| *b == 0xFF)
}

impl Piv<'_> {
    /// Check `given` against the PIN or PUK, counting a failure.
    fn check(&mut self, which: u8, given: &[u8]) -> Result<(), u16> {
        let st = &mut *self.st;
        let (value, total, left) = if which == PIN {
            (&st.pin, st.pin_total, &mut st.pin_left)
        } else {
            (&st.puk, st.puk_total, &mut st.puk_left)
        };
        if *left == 0 {
            return Err(sw::AUTH_BLOCKED);
        }
        if given == value.as_slice() {
            if *left != total {
                *left = total;
                *self.dirty = true;
            }
            Ok(())
        } else {
            *left -= 1;
            *self.dirty = true;
            if which == PIN {
                self.sess.pin_verified = false;
            }
            Err(sw::tries_left(*left))
        }
    }

    pub(super) fn verify(&mut self, cmd: &Command) -> Reply {
        if cmd.p2 != PIN {
            return Err(sw::REF_NOT_FOUND);
        }
        match (cmd.p1, cmd.data.len()) {
            (0xFF, 0) => {
                self.sess.pin_verified = false;
                Ok(Vec::new())
            }
            (0x00, 0) => {
                if self.st.pin_left == 0 {
                    Err(sw::AUTH_BLOCKED)
                } else if self.sess.pin_verified {
                    Ok(Vec::new())
                } else {
                    Err(sw::tries_left(self.st.pin_left))
                }
            }
            (0x00, 8) => {
                self.check(PIN, &cmd.data)?;
                self.sess.pin_verified = true;
                self.sess.pin_fresh = true;
                Ok(Vec::new())
            }
            (0x00, _) => Err(sw::INCORRECT_DATA),
            _ => Err(sw::WRONG_P1P2),
        }
    }

    pub(super) fn change_reference(&mut self, cmd: &Command) -> Reply {
        if cmd.p1 != 0 || !matches!(cmd.p2, PIN | PUK) {
            return Err(sw::REF_NOT_FOUND);
        }
        if cmd.data.len() != 16 {
            return Err(sw::INCORRECT_DATA);
        }
        let (old, new) = cmd.data.split_at(8);
        self.check(cmd.p2, old)?;
        if !well_formed(new) {
            return Err(sw::INCORRECT_DATA);
        }
        if cmd.p2 == PIN {
            self.st.pin = new.to_vec();
        } else {
            self.st.puk = new.to_vec();
        }
        *self.dirty = true;
        Ok(Vec::new())
    }

    pub(super) fn reset_retry(&mut self, cmd: &Command) -> Reply {
        if (cmd.p1, cmd.p2) != (0, PIN) {
            return Err(sw::REF_NOT_FOUND);
        }
        if cmd.data.len() != 16 {
            return Err(sw::INCORRECT_DATA);
        }
        let (puk, new) = cmd.data.split_at(8);
        self.check(PUK, puk)?;
        if !well_formed(new) {
            return Err(sw::INCORRECT_DATA);
        }
        self.st.pin = new.to_vec();
        self.st.pin_left = self.st.pin_total;
        *self.dirty = true;
        Ok(Vec::new())
    }

    /// SET PIN RETRIES: needs management key and PIN; resets PIN and PUK to defaults.
    pub(super) fn set_pin_retries(&mut self, cmd: &Command) -> Reply {
        self.need_mgmt()?;
        if !self.sess.pin_verified {
            return Err(sw::SECURITY_STATUS);
        }
        if cmd.p1 == 0 || cmd.p2 == 0 {
            return Err(sw::WRONG_P1P2);
        }
        let st = &mut *self.st;
        st.pin_total = cmd.p1;
        st.pin_left = cmd.p1;
        st.puk_total = cmd.p2;
        st.puk_left = cmd.p2;
        st.pin = pad(DEFAULT_PIN);
        st.puk = pad(DEFAULT_PUK);
        *self.dirty = true;
        Ok(Vec::new())
    }
}
