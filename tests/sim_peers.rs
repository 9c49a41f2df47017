//! The virtual key against peers nobody here wrote: ykman, yubico-piv-tool,
//! opensc's pkcs11-tool and openssl, through an isolated pcscd + vpcd and
//! `keydesk-sim serve` processes. Needs root (private mount namespace); see
//! `support`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use keydesk_e2e::{Pcscd, SimProcess};

const MGMT_DEFAULT: &str = "010203040506070801020304050607080102030405060708";
const OPENSC: &str = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so";

fn field<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.trim_start().strip_prefix(label))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {label:?} in:\n{text}"))
}

/// `ykman --device <serial> <args>`, which must succeed; its output.
fn ykman(pcscd: &Pcscd, serial: &str, args: &[&str]) -> String {
    pcscd.ok("ykman", &[&["--device", serial], args].concat())
}

/// `ykman piv access change-pin` from `old` to `new`.
fn change_pin(pcscd: &Pcscd, serial: &str, old: &str, new: &str) {
    let args = ["piv", "access", "change-pin", "-P", old, "-n", new];
    ykman(pcscd, serial, &args);
}

/// `ykman piv keys generate` of an `algorithm` key in `slot`, authenticated
/// with the default management key; `policies` go before the slot
/// (`--pin-policy …`), the public key is written to `pubkey`.
fn generate_key(
    pcscd: &Pcscd,
    serial: &str,
    algorithm: &str,
    policies: &[&str],
    slot: &str,
    pubkey: &str,
) {
    let head = [
        "piv",
        "keys",
        "generate",
        "-m",
        MGMT_DEFAULT,
        "-a",
        algorithm,
    ];
    ykman(
        pcscd,
        serial,
        &[&head[..], policies, &[slot, pubkey]].concat(),
    );
}

/// `ykman piv certificates generate`: a certificate for `subject`, self-signed
/// by the key in `slot` (public key in `pubkey`), with the default management
/// key and `pin`.
fn self_sign(pcscd: &Pcscd, serial: &str, pin: &str, subject: &str, slot: &str, pubkey: &str) {
    let head = ["piv", "certificates", "generate", "-m", MGMT_DEFAULT];
    let tail = ["-P", pin, "-s", subject, slot, pubkey];
    ykman(pcscd, serial, &[&head[..], &tail].concat());
}

/// `ykman piv certificates export` of `slot` to `file`.
fn export_cert(pcscd: &Pcscd, serial: &str, slot: &str, file: &str) {
    ykman(
        pcscd,
        serial,
        &["piv", "certificates", "export", slot, file],
    );
}

#[test]
fn ykman_info_shows_serial_firmware_and_form_factor_of_two_keys() {
    let pcscd = Pcscd::start();
    let _a = SimProcess::start(&pcscd, 0, 10_000_543, "5.4.3");
    let _b = SimProcess::start(&pcscd, 1, 10_000_571, "5.7.1");
    for (serial, fw) in [("10000543", "5.4.3"), ("10000571", "5.7.1")] {
        let info = ykman(&pcscd, serial, &["info"]);
        assert_eq!(field(&info, "Serial number:"), serial, "{info}");
        assert_eq!(field(&info, "Firmware version:"), fw, "{info}");
        assert_eq!(field(&info, "Form factor:"), "Keychain (USB-A)", "{info}");
        assert_eq!(field(&info, "Device type:"), "YubiKey 5 NFC", "{info}");
        assert!(info.contains("PIV         \tEnabled"), "{info}");
    }
    let list = pcscd.ok("ykman", &["list", "--serials"]);
    let mut serials: Vec<&str> = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    serials.sort_unstable();
    assert_eq!(serials, ["10000543", "10000571"]);
}

#[test]
fn ykman_piv_pin_change_keygen_and_info_on_both_firmware_profiles() {
    let pcscd = Pcscd::start();
    let _a = SimProcess::start(&pcscd, 0, 20_000_543, "5.4.3");
    let _b = SimProcess::start(&pcscd, 1, 20_000_571, "5.7.1");
    for (serial, algo) in [("20000543", "TDES"), ("20000571", "AES192")] {
        let info = ykman(&pcscd, serial, &["piv", "info"]);
        assert_eq!(field(&info, "Management key algorithm:"), algo, "{info}");
        assert!(info.contains("WARNING: Using default PIN!"), "{info}");
        assert_eq!(field(&info, "PIN tries remaining:"), "3/3", "{info}");

        change_pin(&pcscd, serial, "123456", "24681357");
        let pubkey = pcscd.dir().join(format!("{serial}.pem"));
        let pubkey = pubkey.to_str().unwrap();
        generate_key(&pcscd, serial, "ECCP256", &[], "9a", pubkey);
        // A self-signed certificate needs a signature by the new key (PIN policy ONCE).
        self_sign(&pcscd, serial, "24681357", "CN=keydesk e2e", "9a", pubkey);
        let info = ykman(&pcscd, serial, &["piv", "info"]);
        assert!(!info.contains("Using default PIN"), "{info}");
        assert!(info.contains("Slot 9a:"), "{info}");
        assert_eq!(field(&info, "Algorithm:"), "ECCP256", "{info}");
        assert_eq!(field(&info, "Subject DN:"), "CN=keydesk e2e", "{info}");
        // The certificate's key is the generated one.
        let cert = pcscd.dir().join(format!("{serial}-cert.pem"));
        export_cert(&pcscd, serial, "9a", cert.to_str().unwrap());
        let from_cert = pcscd.ok(
            "openssl",
            &["x509", "-in", cert.to_str().unwrap(), "-noout", "-pubkey"],
        );
        let generated = std::fs::read_to_string(pubkey).unwrap();
        assert_eq!(from_cert.trim(), generated.trim());
    }
}

#[test]
fn yubico_piv_tool_status_verify_and_generate_on_5_4_3() {
    let pcscd = Pcscd::start();
    let _k = SimProcess::start(&pcscd, 0, 30_000_543, "5.4.3");
    let tool = |args: &[&str]| {
        let out = pcscd.run("yubico-piv-tool", &[&["-r", "Yubico"], args].concat());
        (out.status.success(), keydesk_e2e::text(&out))
    };
    let (ok, status) = tool(&["-a", "status"]);
    assert!(ok, "{status}");
    assert_eq!(field(&status, "Version:"), "5.4.3");
    assert_eq!(field(&status, "Serial Number:"), "30000543");
    assert_eq!(field(&status, "PIN tries left:"), "3");

    let (ok, out) = tool(&["-a", "verify-pin", "-P", "999999"]);
    assert!(!ok, "{out}");
    assert!(out.contains("2 tries left"), "{out}");
    let (_, status) = tool(&["-a", "status"]);
    assert_eq!(field(&status, "PIN tries left:"), "2");
    let (ok, out) = tool(&["-a", "verify-pin", "-P", "999999"]);
    assert!(!ok && out.contains("1 tries left"), "{out}");
    let (ok, out) = tool(&["-a", "verify-pin", "-P", "123456"]);
    assert!(ok && out.contains("Successfully verified PIN"), "{out}");
    let (_, status) = tool(&["-a", "status"]);
    assert_eq!(
        field(&status, "PIN tries left:"),
        "3",
        "a right PIN resets the counter"
    );

    // Key generation with the default 3DES management key (yubico-piv-tool 2.2 speaks only 3DES).
    let (ok, out) = tool(&[
        "-a",
        "generate",
        "-s",
        "9c",
        "-A",
        "ECCP384",
        &format!("--key={MGMT_DEFAULT}"),
    ]);
    assert!(ok, "{out}");
    assert!(out.contains("BEGIN PUBLIC KEY"), "{out}");
    let info = ykman(&pcscd, "30000543", &["piv", "info"]);
    assert_eq!(field(&info, "PIN tries remaining:"), "3/3", "{info}");

    // RSA-2048: generate here, then a self-signed certificate with ykman
    // (raw RSA on the card). yubico-piv-tool 2.2's own selfsign fails on the
    // host with OpenSSL 3 before it sends anything, so it is not used.
    let (pubkey, cert) = (
        pcscd.dir().join("rsa.pem"),
        pcscd.dir().join("rsa-cert.pem"),
    );
    let (pubkey, cert) = (pubkey.to_str().unwrap(), cert.to_str().unwrap());
    let (ok, out) = tool(&[
        "-a",
        "generate",
        "-s",
        "9a",
        "-A",
        "RSA2048",
        "-o",
        pubkey,
        &format!("--key={MGMT_DEFAULT}"),
    ]);
    assert!(ok, "{out}");
    self_sign(&pcscd, "30000543", "123456", "CN=rsa e2e", "9a", pubkey);
    export_cert(&pcscd, "30000543", "9a", cert);
    let verify = pcscd.ok("openssl", &["verify", "-CAfile", cert, cert]);
    assert!(verify.contains(": OK"), "{verify}");
}

#[test]
fn pkcs11_tool_lists_the_piv_token() {
    let pcscd = Pcscd::start();
    let _k = SimProcess::start(&pcscd, 0, 40_000_571, "5.7.1");
    let out = pcscd.ok("pkcs11-tool", &["--module", OPENSC, "-L"]);
    assert!(out.contains("Yubico YubiKey OTP+FIDO+CCID"), "{out}");
    assert!(out.contains("token manufacturer : piv_II"), "{out}");
    assert!(out.contains("PIN initialized"), "{out}");
}

#[test]
fn attestation_chains_to_the_test_root_with_openssl() {
    let pcscd = Pcscd::start();
    let _k = SimProcess::start(&pcscd, 0, 50_000_571, "5.7.1");
    let serial = "50000571";
    let d = pcscd.dir();
    let (pubkey, att, f9, root) = (
        d.join("pub.pem"),
        d.join("att.pem"),
        d.join("f9.pem"),
        d.join("root.pem"),
    );
    std::fs::write(&root, keydesk_sim::card::TEST_ROOT_CA).unwrap();
    let policies = ["--touch-policy", "ALWAYS", "--pin-policy", "NEVER"];
    let pubkey_file = pubkey.to_str().unwrap();
    generate_key(&pcscd, serial, "ECCP384", &policies, "9d", pubkey_file);
    ykman(
        &pcscd,
        serial,
        &["piv", "keys", "attest", "9d", att.to_str().unwrap()],
    );
    export_cert(&pcscd, serial, "f9", f9.to_str().unwrap());
    let verify = pcscd.ok(
        "openssl",
        &[
            "verify",
            "-CAfile",
            root.to_str().unwrap(),
            "-untrusted",
            f9.to_str().unwrap(),
            att.to_str().unwrap(),
        ],
    );
    assert!(verify.contains(": OK"), "{verify}");
    let text = pcscd.ok(
        "openssl",
        &[
            "x509",
            "-in",
            att.to_str().unwrap(),
            "-noout",
            "-text",
            "-certopt",
            "ext_dump",
        ],
    );
    assert!(text.contains("CN = YubiKey PIV Attestation 9d"), "{text}");
    // Serial 50000571 = 0x02FAF2BB as a DER INTEGER; firmware 05 07 01; policy NEVER/ALWAYS.
    let compact: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        compact.contains("1.3.6.1.4.1.41482.3.7: 0000 - 02 04 02 fa f2 bb"),
        "{text}"
    );
    assert!(
        compact.contains("1.3.6.1.4.1.41482.3.3: 0000 - 05 07 01"),
        "{text}"
    );
    assert!(
        compact.contains("1.3.6.1.4.1.41482.3.8: 0000 - 01 02"),
        "{text}"
    );
    // The attested key is the generated one.
    let from_att = pcscd.ok(
        "openssl",
        &["x509", "-in", att.to_str().unwrap(), "-noout", "-pubkey"],
    );
    assert_eq!(
        from_att.trim(),
        std::fs::read_to_string(&pubkey).unwrap().trim()
    );
}

#[test]
fn state_survives_sigterm_and_restart() {
    let pcscd = Pcscd::start();
    let mut k = SimProcess::start(&pcscd, 0, 60_000_543, "5.4.3");
    change_pin(&pcscd, "60000543", "123456", "11223344");
    let status = k.stop();
    assert!(
        status.success(),
        "SIGTERM must exit cleanly: {status}\n{}",
        k.log()
    );
    assert!(k.state.exists());
    drop(k);
    let _k = SimProcess::start_with(&pcscd, 0, 60_000_543, &[]);
    let out = pcscd.run(
        "yubico-piv-tool",
        &["-r", "Yubico", "-a", "verify-pin", "-P", "123456"],
    );
    assert!(!out.status.success(), "old PIN must fail after replug");
    let out = pcscd.run(
        "yubico-piv-tool",
        &["-r", "Yubico", "-a", "verify-pin", "-P", "11223344"],
    );
    assert!(out.status.success(), "{}", keydesk_e2e::text(&out));
    let info = ykman(&pcscd, "60000543", &["info"]);
    assert_eq!(
        field(&info, "Firmware version:"),
        "5.4.3",
        "firmware comes from the state file"
    );
}

#[test]
fn ykman_piv_reset_blocks_pin_and_puk_first_and_set_retries_applies() {
    let pcscd = Pcscd::start();
    let _k = SimProcess::start(&pcscd, 0, 70_000_571, "5.7.1");
    let serial = "70000571";
    change_pin(&pcscd, serial, "123456", "86420975");
    let set_retries = ["piv", "access", "set-retries", "5", "4", "-m", MGMT_DEFAULT];
    ykman(
        &pcscd,
        serial,
        &[&set_retries[..], &["-P", "86420975", "-f"]].concat(),
    );
    let info = ykman(&pcscd, serial, &["piv", "info"]);
    assert_eq!(field(&info, "PIN tries remaining:"), "5/5", "{info}");
    assert!(
        info.contains("Using default PIN"),
        "set-retries restores the default PIN: {info}"
    );
    // ykman's reset blocks PIN and PUK with wrong values, then resets.
    let out = ykman(&pcscd, serial, &["piv", "reset", "-f"]);
    assert!(out.contains("Success"), "{out}");
    let info = ykman(&pcscd, serial, &["piv", "info"]);
    assert_eq!(field(&info, "PIN tries remaining:"), "3/3", "{info}");
    assert_eq!(
        field(&info, "Management key algorithm:"),
        "AES192",
        "{info}"
    );
}

#[test]
fn pkcs11_tool_signs_with_a_generated_key_and_openssl_verifies() {
    let pcscd = Pcscd::start();
    let _k = SimProcess::start(&pcscd, 0, 80_000_543, "5.4.3");
    let serial = "80000543";
    let d = pcscd.dir();
    let (pubkey, data, sig) = (d.join("pub.pem"), d.join("data"), d.join("sig"));
    let pubkey = pubkey.to_str().unwrap();
    std::fs::write(&data, b"keydesk signs this").unwrap();
    generate_key(&pcscd, serial, "ECCP256", &[], "9a", pubkey);
    self_sign(&pcscd, serial, "123456", "CN=pkcs11", "9a", pubkey);
    let out = pcscd.ok(
        "pkcs11-tool",
        &[
            "--module",
            OPENSC,
            "--login",
            "--pin",
            "123456",
            "--sign",
            "--id",
            "01",
            "--mechanism",
            "ECDSA-SHA256",
            "--signature-format",
            "openssl",
            "--input-file",
            data.to_str().unwrap(),
            "--output-file",
            sig.to_str().unwrap(),
        ],
    );
    assert!(std::fs::metadata(&sig).unwrap().len() > 60, "{out}");
    let verify = pcscd.ok(
        "openssl",
        &[
            "dgst",
            "-sha256",
            "-verify",
            pubkey,
            "-signature",
            sig.to_str().unwrap(),
            data.to_str().unwrap(),
        ],
    );
    assert!(verify.contains("Verified OK"), "{verify}");
}
