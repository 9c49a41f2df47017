//! Attestation trust is configuration: a desk trusts Yubico's root and the
//! roots its office profile names, nothing else, and records which root
//! verified each enrolment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{desk_trusting, request, seed, serial, FIRMWARES, SERIAL};
use keydesk_core::{Profile, Trust};
use keydesk_device::sim_source::{SimKeys, SimTime};
use keydesk_sim::key::SimKey;
use keydesk_sim::Identity;
use keydesk_store::{KeyState, Store};

fn store_with_key(sim: &SimKeys, fw: keydesk_sim::Firmware) -> Store {
    sim.plug(SimKey::new(Identity::yubikey_5_nfc(SERIAL, fw)));
    let mut store = Store::open_in_memory().unwrap();
    seed(&mut store);
    store
}

#[test]
fn the_simulators_root_is_not_trusted_unless_the_profile_names_it() {
    for fw in FIRMWARES {
        let sim = SimKeys::new(SimTime::Real);
        let store = store_with_key(&sim, fw);
        let mut desk = desk_trusting(
            store,
            &sim,
            Trust::for_profile(&Profile::default()).unwrap(),
        );
        let err = desk.enrol(&request()).unwrap_err();
        assert!(
            format!("{err}").contains("not signed by a trusted root"),
            "{fw:?}: {err}"
        );
        let key = desk.key(serial()).unwrap().unwrap();
        assert_eq!(key.state, KeyState::InStock, "{fw:?}: nothing issued");
    }
}

#[test]
fn a_root_named_by_the_profile_verifies_and_is_recorded_with_the_enrolment() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("extra-root.pem");
    std::fs::write(&root, keydesk_sim::card::TEST_ROOT_CA).unwrap();
    let profile_file = dir.path().join("office.toml");
    std::fs::write(
        &profile_file,
        "[attestation]\nextra_roots = [\"extra-root.pem\"]\n",
    )
    .unwrap();
    let profile = Profile::load(&profile_file).unwrap();
    assert_eq!(
        profile.attestation.extra_roots,
        vec![root.clone()],
        "relative to the profile"
    );

    let sim = SimKeys::new(SimTime::Real);
    let store = store_with_key(&sim, keydesk_sim::Firmware::V5_7_1);
    let mut desk = desk_trusting(store, &sim, Trust::for_profile(&profile).unwrap());
    desk.enrol(&request()).unwrap();
    let enrolments = desk.key_history(serial()).unwrap().enrolments;
    let facts: serde_json::Value =
        serde_json::from_str(&enrolments.last().unwrap().attestation_json).unwrap();
    assert_eq!(facts["root"]["source"], root.display().to_string());
    assert!(
        facts["root"]["subject"]
            .as_str()
            .unwrap()
            .contains("keydesk-sim TEST-ONLY"),
        "{facts}"
    );
    assert_eq!(facts["root"]["sha256"].as_str().unwrap().len(), 64);
}
