//! `keydesk reset-batch` end to end through pcscd + vpcd + `keydesk-sim
//! serve`: two handed-back keys are wiped (PIV and FIDO2) as the technician
//! plugs them in one at a time, with the replug and touch the hardware
//! needs; a second key plugged in holds the batch back instead of being
//! reset by mistake.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use keydesk_e2e::counter::{assert_enrolled, assert_factory, piv_info, sim, Counter, Engine};
use keydesk_e2e::{text, Pcscd, SimProcess};
use serde_json::Value;

const A: u32 = 31_000_611;
const B: u32 = 31_000_629;
/// How long a step of the batch may take to show up on stderr.
const WAIT: Duration = Duration::from_secs(30);

/// Wait until a stderr line contains `what`; return everything seen so far.
fn expect(lines: &Receiver<String>, seen: &mut String, what: &str) {
    loop {
        match lines.recv_timeout(WAIT) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
                if line.contains(what) {
                    return;
                }
            }
            Err(_) => panic!("no line with {what:?} within {WAIT:?}; stderr so far:\n{seen}"),
        }
    }
}

#[test]
fn handed_back_keys_are_wiped_one_by_one_as_they_are_plugged_in() {
    batch(Engine::Sqlite);
}

#[test]
fn handed_back_keys_are_wiped_one_by_one_as_they_are_plugged_in_on_postgres() {
    batch(Engine::Postgres);
}

fn batch(engine: Engine) {
    let started = Instant::now();
    let pcscd = Pcscd::start();
    let (mut a_sim, sock_a) = sim(&pcscd, 0, A, Some("5.7.1"));
    let (mut b_sim, sock_b) = sim(&pcscd, 1, B, Some("5.4.3"));
    let desk = Counter::on_fresh(
        &pcscd,
        engine,
        format!("{}:{}", sock_a.display(), sock_b.display()),
    );
    desk.seed(&[A, B]);
    for (serial, staff) in [(A, "4711"), (B, "4712")] {
        let letter = pcscd.dir().join(format!("brief-{serial}.txt"));
        desk.ok(&[
            "enrol",
            "--serial",
            &serial.to_string(),
            "--staff",
            staff,
            "--pin-letter",
            letter.to_str().unwrap(),
        ]);
        assert_enrolled(&piv_info(&pcscd, serial));
    }
    desk.ok(&["return", "--serial", &A.to_string(), "--no-reset"]);
    desk.ok(&["revoke", "--serial", &B.to_string(), "--reason", "left"]);

    let mut child = desk
        .cmd(&[
            "--json",
            "reset-batch",
            "--waiting",
            "--yes",
            "--idle-timeout",
            "60",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut seen = String::new();
    expect(
        &lines,
        &mut seen,
        "batch of 2 key(s) to reset (PIV and FIDO2)",
    );
    // Both keys are still plugged in from the enrolment: nothing is reset.
    expect(&lines, &mut seen, "2 keys plugged in");
    b_sim.stop();
    // A was plugged in before the batch began: its FIDO2 window is closed.
    expect(
        &lines,
        &mut seen,
        &format!("Key {A}: unplug it and plug it back in"),
    );
    a_sim.stop();
    expect(&lines, &mut seen, "[0/2] Plug in the next key");
    // This person takes a second to touch the key: keepalives, countdown.
    let mut a_again = SimProcess::start_with(
        &pcscd,
        0,
        A,
        &["--hid-socket", sock_a.to_str().unwrap(), "--touch", "1200"],
    );
    expect(
        &lines,
        &mut seen,
        &format!("[1/2] Key {A} is reset and back in stock"),
    );
    a_again.stop();
    expect(&lines, &mut seen, "[1/2] Plug in the next key");
    // The next key goes into the same port (vpcd shows slot 1 only while slot 0 is in use).
    let _b_again = SimProcess::start_with(
        &pcscd,
        0,
        B,
        &["--hid-socket", sock_b.to_str().unwrap(), "--touch", "300"],
    );
    let out = child.wait_with_output().unwrap();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(2)) {
        seen.push_str(&line);
        seen.push('\n');
    }
    assert!(out.status.success(), "{}\n{seen}", text(&out));
    assert!(seen.contains(&format!("[2/2] Key {B} is reset")), "{seen}");
    assert!(seen.contains("touch key"), "no touch prompt: {seen}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["finished"], true, "{doc}");
    assert_eq!(doc["done"].as_array().unwrap().len(), 2, "{doc}");

    // Both keys are factory-fresh for ykman and in stock for the inventory.
    let _a_back = SimProcess::start_with(&pcscd, 1, A, &[]);
    for serial in [A, B] {
        assert_factory(&piv_info(&pcscd, serial));
        assert_eq!(desk.state(serial), "in_stock");
    }
    let audit = desk.json(&["audit", "verify"]);
    assert_eq!(audit["ok"], true, "{audit}");
    eprintln!(
        "reset batch through pcscd ({engine:?}): {:?}",
        started.elapsed()
    );
}
