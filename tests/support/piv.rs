//! The PIV enrolment keydesk performs, through keydesk-device on any
//! transport: one sequence shared by the device test and the benchmark, so
//! what the benchmark times is what the test checks.

use std::time::SystemTime;

use keydesk_device::attestation::{self, Expected, TrustAnchors};
use keydesk_device::piv::Piv;
use keydesk_device::CardTransport;
use keydesk_sim::card::TEST_ROOT_CA;
use keydesk_types::{Algorithm, PinPolicy, Secret, Serial, Slot, TouchPolicy};

/// The PIN [`enrol`] sets (from the default 123456).
pub const NEW_PIN: &str = "24681357";
/// The PUK [`enrol`] sets (from the default 12345678).
pub const NEW_PUK: &str = "97531864";

/// Enrol the factory-fresh key `serial` on `t`: PIN and PUK retries 5,
/// PIN/PUK change, PIN-protected management key, P-256 key generation in 9a
/// (PIN once, no touch), attestation verified against the test root, and a
/// self-signed certificate for `subject` stored in 9a. Returns the number of
/// APDUs sent.
pub fn enrol(t: &mut dyn CardTransport, serial: u32, subject: &str) -> u64 {
    let mut p = Piv::open(t).unwrap();
    p.authenticate_default().unwrap();
    p.verify_pin(&Secret::new("123456")).unwrap();
    p.set_retries(5, 5).unwrap();
    p.change_pin(&Secret::new("123456"), &Secret::new(NEW_PIN))
        .unwrap();
    p.change_puk(&Secret::new("12345678"), &Secret::new(NEW_PUK))
        .unwrap();
    p.set_pin_protected_management_key(&Secret::new(NEW_PIN))
        .unwrap();
    let pk = p
        .generate_key(
            Slot::Authentication,
            Algorithm::P256,
            PinPolicy::Once,
            TouchPolicy::Never,
        )
        .unwrap();
    let leaf = p.attest(Slot::Authentication).unwrap();
    let f9 = p.attestation_certificate().unwrap();
    let firmware = p.version();
    attestation::verify(
        &leaf,
        &f9,
        &{
            let mut t = TrustAnchors::yubico().unwrap();
            t.add_pem(TEST_ROOT_CA, "keydesk-sim test root").unwrap();
            t
        },
        &Expected {
            serial: Serial::new(serial).expect("a serial is never 0"),
            firmware,
            slot: Slot::Authentication,
            pin_policy: PinPolicy::Once,
            touch_policy: TouchPolicy::Never,
            form_factor: None,
            public_key: &pk,
        },
    )
    .unwrap();
    let cert = p
        .build_self_signed(Slot::Authentication, &pk, subject, SystemTime::now(), 365)
        .unwrap();
    p.put_certificate(Slot::Authentication, &cert).unwrap();
    p.apdus_sent()
}
