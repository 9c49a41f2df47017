//! [`CardTransport`] over the system's PC/SC service (the `pcsc` crate):
//! real YubiKeys, and the simulator plugged into pcscd through vpcd.
//!
//! Cards are opened in shared mode with T=1 (as ykman does), so a running
//! gpg-agent/scdaemon is not kicked off; a card held exclusively by another
//! program gives [`DeviceError::CardBusy`]. pcsc errors that mean "the key
//! is gone" become [`DeviceError::KeyRemoved`].

use std::ffi::{CStr, CString};

use zeroize::{Zeroize, Zeroizing};

use crate::error::{DeviceError, Result};
use crate::transport::CardTransport;

/// Largest response we accept from one APDU (extended length + SW).
const MAX_RESPONSE: usize = 65538;

/// Map a pcsc error to ours.
#[must_use]
pub fn map_pcsc_error(e: pcsc::Error) -> DeviceError {
    use pcsc::Error as E;
    match e {
        E::RemovedCard
        | E::NoSmartcard
        | E::ReaderUnavailable
        | E::UnknownReader
        | E::UnpoweredCard
        | E::UnresponsiveCard
        | E::InvalidHandle => DeviceError::KeyRemoved,
        // Another connection holds the card (exclusively, or with another
        // protocol): discovery skips such a reader instead of failing.
        E::SharingViolation | E::ProtoMismatch => DeviceError::CardBusy,
        E::NoService | E::ServiceStopped => DeviceError::Pcsc(format!(
            "{e} (the pcscd service is not running: start it with `systemctl start pcscd.socket`)"
        )),
        E::NoReadersAvailable => DeviceError::NoKey,
        E::ResetCard => DeviceError::Transport(
            "another program reset the card in the middle of an operation".into(),
        ),
        other => DeviceError::Pcsc(other.to_string()),
    }
}

/// Establish a PC/SC context with the system service.
///
/// # Errors
/// `Pcsc` when pcscd is not reachable.
pub fn context() -> Result<pcsc::Context> {
    pcsc::Context::establish(pcsc::Scope::User).map_err(map_pcsc_error)
}

/// Names of all PC/SC readers (empty when there are none).
///
/// # Errors
/// `Pcsc` when the service fails.
pub fn list_readers(ctx: &pcsc::Context) -> Result<Vec<String>> {
    match ctx.list_readers_owned() {
        Ok(names) => Ok(names
            .into_iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect()),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(map_pcsc_error(e)),
    }
}

/// Whether a reader name belongs to a YubiKey (ykman's rule: contains "yubico").
#[must_use]
pub fn is_yubikey_reader(name: &str) -> bool {
    name.to_ascii_lowercase().contains("yubico")
}

/// One open card in one PC/SC reader.
pub struct PcscTransport {
    card: pcsc::Card,
    reader: String,
    /// The receive buffer, reused; wiped after every response and on drop.
    buf: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for PcscTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscTransport")
            .field("reader", &self.reader)
            .finish_non_exhaustive()
    }
}

impl PcscTransport {
    /// Connect to the card in `reader`, sharing it with other programs (for
    /// a quick look such as identifying it).
    ///
    /// # Errors
    /// `KeyRemoved` when no card is in the reader, `CardBusy`, `Pcsc`.
    pub fn connect(ctx: &pcsc::Context, reader: &str) -> Result<Self> {
        Self::connect_with(ctx, reader, pcsc::ShareMode::Shared)
    }

    /// Connect to the card in `reader` for this program alone, until dropped.
    /// An operation of several APDUs (verify the PIN, then generate a key)
    /// relies on state the card keeps between them; no other program may
    /// select another application or log out in between.
    ///
    /// # Errors
    /// `CardBusy` when another program has the card, `KeyRemoved`, `Pcsc`.
    pub fn connect_exclusive(ctx: &pcsc::Context, reader: &str) -> Result<Self> {
        Self::connect_with(ctx, reader, pcsc::ShareMode::Exclusive)
    }

    fn connect_with(ctx: &pcsc::Context, reader: &str, mode: pcsc::ShareMode) -> Result<Self> {
        let name = CString::new(reader).map_err(|_| {
            DeviceError::Pcsc(format!("reader name {reader:?} contains a NUL byte"))
        })?;
        let card = ctx
            .connect(&name, mode, pcsc::Protocols::T1)
            .map_err(map_pcsc_error)?;
        Ok(Self {
            card,
            reader: reader.to_owned(),
            buf: Zeroizing::new(vec![0; MAX_RESPONSE]),
        })
    }

    /// The reader this card sits in.
    #[must_use]
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// The card's ATR.
    ///
    /// # Errors
    /// `KeyRemoved` and other pcsc errors.
    pub fn atr(&self) -> Result<Vec<u8>> {
        let len = self
            .card
            .get_attribute_len(pcsc::Attribute::AtrString)
            .map_err(map_pcsc_error)?;
        let mut buf = vec![0; len];
        let atr = self
            .card
            .get_attribute(pcsc::Attribute::AtrString, &mut buf)
            .map_err(map_pcsc_error)?;
        Ok(atr.to_vec())
    }
}

impl CardTransport for PcscTransport {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let resp = self
            .card
            .transmit(apdu, &mut self.buf)
            .map_err(map_pcsc_error)?;
        let (out, n) = (Zeroizing::new(resp.to_vec()), resp.len());
        self.buf[..n].zeroize();
        Ok(out)
    }

    fn location(&self) -> String {
        self.reader.clone()
    }
}

/// Convert a reader name from pcsc.
#[must_use]
pub fn reader_name(name: &CStr) -> String {
    name.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_errors_become_key_removed() {
        for e in [
            pcsc::Error::RemovedCard,
            pcsc::Error::NoSmartcard,
            pcsc::Error::ReaderUnavailable,
            pcsc::Error::UnknownReader,
        ] {
            assert!(
                matches!(map_pcsc_error(e), DeviceError::KeyRemoved),
                "{e:?}"
            );
        }
        let msg = map_pcsc_error(pcsc::Error::NoService).to_string();
        assert!(msg.contains("pcscd"), "{msg}");
        // A card another keydesk process holds is skipped by discovery, not an error.
        for e in [pcsc::Error::SharingViolation, pcsc::Error::ProtoMismatch] {
            assert!(matches!(map_pcsc_error(e), DeviceError::CardBusy), "{e:?}");
        }
    }

    #[test]
    fn yubikey_readers_by_name() {
        assert!(is_yubikey_reader("Yubico YubiKey OTP+FIDO+CCID 00 00"));
        assert!(!is_yubikey_reader("Alcor Micro AU9540 00 00"));
    }
}
