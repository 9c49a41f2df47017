//! `keydesk reset-batch`: wipe a pile of handed-back keys. The batch is
//! printed and confirmed once (by typing how many keys it holds); then the
//! technician plugs the keys in one at a time and each is reset as it
//! arrives (keydesk-core's [`ResetBatch`]). Progress goes to stderr as
//! "[done/total]" lines; the summary to stdout (text or `--json`).

use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};

use keydesk_core::{BatchEvent, Desk, ResetBatch, Standing};
use keydesk_store::Serial;
use serde_json::json;

use super::args::ResetBatchArgs;
use super::device_cmds::fido_wanted;
use super::output::Out;
use super::{exit, Refusal};

/// Between looks at the plugged keys: well inside the 5 s FIDO2 reset window.
const POLL: Duration = Duration::from_millis(300);
/// Keys a `--waiting` batch takes at most (more than a counter handles in a day).
const MAX_BATCH: usize = 10_000;

fn batch_serials(desk: &Desk, a: &ResetBatchArgs) -> anyhow::Result<Vec<Serial>> {
    if a.waiting {
        let keys = desk.waiting_for_reset(MAX_BATCH)?;
        if keys.len() == MAX_BATCH {
            eprintln!(
                "note: only the {MAX_BATCH} keys waiting longest are in this batch; run it again for the rest"
            );
        }
        return Ok(keys.into_iter().map(|k| k.data.serial).collect());
    }
    let mut serials = a.serials.clone();
    serials.sort_unstable();
    serials.dedup();
    Ok(serials)
}

/// Ask on the terminal to type the number of keys; scripts pass `--yes`.
fn confirm(count: usize) -> anyhow::Result<()> {
    let refuse = |message: String| Refusal {
        code: exit::USAGE,
        message,
        quiet: false,
    };
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| {
            refuse("no terminal to confirm the batch on: check the list and pass --yes".into())
        })?;
    let mut w = &tty;
    write!(
        w,
        "Type {count} to reset these {count} key(s) to factory state: "
    )?;
    w.flush()?;
    let mut line = String::new();
    BufReader::new(&tty).read_line(&mut line)?;
    if line.trim() != count.to_string() {
        return Err(refuse("not confirmed: nothing was reset".into()).into());
    }
    Ok(())
}

/// What to tell the technician about one look at the keys (`None`: nothing new to say).
fn describe(ev: &BatchEvent, batch: &ResetBatch) -> Option<String> {
    let (done, total) = batch.progress();
    Some(match ev {
        BatchEvent::Finished => return None,
        BatchEvent::PlugNext => format!("[{done}/{total}] plug in the next key of the batch"),
        BatchEvent::Reset(o) => format!(
            "[{done}/{total}] key {} reset ({}), now {}; unplug it and plug in the next key",
            o.serial,
            if o.fido { "PIV and FIDO2" } else { "PIV" },
            o.state
        ),
        BatchEvent::Failed { serial, error } => format!(
            "[{done}/{total}] key {serial} was not reset: {error}\n  unplug it and plug it in again to retry"
        ),
        BatchEvent::Replug { serial } => format!(
            "[{done}/{total}] key {serial}: unplug it and plug it back in (a FIDO2 reset is only possible right after plug-in)"
        ),
        BatchEvent::SeveralPlugged { count } => format!(
            "[{done}/{total}] {count} keys are plugged in: leave only the next key of the batch plugged in"
        ),
        BatchEvent::AlreadyDone { serial } => {
            format!("[{done}/{total}] key {serial} is done: unplug it and plug in the next key")
        }
        BatchEvent::NotInBatch {
            serial: Some(serial),
            state,
        } => format!(
            "[{done}/{total}] key {serial} is not in this batch ({}): it is left alone, unplug it",
            state.map_or("not in the inventory", |s| s.as_str())
        ),
        BatchEvent::NotInBatch { serial: None, .. } => format!(
            "[{done}/{total}] the plugged key has no readable serial and is not in this batch: unplug it"
        ),
        _ => return None,
    })
}

/// `keydesk reset-batch`.
pub fn reset_batch(
    desk: &mut Desk,
    a: &ResetBatchArgs,
    out: &Out,
    virtual_keys: bool,
) -> anyhow::Result<()> {
    let serials = batch_serials(desk, a)?;
    if serials.is_empty() {
        out.done(
            json!({ "done": [], "remaining": [], "finished": true }),
            "no key waits for a reset",
        );
        return Ok(());
    }
    super::device_cmds::refuse_if_unfinished(desk, &serials)?;
    let fido = !a.piv_only && fido_wanted(desk);
    let list: Vec<String> = serials.iter().map(ToString::to_string).collect();
    eprintln!(
        "batch of {} key(s) to reset ({}): {}",
        serials.len(),
        if fido { "PIV and FIDO2" } else { "PIV only" },
        list.join(", ")
    );
    // Checked before asking: unknown keys and keys in other states refuse.
    let mut batch = desk.start_batch(&serials, true, fido, virtual_keys)?;
    if !a.yes {
        confirm(serials.len())?;
    }
    if fido {
        eprintln!("plug the keys in one at a time; touch each one when it blinks");
    }
    let idle = Duration::from_secs(a.idle_timeout);
    let mut last_reset = Instant::now();
    let mut last_said = String::new();
    loop {
        let ev = desk.batch_step(&mut batch)?;
        if matches!(ev, BatchEvent::Finished) {
            break;
        }
        let progressed = matches!(ev, BatchEvent::Reset(_));
        if let Some(text) = describe(&ev, &batch) {
            // Say a standing situation once, not at every look.
            if text != last_said || progressed {
                eprintln!("{text}");
                last_said = text;
            }
        }
        if progressed {
            last_reset = Instant::now();
            continue;
        }
        if last_reset.elapsed() >= idle {
            eprintln!("no key reset for {} s: stopping", idle.as_secs());
            break;
        }
        std::thread::sleep(POLL);
    }
    summary(&batch, out)
}

fn summary(batch: &ResetBatch, out: &Out) -> anyhow::Result<()> {
    let (done, total) = batch.progress();
    let done_keys: Vec<_> = batch
        .keys()
        .filter_map(|(s, st)| match st {
            Standing::Done(state) => Some(json!({ "serial": s, "state": state.as_str() })),
            Standing::Pending | Standing::Failed => None,
        })
        .collect();
    let remaining = batch.remaining();
    let doc =
        json!({ "done": done_keys, "remaining": remaining, "finished": remaining.is_empty() });
    if remaining.is_empty() {
        out.done(doc, &format!("all {total} key(s) reset and back in stock"));
        return Ok(());
    }
    let rest: Vec<String> = remaining.iter().map(ToString::to_string).collect();
    let again = format!("keydesk reset-batch --serial {}", rest.join(","));
    if out.is_json() {
        out.done(doc, "");
    }
    Err(Refusal {
        code: exit::WRONG_STATE,
        message: format!(
            "{done} of {total} key(s) reset; not reset: {}. Continue with `{again}`",
            rest.join(", ")
        ),
        quiet: out.is_json(),
    }
    .into())
}
