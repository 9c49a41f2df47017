//! Tests of discoverable credentials: credential management (0x0A and the
//! 5.4.3 prototype 0x41), assertions verified with the credential key, the
//! signature counter, allowList and excludeList.

use ciborium::Value;
use keydesk_sim::fido::status;
use keydesk_sim::{Firmware, Touch};
use p256::ecdsa::signature::Verifier;
use sha2::{Digest, Sha256};

use crate::fido_client::*;

const V5_7: Firmware = Firmware::V5_7_1;
const V5_4: Firmware = Firmware::V5_4_3;

fn cm(d: &mut Dev, cmd: u8, tok: &[u8], sub: i64, params: Option<Value>) -> (u8, Option<Value>) {
    let mut msg = vec![sub as u8];
    if let Some(p) = &params {
        msg.extend(encode(p));
    }
    let proto = if cmd == 0x41 { 1 } else { 2 };
    let mut m = vec![(1, int(sub))];
    if let Some(p) = params {
        m.push((2, p));
    }
    m.push((3, int(proto)));
    m.push((4, bytes(&Pin::auth(proto as u8, tok, &msg))));
    d.ctap(cmd, Some(imap(m)))
}

#[test]
fn credential_management_lists_and_deletes_resident_credentials() {
    for (fw, cmd, proto, max) in [(V5_7, 0x0Au8, 2u8, 100), (V5_4, 0x41, 1, 25)] {
        let mut d = dev(fw, Touch::Auto);
        assert_eq!(set_pin(&mut d, proto, "1234"), 0);
        let (_, tok) = token(&mut d, proto, "1234", None);
        for (rp, user) in [
            ("a.example", b"u1"),
            ("a.example", b"u2"),
            ("b.example", b"u1"),
        ] {
            let (_, tok) = token(&mut d, proto, "1234", None);
            d.ok(0x01, Some(make_params(rp, user, true, Some((proto, &tok)))));
        }
        let _ = tok;
        let perms = (fw == V5_7).then_some((0x04u8, None));
        let (st, tok) = token(&mut d, proto, "1234", perms);
        assert_eq!(st, 0);
        let meta = cm(&mut d, cmd, &tok, 1, None).1.unwrap();
        assert_eq!(
            (
                as_int(get(&meta, 1).unwrap()),
                as_int(get(&meta, 2).unwrap())
            ),
            (3, max - 3)
        );
        let first = cm(&mut d, cmd, &tok, 2, None).1.unwrap();
        assert_eq!(as_int(get(&first, 5).unwrap()), 2);
        let next = d.ok(cmd, Some(imap(vec![(1, int(3))]))).unwrap();
        let mut rps: Vec<_> = [&first, &next]
            .iter()
            .map(|v| {
                gets(get(v, 3).unwrap(), "id")
                    .unwrap()
                    .as_text()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        rps.sort();
        assert_eq!(rps, ["a.example", "b.example"]);
        assert_eq!(
            d.ctap(cmd, Some(imap(vec![(1, int(3))]))).0,
            status::NOT_ALLOWED
        );
        let hash = Sha256::digest(b"a.example").to_vec();
        let c1 = cm(&mut d, cmd, &tok, 4, Some(imap(vec![(1, bytes(&hash))])))
            .1
            .unwrap();
        assert_eq!(as_int(get(&c1, 9).unwrap()), 2);
        assert_eq!(
            gets(get(&c1, 6).unwrap(), "name").unwrap().as_text(),
            Some("alice")
        );
        let c2 = d.ok(cmd, Some(imap(vec![(1, int(5))]))).unwrap();
        let id = gets(get(&c2, 7).unwrap(), "id").unwrap().clone();
        let del = imap(vec![(
            2,
            tmap(vec![("id", id.clone()), ("type", text("public-key"))]),
        )]);
        assert_eq!(cm(&mut d, cmd, &tok, 6, Some(del.clone())).0, 0);
        assert_eq!(
            cm(&mut d, cmd, &tok, 6, Some(del)).0,
            status::NO_CREDENTIALS
        );
        let meta = cm(&mut d, cmd, &tok, 1, None).1.unwrap();
        assert_eq!(as_int(get(&meta, 1).unwrap()), 2);
        // A wrong pinUvAuthParam is refused.
        assert_eq!(
            cm(&mut d, cmd, &[0; 32], 1, None).0,
            status::PIN_AUTH_INVALID
        );
    }
    let mut old = dev(V5_4, Touch::Auto);
    assert_eq!(
        old.ctap(0x0A, Some(imap(vec![(1, int(1))]))).0,
        status::INVALID_COMMAND
    );
}

fn verify(cose: &Value, data: &[u8], sig: &[u8]) -> bool {
    let mut sec1 = vec![4];
    sec1.extend(get(cose, -2).unwrap().as_bytes().unwrap());
    sec1.extend(get(cose, -3).unwrap().as_bytes().unwrap());
    let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).unwrap();
    let sig = p256::ecdsa::Signature::from_der(sig).unwrap();
    vk.verify(data, &sig).is_ok()
}

#[test]
fn assertions_verify_with_the_credential_key_and_count_up() {
    let mut d = dev(V5_7, Touch::Auto);
    let cdh = Sha256::digest(b"client data").to_vec();
    let mut keys = Vec::new();
    for (user, rk) in [(&b"u1"[..], true), (b"u2", true), (b"u3", false)] {
        let r = d
            .ok(0x01, Some(make_params("example.com", user, rk, None)))
            .unwrap();
        let ad = get(&r, 2).unwrap().as_bytes().unwrap().clone();
        let att = get(&r, 3).unwrap();
        assert_eq!(ad[32], 0x41, "UP and AT");
        let id_len = usize::from(u16::from_be_bytes([ad[53], ad[54]]));
        let id = ad[55..55 + id_len].to_vec();
        let cose: Value = ciborium::de::from_reader(&ad[55 + id_len..]).unwrap();
        assert!(verify(
            &cose,
            &[ad.clone(), cdh.clone()].concat(),
            gets(att, "sig").unwrap().as_bytes().unwrap()
        ));
        keys.push((id, cose));
    }
    // Discoverable: newest first, with a count, then getNextAssertion.
    let ga = imap(vec![(1, text("example.com")), (2, bytes(&cdh))]);
    let a1 = d.ok(0x02, Some(ga.clone())).unwrap();
    assert_eq!(as_int(get(&a1, 5).unwrap()), 2);
    let a2 = d.ok(0x08, None).unwrap();
    assert_eq!(d.ctap(0x08, None).0, status::NOT_ALLOWED);
    let mut last = 0;
    for (a, (id, cose)) in [(&a1, &keys[1]), (&a2, &keys[0])] {
        assert_eq!(
            gets(get(a, 1).unwrap(), "id").unwrap().as_bytes().unwrap(),
            id
        );
        let ad = get(a, 2).unwrap().as_bytes().unwrap();
        let count = u32::from_be_bytes(ad[33..37].try_into().unwrap());
        assert!(count > last);
        last = count;
        assert!(verify(
            cose,
            &[ad.clone(), cdh.clone()].concat(),
            get(a, 3).unwrap().as_bytes().unwrap()
        ));
    }
    // Non-discoverable through the allowList; not for another RP.
    let allow = Value::Array(vec![tmap(vec![
        ("id", bytes(&keys[2].0)),
        ("type", text("public-key")),
    ])]);
    let a3 = d
        .ok(
            0x02,
            Some(imap(vec![
                (1, text("example.com")),
                (2, bytes(&cdh)),
                (3, allow.clone()),
            ])),
        )
        .unwrap();
    let ad = get(&a3, 2).unwrap().as_bytes().unwrap();
    assert!(verify(
        &keys[2].1,
        &[ad.clone(), cdh.clone()].concat(),
        get(&a3, 3).unwrap().as_bytes().unwrap()
    ));
    assert!(get(&a3, 5).is_none());
    let (st, _) = d.ctap(
        0x02,
        Some(imap(vec![
            (1, text("evil.com")),
            (2, bytes(&cdh)),
            (3, allow),
        ])),
    );
    assert_eq!(st, status::NO_CREDENTIALS);
    // excludeList hits an existing credential.
    let mut p = make_params("example.com", b"u9", false, None);
    if let Value::Map(m) = &mut p {
        m.push((
            int(5),
            Value::Array(vec![tmap(vec![
                ("id", bytes(&keys[0].0)),
                ("type", text("public-key")),
            ])]),
        ));
    }
    assert_eq!(d.ctap(0x01, Some(p)).0, status::CREDENTIAL_EXCLUDED);
}

/// getAssertion with hmac-secret for salt; returns (status, decrypted output).
fn hmac_secret(
    d: &mut Dev,
    proto: u8,
    cred_id: &[u8],
    salt: &[u8],
    uv_token: Option<&[u8]>,
    bad_auth: bool,
) -> (u8, Vec<u8>) {
    let s = Pin::agree(d, proto);
    let salt_enc = s.encrypt(salt);
    let mut salt_auth = Pin::auth(proto, &s.secret, &salt_enc);
    if bad_auth {
        salt_auth[0] ^= 1;
    }
    let ext = tmap(vec![(
        "hmac-secret",
        imap(vec![
            (1, s.platform_cose.clone()),
            (2, bytes(&salt_enc)),
            (3, bytes(&salt_auth)),
            (4, int(proto.into())),
        ]),
    )]);
    let cdh = Sha256::digest(b"client data").to_vec();
    let allow = Value::Array(vec![tmap(vec![
        ("id", bytes(cred_id)),
        ("type", text("public-key")),
    ])]);
    let mut p = vec![
        (1, text("example.com")),
        (2, bytes(&cdh)),
        (3, allow),
        (4, ext),
    ];
    if let Some(tok) = uv_token {
        p.push((6, bytes(&Pin::auth(proto, tok, &cdh))));
        p.push((7, int(proto.into())));
    }
    let (st, v) = d.ctap(0x02, Some(imap(p)));
    let Some(v) = v else { return (st, Vec::new()) };
    let ad = get(&v, 2).unwrap().as_bytes().unwrap();
    assert_eq!(ad[32] & 0x80, 0x80, "ED flag");
    let ext: Value = ciborium::de::from_reader(&ad[37..]).unwrap();
    (
        st,
        s.decrypt(gets(&ext, "hmac-secret").unwrap().as_bytes().unwrap()),
    )
}

#[test]
fn hmac_secret_gives_a_stable_secret_per_salt_and_uv_state() {
    for (fw, proto) in [(V5_7, 2u8), (V5_7, 1), (V5_4, 1)] {
        let mut d = dev(fw, Touch::Auto);
        let mut p = make_params("example.com", b"u", false, None);
        if let Value::Map(m) = &mut p {
            m.push((int(6), tmap(vec![("hmac-secret", Value::Bool(true))])));
        }
        let r = d.ok(0x01, Some(p)).unwrap();
        let ad = get(&r, 2).unwrap().as_bytes().unwrap().clone();
        assert_eq!(ad[32] & 0x80, 0x80, "ED flag on makeCredential");
        let id_len = usize::from(u16::from_be_bytes([ad[53], ad[54]]));
        let id = ad[55..55 + id_len].to_vec();
        let mut rest = &ad[55 + id_len..];
        let _cose: Value = ciborium::de::from_reader(&mut rest).unwrap();
        let ext: Value = ciborium::de::from_reader(rest).unwrap();
        assert_eq!(gets(&ext, "hmac-secret").unwrap().as_bool(), Some(true));

        let (st, a) = hmac_secret(&mut d, proto, &id, &[1; 32], None, false);
        assert_eq!((st, a.len()), (0, 32));
        let (_, b) = hmac_secret(&mut d, proto, &id, &[1; 32], None, false);
        assert_eq!(a, b, "same salt, same output");
        let (_, two) = hmac_secret(
            &mut d,
            proto,
            &id,
            &[[1; 32], [2; 32]].concat(),
            None,
            false,
        );
        assert_eq!(two.len(), 64);
        assert_eq!(
            &two[..32],
            &a[..],
            "salt1 output is the same with two salts"
        );
        assert_ne!(&two[32..], &a[..]);
        let (st, _) = hmac_secret(&mut d, proto, &id, &[1; 32], None, true);
        assert_eq!(st, status::PIN_AUTH_INVALID);
        // With user verification the credential uses its other secret.
        assert_eq!(set_pin(&mut d, proto, "1234"), 0);
        let (_, tok) = token(&mut d, proto, "1234", None);
        let (st, uv) = hmac_secret(&mut d, proto, &id, &[1; 32], Some(&tok), false);
        assert_eq!(st, 0);
        assert_ne!(uv, a);
    }
}
