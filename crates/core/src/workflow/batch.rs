//! Bulk reset: wipe a pile of handed-back keys one after another.
//!
//! The technician picks the batch (for example every returned and revoked
//! key), confirms it once, then plugs the keys in one at a time. Each key that
//! belongs to the batch is reset as soon as it is plugged in; a FIDO2 reset is
//! only possible within seconds of plug-in and with no other key present, so
//! plugging the keys in one by one is exactly what the hardware needs. A key
//! that was already plugged in when the batch started, or whose reset failed,
//! is asked for again by unplugging and replugging it. Keys that are not in the
//! batch are never touched: they are named, with their state, so the
//! technician can put them aside.
//!
//! [`ResetBatch`] holds the batch; [`Desk::batch_step`] looks at the plugged
//! keys once and does at most one reset. Callers (the TUI worker, the CLI)
//! call it whenever the plugged keys may have changed and show the event.
//! Every single reset is the ordinary journalled [`Desk::reset`].

use std::collections::{BTreeMap, BTreeSet};

use keydesk_device::keys::Key;
use keydesk_store::{KeyState, Serial, StoreError};

use crate::desk::Desk;
use crate::error::{CoreError, Result};
use crate::workflow::reset::{ResetOutcome, ResetRequest};

/// States in which a key waits to be wiped: handed back or revoked, or a
/// reset that did not get back to stock.
pub const WAITING: [KeyState; 3] = [KeyState::Returned, KeyState::Revoked, KeyState::Reset];

/// How one key of a batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Not reset yet.
    Pending,
    /// Reset; the key's state afterwards.
    Done(KeyState),
    /// The last attempt failed; replugging the key tries again.
    Failed,
}

/// A batch of keys to reset, and how far it got.
#[derive(Debug, Clone)]
pub struct ResetBatch {
    piv: bool,
    fido: bool,
    keys: BTreeMap<Serial, Standing>,
    /// Serials plugged in at the last look, with their plug-in generation
    /// (which changes when a key is pulled and plugged back in, however fast).
    seen: BTreeMap<Serial, u64>,
    /// Keys plugged in since the last look and not yet tried: their FIDO2
    /// reset window is open.
    armed: BTreeSet<Serial>,
}

/// What one look at the plugged keys found or did.
#[derive(Debug)]
#[non_exhaustive]
pub enum BatchEvent {
    /// Every key of the batch is reset.
    Finished,
    /// No key is plugged in: plug in the next one.
    PlugNext,
    /// A key of the batch was reset.
    Reset(ResetOutcome),
    /// Resetting a key of the batch failed; it stays in the batch. Unplug it
    /// and plug it in again to retry.
    Failed { serial: Serial, error: CoreError },
    /// A key of the batch is plugged in but cannot be tried now: its FIDO2
    /// reset window is not open (it was plugged in before the batch started),
    /// or its last attempt failed. Unplug it and plug it in again.
    Replug { serial: Serial },
    /// More than one key is plugged in; a FIDO2 reset needs the key alone.
    SeveralPlugged { count: usize },
    /// The plugged key is already done: unplug it.
    AlreadyDone { serial: Serial },
    /// The plugged key is not in this batch and is left alone
    /// (`state` is `None` for a key unknown to the inventory).
    NotInBatch {
        serial: Option<Serial>,
        state: Option<KeyState>,
    },
}

impl ResetBatch {
    /// Keys in the batch, in serial order, with their standing.
    pub fn keys(&self) -> impl Iterator<Item = (Serial, Standing)> + '_ {
        self.keys.iter().map(|(s, st)| (*s, *st))
    }

    /// (done, total).
    #[must_use]
    pub fn progress(&self) -> (usize, usize) {
        let done = self
            .keys
            .values()
            .filter(|s| matches!(s, Standing::Done(_)))
            .count();
        (done, self.keys.len())
    }

    /// Whether every key is reset.
    #[must_use]
    pub fn finished(&self) -> bool {
        let (done, total) = self.progress();
        done == total
    }

    /// Serials not reset yet (pending or failed).
    #[must_use]
    pub fn remaining(&self) -> Vec<Serial> {
        self.keys
            .iter()
            .filter(|(_, st)| !matches!(st, Standing::Done(_)))
            .map(|(s, _)| *s)
            .collect()
    }

    /// Whether the FIDO2 application is reset too.
    #[must_use]
    pub fn fido(&self) -> bool {
        self.fido
    }

    fn standing(&self, s: Serial) -> Option<Standing> {
        self.keys.get(&s).copied()
    }
}

/// Serials plugged in with their plug-in generations, and how many keys are
/// plugged in all together (including keys whose serial cannot be read).
fn plugged_serials(keys: &[Key]) -> (BTreeMap<Serial, u64>, usize) {
    let serials = keys
        .iter()
        .filter_map(|k| {
            let s = k.serial()?;
            Some((s, k.plugged_in))
        })
        .collect();
    (serials, keys.len())
}

impl Desk {
    /// Keys waiting to be wiped (see [`WAITING`]), longest waiting first, at most `limit`.
    ///
    /// # Errors
    /// Database errors.
    pub fn waiting_for_reset(&self, limit: usize) -> Result<Vec<keydesk_store::Key>> {
        Ok(self.store.keys_in_states(&WAITING, limit)?)
    }

    /// Start a batch over `serials`: each must be known and in a state a
    /// reset accepts (waiting, or in stock to be wiped again). `plugged_now_is_fresh`
    /// says whether keys plugged in right now were plugged in just now (virtual
    /// keys of a process that just started); with real keys they were not, and
    /// must be replugged for a FIDO2 reset.
    ///
    /// # Errors
    /// `Usage` for an empty batch, unknown serials, keys in another state,
    /// device errors while looking at the plugged keys.
    pub fn start_batch(
        &mut self,
        serials: &[Serial],
        piv: bool,
        fido: bool,
        plugged_now_is_fresh: bool,
    ) -> Result<ResetBatch> {
        if serials.is_empty() {
            return Err(CoreError::Usage(
                "the batch is empty: no key waits for a reset".into(),
            ));
        }
        let mut keys = BTreeMap::new();
        for &s in serials {
            let state = self.key_state(s)?;
            if !(WAITING.contains(&state) || state == KeyState::InStock) {
                return Err(StoreError::IllegalTransition {
                    serial: s,
                    current: state,
                    wanted: KeyState::Reset,
                }
                .into());
            }
            keys.insert(s, Standing::Pending);
        }
        let (seen, _) = plugged_serials(&self.plugged_keys()?);
        // Without FIDO2 there is no window: keys plugged in now can go at once.
        let armed = if plugged_now_is_fresh || !fido {
            seen.keys().copied().collect()
        } else {
            BTreeSet::new()
        };
        Ok(ResetBatch {
            piv,
            fido,
            keys,
            seen,
            armed,
        })
    }

    /// Look at the plugged keys once and do at most one reset.
    ///
    /// # Errors
    /// Database errors and a failing key service; a failed reset of one key is
    /// [`BatchEvent::Failed`], not an error.
    pub fn batch_step(&mut self, batch: &mut ResetBatch) -> Result<BatchEvent> {
        let plugged = self.plugged_keys()?;
        self.batch_step_with(batch, &plugged)
    }

    /// [`Desk::batch_step`] on keys the caller has just listed (a screen that
    /// lists them anyway need not ask the key service twice).
    ///
    /// # Errors
    /// As [`Desk::batch_step`].
    pub fn batch_step_with(
        &mut self,
        batch: &mut ResetBatch,
        plugged: &[Key],
    ) -> Result<BatchEvent> {
        let (now, count) = plugged_serials(plugged);
        // Plugged in since the last look, or pulled and plugged back in between
        // two looks (its generation grew). A key half gone (one interface
        // already pulled) shows an older generation and is not new.
        for (s, generation) in &now {
            if batch.seen.get(s).is_none_or(|old| generation > old) {
                batch.armed.insert(*s);
            }
        }
        batch.armed.retain(|s| now.contains_key(s));
        let plugged: BTreeSet<Serial> = now.keys().copied().collect();
        batch.seen = now;

        if batch.finished() {
            return Ok(BatchEvent::Finished);
        }
        if count == 0 {
            return Ok(BatchEvent::PlugNext);
        }
        let candidates: Vec<Serial> = plugged
            .iter()
            .copied()
            .filter(|s| {
                matches!(
                    batch.standing(*s),
                    Some(Standing::Pending | Standing::Failed)
                )
            })
            .collect();
        let candidate = candidates
            .iter()
            .copied()
            .find(|s| batch.armed.contains(s))
            .or_else(|| candidates.first().copied());
        if batch.fido && count > 1 {
            return Ok(BatchEvent::SeveralPlugged { count });
        }
        let Some(serial) = candidate else {
            // Nothing of this batch is plugged in: say what is.
            if let Some(s) = plugged
                .iter()
                .copied()
                .find(|s| batch.standing(*s).is_none())
            {
                let state = self.store.get_key(s)?.map(|k| k.state);
                return Ok(BatchEvent::NotInBatch {
                    serial: Some(s),
                    state,
                });
            }
            return Ok(match plugged.iter().next() {
                Some(&s) => BatchEvent::AlreadyDone { serial: s },
                None => BatchEvent::NotInBatch {
                    serial: None,
                    state: None,
                },
            });
        };
        if !batch.armed.contains(&serial) {
            return Ok(BatchEvent::Replug { serial });
        }
        // One attempt per plug-in: a failure waits for the next replug.
        batch.armed.remove(&serial);
        let req = ResetRequest {
            serial,
            piv: batch.piv,
            fido: batch.fido,
        };
        match self.reset(req) {
            Ok(outcome) => {
                batch.keys.insert(serial, Standing::Done(outcome.state));
                Ok(BatchEvent::Reset(outcome))
            }
            Err(error) => {
                batch.keys.insert(serial, Standing::Failed);
                Ok(BatchEvent::Failed { serial, error })
            }
        }
    }
}
