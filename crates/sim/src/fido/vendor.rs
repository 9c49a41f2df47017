//! Yubico's vendor CTAPHID commands. Only READ CONFIG (0xC2, vendor first
//! 0x40 + 2) is implemented: ykman's `ManagementSession` over a FIDO
//! connection sends it with an empty payload and parses the answer as the
//! Management application's GET DEVICE INFO (length byte, then TLVs). The
//! answer is built by the card's own encoder from the same settings, so both
//! interfaces of one key report the same serial, firmware and applications.
//! The mode and write-config commands (0xC0, 0xC3) are not simulated and are
//! refused as unknown commands.

use std::sync::{Arc, Mutex, PoisonError};

use crate::card::{mgmt, MgmtState};
use crate::identity::Identity;

/// CTAPHID command READ CONFIG with the initialization bit set.
pub(crate) const READ_CONFIG: u8 = 0xC2;

/// The Management settings the FIDO interface reports: shared with the
/// card of the same key (see [`crate::card::Card::management_view`]), or a
/// factory copy for a stand-alone authenticator.
pub(crate) type MgmtView = Arc<Mutex<MgmtState>>;

/// A view of factory settings, for an authenticator without a card.
pub(crate) fn factory_view(identity: &Identity) -> MgmtView {
    Arc::new(Mutex::new(MgmtState::factory(identity)))
}

/// The READ CONFIG answer: exactly the GET DEVICE INFO response data.
pub(crate) fn read_config(identity: &Identity, view: &MgmtView) -> Vec<u8> {
    let st = view.lock().unwrap_or_else(PoisonError::into_inner);
    mgmt::device_info(identity, &st)
}
