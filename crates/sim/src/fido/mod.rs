//! The FIDO2 authenticator of the virtual key: CTAPHID framing over 64-byte
//! reports and CTAP 2.1 commands.
