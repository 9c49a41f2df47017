//! CTAPHID client behaviour against a scripted fake device, for what the
//! simulator never does on its own: foreign channels and nonces, PROCESSING
//! keepalives, bad sequence numbers, silence, busy errors, and a key that
//! finishes just as CANCEL goes out.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::ctaphid::{cid_of, cmd, fragment, Ctaphid, FidoClock, Keepalive, KeepaliveStatus};
use crate::error::DeviceError;
use crate::transport::{HidTransport, Report};

const CID: u32 = 0x1122_3344;

#[derive(Debug, Default, Clone)]
struct Clock(Arc<Mutex<Duration>>);

impl FidoClock for Clock {
    fn now(&self) -> Duration {
        *self.0.lock().unwrap()
    }
}

type Responder = Box<dyn FnMut(&Report) -> Vec<Report> + Send>;

/// A device that answers INIT properly and everything else with `respond`.
struct Fake {
    clock: Clock,
    sent: Arc<Mutex<Vec<Report>>>,
    queue: VecDeque<Report>,
    respond: Responder,
}

impl HidTransport for Fake {
    fn send(&mut self, report: &Report) -> crate::Result<()> {
        self.sent.lock().unwrap().push(*report);
        if report[4] == cmd::INIT {
            // A stray answer for another host first, then ours.
            let other = fragment(0xFFFF_FFFF, cmd::INIT, &[0u8; 17]).unwrap();
            self.queue.extend(other);
            let mut payload = report[7..15].to_vec();
            payload.extend_from_slice(&CID.to_be_bytes());
            payload.extend_from_slice(&[2, 5, 7, 1, 0x05]);
            self.queue
                .extend(fragment(0xFFFF_FFFF, cmd::INIT, &payload).unwrap());
        } else {
            let replies = (self.respond)(report);
            self.queue.extend(replies);
        }
        Ok(())
    }

    fn recv(&mut self, timeout: Duration) -> crate::Result<Option<Report>> {
        if let Some(r) = self.queue.pop_front() {
            return Ok(Some(r));
        }
        *self.clock.0.lock().unwrap() += timeout;
        Ok(None)
    }

    fn location(&self) -> String {
        "fake".into()
    }
}

fn open(respond: Responder) -> (Ctaphid, Clock, Arc<Mutex<Vec<Report>>>) {
    let clock = Clock::default();
    let sent = Arc::new(Mutex::new(Vec::new()));
    let fake = Fake {
        clock: clock.clone(),
        sent: Arc::clone(&sent),
        queue: VecDeque::new(),
        respond,
    };
    let hid = Ctaphid::open_with_clock(Box::new(fake), Arc::new(clock.clone())).unwrap();
    (hid, clock, sent)
}

fn keepalive(code: u8) -> Report {
    fragment(CID, cmd::KEEPALIVE, &[code]).unwrap()[0]
}

#[test]
fn init_ignores_foreign_answers_and_reads_version() {
    let (hid, _, sent) = open(Box::new(|_| Vec::new()));
    let info = hid.info();
    assert_eq!(info.cid, CID);
    assert_eq!(info.version, (5, 7, 1));
    assert!(info.has_cbor());
    assert_eq!(cid_of(&sent.lock().unwrap()[0]), 0xFFFF_FFFF);
}

#[test]
fn processing_keepalives_and_foreign_channels_are_skipped() {
    let answer: Vec<u8> = (0..150u8).collect();
    let reply = answer.clone();
    let (mut hid, _, _) = open(Box::new(move |_| {
        let mut out = vec![
            keepalive(1),
            fragment(0x0909_0909, cmd::CBOR, &[0x7F]).unwrap()[0],
        ];
        out.extend(fragment(CID, cmd::CBOR, &reply).unwrap());
        out
    }));
    let seen: Arc<Mutex<Vec<Keepalive>>> = Arc::default();
    let sink = Arc::clone(&seen);
    hid.set_keepalive_handler(Some(Box::new(move |k: &Keepalive| {
        sink.lock().unwrap().push(*k);
    })));
    assert_eq!(hid.cbor(&[0x04]).unwrap(), answer);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].status, KeepaliveStatus::Processing);
    assert_eq!(seen[0].remaining, Duration::from_secs(30));
}

#[test]
fn bad_sequence_in_an_answer_is_malformed() {
    let (mut hid, _, _) = open(Box::new(|_| {
        let mut r = fragment(CID, cmd::CBOR, &[0u8; 150]).unwrap();
        r.swap(1, 2);
        r
    }));
    let e = hid.cbor(&[0x04]).unwrap_err();
    assert!(matches!(e, DeviceError::Malformed { .. }), "{e}");
}

#[test]
fn busy_error_frame_says_what_to_do() {
    let (mut hid, _, _) = open(Box::new(|_| fragment(CID, cmd::ERROR, &[0x06]).unwrap()));
    let e = hid.cbor(&[0x04]).unwrap_err();
    assert!(e.to_string().contains("busy"), "{e}");
}

#[test]
fn a_silent_key_gives_up_after_the_answer_timeout() {
    let (mut hid, clock, _) = open(Box::new(|_| Vec::new()));
    let start = clock.now();
    let e = hid.cbor(&[0x04]).unwrap_err();
    assert!(e.to_string().contains("stopped answering"), "{e}");
    let waited = clock.now() - start;
    assert!(
        waited > Duration::from_secs(5) && waited < Duration::from_secs(6),
        "{waited:?}"
    );
}

#[test]
fn touch_timeout_sends_cancel_on_our_channel() {
    let (mut hid, clock, sent) = open(Box::new(|r: &Report| {
        if r[4] == cmd::CANCEL {
            fragment(CID, cmd::CBOR, &[0x2D]).unwrap()
        } else {
            // One UPNEEDED per poll for a long while.
            vec![keepalive(2); 400]
        }
    }));
    hid.set_touch_timeout(Duration::from_secs(2));
    // Keepalives arrive without the clock moving: count them as time instead.
    let c = clock.clone();
    hid.set_keepalive_handler(Some(Box::new(move |_k: &Keepalive| {
        *c.0.lock().unwrap() += Duration::from_millis(100);
    })));
    let e = hid.cbor(&[0x07]).unwrap_err();
    assert!(matches!(e, DeviceError::TouchTimeout), "{e}");
    let sent = sent.lock().unwrap();
    let cancel = sent
        .iter()
        .find(|r| r[4] == cmd::CANCEL)
        .expect("CANCEL sent");
    assert_eq!(cid_of(cancel), CID);
}

#[test]
fn an_answer_that_beats_the_cancel_is_kept() {
    let (mut hid, _, _) = open(Box::new(|r: &Report| {
        if r[4] == cmd::CANCEL {
            Vec::new()
        } else {
            let mut out = vec![keepalive(2)];
            out.extend(fragment(CID, cmd::CBOR, &[0x00]).unwrap());
            out
        }
    }));
    let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let f = Arc::clone(&flag);
    hid.set_cancel_flag(Some(flag));
    hid.set_keepalive_handler(Some(Box::new(move |_k: &Keepalive| {
        f.store(true, std::sync::atomic::Ordering::SeqCst);
    })));
    assert_eq!(hid.cbor(&[0x07]).unwrap(), vec![0x00]);
}

#[test]
fn yubikey_serial_over_fido_hid() {
    // length byte, then TLVs: serial (0x02) and form factor (0x04).
    let info = [0x09, 0x02, 0x04, 0x00, 0xBC, 0x61, 0x4E, 0x04, 0x01, 0x01];
    let (hid, _, _) = open(Box::new(move |r: &Report| {
        if r[4] == super::yubikey::CTAPHID_YUBIKEY_READ_CONFIG {
            fragment(CID, r[4], &info).unwrap()
        } else if r[4] == cmd::CBOR {
            // getInfo: {1: ["FIDO_2_0"], 3: h'00..00'}
            let mut v = vec![0x00, 0xA2, 0x01, 0x81, 0x68];
            v.extend_from_slice(b"FIDO_2_0");
            v.extend_from_slice(&[0x03, 0x50]);
            v.extend_from_slice(&[0u8; 16]);
            fragment(CID, cmd::CBOR, &v).unwrap()
        } else {
            fragment(CID, cmd::ERROR, &[0x01]).unwrap()
        }
    }));
    let mut key = super::ctap2::FidoKey::from_hid(hid).unwrap();
    let info = key.yubikey_device_info().unwrap();
    assert_eq!(
        info.serial,
        Some(keydesk_types::Serial::new(12_345_678).unwrap())
    );
    assert_eq!(info.version, crate::management::Version(5, 7, 1));
    let e = key.hid_mut().wink().unwrap_err();
    assert!(matches!(e, DeviceError::Unsupported { .. }), "{e}");
}
