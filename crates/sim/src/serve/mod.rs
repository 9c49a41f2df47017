//! `keydesk-sim serve`: the virtual key as a process, connected to pcscd's
//! vpcd driver as a card and serving CTAPHID reports on a Unix socket.

use std::process::ExitCode;

/// Entry point of the `keydesk-sim` binary.
#[must_use]
pub fn main() -> ExitCode {
    eprintln!("keydesk-sim: serve is not built yet");
    ExitCode::FAILURE
}
