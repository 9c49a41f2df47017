//! The office's enrolment profile (TOML): PIN lengths, PIV slot and
//! algorithm, policies, FIDO2 and OTP choices, temporary-key duration.
//! Unknown fields are errors, so a typo never silently falls back to a default.
//!
//! A profile comes from a file (`--profile`), from the inventory, which
//! keeps one per site (`keydesk site profile`), or is the built-in default;
//! [`ProfileSource`] says which. A profile holds no secret (no PIN, PUK,
//! management key or OTP secret: there is no field for one, and unknown
//! fields are refused), so the inventory may keep it as text.

use std::path::{Path, PathBuf};

use keydesk_types::SiteCode;
pub use keydesk_types::{Algorithm, PinPolicy, Slot, TouchPolicy};
use serde::Deserialize;

use crate::error::{CoreError, Result};

/// Whether FIDO2 is part of enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FidoMode {
    /// Enrolment fails if FIDO2 cannot be set up.
    Required,
    /// Set up FIDO2 when the key offers it.
    Optional,
    /// Leave FIDO2 alone.
    Skip,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PivProfile {
    /// Length of generated PINs; also the minimum for typed ones (6..=8).
    pub pin_length: usize,
    /// Length of generated PUKs (8).
    pub puk_length: usize,
    pub pin_retries: u8,
    pub puk_retries: u8,
    /// Slot in hex, "9a" for PIV authentication (VPN); one of the
    /// enrolment slots 9a, 9c, 9d, 9e.
    pub slot: Slot,
    pub algorithm: Algorithm,
    pub pin_policy: PinPolicy,
    pub touch_policy: TouchPolicy,
    /// Certificate subject; `{personnel_no}`, `{name}`, `{serial}` are filled in.
    pub subject: String,
}

impl Default for PivProfile {
    fn default() -> Self {
        Self {
            pin_length: 6,
            puk_length: 8,
            pin_retries: 3,
            puk_retries: 3,
            slot: Slot::Authentication,
            algorithm: Algorithm::P256,
            pin_policy: PinPolicy::Default,
            touch_policy: TouchPolicy::Default,
            subject: "CN={name} ({personnel_no}),serialNumber={serial}".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FidoProfile {
    pub mode: FidoMode,
    /// Minimum FIDO2 PIN length set on the key where supported (4..=63).
    pub min_pin_length: usize,
    /// Make the staff member choose a new FIDO2 PIN at first use, where supported.
    pub force_pin_change: bool,
}

impl Default for FidoProfile {
    fn default() -> Self {
        Self {
            mode: FidoMode::Optional,
            min_pin_length: 6,
            force_pin_change: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OtpProfile {
    /// Whether the OTP USB interface stays on (it types characters when touched by accident).
    pub enabled: bool,
}

/// Which attestation roots to trust besides Yubico's (always trusted).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AttestationProfile {
    /// PEM files, each holding one or more root certificates. Relative paths
    /// are taken from the profile file's directory.
    pub extra_roots: Vec<PathBuf>,
}

/// An office's enrolment profile.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Profile {
    pub name: String,
    pub piv: PivProfile,
    pub fido: FidoProfile,
    pub otp: OtpProfile,
    pub attestation: AttestationProfile,
    /// How long a temporary key (after a loss) may be kept, in days.
    pub temporary_days: u16,
    /// The site (office) a counter with this profile works for, unless
    /// `--site` names another: one profile per site sets that site's
    /// enrolment rules. Must exist (`keydesk site add`).
    pub site: Option<keydesk_types::SiteCode>,
}

impl Default for Profile {
    fn default() -> Self {
        Self {
            name: "default".into(),
            piv: PivProfile::default(),
            fido: FidoProfile::default(),
            otp: OtpProfile::default(),
            attestation: AttestationProfile::default(),
            temporary_days: 14,
            site: None,
        }
    }
}

/// Where the profile a counter uses came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileSource {
    /// The built-in defaults: no `--profile`, and the counter's site (if
    /// any) has no profile in the inventory.
    BuiltIn,
    /// A file: `--profile FILE` or `KEYDESK_PROFILE`.
    File(PathBuf),
    /// The profile the inventory keeps for this site.
    Site(SiteCode),
}

impl Profile {
    /// Read and check a profile file.
    ///
    /// # Errors
    /// When the file cannot be read, is not valid TOML for a profile, or asks for impossible values.
    pub fn load(path: &Path) -> Result<Self> {
        let err = |reason: String| CoreError::Profile {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let mut profile: Self = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
        profile.check().map_err(err)?;
        if let Some(dir) = path.parent() {
            for root in &mut profile.attestation.extra_roots {
                if root.is_relative() {
                    *root = dir.join(&*root);
                }
            }
        }
        Ok(profile)
    }

    /// Parse a profile from TOML text (for tests and embedded defaults).
    ///
    /// # Errors
    /// As [`Profile::load`].
    pub fn from_toml(text: &str) -> Result<Self> {
        Self::parse(text, "(inline)")
    }

    /// Parse and check a profile read from `origin` (a file name, for the
    /// error); relative root paths stay as they are.
    ///
    /// # Errors
    /// As [`Profile::load`].
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let err = |reason: String| CoreError::Profile {
            path: origin.to_owned(),
            reason,
        };
        let profile: Self = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        profile.check().map_err(err)?;
        Ok(profile)
    }

    /// The profile the inventory keeps for `site`; it works for that site.
    ///
    /// # Errors
    /// `SiteProfile` when the stored text is no valid profile (for this
    /// keydesk) or names another site.
    pub fn from_stored(text: &str, site: &SiteCode) -> Result<Self> {
        let err = |reason: String| CoreError::SiteProfile {
            site: site.clone(),
            reason,
        };
        let mut profile: Self = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        profile.check().map_err(err)?;
        profile.storable_for(site).map_err(err)?;
        profile.site = Some(site.clone());
        Ok(profile)
    }

    /// Whether the inventory may keep this profile for `site`: it names
    /// that site or none, and its root files are absolute paths (counters
    /// on other machines read it, there is no profile directory).
    ///
    /// # Errors
    /// What is wrong, as a sentence.
    pub(crate) fn storable_for(&self, site: &SiteCode) -> std::result::Result<(), String> {
        if let Some(named) = self.site.as_ref().filter(|s| *s != site) {
            return Err(format!(
                "it names site {named}; a profile kept for site {site} names that site or none"
            ));
        }
        if let Some(rel) = self
            .attestation
            .extra_roots
            .iter()
            .find(|p| p.is_relative())
        {
            return Err(format!(
                "attestation.extra_roots: {} is a relative path; a profile kept in the inventory is read on every counter of the site, so name root files by absolute paths",
                rel.display()
            ));
        }
        Ok(())
    }

    fn check(&self) -> std::result::Result<(), String> {
        let p = &self.piv;
        if !(6..=8).contains(&p.pin_length) {
            return Err(format!(
                "piv.pin_length must be 6 to 8, not {}",
                p.pin_length
            ));
        }
        if !(6..=8).contains(&p.puk_length) {
            return Err(format!(
                "piv.puk_length must be 6 to 8, not {}",
                p.puk_length
            ));
        }
        if p.pin_retries == 0 || p.puk_retries == 0 {
            return Err("piv.pin_retries and piv.puk_retries must be at least 1".into());
        }
        if !p.slot.is_enrolment_slot() {
            return Err(format!(
                "piv.slot must be 9a, 9c, 9d or 9e, not \"{}\"",
                p.slot
            ));
        }
        if !(4..=63).contains(&self.fido.min_pin_length) {
            return Err(format!(
                "fido.min_pin_length must be 4 to 63, not {}",
                self.fido.min_pin_length
            ));
        }
        if self.temporary_days == 0 {
            return Err("temporary_days must be at least 1".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_profile_parses() {
        let p = Profile::from_toml(
            r#"
            name = "Stadt Mainz VPN"
            temporary_days = 7
            [piv]
            pin_length = 8
            algorithm = "p384"
            touch_policy = "cached"
            [fido]
            mode = "required"
            min_pin_length = 8
            [otp]
            enabled = true
            "#,
        )
        .expect("valid profile");
        assert_eq!(p.piv.algorithm, Algorithm::P384);
        assert_eq!(p.piv.touch_policy, TouchPolicy::Cached);
        assert_eq!(p.piv.puk_length, 8, "unset fields keep defaults");
        assert_eq!(p.fido.mode, FidoMode::Required);
        assert!(p.otp.enabled);
        assert_eq!(p.temporary_days, 7);
        assert_eq!(p.site, None);
    }

    #[test]
    fn a_site_profile_names_its_site_and_a_bad_code_is_an_error() {
        let p = Profile::from_toml("name = \"Amt 12\"\nsite = \"amt12\"\n").expect("valid profile");
        assert_eq!(
            p.site.as_ref().map(keydesk_types::SiteCode::as_str),
            Some("AMT12")
        );
        assert!(Profile::from_toml("site = \"Amt 12\"\n").is_err());
    }

    #[test]
    fn a_stored_profile_works_for_its_site_and_must_not_name_another() {
        let amt12 = SiteCode::parse("AMT12").expect("code");
        let p = Profile::from_stored("name = \"Amt 12\"\n", &amt12).expect("valid");
        assert_eq!(
            p.site.as_ref(),
            Some(&amt12),
            "a stored profile is its site's"
        );
        let other = Profile::from_stored("site = \"AMT20\"\n", &amt12).expect_err("other site");
        assert!(
            matches!(&other, CoreError::SiteProfile { site, reason }
            if *site == amt12 && reason.contains("AMT20")),
            "{other}"
        );
        let typo = Profile::from_stored("pin_lenght = 6\n", &amt12).expect_err("typo");
        assert!(typo.to_string().contains("AMT12"), "{typo}");
        let rel = Profile::parse("[attestation]\nextra_roots = [\"roots.pem\"]\n", "p.toml")
            .expect("valid as a file");
        let why = rel.storable_for(&amt12).expect_err("relative root");
        assert!(
            why.contains("roots.pem") && why.contains("absolute"),
            "{why}"
        );
        let abs = Profile::parse(
            "[attestation]\nextra_roots = [\"/etc/keydesk/r.pem\"]\n",
            "p.toml",
        )
        .expect("valid");
        assert_eq!(abs.storable_for(&amt12), Ok(()));
    }

    #[test]
    fn a_secret_has_no_place_in_a_profile() {
        // No field holds a PIN, PUK, management key or OTP secret, and any
        // other field is refused: a stored profile cannot carry one.
        for secret in [
            "[piv]\nmanagement_key = \"010203040506070801020304050607080102030405060708\"\n",
            "[piv]\npin = \"123456\"\n",
            "puk = \"12345678\"\n",
            "[otp]\nsecret = \"abc\"\n",
        ] {
            let e = Profile::from_toml(secret).expect_err(secret);
            assert!(e.to_string().contains("unknown field"), "{e}");
        }
    }

    #[test]
    fn typos_and_impossible_values_are_errors() {
        let typo = Profile::from_toml("[piv]\npin_lenght = 6\n").expect_err("unknown field");
        assert!(typo.to_string().contains("pin_lenght"), "{typo}");
        let short = Profile::from_toml("[piv]\npin_length = 4\n").expect_err("too short");
        assert!(short.to_string().contains("6 to 8"), "{short}");
        let slot = Profile::from_toml("[piv]\nslot = \"82\"\n").expect_err("bad slot");
        assert!(slot.to_string().contains("9a"), "{slot}");
        // A slot that is no slot at all is a profile error too, never a silent 9a.
        let typo = Profile::from_toml("[piv]\nslot = \"9z\"\n").expect_err("no slot");
        assert!(typo.to_string().contains("not a PIV slot"), "{typo}");
        let upper = Profile::from_toml("[piv]\nslot = \"9C\"\n").expect("9C is 9c");
        assert_eq!(upper.piv.slot, Slot::Signature);
    }
}
