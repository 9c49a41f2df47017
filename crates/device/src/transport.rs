//! The two transports keys are reached through, as small traits so the same
//! protocol code runs against real hardware (pcsc, hidapi), the simulator
//! in-process, and the simulator through pcscd or its Unix socket.

use std::time::Duration;

use zeroize::Zeroizing;

use crate::error::Result;

/// Length of one CTAPHID report (without report ID).
pub const HID_REPORT_LEN: usize = 64;

/// One HID report.
pub type Report = [u8; HID_REPORT_LEN];

/// A smart-card connection that exchanges command and response APDUs.
pub trait CardTransport: Send {
    /// Send one command APDU and return the response APDU (data followed by
    /// SW1 SW2), in a buffer wiped on drop: responses may carry key material.
    ///
    /// A card that disappeared mid-exchange gives `DeviceError::KeyRemoved`.
    fn transmit(&mut self, apdu: &[u8]) -> Result<Zeroizing<Vec<u8>>>;

    /// Where this card sits (reader name), for messages and grouping.
    fn location(&self) -> String;
}

/// A FIDO HID connection that exchanges 64-byte CTAPHID reports.
pub trait HidTransport: Send {
    /// Send one report.
    fn send(&mut self, report: &Report) -> Result<()>;

    /// Receive one report, waiting at most `timeout`; `Ok(None)` when none came.
    fn recv(&mut self, timeout: Duration) -> Result<Option<Report>>;

    /// Where this device sits (hidraw path or socket path), for messages and grouping.
    fn location(&self) -> String;
}
