//! PIV names: key slots, key algorithms and the PIN and touch policies of
//! a key. One definition for the device layer (which puts their wire values
//! into APDUs), the enrolment profile (which names them in TOML) and the
//! inventory (which records the slot of an enrolment).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ParseError;

/// One of the 20 retired key-management slots, 82 to 95.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RetiredSlot(u8);

impl RetiredSlot {
    /// The first retired slot's key reference.
    pub const FIRST: u8 = 0x82;
    /// The last retired slot's key reference.
    pub const LAST: u8 = 0x95;

    /// The retired slot with key reference `id` (0x82..=0x95).
    #[must_use]
    pub fn new(id: u8) -> Option<Self> {
        (Self::FIRST..=Self::LAST).contains(&id).then_some(Self(id))
    }

    /// Its key reference.
    #[must_use]
    pub fn id(self) -> u8 {
        self.0
    }

    /// Its number, 1 for slot 82 to 20 for slot 95.
    #[must_use]
    pub fn number(self) -> u8 {
        self.0 - Self::FIRST + 1
    }
}

/// A PIV key slot. Written as its key reference in lower-case hex ("9a",
/// "82", "f9"), in text, TOML, JSON and the inventory alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Slot {
    /// 9A PIV Authentication (the VPN certificate).
    Authentication,
    /// 9C Digital Signature.
    Signature,
    /// 9D Key Management.
    KeyManagement,
    /// 9E Card Authentication.
    CardAuth,
    /// 82..95 retired key management.
    Retired(RetiredSlot),
    /// F9 attestation key (Yubico).
    Attestation,
}

impl Slot {
    /// The slots a key pair is enrolled into for a staff member (9a, 9c, 9d, 9e).
    pub const ENROLMENT: [Slot; 4] = [
        Self::Authentication,
        Self::Signature,
        Self::KeyManagement,
        Self::CardAuth,
    ];

    /// The slot's key reference (P2 of GENERATE, GENERAL AUTHENTICATE...).
    #[must_use]
    pub fn id(self) -> u8 {
        match self {
            Self::Authentication => 0x9A,
            Self::Signature => 0x9C,
            Self::KeyManagement => 0x9D,
            Self::CardAuth => 0x9E,
            Self::Retired(r) => r.id(),
            Self::Attestation => 0xF9,
        }
    }

    /// The slot with key reference `id`.
    #[must_use]
    pub fn from_id(id: u8) -> Option<Self> {
        match id {
            0x9A => Some(Self::Authentication),
            0x9C => Some(Self::Signature),
            0x9D => Some(Self::KeyManagement),
            0x9E => Some(Self::CardAuth),
            0xF9 => Some(Self::Attestation),
            other => RetiredSlot::new(other).map(Self::Retired),
        }
    }

    /// Whether an enrolment may put a staff member's key pair here.
    #[must_use]
    pub fn is_enrolment_slot(self) -> bool {
        Self::ENROLMENT.contains(&self)
    }
}

impl std::fmt::Display for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02x}", self.id())
    }
}

impl std::str::FromStr for Slot {
    type Err = ParseError;

    /// The key reference in hex ("9a", "9A", "82", "f9") or the name of a
    /// standard slot ("authentication", "signature", "key-management",
    /// "card-auth", "attestation").
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let t = s.trim().to_ascii_lowercase();
        let named = match t.as_str() {
            "authentication" => Some(Self::Authentication),
            "signature" => Some(Self::Signature),
            "key-management" => Some(Self::KeyManagement),
            "card-auth" => Some(Self::CardAuth),
            "attestation" => Some(Self::Attestation),
            hex if hex.len() == 2 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                u8::from_str_radix(hex, 16).ok().and_then(Self::from_id)
            }
            _ => None,
        };
        named.ok_or_else(|| ParseError::NotASlot {
            input: s.to_owned(),
        })
    }
}

impl Serialize for Slot {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Slot {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Defines a closed set of PIV names: lower-case text (Display, FromStr,
/// serde) and the one-byte wire value.
macro_rules! piv_enum {
    (
        $(#[$doc:meta])*
        $name:ident, $err:ident {
            $($(#[$vdoc:meta])* $variant:ident = $text:literal, $id:literal;)+
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// All values.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The lower-case name (as in the profile TOML).
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            /// The value on the wire (PIV).
            #[must_use]
            pub fn id(self) -> u8 {
                match self {
                    $(Self::$variant => $id,)+
                }
            }

            /// The value with wire value `id`.
            #[must_use]
            pub fn from_id(id: u8) -> Option<Self> {
                match id {
                    $($id => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = ParseError;

            /// The name in any case, surrounding spaces ignored.
            fn from_str(s: &str) -> Result<Self, ParseError> {
                let t = s.trim().to_ascii_lowercase();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == t)
                    .ok_or_else(|| ParseError::$err { input: s.to_owned() })
            }
        }
    };
}

piv_enum! {
    /// Key algorithms keydesk enrols (wire value: the PIV algorithm id).
    Algorithm, NotAnAlgorithm {
        /// ECC P-256.
        P256 = "p256", 0x11;
        /// ECC P-384.
        P384 = "p384", 0x14;
        /// RSA 2048.
        Rsa2048 = "rsa2048", 0x07;
        /// RSA 3072 (firmware 5.7 and later).
        Rsa3072 = "rsa3072", 0x05;
    }
}

impl Algorithm {
    /// Whether this is an RSA algorithm (signatures padded on the host).
    #[must_use]
    pub fn is_rsa(self) -> bool {
        matches!(self, Self::Rsa2048 | Self::Rsa3072)
    }
}

piv_enum! {
    /// When the key asks for the PIN before using a private key (PIV tag AA).
    PinPolicy, NotAPinPolicy {
        /// The slot's default.
        Default = "default", 0;
        /// Never.
        Never = "never", 1;
        /// Once per session.
        Once = "once", 2;
        /// For every use.
        Always = "always", 3;
    }
}

piv_enum! {
    /// When the key asks for a touch before using a private key (PIV tag AB).
    TouchPolicy, NotATouchPolicy {
        /// The slot's default.
        Default = "default", 0;
        /// Never.
        Never = "never", 1;
        /// For every use.
        Always = "always", 2;
        /// Once, then for 15 seconds not again.
        Cached = "cached", 3;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_parse_from_hex_and_names_and_print_as_hex() {
        assert_eq!("9a".parse(), Ok(Slot::Authentication));
        assert_eq!(" 9C ".parse(), Ok(Slot::Signature));
        assert_eq!("key-management".parse(), Ok(Slot::KeyManagement));
        assert_eq!("f9".parse(), Ok(Slot::Attestation));
        let r82: Slot = "82".parse().unwrap();
        let r95: Slot = "95".parse().unwrap();
        assert_eq!((r82.id(), r95.id()), (0x82, 0x95));
        assert!(matches!(r82, Slot::Retired(r) if r.number() == 1));
        assert!(matches!(r95, Slot::Retired(r) if r.number() == 20));
        for s in ["9a", "9c", "9d", "9e", "82", "8f", "95", "f9"] {
            assert_eq!(s.parse::<Slot>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn other_slots_are_refused() {
        for bad in ["9z", "9b", "81", "96", "9", "09a", "0x9a", "", "a9", "auth"] {
            let e = bad.parse::<Slot>().unwrap_err();
            assert_eq!(e, ParseError::NotASlot { input: bad.into() }, "{bad:?}");
        }
        assert_eq!(
            "9z".parse::<Slot>().unwrap_err().to_string(),
            "\"9z\" is not a PIV slot: use 9a, 9c, 9d, 9e, 82 to 95 or f9"
        );
        assert_eq!(RetiredSlot::new(0x81), None);
        assert_eq!(RetiredSlot::new(0x96), None);
    }

    #[test]
    fn every_key_reference_maps_back() {
        let all: Vec<Slot> = (0..=u8::MAX).filter_map(Slot::from_id).collect();
        assert_eq!(all.len(), 4 + 20 + 1);
        for s in all {
            assert_eq!(Slot::from_id(s.id()), Some(s));
            assert_eq!(s.to_string().parse::<Slot>(), Ok(s));
        }
        let enrol: Vec<String> = Slot::ENROLMENT.iter().map(Slot::to_string).collect();
        assert_eq!(enrol, ["9a", "9c", "9d", "9e"]);
        assert!(!Slot::Attestation.is_enrolment_slot());
    }

    #[test]
    fn slots_serialise_as_their_hex_text() {
        assert_eq!(
            serde_json::to_string(&Slot::Authentication).unwrap(),
            "\"9a\""
        );
        assert_eq!(
            serde_json::from_str::<Slot>("\"9E\"").unwrap(),
            Slot::CardAuth
        );
        let e = serde_json::from_str::<Slot>("\"9z\"").unwrap_err();
        assert!(e.to_string().contains("not a PIV slot"), "{e}");
    }

    #[test]
    fn algorithms_and_policies_by_name_and_wire_value() {
        assert_eq!("P384".parse(), Ok(Algorithm::P384));
        assert_eq!(Algorithm::from_id(0x05), Some(Algorithm::Rsa3072));
        assert_eq!(Algorithm::from_id(0x03), None);
        assert!(Algorithm::Rsa2048.is_rsa() && !Algorithm::P256.is_rsa());
        assert_eq!(PinPolicy::Once.id(), 2);
        assert_eq!(TouchPolicy::Cached.id(), 3);
        assert_eq!(TouchPolicy::from_id(2), Some(TouchPolicy::Always));
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::from_id(a.id()), Some(*a));
            assert_eq!(a.as_str().parse(), Ok(*a));
        }
        for p in PinPolicy::ALL {
            assert_eq!(PinPolicy::from_id(p.id()), Some(*p));
        }
        for bad in ["ed25519", "p-256", ""] {
            assert!(bad.parse::<Algorithm>().is_err(), "{bad:?}");
        }
        assert!("sometimes".parse::<PinPolicy>().is_err());
        assert!("cached".parse::<PinPolicy>().is_err());
        assert!("once".parse::<TouchPolicy>().is_err());
    }

    #[test]
    fn the_profile_spells_them_in_lower_case() {
        #[derive(Deserialize)]
        struct Piv {
            slot: Slot,
            algorithm: Algorithm,
            pin_policy: PinPolicy,
            touch_policy: TouchPolicy,
        }
        let p: Piv = toml::from_str(
            "slot = \"9c\"\nalgorithm = \"rsa2048\"\npin_policy = \"once\"\ntouch_policy = \"cached\"\n",
        )
        .unwrap();
        assert_eq!(
            (p.slot, p.algorithm, p.pin_policy, p.touch_policy),
            (
                Slot::Signature,
                Algorithm::Rsa2048,
                PinPolicy::Once,
                TouchPolicy::Cached
            )
        );
        assert!(toml::from_str::<Piv>(
            "slot = \"9c\"\nalgorithm = \"P256\"\npin_policy = \"once\"\ntouch_policy = \"cached\"\n"
        )
        .is_err());
        assert_eq!(serde_json::to_string(&Algorithm::P256).unwrap(), "\"p256\"");
    }
}
