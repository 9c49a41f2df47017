//! Benchmark: a full PIV enrolment (retries, PIN and PUK change, PIN-protected
//! random management key, P-256 key generation in 9a, attestation + F9
//! certificate, self-signed certificate stored in 9a) on one virtual key
//! (`keydesk-sim serve`, firmware 5.7.1) through an isolated pcscd + vpcd,
//! done by keydesk-device and by the equivalent ykman command sequence.
//!
//! A counting proxy sits between vpcd and the simulator, so both sides'
//! APDU counts are what the card received (GET RESPONSE and chained parts
//! included). Each round starts from a freshly reset PIV application (the
//! reset is not measured). Prints figures; asserts no timing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use keydesk_device::piv::Piv;
use keydesk_device::{discovery, pcsc_transport};
use keydesk_e2e::piv::{self, NEW_PIN, NEW_PUK};
use keydesk_e2e::{Pcscd, SimProcess};
use keydesk_types::Serial;

/// A serial for the tests (never 0).
fn sn(n: u32) -> Serial {
    Serial::new(n).expect("a serial is never 0")
}

const SERIAL: u32 = 40_000_571;
const ROUNDS: usize = 5;
const MGMT_DEFAULT: &str = "010203040506070801020304050607080102030405060708";

fn quick(s: &TcpStream) {
    s.set_nodelay(true).unwrap();
    let _ = socket2::SockRef::from(s).set_quickack(true);
}

/// Forward vpcd <-> card, counting APDU frames (payload longer than 1 byte).
fn proxy(vpcd_port: u16, count: Arc<AtomicU64>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (card, _) = listener.accept().unwrap();
        let vpcd = TcpStream::connect(("127.0.0.1", vpcd_port)).unwrap();
        quick(&card);
        quick(&vpcd);
        let (mut card_r, mut vpcd_w) = (card.try_clone().unwrap(), vpcd.try_clone().unwrap());
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 70_000];
            loop {
                quick(&card_r);
                let Ok(n) = card_r.read(&mut buf) else { return };
                if n == 0 || vpcd_w.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        });
        let (mut vpcd_r, mut card_w) = (vpcd, card);
        loop {
            quick(&vpcd_r);
            let mut len = [0u8; 2];
            if vpcd_r.read_exact(&mut len).is_err() {
                return;
            }
            let n = usize::from(u16::from_be_bytes(len));
            let mut frame = vec![0u8; n];
            quick(&vpcd_r);
            if vpcd_r.read_exact(&mut frame).is_err() {
                return;
            }
            if n > 1 {
                count.fetch_add(1, Ordering::SeqCst);
            }
            let mut out = len.to_vec();
            out.extend_from_slice(&frame);
            if card_w.write_all(&out).is_err() {
                return;
            }
        }
    });
    port
}

fn ours(ctx: &pcsc::Context) {
    let mut t = discovery::open_card(ctx, sn(SERIAL)).unwrap();
    piv::enrol(&mut t, SERIAL, "CN=bench");
}

fn ykman_sequence(pcscd: &Pcscd) {
    let s = SERIAL.to_string();
    let dir = pcscd.dir().to_string_lossy().into_owned();
    let pubkey = format!("{dir}/pub.pem");
    let att = format!("{dir}/att.pem");
    let f9 = format!("{dir}/f9.pem");
    let steps: Vec<Vec<&str>> = vec![
        vec![
            "piv",
            "access",
            "set-retries",
            "5",
            "5",
            "-m",
            MGMT_DEFAULT,
            "-P",
            "123456",
            "-f",
        ],
        vec!["piv", "access", "change-pin", "-P", "123456", "-n", NEW_PIN],
        vec![
            "piv",
            "access",
            "change-puk",
            "-p",
            "12345678",
            "-n",
            NEW_PUK,
        ],
        vec![
            "piv",
            "access",
            "change-management-key",
            "-a",
            "AES192",
            "--protect",
            "-m",
            MGMT_DEFAULT,
            "-P",
            NEW_PIN,
            "-f",
        ],
        vec![
            "piv",
            "keys",
            "generate",
            "9a",
            &pubkey,
            "-a",
            "ECCP256",
            "--pin-policy",
            "ONCE",
            "--touch-policy",
            "NEVER",
            "-P",
            NEW_PIN,
        ],
        vec!["piv", "keys", "attest", "9a", &att],
        vec!["piv", "certificates", "export", "f9", &f9],
        vec![
            "piv",
            "certificates",
            "generate",
            "9a",
            &pubkey,
            "-s",
            "CN=bench",
            "-d",
            "365",
            "-P",
            NEW_PIN,
        ],
    ];
    for step in steps {
        let args: Vec<&str> = ["--device", s.as_str()].into_iter().chain(step).collect();
        pcscd.ok("ykman", &args);
    }
}

fn reset(ctx: &pcsc::Context) {
    let mut t = discovery::open_card(ctx, sn(SERIAL)).unwrap();
    Piv::open(&mut t).unwrap().reset().unwrap();
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let pcscd = Pcscd::start();
    let count = Arc::new(AtomicU64::new(0));
    let port = proxy(pcscd.port(0), Arc::clone(&count));
    let _sim = SimProcess::start_at(&pcscd, port, SERIAL, &["--firmware", "5.7.1"]);
    std::env::set_var("PCSCLITE_CSOCK_NAME", pcscd.socket());
    let ctx = pcsc_transport::context().unwrap();

    let run = |label: &str, f: &mut dyn FnMut()| {
        let mut times = Vec::new();
        let mut apdus = Vec::new();
        for _ in 0..ROUNDS {
            reset(&ctx);
            let c0 = count.load(Ordering::SeqCst);
            let t0 = Instant::now();
            f();
            times.push(t0.elapsed());
            apdus.push(count.load(Ordering::SeqCst) - c0);
        }
        let m = median(times);
        println!(
            "{label:<14} median {m:>10.1?} over {ROUNDS} rounds, APDUs per enrolment {apdus:?}"
        );
        m
    };
    let a = run("keydesk-device", &mut || ours(&ctx));
    let b = run("ykman (8 cmds)", &mut || ykman_sequence(&pcscd));
    println!(
        "ykman / keydesk-device wall time: {:.1}x",
        b.as_secs_f64() / a.as_secs_f64()
    );
}
