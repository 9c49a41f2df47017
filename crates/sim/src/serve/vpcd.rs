//! The card side of the vsmartcard `vpcd` protocol: connect to the pcscd
//! driver over TCP and answer its messages (2-byte big-endian length, then
//! payload; one-byte payloads are control messages 0 power off, 1 power on,
//! 2 reset, 4 get ATR; anything longer is a command APDU).
//!
//! Latency: TCP_NODELAY is set and TCP_QUICKACK re-armed before every read,
//! otherwise delayed ACKs add ~40 ms per APDU.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use socket2::SockRef;

use crate::card::Card;

/// How long a read waits before looking at the stop flag again.
const TICK: Duration = Duration::from_millis(200);
/// Pause between connection attempts while vpcd is not listening.
const RETRY: Duration = Duration::from_millis(100);

/// Serve `card` to the vpcd driver at `addr` until `stop` is set,
/// reconnecting whenever the driver goes away. `changed` is called (with
/// the card locked) after every APDU that changed persistent state.
///
/// # Errors
/// Only if `addr` cannot be resolved.
pub fn run<F: FnMut(&Card)>(
    addr: &str,
    card: &Arc<Mutex<Card>>,
    stop: &AtomicBool,
    mut changed: F,
) -> io::Result<()> {
    let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
    let mut announced = false;
    while !stop.load(Ordering::Relaxed) {
        let Ok(stream) = TcpStream::connect(addrs.as_slice()) else {
            std::thread::sleep(RETRY);
            continue;
        };
        if !announced {
            log::info!("connected to vpcd at {addr}");
            announced = true;
        }
        match session(stream, card, stop, &mut changed) {
            Ok(()) => log::info!("vpcd at {addr} closed the connection; reconnecting"),
            Err(e) => log::warn!("vpcd connection: {e}; reconnecting"),
        }
        // The reader went away: for the card that is a power loss.
        card.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .power_off();
    }
    Ok(())
}

/// Read exactly `buf.len()` bytes, looking at `stop` on every timeout.
/// `Ok(false)` on a clean end of stream or when stopped.
fn read_full(stream: &mut TcpStream, buf: &mut [u8], stop: &AtomicBool) -> io::Result<bool> {
    let mut got = 0;
    while got < buf.len() {
        SockRef::from(&*stream).set_quickack(true)?;
        match stream.read(&mut buf[got..]) {
            Ok(0) => return Ok(false),
            Ok(n) => got += n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                if stop.load(Ordering::Relaxed) {
                    return Ok(false);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// With `KEYDESK_SIM_TRACE` set: one stderr line per APDU with header,
/// lengths and status word (never the data, which may hold PINs or keys).
fn trace_apdu(apdu: &[u8], response: &[u8]) {
    let sw = match response {
        [.., a, b] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    };
    eprintln!(
        "keydesk-sim: APDU {:02X} {:02X} {:02X} {:02X} ({} bytes) -> {} bytes, SW {sw:04X}",
        apdu[0],
        apdu[1],
        apdu[2],
        apdu[3],
        apdu.len(),
        response.len().saturating_sub(2)
    );
}

fn session<F: FnMut(&Card)>(
    mut stream: TcpStream,
    card: &Mutex<Card>,
    stop: &AtomicBool,
    changed: &mut F,
) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(TICK))?;
    let trace = std::env::var_os("KEYDESK_SIM_TRACE").is_some();
    let mut len = [0u8; 2];
    loop {
        // Between messages too, not only on read timeouts: a client that
        // polls faster than TICK must not keep a stopped key alive.
        if stop.load(Ordering::Relaxed) || !read_full(&mut stream, &mut len, stop)? {
            return Ok(());
        }
        let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
        if !read_full(&mut stream, &mut msg, stop)? {
            return Ok(());
        }
        let reply = {
            let mut card = card.lock().unwrap_or_else(PoisonError::into_inner);
            let reply = match msg.as_slice() {
                [0] => None,
                [1] => {
                    card.power_on();
                    None
                }
                [2] => {
                    card.reset();
                    None
                }
                [4] => Some(card.atr()),
                [_] => None,
                apdu => {
                    let r = card.transmit(apdu).unwrap_or_default();
                    if trace {
                        trace_apdu(apdu, &r);
                    }
                    Some(r)
                }
            };
            if card.take_dirty() {
                changed(&card);
            }
            if msg == [0] {
                card.power_off();
            }
            reply
        };
        if let Some(r) = reply {
            let n = u16::try_from(r.len()).map_err(|_| io::Error::other("response too long"))?;
            let mut framed = n.to_be_bytes().to_vec();
            framed.extend_from_slice(&r);
            stream.write_all(&framed)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;
    use crate::identity::{Firmware, Identity};

    fn exchange(s: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
        let mut framed = u16::try_from(msg.len()).unwrap().to_be_bytes().to_vec();
        framed.extend_from_slice(msg);
        s.write_all(&framed).unwrap();
        let mut len = [0u8; 2];
        s.read_exact(&mut len).unwrap();
        let mut out = vec![0u8; usize::from(u16::from_be_bytes(len))];
        s.read_exact(&mut out).unwrap();
        out
    }

    #[test]
    fn speaks_vpcd_framing_and_reconnects_after_the_driver_goes_away() {
        let driver = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = driver.local_addr().unwrap().to_string();
        let card = Arc::new(Mutex::new(Card::new(Identity::yubikey_5_nfc(
            5,
            Firmware::V5_4_3,
        ))));
        let stop = Arc::new(AtomicBool::new(false));
        let (c2, s2) = (Arc::clone(&card), Arc::clone(&stop));
        let t = std::thread::spawn(move || run(&addr, &c2, &s2, |_| {}));

        let (mut s, _) = driver.accept().unwrap();
        assert_eq!(exchange(&mut s, &[4]), crate::card::ATR);
        let select = [0, 0xA4, 4, 0, 5, 0xA0, 0, 0, 3, 8];
        assert_eq!(exchange(&mut s, &select)[19..], [0x90, 0x00]);
        assert_eq!(exchange(&mut s, &[0, 0xFD, 0, 0]), [5, 4, 3, 0x90, 0x00]);
        drop(s);

        // The driver restarts: the card reconnects, powered off (nothing selected).
        let (mut s, _) = driver.accept().unwrap();
        s.write_all(&[0, 1, 1]).unwrap(); // power on, no answer expected
        assert_eq!(exchange(&mut s, &[0, 0xFD, 0, 0]), [0x6D, 0x00]);
        stop.store(true, Ordering::Relaxed);
        t.join().unwrap().unwrap();
    }

    #[test]
    fn a_stopped_key_stops_answering_even_while_a_client_keeps_asking() {
        let driver = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = driver.local_addr().unwrap().to_string();
        let card = Arc::new(Mutex::new(Card::new(Identity::yubikey_5_nfc(
            6,
            Firmware::V5_7_1,
        ))));
        let stop = Arc::new(AtomicBool::new(false));
        let (c2, s2) = (Arc::clone(&card), Arc::clone(&stop));
        let t = std::thread::spawn(move || run(&addr, &c2, &s2, |_| {}));
        let (mut s, _) = driver.accept().unwrap();
        assert_eq!(exchange(&mut s, &[4]), crate::card::ATR);
        stop.store(true, Ordering::Relaxed);
        // Keep asking without pause (well inside the read timeout): the key must
        // go away between messages, not wait for a quiet moment that never comes.
        let answered = (0..3)
            .take_while(|_| {
                let mut reply = [0u8; 2];
                s.write_all(&[0, 1, 4]).is_ok() && s.read_exact(&mut reply).is_ok()
            })
            .count();
        assert!(answered < 3, "the stopped key went on answering");
        t.join().unwrap().unwrap();
    }
}
