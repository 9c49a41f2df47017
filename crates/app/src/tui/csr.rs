//! Where the certificate signing request of a new enrolment goes: a file
//! `<serial>.csr.pem` in the current directory, or in `KEYDESK_CSR_DIR`
//! (the demo uses a temporary directory). An existing file is never
//! overwritten; the next free numeric suffix is taken instead.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use super::model::Serial;

/// The environment variable naming the CSR directory.
pub const CSR_DIR_ENV: &str = "KEYDESK_CSR_DIR";

/// The directory for CSRs: `KEYDESK_CSR_DIR`, else the current directory
/// (as an absolute path, so that the screen says exactly where).
#[must_use]
pub fn dir_from_env() -> PathBuf {
    std::env::var_os(CSR_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map_or_else(
            || std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            PathBuf::from,
        )
}

/// Write `pem` to `<dir>/<serial>.csr.pem`, or `<serial>-1.csr.pem`, … when
/// that exists. Returns the path written.
///
/// # Errors
/// The directory cannot be written.
pub fn save(dir: &Path, serial: Serial, pem: &str) -> std::io::Result<PathBuf> {
    for n in 0u32.. {
        let name = if n == 0 {
            format!("{serial}.csr.pem")
        } else {
            format!("{serial}-{n}.csr.pem")
        };
        let path = dir.join(name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                f.write_all(pem.as_bytes())?;
                f.sync_all()?;
                return Ok(path);
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(ErrorKind::AlreadyExists.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing::s;

    #[test]
    fn never_overwrites_and_numbers_the_next_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = save(dir.path(), s(23_456_780), "A").expect("first");
        assert_eq!(first, dir.path().join("23456780.csr.pem"));
        let second = save(dir.path(), s(23_456_780), "B").expect("second");
        assert_eq!(second, dir.path().join("23456780-1.csr.pem"));
        assert_eq!(std::fs::read_to_string(&first).expect("read"), "A");
        assert_eq!(std::fs::read_to_string(&second).expect("read"), "B");
        assert!(save(&dir.path().join("missing"), s(1), "C").is_err());
    }
}
