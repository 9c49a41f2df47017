//! One counter for the end-to-end tests of the `keydesk` binary: a database,
//! the virtual keys' CTAPHID sockets and the isolated pcscd they hang on,
//! plus what ykman must see on an enrolled or a factory-fresh key.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

use crate::{bin, text, Pcscd, SimProcess};

/// One counter: a database, the keys' sockets, and the pcscd they hang on.
#[derive(Debug)]
pub struct Counter<'a> {
    pub pcscd: &'a Pcscd,
    /// `KEYDESK_DB`: an SQLite file path or a `postgresql://` URL.
    pub db: String,
    /// `KEYDESK_HID_SOCKET`: the keys' CTAPHID sockets, `:`-separated.
    pub hid: String,
}

/// The office profile section that trusts the simulator's attestation root,
/// written out by `keydesk-sim print-root` into `sim-root.pem` beside it.
pub const TRUST_SIM_ROOT: &str = "[attestation]\nextra_roots = [\"sim-root.pem\"]\n";

/// The inventory a test counter works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// An SQLite file in the test's directory.
    Sqlite,
    /// A database of its own on a throwaway PostgreSQL server (not yet
    /// migrated: the test runs `keydesk db migrate`).
    Postgres,
}

impl Engine {
    /// A new, empty inventory for a test in `dir`.
    #[must_use]
    pub fn fresh_db(self, dir: &std::path::Path) -> String {
        match self {
            Self::Sqlite => dir.join("keydesk.db").display().to_string(),
            Self::Postgres => keydesk_testpg::Server::shared()
                .expect("a PostgreSQL test server (make deps installs postgresql-15)")
                .fresh_database()
                .unwrap(),
        }
    }
}

impl<'a> Counter<'a> {
    /// A counter at `pcscd` on a new inventory of `engine`, ready for work:
    /// a PostgreSQL one is migrated with `keydesk db migrate`, as its
    /// administrator does once (an SQLite file migrates itself on first use).
    #[must_use]
    pub fn on_fresh(pcscd: &'a Pcscd, engine: Engine, hid: String) -> Self {
        let desk = Counter {
            pcscd,
            db: engine.fresh_db(pcscd.dir()),
            hid,
        };
        if engine == Engine::Postgres {
            desk.ok(&["db", "migrate"]);
        }
        desk
    }

    /// The step of the oldest open journal entry, if any, read from the
    /// inventory itself (with the sqlite3 tool or a PostgreSQL client), not
    /// through `keydesk`: a test watches an enrolment's progress with it
    /// while the enrolling process holds the inventory. An inventory that
    /// cannot be read now (an SQLite file locked or not there yet) has
    /// none to show.
    #[must_use]
    pub fn open_step(&self) -> Option<String> {
        const SQL: &str = "SELECT step FROM journal WHERE state = 'open' ORDER BY id LIMIT 1";
        let step = if self.db.starts_with("postgresql://") {
            let mut client = keydesk_testpg::postgres::Client::connect(
                &self.db,
                keydesk_testpg::postgres::NoTls,
            )
            .unwrap_or_else(|e| panic!("connecting to {}: {e}", self.db));
            client
                .query_opt(SQL, &[])
                .unwrap_or_else(|e| panic!("reading the journal of {}: {e}", self.db))
                .map(|row| row.get::<_, String>(0))?
        } else {
            let out = Command::new("sqlite3")
                .arg(&self.db)
                .arg(format!("{SQL};"))
                .output()
                .expect("running sqlite3 (make deps installs it)");
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        (!step.is_empty()).then_some(step)
    }

    /// `keydesk ARGS` at this counter, with the profile `counter.toml`
    /// (defaults plus the simulator's root, see [`Counter::profile`]).
    pub fn cmd(&self, args: &[&str]) -> Command {
        let profile = self.profile("counter.toml", "");
        let mut c = self.bare_cmd(args);
        c.env("KEYDESK_PROFILE", profile);
        c
    }

    /// `keydesk ARGS` with no office profile: Yubico's roots only.
    pub fn bare_cmd(&self, args: &[&str]) -> Command {
        let mut c = self.pcscd.cmd(bin("keydesk", "keydesk").to_str().unwrap());
        c.env("KEYDESK_DB", &self.db)
            .env("KEYDESK_HID_SOCKET", &self.hid)
            .env("USER", "tech-e2e")
            .env("LANG", "C")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("KEYDESK_PROFILE")
            .args(args);
        c
    }

    /// An office profile `name` in the counter's directory: `body` plus the
    /// section that trusts the simulator's root, as a test office's profile
    /// names it (the root file comes from `keydesk-sim print-root`).
    pub fn profile(&self, name: &str, body: &str) -> PathBuf {
        let root = self.pcscd.dir().join("sim-root.pem");
        if !root.exists() {
            let out = Command::new(bin("keydesk-sim", "keydesk-sim"))
                .arg("print-root")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "keydesk-sim print-root: {}",
                text(&out)
            );
            std::fs::write(&root, &out.stdout).unwrap();
        }
        self.write(name, format!("{body}{TRUST_SIM_ROOT}").as_bytes())
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "keydesk {args:?} failed ({}):\n{}",
            out.status,
            text(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    pub fn state(&self, serial: u32) -> String {
        self.json(&["show", "serial", &serial.to_string()])["key"]["state"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.pcscd.dir().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    pub fn seed(&self, serials: &[u32]) {
        // As a German office's Excel saves it: BOM, `;`, CRLF, umlauts.
        let staff = self.write(
            "personal.csv",
            "\u{feff}Personalnummer;Nachname;Vorname;Abteilung\r\n4711;Müller;Anna;Amt 12\r\n4712;Weiß;Jürgen;Amt 10\r\n"
                .as_bytes(),
        );
        let nbs = self.write(
            "geraete.csv",
            b"Inventarnummer;Hostname\r\nNB-0815;mz-nb-0815\r\n",
        );
        let mut stock = String::from("Seriennummer;Modell\r\n");
        for s in serials {
            stock.push_str(&format!("{s};YubiKey 5 NFC\r\n"));
        }
        let stock = self.write("lieferung.csv", stock.as_bytes());
        for (what, file) in [("staff", &staff), ("notebooks", &nbs), ("stock", &stock)] {
            self.ok(&["import", what, file.to_str().unwrap()]);
        }
    }
}

#[must_use]
pub fn sim(
    pcscd: &Pcscd,
    slot: usize,
    serial: u32,
    firmware: Option<&str>,
) -> (SimProcess, PathBuf) {
    let sock = pcscd.dir().join(format!("hid-{serial}.sock"));
    let mut args = vec!["--hid-socket", sock.to_str().unwrap()];
    if let Some(fw) = firmware {
        args.extend(["--firmware", fw]);
    }
    (SimProcess::start_with(pcscd, slot, serial, &args), sock)
}

#[must_use]
pub fn field<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .map_or("", str::trim)
}

#[must_use]
pub fn piv_info(pcscd: &Pcscd, serial: u32) -> String {
    pcscd.ok("ykman", &["--device", &serial.to_string(), "piv", "info"])
}

/// What ykman sees on an enrolled key: our PIN-protected management key and a certificate in 9a.
pub fn assert_enrolled(info: &str) {
    assert!(
        info.contains("Management key is stored on the YubiKey, protected by PIN."),
        "{info}"
    );
    assert!(info.contains("Slot 9a:"), "{info}");
}

/// What ykman sees on a factory-fresh key.
pub fn assert_factory(info: &str) {
    assert!(!info.contains("protected by PIN"), "{info}");
    assert!(!info.contains("Slot 9a:"), "{info}");
    assert_eq!(field(info, "PIN tries remaining:"), "3/3", "{info}");
}
