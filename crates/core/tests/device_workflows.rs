//! Enrol, reset and recovery in-process against virtual keys (keydesk-sim
//! through the device crate's `SimKeys` source), both firmware profiles,
//! with a pulled key at every device step.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use keydesk_core::{
    Account, Desk, Env, ErrorKind, FixedClock, Operator, Profile, RecoveryOutcome, ResetRequest,
    RevokeReason, Secret, Secrets,
};
use keydesk_device::piv::Piv;
use keydesk_device::sim_source::SimKeys;
use keydesk_device::source::KeySource;
use keydesk_device::DeviceError;
use keydesk_sim::clock::ManualClock;
use keydesk_sim::fault::{Fault, FaultKind};
use keydesk_sim::key::SimKey;
use keydesk_sim::{Firmware, Identity, Touch};
use keydesk_store::{Ctx, KeyState, PersonnelNo, Serial, Store};
use rand::SeedableRng;
use time::macros::datetime;

mod common;
use common::*;

/// Reset PIV and FIDO2 of the test key.
fn full_reset(desk: &mut Desk) -> keydesk_core::Result<keydesk_core::ResetOutcome> {
    desk.reset(ResetRequest {
        serial: serial(),
        piv: true,
        fido: true,
    })
}

#[test]
fn enrol_with_pin_letter_issues_the_key_and_the_letter_pins_work() {
    for fw in FIRMWARES {
        let dir = tempfile::tempdir().unwrap();
        let (mut desk, sim, _) = virtual_desk(fw, &dir.path().join("k.db"));
        let out = desk.enrol(&request()).unwrap();
        let letter = out
            .letter
            .clone()
            .expect("a PIN letter for a letter enrolment");
        assert_eq!(letter.piv_pin.expose().len(), 6);
        assert_eq!(letter.piv_puk.expose().len(), 8);
        assert!(
            out.csr_pem
                .starts_with("-----BEGIN CERTIFICATE REQUEST-----"),
            "{}",
            out.csr_pem
        );
        assert_eq!(out.public_key_sha256.len(), 64);
        assert!(out.fido_pin_set, "{fw:?}: FIDO2 PIN set");
        assert!(!out.otp_usb, "the default profile switches OTP off");

        let history = desk.key_history(serial()).unwrap();
        assert_eq!(history.key.state, KeyState::Issued);
        assert_eq!(history.assignments[0].personnel_no.as_str(), "4711");
        assert_eq!(history.enrolments[0].pubkey_sha256, out.public_key_sha256);
        assert!(history.enrolments[0]
            .attestation_json
            .contains(&SERIAL.to_string()));
        assert!(desk.unfinished().unwrap().is_empty(), "journal closed");
        // Nothing secret reached the database.
        let mut dump = Vec::new();
        desk.export(
            keydesk_store::ExportKind::History,
            &mut dump,
            keydesk_store::Dialect::Rfc4180,
            &mut |_, _| {},
        )
        .unwrap();
        let dump = String::from_utf8(dump).unwrap();
        assert!(
            !dump.contains(letter.piv_puk.expose()),
            "PUK must never be stored"
        );

        // The key does what the letter says.
        let mut card = sim.clone().open_card(Serial::new(SERIAL).unwrap()).unwrap();
        let mut p = Piv::open(card.as_mut()).unwrap();
        assert!(matches!(
            p.verify_pin(&Secret::new("123456")),
            Err(DeviceError::WrongPin { .. })
        ));
        p.verify_pin(&letter.piv_pin).unwrap();
        assert!(p.has_protected_management_key().unwrap());
        let mut fido = sim
            .clone()
            .open_fido(Serial::new(SERIAL).unwrap(), false)
            .unwrap();
        assert_eq!(fido.info().pin_is_set(), Some(true));
        let fido_pin = letter.fido_pin.unwrap();
        fido.pin_token(
            &fido_pin,
            keydesk_device::fido::permission::CREDENTIAL_MANAGEMENT,
            None,
        )
        .map(|_| ())
        .or_else(|e| match e {
            // forcePINChange (5.7) refuses a token until the holder changes the PIN: that is the policy working.
            DeviceError::PinPolicy { .. } => Ok(()),
            other => Err(other),
        })
        .unwrap();
    }
}

#[test]
fn a_key_that_is_not_factory_fresh_or_not_in_stock_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut desk, sim, _) = virtual_desk(Firmware::V5_7_1, &dir.path().join("k.db"));
    {
        let mut card = sim.clone().open_card(Serial::new(SERIAL).unwrap()).unwrap();
        let mut p = Piv::open(card.as_mut()).unwrap();
        p.change_pin(&Secret::new("123456"), &Secret::new("99999999"))
            .unwrap();
    }
    let err = desk.enrol(&request()).unwrap_err();
    assert!(err.to_string().contains("not in factory state"), "{err}");
    assert!(
        desk.unfinished().unwrap().is_empty(),
        "a refused key leaves no open journal entry"
    );
    assert_eq!(
        desk.key(serial()).unwrap().unwrap().state,
        KeyState::InStock
    );

    let mut req = request();
    req.staff = PersonnelNo::parse("9999").unwrap();
    assert_eq!(desk.enrol(&req).unwrap_err().kind(), ErrorKind::NotFound);
}

#[test]
fn revoke_then_reset_brings_the_key_back_to_stock_in_factory_state() {
    for fw in FIRMWARES {
        let dir = tempfile::tempdir().unwrap();
        let (mut desk, sim, _) = virtual_desk(fw, &dir.path().join("k.db"));
        desk.enrol(&request()).unwrap();
        let premature = full_reset(&mut desk).unwrap_err();
        assert_eq!(
            premature.kind(),
            ErrorKind::WrongState,
            "an issued key is revoked or returned first"
        );
        desk.revoke(serial(), RevokeReason::Defective).unwrap();
        sim.replug(SERIAL); // the technician replugs: the FIDO2 reset window opens
        let out = full_reset(&mut desk).unwrap();
        assert_eq!(out.state, KeyState::InStock);
        assert!(piv_is_factory(&sim));
        let fido = sim
            .clone()
            .open_fido(Serial::new(SERIAL).unwrap(), false)
            .unwrap();
        assert_eq!(fido.info().pin_is_set(), Some(false), "FIDO2 PIN removed");
        // And it can be enrolled again.
        desk.enrol(&request()).unwrap();
    }
}

#[test]
fn fido_reset_refuses_with_two_keys_and_after_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let (mut desk, sim, clock) = virtual_desk(Firmware::V5_7_1, &dir.path().join("k.db"));
    desk.enrol(&request()).unwrap();
    desk.revoke(serial(), RevokeReason::Left).unwrap();
    sim.plug(SimKey::new(Identity::yubikey_5_nfc(
        11_111_111,
        Firmware::V5_7_1,
    )));
    let err = full_reset(&mut desk).unwrap_err();
    assert!(
        matches!(
            err,
            keydesk_core::CoreError::Device(DeviceError::SeveralKeys { count: 2, .. })
        ),
        "{err}"
    );
    assert!(
        desk.unfinished().unwrap().is_empty(),
        "a refused reset is closed as failed, not left for recovery"
    );
    assert_eq!(
        desk.key(serial()).unwrap().unwrap().state,
        KeyState::Revoked,
        "nothing changed"
    );
    sim.unplug(11_111_111);
    clock.advance(std::time::Duration::from_secs(60));
    let err = full_reset(&mut desk).unwrap_err();
    assert!(
        matches!(
            err,
            keydesk_core::CoreError::Device(DeviceError::ResetWindowMissed { .. })
        ),
        "{err}"
    );
    // The technician replugs and tries again.
    sim.replug(SERIAL);
    let out = full_reset(&mut desk).unwrap();
    assert_eq!(out.state, KeyState::InStock);
    assert!(piv_is_factory(&sim));
}

#[test]
fn a_reset_interrupted_by_a_crash_is_finished_by_recovery_once_the_key_is_replugged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let (mut desk, sim, clock) = virtual_desk(Firmware::V5_7_1, &db);
    desk.enrol(&request()).unwrap();
    desk.revoke(serial(), RevokeReason::Left).unwrap();
    drop(desk);
    // What a killed `keydesk reset` leaves: the FIDO2 reset begun, nothing closed.
    let mut store = Store::open(&db).unwrap();
    let ctx = Ctx::new("tech1", "counter-1", datetime!(2026-11-23 09:00 UTC));
    let id = store
        .journal_begin(
            &ctx,
            Some(serial()),
            "reset",
            "start",
            r#"{"piv":true,"fido":true,"from":"revoked"}"#,
        )
        .unwrap();
    store
        .journal_record(
            &ctx,
            id,
            "fido.reset:begin",
            r#"{"begun":["fido.reset"],"facts":{}}"#,
        )
        .unwrap();
    let mut desk = desk_on(store, &sim);
    clock.advance(std::time::Duration::from_secs(60));
    let reports = desk.recover_all().unwrap();
    assert_eq!(reports[0].outcome, RecoveryOutcome::NeedsKey, "{reports:?}");
    assert!(
        reports[0]
            .account
            .iter()
            .any(|l| matches!(l, Account::PlugInAndRecover { .. })),
        "{reports:?}"
    );
    sim.replug(SERIAL);
    let reports = desk.recover_all().unwrap();
    assert_eq!(reports[0].outcome, RecoveryOutcome::Finished, "{reports:?}");
    assert_eq!(
        desk.key(serial()).unwrap().unwrap().state,
        KeyState::InStock
    );
    assert!(piv_is_factory(&sim));
}

/// Pull the key at the n-th exchange of an enrolment (`arm` sets the fault
/// on the card or the authenticator), for every n until an enrolment gets
/// through; each time "restart" (a new desk on the same file), plug the key
/// back in and recover. Then the inventory and the key must agree: the key
/// is in stock (or, if pulled while being identified, not yet known) and in
/// factory state, with no FIDO2 PIN left behind. Returns the exchange count.
fn pull_at_every_exchange(fw: Firmware, arm: fn(&mut SimKey, Fault)) -> u64 {
    let mut n = 1;
    loop {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("k.db");
        let (mut desk, sim, _) = virtual_desk(fw, &db);
        sim.with_key(SERIAL, |k| {
            arm(
                k,
                Fault {
                    at: n,
                    kind: FaultKind::Vanish,
                },
            )
        })
        .unwrap();
        match desk.enrol(&request()) {
            Ok(_) => return n - 1,
            Err(e) => {
                assert!(
                    matches!(
                        e.root(),
                        keydesk_core::CoreError::Device(DeviceError::KeyRemoved)
                    ),
                    "{fw:?} fault at exchange {n}: {e}"
                );
                // The key is gone, so it cannot be rolled back now: the message says what to do.
                if let keydesk_core::CoreError::Partly { .. } = e {
                    assert!(
                        e.to_string().contains("keydesk recover"),
                        "{fw:?} fault at exchange {n}: {e}"
                    );
                }
            }
        }
        drop(desk);
        sim.replug(SERIAL);
        let mut desk = desk_on(Store::open(&db).unwrap(), &sim);
        for r in desk.recover_all().unwrap() {
            assert_ne!(
                r.outcome,
                RecoveryOutcome::NeedsKey,
                "{fw:?} fault at exchange {n}: {r:?}"
            );
        }
        assert!(
            desk.unfinished().unwrap().is_empty(),
            "{fw:?} fault at exchange {n}: journal resolved"
        );
        let state = desk.key(serial()).unwrap().map(|k| k.state);
        assert!(
            matches!(state, None | Some(KeyState::InStock)),
            "{fw:?} fault at exchange {n}: {state:?}"
        );
        assert!(
            piv_is_factory(&sim),
            "{fw:?} fault at exchange {n}: the key is back in factory state"
        );
        let fido = sim
            .clone()
            .open_fido(Serial::new(SERIAL).unwrap(), false)
            .unwrap();
        assert_eq!(
            fido.info().pin_is_set(),
            Some(false),
            "{fw:?} fault at exchange {n}: no FIDO2 PIN left behind"
        );
        assert!(desk.verify_audit().unwrap() > 0);
        n += 1;
    }
}

#[test]
fn a_key_pulled_at_every_apdu_of_an_enrolment_is_recovered_to_agree_with_the_inventory() {
    for fw in FIRMWARES {
        let apdus = pull_at_every_exchange(fw, |k, f| k.card.arm_fault(f));
        assert!(
            apdus > 20,
            "{fw:?}: an enrolment takes more than 20 APDUs, counted {apdus}"
        );
    }
}

#[test]
fn a_key_pulled_at_every_fido_report_of_an_enrolment_is_recovered() {
    for fw in FIRMWARES {
        let reports = pull_at_every_exchange(fw, |k, f| k.fido.arm_fault(f));
        assert!(
            reports > 5,
            "{fw:?}: the FIDO2 part takes more than 5 reports, counted {reports}"
        );
    }
}

#[test]
fn typed_pins_are_checked_against_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let (mut desk, _, _) = virtual_desk(Firmware::V5_7_1, &dir.path().join("k.db"));
    let mut req = request();
    req.secrets = Secrets::Typed {
        piv_pin: Secret::new("123"),
        fido_pin: None,
    };
    let err = desk.enrol(&req).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongPin, "{err}");
    assert!(desk.unfinished().unwrap().is_empty());
}

fn key2() -> Serial {
    Serial::new(11_111_111).unwrap()
}

fn plug_second(sim: &SimKeys, clock: &ManualClock) {
    let id = Identity::yubikey_5_nfc(11_111_111, Firmware::V5_7_1);
    sim.plug(SimKey::with(
        id,
        Touch::Auto,
        std::sync::Arc::new(clock.clone()),
    ));
}

#[test]
fn return_resets_the_key_and_puts_it_back_in_stock() {
    let dir = tempfile::tempdir().unwrap();
    let (mut desk, sim, _) = virtual_desk(Firmware::V5_7_1, &dir.path().join("k.db"));
    desk.enrol(&request()).unwrap();
    sim.replug(SERIAL);
    let out = desk
        .return_key(serial(), true)
        .unwrap()
        .expect("reset done");
    assert_eq!(out.state, KeyState::InStock);
    assert!(piv_is_factory(&sim));
    let history = desk.key_history(serial()).unwrap();
    assert!(
        history.assignments[0].until.is_some(),
        "the assignment is closed, the past stays visible"
    );
    assert!(
        desk.return_key(serial(), true).is_err(),
        "a key in stock cannot be returned"
    );
}

#[test]
fn replace_moves_the_holder_and_notebook_to_the_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let (mut desk, sim, clock) = virtual_desk(Firmware::V5_7_1, &dir.path().join("k.db"));
    desk.enrol(&request()).unwrap();
    sim.unplug(SERIAL); // the broken key stays on the desk, unplugged
    plug_second(&sim, &clock);
    desk.replace(
        serial(),
        keydesk_core::OldKey::Revoked(RevokeReason::Defective),
        key2(),
        Secrets::Letter,
    )
    .unwrap();
    assert_eq!(
        desk.key(serial()).unwrap().unwrap().state,
        KeyState::Revoked
    );
    let a = desk.holder(key2()).unwrap().unwrap();
    assert_eq!(a.personnel_no.as_str(), "4711");
    assert_eq!(a.asset_tag.unwrap().as_str(), "NB-0815");
}

#[test]
fn lost_key_is_revoked_and_a_temporary_key_is_lent_until_a_date() {
    let dir = tempfile::tempdir().unwrap();
    let (mut desk, sim, clock) = virtual_desk(Firmware::V5_7_1, &dir.path().join("k.db"));
    desk.enrol(&request()).unwrap();
    sim.unplug(SERIAL);
    plug_second(&sim, &clock);
    let past = time::macros::date!(2026 - 11 - 01);
    assert_eq!(
        desk.lost(serial(), key2(), Some(past), Secrets::Letter)
            .unwrap_err()
            .kind(),
        ErrorKind::Usage
    );
    assert_eq!(
        desk.key(serial()).unwrap().unwrap().state,
        KeyState::Issued,
        "a refused request changes nothing"
    );
    desk.lost(serial(), key2(), None, Secrets::Letter).unwrap();
    assert_eq!(
        desk.key(serial()).unwrap().unwrap().state,
        KeyState::Revoked
    );
    let loan = desk.holder(key2()).unwrap().unwrap();
    assert_eq!(
        loan.due,
        Some(time::macros::date!(2026 - 12 - 07)),
        "today + 14 days from the profile"
    );
    assert!(desk.expired_loans().unwrap().is_empty());
    // Three weeks later the loan has run out.
    let later = desk_later(dir.path(), &sim);
    let expired = later.expired_loans().unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].serial, key2());
}

fn desk_later(dir: &Path, sim: &SimKeys) -> Desk {
    let env = Env {
        clock: Box::new(FixedClock::at(datetime!(2026-12-14 09:00 UTC))),
        rng: Box::new(rand::rngs::StdRng::seed_from_u64(1)),
        operator: Operator {
            actor: "tech2".into(),
            workstation: "counter-2".into(),
        },
        profile: Profile::default(),
        trust: keydesk_core::Trust::yubico().unwrap(),
    };
    Desk::new(
        Store::open(dir.join("k.db")).unwrap(),
        env,
        Box::new(sim.clone()),
    )
}

#[test]
fn the_office_ca_certificate_is_imported_only_for_the_key_it_certifies() {
    let dir = tempfile::tempdir().unwrap();
    let (mut desk, sim, clock) = virtual_desk(Firmware::V5_7_1, &dir.path().join("k.db"));
    let first = desk.enrol(&request()).unwrap();
    let pin = first.letter.unwrap().piv_pin;
    let read_cert = |serial: u32| {
        let mut card = sim.clone().open_card(Serial::new(serial).unwrap()).unwrap();
        Piv::open(card.as_mut())
            .unwrap()
            .read_certificate(keydesk_types::Slot::Authentication)
            .unwrap()
            .unwrap()
    };
    let own = read_cert(SERIAL);
    desk.import_certificate(serial(), &own, &pin).unwrap();
    // A certificate for another key's public key is refused.
    plug_second(&sim, &clock);
    let mut req = request();
    req.serial = key2();
    desk.enrol(&req).unwrap();
    let foreign = read_cert(11_111_111);
    let err = desk
        .import_certificate(serial(), &foreign, &pin)
        .unwrap_err();
    assert!(
        matches!(
            err,
            keydesk_core::CoreError::Device(DeviceError::CertificateKeyMismatch { .. })
        ),
        "{err}"
    );
    let wrong = desk
        .import_certificate(serial(), &own, &Secret::new("000000"))
        .unwrap_err();
    assert_eq!(wrong.kind(), ErrorKind::WrongPin);
}

#[test]
fn an_open_entry_for_a_key_missing_from_the_inventory_is_still_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let (desk, sim, _) = virtual_desk(Firmware::V5_7_1, &db);
    drop(desk);
    // An entry as a crash could leave it: PIV work begun on a key the inventory does not know.
    let mut store = Store::open(&db).unwrap();
    let ctx = Ctx::new("tech1", "counter-1", datetime!(2026-11-23 09:00 UTC));
    let id = store
        .journal_begin(&ctx, Some(serial()), "enrol", "start", "{}")
        .unwrap();
    store
        .journal_record(
            &ctx,
            id,
            "piv.pin:begin",
            r#"{"begun":["piv.factory_check","piv.pin"],"facts":{}}"#,
        )
        .unwrap();
    let mut desk = desk_on(store, &sim);
    let reports = desk.recover_all().unwrap();
    assert_eq!(
        reports[0].outcome,
        RecoveryOutcome::RolledBack,
        "{reports:?}"
    );
    assert!(
        reports[0]
            .account
            .iter()
            .any(|l| matches!(l, Account::NotInInventory { .. })),
        "{reports:?}"
    );
    assert!(desk.unfinished().unwrap().is_empty());
    assert!(piv_is_factory(&sim));
}

#[test]
fn when_the_new_key_fails_the_message_says_what_already_happened_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let (mut desk, sim, _) = virtual_desk(Firmware::V5_7_1, &dir.path().join("k.db"));
    desk.enrol(&request()).unwrap();
    sim.unplug(SERIAL);
    // The replacement key is not plugged in: the old key's revocation stands and is said.
    let err = desk
        .replace(
            serial(),
            keydesk_core::OldKey::Revoked(RevokeReason::Defective),
            key2(),
            Secrets::Letter,
        )
        .unwrap_err();
    assert!(
        matches!(
            err.root(),
            keydesk_core::CoreError::Device(DeviceError::NoKey)
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains("plug in the key"), "{text}");
    assert!(
        text.contains("key 23456789 is revoked (defective)"),
        "{text}"
    );
    assert!(
        text.contains("11111111 is not issued yet") && text.contains("keydesk enrol"),
        "{text}"
    );
    assert_eq!(
        desk.key(serial()).unwrap().unwrap().state,
        KeyState::Revoked
    );
}

#[test]
fn a_return_whose_reset_fails_says_the_key_is_returned_and_how_to_finish() {
    let dir = tempfile::tempdir().unwrap();
    let (mut desk, sim, clock) = virtual_desk(Firmware::V5_7_1, &dir.path().join("k.db"));
    desk.enrol(&request()).unwrap();
    clock.advance(std::time::Duration::from_secs(60)); // the FIDO2 reset window has closed
    let err = desk.return_key(serial(), true).unwrap_err();
    assert!(
        matches!(
            err.root(),
            keydesk_core::CoreError::Device(DeviceError::ResetWindowMissed { .. })
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("recorded as returned") && text.contains("keydesk reset --serial 23456789"),
        "{text}"
    );
    assert_eq!(
        desk.key(serial()).unwrap().unwrap().state,
        KeyState::Returned
    );
    // What the message says works: replug, reset.
    sim.replug(SERIAL);
    let out = full_reset(&mut desk).unwrap();
    assert_eq!(out.state, KeyState::InStock);
}

#[test]
fn recovery_leaves_an_operation_running_in_another_live_process_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let (desk, sim, _) = virtual_desk(Firmware::V5_7_1, &db);
    drop(desk);
    // pid 1 is alive for as long as this test runs: it stands for another keydesk window.
    let stat = std::fs::read_to_string("/proc/1/stat").unwrap();
    let start = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .nth(19)
        .unwrap()
        .to_owned();
    let mut store = Store::open(&db).unwrap();
    let ctx = Ctx::new("tech2", "counter-1", datetime!(2026-11-23 09:00 UTC))
        .with_owner(format!("counter-1:1:{start}"));
    store
        .journal_begin(&ctx, Some(serial()), "enrol", "start", "{}")
        .unwrap();
    let mut desk = desk_on(store, &sim);
    assert!(
        desk.unfinished().unwrap().is_empty(),
        "not interrupted: it is running"
    );
    assert_eq!(desk.running_elsewhere().unwrap().len(), 1);
    assert!(
        desk.recover_all().unwrap().is_empty(),
        "recovery does not touch it"
    );
    let err = desk.enrol(&request()).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::WrongState,
        "the same key is not worked on twice: {err}"
    );
}
