//! Small helpers over `ciborium::Value` for CTAP2's integer-keyed maps:
//! building requests, encoding them canonically enough for CTAP (keys in
//! ascending order as given), and reading typed fields out of answers.

use ciborium::Value;

use crate::error::{DeviceError, Result};

/// A map with integer keys, in the order given (callers list keys ascending,
/// as CTAP2 canonical CBOR requires).
#[must_use]
pub fn int_map(entries: Vec<(i64, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Value::Integer(k.into()), v))
            .collect(),
    )
}

/// A map with text keys, in the order given.
#[must_use]
pub fn text_map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Value::Text(k.to_owned()), v))
            .collect(),
    )
}

/// An unsigned integer value.
#[must_use]
pub fn uint(v: u64) -> Value {
    Value::Integer(v.into())
}

/// Encode one value.
pub fn encode(v: &Value) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(v, &mut out).map_err(|e| DeviceError::Malformed {
        command: "CBOR encoding",
        detail: e.to_string(),
    })?;
    Ok(out)
}

/// Decode one value from `bytes` for `command`.
pub fn decode(command: &'static str, bytes: &[u8]) -> Result<Value> {
    ciborium::de::from_reader(bytes).map_err(|e| DeviceError::Malformed {
        command,
        detail: format!("invalid CBOR: {e}"),
    })
}

/// The value under integer key `key` of a map.
#[must_use]
pub fn map_get(map: &Value, key: i64) -> Option<&Value> {
    map.as_map()?.iter().find_map(|(k, v)| {
        let k = k.as_integer()?;
        (i128::from(k) == i128::from(key)).then_some(v)
    })
}

/// The value under text key `key` of a map.
#[must_use]
pub fn text_get<'a>(map: &'a Value, key: &str) -> Option<&'a Value> {
    map.as_map()?
        .iter()
        .find_map(|(k, v)| (k.as_text() == Some(key)).then_some(v))
}

/// An integer value as u64, if it is one and fits.
#[must_use]
pub fn as_u64(v: &Value) -> Option<u64> {
    v.as_integer().and_then(|i| u64::try_from(i).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_ctap_maps_as_expected() {
        // {1: 2, 2: h'00'} as in CTAP examples
        let v = int_map(vec![(1, uint(2)), (2, Value::Bytes(vec![0]))]);
        assert_eq!(
            encode(&v).unwrap(),
            vec![0xA2, 0x01, 0x02, 0x02, 0x41, 0x00]
        );
        let back = decode("test", &encode(&v).unwrap()).unwrap();
        assert_eq!(map_get(&back, 2).and_then(Value::as_bytes), Some(&vec![0]));
        assert_eq!(map_get(&back, 1).and_then(as_u64), Some(2));
        assert!(map_get(&back, 3).is_none());
        assert!(decode("test", &[0xA2, 0x01]).is_err());
    }
}
