//! [`HidTransport`] over a Unix stream socket to `keydesk-sim serve`: each
//! message in either direction is exactly one 64-byte CTAPHID report
//! without a report ID.

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{DeviceError, Result};
use crate::transport::{HidTransport, Report, HID_REPORT_LEN};

/// A connection to the simulator's CTAPHID socket.
#[derive(Debug)]
pub struct UnixSocketTransport {
    stream: UnixStream,
    path: PathBuf,
    /// Bytes of a report that arrived only in part before a timeout.
    partial: Vec<u8>,
}

impl UnixSocketTransport {
    /// Connect to the socket at `path`.
    pub fn connect(path: &Path) -> Result<Self> {
        let stream = UnixStream::connect(path).map_err(|e| {
            DeviceError::Transport(format!(
                "cannot connect to the virtual key at {}: {e}; is `keydesk-sim serve` running?",
                path.display()
            ))
        })?;
        Ok(Self {
            stream,
            path: path.to_path_buf(),
            partial: Vec::with_capacity(HID_REPORT_LEN),
        })
    }
}

fn gone(e: &std::io::Error) -> DeviceError {
    log::debug!("simulator socket: {e}");
    DeviceError::KeyRemoved
}

impl HidTransport for UnixSocketTransport {
    fn send(&mut self, report: &Report) -> Result<()> {
        self.stream.write_all(report).map_err(|e| gone(&e))
    }

    fn recv(&mut self, timeout: Duration) -> Result<Option<Report>> {
        // A zero read timeout means "block forever" to the OS: use 1 ms at least.
        let timeout = timeout.max(Duration::from_millis(1));
        self.stream
            .set_read_timeout(Some(timeout))
            .map_err(|e| gone(&e))?;
        while self.partial.len() < HID_REPORT_LEN {
            let mut buf = [0u8; HID_REPORT_LEN];
            let want = HID_REPORT_LEN - self.partial.len();
            match self.stream.read(&mut buf[..want]) {
                Ok(0) => return Err(DeviceError::KeyRemoved),
                Ok(n) => self.partial.extend_from_slice(&buf[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Ok(None)
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(gone(&e)),
            }
        }
        let mut report = [0u8; HID_REPORT_LEN];
        report.copy_from_slice(&self.partial);
        self.partial.clear();
        Ok(Some(report))
    }

    fn location(&self) -> String {
        format!("socket {}", self.path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    #[test]
    fn reassembles_split_reports_and_reports_eof_as_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hid.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let mut t = UnixSocketTransport::connect(&path).unwrap();
        let (mut peer, _) = listener.accept().unwrap();
        assert!(t.recv(Duration::from_millis(5)).unwrap().is_none());
        let report: Report = std::array::from_fn(|i| i as u8);
        peer.write_all(&report[..10]).unwrap();
        assert!(t.recv(Duration::from_millis(5)).unwrap().is_none());
        peer.write_all(&report[10..]).unwrap();
        assert_eq!(t.recv(Duration::from_millis(500)).unwrap(), Some(report));
        t.send(&report).unwrap();
        let mut back = [0u8; 64];
        peer.read_exact(&mut back).unwrap();
        assert_eq!(back, report);
        drop(peer);
        assert!(matches!(
            t.recv(Duration::from_millis(500)),
            Err(DeviceError::KeyRemoved)
        ));
        let missing = UnixSocketTransport::connect(&dir.path().join("none")).unwrap_err();
        assert!(
            missing.to_string().contains("keydesk-sim serve"),
            "{missing}"
        );
    }
}
