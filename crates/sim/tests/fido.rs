//! In-process tests of the virtual FIDO2 authenticator through its 64-byte
//! CTAPHID report interface, with a manual clock (no sleeping): framing,
//! channels and errors, getInfo, clientPIN with both protocols, retry counters,
//! reset window, touch, cancel, authenticatorConfig, credential management,
//! assertions, fault injection and Yubico's vendor READ CONFIG.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fido_client;
mod fido_credentials;
mod fido_serve;
mod fido_vendor;

use ciborium::Value;
use fido_client::*;
use keydesk_sim::fault::{Fault, FaultKind};
use keydesk_sim::fido::{status, Authenticator};
use keydesk_sim::{Firmware, Touch};
use sha2::{Digest, Sha256};
use std::time::Duration;

const V5_7: Firmware = Firmware::V5_7_1;
const V5_4: Firmware = Firmware::V5_4_3;

#[test]
fn init_allocates_distinct_channels_and_reports_version_and_capabilities() {
    let mut d = dev(V5_7, Touch::Auto);
    let first = d.cid;
    let nonce = [9u8; 8];
    d.send(BROADCAST, INIT, &nonce);
    let (cid, cmd, data) = d.recv().unwrap();
    assert_eq!((cid, cmd, data.len()), (BROADCAST, INIT, 17));
    assert_eq!(&data[..8], &nonce);
    let second = u32::from_be_bytes(data[8..12].try_into().unwrap());
    assert_ne!(second, first);
    assert!(second != 0 && second != BROADCAST);
    // CTAPHID protocol 2, firmware 5.7.1, WINK | CBOR (NMSG clear).
    assert_eq!(&data[12..], &[2, 5, 7, 1, 0x05]);
    // INIT on an allocated channel resynchronises and keeps the channel.
    d.send(second, INIT, &nonce);
    let (cid, _, data) = d.recv().unwrap();
    assert_eq!(cid, second);
    assert_eq!(u32::from_be_bytes(data[8..12].try_into().unwrap()), second);
    assert!(d.recv().is_none());
}

#[test]
fn ping_round_trips_through_continuation_packets() {
    let mut d = dev(V5_7, Touch::Auto);
    let payload: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
    let sent = packets(d.cid, PING, &payload);
    assert_eq!(sent.len(), 1 + (1000 - 57usize).div_ceil(59));
    let cid = d.cid;
    d.send(cid, PING, &payload);
    let (rcid, cmd, data) = d.recv().unwrap();
    assert_eq!((rcid, cmd), (cid, PING));
    assert_eq!(data, payload);
    assert!(d.a.recv_report().is_none());
    // Largest CTAPHID message (7609 bytes) still round trips.
    let max = vec![0xA5u8; 57 + 128 * 59];
    d.send(cid, PING, &max);
    assert_eq!(d.recv().unwrap().2, max);
}

#[test]
fn framing_errors_are_reported_as_ctaphid_errors() {
    let mut d = dev(V5_7, Touch::Auto);
    let cid = d.cid;
    // Unknown channel.
    d.send(0x1234_5678, PING, b"x");
    assert_eq!(d.recv().unwrap(), (0x1234_5678, ERROR, vec![0x0B]));
    // Broadcast channel for anything but INIT.
    d.send(BROADCAST, PING, b"x");
    assert_eq!(d.recv().unwrap(), (BROADCAST, ERROR, vec![0x0B]));
    // INIT with a wrong length.
    d.send(BROADCAST, INIT, &[1, 2, 3]);
    assert_eq!(d.recv().unwrap(), (BROADCAST, ERROR, vec![0x03]));
    // Unknown or unsimulated command (Yubico WRITE CONFIG 0xC3; READ CONFIG
    // 0xC2 is answered, see fido_vendor).
    d.send(cid, 0xC3, &[]);
    assert_eq!(d.recv().unwrap(), (cid, ERROR, vec![0x01]));
    // Too long.
    let mut big = packets(cid, PING, &[0; 10])[0];
    big[5..7].copy_from_slice(&8000u16.to_be_bytes());
    d.a.send_report(&big);
    assert_eq!(d.recv().unwrap(), (cid, ERROR, vec![0x03]));
    // Wrong sequence number.
    let p = packets(cid, PING, &[7; 200]);
    d.a.send_report(&p[0]);
    d.a.send_report(&p[2]);
    assert_eq!(d.recv().unwrap(), (cid, ERROR, vec![0x04]));
    // Another channel while a message is being assembled: busy.
    let other = d.init();
    d.a.send_report(&p[0]);
    d.send(other, PING, b"hi");
    assert_eq!(d.recv().unwrap(), (other, ERROR, vec![0x06]));
    // The assembling message times out after 500 ms without a packet.
    d.advance(600);
    assert_eq!(d.recv().unwrap(), (cid, ERROR, vec![0x05]));
    // Spurious continuation packets are ignored; WINK answers empty.
    d.a.send_report(&p[1]);
    assert!(d.recv().is_none());
    d.send(cid, WINK, &[]);
    assert_eq!(d.recv().unwrap(), (cid, WINK, vec![]));
    // CBOR requests beyond maxMsgSize (1200) are refused by CTAP2.
    let mut big = vec![0x04];
    big.resize(1300, 0);
    d.send(cid, CBOR, &big);
    assert_eq!(
        d.recv().unwrap(),
        (cid, CBOR, vec![status::REQUEST_TOO_LARGE])
    );
    // U2F over MSG: version only.
    d.send(cid, MSG, &[0, 3, 0, 0, 0]);
    assert_eq!(d.recv().unwrap(), (cid, MSG, b"U2F_V2\x90\x00".to_vec()));
}

fn option(info: &Value, name: &str) -> Option<bool> {
    gets(get(info, 4).unwrap(), name).map(|v| v.as_bool().unwrap())
}

#[test]
fn get_info_reports_the_yubikey_5_of_each_firmware() {
    let mut d = dev(V5_7, Touch::Auto);
    let info = d.info();
    let versions: Vec<_> = get(&info, 1)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_text().unwrap().to_owned())
        .collect();
    assert_eq!(versions, ["U2F_V2", "FIDO_2_0", "FIDO_2_1_PRE", "FIDO_2_1"]);
    assert_eq!(
        hex::encode(get(&info, 3).unwrap().as_bytes().unwrap()),
        "a25342c03cdc44148e46f4807fca511c"
    );
    assert_eq!(option(&info, "rk"), Some(true));
    assert_eq!(option(&info, "up"), Some(true));
    assert_eq!(option(&info, "plat"), Some(false));
    assert_eq!(option(&info, "clientPin"), Some(false));
    assert_eq!(option(&info, "credMgmt"), Some(true));
    assert_eq!(option(&info, "authnrCfg"), Some(true));
    assert_eq!(option(&info, "setMinPINLength"), Some(true));
    assert_eq!(option(&info, "pinUvAuthToken"), Some(true));
    assert_eq!(option(&info, "alwaysUv"), Some(false));
    assert_eq!(as_int(get(&info, 5).unwrap()), 1200);
    let protos: Vec<i64> = get(&info, 6)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(as_int)
        .collect();
    assert_eq!(protos, [2, 1]);
    assert_eq!(get(&info, 0x0C).unwrap().as_bool(), Some(false));
    assert_eq!(as_int(get(&info, 0x0D).unwrap()), 4);
    assert_eq!(as_int(get(&info, 0x0E).unwrap()), 0x05_07_01);
    assert_eq!(as_int(get(&info, 0x14).unwrap()), 100);
    assert_eq!(set_pin(&mut d, 2, "1234"), 0);
    assert_eq!(option(&d.info(), "clientPin"), Some(true));

    let mut old = dev(V5_4, Touch::Auto);
    let info = old.info();
    let versions: Vec<_> = get(&info, 1)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_text().unwrap().to_owned())
        .collect();
    assert_eq!(versions, ["U2F_V2", "FIDO_2_0", "FIDO_2_1_PRE"]);
    assert_eq!(
        hex::encode(get(&info, 3).unwrap().as_bytes().unwrap()),
        "cb69481e8ff7403993ec0a2729a154a8"
    );
    assert_eq!(option(&info, "credentialMgmtPreview"), Some(true));
    assert_eq!(option(&info, "credMgmt"), None);
    assert_eq!(option(&info, "authnrCfg"), None);
    let protos: Vec<i64> = get(&info, 6)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(as_int)
        .collect();
    assert_eq!(protos, [1]);
    assert!(get(&info, 0x0D).is_none());
}

#[test]
fn set_change_and_token_work_with_both_pin_protocols() {
    for proto in [2u8, 1] {
        let mut d = dev(V5_7, Touch::Auto);
        assert_eq!(token(&mut d, proto, "1234", None).0, status::PIN_NOT_SET);
        assert_eq!(
            set_pin(&mut d, proto, "123"),
            status::PIN_POLICY_VIOLATION,
            "too short"
        );
        assert_eq!(
            set_pin(&mut d, proto, &"x".repeat(64)),
            status::PIN_POLICY_VIOLATION,
            "too long"
        );
        assert_eq!(set_pin(&mut d, proto, "1234"), 0);
        assert_eq!(
            set_pin(&mut d, proto, "5678"),
            status::NOT_ALLOWED,
            "already set"
        );
        assert_eq!(retries(&mut d), 8);
        assert_eq!(change_pin(&mut d, proto, "1234", "abcdef"), 0);
        assert_eq!(token(&mut d, proto, "1234", None).0, status::PIN_INVALID);
        let (st, tok) = token(&mut d, proto, "abcdef", None);
        assert_eq!((st, tok.len()), (0, 32));
        assert_eq!(retries(&mut d), 8, "a right PIN restores the counter");
        // The token verifies the user in makeCredential.
        let r = d
            .ok(
                0x01,
                Some(make_params(
                    "example.com",
                    b"u1",
                    false,
                    Some((proto, &tok)),
                )),
            )
            .unwrap();
        let ad = get(&r, 2).unwrap().as_bytes().unwrap();
        assert_eq!(ad[32] & 0x05, 0x05, "UP and UV flags");
        // A token with only the ga permission does not allow makeCredential.
        let (st, tok) = token(&mut d, proto, "abcdef", Some((0x02, Some("example.com"))));
        assert_eq!(st, 0);
        let (st, _) = d.ctap(
            0x01,
            Some(make_params(
                "example.com",
                b"u1",
                false,
                Some((proto, &tok)),
            )),
        );
        assert_eq!(st, status::PIN_AUTH_INVALID);
        // Without a token, a PIN-protected key refuses resident credentials.
        let (st, _) = d.ctap(0x01, Some(make_params("example.com", b"u1", true, None)));
        assert_eq!(st, status::PUAT_REQUIRED);
    }
    // Firmware 5.4.3 knows only protocol 1.
    let mut old = dev(V5_4, Touch::Auto);
    let (st, _) = old.ctap(0x06, Some(imap(vec![(1, int(2)), (2, int(2))])));
    assert_eq!(st, status::INVALID_PARAMETER);
    assert_eq!(set_pin(&mut old, 1, "1234"), 0);
    let (st, tok) = token(&mut old, 1, "1234", None);
    assert_eq!(st, 0);
    let (st, _) = old.ctap(
        0x01,
        Some(make_params("example.com", b"u", true, Some((1, &tok)))),
    );
    assert_eq!(st, 0);
}

#[test]
fn wrong_pins_block_until_power_cycle_and_eight_block_for_good() {
    let mut d = dev(V5_7, Touch::Auto);
    assert_eq!(set_pin(&mut d, 2, "123456"), 0);
    assert_eq!(token(&mut d, 2, "000000", None).0, status::PIN_INVALID);
    assert_eq!(token(&mut d, 2, "000000", None).0, status::PIN_INVALID);
    assert_eq!(token(&mut d, 2, "000000", None).0, status::PIN_AUTH_BLOCKED);
    // Blocked until a power cycle, even for the right PIN, without counting.
    assert_eq!(token(&mut d, 2, "123456", None).0, status::PIN_AUTH_BLOCKED);
    let r = d
        .ok(0x06, Some(imap(vec![(1, int(2)), (2, int(1))])))
        .unwrap();
    assert_eq!(
        (as_int(get(&r, 3).unwrap()), get(&r, 4).unwrap().as_bool()),
        (5, Some(true))
    );
    d.a.replug();
    d.cid = d.init();
    assert_eq!(token(&mut d, 2, "123456", None).0, 0);
    assert_eq!(retries(&mut d), 8);
    // Eight wrong PINs in a row (with power cycles) block the PIN.
    let mut last = 0;
    for n in 0..8 {
        if n % 3 == 0 {
            d.a.replug();
            d.cid = d.init();
        }
        last = token(&mut d, 2, "999999", None).0;
    }
    assert_eq!(last, status::PIN_BLOCKED);
    assert_eq!(retries(&mut d), 0);
    d.a.replug();
    d.cid = d.init();
    assert_eq!(token(&mut d, 2, "123456", None).0, status::PIN_BLOCKED);
    assert_eq!(
        change_pin(&mut d, 2, "123456", "654321"),
        status::PIN_BLOCKED
    );
}

#[test]
fn reset_only_inside_the_window_after_power_up_and_with_touch() {
    for (fw, window_ms) in [(V5_4, 5_000), (V5_7, 10_000)] {
        let mut d = dev(fw, Touch::Auto);
        let proto = if fw == V5_4 { 1 } else { 2 };
        assert_eq!(set_pin(&mut d, proto, "1234"), 0);
        d.advance(window_ms + 1);
        assert_eq!(d.ctap(0x07, None).0, status::NOT_ALLOWED);
        d.a.replug();
        d.cid = d.init();
        d.advance(window_ms - 100);
        assert_eq!(d.ctap(0x07, None).0, 0);
        assert_eq!(option(&d.info(), "clientPin"), Some(false));
        assert!(d.a.is_dirty());
    }
    // Nobody touches: keepalives, then a timeout after 30 s.
    let mut d = dev(V5_7, Touch::Never);
    d.start(0x07, None);
    assert_eq!(d.recv().unwrap(), (d.cid, KEEPALIVE, vec![2]));
    assert!(
        d.recv().is_none(),
        "no flood of keepalives without time passing"
    );
    d.advance(100);
    assert_eq!(d.recv().unwrap().1, KEEPALIVE);
    d.advance(30_000);
    assert_eq!(d.finish().0, status::USER_ACTION_TIMEOUT);
}

#[test]
fn touch_after_a_delay_completes_and_cancel_aborts() {
    let mut d = dev(V5_7, Touch::After(Duration::from_secs(2)));
    d.start(0x01, Some(make_params("example.com", b"u", true, None)));
    assert_eq!(d.recv().unwrap().1, KEEPALIVE);
    assert!(d.a.waiting_for_touch());
    // Another channel is busy meanwhile.
    let other = d.init();
    d.send(other, PING, b"x");
    assert_eq!(d.recv().unwrap(), (other, ERROR, vec![0x06]));
    d.advance(1_000);
    assert_eq!(d.recv().unwrap().1, KEEPALIVE);
    d.advance(1_000);
    let (st, r) = d.finish();
    assert_eq!(st, 0);
    assert_eq!(get(&r.unwrap(), 1).unwrap().as_text(), Some("packed"));
    assert_eq!(d.a.state().credentials.len(), 1);

    d.a.set_touch(Touch::Never);
    d.start(0x01, Some(make_params("other.com", b"u", true, None)));
    assert_eq!(d.recv().unwrap().1, KEEPALIVE);
    let cid = d.cid;
    d.send(cid, CANCEL, &[]);
    assert_eq!(d.finish().0, status::KEEPALIVE_CANCEL);
    assert_eq!(d.a.state().credentials.len(), 1, "nothing created");
    assert!(!d.a.waiting_for_touch());
}

#[test]
fn min_pin_length_with_force_change_blocks_tokens_until_changed() {
    let mut d = dev(V5_7, Touch::Auto);
    assert_eq!(set_pin(&mut d, 2, "123456"), 0);
    let (_, tok) = token(&mut d, 2, "123456", Some((0x20, None)));
    let sub = imap(vec![(1, int(8)), (3, Value::Bool(true))]);
    let mut msg = vec![0xFF; 32];
    msg.extend([0x0D, 0x03]);
    msg.extend(encode(&sub));
    let params = |auth: Vec<u8>| {
        imap(vec![
            (1, int(3)),
            (2, sub.clone()),
            (3, int(2)),
            (4, bytes(&auth)),
        ])
    };
    // Wrong auth first, then right.
    assert_eq!(
        d.ctap(0x0D, Some(params(vec![0; 32]))).0,
        status::PIN_AUTH_INVALID
    );
    assert_eq!(d.ctap(0x0D, Some(params(Pin::auth(2, &tok, &msg)))).0, 0);
    let info = d.info();
    assert_eq!(get(&info, 0x0C).unwrap().as_bool(), Some(true));
    assert_eq!(as_int(get(&info, 0x0D).unwrap()), 8);
    assert_eq!(
        token(&mut d, 2, "123456", None).0,
        status::PIN_POLICY_VIOLATION
    );
    assert_eq!(
        change_pin(&mut d, 2, "123456", "1234567"),
        status::PIN_POLICY_VIOLATION
    );
    assert_eq!(change_pin(&mut d, 2, "123456", "12345678"), 0);
    assert_eq!(get(&d.info(), 0x0C).unwrap().as_bool(), Some(false));
    assert_eq!(token(&mut d, 2, "12345678", None).0, 0);
    // Lowering the minimum is refused; 5.4.3 has no authenticatorConfig.
    let lower = imap(vec![(1, int(3)), (2, imap(vec![(1, int(4))]))]);
    assert_eq!(d.ctap(0x0D, Some(lower.clone())).0, status::PUAT_REQUIRED);
    let mut old = dev(V5_4, Touch::Auto);
    assert_eq!(old.ctap(0x0D, Some(lower)).0, status::INVALID_COMMAND);
}

#[test]
fn faults_fail_one_report_or_unplug_until_replug() {
    let mut d = dev(V5_7, Touch::Auto);
    let cid = d.cid;
    d.a.arm_fault(Fault {
        at: 2,
        kind: FaultKind::Fail,
    });
    d.send(cid, PING, b"one");
    assert_eq!(d.recv().unwrap().2, b"one");
    d.send(cid, PING, b"two");
    assert_eq!(d.recv().unwrap(), (cid, ERROR, vec![0x7F]));
    d.send(cid, PING, b"three");
    assert_eq!(d.recv().unwrap().2, b"three");

    d.a.arm_fault(Fault {
        at: 1,
        kind: FaultKind::Vanish,
    });
    d.send(cid, PING, b"gone");
    assert!(d.a.recv_report().is_none());
    assert!(d.a.vanished());
    d.send(cid, PING, b"still gone");
    assert!(d.a.recv_report().is_none());
    d.a.replug();
    // The old channel is gone after a power cycle.
    d.send(cid, PING, b"x");
    assert_eq!(d.recv().unwrap(), (cid, ERROR, vec![0x0B]));
    d.cid = d.init();
    let cid = d.cid;
    d.send(cid, PING, b"back");
    assert_eq!(d.recv().unwrap().2, b"back");
}

#[test]
fn persistent_state_survives_a_restart() {
    let mut d = dev(V5_7, Touch::Auto);
    assert!(!d.a.is_dirty());
    assert_eq!(set_pin(&mut d, 2, "1234"), 0);
    assert!(d.a.is_dirty());
    let (_, tok) = token(&mut d, 2, "1234", None);
    d.ok(
        0x01,
        Some(make_params("example.com", b"u", true, Some((2, &tok)))),
    );
    let json = serde_json::to_string(&d.a.state()).unwrap();
    d.a.clear_dirty();
    assert!(!d.a.is_dirty());
    let state: keydesk_sim::fido::AuthenticatorState = serde_json::from_str(&json).unwrap();
    assert_eq!(state, d.a.state());
    let clock = keydesk_sim::clock::ManualClock::new();
    let id = d.a.identity().clone();
    let a = Authenticator::from_state(&id, state, Touch::Auto, std::sync::Arc::new(clock.clone()));
    let mut e = Dev { a, clock, cid: 0 };
    e.cid = e.init();
    assert_eq!(option(&e.info(), "clientPin"), Some(true));
    let (st, tok) = token(&mut e, 2, "1234", None);
    assert_eq!(st, 0);
    let cdh = Sha256::digest(b"client data").to_vec();
    let ga = imap(vec![
        (1, text("example.com")),
        (2, bytes(&cdh)),
        (6, bytes(&Pin::auth(2, &tok, &cdh))),
        (7, int(2)),
    ]);
    let a = e.ok(0x02, Some(ga)).unwrap();
    assert_eq!(
        gets(get(&a, 4).unwrap(), "name").unwrap().as_text(),
        Some("alice")
    );
}
