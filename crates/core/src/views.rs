//! What the faces (TUI and CLI) show, read through the desk: the keys
//! plugged in now joined with the inventory, the records behind a search
//! hit, loans, exports, and the checks a workflow makes before it touches a
//! key, so that a face can refuse early (before asking for PINs) with the
//! same rule the workflow applies. No face reads the store itself.

use std::io::Write;

use keydesk_store::{
    AssetTag, Assignment, Dialect, ExportKind, JournalEntry, Key, KeyHistory, KeyState, Notebook,
    PersonnelNo, Serial, Staff, StoreError,
};

use crate::desk::Desk;
use crate::error::{CoreError, Result};

/// Keys a bulk reset of waiting keys takes at most (more than a counter
/// handles in a day); a face says so when the batch is cut there.
pub const MAX_BATCH: usize = 10_000;

/// A key plugged in now, as the inventory knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluggedKey {
    /// `None`: a key whose serial could not be read (not a YubiKey, or
    /// one that hides it); it is shown but no workflow can run on it.
    pub serial: Option<Serial>,
    /// e.g. "YubiKey 5 NFC".
    pub model: String,
    /// e.g. "5.7.1", when known.
    pub firmware: Option<String>,
    /// The smart-card reader it is in, if seen over CCID.
    pub reader: Option<String>,
    /// Its FIDO HID device, if seen as one.
    pub fido: Option<String>,
    /// The inventory's state; `None` for a key the inventory does not know.
    pub state: Option<KeyState>,
    /// Who holds it now, if anyone.
    pub holder: Option<Assignment>,
    /// Grows each time the key is plugged in again (0: not known): two looks
    /// tell "still plugged in" from "pulled and plugged back in between".
    pub generation: u64,
}

/// The journal entries that matter before work starts on some keys.
#[derive(Debug, Clone, Default)]
pub struct OpenWork {
    /// Interrupted operations (a crash, a pulled key), and operations
    /// another live counter runs on one of the keys asked about: work must
    /// wait for `recover` (or for the other counter).
    pub blocking: Vec<JournalEntry>,
    /// Operations another live counter runs on other keys: worth a word,
    /// no reason to wait.
    pub elsewhere: Vec<JournalEntry>,
}

impl Desk {
    /// What stands in the way of working on `serials` now (see [`OpenWork`]).
    ///
    /// # Errors
    /// When the journal cannot be read.
    pub fn open_work(&self, serials: &[Serial]) -> Result<OpenWork> {
        for &s in serials {
            self.refuse_if_claimed(s)?;
        }
        let mut work = OpenWork {
            blocking: self.unfinished()?,
            elsewhere: Vec::new(),
        };
        for e in self.running_elsewhere()? {
            if e.serial.is_some_and(|s| serials.contains(&s)) {
                work.blocking.push(e);
            } else {
                work.elsewhere.push(e);
            }
        }
        Ok(work)
    }

    /// Refuse at once a key another live counter works on (shared
    /// inventories), naming that counter, its operator and since when.
    ///
    /// # Errors
    /// `Store(KeyClaimed)`; database errors.
    pub fn refuse_if_claimed(&self, serial: Serial) -> Result<()> {
        match self.store.claimed_elsewhere(serial)? {
            None => Ok(()),
            Some(h) => Err(keydesk_store::StoreError::KeyClaimed {
                serial,
                workstation: h.workstation,
                operator: h.operator,
                since: h.since,
            }
            .into()),
        }
    }

    /// Whether this desk's profile sets up (and so resets) FIDO2.
    #[must_use]
    pub fn fido_wanted(&self) -> bool {
        self.profile().fido.mode != crate::profile::FidoMode::Skip
    }

    /// The keys plugged in now, each joined with the inventory.
    ///
    /// # Errors
    /// When the smart-card service or HID enumeration fails, or the
    /// inventory cannot be read.
    pub fn plugged(&mut self) -> Result<Vec<PluggedKey>> {
        let keys = self.plugged_keys()?;
        let mut out = Vec::with_capacity(keys.len());
        for k in &keys {
            let serial = k.serial();
            let (state, holder) = match serial {
                Some(s) => (
                    self.store.get_key(s)?.map(|k| k.state),
                    self.store.current_assignment(s)?,
                ),
                None => (None, None),
            };
            out.push(PluggedKey {
                serial,
                model: k.model.clone(),
                firmware: k.firmware.map(|v| v.to_string()),
                reader: k.reader().map(str::to_owned),
                fido: k.fido_path().map(str::to_owned),
                state,
                holder,
                generation: k.plugged_in,
            });
        }
        Ok(out)
    }

    /// A key of the inventory.
    ///
    /// # Errors
    /// When the inventory cannot be read.
    pub fn key(&self, serial: Serial) -> Result<Option<Key>> {
        Ok(self.store.get_key(serial)?)
    }

    /// A key with its holders, enrolments and events.
    ///
    /// # Errors
    /// `UnknownKey` for a serial the inventory does not have.
    pub fn key_history(&self, serial: Serial) -> Result<KeyHistory> {
        if self.store.get_key(serial)?.is_none() {
            return Err(self.store.explain(StoreError::UnknownKey(serial)).into());
        }
        Ok(self.store.key_history(serial)?)
    }

    /// Who holds `serial` now, if anyone.
    ///
    /// # Errors
    /// When the inventory cannot be read.
    pub fn holder(&self, serial: Serial) -> Result<Option<Assignment>> {
        Ok(self.store.current_assignment(serial)?)
    }

    /// A staff member with the keys held now and before.
    ///
    /// # Errors
    /// `UnknownStaff` for a personnel number the inventory does not have.
    pub fn staff(&self, no: &PersonnelNo) -> Result<(Staff, Vec<Assignment>)> {
        let staff = self.store.get_staff(no)?.ok_or_else(|| {
            self.store
                .explain(StoreError::UnknownStaff(no.as_str().into()))
        })?;
        Ok((staff, self.store.assignments_of_staff(no)?))
    }

    /// A staff member by row id (as in search hits); `None` when deleted since.
    ///
    /// # Errors
    /// When the inventory cannot be read.
    pub fn staff_by_id(&self, id: i64) -> Result<Option<(Staff, Vec<Assignment>)>> {
        match self.store.get_staff_by_id(id)? {
            Some(s) => {
                let held = self.store.assignments_of_staff(&s.data.personnel_no)?;
                Ok(Some((s, held)))
            }
            None => Ok(None),
        }
    }

    /// A notebook with the keys used in it.
    ///
    /// # Errors
    /// `UnknownNotebook` for an asset tag the inventory does not have.
    pub fn notebook(&self, tag: &AssetTag) -> Result<(Notebook, Vec<Assignment>)> {
        let nb = self
            .store
            .get_notebook(tag)?
            .ok_or_else(|| StoreError::UnknownNotebook(tag.as_str().into()))?;
        Ok((nb, self.store.assignments_of_notebook(tag)?))
    }

    /// A notebook by row id (as in search hits); `None` when deleted since.
    ///
    /// # Errors
    /// When the inventory cannot be read.
    pub fn notebook_by_id(&self, id: i64) -> Result<Option<(Notebook, Vec<Assignment>)>> {
        match self.store.get_notebook_by_id(id)? {
            Some(nb) => {
                let used = self.store.assignments_of_notebook(&nb.data.asset_tag)?;
                Ok(Some((nb, used)))
            }
            None => Ok(None),
        }
    }

    /// Every temporary key still out, due date first.
    ///
    /// # Errors
    /// When the inventory cannot be read.
    pub fn open_loans(&self) -> Result<Vec<Assignment>> {
        // Every open loan is overdue at the end of time.
        Ok(self.store.expired_loans(time::Date::MAX)?)
    }

    /// Write the report `kind` as CSV in `dialect` to `out`; `progress`
    /// hears (rows written, rows in all) now and then. The number of rows.
    ///
    /// # Errors
    /// When the inventory cannot be read or `out` cannot be written (the
    /// write error is kept as the store's I/O or CSV error).
    pub fn export(
        &self,
        kind: ExportKind,
        out: impl Write,
        dialect: Dialect,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<u64> {
        Ok(self.store.export(kind, out, dialect, progress)?)
    }

    /// What an enrolment checks before it touches the key: the staff member
    /// and notebook exist, the key is in stock (or new to the inventory),
    /// and no operation on it is unfinished. A face runs it before asking
    /// for PINs; [`Desk::enrol`] runs it again.
    ///
    /// # Errors
    /// `UnknownStaff`, `UnknownNotebook`, `IllegalTransition`, `Unfinished`.
    pub fn check_enrol(
        &self,
        serial: Serial,
        staff: &PersonnelNo,
        notebook: Option<&AssetTag>,
    ) -> Result<()> {
        if self.store.get_staff(staff)?.is_none() {
            return Err(self
                .store
                .explain(StoreError::UnknownStaff(staff.as_str().into()))
                .into());
        }
        if let Some(tag) = notebook {
            if self.store.get_notebook(tag)?.is_none() {
                return Err(StoreError::UnknownNotebook(tag.as_str().into()).into());
            }
        }
        let key = self.store.get_key(serial)?;
        if key.is_none() {
            // A key new to the inventory is added at enrolment; one that
            // another site has (hidden from a technician) is refused.
            let e = self.store.explain(StoreError::UnknownKey(serial));
            if matches!(e, StoreError::SiteNotPermitted { .. }) {
                return Err(e.into());
            }
        }
        if let Some(k) = key {
            if k.state != KeyState::InStock {
                return Err(StoreError::IllegalTransition {
                    serial,
                    current: k.state,
                    wanted: KeyState::Issued,
                }
                .into());
            }
        }
        self.ensure_no_unfinished(serial)
    }

    /// What a replacement checks about the old key before the new one is
    /// touched: it is issued to someone.
    ///
    /// # Errors
    /// `UnknownKey`; `IllegalTransition` for a key nobody holds.
    pub fn check_replace(&self, old: Serial) -> Result<()> {
        if self.store.current_assignment(old)?.is_some() {
            return Ok(());
        }
        let state = self
            .store
            .get_key(old)?
            .ok_or_else(|| self.store.explain(StoreError::UnknownKey(old)))?
            .state;
        Err(CoreError::Store(StoreError::IllegalTransition {
            serial: old,
            current: state,
            wanted: KeyState::Returned,
        }))
    }
}
