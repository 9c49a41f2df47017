//! What PIV asks of a PIN or PUK (a [`Secret`]): 6 to 8 bytes when set, and
//! on the wire 8 bytes padded with 0xFF, in a buffer that is wiped on drop.

use keydesk_types::Secret;
use zeroize::Zeroizing;

use crate::error::{DeviceError, PinRefusal, Result};

/// Check a new PIN/PUK against what the card accepts (6–8 bytes).
///
/// # Errors
/// `PinPolicy` with the reason.
pub(crate) fn check_new(pin: &Secret) -> Result<()> {
    let n = pin.len();
    if !(6..=8).contains(&n) {
        return Err(DeviceError::PinPolicy {
            reason: PinRefusal::PivLength { chars: n },
        });
    }
    Ok(())
}

/// The 8-byte PIV encoding (padded with 0xFF).
///
/// # Errors
/// `PinPolicy` when longer than 8 bytes.
pub(crate) fn padded(pin: &Secret) -> Result<Zeroizing<[u8; 8]>> {
    let b = pin.expose_bytes();
    if b.len() > 8 {
        return Err(DeviceError::PinPolicy {
            reason: PinRefusal::PivTooLong,
        });
    }
    let mut out = Zeroizing::new([0xFF; 8]);
    out[..b.len()].copy_from_slice(b);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_and_policy() {
        assert_eq!(
            *padded(&Secret::new("123456")).unwrap(),
            [b'1', b'2', b'3', b'4', b'5', b'6', 0xFF, 0xFF]
        );
        assert_eq!(*padded(&Secret::new("")).unwrap(), [0xFF; 8]);
        assert!(padded(&Secret::new("123456789")).is_err());
        assert!(check_new(&Secret::new("12345")).is_err());
        assert!(check_new(&Secret::new("12345678")).is_ok());
        assert!(check_new(&Secret::new("123456789")).is_err());
    }
}
