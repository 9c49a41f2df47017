//! The crash-safe journal of device work. Before a device step its name is
//! written with `:begin`, after it with `:done` (or `:failed` and the error),
//! together with the facts gathered so far (never a secret). A process that
//! dies between the two leaves an open entry that recovery reads at the next
//! start: a step that began but is not done may or may not have happened on
//! the key, and recovery treats it as possibly done.

use keydesk_device::DeviceError;
use keydesk_store::{Ctx, JournalOutcome, Serial, Store};
use serde_json::{json, Map, Value};

use crate::error::Result;

/// One journalled workflow run.
#[derive(Debug)]
pub(crate) struct Run {
    pub id: i64,
    facts: Map<String, Value>,
    begun: Vec<String>,
}

impl Run {
    /// Open a journal entry with the workflow's intent.
    pub fn begin(
        store: &mut Store,
        ctx: &Ctx,
        serial: Serial,
        workflow: &str,
        intent: Value,
    ) -> Result<Self> {
        let id = store.journal_begin(ctx, Some(serial), workflow, "start", &intent.to_string())?;
        Ok(Self {
            id,
            facts: Map::new(),
            begun: Vec::new(),
        })
    }

    /// Continue an open entry (recovery).
    pub fn resume(id: i64, recorded: &Recorded) -> Self {
        Self {
            id,
            facts: recorded.facts.clone(),
            begun: recorded.begun.clone(),
        }
    }

    /// Remember a fact for the journal and the final record.
    pub fn fact(&mut self, key: &str, value: impl Into<Value>) {
        self.facts.insert(key.to_owned(), value.into());
    }

    fn snapshot(&self) -> String {
        json!({ "begun": self.begun, "facts": self.facts }).to_string()
    }

    /// Run one device step between a `:begin` and a `:done`/`:failed` record.
    pub fn step<T>(
        &mut self,
        store: &mut Store,
        ctx: &Ctx,
        name: &str,
        f: impl FnOnce() -> std::result::Result<T, DeviceError>,
    ) -> Result<T> {
        self.begun.push(name.to_owned());
        store.journal_record(ctx, self.id, &format!("{name}:begin"), &self.snapshot())?;
        match f() {
            Ok(v) => {
                store.journal_record(ctx, self.id, &format!("{name}:done"), &self.snapshot())?;
                Ok(v)
            }
            Err(e) => {
                self.fact("error", e.to_string());
                store.journal_record(ctx, self.id, &format!("{name}:failed"), &self.snapshot())?;
                Err(e.into())
            }
        }
    }

    /// Record a store step (no device involved) as begun.
    pub fn mark(&mut self, store: &mut Store, ctx: &Ctx, name: &str) -> Result<()> {
        self.begun.push(name.to_owned());
        store.journal_record(ctx, self.id, name, &self.snapshot())?;
        Ok(())
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
        Ok(())
    }
}

/// What an open entry's last record says was begun, and its facts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recorded {
    pub begun: Vec<String>,
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
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let facts = v["facts"].as_object().cloned().unwrap_or_default();
        Self { begun, facts }
    }

    /// Whether any step whose name starts with `prefix` was begun.
    #[must_use]
    pub fn touched(&self, prefix: &str) -> bool {
        self.begun.iter().any(|s| s.starts_with(prefix))
    }
}
