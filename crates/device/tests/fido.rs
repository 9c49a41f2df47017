//! The FIDO2 client (CTAPHID + CTAP 2.1) against keydesk-sim's authenticator,
//! in-process through the `HidTransport` trait with a manual clock (so touch
//! timeouts and keepalives play out without sleeping), for both firmware
//! profiles, and once through the simulator's Unix socket.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use keydesk_device::fido::{
    permission, single_device, FidoClock, FidoDevice, FidoKey, Keepalive, KeepaliveStatus,
    NewCredential, PinProtocol, UnixSocketTransport,
};
use keydesk_device::{DeviceError, HidTransport, Report};
use keydesk_sim::clock::{Clock, ManualClock};
use keydesk_sim::fault::{Fault, FaultKind};
use keydesk_sim::fido::Authenticator;
use keydesk_sim::{Firmware, Identity, Touch};
use keydesk_types::{Secret, Serial};

/// A serial for the tests (never 0).
fn sn(n: u32) -> Serial {
    Serial::new(n).expect("a serial is never 0")
}

const FIRMWARES: [Firmware; 2] = [Firmware::V5_4_3, Firmware::V5_7_1];

/// The simulator behind `HidTransport`: a recv that finds nothing pending
/// lets `timeout` pass on the manual clock, then looks again.
struct SimHid {
    auth: Arc<Mutex<Authenticator>>,
    clock: ManualClock,
    reports_sent: Arc<AtomicUsize>,
}

impl HidTransport for SimHid {
    fn send(&mut self, report: &Report) -> keydesk_device::Result<()> {
        let mut a = self.auth.lock().unwrap();
        if a.vanished() {
            return Err(DeviceError::KeyRemoved);
        }
        self.reports_sent.fetch_add(1, Ordering::SeqCst);
        a.send_report(report);
        Ok(())
    }

    fn recv(&mut self, timeout: Duration) -> keydesk_device::Result<Option<Report>> {
        let mut a = self.auth.lock().unwrap();
        if a.vanished() {
            return Err(DeviceError::KeyRemoved);
        }
        if let Some(r) = a.recv_report() {
            return Ok(Some(r));
        }
        self.clock.advance(timeout);
        Ok(a.recv_report())
    }

    fn location(&self) -> String {
        "in-process simulator".into()
    }
}

#[derive(Debug)]
struct SimClock(ManualClock);

impl FidoClock for SimClock {
    fn now(&self) -> Duration {
        self.0.now()
    }
}

/// One virtual key with its clock.
struct Bench {
    auth: Arc<Mutex<Authenticator>>,
    clock: ManualClock,
    reports_sent: Arc<AtomicUsize>,
}

impl Bench {
    fn new(firmware: Firmware) -> Self {
        let clock = ManualClock::new();
        let identity = Identity::yubikey_5_nfc(12_345_678, firmware);
        let auth = Authenticator::new(&identity, Touch::Auto, Arc::new(clock.clone()));
        Self {
            auth: Arc::new(Mutex::new(auth)),
            clock,
            reports_sent: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn open(&self) -> keydesk_device::Result<FidoKey> {
        let t = SimHid {
            auth: Arc::clone(&self.auth),
            clock: self.clock.clone(),
            reports_sent: Arc::clone(&self.reports_sent),
        };
        FidoKey::open_with_clock(Box::new(t), Arc::new(SimClock(self.clock.clone())))
    }

    /// Unplug and plug in again, then open a new connection.
    fn replug(&self) -> FidoKey {
        self.auth.lock().unwrap().replug();
        self.open().unwrap()
    }

    fn set_touch(&self, touch: Touch) {
        self.auth.lock().unwrap().set_touch(touch);
    }
}

fn pin(s: &str) -> Secret {
    Secret::new(s)
}

fn wrong_pin_tries(e: &DeviceError) -> Option<u8> {
    match e {
        DeviceError::WrongPin { tries_left } => Some(*tries_left),
        _ => None,
    }
}

#[test]
fn get_info_reports_each_firmware_profile() {
    let old = Bench::new(Firmware::V5_4_3).open().unwrap();
    let info = old.info();
    assert!(info.has_version("FIDO_2_1_PRE") && !info.has_version("FIDO_2_1"));
    assert_eq!(info.aaguid_string(), "cb69481e-8ff7-4039-93ec-0a2729a154a8");
    assert_eq!(info.pin_uv_auth_protocols, vec![1]);
    assert_eq!(info.pin_is_set(), Some(false));
    assert_eq!(info.min_pin_length, None);
    assert_eq!(old.pin_protocol().unwrap(), PinProtocol::V1);
    assert_eq!(old.init_info().version, (5, 4, 3));
    assert!(!old.supports_set_min_pin_length());

    let new = Bench::new(Firmware::V5_7_1).open().unwrap();
    let info = new.info();
    assert!(info.has_version("FIDO_2_1"));
    assert_eq!(info.aaguid_string(), "a25342c0-3cdc-4414-8e46-f4807fca511c");
    assert_eq!(info.pin_uv_auth_protocols, vec![2, 1]);
    assert_eq!(info.min_pin_length, Some(4));
    assert_eq!(info.force_pin_change, Some(false));
    assert_eq!(info.firmware_version, Some(0x05_07_01));
    assert_eq!(info.remaining_discoverable_credentials, Some(100));
    assert_eq!(info.max_msg_size, Some(1200));
    assert_eq!(new.pin_protocol().unwrap(), PinProtocol::V2);
    assert!(new.supports_set_min_pin_length() && new.supports_token_permissions());
}

#[test]
fn the_simulator_without_vendor_commands_is_unsupported_not_broken() {
    let b = Bench::new(Firmware::V5_7_1);
    let mut key = b.open().unwrap();
    match key.yubikey_device_info() {
        // The simulator may learn Yubico's READ CONFIG; then it must give the serial.
        Ok(info) => assert_eq!(info.serial, Some(sn(12_345_678))),
        Err(e) => assert!(matches!(e, DeviceError::Unsupported { .. }), "{e}"),
    }
    assert!(key.refresh_info().is_ok());
}

#[test]
fn long_messages_are_fragmented_and_reassembled() {
    let b = Bench::new(Firmware::V5_7_1);
    let mut key = b.open().unwrap();
    let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 256) as u8).collect();
    let before = b.reports_sent.load(Ordering::SeqCst);
    assert_eq!(key.hid_mut().ping(&data).unwrap(), data);
    // 57 + 16 * 59 = 1001 bytes: one init and 16 continuation packets.
    assert_eq!(b.reports_sent.load(Ordering::SeqCst) - before, 17);
}

#[test]
fn set_and_change_pin_with_preferred_and_forced_protocol_1() {
    for fw in FIRMWARES {
        for forced in [None, Some(PinProtocol::V1)] {
            let b = Bench::new(fw);
            let mut key = b.open().unwrap();
            key.force_pin_protocol(forced);
            key.set_pin(&pin("123456")).unwrap();
            assert_eq!(key.info().pin_is_set(), Some(true), "{fw:?} {forced:?}");
            assert_eq!(key.pin_retries().unwrap().retries, 8);
            key.change_pin(&pin("123456"), &pin("654321")).unwrap();
            // The new PIN works, the old one no longer does.
            key.pin_token(
                &pin("654321"),
                permission::GET_ASSERTION,
                Some("example.org"),
            )
            .unwrap();
            let e = key
                .pin_token(&pin("123456"), permission::GET_ASSERTION, None)
                .unwrap_err();
            assert_eq!(wrong_pin_tries(&e), Some(7), "{fw:?} {forced:?}: {e}");
            // setPIN on a key that has one is refused on the host.
            assert!(matches!(
                key.set_pin(&pin("999999")),
                Err(DeviceError::PinPolicy { .. })
            ));
        }
    }
}

#[test]
fn host_checks_pin_length_before_sending() {
    let b = Bench::new(Firmware::V5_7_1);
    let mut key = b.open().unwrap();
    let sent = b.reports_sent.load(Ordering::SeqCst);
    let e = key.set_pin(&pin("123")).unwrap_err();
    assert!(e.to_string().contains("at least 4"), "{e}");
    assert_eq!(b.reports_sent.load(Ordering::SeqCst), sent, "nothing sent");
}

#[test]
fn wrong_pins_count_down_block_until_replug_then_block_for_good() {
    for fw in FIRMWARES {
        let b = Bench::new(fw);
        let mut key = b.open().unwrap();
        key.set_pin(&pin("123456")).unwrap();
        let bad = pin("000000");
        let e1 = key
            .pin_token(&bad, permission::GET_ASSERTION, None)
            .unwrap_err();
        let e2 = key
            .pin_token(&bad, permission::GET_ASSERTION, None)
            .unwrap_err();
        assert_eq!(
            (wrong_pin_tries(&e1), wrong_pin_tries(&e2)),
            (Some(7), Some(6))
        );
        let e3 = key
            .pin_token(&bad, permission::GET_ASSERTION, None)
            .unwrap_err();
        assert!(matches!(e3, DeviceError::PinAuthBlocked), "{fw:?}: {e3}");
        assert!(e3.to_string().contains("plug it back in"));
        // Even the right PIN is refused until the key is power-cycled.
        let e = key
            .pin_token(&pin("123456"), permission::GET_ASSERTION, None)
            .unwrap_err();
        assert!(matches!(e, DeviceError::PinAuthBlocked), "{e}");

        let mut key = b.replug();
        assert_eq!(key.pin_retries().unwrap().retries, 5);
        key.pin_token(&pin("123456"), permission::GET_ASSERTION, None)
            .unwrap();
        assert_eq!(key.pin_retries().unwrap().retries, 8);

        // Eight wrong PINs in total block the PIN for good.
        let mut last = None;
        for round in 0..3 {
            let mut key = b.replug();
            for _ in 0..3 {
                match key.pin_token(&bad, permission::GET_ASSERTION, None) {
                    Err(e) => last = Some(e),
                    Ok(_) => panic!("wrong PIN accepted in round {round}"),
                }
                if matches!(
                    last,
                    Some(DeviceError::PinBlocked | DeviceError::PinAuthBlocked)
                ) {
                    break;
                }
            }
        }
        assert!(matches!(last, Some(DeviceError::PinBlocked)), "{last:?}");
        let mut key = b.replug();
        let e = key
            .pin_token(&pin("123456"), permission::GET_ASSERTION, None)
            .unwrap_err();
        assert!(matches!(e, DeviceError::PinBlocked), "{fw:?}: {e}");
    }
}

#[test]
fn reset_inside_the_window_erases_pin_and_credentials() {
    for fw in FIRMWARES {
        let b = Bench::new(fw);
        let mut key = b.open().unwrap();
        key.make_credential(
            &NewCredential {
                rp_id: "vpn.example.org",
                rp_name: "Office VPN",
                user_id: b"staff-0042",
                user_name: "erika.mustermann",
            },
            None,
        )
        .unwrap();
        key.set_pin(&pin("123456")).unwrap();
        let token = key.cred_mgmt_token(&pin("123456")).unwrap();
        assert_eq!(key.credentials_metadata(&token).unwrap().existing, 1);
        let mut key = b.replug();
        b.clock.advance(Duration::from_secs(3));
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&calls);
        key.set_keepalive_handler(Some(Box::new(move |_k: &Keepalive| {
            seen.fetch_add(1, Ordering::SeqCst);
        })));
        b.set_touch(Touch::After(Duration::from_secs(2)));
        key.reset().unwrap();
        assert!(
            calls.load(Ordering::SeqCst) >= 10,
            "keepalives while waiting"
        );
        assert_eq!(key.info().pin_is_set(), Some(false), "{fw:?}");
        // Credentials are gone too: a new PIN sees an empty key.
        key.set_pin(&pin("123456")).unwrap();
        let token = key.cred_mgmt_token(&pin("123456")).unwrap();
        assert_eq!(
            key.credentials_metadata(&token).unwrap().existing,
            0,
            "{fw:?}"
        );
    }
}

#[test]
fn reset_outside_the_window_is_reported_with_the_window() {
    for (fw, late, window) in [(Firmware::V5_4_3, 6, 5), (Firmware::V5_7_1, 11, 10)] {
        let b = Bench::new(fw);
        b.clock.advance(Duration::from_secs(late));
        let mut key = b.open().unwrap();
        let e = key.reset().unwrap_err();
        match e {
            DeviceError::ResetWindowMissed { window_secs } => assert_eq!(window_secs, window),
            other => panic!("{fw:?}: {other}"),
        }
        // Within the window after a replug it works.
        let mut key = b.replug();
        key.reset().unwrap();
    }
}

#[test]
fn reset_without_touch_times_out_with_countdown() {
    let b = Bench::new(Firmware::V5_7_1);
    b.set_touch(Touch::Never);
    let mut key = b.open().unwrap();
    key.set_touch_timeout(Duration::from_secs(5));
    let seen: Arc<Mutex<Vec<Keepalive>>> = Arc::default();
    let sink = Arc::clone(&seen);
    key.set_keepalive_handler(Some(Box::new(move |k: &Keepalive| {
        sink.lock().unwrap().push(*k);
    })));
    let start = b.clock.now();
    let e = key.reset().unwrap_err();
    assert!(matches!(e, DeviceError::TouchTimeout), "{e}");
    let waited = b.clock.now() - start;
    assert!(
        waited >= Duration::from_secs(5) && waited < Duration::from_secs(7),
        "{waited:?}"
    );
    let seen = seen.lock().unwrap();
    assert!(seen.len() > 20);
    assert!(seen.iter().all(|k| k.status == KeepaliveStatus::UpNeeded));
    assert_eq!(seen[0].remaining, Duration::from_secs(5));
    assert!(seen.last().unwrap().remaining < Duration::from_secs(1));
    // The key is usable again afterwards (the command was cancelled).
    b.set_touch(Touch::Auto);
    assert!(key.refresh_info().is_ok());
}

#[test]
fn default_touch_timeout_is_30_s() {
    let b = Bench::new(Firmware::V5_7_1);
    b.set_touch(Touch::Never);
    let mut key = b.open().unwrap();
    let last: Arc<Mutex<Option<Keepalive>>> = Arc::default();
    let sink = Arc::clone(&last);
    key.set_keepalive_handler(Some(Box::new(move |k: &Keepalive| {
        sink.lock().unwrap().get_or_insert(*k);
    })));
    let start = b.clock.now();
    let e = key.reset().unwrap_err();
    assert!(matches!(e, DeviceError::TouchTimeout), "{e}");
    let waited = b.clock.now() - start;
    assert!(
        waited >= Duration::from_secs(30) && waited < Duration::from_secs(32),
        "{waited:?}"
    );
    let first = last.lock().unwrap().unwrap();
    assert_eq!(first.remaining, Duration::from_secs(30));
}

#[test]
fn the_keys_own_30_s_timeout_also_gives_touch_timeout() {
    let b = Bench::new(Firmware::V5_4_3);
    b.set_touch(Touch::Never);
    let mut key = b.open().unwrap();
    key.set_touch_timeout(Duration::from_secs(120));
    let e = key.reset().unwrap_err();
    assert!(matches!(e, DeviceError::TouchTimeout), "{e}");
}

#[test]
fn cancel_flag_stops_waiting_for_touch() {
    let b = Bench::new(Firmware::V5_7_1);
    b.set_touch(Touch::Never);
    let mut key = b.open().unwrap();
    let flag = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicUsize::new(0));
    let (f, c) = (Arc::clone(&flag), Arc::clone(&count));
    key.set_cancel_flag(Some(Arc::clone(&flag)));
    key.set_keepalive_handler(Some(Box::new(move |_k: &Keepalive| {
        if c.fetch_add(1, Ordering::SeqCst) == 3 {
            f.store(true, Ordering::SeqCst);
        }
    })));
    let start = b.clock.now();
    let e = key.reset().unwrap_err();
    assert!(matches!(e, DeviceError::Cancelled), "{e}");
    assert!(b.clock.now() - start < Duration::from_secs(2));
    assert!(!b.auth.lock().unwrap().waiting_for_touch());
}

#[test]
fn min_pin_length_with_forced_change() {
    let b = Bench::new(Firmware::V5_7_1);
    let mut key = b.open().unwrap();
    key.set_pin(&pin("123456")).unwrap();
    key.set_min_pin_length(Some(&pin("123456")), 8, true)
        .unwrap();
    assert_eq!(key.info().min_pin_length, Some(8));
    assert_eq!(key.info().force_pin_change, Some(true));
    let e = key
        .pin_token(&pin("123456"), permission::GET_ASSERTION, None)
        .unwrap_err();
    assert!(e.to_string().contains("PIN change"), "{e}");
    let e = key.change_pin(&pin("123456"), &pin("7654321")).unwrap_err();
    assert!(e.to_string().contains("at least 8"), "{e}");
    key.change_pin(&pin("123456"), &pin("87654321")).unwrap();
    assert_eq!(key.info().force_pin_change, Some(false));
    // Lowering is refused on the host.
    assert!(matches!(
        key.set_min_pin_length(Some(&pin("87654321")), 6, false),
        Err(DeviceError::PinPolicy { .. })
    ));

    let mut old = Bench::new(Firmware::V5_4_3).open().unwrap();
    let e = old.set_min_pin_length(None, 8, true).unwrap_err();
    assert!(matches!(e, DeviceError::Unsupported { .. }), "{e}");
}

#[test]
fn credential_management_lists_and_deletes() {
    for (fw, cmd, capacity) in [(Firmware::V5_4_3, 0x41, 25), (Firmware::V5_7_1, 0x0A, 100)] {
        let b = Bench::new(fw);
        let mut key = b.open().unwrap();
        key.set_pin(&pin("123456")).unwrap();
        assert_eq!(key.cred_mgmt_command().unwrap(), cmd);
        let mc = key
            .pin_token(
                &pin("123456"),
                permission::MAKE_CREDENTIAL,
                Some("vpn.example.org"),
            )
            .unwrap();
        let id = key
            .make_credential(
                &NewCredential {
                    rp_id: "vpn.example.org",
                    rp_name: "Office VPN",
                    user_id: b"staff-0042",
                    user_name: "erika.mustermann",
                },
                Some(&mc),
            )
            .unwrap();
        let token = key.cred_mgmt_token(&pin("123456")).unwrap();
        let meta = key.credentials_metadata(&token).unwrap();
        assert_eq!((meta.existing, meta.remaining), (1, capacity - 1), "{fw:?}");
        let rps = key.relying_parties(&token).unwrap();
        assert_eq!(rps.len(), 1);
        assert_eq!(rps[0].id, "vpn.example.org");
        assert_eq!(rps[0].name.as_deref(), Some("Office VPN"));
        let creds = key.credentials(&token, &rps[0]).unwrap();
        assert_eq!(creds.len(), 1);
        assert_eq!(creds[0].credential_id, id);
        assert_eq!(creds[0].user_id, b"staff-0042");
        assert_eq!(creds[0].user_name.as_deref(), Some("erika.mustermann"));
        key.delete_credential(&token, &id).unwrap();
        assert_eq!(key.credentials_metadata(&token).unwrap().existing, 0);
        assert!(key.relying_parties(&token).unwrap().is_empty());
    }
}

#[test]
fn several_rps_are_enumerated() {
    let b = Bench::new(Firmware::V5_7_1);
    let mut key = b.open().unwrap();
    for (rp, user) in [
        ("a.example", "u1"),
        ("b.example", "u2"),
        ("b.example", "u3"),
    ] {
        key.make_credential(
            &NewCredential {
                rp_id: rp,
                rp_name: rp,
                user_id: user.as_bytes(),
                user_name: user,
            },
            None,
        )
        .unwrap();
    }
    key.set_pin(&pin("123456")).unwrap();
    let token = key.cred_mgmt_token(&pin("123456")).unwrap();
    let rps = key.relying_parties(&token).unwrap();
    let ids: Vec<&str> = rps.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&"a.example") && ids.contains(&"b.example"));
    let b_rp = rps.iter().find(|r| r.id == "b.example").unwrap();
    assert_eq!(key.credentials(&token, b_rp).unwrap().len(), 2);
}

#[test]
fn a_key_pulled_at_any_report_gives_key_removed() {
    for fw in FIRMWARES {
        // Count the reports a set PIN + retries sequence needs, then pull the key at each.
        let b = Bench::new(fw);
        let mut key = b.open().unwrap();
        let before = b.reports_sent.load(Ordering::SeqCst);
        key.set_pin(&pin("123456")).unwrap();
        key.pin_retries().unwrap();
        let needed = b.reports_sent.load(Ordering::SeqCst) - before;
        assert!(needed >= 5, "{needed}");
        for at in 1..=needed as u64 {
            let b = Bench::new(fw);
            let mut key = b.open().unwrap();
            b.auth.lock().unwrap().arm_fault(Fault {
                at,
                kind: FaultKind::Vanish,
            });
            let r = key.set_pin(&pin("123456")).and_then(|()| key.pin_retries());
            assert!(
                matches!(r, Err(DeviceError::KeyRemoved)),
                "{fw:?} at {at}: {r:?}"
            );
            // Plugged back in, the key answers again.
            let mut key = b.replug();
            assert!(key.refresh_info().is_ok());
        }
    }
}

/// Set a PIN, get a credential-management token, read metadata and list RPs.
fn pin_and_listing(key: &mut FidoKey) -> keydesk_device::Result<usize> {
    key.set_pin(&pin("123456"))?;
    let token = key.cred_mgmt_token(&pin("123456"))?;
    key.credentials_metadata(&token)?;
    Ok(key.relying_parties(&token)?.len())
}

#[test]
fn a_key_pulled_or_failing_at_each_report_of_a_longer_run() {
    for fw in FIRMWARES {
        let b = Bench::new(fw);
        let mut key = b.open().unwrap();
        let before = b.reports_sent.load(Ordering::SeqCst);
        assert_eq!(pin_and_listing(&mut key).unwrap(), 0);
        let needed = (b.reports_sent.load(Ordering::SeqCst) - before) as u64;
        for kind in [FaultKind::Vanish, FaultKind::Fail] {
            for at in 1..=needed {
                let b = Bench::new(fw);
                let mut key = b.open().unwrap();
                b.auth.lock().unwrap().arm_fault(Fault { at, kind });
                let r = pin_and_listing(&mut key);
                match (kind, &r) {
                    (FaultKind::Vanish, Err(DeviceError::KeyRemoved))
                    | (FaultKind::Fail, Err(DeviceError::Transport(_))) => {}
                    _ => panic!("{fw:?} {kind:?} at report {at}/{needed}: {r:?}"),
                }
            }
        }
    }
}

#[test]
fn a_failing_report_gives_a_transport_error() {
    let b = Bench::new(Firmware::V5_7_1);
    let mut key = b.open().unwrap();
    b.auth.lock().unwrap().arm_fault(Fault {
        at: 1,
        kind: FaultKind::Fail,
    });
    let e = key.refresh_info().unwrap_err();
    assert!(matches!(e, DeviceError::Transport(_)), "{e}");
    assert!(key.refresh_info().is_ok());
}

#[test]
fn reset_refuses_when_several_keys_are_plugged_in() {
    let dev = |p: &str| FidoDevice {
        path: p.into(),
        vendor_id: 0x1050,
        product_id: 0x0407,
        product: Some("YubiKey OTP+FIDO+CCID".into()),
        serial_number: None,
    };
    let serial = sn(12_345_678);
    let e = single_device(&[dev("/dev/hidraw0"), dev("/dev/hidraw3")], serial).unwrap_err();
    assert!(
        matches!(e, DeviceError::SeveralKeys { count: 2, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("unplug all but"));
    assert!(matches!(
        single_device(&[], serial),
        Err(DeviceError::KeyNotFound { .. })
    ));
    assert_eq!(
        single_device(&[dev("/dev/hidraw0")], serial).unwrap().path,
        "/dev/hidraw0"
    );
}

#[test]
fn through_the_simulators_unix_socket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctaphid.sock");
    let clock = Arc::new(keydesk_sim::clock::SystemClock::new());
    let identity = Identity::yubikey_5_nfc(23_456_789, Firmware::V5_7_1);
    let auth = Arc::new(Mutex::new(Authenticator::new(
        &identity,
        Touch::Auto,
        clock,
    )));
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let (path, auth, stop) = (path.clone(), Arc::clone(&auth), Arc::clone(&stop));
        std::thread::spawn(move || keydesk_sim::serve::hid::run(&path, auth, stop, |_| {}))
    };
    let mut transport = None;
    for _ in 0..200 {
        match UnixSocketTransport::connect(&path) {
            Ok(t) => {
                transport = Some(t);
                break;
            }
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    let mut key = FidoKey::open(Box::new(transport.expect("socket came up"))).unwrap();
    assert!(key.info().has_version("FIDO_2_1"));
    key.set_pin(&pin("24681357")).unwrap();
    assert_eq!(key.pin_retries().unwrap().retries, 8);
    key.reset().unwrap();
    assert_eq!(key.info().pin_is_set(), Some(false));
    stop.store(true, Ordering::SeqCst);
    server.join().unwrap().unwrap();
}
