//! Yubico's vendor CTAPHID command READ CONFIG (0xC2): the FIDO interface
//! answers with exactly the device info the Management application of the
//! same key returns over CCID (GET DEVICE INFO), for both firmware
//! profiles, also after the settings change over CCID and after a restart
//! from saved state.

use std::sync::Arc;

use keydesk_sim::card::{tlv, Card};
use keydesk_sim::clock::ManualClock;
use keydesk_sim::fido::Authenticator;
use keydesk_sim::key::SimKey;
use keydesk_sim::{Firmware, Identity, Touch};

use crate::fido_client::{packets, Dev, BROADCAST, ERROR, INIT};

const READ_CONFIG: u8 = 0xC2;
const MGMT_AID: [u8; 8] = [0xA0, 0, 0, 5, 0x27, 0x47, 0x11, 0x17];

fn apdu(ins: u8, data: &[u8]) -> Vec<u8> {
    let mut v = vec![0, ins, 0, 0];
    if !data.is_empty() {
        v.push(data.len() as u8);
        v.extend_from_slice(data);
    }
    v
}

/// Management over CCID: SELECT, then one command; the data on 90 00.
fn mgmt(card: &mut Card, ins: u8, data: &[u8]) -> Vec<u8> {
    let mut sel = vec![0, 0xA4, 4, 0, MGMT_AID.len() as u8];
    sel.extend_from_slice(&MGMT_AID);
    assert!(card.transmit(&sel).unwrap().ends_with(&[0x90, 0]));
    let mut r = card.transmit(&apdu(ins, data)).unwrap();
    let sw = r.split_off(r.len() - 2);
    assert_eq!(sw, [0x90, 0], "Management INS {ins:02X}");
    r
}

/// READ CONFIG over CTAPHID on a fresh channel.
fn read_config(a: Authenticator, clock: ManualClock) -> (Vec<u8>, Authenticator) {
    let mut d = Dev { a, clock, cid: 0 };
    d.cid = d.init();
    let cid = d.cid;
    d.send(cid, READ_CONFIG, &[]);
    let (rcid, cmd, data) = d.recv().unwrap();
    assert_eq!((rcid, cmd), (cid, READ_CONFIG));
    assert!(d.recv().is_none(), "exactly one answer");
    (data, d.a)
}

fn key(fw: Firmware, serial: u32) -> (SimKey, ManualClock) {
    let clock = ManualClock::new();
    let id = Identity::yubikey_5_nfc(serial, fw);
    (
        SimKey::with(id, Touch::Auto, Arc::new(clock.clone())),
        clock,
    )
}

#[test]
fn read_config_answers_the_management_device_info_of_the_same_key() {
    for (fw, version) in [
        (Firmware::V5_4_3, [5u8, 4, 3]),
        (Firmware::V5_7_1, [5, 7, 1]),
    ] {
        let (mut k, clock) = key(fw, 31_415_926);
        let over_ccid = mgmt(&mut k.card, 0x1D, &[]);
        let (over_hid, _) = read_config(k.fido, clock);
        assert_eq!(over_hid, over_ccid, "{fw}");
        // ykman's DeviceInfo.parse: one length byte, then the TLVs.
        assert_eq!(usize::from(over_hid[0]), over_hid.len() - 1);
        let t = tlv::parse(&over_hid[1..]).unwrap();
        assert_eq!(tlv::find(&t, 0x02), Some(&31_415_926u32.to_be_bytes()[..]));
        assert_eq!(tlv::find(&t, 0x05), Some(&version[..]));
        assert_eq!(tlv::find(&t, 0x04), Some(&[0x01u8][..]), "USB-A keychain");
    }
}

#[test]
fn read_config_follows_settings_changed_over_ccid_and_survives_a_restart() {
    let (mut k, clock) = key(Firmware::V5_7_1, 27_182_818);
    // Disable OTP over USB and set the challenge-response timeout to 30 s.
    let mut cfg = tlv::tlv(0x03, &[0x02, 0x3A]);
    cfg.extend(tlv::tlv(0x07, &[30]));
    cfg.insert(0, cfg.len() as u8);
    assert!(mgmt(&mut k.card, 0x1C, &cfg).is_empty());
    let over_ccid = mgmt(&mut k.card, 0x1D, &[]);
    let t = tlv::parse(&over_ccid[1..]).unwrap();
    assert_eq!(tlv::find(&t, 0x03), Some(&[0x02u8, 0x3A][..]));
    assert_eq!(tlv::find(&t, 0x07), Some(&[30u8][..]));

    let SimKey {
        identity,
        card,
        fido,
    } = k;
    let (over_hid, fido) = read_config(fido, clock.clone());
    assert_eq!(over_hid, over_ccid);

    // Saved and loaded again (the `serve` restart path): still the same.
    let saved = SimKey {
        identity,
        card,
        fido,
    }
    .saved();
    let mut again = SimKey::from_saved(saved, Touch::Auto, Arc::new(clock.clone()));
    let over_ccid = mgmt(&mut again.card, 0x1D, &[]);
    assert_eq!(
        tlv::find(&tlv::parse(&over_ccid[1..]).unwrap(), 0x07),
        Some(&[30u8][..])
    );
    assert_eq!(read_config(again.fido, clock).0, over_ccid);
}

#[test]
fn a_stand_alone_authenticator_reports_factory_settings() {
    let clock = ManualClock::new();
    let id = Identity::yubikey_5_nfc(1_000_001, Firmware::V5_4_3);
    let a = Authenticator::new(&id, Touch::Auto, Arc::new(clock.clone()));
    let (over_hid, _) = read_config(a, clock);
    assert_eq!(over_hid, mgmt(&mut Card::new(id), 0x1D, &[]));
}

#[test]
fn read_config_needs_an_allocated_channel() {
    let (k, _clock) = key(Firmware::V5_7_1, 4_242_424);
    let mut a = k.fido;
    for p in packets(BROADCAST, READ_CONFIG, &[]) {
        a.send_report(&p);
    }
    let r = a.recv_report().unwrap();
    assert_eq!(&r[..7], &[0xFF, 0xFF, 0xFF, 0xFF, ERROR, 0, 1]);
    assert_eq!(r[7], 0x0B, "ERR_INVALID_CHANNEL");
    // INIT capabilities stay WINK | CBOR: READ CONFIG is not a CTAPHID capability.
    for p in packets(BROADCAST, INIT, &[7; 8]) {
        a.send_report(&p);
    }
    let r = a.recv_report().unwrap();
    assert_eq!(r[4], INIT);
    assert_eq!(&r[7 + 12..7 + 17], &[2, 5, 7, 1, 0x05]);
}
