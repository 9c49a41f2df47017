//! The CLI commands that touch keys: list them, enrol, reset (with the
//! replug window of a FIDO2 reset), return, replace and lost. Each refuses to
//! start while an interrupted operation waits for `keydesk recover`, prints
//! touch prompts with a countdown on stderr, and never prints or logs a PIN.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use keydesk_core::profile::FidoMode;
use keydesk_core::{
    CoreError, Desk, EnrolOutcome, EnrolRequest, OldKey, Prompt, RevokeReason, Secrets,
};
use keydesk_device::watch::CardEvent;
use keydesk_device::DeviceError;
use keydesk_store::{format_date, parse_date};
use keydesk_types::{KeyState, Serial};
use serde_json::{json, Value};

use super::args::{EnrolArgs, LostArgs, OldKeyArg, PinSource, ReplaceArgs, ResetArgs, ReturnArgs};
use super::letter::Reserved;
use super::output::Out;
use super::pin_input::PinInput;
use super::Refusal;
use crate::cli::exit;

/// How long to wait for the key to be unplugged and plugged back in.
const REPLUG_TIMEOUT: Duration = Duration::from_secs(30);
/// Between looks at the plugged keys while waiting for a replug: often enough
/// for the 5 s FIDO2 reset window, rare enough to leave the card service idle.
const POLL: Duration = Duration::from_millis(400);
/// How often the card-presence watcher looks at the readers.
const WATCH: Duration = Duration::from_millis(100);

/// Refuse while an interrupted operation waits for `keydesk recover`.
///
/// Several counter windows may share one inventory: an operation that another
/// live keydesk process runs right now (the journal records its owner) is
/// only mentioned, unless it is on a key of this command. Anything a crash
/// or a pulled key interrupted refuses.
pub fn refuse_if_unfinished(desk: &Desk, serials: &[Serial]) -> anyhow::Result<()> {
    let mut open = desk.unfinished()?;
    for e in desk.running_elsewhere()? {
        if e.serial.is_some_and(|s| serials.contains(&s)) {
            open.push(e);
        } else {
            eprintln!(
                "note: {} of key {} is in progress in another keydesk window",
                e.workflow,
                e.serial.map_or_else(String::new, |s| s.to_string())
            );
        }
    }
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
    Err(Refusal {
        code: exit::WRONG_STATE,
        message: format!(
            "{} unfinished operation(s) ({} on key {}, step {}) must be resolved first: run `keydesk recover`",
            open.len(),
            first.workflow,
            keys.join(", "),
            first.step
        ),
        quiet: false,
    }
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
                eprintln!("touch key {serial} now ({secs} s left)");
            }
        }
    }));
}

/// `keydesk keys`: the keys plugged in now, joined with the inventory.
pub fn keys(desk: &mut Desk, out: &Out) -> anyhow::Result<()> {
    let plugged = desk.plugged_keys()?;
    let unfinished = desk.unfinished()?.len();
    let mut rows = Vec::new();
    for k in &plugged {
        let serial = k.serial();
        let known = match serial {
            Some(s) => desk.store().get_key(s)?,
            None => None,
        };
        let holder = match serial {
            Some(s) => desk.store().current_assignment(s)?,
            None => None,
        };
        rows.push(json!({
            "serial": serial,
            "model": k.model,
            "firmware": k.firmware.map(|v| v.to_string()),
            "reader": k.reader(),
            "fido": k.fido_path(),
            "state": known.as_ref().map_or("unknown", |k| k.state.as_str()),
            "holder": holder.as_ref().map(|a| a.holder.clone()),
            "personnel_no": holder.as_ref().map(|a| a.personnel_no.as_str().to_owned()),
            "notebook": holder.as_ref().and_then(|a| a.asset_tag.as_ref().map(|t| t.as_str().to_owned())),
            "due": holder.as_ref().and_then(|a| a.due.map(format_date)),
        }));
    }
    if out.is_json() {
        out.done(json!({ "keys": rows, "unfinished": unfinished }), "");
        return Ok(());
    }
    if rows.is_empty() {
        println!("No keys plugged in.");
    }
    for r in &rows {
        let s = |v: &Value| v.as_str().map_or_else(|| "–".to_owned(), str::to_owned);
        println!(
            "{:<10} {:<16} fw {:<6} {:<10} {}{}",
            r["serial"]
                .as_u64()
                .map_or_else(|| "?".to_owned(), |n| n.to_string()),
            s(&r["model"]),
            s(&r["firmware"]),
            s(&r["state"]),
            s(&r["holder"]),
            r["notebook"]
                .as_str()
                .map(|n| format!("  notebook {n}"))
                .unwrap_or_default(),
        );
    }
    if unfinished > 0 {
        eprintln!("{unfinished} unfinished operation(s): run `keydesk recover`");
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

fn enrol_text(o: &EnrolOutcome, files: &Value) -> String {
    let mut t = format!(
        "key {} ({} {}) enrolled and issued; public key sha256 {}\nCSR for the office CA: {}",
        o.serial,
        o.model,
        o.firmware,
        o.public_key_sha256,
        files["csr"].as_str().unwrap_or("")
    );
    if let Some(p) = files.get("pin_letter").and_then(Value::as_str) {
        t.push_str(&format!(
            "\nPIN letter (hand it over sealed, then delete the file): {p}"
        ));
    }
    t
}

/// `keydesk enrol`.
pub fn enrol(desk: &mut Desk, a: &EnrolArgs, out: &Out) -> anyhow::Result<()> {
    let (serial, staff, notebook) = (a.serial, a.staff.clone(), a.notebook.clone());
    // Check what can be checked before asking for PINs.
    if desk.store().get_staff(&staff)?.is_none() {
        return Err(
            CoreError::from(keydesk_store::StoreError::UnknownStaff(staff.to_string())).into(),
        );
    }
    if let Some(tag) = &notebook {
        if desk.store().get_notebook(tag)?.is_none() {
            return Err(CoreError::from(keydesk_store::StoreError::UnknownNotebook(
                tag.as_str().to_owned(),
            ))
            .into());
        }
    }
    if let Some(k) = desk.store().get_key(serial)? {
        if k.state != KeyState::InStock {
            return Err(
                CoreError::from(keydesk_store::StoreError::IllegalTransition {
                    serial,
                    current: k.state,
                    wanted: KeyState::Issued,
                })
                .into(),
            );
        }
    }
    let (outcome, files) = enrolling(desk, &a.pins, serial, |desk, secrets| {
        desk.enrol(&EnrolRequest {
            serial,
            staff,
            notebook,
            secrets,
            due: None,
        })
    })?;
    out.done(enrol_json(&outcome, &files), &enrol_text(&outcome, &files));
    Ok(())
}

/// Refuse a FIDO2 reset unless `serial` is the only FIDO key plugged in.
fn check_alone(desk: &mut Desk, serial: Serial) -> anyhow::Result<()> {
    let plugged = desk.plugged_keys()?;
    let fido = plugged.iter().filter(|k| k.fido_path().is_some()).count();
    let present = plugged.iter().any(|k| k.serial() == Some(serial));
    if !present {
        return Err(CoreError::from(DeviceError::KeyNotFound { serial }).into());
    }
    if plugged.len() > 1 || fido > 1 {
        return Err(Refusal {
            code: exit::DEVICE,
            message: format!(
                "{} keys are plugged in: a FIDO2 reset needs key {serial} alone; unplug the others and try again",
                plugged.len().max(fido)
            ),
            quiet: false,
        }
        .into());
    }
    Ok(())
}

/// Guide the technician through unplugging and replugging `serial`, then
/// return at once (the FIDO2 reset window opens at plug-in).
fn wait_replug(desk: &mut Desk, serial: Serial, virtual_keys: bool) -> anyhow::Result<()> {
    if virtual_keys {
        // Virtual keys are plugged in when this process starts: the window is open.
        return Ok(());
    }
    let reader = desk
        .plugged_keys()?
        .iter()
        .find(|k| k.serial() == Some(serial))
        .and_then(|k| k.reader().map(str::to_owned));
    eprintln!(
        "unplug key {serial} and plug it back in now (waiting {} s)",
        REPLUG_TIMEOUT.as_secs()
    );
    let start = Instant::now();
    if let Some(reader) = reader {
        // Watch the reader's card presence: no commands to a card being pulled.
        let (watcher, events) = keydesk_device::watch::watch(WATCH)?;
        let mut gone = false;
        while let Some(left) = REPLUG_TIMEOUT.checked_sub(start.elapsed()) {
            match events.recv_timeout(left) {
                Ok(CardEvent::Unplugged { reader: r }) if r == reader => gone = true,
                Ok(CardEvent::Plugged { reader: r }) if r == reader && gone => {
                    watcher.stop();
                    return Ok(());
                }
                Ok(CardEvent::Failed { error }) => {
                    watcher.stop();
                    return Err(CoreError::from(DeviceError::Pcsc(error)).into());
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        watcher.stop();
    } else {
        // A FIDO-only key: look at the HID devices.
        let mut gone = false;
        while start.elapsed() < REPLUG_TIMEOUT {
            let present = desk
                .plugged_keys()?
                .iter()
                .any(|k| k.serial() == Some(serial));
            if !present {
                gone = true;
            } else if gone {
                return Ok(());
            }
            std::thread::sleep(POLL);
        }
    }
    Err(Refusal {
        code: exit::DEVICE,
        message: format!(
            "key {serial} was not unplugged and plugged back in within {} s; nothing was reset",
            REPLUG_TIMEOUT.as_secs()
        ),
        quiet: false,
    }
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
        check_alone(desk, serial)?;
        wait_replug(desk, serial, virtual_keys)?;
    }
    Ok(desk.reset(keydesk_core::ResetRequest { serial, piv, fido })?)
}

pub(super) fn fido_wanted(desk: &Desk) -> bool {
    desk.profile().fido.mode != FidoMode::Skip
}

/// `keydesk reset`.
pub fn reset(desk: &mut Desk, a: &ResetArgs, out: &Out, virtual_keys: bool) -> anyhow::Result<()> {
    let serial = a.serial;
    let (piv, fido) = if a.piv || a.fido {
        (a.piv, a.fido)
    } else {
        (true, fido_wanted(desk))
    };
    let o = do_reset(desk, serial, piv, fido, virtual_keys)?;
    out.done(
        json!({ "serial": serial, "piv": o.piv, "fido": o.fido, "state": o.state.as_str() }),
        &format!(
            "key {serial} reset ({}); state {}",
            match (o.piv, o.fido) {
                (true, true) => "PIV and FIDO2",
                (true, false) => "PIV",
                (false, true) => "FIDO2",
                (false, false) => "nothing",
            },
            o.state
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
    let fido = !a.no_reset && fido_wanted(desk);
    if fido {
        // Check before anything is recorded, so a refusal changes nothing.
        check_alone(desk, serial)?;
    }
    desk.return_key(serial, false)?;
    if a.no_reset {
        out.done(
            json!({ "serial": serial, "state": "returned", "reset": false }),
            &format!("key {serial} returned; reset it with `keydesk reset --serial {serial}` to put it back into stock"),
        );
        return Ok(());
    }
    let o = do_reset(desk, serial, true, fido, virtual_keys).with_context(|| {
        format!("key {serial} is recorded as returned but not reset; finish with `keydesk reset --serial {serial}`")
    })?;
    out.done(
        json!({ "serial": serial, "state": o.state.as_str(), "reset": true, "fido": o.fido }),
        &format!("key {serial} returned, reset and back in stock"),
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
    if desk.store().current_assignment(old)?.is_none() {
        let state = desk
            .store()
            .get_key(old)?
            .ok_or(keydesk_store::StoreError::UnknownKey(old))
            .map_err(CoreError::from)?
            .state;
        return Err(
            CoreError::from(keydesk_store::StoreError::IllegalTransition {
                serial: old,
                current: state,
                wanted: KeyState::Returned,
            })
            .into(),
        );
    }
    let (outcome, files) = enrolling(desk, &a.pins, new, |desk, secrets| {
        desk.replace(old, old_key, new, secrets)
    })?;
    let old_state = desk
        .store()
        .get_key(old)?
        .map_or("unknown", |k| k.state.as_str());
    let mut doc = enrol_json(&outcome, &files);
    doc["old"] = json!({ "serial": old, "state": old_state });
    out.done(
        doc,
        &format!(
            "old key {old}: {old_state}\n{}",
            enrol_text(&outcome, &files)
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
    let due = desk
        .store()
        .current_assignment(temporary)?
        .and_then(|a| a.due.map(format_date));
    let mut doc = enrol_json(&outcome, &files);
    doc["lost"] = json!({ "serial": serial, "state": "revoked" });
    doc["due"] = json!(due);
    out.done(
        doc,
        &format!(
            "lost key {serial} revoked\ntemporary key, due back {}:\n{}",
            due.as_deref().unwrap_or("?"),
            enrol_text(&outcome, &files)
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
