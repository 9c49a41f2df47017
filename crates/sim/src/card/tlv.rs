//! BER-TLV encoding and parsing as the PIV, Management and OTP applications
//! use it (tags of one to three bytes, definite lengths up to 0xFFFF).

/// Encode one TLV. Tags above 0xFF are written big-endian in as many bytes as needed.
#[must_use]
pub fn tlv(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    let tb = tag.to_be_bytes();
    let skip = tb.iter().take(3).take_while(|b| **b == 0).count();
    out.extend_from_slice(&tb[skip..]);
    out.extend_from_slice(&encode_len(value.len()));
    out.extend_from_slice(value);
    out
}

/// Encode a BER length.
#[must_use]
pub fn encode_len(len: usize) -> Vec<u8> {
    match len {
        0..=0x7F => vec![len as u8],
        0x80..=0xFF => vec![0x81, len as u8],
        _ => {
            let l = u16::try_from(len).unwrap_or(u16::MAX);
            let [a, b] = l.to_be_bytes();
            vec![0x82, a, b]
        }
    }
}

/// Parse a sequence of TLVs into (tag, value) pairs; `None` if malformed.
#[must_use]
pub fn parse(mut data: &[u8]) -> Option<Vec<(u32, Vec<u8>)>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let (tag, value, rest) = parse_one(data)?;
        out.push((tag, value.to_vec()));
        data = rest;
    }
    Some(out)
}

/// Parse one TLV: (tag, value, remaining input).
#[must_use]
pub fn parse_one(data: &[u8]) -> Option<(u32, &[u8], &[u8])> {
    let mut i = 0;
    let first = *data.first()?;
    let mut tag = u32::from(first);
    i += 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = *data.get(i)?;
            tag = (tag << 8) | u32::from(b);
            i += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let l0 = *data.get(i)?;
    i += 1;
    let len = match l0 {
        0..=0x7F => usize::from(l0),
        0x81 => {
            i += 1;
            usize::from(*data.get(i - 1)?)
        }
        0x82 => {
            i += 2;
            usize::from(u16::from_be_bytes([*data.get(i - 2)?, *data.get(i - 1)?]))
        }
        _ => return None,
    };
    let value = data.get(i..i + len)?;
    Some((tag, value, &data[i + len..]))
}

/// Find the value of `tag` among parsed TLVs.
#[must_use]
pub fn find(tlvs: &[(u32, Vec<u8>)], tag: u32) -> Option<&[u8]> {
    tlvs.iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, v)| v.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_tags_and_lengths() {
        let long = vec![7u8; 300];
        let mut buf = tlv(0x5C, &[0x5F, 0xC1, 0x05]);
        buf.extend(tlv(0x53, &long));
        buf.extend(tlv(0x7F49, &[1, 2]));
        buf.extend(tlv(0x81, &[0; 200]));
        let parsed = parse(&buf).unwrap();
        assert_eq!(parsed[0], (0x5C, vec![0x5F, 0xC1, 0x05]));
        assert_eq!(parsed[1].1, long);
        assert_eq!(parsed[2], (0x7F49, vec![1, 2]));
        assert_eq!(parsed[3].1.len(), 200);
        assert!(parse(&[0x53, 0x05, 1]).is_none());
    }
}
