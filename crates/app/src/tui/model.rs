//! The data that travels between the screen and the worker: what the views
//! show (plugged keys, search hits, details, recovery accounts, the PIN
//! letter) and the messages and commands of the update loop.

use std::time::Duration;

use crossterm::event::KeyEvent;
use keydesk_core::Secret;

use super::problem::Problem;
use crate::i18n::Text;

pub use keydesk_types::{ExportKind, ImportKind, KeyState, RevokeReason, Serial};

/// The text naming a value on screen (the value types are keydesk-types';
/// their words are the app's, in both languages).
pub trait Label: Copy {
    /// The text naming this value.
    fn text(self) -> Text;
}

impl Label for KeyState {
    fn text(self) -> Text {
        match self {
            Self::InStock => Text::StateInStock,
            Self::Issued => Text::StateIssued,
            Self::Suspended => Text::StateSuspended,
            Self::Lost => Text::StateLost,
            Self::Revoked => Text::StateRevoked,
            Self::Returned => Text::StateReturned,
            Self::Reset => Text::StateReset,
            Self::Retired => Text::StateRetired,
        }
    }
}

/// A key's state as far as the screen knows it: `None` for a key plugged
/// in but not in the inventory.
impl Label for Option<KeyState> {
    fn text(self) -> Text {
        self.map_or(Text::StateUnknown, KeyState::text)
    }
}

impl Label for RevokeReason {
    fn text(self) -> Text {
        match self {
            Self::Lost => Text::ReasonLost,
            Self::Stolen => Text::ReasonStolen,
            Self::Left => Text::ReasonLeft,
            Self::Defective => Text::ReasonDefective,
        }
    }
}

impl Label for ExportKind {
    fn text(self) -> Text {
        match self {
            Self::Inventory => Text::ExportInventory,
            Self::History => Text::ExportHistory,
            Self::Revoked => Text::ExportRevoked,
            // Not offered on the audit screen (see `ExportKind::AUDIT`).
            Self::Staff => Text::ExportStaff,
            Self::Notebooks => Text::ExportNotebooks,
        }
    }
}

impl Label for ImportKind {
    fn text(self) -> Text {
        match self {
            Self::Staff => Text::ImportStaff,
            Self::Notebooks => Text::ImportNotebooks,
            Self::Stock => Text::ImportStock,
        }
    }
}

/// The file name the audit screen offers for a list or report.
pub trait DefaultFile: Copy {
    /// The file name offered by default.
    fn default_file(self) -> &'static str;
}

impl DefaultFile for ExportKind {
    fn default_file(self) -> &'static str {
        match self {
            Self::Inventory => "keydesk-inventory.csv",
            Self::History => "keydesk-history.csv",
            Self::Revoked => "keydesk-revoked.csv",
            Self::Staff => "keydesk-staff.csv",
            Self::Notebooks => "keydesk-notebooks.csv",
        }
    }
}

impl DefaultFile for ImportKind {
    fn default_file(self) -> &'static str {
        match self {
            Self::Staff => "staff.csv",
            Self::Notebooks => "notebooks.csv",
            Self::Stock => "stock.csv",
        }
    }
}

/// One key plugged in now, joined with what the inventory knows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    pub serial: Serial,
    pub model: String,
    pub firmware: String,
    /// `None`: plugged in but not in the inventory.
    pub state: Option<KeyState>,
    pub holder: Option<String>,
}

/// What a search hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    Staff,
    Notebook,
    Key,
}

/// One search result line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub kind: HitKind,
    /// Staff/notebook row id or key serial, for opening the detail view.
    pub ref_id: i64,
    pub label: String,
}

impl Hit {
    /// The serial of a key hit; `None` for staff and notebooks (and for a
    /// row id that is no serial, which the store does not hand out).
    #[must_use]
    pub fn key_serial(&self) -> Option<Serial> {
        if self.kind != HitKind::Key {
            return None;
        }
        u32::try_from(self.ref_id)
            .ok()
            .and_then(|n| Serial::new(n).ok())
    }
}

/// Where the new PINs come from. Typed PINs are held as [`Secret`]s, which
/// wipe themselves when dropped and never print.
#[derive(Debug, Clone)]
pub enum Pins {
    /// Random PINs, shown once on the PIN letter screen.
    Letter,
    /// Typed by the staff member (used for PIV and FIDO2).
    Typed(Secret),
}

impl PartialEq for Pins {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Letter, Self::Letter) => true,
            (Self::Typed(a), Self::Typed(b)) => a.expose() == b.expose(),
            _ => false,
        }
    }
}

impl Eq for Pins {}

/// What happens to the old key in a replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Returned,
    Revoked(RevokeReason),
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub dry_run: bool,
    pub rows: usize,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub encoding: String,
    pub delimiter: char,
    /// The first adds and changes (the store caps the list).
    pub changes: Vec<ChangeLine>,
    /// Adds and changes beyond `changes`, counted only.
    pub more: usize,
}

/// A value in the change list: text from the file or the database, or
/// yes/no (said in the screen's language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Text(String),
    Flag(bool),
}

/// One row an import adds or changes: its line in the file, its identity
/// (personnel number, asset tag or serial) and, for a change, each field
/// old → new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeLine {
    pub line: u64,
    pub added: bool,
    pub id: String,
    pub fields: Vec<(Text, Val, Val)>,
}

/// The PIN policy of the office profile, shown next to PIN entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub pin_min: usize,
    pub pin_max: usize,
    pub tries: u8,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            pin_min: 6,
            pin_max: 8,
            tries: 3,
        }
    }
}

/// The PINs to hand over once. Dropping it wipes the secrets.
#[derive(Debug, Clone)]
pub struct LetterView {
    pub serial: Serial,
    pub holder: String,
    pub piv_pin: Secret,
    pub piv_puk: Secret,
    pub fido_pin: Option<Secret>,
}

/// A piece of a history line: text, or a stored RFC 3339 UTC time that the
/// view shows in local time and in the screen's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Text(String),
    Time(String),
}

/// What a detail screen shows: facts as label/value pairs and history lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailView {
    pub kind: HitKind,
    /// The key's serial for key details (wizards start from here).
    pub serial: Option<Serial>,
    pub title: String,
    /// A key's state and since when (RFC 3339 UTC; shown first, in the
    /// screen's language and local time).
    /// The state is `None` for a key that is not in the inventory.
    pub state: Option<(Option<KeyState>, String)>,
    pub facts: Vec<(Text, String)>,
    pub history: Vec<Vec<Seg>>,
}

/// An open journal entry found at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    pub serial: Option<Serial>,
    pub workflow: String,
    pub step: String,
    /// RFC 3339 UTC as stored; the view shows local time.
    pub since: String,
}

/// What recovery did with one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    pub serial: Option<Serial>,
    pub workflow: String,
    pub outcome: Text,
    /// The core's account, line by line, ending with what to do next; each
    /// line a table text, so that F2 translates it on screen.
    pub account: Vec<Problem>,
}

/// What the detail screen is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Key(Serial),
    Staff(i64),
    Notebook(i64),
}

/// A key waiting for a reset, offered for a bulk reset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub serial: Serial,
    pub state: KeyState,
    /// Since when (RFC 3339 UTC; shown in local time).
    pub since: String,
}

/// A verified audit trail, as the audit screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Events checked.
    pub events: u64,
    /// The newest event as the anchor to write down (`<event>:<hash>`),
    /// checked in the same verification; `None` while the trail is empty.
    pub anchor: Option<String>,
    /// When the anchored event was written (RFC 3339 UTC; shown in local time).
    pub at: String,
}

/// How a key of a running bulk reset stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Pending,
    Done,
    Failed,
}

/// A running bulk reset as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchView {
    /// FIDO2 is reset too (keys go in one at a time).
    pub fido: bool,
    pub keys: Vec<(Serial, Mark)>,
    /// What to do now (or what just happened).
    pub note: Problem,
    /// Why the last key failed, if it did.
    pub cause: Option<Problem>,
    /// Every key is done.
    pub finished: bool,
}

impl BatchView {
    /// (done, total).
    #[must_use]
    pub fn progress(&self) -> (usize, usize) {
        let done = self.keys.iter().filter(|(_, m)| *m == Mark::Done).count();
        (done, self.keys.len())
    }
}

/// Messages into the update function: user input, time, and answers from the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    /// Time passed (for countdowns).
    Tick(Duration),
    /// The office's PIN policy (sent once at start).
    Policy(Policy),
    /// The keys plugged in now (after any plug or unplug).
    Plugged(Vec<KeyRow>),
    /// Demo: this key was unplugged and plugged back in just now.
    Replugged(Serial),
    /// Results for a query; stale ones (query no longer current) are dropped.
    SearchResults {
        query: String,
        hits: Vec<Hit>,
    },
    /// Touch the key now; the key gives up after `remaining`.
    Touch {
        serial: Serial,
        remaining: Duration,
    },
    /// A wizard's work is done; the key's state now, and the PIN letter if any.
    Finished {
        serial: Serial,
        state: Option<KeyState>,
        letter: Option<Box<LetterView>>,
    },
    /// An enrolment's CSR for the office CA: the file it was saved to, or
    /// why it could not be saved (sent just before `Finished`).
    CsrSaved {
        serial: Serial,
        path: Result<String, Problem>,
    },
    /// A wizard's work failed; the text says what to do.
    WizardFailed(Problem),
    /// Details to show.
    Detail(DetailView),
    /// Unfinished operations found at start-up.
    Unfinished(Vec<Unfinished>),
    /// What recovery did.
    Recovered(Vec<Recovered>),
    /// Audit screen: one line of progress (a text and what it is about).
    Progress(Text, String),
    /// An import or export is working through its rows: `done` of `total` so far.
    RowProgress {
        done: usize,
        total: usize,
    },
    /// An import ran (or was tried as a dry run).
    Imported(ImportSummary),
    /// Audit verify: events checked and the anchor, or the break.
    Verified(Result<Verified, Problem>),
    /// Something failed outside a wizard; the text already says what to do.
    Failed(Problem),
    /// Bulk reset: the keys waiting for a reset, and whether FIDO2 is reset too.
    Waiting {
        keys: Vec<Waiting>,
        fido: bool,
    },
    /// Bulk reset: how the running batch stands.
    Batch(BatchView),
}

impl PartialEq for LetterView {
    fn eq(&self, other: &Self) -> bool {
        self.serial == other.serial
            && self.holder == other.holder
            && self.piv_pin.expose() == other.piv_pin.expose()
            && self.piv_puk.expose() == other.piv_puk.expose()
            && self.fido_pin.as_ref().map(Secret::expose)
                == other.fido_pin.as_ref().map(Secret::expose)
    }
}

/// Work for the worker thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    Search(String),
    /// The notebooks to offer for issuing a key to staff row `staff`
    /// (theirs first), answered as search results for `query`.
    NotebookChoices {
        staff: i64,
        query: String,
    },
    Open(Target),
    Enrol {
        serial: Serial,
        staff: i64,
        notebook: Option<i64>,
        pins: Pins,
    },
    Reset(Serial),
    Revoke(Serial, RevokeReason),
    Return {
        serial: Serial,
        reset: bool,
    },
    Replace {
        old: Serial,
        fate: Fate,
        new: Serial,
        pins: Pins,
    },
    Lost {
        serial: Serial,
        temporary: Serial,
        pins: Pins,
    },
    Verify,
    Export {
        what: ExportKind,
        path: String,
    },
    /// Import a CSV file; a dry run changes nothing.
    Import {
        what: ImportKind,
        path: String,
        dry_run: bool,
    },
    Recover,
    /// Demo: plug in another virtual key.
    PlugVirtual,
    /// Demo: unplug the last plugged virtual key.
    UnplugVirtual,
    /// Demo: unplug this key and plug it back in (opens the FIDO2 reset window).
    Replug(Serial),
    /// Bulk reset: list the keys waiting for a reset.
    ListWaiting,
    /// Bulk reset: start a batch over these keys (confirmed by the technician).
    StartBatch(Vec<Serial>),
    /// Bulk reset: end the batch (keys not reset keep waiting).
    StopBatch,
}
