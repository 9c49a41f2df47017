//! One physical key with all its interfaces: the CCID reader (PC/SC) and
//! the FIDO HID device of a YubiKey are grouped by serial into one [`Key`].
//! Keys without a readable serial (hidden serial, non-Yubico FIDO2 keys)
//! are kept apart and clearly marked, identified by AAGUID and a fingerprint.
//! [`find`] addresses exactly one key by serial and never guesses.

use keydesk_types::Serial;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::error::{DeviceError, Result};
use crate::management::{Capabilities, DeviceInfo, FormFactor, Version};

/// How a key is identified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyId {
    /// By its serial number (the normal case for YubiKeys).
    Serial(Serial),
    /// No serial readable: identified by AAGUID (FIDO2) and a fingerprint
    /// of what the interface reports. Not guaranteed unique: two identical
    /// keys of another vendor can look the same.
    Unidentified {
        aaguid: Option<String>,
        fingerprint: String,
    },
}

/// One interface through which a key is reachable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Interface {
    /// A PC/SC reader (Management, PIV, OTP).
    Ccid { reader: String },
    /// A FIDO HID device (CTAPHID).
    Fido { path: String },
}

impl Interface {
    /// The reader name or the device path.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Ccid { reader } => reader,
            Self::Fido { path } => path,
        }
    }
}

/// A physical key as the counter sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub id: KeyId,
    /// e.g. "YubiKey 5 NFC", or the USB product string of other keys.
    pub model: String,
    pub yubico: bool,
    pub firmware: Option<Version>,
    pub form_factor: FormFactor,
    pub fips: bool,
    pub interfaces: Vec<Interface>,
    /// Applications enabled over USB (from Management), if known.
    pub capabilities: Option<Capabilities>,
    /// Full Management device info, if read.
    pub info: Option<DeviceInfo>,
    /// Changes each time the key is plugged in again (0: not known). Lets a
    /// caller that looks now and then tell "still plugged in" from "pulled
    /// and plugged back in between two looks", which the FIDO2 reset window needs.
    #[serde(default)]
    pub plugged_in: u64,
}

impl Key {
    /// The serial, if the key has one we could read.
    #[must_use]
    pub fn serial(&self) -> Option<Serial> {
        match self.id {
            KeyId::Serial(s) => Some(s),
            KeyId::Unidentified { .. } => None,
        }
    }

    /// The PC/SC reader of this key, if any.
    #[must_use]
    pub fn reader(&self) -> Option<&str> {
        self.interfaces.iter().find_map(|i| match i {
            Interface::Ccid { reader } => Some(reader.as_str()),
            Interface::Fido { .. } => None,
        })
    }

    /// The FIDO HID path of this key, if any.
    #[must_use]
    pub fn fido_path(&self) -> Option<&str> {
        self.interfaces.iter().find_map(|i| match i {
            Interface::Fido { path } => Some(path.as_str()),
            Interface::Ccid { .. } => None,
        })
    }

    fn from_info(info: DeviceInfo, interface: Interface) -> Self {
        let id = match info.serial {
            Some(s) => KeyId::Serial(s),
            None => KeyId::Unidentified {
                aaguid: None,
                fingerprint: fingerprint(&[
                    &info.model(),
                    &info.version.to_string(),
                    &iface_text(&interface),
                ]),
            },
        };
        Self {
            id,
            model: info.model(),
            yubico: true,
            firmware: Some(info.version),
            form_factor: info.form_factor,
            fips: info.fips,
            interfaces: vec![interface],
            capabilities: Some(info.usb_enabled),
            info: Some(info),
            plugged_in: 0,
        }
    }
}

fn iface_text(i: &Interface) -> String {
    match i {
        Interface::Ccid { reader } => format!("ccid:{reader}"),
        Interface::Fido { path } => format!("fido:{path}"),
    }
}

fn fingerprint(parts: &[&str]) -> String {
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..8])
}

/// A FIDO HID device as the FIDO discovery found it, with what it told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HidKey {
    pub path: String,
    pub vendor_id: u16,
    pub product_id: u16,
    pub product: Option<String>,
    /// USB serial string (YubiKeys leave it empty).
    pub usb_serial: Option<String>,
    /// AAGUID from getInfo, as text.
    pub aaguid: Option<String>,
    /// Yubico device info over CTAPHID (serial), when the key answered it.
    pub info: Option<DeviceInfo>,
}

/// Group CCID probes (reader, device info) and FIDO HID devices into keys.
/// Interfaces with the same serial become one key; everything without a
/// serial stays a key of its own, marked [`KeyId::Unidentified`].
#[must_use]
pub fn group(ccid: Vec<(String, DeviceInfo)>, hid: Vec<HidKey>) -> Vec<Key> {
    let mut keys: Vec<Key> = Vec::new();
    for (reader, info) in ccid {
        add(&mut keys, Key::from_info(info, Interface::Ccid { reader }));
    }
    merge_hid(&mut keys, hid);
    keys
}

fn add(keys: &mut Vec<Key>, key: Key) {
    if let KeyId::Serial(s) = key.id {
        if let Some(k) = keys.iter_mut().find(|k| k.id == KeyId::Serial(s)) {
            k.interfaces.extend(key.interfaces);
            if k.info.is_none() {
                k.info = key.info;
                k.capabilities = key.capabilities;
            }
            return;
        }
    }
    keys.push(key);
}

/// Add FIDO HID devices to keys found over PC/SC (the FIDO discovery calls
/// this with what it read from each HID device).
pub fn merge_hid(keys: &mut Vec<Key>, hid: Vec<HidKey>) {
    for d in hid {
        let iface = Interface::Fido {
            path: d.path.clone(),
        };
        match d.info.clone() {
            Some(info) => {
                let mut k = Key::from_info(info, iface);
                if k.serial().is_none() {
                    k.id = KeyId::Unidentified {
                        aaguid: d.aaguid.clone(),
                        fingerprint: hid_fingerprint(&d),
                    };
                }
                add(keys, k);
            }
            None => keys.push(Key {
                id: KeyId::Unidentified {
                    aaguid: d.aaguid.clone(),
                    fingerprint: hid_fingerprint(&d),
                },
                model: d.product.clone().unwrap_or_else(|| {
                    format!("FIDO key {:04x}:{:04x}", d.vendor_id, d.product_id)
                }),
                yubico: d.vendor_id == 0x1050,
                firmware: None,
                form_factor: FormFactor::Unknown,
                fips: false,
                interfaces: vec![iface],
                capabilities: None,
                info: None,
                plugged_in: 0,
            }),
        }
    }
}

/// Fingerprint of a FIDO device without serial: vendor, product, USB serial
/// string and AAGUID (stable across replugs when the USB serial is set).
fn hid_fingerprint(d: &HidKey) -> String {
    fingerprint(&[
        &format!("{:04x}:{:04x}", d.vendor_id, d.product_id),
        d.product.as_deref().unwrap_or(""),
        d.usb_serial.as_deref().unwrap_or(""),
        d.aaguid.as_deref().unwrap_or(""),
    ])
}

/// The one key with `serial`. Never "the first one": no match is
/// `KeyNotFound`, a serial reported by two CCID readers or two FIDO
/// devices is `DuplicateSerial`.
///
/// # Errors
/// `NoKey` when nothing is plugged in, `KeyNotFound`, `DuplicateSerial`.
pub fn find(keys: &[Key], serial: Serial) -> Result<&Key> {
    if keys.is_empty() {
        return Err(DeviceError::NoKey);
    }
    let matches: Vec<&Key> = keys.iter().filter(|k| k.serial() == Some(serial)).collect();
    let key = match matches.as_slice() {
        [] => return Err(DeviceError::KeyNotFound { serial }),
        [k] => *k,
        more => {
            return Err(DeviceError::DuplicateSerial {
                serial,
                count: more.len(),
            })
        }
    };
    let ccid = key
        .interfaces
        .iter()
        .filter(|i| matches!(i, Interface::Ccid { .. }))
        .count();
    let fido = key.interfaces.len() - ccid;
    if ccid > 1 || fido > 1 {
        return Err(DeviceError::DuplicateSerial {
            serial,
            count: ccid.max(fido),
        });
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(serial: Option<u32>) -> DeviceInfo {
        DeviceInfo {
            serial: serial.and_then(|s| Serial::new(s).ok()),
            version: Version(5, 7, 1),
            form_factor: FormFactor::UsbAKeychain,
            fips: false,
            sky: false,
            usb_supported: Capabilities(0x23F),
            usb_enabled: Capabilities(0x23F),
            nfc_supported: None,
            nfc_enabled: None,
            config_locked: false,
            auto_eject_timeout: 0,
            chalresp_timeout: 0,
            device_flags: 0,
        }
    }

    fn hid(path: &str, i: Option<DeviceInfo>, vid: u16) -> HidKey {
        HidKey {
            path: path.into(),
            vendor_id: vid,
            product_id: 0x0407,
            product: Some("Some Key".into()),
            usb_serial: None,
            aaguid: Some("ee882879-721c-4913-9775-3dfcce97072a".into()),
            info: i,
        }
    }

    #[test]
    fn groups_interfaces_by_serial_and_marks_the_rest() {
        let keys = group(
            vec![
                ("Yubico YubiKey 00".into(), info(Some(1))),
                ("Yubico YubiKey 01".into(), info(Some(2))),
                ("Yubico YubiKey 02".into(), info(None)),
            ],
            vec![
                hid("/dev/hidraw0", Some(info(Some(2))), 0x1050),
                hid("/dev/hidraw1", None, 0x20a0),
            ],
        );
        assert_eq!(keys.len(), 4);
        let k2 = find(&keys, Serial::new(2).unwrap()).unwrap();
        assert_eq!(k2.reader(), Some("Yubico YubiKey 01"));
        assert_eq!(k2.fido_path(), Some("/dev/hidraw0"));
        assert_eq!(
            find(&keys, Serial::new(1).unwrap()).unwrap().fido_path(),
            None
        );
        let unidentified: Vec<&Key> = keys.iter().filter(|k| k.serial().is_none()).collect();
        assert_eq!(unidentified.len(), 2);
        assert!(unidentified
            .iter()
            .any(|k| !k.yubico && k.model == "Some Key"));
        assert!(matches!(
            find(&keys, Serial::new(3).unwrap()),
            Err(DeviceError::KeyNotFound { serial: s3 }) if s3.get() == 3
        ));
        assert!(matches!(
            find(&[], Serial::new(3).unwrap()),
            Err(DeviceError::NoKey)
        ));
    }

    #[test]
    fn a_serial_on_two_readers_is_refused() {
        let keys = group(
            vec![
                ("Yubico A".into(), info(Some(7))),
                ("Yubico B".into(), info(Some(7))),
            ],
            vec![],
        );
        assert!(matches!(
            find(&keys, Serial::new(7).unwrap()),
            Err(DeviceError::DuplicateSerial { count: 2, .. })
        ));
    }
}
