//! Which attestation roots a desk trusts. Yubico's PIV root always; further
//! roots only when the office profile names them (`[attestation]
//! extra_roots`) or, in a training build, for the simulator's keys. No
//! environment variable changes this: trust is configuration, and the root
//! that verified an enrolment is recorded with it.

use std::path::Path;

use keydesk_device::attestation::{RootInfo, TrustAnchors};

use crate::error::{CoreError, Result};
use crate::profile::Profile;

/// The attestation roots in force.
#[derive(Debug, Clone)]
pub struct Trust {
    anchors: TrustAnchors,
}

/// One trusted root, as the counter shows and records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedRoot {
    pub subject: String,
    /// SHA-256 of the certificate (DER), hex.
    pub sha256: String,
    /// `bundled` for Yubico's root, else the file it was read from.
    pub source: String,
}

impl From<&RootInfo> for TrustedRoot {
    fn from(r: &RootInfo) -> Self {
        Self {
            subject: r.subject.clone(),
            sha256: r.sha256.clone(),
            source: r.source.clone(),
        }
    }
}

impl Trust {
    /// Yubico's root only.
    ///
    /// # Errors
    /// Never in practice (the bundled root is checked by a test).
    pub fn yubico() -> Result<Self> {
        Ok(Self {
            anchors: TrustAnchors::yubico()?,
        })
    }

    /// Yubico's root plus every root file the profile names.
    ///
    /// # Errors
    /// `Profile` when a root file cannot be read or holds no certificate:
    /// the counter refuses to start rather than trust less (or more) than
    /// the office configured.
    pub fn for_profile(profile: &Profile) -> Result<Self> {
        let mut trust = Self::yubico()?;
        trust.add_roots_of(profile)?;
        Ok(trust)
    }

    /// Trust every root file `profile` names too.
    ///
    /// # Errors
    /// As [`Trust::for_profile`].
    pub fn add_roots_of(&mut self, profile: &Profile) -> Result<()> {
        for path in &profile.attestation.extra_roots {
            self.add_file(path)?;
        }
        Ok(())
    }

    fn add_file(&mut self, path: &Path) -> Result<()> {
        let err = |reason: String| CoreError::Profile {
            path: path.display().to_string(),
            reason,
        };
        let pem = std::fs::read_to_string(path)
            .map_err(|e| err(format!("attestation.extra_roots: {e}")))?;
        self.anchors
            .add_pem(&pem, &path.display().to_string())
            .map_err(|e| err(format!("attestation.extra_roots: {e}")))
    }

    /// Trust the root(s) in `pem` too; `source` names them in the record.
    ///
    /// # Errors
    /// When `pem` holds no certificate.
    pub fn add_pem(&mut self, pem: &str, source: &str) -> Result<()> {
        Ok(self.anchors.add_pem(pem, source)?)
    }

    /// The roots in force, Yubico's first.
    #[must_use]
    pub fn roots(&self) -> Vec<TrustedRoot> {
        self.anchors.roots().map(TrustedRoot::from).collect()
    }

    pub(crate) fn anchors(&self) -> &TrustAnchors {
        &self.anchors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_names_every_root_beyond_yubicos() {
        let only = Trust::for_profile(&Profile::default()).unwrap();
        assert_eq!(only.roots().len(), 1);
        assert_eq!(only.roots()[0].source, "bundled");

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("extra.pem");
        std::fs::write(&file, keydesk_device::attestation::YUBICO_PIV_ROOT_CA).unwrap();
        let mut profile = Profile::default();
        profile.attestation.extra_roots = vec![file.clone()];
        let more = Trust::for_profile(&profile).unwrap();
        assert_eq!(more.roots().len(), 2);
        assert_eq!(more.roots()[1].source, file.display().to_string());

        profile.attestation.extra_roots = vec![dir.path().join("missing.pem")];
        let missing = Trust::for_profile(&profile).unwrap_err();
        assert!(missing.to_string().contains("missing.pem"), "{missing}");
        std::fs::write(&file, "not a certificate").unwrap();
        profile.attestation.extra_roots = vec![file];
        assert!(Trust::for_profile(&profile).is_err());
    }
}
