//! Where keys come from. The workflows ask a [`KeySource`] for the keys
//! plugged in now and for the interfaces of one key by serial; they never
//! know whether that is hardware behind pcscd and hidraw ([`SystemKeys`]) or
//! virtual keys in-process (`SimKeys`, feature `sim`).

use std::path::PathBuf;

use crate::error::{DeviceError, Result};
use crate::fido::{self, FidoKey, HidapiTransport, UnixSocketTransport};
use crate::keys::{self, HidKey, Key};
use crate::serial::Serial;
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

/// Real keys: PC/SC through pcscd, FIDO HID through hidraw, and optionally
/// keydesk-sim CTAPHID sockets standing in for HID devices (`KEYDESK_HID_SOCKET`,
/// several separated by `:`), for end-to-end tests and training.
#[derive(Debug, Default)]
pub struct SystemKeys {
    hid_sockets: Vec<PathBuf>,
}

/// A FIDO device as this source knows how to open it.
enum FidoPath {
    Hid(fido::FidoDevice),
    Socket(PathBuf),
}

impl SystemKeys {
    /// Hardware only.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Hardware plus the CTAPHID sockets named in `KEYDESK_HID_SOCKET`.
    #[must_use]
    pub fn from_env() -> Self {
        let hid_sockets = std::env::var_os("KEYDESK_HID_SOCKET")
            .map(|v| {
                std::env::split_paths(&v)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Self { hid_sockets }
    }

    fn fido_paths(&self) -> Result<Vec<FidoPath>> {
        let mut out: Vec<FidoPath> = self
            .hid_sockets
            .iter()
            .cloned()
            .map(FidoPath::Socket)
            .collect();
        if self.hid_sockets.is_empty() {
            out.extend(fido::list_fido_devices()?.into_iter().map(FidoPath::Hid));
        }
        Ok(out)
    }

    fn open_path(path: &FidoPath) -> Result<FidoKey> {
        let transport: Box<dyn HidTransport> = match path {
            FidoPath::Hid(d) => Box::new(HidapiTransport::open(d)?),
            FidoPath::Socket(p) => Box::new(UnixSocketTransport::connect(p)?),
        };
        FidoKey::open(transport)
    }

    fn hid_keys(&self) -> Result<Vec<HidKey>> {
        let mut out = Vec::new();
        for path in self.fido_paths()? {
            let (location, vendor_id, product_id, product) = match &path {
                FidoPath::Hid(d) => (d.path.clone(), d.vendor_id, d.product_id, d.product.clone()),
                FidoPath::Socket(p) => (
                    p.display().to_string(),
                    0x1050,
                    0x0407,
                    Some("keydesk-sim".into()),
                ),
            };
            // A device we cannot open or that does not answer is listed without identity, not dropped.
            let (aaguid, info) = match Self::open_path(&path) {
                Ok(mut key) => {
                    let aaguid = Some(key.info().aaguid_string());
                    (aaguid, key.yubikey_device_info().ok())
                }
                Err(e) => {
                    log::warn!("FIDO device {location}: {e}");
                    (None, None)
                }
            };
            out.push(HidKey {
                path: location,
                vendor_id,
                product_id,
                product,
                usb_serial: None,
                aaguid,
                info,
            });
        }
        Ok(out)
    }
}

impl KeySource for SystemKeys {
    fn keys(&mut self) -> Result<Vec<Key>> {
        let ctx = crate::pcsc_transport::context()?;
        crate::discovery::list_keys(&ctx, self.hid_keys()?)
    }

    fn open_card(&mut self, serial: Serial) -> Result<Box<dyn CardTransport>> {
        let ctx = crate::pcsc_transport::context()?;
        Ok(Box::new(crate::discovery::open_card(&ctx, serial)?))
    }

    fn open_fido(&mut self, serial: Serial, alone: bool) -> Result<FidoKey> {
        let paths = self.fido_paths()?;
        if alone && paths.len() > 1 {
            return Err(DeviceError::SeveralKeys {
                serial,
                count: paths.len(),
            });
        }
        for path in &paths {
            let Ok(mut key) = Self::open_path(path) else {
                continue;
            };
            if key.yubikey_device_info().ok().and_then(|i| i.serial) == Some(serial) {
                return Ok(key);
            }
        }
        Err(DeviceError::KeyNotFound { serial })
    }
}

/// Find one key by serial among `keys`, for callers holding a list.
///
/// # Errors
/// `NoKey` or `KeyNotFound`.
pub fn find(keys: &[Key], serial: Serial) -> Result<&Key> {
    keys::find(keys, serial)
}
