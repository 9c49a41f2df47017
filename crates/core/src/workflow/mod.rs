//! The counter workflows. Each is a sequence of store writes and, where keys
//! are involved, device steps journalled before and after.

pub mod batch;
pub mod enrol;
pub mod inventory;
pub mod recover;
pub mod reset;
pub mod service;
pub mod sites;
pub mod status;
