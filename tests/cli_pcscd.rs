//! The real `keydesk` binary end to end through pcscd + vpcd + `keydesk-sim
//! serve` (PIV over PC/SC, FIDO2 over the simulator's CTAPHID sockets named
//! in `KEYDESK_HID_SOCKET`): imports, `keys`, enrol with a PIN letter checked
//! by ykman, certificate import, replace, revoke export, a full reset with a
//! real replug and touch, return, the
//! Excel export, the audit trail; and a kill in the middle of an enrolment
//! followed by `keydesk recover`, after which database and key agree.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use keydesk_e2e::counter::{
    assert_enrolled, assert_factory, field, piv_info, sim, Counter, Engine,
};
use keydesk_e2e::{text, Pcscd, SimProcess};
use serde_json::Value;

const A: u32 = 31_000_571;
const B: u32 = 31_000_543;

fn letter_value(letter: &str, label: &str) -> String {
    field(letter, label).to_owned()
}

#[test]
fn counter_day_through_pcscd() {
    counter_day(Engine::Sqlite);
}

/// The same day on a shared PostgreSQL inventory, which a counter opens
/// only once an administrator has run `keydesk db migrate`.
#[test]
fn counter_day_through_pcscd_on_postgres() {
    counter_day(Engine::Postgres);
}

fn counter_day(engine: Engine) {
    let started = Instant::now();
    let pcscd = Pcscd::start();
    let (a_sim, sock_a) = sim(&pcscd, 0, A, Some("5.7.1"));
    let (b, sock_b) = sim(&pcscd, 1, B, Some("5.4.3"));
    let hid = format!("{}:{}", sock_a.display(), sock_b.display());
    let desk = Counter {
        pcscd: &pcscd,
        db: engine.fresh_db(pcscd.dir()),
        hid,
    };
    if engine == Engine::Postgres {
        let refused = desk.run(&["keys"]);
        assert!(!refused.status.success(), "{}", text(&refused));
        assert!(
            text(&refused).contains("keydesk db migrate"),
            "{}",
            text(&refused)
        );
        let migrated = desk.json(&["db", "migrate"]);
        assert_eq!(migrated["before"].as_i64(), Some(0), "{migrated}");
        let version = migrated["after"].as_i64().unwrap();
        assert!(version >= 2, "schema with claims: {migrated}");
        let again = desk.ok(&["db", "migrate"]);
        assert!(
            again.contains(&format!("up to date (version {version})")),
            "{again}"
        );
    }
    desk.seed(&[A, B]);

    let keys = desk.json(&["keys"]);
    let listed: Vec<u64> = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k["serial"].as_u64())
        .collect();
    assert!(
        listed.contains(&A.into()) && listed.contains(&B.into()),
        "{keys}"
    );
    assert!(keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["state"] == "in_stock" && !k["fido"].is_null()));

    // Without an office profile that names the simulator's root, keydesk
    // trusts Yubico's roots only: the virtual key's attestation is refused,
    // the key is rolled back to factory state and stays in stock.
    let refused = desk
        .bare_cmd(&[
            "enrol",
            "--serial",
            &A.to_string(),
            "--staff",
            "4711",
            "--pin-letter",
            pcscd.dir().join("refused.txt").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(text(&refused).contains("attestation"), "{}", text(&refused));
    assert!(!pcscd.dir().join("refused.txt").exists());
    assert_eq!(desk.state(A), "in_stock");
    assert_factory(&piv_info(&pcscd, A));

    // Enrol A for Anna Müller, unattended, with a PIN letter.
    let letter = pcscd.dir().join("brief-4711.txt");
    let doc = desk.json(&[
        "enrol",
        "--serial",
        &A.to_string(),
        "--staff",
        "4711",
        "--notebook",
        "NB-0815",
        "--pin-letter",
        letter.to_str().unwrap(),
    ]);
    assert_eq!(doc["state"], "issued");
    assert_eq!(doc["fido_pin_set"], true, "{doc}");
    let letter_text = std::fs::read_to_string(&letter).unwrap();
    let pin = letter_value(&letter_text, "PIV-PIN (Anmeldung / sign-in):");
    assert_eq!(pin.len(), 6, "{letter_text}");
    assert_enrolled(&piv_info(&pcscd, A));
    assert_eq!(desk.state(A), "issued");

    let csr = pcscd.dir().join(format!("{A}.csr.pem"));
    assert!(std::fs::read_to_string(&csr)
        .unwrap()
        .contains("CERTIFICATE REQUEST"));

    // The office CA (openssl here) signs the CSR; the holder's PIN, given on a
    // descriptor, puts the certificate on the key.
    let csr_s = csr.to_str().unwrap();
    pcscd.ok(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-subj",
            "/CN=Office CA",
            "-days",
            "30",
        ],
    );
    pcscd.ok(
        "openssl",
        &[
            "x509",
            "-req",
            "-in",
            csr_s,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "30",
            "-out",
            "issued.pem",
        ],
    );
    let issued = pcscd.dir().join("issued.pem");
    let issued = issued.to_str().unwrap();
    let cert_import = |pin: &str| {
        let mut child = desk
            .cmd(&[
                "cert",
                "import",
                "--serial",
                &A.to_string(),
                issued,
                "--pin-fd",
                "0",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(
            &mut child.stdin.take().unwrap(),
            format!("{pin}\n").as_bytes(),
        )
        .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = cert_import("000000");
    assert_eq!(out.status.code(), Some(7), "a wrong PIN: {}", text(&out));
    let out = cert_import(&pin);
    assert!(out.status.success(), "cert import: {}", text(&out));
    assert!(!text(&out).contains(&pin), "the PIN was printed");
    let info = piv_info(&pcscd, A);
    assert!(
        info.contains("Office CA"),
        "the CA's certificate is not in 9a:\n{info}"
    );

    // A breaks: replaced by B for the same holder and notebook; A is revoked at once.
    let letter_b = pcscd.dir().join("brief-4711-b.txt");
    let doc = desk.json(&[
        "replace",
        "--serial",
        &A.to_string(),
        "--with",
        &B.to_string(),
        "--old",
        "defective",
        "--pin-letter",
        letter_b.to_str().unwrap(),
    ]);
    assert_eq!(doc["old"]["state"], "revoked", "{doc}");
    assert_enrolled(&piv_info(&pcscd, B));
    let nb = desk.json(&["show", "notebook", "NB-0815"]);
    assert!(nb["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["serial"].as_u64() == Some(B.into()) && a["until"].is_null()));
    let revoked = desk.ok(&["export", "revoked", "--format", "rfc4180"]);
    assert!(revoked.contains(&A.to_string()), "{revoked}");
    assert!(!revoked.contains(&B.to_string()), "{revoked}");

    // Anna leaves: B comes back. A FIDO2 reset needs the key alone: refused, nothing changes.
    let out = desk.run(&["return", "--serial", &B.to_string()]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert_eq!(desk.state(B), "issued", "a refused return changes nothing");

    // The broken key A is wiped completely (PIV and FIDO2): B is unplugged, and
    // A is unplugged and plugged back in when keydesk asks (vpcd keeps slot 1
    // only while slot 0 is connected, so A, on slot 0, is the one replugged).
    let mut b = b;
    b.stop();
    let only_a = Counter {
        pcscd: &pcscd,
        db: desk.db.clone(),
        hid: sock_a.display().to_string(),
    };
    let mut child = only_a
        .cmd(&["--json", "reset", "--serial", &A.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut seen = String::new();
        let mut buf = [0u8; 256];
        let mut told = false;
        loop {
            let n = std::io::Read::read(&mut stderr, &mut buf).unwrap_or(0);
            if n == 0 {
                return seen;
            }
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            if !told && seen.contains("plug it back in") {
                told = true;
                let _ = tx.send(());
            }
        }
    });
    assert!(
        rx.recv_timeout(Duration::from_secs(20)).is_ok(),
        "no replug prompt"
    );
    let mut a_sim = a_sim;
    a_sim.stop();
    // A person takes a moment to plug it back in.
    std::thread::sleep(Duration::from_millis(1500));
    // This time the person takes a second to touch it: keepalives, countdown.
    let _a2 = SimProcess::start_with(
        &pcscd,
        0,
        A,
        &["--hid-socket", sock_a.to_str().unwrap(), "--touch", "1200"],
    );
    let out = child.wait_with_output().unwrap();
    let seen = reader.join().unwrap();
    assert!(out.status.success(), "reset failed: {}{seen}", text(&out));
    assert!(seen.contains("touch key"), "no touch prompt: {seen}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["state"], "in_stock", "{doc}");
    assert_eq!(doc["fido"], true, "{doc}");
    assert_factory(&piv_info(&pcscd, A));
    assert_eq!(desk.state(A), "in_stock");

    // B is plugged in again and handed back: returned, PIV wiped, back to stock.
    let (_b2, _) = sim(&pcscd, 1, B, None);
    desk.ok(&["return", "--serial", &B.to_string(), "--no-reset"]);
    assert_eq!(desk.state(B), "returned");
    desk.ok(&["reset", "--serial", &B.to_string(), "--piv"]);
    assert_factory(&piv_info(&pcscd, B));
    let only_b = &desk;

    // The auditors' Excel export and the audit trail.
    let xls = pcscd.dir().join("inventar.csv");
    only_b.ok(&[
        "export",
        "inventory",
        "--format",
        "excel",
        "--out",
        xls.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&xls).unwrap();
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "Excel needs the BOM"
    );
    let csv = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.contains(';'), "{header}");
    for serial in [A, B] {
        let row = csv
            .lines()
            .find(|l| l.contains(&serial.to_string()))
            .unwrap_or_else(|| panic!("{serial} not exported:\n{csv}"));
        assert!(row.contains("in_stock"), "{row}");
    }
    let audit = only_b.json(&["audit", "verify"]);
    assert_eq!(audit["ok"], true);
    eprintln!(
        "counter day through pcscd ({engine:?}): {:?}",
        started.elapsed()
    );
}

/// Where a journal step lies in an enrolment.
fn step_index(step: &str) -> Option<usize> {
    const ORDER: [&str; 10] = [
        "piv.factory_check",
        "piv.retries",
        "piv.pin",
        "piv.puk",
        "piv.management_key",
        "piv.generate",
        "piv.attest",
        "piv.certificate",
        "otp.usb",
        "store",
    ];
    ORDER.iter().position(|s| step.starts_with(s))
}

/// `keydesk --profile PROFILE enrol --serial SERIAL --staff 4711 --pin-letter LETTER`.
fn enrol_args<'a>(profile: &'a str, serial: &'a str, letter: &'a str) -> [&'a str; 9] {
    [
        "--profile",
        profile,
        "enrol",
        "--serial",
        serial,
        "--staff",
        "4711",
        "--pin-letter",
        letter,
    ]
}

#[test]
fn a_killed_enrolment_is_reconciled_by_recover() {
    killed_enrolments(Engine::Sqlite);
}

#[test]
fn a_killed_enrolment_is_reconciled_by_recover_on_postgres() {
    killed_enrolments(Engine::Postgres);
}

fn killed_enrolments(engine: Engine) {
    let started = Instant::now();
    let pcscd = Pcscd::start();
    let (_k, sock) = sim(&pcscd, 0, A, Some("5.7.1"));
    let desk = Counter::on_fresh(&pcscd, engine, sock.display().to_string());
    desk.seed(&[A]);
    // PIV only, so every round can wipe the key without a replug.
    let profile = desk.profile(
        "profile.toml",
        "name = \"piv-only\"\n[fido]\nmode = \"skip\"\n",
    );
    let profile = profile.to_str().unwrap();
    let a = A.to_string();
    let mut killed_at = Vec::new();
    // Kill keydesk at successive points of the enrolment; after each, recover and compare.
    for round in 0..6 {
        let letter = pcscd.dir().join(format!("brief-{round}.txt"));
        let mut child = desk
            .cmd(&enrol_args(profile, &a, letter.to_str().unwrap()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Let it reach a later step each round.
        let wanted = round + 1;
        let start = Instant::now();
        let mut step = None;
        while start.elapsed() < Duration::from_secs(20) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            step = desk.open_step();
            if step
                .as_deref()
                .and_then(step_index)
                .is_some_and(|i| i >= wanted)
            {
                break;
            }
        }
        let _ = child.kill();
        let status = child.wait().unwrap();
        killed_at.push(format!("{step:?} ({status})"));

        // Another command refuses until recovery ran.
        if desk.open_step().is_some() {
            let out = desk.run(&enrol_args(profile, &a, "/nonexistent/x"));
            assert_eq!(out.status.code(), Some(4), "{}", text(&out));
            assert!(text(&out).contains("keydesk recover"));
        }
        let out = desk.run(&["--profile", profile, "--json", "recover"]);
        assert!(out.status.success(), "recover: {}", text(&out));
        assert!(desk.open_step().is_none(), "recover left the journal open");

        // Database and key agree.
        let state = desk.state(A);
        let info = piv_info(&pcscd, A);
        match state.as_str() {
            "in_stock" => assert_factory(&info),
            "issued" => {
                assert_enrolled(&info);
                // Finished before the kill: take it back for the next round.
                desk.ok(&["--profile", profile, "return", "--serial", &A.to_string()]);
                assert_factory(&piv_info(&pcscd, A));
            }
            other => panic!("after recovery key {A} is {other}:\n{info}"),
        }
        let _ = std::fs::remove_file(&letter);
    }
    eprintln!("killed at: {killed_at:?}");
    desk.ok(&["audit", "verify"]);
    eprintln!(
        "killed enrolments through pcscd ({engine:?}): {:?}",
        started.elapsed()
    );
}

/// Wait (at most 30 s) until a counter has begun its journalled work on
/// `serial` in the shared inventory at `url` (its claim is taken then), so
/// that a slow machine does not let the test act before the counter does.
fn at_work(url: &str, serial: u32) {
    let db = url.rsplit('/').next().unwrap();
    let mut client = keydesk_testpg::Server::shared()
        .unwrap()
        .connect(db)
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let open: i64 = client
            .query_one(
                "SELECT count(*) FROM journal j JOIN claims c ON c.serial = j.serial
                 WHERE j.serial = $1 AND j.state = 'open'",
                &[&i64::from(serial)],
            )
            .unwrap()
            .get(0);
        if open > 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no counter began work on {serial}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Two counters (two processes) on one shared PostgreSQL inventory, two
/// virtual keys whose PIV key asks for a touch (3 s) when it signs. A
/// counter killed mid-enrolment leaves its key to be recovered (its claim
/// went with its session); the key one counter works on is refused to the
/// other at once, with who has it; `recover` at the other counter leaves
/// the live work alone; two enrolments run in parallel.
#[test]
fn two_counters_on_one_postgresql_inventory() {
    let pcscd = Pcscd::start();
    let sock_a = pcscd.dir().join("hid-a.sock");
    let sock_b = pcscd.dir().join("hid-b.sock");
    let key = |slot, serial, sock: &Path| {
        let s = sock.to_str().unwrap();
        SimProcess::start_with(
            &pcscd,
            slot,
            serial,
            &["--firmware", "5.7.1", "--hid-socket", s, "--touch", "3000"],
        )
    };
    let _a = key(0, A, &sock_a);
    let _b = key(1, B, &sock_b);
    let desk = Counter {
        pcscd: &pcscd,
        db: Engine::Postgres.fresh_db(pcscd.dir()),
        hid: format!("{}:{}", sock_a.display(), sock_b.display()),
    };
    desk.ok(&["db", "migrate"]);
    desk.seed(&[A, B]);
    let profile = desk.profile(
        "touching.toml",
        "name = \"touching\"\n[piv]\ntouch_policy = \"always\"\n[fido]\nmode = \"skip\"\n",
    );
    let profile = profile.to_str().unwrap().to_owned();
    let letter = |n: &str| pcscd.dir().join(n).display().to_string();
    let enrol_args = |serial: u32, staff: &str, l: &str| -> Vec<String> {
        [
            "--profile",
            &profile,
            "--json",
            "enrol",
            "--serial",
            &serial.to_string(),
            "--staff",
            staff,
            "--pin-letter",
            l,
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
    };
    let spawn = |args: &[String]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        desk.cmd(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let run = |args: &[String]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        desk.run(&args)
    };

    // Killed while B waits for its touch: the server drops the claim with
    // the session; the work is interrupted, not running, and recover here
    // puts B back into factory state and stock.
    let mut killed = spawn(&enrol_args(B, "4712", &letter("killed.txt")));
    at_work(&desk.db, B);
    std::thread::sleep(Duration::from_millis(500)); // into its device steps
    killed.kill().unwrap();
    killed.wait().unwrap();
    let blocked = run(&enrol_args(B, "4712", &letter("y.txt")));
    assert_eq!(blocked.status.code(), Some(4), "{}", text(&blocked));
    assert!(text(&blocked).contains("unfinished"), "{}", text(&blocked));
    assert!(
        !text(&blocked).contains("being handled"),
        "{}",
        text(&blocked)
    );
    // The key finishes the signature the dead process asked for (its touch
    // comes after 3 s) before it answers anyone else.
    std::thread::sleep(Duration::from_secs(3));
    let recovered = desk.json(&["recover"]);
    let reports = recovered["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1, "{recovered}");
    assert_eq!(reports[0]["serial"].as_u64(), Some(B.into()), "{recovered}");
    assert_eq!(desk.state(B), "in_stock");
    assert_factory(&piv_info(&pcscd, B));

    // A in the middle of its enrolment at one counter: refused at once at
    // the other, with who has it; recover there leaves it alone.
    let one = spawn(&enrol_args(A, "4711", &letter("a.txt")));
    at_work(&desk.db, A);
    let started = Instant::now();
    let refused = run(&enrol_args(A, "4712", &letter("x.txt")));
    assert_eq!(refused.status.code(), Some(4), "{}", text(&refused));
    assert!(
        text(&refused).contains("being handled at counter"),
        "{}",
        text(&refused)
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "at once: {:?}",
        started.elapsed()
    );
    assert!(!pcscd.dir().join("x.txt").exists());
    let recovered = desk.json(&["recover"]);
    assert_eq!(
        recovered["reports"].as_array().map(Vec::len),
        Some(0),
        "{recovered}"
    );
    // And B alongside, in parallel.
    let two = spawn(&enrol_args(B, "4712", &letter("b.txt")));
    for (child, serial) in [(one, A), (two, B)] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "enrol {serial}: {}", text(&out));
        assert_eq!(desk.state(serial), "issued");
    }
    let audit = desk.json(&["audit", "verify"]);
    assert_eq!(audit["ok"], true, "{audit}");
}
