//! The counter workflows. Each is a sequence of store writes and, where keys
//! are involved, device steps journalled before and after.

pub mod inventory;
pub mod status;
