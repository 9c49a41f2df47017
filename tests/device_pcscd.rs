//! keydesk-device through the real PC/SC stack: an isolated pcscd + vpcd
//! with two `keydesk-sim serve` keys (5.4.3 and 5.7.1). Discovery groups
//! them by serial, a full PIV enrolment runs through `PcscTransport`, and
//! ykman (a peer nobody here wrote) reads the result back. Plug/unplug
//! events come from the watcher.
//!
//! One test function only: libpcsclite reads `PCSCLITE_CSOCK_NAME` once per
//! process, so one isolated pcscd serves this whole binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use keydesk_device::discovery;
use keydesk_device::management::Version;
use keydesk_device::pcsc_transport;
use keydesk_device::source::KeySource;
use keydesk_device::watch::{self, CardEvent};
use keydesk_device::DeviceError;
use keydesk_e2e::{piv, Pcscd, SimProcess};
use keydesk_types::Serial;

/// A serial for the tests (never 0).
fn sn(n: u32) -> Serial {
    Serial::new(n).expect("a serial is never 0")
}

const A: u32 = 30_000_543;
const B: u32 = 30_000_571;

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
            (Some(sn(A)), Some(Version(5, 4, 3))),
            (Some(sn(B)), Some(Version(5, 7, 1))),
        ]
    );
    assert!(matches!(
        discovery::open_card(&ctx, sn(12_345)),
        Err(DeviceError::KeyNotFound { .. })
    ));

    // Enrol each key through pcscd, addressed by serial.
    for serial in [A, B] {
        let mut t = discovery::open_card(&ctx, sn(serial)).unwrap();
        let start = Instant::now();
        let apdus = piv::enrol(&mut t, serial, &format!("CN=keydesk e2e {serial}"));
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
        let pin = piv::NEW_PIN;
        let out = pcscd.ok(
            "ykman",
            &[
                "--device", &s, "piv", "objects", "generate", "CHUID", "--pin", pin,
            ],
        );
        assert!(!out.contains("Error"), "{out}");
    }

    // An operation holds its key alone: neither another program (ykman) nor a
    // second connection can come between its APDUs; both work again after it.
    let mut source = keydesk_device::source::SystemKeys::new();
    assert_eq!(source.keys().unwrap().len(), 2, "both identified");
    let held = discovery::open_card(&ctx, sn(A)).unwrap();
    let out = pcscd.run("ykman", &["--device", &A.to_string(), "piv", "info"]);
    assert!(
        !out.status.success(),
        "ykman got in while keydesk held the key: {}",
        keydesk_e2e::text(&out)
    );
    assert!(matches!(
        source.open_card(sn(A)).map(|_| ()),
        Err(DeviceError::CardBusy)
    ));
    let listed = discovery::list_keys(&ctx, Vec::new()).unwrap();
    assert!(
        listed.iter().any(|k| k.serial() == Some(sn(B))),
        "the other key is still listed"
    );
    drop(held);
    pcscd.ok("ykman", &["--device", &A.to_string(), "piv", "info"]);
    drop(discovery::open_card(&ctx, sn(A)).unwrap());

    // Plug and unplug events.
    let (watcher, rx) = watch::watch(Duration::from_millis(500)).unwrap();
    let reader_b = {
        let keys = discovery::list_keys(&ctx, Vec::new()).unwrap();
        keydesk_device::keys::find(&keys, sn(B))
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
        discovery::open_card(&ctx, sn(B)),
        Err(DeviceError::KeyNotFound { .. })
    ));
    let _b = SimProcess::start_with(&pcscd, 1, B, &[]);
    wait_event(&rx, &CardEvent::Plugged { reader: reader_b });
    watcher.stop();
}
