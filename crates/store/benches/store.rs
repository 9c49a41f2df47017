//! keydesk-store benchmarks. Sizes come from `KEYDESK_BENCH_SCALE`:
//! `small` (default: 2,000 staff, 2,000 notebooks, 20,000 keys, 100,000
//! events), `medium` (10 % of full), `full` (100,000 staff, 100,000
//! notebooks, 1,000,000 keys, 10,000,000 events) or a fraction like `0.25`.
//!
//! The dataset is generated once per scale with raw SQL (one transaction,
//! prepared statements; not through the audit API) into
//! `target/keydesk-bench/<scale>.sqlite` and reused by later runs.
//!
//! Measured: search as you type (p50/p99 over every prefix of typical
//! queries), one lifecycle transition with its audit event, full history
//! export against `sqlite3 -csv` on the same query and file, and importing a
//! 100,000-row staff list into an empty database; `copy`: the dataset
//! copied into a fresh SQLite file (and PostgreSQL database) in rows/s.
//!
//! `KEYDESK_BENCH_PG=1` (a server of the bench's own, keydesk-testpg) or
//! `=postgresql://...` (an empty database) adds the inventory on
//! PostgreSQL: the dataset copied there (time beside generating it in
//! SQLite), search as you type, transitions on one connection and on 50
//! (`KEYDESK_BENCH_CONNS`) at once for 10 s, first each as fast as it can
//! (the most the server does), then 1,000/s offered in all (latency from
//! when each was due), a technician typing a search meanwhile; history
//! export against `psql \copy ... csv`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
use keydesk_store::{
    fold, CopyStep, Ctx, DbLocation, Dialect, ImportKind, ImportOptions, KeyState, Serial, Store,
    StoreError, HISTORY_SQL,
};
use rusqlite::params;
use time::OffsetDateTime;

const SURNAMES: &[&str] = &[
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
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Schmitz",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Schubert",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
    "Frank",
    "Berger",
    "Winkler",
    "Roth",
    "Beck",
    "Lorenz",
    "Baumann",
    "Franke",
    "Albrecht",
    "Schuster",
    "Simon",
    "Ludwig",
    "Böhm",
    "Winter",
    "Kraus",
    "Martin",
    "Schumacher",
    "Krämer",
    "Vogt",
    "Stein",
    "Jäger",
    "Otto",
    "Sommer",
    "Groß",
    "Seidel",
    "Heinrich",
    "Brandt",
    "Haas",
];
const GIVEN: &[&str] = &[
    "Jörg", "Anna", "Hans", "Grete", "Jürgen", "Sabine", "Uwe", "Monika", "Peter", "Ursula",
    "Klaus", "Petra", "Stefan", "Andrea", "Michael", "Birgit", "Thomas", "Susanne", "Andreas",
    "Karin", "Frank", "Gabriele", "Björn", "Sönke", "Käthe", "Günter", "Renée", "Zoë", "Ömer",
    "Ayşe",
];
const STATES: &[&str] = &[
    "issued",
    "issued",
    "issued",
    "issued",
    "issued",
    "issued",
    "in_stock",
    "in_stock",
    "suspended",
    "lost",
    "revoked",
    "returned",
    "reset",
    "retired",
];

#[derive(Debug, Clone, Copy)]
struct Sizes {
    staff: i64,
    notebooks: i64,
    keys: i64,
    events: i64,
}

fn sizes() -> (String, Sizes) {
    let raw = std::env::var("KEYDESK_BENCH_SCALE").unwrap_or_else(|_| "small".into());
    let f: f64 = match raw.as_str() {
        "small" => 0.02,
        "medium" => 0.1,
        "full" => 1.0,
        other => other
            .parse()
            .expect("KEYDESK_BENCH_SCALE: small, medium, full or a fraction"),
    };
    let n = |full: f64| ((full * f).round() as i64).max(10);
    let s = Sizes {
        staff: n(100_000.0),
        notebooks: n(100_000.0),
        keys: n(1_000_000.0),
        events: if raw == "small" {
            100_000
        } else {
            n(10_000_000.0)
        },
    };
    (raw, s)
}

fn bench_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/keydesk-bench");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn ts(i: i64) -> String {
    // Spread over ~3 years, one timestamp per event, in order.
    let base = 1_700_000_000_i64;
    let t = OffsetDateTime::from_unix_timestamp(base + i * 9).unwrap();
    keydesk_store::format_ts(t)
}

/// Fill an empty store file with the dataset, fast, with raw SQL.
fn generate(path: &Path, s: Sizes) {
    drop(Store::open(path).unwrap()); // schema
    let mut c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "PRAGMA synchronous = OFF; PRAGMA cache_size = -400000; PRAGMA foreign_keys = OFF;",
    )
    .unwrap();
    let tx = c.transaction().unwrap();
    {
        let mut st = tx.prepare("INSERT INTO staff (id, personnel_no, surname, given_name, department, email, active) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)").unwrap();
        let mut si = tx
            .prepare(
                "INSERT INTO search_index (kind, ref_id, label, folded) VALUES (?1, ?2, ?3, ?4)",
            )
            .unwrap();
        for i in 1..=s.staff {
            let sur = SURNAMES[(i as usize * 7) % SURNAMES.len()];
            let sur = if i % 3 == 0 {
                format!("{sur}-{}", SURNAMES[(i as usize / 3) % SURNAMES.len()])
            } else {
                sur.to_owned()
            };
            let given = GIVEN[(i as usize * 13) % GIVEN.len()];
            let pno = format!("{:06}", i);
            st.execute(params![
                i,
                pno,
                sur,
                given,
                format!("Amt {}", i % 60),
                format!("p{pno}@stadt.example")
            ])
            .unwrap();
            let label = format!("{sur}, {given} ({pno})");
            for term in [
                format!("{sur} {given}"),
                format!("{given} {sur}"),
                pno.clone(),
            ] {
                si.execute(params!["staff", i, label, fold(&term)]).unwrap();
            }
        }
        let mut nb = tx.prepare("INSERT INTO notebooks (id, asset_tag, hostname, model, serial_no, staff_id) VALUES (?1, ?2, ?3, 'ThinkPad T14', ?4, ?5)").unwrap();
        for i in 1..=s.notebooks {
            let tag = format!("INV-{:07}", i);
            let host = format!("nb-{:06}", i);
            nb.execute(params![
                i,
                tag,
                host,
                format!("PF{i:08}"),
                (i % s.staff) + 1
            ])
            .unwrap();
            let label = format!("{tag} {host}");
            si.execute(params!["notebook", i, label, fold(&tag)])
                .unwrap();
            si.execute(params!["notebook", i, label, fold(&host)])
                .unwrap();
        }
        let mut k = tx.prepare("INSERT INTO keys (serial, model, form_factor, firmware, batch, state, state_since) VALUES (?1, 'YubiKey 5 NFC', 'USB-A keychain', '5.7.1', ?2, ?3, ?4)").unwrap();
        let mut a = tx.prepare("INSERT INTO assignments (serial, staff_id, notebook_id, from_ts, until_ts) VALUES (?1, ?2, ?3, ?4, ?5)").unwrap();
        let mut suffix = tx
            .prepare("INSERT INTO search_index (kind, ref_id, label, folded, rank) VALUES ('key', ?1, ?2, ?3, 1)")
            .unwrap();
        for i in 0..s.keys {
            let serial = 10_000_000 + i * 7;
            let state = STATES[(i as usize) % STATES.len()];
            k.execute(params![serial, format!("L-{}", i / 1000), state, ts(i)])
                .unwrap();
            let label = format!("{serial} YubiKey 5 NFC");
            let digits = serial.to_string();
            si.execute(params!["key", serial, label, digits]).unwrap();
            // Inner suffixes, as keydesk-store writes them for substring search.
            for start in 1..digits.len().saturating_sub(2) {
                suffix
                    .execute(params![serial, label, &digits[start..]])
                    .unwrap();
            }
            let holder = (i % s.staff) + 1;
            let open = matches!(state, "issued" | "suspended" | "lost");
            let until = if open { None } else { Some(ts(i + 1)) };
            if state != "in_stock" {
                a.execute(params![serial, holder, (i % s.notebooks) + 1, ts(i), until])
                    .unwrap();
            }
        }
        let mut e = tx.prepare("INSERT INTO events (id, at, actor, workstation, action, subject, serial, before_json, after_json, reason, prev_hash, hash) VALUES (?1, ?2, ?3, 'counter-1', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)").unwrap();
        let mut prev = keydesk_store::GENESIS.to_owned();
        for i in 1..=s.events {
            let serial = 10_000_000 + (i % s.keys) * 7;
            let hash = format!("{:064x}", (i as u128) * 0x9E37_79B9_7F4A_7C15);
            e.execute(params![
                i,
                ts(i),
                if i % 2 == 0 { "tech.anna" } else { "tech.ben" },
                "key.transition",
                format!("key:{serial}"),
                serial,
                r#"{"state":"issued"}"#,
                r#"{"state":"suspended","assignment_closed":false}"#,
                if i % 5 == 0 {
                    "Urlaub; Rückgabe folgt"
                } else {
                    ""
                },
                prev,
                hash
            ])
            .unwrap();
            prev = hash;
        }
        tx.execute(
            "UPDATE audit_head SET last_id = ?1, last_hash = ?2 WHERE one = 1",
            params![s.events, prev],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    // Build the trigram index (staff and notebooks) in one statement.
    c.execute_batch(
        "INSERT INTO search_fts (rowid, folded) SELECT id, folded FROM search_index WHERE kind <> 'key';
         UPDATE search_fts_state SET synced_upto = (SELECT MAX(id) FROM search_index);",
    )
    .unwrap();
    c.execute_batch("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
}

fn dataset(scale: &str, s: Sizes) -> PathBuf {
    let path = bench_dir().join(format!("{scale}.sqlite"));
    let done = bench_dir().join(format!("{scale}.done"));
    if !done.exists() {
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
        let t = Instant::now();
        generate(&path, s);
        // The time it took, for the copy's comparison on a later run.
        std::fs::write(&done, format!("{:.3}", t.elapsed().as_secs_f64())).unwrap();
        println!(
            "generated {} in {:.1} s",
            path.display(),
            t.elapsed().as_secs_f64()
        );
    }
    path
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort_unstable();
    println!(
        "{what}: n={} p50={:.3} ms p99={:.3} ms max={:.3} ms",
        samples.len(),
        pct(&samples, 0.5).as_secs_f64() * 1e3,
        pct(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3
    );
}

/// What a technician types, letter by letter.
const TYPED: &[&str] = &[
    "Müller",
    "mueller",
    "Schröder",
    "Weiß",
    "Jörg Sch",
    "Zimmermann",
    "00471",
    "12345",
    "nb-0042",
    "INV-00001",
    "10000700",
    "3456",
    "kaise",
    "ayse",
    "xyzq",
    "ller",
    "mann",
];

/// Seconds the dataset took to generate (raw SQL into SQLite), if known.
fn generated_in(scale: &str) -> Option<f64> {
    std::fs::read_to_string(bench_dir().join(format!("{scale}.done")))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn bench_search(c: &mut Criterion, store: &Store) {
    search_samples(store, "");
    let mut i = 0;
    c.bench_function("search/muel", |b| {
        b.iter(|| {
            i += 1;
            store
                .search(if i % 2 == 0 { "muel" } else { "schr" }, 20)
                .unwrap()
        })
    });
}

/// Search as you type: every prefix of [`TYPED`], five rounds; reported.
fn search_samples(store: &Store, engine: &str) {
    let mut samples = Vec::new();
    for _ in 0..5 {
        search_round(store, &mut samples, None);
    }
    report_search(
        &format!(
            "{engine}search-as-you-type (first page of 20, every prefix of 17 queries, 5 rounds)"
        ),
        samples,
    );
}

/// A fast typist's pace: ten keys a second.
const KEYSTROKE: Duration = Duration::from_millis(100);

/// Every prefix of [`TYPED`] once: (time, prefix) per search; with `pace`,
/// one search per keystroke, as a technician types (else back to back).
fn search_round(store: &Store, samples: &mut Vec<(Duration, String)>, pace: Option<Duration>) {
    for q in TYPED {
        let chars: Vec<char> = q.chars().collect();
        for n in 1..=chars.len() {
            let prefix: String = chars[..n].iter().collect();
            if let Some(p) = pace {
                std::thread::sleep(p);
            }
            let t = Instant::now();
            let hits = store.search(&prefix, 20).unwrap();
            samples.push((t.elapsed(), prefix));
            std::hint::black_box(hits);
        }
    }
}

/// The slowest searches, then p50/p99.
fn report_search(what: &str, mut samples: Vec<(Duration, String)>) {
    samples.sort_unstable_by_key(|s| std::cmp::Reverse(s.0));
    let worst: Vec<String> = samples
        .iter()
        .take(6)
        .map(|(d, q)| format!("{q:?} {:.2} ms", d.as_secs_f64() * 1e3))
        .collect();
    println!("slowest searches: {}", worst.join(", "));
    report(what, samples.into_iter().map(|s| s.0).collect());
}

fn bench_transition(c: &mut Criterion, store: &mut Store) {
    let ctx = Ctx::new("bench", "counter-1", OffsetDateTime::now_utc());
    // Key 0 of the dataset is issued: toggle suspended <-> issued (reinstate).
    let serial = Serial::new(10_000_000).unwrap();
    assert_eq!(
        store.get_key(serial).unwrap().unwrap().state,
        KeyState::Issued
    );
    let mut next = KeyState::Suspended;
    let mut flip = |store: &mut Store| {
        store.transition(&ctx, serial, next, "bench").unwrap();
        next = if next == KeyState::Suspended {
            KeyState::Issued
        } else {
            KeyState::Suspended
        };
    };
    for _ in 0..20 {
        flip(store); // warm the page cache
    }
    store.checkpoint().unwrap();
    let mut samples = Vec::new();
    for _ in 0..1000 {
        let t = Instant::now();
        flip(store);
        samples.push(t.elapsed());
    }
    report(
        "transition + audit event (1000 in a row, after 20 warm-up)",
        samples,
    );
    c.bench_function("transition+audit", |b| b.iter(|| flip(store)));
}

fn bench_export(path: &Path, store: &Store) {
    for round in 1..=2 {
        let t = Instant::now();
        let out = std::fs::File::create("/dev/null").unwrap();
        let rows = store.export_history(out, Dialect::Excel).unwrap();
        let ours = t.elapsed();
        let t = Instant::now();
        let status = std::process::Command::new("sqlite3")
            .arg("-csv")
            .arg("-header")
            .arg(path)
            .arg(HISTORY_SQL)
            .stdout(std::fs::File::create("/dev/null").unwrap())
            .status();
        let theirs = t.elapsed();
        match status {
            Ok(s) if s.success() => println!(
                "history export round {round}: {rows} rows, keydesk {:.2} s, sqlite3 -csv {:.2} s, ratio {:.2}",
                ours.as_secs_f64(),
                theirs.as_secs_f64(),
                ours.as_secs_f64() / theirs.as_secs_f64()
            ),
            other => println!("history export round {round}: {rows} rows, keydesk {:.2} s; sqlite3 failed: {other:?}", ours.as_secs_f64()),
        }
    }
}

fn bench_import() {
    let mut csv = String::from("Personalnummer;Name;Vorname;Abteilung;E-Mail\r\n");
    for i in 1..=100_000_i64 {
        let sur = SURNAMES[(i as usize * 7) % SURNAMES.len()];
        let given = GIVEN[(i as usize * 13) % GIVEN.len()];
        csv.push_str(&format!(
            "{i:06};{sur};{given};Amt {};p{i:06}@stadt.example\r\n",
            i % 60
        ));
    }
    let bytes = encoding_1252(&csv);
    let ctx = Ctx::new("bench", "counter-1", OffsetDateTime::now_utc());
    for round in 1..=2 {
        let dir = tempfile::tempdir_in(bench_dir()).unwrap();
        let mut store = Store::open(dir.path().join("import.sqlite")).unwrap();
        let t = Instant::now();
        // With a progress callback, as the TUI imports.
        let mut calls = 0_usize;
        let r = store
            .import(
                &ctx,
                ImportKind::Staff,
                &bytes,
                &ImportOptions {
                    dry_run: false,
                    source: "bench.csv".into(),
                },
                &mut |_, _| calls += 1,
            )
            .unwrap();
        let first = t.elapsed();
        let t = Instant::now();
        let again = store
            .import_staff(&ctx, &bytes, &ImportOptions::default())
            .unwrap();
        println!(
            "import 100,000 staff (Windows-1252, ';') round {round}: {} added in {:.2} s ({calls} progress calls, {} changes listed); re-import ({} unchanged) {:.2} s",
            r.added,
            first.as_secs_f64(),
            r.changes.len(),
            again.unchanged,
            t.elapsed().as_secs_f64()
        );
    }
}

/// Encode as Windows-1252 the way German Excel saves CSV.
fn encoding_1252(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            'ä' => 0xE4,
            'ö' => 0xF6,
            'ü' => 0xFC,
            'Ä' => 0xC4,
            'Ö' => 0xD6,
            'Ü' => 0xDC,
            'ß' => 0xDF,
            'é' => 0xE9,
            'ë' => 0xEB,
            c if c.is_ascii() => c as u8,
            _ => b'?',
        })
        .collect()
}

/// The generation time beside a copy's, when known.
fn beside_generation(scale: &str, copy: f64) -> String {
    generated_in(scale).map_or_else(String::new, |g| {
        format!(
            " (generating it in SQLite took {g:.2} s: copy/generate {:.2}x)",
            copy / g
        )
    })
}

/// Copy `store` to `at` and report rows per second.
fn timed_copy(scale: &str, store: &Store, at: &DbLocation, what: &str) -> f64 {
    let t = Instant::now();
    // When each table started: the phases' share of the time.
    let mut starts: Vec<(CopyStep, Instant)> = Vec::new();
    let r = store
        .copy_into(at, &mut |step, done, _| {
            if done == 0 && starts.last().map(|(s, _)| *s) != Some(step) {
                starts.push((step, Instant::now()));
            }
        })
        .unwrap();
    let end = Instant::now();
    let d = t.elapsed().as_secs_f64();
    let mut phases = vec![format!(
        "open+check {:.2}",
        starts.first().map_or(0.0, |(_, s)| (*s - t).as_secs_f64())
    )];
    for (i, (step, s)) in starts.iter().enumerate() {
        let next = starts.get(i + 1).map_or(end, |(_, n)| *n);
        phases.push(format!("{step} {:.2}", (next - *s).as_secs_f64()));
    }
    println!(
        "  phases (s; the last one includes the finish and commit): {}",
        phases.join(", ")
    );
    println!(
        "copy {what}: {} rows ({} events, {} keys) in {d:.2} s: {:.0} rows/s, {:.0} events/s{}",
        r.total(),
        r.rows_of(CopyStep::Events),
        r.rows_of(CopyStep::Keys),
        r.total() as f64 / d,
        r.rows_of(CopyStep::Events) as f64 / d,
        beside_generation(scale, d)
    );
    d
}

/// `Store::copy_into` a fresh SQLite file (and a fresh database on an
/// owned PostgreSQL server, when there is one), twice each.
fn bench_copy(scale: &str, store: &Store, pg: Option<&keydesk_testpg::Server>) {
    for round in 1..=2 {
        let dir = tempfile::tempdir_in(bench_dir()).unwrap();
        let at = DbLocation::File(dir.path().join("copy.sqlite"));
        timed_copy(
            scale,
            store,
            &at,
            &format!("SQLite -> SQLite round {round}"),
        );
    }
    if let Some(server) = pg {
        for round in 1..=2 {
            let at = DbLocation::Server(server.fresh_database().unwrap());
            Store::migrate(&at).unwrap();
            timed_copy(
                scale,
                store,
                &at,
                &format!("SQLite -> PostgreSQL round {round}"),
            );
        }
    }
}

/// `KEYDESK_BENCH_PG`: `1` starts a server of our own (kept for the run),
/// a `postgresql://` URL names an empty database (or one this bench
/// filled before, which is reused).
fn pg_target() -> Option<(Option<keydesk_testpg::Server>, String)> {
    let v = std::env::var("KEYDESK_BENCH_PG").ok()?;
    if v.is_empty() || v == "0" {
        return None;
    }
    if v == "1" {
        let server = keydesk_testpg::Server::start().expect("a PostgreSQL server (make deps)");
        let url = server.fresh_database().unwrap();
        Some((Some(server), url))
    } else {
        Some((None, v))
    }
}

/// The inventory on PostgreSQL: copied from the SQLite dataset, then
/// search, transitions (one connection and 50 at once) and export.
fn bench_pg(scale: &str, sqlite: &Store, url: &str) {
    let at = DbLocation::Server(url.to_owned());
    Store::migrate(&at).unwrap();
    // (The dataset's events are no real chain: generated, not hashed, so
    // nothing here verifies it.)
    let head = Store::open_at(&at).unwrap().audit_head().unwrap();
    match head {
        None => {
            timed_copy(scale, sqlite, &at, "SQLite -> PostgreSQL (bench database)");
        }
        Some(h) => println!(
            "PostgreSQL database holds events up to {} already: reused, not copied",
            h.anchor.event()
        ),
    }
    let mut store = Store::open_at(&at).unwrap();
    search_samples(&store, "PostgreSQL ");
    pg_transitions(&mut store);
    let run = Duration::from_secs(10);
    let conns: usize = std::env::var("KEYDESK_BENCH_CONNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    pg_concurrent(&at, &store, conns, run, Load::Flat);
    pg_concurrent(&at, &store, conns, run, Load::Paced { per_sec: 1000 });
    pg_export(url, &store);
}

/// The flip between suspended and issued, the other way each time.
fn flip(store: &mut Store, ctx: &Ctx, serial: Serial, next: &mut KeyState) -> Duration {
    let t = Instant::now();
    match store.transition(ctx, serial, *next, "bench") {
        Ok(()) | Err(StoreError::IllegalTransition { .. }) => {}
        Err(e) => panic!("{e}"),
    }
    let d = t.elapsed();
    *next = if *next == KeyState::Suspended {
        KeyState::Issued
    } else {
        KeyState::Suspended
    };
    d
}

fn pg_transitions(store: &mut Store) {
    let ctx = Ctx::new("bench", "counter-1", OffsetDateTime::now_utc());
    let serial = Serial::new(10_000_000).unwrap();
    let mut next = match store.get_key(serial).unwrap().unwrap().state {
        KeyState::Issued => KeyState::Suspended,
        _ => KeyState::Issued,
    };
    for _ in 0..20 {
        flip(store, &ctx, serial, &mut next);
    }
    let samples = (0..1000)
        .map(|_| flip(store, &ctx, serial, &mut next))
        .collect();
    report(
        "PostgreSQL transition + audit event (one connection, 1000 in a row, after 20 warm-up)",
        samples,
    );
}

/// How the concurrent connections send their transitions.
#[derive(Clone, Copy)]
enum Load {
    /// Each connection sends the next transition as soon as the last is
    /// done: the most the server does, every latency includes the queue.
    Flat,
    /// `per_sec` transitions per second offered in all, spread evenly over
    /// the connections (as counters work: one transition now and then each);
    /// latency counts from when a transition was due, so a server that
    /// falls behind shows it (no coordinated omission).
    Paced { per_sec: u32 },
}

/// `n` threads with a store (connection) each, flipping a key of their
/// own for `run`, with one technician searching as they type meanwhile:
/// transitions per second in all, and their latency.
fn pg_concurrent(at: &DbLocation, store: &Store, n: usize, run: Duration, load: Load) {
    let before = store.audit_head().unwrap().map_or(0, |h| h.anchor.event());
    let keys: Vec<Serial> = store
        .keys_in_states(&[KeyState::Issued, KeyState::Suspended], n + 1)
        .unwrap()
        .into_iter()
        .map(|k| k.data.serial)
        .filter(|s| *s != Serial::new(10_000_000).unwrap())
        .take(n)
        .collect();
    assert_eq!(keys.len(), n, "enough issued keys for {n} connections");
    let start = std::sync::Arc::new(std::sync::Barrier::new(n + 1));
    let searcher = {
        let s = Store::open_at(at).unwrap();
        let start = start.clone();
        std::thread::spawn(move || {
            start.wait();
            let end = Instant::now() + run;
            let mut samples = Vec::new();
            while Instant::now() < end {
                search_round(&s, &mut samples, Some(KEYSTROKE));
            }
            samples
        })
    };
    let workers: Vec<_> = keys
        .into_iter()
        .enumerate()
        .map(|(i, serial)| {
            let mut s = Store::open_at(at).unwrap();
            let start = start.clone();
            std::thread::spawn(move || {
                let ctx = Ctx::new("bench", "counter-n", OffsetDateTime::now_utc());
                let mut next = match s.get_key(serial).unwrap().unwrap().state {
                    KeyState::Issued => KeyState::Suspended,
                    _ => KeyState::Issued,
                };
                start.wait();
                let t0 = Instant::now();
                let end = t0 + run;
                let mut samples = Vec::new();
                match load {
                    Load::Flat => {
                        while Instant::now() < end {
                            samples.push(flip(&mut s, &ctx, serial, &mut next));
                        }
                    }
                    Load::Paced { per_sec } => {
                        // Connection i's turns: every n/per_sec seconds,
                        // its first one i/per_sec after the start.
                        let every = Duration::from_secs_f64(n as f64 / f64::from(per_sec));
                        let mut due = t0 + Duration::from_secs_f64(i as f64 / f64::from(per_sec));
                        while due < end {
                            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                                std::thread::sleep(wait);
                            }
                            flip(&mut s, &ctx, serial, &mut next);
                            samples.push(due.elapsed());
                            due += every;
                        }
                    }
                }
                samples
            })
        })
        .collect();
    println!(
        "PostgreSQL: {n} connections open, running for {:.0} s",
        run.as_secs_f64()
    );
    let samples: Vec<Duration> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let how = match load {
        Load::Flat => format!("{n} connections, each as fast as it can"),
        Load::Paced { per_sec } => {
            format!("{n} connections, {per_sec}/s offered in all, latency from when due")
        }
    };
    println!(
        "PostgreSQL {how}, {:.0} s: {} transitions, {:.0}/s in all",
        run.as_secs_f64(),
        samples.len(),
        samples.len() as f64 / run.as_secs_f64()
    );
    let after = store.audit_head().unwrap().map_or(0, |h| h.anchor.event());
    assert_eq!(
        after - before,
        samples.len() as i64,
        "one event per transition, none lost"
    );
    report(
        &format!("PostgreSQL transition + audit event ({how})"),
        samples,
    );
    report_search(
        &format!("PostgreSQL search-as-you-type meanwhile ({how}; typed at ten keys a second)"),
        searcher.join().unwrap(),
    );
}

fn pg_export(url: &str, store: &Store) {
    for round in 1..=2 {
        let t = Instant::now();
        let out = std::fs::File::create("/dev/null").unwrap();
        let rows = store.export_history(out, Dialect::Excel).unwrap();
        let ours = t.elapsed();
        let t = Instant::now();
        let status = std::process::Command::new("psql")
            .arg("-X")
            .arg("-q")
            .arg(url)
            .arg("-c")
            .arg(format!("\\copy ({HISTORY_SQL}) to stdout csv header"))
            .stdout(std::fs::File::create("/dev/null").unwrap())
            .status();
        let theirs = t.elapsed();
        match status {
            Ok(s) if s.success() => println!(
                "PostgreSQL history export round {round}: {rows} rows, keydesk {:.2} s, psql \\copy csv {:.2} s, ratio {:.2}",
                ours.as_secs_f64(),
                theirs.as_secs_f64(),
                ours.as_secs_f64() / theirs.as_secs_f64()
            ),
            other => println!(
                "PostgreSQL history export round {round}: {rows} rows, keydesk {:.2} s; psql failed: {other:?}",
                ours.as_secs_f64()
            ),
        }
    }
}

fn benches(c: &mut Criterion) {
    let (scale, s) = sizes();
    println!(
        "keydesk-store bench, scale {scale}: {} staff, {} notebooks, {} keys, {} events",
        s.staff, s.notebooks, s.keys, s.events
    );
    // KEYDESK_BENCH_ONLY=search,transition,export,import,copy,pg picks parts.
    let only = std::env::var("KEYDESK_BENCH_ONLY").unwrap_or_default();
    let run = |part: &str| only.is_empty() || only.split(',').any(|p| p == part);
    let pg = if run("pg") || run("copy") {
        pg_target()
    } else {
        None
    };
    if ["search", "transition", "export", "copy", "pg"]
        .iter()
        .any(|p| run(p))
    {
        let path = dataset(&scale, s);
        let mut store = Store::open(&path).unwrap();
        if run("copy") {
            bench_copy(&scale, &store, pg.as_ref().and_then(|(s, _)| s.as_ref()));
        }
        if run("pg") {
            match &pg {
                Some((_, url)) => bench_pg(&scale, &store, url),
                None => println!("PostgreSQL part skipped: set KEYDESK_BENCH_PG=1 or a URL"),
            }
        }
        if run("search") {
            bench_search(c, &store);
        }
        if run("transition") {
            bench_transition(c, &mut store);
        }
        if run("export") {
            bench_export(&path, &store);
        }
    }
    if run("import") {
        bench_import();
    }
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = benches
}

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
}
