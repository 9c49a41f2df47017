//! The `keydesk` binary as scripts and auditors use it: imports, exports,
//! lookups, status workflows, audit verification, JSON output and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::str::contains;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("keydesk.db")
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("keydesk").unwrap();
        c.env("KEYDESK_DB", self.db())
            .env("USER", "tech1")
            .env_remove("KEYDESK_PROFILE");
        c
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Staff, notebooks and stock as a German office's Excel saves them (Windows-1252, `;`).
    fn seeded() -> Self {
        let env = Self::new();
        let staff = env.file("personal.csv", &cp1252("Personalnummer;Nachname;Vorname;Abteilung\r\n4711;Müller;Anna;Amt 12\r\n4712;Weiß;Jürgen;Amt 10\r\n"));
        env.cmd()
            .args(["import", "staff"])
            .arg(&staff)
            .assert()
            .success()
            .stdout(contains("2 were added"));
        let nbs = env.file(
            "geraete.csv",
            b"Inventarnummer;Hostname\r\nNB-0815;mz-nb-0815\r\n",
        );
        env.cmd()
            .args(["import", "notebooks"])
            .arg(&nbs)
            .assert()
            .success();
        let stock = env.file(
            "lieferung.csv",
            b"Seriennummer;Modell\r\n23456789;YubiKey 5 NFC\r\n23456790;YubiKey 5 NFC\r\n",
        );
        env.cmd()
            .args(["import", "stock"])
            .arg(&stock)
            .assert()
            .success();
        env
    }
}

fn cp1252(s: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1252.encode(s).0.into_owned()
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[test]
fn import_dry_run_changes_nothing_and_bad_rows_name_their_line() {
    let env = Env::new();
    let good = env.file("s.csv", b"Personalnummer;Name\n1;A\n2;B\n");
    env.cmd()
        .args(["import", "staff", "--dry-run"])
        .arg(&good)
        .assert()
        .success()
        .stdout(contains("dry run"));
    env.cmd()
        .args(["show", "staff", "1"])
        .assert()
        .code(3)
        .stderr(contains("no staff member"));
    let bad = env.file("bad.csv", b"Personalnummer;Name\n1;A\n1;B\n");
    env.cmd()
        .args(["import", "staff"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(contains("line 3"));
    env.cmd().args(["show", "staff", "1"]).assert().code(3);
}

#[test]
fn excel_export_opens_in_german_excel_and_revoked_keys_show_at_once() {
    let env = Env::seeded();
    // Revoking a key in stock is refused with the wrong-state exit code.
    env.cmd()
        .args(["revoke", "--serial", "23456789", "--reason", "lost"])
        .assert()
        .code(4)
        .stderr(contains("in_stock"));
    env.cmd()
        .args(["revoke", "--serial", "99999", "--reason", "lost"])
        .assert()
        .code(3);
    env.cmd()
        .args(["revoke", "--serial", "23456789", "--reason", "vanished"])
        .assert()
        .code(2)
        .stderr(contains("lost, stolen"));

    let inv = env.dir.path().join("inventar.csv");
    env.cmd()
        .args(["export", "inventory", "--out"])
        .arg(&inv)
        .assert()
        .success()
        .stdout(contains("rows exported"));
    let bytes = read(&inv);
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "Excel needs the UTF-8 BOM"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.contains(';') && text.contains("\r\n"), "{text}");
    assert!(
        text.contains("23456789") && text.contains("in_stock"),
        "{text}"
    );

    let rfc = env
        .cmd()
        .args(["export", "history", "--format", "rfc4180"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!rfc.starts_with(&[0xEF, 0xBB, 0xBF]));
    assert!(String::from_utf8(rfc).unwrap().contains(','));
}

#[test]
fn show_json_and_audit_verify_and_tampering_is_caught() {
    let env = Env::seeded();
    env.cmd()
        .args(["note", "--serial", "23456789", "=Kratzer"])
        .assert()
        .success();
    let out = env
        .cmd()
        .args(["--json", "show", "serial", "23456789"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["key"]["state"], "in_stock");
    assert_eq!(doc["key"]["notes"], "=Kratzer");
    assert!(doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["actor"] == "tech1"));

    let out = env
        .cmd()
        .args(["--json", "audit", "verify"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["ok"], true);
    assert!(doc["events"].as_u64().unwrap() >= 6);

    // Someone edits the history behind keydesk's back.
    assert!(edit_first_event(&env.db()), "the test could edit the file");
    env.cmd().args(["audit", "verify"]).assert().code(5);
}

/// Edit one event's reason with the sqlite3 tool, as a person with file access could
/// (dropping the append-only trigger first).
fn edit_first_event(db: &Path) -> bool {
    std::process::Command::new("sqlite3")
        .arg(db)
        .arg("DROP TRIGGER events_no_update; UPDATE events SET reason = 'edited' WHERE id = (SELECT min(id) FROM events);")
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn usage_errors_and_version() {
    let env = Env::new();
    env.cmd()
        .args(["import", "people", "x.csv"])
        .assert()
        .code(2);
    env.cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(contains("keydesk"));
}
