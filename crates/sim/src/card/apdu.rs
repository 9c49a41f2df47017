//! ISO 7816-4 command APDU parsing (short and extended) and status words.

/// A parsed command APDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: Vec<u8>,
}

impl Command {
    /// Parse a short or extended command APDU; `None` if malformed.
    #[must_use]
    pub fn parse(apdu: &[u8]) -> Option<Self> {
        let (header, body) = apdu.split_at_checked(4)?;
        let data = match body.len() {
            0 | 1 => Vec::new(),
            _ if body[0] != 0 => {
                let lc = usize::from(body[0]);
                match body.len() - 1 {
                    n if n == lc || n == lc + 1 => body[1..=lc].to_vec(),
                    _ => return None,
                }
            }
            3 => Vec::new(),
            _ => {
                let lc = usize::from(u16::from_be_bytes([*body.get(1)?, *body.get(2)?]));
                match body.len() - 3 {
                    n if n == lc || n == lc + 2 => body[3..3 + lc].to_vec(),
                    _ => return None,
                }
            }
        };
        Some(Self {
            cla: header[0],
            ins: header[1],
            p1: header[2],
            p2: header[3],
            data,
        })
    }
}

/// Status words the applications answer with (ISO 7816-4 / SP 800-73-4).
pub mod sw {
    pub const OK: u16 = 0x9000;
    pub const WRONG_LENGTH: u16 = 0x6700;
    pub const SECURITY_STATUS: u16 = 0x6982;
    pub const AUTH_BLOCKED: u16 = 0x6983;
    pub const DATA_INVALID: u16 = 0x6984;
    pub const CONDITIONS: u16 = 0x6985;
    pub const INCORRECT_DATA: u16 = 0x6A80;
    pub const FUNC_NOT_SUPPORTED: u16 = 0x6A81;
    pub const FILE_NOT_FOUND: u16 = 0x6A82;
    pub const REF_NOT_FOUND: u16 = 0x6A88;
    pub const WRONG_P1P2: u16 = 0x6B00;
    pub const INS_NOT_SUPPORTED: u16 = 0x6D00;
    pub const CLA_NOT_SUPPORTED: u16 = 0x6E00;
    pub const NO_PRECISE_DIAGNOSIS: u16 = 0x6F00;

    /// "Verification failed, `n` tries left" (63Cx).
    #[must_use]
    pub fn tries_left(n: u8) -> u16 {
        0x63C0 | u16::from(n.min(15))
    }
}

/// What an application answers: data (possibly empty) and a status word.
pub type Reply = Result<Vec<u8>, u16>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_cases() {
        let c = Command::parse(&[0, 0xA4, 4, 0, 2, 0xAA, 0xBB]).unwrap();
        assert_eq!(c.data, vec![0xAA, 0xBB]);
        let c = Command::parse(&[0, 0xA4, 4, 0, 2, 0xAA, 0xBB, 0]).unwrap();
        assert_eq!(c.data, vec![0xAA, 0xBB]);
        assert!(Command::parse(&[0, 0xFD, 0, 0]).unwrap().data.is_empty());
        assert!(Command::parse(&[0, 0xFD, 0, 0, 0]).unwrap().data.is_empty());
        assert!(Command::parse(&[0, 0xCB, 0, 0, 0, 0, 0])
            .unwrap()
            .data
            .is_empty());
        let c = Command::parse(&[0, 0xDB, 0x3F, 0xFF, 0, 0, 1, 7]).unwrap();
        assert_eq!(c.data, vec![7]);
        let c = Command::parse(&[0, 0xDB, 0x3F, 0xFF, 0, 0, 1, 7, 0, 0]).unwrap();
        assert_eq!(c.data, vec![7]);
        assert!(Command::parse(&[0, 0xDB, 0x3F, 0xFF, 3, 1]).is_none());
        assert!(Command::parse(&[0, 0xDB]).is_none());
    }
}
