//! One whole virtual key: the smart card and the FIDO2 authenticator sharing
//! an identity, saved to and loaded from a JSON file so that a key can be
//! unplugged (process stopped) and plugged in again with everything it held.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::card::{Card, CardState};
use crate::clock::{Clock, SystemClock};
use crate::fido::{Authenticator, AuthenticatorState};
use crate::identity::Identity;
use crate::touch::Touch;

/// Saving or loading a key's state failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    #[error("cannot read or write the key state file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the key state file {path} is not valid key state: {source}")]
    Format {
        path: String,
        #[source]
        source: serde_json::Error,
    },
}

/// The persistent state of a whole key, as stored in the state file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedKey {
    pub identity: Identity,
    pub card: CardState,
    pub fido: AuthenticatorState,
}

impl SavedKey {
    /// Write atomically (temp file in the same directory, then rename).
    ///
    /// # Errors
    /// [`StateError::Io`] if the file cannot be written.
    pub fn write(&self, path: &Path) -> Result<(), StateError> {
        let io = |source| StateError::Io {
            path: path.display().to_string(),
            source,
        };
        let json = serde_json::to_vec(self).map_err(|source| StateError::Format {
            path: path.display().to_string(),
            source,
        })?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".tmp{}", std::process::id()));
        let tmp = std::path::PathBuf::from(tmp);
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(&json).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Read a state file.
    ///
    /// # Errors
    /// [`StateError`] if it cannot be read or parsed.
    pub fn read(path: &Path) -> Result<Self, StateError> {
        let bytes = std::fs::read(path).map_err(|source| StateError::Io {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_slice(&bytes).map_err(|source| StateError::Format {
            path: path.display().to_string(),
            source,
        })
    }
}

/// A virtual YubiKey 5: smart card plus FIDO2 authenticator.
#[derive(Debug)]
pub struct SimKey {
    pub identity: Identity,
    pub card: Card,
    pub fido: Authenticator,
}

impl SimKey {
    /// A factory-fresh key, touched automatically, on the system clock.
    #[must_use]
    pub fn new(identity: Identity) -> Self {
        Self::with(identity, Touch::Auto, Arc::new(SystemClock::new()))
    }

    /// A factory-fresh key with the given touch behaviour and clock.
    #[must_use]
    pub fn with(identity: Identity, touch: Touch, clock: Arc<dyn Clock>) -> Self {
        let mut card = Card::new(identity.clone());
        card.set_touch(touch);
        let mut fido = Authenticator::new(&identity, touch, clock);
        fido.share_management(card.management_view());
        Self {
            identity,
            card,
            fido,
        }
    }

    /// The key's persistent state.
    #[must_use]
    pub fn saved(&self) -> SavedKey {
        SavedKey {
            identity: self.identity.clone(),
            card: self.card.state().clone(),
            fido: self.fido.state(),
        }
    }

    /// A key from saved state, freshly plugged in.
    #[must_use]
    pub fn from_saved(saved: SavedKey, touch: Touch, clock: Arc<dyn Clock>) -> Self {
        let mut card = Card::from_state(saved.identity.clone(), saved.card);
        card.set_touch(touch);
        let mut fido = Authenticator::from_state(&saved.identity, saved.fido, touch, clock);
        fido.share_management(card.management_view());
        Self {
            identity: saved.identity,
            card,
            fido,
        }
    }

    /// Save to `path` (JSON, atomically).
    ///
    /// # Errors
    /// [`StateError`] if the file cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        self.saved().write(path)
    }

    /// Load from `path`: the same key plugged in again.
    ///
    /// # Errors
    /// [`StateError`] if the file cannot be read or parsed.
    pub fn load(path: &Path, touch: Touch, clock: Arc<dyn Clock>) -> Result<Self, StateError> {
        Ok(Self::from_saved(SavedKey::read(path)?, touch, clock))
    }
}
