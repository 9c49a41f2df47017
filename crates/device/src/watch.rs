//! Plug and unplug over PC/SC: a thread waits on reader-state changes
//! (`SCardGetStatusChange`, including pcsc-lite's PnP pseudo reader for
//! readers that come and go) and sends [`CardEvent`]s over a channel. The
//! [`Watcher`] handle stops it (and cancels the wait at once).

use std::collections::BTreeMap;
use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::{DeviceError, Result};
use crate::pcsc_transport::{context, is_yubikey_reader, map_pcsc_error};

/// Something that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardEvent {
    /// A card is present in a YubiKey reader (also sent once at start for
    /// cards already plugged in).
    Plugged { reader: String },
    /// The card left the reader (or the reader disappeared).
    Unplugged { reader: String },
    /// Watching stopped because of an error (e.g. pcscd went away).
    Failed { error: String },
}

/// What changed between two snapshots (reader -> card present).
#[must_use]
pub fn diff(before: &BTreeMap<String, bool>, now: &BTreeMap<String, bool>) -> Vec<CardEvent> {
    let mut out = Vec::new();
    for (r, was) in before {
        if *was && !now.get(r).copied().unwrap_or(false) {
            out.push(CardEvent::Unplugged { reader: r.clone() });
        }
    }
    for (r, is) in now {
        if *is && !before.get(r).copied().unwrap_or(false) {
            out.push(CardEvent::Plugged { reader: r.clone() });
        }
    }
    out
}

/// Handle of a running watch.
pub struct Watcher {
    stop: Arc<AtomicBool>,
    ctx: pcsc::Context,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher").finish_non_exhaustive()
    }
}

impl Watcher {
    /// Stop watching and wait for the thread.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.ctx.cancel();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Start watching YubiKey readers. `poll` bounds each wait (the reader
/// list is refreshed at least that often).
///
/// # Errors
/// `Pcsc` when the service is unreachable.
pub fn watch(poll: Duration) -> Result<(Watcher, Receiver<CardEvent>)> {
    let ctx = context()?;
    let (tx, rx) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let ctx = ctx.clone();
        let stop = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("keydesk-pcsc-watch".into())
            .spawn(move || {
                if let Err(e) = run(&ctx, &stop, poll, &tx) {
                    let _ = tx.send(CardEvent::Failed {
                        error: e.to_string(),
                    });
                }
            })
            .map_err(|e| DeviceError::Pcsc(format!("cannot start the watch thread: {e}")))?
    };
    Ok((
        Watcher {
            stop,
            ctx,
            thread: Some(thread),
        },
        rx,
    ))
}

fn snapshot_states(ctx: &pcsc::Context) -> Result<Vec<pcsc::ReaderState>> {
    let mut states = vec![pcsc::ReaderState::new(
        pcsc::PNP_NOTIFICATION(),
        pcsc::State::UNAWARE,
    )];
    for r in crate::pcsc_transport::list_readers(ctx)?
        .into_iter()
        .filter(|r| is_yubikey_reader(r))
    {
        if let Ok(name) = CString::new(r) {
            states.push(pcsc::ReaderState::new(name, pcsc::State::UNAWARE));
        }
    }
    Ok(states)
}

fn present(states: &[pcsc::ReaderState]) -> BTreeMap<String, bool> {
    states
        .iter()
        .filter(|s| s.name() != pcsc::PNP_NOTIFICATION())
        .map(|s| {
            let st = s.event_state();
            let here = st.contains(pcsc::State::PRESENT)
                && !st.intersects(pcsc::State::UNAVAILABLE | pcsc::State::IGNORE);
            (s.name().to_string_lossy().into_owned(), here)
        })
        .collect()
}

fn run(
    ctx: &pcsc::Context,
    stop: &AtomicBool,
    poll: Duration,
    tx: &Sender<CardEvent>,
) -> Result<()> {
    let mut known: BTreeMap<String, bool> = BTreeMap::new();
    while !stop.load(Ordering::SeqCst) {
        let mut states = snapshot_states(ctx)?;
        // First call with UNAWARE returns the current state at once.
        match ctx.get_status_change(Duration::ZERO, &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(pcsc::Error::Cancelled) => return Ok(()),
            Err(e) => return Err(map_pcsc_error(e)),
        }
        let now = present(&states);
        for ev in diff(&known, &now) {
            if tx.send(ev).is_err() {
                return Ok(());
            }
        }
        known = now;
        for s in &mut states {
            s.sync_current_state();
        }
        match ctx.get_status_change(poll, &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(pcsc::Error::Cancelled) => return Ok(()),
            Err(e) => return Err(map_pcsc_error(e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_reports_plug_and_unplug() {
        let a: BTreeMap<String, bool> =
            [("r0".to_string(), true), ("r1".to_string(), false)].into();
        let b: BTreeMap<String, bool> =
            [("r1".to_string(), true), ("r2".to_string(), false)].into();
        assert_eq!(
            diff(&a, &b),
            vec![
                CardEvent::Unplugged {
                    reader: "r0".into()
                },
                CardEvent::Plugged {
                    reader: "r1".into()
                },
            ]
        );
        assert!(diff(&b, &b).is_empty());
    }
}
