//! The smart card in-process: PIV PIN/PUK counters, blocking, unblocking and
//! reset rules, management-key authentication with both default algorithms,
//! command chaining and GET RESPONSE, attestation, Management and OTP
//! answers, faults and save/load.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use der::{Decode, DecodePem, Encode};
use keydesk_sim::card::{tlv, Card, CardGone};
use keydesk_sim::fault::{Fault, FaultKind};
use keydesk_sim::{Firmware, Identity, SimKey, Touch};
use p256::ecdsa::signature::Verifier;

const DEFAULT_KEY: [u8; 24] = [
    1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8,
];

fn card(fw: Firmware) -> Card {
    Card::new(Identity::yubikey_5_nfc(12_345_678, fw))
}

/// Send one APDU, following 61xx with GET RESPONSE; returns (data, SW).
fn tx(c: &mut Card, apdu: &[u8]) -> (Vec<u8>, u16) {
    let mut r = c.transmit(apdu).unwrap();
    let mut data = Vec::new();
    loop {
        let sw = u16::from_be_bytes([r[r.len() - 2], r[r.len() - 1]]);
        data.extend_from_slice(&r[..r.len() - 2]);
        if sw >> 8 != 0x61 {
            return (data, sw);
        }
        r = c.transmit(&[0, 0xC0, 0, 0, 0]).unwrap();
    }
}

fn apdu(ins: u8, p1: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    let mut v = vec![0, ins, p1, p2];
    if !data.is_empty() {
        if data.len() <= 255 {
            v.push(data.len() as u8);
        } else {
            v.push(0);
            v.extend_from_slice(&(data.len() as u16).to_be_bytes());
        }
        v.extend_from_slice(data);
    }
    v
}

fn select_piv(c: &mut Card) {
    let (_, sw) = tx(c, &apdu(0xA4, 4, 0, &[0xA0, 0, 0, 3, 8]));
    assert_eq!(sw, 0x9000);
}

fn padded(pin: &[u8]) -> Vec<u8> {
    let mut v = pin.to_vec();
    v.resize(8, 0xFF);
    v
}

fn verify(c: &mut Card, pin: &[u8]) -> u16 {
    tx(c, &apdu(0x20, 0, 0x80, &padded(pin))).1
}

fn crypt(alg: u8, key: &[u8], block: &[u8], decrypt: bool) -> Vec<u8> {
    let mut b = block.to_vec();
    macro_rules! run {
        ($c:ty) => {{
            let c = <$c>::new_from_slice(key).unwrap();
            let ga = aes::cipher::generic_array::GenericArray::from_mut_slice(&mut b);
            if decrypt {
                c.decrypt_block(ga)
            } else {
                c.encrypt_block(ga)
            }
        }};
    }
    match alg {
        0x03 => run!(des::TdesEde3),
        0x0A => run!(aes::Aes192),
        0x0C => run!(aes::Aes256),
        _ => panic!("alg"),
    }
    b
}

/// Mutual authentication as ykman does it; returns the final SW.
fn authenticate(c: &mut Card, alg: u8, key: &[u8]) -> u16 {
    let (r, sw) = tx(c, &apdu(0x87, alg, 0x9B, &[0x7C, 0x02, 0x80, 0x00]));
    if sw != 0x9000 {
        return sw;
    }
    let (_, inner, _) = tlv::parse_one(&r).unwrap();
    let (tag, enc_witness, _) = tlv::parse_one(inner).unwrap();
    assert_eq!(tag, 0x80);
    let witness = crypt(alg, key, enc_witness, true);
    let challenge = vec![0x5A; witness.len()];
    let mut body = tlv::tlv(0x80, &witness);
    body.extend(tlv::tlv(0x81, &challenge));
    let (r, sw) = tx(c, &apdu(0x87, alg, 0x9B, &tlv::tlv(0x7C, &body)));
    if sw == 0x9000 {
        let (_, inner, _) = tlv::parse_one(&r).unwrap();
        let (_, resp, _) = tlv::parse_one(inner).unwrap();
        assert_eq!(
            resp,
            crypt(alg, key, &challenge, false),
            "card proves it knows the key"
        );
    }
    sw
}

fn generate(c: &mut Card, slot: u8, alg: u8, pin_policy: u8, touch_policy: u8) -> (Vec<u8>, u16) {
    let mut t = tlv::tlv(0x80, &[alg]);
    t.extend(tlv::tlv(0xAA, &[pin_policy]));
    t.extend(tlv::tlv(0xAB, &[touch_policy]));
    tx(c, &apdu(0x47, 0, slot, &tlv::tlv(0xAC, &t)))
}

fn metadata(c: &mut Card, p2: u8) -> Vec<(u32, Vec<u8>)> {
    let (r, sw) = tx(c, &apdu(0xF7, 0, p2, &[]));
    assert_eq!(sw, 0x9000);
    tlv::parse(&r).unwrap()
}

#[test]
fn pin_counts_down_blocks_and_puk_unblocks() {
    let mut c = card(Firmware::V5_4_3);
    select_piv(&mut c);
    assert_eq!(
        tx(&mut c, &apdu(0x20, 0, 0x80, &[])).1,
        0x63C3,
        "not verified, 3 tries"
    );
    assert_eq!(verify(&mut c, b"000000"), 0x63C2);
    assert_eq!(verify(&mut c, b"000000"), 0x63C1);
    assert_eq!(
        verify(&mut c, b"123456"),
        0x9000,
        "right PIN resets the counter"
    );
    assert_eq!(tx(&mut c, &apdu(0x20, 0, 0x80, &[])).1, 0x9000, "verified");
    for expect in [0x63C2, 0x63C1, 0x63C0] {
        assert_eq!(verify(&mut c, b"000000"), expect);
    }
    assert_eq!(
        verify(&mut c, b"123456"),
        0x6983,
        "blocked even with the right PIN"
    );
    assert_eq!(tlv::find(&metadata(&mut c, 0x80), 6), Some(&[3u8, 0][..]));
    // RESET RETRY COUNTER: wrong PUK counts on the PUK.
    let mut data = padded(b"99999999");
    data.extend(padded(b"654321"));
    assert_eq!(tx(&mut c, &apdu(0x2C, 0, 0x80, &data)).1, 0x63C2);
    let mut data = padded(b"12345678");
    data.extend(padded(b"654321"));
    assert_eq!(tx(&mut c, &apdu(0x2C, 0, 0x80, &data)).1, 0x9000);
    assert_eq!(verify(&mut c, b"654321"), 0x9000);
    let pin_meta = metadata(&mut c, 0x80);
    assert_eq!(
        tlv::find(&pin_meta, 5),
        Some(&[0u8][..]),
        "no longer the default PIN"
    );
    assert_eq!(tlv::find(&metadata(&mut c, 0x81), 6), Some(&[3u8, 3][..]));
    // CHANGE REFERENCE rejects a too short new PIN after checking the old one.
    let mut data = padded(b"654321");
    data.extend(padded(b"123"));
    assert_eq!(tx(&mut c, &apdu(0x24, 0, 0x80, &data)).1, 0x6A80);
}

#[test]
fn reset_only_when_pin_and_puk_are_blocked_and_keeps_attestation() {
    let mut c = card(Firmware::V5_7_1);
    select_piv(&mut c);
    assert_eq!(authenticate(&mut c, 0x0A, &DEFAULT_KEY), 0x9000);
    assert_eq!(generate(&mut c, 0x9A, 0x11, 0, 0).1, 0x9000);
    assert_eq!(tx(&mut c, &apdu(0xFB, 0, 0, &[])).1, 0x6985);
    for _ in 0..3 {
        verify(&mut c, b"000000");
    }
    assert_eq!(
        tx(&mut c, &apdu(0xFB, 0, 0, &[])).1,
        0x6985,
        "PUK still usable"
    );
    for expect in [0x63C2, 0x63C1, 0x63C0, 0x6983] {
        let mut data = padded(b"00000000");
        data.extend(padded(b"00000000"));
        assert_eq!(tx(&mut c, &apdu(0x24, 0, 0x81, &data)).1, expect);
    }
    assert_eq!(tx(&mut c, &apdu(0xFB, 0, 0, &[])).1, 0x9000);
    assert_eq!(verify(&mut c, b"123456"), 0x9000, "default PIN after reset");
    assert_eq!(
        tx(&mut c, &apdu(0xF7, 0, 0x9A, &[])).1,
        0x6A88,
        "keys are gone"
    );
    let get_f9 = apdu(0xCB, 0x3F, 0xFF, &[0x5C, 0x03, 0x5F, 0xFF, 0x01]);
    assert_eq!(
        tx(&mut c, &get_f9).1,
        0x9000,
        "attestation certificate survives"
    );
    assert_eq!(
        authenticate(&mut c, 0x0A, &DEFAULT_KEY),
        0x9000,
        "default management key"
    );
}

#[test]
fn management_key_defaults_3des_on_5_4_and_aes192_on_5_7() {
    for (fw, alg) in [(Firmware::V5_4_3, 0x03u8), (Firmware::V5_7_1, 0x0A)] {
        let mut c = card(fw);
        select_piv(&mut c);
        let meta = metadata(&mut c, 0x9B);
        assert_eq!(tlv::find(&meta, 1), Some(&[alg][..]));
        assert_eq!(tlv::find(&meta, 5), Some(&[1u8][..]), "default key");
        assert_eq!(
            generate(&mut c, 0x9A, 0x11, 0, 0).1,
            0x6982,
            "needs management key"
        );
        let wrong = [9u8; 24];
        assert_eq!(authenticate(&mut c, alg, &wrong), 0x6982);
        let other_alg = if alg == 0x03 { 0x0A } else { 0x03 };
        assert_eq!(authenticate(&mut c, other_alg, &DEFAULT_KEY), 0x6A80);
        assert_eq!(authenticate(&mut c, alg, &DEFAULT_KEY), 0x9000);
        assert_eq!(generate(&mut c, 0x9A, 0x11, 0, 0).1, 0x9000);
        // SET MANAGEMENT KEY to AES-256, then only the new key works.
        let new_key = [0x42u8; 32];
        let mut data = vec![0x0C, 0x9B, 32];
        data.extend_from_slice(&new_key);
        assert_eq!(tx(&mut c, &apdu(0xFF, 0xFF, 0xFF, &data)).1, 0x9000);
        assert_eq!(tlv::find(&metadata(&mut c, 0x9B), 5), Some(&[0u8][..]));
        c.power_off();
        c.power_on();
        select_piv(&mut c);
        assert_eq!(authenticate(&mut c, alg, &DEFAULT_KEY), 0x6A80);
        assert_eq!(authenticate(&mut c, 0x0C, &new_key), 0x9000);
    }
}

#[test]
fn chained_commands_and_get_response_carry_long_objects() {
    let mut c = card(Firmware::V5_7_1);
    select_piv(&mut c);
    assert_eq!(authenticate(&mut c, 0x0A, &DEFAULT_KEY), 0x9000);
    let content: Vec<u8> = (0..1500u32).map(|i| (i % 251) as u8).collect();
    let mut body = vec![0x5C, 0x03, 0x5F, 0xC1, 0x05];
    body.extend(tlv::tlv(0x53, &content));
    let chunks: Vec<&[u8]> = body.chunks(255).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let mut a = apdu(0xDB, 0x3F, 0xFF, chunk);
        if i + 1 < chunks.len() {
            a[0] = 0x10;
        }
        let r = c.transmit(&a).unwrap();
        assert_eq!(r, [0x90, 0x00]);
    }
    // The first answer is a 256-byte chunk with 61xx.
    let first = c
        .transmit(&apdu(0xCB, 0x3F, 0xFF, &[0x5C, 0x03, 0x5F, 0xC1, 0x05]))
        .unwrap();
    assert_eq!(first.len(), 258);
    assert_eq!(first[256], 0x61);
    let (data, sw) = tx(
        &mut c,
        &apdu(0xCB, 0x3F, 0xFF, &[0x5C, 0x03, 0x5F, 0xC1, 0x05]),
    );
    assert_eq!(sw, 0x9000);
    assert_eq!(data, tlv::tlv(0x53, &content));
    // Extended APDUs are accepted too.
    let mut ext = vec![0, 0xCB, 0x3F, 0xFF, 0, 0, 5, 0x5C, 0x03, 0x5F, 0xC1, 0x05];
    ext.extend([0, 0]);
    assert_eq!(tx(&mut c, &ext).0, data);
}

#[test]
fn attestation_has_yubico_extensions_and_chains_to_the_test_root() {
    let mut c = card(Firmware::V5_7_1);
    select_piv(&mut c);
    assert_eq!(authenticate(&mut c, 0x0A, &DEFAULT_KEY), 0x9000);
    let (public, sw) = generate(&mut c, 0x9A, 0x11, 0x01, 0x02);
    assert_eq!(sw, 0x9000);
    let (att, sw) = tx(&mut c, &apdu(0xF9, 0x9A, 0, &[]));
    assert_eq!(sw, 0x9000);
    let att = x509_cert::Certificate::from_der(&att).unwrap();
    let ext = |oid: &str| {
        att.tbs_certificate
            .extensions
            .as_ref()
            .unwrap()
            .iter()
            .find(|e| e.extn_id.to_string() == oid)
            .map(|e| e.extn_value.as_bytes().to_vec())
            .unwrap()
    };
    assert_eq!(ext("1.3.6.1.4.1.41482.3.3"), [5, 7, 1]);
    assert_eq!(
        ext("1.3.6.1.4.1.41482.3.7"),
        [0x02, 0x04, 0x00, 0xBC, 0x61, 0x4E]
    );
    assert_eq!(ext("1.3.6.1.4.1.41482.3.8"), [0x01, 0x02]);
    assert_eq!(ext("1.3.6.1.4.1.41482.3.9"), [0x01]);
    // The certified key is the generated key (7F49 { 86 point }).
    let point = &public[5..];
    assert_eq!(
        att.tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes(),
        point
    );
    // F9 certificate signs the attestation; the test root signs F9.
    let (f9_obj, _) = tx(
        &mut c,
        &apdu(0xCB, 0x3F, 0xFF, &[0x5C, 0x03, 0x5F, 0xFF, 0x01]),
    );
    let (_, obj, _) = tlv::parse_one(&f9_obj).unwrap();
    let f9_der = tlv::find(&tlv::parse(obj).unwrap(), 0x70).unwrap().to_vec();
    let f9 = x509_cert::Certificate::from_der(&f9_der).unwrap();
    let root = x509_cert::Certificate::from_pem(keydesk_sim::card::TEST_ROOT_CA).unwrap();
    let check = |signed: &x509_cert::Certificate, by: &x509_cert::Certificate| {
        let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(
            by.tbs_certificate
                .subject_public_key_info
                .subject_public_key
                .raw_bytes(),
        )
        .unwrap();
        let sig = p256::ecdsa::Signature::from_der(signed.signature.raw_bytes()).unwrap();
        vk.verify(&signed.tbs_certificate.to_der().unwrap(), &sig)
            .unwrap();
        assert_eq!(signed.tbs_certificate.issuer, by.tbs_certificate.subject);
    };
    check(&att, &f9);
    check(&f9, &root);
    // Imported-or-absent keys cannot be attested.
    assert_eq!(tx(&mut c, &apdu(0xF9, 0x9C, 0, &[])).1, 0x6A88);
}

#[test]
fn pin_policy_always_needs_verify_right_before_and_touch_never_fails() {
    let mut c = card(Firmware::V5_4_3);
    select_piv(&mut c);
    assert_eq!(authenticate(&mut c, 0x03, &DEFAULT_KEY), 0x9000);
    assert_eq!(generate(&mut c, 0x9C, 0x11, 0x03, 0x01).1, 0x9000);
    let mut body = tlv::tlv(0x82, &[]);
    body.extend(tlv::tlv(0x81, &[0xAB; 32]));
    let sign = apdu(0x87, 0x11, 0x9C, &tlv::tlv(0x7C, &body));
    assert_eq!(tx(&mut c, &sign).1, 0x6982, "no PIN");
    assert_eq!(verify(&mut c, b"123456"), 0x9000);
    assert_eq!(tx(&mut c, &sign).1, 0x9000);
    assert_eq!(
        tx(&mut c, &sign).1,
        0x6982,
        "PIN ALWAYS: once per signature"
    );
    assert_eq!(verify(&mut c, b"123456"), 0x9000);
    assert_eq!(
        tx(&mut c, &apdu(0x87, 0x14, 0x9C, &tlv::tlv(0x7C, &body))).1,
        0x6A80,
        "wrong algorithm"
    );

    assert_eq!(generate(&mut c, 0x9E, 0x11, 0x01, 0x02).1, 0x9000);
    let sign9e = apdu(0x87, 0x11, 0x9E, &tlv::tlv(0x7C, &body));
    assert_eq!(tx(&mut c, &sign9e).1, 0x9000, "touched automatically");
    c.set_touch(Touch::Never);
    assert_eq!(tx(&mut c, &sign9e).1, 0x6985, "touch never comes");
}

#[test]
fn firmware_5_7_only_commands_and_algorithms() {
    for fw in [Firmware::V5_4_3, Firmware::V5_7_1] {
        let new = fw == Firmware::V5_7_1;
        let mut c = card(fw);
        select_piv(&mut c);
        let alg = if new { 0x0A } else { 0x03 };
        assert_eq!(authenticate(&mut c, alg, &DEFAULT_KEY), 0x9000);
        assert_eq!(
            generate(&mut c, 0x9A, 0xE0, 0, 0).1 == 0x9000,
            new,
            "Ed25519"
        );
        assert_eq!(
            generate(&mut c, 0x9D, 0xE1, 0, 0).1 == 0x9000,
            new,
            "X25519"
        );
        assert_eq!(generate(&mut c, 0x82, 0x11, 0, 0).1, 0x9000);
        let moved = tx(&mut c, &apdu(0xF6, 0x83, 0x82, &[])).1;
        assert_eq!(moved, if new { 0x9000 } else { 0x6D00 });
        if new {
            assert_eq!(tx(&mut c, &apdu(0xF7, 0, 0x82, &[])).1, 0x6A88);
            assert_eq!(tx(&mut c, &apdu(0xF7, 0, 0x83, &[])).1, 0x9000);
            assert_eq!(tx(&mut c, &apdu(0xF6, 0xFF, 0x83, &[])).1, 0x9000, "delete");
            assert_eq!(tx(&mut c, &apdu(0xF7, 0, 0x83, &[])).1, 0x6A88);
        }
    }
}

#[test]
fn management_and_otp_report_identity() {
    let mut c = card(Firmware::V5_4_3);
    let (v, sw) = tx(
        &mut c,
        &apdu(0xA4, 4, 0, &[0xA0, 0, 0, 5, 0x27, 0x47, 0x11, 0x17]),
    );
    assert_eq!((v.as_slice(), sw), (&b"5.4.3"[..], 0x9000));
    let (info, _) = tx(&mut c, &apdu(0x1D, 0, 0, &[]));
    assert_eq!(usize::from(info[0]), info.len() - 1);
    let t = tlv::parse(&info[1..]).unwrap();
    assert_eq!(tlv::find(&t, 0x02), Some(&12_345_678u32.to_be_bytes()[..]));
    assert_eq!(tlv::find(&t, 0x05), Some(&[5u8, 4, 3][..]));
    assert_eq!(tlv::find(&t, 0x04), Some(&[1u8][..]));
    assert_eq!(tlv::find(&t, 0x03), Some(&[0x02u8, 0x3B][..]));
    // Disable OTP over USB.
    let mut cfg = tlv::tlv(0x03, &[0x02, 0x3A]);
    cfg.insert(0, cfg.len() as u8);
    assert_eq!(tx(&mut c, &apdu(0x1C, 0, 0, &cfg)).1, 0x9000);
    assert!(c.take_dirty());
    let (info, _) = tx(&mut c, &apdu(0x1D, 0, 0, &[]));
    assert_eq!(
        tlv::find(&tlv::parse(&info[1..]).unwrap(), 0x03),
        Some(&[0x02u8, 0x3A][..])
    );

    let (status, sw) = tx(
        &mut c,
        &apdu(0xA4, 4, 0, &[0xA0, 0, 0, 5, 0x27, 0x20, 0x01]),
    );
    assert_eq!(sw, 0x9000);
    assert_eq!(&status[..3], &[5, 4, 3]);
    assert_eq!(
        tx(&mut c, &apdu(0x01, 0x10, 0, &[])).0,
        12_345_678u32.to_be_bytes()
    );
    assert_eq!(
        tx(&mut c, &apdu(0xA4, 4, 0, &[0xA0, 0, 0, 0, 0x99])).1,
        0x6A82
    );
}

#[test]
fn faults_fail_or_unplug_until_replug() {
    let mut c = card(Firmware::V5_7_1);
    c.arm_fault(Fault {
        at: 2,
        kind: FaultKind::Fail,
    });
    select_piv(&mut c);
    assert_eq!(c.transmit(&[0, 0xFD, 0, 0]).unwrap(), [0x6F, 0x00]);
    assert_eq!(c.transmit(&[0, 0xFD, 0, 0]).unwrap(), [5, 7, 1, 0x90, 0x00]);
    c.arm_fault(Fault {
        at: 1,
        kind: FaultKind::Vanish,
    });
    assert_eq!(c.transmit(&[0, 0xFD, 0, 0]), Err(CardGone));
    assert_eq!(c.transmit(&[0, 0xFD, 0, 0]), Err(CardGone));
    c.replug();
    assert_eq!(
        c.transmit(&[0, 0xFD, 0, 0]).unwrap(),
        [0x6D, 0x00],
        "replug deselects"
    );
    assert_eq!(c.atr()[..2], [0x3B, 0xFD]);
}

#[test]
fn sim_key_save_and_load_is_a_replug() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.json");
    let mut key = SimKey::new(Identity::yubikey_5_nfc(7, Firmware::V5_4_3));
    select_piv(&mut key.card);
    let mut data = padded(b"123456");
    data.extend(padded(b"777777"));
    assert_eq!(tx(&mut key.card, &apdu(0x24, 0, 0x80, &data)).1, 0x9000);
    key.save(&path).unwrap();
    let clock = std::sync::Arc::new(keydesk_sim::clock::ManualClock::new());
    let mut again = SimKey::load(&path, Touch::Auto, clock).unwrap();
    assert_eq!(again.identity.serial, 7);
    assert_eq!(
        tx(&mut again.card, &[0, 0xFD, 0, 0]).1,
        0x6D00,
        "nothing selected after replug"
    );
    select_piv(&mut again.card);
    assert_eq!(verify(&mut again.card, b"777777"), 0x9000);
    assert!(SimKey::load(
        &dir.path().join("missing.json"),
        Touch::Auto,
        std::sync::Arc::new(keydesk_sim::clock::ManualClock::new())
    )
    .is_err());
}

#[test]
fn imported_keys_sign_but_are_not_attested() {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    let mut c = card(Firmware::V5_4_3);
    select_piv(&mut c);
    assert_eq!(authenticate(&mut c, 0x03, &DEFAULT_KEY), 0x9000);
    let sk = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let mut t = tlv::tlv(0x06, &sk.to_bytes());
    t.extend(tlv::tlv(0xAA, &[0x01]));
    assert_eq!(tx(&mut c, &apdu(0xFE, 0x11, 0x9D, &t)).1, 0x9000);
    let meta = metadata(&mut c, 0x9D);
    assert_eq!(tlv::find(&meta, 3), Some(&[2u8][..]), "origin imported");
    assert_eq!(
        tlv::find(&meta, 2),
        Some(&[1u8, 1][..]),
        "PIN never, touch never"
    );
    assert_eq!(tx(&mut c, &apdu(0xF9, 0x9D, 0, &[])).1, 0x6A80);
    let digest = [0x11u8; 32];
    let mut body = tlv::tlv(0x82, &[]);
    body.extend(tlv::tlv(0x81, &digest));
    let (r, sw) = tx(&mut c, &apdu(0x87, 0x11, 0x9D, &tlv::tlv(0x7C, &body)));
    assert_eq!(sw, 0x9000);
    let (_, inner, _) = tlv::parse_one(&r).unwrap();
    let (_, der_sig, _) = tlv::parse_one(inner).unwrap();
    let sig = p256::ecdsa::Signature::from_der(der_sig).unwrap();
    p256::ecdsa::VerifyingKey::from(sk.public_key())
        .verify_prehash(&digest, &sig)
        .unwrap();
    // ECDH with the same slot key agrees with the host side.
    let peer = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let mut body = tlv::tlv(0x82, &[]);
    body.extend(tlv::tlv(0x85, &peer.public_key().to_sec1_bytes()));
    let (r, sw) = tx(&mut c, &apdu(0x87, 0x11, 0x9D, &tlv::tlv(0x7C, &body)));
    assert_eq!(sw, 0x9000);
    let host = p256::ecdh::diffie_hellman(peer.to_nonzero_scalar(), sk.public_key().as_affine());
    assert_eq!(&r[4..], host.raw_secret_bytes().as_slice());
}
