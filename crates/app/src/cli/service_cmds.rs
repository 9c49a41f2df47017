//! The CLI commands around the workflows that need no new PINs: loans,
//! `recover` (exit code 4 while something still needs its key) and the
//! import of the certificate the office CA issued (PEM or DER).

use anyhow::Context;
use keydesk_core::records::format_date;
use keydesk_core::{CoreError, Desk, RecoveryOutcome};
use serde_json::{json, Value};

use super::args::{CertImportArgs, LoansArgs};
use super::output::Out;
use super::pin_input::PinInput;
use super::Refusal;
use crate::cli::exit;
use crate::i18n::Text;
use crate::tui::problem::plain;

/// `keydesk loans`.
pub fn loans(desk: &Desk, a: &LoansArgs, out: &Out) -> anyhow::Result<()> {
    let list = if a.expired {
        desk.expired_loans()?
    } else {
        desk.open_loans()?
    };
    if out.is_json() {
        out.done(json!({ "loans": list, "expired_only": a.expired }), "");
        return Ok(());
    }
    if list.is_empty() {
        let text = if a.expired {
            Text::CliNoOverdueLoans
        } else {
            Text::CliNoOpenLoans
        };
        println!("{}", out.t(text, vec![]));
    }
    for l in &list {
        println!(
            "{}",
            out.t(
                Text::CliLoanRow,
                vec![
                    plain(l.serial),
                    plain(&l.holder),
                    plain(l.personnel_no.as_str()),
                    plain(l.due.map(format_date).unwrap_or_default()),
                ]
            )
        );
    }
    Ok(())
}

/// `keydesk recover`: exit code 4 when something still needs the key.
pub fn recover(desk: &mut Desk, out: &Out) -> anyhow::Result<()> {
    let reports = desk.recover_all()?;
    let open = reports
        .iter()
        .filter(|r| r.outcome == RecoveryOutcome::NeedsKey)
        .count();
    let docs: Vec<Value> = reports
        .iter()
        .map(|r| {
            // The account's English lines, as the text output prints them.
            let account: Vec<String> = r.account.iter().map(ToString::to_string).collect();
            json!({
                "journal_id": r.journal_id, "serial": r.serial, "workflow": r.workflow,
                "outcome": format!("{:?}", r.outcome), "account": account,
            })
        })
        .collect();
    let mut text = String::new();
    if reports.is_empty() {
        text.push_str(&out.t(Text::CliNothingToRecover, vec![]));
    }
    for r in &reports {
        let serial = r.serial.map_or_else(|| "?".into(), |s| s.to_string());
        text.push_str(&out.t(
            Text::CliRecovered,
            vec![
                plain(&r.workflow),
                plain(serial),
                plain(r.journal_id),
                plain(format!("{:?}", r.outcome)),
            ],
        ));
        text.push('\n');
        for line in &r.account {
            let said = crate::tui::problem::Problem::from_account(line).show(out.lang);
            text.push_str(&format!("  {said}\n"));
        }
    }
    out.done(
        json!({ "reports": docs, "needs_key": open }),
        text.trim_end(),
    );
    if open > 0 {
        return Err(Refusal::new(
            exit::WRONG_STATE,
            Text::CliRecoverNeedsKey,
            vec![plain(open)],
        )
        .quiet(out.is_json())
        .into());
    }
    Ok(())
}

/// PEM (one CERTIFICATE block) or DER.
fn certificate_der(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let text = String::from_utf8_lossy(bytes);
    let Some(start) = text.find("-----BEGIN CERTIFICATE-----") else {
        return Ok(bytes.to_vec());
    };
    let body = &text[start + "-----BEGIN CERTIFICATE-----".len()..];
    let end = body.find("-----END CERTIFICATE-----").ok_or_else(|| {
        CoreError::Usage("the PEM certificate has no END CERTIFICATE line".into())
    })?;
    base64_decode(&body[..end])
        .ok_or_else(|| CoreError::Usage("the PEM certificate is not valid base64".into()).into())
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// `keydesk cert import`.
pub fn cert_import(desk: &mut Desk, a: &CertImportArgs, out: &Out) -> anyhow::Result<()> {
    let serial = a.serial;
    let bytes =
        std::fs::read(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    let der = certificate_der(&bytes)?;
    let mut input = PinInput::new(a.pin_fd)?;
    let pin = input.next(&format!("PIV PIN of key {serial}"))?;
    desk.import_certificate(serial, &der, &pin)?;
    out.done(
        json!({ "serial": serial, "certificate_bytes": der.len() }),
        &out.t(Text::CliCertImported, vec![plain(serial)]),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_and_der_certificates_give_the_same_bytes() {
        let der = vec![0x30, 0x03, 0x02, 0x01, 0x05, 0xff, 0x00];
        let pem = "junk\n-----BEGIN CERTIFICATE-----\nMAMCAQX/AA==\n-----END CERTIFICATE-----\n";
        assert_eq!(certificate_der(pem.as_bytes()).unwrap(), der);
        assert_eq!(certificate_der(&der).unwrap(), der);
        assert!(certificate_der(b"-----BEGIN CERTIFICATE-----\n!!\n").is_err());
    }
}
