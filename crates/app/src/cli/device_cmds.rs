//! The CLI commands that touch keys: list them, enrol, reset (with the
//! replug window of a FIDO2 reset), return, replace and lost. Each refuses to
//! start while an interrupted operation waits for `keydesk recover`, prints
//! touch prompts with a countdown on stderr, and never prints or logs a PIN.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use keydesk_core::profile::FidoMode;
use keydesk_core::records::{format_date, parse_date};
use keydesk_core::{
    CoreError, Desk, EnrolOutcome, EnrolRequest, OldKey, Prompt, RevokeReason, Secrets,
};
use keydesk_types::{KeyState, Serial};
use serde_json::{json, Value};

use super::args::{EnrolArgs, LostArgs, OldKeyArg, PinSource, ReplaceArgs, ResetArgs, ReturnArgs};
use super::letter::Reserved;
use super::output::Out;
use super::pin_input::PinInput;
use super::say;
use super::Refusal;
use crate::cli::exit;
use crate::i18n::{Lang, Text};
use crate::tui::problem::{plain, Part, Problem};

/// How long to wait for the key to be unplugged and plugged back in.
const REPLUG_TIMEOUT: Duration = Duration::from_secs(30);

/// Refuse while an interrupted operation waits for `keydesk recover`.
///
/// Several counter windows may share one inventory: an operation that another
/// live keydesk process runs right now (the journal records its owner) is
/// only mentioned, unless it is on a key of this command. Anything a crash
/// or a pulled key interrupted refuses.
pub fn refuse_if_unfinished(desk: &Desk, serials: &[Serial]) -> anyhow::Result<()> {
    let work = desk.open_work(serials)?;
    for e in &work.elsewhere {
        let serial = e.serial.map_or_else(String::new, |s| s.to_string());
        let note = Problem::new(Text::CliElsewhere, vec![plain(&e.workflow), plain(serial)]);
        eprintln!("{}", note.show(Lang::from_env()));
    }
    let open = work.blocking;
    let Some(first) = open.first() else {
        return Ok(());
    };
    let keys: Vec<String> = open
        .iter()
        .map(|e| {
            e.serial
                .map_or_else(|| "(no key)".into(), |s| s.to_string())
        })
        .collect();
    Err(Refusal::new(
        exit::WRONG_STATE,
        Text::CliUnfinished,
        vec![
            plain(open.len()),
            plain(&first.workflow),
            plain(keys.join(", ")),
            plain(&first.step),
        ],
    )
    .into())
}

/// Print touch prompts on stderr, once per second of the countdown.
pub fn install_prompter(desk: &mut Desk) {
    let last: Arc<Mutex<Option<u64>>> = Arc::new(Mutex::new(None));
    desk.set_prompter(Arc::new(move |p: Prompt| match p {
        Prompt::Touch { serial, remaining } => {
            let secs = remaining.as_secs();
            let mut last = last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if *last != Some(secs) {
                *last = Some(secs);
                let prompt = Problem::new(Text::CliTouchNow, vec![plain(serial), plain(secs)]);
                eprintln!("{}", prompt.show(Lang::from_env()));
            }
        }
    }));
}

/// `keydesk keys`: the keys plugged in now, joined with the inventory.
pub fn keys(desk: &mut Desk, out: &Out) -> anyhow::Result<()> {
    let plugged = desk.plugged()?;
    let unfinished = desk.unfinished()?.len();
    if out.is_json() {
        let rows: Vec<Value> = plugged
            .iter()
            .map(|k| {
                let holder = k.holder.as_ref();
                json!({
                    "serial": k.serial,
                    "model": k.model,
                    "firmware": k.firmware,
                    "reader": k.reader,
                    "fido": k.fido,
                    "state": k.state.map_or("unknown", KeyState::as_str),
                    "holder": holder.map(|a| a.holder.clone()),
                    "personnel_no": holder.map(|a| a.personnel_no.as_str().to_owned()),
                    "notebook": holder.and_then(|a| a.asset_tag.as_ref().map(|t| t.as_str().to_owned())),
                    "due": holder.and_then(|a| a.due.map(format_date)),
                })
            })
            .collect();
        out.done(json!({ "keys": rows, "unfinished": unfinished }), "");
        return Ok(());
    }
    if plugged.is_empty() {
        println!("{}", out.t(Text::CliNoKeysPlugged, vec![]));
    }
    for k in &plugged {
        let holder = k.holder.as_ref();
        let serial = k.serial.map_or_else(|| "?".to_owned(), |s| s.to_string());
        let notebook = holder
            .and_then(|a| a.asset_tag.as_ref())
            .map_or_else(String::new, |n| {
                out.t(Text::CliKeyRowNotebook, vec![plain(n.as_str())])
            });
        println!(
            "{}",
            out.t(
                Text::CliKeyRow,
                vec![
                    plain(format!("{serial:<10}")),
                    plain(format!("{:<16}", k.model)),
                    plain(format!("{:<6}", k.firmware.as_deref().unwrap_or("–"))),
                    plain(format!(
                        "{:<10}",
                        k.state.map_or("unknown", KeyState::as_str)
                    )),
                    plain(holder.map_or("–", |a| a.holder.as_str())),
                    plain(notebook),
                ]
            )
        );
    }
    if unfinished > 0 {
        eprintln!(
            "{}",
            out.t(Text::CliUnfinishedNote, vec![plain(unfinished)])
        );
    }
    Ok(())
}

/// PINs as the technician chose to give them, plus the letter file if any.
struct Pins {
    secrets: Secrets,
    letter: Option<Reserved>,
}

fn pins(desk: &Desk, src: &PinSource) -> anyhow::Result<Pins> {
    if let Some(path) = &src.pin_letter {
        return Ok(Pins {
            secrets: Secrets::Letter,
            letter: Some(Reserved::create(path)?),
        });
    }
    let mut input = PinInput::new(src.pin_fd)?;
    let piv_pin = input.new_pin("PIV PIN")?;
    let terminal = matches!(input, PinInput::Terminal);
    let more = matches!(&input, PinInput::Fd(lines) if !lines.is_empty());
    let fido_pin = match desk.profile().fido.mode {
        FidoMode::Skip => None,
        // A script may leave the FIDO2 PIN out when the profile makes it optional.
        FidoMode::Optional if !terminal && !more => None,
        FidoMode::Required | FidoMode::Optional => Some(input.new_pin("FIDO2 PIN")?),
    };
    Ok(Pins {
        secrets: Secrets::Typed { piv_pin, fido_pin },
        letter: None,
    })
}

fn csr_path(src: &PinSource, serial: Serial) -> PathBuf {
    if let Some(p) = &src.csr {
        return p.clone();
    }
    let name = format!("{serial}.csr.pem");
    match src
        .pin_letter
        .as_deref()
        .and_then(Path::parent)
        .filter(|d| !d.as_os_str().is_empty())
    {
        Some(dir) => dir.join(name),
        None => PathBuf::from(name),
    }
}

/// Run an enrolling workflow with the PINs from `src`; write the letter and the CSR.
fn enrolling(
    desk: &mut Desk,
    src: &PinSource,
    serial: Serial,
    run: impl FnOnce(&mut Desk, Secrets) -> keydesk_core::Result<EnrolOutcome>,
) -> anyhow::Result<(EnrolOutcome, Value)> {
    let Pins { secrets, letter } = pins(desk, src)?;
    let outcome = match run(desk, secrets) {
        Ok(o) => o,
        Err(e) => {
            if let Some(l) = letter {
                l.abandon();
            }
            return Err(e.into());
        }
    };
    let mut files = json!({});
    if let (Some(reserved), Some(l)) = (letter, &outcome.letter) {
        let path = reserved.path().to_path_buf();
        let today = format_date(time::OffsetDateTime::now_utc().date());
        reserved.write(l, &today)?;
        files["pin_letter"] = json!(path);
    }
    let csr = csr_path(src, serial);
    std::fs::write(&csr, &outcome.csr_pem).with_context(|| {
        format!(
            "key {serial} is enrolled, but its CSR could not be written to {}",
            csr.display()
        )
    })?;
    files["csr"] = json!(csr);
    Ok((outcome, files))
}

fn enrol_json(o: &EnrolOutcome, files: &Value) -> Value {
    json!({
        "serial": o.serial, "model": o.model, "firmware": o.firmware, "slot": o.slot,
        "public_key_sha256": o.public_key_sha256, "aaguid": o.aaguid,
        "fido_pin_set": o.fido_pin_set, "otp_usb": o.otp_usb, "state": "issued",
        "csr": files["csr"], "pin_letter": files.get("pin_letter"),
    })
}

fn enrol_text(o: &EnrolOutcome, files: &Value, out: &Out) -> String {
    let mut t = out.t(
        Text::CliEnrolled,
        vec![
            plain(o.serial),
            plain(&o.model),
            plain(&o.firmware),
            plain(&o.public_key_sha256),
            plain(files["csr"].as_str().unwrap_or("")),
        ],
    );
    if let Some(p) = files.get("pin_letter").and_then(Value::as_str) {
        t.push('\n');
        t.push_str(&out.t(Text::CliLetterWritten, vec![plain(p)]));
    }
    t
}

/// `keydesk enrol`.
pub fn enrol(desk: &mut Desk, a: &EnrolArgs, out: &Out) -> anyhow::Result<()> {
    let (serial, staff, notebook) = (a.serial, a.staff.clone(), a.notebook.clone());
    // What the enrolment checks, checked before asking for PINs.
    desk.check_enrol(serial, &staff, notebook.as_ref())?;
    let (outcome, files) = enrolling(desk, &a.pins, serial, |desk, secrets| {
        desk.enrol(&EnrolRequest {
            serial,
            staff,
            notebook,
            secrets,
            due: None,
        })
    })?;
    out.done(
        enrol_json(&outcome, &files),
        &enrol_text(&outcome, &files, out),
    );
    Ok(())
}

/// Guide the technician through unplugging and replugging `serial`, then
/// return at once (the FIDO2 reset window opens at plug-in).
fn wait_replug(desk: &mut Desk, serial: Serial, virtual_keys: bool) -> anyhow::Result<()> {
    if virtual_keys {
        // Virtual keys are plugged in when this process starts: the window is open.
        return Ok(());
    }
    let prompt = Problem::new(
        Text::CliReplugNow,
        vec![plain(serial), plain(REPLUG_TIMEOUT.as_secs())],
    );
    eprintln!("{}", prompt.show(Lang::from_env()));
    if desk.wait_for_replug(serial, REPLUG_TIMEOUT)? {
        return Ok(());
    }
    Err(Refusal::new(
        exit::DEVICE,
        Text::CliReplugTimeout,
        vec![plain(serial), plain(REPLUG_TIMEOUT.as_secs())],
    )
    .into())
}

fn do_reset(
    desk: &mut Desk,
    serial: Serial,
    piv: bool,
    fido: bool,
    virtual_keys: bool,
) -> anyhow::Result<keydesk_core::ResetOutcome> {
    if fido {
        desk.check_alone(serial)?;
        wait_replug(desk, serial, virtual_keys)?;
    }
    Ok(desk.reset(keydesk_core::ResetRequest { serial, piv, fido })?)
}

/// `keydesk reset`.
pub fn reset(desk: &mut Desk, a: &ResetArgs, out: &Out, virtual_keys: bool) -> anyhow::Result<()> {
    let serial = a.serial;
    let (piv, fido) = if a.piv || a.fido {
        (a.piv, a.fido)
    } else {
        (true, desk.fido_wanted())
    };
    let o = do_reset(desk, serial, piv, fido, virtual_keys)?;
    out.done(
        json!({ "serial": serial, "piv": o.piv, "fido": o.fido, "state": o.state.as_str() }),
        &out.t(
            Text::CliReset,
            vec![
                plain(serial),
                Part::Word(match (o.piv, o.fido) {
                    (true, true) => Text::CliResetPivFido,
                    (true, false) => Text::CliResetPiv,
                    (false, true) => Text::CliResetFido,
                    (false, false) => Text::CliResetNothing,
                }),
                plain(o.state),
            ],
        ),
    );
    Ok(())
}

/// `keydesk return`.
pub fn return_key(
    desk: &mut Desk,
    a: &ReturnArgs,
    out: &Out,
    virtual_keys: bool,
) -> anyhow::Result<()> {
    let serial = a.serial;
    let fido = !a.no_reset && desk.fido_wanted();
    if fido {
        // Check before anything is recorded, so a refusal changes nothing.
        desk.check_alone(serial)?;
    }
    desk.return_key(serial, false)?;
    if a.no_reset {
        out.done(
            json!({ "serial": serial, "state": "returned", "reset": false }),
            &out.t(Text::CliReturnedOnly, vec![plain(serial), plain(serial)]),
        );
        return Ok(());
    }
    let o = do_reset(desk, serial, true, fido, virtual_keys).map_err(|e| {
        say::doing(
            Text::CliReturnedNotReset,
            vec![plain(serial), plain(serial)],
            e,
        )
    })?;
    out.done(
        json!({ "serial": serial, "state": o.state.as_str(), "reset": true, "fido": o.fido }),
        &out.t(Text::CliReturned, vec![plain(serial)]),
    );
    Ok(())
}

/// `keydesk replace`.
pub fn replace(desk: &mut Desk, a: &ReplaceArgs, out: &Out) -> anyhow::Result<()> {
    let (old, new) = (a.serial, a.with);
    let old_key = match a.old {
        OldKeyArg::Returned => OldKey::Returned,
        OldKeyArg::Lost => OldKey::Revoked(RevokeReason::Lost),
        OldKeyArg::Stolen => OldKey::Revoked(RevokeReason::Stolen),
        OldKeyArg::Left => OldKey::Revoked(RevokeReason::Left),
        OldKeyArg::Defective => OldKey::Revoked(RevokeReason::Defective),
    };
    desk.check_replace(old)?;
    let (outcome, files) = enrolling(desk, &a.pins, new, |desk, secrets| {
        desk.replace(old, old_key, new, secrets)
    })?;
    let old_state = desk.key(old)?.map_or("unknown", |k| k.state.as_str());
    let mut doc = enrol_json(&outcome, &files);
    doc["old"] = json!({ "serial": old, "state": old_state });
    out.done(
        doc,
        &format!(
            "{}\n{}",
            out.t(Text::CliReplacedOld, vec![plain(old), plain(old_state)]),
            enrol_text(&outcome, &files, out)
        ),
    );
    Ok(())
}

/// `keydesk lost`.
pub fn lost(desk: &mut Desk, a: &LostArgs, out: &Out) -> anyhow::Result<()> {
    let serial = a.serial;
    let temporary = a.temporary;
    let until = a
        .until
        .as_deref()
        .map(parse_date)
        .transpose()
        .map_err(CoreError::from)?;
    let (outcome, files) = enrolling(desk, &a.pins, temporary, |desk, secrets| {
        desk.lost(serial, temporary, until, secrets)
    })?;
    let due = desk.holder(temporary)?.and_then(|a| a.due.map(format_date));
    let mut doc = enrol_json(&outcome, &files);
    doc["lost"] = json!({ "serial": serial, "state": "revoked" });
    doc["due"] = json!(due);
    out.done(
        doc,
        &format!(
            "{}\n{}",
            out.t(
                Text::CliLostRevoked,
                vec![plain(serial), plain(due.as_deref().unwrap_or("?"))]
            ),
            enrol_text(&outcome, &files, out)
        ),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csr_goes_next_to_the_letter_unless_told() {
        let serial: Serial = "23456780".parse().unwrap();
        let mut src = PinSource {
            pin_letter: Some(PathBuf::from("/tmp/x/brief.txt")),
            pin_fd: None,
            csr: None,
        };
        assert_eq!(
            csr_path(&src, serial),
            PathBuf::from("/tmp/x/23456780.csr.pem")
        );
        src.pin_letter = Some(PathBuf::from("brief.txt"));
        assert_eq!(csr_path(&src, serial), PathBuf::from("23456780.csr.pem"));
        src.csr = Some(PathBuf::from("/a/b.pem"));
        assert_eq!(csr_path(&src, serial), PathBuf::from("/a/b.pem"));
    }
}
