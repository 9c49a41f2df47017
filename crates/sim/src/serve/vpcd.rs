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

fn session<F: FnMut(&Card)>(
    mut stream: TcpStream,
    card: &Mutex<Card>,
    stop: &AtomicBool,
    changed: &mut F,
) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(TICK))?;
    let mut len = [0u8; 2];
    loop {
        if !read_full(&mut stream, &mut len, stop)? {
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
                apdu => Some(card.transmit(apdu).unwrap_or_default()),
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
