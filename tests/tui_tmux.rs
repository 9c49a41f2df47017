//! The real `keydesk demo` binary in a tmux pane at 80x24: enrol a virtual
//! key with a PIN letter, revoke it, export the inventory from the audit
//! screen, and check the exported CSV. The screen is read with
//! `capture-pane` and polled for the expected text (no fixed sleeps).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// One tmux server of our own (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(cmd: &str) -> Self {
        let t = Self {
            socket: format!("keydesk-tui-test-{}", std::process::id()),
        };
        let out = t.run(&["new-session", "-d", "-x", "80", "-y", "24", cmd]);
        assert!(
            out.status.success(),
            "tmux: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("running tmux (install it: make deps)")
    }

    /// Send tmux key names ("Enter", "Tab", "F3", "BSpace", "C-c").
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Type text literally.
    fn text(&self, s: &str) {
        assert!(self.run(&["send-keys", "-l", s]).status.success());
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p"]).stdout).into_owned()
    }

    /// Wait until every one of `texts` is on screen; panic with the screen after 15 s.
    fn wait_for(&self, texts: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if texts.iter().all(|t| screen.contains(t)) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited 15 s for {texts:?}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wait until `text` is gone from the screen.
    fn wait_gone(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if !screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} stays on screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn keydesk() -> std::path::PathBuf {
    keydesk_e2e::bin("keydesk", "keydesk")
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

#[test]
fn demo_enrols_revokes_exports_and_bulk_resets() {
    let bin = keydesk();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let csv = dir.path().join("inventory.csv");
    let cmd = format!(
        "env LANG=en_US.UTF-8 LC_ALL= LC_MESSAGES= {} demo --demo-db {}",
        path_str(&bin),
        path_str(&db)
    );
    let tmux = Tmux::start(&cmd);
    tmux.wait_for(&["Keys plugged in (1)", "23456780", "in stock"]);

    // Enrol: Alt+E from the search box (the one plugged key), staff, her
    // notebook (offered before anything is typed), PIN letter, confirm.
    tmux.wait_for(&["Alt+ E enrol"]);
    tmux.keys(&["M-e"]);
    tmux.wait_for(&["Enrol and issue – Key 23456780"]);
    tmux.text("4711");
    tmux.wait_for(&["Müller, Anna (4711)"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["› Notebook", "mz-nb-0815"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["PIN letter: random PINs"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["Ready: Enrol and issue"]);
    tmux.keys(&["Enter"]);
    let letter = tmux.wait_for(&["Done. Key 23456780: issued", "PIV PIN", "PIV PUK"]);
    let pin = letter
        .lines()
        .find_map(|l| l.split("PIV PIN").nth(1))
        .map(|rest| rest.trim().trim_end_matches('│').trim().to_owned())
        .unwrap();
    assert!(
        pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()),
        "{pin:?}"
    );
    tmux.keys(&["Enter"]);
    let home = tmux.wait_gone("PIV PIN");
    assert!(
        !home.contains(&pin),
        "the letter's PIN is gone once left:\n{home}"
    );
    tmux.wait_for(&["issued", "Müller, Anna (4711)"]);

    // Revoke: Alt+V, a reason, the serial typed to confirm.
    tmux.keys(&["M-v"]);
    tmux.wait_for(&["Revoke – Key 23456780", "› lost"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["To confirm, type the serial"]);
    tmux.text("23456780");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["Done. Key 23456780: revoked"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["revoked", "Keys plugged in (1)"]);

    // Export the inventory from the audit screen to our path.
    tmux.keys(&["F3"]);
    tmux.wait_for(&["Audit & export"]);
    tmux.keys(&["Down"]);
    tmux.wait_for(&["keydesk-inventory.csv"]);
    for _ in 0.."keydesk-inventory.csv".len() {
        tmux.keys(&["BSpace"]);
    }
    tmux.text(path_str(&csv));
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["Export done"]);
    tmux.keys(&["Escape"]);
    // Home again before the next key: an Escape right before F4's escape
    // sequence would run the two together.
    tmux.wait_gone("Audit & export");

    // The revoked key is wiped in a bulk reset: the count typed, a replug, a touch.
    tmux.keys(&["F4"]);
    tmux.wait_for(&["Reset handed-back keys (batch)", "23456780", "revoked"]);
    tmux.text("1");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["Key 23456780: unplug it and plug it back in"]);
    tmux.keys(&["F7"]);
    tmux.wait_for(&["1 of 1 reset", "Finished: all 1 keys are reset"]);
    tmux.keys(&["Escape"]);
    tmux.wait_for(&["Keys plugged in (1)", "in stock"]);
    tmux.keys(&["C-c"]);

    let bytes = std::fs::read(&csv).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with('\u{feff}'), "Excel CSV starts with a BOM");
    let row = text
        .lines()
        .find(|l| l.starts_with("23456780;"))
        .unwrap_or_else(|| panic!("no row for the key:\n{text}"));
    assert!(row.contains(";revoked;"), "{row}");
    assert!(!text.contains(&pin), "no PIN in the export");
    assert_eq!(
        text.lines().count(),
        5,
        "header and the four demo keys:\n{text}"
    );
}
