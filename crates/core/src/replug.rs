//! Unplug and plug back in: a FIDO2 reset is accepted only within seconds of
//! plug-in, so the key must be alone and freshly plugged. The CLI waits here
//! (blocking); the TUI's wizard and a bulk reset see the same through
//! [`crate::PluggedKey::generation`] on each look.

use std::time::{Duration, Instant};

use keydesk_device::watch::CardEvent;
use keydesk_device::DeviceError;
use keydesk_types::Serial;

use crate::desk::Desk;
use crate::error::Result;

/// Between looks at the HID devices while waiting for a FIDO-only key:
/// often enough for the 5 s reset window, rare enough to leave them idle.
const POLL: Duration = Duration::from_millis(400);
/// How often the card-presence watcher looks at the readers.
const WATCH: Duration = Duration::from_millis(100);

impl Desk {
    /// Before a FIDO2 reset of `serial`: it is plugged in, and alone (a
    /// reset must not reach another key, and the key must be touched).
    ///
    /// # Errors
    /// `KeyNotFound` when it is not plugged in, `SeveralKeys` when others are.
    pub fn check_alone(&mut self, serial: Serial) -> Result<()> {
        let plugged = self.plugged()?;
        if !plugged.iter().any(|k| k.serial == Some(serial)) {
            return Err(DeviceError::KeyNotFound { serial }.into());
        }
        let fido = plugged.iter().filter(|k| k.fido.is_some()).count();
        let count = plugged.len().max(fido);
        if count > 1 {
            return Err(DeviceError::SeveralKeys { serial, count }.into());
        }
        Ok(())
    }

    /// Wait until `serial` has been unplugged and plugged back in, at most
    /// `timeout`: `true` at once when it is back (the reset window is open
    /// now), `false` when the time ran out. A key in a reader is watched
    /// through the reader's card presence, so no command goes to a card
    /// being pulled; a FIDO-only key through the HID devices.
    ///
    /// # Errors
    /// When the smart-card service or HID enumeration fails.
    pub fn wait_for_replug(&mut self, serial: Serial, timeout: Duration) -> Result<bool> {
        let start = Instant::now();
        let reader = self
            .plugged()?
            .into_iter()
            .find(|k| k.serial == Some(serial))
            .and_then(|k| k.reader);
        if let Some(reader) = reader {
            let (watcher, events) = keydesk_device::watch::watch(WATCH)?;
            let mut gone = false;
            while let Some(left) = timeout.checked_sub(start.elapsed()) {
                match events.recv_timeout(left) {
                    Ok(CardEvent::Unplugged { reader: r }) if r == reader => gone = true,
                    Ok(CardEvent::Plugged { reader: r }) if r == reader && gone => {
                        watcher.stop();
                        return Ok(true);
                    }
                    Ok(CardEvent::Failed { error }) => {
                        watcher.stop();
                        return Err(DeviceError::Pcsc(error).into());
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
            watcher.stop();
            return Ok(false);
        }
        let mut gone = false;
        while start.elapsed() < timeout {
            let present = self.plugged()?.iter().any(|k| k.serial == Some(serial));
            if !present {
                gone = true;
            } else if gone {
                return Ok(true);
            }
            std::thread::sleep(POLL);
        }
        Ok(false)
    }
}
