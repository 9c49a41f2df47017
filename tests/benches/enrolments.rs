//! Benchmark: enrolments per hour of tool overhead through the real stack:
//! the `keydesk` binary (one process per enrolment, as a script would run
//! it: `keydesk enrol --pin-letter`) talking to pcscd + vpcd + `keydesk-sim
//! serve` (PIV) and the simulator's CTAPHID socket (FIDO2 PIN), the default
//! profile, one SQLite file shared by all counters. One reader, then two and
//! four readers enrolling at the same time (one isolated pcscd per reader).
//! Each round plugs factory-fresh keys (not measured) and times the batch of
//! concurrent enrolments. Prints figures; asserts only success.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Instant;

use keydesk_e2e::{bin, Pcscd, SimProcess};

const ROUNDS: u32 = 10;

fn seed(pcscd: &Pcscd, keydesk: &Path, db: &Path, people: u32) {
    let mut csv = String::from("Personalnummer;Nachname;Vorname;Abteilung\r\n");
    for i in 0..people {
        csv.push_str(&format!("{};Muster{i};Max;Amt 1\r\n", 20_000 + i));
    }
    let file = pcscd.dir().join("staff.csv");
    std::fs::write(&file, csv).unwrap();
    let out = pcscd
        .cmd(keydesk.to_str().unwrap())
        .env("KEYDESK_DB", db)
        .args(["import", "staff"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
}

fn main() {
    let keydesk = bin("keydesk", "keydesk");
    println!("enrolments per hour of tool overhead: `keydesk enrol --pin-letter` through pcscd + keydesk-sim, {ROUNDS} rounds");
    println!("readers  enrolments  busy s   per batch ms (median)  enrolments/hour");
    // One pcscd per reader: two keydesk processes on one pcscd trip over each
    // other's cards while looking for theirs (see the closing note of the
    // bench's author: discovery fails on a card another process holds).
    let pcscds = [
        Pcscd::start(),
        Pcscd::start(),
        Pcscd::start(),
        Pcscd::start(),
    ];
    // The office profile trusts the simulator's root (from `keydesk-sim print-root`).
    let root = pcscds[0].dir().join("sim-root.pem");
    let pem = std::process::Command::new(bin("keydesk-sim", "keydesk-sim"))
        .arg("print-root")
        .output()
        .unwrap();
    assert!(pem.status.success());
    std::fs::write(&root, &pem.stdout).unwrap();
    let profile = pcscds[0].dir().join("bench-profile.toml");
    std::fs::write(&profile, keydesk_e2e::counter::TRUST_SIM_ROOT).unwrap();
    let mut next_serial = 32_000_000u32;
    let mut staff = 0u32;
    for readers in [1usize, 2, 4] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("bench.db");
        seed(&pcscds[0], &keydesk, &db, 100);
        let mut batches = Vec::new();
        for round in 0..ROUNDS {
            // Plug fresh keys (not measured).
            let mut sims = Vec::new();
            for (r, pcscd) in pcscds.iter().enumerate().take(readers) {
                let serial = next_serial;
                next_serial += 1;
                let sock = pcscd.dir().join(format!("hid-{serial}.sock"));
                let sim = SimProcess::start_with(
                    pcscd,
                    0,
                    serial,
                    &[
                        "--firmware",
                        if r % 2 == 0 { "5.7.1" } else { "5.4.3" },
                        "--hid-socket",
                        sock.to_str().unwrap(),
                    ],
                );
                sims.push((pcscd, sim, sock));
            }
            let start = Instant::now();
            let children: Vec<Child> = sims
                .iter()
                .map(|(pcscd, sim, sock)| {
                    staff += 1;
                    pcscd
                        .cmd(keydesk.to_str().unwrap())
                        .env("KEYDESK_DB", &db)
                        .env("KEYDESK_HID_SOCKET", sock)
                        .env("KEYDESK_PROFILE", &profile)
                        .args(["enrol", "--serial", &sim.serial.to_string(), "--staff"])
                        .arg((20_000 + staff % 100).to_string())
                        .arg("--pin-letter")
                        .arg(
                            dir.path()
                                .join(format!("letter-{}-{round}.txt", sim.serial)),
                        )
                        .stdout(Stdio::null())
                        .stderr(Stdio::piped())
                        .spawn()
                        .unwrap()
                })
                .collect();
            for c in children {
                let out = c.wait_with_output().unwrap();
                assert!(
                    out.status.success(),
                    "enrol failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            batches.push(start.elapsed());
            drop(sims);
        }
        let busy: f64 = batches.iter().map(std::time::Duration::as_secs_f64).sum();
        batches.sort();
        let n = readers * ROUNDS as usize;
        println!(
            "{readers:>7}  {n:>10}  {busy:>6.2}   {:>10.1}            {:>10.0}",
            batches[batches.len() / 2].as_secs_f64() * 1e3,
            n as f64 / busy * 3600.0
        );
    }
}
