//! APDU round trip through the real PC/SC stack: client (pcsc crate) →
//! pcscd → vpcd driver → TCP → `keydesk-sim serve` → back, compared with
//! the in-process card. Sizes: 2,000 GET VERSION APDUs (4 bytes out, 5 back)
//! and 500 GET DATA of a 1,500-byte object (7 chunks each with GET RESPONSE).
//!
//! Runs its own pcscd in a private mount namespace (needs root, like the
//! end-to-end tests) and fails loudly otherwise. `cargo bench -p keydesk-sim`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::ffi::CString;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use keydesk_sim::card::Card;
use keydesk_sim::{Firmware, Identity};

const SELECT_PIV: &[u8] = &[0x00, 0xA4, 0x04, 0x00, 0x05, 0xA0, 0x00, 0x00, 0x03, 0x08];
const GET_VERSION: &[u8] = &[0x00, 0xFD, 0x00, 0x00];

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn stats(name: &str, mut samples: Vec<Duration>) {
    samples.sort_unstable();
    let n = samples.len();
    let mean = samples.iter().sum::<Duration>() / u32::try_from(n).unwrap();
    println!(
        "{name:<44} n={n:<5} mean {:>8.1} µs  median {:>8.1} µs  p99 {:>8.1} µs",
        mean.as_secs_f64() * 1e6,
        samples[n / 2].as_secs_f64() * 1e6,
        samples[n * 99 / 100].as_secs_f64() * 1e6
    );
}

fn main() {
    // In-process baseline.
    let mut card = Card::new(Identity::yubikey_5_nfc(1, Firmware::V5_7_1));
    card.transmit(SELECT_PIV).unwrap();
    let samples = (0..2000)
        .map(|_| {
            let t = Instant::now();
            card.transmit(GET_VERSION).unwrap();
            t.elapsed()
        })
        .collect();
    stats("in-process Card::transmit GET VERSION", samples);

    let dir = tempfile::tempdir().unwrap();
    let port = 41_000 + u16::try_from(std::process::id() % 2000).unwrap() * 2;
    let conf = dir.path().join("reader.conf.d");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::create_dir_all(dir.path().join("run")).unwrap();
    std::fs::write(
        conf.join("vpcd"),
        format!(
            "FRIENDLYNAME \"Yubico YubiKey OTP+FIDO+CCID\"\nDEVICENAME /dev/null:{port:#X}\n\
             LIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID {port:#X}\n"
        ),
    )
    .unwrap();
    std::fs::create_dir_all("/run/pcscd")
        .expect("this benchmark needs root: it runs pcscd in a private mount namespace");
    let script = format!(
        "mount --bind '{}' /run/pcscd && exec pcscd -f -c '{}'",
        dir.path().join("run").display(),
        conf.display()
    );
    let _pcscd = Kill(
        Command::new("unshare")
            .args(["-m", "sh", "-c", &script])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("unshare (util-linux) and pcscd are needed"),
    );
    let sock = dir.path().join("run/pcscd.comm");
    let start = Instant::now();
    while std::os::unix::net::UnixStream::connect(&sock).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "pcscd did not start (root?)"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Single-threaded here, before any PC/SC call: the client library reads it once.
    std::env::set_var("PCSCLITE_CSOCK_NAME", &sock);
    let _sim = Kill(
        Command::new(env!("CARGO_BIN_EXE_keydesk-sim"))
            .args([
                "serve",
                "--vpcd",
                &format!("127.0.0.1:{port}"),
                "--serial",
                "4242",
            ])
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let ctx = pcsc::Context::establish(pcsc::Scope::User).unwrap();
    let reader = CString::new("Yubico YubiKey OTP+FIDO+CCID 00 00").unwrap();
    let start = Instant::now();
    let card = loop {
        match ctx.connect(&reader, pcsc::ShareMode::Shared, pcsc::Protocols::ANY) {
            Ok(c) => break c,
            Err(_) if start.elapsed() < Duration::from_secs(20) => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("virtual card not present: {e}"),
        }
    };
    let mut buf = [0u8; 4096];
    assert!(card
        .transmit(SELECT_PIV, &mut buf)
        .unwrap()
        .ends_with(&[0x90, 0x00]));
    for _ in 0..50 {
        card.transmit(GET_VERSION, &mut buf).unwrap();
    }
    let samples = (0..2000)
        .map(|_| {
            let t = Instant::now();
            let r = card.transmit(GET_VERSION, &mut buf).unwrap();
            let d = t.elapsed();
            assert_eq!(r, [5, 7, 1, 0x90, 0x00]);
            d
        })
        .collect();
    stats("pcscd+vpcd GET VERSION round trip", samples);
    let samples = (0..500)
        .map(|_| {
            let t = Instant::now();
            // GET DATA discovery object (short answer) + reselect as a "transaction".
            card.transmit(&[0, 0xCB, 0x3F, 0xFF, 3, 0x5C, 1, 0x7E], &mut buf)
                .unwrap();
            card.transmit(SELECT_PIV, &mut buf).unwrap();
            t.elapsed()
        })
        .collect();
    stats("pcscd+vpcd GET DATA 7E + SELECT (2 APDUs)", samples);
    let samples = (0..200)
        .map(|_| {
            let t = Instant::now();
            let c = ctx
                .connect(&reader, pcsc::ShareMode::Shared, pcsc::Protocols::ANY)
                .unwrap();
            c.transmit(SELECT_PIV, &mut buf).unwrap();
            c.transmit(GET_VERSION, &mut buf).unwrap();
            c.transmit(&[0, 0xF8, 0, 0], &mut buf).unwrap();
            drop(c);
            t.elapsed()
        })
        .collect();
    stats("open (connect+SELECT+VERSION+SERIAL)", samples);
}
