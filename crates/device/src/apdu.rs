//! ISO 7816-4 APDUs over a [`CardTransport`]: command encoding (short with
//! command chaining, or extended), the GET RESPONSE loop on `61xx`, status
//! words mapped to [`DeviceError`], and the BER-TLV helpers every Yubico
//! application uses.
//!
//! Command and response buffers are `Zeroizing`: a VERIFY carries the PIN,
//! a GET DATA of the printed object answers with the management key, so
//! every buffer is wiped when dropped, and grown only by [`append_wiped`],
//! which never leaves an unwiped copy behind in freed memory.

use zeroize::Zeroizing;

use crate::error::{DeviceError, Needs, Result};
use crate::transport::CardTransport;

/// Status words the Yubico applications answer with.
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
    /// "No precise diagnosis" (a failing command; a removed card is a
    /// transport error instead, `DeviceError::KeyRemoved`).
    pub const NO_PRECISE_DIAGNOSIS: u16 = 0x6F00;
}

/// How commands are encoded on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Short APDUs; data longer than 255 bytes is split with command chaining (CLA bit 0x10).
    Short,
    /// Extended-length APDUs (data up to 65535 bytes in one command).
    Extended,
}

const MAX_SHORT: usize = 255;
const INS_GET_RESPONSE: u8 = 0xC0;
const INS_SELECT: u8 = 0xA4;

/// Append `data` to `buf`. When `buf` must grow, its bytes move to a new,
/// larger buffer and the old one is wiped (a plain `Vec` would free it as
/// it is).
pub fn append_wiped(buf: &mut Zeroizing<Vec<u8>>, data: &[u8]) {
    let needed = buf.len() + data.len();
    if needed > buf.capacity() {
        let mut bigger = Zeroizing::new(Vec::with_capacity(needed.max(2 * buf.capacity())));
        bigger.extend_from_slice(buf);
        *buf = bigger;
    }
    buf.extend_from_slice(data);
}

/// The data of a response that carries nothing secret (a certificate, a
/// version), taken out of its wiped buffer.
#[must_use]
pub fn public(mut buf: Zeroizing<Vec<u8>>) -> Vec<u8> {
    std::mem::take(&mut *buf)
}

/// Encode one short command APDU (no Le, as yubikit sends them).
///
/// # Errors
/// `Malformed` if `data` is longer than 255 bytes.
pub fn encode_short(cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let lc = u8::try_from(data.len()).map_err(|_| DeviceError::Malformed {
        command: "short APDU",
        detail: format!("{} bytes do not fit a short APDU", data.len()),
    })?;
    let mut out = Zeroizing::new(Vec::with_capacity(5 + data.len()));
    out.extend_from_slice(&[cla, ins, p1, p2]);
    if !data.is_empty() {
        out.push(lc);
        out.extend_from_slice(data);
    }
    Ok(out)
}

/// Encode one extended command APDU (no Le).
///
/// # Errors
/// `Malformed` if `data` is longer than 65535 bytes.
pub fn encode_extended(
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let lc = u16::try_from(data.len()).map_err(|_| DeviceError::Malformed {
        command: "extended APDU",
        detail: format!("{} bytes do not fit an extended APDU", data.len()),
    })?;
    let mut out = Zeroizing::new(Vec::with_capacity(7 + data.len()));
    out.extend_from_slice(&[cla, ins, p1, p2]);
    if !data.is_empty() {
        out.push(0);
        out.extend_from_slice(&lc.to_be_bytes());
        out.extend_from_slice(data);
    }
    Ok(out)
}

/// Split a response APDU into data and status word.
///
/// # Errors
/// `Malformed` if it is shorter than the two status bytes.
pub fn split_response(resp: &[u8], command: &'static str) -> Result<(Zeroizing<Vec<u8>>, u16)> {
    match resp.len().checked_sub(2) {
        Some(n) => Ok((
            Zeroizing::new(resp[..n].to_vec()),
            u16::from_be_bytes([resp[n], resp[n + 1]]),
        )),
        None => Err(DeviceError::Malformed {
            command,
            detail: format!("{} bytes, no status word", resp.len()),
        }),
    }
}

/// The generic meaning of a failing status word for `command`.
///
/// PIN/PUK-specific readings (`63Cx` as wrong PUK, `6983` as PUK blocked)
/// are made by the PIV code, which knows which reference it used.
#[must_use]
pub fn status_error(command: &'static str, sw: u16) -> DeviceError {
    match sw {
        0x63C0..=0x63CF => DeviceError::WrongPin {
            tries_left: (sw & 0x0F) as u8,
        },
        sw::AUTH_BLOCKED => DeviceError::PinBlocked,
        sw::SECURITY_STATUS => DeviceError::AccessDenied { command },
        sw::FILE_NOT_FOUND | sw::REF_NOT_FOUND => DeviceError::NotFound { command },
        sw::INS_NOT_SUPPORTED | sw::CLA_NOT_SUPPORTED | sw::FUNC_NOT_SUPPORTED => {
            DeviceError::Unsupported {
                needs: Needs::Command { command },
            }
        }
        _ => DeviceError::Status { command, sw },
    }
}

/// A command sender over one card connection: chaining, GET RESPONSE,
/// status checks. Counts APDUs on the wire (for benchmarks and tests).
pub struct Apdus<'t> {
    transport: &'t mut dyn CardTransport,
    format: Format,
    sent: u64,
}

impl std::fmt::Debug for Apdus<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Apdus")
            .field("location", &self.transport.location())
            .field("format", &self.format)
            .field("sent", &self.sent)
            .finish()
    }
}

impl<'t> Apdus<'t> {
    /// Wrap a transport; short APDUs until told otherwise.
    pub fn new(transport: &'t mut dyn CardTransport) -> Self {
        Self {
            transport,
            format: Format::Short,
            sent: 0,
        }
    }

    /// Use `format` for the following commands.
    pub fn set_format(&mut self, format: Format) {
        self.format = format;
    }

    /// APDUs exchanged so far (including chained parts and GET RESPONSE).
    #[must_use]
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// Where the card sits.
    #[must_use]
    pub fn location(&self) -> String {
        self.transport.location()
    }

    fn exchange(
        &mut self,
        apdu: &[u8],
        command: &'static str,
    ) -> Result<(Zeroizing<Vec<u8>>, u16)> {
        self.sent += 1;
        let resp = self.transport.transmit(apdu)?;
        split_response(&resp, command)
    }

    /// Send a command and collect the whole response (following `61xx`);
    /// returns the data and the final status word without judging it.
    ///
    /// # Errors
    /// Transport errors (`KeyRemoved` when the card is gone), `Malformed`.
    pub fn send_raw(
        &mut self,
        command: &'static str,
        (cla, ins, p1, p2): (u8, u8, u8, u8),
        data: &[u8],
    ) -> Result<(Zeroizing<Vec<u8>>, u16)> {
        let (mut resp, mut status) = match self.format {
            Format::Short => {
                let mut rest = data;
                while rest.len() > MAX_SHORT {
                    let (chunk, tail) = rest.split_at(MAX_SHORT);
                    let apdu = encode_short(cla | 0x10, ins, p1, p2, chunk)?;
                    let (_, s) = self.exchange(&apdu, command)?;
                    if s != sw::OK {
                        return Ok((Zeroizing::new(Vec::new()), s));
                    }
                    rest = tail;
                }
                let apdu = encode_short(cla, ins, p1, p2, rest)?;
                self.exchange(&apdu, command)?
            }
            Format::Extended => {
                let apdu = encode_extended(cla, ins, p1, p2, data)?;
                self.exchange(&apdu, command)?
            }
        };
        if status >> 8 != 0x61 {
            return Ok((resp, status));
        }
        let mut buf = Zeroizing::new(Vec::new());
        while status >> 8 == 0x61 {
            append_wiped(&mut buf, &resp);
            let le = (status & 0xFF) as u8;
            let (r, s) = self.exchange(&[0, INS_GET_RESPONSE, 0, 0, le], command)?;
            resp = r;
            status = s;
        }
        append_wiped(&mut buf, &resp);
        Ok((buf, status))
    }

    /// Send a command; `9000` gives the data, anything else its error.
    ///
    /// # Errors
    /// As [`Apdus::send_raw`], plus the status word mapped by [`status_error`].
    pub fn send(
        &mut self,
        command: &'static str,
        header: (u8, u8, u8, u8),
        data: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        let (resp, status) = self.send_raw(command, header, data)?;
        if status == sw::OK {
            Ok(resp)
        } else {
            Err(status_error(command, status))
        }
    }

    /// SELECT an application by AID; returns the select response.
    ///
    /// # Errors
    /// `Unsupported` if the key does not offer the application.
    pub fn select(&mut self, aid: &[u8], name: &'static str) -> Result<Zeroizing<Vec<u8>>> {
        let (resp, status) = self.send_raw("SELECT", (0, INS_SELECT, 0x04, 0x00), aid)?;
        match status {
            sw::OK => Ok(resp),
            sw::FILE_NOT_FOUND | sw::INS_NOT_SUPPORTED | sw::WRONG_P1P2 => {
                Err(DeviceError::Unsupported {
                    needs: Needs::Application { name },
                })
            }
            s => Err(status_error("SELECT", s)),
        }
    }
}

/// BER-TLV encoding and parsing (tags up to 3 bytes, definite lengths).
pub mod tlv {
    use zeroize::Zeroizing;

    use crate::error::{DeviceError, Result};

    /// Encode `tag` (1–3 bytes, as written in the specs, e.g. 0x7F49) and `value`.
    #[must_use]
    pub fn encode(tag: u32, value: &[u8]) -> Vec<u8> {
        // At most 3 tag bytes and 4 length bytes: no reallocation.
        let mut out = Vec::with_capacity(value.len() + 7);
        write(&mut out, tag, value);
        out
    }

    /// [`encode`] for a value that carries a secret: the buffer is wiped on drop.
    #[must_use]
    pub fn encode_secret(tag: u32, value: &[u8]) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(value.len() + 7));
        write(&mut out, tag, value);
        out
    }

    /// TLVs one after another in one wiped buffer (sized once, never grown).
    #[must_use]
    pub fn concat_secret(parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(parts.iter().map(|p| p.len()).sum()));
        for p in parts {
            out.extend_from_slice(p);
        }
        out
    }

    fn write(out: &mut Vec<u8>, tag: u32, value: &[u8]) {
        let tb = tag.to_be_bytes();
        let skip = tb.iter().take_while(|b| **b == 0).count().min(3);
        out.extend_from_slice(&tb[skip..]);
        let len = value.len();
        if len < 0x80 {
            out.push(len as u8);
        } else if len <= 0xFF {
            out.extend_from_slice(&[0x81, len as u8]);
        } else if len <= 0xFFFF {
            out.push(0x82);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            out.push(0x83);
            out.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
        }
        out.extend_from_slice(value);
    }

    fn malformed(detail: &str) -> DeviceError {
        DeviceError::Malformed {
            command: "TLV",
            detail: detail.to_owned(),
        }
    }

    /// Parse one TLV at the start of `data`: (tag, value, rest).
    ///
    /// # Errors
    /// `Malformed` on truncated or indefinite encodings.
    pub fn next(data: &[u8]) -> Result<(u32, &[u8], &[u8])> {
        let first = *data.first().ok_or_else(|| malformed("empty"))?;
        let mut tag = u32::from(first);
        let mut i = 1;
        if first & 0x1F == 0x1F {
            loop {
                let b = *data.get(i).ok_or_else(|| malformed("truncated tag"))?;
                tag = (tag << 8) | u32::from(b);
                i += 1;
                if b & 0x80 == 0 || i > 3 {
                    break;
                }
            }
        }
        let lb = *data.get(i).ok_or_else(|| malformed("missing length"))?;
        i += 1;
        let len = if lb < 0x80 {
            usize::from(lb)
        } else {
            let n = usize::from(lb & 0x7F);
            if n == 0 || n > 3 {
                return Err(malformed("unsupported length form"));
            }
            let bytes = data
                .get(i..i + n)
                .ok_or_else(|| malformed("truncated length"))?;
            i += n;
            bytes.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b))
        };
        let value = data
            .get(i..i + len)
            .ok_or_else(|| malformed("value shorter than its length"))?;
        Ok((tag, value, &data[i + len..]))
    }

    /// Parse a sequence of TLVs.
    ///
    /// # Errors
    /// `Malformed` if any element is.
    pub fn parse_all(mut data: &[u8]) -> Result<Vec<(u32, &[u8])>> {
        let mut out = Vec::new();
        while !data.is_empty() {
            let (t, v, rest) = next(data)?;
            out.push((t, v));
            data = rest;
        }
        Ok(out)
    }

    /// The value of the first TLV with `tag` in a sequence, if any.
    ///
    /// # Errors
    /// `Malformed` if the sequence is.
    pub fn find(data: &[u8], tag: u32) -> Result<Option<&[u8]>> {
        Ok(parse_all(data)?
            .into_iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, v)| v))
    }

    /// The value of a single TLV that must have `tag` (trailing bytes ignored).
    ///
    /// # Errors
    /// `Malformed` if the tag differs or the encoding is broken.
    pub fn unpack(tag: u32, data: &[u8]) -> Result<&[u8]> {
        let (t, v, _) = next(data)?;
        if t == tag {
            Ok(v)
        } else {
            Err(malformed(&format!("expected tag {tag:X}, found {t:X}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// A scripted card: checks each command and plays back answers.
    struct Script {
        expect: VecDeque<(Vec<u8>, Vec<u8>)>,
    }

    impl CardTransport for Script {
        fn transmit(&mut self, apdu: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
            let (cmd, resp) = self.expect.pop_front().ok_or(DeviceError::KeyRemoved)?;
            assert_eq!(apdu, cmd.as_slice());
            Ok(Zeroizing::new(resp))
        }
        fn location(&self) -> String {
            "script".into()
        }
    }

    #[test]
    fn short_and_extended_encoding() {
        assert_eq!(*encode_short(0, 0xFD, 0, 0, &[]).unwrap(), [0, 0xFD, 0, 0]);
        assert_eq!(
            *encode_short(0, 0xA4, 4, 0, &[1, 2]).unwrap(),
            [0, 0xA4, 4, 0, 2, 1, 2]
        );
        assert!(encode_short(0, 0, 0, 0, &[0; 256]).is_err());
        let e = encode_extended(0, 0xDB, 0x3F, 0xFF, &[7; 300]).unwrap();
        assert_eq!(&e[..7], &[0, 0xDB, 0x3F, 0xFF, 0, 0x01, 0x2C]);
        assert_eq!(e.len(), 307);
    }

    #[test]
    fn chains_long_data_and_follows_get_response() {
        let data: Vec<u8> = (0..300u16).map(|i| i as u8).collect();
        let mut first = vec![0x10, 0xDB, 0x3F, 0xFF, 0xFF];
        first.extend_from_slice(&data[..255]);
        let mut second = vec![0x00, 0xDB, 0x3F, 0xFF, 45];
        second.extend_from_slice(&data[255..]);
        let mut t = Script {
            expect: VecDeque::from(vec![
                (first, vec![0x90, 0]),
                (second, vec![0xAA, 0x61, 0x02]),
                (vec![0, 0xC0, 0, 0, 2], vec![0xBB, 0xCC, 0x90, 0x00]),
            ]),
        };
        let mut a = Apdus::new(&mut t);
        let out = a.send("PUT DATA", (0, 0xDB, 0x3F, 0xFF), &data).unwrap();
        assert_eq!(*out, [0xAA, 0xBB, 0xCC]);
        assert_eq!(a.sent(), 3);
    }

    #[test]
    fn wiped_buffers_grow_without_losing_bytes() {
        let mut buf = Zeroizing::new(Vec::with_capacity(2));
        append_wiped(&mut buf, &[1, 2]);
        assert_eq!(buf.capacity(), 2, "fits: no new buffer");
        append_wiped(&mut buf, &[3, 4, 5]);
        assert_eq!(*buf, [1, 2, 3, 4, 5]);
        assert!(buf.capacity() >= 5);
        append_wiped(&mut buf, &[]);
        assert_eq!(buf.len(), 5);
        let secret = tlv::encode_secret(0x89, &[7; 24]);
        assert_eq!(*secret, tlv::encode(0x89, &[7; 24]));
        assert_eq!(*tlv::concat_secret(&[&[1], &secret[..2]]), [1, 0x89, 24]);
    }

    #[test]
    fn status_words_map_to_errors() {
        assert!(matches!(
            status_error("VERIFY", 0x63C2),
            DeviceError::WrongPin { tries_left: 2 }
        ));
        assert!(matches!(
            status_error("VERIFY", 0x6983),
            DeviceError::PinBlocked
        ));
        assert!(matches!(
            status_error("X", 0x6982),
            DeviceError::AccessDenied { .. }
        ));
        assert!(matches!(
            status_error("X", 0x6A82),
            DeviceError::NotFound { .. }
        ));
        assert!(matches!(
            status_error("X", 0x6D00),
            DeviceError::Unsupported { .. }
        ));
        assert!(matches!(
            status_error("X", 0x6A80),
            DeviceError::Status { sw: 0x6A80, .. }
        ));
        assert!(split_response(&[0x90], "X").is_err());
    }

    #[test]
    fn missing_application_is_unsupported_and_removal_propagates() {
        let mut t = Script {
            expect: VecDeque::from(vec![(vec![0, 0xA4, 4, 0, 1, 0xAB], vec![0x6A, 0x82])]),
        };
        let mut a = Apdus::new(&mut t);
        assert!(matches!(
            a.select(&[0xAB], "OTP"),
            Err(DeviceError::Unsupported { .. })
        ));
        assert!(matches!(
            a.send("X", (0, 1, 0, 0), &[]),
            Err(DeviceError::KeyRemoved)
        ));
    }

    #[test]
    fn tlv_round_trip_and_long_forms() {
        let v = vec![9u8; 300];
        let enc = tlv::encode(0x53, &v);
        assert_eq!(&enc[..4], &[0x53, 0x82, 0x01, 0x2C]);
        assert_eq!(tlv::unpack(0x53, &enc).unwrap(), v.as_slice());
        let enc = tlv::encode(0x7F49, &[1, 2]);
        assert_eq!(enc, [0x7F, 0x49, 2, 1, 2]);
        let (t, val, rest) = tlv::next(&enc).unwrap();
        assert_eq!((t, val, rest.len()), (0x7F49, &[1u8, 2][..], 0));
        let seq = [tlv::encode(0x80, &[1]), tlv::encode(0x81, &[2; 200])].concat();
        assert_eq!(tlv::find(&seq, 0x81).unwrap().unwrap().len(), 200);
        assert_eq!(tlv::find(&seq, 0x82).unwrap(), None);
        assert!(tlv::parse_all(&[0x80, 0x05, 1]).is_err());
        assert!(tlv::unpack(0x81, &seq).is_err());
        assert_eq!(tlv::encode(0x5FC105, &[]), [0x5F, 0xC1, 0x05, 0]);
    }
}
