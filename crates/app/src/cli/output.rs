//! How CLI results are printed: plain text for people, or exactly one JSON
//! document on stdout for scripts. Errors go to stderr as text (with what to
//! do next) or, with `--json`, as a JSON document on stdout.

use keydesk_core::records::{Assignment, ImportReport, KeyHistory, Notebook, Staff};
use serde_json::{json, Value};

use crate::i18n::{Lang, Text};
use crate::tui::problem::{plain, Part, Problem};

/// The output mode of one CLI run.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    json: bool,
    /// The language of text output (JSON is language-neutral).
    pub lang: Lang,
}

impl Out {
    pub fn new(json: bool, lang: Lang) -> Self {
        Self { json, lang }
    }

    fn print_json(value: &Value) {
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into())
        );
    }

    /// `text` with `parts`, in the language of text output.
    pub fn t(&self, text: Text, parts: Vec<Part>) -> String {
        Problem::new(text, parts).show(self.lang)
    }

    /// Whether scripts asked for JSON.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// A command finished: `value` for scripts, `text` for people.
    pub fn done(&self, value: Value, text: &str) {
        if self.json {
            Self::print_json(&value);
        } else {
            println!("{text}");
        }
    }

    pub fn error(&self, err: &anyhow::Error, code: u8) {
        if self.json {
            Self::print_json(&json!({ "error": format!("{err:#}"), "exit_code": code }));
        } else {
            eprintln!("{}", super::say::error_text(err, self.lang));
        }
    }

    pub fn import_report(&self, r: &ImportReport) {
        if self.json {
            Self::print_json(&json!({
                "encoding": r.encoding, "delimiter": r.delimiter.to_string(), "rows": r.rows,
                "added": r.added, "changed": r.changed, "unchanged": r.unchanged, "dry_run": r.dry_run,
                "changes": r.changes, "changes_omitted": r.changes_omitted,
            }));
            return;
        }
        let text = if r.dry_run {
            Text::CliImportDryRun
        } else {
            Text::CliImported
        };
        println!(
            "{}",
            self.t(
                text,
                vec![
                    plain(r.rows),
                    plain(r.encoding),
                    plain(format!("{:?}", r.delimiter)),
                    plain(r.added),
                    plain(r.changed),
                    plain(r.unchanged),
                ]
            )
        );
        for c in &r.changes {
            println!(
                "{}",
                self.t(
                    Text::CliImportLine,
                    vec![
                        plain(format!("{:>5}", c.line)),
                        plain(format!("{:?}", c.action)),
                        plain(&c.id)
                    ]
                )
            );
            for f in &c.fields {
                println!(
                    "               {}: {:?} -> {:?}",
                    f.field.as_str(),
                    f.old,
                    f.new
                );
            }
        }
        if r.changes_omitted > 0 {
            println!(
                "{}",
                self.t(Text::CliImportMore, vec![plain(r.changes_omitted)])
            );
        }
    }

    pub fn key_history(&self, h: &KeyHistory) {
        if self.json {
            Self::print_json(&json!({
                "key": h.key, "assignments": h.assignments, "enrolments": h.enrolments, "events": h.events
            }));
            return;
        }
        let k = &h.key;
        println!(
            "{}",
            self.t(
                Text::CliShowKey,
                vec![
                    plain(k.data.serial),
                    plain(&k.data.model),
                    plain(&k.data.firmware),
                    plain(k.state),
                    plain(&k.state_since),
                ]
            )
        );
        if !k.notes.is_empty() {
            println!("{}", self.t(Text::CliShowNotes, vec![plain(&k.notes)]));
        }
        self.print_assignments(&h.assignments);
        println!("{}", self.t(Text::CliShowHistory, vec![]));
        for e in &h.events {
            let reason = if e.reason.is_empty() {
                String::new()
            } else {
                format!(" ({})", e.reason)
            };
            println!(
                "{}",
                self.t(
                    Text::CliShowEvent,
                    vec![
                        plain(&e.at),
                        plain(format!("{:<22}", e.action)),
                        plain(&e.actor),
                        plain(&e.workstation),
                        plain(reason),
                    ]
                )
            );
        }
    }

    pub fn staff(&self, s: &Staff, assignments: &[Assignment]) {
        if self.json {
            Self::print_json(&json!({ "staff": s, "assignments": assignments }));
            return;
        }
        let d = &s.data;
        println!(
            "{} {}, {} ({}){}  {}",
            d.personnel_no.as_str(),
            d.surname,
            d.given_name,
            d.department,
            if d.active {
                String::new()
            } else {
                format!(" {}", self.t(Text::CliShowInactive, vec![]))
            },
            d.email
        );
        self.print_assignments(assignments);
    }

    pub fn notebook(&self, n: &Notebook, assignments: &[Assignment]) {
        if self.json {
            Self::print_json(&json!({ "notebook": n, "assignments": assignments }));
            return;
        }
        let d = &n.data;
        println!(
            "{}",
            self.t(
                Text::CliShowNotebook,
                vec![
                    plain(d.asset_tag.as_str()),
                    plain(&d.hostname),
                    plain(&d.model),
                    plain(&d.serial_no),
                ]
            )
        );
        self.print_assignments(assignments);
    }

    fn print_assignments(&self, list: &[Assignment]) {
        if list.is_empty() {
            println!("{}", self.t(Text::CliShowNoAssignments, vec![]));
            return;
        }
        println!("{}", self.t(Text::CliShowAssignments, vec![]));
        for a in list {
            let nb = a.asset_tag.as_ref().map_or("–", |t| t.as_str());
            let until = a
                .until
                .clone()
                .unwrap_or_else(|| self.t(Text::CliShowNow, vec![]));
            let due = a
                .due
                .map_or_else(String::new, |d| self.t(Text::CliShowDue, vec![plain(d)]));
            println!(
                "{}",
                self.t(
                    Text::CliShowAssignment,
                    vec![
                        plain(a.serial),
                        plain(&a.holder),
                        plain(a.personnel_no.as_str()),
                        plain(nb),
                        plain(&a.from),
                        plain(until),
                        plain(due),
                    ]
                )
            );
        }
    }
}
