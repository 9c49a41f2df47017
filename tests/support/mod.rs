//! Shared harness for the end-to-end tests: isolated pcscd instances with
//! the vsmartcard vpcd driver, virtual keys served by `keydesk-sim serve`,
//! and commands built with temp dirs.
//!
//! Isolation: pcscd's server socket is fixed at `/run/pcscd/pcscd.comm`, so
//! each [`Pcscd`] runs in its own mount namespace (`unshare -m`) with a
//! private directory bind-mounted on `/run/pcscd`; clients find it through
//! `PCSCLITE_CSOCK_NAME`, which [`Pcscd::cmd`] sets. The system pcscd (if
//! any) is never touched. This needs root (or CAP_SYS_ADMIN); without it
//! [`Pcscd::start`] panics with a message saying so — tests never pass
//! silently.
//!
//! Binaries: `keydesk-sim` (and `keydesk`) are other packages' binaries, so
//! `env!("CARGO_BIN_EXE_…")` is not available here. [`bin`] builds the binary
//! once per test process with the `cargo` that runs the tests (`$CARGO`, a
//! no-op when up to date) and finds it in `$CARGO_TARGET_DIR` or
//! `<workspace>/target`, in the `debug` profile.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

use std::collections::HashSet;
use std::net::TcpListener;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub mod piv;

pub mod counter;

/// How long fixtures wait for a service to come up.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(50);

/// The workspace root.
#[must_use]
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

static BUILT: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// Path of a workspace binary (`keydesk-sim`, `keydesk`), built on first use.
/// `keydesk` is its training build (`--features sim`, copied to
/// `keydesk-training`): it alone takes keydesk-sim sockets as FIDO devices
/// (`KEYDESK_HID_SOCKET`) and drives virtual keys.
#[must_use]
pub fn bin(package: &str, name: &str) -> PathBuf {
    if package == "keydesk" {
        return built(package, name, &["--features", "sim"], "keydesk-training");
    }
    built(package, name, &[], name)
}

/// The production `keydesk` (default features: no simulator), copied to
/// `keydesk-production`.
#[must_use]
pub fn production_bin() -> PathBuf {
    built("keydesk", "keydesk", &[], "keydesk-production")
}

/// `cargo build -p PACKAGE --bin NAME EXTRA`, once per process, and the
/// binary copied to `target/debug/COPY` so that builds with other features
/// do not replace it under a running test.
fn built(package: &str, name: &str, extra: &[&str], copy: &str) -> PathBuf {
    let mut built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let built = built.get_or_insert_with(HashSet::new);
    let path = target_dir().join("debug").join(copy);
    if built.insert(copy.to_owned()) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut args = vec!["build", "--quiet", "-p", package, "--bin", name];
        args.extend_from_slice(extra);
        let status = Command::new(cargo)
            .args(&args)
            .current_dir(workspace_root())
            .status()
            .expect("running cargo build");
        assert!(status.success(), "cargo {args:?} failed");
        let out = target_dir().join("debug").join(name);
        if copy != name {
            let tmp = path.with_extension("partial");
            std::fs::copy(&out, &tmp).expect("copying the built binary");
            std::fs::rename(&tmp, &path).expect("renaming the built binary");
        }
    }
    assert!(path.exists(), "{} does not exist", path.display());
    path
}

/// Ports already handed out in this process (two per vpcd entry).
static PORTS: Mutex<Vec<u16>> = Mutex::new(Vec::new());

/// A TCP port `p` with `p` and `p + 1` free (vpcd opens two slots per entry).
fn free_port_pair() -> u16 {
    let mut used = PORTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for _ in 0..200 {
        let l = TcpListener::bind("127.0.0.1:0").expect("binding a probe port");
        let p = l.local_addr().expect("probe address").port();
        drop(l);
        if p == u16::MAX || used.contains(&p) || used.contains(&(p + 1)) {
            continue;
        }
        if TcpListener::bind(("127.0.0.1", p + 1)).is_ok()
            && TcpListener::bind(("127.0.0.1", p)).is_ok()
        {
            used.extend([p, p + 1]);
            return p;
        }
    }
    panic!("no free pair of TCP ports for vpcd");
}

/// How many keys one [`Pcscd`] can hold: its single vpcd entry opens two
/// slots (readers "… 00 00" on port P and "… 00 01" on P + 1). Several vpcd
/// entries in one pcscd proved unreliable with vpcd 3.3 (clashing reader
/// names, hangs), so more keys need more `Pcscd`s.
pub const SLOTS: usize = 2;

/// An isolated pcscd with one vpcd reader entry (two slots).
#[derive(Debug)]
pub struct Pcscd {
    dir: TempDir,
    child: Child,
    port: u16,
}

impl Pcscd {
    /// Start pcscd with one vpcd entry (keys on slots 0 and 1).
    ///
    /// Panics with an explanation if it cannot run isolated (not root, no
    /// `unshare`, pcscd or the vpcd driver missing).
    #[must_use]
    pub fn start() -> Self {
        let driver = Path::new("/usr/lib/pcsc/drivers/serial/libifdvpcd.so");
        assert!(
            driver.exists(),
            "the vsmartcard vpcd driver is missing ({}): run `make deps` (package vsmartcard-vpcd)",
            driver.display()
        );
        let dir = tempfile::Builder::new()
            .prefix("keydesk-pcscd")
            .tempdir()
            .unwrap();
        let conf = dir.path().join("reader.conf.d");
        std::fs::create_dir_all(&conf).unwrap();
        std::fs::create_dir_all(dir.path().join("run")).unwrap();
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        write_pkill_stub(&dir.path().join("bin/pkill"));
        let port = free_port_pair();
        let entry = format!(
            "FRIENDLYNAME \"Yubico YubiKey OTP+FIDO+CCID\"\nDEVICENAME   /dev/null:{port:#X}\nLIBPATH      {}\nCHANNELID    {port:#X}\n",
            driver.display()
        );
        std::fs::write(conf.join("vpcd"), entry).unwrap();
        if let Err(e) = std::fs::create_dir_all("/run/pcscd") {
            panic!(
                "cannot create the mount point /run/pcscd ({e}): the end-to-end tests need root \
                 to run pcscd in a private mount namespace"
            );
        }
        let script = format!(
            "mount --bind '{run}' /run/pcscd && exec pcscd -f -c '{conf}'",
            run = dir.path().join("run").display(),
            conf = conf.display()
        );
        let log = std::fs::File::create(dir.path().join("pcscd.log")).unwrap();
        let child = Command::new("unshare")
            .args(["-m", "sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run `unshare` (util-linux): {e}"));
        let mut me = Self { dir, child, port };
        me.wait_ready();
        me
    }

    fn wait_ready(&mut self) {
        let sock = self.socket();
        let start = Instant::now();
        loop {
            if UnixStream::connect(&sock).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "isolated pcscd exited ({status}) before it was ready. It needs root and \
                     `unshare -m` (CAP_SYS_ADMIN). Log:\n{}",
                    self.log()
                );
            }
            assert!(
                start.elapsed() < READY_TIMEOUT,
                "pcscd did not create {} within {READY_TIMEOUT:?}. Log:\n{}",
                sock.display(),
                self.log()
            );
            std::thread::sleep(POLL);
        }
    }

    /// pcscd's output so far.
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pcscd.log")).unwrap_or_default()
    }

    /// The client socket (value for `PCSCLITE_CSOCK_NAME`).
    #[must_use]
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("run/pcscd.comm")
    }

    /// The vpcd port of slot `i` (0 or 1; for `keydesk-sim serve --vpcd`).
    #[must_use]
    pub fn port(&self, i: usize) -> u16 {
        assert!(
            i < SLOTS,
            "one Pcscd holds {SLOTS} keys; start another for more"
        );
        self.port + u16::try_from(i).unwrap()
    }

    /// A scratch directory that lives as long as this pcscd.
    #[must_use]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A command whose PC/SC clients talk to this pcscd, with a harmless
    /// `pkill` first in PATH (ykman runs `pkill -9 scdaemon` on some errors).
    #[must_use]
    pub fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        let path = std::env::var("PATH").unwrap_or_default();
        c.env("PCSCLITE_CSOCK_NAME", self.socket())
            .env(
                "PATH",
                format!("{}:{path}", self.dir.path().join("bin").display()),
            )
            .env("HOME", self.dir.path())
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        c
    }

    /// Run a command built with [`Self::cmd`]; returns its output (any exit status).
    #[must_use]
    pub fn run(&self, program: &str, args: &[&str]) -> Output {
        self.cmd(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
    }

    /// Run and require success; returns stdout + stderr as one string.
    pub fn ok(&self, program: &str, args: &[&str]) -> String {
        let out = self.run(program, args);
        let text = text(&out);
        assert!(
            out.status.success(),
            "{program} {args:?} failed ({}):\n{text}",
            out.status
        );
        text
    }
}

/// stdout followed by stderr, lossily decoded.
#[must_use]
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn write_pkill_stub(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(
        path,
        "#!/bin/sh\n# test stub: never kill anything\nexit 0\n",
    )
    .unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `keydesk-sim serve` process plugged into a [`Pcscd`] reader.
#[derive(Debug)]
pub struct SimProcess {
    child: Option<Child>,
    pub serial: u32,
    pub state: PathBuf,
    log: PathBuf,
}

impl SimProcess {
    /// Plug a key with `serial` and `firmware` ("5.4.3" or "5.7.1") into vpcd
    /// slot `reader` (0 or 1), its state in `<pcscd dir>/key-<serial>.json`; returns once
    /// ykman sees it.
    #[must_use]
    pub fn start(pcscd: &Pcscd, reader: usize, serial: u32, firmware: &str) -> Self {
        Self::start_with(pcscd, reader, serial, &["--firmware", firmware])
    }

    /// Like [`Self::start`] with extra `serve` arguments (no `--firmware` when
    /// replugging from an existing state file is fine).
    #[must_use]
    pub fn start_with(pcscd: &Pcscd, reader: usize, serial: u32, extra: &[&str]) -> Self {
        Self::start_at(pcscd, pcscd.port(reader), serial, extra)
    }

    /// Like [`Self::start_with`], but connect to `127.0.0.1:vpcd_port`
    /// rather than to a slot's own port: for something in between, such as
    /// a benchmark's APDU-counting proxy in front of [`Pcscd::port`].
    #[must_use]
    pub fn start_at(pcscd: &Pcscd, vpcd_port: u16, serial: u32, extra: &[&str]) -> Self {
        let state = pcscd.dir().join(format!("key-{serial}.json"));
        let log = pcscd.dir().join(format!("sim-{serial}.log"));
        let child = Command::new(bin("keydesk-sim", "keydesk-sim"))
            .arg("serve")
            .arg("--vpcd")
            .arg(format!("127.0.0.1:{vpcd_port}"))
            .arg("--serial")
            .arg(serial.to_string())
            .arg("--state")
            .arg(&state)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("starting keydesk-sim serve");
        let mut me = Self {
            child: Some(child),
            serial,
            state,
            log,
        };
        me.wait_visible(pcscd);
        me
    }

    fn wait_visible(&mut self, pcscd: &Pcscd) {
        let start = Instant::now();
        let want = self.serial.to_string();
        loop {
            let out = pcscd.run("ykman", &["list", "--serials"]);
            if String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|l| l.trim() == want)
            {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!("keydesk-sim exited early ({status}):\n{}", self.log());
            }
            assert!(
                start.elapsed() < READY_TIMEOUT,
                "key {want} not visible to ykman within {READY_TIMEOUT:?}; sim log:\n{}\npcscd log:\n{}",
                self.log(),
                pcscd.log()
            );
            std::thread::sleep(POLL);
        }
    }

    /// The simulator's stderr so far.
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stop with SIGTERM (an unplug) and return the exit status.
    pub fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("simulator already stopped");
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if start.elapsed() > READY_TIMEOUT {
                let _ = child.kill();
                panic!("keydesk-sim did not exit on SIGTERM");
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
