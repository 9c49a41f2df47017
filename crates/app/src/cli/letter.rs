//! The PIN letter: the random PINs of an unattended enrolment, written once
//! to a new file (mode 0600) as a plain-text letter in German and English
//! for the staff member. The file is reserved before the key is touched (so
//! a bad path fails early and nothing is ever overwritten) and filled after
//! the enrolment succeeded; on failure the empty reservation is removed.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::i18n::Text;
use crate::tui::problem::{plain, FileOp};
use keydesk_core::PinLetter;

/// A new, empty letter file waiting for its PINs.
#[derive(Debug)]
pub struct Reserved {
    path: PathBuf,
    file: Option<File>,
}

impl Reserved {
    /// Create `path`, which must not exist yet, readable by the owner only.
    ///
    /// # Errors
    /// The file exists already, or cannot be created.
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    super::Refusal::new(
                        super::exit::USAGE,
                        Text::CliLetterExists,
                        vec![plain(path.display())],
                    )
                    .into()
                } else {
                    super::say::file(FileOp::Write, path)(e)
                }
            })?;
        Ok(Self {
            path: path.to_path_buf(),
            file: Some(file),
        })
    }

    /// Where the letter goes.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write the letter and close the file.
    ///
    /// # Errors
    /// Write errors (the file is then removed: the PINs are lost, and the
    /// key must be reset and enrolled again).
    pub fn write(mut self, letter: &PinLetter, date: &str) -> anyhow::Result<()> {
        let text = zeroize::Zeroizing::new(render(letter, date));
        let result = match self.file.take() {
            Some(mut f) => f
                .write_all(text.as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(super::say::file(FileOp::Write, &self.path)),
            None => Ok(()),
        };
        if result.is_err() {
            let _ = std::fs::remove_file(&self.path);
        }
        result
    }

    /// The enrolment failed: remove the empty reservation.
    pub fn abandon(mut self) {
        self.file.take();
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The letter's text.
#[must_use]
pub fn render(l: &PinLetter, date: &str) -> String {
    let fido = l.fido_pin.as_ref().map_or("–", |p| p.expose()).to_owned();
    format!(
        "\
PIN-Brief / PIN letter
======================

Sicherheitsschlüssel / Security key:  YubiKey, Seriennummer / serial {serial}
Inhaber/in / Holder:                  {holder}
Datum / Date:                         {date}

PIV-PIN (Anmeldung / sign-in):        {pin}
PIV-PUK (Entsperren / unblock):       {puk}
FIDO2-PIN:                            {fido}

DEUTSCH
- Bewahren Sie diesen Brief verschlossen und getrennt vom Schlüssel auf.
- Die PIN brauchen Sie bei der Anmeldung am Notebook. Ändern Sie sie beim
  ersten Gebrauch, wenn Sie dazu aufgefordert werden.
- Nach drei falschen PIN-Eingaben ist die PIN gesperrt; mit der PUK kann
  die IT sie entsperren. Geben Sie die PUK nie weiter.
- Schlüssel verloren oder gestohlen? Melden Sie das sofort der IT-Theke,
  damit er gesperrt wird.
- Vernichten Sie diesen Brief, sobald Sie sich die PINs gemerkt haben.

ENGLISH
- Keep this letter sealed and apart from the key.
- You need the PIN to sign in on your notebook. Change it on first use
  when you are asked to.
- After three wrong PIN entries the PIN is blocked; IT can unblock it with
  the PUK. Never pass the PUK on.
- Key lost or stolen? Tell the IT counter at once so it can be blocked.
- Destroy this letter once you have memorised the PINs.
",
        serial = l.serial,
        holder = l.holder,
        pin = l.piv_pin.expose(),
        puk = l.piv_puk.expose(),
    )
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use keydesk_core::Secret;

    use super::*;

    fn letter() -> PinLetter {
        PinLetter {
            serial: "23456780".parse().unwrap(),
            holder: "Müller, Anna (4711)".into(),
            piv_pin: Secret::new("135790"),
            piv_puk: Secret::new("24681357"),
            fido_pin: Some(Secret::new("975310")),
        }
    }

    #[test]
    fn letter_is_private_complete_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("brief.txt");
        Reserved::create(&path)
            .unwrap()
            .write(&letter(), "2026-11-23")
            .unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        for want in [
            "23456780",
            "Müller, Anna (4711)",
            "135790",
            "24681357",
            "975310",
            "DEUTSCH",
            "ENGLISH",
        ] {
            assert!(text.contains(want), "{want} missing:\n{text}");
        }
        let err = Reserved::create(&path).unwrap_err().to_string();
        assert!(err.contains("never overwritten"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }

    #[test]
    fn an_abandoned_reservation_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("brief.txt");
        Reserved::create(&path).unwrap().abandon();
        assert!(!path.exists());
    }
}
