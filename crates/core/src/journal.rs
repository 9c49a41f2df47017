//! The crash-safe journal of device work. Before a device step its name is
//! written with `:begin`, after it with `:done` (or `:failed` and the error),
//! together with the facts gathered so far (never a secret). A process that
//! dies between the two leaves an open entry that recovery reads at the next
//! start: a step that began but is not done may or may not have happened on
//! the key, and recovery treats it as possibly done.
//!
//! What the records are called, and how the names read back, is in [`names`].

pub mod local;
pub mod names;

use keydesk_device::DeviceError;
use keydesk_store::{Ctx, JournalOutcome, Serial, Store};
use serde_json::{json, Map, Value};

use crate::error::{CoreError, Result};
use names::{Mark, Phase, Step, UnknownName, Workflow};

/// One journalled workflow run.
#[derive(Debug)]
pub(crate) struct Run {
    pub id: i64,
    /// The key the run works on, claimed for it on a shared inventory.
    serial: Serial,
    /// Where records go that the server cannot take (shared inventories).
    local: Option<local::LocalJournal>,
    facts: Map<String, Value>,
    begun: Vec<Begun>,
}

/// An entry of a run's list of begun steps as read back: a mark, or a name
/// this version does not know (kept, and written back as it was).
pub(crate) type Begun = std::result::Result<Mark, UnknownName>;

fn begun_name(b: &Begun) -> String {
    match b {
        Ok(mark) => mark.to_string(),
        Err(unknown) => unknown.0.clone(),
    }
}

impl Run {
    /// Claim the key (another counter working on it refuses at once, with
    /// who and since when) and open a journal entry with the workflow's
    /// intent. The claim lasts until the entry is closed, or until this
    /// counter's session ends.
    pub fn begin(
        store: &mut Store,
        ctx: &Ctx,
        serial: Serial,
        workflow: Workflow,
        intent: Value,
    ) -> Result<Self> {
        store.claim(ctx, serial)?;
        let id = match store.journal_begin(
            ctx,
            Some(serial),
            workflow.name(),
            "start",
            &intent.to_string(),
        ) {
            Ok(id) => id,
            Err(e) => {
                // Nothing begun: the claim goes too (its error would hide this one).
                let _ = store.release(serial);
                return Err(e.into());
            }
        };
        Ok(Self {
            id,
            serial,
            local: None,
            facts: Map::new(),
            begun: Vec::new(),
        })
    }

    /// Keep records the server cannot take in `local` (see [`local`]).
    #[must_use]
    pub fn keeping(mut self, local: Option<local::LocalJournal>) -> Self {
        self.local = local;
        self
    }

    /// Continue an open entry (recovery, which holds the key's claim).
    pub fn resume(id: i64, serial: Serial, recorded: &Recorded) -> Self {
        Self {
            id,
            serial,
            local: None,
            facts: recorded.facts.clone(),
            begun: recorded.begun.clone(),
        }
    }

    /// Remember a fact for the journal and the final record.
    pub fn fact(&mut self, key: &str, value: impl Into<Value>) {
        self.facts.insert(key.to_owned(), value.into());
    }

    fn snapshot(&self) -> String {
        let begun: Vec<String> = self.begun.iter().map(begun_name).collect();
        json!({ "begun": begun, "facts": self.facts }).to_string()
    }

    /// Run one device step between a `:begin` and a `:done`/`:failed` record.
    pub fn step<T>(
        &mut self,
        store: &mut Store,
        ctx: &Ctx,
        step: Step,
        f: impl FnOnce() -> std::result::Result<T, DeviceError>,
    ) -> Result<T> {
        self.begun.push(Ok(step.into()));
        self.record(store, ctx, step.at(Phase::Begin))?;
        match f() {
            Ok(v) => {
                self.record(store, ctx, step.at(Phase::Done))?;
                Ok(v)
            }
            Err(e) => {
                self.fact("error", e.to_string());
                self.record(store, ctx, step.at(Phase::Failed))?;
                Err(e.into())
            }
        }
    }

    /// Record a step the workflow runs itself (a store step, or a phase of
    /// a device step whose errors are not device errors) as begun.
    pub fn mark(&mut self, store: &mut Store, ctx: &Ctx, mark: impl Into<Mark>) -> Result<()> {
        let mark = mark.into();
        self.begun.push(Ok(mark));
        self.record(store, ctx, mark)
    }

    fn record(&self, store: &mut Store, ctx: &Ctx, mark: Mark) -> Result<()> {
        let step = mark.to_string();
        let snapshot = self.snapshot();
        match store.journal_record(ctx, self.id, &step, &snapshot) {
            Ok(()) => Ok(()),
            Err(e) if e.is_unreachable() => {
                let Some(local) = &self.local else {
                    return Err(e.into());
                };
                // What the key did must not be forgotten: kept here until
                // the server is back and `recover` brings it there.
                local.keep(self.id, self.serial.get(), &step, &snapshot, ctx.ts())?;
                Err(CoreError::ServerLost {
                    serial: self.serial,
                    kept: local.path().display().to_string(),
                    source: e,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Close the entry.
    pub fn close(
        self,
        store: &mut Store,
        ctx: &Ctx,
        outcome: JournalOutcome,
        reason: &str,
    ) -> Result<()> {
        store.journal_record(ctx, self.id, "end", &self.snapshot())?;
        store.journal_close(ctx, self.id, outcome, reason)?;
        // The work is recorded as closed: a claim that cannot be given back
        // now (the server went away) dies with the session anyway, and must
        // not turn a finished workflow (with its PIN letter) into an error.
        let _ = store.release(self.serial);
        Ok(())
    }
}

/// What an open entry's last record says was begun, and its facts.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Recorded {
    pub begun: Vec<Begun>,
    pub facts: Map<String, Value>,
}

impl Recorded {
    /// Parse an entry's result JSON (missing or foreign JSON: nothing begun).
    #[must_use]
    pub fn parse(result_json: Option<&str>) -> Self {
        let Some(v) = result_json.and_then(|s| serde_json::from_str::<Value>(s).ok()) else {
            return Self::default();
        };
        let begun = v["begun"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(Mark::from_name)
                    .collect()
            })
            .unwrap_or_default();
        let facts = v["facts"].as_object().cloned().unwrap_or_default();
        Self { begun, facts }
    }

    /// Whether `mark` was begun (was recorded in the list).
    #[must_use]
    pub fn has(&self, mark: impl Into<Mark>) -> bool {
        let mark = mark.into();
        self.marks().any(|m| m == mark)
    }

    /// Whether a begun step may have changed `app` on the key.
    #[must_use]
    pub fn changed(&self, app: names::Application) -> bool {
        self.marks().any(|m| m.step.changes() == Some(app))
    }

    /// The begun marks this version knows.
    pub fn marks(&self) -> impl Iterator<Item = Mark> + '_ {
        self.begun.iter().filter_map(|b| b.as_ref().ok().copied())
    }

    /// The begun names this version does not know.
    pub fn unknown(&self) -> impl Iterator<Item = &UnknownName> + '_ {
        self.begun.iter().filter_map(|b| b.as_ref().err())
    }
}
