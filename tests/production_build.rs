//! The production build links no simulator: `keydesk` with default features
//! depends on no keydesk-sim, its binary holds neither the simulator's test
//! root nor that root's private key, and through pcscd it refuses a virtual
//! key's attestation unless the office profile names the simulator's root.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::Instant;

use keydesk_e2e::counter::{assert_factory, piv_info, Counter, Engine};
use keydesk_e2e::{production_bin, text, workspace_root, Pcscd, SimProcess};

fn cargo_tree(features: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["tree", "-p", "keydesk", "-e", "normal", "--prefix", "none"])
        .args(features)
        .current_dir(workspace_root())
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo tree: {}", text(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_default_build_depends_on_no_simulator_and_the_training_build_does() {
    let default = cargo_tree(&[]);
    assert!(
        default.lines().any(|l| l.starts_with("keydesk-core ")),
        "{default}"
    );
    assert!(
        !default.lines().any(|l| l.starts_with("keydesk-sim ")),
        "the production build links keydesk-sim:\n{default}"
    );
    // The app's one door: of the workspace it names keydesk-core and the
    // value types only, never the store or the device layer directly.
    let direct = cargo_tree(&["--depth", "1"]);
    let ours: Vec<&str> = direct
        .lines()
        .filter(|l| l.starts_with("keydesk-"))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(ours, ["keydesk-core", "keydesk-types"], "{direct}");
    let training = cargo_tree(&["--features", "sim"]);
    assert!(
        training.lines().any(|l| l.starts_with("keydesk-sim ")),
        "{training}"
    );
}

/// The base64 body lines of a PEM file (each one long enough to be unique).
fn pem_lines(pem: &str) -> Vec<String> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 40)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_production_binary_holds_neither_the_test_root_nor_its_key() {
    let binary = std::fs::read(production_bin()).unwrap();
    let piv = workspace_root().join("crates/sim/src/card/piv");
    for file in ["test_root_ca.pem", "test_root_ca.key.pem"] {
        let pem = std::fs::read_to_string(piv.join(file)).unwrap();
        let lines = pem_lines(&pem);
        assert!(!lines.is_empty(), "{file} has a body");
        for line in lines {
            assert!(
                !binary.windows(line.len()).any(|w| w == line.as_bytes()),
                "the production binary contains {file}"
            );
        }
    }
    // The same search finds a PEM that is built in: Yubico's own root.
    let yubico = std::fs::read_to_string(
        workspace_root().join("crates/device/certs/yubico-piv-root-ca.pem"),
    )
    .unwrap();
    let line = pem_lines(&yubico).remove(0);
    assert!(binary.windows(line.len()).any(|w| w == line.as_bytes()));
}

#[test]
fn the_production_binary_trusts_the_simulators_root_only_when_the_profile_names_it() {
    trusts_the_simulators_root_only_when_named(Engine::Sqlite);
}

#[test]
fn the_production_binary_trusts_the_simulators_root_only_when_the_profile_names_it_on_postgres() {
    trusts_the_simulators_root_only_when_named(Engine::Postgres);
}

fn trusts_the_simulators_root_only_when_named(engine: Engine) {
    const SERIAL: u32 = 31_000_602;
    let started = Instant::now();
    let pcscd = Pcscd::start();
    let _key = SimProcess::start_with(&pcscd, 0, SERIAL, &["--firmware", "5.7.1"]);
    let desk = Counter {
        pcscd: &pcscd,
        db: engine.fresh_db(pcscd.dir()),
        hid: String::new(),
    };
    // The production build has no FIDO sockets: PIV only.
    let piv_only = "name = \"piv-only\"\n[fido]\nmode = \"skip\"\n";
    let untrusting = desk.write("untrusting.toml", piv_only.as_bytes());
    let trusting = desk.profile("trusting.toml", piv_only);
    let production = production_bin();
    let enrol = |profile: &std::path::Path, letter: &str| {
        pcscd
            .cmd(production.to_str().unwrap())
            .env("KEYDESK_DB", &desk.db)
            .env("LANG", "C")
            .env_remove("KEYDESK_HID_SOCKET")
            .args(["--profile", profile.to_str().unwrap(), "enrol", "--serial"])
            .arg(SERIAL.to_string())
            .args(["--staff", "4711", "--pin-letter", letter])
            .output()
            .unwrap()
    };
    if engine == Engine::Postgres {
        // The production binary migrates a shared inventory itself.
        let out = pcscd
            .cmd(production.to_str().unwrap())
            .env("KEYDESK_DB", &desk.db)
            .args(["db", "migrate"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
    }
    let staff = desk.write(
        "staff.csv",
        "Personalnummer;Nachname;Vorname\r\n4711;Müller;Anna\r\n".as_bytes(),
    );
    let out = pcscd
        .cmd(production.to_str().unwrap())
        .env("KEYDESK_DB", &desk.db)
        .args(["import", "staff", staff.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));

    let refused = enrol(&untrusting, "refused.txt");
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(text(&refused).contains("attestation"), "{}", text(&refused));
    assert!(!pcscd.dir().join("refused.txt").exists());
    assert_factory(&piv_info(&pcscd, SERIAL));

    let enrolled = enrol(&trusting, "letter.txt");
    assert!(enrolled.status.success(), "{}", text(&enrolled));
    assert!(pcscd.dir().join("letter.txt").exists());
    eprintln!(
        "production enrolment through pcscd ({engine:?}): {:?}",
        started.elapsed()
    );
}
