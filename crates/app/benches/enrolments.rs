//! Benchmark: enrolments per hour of tool overhead (everything but the
//! human) through keydesk-core on in-process virtual keys (a training
//! `Drawer`, so the bench needs the `sim` feature): PIN letter mode, the default profile (PIV P-256 in 9a with
//! attestation, PIN-protected management key, FIDO2 PIN, OTP off), the
//! inventory in one SQLite file. One counter, then several keys in parallel:
//! one thread per reader, each with its own `Desk` and its own `Store`
//! connection on the same file (WAL, busy_timeout). Each enrolment uses a
//! fresh key alternating firmware 5.4.3 and 5.7.1. Prints figures; asserts
//! only that every enrolment succeeded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use keydesk_core::training::{Drawer, Firmware};
use keydesk_core::{Desk, EnrolRequest, ImportKind, Keys, Secrets};
use keydesk_types::{PersonnelNo, Serial};

/// Enrolments per thread per run.
const PER_THREAD: u32 = 20;

/// A desk on the training inventory `db` with the virtual keys of `drawer`.
fn desk(db: &Path, drawer: &Drawer) -> Desk {
    Desk::open(
        &keydesk_core::DbLocation::File(db.to_path_buf()),
        None,
        Keys::Virtual(drawer.clone()),
    )
    .unwrap()
}

fn seed_staff(db: &Path, people: u32) {
    let mut csv = String::from("Personalnummer;Nachname;Vorname;Abteilung\n");
    for i in 0..people {
        csv.push_str(&format!("{};Muster{i};Max;Amt {}\n", 10_000 + i, i % 40));
    }
    let mut d = desk(db, &Drawer::new(Vec::new()));
    d.import(ImportKind::Staff, csv.as_bytes(), "bench.csv", false)
        .unwrap();
}

/// One reader's work: `n` enrolments of fresh keys, serials from `base`.
fn counter(db: &Path, thread: u32, n: u32) -> Vec<Duration> {
    let serial_of = |i: u32| Serial::known(30_000_000 + thread * 100_000 + i);
    let drawer = Drawer::new(
        (0..n)
            .map(|i| {
                let fw = if i % 2 == 0 {
                    Firmware::V5_7_1
                } else {
                    Firmware::V5_4_3
                };
                (serial_of(i), fw)
            })
            .collect(),
    )
    .touched_at_once();
    let mut d = desk(db, &drawer);
    let mut times = Vec::new();
    for i in 0..n {
        let serial = serial_of(i);
        drawer.plug(serial);
        let staff = PersonnelNo::parse(&(10_000 + thread * PER_THREAD + i).to_string()).unwrap();
        let t = Instant::now();
        let out = d
            .enrol(&EnrolRequest {
                serial,
                staff,
                notebook: None,
                secrets: Secrets::Letter,
                due: None,
            })
            .unwrap();
        times.push(t.elapsed());
        assert!(out.letter.is_some());
        drawer.unplug(serial);
    }
    times
}

fn main() {
    println!(
        "enrolments per hour of tool overhead, in-process virtual keys, {PER_THREAD} per reader"
    );
    println!("readers  enrolments  wall s   per enrolment ms (median/max)  enrolments/hour");
    for readers in [1u32, 2, 4, 8] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("bench.db");
        seed_staff(&db, readers * PER_THREAD);
        let start = Instant::now();
        let handles: Vec<_> = (0..readers)
            .map(|t| {
                let db = db.clone();
                std::thread::spawn(move || counter(&db, t, PER_THREAD))
            })
            .collect();
        let mut all: Vec<Duration> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        let wall = start.elapsed().as_secs_f64();
        all.sort();
        let n = all.len();
        println!(
            "{readers:>7}  {n:>10}  {wall:>6.2}   {:>8.1} / {:>8.1}             {:>10.0}",
            all[n / 2].as_secs_f64() * 1e3,
            all[n - 1].as_secs_f64() * 1e3,
            f64::from(u32::try_from(n).unwrap()) / wall * 3600.0
        );
    }
}
