//! `serve::hid::run` over a real Unix socket: 64-byte reports both ways,
//! sequential clients on one authenticator (a reconnect is not a power cycle),
//! keepalives while waiting for touch, state persisted through the callback,
//! and a clean stop that removes the socket.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use keydesk_sim::clock::ManualClock;
use keydesk_sim::fido::{Authenticator, AuthenticatorState};
use keydesk_sim::serve::hid;
use keydesk_sim::{Firmware, Identity, Touch};

use crate::fido_client::{packets, BROADCAST, CBOR, INIT, KEEPALIVE, PING};

fn read_report(s: &mut UnixStream) -> [u8; 64] {
    let mut r = [0u8; 64];
    s.read_exact(&mut r).unwrap();
    r
}

fn connect(path: &std::path::Path) -> UnixStream {
    for _ in 0..500 {
        if let Ok(s) = UnixStream::connect(path) {
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            return s;
        }
        std::thread::yield_now();
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("socket never came up");
}

#[test]
fn serves_sequential_clients_keepalives_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fido.sock");
    let clock = ManualClock::new();
    let id = Identity::yubikey_5_nfc(1, Firmware::V5_7_1);
    let touch = Touch::After(Duration::from_secs(1));
    let key = Arc::new(Mutex::new(Authenticator::new(
        &id,
        touch,
        Arc::new(clock.clone()),
    )));
    let stop = Arc::new(AtomicBool::new(false));
    let saved: Arc<Mutex<Vec<AuthenticatorState>>> = Arc::default();
    let server = {
        let (path, key, stop, saved) = (path.clone(), key.clone(), stop.clone(), saved.clone());
        std::thread::spawn(move || {
            hid::run(&path, key, stop, |s: &AuthenticatorState| {
                saved.lock().unwrap().push(s.clone());
            })
        })
    };

    // First client: allocate a channel, ping with continuation packets.
    let mut c = connect(&path);
    let nonce = [5u8; 8];
    c.write_all(&packets(BROADCAST, INIT, &nonce)[0]).unwrap();
    let r = read_report(&mut c);
    assert_eq!((r[4], &r[7..15]), (INIT, &nonce[..]));
    let cid = u32::from_be_bytes(r[15..19].try_into().unwrap());
    let payload = vec![0x5A; 100];
    for p in packets(cid, PING, &payload) {
        c.write_all(&p).unwrap();
    }
    let (first, second) = (read_report(&mut c), read_report(&mut c));
    assert_eq!((first[4], &first[7..64]), (PING, &payload[..57]));
    assert_eq!((second[4], &second[5..48]), (0, &payload[57..]));
    drop(c);

    // Second client: the channel survives a reconnect (no power cycle).
    let mut c = connect(&path);
    let mc = crate::fido_client::make_params("example.com", b"u", true, None);
    let mut req = vec![0x01];
    ciborium::ser::into_writer(&mc, &mut req).unwrap();
    for p in packets(cid, CBOR, &req) {
        c.write_all(&p).unwrap();
    }
    let r = read_report(&mut c);
    assert_eq!((r[4], r[7]), (KEEPALIVE, 2), "waiting for touch");
    clock.advance(Duration::from_secs(2));
    let mut r = read_report(&mut c);
    while r[4] == KEEPALIVE {
        r = read_report(&mut c);
    }
    assert_eq!(
        (r[4], r[7]),
        (CBOR, 0),
        "makeCredential succeeded after the touch"
    );
    drop(c);

    for _ in 0..500 {
        if !saved.lock().unwrap().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(
        saved.lock().unwrap().last().unwrap().credentials.len(),
        1,
        "persisted"
    );
    stop.store(true, Ordering::Relaxed);
    server.join().unwrap().unwrap();
    assert!(!path.exists(), "socket removed on stop");
}
