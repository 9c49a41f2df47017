//! A small test-only CTAPHID + CTAP2 client for the in-process authenticator,
//! written from the CTAP 2.1 specification independently of the simulator's
//! own code: framing, CBOR commands and PIN/UV auth protocols 1 and 2.

use std::sync::Arc;
use std::time::Duration;

use aes::Aes256;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use ciborium::Value;
use hmac::{Hmac, Mac};
use keydesk_sim::clock::ManualClock;
use keydesk_sim::fido::Authenticator;
use keydesk_sim::{Firmware, Identity, Touch};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use sha2::{Digest, Sha256};

pub const BROADCAST: u32 = 0xFFFF_FFFF;
pub const PING: u8 = 0x81;
pub const MSG: u8 = 0x83;
pub const INIT: u8 = 0x86;
pub const WINK: u8 = 0x88;
pub const CBOR: u8 = 0x90;
pub const CANCEL: u8 = 0x91;
pub const KEEPALIVE: u8 = 0xBB;
pub const ERROR: u8 = 0xBF;

/// One device with its manual clock and an allocated channel.
pub struct Dev {
    pub a: Authenticator,
    pub clock: ManualClock,
    pub cid: u32,
}

pub fn dev(fw: Firmware, touch: Touch) -> Dev {
    let clock = ManualClock::new();
    let id = Identity::yubikey_5_nfc(12_345_678, fw);
    let a = Authenticator::new(&id, touch, Arc::new(clock.clone()));
    let mut d = Dev { a, clock, cid: 0 };
    d.cid = d.init();
    d
}

pub fn packets(cid: u32, cmd: u8, payload: &[u8]) -> Vec<[u8; 64]> {
    let mut out = Vec::new();
    let mut r = [0u8; 64];
    r[..4].copy_from_slice(&cid.to_be_bytes());
    r[4] = cmd;
    r[5..7].copy_from_slice(&(payload.len() as u16).to_be_bytes());
    let n = payload.len().min(57);
    r[7..7 + n].copy_from_slice(&payload[..n]);
    out.push(r);
    for (seq, chunk) in payload[n..].chunks(59).enumerate() {
        let mut c = [0u8; 64];
        c[..4].copy_from_slice(&cid.to_be_bytes());
        c[4] = seq as u8;
        c[5..5 + chunk.len()].copy_from_slice(chunk);
        out.push(c);
    }
    out
}

impl Dev {
    pub fn send(&mut self, cid: u32, cmd: u8, payload: &[u8]) {
        for p in packets(cid, cmd, payload) {
            self.a.send_report(&p);
        }
    }

    /// Receive one whole message (cid, cmd, payload), or None when nothing is queued.
    pub fn recv(&mut self) -> Option<(u32, u8, Vec<u8>)> {
        let first = self.a.recv_report()?;
        let cid = u32::from_be_bytes(first[..4].try_into().unwrap());
        let cmd = first[4];
        let len = usize::from(u16::from_be_bytes([first[5], first[6]]));
        let mut data = first[7..7 + len.min(57)].to_vec();
        let mut seq = 0u8;
        while data.len() < len {
            let c = self.a.recv_report().expect("continuation packet");
            assert_eq!(u32::from_be_bytes(c[..4].try_into().unwrap()), cid);
            assert_eq!(c[4], seq);
            seq += 1;
            let n = (len - data.len()).min(59);
            data.extend_from_slice(&c[5..5 + n]);
        }
        Some((cid, cmd, data))
    }

    pub fn init(&mut self) -> u32 {
        let nonce = [1, 2, 3, 4, 5, 6, 7, 8];
        self.send(BROADCAST, INIT, &nonce);
        let (cid, cmd, data) = self.recv().unwrap();
        assert_eq!((cid, cmd), (BROADCAST, INIT));
        assert_eq!(&data[..8], &nonce);
        u32::from_be_bytes(data[8..12].try_into().unwrap())
    }

    /// Send a CTAP2 command and wait for the answer, skipping keepalives.
    /// Returns (status, response).
    pub fn ctap(&mut self, cmd: u8, params: Option<Value>) -> (u8, Option<Value>) {
        self.start(cmd, params);
        self.finish()
    }

    pub fn start(&mut self, cmd: u8, params: Option<Value>) {
        let mut req = vec![cmd];
        if let Some(p) = params {
            ciborium::ser::into_writer(&p, &mut req).unwrap();
        }
        let cid = self.cid;
        self.send(cid, CBOR, &req);
    }

    pub fn finish(&mut self) -> (u8, Option<Value>) {
        loop {
            let (cid, cmd, data) = self.recv().expect("a response is queued");
            assert_eq!(cid, self.cid);
            match cmd {
                KEEPALIVE => continue,
                CBOR => {
                    let v =
                        (data.len() > 1).then(|| ciborium::de::from_reader(&data[1..]).unwrap());
                    return (data[0], v);
                }
                other => panic!("unexpected CTAPHID command {other:#x}: {data:?}"),
            }
        }
    }

    pub fn ok(&mut self, cmd: u8, params: Option<Value>) -> Option<Value> {
        let (s, v) = self.ctap(cmd, params);
        assert_eq!(s, 0, "CTAP2 status");
        v
    }

    pub fn info(&mut self) -> Value {
        self.ok(0x04, None).unwrap()
    }

    pub fn advance(&self, ms: u64) {
        self.clock.advance(Duration::from_millis(ms));
    }
}

// ---- CBOR helpers ----

pub fn int(n: i64) -> Value {
    Value::Integer(n.into())
}
pub fn text(s: &str) -> Value {
    Value::Text(s.into())
}
pub fn bytes(b: &[u8]) -> Value {
    Value::Bytes(b.to_vec())
}
pub fn imap(e: Vec<(i64, Value)>) -> Value {
    Value::Map(e.into_iter().map(|(k, v)| (int(k), v)).collect())
}
pub fn tmap(e: Vec<(&str, Value)>) -> Value {
    Value::Map(e.into_iter().map(|(k, v)| (text(k), v)).collect())
}
pub fn get(v: &Value, k: i64) -> Option<&Value> {
    v.as_map()?
        .iter()
        .find(|(kk, _)| kk.as_integer() == Some(k.into()))
        .map(|(_, v)| v)
}
pub fn gets<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    v.as_map()?
        .iter()
        .find(|(kk, _)| kk.as_text() == Some(k))
        .map(|(_, v)| v)
}
pub fn as_int(v: &Value) -> i64 {
    i64::try_from(v.as_integer().unwrap()).unwrap()
}
pub fn encode(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(v, &mut out).unwrap();
    out
}

// ---- PIN/UV auth protocols (CTAP 2.1 6.5.6 / 6.5.7) ----

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut m = <HmacSha256 as Mac>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

/// A PIN session: protocol and shared secret.
pub struct Pin {
    pub protocol: u8,
    pub secret: Vec<u8>,
    pub platform_cose: Value,
}

impl Pin {
    /// Do getKeyAgreement and ECDH with a fresh platform key.
    pub fn agree(d: &mut Dev, protocol: u8) -> Pin {
        let r = d
            .ok(
                0x06,
                Some(imap(vec![(1, int(protocol.into())), (2, int(2))])),
            )
            .unwrap();
        let ka = get(&r, 1).unwrap();
        assert_eq!(as_int(get(ka, 3).unwrap()), -25);
        let x = get(ka, -2).unwrap().as_bytes().unwrap().clone();
        let y = get(ka, -3).unwrap().as_bytes().unwrap().clone();
        let mut sec1 = vec![4];
        sec1.extend(x);
        sec1.extend(y);
        let theirs = p256::PublicKey::from_sec1_bytes(&sec1).unwrap();
        let ours = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let z = p256::ecdh::diffie_hellman(ours.to_nonzero_scalar(), theirs.as_affine());
        let z = z.raw_secret_bytes().to_vec();
        let secret = if protocol == 1 {
            Sha256::digest(&z).to_vec()
        } else {
            let prk = hmac(&[0u8; 32], &[&z]);
            let mut s = hmac(&prk, &[b"CTAP2 HMAC key", &[1]]);
            s.extend(hmac(&prk, &[b"CTAP2 AES key", &[1]]));
            s
        };
        let p = ours.public_key().to_encoded_point(false);
        let platform_cose = imap(vec![
            (1, int(2)),
            (3, int(-25)),
            (-1, int(1)),
            (-2, bytes(p.x().unwrap())),
            (-3, bytes(p.y().unwrap())),
        ]);
        Pin {
            protocol,
            secret,
            platform_cose,
        }
    }

    fn aes_key(&self) -> &[u8] {
        if self.protocol == 1 {
            &self.secret
        } else {
            &self.secret[32..]
        }
    }

    pub fn encrypt(&self, data: &[u8]) -> Vec<u8> {
        let iv: [u8; 16] = if self.protocol == 1 {
            [0; 16]
        } else {
            rand::random()
        };
        let ct = cbc::Encryptor::<Aes256>::new_from_slices(self.aes_key(), &iv)
            .unwrap()
            .encrypt_padded_vec_mut::<NoPadding>(data);
        if self.protocol == 1 {
            ct
        } else {
            [iv.to_vec(), ct].concat()
        }
    }

    pub fn decrypt(&self, data: &[u8]) -> Vec<u8> {
        let (iv, ct) = if self.protocol == 1 {
            (&[0u8; 16][..], data)
        } else {
            data.split_at(16)
        };
        cbc::Decryptor::<Aes256>::new_from_slices(self.aes_key(), iv)
            .unwrap()
            .decrypt_padded_vec_mut::<NoPadding>(ct)
            .unwrap()
    }

    /// authenticate(key, message) of the protocol.
    pub fn auth(protocol: u8, key: &[u8], msg: &[u8]) -> Vec<u8> {
        if protocol == 1 {
            hmac(key, &[msg])[..16].to_vec()
        } else {
            hmac(&key[..32], &[msg])
        }
    }

    pub fn padded(pin: &str) -> Vec<u8> {
        let mut p = pin.as_bytes().to_vec();
        p.resize(64, 0);
        p
    }

    pub fn pin_hash(pin: &str) -> Vec<u8> {
        Sha256::digest(pin.as_bytes())[..16].to_vec()
    }
}

/// setPIN; returns the status.
pub fn set_pin(d: &mut Dev, protocol: u8, pin: &str) -> u8 {
    let s = Pin::agree(d, protocol);
    let enc = s.encrypt(&Pin::padded(pin));
    let auth = Pin::auth(protocol, &s.secret, &enc);
    d.ctap(
        0x06,
        Some(imap(vec![
            (1, int(protocol.into())),
            (2, int(3)),
            (3, s.platform_cose.clone()),
            (4, bytes(&auth)),
            (5, bytes(&enc)),
        ])),
    )
    .0
}

/// changePIN; returns the status.
pub fn change_pin(d: &mut Dev, protocol: u8, old: &str, new: &str) -> u8 {
    let s = Pin::agree(d, protocol);
    let new_enc = s.encrypt(&Pin::padded(new));
    let hash_enc = s.encrypt(&Pin::pin_hash(old));
    let auth = Pin::auth(
        protocol,
        &s.secret,
        &[new_enc.clone(), hash_enc.clone()].concat(),
    );
    d.ctap(
        0x06,
        Some(imap(vec![
            (1, int(protocol.into())),
            (2, int(4)),
            (3, s.platform_cose.clone()),
            (4, bytes(&auth)),
            (5, bytes(&new_enc)),
            (6, bytes(&hash_enc)),
        ])),
    )
    .0
}

/// getPinToken (perms None) or getPinUvAuthTokenUsingPinWithPermissions.
/// Returns the status and the decrypted token.
pub fn token(
    d: &mut Dev,
    protocol: u8,
    pin: &str,
    perms: Option<(u8, Option<&str>)>,
) -> (u8, Vec<u8>) {
    let s = Pin::agree(d, protocol);
    let hash_enc = s.encrypt(&Pin::pin_hash(pin));
    let mut p = vec![
        (1, int(protocol.into())),
        (2, int(if perms.is_some() { 9 } else { 5 })),
        (3, s.platform_cose.clone()),
        (6, bytes(&hash_enc)),
    ];
    if let Some((perm, rp)) = perms {
        p.push((9, int(perm.into())));
        if let Some(rp) = rp {
            p.push((0x0A, text(rp)));
        }
    }
    let (st, v) = d.ctap(0x06, Some(imap(p)));
    let tok = v
        .map(|v| s.decrypt(get(&v, 2).unwrap().as_bytes().unwrap()))
        .unwrap_or_default();
    (st, tok)
}

pub fn retries(d: &mut Dev) -> i64 {
    let r = d
        .ok(0x06, Some(imap(vec![(1, int(1)), (2, int(1))])))
        .unwrap();
    as_int(get(&r, 3).unwrap())
}

/// makeCredential parameters for `rp`/`user`, optionally resident, with a
/// pinUvAuthParam from `token`.
pub fn make_params(rp: &str, user: &[u8], rk: bool, token: Option<(u8, &[u8])>) -> Value {
    let cdh = Sha256::digest(b"client data").to_vec();
    let mut p = vec![
        (1, bytes(&cdh)),
        (2, tmap(vec![("id", text(rp)), ("name", text("RP"))])),
        (
            3,
            tmap(vec![
                ("id", bytes(user)),
                ("name", text("alice")),
                ("displayName", text("Alice")),
            ]),
        ),
        (
            4,
            Value::Array(vec![tmap(vec![
                ("alg", int(-7)),
                ("type", text("public-key")),
            ])]),
        ),
    ];
    if rk {
        p.push((7, tmap(vec![("rk", Value::Bool(true))])));
    }
    if let Some((proto, tok)) = token {
        p.push((8, bytes(&Pin::auth(proto, tok, &cdh))));
        p.push((9, int(proto.into())));
    }
    imap(p)
}
