//! CTAPHID on a Unix stream socket: the FIDO2 half of `keydesk-sim serve`.
//!
//! Wire format: each message in either direction is exactly one 64-byte
//! CTAPHID report, without a report ID. One client at a time; when it
//! disconnects the next one is accepted. A new connection is *not* a power
//! cycle (channels and the reset window stay); restarting the process is.
//!
//! Call contract (for `serve/mod.rs`):
//! ```text
//! pub fn run<F: FnMut(&AuthenticatorState)>(
//!     path: &Path,                      // socket path; a stale file is replaced
//!     key: Arc<Mutex<Authenticator>>,   // shared with whoever else needs it
//!     stop: Arc<AtomicBool>,            // set by the SIGTERM handler
//!     persist: F,                       // called with the new state after every change
//! ) -> io::Result<()>                   // returns when `stop` is set; removes the socket
//! ```
//! Run it on its own thread. While a command waits for touch it polls the
//! authenticator every 10 ms, so keepalives flow and CANCEL is read.

use std::io::{self, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use crate::fido::{Authenticator, AuthenticatorState, REPORT_LEN};

/// How often the loop looks at the stop flag and at pending touch.
const POLL: Duration = Duration::from_millis(10);

/// Serve CTAPHID reports on the Unix socket `path` until `stop` is set.
///
/// # Errors
/// Binding the socket or accepting a connection fails.
pub fn run<F: FnMut(&AuthenticatorState)>(
    path: &Path,
    key: Arc<Mutex<Authenticator>>,
    stop: Arc<AtomicBool>,
    mut persist: F,
) -> io::Result<()> {
    if path.exists() {
        std::fs::remove_file(path)?;
    }
    let listener = UnixListener::bind(path)?;
    listener.set_nonblocking(true)?;
    let result = accept_loop(&listener, &key, &stop, &mut persist);
    let _ = std::fs::remove_file(path);
    result
}

fn accept_loop<F: FnMut(&AuthenticatorState)>(
    listener: &UnixListener,
    key: &Mutex<Authenticator>,
    stop: &AtomicBool,
    persist: &mut F,
) -> io::Result<()> {
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, _)) => {
                if let Err(e) = serve_client(stream, key, stop, persist) {
                    log::warn!("hid client: {e}");
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => thread::sleep(POLL),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn serve_client<F: FnMut(&AuthenticatorState)>(
    mut stream: UnixStream,
    key: &Mutex<Authenticator>,
    stop: &AtomicBool,
    persist: &mut F,
) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(POLL))?;
    let mut buf = [0u8; REPORT_LEN];
    let mut have = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let got = match stream.read(&mut buf[have..]) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) =>
            {
                0
            }
            Err(e) => return Err(e),
        };
        have += got;
        let mut out = Vec::new();
        {
            let mut k = key.lock().unwrap_or_else(PoisonError::into_inner);
            if have == REPORT_LEN {
                k.send_report(&buf);
                have = 0;
            }
            while let Some(r) = k.recv_report() {
                out.extend_from_slice(&r);
            }
            if k.is_dirty() {
                persist(&k.state());
                k.clear_dirty();
            }
        }
        if !out.is_empty() {
            stream.write_all(&out)?;
        }
    }
    Ok(())
}
