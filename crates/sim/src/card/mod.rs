//! The smart-card side of the virtual key: ISO 7816 APDUs routed by SELECT
//! to the Management, PIV and OTP applications.
