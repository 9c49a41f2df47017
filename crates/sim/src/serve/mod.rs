//! `keydesk-sim serve`: the virtual key as a process, connected to pcscd's
//! vpcd driver as a card ([`vpcd`]) and serving CTAPHID reports on a Unix
//! socket ([`hid`]).
//!
//! ```text
//! keydesk-sim serve --vpcd HOST:PORT [--serial N] [--firmware 5.7.1|5.4.3]
//!                   [--hid-socket PATH] [--state FILE] [--touch auto|never|MS]
//! ```
//! With `--state`, the key's persistent state is loaded at start (if the file
//! exists: the same key plugged in again) and written after every change, so
//! stopping and starting the process is an unplug and replug. SIGTERM and
//! SIGINT stop it cleanly (state saved, socket removed, exit code 0).
//!
//! Set `KEYDESK_SIM_TRACE=1` to log one stderr line per APDU (header,
//! lengths and status word; never the data).
//!
//! # Latency
//!
//! Measured with `cargo bench -p keydesk-sim --bench pcsc_roundtrip` (2,000
//! GET VERSION APDUs through the pcsc crate → pcscd 1.9.9 → vpcd 3.3 → this
//! process, release build, 2-core VM shared with other jobs; two runs): one
//! APDU round trip **mean 0.08-0.11 ms, p99 0.13-0.15 ms**; opening a key
//! (connect + SELECT + GET VERSION + GET SERIAL) mean 0.36-0.49 ms. The in-process
//! [`crate::card::Card::transmit`] takes ~0.2 µs. Without TCP_NODELAY and
//! TCP_QUICKACK (see [`vpcd`]) each APDU would cost ~40 ms of delayed ACK.
//!
//! # Limits
//!
//! Disabling the OTP application over USB (Management WRITE CONFIG) changes
//! what GET DEVICE INFO reports, but the reader name stays "OTP+FIDO+CCID":
//! the hardware would re-enumerate with another USB product ID.

pub mod hid;
pub mod vpcd;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use rand::Rng;

use crate::card::Card;
use crate::clock::SystemClock;
use crate::fido::{Authenticator, AuthenticatorState};
use crate::identity::{Firmware, Identity};
use crate::key::{SavedKey, SimKey};
use crate::touch::Touch;

#[derive(Debug, Parser)]
#[command(
    name = "keydesk-sim",
    version,
    about = "A virtual YubiKey 5 for tests, demo and training"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Plug a virtual key into pcscd (vpcd) and/or serve CTAPHID on a Unix socket.
    Serve(ServeArgs),
    /// Print the simulator's TEST-ONLY attestation root (PEM), for a profile's
    /// `[attestation] extra_roots` in tests and training.
    PrintRoot,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// vpcd driver address, e.g. 127.0.0.1:35963.
    #[arg(long, value_name = "HOST:PORT")]
    vpcd: Option<String>,
    /// Serial number of a new key (default: random). Must match a loaded state file.
    #[arg(long)]
    serial: Option<u32>,
    /// Firmware profile of a new key (default 5.7.1). Must match a loaded state file.
    #[arg(long, value_name = "5.7.1|5.4.3")]
    firmware: Option<Firmware>,
    /// Serve CTAPHID reports (64 bytes, no report ID) on this Unix socket.
    #[arg(long, value_name = "PATH")]
    hid_socket: Option<PathBuf>,
    /// Keep the key's persistent state in this JSON file.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Touch sensor: auto, never, or a delay in milliseconds.
    #[arg(long, default_value = "auto")]
    touch: Touch,
}

/// Entry point of the `keydesk-sim` binary.
#[must_use]
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Command::Serve(args) => args,
        Command::PrintRoot => {
            print!("{}", crate::card::TEST_ROOT_CA);
            return ExitCode::SUCCESS;
        }
    };
    match serve(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("keydesk-sim: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Keeps the last known state of both halves and writes the file on change.
#[derive(Debug)]
struct Persister {
    path: Option<PathBuf>,
    saved: Mutex<SavedKey>,
}

impl Persister {
    fn update(&self, f: impl FnOnce(&mut SavedKey)) {
        let mut saved = self.saved.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut saved);
        if let Some(path) = &self.path {
            if let Err(e) = saved.write(path) {
                eprintln!("keydesk-sim: {e}");
            }
        }
    }
}

fn initial_key(args: &ServeArgs) -> anyhow::Result<SimKey> {
    let clock = Arc::new(SystemClock::new());
    if let Some(path) = args.state.as_deref().filter(|p| p.exists()) {
        let key = SimKey::load(path, args.touch, clock)?;
        check_matches(&key.identity, args, path)?;
        return Ok(key);
    }
    let serial = args
        .serial
        .unwrap_or_else(|| rand::rngs::OsRng.gen_range(10_000_000..40_000_000));
    let identity = Identity::yubikey_5_nfc(serial, args.firmware.unwrap_or(Firmware::V5_7_1));
    Ok(SimKey::with(identity, args.touch, clock))
}

fn check_matches(identity: &Identity, args: &ServeArgs, path: &Path) -> anyhow::Result<()> {
    if args.serial.is_some_and(|s| s != identity.serial) {
        bail!(
            "{} holds key {} but --serial says otherwise: remove --serial or use another state file",
            path.display(),
            identity.serial
        );
    }
    if args.firmware.is_some_and(|f| f != identity.firmware) {
        bail!(
            "{} holds a key with firmware {}: remove --firmware or use another state file",
            path.display(),
            identity.firmware
        );
    }
    Ok(())
}

fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    if args.vpcd.is_none() && args.hid_socket.is_none() {
        bail!("nothing to serve: give --vpcd HOST:PORT and/or --hid-socket PATH");
    }
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(sig, Arc::clone(&stop)).context("installing signal handler")?;
    }
    let key = initial_key(args)?;
    let persister = Arc::new(Persister {
        path: args.state.clone(),
        saved: Mutex::new(key.saved()),
    });
    persister.update(|_| {});
    eprintln!(
        "keydesk-sim: serving YubiKey 5 NFC serial {} firmware {}",
        key.identity.serial, key.identity.firmware
    );
    let SimKey { card, fido, .. } = key;
    let card = Arc::new(Mutex::new(card));
    let fido: Arc<Mutex<Authenticator>> = Arc::new(Mutex::new(fido));

    let hid_thread = match &args.hid_socket {
        Some(path) => {
            let (path, fido, stop, p) = (
                path.clone(),
                Arc::clone(&fido),
                Arc::clone(&stop),
                Arc::clone(&persister),
            );
            Some(std::thread::spawn(move || {
                // CTAPHID side, implemented in `hid.rs`.
                hid::run(&path, fido, stop, |st: &AuthenticatorState| {
                    p.update(|s| s.fido = st.clone());
                })
            }))
        }
        None => None,
    };

    match &args.vpcd {
        Some(addr) => vpcd::run(addr, &card, &stop, |c: &Card| {
            persister.update(|s| s.card = c.state().clone());
        })
        .with_context(|| format!("vpcd address {addr}"))?,
        None => {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    if let Some(t) = hid_thread {
        match t.join() {
            Ok(r) => r.context("CTAPHID socket")?,
            Err(_) => bail!("the CTAPHID thread panicked"),
        }
    }
    let card_state = card
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .state()
        .clone();
    let fido_state = fido.lock().unwrap_or_else(PoisonError::into_inner).state();
    persister.update(|s| {
        s.card = card_state;
        s.fido = fido_state;
    });
    eprintln!("keydesk-sim: stopped");
    Ok(())
}
