//! Recovery reads the journal's stored names back: entries written with the
//! names existing databases hold are recovered as before, and a step name
//! this version does not know is reported and treated as possibly done,
//! never passed over.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use keydesk_core::{Account, RecoveryOutcome, RevokeReason};
use keydesk_sim::Firmware;
use keydesk_store::{Ctx, KeyState, Store};
use time::macros::datetime;

mod common;
use common::*;

/// An open entry as a killed process leaves it: `workflow` begun with
/// `intent`, the last record listing `begun`.
fn leave_open(db: &std::path::Path, workflow: &str, intent: &str, begun: &[&str]) -> Store {
    let mut store = Store::open(db).unwrap();
    let ctx = Ctx::new("tech1", "counter-1", datetime!(2026-11-23 09:00 UTC));
    let id = store
        .journal_begin(&ctx, Some(serial()), workflow, "start", intent)
        .unwrap();
    let snapshot = serde_json::json!({ "begun": begun, "facts": {} }).to_string();
    let last = begun.last().map_or("start", |b| b);
    store.journal_record(&ctx, id, last, &snapshot).unwrap();
    store
}

fn unknown_steps(account: &[Account]) -> Vec<&str> {
    account
        .iter()
        .filter_map(|a| match a {
            Account::UnknownStep { step, .. } => Some(step.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn an_enrolment_with_an_unknown_step_is_reported_and_rolled_back_on_every_application() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let (desk, sim, _) = virtual_desk(Firmware::V5_7_1, &db);
    drop(desk);
    // Only the factory check is known: by the names alone nothing changed
    // on the key, but the unknown step may have changed anything.
    let store = leave_open(
        &db,
        "enrol",
        "{}",
        &["piv.factory_check", "piv.renamed_in_a_later_version"],
    );
    let mut desk = desk_on(store, &sim);
    let reports = desk.recover_all().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    let report = &reports[0];
    assert_eq!(report.outcome, RecoveryOutcome::RolledBack, "{report:?}");
    assert_eq!(
        unknown_steps(&report.account),
        ["piv.renamed_in_a_later_version"]
    );
    for done in [
        Account::PivReset { serial: serial() },
        Account::OtpRestored { serial: serial() },
        Account::FidoReset { serial: serial() },
    ] {
        assert!(report.account.contains(&done), "{done:?}: {report:?}");
    }
    assert!(desk.unfinished().unwrap().is_empty());
    assert!(piv_is_factory(&sim));
}

#[test]
fn an_enrolment_with_only_known_reading_steps_is_closed_as_not_started() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let (desk, sim, _) = virtual_desk(Firmware::V5_4_3, &db);
    drop(desk);
    let store = leave_open(&db, "enrol", "{}", &["piv.factory_check"]);
    let mut desk = desk_on(store, &sim);
    let reports = desk.recover_all().unwrap();
    assert_eq!(reports[0].outcome, RecoveryOutcome::NothingDone);
    assert_eq!(
        reports[0].account,
        [Account::EnrolmentNotStarted { serial: serial() }]
    );
    assert!(desk.unfinished().unwrap().is_empty());
}

#[test]
fn a_reset_with_an_unknown_step_is_reported_and_finished() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let (mut desk, sim, _) = virtual_desk(Firmware::V5_7_1, &db);
    desk.enrol(&request()).unwrap();
    desk.revoke(serial(), RevokeReason::Left).unwrap();
    drop(desk);
    let store = leave_open(
        &db,
        "reset",
        r#"{"piv":true,"fido":true,"from":"revoked"}"#,
        &["fido.reset:begin", "fido.reset:done", "piv.wipe:begin"],
    );
    let mut desk = desk_on(store, &sim);
    let reports = desk.recover_all().unwrap();
    let report = &reports[0];
    assert_eq!(report.outcome, RecoveryOutcome::Finished, "{report:?}");
    assert_eq!(unknown_steps(&report.account), ["piv.wipe:begin"]);
    assert!(
        report.account.contains(&Account::ResetFinished {
            serial: serial(),
            piv: true,
            fido: true,
            state: KeyState::InStock,
        }),
        "{report:?}"
    );
    assert!(piv_is_factory(&sim));
    assert_eq!(
        desk.key(serial()).unwrap().unwrap().state,
        KeyState::InStock
    );
}

#[test]
fn an_unknown_workflow_is_closed_without_change_whatever_its_steps() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let (desk, sim, _) = virtual_desk(Firmware::V5_7_1, &db);
    drop(desk);
    let store = leave_open(&db, "renew", "{}", &["piv.renamed"]);
    let mut desk = desk_on(store, &sim);
    let reports = desk.recover_all().unwrap();
    assert_eq!(reports[0].outcome, RecoveryOutcome::NothingDone);
    assert_eq!(
        reports[0].account,
        [Account::UnknownOperation {
            workflow: "renew".into()
        }]
    );
    assert!(desk.unfinished().unwrap().is_empty());
}
