//! Small helpers over `ciborium::Value` for CTAP2 parameter maps: typed
//! lookups that fail with the CTAP2 status a real authenticator returns, and
//! canonical encoding of responses (maps are built in canonical key order).

use ciborium::Value;

use super::status::{self, Fail};

/// Decode one CBOR item; trailing bytes or bad CBOR are `CTAP2_ERR_INVALID_CBOR`.
pub fn decode(bytes: &[u8]) -> Result<Value, Fail> {
    let mut rd = bytes;
    let v: Value =
        ciborium::de::from_reader(&mut rd).map_err(|_| Fail::Status(status::INVALID_CBOR))?;
    if rd.is_empty() {
        Ok(v)
    } else {
        Err(Fail::Status(status::INVALID_CBOR))
    }
}

/// Encode a value.
pub fn encode(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = ciborium::ser::into_writer(v, &mut out);
    out
}

/// A CTAP2 parameter map with integer or text keys.
#[derive(Debug, Clone, Default)]
pub struct Map<'a>(pub &'a [(Value, Value)]);

impl<'a> Map<'a> {
    /// Interpret `v` as a map, else `CBOR_UNEXPECTED_TYPE`.
    pub fn of(v: &'a Value) -> Result<Self, Fail> {
        match v {
            Value::Map(m) => Ok(Self(m)),
            _ => Err(Fail::Status(status::CBOR_UNEXPECTED_TYPE)),
        }
    }

    /// Value under integer key `k`.
    pub fn get(&self, k: i64) -> Option<&'a Value> {
        self.0.iter().find_map(|(key, v)| match key {
            Value::Integer(i) if i128::from(*i) == i128::from(k) => Some(v),
            _ => None,
        })
    }

    /// Value under text key `k`.
    pub fn text_key(&self, k: &str) -> Option<&'a Value> {
        self.0.iter().find_map(|(key, v)| match key {
            Value::Text(t) if t == k => Some(v),
            _ => None,
        })
    }

    /// Required value under integer key `k`, else `MISSING_PARAMETER`.
    pub fn need(&self, k: i64) -> Result<&'a Value, Fail> {
        self.get(k).ok_or(Fail::Status(status::MISSING_PARAMETER))
    }
}

pub fn bytes(v: &Value) -> Result<&[u8], Fail> {
    match v {
        Value::Bytes(b) => Ok(b),
        _ => Err(Fail::Status(status::CBOR_UNEXPECTED_TYPE)),
    }
}

pub fn text(v: &Value) -> Result<&str, Fail> {
    match v {
        Value::Text(t) => Ok(t),
        _ => Err(Fail::Status(status::CBOR_UNEXPECTED_TYPE)),
    }
}

pub fn int(v: &Value) -> Result<i64, Fail> {
    match v {
        Value::Integer(i) => {
            i64::try_from(i128::from(*i)).map_err(|_| Fail::Status(status::INVALID_PARAMETER))
        }
        _ => Err(Fail::Status(status::CBOR_UNEXPECTED_TYPE)),
    }
}

pub fn boolean(v: &Value) -> Result<bool, Fail> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(Fail::Status(status::CBOR_UNEXPECTED_TYPE)),
    }
}

pub fn array(v: &Value) -> Result<&[Value], Fail> {
    match v {
        Value::Array(a) => Ok(a),
        _ => Err(Fail::Status(status::CBOR_UNEXPECTED_TYPE)),
    }
}

/// Shorthand constructors.
pub fn i(n: i64) -> Value {
    Value::Integer(n.into())
}

pub fn t(s: &str) -> Value {
    Value::Text(s.to_owned())
}

pub fn b(bytes: &[u8]) -> Value {
    Value::Bytes(bytes.to_vec())
}

/// A map with integer keys, in the given (canonical) order.
pub fn imap(entries: Vec<(i64, Value)>) -> Value {
    Value::Map(entries.into_iter().map(|(k, v)| (i(k), v)).collect())
}

/// A map with text keys, sorted canonically (length first, then bytes).
pub fn tmap(mut entries: Vec<(&str, Value)>) -> Value {
    entries.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then(a.0.cmp(b.0)));
    Value::Map(entries.into_iter().map(|(k, v)| (t(k), v)).collect())
}
