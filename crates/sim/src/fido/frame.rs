//! CTAPHID framing (FIDO CTAP 2.1, section 11.2): the 64-byte report,
//! initialization and continuation packets, the command and error codes.
//! Depends on nothing else of the authenticator; the transport state
//! machine in `ctaphid` and the CTAP2 size limits build on it.

/// Length of one CTAPHID report (without report ID).
pub const REPORT_LEN: usize = 64;
/// One CTAPHID report.
pub type Report = [u8; REPORT_LEN];

/// The broadcast channel, used only for INIT.
pub(crate) const BROADCAST: u32 = 0xFFFF_FFFF;
/// Payload bytes in an initialization packet.
pub(crate) const INIT_DATA: usize = REPORT_LEN - 7;
/// Payload bytes in a continuation packet.
pub(crate) const CONT_DATA: usize = REPORT_LEN - 5;
/// Largest message CTAPHID can carry: one init and 128 continuation packets.
pub(crate) const MAX_MESSAGE: usize = INIT_DATA + 128 * CONT_DATA;

/// CTAPHID command codes (with the initialization bit set).
pub(crate) mod cmd {
    pub const PING: u8 = 0x81;
    pub const MSG: u8 = 0x83;
    pub const INIT: u8 = 0x86;
    pub const WINK: u8 = 0x88;
    pub const CBOR: u8 = 0x90;
    pub const CANCEL: u8 = 0x91;
    pub const KEEPALIVE: u8 = 0xBB;
    pub const ERROR: u8 = 0xBF;
}

/// CTAPHID ERROR codes.
pub(crate) mod err {
    pub const INVALID_CMD: u8 = 0x01;
    pub const INVALID_LEN: u8 = 0x03;
    pub const INVALID_SEQ: u8 = 0x04;
    pub const MSG_TIMEOUT: u8 = 0x05;
    pub const CHANNEL_BUSY: u8 = 0x06;
    pub const INVALID_CHANNEL: u8 = 0x0B;
    pub const OTHER: u8 = 0x7F;
}

/// KEEPALIVE status: waiting for user presence.
pub(crate) const KEEPALIVE_UPNEEDED: u8 = 0x02;

/// The channel a report is for.
pub(crate) fn cid_of(report: &Report) -> u32 {
    u32::from_be_bytes([report[0], report[1], report[2], report[3]])
}

/// `payload` as a CTAPHID message on `cid`: one initialization packet and
/// as many continuation packets as it needs.
pub(crate) fn fragment(cid: u32, command: u8, payload: &[u8]) -> Vec<Report> {
    let mut reports = Vec::new();
    let mut first = [0u8; REPORT_LEN];
    first[..4].copy_from_slice(&cid.to_be_bytes());
    first[4] = command;
    let len = u16::try_from(payload.len()).unwrap_or(u16::MAX);
    first[5..7].copy_from_slice(&len.to_be_bytes());
    let n = payload.len().min(INIT_DATA);
    first[7..7 + n].copy_from_slice(&payload[..n]);
    reports.push(first);
    for (seq, chunk) in payload[n..].chunks(CONT_DATA).enumerate() {
        let mut cont = [0u8; REPORT_LEN];
        cont[..4].copy_from_slice(&cid.to_be_bytes());
        cont[4] = u8::try_from(seq).unwrap_or(0x7F) & 0x7F;
        cont[5..5 + chunk.len()].copy_from_slice(chunk);
        reports.push(cont);
    }
    reports
}
