//! Virtual keys through the [`KeySource`] trait (`SimKeys`, feature `sim`),
//! for both firmware profiles, on a manual clock: discovery groups the CCID
//! and FIDO interfaces of each key by serial, operations address a key by
//! serial and never pick another one, unplugging breaks open transports with
//! `KeyRemoved`, and the FIDO2 reset window runs from plug-in.
#![cfg(feature = "sim")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use keydesk_device::discovery::probe;
use keydesk_device::keys::{Interface, KeyId};
use keydesk_device::management::{FormFactor, Version};
use keydesk_device::sim_source::{SimKeys, SimTime};
use keydesk_device::source::KeySource;
use keydesk_device::DeviceError;
use keydesk_sim::clock::{Clock, ManualClock};
use keydesk_sim::{Firmware, Identity, SimKey, Touch};
use keydesk_types::Serial;

/// A serial for the tests (never 0).
fn sn(n: u32) -> Serial {
    Serial::new(n).expect("a serial is never 0")
}

const PROFILES: [(Firmware, Version); 2] = [
    (Firmware::V5_4_3, Version(5, 4, 3)),
    (Firmware::V5_7_1, Version(5, 7, 1)),
];

/// An empty desk on a manual clock, and that clock.
fn desk() -> (SimKeys, ManualClock) {
    let clock = ManualClock::new();
    (SimKeys::new(SimTime::Manual(clock.clone())), clock)
}

/// A factory-fresh YubiKey 5 NFC on the desk's clock.
fn key(serial: u32, fw: Firmware, clock: &ManualClock) -> SimKey {
    let id = Identity::yubikey_5_nfc(serial, fw);
    SimKey::with(id, Touch::Auto, Arc::new(clock.clone()))
}

/// The serial the card behind `source.open_card(serial)` reports itself.
fn card_serial(source: &mut SimKeys, serial: u32) -> Option<Serial> {
    let mut card = source.open_card(sn(serial)).unwrap();
    probe(card.as_mut()).unwrap().serial
}

#[test]
fn keys_groups_ccid_and_fido_of_each_key_by_serial() {
    for (fw, version) in PROFILES {
        let (mut desk, clock) = desk();
        desk.plug(key(11_111_111, fw, &clock));
        desk.plug(key(22_222_222, fw, &clock));
        let keys = desk.keys().unwrap();
        assert_eq!(keys.len(), 2, "{fw}: {keys:#?}");
        for (k, serial) in keys.iter().zip([11_111_111, 22_222_222]) {
            assert_eq!(k.id, KeyId::Serial(sn(serial)), "{fw}");
            assert_eq!(k.firmware, Some(version));
            assert_eq!(k.model, "YubiKey 5 NFC");
            assert_eq!(k.form_factor, FormFactor::UsbAKeychain);
            assert!(k.yubico && !k.fips);
            assert_eq!(k.interfaces.len(), 2, "{fw}: {:?}", k.interfaces);
            assert!(matches!(k.interfaces[0], Interface::Ccid { .. }));
            assert!(matches!(k.interfaces[1], Interface::Fido { .. }));
            assert!(k.reader().unwrap().contains(&serial.to_string()));
            assert!(k.fido_path().unwrap().contains(&serial.to_string()));
        }
    }
}

#[test]
fn keys_follows_plug_and_unplug() {
    let (mut desk, clock) = desk();
    assert!(desk.keys().unwrap().is_empty());
    desk.plug(key(33_333_333, Firmware::V5_7_1, &clock));
    desk.plug(key(44_444_444, Firmware::V5_4_3, &clock));
    assert!(desk.unplug(33_333_333));
    let keys = desk.keys().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].serial(), Some(sn(44_444_444)));
    assert_eq!(keys[0].firmware, Some(Version(5, 4, 3)));
    assert!(desk.replug(33_333_333));
    let mut serials: Vec<_> = desk.keys().unwrap().iter().map(|k| k.serial()).collect();
    serials.sort();
    assert_eq!(serials, [Some(sn(33_333_333)), Some(sn(44_444_444))]);
}

#[test]
fn plugged_in_changes_only_when_a_key_is_plugged_in_again() {
    let (mut desk, clock) = desk();
    desk.plug(key(33_333_333, Firmware::V5_7_1, &clock));
    desk.plug(key(44_444_444, Firmware::V5_4_3, &clock));
    let generation = |desk: &mut SimKeys, serial: u32| {
        desk.keys()
            .unwrap()
            .iter()
            .find(|k| k.serial() == Some(sn(serial)))
            .map(|k| k.plugged_in)
            .unwrap()
    };
    let a = generation(&mut desk, 33_333_333);
    let b = generation(&mut desk, 44_444_444);
    assert_ne!(a, 0, "known for virtual keys");
    assert_eq!(generation(&mut desk, 33_333_333), a, "still plugged in");
    // Pulled and plugged back in between two looks.
    desk.unplug(33_333_333);
    desk.replug(33_333_333);
    assert_ne!(generation(&mut desk, 33_333_333), a);
    assert_eq!(
        generation(&mut desk, 44_444_444),
        b,
        "the other key untouched"
    );
}

#[test]
fn open_card_opens_the_key_with_that_serial() {
    for (fw, version) in PROFILES {
        let (mut desk, clock) = desk();
        desk.plug(key(55_555_555, fw, &clock));
        desk.plug(key(66_666_666, fw, &clock));
        // Ask in the other order than plugged: never "the first one".
        assert_eq!(card_serial(&mut desk, 66_666_666), Some(sn(66_666_666)));
        assert_eq!(card_serial(&mut desk, 55_555_555), Some(sn(55_555_555)));
        let mut card = desk.open_card(sn(66_666_666)).unwrap();
        assert_eq!(probe(card.as_mut()).unwrap().version, version);
    }
}

#[test]
fn open_fido_alone_refuses_several_keys() {
    for (fw, _) in PROFILES {
        let (mut desk, clock) = desk();
        desk.plug(key(77_777_777, fw, &clock));
        desk.plug(key(88_888_888, fw, &clock));
        let err = desk.open_fido(sn(77_777_777), true).unwrap_err();
        assert!(
            matches!(
                err,
                DeviceError::SeveralKeys {
                    serial,
                    count: 2
                } if serial == sn(77_777_777)
            ),
            "{fw}: {err}"
        );
        // Without `alone` each opens, and it is the key asked for.
        for serial in [88_888_888, 77_777_777] {
            let mut fido = desk.open_fido(sn(serial), false).unwrap();
            assert_eq!(fido.yubikey_device_info().unwrap().serial, Some(sn(serial)));
        }
        assert!(desk.unplug(88_888_888));
        let mut fido = desk.open_fido(sn(77_777_777), true).unwrap();
        assert_eq!(
            fido.yubikey_device_info().unwrap().serial,
            Some(sn(77_777_777))
        );
    }
}

#[test]
fn unknown_serial_is_key_not_found_and_an_empty_desk_no_key() {
    let (mut desk, clock) = desk();
    assert!(matches!(desk.open_card(sn(1)), Err(DeviceError::NoKey)));
    assert!(matches!(
        desk.open_fido(sn(1), false),
        Err(DeviceError::NoKey)
    ));
    assert!(matches!(
        desk.open_fido(sn(1), true),
        Err(DeviceError::NoKey)
    ));
    desk.plug(key(12_121_212, Firmware::V5_7_1, &clock));
    let missing = sn(99_999_999);
    assert!(matches!(
        desk.open_card(missing),
        Err(DeviceError::KeyNotFound { serial }) if serial == missing
    ));
    assert!(matches!(
        desk.open_fido(missing, true),
        Err(DeviceError::KeyNotFound { serial }) if serial == missing
    ));
    // An unplugged key is not found either; with nothing left plugged: NoKey.
    assert!(desk.unplug(12_121_212));
    assert!(matches!(
        desk.open_card(sn(12_121_212)),
        Err(DeviceError::NoKey)
    ));
    assert!(!desk.unplug(12_121_212), "already out");
    assert!(!desk.unplug(missing.get()), "never plugged");
}

#[test]
fn unplug_breaks_open_transports_and_replug_needs_a_new_open() {
    for (fw, _) in PROFILES {
        let (mut desk, clock) = desk();
        desk.plug(key(13_131_313, fw, &clock));
        let s = sn(13_131_313);
        let mut card = desk.open_card(s).unwrap();
        let mut fido = desk.open_fido(s, false).unwrap();
        assert_eq!(probe(card.as_mut()).unwrap().serial, Some(s));
        fido.refresh_info().unwrap();

        assert!(desk.unplug(s.get()));
        let err = probe(card.as_mut()).unwrap_err();
        assert!(matches!(err, DeviceError::KeyRemoved), "{fw}: {err}");
        let err = fido.refresh_info().unwrap_err();
        assert!(matches!(err, DeviceError::KeyRemoved), "{fw}: {err}");

        assert!(desk.replug(s.get()));
        // The old handles belong to the old plug-in, as with pcscd and hidraw.
        let err = probe(card.as_mut()).unwrap_err();
        assert!(matches!(err, DeviceError::KeyRemoved), "{fw}: {err}");
        let err = fido.refresh_info().unwrap_err();
        assert!(matches!(err, DeviceError::KeyRemoved), "{fw}: {err}");
        let mut card = desk.open_card(s).unwrap();
        assert_eq!(probe(card.as_mut()).unwrap().serial, Some(s));
        let mut fido = desk.open_fido(s, true).unwrap();
        assert_eq!(fido.yubikey_device_info().unwrap().serial, Some(s));
    }
}

#[test]
fn fido_reset_only_right_after_plug_in() {
    for (fw, window) in [(Firmware::V5_4_3, 5), (Firmware::V5_7_1, 10)] {
        let (mut desk, clock) = desk();
        // Plugging starts the window, not making the key.
        let k = key(14_141_414, fw, &clock);
        clock.advance(Duration::from_secs(60));
        desk.plug(k);
        let s = sn(14_141_414);
        desk.open_fido(s, true).unwrap().reset().unwrap();

        clock.advance(Duration::from_secs(window + 1));
        let err = desk.open_fido(s, true).unwrap().reset().unwrap_err();
        assert!(
            matches!(err, DeviceError::ResetWindowMissed { window_secs } if window_secs == window),
            "{fw}: {err}"
        );

        // Replugging opens a new window.
        assert!(desk.replug(s.get()));
        desk.open_fido(s, true).unwrap().reset().unwrap();
    }
}

#[test]
fn with_key_reaches_the_virtual_key_of_that_serial() {
    let (desk, clock) = desk();
    desk.plug(key(15_151_515, Firmware::V5_7_1, &clock));
    assert_eq!(
        desk.with_key(15_151_515, |k| k.identity.serial),
        Some(15_151_515)
    );
    assert_eq!(desk.with_key(1, |k| k.identity.serial), None);
    assert_eq!(desk.plugged(), [15_151_515]);
}

#[test]
fn a_key_that_stops_answering_does_not_hide_the_others() {
    use keydesk_sim::fault::{Fault, FaultKind};
    let vanish = Fault {
        at: 1,
        kind: FaultKind::Vanish,
    };
    let (mut desk, clock) = desk();
    desk.plug(key(16_161_616, Firmware::V5_7_1, &clock));
    desk.plug(key(17_171_717, Firmware::V5_4_3, &clock));
    // The card of the first key is gone: it is still found over FIDO.
    desk.with_key(16_161_616, |k| k.card.arm_fault(vanish))
        .unwrap();
    let keys = desk.keys().unwrap();
    assert_eq!(keys.len(), 2, "{keys:#?}");
    assert_eq!(keys[0].serial(), Some(sn(17_171_717)));
    assert_eq!(keys[0].interfaces.len(), 2);
    assert_eq!(keys[1].serial(), Some(sn(16_161_616)));
    assert!(matches!(keys[1].interfaces[..], [Interface::Fido { .. }]));
    // Its FIDO interface goes too: only the other key is left.
    desk.with_key(16_161_616, |k| k.fido.arm_fault(vanish))
        .unwrap();
    let keys = desk.keys().unwrap();
    assert_eq!(keys.len(), 1, "{keys:#?}");
    assert_eq!(keys[0].serial(), Some(sn(17_171_717)));
}

#[test]
fn manual_time_runs_while_the_client_waits_for_touch() {
    let (mut desk, clock) = desk();
    let id = Identity::yubikey_5_nfc(18_181_818, Firmware::V5_7_1);
    let touch = Touch::After(Duration::from_secs(3));
    desk.plug(SimKey::with(id, touch, Arc::new(clock.clone())));
    let s = sn(18_181_818);
    let before = clock.now();
    desk.open_fido(s, true).unwrap().reset().unwrap();
    let waited = clock.now() - before;
    assert!(waited >= Duration::from_secs(3), "{waited:?}");
    assert!(waited < Duration::from_secs(10), "{waited:?}");

    // Nobody touches: the client gives up on the manual clock, nothing sleeps.
    assert!(desk.replug(s.get()));
    desk.with_key(s.get(), |k| k.fido.set_touch(Touch::Never))
        .unwrap();
    let err = desk.open_fido(s, true).unwrap().reset().unwrap_err();
    assert!(matches!(err, DeviceError::TouchTimeout), "{err}");
}
