//! End to end: python-fido2 (PyPI, pinned) as an independent CTAP2 client of
//! `keydesk-sim serve --hid-socket`, through a custom CtapHidConnection over
//! the Unix socket. It reads getInfo, sets a PIN, registers a discoverable
//! credential (packed self attestation verified by fido2's server code) and
//! gets assertions, also with hmac-secret; then the simulator is stopped (unplug) and restarted from
//! its state file (replug), and the PIN and credential must still work;
//! finally fido2's CredentialManagement lists and deletes the credential and
//! (CTAP 2.1 firmware) its Config raises the minimum PIN length.
//!
//! The venv is created under `target/peer-venv/fido2-<version>` on first use
//! and reused afterwards; creating it needs PyPI (or a pip mirror).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use keydesk_e2e::{bin, workspace_root};
use serde_json::Value;

const FIDO2_VERSION: &str = "1.1.3";
const PIN: &str = "314159";

/// The venv's python with fido2 == FIDO2_VERSION, created once and cached.
fn peer_python() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from);
    let venv = target
        .join("peer-venv")
        .join(format!("fido2-{FIDO2_VERSION}"));
    let python = venv.join("bin").join("python");
    let check = format!("import fido2, sys; sys.exit(fido2.__version__ != '{FIDO2_VERSION}')");
    if Command::new(&python)
        .args(["-c", &check])
        .status()
        .is_ok_and(|s| s.success())
    {
        return python;
    }
    // Build next to it and rename, so an interrupted install is never reused.
    let tmp = venv.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.parent().unwrap()).unwrap();
    let ok = Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(&tmp)
        .status()
        .unwrap();
    assert!(
        ok.success(),
        "python3 -m venv failed (Debian: apt-get install python3-venv)"
    );
    let ok = Command::new(tmp.join("bin").join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("fido2=={FIDO2_VERSION}"))
        .status()
        .unwrap();
    assert!(
        ok.success(),
        "pip install fido2=={FIDO2_VERSION} failed (needs PyPI)"
    );
    let _ = std::fs::remove_dir_all(&venv);
    std::fs::rename(&tmp, &venv).unwrap();
    python
}

/// A FIDO-only `keydesk-sim serve` (no vpcd).
struct Sim {
    child: Child,
    log: PathBuf,
}

impl Sim {
    fn start(dir: &Path, socket: &Path, firmware: &str) -> Self {
        let log = dir.join(format!("sim-{firmware}.log"));
        let child = Command::new(bin("keydesk-sim", "keydesk-sim"))
            .arg("serve")
            .arg("--hid-socket")
            .arg(socket)
            .arg("--state")
            .arg(dir.join(format!("state-{firmware}.json")))
            .args(["--serial", "7654321", "--firmware", firmware])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("starting keydesk-sim serve");
        let mut sim = Self { child, log };
        let start = Instant::now();
        while UnixStream::connect(socket).is_err() {
            if let Some(status) = sim.child.try_wait().unwrap() {
                panic!("keydesk-sim exited ({status}):\n{}", sim.log());
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "socket never came up:\n{}",
                sim.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // The probe connection above was accepted and closed; the server is
        // back to accepting the next client.
        sim
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM and wait: an unplug that must save the state.
    fn stop(mut self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(
                    status.success(),
                    "keydesk-sim exit {status}:\n{}",
                    self.log()
                );
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no exit on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn peer(python: &Path, args: &[&str], sim: &Sim) -> Value {
    let script = workspace_root()
        .join("tests")
        .join("peers")
        .join("fido2_peer.py");
    let out = Command::new(python)
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fido2_peer.py {args:?} failed:\n{}\nsim log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        sim.log()
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn python_fido2_enrols_and_authenticates_across_a_replug() {
    let python = peer_python();
    let dir = tempfile::tempdir().unwrap();
    for (firmware, aaguid, protocols, last_version) in [
        (
            "5.7.1",
            "a25342c03cdc44148e46f4807fca511c",
            vec![2, 1],
            "FIDO_2_1",
        ),
        (
            "5.4.3",
            "cb69481e8ff7403993ec0a2729a154a8",
            vec![1],
            "FIDO_2_1_PRE",
        ),
    ] {
        let socket = dir.path().join(format!("fido-{firmware}.sock"));
        let sock = socket.to_str().unwrap();
        let sim = Sim::start(dir.path(), &socket, firmware);
        let e = peer(&python, &["enrol", sock, PIN], &sim);
        assert_eq!(e["aaguid"], aaguid);
        assert_eq!(
            e["versions"].as_array().unwrap().last().unwrap(),
            last_version
        );
        assert!(e["versions"]
            .as_array()
            .unwrap()
            .contains(&Value::from("FIDO_2_0")));
        assert_eq!(e["pin_protocols"], serde_json::json!(protocols));
        assert_eq!(e["max_msg_size"], 1200);
        let fw: Vec<u64> = firmware.split('.').map(|p| p.parse().unwrap()).collect();
        assert_eq!(e["device_version"], serde_json::json!(fw));
        assert_eq!(e["pin_retries"], 8);
        assert_eq!(
            e["extensions"],
            serde_json::json!(["credProtect", "hmac-secret"])
        );
        assert_eq!(e["hmac_secret"].as_str().unwrap().len(), 64);
        let enrol_counter = e["counter"].as_u64().unwrap();
        assert!(enrol_counter >= 3, "one registration and two assertions");
        sim.stop();

        let sim = Sim::start(dir.path(), &socket, firmware);
        let cred = e["credential"].as_str().unwrap();
        let v = peer(&python, &["verify", sock, PIN, cred], &sim);
        assert_eq!(v["client_pin"], true);
        assert_eq!(v["credential_id"], e["credential_id"]);
        assert_eq!(
            v["hmac_secret"], e["hmac_secret"],
            "same salt, same secret after replug"
        );
        assert!(
            v["counter"].as_u64().unwrap() > enrol_counter,
            "counter persisted"
        );

        let m = peer(&python, &["manage", sock, PIN], &sim);
        assert_eq!(
            (m["before"].as_u64(), m["after"].as_u64()),
            (Some(1), Some(0))
        );
        assert_eq!(m["rp_ids"], serde_json::json!(["example.com"]));
        assert_eq!(m["users"], serde_json::json!(["alice"]));
        let min_pin = if firmware == "5.7.1" {
            Value::from(PIN.len())
        } else {
            Value::Null
        };
        assert_eq!(m["min_pin_length"], min_pin);
        sim.stop();
    }
}
