//! The `keydesk` binary as scripts and auditors use it: imports, exports,
//! lookups, status workflows, audit verification, JSON output and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::assert::Assert;
use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
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

    /// `keydesk --sim enrol --serial S --staff P --pin-letter LETTER`.
    fn sim_enrol(&self, serial: &str, staff: &str, letter: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = self.cmd();
        c.args([
            "--sim",
            "enrol",
            "--serial",
            serial,
            "--staff",
            staff,
            "--pin-letter",
        ])
        .arg(letter);
        c
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("keydesk").unwrap();
        // English texts are compared: the C locale, whatever the machine's.
        c.env("KEYDESK_DB", self.db())
            .env("USER", "tech1")
            .env("LANG", "C")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("KEYDESK_PROFILE")
            .env_remove("KEYDESK_SITE");
        c
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// `keydesk ARGS`, run to its end.
    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// `keydesk import WHAT FILE`.
    fn import(&self, what: &str, file: &Path) -> Assert {
        self.cmd().args(["import", what]).arg(file).assert()
    }

    /// `keydesk import WHAT --dry-run FILE`.
    fn import_dry_run(&self, what: &str, file: &Path) -> Assert {
        self.cmd()
            .args(["import", what, "--dry-run"])
            .arg(file)
            .assert()
    }

    /// A delivery of the one key `serial`, imported into stock.
    fn import_stock_of(&self, serial: &str) {
        let stock = self.file(
            &format!("lieferung-{serial}.csv"),
            format!("Seriennummer;Modell\r\n{serial};YubiKey 5 NFC\r\n").as_bytes(),
        );
        self.import("stock", &stock).success();
    }

    /// `keydesk --json show KIND ID` as JSON, whatever its exit code.
    fn show_json(&self, kind: &str, id: &str) -> serde_json::Value {
        json_of(&self.run(&["--json", "show", kind, id]))
    }

    /// Staff, notebooks and stock as a German office's Excel saves them (Windows-1252, `;`).
    fn seeded() -> Self {
        Self::new().seed()
    }

    /// A training inventory (made by its first `--sim` run), seeded: the
    /// only kind virtual keys may work on.
    fn training_seeded() -> Self {
        let env = Self::new();
        json_ok(&env.run(&["--sim", "--json", "keys"]));
        env.seed()
    }

    fn seed(self) -> Self {
        let env = self;
        let staff = env.file("personal.csv", &cp1252("Personalnummer;Nachname;Vorname;Abteilung\r\n4711;Müller;Anna;Amt 12\r\n4712;Weiß;Jürgen;Amt 10\r\n"));
        env.import("staff", &staff)
            .success()
            .stdout(contains("2 were added"));
        let nbs = env.file(
            "geraete.csv",
            b"Inventarnummer;Hostname\r\nNB-0815;mz-nb-0815\r\n",
        );
        env.import("notebooks", &nbs).success();
        let stock = env.file(
            "lieferung.csv",
            b"Seriennummer;Modell\r\n23456789;YubiKey 5 NFC\r\n23456790;YubiKey 5 NFC\r\n",
        );
        env.import("stock", &stock).success();
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
    env.import_dry_run("staff", &good)
        .success()
        .stdout(contains("dry run"));
    env.cmd()
        .args(["show", "staff", "1"])
        .assert()
        .code(3)
        .stderr(contains("No staff member"));
    let bad = env.file("bad.csv", b"Personalnummer;Name\n1;A\n1;B\n");
    env.import("staff", &bad).code(2).stderr(contains("line 3"));
    env.cmd().args(["show", "staff", "1"]).assert().code(3);
}

#[test]
fn import_dry_run_lists_each_change_field_by_field() {
    let env = Env::new();
    let first = env.file("s.csv", b"Personalnummer;Name;Abteilung\n1;A;IT\n2;B;IT\n");
    env.import("staff", &first).success();
    let next = env.file(
        "t.csv",
        b"Personalnummer;Name;Abteilung\n1;A;IT\n2;B;Amt 7\n3;C;IT\n",
    );
    env.import_dry_run("staff", &next)
        .success()
        .stdout(contains("line     3: Change 2"))
        .stdout(contains("department: \"IT\" -> \"Amt 7\""))
        .stdout(contains("line     4: Add 3"));
}

#[test]
fn excel_export_opens_in_german_excel_and_revoked_keys_show_at_once() {
    let env = Env::seeded();
    // Revoking a key in stock is refused with the wrong-state exit code.
    env.cmd()
        .args(["revoke", "--serial", "23456789", "--reason", "lost"])
        .assert()
        .code(4)
        .stderr(contains("is in stock"));
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
    let doc = json_ok(&env.run(&["--json", "show", "serial", "23456789"]));
    assert_eq!(doc["key"]["state"], "in_stock");
    assert_eq!(doc["key"]["notes"], "=Kratzer");
    assert!(doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["actor"] == "tech1"));

    let doc = json_ok(&env.run(&["--json", "audit", "verify"]));
    assert_eq!(doc["ok"], true);
    assert!(doc["events"].as_u64().unwrap() >= 6);

    // Someone edits the history behind keydesk's back.
    assert!(edit_first_event(&env.db()), "the test could edit the file");
    env.cmd().args(["audit", "verify"]).assert().code(5);
}

/// Edit one event's reason with the sqlite3 tool, as a person with file access could
/// (dropping the append-only trigger first).
fn edit_first_event(db: &Path) -> bool {
    sqlite3(
        db,
        "DROP TRIGGER events_no_update; UPDATE events SET reason = 'edited' WHERE id = (SELECT min(id) FROM events);",
    )
}

/// Run `sql` on the database with the sqlite3 tool, behind keydesk's back; did it work?
fn sqlite3(db: &Path, sql: &str) -> bool {
    std::process::Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .status()
        .is_ok_and(|s| s.success())
}

/// Cut the events from `from` on and point the head record at the event before,
/// as someone with file access who knows the scheme would: plain `audit verify`
/// cannot tell.
fn cut_tail_cleanly(db: &Path, from: u64) -> bool {
    sqlite3(
        db,
        &format!(
            "DROP TRIGGER events_no_delete; DELETE FROM events WHERE id >= {from}; \
             UPDATE audit_head SET last_id = {0}, last_hash = (SELECT hash FROM events WHERE id = {0});",
            from - 1
        ),
    )
}

/// `keydesk --json audit head` of `env`.
fn head_json(env: &Env) -> serde_json::Value {
    json_of(&env.run(&["--json", "audit", "head"]))
}

#[test]
fn audit_head_gives_an_anchor_that_verify_checks_after_a_clean_cut() {
    let env = Env::new();
    let empty = head_json(&env);
    assert!(
        empty["anchor"].is_null() && empty["event"].is_null(),
        "{empty}"
    );
    env.cmd()
        .args(["audit", "head"])
        .assert()
        .success()
        .stdout(contains("empty"));

    let env = Env::seeded();
    let head = head_json(&env);
    let (event, hash) = (
        head["event"].as_u64().unwrap(),
        head["hash"].as_str().unwrap(),
    );
    assert!(event >= 3, "{head}");
    assert!(
        hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
        "{head}"
    );
    assert!(head["at"].as_str().unwrap().ends_with('Z'), "{head}");
    let anchor = format!("{event}:{hash}");
    assert_eq!(head["anchor"], anchor.as_str());
    // The text tells the auditor what to do with it and ends with the anchor alone.
    let text = env.run(&["audit", "head"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("today's date"), "{text}");
    assert_eq!(text.lines().last(), Some(anchor.as_str()), "{text}");

    // Later work does not disturb the anchor.
    env.cmd()
        .args(["note", "--serial", "23456789", "Kratzer"])
        .assert()
        .success();
    let ok = json_of(&env.run(&["--json", "audit", "verify", "--anchor", &anchor]));
    assert_eq!(
        (ok["ok"].as_bool(), ok["anchor"].as_str()),
        (Some(true), Some(anchor.as_str()))
    );
    assert_eq!(ok["events"].as_u64(), Some(event + 1));

    // The tail with the anchor is cut cleanly: only the anchor notices.
    assert!(
        cut_tail_cleanly(&env.db(), event),
        "the test could edit the file"
    );
    env.cmd().args(["audit", "verify"]).assert().success();
    env.cmd()
        .args(["audit", "verify", "--anchor", &anchor])
        .assert()
        .code(5)
        .stderr(contains(format!("event {event}")).and(contains("deleted")));
    // New events take the ids again: the anchored one is now another event.
    for text in ["a", "b"] {
        env.cmd()
            .args(["note", "--serial", "23456789", text])
            .assert()
            .success();
    }
    env.cmd().args(["audit", "verify"]).assert().success();
    let broken = env.run(&["--json", "audit", "verify", "--anchor", &anchor]);
    assert_eq!(broken.status.code(), Some(5));
    let doc = json_of(&broken);
    assert_eq!(doc["exit_code"], 5);
    assert!(
        doc["error"].as_str().unwrap().contains("rewritten"),
        "{doc}"
    );

    // A chain broken by a hand edit has no head worth writing down.
    assert!(edit_first_event(&env.db()), "the test could edit the file");
    env.cmd().args(["audit", "head"]).assert().code(5);
    env.cmd()
        .args(["audit", "verify", "--anchor", &anchor])
        .assert()
        .code(5)
        .stderr(contains("edited"));
}

#[test]
fn a_malformed_anchor_is_a_usage_error() {
    let env = Env::seeded();
    let hash = "ab".repeat(32);
    for bad in [
        String::new(),
        "12".to_owned(),
        format!("x:{hash}"),
        format!("0:{hash}"),
        "3:abc".to_owned(),
        format!("3:{hash}ff"),
    ] {
        env.cmd()
            .args(["audit", "verify", "--anchor", &bad])
            .assert()
            .code(2)
            .stderr(contains("is not an audit anchor"));
    }
    let out = env.run(&["--json", "audit", "verify", "--anchor", "3:xyz"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_of(&out)["exit_code"], 2);
}

#[test]
fn an_export_to_a_file_names_the_anchor_to_file_with_it() {
    let env = Env::seeded();
    let anchor = head_json(&env)["anchor"].as_str().unwrap().to_owned();
    let file = env.dir.path().join("verlauf.csv");
    let out = env
        .cmd()
        .args(["--json", "export", "history", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    let doc = json_of(&out);
    assert_eq!(doc["anchor"], anchor.as_str(), "{doc}");
    assert!(doc["exported_rows"].as_u64().unwrap() >= 3);
    env.cmd()
        .args(["export", "revoked", "--out"])
        .arg(&file)
        .assert()
        .success()
        .stdout(contains(format!("audit anchor at export: {anchor}")));
    env.cmd()
        .args(["audit", "verify", "--anchor", &anchor])
        .assert()
        .success();
}

#[test]
fn usage_errors_and_version() {
    let env = Env::new();
    env.cmd()
        .args(["import", "people", "x.csv"])
        .assert()
        .code(2);
    // Serials and reasons are parsed at the edge, before an inventory is opened.
    env.cmd()
        .args(["revoke", "--serial", "12a", "--reason", "lost"])
        .assert()
        .code(2)
        .stderr(contains("is not a key serial"));
    let out = env.run(&["--json", "note", "--serial", "0", "x"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let doc = json_of(&out);
    assert!(
        doc["error"]
            .as_str()
            .is_some_and(|e| e.contains("serial 0 is not a key serial")),
        "{doc}"
    );
    assert_eq!(doc["exit_code"], 2, "{doc}");
    env.cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(contains("keydesk"));
}

// ---- commands that touch keys, on the in-process virtual keys of `--sim` ----

#[test]
fn virtual_keys_never_open_a_real_inventory() {
    let env = Env::seeded();
    let before = env.show_json("staff", "4711");
    let out = env.run(&["--sim", "--json", "keys"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let doc = json_of(&out);
    let error = doc["error"].as_str().unwrap();
    assert!(error.contains("is a real inventory"), "{doc}");
    assert!(error.contains("keydesk demo"), "says what to do: {doc}");
    assert_eq!(env.show_json("staff", "4711"), before, "nothing changed");
    // Nor does an enrolment of a virtual key go in.
    env.sim_enrol(SIM_A, "4711", env.dir.path().join("letter.txt"))
        .assert()
        .code(2);
    assert!(!env.dir.path().join("letter.txt").exists());
    assert!(env.show_json("serial", SIM_A)["error"].is_string());
}

// Each `--sim` run plugs two factory-fresh keys: 23456780 (5.7.1) and 18000042 (5.4.3).

const SIM_A: &str = "23456780";
const SIM_B: &str = "18000042";

#[test]
fn sites_are_added_listed_named_by_imports_and_recorded_on_events() {
    let env = Env::new();
    env.cmd()
        .args(["site", "list"])
        .assert()
        .success()
        .stdout(contains("no sites yet"));
    env.cmd()
        .args(["site", "add", "amt12", "--name", "Amt 12 – Bürgeramt"])
        .assert()
        .success()
        .stdout(contains("site AMT12 added: Amt 12 – Bürgeramt"));
    let dup = env.run(&["--json", "site", "add", "AMT12", "--name", "again"]);
    assert!(!dup.status.success());
    env.cmd()
        .args(["site", "add", "Amt 12", "--name", "x"])
        .assert()
        .code(2)
        .stderr(contains("is not a site code"));
    let list = json_ok(&env.run(&["--json", "site", "list"]));
    assert_eq!(list["sites"][0]["code"], "AMT12");
    assert_eq!(list["sites"][0]["name"], "Amt 12 – Bürgeramt");
    // A staff list with a Dienststelle column, written at the counter of AMT12.
    let staff = env.file(
        "personal.csv",
        &cp1252("Personalnummer;Nachname;Dienststelle\r\n4711;Müller;amt12\r\n"),
    );
    env.cmd()
        .args(["--site", "AMT12", "import", "staff"])
        .arg(&staff)
        .assert()
        .success();
    let shown = env.show_json("staff", "4711");
    assert!(shown.to_string().contains(r#""site":"AMT12""#), "{shown}");
    let history = env.run(&["export", "history", "--format", "rfc4180"]);
    let history = String::from_utf8(history.stdout).unwrap();
    let last = history.lines().last().unwrap();
    assert!(
        last.contains("staff.add") && last.ends_with(",AMT12"),
        "{last}"
    );
    // An unknown site in the file is refused with its line; an unknown
    // counter site before anything is done.
    let bad = env.file(
        "bad.csv",
        b"Personalnummer;Nachname;Amt\r\n4712;Wei;AMT99\r\n",
    );
    env.import("staff", &bad)
        .failure()
        .stderr(contains("line 2").and(contains("no site with code AMT99")));
    env.cmd()
        .env("KEYDESK_SITE", "AMT99")
        .args(["show", "staff", "4711"])
        .assert()
        .code(3)
        .stderr(contains("AMT99"));
    json_ok(&env.run(&["--json", "audit", "verify"]));
}

#[test]
fn a_sites_profile_is_kept_in_the_inventory_shown_and_used_by_its_counters() {
    let env = Env::new();
    for (code, name) in [("AMT12", "Amt 12 – Bürgeramt"), ("AMT20", "Amt 20 – Kasse")] {
        env.cmd()
            .args(["site", "add", code, "--name", name])
            .assert()
            .success();
    }
    let toml = "name = \"Amt 12 VPN\"\n[piv]\npin_length = 8\n";
    let file = env.file("amt12.toml", toml.as_bytes());
    let set = json_ok(
        &env.cmd()
            .args(["--json", "site", "profile", "AMT12", "--file"])
            .arg(&file)
            .output()
            .unwrap(),
    );
    let sha = set["profile_sha256"].as_str().unwrap().to_owned();
    assert_eq!((sha.len(), &set["changed"]), (64, &serde_json::json!(true)));
    env.cmd()
        .args(["site", "profile", "amt12", "--file"])
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("has this profile already").and(contains(sha.as_str())));
    // Shown as it is kept, to redirect into a file.
    env.cmd()
        .args(["site", "profile", "AMT12"])
        .assert()
        .success()
        .stdout(predicates::ord::eq(toml));
    env.cmd()
        .args(["site", "list"])
        .assert()
        .success()
        .stdout(contains("Amt 12 – Bürgeramt  (with profile)").and(contains("Kasse\n")));
    // The trail names the profile by its hash, never by its content.
    let history = env.run(&["export", "history", "--format", "rfc4180"]);
    let history = String::from_utf8(history.stdout).unwrap();
    assert!(
        history.contains("site.profile") && history.contains(&sha),
        "{history}"
    );
    assert!(!history.contains("pin_length"), "{history}");

    // A counter of the site uses it, and says so.
    env.cmd()
        .args(["--site", "AMT12", "status"])
        .assert()
        .success()
        .stdout(
            contains("site AMT12 Amt 12 – Bürgeramt")
                .and(contains("profile of site AMT12 from the inventory"))
                .and(contains("profile name: Amt 12 VPN")),
        );
    let status = json_ok(&env.run(&["--json", "--site", "AMT12", "status"]));
    assert_eq!(status["site"]["name"], "Amt 12 – Bürgeramt");
    assert_eq!(status["profile"]["source"]["kind"], "site");
    // A file given explicitly wins; the other site has the built-in defaults.
    let own = env.file("own.toml", b"name = \"own\"\n");
    env.cmd()
        .args(["--site", "AMT12", "--profile"])
        .arg(&own)
        .arg("status")
        .assert()
        .success()
        .stdout(contains(format!(
            "profile {}\nprofile name: own",
            own.display()
        )));
    env.cmd()
        .env("KEYDESK_SITE", "AMT20")
        .arg("status")
        .assert()
        .success()
        .stdout(contains("site AMT20").and(contains("built-in default profile")));
    // A file for another site is refused, naming both.
    let other = env.file("amt20.toml", b"site = \"AMT20\"\n");
    env.cmd()
        .args(["--site", "AMT12", "--profile"])
        .arg(&other)
        .arg("status")
        .assert()
        .code(2)
        .stderr(contains(
            "is for site AMT20, but this counter works for site AMT12",
        ));
    // Neither may it be kept for AMT12; what was kept stays.
    env.cmd()
        .args(["site", "profile", "AMT12", "--file"])
        .arg(&other)
        .assert()
        .code(2)
        .stderr(contains("names site AMT20"));
    env.cmd()
        .args(["site", "profile", "AMT99", "--file"])
        .arg(&file)
        .assert()
        .code(3);
    env.cmd()
        .args(["site", "profile", "AMT12"])
        .assert()
        .stdout(predicates::ord::eq(toml));
    env.cmd()
        .args(["site", "profile", "AMT12", "--clear"])
        .assert()
        .success()
        .stdout(contains("profile of site AMT12 cleared"));
    env.cmd()
        .args(["--site", "AMT12", "status"])
        .assert()
        .success()
        .stdout(contains("built-in default profile"));
    env.cmd()
        .args(["site", "profile", "AMT12"])
        .assert()
        .success()
        .stdout(contains("site AMT12 has no profile in the inventory"));
}

#[test]
fn a_delivery_goes_to_the_counters_site_and_an_enrolment_there_follows_its_profile() {
    let env = Env::training_seeded();
    env.cmd()
        .args(["site", "add", "AMT12", "--name", "Amt 12"])
        .assert()
        .success();
    let delivery = env.file(
        "lieferung.csv",
        b"Seriennummer;Modell\r\n23456700;YubiKey 5 NFC\r\n",
    );
    env.cmd()
        .args(["--site", "AMT12", "import", "stock"])
        .arg(&delivery)
        .assert()
        .success();
    let shown = env.show_json("serial", "23456700");
    assert!(shown.to_string().contains(r#""site":"AMT12""#), "{shown}");
    let bad = env.file(
        "bad.csv",
        b"Seriennummer;Site\r\n23456701;\r\n23456702;AMT99\r\n",
    );
    env.cmd()
        .args(["--site", "AMT12", "import", "stock"])
        .arg(&bad)
        .assert()
        .failure()
        .stderr(contains("line 3").and(contains("AMT99")));
    assert!(
        env.show_json("serial", "23456701")["error"].is_string(),
        "nothing written"
    );

    let profile = env.file("amt12.toml", b"name = \"Amt 12\"\n[piv]\npin_length = 8\n");
    env.cmd()
        .args(["site", "profile", "AMT12", "--file"])
        .arg(&profile)
        .assert()
        .success();
    let letter = env.dir.path().join("brief.txt");
    env.sim_enrol(SIM_B, "4711", &letter)
        .env("KEYDESK_SITE", "AMT12")
        .assert()
        .success();
    let pin = letter_value(&std::fs::read_to_string(&letter).unwrap(), "PIV-PIN");
    assert_eq!(pin.len(), 8, "the site's profile sets the PIN length");
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not one JSON document ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// The JSON of a run that must have succeeded.
fn json_ok(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    json_of(out)
}

/// The database file and its WAL, as bytes: to look for secrets in.
fn db_bytes(db: &Path) -> Vec<u8> {
    let mut all = read(db);
    let wal = db.with_extension("db-wal");
    if wal.exists() {
        all.extend(read(&wal));
    }
    all
}

fn contains_bytes(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The value after `label` on the letter's line.
fn letter_value(letter: &str, label: &str) -> String {
    letter
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no {label} line in:\n{letter}"))
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn keys_lists_both_virtual_keys_joined_with_the_inventory() {
    let env = Env::training_seeded();
    env.import_stock_of(SIM_B);
    let doc = json_ok(&env.run(&["--sim", "--json", "keys"]));
    let keys = doc["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "{doc}");
    let by = |s: &str| {
        keys.iter()
            .find(|k| k["serial"].as_u64().map(|n| n.to_string()).as_deref() == Some(s))
            .unwrap_or_else(|| panic!("{s} missing in {doc}"))
    };
    assert_eq!(by(SIM_A)["state"], "unknown");
    assert_eq!(by(SIM_A)["firmware"], "5.7.1");
    assert_eq!(by(SIM_B)["state"], "in_stock");
    assert_eq!(by(SIM_B)["firmware"], "5.4.3");
    assert_eq!(doc["unfinished"], 0);
    env.cmd()
        .args(["--sim", "keys"])
        .assert()
        .success()
        .stdout(contains(SIM_A).and(contains("in_stock")));
}

#[test]
fn enrol_with_a_pin_letter_writes_it_once_privately_and_stores_no_pin() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::training_seeded();
    let letter = env.dir.path().join("brief-4711.txt");
    let out = env
        .cmd()
        .args([
            "--sim", "--json", "enrol", "--serial", SIM_A, "--staff", "4711",
        ])
        .args(["--notebook", "NB-0815", "--pin-letter"])
        .arg(&letter)
        .output()
        .unwrap();
    let doc = json_ok(&out);
    assert_eq!(doc["serial"].to_string(), SIM_A);
    assert_eq!(doc["state"], "issued");
    assert_eq!(doc["fido_pin_set"], true);

    let mode = std::fs::metadata(&letter).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the PIN letter is readable by its owner only");
    let text = std::fs::read_to_string(&letter).unwrap();
    assert!(text.contains(SIM_A) && text.contains("Müller, Anna (4711)"));
    let pin = letter_value(&text, "PIV-PIN");
    let puk = letter_value(&text, "PIV-PUK");
    let fido = letter_value(&text, "FIDO2-PIN");
    for secret in [&pin, &puk, &fido] {
        assert!(secret.len() >= 6 && secret.bytes().all(|c| c.is_ascii_digit()));
        let all = [&out.stdout[..], &out.stderr[..]].concat();
        assert!(!contains_bytes(&all, secret), "a PIN was printed");
        assert!(
            !contains_bytes(&db_bytes(&env.db()), secret),
            "a PIN is in the database"
        );
    }
    // The CSR lies next to the letter.
    let csr = std::fs::read_to_string(env.dir.path().join(format!("{SIM_A}.csr.pem"))).unwrap();
    assert!(csr.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));

    // The inventory knows the holder.
    let doc = env.show_json("serial", SIM_A);
    assert_eq!(doc["key"]["state"], "issued");
    assert_eq!(doc["assignments"][0]["personnel_no"], "4711");

    // A second enrolment of the same key: wrong state, and no letter is written.
    let second = env.dir.path().join("brief-2.txt");
    env.sim_enrol(SIM_A, "4712", &second)
        .assert()
        .code(4)
        .stderr(contains("issued"));
    assert!(!second.exists());
    // An existing letter is never overwritten.
    env.sim_enrol(SIM_B, "4712", &letter)
        .assert()
        .code(2)
        .stderr(contains("never overwritten"));
    assert_eq!(std::fs::read_to_string(&letter).unwrap(), text);
    env.cmd().args(["audit", "verify"]).assert().success();
}

#[test]
fn enrol_reads_typed_pins_from_a_descriptor_and_rejects_short_ones() {
    let env = Env::training_seeded();
    let csr = env.dir.path().join("req.pem");
    let out = env
        .cmd()
        .args([
            "--sim", "--json", "enrol", "--serial", SIM_B, "--staff", "4712", "--pin-fd", "0",
            "--csr",
        ])
        .arg(&csr)
        .write_stdin("24681357\n97531086\n")
        .output()
        .unwrap();
    let doc = json_ok(&out);
    assert_eq!(doc["fido_pin_set"], true);
    assert!(doc.get("pin_letter").is_none_or(serde_json::Value::is_null));
    assert!(read(&csr).starts_with(b"-----BEGIN CERTIFICATE REQUEST-----"));
    let db = db_bytes(&env.db());
    assert!(!contains_bytes(&db, "24681357") && !contains_bytes(&db, "97531086"));

    // Too short for the profile: wrong-PIN class, nothing issued.
    env.cmd()
        .args([
            "--sim", "enrol", "--serial", SIM_A, "--staff", "4711", "--pin-fd", "0",
        ])
        .write_stdin("123\n")
        .assert()
        .code(7);
    let doc = env.show_json("serial", SIM_A);
    assert_ne!(doc["key"]["state"], "issued");
}

#[test]
fn fido_reset_refuses_with_several_keys_and_piv_reset_returns_to_stock() {
    let env = Env::training_seeded();
    let letter = env.dir.path().join("b.txt");
    env.sim_enrol(SIM_A, "4711", &letter).assert().success();
    // Several keys plugged in: a FIDO2 reset is refused and nothing is recorded.
    env.cmd()
        .args(["--sim", "return", "--serial", SIM_A])
        .assert()
        .code(6)
        .stderr(contains("unplug all but 23456780"));
    assert_eq!(env.show_json("serial", SIM_A)["key"]["state"], "issued");
    env.cmd()
        .args(["--sim", "return", "--serial", SIM_A, "--no-reset"])
        .assert()
        .success();
    assert_eq!(env.show_json("serial", SIM_A)["key"]["state"], "returned");
    let reset = json_ok(&env.run(&["--sim", "--json", "reset", "--serial", SIM_A, "--piv"]));
    assert_eq!(reset["state"], "in_stock");
    assert_eq!(env.show_json("serial", SIM_A)["key"]["state"], "in_stock");
}

#[test]
fn lost_revokes_and_lends_a_temporary_key_and_loans_list_it() {
    let env = Env::training_seeded();
    env.cmd()
        .args([
            "--sim",
            "enrol",
            "--serial",
            SIM_A,
            "--staff",
            "4711",
            "--notebook",
            "NB-0815",
            "--pin-letter",
        ])
        .arg(env.dir.path().join("a.txt"))
        .assert()
        .success();
    let out = env
        .cmd()
        .args([
            "--sim",
            "--json",
            "lost",
            "--serial",
            SIM_A,
            "--temporary",
            SIM_B,
            "--until",
            "2099-12-31",
            "--pin-letter",
        ])
        .arg(env.dir.path().join("b.txt"))
        .output()
        .unwrap();
    let doc = json_ok(&out);
    assert_eq!(doc["due"], "2099-12-31");
    assert_eq!(doc["lost"]["state"], "revoked");
    let revoked = env.run(&["export", "revoked"]);
    assert!(String::from_utf8_lossy(&revoked.stdout).contains(SIM_A));
    let loans = json_of(&env.run(&["--json", "loans"]));
    assert_eq!(loans["loans"][0]["serial"].to_string(), SIM_B);
    assert_eq!(loans["loans"][0]["personnel_no"], "4711");
    let expired = json_of(&env.run(&["--json", "loans", "--expired"]));
    assert_eq!(expired["loans"].as_array().unwrap().len(), 0);
}

#[test]
fn recover_with_nothing_to_do_and_an_unfinished_operation_blocks_key_commands() {
    let env = Env::training_seeded();
    let doc = json_ok(&env.run(&["--sim", "--json", "recover"]));
    assert_eq!(doc["reports"].as_array().unwrap().len(), 0);
    assert_eq!(doc["needs_key"], 0);
    env.cmd()
        .args(["--sim", "recover"])
        .assert()
        .success()
        .stdout(contains("nothing to recover"));

    // An enrolment of SIM_A (in stock) was interrupted before its first device step.
    env.import_stock_of(SIM_A);
    let ok = sqlite3(
        &env.db(),
        &format!(
            "INSERT INTO journal (serial, workflow, step, intent_json, created_at, updated_at) \
             VALUES ({SIM_A}, 'enrol', 'begin', '{{}}', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');"
        ),
    );
    assert!(ok, "sqlite3 could write the journal");
    env.sim_enrol(SIM_B, "4711", env.dir.path().join("x.txt"))
        .assert()
        .code(4)
        .stderr(contains("keydesk recover"));
    assert!(!env.dir.path().join("x.txt").exists());
    let doc = json_ok(&env.run(&["--sim", "--json", "recover"]));
    assert_eq!(doc["reports"][0]["serial"].to_string(), SIM_A);
    assert!(!doc["reports"][0]["account"].as_array().unwrap().is_empty());
    env.sim_enrol(SIM_B, "4711", env.dir.path().join("x.txt"))
        .assert()
        .success();
}

#[test]
fn an_operation_running_in_another_window_does_not_block_but_an_interrupted_one_does() {
    let env = Env::training_seeded();
    // The owner recorded on journal entries: "workstation:pid:start time". This
    // test process is alive, so an entry it owns is running in "another window".
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default();
    let host = if host.is_empty() {
        "unknown".to_owned()
    } else {
        host
    };
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let start = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .nth(19)
        .unwrap()
        .to_owned();
    let me = std::process::id();
    assert!(sqlite3(&env.db(), &format!(
        "INSERT INTO journal (serial, workflow, step, intent_json, created_at, updated_at, owner) \
         VALUES (23456789, 'enrol', 'piv.pin:begin', '{{}}', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z', '{host}:{me}:{start}');"
    )));
    env.sim_enrol(SIM_A, "4711", env.dir.path().join("a.txt"))
        .assert()
        .success()
        .stderr(contains("in progress"));
    // The same key is refused while the other window works on it.
    env.cmd()
        .args(["--sim", "reset", "--serial", "23456789", "--piv"])
        .assert()
        .code(4)
        .stderr(contains("keydesk recover"));
    // Its owner is gone (a pid whose start time does not match): interrupted, everything waits for recover.
    assert!(sqlite3(
        &env.db(),
        &format!("UPDATE journal SET owner = '{host}:{me}:0';")
    ));
    env.sim_enrol(SIM_B, "4712", env.dir.path().join("b.txt"))
        .assert()
        .code(4)
        .stderr(contains("keydesk recover"));
}

/// Run `keydesk` on a pseudo-terminal (util-linux `script`), typing `lines`
/// one by one once it waits for them; returns what the terminal showed.
fn on_terminal(env: &Env, args: &str, lines: &[&str]) -> (bool, String) {
    let bin = assert_cmd::cargo::cargo_bin("keydesk");
    let mut typing = String::from("sleep 1");
    for l in lines {
        typing.push_str(&format!("; printf '{l}\\r'; sleep 0.3"));
    }
    let shell = format!(
        "({typing}; sleep 1) | script -qec '{} {args}' /dev/null",
        bin.display()
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(shell)
        .env("KEYDESK_DB", env.db())
        .current_dir(env.dir.path())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn pins_typed_on_the_terminal_are_not_echoed_and_must_match() {
    let env = Env::training_seeded();
    let args = format!("--sim --json enrol --serial {SIM_A} --staff 4711");
    let (_, screen) = on_terminal(&env, &args, &["24681357", "24681399"]);
    assert!(screen.contains("New PIV PIN again"), "{screen}");
    assert!(screen.contains("differ"), "{screen}");
    let show = env.show_json("serial", SIM_A);
    assert_eq!(
        show["error"].as_str().map(|_| ()),
        Some(()),
        "nothing was enrolled: {show}"
    );

    let (ok, screen) = on_terminal(
        &env,
        &args,
        &["24681357", "24681357", "97531086", "97531086"],
    );
    assert!(ok, "{screen}");
    assert!(screen.contains("New FIDO2 PIN again"), "{screen}");
    assert!(screen.contains("\"state\": \"issued\""), "{screen}");
    assert!(
        !screen.contains("24681357") && !screen.contains("97531086"),
        "a PIN was echoed: {screen}"
    );
}

/// Both virtual keys enrolled, then handed back without a reset: both wait for one.
fn two_returned() -> Env {
    let env = Env::training_seeded();
    for (serial, letter) in [(SIM_A, "a.txt"), (SIM_B, "b.txt")] {
        env.sim_enrol(serial, "4711", env.dir.path().join(letter))
            .assert()
            .success();
        env.cmd()
            .args(["--sim", "return", "--serial", serial, "--no-reset"])
            .assert()
            .success();
    }
    env
}

#[test]
fn reset_batch_of_waiting_keys_resets_each_plugged_key_with_progress() {
    let env = two_returned();
    let out = env.run(&[
        "--sim",
        "--json",
        "reset-batch",
        "--waiting",
        "--piv-only",
        "--yes",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("batch of 2 key(s) to reset (PIV only)"),
        "{err}"
    );
    assert!(
        err.contains("[1/2] Key") && err.contains("[2/2] Key"),
        "{err}"
    );
    let doc = json_of(&out);
    assert_eq!(doc["finished"], true, "{doc}");
    assert_eq!(doc["done"].as_array().unwrap().len(), 2, "{doc}");
    for serial in [SIM_A, SIM_B] {
        let show = env.show_json("serial", serial);
        assert_eq!(show["key"]["state"], "in_stock", "{show}");
    }
    // Nothing waits any more.
    env.cmd()
        .args(["--sim", "reset-batch", "--waiting"])
        .assert()
        .success()
        .stdout(contains("no key waits for a reset"));
}

#[test]
fn reset_batch_with_fido2_waits_for_keys_one_at_a_time_and_resets_nothing_meanwhile() {
    let env = two_returned();
    let out = env.run(&[
        "--sim",
        "--json",
        "reset-batch",
        "--serial",
        &format!("{SIM_A},{SIM_B}"),
        "--yes",
        "--idle-timeout",
        "1",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("2 keys plugged in: leave only the next key"),
        "{err}"
    );
    assert_eq!(
        err.matches("2 keys plugged in").count(),
        1,
        "a standing situation is said once: {err}"
    );
    let doc = json_of(&out);
    assert_eq!(doc["finished"], false, "{doc}");
    assert_eq!(doc["remaining"].as_array().unwrap().len(), 2, "{doc}");
    let show = env.show_json("serial", SIM_A);
    assert_eq!(show["key"]["state"], "returned", "nothing reset: {show}");
}

#[test]
fn reset_batch_is_confirmed_by_typing_the_count_and_refuses_keys_not_waiting() {
    let env = two_returned();
    let args = format!("--sim reset-batch --serial {SIM_A} --piv-only");
    let (ok, screen) = on_terminal(&env, &args, &["2"]);
    assert!(!ok, "{screen}");
    assert!(
        screen.contains("Type 1 to reset these 1 key(s)"),
        "{screen}"
    );
    assert!(
        screen.contains("Not confirmed: nothing was reset"),
        "{screen}"
    );
    let (ok, screen) = on_terminal(&env, &args, &["1"]);
    assert!(ok, "{screen}");
    assert!(screen.contains("all 1 key(s) reset"), "{screen}");
    // No terminal and no --yes: refused.
    env.cmd()
        .args(["--sim", "reset-batch", "--serial", SIM_B])
        .assert()
        .code(2)
        .stderr(contains("--yes"));
    // SIM_A is in stock now, and issued keys cannot be batched.
    env.sim_enrol(SIM_A, "4712", env.dir.path().join("c.txt"))
        .assert()
        .success();
    env.cmd()
        .args(["--sim", "reset-batch", "--serial", SIM_A])
        .assert()
        .code(4)
        .stderr(contains("issued"));
    env.cmd()
        .args(["--sim", "reset-batch", "--serial", "12345", "--yes"])
        .assert()
        .code(3);
}

#[test]
fn the_cli_speaks_german_under_a_german_locale_and_json_stays_neutral() {
    let env = Env::new();
    let de = |args: &[&str]| {
        let mut c = env.cmd();
        c.env("LANG", "de_DE.UTF-8").args(args);
        c.output().unwrap()
    };
    let staff = env.file(
        "personal.csv",
        "Personalnummer;Nachname;Vorname\r\n4711;Müller;Anna\r\n".as_bytes(),
    );
    let out = de(&["import", "staff", staff.to_str().unwrap()]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("1 Zeilen gelesen") && said.contains("1 hinzugefügt"),
        "{said}"
    );
    // An error: what happened, then what to do, each in German.
    let out = de(&["show", "staff", "9999"]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("keydesk: Keine Person mit Personalnummer 9999\n"),
        "{err}"
    );
    assert!(
        err.contains("\n  Was tun: Personalliste importieren oder Person anlegen."),
        "{err}"
    );
    // A file the CLI cannot read names the file and says what to do.
    let out = de(&["import", "staff", "/nonexistent/personal.csv"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Die Datei /nonexistent/personal.csv gibt es nicht"),
        "{err}"
    );
    // Scripts read the same error language-neutrally.
    let out = de(&["--json", "show", "staff", "9999"]);
    let doc = json_of(&out);
    assert!(
        doc["error"].as_str().unwrap().contains("no staff member"),
        "{doc}"
    );
    assert_eq!(doc["exit_code"], 3);
    // The same in the C locale: English.
    env.cmd()
        .args(["show", "staff", "9999"])
        .assert()
        .code(3)
        .stderr(contains("What to do: import the staff list"));
}

#[test]
fn a_bad_import_line_is_told_in_german_under_a_german_locale() {
    let env = Env::new();
    let bad = env.file(
        "personal.csv",
        "Personalnummer;Name;Aktiv\r\n4711;Müller;ja\r\n4712;Schmidt;vielleicht\r\n4711;Meier;nein\r\n"
            .as_bytes(),
    );
    let out = env
        .cmd()
        .env("LANG", "de_DE.UTF-8")
        .args(["import", "staff"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("keydesk: Importdatei abgelehnt"), "{err}");
    assert!(
        err.contains(
            "\nZeile 3: „vielleicht“ ist kein Ja/Nein-Wert für die Spalte Aktiv (ja/nein, 1/0)\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("\nZeile 4: Personalnummer 4711 kommt doppelt vor (zuerst in Zeile 2)"),
        "{err}"
    );
    assert!(!err.contains("appears twice"), "{err}");
    // The C locale reads the store's English, as before.
    env.import("staff", &bad).code(2).stderr(contains(
        "line 4: personnel number 4711 appears twice (first on line 2)",
    ));
}

#[test]
fn the_counter_refuses_virtual_keys_on_a_real_inventory_before_its_screen_opens() {
    let env = Env::seeded();
    let out = env
        .cmd()
        .env("LANG", "de_DE.UTF-8")
        .arg("--sim")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ist ein echter Bestand"), "{err}");
    assert!(
        err.contains("Was tun: keydesk demo starten oder mit --db eine neue Datei angeben."),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no screen was drawn");
}

/// `keydesk db copy`: an SQLite inventory to a shared PostgreSQL one and
/// back, the audit chain intact (the source's anchor verifies on the
/// copies), exports identical; a non-empty target is refused, unchanged.
#[test]
fn db_copy_moves_an_inventory_to_postgresql_and_back_with_its_audit_chain() {
    let env = Env::new();
    let staff = env.file(
        "staff.csv",
        "Personalnummer;Nachname;Vorname\r\n4711;Müller;Anna\r\n4712;Weiß;Jürgen\r\n".as_bytes(),
    );
    let stock = env.file(
        "stock.csv",
        b"Seriennummer;Modell\r\n31000001;YubiKey 5 NFC\r\n31000002;YubiKey 5C\r\n",
    );
    env.import("staff", &staff).success();
    env.import("stock", &stock).success();
    let out = env.run(&["--json", "audit", "head"]);
    assert!(out.status.success(), "{out:?}");
    let head: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let anchor = head["anchor"].as_str().unwrap().to_owned();
    let export = |db: &str| {
        let out = env.run(&["--db", db, "export", "inventory", "--format", "rfc4180"]);
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let source = env.db().display().to_string();
    let before = export(&source);

    let url = keydesk_testpg::Server::shared()
        .expect("a PostgreSQL test server (make deps)")
        .fresh_database()
        .unwrap();
    assert!(env.run(&["--db", &url, "db", "migrate"]).status.success());
    let out = env.run(&["--json", "db", "copy", "--to", &url]);
    assert!(out.status.success(), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["anchor"].as_str(), Some(anchor.as_str()), "{doc}");
    assert_eq!(doc["rows"]["keys"], 2, "{doc}");
    assert_eq!(doc["rows"]["staff"], 2, "{doc}");
    let verified = env.run(&["--db", &url, "audit", "verify", "--anchor", &anchor]);
    assert!(verified.status.success(), "{verified:?}");
    assert_eq!(export(&url), before);

    let back = env.dir.path().join("back.db").display().to_string();
    let out = env.run(&["--db", &url, "db", "copy", "--to", &back]);
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(said.contains(&anchor), "{said}");
    assert_eq!(export(&back), before);
    let verified = env.run(&["--db", &back, "audit", "verify", "--anchor", &anchor]);
    assert!(verified.status.success(), "{verified:?}");

    let again = env.run(&["db", "copy", "--to", &url]);
    assert!(!again.status.success());
    let said = String::from_utf8_lossy(&again.stderr).into_owned();
    assert!(said.contains("not empty"), "{said}");
    assert_eq!(export(&url), before, "a refused copy changes nothing");
}

/// `keydesk operator`: an admin grants roles on a shared inventory; an
/// auditor's change is refused naming its role, and nothing changes; an
/// SQLite file says it has no operator roles.
#[test]
fn operators_are_granted_and_an_auditor_is_refused_a_change() {
    let env = Env::new();
    let server = keydesk_testpg::Server::shared().expect("a PostgreSQL test server (make deps)");
    let url = server.fresh_database().unwrap();
    let name = url.rsplit('/').next().unwrap().to_owned();
    assert!(env.run(&["--db", &url, "db", "migrate"]).status.success());
    let otto = format!("otto_{}", std::process::id());
    server.create_login_role(&otto, "pw").unwrap();
    let out = env.run(&["--db", &url, "operator", "grant", "auditor", &otto]);
    assert!(out.status.success(), "{out:?}");
    let out = env.run(&["--db", &url, "--json", "operator", "list"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["operators"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["user"] == otto.as_str() && o["role"] == "auditor"),
        "{doc}"
    );
    let stock = env.file(
        "stock.csv",
        b"Seriennummer;Modell\r\n31000009;YubiKey 5 NFC\r\n",
    );
    let as_otto = server.url_as(&otto, "pw", &name);
    let refused = env
        .cmd()
        .args(["--db", &as_otto, "import", "stock"])
        .arg(&stock)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let said = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(
        said.contains(&format!("refuses this to {otto} (auditor)")),
        "{said}"
    );
    let inventory = env.run(&[
        "--db",
        &as_otto,
        "export",
        "inventory",
        "--format",
        "rfc4180",
    ]);
    assert!(inventory.status.success(), "an auditor reads and exports");
    assert!(!String::from_utf8_lossy(&inventory.stdout).contains("31000009"));

    let local = env.run(&["operator", "list"]);
    assert_eq!(local.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&local.stderr).contains("shared inventory"),
        "{local:?}"
    );
}

/// `keydesk operator grant technician USER --site CODE`: the technician's
/// counter works for its sites only, and a key of another site is refused
/// naming that site; a technician needs sites, and the counter's
/// `KEYDESK_SITE` is never granted by accident.
#[test]
fn a_technician_works_on_the_sites_granted_and_is_told_which_is_missing() {
    let env = Env::new();
    let server = keydesk_testpg::Server::shared().expect("a PostgreSQL test server (make deps)");
    let url = server.fresh_database().unwrap();
    let name = url.rsplit('/').next().unwrap().to_owned();
    assert!(env.run(&["--db", &url, "db", "migrate"]).status.success());
    for (code, site) in [("AMT12", "Bürgeramt"), ("AMT20", "Ordnungsamt")] {
        let out = env.run(&["--db", &url, "site", "add", code, "--name", site]);
        assert!(out.status.success(), "{out:?}");
    }
    let stock = env.file(
        "stock.csv",
        b"Seriennummer;Modell;Dienststelle\r\n31000011;YubiKey 5 NFC;AMT12\r\n31000012;YubiKey 5 NFC;AMT20\r\n",
    );
    let out = env
        .cmd()
        .args(["--db", &url, "import", "stock"])
        .arg(&stock)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let tina = format!("tina_{}", std::process::id());
    server.create_login_role(&tina, "pw").unwrap();

    let no_sites = env
        .cmd()
        .env("KEYDESK_SITE", "AMT12")
        .args(["--db", &url, "operator", "grant", "technician", &tina])
        .output()
        .unwrap();
    assert_eq!(no_sites.status.code(), Some(2), "{no_sites:?}");
    assert!(
        String::from_utf8_lossy(&no_sites.stderr).contains("--all-sites"),
        "{no_sites:?}"
    );
    let both = env.run(&[
        "--db",
        &url,
        "operator",
        "grant",
        "technician",
        &tina,
        "--site",
        "AMT12",
        "--all-sites",
    ]);
    assert_eq!(both.status.code(), Some(2), "{both:?}");
    let out = env.run(&[
        "--db",
        &url,
        "operator",
        "grant",
        "technician",
        &tina,
        "--site",
        "AMT12",
    ]);
    assert!(out.status.success(), "{out:?}");
    let out = env.run(&["--db", &url, "--json", "operator", "list"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["operators"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["user"] == tina.as_str()
                && o["role"] == "technician"
                && o["sites"] == serde_json::json!(["AMT12"])),
        "{doc}"
    );

    let as_tina = server.url_as(&tina, "pw", &name);
    let elsewhere = env.run(&["--db", &as_tina, "--site", "AMT20", "loans"]);
    assert_eq!(elsewhere.status.code(), Some(2), "{elsewhere:?}");
    let said = String::from_utf8_lossy(&elsewhere.stderr).into_owned();
    assert!(
        said.contains("not on site AMT20") && said.contains("operator grant technician"),
        "{said}"
    );
    let other_key = env.run(&[
        "--db", &as_tina, "--site", "AMT12", "show", "serial", "31000012",
    ]);
    assert_ne!(other_key.status.code(), Some(0), "{other_key:?}");
    let said = String::from_utf8_lossy(&other_key.stderr).into_owned();
    assert!(said.contains("not on site AMT20"), "{said}");
    let own_key = env.run(&[
        "--db", &as_tina, "--site", "AMT12", "show", "serial", "31000011",
    ]);
    assert!(own_key.status.success(), "{own_key:?}");
    let refused = env.run(&[
        "--db", &as_tina, "--site", "AMT12", "revoke", "--serial", "31000012", "--reason", "lost",
    ]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("not on site AMT20"),
        "{refused:?}"
    );
    let out = env.run(&["--db", &url, "--json", "show", "serial", "31000012"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("in_stock"),
        "site B's key is unchanged: {out:?}"
    );
}
