//! What the in-process workflow tests share: a seeded inventory, a desk on
//! virtual keys with a manual clock, and checks of a key's factory state.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::Path;

use keydesk_core::{Desk, EnrolRequest, Env, FixedClock, Operator, Profile, Secrets, Trust};
use keydesk_device::piv::Piv;
use keydesk_device::sim_source::{SimKeys, SimTime};
use keydesk_device::source::KeySource;
use keydesk_sim::clock::ManualClock;
use keydesk_sim::key::SimKey;
use keydesk_sim::{Firmware, Identity, Touch};
use keydesk_store::{AssetTag, Ctx, NewNotebook, NewStaff, PersonnelNo, Serial, Store};
use keydesk_types::Secret;
use rand::SeedableRng;
use time::macros::datetime;

pub const SERIAL: u32 = 23_456_789;
pub const FIRMWARES: [Firmware; 2] = [Firmware::V5_4_3, Firmware::V5_7_1];

pub fn seed(store: &mut Store) {
    let ctx = Ctx::new("setup", "test", datetime!(2026-11-01 08:00 UTC));
    let staff = NewStaff {
        personnel_no: PersonnelNo::parse("4711").unwrap(),
        surname: "Müller".into(),
        given_name: "Anna".into(),
        department: "Amt 12".into(),
        email: String::new(),
        active: true,
        site: None,
    };
    store.add_staff(&ctx, &staff, "setup").unwrap();
    let nb = NewNotebook {
        asset_tag: AssetTag::parse("NB-0815").unwrap(),
        hostname: "mz-nb-0815".into(),
        model: String::new(),
        serial_no: String::new(),
        staff: None,
        site: None,
    };
    store.add_notebook(&ctx, &nb, "setup").unwrap();
}

/// Yubico's root plus the simulator's, as a profile naming it would give.
pub fn sim_trust() -> Trust {
    let mut t = Trust::yubico().unwrap();
    t.add_pem(keydesk_sim::card::TEST_ROOT_CA, "keydesk-sim test root")
        .unwrap();
    t
}

pub fn desk_on(store: Store, sim: &SimKeys) -> Desk {
    desk_trusting(store, sim, sim_trust())
}

/// A desk on `sim` that trusts exactly `trust`.
pub fn desk_trusting(store: Store, sim: &SimKeys, trust: Trust) -> Desk {
    let env = Env {
        clock: Box::new(FixedClock::at(datetime!(2026-11-23 09:00 UTC))),
        rng: Box::new(rand::rngs::StdRng::seed_from_u64(42)),
        operator: Operator {
            actor: "tech1".into(),
            workstation: "counter-1".into(),
        },
        profile: Profile::default(),
        trust,
    };
    Desk::new(store, env, Box::new(sim.clone()))
}

pub fn virtual_desk(fw: Firmware, db: &Path) -> (Desk, SimKeys, ManualClock) {
    let clock = ManualClock::new();
    let sim = SimKeys::new(SimTime::Manual(clock.clone()));
    sim.plug(SimKey::with(
        Identity::yubikey_5_nfc(SERIAL, fw),
        Touch::Auto,
        std::sync::Arc::new(clock.clone()),
    ));
    let mut store = Store::open(db).unwrap();
    seed(&mut store);
    (desk_on(store, &sim), sim, clock)
}

pub fn request() -> EnrolRequest {
    EnrolRequest {
        serial: Serial::new(SERIAL).unwrap(),
        staff: PersonnelNo::parse("4711").unwrap(),
        notebook: Some(AssetTag::parse("NB-0815").unwrap()),
        secrets: Secrets::Letter,
        due: None,
    }
}

pub fn serial() -> Serial {
    Serial::new(SERIAL).unwrap()
}

/// Whether the key's PIV application is in factory state.
pub fn piv_is_factory(sim: &SimKeys) -> bool {
    let mut card = sim.clone().open_card(Serial::new(SERIAL).unwrap()).unwrap();
    let mut p = Piv::open(card.as_mut()).unwrap();
    p.authenticate_default().is_ok() && p.verify_pin(&Secret::new("123456")).is_ok()
}
