//! The PC/SC half of keydesk-device against keydesk-sim's card in-process,
//! for both firmware profiles (5.4.3: 3DES default management key; 5.7.1:
//! AES-192): Management, OTP, every PIV operation, attestation against the
//! sim's test root, and fault injection at every APDU of an enrolment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::SystemTime;

use keydesk_device::attestation::{self, Expected, TrustAnchors};
use keydesk_device::management::{Capabilities, FormFactor, Management, Version};
use keydesk_device::otp::Otp;
use keydesk_device::piv::keys::verify_signature;
use keydesk_device::piv::{ManagementKey, MgmtKeyType, Piv};
use keydesk_device::{CardTransport, DeviceError};
use keydesk_sim::card::{Card, TEST_ROOT_CA};
use keydesk_sim::fault::{Fault, FaultKind};
use keydesk_sim::{Firmware, Identity};
use keydesk_types::{Algorithm, PinPolicy, Secret, Serial, Slot, TouchPolicy};
use zeroize::Zeroizing;

/// A serial for the tests (never 0).
fn sn(n: u32) -> Serial {
    Serial::new(n).expect("a serial is never 0")
}

/// Tests' own transport over the in-process virtual card.
struct SimCard(Card);

impl CardTransport for SimCard {
    fn transmit(&mut self, apdu: &[u8]) -> keydesk_device::Result<Zeroizing<Vec<u8>>> {
        self.0
            .transmit(apdu)
            .map(Zeroizing::new)
            .map_err(|_| DeviceError::KeyRemoved)
    }
    fn location(&self) -> String {
        "sim".into()
    }
}

const SERIAL: u32 = 23_456_789;
const PROFILES: [(Firmware, Version); 2] = [
    (Firmware::V5_4_3, Version(5, 4, 3)),
    (Firmware::V5_7_1, Version(5, 7, 1)),
];

fn card(fw: Firmware) -> SimCard {
    SimCard(Card::new(Identity::yubikey_5_nfc(SERIAL, fw)))
}

fn pin(s: &str) -> Secret {
    Secret::new(s)
}

#[test]
fn management_and_otp_identity() {
    for (fw, v) in PROFILES {
        let mut c = card(fw);
        let mut m = Management::open(&mut c).unwrap();
        assert_eq!(m.version(), v);
        let info = m.device_info().unwrap();
        assert_eq!(info.serial, Some(sn(SERIAL)));
        assert_eq!(info.version, v);
        assert_eq!(info.form_factor, FormFactor::UsbAKeychain);
        assert!(!info.fips && !info.config_locked);
        assert!(info.usb_enabled.has(Capabilities::PIV | Capabilities::OTP));
        assert_eq!(info.model(), "YubiKey 5 NFC");

        let mut o = Otp::open(&mut c).unwrap();
        assert_eq!(o.status().version, v);
        assert!(!o.status().slot1_configured);
        assert_eq!(o.serial().unwrap(), Some(sn(SERIAL)));
        assert_eq!(o.read_status().unwrap().version, v);

        // Switch OTP over USB off: written once, then already off; the key rebooted.
        let mut m = Management::open(&mut c).unwrap();
        assert!(m.set_otp_usb(false).unwrap());
        let mut m = Management::open(&mut c).unwrap();
        assert!(!m.device_info().unwrap().usb_enabled.has(Capabilities::OTP));
        assert!(!m.set_otp_usb(false).unwrap());
        assert!(m.set_otp_usb(true).unwrap());
    }
}

#[test]
fn discovery_probe_identifies_the_card() {
    for (fw, v) in PROFILES {
        let mut c = card(fw);
        let info = keydesk_device::discovery::probe(&mut c).unwrap();
        assert_eq!((info.serial, info.version), (Some(sn(SERIAL)), v));
        let keys = keydesk_device::keys::group(vec![("Yubico sim 00".into(), info)], vec![]);
        let k = keydesk_device::keys::find(&keys, sn(SERIAL)).unwrap();
        assert_eq!(k.reader(), Some("Yubico sim 00"));
        assert_eq!(k.firmware, Some(v));
        // A key pulled during identification is reported, not misread.
        let mut c = card(fw);
        c.0.arm_fault(Fault {
            at: 2,
            kind: FaultKind::Vanish,
        });
        assert!(matches!(
            keydesk_device::discovery::probe(&mut c),
            Err(DeviceError::KeyRemoved)
        ));
    }
}

#[test]
fn pin_puk_counters_block_and_unblock() {
    for (fw, v) in PROFILES {
        let mut c = card(fw);
        let mut p = Piv::open(&mut c).unwrap();
        assert_eq!(p.version(), v);
        assert_eq!(p.serial().unwrap(), sn(SERIAL));
        let r = p.pin_retries().unwrap();
        assert_eq!(
            (r.total, r.remaining, r.is_default),
            (Some(3), 3, Some(true))
        );

        assert!(matches!(
            p.verify_pin(&pin("000000")),
            Err(DeviceError::WrongPin { tries_left: 2 })
        ));
        assert_eq!(p.pin_retries().unwrap().remaining, 2);
        p.verify_pin(&pin("123456")).unwrap();
        assert_eq!(p.pin_retries().unwrap().remaining, 3);

        p.change_pin(&pin("123456"), &pin("24681357")).unwrap();
        assert!(matches!(
            p.change_pin(&pin("123456"), &pin("111111")),
            Err(DeviceError::WrongPin { tries_left: 2 })
        ));
        assert!(matches!(
            p.change_pin(&pin("24681357"), &pin("123")),
            Err(DeviceError::PinPolicy { .. })
        ));
        p.change_puk(&pin("12345678"), &pin("87654321")).unwrap();
        assert!(matches!(
            p.change_puk(&pin("12345678"), &pin("11111111")),
            Err(DeviceError::WrongPuk { tries_left: 2 })
        ));
        assert_eq!(p.puk_retries().unwrap().remaining, 2);

        // The wrong old PIN above used one try: 2 left.
        for left in [1u8, 0] {
            match p.verify_pin(&pin("999999")) {
                Err(DeviceError::WrongPin { tries_left }) => assert_eq!(tries_left, left),
                Err(DeviceError::PinBlocked) => assert_eq!(left, 0),
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            p.verify_pin(&pin("24681357")),
            Err(DeviceError::PinBlocked)
        ));
        assert!(matches!(
            p.unblock_pin(&pin("00000000"), &pin("135790")),
            Err(DeviceError::WrongPuk { tries_left: 1 })
        ));
        p.unblock_pin(&pin("87654321"), &pin("135790")).unwrap();
        p.verify_pin(&pin("135790")).unwrap();

        // Retry counts: need management key + PIN; PIN/PUK go back to defaults.
        assert!(matches!(
            p.set_retries(5, 4),
            Err(DeviceError::AccessDenied { .. })
        ));
        p.authenticate_default().unwrap();
        p.verify_pin(&pin("135790")).unwrap();
        p.set_retries(5, 4).unwrap();
        let r = p.pin_retries().unwrap();
        assert_eq!((r.total, r.remaining), (Some(5), 5));
        assert_eq!(p.puk_retries().unwrap().total, Some(4));
        p.verify_pin(&pin("123456")).unwrap();
    }
}

#[test]
fn management_keys_default_aes_and_pin_protected() {
    for (fw, v) in PROFILES {
        let mut c = card(fw);
        let mut p = Piv::open(&mut c).unwrap();
        let expected = MgmtKeyType::factory_default(v);
        assert_eq!(p.management_key_type().unwrap(), expected);
        assert!(p.management_key_metadata().unwrap().is_default);
        let wrong = ManagementKey::random(expected);
        assert!(matches!(
            p.authenticate(&wrong),
            Err(DeviceError::ManagementKeyRejected)
        ));
        p.authenticate_default().unwrap();

        // An explicit AES-256 key, then back.
        let k = ManagementKey::random(MgmtKeyType::Aes256);
        p.set_management_key(&k, false).unwrap();
        assert_eq!(p.management_key_type().unwrap(), MgmtKeyType::Aes256);
        assert!(p.authenticate_default().is_err());
        p.authenticate(&k).unwrap();

        // PIN-protected random key, the ykman way.
        assert!(!p.has_protected_management_key().unwrap());
        p.set_pin_protected_management_key(&pin("123456")).unwrap();
        assert!(p.has_protected_management_key().unwrap());
        assert_eq!(p.management_key_type().unwrap(), MgmtKeyType::Aes192);
        let mut p = Piv::open(&mut c).unwrap();
        assert!(p.authenticate(&k).is_err());
        assert!(matches!(
            p.authenticate_with_pin(&pin("654321")),
            Err(DeviceError::WrongPin { .. })
        ));
        p.authenticate_with_pin(&pin("123456")).unwrap();
        // Authenticated: PUT DATA works.
        p.put_object(0x5F_C1_0D, &[1, 2, 3]).unwrap();
        // Without the PIN (after a power cycle) the stored key cannot be read.
        c.0.power_off();
        c.0.power_on();
        let mut p = Piv::open(&mut c).unwrap();
        assert!(matches!(
            p.get_object(keydesk_device::piv::object::PRINTED),
            Err(DeviceError::AccessDenied { .. })
        ));
    }
}

fn generate_and_attest(
    p: &mut Piv<'_>,
    v: Version,
    alg: Algorithm,
    pp: PinPolicy,
    tp: TouchPolicy,
) {
    let pk = p.generate_key(Slot::Authentication, alg, pp, tp).unwrap();
    let meta = p.slot_metadata(Slot::Authentication).unwrap().unwrap();
    assert_eq!(meta.algorithm, alg);
    assert!(meta.generated);
    assert_eq!(meta.public_key, pk);

    let leaf = p.attest(Slot::Authentication).unwrap();
    let f9 = p.attestation_certificate().unwrap();
    let anchors = sim_anchors();
    let expected = Expected {
        serial: sn(SERIAL),
        firmware: v,
        slot: Slot::Authentication,
        pin_policy: pp,
        touch_policy: tp,
        form_factor: Some(FormFactor::UsbAKeychain),
        public_key: &pk,
    };
    let got = attestation::verify(&leaf, &f9, &anchors, &expected).unwrap();
    assert_eq!(got.serial, Some(sn(SERIAL)));
    assert_eq!(
        got.root.source, "keydesk-sim test root",
        "the attestation names the root that verified it"
    );
    assert!(
        got.root.subject.contains("keydesk-sim"),
        "{}",
        got.root.subject
    );
    // Production trust (Yubico root only) refuses the simulator.
    assert!(matches!(
        attestation::verify(&leaf, &f9, &TrustAnchors::yubico().unwrap(), &expected),
        Err(DeviceError::Attestation(_))
    ));
    // Another serial, firmware or policy is a mismatch, not a warning.
    let other = Expected {
        serial: sn(SERIAL + 1),
        ..expected.clone()
    };
    assert!(matches!(
        attestation::verify(&leaf, &f9, &anchors, &other),
        Err(DeviceError::AttestationMismatch { .. })
    ));
    let other = Expected {
        touch_policy: if tp == TouchPolicy::Cached {
            TouchPolicy::Always
        } else {
            TouchPolicy::Cached
        },
        ..expected.clone()
    };
    assert!(matches!(
        attestation::verify(&leaf, &f9, &anchors, &other),
        Err(DeviceError::AttestationMismatch { .. })
    ));

    // PIN policy "always" wants a VERIFY right before every signature.
    p.verify_pin(&pin("123456")).unwrap();
    let msg = b"keydesk";
    let sig = p.sign(Slot::Authentication, alg, msg).unwrap();
    verify_signature(&pk, msg, &sig).unwrap();
    if pp == PinPolicy::Always {
        assert!(matches!(
            p.sign(Slot::Authentication, alg, msg),
            Err(DeviceError::AccessDenied { .. })
        ));
    }
    p.verify_pin(&pin("123456")).unwrap();
    let csr = p
        .build_csr(
            Slot::Authentication,
            &pk,
            "CN=Erika Mustermann,O=Stadt Beispiel",
        )
        .unwrap();
    assert!(csr.len() > 100);
    p.verify_pin(&pin("123456")).unwrap();
    let cert = p
        .build_self_signed(
            Slot::Authentication,
            &pk,
            "CN=Erika Mustermann",
            SystemTime::now(),
            365,
        )
        .unwrap();
    p.put_certificate(Slot::Authentication, &cert).unwrap();
    assert_eq!(
        p.read_certificate(Slot::Authentication).unwrap(),
        Some(cert.clone())
    );
    openssl_accepts(&csr, &cert);
    // The office CA's certificate for this key imports; one for another key does not.
    p.import_certificate(Slot::Authentication, &cert).unwrap();
    let other = p
        .generate_key(
            Slot::Signature,
            Algorithm::P256,
            PinPolicy::Never,
            TouchPolicy::Never,
        )
        .unwrap();
    let foreign = p
        .build_self_signed(Slot::Signature, &other, "CN=other", SystemTime::now(), 1)
        .unwrap();
    assert!(matches!(
        p.import_certificate(Slot::Authentication, &foreign),
        Err(DeviceError::CertificateKeyMismatch { .. })
    ));
}

/// openssl (a peer nobody here wrote) checks the CSR's and the self-signed
/// certificate's signatures.
fn openssl_accepts(csr: &[u8], cert: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    std::fs::write(path("csr.der"), csr).unwrap();
    std::fs::write(path("cert.der"), cert).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl (make deps) is needed");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "openssl {args:?}: {text}");
        text
    };
    let text = run(&[
        "req",
        "-inform",
        "DER",
        "-in",
        &path("csr.der"),
        "-verify",
        "-noout",
    ]);
    assert!(text.contains("verify OK"), "{text}");
    run(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        &path("cert.der"),
        "-out",
        &path("cert.pem"),
    ]);
    let text = run(&["verify", "-CAfile", &path("cert.pem"), &path("cert.pem")]);
    assert!(text.contains("OK"), "{text}");
}

#[test]
fn generate_sign_csr_certificate_and_attest() {
    for (fw, v) in PROFILES {
        let mut c = card(fw);
        let mut p = Piv::open(&mut c).unwrap();
        assert_eq!(p.read_certificate(Slot::Authentication).unwrap(), None);
        assert_eq!(p.slot_metadata(Slot::Authentication).unwrap(), None);
        assert!(matches!(
            p.generate_key(
                Slot::Authentication,
                Algorithm::P256,
                PinPolicy::Default,
                TouchPolicy::Default
            ),
            Err(DeviceError::AccessDenied { .. })
        ));
        p.authenticate_default().unwrap();
        generate_and_attest(
            &mut p,
            v,
            Algorithm::P256,
            PinPolicy::Default,
            TouchPolicy::Default,
        );
        generate_and_attest(
            &mut p,
            v,
            Algorithm::P384,
            PinPolicy::Always,
            TouchPolicy::Never,
        );
        generate_and_attest(
            &mut p,
            v,
            Algorithm::Rsa2048,
            PinPolicy::Once,
            TouchPolicy::Cached,
        );
        let r3072 = p.generate_key(
            Slot::Authentication,
            Algorithm::Rsa3072,
            PinPolicy::Default,
            TouchPolicy::Default,
        );
        if v >= Version(5, 7, 0) {
            assert_eq!(r3072.unwrap().algorithm, Algorithm::Rsa3072);
        } else {
            assert!(matches!(r3072, Err(DeviceError::Unsupported { .. })));
        }
    }
}

/// Everything the counter does to a new key, in one go.
fn enrol(t: &mut dyn CardTransport) -> keydesk_device::Result<u64> {
    let mut p = Piv::open(t)?;
    p.authenticate_default()?;
    p.verify_pin(&pin("123456"))?;
    p.set_retries(5, 5)?;
    p.change_pin(&pin("123456"), &pin("24681357"))?;
    p.change_puk(&pin("12345678"), &pin("97531864"))?;
    p.set_pin_protected_management_key(&pin("24681357"))?;
    let pk = p.generate_key(
        Slot::Authentication,
        Algorithm::P256,
        PinPolicy::Once,
        TouchPolicy::Never,
    )?;
    let leaf = p.attest(Slot::Authentication)?;
    let f9 = p.attestation_certificate()?;
    let v = p.version();
    attestation::verify(
        &leaf,
        &f9,
        &sim_anchors(),
        &Expected {
            serial: sn(SERIAL),
            firmware: v,
            slot: Slot::Authentication,
            pin_policy: PinPolicy::Once,
            touch_policy: TouchPolicy::Never,
            form_factor: None,
            public_key: &pk,
        },
    )?;
    let cert = p.build_self_signed(Slot::Authentication, &pk, "CN=Test", SystemTime::now(), 30)?;
    p.put_certificate(Slot::Authentication, &cert)?;
    Ok(p.apdus_sent())
}

#[test]
fn reset_wipes_everything() {
    for (fw, _) in PROFILES {
        let mut c = card(fw);
        enrol(&mut c).unwrap();
        let mut p = Piv::open(&mut c).unwrap();
        p.reset().unwrap();
        assert_eq!(p.read_certificate(Slot::Authentication).unwrap(), None);
        assert_eq!(p.slot_metadata(Slot::Authentication).unwrap(), None);
        assert!(p.pin_retries().unwrap().is_default == Some(true));
        p.verify_pin(&pin("123456")).unwrap();
        p.authenticate_default().unwrap();
        assert!(!p.has_protected_management_key().unwrap());
    }
}

#[test]
fn a_key_pulled_at_any_apdu_gives_key_removed() {
    for (fw, _) in PROFILES {
        let total = enrol(&mut card(fw)).unwrap();
        assert!(total > 15, "an enrolment takes {total} APDUs");
        for at in 1..=total {
            let mut c = card(fw);
            c.0.arm_fault(Fault {
                at,
                kind: FaultKind::Vanish,
            });
            match enrol(&mut c) {
                Err(DeviceError::KeyRemoved) => {}
                other => panic!("{fw:?}: vanish at APDU {at}: {other:?}"),
            }
            // Plugged back in, the key still answers and keeps its counters.
            c.0.replug();
            let mut p = Piv::open(&mut c).unwrap();
            assert!(p.pin_retries().unwrap().remaining >= 1);
        }
        for at in 1..=total {
            let mut c = card(fw);
            c.0.arm_fault(Fault {
                at,
                kind: FaultKind::Fail,
            });
            // A failing APDU is an error (never a panic, never silent success).
            assert!(
                enrol(&mut c).is_err(),
                "{fw:?}: fail at APDU {at} went unnoticed"
            );
        }
    }
}

/// Yubico's root plus the simulator's, as training mode and the tests trust them.
fn sim_anchors() -> TrustAnchors {
    let mut t = TrustAnchors::yubico().unwrap();
    t.add_pem(TEST_ROOT_CA, "keydesk-sim test root").unwrap();
    t
}
