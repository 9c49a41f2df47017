//! keydesk-device through the real PC/SC stack: an isolated pcscd + vpcd
//! with two `keydesk-sim serve` keys (5.4.3 and 5.7.1). Discovery groups
//! them by serial, a full PIV enrolment runs through `PcscTransport`, and
//! ykman (a peer nobody here wrote) reads the result back. Plug/unplug
//! events come from the watcher.
//!
//! One test function only: libpcsclite reads `PCSCLITE_CSOCK_NAME` once per
//! process, so one isolated pcscd serves this whole binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant, SystemTime};

use keydesk_device::attestation::{self, Expected, TrustAnchors};
use keydesk_device::discovery;
use keydesk_device::management::Version;
use keydesk_device::pcsc_transport;
use keydesk_device::piv::{Algorithm, Pin, PinPolicy, Piv, Slot, TouchPolicy};
use keydesk_device::watch::{self, CardEvent};
use keydesk_device::{DeviceError, Serial};
use keydesk_e2e::{Pcscd, SimProcess};
use keydesk_sim::card::TEST_ROOT_CA;

const A: u32 = 30_000_543;
const B: u32 = 30_000_571;

/// PIN/PUK change, retries, PIN-protected management key, key generation,
/// attestation, self-signed certificate; returns the APDU count.
fn enrol(t: &mut dyn keydesk_device::CardTransport, serial: u32) -> u64 {
    let mut p = Piv::open(t).unwrap();
    p.authenticate_default().unwrap();
    p.verify_pin(&Pin::new("123456")).unwrap();
    p.set_retries(5, 5).unwrap();
    p.change_pin(&Pin::new("123456"), &Pin::new("24681357"))
        .unwrap();
    p.change_puk(&Pin::new("12345678"), &Pin::new("97531864"))
        .unwrap();
    p.set_pin_protected_management_key(&Pin::new("24681357"))
        .unwrap();
    let pk = p
        .generate_key(
            Slot::Authentication,
            Algorithm::P256,
            PinPolicy::Once,
            TouchPolicy::Never,
        )
        .unwrap();
    let leaf = p.attest(Slot::Authentication).unwrap();
    let f9 = p.attestation_certificate().unwrap();
    let v = p.version();
    attestation::verify(
        &leaf,
        &f9,
        &TrustAnchors::with_test_root(TEST_ROOT_CA).unwrap(),
        &Expected {
            serial: Serial(serial),
            firmware: v,
            slot: Slot::Authentication,
            pin_policy: PinPolicy::Once,
            touch_policy: TouchPolicy::Never,
            form_factor: None,
            public_key: &pk,
        },
    )
    .unwrap();
    let cert = p
        .build_self_signed(
            Slot::Authentication,
            &pk,
            &format!("CN=keydesk e2e {serial}"),
            SystemTime::now(),
            365,
        )
        .unwrap();
    p.put_certificate(Slot::Authentication, &cert).unwrap();
    p.apdus_sent()
}

fn wait_event(rx: &std::sync::mpsc::Receiver<CardEvent>, want: &CardEvent) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(ev) if &ev == want => return,
            Ok(CardEvent::Failed { error }) => panic!("watch failed: {error}"),
            Ok(_) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(e) => panic!("watch channel: {e}"),
        }
    }
    panic!("no {want:?} within 15 s");
}

#[test]
fn discover_enrol_through_pcscd_and_ykman_reads_it_back() {
    let pcscd = Pcscd::start();
    let _a = SimProcess::start(&pcscd, 0, A, "5.4.3");
    let mut b = SimProcess::start(&pcscd, 1, B, "5.7.1");
    // Edition 2021: not unsafe. libpcsclite reads it at the first context.
    std::env::set_var("PCSCLITE_CSOCK_NAME", pcscd.socket());
    let ctx = pcsc_transport::context().unwrap();

    // Discovery: two keys, grouped by serial, firmware from Management.
    let keys = discovery::list_keys(&ctx, Vec::new()).unwrap();
    let mut found: Vec<(Option<Serial>, Option<Version>)> =
        keys.iter().map(|k| (k.serial(), k.firmware)).collect();
    found.sort();
    assert_eq!(
        found,
        [
            (Some(Serial(A)), Some(Version(5, 4, 3))),
            (Some(Serial(B)), Some(Version(5, 7, 1))),
        ]
    );
    assert!(matches!(
        discovery::open_card(&ctx, Serial(12_345)),
        Err(DeviceError::KeyNotFound { .. })
    ));

    // Enrol each key through pcscd, addressed by serial.
    for serial in [A, B] {
        let mut t = discovery::open_card(&ctx, Serial(serial)).unwrap();
        let start = Instant::now();
        let apdus = enrol(&mut t, serial);
        eprintln!(
            "enrolment of {serial} through pcscd: {apdus} APDUs in {:?}",
            start.elapsed()
        );
        drop(t);
        let s = serial.to_string();
        let info = pcscd.ok("ykman", &["--device", &s, "piv", "info"]);
        assert!(info.contains("PIN tries remaining: 5/5"), "{info}");
        assert!(
            info.contains("Management key is stored on the YubiKey, protected by PIN."),
            "{info}"
        );
        assert!(!info.contains("WARNING: Using default PIN!"), "{info}");
        assert!(info.contains("Management key algorithm: AES192"), "{info}");
        assert!(info.contains(&format!("CN=keydesk e2e {serial}")), "{info}");
        assert!(info.contains("ECCP256"), "{info}");
        // ykman opens the stored key with the new PIN and finds it valid.
        let out = pcscd.ok(
            "ykman",
            &[
                "--device", &s, "piv", "objects", "generate", "CHUID", "--pin", "24681357",
            ],
        );
        assert!(!out.contains("Error"), "{out}");
    }

    // Plug and unplug events.
    let (watcher, rx) = watch::watch(Duration::from_millis(500)).unwrap();
    let reader_b = {
        let keys = discovery::list_keys(&ctx, Vec::new()).unwrap();
        keydesk_device::keys::find(&keys, Serial(B))
            .unwrap()
            .reader()
            .unwrap()
            .to_owned()
    };
    wait_event(
        &rx,
        &CardEvent::Plugged {
            reader: reader_b.clone(),
        },
    );
    b.stop();
    wait_event(
        &rx,
        &CardEvent::Unplugged {
            reader: reader_b.clone(),
        },
    );
    assert!(matches!(
        discovery::open_card(&ctx, Serial(B)),
        Err(DeviceError::KeyNotFound { .. })
    ));
    let _b = SimProcess::start_with(&pcscd, 1, B, &[]);
    wait_event(&rx, &CardEvent::Plugged { reader: reader_b });
    watcher.stop();
}
