//! Start-up to the first drawn frame with a 100,000-staff inventory.
//!
//! The TUI's modules are compiled into this bench (the app is a binary
//! crate). The inventory is generated once by importing a generated staff
//! CSV through the core (`target/keydesk-bench/startup-100k-training.db`, reused).
//! Measured, from nothing open to frames drawn into an 80x24 TestBackend:
//! - first frame: open the store, build the desk and its service, start the
//!   worker, draw (this is what the technician sees first);
//! - first frame with keys: the worker's first answer (policy, unfinished
//!   journal entries, plugged keys read over GET DEVICE INFO) applied and drawn.
//!
//! Terminal set-up (`ratatui::init`, raw mode) is not included.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, unused)]

#[path = "../src/i18n.rs"]
mod i18n;
#[path = "../src/tui/mod.rs"]
mod tui;

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use keydesk_core::training::{Drawer, Firmware};
use keydesk_core::{Desk, ImportKind, Keys};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use tui::model::Msg;
use tui::runtime::Service;
use tui::service::DeskService;
use tui::state::App;

const STAFF: usize = 100_000;
const RUNS: usize = 30;

fn bench_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    target.join("keydesk-bench")
}

/// A desk on the training inventory `db` with the virtual keys of `drawer`.
fn desk(db: &std::path::Path, drawer: &Drawer) -> Desk {
    Desk::open(
        &keydesk_core::DbLocation::File(db.to_path_buf()),
        None,
        Keys::Virtual(drawer.clone()),
    )
    .unwrap()
}

/// The 100,000-staff inventory, generated on first use.
fn inventory() -> PathBuf {
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("startup-100k-training.db");
    if db.exists() {
        return db;
    }
    let surnames = [
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Meyer",
        "Wagner",
        "Becker",
        "Schulz",
        "Hoffmann",
    ];
    let given = [
        "Anna", "Jürgen", "Ayşe", "Grete", "Hans", "Maria", "Lukas", "Sophie", "Mehmet", "Lena",
    ];
    let mut csv = String::from("Personalnummer;Nachname;Vorname;Abteilung;E-Mail\n");
    for i in 0..STAFF {
        let s = surnames[i % surnames.len()];
        let g = given[(i / surnames.len()) % given.len()];
        csv.push_str(&format!(
            "{};{s}{};{g};Amt {};p{i}@stadt.example\n",
            100_000 + i,
            i / 100,
            i % 60
        ));
    }
    let tmp = dir.join("startup-100k-training.db.partial");
    let _ = std::fs::remove_file(&tmp);
    let mut d = desk(&tmp, &Drawer::new(Vec::new()));
    let t = Instant::now();
    let report = d
        .import(ImportKind::Staff, csv.as_bytes(), "bench", false)
        .unwrap();
    d.import(
        ImportKind::Stock,
        include_bytes!("../demo/stock.csv"),
        "bench",
        false,
    )
    .unwrap();
    eprintln!("generated {} staff in {:.1?}", report.added, t.elapsed());
    drop(d);
    std::fs::rename(&tmp, &db).unwrap();
    db
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this once, quickly.
    let quick = !std::env::args().any(|a| a == "--bench");
    let db = inventory();
    let runs = if quick { 1 } else { RUNS };
    let mut first = Vec::new();
    let mut with_keys = Vec::new();
    for _ in 0..runs {
        let serial = keydesk_types::Serial::known(23_456_780);
        let drawer = Drawer::new(vec![(serial, Firmware::V5_7_1)]);
        drawer.plug(serial);

        let t0 = Instant::now();
        let service = DeskService::new(desk(&db, &drawer)).with_drawer(drawer);
        let mut app = App::new(i18n::Lang::De, true);
        let (tx, rx) = mpsc::channel();
        let worker = std::thread::spawn(move || {
            let mut service = service;
            for m in service.poll() {
                tx.send(m).unwrap();
            }
        });
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        term.draw(|f| f.render_widget(&app, f.area())).unwrap();
        first.push(t0.elapsed());
        loop {
            let msg = rx.recv().unwrap();
            let keys = matches!(msg, Msg::Plugged(_));
            app.update(msg);
            if keys {
                break;
            }
        }
        term.draw(|f| f.render_widget(&app, f.area())).unwrap();
        with_keys.push(t0.elapsed());
        worker.join().unwrap();
        assert_eq!(app.plugged.len(), 1, "the key is on the first full frame");
    }
    first.sort();
    with_keys.sort();
    for (name, v) in [
        ("first frame", &first),
        ("first frame with keys", &with_keys),
    ] {
        println!(
            "startup/{name} ({STAFF} staff, {runs} runs): median {:.2?}  p95 {:.2?}  max {:.2?}",
            percentile(v, 0.5),
            percentile(v, 0.95),
            v[v.len() - 1]
        );
    }
}
