//! CTAPHID (CTAP 2.1 section 11.2): channel allocation with INIT on the
//! broadcast channel, fragmentation of messages into initialization and
//! continuation packets, reassembly with sequence checks, KEEPALIVE reported
//! to a caller callback, CANCEL on a caller's flag or a touch timeout, and
//! ERROR frames mapped to [`DeviceError`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{DeviceError, Needs, Result};
use crate::transport::{HidTransport, Report, HID_REPORT_LEN};

/// The broadcast channel, only used for INIT.
pub const BROADCAST_CID: u32 = 0xFFFF_FFFF;
/// Payload bytes in an initialization packet.
const INIT_DATA: usize = HID_REPORT_LEN - 7;
/// Payload bytes in a continuation packet.
const CONT_DATA: usize = HID_REPORT_LEN - 5;
/// Largest message CTAPHID can carry: one init and 128 continuation packets.
pub const MAX_MESSAGE: usize = INIT_DATA + 128 * CONT_DATA;

/// CTAPHID command codes (initialization bit set).
pub mod cmd {
    pub const PING: u8 = 0x81;
    pub const MSG: u8 = 0x83;
    pub const INIT: u8 = 0x86;
    pub const WINK: u8 = 0x88;
    pub const CBOR: u8 = 0x90;
    pub const CANCEL: u8 = 0x91;
    pub const KEEPALIVE: u8 = 0xBB;
    pub const ERROR: u8 = 0xBF;
}

/// Capability flag: the device implements WINK.
pub const CAPABILITY_WINK: u8 = 0x01;
/// Capability flag: the device implements CTAPHID_CBOR (CTAP2).
pub const CAPABILITY_CBOR: u8 = 0x04;
/// Capability flag: the device does NOT implement CTAPHID_MSG (U2F).
pub const CAPABILITY_NMSG: u8 = 0x08;

/// A monotonic clock for touch and answer timeouts; injectable so tests
/// run keepalives and timeouts on a simulated clock without sleeping.
pub trait FidoClock: Send + Sync + std::fmt::Debug {
    /// Time elapsed since an arbitrary fixed origin.
    fn now(&self) -> Duration;
}

/// The real monotonic clock.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    origin: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl FidoClock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// What the key says while it works on a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepaliveStatus {
    /// Still processing.
    Processing,
    /// Waiting for the user to touch the key.
    UpNeeded,
    /// A status this client does not know.
    Other(u8),
}

/// One KEEPALIVE as reported to the caller, e.g. to show "touch your key"
/// with a countdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keepalive {
    pub status: KeepaliveStatus,
    /// Time left before the client gives up waiting for touch.
    pub remaining: Duration,
}

/// Callback receiving keepalives.
pub type KeepaliveFn = Box<dyn FnMut(&Keepalive) + Send>;

/// What INIT told about the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitInfo {
    /// Channel allocated to us.
    pub cid: u32,
    /// CTAPHID protocol version (2).
    pub protocol: u8,
    /// Device version (major, minor, build); a YubiKey's firmware version.
    pub version: (u8, u8, u8),
    /// Capability flags (`CAPABILITY_*`).
    pub capabilities: u8,
}

impl InitInfo {
    /// Whether the device speaks CTAP2 (CTAPHID_CBOR).
    #[must_use]
    pub fn has_cbor(&self) -> bool {
        self.capabilities & CAPABILITY_CBOR != 0
    }
}

/// Split `payload` into the reports of one CTAPHID message.
pub fn fragment(cid: u32, command: u8, payload: &[u8]) -> Result<Vec<Report>> {
    let len = u16::try_from(payload.len())
        .ok()
        .filter(|_| payload.len() <= MAX_MESSAGE)
        .ok_or_else(|| {
            DeviceError::Transport(format!(
                "message of {} bytes is longer than CTAPHID allows ({MAX_MESSAGE})",
                payload.len()
            ))
        })?;
    let mut first = [0u8; HID_REPORT_LEN];
    first[..4].copy_from_slice(&cid.to_be_bytes());
    first[4] = command | 0x80;
    first[5..7].copy_from_slice(&len.to_be_bytes());
    let n = payload.len().min(INIT_DATA);
    first[7..7 + n].copy_from_slice(&payload[..n]);
    let mut out = vec![first];
    for (seq, chunk) in (0u8..).zip(payload[n..].chunks(CONT_DATA)) {
        let mut cont = [0u8; HID_REPORT_LEN];
        cont[..4].copy_from_slice(&cid.to_be_bytes());
        cont[4] = seq;
        cont[5..5 + chunk.len()].copy_from_slice(chunk);
        out.push(cont);
    }
    Ok(out)
}

/// Channel id of a report.
#[must_use]
pub fn cid_of(report: &Report) -> u32 {
    u32::from_be_bytes([report[0], report[1], report[2], report[3]])
}

/// Reassembles one response message from its packets.
#[derive(Debug)]
pub struct Reassembler {
    command: u8,
    len: usize,
    data: Vec<u8>,
    next_seq: u8,
}

impl Reassembler {
    /// Start from an initialization packet; `Ok(None)` until complete.
    pub fn start(report: &Report) -> Result<Self> {
        let command = report[4];
        if command & 0x80 == 0 {
            return Err(malformed("a continuation packet came first"));
        }
        let len = usize::from(u16::from_be_bytes([report[5], report[6]]));
        if len > MAX_MESSAGE {
            return Err(malformed(format!("announced length {len} is too long")));
        }
        let n = len.min(INIT_DATA);
        Ok(Self {
            command,
            len,
            data: report[7..7 + n].to_vec(),
            next_seq: 0,
        })
    }

    /// The command of the message being reassembled.
    #[must_use]
    pub fn command(&self) -> u8 {
        self.command
    }

    /// Whether every byte has arrived.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.data.len() == self.len
    }

    /// Add a continuation packet, checking its sequence number.
    pub fn push(&mut self, report: &Report) -> Result<()> {
        let seq = report[4];
        if seq & 0x80 != 0 {
            return Err(malformed("a new message started before the last one ended"));
        }
        if seq != self.next_seq || self.is_complete() {
            return Err(malformed(format!(
                "continuation packet {seq} where {} was expected",
                self.next_seq
            )));
        }
        let n = (self.len - self.data.len()).min(CONT_DATA);
        self.data.extend_from_slice(&report[5..5 + n]);
        self.next_seq = self.next_seq.wrapping_add(1);
        Ok(())
    }

    /// The message payload.
    #[must_use]
    pub fn into_payload(self) -> Vec<u8> {
        self.data
    }
}

fn malformed(detail: impl Into<String>) -> DeviceError {
    DeviceError::Malformed {
        command: "CTAPHID",
        detail: detail.into(),
    }
}

/// Map a CTAPHID ERROR code to an error with advice.
#[must_use]
pub fn hid_error(code: u8) -> DeviceError {
    let what = match code {
        0x01 => {
            return DeviceError::Unsupported {
                needs: Needs::CtaphidCommand,
            }
        }
        0x02 => "invalid parameter",
        0x03 => "invalid message length",
        0x04 => "invalid packet sequence",
        0x05 => "message timed out",
        0x06 => {
            return DeviceError::Transport(
                "the key is busy with another program; close browsers or other tools using the key and try again"
                    .into(),
            )
        }
        0x0A => "lock required",
        0x0B => "invalid channel",
        _ => "other error",
    };
    DeviceError::Transport(format!("CTAPHID error 0x{code:02X} ({what}) from the key"))
}

/// Why the client sent CANCEL.
#[derive(Debug, Clone, Copy)]
enum CancelReason {
    Caller,
    TouchTimeout,
}

impl CancelReason {
    fn error(self) -> DeviceError {
        match self {
            Self::Caller => DeviceError::Cancelled,
            Self::TouchTimeout => DeviceError::TouchTimeout,
        }
    }
}

/// A CTAPHID connection: one channel on one device.
pub struct Ctaphid {
    transport: Box<dyn HidTransport>,
    clock: Arc<dyn FidoClock>,
    info: InitInfo,
    on_keepalive: Option<KeepaliveFn>,
    cancel: Option<Arc<AtomicBool>>,
    touch_timeout: Duration,
    answer_timeout: Duration,
    poll: Duration,
}

impl std::fmt::Debug for Ctaphid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctaphid")
            .field("location", &self.transport.location())
            .field("info", &self.info)
            .field("touch_timeout", &self.touch_timeout)
            .finish_non_exhaustive()
    }
}

/// Default time to wait for touch.
pub const DEFAULT_TOUCH_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time a key may stay silent (no answer, no keepalive).
pub const DEFAULT_ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

impl Ctaphid {
    /// Open a channel on the device behind `transport` (INIT on the broadcast channel).
    pub fn open(transport: Box<dyn HidTransport>) -> Result<Self> {
        Self::open_with_clock(transport, Arc::new(SystemClock::default()))
    }

    /// As [`Self::open`], measuring timeouts on `clock`.
    pub fn open_with_clock(
        transport: Box<dyn HidTransport>,
        clock: Arc<dyn FidoClock>,
    ) -> Result<Self> {
        let mut this = Self {
            transport,
            clock,
            info: InitInfo {
                cid: BROADCAST_CID,
                protocol: 0,
                version: (0, 0, 0),
                capabilities: 0,
            },
            on_keepalive: None,
            cancel: None,
            touch_timeout: DEFAULT_TOUCH_TIMEOUT,
            answer_timeout: DEFAULT_ANSWER_TIMEOUT,
            poll: Duration::from_millis(100),
        };
        this.init()?;
        Ok(this)
    }

    /// What INIT reported.
    #[must_use]
    pub fn info(&self) -> InitInfo {
        self.info
    }

    /// Where the device sits.
    #[must_use]
    pub fn location(&self) -> String {
        self.transport.location()
    }

    /// Call `f` for every KEEPALIVE from now on.
    pub fn set_keepalive_handler(&mut self, f: Option<KeepaliveFn>) {
        self.on_keepalive = f;
    }

    /// Send CANCEL and fail with `Cancelled` when `flag` becomes true during a command.
    pub fn set_cancel_flag(&mut self, flag: Option<Arc<AtomicBool>>) {
        self.cancel = flag;
    }

    /// How long to wait for touch before CANCEL and `TouchTimeout` (default 30 s).
    pub fn set_touch_timeout(&mut self, timeout: Duration) {
        self.touch_timeout = timeout;
    }

    /// Allocate a channel: INIT with a random nonce on the broadcast channel.
    pub fn init(&mut self) -> Result<InitInfo> {
        let nonce: [u8; 8] = rand::random();
        for r in fragment(BROADCAST_CID, cmd::INIT, &nonce)? {
            self.transport.send(&r)?;
        }
        let start = self.clock.now();
        loop {
            if self.clock.now().saturating_sub(start) > self.answer_timeout {
                return Err(DeviceError::Transport(
                    "the FIDO device did not answer CTAPHID INIT; unplug it and plug it back in"
                        .into(),
                ));
            }
            let Some(r) = self.transport.recv(self.poll)? else {
                continue;
            };
            if cid_of(&r) != BROADCAST_CID || r[4] != cmd::INIT || r[7..15] != nonce {
                continue; // an answer for someone else
            }
            let len = u16::from_be_bytes([r[5], r[6]]);
            if len < 17 {
                return Err(malformed(format!("INIT answer of {len} bytes")));
            }
            let cid = u32::from_be_bytes([r[15], r[16], r[17], r[18]]);
            if cid == 0 || cid == BROADCAST_CID {
                return Err(malformed(format!("INIT allocated channel {cid:08X}")));
            }
            self.info = InitInfo {
                cid,
                protocol: r[19],
                version: (r[20], r[21], r[22]),
                capabilities: r[23],
            };
            return Ok(self.info);
        }
    }

    /// Send CANCEL on our channel.
    pub fn send_cancel(&mut self) -> Result<()> {
        for r in fragment(self.info.cid, cmd::CANCEL, &[])? {
            self.transport.send(&r)?;
        }
        Ok(())
    }

    /// Send one message and return the answer's payload (same command).
    pub fn transact(&mut self, command: u8, payload: &[u8]) -> Result<Vec<u8>> {
        for r in fragment(self.info.cid, command, payload)? {
            self.transport.send(&r)?;
        }
        let mut last_heard = self.clock.now();
        let mut up_since: Option<Duration> = None;
        let mut cancelled: Option<(CancelReason, Duration)> = None;
        let mut rx: Option<Reassembler> = None;
        loop {
            let now = self.clock.now();
            match cancelled {
                None => {
                    let reason = if self
                        .cancel
                        .as_ref()
                        .is_some_and(|c| c.load(Ordering::SeqCst))
                    {
                        Some(CancelReason::Caller)
                    } else if up_since.is_some_and(|t| now.saturating_sub(t) >= self.touch_timeout)
                    {
                        Some(CancelReason::TouchTimeout)
                    } else {
                        None
                    };
                    if let Some(reason) = reason {
                        self.send_cancel()?;
                        cancelled = Some((reason, now));
                    }
                }
                Some((reason, at)) if now.saturating_sub(at) > self.answer_timeout => {
                    return Err(reason.error());
                }
                Some(_) => {}
            }
            if cancelled.is_none() && now.saturating_sub(last_heard) > self.answer_timeout {
                return Err(DeviceError::Transport(format!(
                    "the key at {} stopped answering; unplug it and plug it back in",
                    self.transport.location()
                )));
            }
            let Some(r) = self.transport.recv(self.poll)? else {
                continue;
            };
            if cid_of(&r) != self.info.cid {
                continue;
            }
            last_heard = self.clock.now();
            if let Some(partial) = rx.as_mut() {
                partial.push(&r)?;
            } else {
                match r[4] {
                    cmd::KEEPALIVE => {
                        self.keepalive(r[7], &mut up_since, last_heard);
                        continue;
                    }
                    cmd::ERROR => return Err(hid_error(r[7])),
                    c if c == command | 0x80 => rx = Some(Reassembler::start(&r)?),
                    c if c & 0x80 == 0 => continue, // stray continuation
                    c => {
                        return Err(malformed(format!(
                            "answer 0x{c:02X} to command 0x{:02X}",
                            command | 0x80
                        )))
                    }
                }
            }
            if rx.as_ref().is_some_and(Reassembler::is_complete) {
                let payload = rx.take().map(Reassembler::into_payload).unwrap_or_default();
                if let Some((reason, _)) = cancelled {
                    // The key may have finished just before the CANCEL arrived;
                    // only a cancelled/timed-out answer becomes the error.
                    if command | 0x80 == cmd::CBOR && matches!(payload.first(), Some(0x2D | 0x2F)) {
                        return Err(reason.error());
                    }
                }
                return Ok(payload);
            }
        }
    }

    fn keepalive(&mut self, code: u8, up_since: &mut Option<Duration>, now: Duration) {
        let status = match code {
            1 => KeepaliveStatus::Processing,
            2 => KeepaliveStatus::UpNeeded,
            other => KeepaliveStatus::Other(other),
        };
        let remaining = if status == KeepaliveStatus::UpNeeded {
            let since = *up_since.get_or_insert(now);
            self.touch_timeout.saturating_sub(now.saturating_sub(since))
        } else {
            self.touch_timeout
        };
        if let Some(f) = self.on_keepalive.as_mut() {
            f(&Keepalive { status, remaining });
        }
    }

    /// CTAPHID PING: echo `data`.
    pub fn ping(&mut self, data: &[u8]) -> Result<Vec<u8>> {
        self.transact(cmd::PING, data)
    }

    /// CTAPHID WINK: make the key blink (if it can).
    pub fn wink(&mut self) -> Result<()> {
        self.transact(cmd::WINK, &[]).map(|_| ())
    }

    /// CTAPHID CBOR: one CTAP2 request (command byte + CBOR), answer (status + CBOR).
    pub fn cbor(&mut self, request: &[u8]) -> Result<Vec<u8>> {
        self.transact(cmd::CBOR, request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_into_init_and_numbered_continuations() {
        let payload: Vec<u8> = (0..200u16).map(|i| (i % 251) as u8).collect();
        let reports = fragment(0x0102_0304, cmd::CBOR, &payload).unwrap();
        // 57 + 59 + 59 + 25 = 200
        assert_eq!(reports.len(), 4);
        assert_eq!(&reports[0][..7], &[1, 2, 3, 4, 0x90, 0, 200]);
        assert_eq!(&reports[0][7..], &payload[..57]);
        assert_eq!(reports[1][4], 0);
        assert_eq!(reports[3][4], 2);
        assert_eq!(&reports[3][5..30], &payload[175..]);
        assert!(reports[3][30..].iter().all(|&b| b == 0));

        let mut rx = Reassembler::start(&reports[0]).unwrap();
        assert!(!rx.is_complete());
        for r in &reports[1..] {
            rx.push(r).unwrap();
        }
        assert!(rx.is_complete());
        assert_eq!(rx.command(), cmd::CBOR);
        assert_eq!(rx.into_payload(), payload);
    }

    #[test]
    fn largest_message_uses_sequence_127_and_longer_is_refused() {
        let payload = vec![0xA5; MAX_MESSAGE];
        let reports = fragment(7, cmd::MSG, &payload).unwrap();
        assert_eq!(reports.len(), 129);
        assert_eq!(reports[128][4], 127);
        assert!(fragment(7, cmd::MSG, &[0; MAX_MESSAGE + 1]).is_err());
    }

    #[test]
    fn reassembly_rejects_wrong_sequence() {
        let reports = fragment(9, cmd::CBOR, &[1u8; 150]).unwrap();
        let mut rx = Reassembler::start(&reports[0]).unwrap();
        let err = rx.push(&reports[2]).unwrap_err();
        assert!(matches!(err, DeviceError::Malformed { .. }), "{err}");
        assert!(Reassembler::start(&reports[1]).is_err());
    }

    #[test]
    fn empty_message_is_one_packet() {
        let reports = fragment(9, cmd::WINK, &[]).unwrap();
        assert_eq!(reports.len(), 1);
        let rx = Reassembler::start(&reports[0]).unwrap();
        assert!(rx.is_complete());
        assert!(rx.into_payload().is_empty());
    }

    #[test]
    fn channel_busy_says_what_to_do() {
        assert!(hid_error(0x06).to_string().contains("another program"));
        assert!(hid_error(0x0B).to_string().contains("invalid channel"));
    }
}
