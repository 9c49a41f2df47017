//! `keydesk reset-batch`: wipe a pile of handed-back keys. The batch is
//! printed and confirmed once (by typing how many keys it holds); then the
//! technician plugs the keys in one at a time and each is reset as it
//! arrives (keydesk-core's [`ResetBatch`]). Progress goes to stderr as
//! "[done/total]" lines; the summary to stdout (text or `--json`).

use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};

use keydesk_core::{BatchEvent, Desk, ResetBatch, Standing};
use keydesk_types::Serial;
use serde_json::json;

use super::args::ResetBatchArgs;
use super::output::Out;
use super::{exit, Refusal};
use crate::i18n::{Lang, Text};
use crate::tui::problem::plain;

/// Between looks at the plugged keys: well inside the 5 s FIDO2 reset window.
const POLL: Duration = Duration::from_millis(300);

fn batch_serials(desk: &Desk, a: &ResetBatchArgs, out: &Out) -> anyhow::Result<Vec<Serial>> {
    if a.waiting {
        let keys = desk.waiting_for_reset(keydesk_core::MAX_BATCH)?;
        if keys.len() == keydesk_core::MAX_BATCH {
            eprintln!(
                "{}",
                out.t(Text::CliBatchNote, vec![plain(keydesk_core::MAX_BATCH)])
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
fn confirm(count: usize, out: &Out) -> anyhow::Result<()> {
    let refuse = |text: Text| Refusal::new(exit::USAGE, text, vec![]);
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| refuse(Text::CliNoTerminal))?;
    let mut w = &tty;
    write!(
        w,
        "{}",
        out.t(Text::CliBatchConfirm, vec![plain(count), plain(count)])
    )?;
    w.flush()?;
    let mut line = String::new();
    BufReader::new(&tty).read_line(&mut line)?;
    if line.trim() != count.to_string() {
        return Err(refuse(Text::CliNotConfirmed).into());
    }
    Ok(())
}

/// What to tell the technician about one look at the keys (`None`:
/// nothing new to say): the bulk reset screen's words, after the progress.
fn describe(ev: &BatchEvent, batch: &ResetBatch, lang: Lang) -> Option<String> {
    let (done, total) = batch.progress();
    if matches!(ev, BatchEvent::Finished) {
        return None;
    }
    let mut text = format!(
        "[{done}/{total}] {}",
        crate::tui::service::batch_note(ev, total).show(lang)
    );
    if let BatchEvent::Failed { error, .. } = ev {
        text.push_str(&format!(
            "\n  {}",
            crate::tui::problem::Problem::from_core(error).show(lang)
        ));
    }
    Some(text)
}

/// `keydesk reset-batch`.
pub fn reset_batch(
    desk: &mut Desk,
    a: &ResetBatchArgs,
    out: &Out,
    virtual_keys: bool,
) -> anyhow::Result<()> {
    let serials = batch_serials(desk, a, out)?;
    if serials.is_empty() {
        out.done(
            json!({ "done": [], "remaining": [], "finished": true }),
            &out.t(Text::CliBatchNone, vec![]),
        );
        return Ok(());
    }
    super::device_cmds::refuse_if_unfinished(desk, &serials)?;
    let fido = !a.piv_only && desk.fido_wanted();
    let list: Vec<String> = serials.iter().map(ToString::to_string).collect();
    let what = out.t(
        if fido {
            Text::CliResetPivFido
        } else {
            Text::CliBatchPivOnly
        },
        vec![],
    );
    eprintln!(
        "{}",
        out.t(
            Text::CliBatchOf,
            vec![plain(serials.len()), plain(what), plain(list.join(", "))]
        )
    );
    // Checked before asking: unknown keys and keys in other states refuse.
    let mut batch = desk.start_batch(&serials, true, fido, virtual_keys)?;
    if !a.yes {
        confirm(serials.len(), out)?;
    }
    if fido {
        eprintln!("{}", out.t(Text::CliBatchOneAtATime, vec![]));
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
        if let Some(text) = describe(&ev, &batch, out.lang) {
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
            eprintln!("{}", out.t(Text::CliBatchIdle, vec![plain(idle.as_secs())]));
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
        out.done(doc, &out.t(Text::CliBatchDone, vec![plain(total)]));
        return Ok(());
    }
    let rest: Vec<String> = remaining.iter().map(ToString::to_string).collect();
    let again = format!("keydesk reset-batch --serial {}", rest.join(","));
    if out.is_json() {
        out.done(doc, "");
    }
    Err(Refusal::new(
        exit::WRONG_STATE,
        Text::CliBatchIncomplete,
        vec![
            plain(done),
            plain(total),
            plain(rest.join(", ")),
            plain(again),
        ],
    )
    .quiet(out.is_json())
    .into())
}
