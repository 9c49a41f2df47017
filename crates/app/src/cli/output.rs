//! How CLI results are printed: plain text for people, or exactly one JSON
//! document on stdout for scripts. Errors go to stderr as text (with what to
//! do next) or, with `--json`, as a JSON document on stdout.

use keydesk_store::{Assignment, ImportReport, KeyHistory, Notebook, Staff};
use serde_json::{json, Value};

/// The output mode of one CLI run.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    json: bool,
}

impl Out {
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    fn print_json(value: &Value) {
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into())
        );
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
            eprintln!("keydesk: {err:#}");
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
        let verb = if r.dry_run { "would be" } else { "were" };
        println!(
            "{} rows read ({}, delimiter {:?}): {} {verb} added, {} {verb} changed, {} unchanged{}",
            r.rows,
            r.encoding,
            r.delimiter,
            r.added,
            r.changed,
            r.unchanged,
            if r.dry_run {
                " (dry run: nothing was changed)"
            } else {
                ""
            }
        );
        for c in &r.changes {
            println!("  line {:>5}: {:?} {}", c.line, c.action, c.id);
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
            println!("  ... and {} more not listed", r.changes_omitted);
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
            "Key {}  {}  firmware {}  state {} since {}",
            k.data.serial, k.data.model, k.data.firmware, k.state, k.state_since
        );
        if !k.notes.is_empty() {
            println!("Notes: {}", k.notes);
        }
        print_assignments(&h.assignments);
        println!("History:");
        for e in &h.events {
            let reason = if e.reason.is_empty() {
                String::new()
            } else {
                format!(" ({})", e.reason)
            };
            println!(
                "  {}  {:<22} by {}@{}{}",
                e.at, e.action, e.actor, e.workstation, reason
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
            if d.active { "" } else { " inactive" },
            d.email
        );
        print_assignments(assignments);
    }

    pub fn notebook(&self, n: &Notebook, assignments: &[Assignment]) {
        if self.json {
            Self::print_json(&json!({ "notebook": n, "assignments": assignments }));
            return;
        }
        let d = &n.data;
        println!(
            "{} {} ({}, serial {})",
            d.asset_tag.as_str(),
            d.hostname,
            d.model,
            d.serial_no
        );
        print_assignments(assignments);
    }
}

fn print_assignments(list: &[Assignment]) {
    if list.is_empty() {
        println!("No keys assigned.");
        return;
    }
    println!("Assignments:");
    for a in list {
        let nb = a.asset_tag.as_ref().map_or("–", |t| t.as_str());
        let until = a.until.as_deref().unwrap_or("now");
        let due = a
            .due
            .map(|d| format!(" (temporary, due {d})"))
            .unwrap_or_default();
        println!(
            "  key {}  {} ({})  notebook {nb}  {} – {until}{due}",
            a.serial,
            a.holder,
            a.personnel_no.as_str(),
            a.from
        );
    }
}
