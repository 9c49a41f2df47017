//! Where keys come from. The workflows ask a [`KeySource`] for the keys
//! plugged in now and for the interfaces of one key by serial; they never
//! know whether that is hardware behind pcscd and hidraw ([`SystemKeys`]) or
//! virtual keys in-process (`SimKeys`, feature `sim`).

use std::collections::HashMap;
use std::ffi::CString;
use std::path::PathBuf;
use std::time::Duration;

use keydesk_types::Serial;

use crate::discovery;
use crate::error::{DeviceError, Result};
use crate::fido::{self, FidoKey, HidapiTransport, UnixSocketTransport};
use crate::keys::{self, HidKey, Key};
use crate::management::DeviceInfo;
use crate::pcsc_transport::PcscTransport;
use crate::transport::{CardTransport, HidTransport};

/// The keys a counter workstation can reach.
pub trait KeySource: Send {
    /// The keys plugged in now, each with all its interfaces, grouped by serial.
    ///
    /// # Errors
    /// When the smart-card service or HID enumeration fails.
    fn keys(&mut self) -> Result<Vec<Key>>;

    /// The smart-card interface of the key with `serial`.
    ///
    /// # Errors
    /// `NoKey`, `KeyNotFound`; never another key's card.
    fn open_card(&mut self, serial: Serial) -> Result<Box<dyn CardTransport>>;

    /// The FIDO2 interface of the key with `serial`. With `alone`, refuse
    /// with `SeveralKeys` unless it is the only FIDO device plugged in (the
    /// hardware's rule for reset).
    ///
    /// # Errors
    /// `KeyNotFound`, `SeveralKeys`, HID access errors.
    fn open_fido(&mut self, serial: Serial, alone: bool) -> Result<FidoKey>;
}

/// What was read from each interface while it stays plugged in, keyed by a
/// presence stamp that changes when something is plugged in again. Listing
/// keys (the TUI asks several times a second) then talks to a key only when
/// it was just plugged in, instead of connecting to every key on every poll.
#[derive(Debug)]
struct Seen<S, V> {
    entries: HashMap<String, (S, V)>,
}

impl<S: PartialEq, V: Clone> Seen<S, V> {
    fn new() -> Self {
        Self {
            entries: HashMap::new(),
        }
    }

    /// Bring the cache in line with what is `present` now (name and stamp):
    /// entries whose stamp is unchanged are kept, new or changed ones are
    /// read with `read` (`None`: not identifiable now, tried again next time),
    /// and gone ones are dropped. Returns the current values.
    fn refresh(
        &mut self,
        present: Vec<(String, S)>,
        mut read: impl FnMut(&str) -> Option<V>,
    ) -> Vec<(String, V)> {
        let mut next = HashMap::with_capacity(present.len());
        let mut out = Vec::with_capacity(present.len());
        for (name, stamp) in present {
            let value = match self.entries.remove(&name) {
                Some((old, v)) if old == stamp => Some(v),
                _ => read(&name),
            };
            if let Some(v) = value {
                out.push((name.clone(), v.clone()));
                next.insert(name, (stamp, v));
            }
        }
        self.entries = next;
        out
    }

    /// Drop cached values for which `retry` holds, so that they are read
    /// again next time (a device that did not answer when it was new).
    fn forget(&mut self, retry: impl Fn(&V) -> bool) {
        self.entries.retain(|_, (_, v)| !retry(v));
    }
}

/// Real keys: PC/SC through pcscd, FIDO HID through hidraw, and (builds with
/// the `hid-socket` feature only) keydesk-sim CTAPHID sockets standing in for
/// HID devices, for end-to-end tests and training.
pub struct SystemKeys {
    hid_sockets: Vec<PathBuf>,
    ctx: Option<pcsc::Context>,
    /// Reader name -> (card event counter, (identity, plug-in generation)).
    ccid: Seen<u32, (DeviceInfo, u64)>,
    /// Device path -> (inode of the node, (what it told, plug-in generation)).
    hid: Seen<Option<u64>, (HidKey, u64)>,
    /// Counts every interface found anew (plugged in, or plugged in again),
    /// over both caches: a key's [`Key::plugged_in`] is the newest of its interfaces.
    generation: u64,
}

impl std::fmt::Debug for SystemKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemKeys")
            .field("hid_sockets", &self.hid_sockets)
            .finish_non_exhaustive()
    }
}

impl Default for SystemKeys {
    fn default() -> Self {
        Self {
            hid_sockets: Vec::new(),
            ctx: None,
            ccid: Seen::new(),
            hid: Seen::new(),
            generation: 0,
        }
    }
}

/// A FIDO device as this source knows how to open it.
enum FidoPath {
    Hid(fido::FidoDevice),
    Socket(PathBuf),
}

impl FidoPath {
    fn location(&self) -> String {
        match self {
            Self::Hid(d) => d.path.clone(),
            Self::Socket(p) => p.display().to_string(),
        }
    }

    /// Changes when the device node or socket is created anew (a replug, a restarted simulator).
    fn stamp(&self) -> Option<u64> {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata(self.location()).ok().map(|m| m.ino())
    }

    fn open(&self) -> Result<FidoKey> {
        let transport: Box<dyn HidTransport> = match self {
            Self::Hid(d) => Box::new(HidapiTransport::open(d)?),
            Self::Socket(p) => Box::new(UnixSocketTransport::connect(p)?),
        };
        FidoKey::open(transport)
    }

    /// Open and ask who it is. A device that cannot be opened or does not
    /// answer is listed without identity rather than dropped.
    fn identify(&self) -> HidKey {
        let (vendor_id, product_id, product) = match self {
            Self::Hid(d) => (d.vendor_id, d.product_id, d.product.clone()),
            Self::Socket(_) => (0x1050, 0x0407, Some("keydesk-sim".into())),
        };
        let (aaguid, info) = match self.open() {
            Ok(mut key) => (
                Some(key.info().aaguid_string()),
                key.yubikey_device_info().ok(),
            ),
            Err(e) => {
                log::warn!("FIDO device {}: {e}", self.location());
                (None, None)
            }
        };
        HidKey {
            path: self.location(),
            vendor_id,
            product_id,
            product,
            usb_serial: None,
            aaguid,
            info,
        }
    }
}

impl SystemKeys {
    /// Hardware only.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// keydesk-sim CTAPHID sockets standing in for the HID devices (end-to-end
    /// tests and training): only in builds with the `hid-socket` feature, so a
    /// production build takes FIDO devices from hidraw and nowhere else.
    #[cfg(feature = "hid-socket")]
    #[must_use]
    pub fn with_hid_sockets(hid_sockets: Vec<PathBuf>) -> Self {
        Self {
            hid_sockets,
            ..Self::default()
        }
    }

    fn fido_paths(&self) -> Result<Vec<FidoPath>> {
        // A simulator removes its socket when it stops: a socket that is not
        // there is a key that is not plugged in (as a hidraw node would be gone).
        let mut out: Vec<FidoPath> = self
            .hid_sockets
            .iter()
            .filter(|p| p.exists())
            .cloned()
            .map(FidoPath::Socket)
            .collect();
        if self.hid_sockets.is_empty() {
            out.extend(fido::list_fido_devices()?.into_iter().map(FidoPath::Hid));
        }
        Ok(out)
    }

    /// The PC/SC context, established once and again after pcscd went away.
    fn context(&mut self) -> Result<&pcsc::Context> {
        if self.ctx.is_none() {
            self.ctx = Some(crate::pcsc_transport::context()?);
        }
        self.ctx
            .as_ref()
            .ok_or_else(|| DeviceError::Pcsc("no context".into()))
    }

    /// Identities of the cards in the YubiKey readers, probing only cards
    /// plugged in since the last call.
    fn ccid_keys(&mut self) -> Result<Vec<(String, (DeviceInfo, u64))>> {
        let present = match self.card_events() {
            Ok(p) => p,
            Err(e) => {
                self.ctx = None; // pcscd restarted or gone: a new context next time
                return Err(e);
            }
        };
        let Self {
            ctx,
            ccid,
            generation,
            ..
        } = self;
        let ctx = ctx
            .as_ref()
            .ok_or_else(|| DeviceError::Pcsc("no context".into()))?;
        Ok(ccid.refresh(present, |reader| {
            let mut t = PcscTransport::connect(ctx, reader).ok()?;
            let info = discovery::probe(&mut t)
                .map_err(|e| log::warn!("reader {reader}: cannot identify the key: {e}"))
                .ok()?;
            *generation += 1;
            Some((info, *generation))
        }))
    }

    /// YubiKey readers with a card in them, and their card event counters
    /// (read without connecting to any card).
    fn card_events(&mut self) -> Result<Vec<(String, u32)>> {
        let ctx = self.context()?;
        let mut states: Vec<pcsc::ReaderState> = crate::pcsc_transport::list_readers(ctx)?
            .into_iter()
            .filter(|r| crate::pcsc_transport::is_yubikey_reader(r))
            .filter_map(|r| CString::new(r).ok())
            .map(|name| pcsc::ReaderState::new(name, pcsc::State::UNAWARE))
            .collect();
        if states.is_empty() {
            return Ok(Vec::new());
        }
        ctx.get_status_change(Duration::ZERO, &mut states)
            .map_err(crate::pcsc_transport::map_pcsc_error)?;
        Ok(states
            .iter()
            .filter(|s| {
                let st = s.event_state();
                st.contains(pcsc::State::PRESENT)
                    && !st.intersects(pcsc::State::UNAVAILABLE | pcsc::State::IGNORE)
            })
            .map(|s| (s.name().to_string_lossy().into_owned(), s.event_count()))
            .collect())
    }

    /// The FIDO devices present, opening only those that are new.
    fn hid_keys(&mut self) -> Result<Vec<(HidKey, u64)>> {
        let paths = self.fido_paths()?;
        let present = paths.iter().map(|p| (p.location(), p.stamp())).collect();
        let by_name: HashMap<String, &FidoPath> = paths.iter().map(|p| (p.location(), p)).collect();
        let Self {
            hid, generation, ..
        } = self;
        let found = hid.refresh(present, |name| {
            let key = by_name.get(name).map(|p| p.identify())?;
            *generation += 1;
            Some((key, *generation))
        });
        // A device that could not be opened or did not answer (a key still
        // starting up) is listed without identity now and asked again next time.
        hid.forget(|(k, _)| k.aaguid.is_none());
        Ok(found.into_iter().map(|(_, k)| k).collect())
    }
}

impl KeySource for SystemKeys {
    fn keys(&mut self) -> Result<Vec<Key>> {
        let ccid = self.ccid_keys()?;
        let hid = self.hid_keys()?;
        let mut generations: HashMap<String, u64> = HashMap::new();
        generations.extend(ccid.iter().map(|(reader, (_, g))| (reader.clone(), *g)));
        generations.extend(hid.iter().map(|(k, g)| (k.path.clone(), *g)));
        let mut keys = keys::group(
            ccid.into_iter().map(|(r, (info, _))| (r, info)).collect(),
            hid.into_iter().map(|(k, _)| k).collect(),
        );
        for k in &mut keys {
            k.plugged_in = k
                .interfaces
                .iter()
                .filter_map(|i| generations.get(i.name()))
                .max()
                .copied()
                .unwrap_or(0);
        }
        Ok(keys)
    }

    fn open_card(&mut self, serial: Serial) -> Result<Box<dyn CardTransport>> {
        let ccid = self
            .ccid_keys()?
            .into_iter()
            .map(|(r, (info, _))| (r, info))
            .collect();
        let grouped = keys::group(ccid, Vec::new());
        let reader = keys::find(&grouped, serial)?
            .reader()
            .ok_or(DeviceError::KeyNotFound { serial })?
            .to_owned();
        let ctx = self.context()?;
        Ok(Box::new(discovery::open_card_in(ctx, &reader, serial)?))
    }

    fn open_fido(&mut self, serial: Serial, alone: bool) -> Result<FidoKey> {
        let paths = self.fido_paths()?;
        if alone && paths.len() > 1 {
            return Err(DeviceError::SeveralKeys {
                serial,
                count: paths.len(),
            });
        }
        let known = self.hid_keys()?;
        let path = known
            .iter()
            .map(|(k, _)| k)
            .find(|k| k.info.as_ref().and_then(|i| i.serial) == Some(serial))
            .map(|k| k.path.clone())
            .ok_or(DeviceError::KeyNotFound { serial })?;
        let device = paths
            .iter()
            .find(|p| p.location() == path)
            .ok_or(DeviceError::KeyRemoved)?;
        let mut key = device.open()?;
        // Re-check: the device at this path may have changed since it was identified.
        if key.yubikey_device_info().ok().and_then(|i| i.serial) != Some(serial) {
            return Err(DeviceError::KeyNotFound { serial });
        }
        Ok(key)
    }
}

/// Find one key by serial among `keys`, for callers holding a list.
///
/// # Errors
/// `NoKey` or `KeyNotFound`.
pub fn find(keys: &[Key], serial: Serial) -> Result<&Key> {
    keys::find(keys, serial)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simulator_socket_that_is_gone_is_a_key_that_is_not_plugged_in() {
        let dir = tempfile::tempdir().unwrap();
        let here = dir.path().join("a.sock");
        let gone = dir.path().join("b.sock");
        let _listener = std::os::unix::net::UnixListener::bind(&here).unwrap();
        let keys = SystemKeys {
            hid_sockets: vec![here.clone(), gone],
            ..SystemKeys::default()
        };
        let paths: Vec<String> = keys
            .fido_paths()
            .unwrap()
            .iter()
            .map(FidoPath::location)
            .collect();
        assert_eq!(paths, vec![here.display().to_string()]);
    }

    fn present(items: &[(&str, u32)]) -> Vec<(String, u32)> {
        items.iter().map(|(n, s)| ((*n).to_owned(), *s)).collect()
    }

    #[test]
    fn a_key_is_read_once_while_it_stays_plugged_and_again_when_replugged() {
        let mut seen: Seen<u32, String> = Seen::new();
        let mut reads = Vec::new();
        let read = |n: &str, reads: &mut Vec<String>| {
            reads.push(n.to_owned());
            Some(format!("key in {n}"))
        };
        let out = seen.refresh(present(&[("A", 1), ("B", 1)]), |n| read(n, &mut reads));
        assert_eq!(out.len(), 2);
        seen.refresh(present(&[("A", 1), ("B", 1)]), |n| read(n, &mut reads));
        assert_eq!(reads, ["A", "B"], "nothing changed: no key is talked to");
        // B is pulled and plugged back (its event counter moves); A stays.
        let out = seen.refresh(present(&[("A", 1), ("B", 3)]), |n| read(n, &mut reads));
        assert_eq!(reads, ["A", "B", "B"]);
        assert_eq!(
            out,
            [
                ("A".to_owned(), "key in A".to_owned()),
                ("B".to_owned(), "key in B".to_owned())
            ]
        );
        // A is gone: dropped, and read again when it comes back even with the same stamp.
        assert_eq!(
            seen.refresh(present(&[("B", 3)]), |n| read(n, &mut reads))
                .len(),
            1
        );
        seen.refresh(present(&[("A", 1), ("B", 3)]), |n| read(n, &mut reads));
        assert_eq!(reads, ["A", "B", "B", "A"]);
    }

    #[test]
    fn a_key_that_cannot_be_identified_is_tried_again_next_time() {
        let mut seen: Seen<u32, String> = Seen::new();
        let mut tries = 0;
        assert!(seen
            .refresh(present(&[("A", 1)]), |_| {
                tries += 1;
                None
            })
            .is_empty());
        assert!(seen
            .refresh(present(&[("A", 1)]), |_| {
                tries += 1;
                None
            })
            .is_empty());
        assert_eq!(tries, 2, "a busy or silent card is not cached as absent");
    }

    #[test]
    fn a_device_listed_without_identity_is_asked_again_next_time() {
        let mut seen: Seen<u32, Option<u32>> = Seen::new();
        let mut tries = 0;
        let mut look = |seen: &mut Seen<u32, Option<u32>>, answer: Option<u32>| {
            let out = seen.refresh(present(&[("hid0", 7)]), |_| {
                tries += 1;
                Some(answer)
            });
            seen.forget(Option::is_none);
            out
        };
        assert_eq!(look(&mut seen, None), [("hid0".to_owned(), None)], "listed");
        assert_eq!(look(&mut seen, Some(42)), [("hid0".to_owned(), Some(42))]);
        assert_eq!(
            look(&mut seen, None),
            [("hid0".to_owned(), Some(42))],
            "cached"
        );
        assert_eq!(tries, 2);
    }
}
