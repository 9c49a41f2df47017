//! The CTAPHID transport (FIDO CTAP 2.1, section 11.2): channels, message
//! reassembly from packets, responses fragmented into reports, KEEPALIVE
//! while waiting for touch, CANCEL and CTAPHID ERROR answers. The packet
//! format itself is in `frame`.

use std::collections::{BTreeSet, VecDeque};
use std::time::Duration;

use super::ctap2::{Ctx, Outcome};
use super::frame::{
    cid_of, cmd, err, fragment, Report, BROADCAST, CONT_DATA, INIT_DATA, KEEPALIVE_UPNEEDED,
    MAX_MESSAGE,
};
use super::status;
use super::vendor;
use super::{Authenticator, KEEPALIVE_INTERVAL, TOUCH_TIMEOUT};
use crate::touch::Touch;

/// A message whose next packet does not come within this time is dropped.
const MESSAGE_TIMEOUT: Duration = Duration::from_millis(500);

/// Capability flags in the INIT response: WINK and CBOR; NMSG clear because
/// a YubiKey 5 also speaks U2F over CTAPHID_MSG.
const CAPABILITIES: u8 = 0x01 | 0x04;

/// A message being reassembled from packets.
#[derive(Debug)]
struct Rx {
    cid: u32,
    cmd: u8,
    len: usize,
    data: Vec<u8>,
    seq: u8,
    last: Duration,
}

/// A CBOR command waiting for touch.
#[derive(Debug)]
struct Pending {
    cid: u32,
    request: Vec<u8>,
    started: Duration,
    last_keepalive: Duration,
}

/// CTAPHID transport state; cleared on every power cycle.
#[derive(Debug)]
pub(crate) struct Hid {
    next_cid: u32,
    channels: BTreeSet<u32>,
    rx: Option<Rx>,
    out: VecDeque<Report>,
    pending: Option<Pending>,
}

impl Default for Hid {
    fn default() -> Self {
        Self {
            next_cid: 0x0100_0000 | (rand::random::<u32>() & 0x00FF_FFFF),
            channels: BTreeSet::new(),
            rx: None,
            out: VecDeque::new(),
            pending: None,
        }
    }
}

impl Hid {
    /// Queue `payload` as a CTAPHID message on `cid`, fragmented into reports.
    fn queue(&mut self, cid: u32, command: u8, payload: &[u8]) {
        self.out.extend(fragment(cid, command, payload));
    }

    fn error(&mut self, cid: u32, code: u8) {
        self.queue(cid, cmd::ERROR, &[code]);
    }

    /// Drop a message whose next packet is overdue, answering ERR_MSG_TIMEOUT.
    fn expire(&mut self, now: Duration) {
        if let Some(rx) = &self.rx {
            if now.saturating_sub(rx.last) > MESSAGE_TIMEOUT {
                let cid = rx.cid;
                self.rx = None;
                self.error(cid, err::MSG_TIMEOUT);
            }
        }
    }

    fn allocate(&mut self) -> u32 {
        loop {
            let cid = self.next_cid;
            self.next_cid = self.next_cid.wrapping_add(1);
            if cid != 0 && cid != BROADCAST && !self.channels.contains(&cid) {
                self.channels.insert(cid);
                return cid;
            }
        }
    }
}

impl Authenticator {
    /// A fault fired on this report: answer ERR_OTHER, drop the message.
    pub(crate) fn hid_fail(&mut self, report: &Report) {
        self.hid.rx = None;
        self.hid.error(cid_of(report), err::OTHER);
    }

    /// Process one host-to-device report.
    pub(crate) fn hid_input(&mut self, report: &Report) {
        let now = self.clock.now();
        self.hid.expire(now);
        let cid = cid_of(report);
        if report[4] & 0x80 == 0 {
            self.continuation(cid, report, now);
            return;
        }
        let command = report[4];
        let len = usize::from(u16::from_be_bytes([report[5], report[6]]));
        if command == cmd::INIT {
            self.init(cid, len, report);
            return;
        }
        if cid == 0 || cid == BROADCAST || !self.hid.channels.contains(&cid) {
            self.hid.error(cid, err::INVALID_CHANNEL);
            return;
        }
        if command == cmd::CANCEL {
            if self.hid.pending.as_ref().is_some_and(|p| p.cid == cid) {
                self.hid.pending = None;
                self.hid.queue(cid, cmd::CBOR, &[status::KEEPALIVE_CANCEL]);
            }
            return;
        }
        if self.hid.pending.is_some() {
            self.hid.error(cid, err::CHANNEL_BUSY);
            return;
        }
        if let Some(rx) = &self.hid.rx {
            if rx.cid == cid {
                self.hid.rx = None;
                self.hid.error(cid, err::INVALID_SEQ);
            } else {
                self.hid.error(cid, err::CHANNEL_BUSY);
            }
            return;
        }
        if len > MAX_MESSAGE {
            self.hid.error(cid, err::INVALID_LEN);
            return;
        }
        let n = len.min(INIT_DATA);
        let data = report[7..7 + n].to_vec();
        if n == len {
            self.dispatch(cid, command, data);
        } else {
            self.hid.rx = Some(Rx {
                cid,
                cmd: command,
                len,
                data,
                seq: 0,
                last: now,
            });
        }
    }

    fn continuation(&mut self, cid: u32, report: &Report, now: Duration) {
        let Some(rx) = self.hid.rx.as_mut() else {
            // Spurious continuation packets are ignored.
            return;
        };
        if rx.cid != cid {
            return;
        }
        if report[4] != rx.seq {
            self.hid.rx = None;
            self.hid.error(cid, err::INVALID_SEQ);
            return;
        }
        let n = (rx.len - rx.data.len()).min(CONT_DATA);
        rx.data.extend_from_slice(&report[5..5 + n]);
        rx.seq += 1;
        rx.last = now;
        if rx.data.len() == rx.len {
            if let Some(done) = self.hid.rx.take() {
                self.dispatch(done.cid, done.cmd, done.data);
            }
        }
    }

    fn init(&mut self, cid: u32, len: usize, report: &Report) {
        if len != 8 {
            self.hid.error(cid, err::INVALID_LEN);
            return;
        }
        let new_cid = if cid == BROADCAST {
            self.hid.allocate()
        } else if cid != 0 && self.hid.channels.contains(&cid) {
            // Resynchronise: abort whatever this channel was doing.
            if self.hid.rx.as_ref().is_some_and(|r| r.cid == cid) {
                self.hid.rx = None;
            }
            if self.hid.pending.as_ref().is_some_and(|p| p.cid == cid) {
                self.hid.pending = None;
            }
            cid
        } else {
            self.hid.error(cid, err::INVALID_CHANNEL);
            return;
        };
        let (major, minor, build) = self.identity.firmware.version();
        let mut payload = report[7..15].to_vec();
        payload.extend_from_slice(&new_cid.to_be_bytes());
        payload.extend_from_slice(&[2, major, minor, build, CAPABILITIES]);
        self.hid.queue(cid, cmd::INIT, &payload);
    }

    fn dispatch(&mut self, cid: u32, command: u8, data: Vec<u8>) {
        match command {
            cmd::PING => self.hid.queue(cid, cmd::PING, &data),
            cmd::WINK if data.is_empty() => self.hid.queue(cid, cmd::WINK, &[]),
            cmd::WINK => self.hid.error(cid, err::INVALID_LEN),
            cmd::MSG => {
                let answer = u2f_msg(&data);
                self.hid.queue(cid, cmd::MSG, &answer);
            }
            vendor::READ_CONFIG => {
                let answer = vendor::read_config(&self.identity, &self.mgmt);
                self.hid.queue(cid, vendor::READ_CONFIG, &answer);
            }
            cmd::CBOR if data.is_empty() => self.hid.error(cid, err::INVALID_LEN),
            cmd::CBOR => {
                let now = self.clock.now();
                let ctx = Ctx {
                    touched: self.touch == Touch::Auto,
                    received_at: now,
                };
                match self.ctap2(&data, ctx) {
                    Outcome::Done(resp) => self.hid.queue(cid, cmd::CBOR, &resp),
                    Outcome::NeedTouch => {
                        self.hid.pending = Some(Pending {
                            cid,
                            request: data,
                            started: now,
                            last_keepalive: now,
                        });
                        self.hid.queue(cid, cmd::KEEPALIVE, &[KEEPALIVE_UPNEEDED]);
                    }
                }
            }
            _ => self.hid.error(cid, err::INVALID_CMD),
        }
    }

    /// The next device-to-host report, advancing a command waiting for touch.
    pub(crate) fn hid_poll(&mut self) -> Option<Report> {
        if let Some(r) = self.hid.out.pop_front() {
            return Some(r);
        }
        let now = self.clock.now();
        self.hid.expire(now);
        if let Some(p) = self.hid.pending.take() {
            let touched = match self.touch {
                Touch::Auto => true,
                Touch::After(d) => now >= p.started + d,
                Touch::Never => false,
            };
            if touched {
                let ctx = Ctx {
                    touched: true,
                    received_at: p.started,
                };
                let resp = match self.ctap2(&p.request, ctx) {
                    Outcome::Done(resp) => resp,
                    Outcome::NeedTouch => vec![status::OTHER],
                };
                self.hid.queue(p.cid, cmd::CBOR, &resp);
            } else if now >= p.started + TOUCH_TIMEOUT {
                self.hid
                    .queue(p.cid, cmd::CBOR, &[status::USER_ACTION_TIMEOUT]);
            } else if now >= p.last_keepalive + KEEPALIVE_INTERVAL {
                self.hid.queue(p.cid, cmd::KEEPALIVE, &[KEEPALIVE_UPNEEDED]);
                self.hid.pending = Some(Pending {
                    last_keepalive: now,
                    ..p
                });
            } else {
                self.hid.pending = Some(p);
            }
        }
        self.hid.out.pop_front()
    }

    /// Whether a command is waiting for touch.
    #[must_use]
    pub fn waiting_for_touch(&self) -> bool {
        self.hid.pending.is_some()
    }
}

/// U2F over CTAPHID_MSG: only U2F_VERSION is answered; registration and
/// authentication are not simulated (SW_INS_NOT_SUPPORTED).
fn u2f_msg(apdu: &[u8]) -> Vec<u8> {
    match apdu {
        [0x00, 0x03, ..] => {
            let mut v = b"U2F_V2".to_vec();
            v.extend_from_slice(&[0x90, 0x00]);
            v
        }
        [_, _, ..] => vec![0x6D, 0x00],
        _ => vec![0x67, 0x00],
    }
}
