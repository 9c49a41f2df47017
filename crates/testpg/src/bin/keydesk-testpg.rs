//! Starts a throwaway PostgreSQL server and keeps it until standard input
//! closes (Ctrl-D), for trying things by hand and for the watchdog tests.
//!
//! Prints one line: `port=PORT pid=POSTMASTER_PID dir=DIR url=URL`.
//! The server is the process's [`Server::shared`] one, which is never
//! dropped: when this program ends, however it ends, its watchdog stops it.

use std::io::{Read as _, Write as _};
use std::process::ExitCode;

use keydesk_testpg::Server;

fn main() -> ExitCode {
    let server = match Server::shared() {
        Ok(server) => server,
        Err(e) => {
            eprintln!("keydesk-testpg: {e}");
            return ExitCode::FAILURE;
        }
    };
    let line = format!(
        "port={} pid={} dir={} url={}",
        server.port(),
        server.postmaster_pid().unwrap_or(0),
        server.dir().display(),
        server.url("postgres"),
    );
    let mut stdout = std::io::stdout();
    if writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    ExitCode::SUCCESS
}
