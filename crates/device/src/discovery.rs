//! Finding the keys plugged in over PC/SC: every YubiKey reader is opened
//! and asked who it is (Management GET DEVICE INFO; OTP for the serial of
//! 4.x keys; PIV as a last resort), then grouped into [`Key`]s by serial.
//! [`open_card`] opens the card of one serial and refuses to guess.

use keydesk_types::Serial;

use crate::error::{DeviceError, Result};
use crate::keys::{self, HidKey, Key};
use crate::management::{Capabilities, DeviceInfo, FormFactor, Management, Version};
use crate::otp::Otp;
use crate::pcsc_transport::{is_yubikey_reader, list_readers, PcscTransport};
use crate::piv::Piv;
use crate::transport::CardTransport;

/// Who the card on `transport` is.
///
/// Management first; if it hides the serial (or is firmware 4.x), the OTP
/// application; without Management (old firmware, or disabled), PIV's
/// version and serial.
///
/// # Errors
/// `KeyRemoved` and transport errors; `Unsupported` when no application answers.
pub fn probe(transport: &mut dyn CardTransport) -> Result<DeviceInfo> {
    let mgmt = Management::open(transport).and_then(|mut m| m.device_info());
    let mut info = match mgmt {
        Ok(i) => i,
        Err(DeviceError::Unsupported { .. } | DeviceError::Status { .. }) => {
            let mut p = Piv::open(transport)?;
            let version = p.version();
            let serial = p.serial().ok();
            DeviceInfo {
                serial,
                version,
                form_factor: FormFactor::Unknown,
                fips: false,
                sky: false,
                usb_supported: Capabilities(Capabilities::PIV),
                usb_enabled: Capabilities(Capabilities::PIV),
                nfc_supported: None,
                nfc_enabled: None,
                config_locked: false,
                auto_eject_timeout: 0,
                chalresp_timeout: 0,
                device_flags: 0,
            }
        }
        Err(e) => return Err(e),
    };
    if info.serial.is_none() && info.version < Version(5, 0, 0) {
        match Otp::open(transport).and_then(|mut o| o.serial()) {
            Ok(s) => info.serial = s,
            Err(DeviceError::KeyRemoved) => return Err(DeviceError::KeyRemoved),
            Err(_) => {}
        }
    }
    Ok(info)
}

/// Probe every YubiKey reader; empty readers are skipped, a reader whose
/// card fails to answer is skipped with a log line.
///
/// # Errors
/// `Pcsc` when the service is unreachable.
pub fn probe_readers(ctx: &pcsc::Context) -> Result<Vec<(String, DeviceInfo)>> {
    let mut out = Vec::new();
    for reader in list_readers(ctx)?
        .into_iter()
        .filter(|r| is_yubikey_reader(r))
    {
        let mut t = match PcscTransport::connect(ctx, &reader) {
            Ok(t) => t,
            Err(DeviceError::KeyRemoved | DeviceError::CardBusy) => continue,
            Err(e) => return Err(e),
        };
        match probe(&mut t) {
            Ok(info) => out.push((reader, info)),
            Err(e) => log::warn!("reader {reader}: cannot identify the key: {e}"),
        }
    }
    Ok(out)
}

/// All keys reachable over PC/SC, plus the FIDO HID devices given (from
/// the FIDO discovery), grouped into keys.
///
/// # Errors
/// `Pcsc` when the service is unreachable.
pub fn list_keys(ctx: &pcsc::Context, hid: Vec<HidKey>) -> Result<Vec<Key>> {
    Ok(keys::group(probe_readers(ctx)?, hid))
}

/// Open the card of the key with `serial`.
///
/// # Errors
/// `NoKey`, `KeyNotFound`, `DuplicateSerial`; never picks one of several.
pub fn open_card(ctx: &pcsc::Context, serial: Serial) -> Result<PcscTransport> {
    let keys = keys::group(probe_readers(ctx)?, Vec::new());
    let reader = keys::find(&keys, serial)?
        .reader()
        .ok_or(DeviceError::KeyNotFound { serial })?;
    open_card_in(ctx, reader, serial)
}

/// Connect to `reader` for this program alone (see
/// [`PcscTransport::connect_exclusive`]) and make sure the card in it is
/// still `serial` (it may have been swapped since it was identified).
///
/// # Errors
/// `KeyNotFound` when another card sits there now, `CardBusy` when another
/// program uses the key; transport errors.
pub fn open_card_in(ctx: &pcsc::Context, reader: &str, serial: Serial) -> Result<PcscTransport> {
    let mut t = PcscTransport::connect_exclusive(ctx, reader)?;
    match probe(&mut t)?.serial {
        Some(s) if s == serial => Ok(t),
        _ => Err(DeviceError::KeyNotFound { serial }),
    }
}

#[cfg(test)]
mod tests {
    use zeroize::Zeroizing;

    use super::*;
    use crate::apdu::tlv;

    /// A YubiKey 4.3.7 that hides its serial from Management: answers by INS.
    struct Yk4 {
        selected: u8,
    }

    impl CardTransport for Yk4 {
        fn transmit(&mut self, apdu: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
            let ok = |mut d: Vec<u8>| {
                d.extend_from_slice(&[0x90, 0]);
                Ok(Zeroizing::new(d))
            };
            match (apdu[1], apdu.get(10)) {
                (0xA4, Some(0x47)) => {
                    self.selected = b'm';
                    ok(b"4.3.7".to_vec())
                }
                (0xA4, Some(0x20)) => {
                    self.selected = b'o';
                    ok(vec![4, 3, 7, 1, 0, 0])
                }
                (0x1D, _) if self.selected == b'm' => {
                    let body = tlv::encode(0x04, &[0x01]);
                    let mut d = vec![u8::try_from(body.len()).unwrap()];
                    d.extend(body);
                    ok(d)
                }
                (0x01, _) if self.selected == b'o' && apdu[2] == 0x10 => {
                    ok(4_123_456u32.to_be_bytes().to_vec())
                }
                _ => Ok(Zeroizing::new(vec![0x6D, 0x00])),
            }
        }
        fn location(&self) -> String {
            "yk4".into()
        }
    }

    #[test]
    fn firmware_4_reads_the_serial_through_otp() {
        let info = probe(&mut Yk4 { selected: 0 }).unwrap();
        assert_eq!(info.version, Version(4, 3, 7));
        assert_eq!(info.serial, Some(Serial::new(4_123_456).unwrap()));
        assert_eq!(info.model(), "YubiKey 4");
    }
}
