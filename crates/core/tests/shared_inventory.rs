//! Two counters on one shared inventory (a throwaway PostgreSQL server):
//! a key one counter works on is refused to the other at once, recovery
//! never touches a live counter's work, and a counter whose session dies
//! mid-workflow leaves its work to be recovered by another.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{seed, sim_trust, SERIAL};
use keydesk_core::workflow::recover::RecoveryOutcome;
use keydesk_core::{
    DbLocation, Desk, Env, ErrorKind, FixedClock, Operator, Profile, Prompt, ResetRequest,
};
use keydesk_device::sim_source::{SimKeys, SimTime};
use keydesk_sim::clock::SystemClock;
use keydesk_sim::key::SimKey;
use keydesk_sim::{Firmware, Identity, Touch};
use keydesk_store::{Ctx, KeyState, NewKey, Serial, Store};
use keydesk_testpg::Server;
use rand::SeedableRng;
use time::macros::datetime;

/// A fresh shared inventory, migrated, seeded, with the key in stock.
fn shared_inventory() -> DbLocation {
    let url = Server::shared()
        .expect("a PostgreSQL test server (make deps installs postgresql-15)")
        .fresh_database()
        .unwrap();
    seeded(DbLocation::Server(url))
}

/// The database at `at` migrated, seeded, with the key in stock.
fn seeded(at: DbLocation) -> DbLocation {
    Store::migrate(&at).unwrap();
    let mut store = Store::open_at(&at).unwrap();
    seed(&mut store);
    let ctx = Ctx::new("setup", "test", datetime!(2026-11-01 08:00 UTC));
    store
        .add_key(&ctx, &NewKey::unknown(serial()), "delivery")
        .unwrap();
    at
}

fn serial() -> Serial {
    Serial::new(SERIAL).unwrap()
}

/// The key on the desk: touched a moment after it blinks (real time).
fn plugged_key() -> SimKeys {
    let sim = SimKeys::new(SimTime::Real);
    sim.plug(SimKey::with(
        Identity::yubikey_5_nfc(SERIAL, Firmware::V5_7_1),
        Touch::After(Duration::from_millis(300)),
        Arc::new(SystemClock::new()),
    ));
    sim
}

/// A counter at `workstation` on the shared inventory.
fn counter(at: &DbLocation, sim: &SimKeys, workstation: &str) -> Desk {
    let env = Env {
        clock: Box::new(FixedClock::at(datetime!(2026-12-03 09:00 UTC))),
        rng: Box::new(rand::rngs::StdRng::seed_from_u64(7)),
        operator: Operator {
            actor: format!("tech@{workstation}"),
            workstation: workstation.into(),
        },
        profile: Profile::default(),
        trust: sim_trust(),
    };
    Desk::new(Store::open_at(at).unwrap(), env, Box::new(sim.clone()))
}

fn full_reset() -> ResetRequest {
    ResetRequest {
        serial: serial(),
        piv: true,
        fido: true,
    }
}

/// While counter 1 waits for the touch in the middle of a reset, counter 2
/// is refused the key at once with who has it, sees the work as running
/// elsewhere and does not recover it; once counter 1 is done, nothing is
/// left open.
#[test]
fn a_key_in_work_at_one_counter_is_refused_at_the_other_and_not_recovered_there() {
    let at = shared_inventory();
    let sim = plugged_key();
    let mut one = counter(&at, &sim, "counter-1");
    let (to_two, two_rx) = mpsc::channel::<()>();
    let (to_one, one_rx) = mpsc::channel::<()>();
    let one_rx = Mutex::new(one_rx);
    let once = Mutex::new(Some(to_two));
    one.set_prompter(Arc::new(move |p: Prompt| {
        let Prompt::Touch { .. } = p;
        // The first touch prompt: let counter 2 try, wait until it has.
        if let Some(tell) = once.lock().unwrap().take() {
            tell.send(()).unwrap();
            one_rx.lock().unwrap().recv().unwrap();
        }
    }));
    let at2 = at.clone();
    let sim2 = sim.clone();
    let two = std::thread::spawn(move || {
        let mut two = counter(&at2, &sim2, "counter-2");
        two_rx.recv().unwrap();
        let err = two.reset(full_reset()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WrongState, "{err}");
        let said = err.to_string();
        // The operator is the authenticated database user, not a name the
        // client gives (these counters log in as the test server's superuser).
        assert!(said.contains("counter counter-1 (postgres)"), "{said}");
        assert!(
            two.unfinished().unwrap().is_empty(),
            "not interrupted: running"
        );
        let running = two.running_elsewhere().unwrap();
        assert_eq!(running.len(), 1, "{running:?}");
        assert!(
            two.recover_all().unwrap().is_empty(),
            "a live counter's work is left alone"
        );
        to_one.send(()).unwrap();
        two
    });
    let out = one.reset(full_reset()).unwrap();
    assert_eq!(out.state, KeyState::InStock);
    let two = two.join().unwrap();
    assert!(two.running_elsewhere().unwrap().is_empty());
    assert!(two.unfinished().unwrap().is_empty());
}

/// Counter 3's session dies mid-reset (its server connection is cut while
/// the key blinks): the server drops its claim, so counter 2 finds the work
/// interrupted and recovers it, and the key ends in stock in factory state.
#[test]
fn the_work_of_a_counter_whose_session_died_is_recovered_by_another() {
    let at = shared_inventory();
    let sim = plugged_key();
    // Counter 3 logs in as its own role (a technician of every site), so
    // that cutting its session and taking away its login leaves it as gone
    // as a killed process.
    let server = Server::shared().unwrap();
    let db = match &at {
        DbLocation::Server(url) => url.rsplit('/').next().unwrap().to_owned(),
        DbLocation::File(_) => unreachable!("a server inventory"),
    };
    server.create_login_role("counter3", "pw").unwrap();
    server
        .sql(
            &db,
            "GRANT keydesk_technician TO counter3;
             INSERT INTO operator_sites (operator, site_id) VALUES ('counter3', NULL)
             ON CONFLICT DO NOTHING;",
        )
        .unwrap();
    let at3 = DbLocation::Server(server.url_as("counter3", "pw", &db));
    let mut three = counter(&at3, &sim, "counter-3");
    let cut = Mutex::new(Some(()));
    three.set_prompter(Arc::new(move |_p: Prompt| {
        if cut.lock().unwrap().take().is_some() {
            Server::shared()
                .unwrap()
                .sql(
                    "postgres",
                    "ALTER ROLE counter3 NOLOGIN;
                     SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'counter3';",
                )
                .unwrap();
        }
    }));
    let err = three.reset(full_reset()).unwrap_err();
    assert!(
        err.to_string().contains("server"),
        "the counter says so: {err}"
    );

    let mut two = counter(&at, &sim, "counter-2");
    let open = two.unfinished().unwrap();
    assert_eq!(open.len(), 1, "interrupted, not running: {open:?}");
    assert!(two.running_elsewhere().unwrap().is_empty());
    sim.replug(SERIAL); // the technician replugs: the FIDO2 reset window opens again
    let reports = two.recover_all().unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(
        reports[0].outcome,
        RecoveryOutcome::Finished,
        "{:?}",
        reports[0]
    );
    assert!(two.unfinished().unwrap().is_empty());
    assert_eq!(two.key(serial()).unwrap().unwrap().state, KeyState::InStock);
    assert!(common::piv_is_factory(&sim));
}

/// The server stops while the key blinks in the middle of a reset: the
/// counter says so and keeps what the key did in its local journal; once
/// the server is back, `recover` brings the record there and finishes the
/// reset. Nothing done to the key is forgotten.
#[test]
fn a_server_that_goes_away_mid_reset_loses_nothing_and_recover_finishes() {
    let server = Arc::new(Server::start().expect("a PostgreSQL test server (make deps)"));
    let url = server.fresh_database().unwrap();
    let at = seeded(DbLocation::Server(url));
    let sim = plugged_key();
    let dir = tempfile::tempdir().unwrap();
    let local = keydesk_core::journal::local::LocalJournal::new(
        dir.path().join("server-journal.jsonl"),
        at.to_string(),
    );
    let mut desk = counter(&at, &sim, "counter-1");
    desk.keep_locally(local.clone());
    let stop = Mutex::new(Some(server.clone()));
    desk.set_prompter(Arc::new(move |_p: Prompt| {
        if let Some(s) = stop.lock().unwrap().take() {
            s.stop().unwrap();
        }
    }));
    let err = desk.reset(full_reset()).unwrap_err();
    let said = err.to_string();
    assert!(
        said.contains("keydesk recover") && said.contains("server-journal"),
        "{said}"
    );
    let kept = local.pending().unwrap();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        kept[0].step, "fido.reset:done",
        "the step the key did: {kept:?}"
    );
    assert_eq!(desk.kept_locally().unwrap(), kept);

    server.start_again().unwrap();
    sim.replug(SERIAL); // the technician replugs: the FIDO2 reset window opens again
    let reports = desk.recover_all().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(
        reports[0].outcome,
        RecoveryOutcome::Finished,
        "{:?}",
        reports[0]
    );
    assert!(
        local.pending().unwrap().is_empty(),
        "the record reached the server"
    );
    assert!(desk.unfinished().unwrap().is_empty());
    assert_eq!(
        desk.key(serial()).unwrap().unwrap().state,
        KeyState::InStock
    );
    assert!(common::piv_is_factory(&sim));
}
