//! Bulk reset in-process against virtual keys: keys of the batch are reset
//! one by one as they are plugged in, keys outside it are left alone, a
//! failed key is retried on the next replug, and only keys in a waiting
//! state can be put in a batch.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{piv_is_factory, request, serial, virtual_desk, SERIAL};
use keydesk_core::{
    BatchEvent, CoreError, Desk, EnrolRequest, ErrorKind, RevokeReason, Secrets, Standing,
};
use keydesk_device::sim_source::SimKeys;
use keydesk_device::source::KeySource;
use keydesk_device::DeviceError;
use keydesk_sim::clock::ManualClock;
use keydesk_sim::key::SimKey;
use keydesk_sim::{Firmware, Identity, Touch};
use keydesk_store::{KeyState, PersonnelNo, Serial};

const B: u32 = 11_111_112;
const STRANGER: u32 = 19_999_999;

fn b() -> Serial {
    Serial::new(B).unwrap()
}

fn plug(sim: &SimKeys, clock: &ManualClock, serial: u32) {
    sim.plug(SimKey::with(
        Identity::yubikey_5_nfc(serial, Firmware::V5_7_1),
        Touch::Auto,
        std::sync::Arc::new(clock.clone()),
    ));
}

/// Key A (23456789) revoked, key B returned: both wait for a reset, both plugged in.
fn two_waiting(dir: &std::path::Path) -> (Desk, SimKeys, ManualClock) {
    let (mut desk, sim, clock) = virtual_desk(Firmware::V5_7_1, &dir.join("k.db"));
    desk.enrol(&request()).unwrap();
    plug(&sim, &clock, B);
    desk.enrol(&EnrolRequest {
        serial: b(),
        staff: PersonnelNo::parse("4711").unwrap(),
        notebook: None,
        secrets: Secrets::Letter,
        due: None,
    })
    .unwrap();
    desk.revoke(serial(), RevokeReason::Defective).unwrap();
    desk.return_key(b(), false).unwrap();
    (desk, sim, clock)
}

fn state(desk: &Desk, s: Serial) -> KeyState {
    desk.key(s).unwrap().unwrap().state
}

fn fido_pin_set(sim: &SimKeys, s: u32) -> Option<bool> {
    sim.clone()
        .open_fido(Serial::new(s).unwrap(), false)
        .unwrap()
        .info()
        .pin_is_set()
}

#[test]
fn keys_plugged_in_one_by_one_are_reset_and_strangers_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (mut desk, sim, clock) = two_waiting(dir.path());
    let waiting: Vec<Serial> = desk
        .waiting_for_reset(100)
        .unwrap()
        .iter()
        .map(|k| k.data.serial)
        .collect();
    assert_eq!(waiting, vec![b(), serial()], "serial order at equal times");
    let mut batch = desk.start_batch(&waiting, true, true, false).unwrap();
    assert_eq!(batch.progress(), (0, 2));

    let ev = desk.batch_step(&mut batch).unwrap();
    assert!(
        matches!(ev, BatchEvent::SeveralPlugged { count: 2 }),
        "{ev:?}"
    );
    sim.unplug(B);
    let ev = desk.batch_step(&mut batch).unwrap();
    assert!(
        matches!(ev, BatchEvent::Replug { serial: s } if s == serial()),
        "plugged in before the batch started: no FIDO2 window; {ev:?}"
    );
    sim.unplug(SERIAL);
    assert!(matches!(
        desk.batch_step(&mut batch).unwrap(),
        BatchEvent::PlugNext
    ));
    sim.replug(SERIAL);
    let ev = desk.batch_step(&mut batch).unwrap();
    match ev {
        BatchEvent::Reset(o) => {
            assert_eq!((o.serial, o.piv, o.fido), (serial(), true, true));
            assert_eq!(o.state, KeyState::InStock);
        }
        other => panic!("expected a reset, got {other:?}"),
    }
    assert_eq!(batch.progress(), (1, 2));
    assert!(matches!(
        desk.batch_step(&mut batch).unwrap(),
        BatchEvent::AlreadyDone { serial: s } if s == serial()
    ));
    sim.unplug(SERIAL);

    // A key from the drawer that is not in the batch is named and left alone.
    plug(&sim, &clock, STRANGER);
    let ev = desk.batch_step(&mut batch).unwrap();
    assert!(
        matches!(ev, BatchEvent::NotInBatch { serial: Some(s), state: None } if s.get() == STRANGER),
        "{ev:?}"
    );
    assert_eq!(fido_pin_set(&sim, STRANGER), Some(false));
    sim.unplug(STRANGER);

    sim.replug(B);
    assert!(matches!(
        desk.batch_step(&mut batch).unwrap(),
        BatchEvent::Reset(o) if o.serial == b()
    ));
    assert!(batch.finished());
    assert!(matches!(
        desk.batch_step(&mut batch).unwrap(),
        BatchEvent::Finished
    ));
    assert_eq!(
        batch.keys().collect::<Vec<_>>(),
        vec![
            (b(), Standing::Done(KeyState::InStock)),
            (serial(), Standing::Done(KeyState::InStock))
        ]
    );
    for s in [serial(), b()] {
        assert_eq!(state(&desk, s), KeyState::InStock);
    }
    sim.replug(SERIAL);
    for s in [SERIAL, B] {
        assert_eq!(fido_pin_set(&sim, s), Some(false), "FIDO2 wiped on {s}");
    }
    sim.unplug(B);
    assert!(piv_is_factory(&sim));
    assert!(desk.unfinished().unwrap().is_empty());
    assert!(desk.verify_audit().is_ok());
}

#[test]
fn a_key_whose_reset_failed_is_retried_after_a_replug() {
    let dir = tempfile::tempdir().unwrap();
    let (mut desk, sim, clock) = two_waiting(dir.path());
    sim.unplug(B);
    let mut batch = desk.start_batch(&[serial()], true, true, false).unwrap();
    sim.unplug(SERIAL);
    desk.batch_step(&mut batch).unwrap();
    sim.replug(SERIAL);
    // The key is tried only after its FIDO2 window has closed.
    clock.advance(std::time::Duration::from_secs(60));
    let ev = desk.batch_step(&mut batch).unwrap();
    assert!(
        matches!(
            ev,
            BatchEvent::Failed {
                error: CoreError::Device(DeviceError::ResetWindowMissed { .. }),
                ..
            }
        ),
        "{ev:?}"
    );
    assert_eq!(batch.keys().next(), Some((serial(), Standing::Failed)));
    assert_eq!(batch.remaining(), vec![serial()]);
    assert_eq!(state(&desk, serial()), KeyState::Revoked, "nothing changed");
    assert!(desk.unfinished().unwrap().is_empty(), "no recovery needed");
    // Still plugged in: one attempt per plug-in.
    assert!(matches!(
        desk.batch_step(&mut batch).unwrap(),
        BatchEvent::Replug { .. }
    ));
    // Pulled and plugged back in between two looks: still seen as a new plug-in.
    sim.replug(SERIAL);
    assert!(matches!(
        desk.batch_step(&mut batch).unwrap(),
        BatchEvent::Reset(_)
    ));
    assert!(batch.finished());
}

#[test]
fn without_fido2_plugged_keys_are_reset_at_once_one_after_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let (mut desk, sim, _) = two_waiting(dir.path());
    let mut batch = desk
        .start_batch(&[serial(), b()], true, false, false)
        .unwrap();
    assert!(!batch.fido());
    let mut reset = Vec::new();
    for _ in 0..2 {
        match desk.batch_step(&mut batch).unwrap() {
            BatchEvent::Reset(o) => {
                assert!(!o.fido);
                reset.push(o.serial);
            }
            other => panic!("expected a reset, got {other:?}"),
        }
    }
    reset.sort();
    assert_eq!(reset, vec![b(), serial()]);
    assert!(matches!(
        desk.batch_step(&mut batch).unwrap(),
        BatchEvent::Finished
    ));
    assert_eq!(fido_pin_set(&sim, SERIAL), Some(true), "FIDO2 left alone");
}

#[test]
fn only_known_keys_waiting_for_a_reset_or_in_stock_can_be_batched() {
    let dir = tempfile::tempdir().unwrap();
    let (mut desk, _sim, _) = virtual_desk(Firmware::V5_7_1, &dir.path().join("k.db"));
    desk.enrol(&request()).unwrap();
    let err = desk
        .start_batch(&[serial()], true, true, false)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongState, "{err}");
    assert!(err.to_string().contains("issued"), "{err}");
    let err = desk.start_batch(&[], true, true, false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Usage, "{err}");
    let err = desk
        .start_batch(&[Serial::new(STRANGER).unwrap()], true, true, false)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert!(desk.waiting_for_reset(10).unwrap().is_empty());
}
