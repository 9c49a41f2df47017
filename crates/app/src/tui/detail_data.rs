//! Reads for the detail views (worker side): a key with its holder,
//! enrolment and history; a staff member with the keys held now and before;
//! a notebook with its user and keys.

use keydesk_core::records::Assignment;
use keydesk_core::Desk;
use keydesk_types::Serial;

use super::model::{DetailView, HitKind, Seg, Target};
use super::problem::Problem;
use crate::i18n::Text;

/// "23456780  2026-11-01 08:00 – 2026-11-20 10:00  Müller, Anna (4711)  NB-0815"
fn assignment_line(a: &Assignment) -> Vec<Seg> {
    vec![
        Seg::Text(format!("{}  ", a.serial)),
        Seg::Time(a.from.clone()),
        Seg::Text(" – ".into()),
        a.until
            .as_ref()
            .map_or_else(|| Seg::Text("…".into()), |u| Seg::Time(u.clone())),
        Seg::Text(format!(
            "  {} ({})  {}",
            a.holder,
            a.personnel_no.as_str(),
            a.asset_tag.as_ref().map_or("", |t| t.as_str())
        )),
    ]
}

/// The detail view for `target`.
///
/// # Errors
/// Database errors; a staff member or notebook deleted since it was found.
pub fn detail(desk: &Desk, target: Target) -> Result<DetailView, Problem> {
    match target {
        Target::Key(s) => key(desk, s),
        Target::Staff(id) => {
            let (s, held) = desk
                .staff_by_id(id)?
                .ok_or_else(|| Problem::new(Text::ErrStaffGone, vec![]))?;
            let now: Vec<String> = held
                .iter()
                .filter(|a| a.until.is_none())
                .map(|a| a.serial.to_string())
                .collect();
            Ok(DetailView {
                kind: HitKind::Staff,
                serial: None,
                state: None,
                title: format!("{}, {}", s.data.surname, s.data.given_name),
                facts: vec![
                    (
                        Text::FactPersonnelNo,
                        s.data.personnel_no.as_str().to_owned(),
                    ),
                    (Text::FactDepartment, s.data.department.clone()),
                    (Text::FactEmail, s.data.email.clone()),
                    (
                        Text::FactKeysNow,
                        if now.is_empty() {
                            "–".into()
                        } else {
                            now.join(", ")
                        },
                    ),
                ],
                history: held.iter().map(assignment_line).collect(),
            })
        }
        Target::Notebook(id) => {
            let (n, held) = desk
                .notebook_by_id(id)?
                .ok_or_else(|| Problem::new(Text::ErrNotebookGone, vec![]))?;
            Ok(DetailView {
                kind: HitKind::Notebook,
                serial: None,
                state: None,
                title: n.data.asset_tag.as_str().to_owned(),
                facts: vec![
                    (Text::FactHostname, n.data.hostname.clone()),
                    (
                        Text::FactModel,
                        format!("{} {}", n.data.model, n.data.serial_no),
                    ),
                    (
                        Text::FactUser,
                        n.data
                            .staff
                            .as_ref()
                            .map_or_else(|| "–".into(), |p| p.as_str().to_owned()),
                    ),
                ],
                history: held.iter().map(assignment_line).collect(),
            })
        }
    }
}

fn key(desk: &Desk, s: Serial) -> Result<DetailView, Problem> {
    let Some(k) = desk.key(s)? else {
        return Ok(DetailView {
            kind: HitKind::Key,
            serial: Some(s),
            title: s.to_string(),
            state: Some((None, String::new())),
            facts: Vec::new(),
            history: Vec::new(),
        });
    };
    let h = desk.key_history(s)?;
    let current = h.assignments.iter().rev().find(|a| a.until.is_none());
    let mut facts = vec![
        (
            Text::FactModel,
            format!("{} {}", k.data.model, k.data.form_factor),
        ),
        (Text::FactFirmware, k.data.firmware.clone()),
        (
            Text::FactHolder,
            current.map_or_else(
                || "–".into(),
                |a| format!("{} ({})", a.holder, a.personnel_no.as_str()),
            ),
        ),
        (
            Text::FactNotebook,
            current
                .and_then(|a| a.asset_tag.as_ref())
                .map_or_else(|| "–".into(), |t| t.as_str().to_owned()),
        ),
    ];
    let site = match &k.data.site {
        Some(code) => match desk.site_named(code)? {
            Some(site) => format!("{} {}", site.code, site.name),
            None => code.to_string(),
        },
        None => "–".into(),
    };
    facts.push((Text::FactSite, site));
    if let Some(due) = current.and_then(|a| a.due) {
        facts.push((Text::FactDue, due.to_string()));
    }
    if let Some(e) = h.enrolments.last() {
        facts.push((
            Text::FactEnrolment,
            format!(
                "{} {} SHA-256 {}…",
                e.firmware,
                e.slot.map(|s| s.to_string()).unwrap_or_default(),
                e.pubkey_sha256.get(..16).unwrap_or("")
            ),
        ));
    }
    if !k.notes.is_empty() {
        facts.push((Text::FactNotes, k.notes.clone()));
    }
    let history = h
        .events
        .iter()
        .map(|e| {
            vec![
                Seg::Time(e.at.clone()),
                Seg::Text(format!("  {:<14} {}  {}", e.action, e.actor, e.reason)),
            ]
        })
        .collect();
    Ok(DetailView {
        kind: HitKind::Key,
        serial: Some(s),
        title: s.to_string(),
        state: Some((Some(k.state), k.state_since.clone())),
        facts,
        history,
    })
}
