//! The records the store hands out. These are database-side structs; CSV
//! rows live in `csv_in`/`csv_out`. The identities in them (serial,
//! personnel number, asset tag, key state, slot) are keydesk-types' own.

use keydesk_types::Slot;
pub use keydesk_types::{AssetTag, KeyState, PersonnelNo, Serial, SiteCode};
use serde::{Serialize, Serializer};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::error::{Result, StoreError};

/// Who does a change, where, and when. Passed to every write, so the audit
/// event is complete and tests can fix the clock.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The technician's account.
    pub actor: String,
    /// The workstation name.
    pub workstation: String,
    /// The time of the change.
    pub now: OffsetDateTime,
    /// The process doing it ("workstation:pid:start"), recorded on journal
    /// entries so recovery can tell a running operation from an interrupted one.
    pub owner: String,
    /// The site the counter works for, recorded on every event it writes;
    /// `None`: no site. The store does not check that it exists: whoever
    /// builds the context does (keydesk-core, from `--site` or the profile).
    pub site: Option<SiteCode>,
}

impl Ctx {
    /// A context for `actor` at `workstation` at time `now`.
    pub fn new(actor: &str, workstation: &str, now: OffsetDateTime) -> Self {
        Self {
            actor: actor.to_owned(),
            workstation: workstation.to_owned(),
            now,
            owner: String::new(),
            site: None,
        }
    }

    /// The same context, working for `site`.
    #[must_use]
    pub fn with_site(mut self, site: Option<SiteCode>) -> Self {
        self.site = site;
        self
    }

    /// The same context, naming the process that does the work.
    #[must_use]
    pub fn with_owner(mut self, owner: impl Into<String>) -> Self {
        self.owner = owner.into();
        self
    }
    /// `now` as stored: RFC 3339, UTC, whole seconds.
    pub fn ts(&self) -> String {
        format_ts(self.now)
    }
}

const TS_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
const DATE_FORMAT: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// RFC 3339 UTC with whole seconds, the form every timestamp is stored in.
pub fn format_ts(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(TS_FORMAT)
        .unwrap_or_else(|_| String::from("0000-00-00T00:00:00Z"))
}

/// A date as stored (YYYY-MM-DD).
pub fn format_date(d: Date) -> String {
    d.format(DATE_FORMAT).unwrap_or_default()
}

/// Parse a stored date.
pub fn parse_date(s: &str) -> Result<Date> {
    Date::parse(s.trim(), DATE_FORMAT)
        .map_err(|_| StoreError::Invalid(format!("\"{s}\" is not a date (YYYY-MM-DD)")))
}

/// A staff member as given to `add_staff`/`update_staff` and by imports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewStaff {
    /// Personnel number (Personalnummer).
    pub personnel_no: PersonnelNo,
    /// Surname (Nachname).
    pub surname: String,
    /// Given name (Vorname).
    pub given_name: String,
    /// Department or office (Abteilung/Dienststelle).
    pub department: String,
    /// E-mail address.
    pub email: String,
    /// Still employed.
    pub active: bool,
    /// The site (office) the person works at, if assigned to one.
    pub site: Option<SiteCode>,
}

/// A staff member as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Staff {
    /// Row id.
    pub id: i64,
    /// The data.
    #[serde(flatten)]
    pub data: NewStaff,
}

/// A notebook as given to `add_notebook`/`update_notebook` and by imports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewNotebook {
    /// Asset tag (Inventarnummer).
    pub asset_tag: AssetTag,
    /// Hostname.
    pub hostname: String,
    /// Model.
    pub model: String,
    /// The notebook's own serial number (text, vendor format).
    pub serial_no: String,
    /// The staff member it is assigned to.
    pub staff: Option<PersonnelNo>,
    /// The site (office) it belongs to, if assigned to one.
    pub site: Option<SiteCode>,
}

/// A notebook as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notebook {
    /// Row id.
    pub id: i64,
    /// The data.
    #[serde(flatten)]
    pub data: NewNotebook,
}

/// A key as added to stock (by hand or from a supplier list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewKey {
    /// Serial.
    pub serial: Serial,
    /// Model ("YubiKey 5 NFC"); empty when unknown.
    pub model: String,
    /// Form factor ("USB-A keychain"); empty when unknown.
    pub form_factor: String,
    /// Firmware version; empty when unknown.
    pub firmware: String,
    /// Delivery batch (Lieferung/Charge).
    pub batch: String,
    /// The site (office) whose stock it is, if assigned to one.
    pub site: Option<SiteCode>,
}

impl NewKey {
    /// A key of which only the serial is known.
    pub fn unknown(serial: Serial) -> Self {
        Self {
            serial,
            model: String::new(),
            form_factor: String::new(),
            firmware: String::new(),
            batch: String::new(),
            site: None,
        }
    }
}

/// A key as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Key {
    /// Model, form factor, firmware, batch.
    #[serde(flatten)]
    pub data: NewKey,
    /// FIDO AAGUID (hex), from enrolment.
    pub aaguid: String,
    /// Lifecycle state.
    pub state: KeyState,
    /// When it entered that state (RFC 3339 UTC).
    pub state_since: String,
    /// Free-text notes.
    pub notes: String,
}

/// Who had a key, in which notebook, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// Row id.
    pub id: i64,
    /// The key.
    pub serial: Serial,
    /// The holder.
    pub personnel_no: PersonnelNo,
    /// The holder's display name ("Surname, Given").
    pub holder: String,
    /// The notebook, if any.
    pub asset_tag: Option<AssetTag>,
    /// Start (RFC 3339 UTC).
    pub from: String,
    /// End, `None` while it lasts.
    pub until: Option<String>,
    /// Last day of a temporary loan.
    pub due: Option<Date>,
}

/// Facts recorded when a key is enrolled. No secrets here, by design.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Enrolment {
    /// Firmware read from the key.
    pub firmware: String,
    /// FIDO AAGUID, hex.
    pub aaguid: String,
    /// PIV slot of the key pair, if any (stored and serialised as "9a", or
    /// "" for none).
    #[serde(serialize_with = "slot_text")]
    pub slot: Option<Slot>,
    /// SHA-256 fingerprint of the public key, hex.
    pub pubkey_sha256: String,
    /// Attestation facts as a JSON object (serial attested, chain checked...).
    pub attestation_json: String,
    /// Certificate in PEM.
    pub certificate_pem: Option<String>,
    /// Certificate in DER.
    pub certificate_der: Option<Vec<u8>>,
}

/// An enrolment's slot as stored: "9a", or "" for none.
pub(crate) fn slot_column(slot: Option<Slot>) -> String {
    slot.map(|s| s.to_string()).unwrap_or_default()
}

/// A stored slot column read back.
pub(crate) fn parse_slot_column(text: &str) -> Result<Option<Slot>> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|e| StoreError::Corrupt(format!("enrolment slot: {e}")))
}

fn slot_text<S: Serializer>(slot: &Option<Slot>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&slot_column(*slot))
}

/// One audit event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Position in the chain.
    pub id: i64,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Technician account.
    pub actor: String,
    /// Workstation.
    pub workstation: String,
    /// What happened ("key.issue", "staff.add", ...).
    pub action: String,
    /// What it happened to ("key:123", "staff:4711", "notebook:INV-1").
    pub subject: String,
    /// The key concerned, if any.
    pub serial: Option<Serial>,
    /// State before, JSON.
    pub before: Option<String>,
    /// State after, JSON.
    pub after: Option<String>,
    /// Why.
    pub reason: String,
    /// The site of the counter that wrote it, if it worked for one.
    pub site: Option<SiteCode>,
}

/// A key with its assignments and events, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyHistory {
    /// The key now.
    pub key: Key,
    /// Who had it.
    pub assignments: Vec<Assignment>,
    /// Enrolment records.
    pub enrolments: Vec<Enrolment>,
    /// Everything that happened to it.
    pub events: Vec<Event>,
}
