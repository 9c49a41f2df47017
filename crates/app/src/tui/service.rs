//! The worker side of the TUI: a [`Service`] over a keydesk-core [`Desk`].
//! Real keys (`keydesk` with no command) and, in training builds, the demo's
//! virtual keys (a training [`Drawer`], which it can also plug, unplug and
//! replug) run the same code: every workflow is one call into the core, and its
//! answer or its error text goes back to the screen as a message.

use std::fs::File;
use std::io::BufWriter;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError};

use keydesk_core::error::StoreError;
use keydesk_core::records::{Dialect, HitKind as StoreHitKind};
#[cfg(feature = "sim")]
pub use keydesk_core::training::Drawer;
use keydesk_core::{
    BatchEvent, CoreError, Desk, EnrolOutcome, OldKey, PluggedKey, Prompt, RecoveryOutcome,
    ResetBatch, ResetRequest, Secrets, Standing,
};
use keydesk_types::Serial;
use keydesk_types::{ExportKind, ImportKind, KeyState};

use super::model::{
    BatchView, Cmd, Fate, Hit, HitKind, KeyRow, Label, LetterView, Mark, Msg, Pins, Policy,
    Recovered, Unfinished, Verified, Waiting,
};
use super::problem::{FileOp, Part, Problem};
use super::runtime::Service;
use crate::i18n::Text;

/// Search results shown per query (one screen).
const PAGE: usize = 20;

/// Training builds: the drawer of virtual keys the screen can plug and pull.
#[cfg(feature = "sim")]
struct Training {
    drawer: Drawer,
    /// Drawer keys in the order they were pulled out (oldest first).
    pulled: Vec<Serial>,
}

/// A [`Service`] over a desk.
pub struct DeskService {
    desk: Desk,
    #[cfg(feature = "sim")]
    training: Option<Training>,
    outbox: Arc<Mutex<Option<Sender<Msg>>>>,
    last: Option<Vec<KeyRow>>,
    /// A running bulk reset, what the screen last heard of it, and why its
    /// last key failed (kept while that key is asked to be replugged).
    batch: Option<ResetBatch>,
    batch_sent: Option<BatchView>,
    batch_cause: Option<(Serial, Problem)>,
    started: bool,
    csr_dir: std::path::PathBuf,
}

impl std::fmt::Debug for DeskService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskService")
            .field("desk", &self.desk)
            .finish_non_exhaustive()
    }
}

fn secrets(p: &Pins) -> Secrets {
    match p {
        Pins::Letter => Secrets::Letter,
        Pins::Typed(pin) => Secrets::Typed {
            piv_pin: pin.clone(),
            fido_pin: Some(pin.clone()),
        },
    }
}

/// The file error under an error from writing an export, if it is one
/// (the CSV writer wraps it).
fn write_error(e: &CoreError) -> Option<&std::io::Error> {
    match e {
        CoreError::Store(StoreError::Io(io)) => Some(io),
        CoreError::Store(StoreError::Csv(csv)) => std::error::Error::source(csv)?.downcast_ref(),
        _ => None,
    }
}

/// The plugged keys as the keys panel lists them (keys without a readable
/// serial are left out: no workflow can run on them).
fn rows_of(keys: &[PluggedKey]) -> Vec<KeyRow> {
    keys.iter()
        .filter_map(|k| {
            Some(KeyRow {
                serial: k.serial?,
                model: k.model.clone(),
                firmware: k.firmware.clone().unwrap_or_default(),
                state: k.state,
                holder: k
                    .holder
                    .as_ref()
                    .map(|a| format!("{} ({})", a.holder, a.personnel_no.as_str())),
            })
        })
        .collect()
}

impl DeskService {
    /// The counter's site and profile, for the header.
    ///
    /// # Errors
    /// Database errors.
    pub fn counter_status(&self) -> keydesk_core::Result<keydesk_core::CounterStatus> {
        self.desk.counter_status()
    }

    /// Work on `desk`.
    #[must_use]
    pub fn new(desk: Desk) -> Self {
        let outbox: Arc<Mutex<Option<Sender<Msg>>>> = Arc::new(Mutex::new(None));
        let mut desk = desk;
        let prompts = Arc::clone(&outbox);
        desk.set_prompter(Arc::new(move |p: Prompt| {
            let Prompt::Touch { serial, remaining } = p;
            let guard = prompts.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(tx) = guard.as_ref() {
                // The screen may be gone already; nothing to do then.
                let _ = tx.send(Msg::Touch { serial, remaining });
            }
        }));
        Self {
            desk,
            #[cfg(feature = "sim")]
            training: None,
            outbox,
            last: None,
            batch: None,
            batch_sent: None,
            batch_cause: None,
            started: false,
            csr_dir: super::csr::dir_from_env(),
        }
    }

    /// Training builds: let the screen plug and pull the virtual keys of `drawer`.
    #[cfg(feature = "sim")]
    #[must_use]
    pub fn with_drawer(mut self, drawer: Drawer) -> Self {
        self.training = Some(Training {
            drawer,
            pulled: Vec::new(),
        });
        self
    }

    /// Save enrolment CSRs in `dir` instead of `KEYDESK_CSR_DIR` or the
    /// current directory (the demo keeps them beside its inventory).
    #[cfg(feature = "sim")]
    #[must_use]
    pub fn with_csr_dir(mut self, dir: std::path::PathBuf) -> Self {
        self.csr_dir = dir;
        self
    }

    /// The keys plugged in now, joined with the inventory.
    pub fn rows(&mut self) -> Result<Vec<KeyRow>, CoreError> {
        Ok(rows_of(&self.desk.plugged()?))
    }

    fn plugged_msg(&mut self) -> Msg {
        match self.rows() {
            Ok(rows) => {
                self.last = Some(rows.clone());
                Msg::Plugged(rows)
            }
            Err(e) => Msg::Failed(Problem::from_core(&e)),
        }
    }

    fn state_of(&self, s: Serial) -> Option<KeyState> {
        self.desk.key(s).ok().flatten().map(|k| k.state)
    }

    fn finished(&mut self, s: Serial, out: Result<Option<EnrolOutcome>, Problem>) -> Vec<Msg> {
        let mut msgs = Vec::new();
        if let Ok(Some(o)) = &out {
            let path = super::csr::save(&self.csr_dir, o.serial, &o.csr_pem)
                .map(|p| p.display().to_string())
                .map_err(|e| {
                    let file = self.csr_dir.join(format!("{}.csr.pem", o.serial));
                    Problem::file(FileOp::Write, &file.display().to_string(), &e)
                });
            msgs.push(Msg::CsrSaved { serial: s, path });
        }
        let msg = match out {
            Ok(outcome) => Msg::Finished {
                serial: s,
                state: self.state_of(s),
                letter: outcome.and_then(|o| o.letter).map(|l| {
                    Box::new(LetterView {
                        serial: l.serial,
                        holder: l.holder,
                        piv_pin: l.piv_pin,
                        piv_puk: l.piv_puk,
                        fido_pin: l.fido_pin,
                    })
                }),
            },
            Err(e) => Msg::WizardFailed(e),
        };
        msgs.push(msg);
        msgs.push(self.plugged_msg());
        msgs
    }

    fn workflow(&mut self, cmd: &Cmd) -> Result<Option<EnrolOutcome>, Problem> {
        let done = match cmd {
            Cmd::Enrol {
                serial: s,
                staff,
                notebook,
                pins,
            } => {
                let (staff, _) = self
                    .desk
                    .staff_by_id(*staff)?
                    .ok_or_else(|| Problem::new(Text::ErrStaffGone, vec![]))?;
                let notebook = match notebook {
                    Some(id) => self
                        .desk
                        .notebook_by_id(*id)?
                        .map(|(n, _)| n.data.asset_tag),
                    None => None,
                };
                let req = keydesk_core::EnrolRequest {
                    serial: *s,
                    staff: staff.data.personnel_no,
                    notebook,
                    secrets: secrets(pins),
                    due: None,
                };
                self.desk.enrol(&req).map(Some)
            }
            Cmd::Reset(s) => {
                let fido = self.desk.fido_wanted();
                self.desk
                    .reset(ResetRequest {
                        serial: *s,
                        piv: true,
                        fido,
                    })
                    .map(|_| None)
            }
            Cmd::Revoke(s, r) => self.desk.revoke(*s, *r).map(|()| None),
            Cmd::Return { serial: s, reset } => self.desk.return_key(*s, *reset).map(|_| None),
            Cmd::Replace {
                old,
                fate,
                new,
                pins,
            } => {
                let old_key = match fate {
                    Fate::Returned => OldKey::Returned,
                    Fate::Revoked(r) => OldKey::Revoked(*r),
                };
                self.desk
                    .replace(*old, old_key, *new, secrets(pins))
                    .map(Some)
            }
            Cmd::Lost {
                serial: s,
                temporary,
                pins,
            } => self
                .desk
                .lost(*s, *temporary, None, secrets(pins))
                .map(Some),
            _ => Ok(None),
        };
        Ok(done?)
    }

    /// The worker's outbox, for messages sent while a long job runs.
    fn outbox(&self) -> Option<Sender<Msg>> {
        // A copy of the sender, so the prompter's lock is not held meanwhile.
        self.outbox
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Write an export, telling the screen at once that it started and then
    /// how many rows are written.
    fn export(&self, what: ExportKind, path: &str) -> Vec<Msg> {
        let started = Msg::Progress(Text::ExportStarted, path.to_owned());
        let outbox = self.outbox();
        // The screen may be gone already; nothing to do then.
        let started = match &outbox {
            Some(tx) if tx.send(started.clone()).is_ok() => None,
            _ => Some(started),
        };
        let mut progress = |done: u64, total: u64| {
            if let Some(tx) = &outbox {
                let _ = tx.send(Msg::RowProgress {
                    done: usize::try_from(done).unwrap_or(usize::MAX),
                    total: usize::try_from(total).unwrap_or(usize::MAX),
                });
            }
        };
        let file_problem = |e: &std::io::Error| Problem::file(FileOp::Write, path, e);
        let result = File::create(path)
            .map_err(|e| file_problem(&e))
            .and_then(|f| {
                let mut w = BufWriter::new(f);
                let n = self
                    .desk
                    .export(what, &mut w, Dialect::Excel, &mut progress)
                    .map_err(|e| match write_error(&e) {
                        Some(io) => file_problem(io),
                        None => Problem::from_core(&e),
                    })?;
                std::io::Write::flush(&mut w).map_err(|e| file_problem(&e))?;
                Ok(n)
            });
        let done = match result {
            Ok(n) => Msg::Progress(Text::ExportWrote, format!("{n} → {path}")),
            Err(e) => Msg::Failed(e),
        };
        started.into_iter().chain([done]).collect()
    }

    /// Run one import (the store does it in one transaction: all rows or
    /// none), sending the screen how many rows are in as it goes.
    fn import(&mut self, what: ImportKind, path: &str, dry_run: bool) -> Msg {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => return Msg::Failed(Problem::file(FileOp::Read, path, &e)),
        };
        let kind = what;
        let outbox = self.outbox();
        let mut progress = |done, total| {
            if let Some(tx) = &outbox {
                // The screen may be gone already; nothing to do then.
                let _ = tx.send(Msg::RowProgress { done, total });
            }
        };
        match self
            .desk
            .import_with_progress(kind, &bytes, path, dry_run, &mut progress)
        {
            Ok(r) => Msg::Imported(super::audit::report::summary(&r)),
            Err(e) => Msg::Failed(Problem::from_core(&e)),
        }
    }

    fn recover(&mut self) -> Msg {
        match self.desk.recover_all() {
            Ok(reports) => Msg::Recovered(
                reports
                    .into_iter()
                    .map(|r| Recovered {
                        serial: r.serial,
                        workflow: r.workflow,
                        outcome: match r.outcome {
                            RecoveryOutcome::NothingDone => Text::OutcomeNothingDone,
                            RecoveryOutcome::Finished => Text::OutcomeFinished,
                            RecoveryOutcome::RolledBack => Text::OutcomeRolledBack,
                            RecoveryOutcome::NeedsKey => Text::OutcomeNeedsKey,
                        },
                        account: r.account.iter().map(Problem::from_account).collect(),
                    })
                    .collect(),
            ),
            Err(e) => Msg::Failed(Problem::from_core(&e)),
        }
    }

    fn unfinished(&self) -> Msg {
        match self.desk.unfinished() {
            Ok(entries) => Msg::Unfinished(
                entries
                    .into_iter()
                    .map(|e| Unfinished {
                        serial: e.serial,
                        workflow: e.workflow,
                        step: e.step,
                        since: e.created_at,
                    })
                    .collect(),
            ),
            Err(e) => Msg::Failed(Problem::from_core(&e)),
        }
    }

    fn search(&self, query: String) -> Msg {
        self.hits(self.desk.search(&query, PAGE), query)
    }

    /// Search results (or the failure to get them) for `query`, for the screen.
    fn hits(
        &self,
        found: Result<Vec<keydesk_core::records::Hit>, CoreError>,
        query: String,
    ) -> Msg {
        match found {
            Ok(hits) => Msg::SearchResults {
                query,
                hits: hits
                    .into_iter()
                    .map(|h| Hit {
                        kind: match h.kind {
                            StoreHitKind::Staff => HitKind::Staff,
                            StoreHitKind::Notebook => HitKind::Notebook,
                            StoreHitKind::Key => HitKind::Key,
                        },
                        ref_id: h.ref_id,
                        label: h.label,
                    })
                    .collect(),
            },
            Err(e) => Msg::Failed(Problem::from_core(&e)),
        }
    }

    #[cfg(not(feature = "sim"))]
    fn demo(&mut self, _cmd: &Cmd) -> Vec<Msg> {
        Vec::new()
    }

    #[cfg(feature = "sim")]
    fn demo(&mut self, cmd: &Cmd) -> Vec<Msg> {
        let Some(training) = self.training.as_mut() else {
            return Vec::new();
        };
        let drawer = training.drawer.clone();
        let plugged = drawer.plugged();
        match cmd {
            // The next key from the pile: one never plugged in, else the one out longest.
            Cmd::PlugVirtual => match drawer
                .keys()
                .iter()
                .filter(|(s, _)| !plugged.contains(s))
                .min_by_key(|(s, _)| {
                    training
                        .pulled
                        .iter()
                        .position(|p| p == s)
                        .map_or(0, |i| i + 1)
                }) {
                Some(&(s, _)) => {
                    training.pulled.retain(|p| *p != s);
                    drawer.plug(s);
                }
                None => return vec![Msg::Failed(Problem::new(Text::ErrDemoAllPlugged, vec![]))],
            },
            Cmd::UnplugVirtual => {
                if let Some(s) = plugged.last() {
                    drawer.unplug(*s);
                    training.pulled.push(*s);
                }
            }
            Cmd::Replug(s) => {
                drawer.replug(*s);
                return vec![self.plugged_msg(), Msg::Replugged(*s)];
            }
            _ => {}
        }
        vec![self.plugged_msg()]
    }
}

fn count(n: usize) -> Part {
    Part::Plain(n.to_string())
}

fn serial_part(s: Serial) -> Part {
    Part::Plain(s.to_string())
}

/// What the screen (and the CLI's `reset-batch`) says about one look at the keys.
pub(crate) fn batch_note(ev: &BatchEvent, total: usize) -> Problem {
    let (text, parts) = match ev {
        BatchEvent::Finished => (Text::BulkFinished, vec![count(total)]),
        BatchEvent::Reset(o) => (Text::BulkKeyDone, vec![serial_part(o.serial)]),
        BatchEvent::Failed { serial, .. } => (Text::BulkKeyFailed, vec![serial_part(*serial)]),
        BatchEvent::Replug { serial } => (Text::BulkReplug, vec![serial_part(*serial)]),
        BatchEvent::SeveralPlugged { count: n } => (Text::BulkSeveral, vec![count(*n)]),
        BatchEvent::AlreadyDone { serial } => (Text::BulkAlreadyDone, vec![serial_part(*serial)]),
        BatchEvent::NotInBatch {
            serial: Some(serial),
            state,
        } => (
            Text::BulkNotInBatch,
            vec![serial_part(*serial), Part::Word(state.text())],
        ),
        BatchEvent::NotInBatch { serial: None, .. } => (Text::BulkNoSerial, Vec::new()),
        BatchEvent::PlugNext => (Text::BulkPlugNext, Vec::new()),
    };
    Problem::Known(text, parts)
}

impl DeskService {
    fn waiting(&self) -> Msg {
        match self.desk.waiting_for_reset(keydesk_core::MAX_BATCH) {
            Ok(keys) => Msg::Waiting {
                keys: keys
                    .into_iter()
                    .map(|k| Waiting {
                        serial: k.data.serial,
                        state: k.state,
                        since: k.state_since,
                    })
                    .collect(),
                fido: self.desk.fido_wanted(),
            },
            Err(e) => Msg::Failed(Problem::from_core(&e)),
        }
    }

    fn start_batch(&mut self, serials: &[Serial]) -> Vec<Msg> {
        let fido = self.desk.fido_wanted();
        // Keys plugged in now were plugged in before the batch: replug them for FIDO2.
        let started = self.desk.start_batch(serials, true, fido, false);
        match started {
            Ok(batch) => {
                self.batch = Some(batch);
                self.batch_sent = None;
                self.batch_cause = None;
                self.batch_step(None)
            }
            Err(e) => vec![Msg::Failed(Problem::from_core(&e))],
        }
    }

    /// One look at the plugged keys for the running batch (at most one
    /// reset); a message when what the screen shows changed.
    fn batch_step(&mut self, plugged: Option<&[PluggedKey]>) -> Vec<Msg> {
        let Some(mut batch) = self.batch.take() else {
            return Vec::new();
        };
        let step = match plugged {
            Some(keys) => self.desk.batch_step_with(&mut batch, keys),
            None => self.desk.batch_step(&mut batch),
        };
        let mut msgs = Vec::new();
        match step {
            Ok(ev) => {
                let mut cause = None;
                match &ev {
                    BatchEvent::Failed { serial, error } => {
                        let why = Problem::from_core(error);
                        self.batch_cause = Some((*serial, why.clone()));
                        cause = Some(why);
                    }
                    // The failed key is asked to be replugged: keep saying why.
                    BatchEvent::Replug { serial } => {
                        cause = self
                            .batch_cause
                            .as_ref()
                            .filter(|(s, _)| s == serial)
                            .map(|(_, why)| why.clone());
                    }
                    BatchEvent::Finished
                    | BatchEvent::PlugNext
                    | BatchEvent::Reset(_)
                    | BatchEvent::SeveralPlugged { .. }
                    | BatchEvent::AlreadyDone { .. }
                    | BatchEvent::NotInBatch { .. } => {}
                }
                let view = BatchView {
                    fido: batch.fido(),
                    keys: batch
                        .keys()
                        .map(|(s, st)| {
                            let mark = match st {
                                Standing::Pending => Mark::Pending,
                                Standing::Done(_) => Mark::Done,
                                Standing::Failed => Mark::Failed,
                            };
                            (s, mark)
                        })
                        .collect(),
                    note: batch_note(&ev, batch.progress().1),
                    cause,
                    finished: batch.finished(),
                };
                if self.batch_sent.as_ref() != Some(&view) {
                    self.batch_sent = Some(view.clone());
                    msgs.push(Msg::Batch(view));
                }
                if matches!(ev, BatchEvent::Reset(_)) {
                    // The inventory changed: the keys panel shows the new state.
                    msgs.push(self.plugged_msg());
                }
            }
            Err(e) => msgs.push(Msg::Failed(Problem::from_core(&e))),
        }
        self.batch = Some(batch);
        msgs
    }
}

impl Service for DeskService {
    fn attach(&mut self, outbox: Sender<Msg>) {
        *self.outbox.lock().unwrap_or_else(PoisonError::into_inner) = Some(outbox);
    }

    fn run(&mut self, cmd: Cmd) -> Vec<Msg> {
        match &cmd {
            Cmd::Search(q) => vec![self.search(q.clone())],
            Cmd::NotebookChoices { staff, query } => vec![self.hits(
                self.desk.notebook_choices(*staff, query, PAGE),
                query.clone(),
            )],
            Cmd::Open(target) => vec![match super::detail_data::detail(&self.desk, *target) {
                Ok(d) => Msg::Detail(d),
                Err(e) => Msg::Failed(e),
            }],
            Cmd::Verify => vec![match self.desk.verify_audit_head() {
                Ok((events, head)) => Msg::Verified(Ok(Verified {
                    events,
                    at: head.as_ref().map(|h| h.at.clone()).unwrap_or_default(),
                    anchor: head.map(|h| h.anchor.to_string()),
                })),
                Err(e @ CoreError::Store(StoreError::AuditBroken { .. })) => {
                    Msg::Verified(Err(Problem::from_core(&e)))
                }
                // Not a break in the chain: the check itself could not run.
                Err(e) => Msg::Failed(Problem::from_core(&e)),
            }],
            Cmd::Export { what, path } => self.export(*what, path),
            Cmd::Import {
                what,
                path,
                dry_run,
            } => vec![self.import(*what, path, *dry_run)],
            Cmd::Recover => vec![self.recover(), self.plugged_msg()],
            Cmd::ListWaiting => vec![self.waiting()],
            Cmd::StartBatch(serials) => self.start_batch(serials),
            Cmd::StopBatch => {
                self.batch = None;
                self.batch_sent = None;
                self.batch_cause = None;
                vec![self.plugged_msg()]
            }
            Cmd::PlugVirtual | Cmd::UnplugVirtual | Cmd::Replug(_) => self.demo(&cmd),
            Cmd::Enrol { serial: s, .. }
            | Cmd::Reset(s)
            | Cmd::Revoke(s, _)
            | Cmd::Return { serial: s, .. }
            | Cmd::Replace { old: s, .. }
            | Cmd::Lost { serial: s, .. } => {
                let s = *s;
                let out = self.workflow(&cmd);
                self.finished(s, out)
            }
        }
    }

    fn poll(&mut self) -> Vec<Msg> {
        if !self.started {
            self.started = true;
            let p = &self.desk.profile().piv;
            let policy = Policy {
                pin_min: p.pin_length.min(8),
                pin_max: 8,
                tries: p.pin_retries,
            };
            return vec![Msg::Policy(policy), self.unfinished(), self.plugged_msg()];
        }
        // One look at the keys serves the keys panel and a running bulk reset.
        let keys = self.desk.plugged();
        let mut msgs = match keys.as_ref().map(|k| rows_of(k)) {
            Ok(rows) if self.last.as_ref() != Some(&rows) => {
                self.last = Some(rows.clone());
                vec![Msg::Plugged(rows)]
            }
            Ok(_) => Vec::new(),
            Err(e) => {
                let msg = Msg::Failed(Problem::from_core(e));
                // Report a failing key service once, not every poll.
                if self.last.is_some() {
                    self.last = None;
                    vec![msg]
                } else {
                    Vec::new()
                }
            }
        };
        // A failing key service is reported above, once; the batch waits for it.
        if let Ok(keys) = &keys {
            msgs.extend(self.batch_step(Some(keys)));
        }
        msgs
    }
}
