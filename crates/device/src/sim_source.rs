//! Virtual keys in-process as a [`KeySource`]: keydesk-sim's cards and
//! authenticators reached through the same traits as hardware, so the
//! workflows, the demo and training run the real protocol code. Keys can be
//! plugged, unplugged and replugged, and faults armed, while transports are
//! open; a transport to an unplugged key fails with `KeyRemoved`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use keydesk_sim::clock::{Clock as SimClock, ManualClock};
use keydesk_sim::key::SimKey;
use keydesk_types::Serial;
use zeroize::Zeroizing;

use crate::error::{DeviceError, Result};
use crate::fido::{FidoClock, FidoKey};
use crate::keys::{self, HidKey, Key};
use crate::source::KeySource;
use crate::transport::{CardTransport, HidTransport, Report};

/// Time for virtual keys: the real clock (demo, training) or a manual one
/// that advances whenever a client waits (tests; nothing ever sleeps).
#[derive(Debug, Clone)]
pub enum SimTime {
    Real,
    Manual(ManualClock),
}

/// One virtual key and whether it is plugged in.
#[derive(Debug)]
struct Slot {
    key: Mutex<SimKey>,
    plugged: AtomicBool,
    /// Counts plug-ins: a transport belongs to the plug-in it was opened in
    /// and is dead after a replug, as a PC/SC handle or hidraw fd would be.
    plug_ins: AtomicU64,
}

impl Slot {
    fn lock(&self) -> MutexGuard<'_, SimKey> {
        self.key.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a transport opened during plug-in `plug_in` still reaches the key.
    fn current(&self, plug_in: u64) -> bool {
        self.plugged.load(Ordering::SeqCst) && self.plug_ins.load(Ordering::SeqCst) == plug_in
    }
}

/// Virtual keys on a virtual desk.
#[derive(Debug, Clone)]
pub struct SimKeys {
    slots: Arc<Mutex<Vec<Arc<Slot>>>>,
    time: SimTime,
}

#[derive(Debug)]
struct ManualFidoClock(ManualClock);

impl FidoClock for ManualFidoClock {
    fn now(&self) -> Duration {
        self.0.now()
    }
}

impl SimKeys {
    /// An empty desk.
    #[must_use]
    pub fn new(time: SimTime) -> Self {
        Self {
            slots: Arc::new(Mutex::new(Vec::new())),
            time,
        }
    }

    fn slots(&self) -> MutexGuard<'_, Vec<Arc<Slot>>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Plug a key in (it was just plugged: the FIDO2 reset window starts now).
    pub fn plug(&self, key: SimKey) {
        let serial = key.identity.serial;
        let mut slots = self.slots();
        // One physical key per serial: an earlier slot with this serial is
        // pulled for good (its open transports die) and forgotten.
        slots.retain(|s| {
            let same = s.lock().identity.serial == serial;
            if same {
                s.plugged.store(false, Ordering::SeqCst);
            }
            !same
        });
        let slot = Arc::new(Slot {
            key: Mutex::new(key),
            plugged: AtomicBool::new(true),
            plug_ins: AtomicU64::new(0),
        });
        slot.lock().fido.replug();
        slots.push(slot);
    }

    /// Pull the key out; it keeps its state and can be plugged back with [`SimKeys::replug`].
    pub fn unplug(&self, serial: u32) -> bool {
        self.find(serial)
            .is_some_and(|s| s.plugged.swap(false, Ordering::SeqCst))
    }

    /// Plug a pulled key back in (or power-cycle a plugged one).
    pub fn replug(&self, serial: u32) -> bool {
        let Some(slot) = self.find(serial) else {
            return false;
        };
        {
            let mut k = slot.lock();
            k.card.replug();
            k.fido.replug();
        }
        slot.plug_ins.fetch_add(1, Ordering::SeqCst);
        slot.plugged.store(true, Ordering::SeqCst);
        true
    }

    /// Run `f` on a virtual key (to arm faults, read its state, change touch).
    pub fn with_key<T>(&self, serial: u32, f: impl FnOnce(&mut SimKey) -> T) -> Option<T> {
        self.find(serial).map(|s| f(&mut s.lock()))
    }

    /// Serials of the keys plugged in now, in plug order.
    #[must_use]
    pub fn plugged(&self) -> Vec<u32> {
        self.slots()
            .iter()
            .filter(|s| s.plugged.load(Ordering::SeqCst))
            .map(|s| s.lock().identity.serial)
            .collect()
    }

    fn find(&self, serial: u32) -> Option<Arc<Slot>> {
        self.slots()
            .iter()
            .rev()
            .find(|s| s.lock().identity.serial == serial)
            .cloned()
    }

    fn plugged_slot(&self, serial: Serial) -> Result<Arc<Slot>> {
        let slots = self.slots();
        if !slots.iter().any(|s| s.plugged.load(Ordering::SeqCst)) {
            return Err(DeviceError::NoKey);
        }
        slots
            .iter()
            .find(|s| s.plugged.load(Ordering::SeqCst) && s.lock().identity.serial == serial.get())
            .cloned()
            .ok_or(DeviceError::KeyNotFound { serial })
    }
}

struct SimCardTransport {
    slot: Arc<Slot>,
    plug_in: u64,
    serial: u32,
}

impl CardTransport for SimCardTransport {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if !self.slot.current(self.plug_in) {
            return Err(DeviceError::KeyRemoved);
        }
        self.slot
            .lock()
            .card
            .transmit(apdu)
            .map(Zeroizing::new)
            .map_err(|_| DeviceError::KeyRemoved)
    }

    fn location(&self) -> String {
        format!("virtual key {}", self.serial)
    }
}

struct SimHidTransport {
    slot: Arc<Slot>,
    plug_in: u64,
    serial: u32,
    time: SimTime,
}

impl SimHidTransport {
    fn gone(&self, key: &SimKey) -> bool {
        !self.slot.current(self.plug_in) || key.fido.vanished()
    }
}

impl HidTransport for SimHidTransport {
    fn send(&mut self, report: &Report) -> Result<()> {
        let mut key = self.slot.lock();
        if self.gone(&key) {
            return Err(DeviceError::KeyRemoved);
        }
        key.fido.send_report(report);
        Ok(())
    }

    fn recv(&mut self, timeout: Duration) -> Result<Option<Report>> {
        let start = Instant::now();
        loop {
            {
                let mut key = self.slot.lock();
                if self.gone(&key) {
                    return Err(DeviceError::KeyRemoved);
                }
                if let Some(r) = key.fido.recv_report() {
                    return Ok(Some(r));
                }
                if let SimTime::Manual(clock) = &self.time {
                    clock.advance(timeout);
                    return Ok(key.fido.recv_report());
                }
            }
            if start.elapsed() >= timeout {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(1).min(timeout));
        }
    }

    fn location(&self) -> String {
        format!("virtual key {} (FIDO)", self.serial)
    }
}

impl KeySource for SimKeys {
    fn keys(&mut self) -> Result<Vec<Key>> {
        let mut ccid = Vec::new();
        let mut hid = Vec::new();
        // A virtual key always has a serial; 0 would be none, as on hardware.
        for serial in self
            .plugged()
            .into_iter()
            .filter_map(|s| Serial::new(s).ok())
        {
            // As with hardware (`SystemKeys`): one key that does not answer
            // must not hide the others. A card that fails is left out with a
            // log line; a FIDO interface that is gone is left out, one that
            // does not answer is listed without identity.
            let reader = format!("virtual key {serial}");
            match self
                .open_card(serial)
                .and_then(|mut card| crate::discovery::probe(card.as_mut()))
            {
                Ok(info) => ccid.push((reader, info)),
                Err(e) => log::warn!("{reader}: cannot identify the key: {e}"),
            }
            let path = format!("virtual key {serial} (FIDO)");
            let (aaguid, info) = match self.open_fido(serial, false) {
                Ok(mut fido) => (
                    Some(fido.info().aaguid_string()),
                    fido.yubikey_device_info().ok(),
                ),
                Err(DeviceError::KeyRemoved) => continue,
                Err(e) => {
                    log::warn!("{path}: {e}");
                    (None, None)
                }
            };
            hid.push(HidKey {
                path,
                vendor_id: 0x1050,
                product_id: 0x0407,
                product: Some("YubiKey OTP+FIDO+CCID".into()),
                usb_serial: None,
                aaguid,
                info,
            });
        }
        let mut keys = keys::group(ccid, hid);
        for k in &mut keys {
            if let Some(slot) = k.serial().and_then(|s| self.find(s.get())) {
                k.plugged_in = slot.plug_ins.load(Ordering::SeqCst) + 1;
            }
        }
        Ok(keys)
    }

    fn open_card(&mut self, serial: Serial) -> Result<Box<dyn CardTransport>> {
        let slot = self.plugged_slot(serial)?;
        let plug_in = slot.plug_ins.load(Ordering::SeqCst);
        Ok(Box::new(SimCardTransport {
            slot,
            plug_in,
            serial: serial.get(),
        }))
    }

    fn open_fido(&mut self, serial: Serial, alone: bool) -> Result<FidoKey> {
        let slot = self.plugged_slot(serial)?;
        let count = self.plugged().len();
        if alone && count > 1 {
            return Err(DeviceError::SeveralKeys { serial, count });
        }
        let plug_in = slot.plug_ins.load(Ordering::SeqCst);
        let transport = Box::new(SimHidTransport {
            slot,
            plug_in,
            serial: serial.get(),
            time: self.time.clone(),
        });
        match &self.time {
            SimTime::Real => FidoKey::open(transport),
            SimTime::Manual(clock) => {
                FidoKey::open_with_clock(transport, Arc::new(ManualFidoClock(clock.clone())))
            }
        }
    }
}
